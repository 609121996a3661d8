"""Waits between retries (HTTP 429 Retry-After, backoff) end on cancel and are bounded, through
fetch() on loopback servers: whole downloads, range-read clips and STAC searches. Only 429 and
5xx answers are retried: a name that does not resolve, a refused or a dropped connection fails
at the first attempt."""

import socket
import time
from pathlib import Path

import pytest
import requests
from urllib3.response import HTTPResponse

from crop_confidence.plugin.domain.errors import CropMaskCancelled
from crop_confidence.plugin.net.http import (
    CappedRetry,
    RequestCancelled,
    RetryAfterTooLong,
    make_retry,
    make_session,
    network_reason,
)
from crop_confidence.plugin.sources.fetch import FetchContext, FetchRequest, fetch
from rasters import read_raster
from servers.closing import ClosingServer, closed_port, count_connections
from servers.download_host import DownloadHost
from servers.stac_api import StacApiServer, cdse_item

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
OSO_SAMPLE = SAMPLE / "OSO_2021_sample.tif"
OSO_PATH = "/TheiaOSO/OCS_2021_CESBIO.tif"
OSO_AREA = (571_000, 6_276_000, 575_000, 6_279_000)
CLMS_AREA = (3_851_000, 2_650_000, 3_855_000, 2_653_000)
BUSY = (429, {"Retry-After": "30"})


def cancel_after(seconds):
    started = time.monotonic()
    return lambda: time.monotonic() - started > seconds


@pytest.fixture
def oso_host():
    with DownloadHost({OSO_PATH: OSO_SAMPLE.read_bytes()}) as host:
        yield host


def oso_request(host, out, clip):
    return FetchRequest("oso23", 2021, OSO_AREA, "EPSG:2154", str(out), host.url(OSO_PATH), clip)


@pytest.mark.parametrize("clip", [False, True], ids=["whole-download", "range-read-clip"])
def test_cancel_ends_a_retry_after_wait(oso_host, tmp_path, clip):
    oso_host.forced += [BUSY] * 5
    started = time.monotonic()
    with pytest.raises(CropMaskCancelled):
        fetch(oso_request(oso_host, tmp_path, clip), FetchContext(is_cancelled=cancel_after(0.5)))
    assert time.monotonic() - started < 10  # not the 30 s the server asked for
    assert oso_host.count() == 1  # no retry after the cancel
    finals = [path.name for path in tmp_path.rglob("*") if not path.name.startswith(".")]
    assert [name for name in finals if name.endswith((".tif", ".vrt"))] == []


def test_cancel_ends_a_stac_search_retry_after_wait(tmp_path):
    items = [cdse_item(layer, 2021, "E38N26") for layer in ("CTY", "CTYCL")]
    with StacApiServer(items) as stac:
        stac.add_fault("/search", 429, {"code": "TooManyRequests"}, {"Retry-After": "30"}, 5)
        request = FetchRequest("cty_ctycl", 2021, CLMS_AREA, "EPSG:3035", str(tmp_path), stac.url)
        started = time.monotonic()
        with pytest.raises(CropMaskCancelled):
            fetch(request, FetchContext(is_cancelled=cancel_after(0.5)))
        assert time.monotonic() - started < 10
        assert len(stac.requests_to("/search")) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("clip", [False, True], ids=["whole-download", "range-read-clip"])
def test_the_fetch_succeeds_once_the_server_recovers(oso_host, tmp_path, clip):
    oso_host.forced.append((429, {"Retry-After": "1"}))
    started = time.monotonic()
    result = fetch(oso_request(oso_host, tmp_path, clip), FetchContext(is_cancelled=lambda: False))
    assert time.monotonic() - started >= 0.95  # waited for Retry-After
    assert [served.status for served in oso_host.requests[:2]] == [429, 200 if not clip else 206]
    window = (slice(100, 400), slice(100, 500)) if clip else (slice(None), slice(None))
    for band, path in enumerate(
        (result.class_layer, result.confidence_layer, result.validity_layer), start=1
    ):
        assert (read_raster(path)[0] == read_raster(OSO_SAMPLE, band)[0][window]).all()


def test_a_retry_after_beyond_the_cap_is_not_waited_for(oso_host, tmp_path):
    oso_host.forced.append((429, {"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(RetryAfterTooLong) as caught:
        fetch(oso_request(oso_host, tmp_path, clip=False))
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        "127.0.0.1 answered HTTP 429 and asks to wait 3600 s before trying again, more than "
        "the 60 s the plugin waits: the service is busy, try again later."
    )
    assert oso_host.count() == 1


def busy_answer():
    return HTTPResponse(body=b"", status=503, headers={}, preload_content=False)


def test_backoff_waits_are_cancellable_too():
    retry = make_retry(retries=3, backoff_factor=30, is_cancelled=cancel_after(0.3))
    retry = retry.increment("GET", "/x", response=busy_answer())
    retry = retry.increment("GET", "/x", response=busy_answer())
    assert retry.get_backoff_time() == 60
    started = time.monotonic()
    with pytest.raises(RequestCancelled, match="Cancelled while waiting to retry"):
        retry.sleep()
    assert time.monotonic() - started < 5


def test_every_retry_keeps_the_cancel_check():
    def check():
        return False

    retry = make_retry(is_cancelled=check)
    assert isinstance(retry, CappedRetry)
    assert retry.new(total=1).is_cancelled is check
    assert retry.increment("GET", "/x", response=busy_answer()).is_cancelled is check


# -- what is not retried: a name that does not resolve, a refused or dropped connection -----


def test_a_refused_connection_is_not_retried(monkeypatch):
    connection_attempts = count_connections(monkeypatch)
    url = f"http://127.0.0.1:{closed_port()}/"
    with make_session() as session, pytest.raises(requests.ConnectionError) as caught:
        session.get(url)
    assert connection_attempts == ["127.0.0.1"]
    assert network_reason(caught.value) == "Connection refused"


def test_a_name_that_does_not_resolve_is_not_retried(monkeypatch):
    """The resolver's answer for a name that does not exist, without asking a DNS server."""
    connection_attempts = count_connections(monkeypatch)
    resolve = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host == "nonexistent.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with make_session() as session, pytest.raises(requests.ConnectionError) as caught:
        session.get("http://nonexistent.invalid/")
    assert connection_attempts == ["nonexistent.invalid"]
    assert network_reason(caught.value) == "Name or service not known"


def test_a_dropped_connection_is_not_retried():
    with ClosingServer() as server, make_session() as session:
        with pytest.raises(requests.ConnectionError):
            session.get(server.url)
        assert server.connections == 1


def test_only_429_and_5xx_answers_are_retried():
    retry = make_retry(retries=4)
    assert (retry.connect, retry.read, retry.other, retry.status) == (0, 0, 0, 4)
    assert set(retry.status_forcelist) == {429, 500, 502, 503, 504}
