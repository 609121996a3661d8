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
