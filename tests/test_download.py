"""download() against loopback servers: resume, auth renewal, checksums, disk space, errors."""

import hashlib
import logging
import random
import socket
import time
from collections import namedtuple

import pytest

from crop_confidence.plugin.net.auth import CdseTokenProvider
from crop_confidence.plugin.net.checksum import parse_multihash
from crop_confidence.plugin.net.download import (
    ChecksumMismatch,
    DownloadCancelled,
    DownloadError,
    InsufficientDiskSpace,
    UnsafeFileName,
    download,
)
from crop_confidence.plugin.net.http import (
    CappedRetry,
    RetryAfterTooLong,
    make_session,
    plugin_version,
)
from crop_confidence.plugin.net.trusted import bearer_allowed
from servers.cdse_identity import IdentityServer, LeakGuard
from servers.download_host import DownloadHost

PASSWORD = "pw-Dl42#granite"
QUERY_SECRET = "sig-5d1e9a77c0"
# A GeoTIFF's signature, then noise: .tif names only take bodies that begin like a TIFF.
DATA = b"II*\x00" + random.Random(20170101).randbytes(300_000 - 4)
PATH = "/odata/v1/Products(7f3c)/$value"
NAME = "CLMS_HRLVLCC_CTYCL_S2021_R10m_E40N27_03035_V01_R00.tif"
CHUNK = 16 * 1024
SHA256 = "1220" + hashlib.sha256(DATA).hexdigest()
MD5 = "d50110" + hashlib.md5(DATA).hexdigest()
DiskUsage = namedtuple("DiskUsage", "total used free")


@pytest.fixture(autouse=True)
def guard(caplog):
    caplog.set_level(logging.DEBUG)
    leak_guard = LeakGuard(caplog)
    leak_guard.watch(PASSWORD, QUERY_SECRET)
    yield leak_guard
    leak_guard.check()


@pytest.fixture
def host():
    with DownloadHost({PATH: DATA}) as server:
        yield server


@pytest.fixture
def identity(guard):
    server = IdentityServer()
    server.add_user("alice", PASSWORD)
    guard.watch(server)
    with server:
        yield server


@pytest.fixture
def auth_host(identity):
    with DownloadHost({PATH: DATA}, token_check=identity.is_valid) as server:
        yield server


def session():
    return make_session(retries=2, backoff_factor=0.01)


def provider_for(identity):
    return CdseTokenProvider("alice", PASSWORD, token_url=identity.token_url, session=session())


def fetch(url, folder, name=NAME, **kwargs):
    kwargs.setdefault("chunk_size", CHUNK)
    return download(url, folder, name, kwargs.pop("session", None) or session(), **kwargs)


def raised(guard, exc_type, call, match=None):
    with pytest.raises(exc_type, match=match) as info:
        call()
    guard.record(info.value)
    return info.value


def listing(folder):
    return sorted(path.name for path in folder.iterdir())


def test_download_streams_to_the_final_name(host, tmp_path):
    seen = []
    result = fetch(
        host.url(PATH), tmp_path, progress=lambda done, total: seen.append((done, total))
    )

    assert result.path == tmp_path / NAME
    assert result.path.read_bytes() == DATA
    assert (result.bytes_transferred, result.resumed, result.skipped) == (len(DATA), False, False)
    assert listing(tmp_path) == [NAME]
    assert host.count("GET") == 1 and host.bytes_sent == len(DATA)
    assert seen[0] == (0, len(DATA)) and seen[-1] == (len(DATA), len(DATA))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) > len(DATA) // CHUNK  # reported chunk by chunk


def test_requests_carry_our_user_agent_and_ask_for_no_compression(host, tmp_path):
    fetch(host.url(PATH), tmp_path)
    (served,) = host.requests
    assert served.headers["User-Agent"] == f"crop-confidence/{plugin_version()}"
    assert served.headers["Accept-Encoding"] == "identity"
    assert served.token is None


def test_session_uses_the_given_proxy_instead_of_connecting_itself(host, tmp_path, guard):
    proxied = make_session(proxies={"http": host.url("")}, retries=0)
    assert proxied.trust_env is False
    raised(
        guard,
        DownloadError,
        lambda: fetch("http://files.example.invalid/a.tif", tmp_path, session=proxied),
        match="HTTP 404",
    )
    # The request went to the loopback proxy, asking for the absolute URL.
    assert [served.path for served in host.requests] == ["http://files.example.invalid/a.tif"]


@pytest.mark.parametrize(
    "known",
    [{"checksum": SHA256}, {"checksum": MD5}, {"expected_size": len(DATA)}],
    ids=["sha256", "md5", "size"],
)
def test_second_fetch_of_a_verified_file_sends_no_request(host, tmp_path, known):
    fetch(host.url(PATH), tmp_path, **known)
    before = len(host.requests)

    again = fetch(host.url(PATH), tmp_path, **known)

    assert (again.skipped, again.bytes_transferred) == (True, 0)
    assert len(host.requests) == before == 1
    assert again.path.read_bytes() == DATA


def test_second_fetch_without_size_or_checksum_only_sends_a_head(host, tmp_path):
    fetch(host.url(PATH), tmp_path)
    again = fetch(host.url(PATH), tmp_path)
    assert again.skipped
    assert [served.method for served in host.requests] == ["GET", "HEAD"]
    assert host.bytes_sent == len(DATA)


def test_final_file_that_fails_verification_is_replaced(host, tmp_path):
    (tmp_path / NAME).write_bytes(b"old revision")
    result = fetch(host.url(PATH), tmp_path, checksum=SHA256)
    assert not result.skipped and result.path.read_bytes() == DATA
    assert listing(tmp_path) == [NAME]


def test_cut_connection_keeps_the_bytes_and_the_next_call_resumes(host, tmp_path, guard):
    host.cut(100_000)
    error = raised(
        guard,
        DownloadError,
        lambda: fetch(host.url(PATH), tmp_path, checksum=SHA256, resume_attempts=0),
    )
    assert "stopped after 100000 of 300000 bytes" in str(error)
    assert "run the download again to resume" in str(error)
    assert listing(tmp_path) == [NAME + ".part"]
    assert (tmp_path / (NAME + ".part")).read_bytes() == DATA[:100_000]

    result = fetch(host.url(PATH), tmp_path, checksum=SHA256)

    assert result.path.read_bytes() == DATA
    assert (result.resumed, result.bytes_transferred) == (True, 200_000)
    assert host.bytes_sent == len(DATA)  # nothing sent twice
    assert [served.range for served in host.requests] == [None, "bytes=100000-"]
    assert [served.status for served in host.requests] == [200, 206]
    assert listing(tmp_path) == [NAME]


def test_one_call_resumes_by_itself_after_a_cut(host, tmp_path):
    host.cut(123_457)
    result = fetch(host.url(PATH), tmp_path, expected_size=len(DATA), checksum=MD5)
    assert result.path.read_bytes() == DATA
    assert (result.resumed, result.bytes_transferred) == (True, len(DATA))
    assert host.bytes_sent == len(DATA)
    assert [served.range for served in host.requests] == [None, "bytes=123457-"]


def test_download_that_keeps_being_cut_fails_without_a_final_file(host, tmp_path, guard):
    host.cut(50_000, times=10)
    error = raised(guard, DownloadError, lambda: fetch(host.url(PATH), tmp_path))
    assert "stopped after 150000 of 300000 bytes" in str(error)
    assert host.url("/odata/v1/Products(7f3c)/$value") in str(error)
    assert host.count("GET") == 3  # first try + 2 resumes
    assert listing(tmp_path) == [NAME + ".part"]
    assert (tmp_path / (NAME + ".part")).read_bytes() == DATA[:150_000]


def test_server_ignoring_range_restarts_from_zero(host, tmp_path):
    (tmp_path / (NAME + ".part")).write_bytes(b"x" * 1000)
    host.ignore_range = True
    result = fetch(host.url(PATH), tmp_path)
    assert result.path.read_bytes() == DATA
    assert result.resumed is False and result.bytes_transferred == len(DATA)
    assert [served.range for served in host.requests] == ["bytes=1000-"]
    assert listing(tmp_path) == [NAME]


def test_206_with_other_bytes_than_asked_restarts_from_zero(host, tmp_path):
    (tmp_path / (NAME + ".part")).write_bytes(DATA[:1000])
    host.wrong_ranges = 1
    result = fetch(host.url(PATH), tmp_path, checksum=SHA256)
    assert result.path.read_bytes() == DATA
    assert [(served.range, served.status) for served in host.requests] == [
        ("bytes=1000-", 206),
        (None, 200),
    ]
    assert result.bytes_transferred == len(DATA) and not result.resumed


def test_complete_part_file_is_finished_after_a_416(host, tmp_path):
    (tmp_path / (NAME + ".part")).write_bytes(DATA)
    result = fetch(host.url(PATH), tmp_path, checksum=SHA256)
    assert result.path.read_bytes() == DATA and result.bytes_transferred == 0
    assert [served.status for served in host.requests] == [416]
    assert host.bytes_sent == 0


def test_part_file_longer_than_the_remote_file_is_restarted(host, tmp_path):
    (tmp_path / (NAME + ".part")).write_bytes(DATA + b"junk")
    result = fetch(host.url(PATH), tmp_path)
    assert result.path.read_bytes() == DATA
    assert [served.status for served in host.requests] == [416, 200]


def test_final_name_that_cannot_be_replaced_keeps_the_verified_part(host, tmp_path, guard):
    blocker = tmp_path / NAME
    blocker.mkdir()
    (blocker / "busy").write_bytes(b"")  # like a file held open by another program
    raised(
        guard,
        DownloadError,
        lambda: fetch(host.url(PATH), tmp_path, expected_size=len(DATA)),
        match="Cannot replace",
    )
    assert (tmp_path / (NAME + ".part")).read_bytes() == DATA

    (blocker / "busy").unlink()
    blocker.rmdir()
    result = fetch(host.url(PATH), tmp_path, expected_size=len(DATA))
    assert result.path.read_bytes() == DATA
    assert host.count() == 1  # finished from the .part, no second transfer


def test_complete_part_with_known_size_needs_no_request(host, tmp_path):
    (tmp_path / (NAME + ".part")).write_bytes(DATA)
    result = fetch(host.url(PATH), tmp_path, expected_size=len(DATA), checksum=SHA256)
    assert result.path.read_bytes() == DATA
    assert host.requests == []


def test_token_expiring_mid_download_is_renewed_once_and_the_download_resumes(
    identity, auth_host, tmp_path
):
    auth_host.cut(100_000)
    expired = []

    def progress(done, total):
        if done >= 100_000 and not expired:
            identity.expire_access_tokens()  # the server drops the token mid-way
            expired.append(done)

    result = fetch(
        auth_host.url(PATH),
        tmp_path,
        token_provider=provider_for(identity),
        checksum=SHA256,
        progress=progress,
    )

    assert result.path.read_bytes() == DATA
    assert [served.status for served in auth_host.requests] == [200, 401, 206]
    assert [served.range for served in auth_host.requests] == [
        None,
        "bytes=100000-",
        "bytes=100000-",
    ]
    first, stale, fresh = (served.token for served in auth_host.requests)
    assert first == stale != fresh and identity.is_valid(fresh)
    assert identity.grants == {"password": 1, "refresh_token": 1}
    assert auth_host.bytes_sent == len(DATA)
    assert result.bytes_transferred == len(DATA) and result.resumed


def test_short_lived_token_is_renewed_before_resuming_without_a_401(tmp_path, guard):
    identity = IdentityServer(expires_in=1)
    identity.add_user("alice", PASSWORD)
    guard.watch(identity)
    with identity, DownloadHost({PATH: DATA}, token_check=identity.is_valid) as server:
        server.cut(100_000)
        waited = []

        def progress(done, total):
            if done >= 100_000 and not waited:
                time.sleep(1.0)  # the token expires while the connection is down
                waited.append(done)

        result = fetch(
            server.url(PATH), tmp_path, token_provider=provider_for(identity), progress=progress
        )
        assert result.path.read_bytes() == DATA
        assert [served.status for served in server.requests] == [200, 206]
        assert identity.grants == {"password": 1, "refresh_token": 1}
        assert server.bytes_sent == len(DATA)


def test_second_401_after_renewal_is_a_clear_error(identity, tmp_path, guard):
    with DownloadHost({PATH: DATA}, token_check=lambda token: False) as refusing:
        error = raised(
            guard,
            DownloadError,
            lambda: fetch(refusing.url(PATH), tmp_path, token_provider=provider_for(identity)),
        )
        assert [served.status for served in refusing.requests] == [401, 401]
    assert "refused a freshly renewed access token" in str(error)
    assert identity.grants == {"password": 1, "refresh_token": 1}
    assert listing(tmp_path) == []


def test_login_needed_but_no_account(auth_host, tmp_path, guard):
    error = raised(guard, DownloadError, lambda: fetch(auth_host.url(PATH), tmp_path))
    assert "asks for a login" in str(error)
    assert auth_host.count() == 1


@pytest.mark.parametrize("checksum", [SHA256, MD5], ids=["sha256", "md5"])
def test_checksum_mismatch_deletes_the_download(host, tmp_path, guard, checksum):
    host.corrupt(PATH)
    error = raised(
        guard, ChecksumMismatch, lambda: fetch(host.url(PATH), tmp_path, checksum=checksum)
    )
    algorithm = "sha256" if checksum == SHA256 else "md5"
    assert f"its {algorithm} is" in str(error) and checksum[-8:] in str(error)
    assert listing(tmp_path) == []
    assert host.bytes_sent == len(DATA)


def test_size_different_from_the_catalogue_fails_before_the_body(host, tmp_path, guard):
    (tmp_path / (NAME + ".part")).write_bytes(DATA[:1000])  # of which version? dropped
    error = raised(
        guard, DownloadError, lambda: fetch(host.url(PATH), tmp_path, expected_size=299_999)
    )
    assert "300000 bytes on the server, the catalogue announces 299999" in str(error)
    assert listing(tmp_path) == []


def test_full_disk_fails_before_any_transfer(host, tmp_path, guard):
    def disk_usage(folder):
        assert folder == tmp_path
        return DiskUsage(10**9, 10**9 - 250_000, 250_000)

    error = raised(
        guard,
        InsufficientDiskSpace,
        lambda: fetch(
            host.url(PATH),
            tmp_path,
            expected_size=len(DATA),
            disk_usage=disk_usage,
            reserve_bytes=0,
        ),
    )
    assert f"needs 0.3 MB, only 0.2 MB free in {tmp_path}" in str(error)
    assert host.requests == [] and listing(tmp_path) == []


def test_free_space_is_checked_against_content_length_when_size_is_unknown(host, tmp_path, guard):
    usage = DiskUsage(10**9, 0, 16_100_000)
    raised(
        guard,
        InsufficientDiskSpace,
        lambda: fetch(host.url(PATH), tmp_path, disk_usage=lambda folder: usage),
        match="needs 0.3 MB, only 16.1 MB free",  # the default keeps 16 MB spare
    )
    assert listing(tmp_path) == []
    # With room to spare it goes through.
    fetch(host.url(PATH), tmp_path, disk_usage=lambda folder: usage, reserve_bytes=1_000_000)
    assert (tmp_path / NAME).read_bytes() == DATA


@pytest.mark.parametrize(
    "bad_name",
    ["../x", "/etc/passwd", "a/b", "a\\b", "..", ".", "", "x\x00y", "C:evil.tif", "CON.tif"],
)
def test_unsafe_file_names_are_refused_before_any_request(host, tmp_path, guard, bad_name):
    folder = tmp_path / "downloads"
    error = raised(guard, UnsafeFileName, lambda: fetch(host.url(PATH), folder, name=bad_name))
    assert repr(bad_name) in str(error)
    if "\x00" in bad_name:
        assert "NUL character" in str(error)
    assert host.requests == []
    assert listing(tmp_path) == []


def test_connection_refused_names_the_url_without_the_query(tmp_path, guard):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/eodata/x.tif?X-Amz-Signature={QUERY_SECRET}"
    error = raised(guard, DownloadError, lambda: fetch(url, tmp_path))
    assert f"Could not connect to 127.0.0.1 to download http://127.0.0.1:{port}/eodata/x.tif?…" in (
        str(error)
    )
    assert "(Connection refused)" in str(error) and "internet connection" in str(error)
    assert listing(tmp_path) == []


def test_429_with_retry_after_is_waited_for(host, tmp_path):
    host.forced.append((429, {"Retry-After": "1"}))
    started = time.monotonic()
    result = fetch(host.url(PATH), tmp_path)
    assert time.monotonic() - started >= 0.95
    assert result.path.read_bytes() == DATA
    assert [served.status for served in host.requests] == [429, 200]


def test_a_retry_after_longer_than_the_cap_is_refused_at_once(host, tmp_path, monkeypatch):
    monkeypatch.setattr(CappedRetry, "MAX_RETRY_AFTER", 2.0)
    host.forced.append((429, {"Retry-After": "3"}))
    started = time.monotonic()
    with pytest.raises(RetryAfterTooLong, match="asks to wait 3 s .* more than the 2 s"):
        fetch(host.url(PATH), tmp_path)
    assert time.monotonic() - started < 2
    assert [served.status for served in host.requests] == [429]
    assert listing(tmp_path) == []


def test_silent_server_times_out_with_a_clear_error(host, tmp_path, guard):
    host.delay = 1.0
    slow = make_session(retries=0, timeout=(2, 0.2))
    error = raised(guard, DownloadError, lambda: fetch(host.url(PATH), tmp_path, session=slow))
    assert "127.0.0.1 did not answer in time" in str(error)
    assert listing(tmp_path) == []


def test_5xx_after_retries_is_a_clear_error(host, tmp_path, guard):
    host.forced += [(503, {})] * 3
    error = raised(guard, DownloadError, lambda: fetch(host.url(PATH), tmp_path))
    assert "answered HTTP 503" in str(error) and "try again later" in str(error)
    assert host.count("GET") == 3  # first try + 2 retries
    assert listing(tmp_path) == []


def test_404_is_a_clear_error(host, tmp_path, guard):
    error = raised(guard, DownloadError, lambda: fetch(host.url("/nope"), tmp_path))
    assert "was not found (HTTP 404)" in str(error)


def test_cancel_leaves_no_final_file_and_the_part_resumes_later(host, tmp_path, guard):
    done_so_far = []

    def cancel_after_a_third():
        return bool(done_so_far) and done_so_far[-1] >= 100_000

    raised(
        guard,
        DownloadCancelled,
        lambda: fetch(
            host.url(PATH),
            tmp_path,
            progress=lambda done, total: done_so_far.append(done),
            is_cancelled=cancel_after_a_third,
        ),
        match="is kept so that the next download resumes it",
    )
    part = tmp_path / (NAME + ".part")
    assert listing(tmp_path) == [part.name]
    kept = part.stat().st_size
    assert 100_000 <= kept < len(DATA) and part.read_bytes() == DATA[:kept]

    result = fetch(host.url(PATH), tmp_path, checksum=SHA256)
    assert result.path.read_bytes() == DATA
    assert result.bytes_transferred == len(DATA) - kept and result.resumed


def test_cancel_before_the_start_sends_nothing(host, tmp_path, guard):
    raised(
        guard,
        DownloadCancelled,
        lambda: fetch(host.url(PATH), tmp_path, is_cancelled=lambda: True),
    )
    assert host.requests == [] and listing(tmp_path) == []


def test_redirect_keeps_the_token_on_the_same_host_only(identity, auth_host, tmp_path):
    with DownloadHost({"/other": DATA}) as other:
        auth_host.redirects["/same"] = PATH
        provider = provider_for(identity)
        fetch(auth_host.url("/same"), tmp_path, token_provider=provider)
        assert [served.path for served in auth_host.requests] == ["/same", PATH]
        assert all(identity.is_valid(served.token) for served in auth_host.requests)

        auth_host.redirects["/away"] = other.url("/other")
        fetch(auth_host.url("/away"), tmp_path, name="other.tif", token_provider=provider)
        assert identity.is_valid(auth_host.requests[-1].token)
        assert [served.token for served in other.requests] == [None]
        assert (tmp_path / "other.tif").read_bytes() == DATA


def test_bearer_allowed_rules():
    source = "https://download.dataspace.copernicus.eu/odata/v1/Products(1)/$value"
    assert bearer_allowed(source, "https://zipper.dataspace.copernicus.eu/x")
    assert bearer_allowed(source, "https://download.dataspace.copernicus.eu/y")
    assert not bearer_allowed(source, "http://zipper.dataspace.copernicus.eu/x")
    assert not bearer_allowed(source, "https://evil.example.com/x")
    assert not bearer_allowed(source, "https://copernicus.eu.evil.com/x")
    assert not bearer_allowed("http://127.0.0.1:8000/a", "http://127.0.0.1:8001/a")
    assert not bearer_allowed("https://files.data.co.uk/a", "https://evil.co.uk/a")
    assert bearer_allowed("https://files.data.co.uk/a", "https://files.data.co.uk/b")


def test_multihash_parsing():
    assert parse_multihash(SHA256) == ("sha256", hashlib.sha256(DATA).digest())
    assert parse_multihash(MD5.upper()) == ("md5", hashlib.md5(DATA).digest())
    sha512 = "1340" + hashlib.sha512(DATA).hexdigest()
    assert parse_multihash(sha512)[0] == "sha512"
    for bad, reason in [
        ("zz", "not a hex multihash"),
        ("12", "truncated varint"),
        ("1221" + "00" * 33, "announces 33"),
        ("1220" + "00" * 31, "holds 31"),
        ("d50110" + "00" * 15, "holds 15"),
        ("d581" + "0010" + "00" * 16, "not minimally encoded"),
        ("0010" + "00" * 16, "not supported"),
        ("ac0210" + "00" * 16, "code 0x12c"),  # 300 = varint ac 02 (unsigned-varint spec)
    ]:
        with pytest.raises(DownloadError, match=reason):
            parse_multihash(bad)


def test_bad_checksum_text_fails_before_any_request(host, tmp_path):
    with pytest.raises(DownloadError, match="not a hex multihash"):
        fetch(host.url(PATH), tmp_path, checksum="sha256:abcd")
    assert host.requests == []
