"""Issue 13 "Time": a cancel ends any operation within 1 s, also while it waits on a server.

Each test cancels an operation blocked on a loopback server (one that accepts and never
answers, a STAC API whose search page never comes, a COG server that trickles its tiles) and
measures the wall time from the cancel to the CropMaskCancelled raised: under 1.5 s (1 s and
a margin for a busy machine). Without the cancel each would wait for the read timeout (60 s).
"""

import threading
import time

import pytest

from crop_confidence.plugin.domain.errors import CropMaskCancelled
from crop_confidence.plugin.net.http import make_session
from servers.silent_host import SilentHost

NAME = "CLMS_HRLVLCC_CTYCL_S2021_R10m_E40N27_03035_V01_R00.tif"
BOUND = 1.5  # seconds from the cancel to the exception


class Cancel:
    """is_cancelled(), turned true by fire(); ``since`` is when."""

    def __init__(self):
        self.since = None

    def fire(self):
        self.since = time.monotonic()

    def __call__(self):
        return self.since is not None

    def fire_when(self, ready, settle=0.3):
        """fire() ``settle`` s after ``ready()`` (the operation is blocked by then)."""

        def wait():
            deadline = time.monotonic() + 10
            while not ready() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(settle)
            self.fire()

        threading.Thread(target=wait, daemon=True).start()


def cancelled_within_bound(cancel, call):
    with pytest.raises(CropMaskCancelled) as caught:
        call()
    assert cancel.since is not None, f"ended before the cancel: {caught.value}"
    elapsed = time.monotonic() - cancel.since
    assert elapsed < BOUND, f"the cancel took {elapsed:.2f} s"
    return caught.value


def test_a_download_waiting_for_the_answer_ends_at_a_cancel(tmp_path):
    from crop_confidence.plugin.net.download import download

    cancel = Cancel()
    with SilentHost() as host:
        cancel.fire_when(lambda: host.accepted >= 1)
        error = cancelled_within_bound(
            cancel,
            lambda: download(host.url(), tmp_path, NAME, make_session(), is_cancelled=cancel),
        )
    assert "cancelled; nothing was saved" in str(error)
    assert list(tmp_path.iterdir()) == []


def test_a_clip_waiting_for_the_probe_answer_ends_at_a_cancel(tmp_path):
    from crop_confidence.plugin.sources.clip import clip_to_area

    cancel = Cancel()
    with SilentHost() as host:
        cancel.fire_when(lambda: host.accepted >= 1)
        cancelled_within_bound(
            cancel,
            lambda: clip_to_area(
                [host.url()], (0, 0, 10, 10), "EPSG:3035", tmp_path / "out.tif",
                is_cancelled=cancel,
            ),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_a_stac_search_waiting_on_a_page_ends_at_a_cancel():
    from crop_confidence.plugin.sources.stac_search import search_items
    from servers.stac_api import StacApiServer

    cancel = Cancel()
    with StacApiServer([]) as stac:
        stac.add_fault("/search", 200, {"type": "FeatureCollection", "features": []}, delay=30)
        cancel.fire_when(lambda: stac.requests_to("/search"))
        cancelled_within_bound(
            cancel,
            lambda: search_items(
                stac.url, (1.0, 43.0, 1.1, 43.1), 2021, ["oso"], is_cancelled=cancel
            ),
        )


def cog_bytes():
    """A 1024 x 1024 uncompressed COG (EPSG:3035, 256-px tiles): its tiles lie beyond the
    first 16 KB, which hold the header."""
    import numpy as np
    from osgeo import gdal, osr

    memory = gdal.GetDriverByName("MEM").Create("", 1024, 1024, 1, gdal.GDT_Byte)
    memory.SetGeoTransform((4_000_000, 10, 0, 3_000_000, 0, -10))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3035)
    memory.SetProjection(srs.ExportToWkt())
    pixels = np.random.default_rng(1).integers(0, 255, (1024, 1024), dtype=np.uint8)
    memory.GetRasterBand(1).WriteArray(pixels)
    name = "/vsimem/i13_cancel_cog.tif"
    options = ["BLOCKSIZE=256", "COMPRESS=NONE", "OVERVIEWS=NONE"]
    gdal.GetDriverByName("COG").CreateCopy(name, memory, options=options)
    handle = gdal.VSIFOpenL(name, "rb")
    gdal.VSIFSeekL(handle, 0, 2)
    size = gdal.VSIFTellL(handle)
    gdal.VSIFSeekL(handle, 0, 0)
    data = bytes(gdal.VSIFReadL(1, size, handle))
    gdal.VSIFCloseL(handle)
    gdal.Unlink(name)
    return data


def test_a_clip_whose_gdal_range_read_trickles_ends_at_a_cancel(tmp_path):
    """GDAL blocks in its range read (1 byte every 0.5 s, above no low-speed limit for 60 s):
    the read runs in a worker thread, and the clip leaves it at the cancel."""
    from crop_confidence.plugin.sources.clip import ClipCancelled, clip_to_area
    from servers.slow_tiles_host import SlowTilesHost

    cancel = Cancel()
    with SlowTilesHost(cog_bytes(), interval=0.5) as host:
        cancel.fire_when(host.slow_started.is_set)
        error = cancelled_within_bound(
            cancel,
            lambda: clip_to_area(
                [host.url()], (4_000_000, 2_990_000, 4_010_000, 3_000_000), "EPSG:3035",
                tmp_path / "out.tif", is_cancelled=cancel,
            ),
        )  # fmt: skip
        assert host.slow_started.is_set()  # the cancel came while GDAL read a tile
    assert isinstance(error, ClipCancelled)
    assert list(tmp_path.iterdir()) == []


def test_a_request_waiting_for_its_access_token_ends_at_a_cancel():
    """The token request of a trusted request (net.trusted.send) waits on a stalled login
    server: the cancel ends it all the same."""
    from crop_confidence.plugin.net.auth import CdseTokenProvider
    from crop_confidence.plugin.net.trusted import send
    from servers.cdse_identity import IdentityServer

    cancel = Cancel()
    identity = IdentityServer()
    identity.add_user("ana", "secret")
    identity.delay = 5.0  # the login server answers after 5 s (the bound is 1.5 s)
    with identity, SilentHost() as host:
        provider = CdseTokenProvider("ana", "secret", token_url=identity.token_url)
        cancel.fire_when(lambda: True, settle=0.5)  # (the server logs a form once it answers)
        cancelled_within_bound(
            cancel,
            lambda: send(
                make_session(), "GET", host.url(), token_provider=provider, is_cancelled=cancel
            ),
        )
    assert host.accepted == 0  # the data request was never sent
