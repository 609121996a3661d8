"""Issue 13, cases 4 and 6: downloads against loopback servers that trickle, stall and lie.

- a cancel ends a download within 1 s even while the server sends 1 byte a second, or nothing,
  and the .part keeps every byte received: the next call resumes from it (by byte count);
- a 200 answer with an HTML or JSON body is never saved under a .tif name;
- GDAL's range reads give up on a server that trickles (GDAL_HTTP_TIMEOUT, LOW_SPEED_*).
"""

import threading
import time

import pytest
from osgeo import gdal

from crop_confidence.plugin.net.download import DownloadCancelled, DownloadError, download
from crop_confidence.plugin.net.http import make_session
from crop_confidence.plugin.sources.cog.gdal_env import GdalSession, Secrets, http_options
from servers.trickle_host import TrickleHost

NAME = "CLMS_HRLVLCC_CTYCL_S2021_R10m_E40N27_03035_V01_R00.tif"
DATA = b"II*\x00" + bytes(range(8))  # 12 bytes: 11 s at 1 byte a second


class CancelAt:
    """is_cancelled() that turns true once ``count`` bytes were received (progress), and
    records when it first said so."""

    def __init__(self, count):
        self.count, self.done = count, 0
        self.since = None
        self._lock = threading.Lock()

    def progress(self, done, total):
        self.done = done

    def __call__(self):
        with self._lock:
            if self.since is None and self.done >= self.count:
                self.since = time.monotonic()
            return self.since is not None


def cancelled_download(host, folder, cancel):
    with pytest.raises(DownloadCancelled, match="is kept so that the next download resumes"):
        download(
            host.url(),
            folder,
            NAME,
            make_session(),
            progress=cancel.progress,
            is_cancelled=cancel,
        )
    return time.monotonic() - cancel.since


@pytest.mark.parametrize("stall_after", [None, 5], ids=["1 byte a second", "stalled"])
def test_cancel_ends_a_slow_download_within_a_second_and_the_part_resumes(tmp_path, stall_after):
    with TrickleHost(DATA, interval=1.0, stall_after=stall_after) as host:
        cancel = CancelAt(3 if stall_after is None else stall_after)
        assert cancelled_download(host, tmp_path, cancel) < 1.0
        part = tmp_path / (NAME + ".part")
        assert [path.name for path in tmp_path.iterdir()] == [part.name]
        kept = part.stat().st_size
        assert kept >= cancel.count and part.read_bytes() == DATA[:kept]  # nothing lost

        host.interval, host.stall_after = 0.0, None
        result = download(host.url(), tmp_path, NAME, make_session())
        assert host.ranges == [None, f"bytes={kept}-"]
        assert result.resumed and result.bytes_transferred == len(DATA) - kept
        assert result.path.read_bytes() == DATA
        assert not part.exists()


LOGIN_PAGE = b"\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>...</body></html>"
JSON_ERROR = (
    b'{"error": "expired", "retry": "https://portal.example/x?X-Amz-Signature=s3cr3t-5d1e9a77"}'
)


@pytest.mark.parametrize(
    ("content_type", "body", "quoted"),
    [
        ("text/html", LOGIN_PAGE, 'an HTML page beginning "<!DOCTYPE html>"'),
        ("application/json", JSON_ERROR, 'a JSON document beginning "{"error": "expired"'),
        ("text/plain", b"Service temporarily unavailable", 'a text beginning "Service temp'),
        ("image/tiff", b"", "an empty file"),
    ],
)
def test_a_page_answered_200_is_not_saved_as_a_tif(tmp_path, content_type, body, quoted):
    with TrickleHost(DATA) as host:
        host.pages["/login.tif"] = (content_type, body)
        with pytest.raises(DownloadError) as error:
            download(host.url("/login.tif"), tmp_path, NAME, make_session())
    message = str(error.value)
    assert quoted in message and "not a GeoTIFF" in message and NAME in message
    assert "s3cr3t" not in message
    assert list(tmp_path.iterdir()) == []  # nothing under the final name, no .part to resume


@pytest.mark.parametrize("signature", [b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"])
def test_tiff_and_bigtiff_bodies_are_saved(tmp_path, signature):
    with TrickleHost(b"") as host:
        host.pages["/ok.tif"] = ("image/tiff", signature + b"\x00" * 12)
        result = download(host.url("/ok.tif"), tmp_path, NAME, make_session())
    assert result.path.read_bytes() == signature + b"\x00" * 12


def test_gdal_range_reads_give_up_on_a_trickling_server():
    """1 byte a second is below GDAL_HTTP_LOW_SPEED_LIMIT: the read stops after the read
    timeout instead of running for ever (the whole body would take an hour here)."""
    with TrickleHost(DATA + bytes(3600), interval=1.0) as host:
        options = http_options(None, None, timeout=(2, 2))
        options["GDAL_HTTP_MAX_RETRY"] = "0"  # the timeout is under test, not the retries
        started = time.monotonic()
        with GdalSession(Secrets()) as session:
            session.set(options)
            handle = gdal.VSIFOpenL(f"/vsicurl/{host.url()}", "rb")
            data = gdal.VSIFReadL(1, 16384, handle) if handle else b""
            if handle:
                gdal.VSIFCloseL(handle)
        elapsed = time.monotonic() - started
    assert len(data or b"") < 16384
    assert elapsed < 15


def test_gdal_reads_wait_as_long_as_the_fetch_session_says():
    """The timeouts set in the settings reach GDAL's range reads through the fetch's session."""
    from osgeo import gdal

    from crop_confidence.plugin.net.http import make_session, session_timeout
    from crop_confidence.plugin.sources.cog.gdal_env import GdalSession, Secrets
    from crop_confidence.plugin.sources.cog.probe import HeaderAuth
    from crop_confidence.plugin.sources.cog.reader import SourceReader
    from crop_confidence.plugin.sources.cog.source import SourceAddress

    session = make_session(timeout=(4, 9))
    assert session_timeout(session) == (4, 9)
    with GdalSession(Secrets()) as gdal_session:
        reader = SourceReader(
            [SourceAddress("https://127.0.0.1:9/x.tif")], gdal_session, HeaderAuth(), session
        )
        reader.configure()
        options = {
            key: gdal.GetThreadLocalConfigOption(key, None)
            for key in ("GDAL_HTTP_CONNECTTIMEOUT", "GDAL_HTTP_LOW_SPEED_TIME")
        }
    assert options == {"GDAL_HTTP_CONNECTTIMEOUT": "4", "GDAL_HTTP_LOW_SPEED_TIME": "9"}
    session.close()
