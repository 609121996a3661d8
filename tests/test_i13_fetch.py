"""Issue 13 point 13 and issue 14 point 9: what a failed fetch says and leaves behind.

- a missing year of a local OSO raster is named as the search names it (the file does not
  exist), in clip and in whole-file mode, not "unknown GDAL error. Check the connection";
- the folders a failed or cancelled fetch created are removed when they stay empty, never a
  folder that existed before or one that holds anything (a resumable .part).
"""

import threading
from pathlib import Path

import numpy as np
import pytest

from crop_confidence.plugin.sources.fetch import FetchContext, FetchError, FetchRequest, fetch
from crop_confidence.plugin.sources.search import search
from rasters import write_raster
from servers.trickle_host import TrickleHost

YEAR = 2021
AREA = (570_050, 6_279_800, 570_250, 6_279_900)
AREA_4326 = (1.43, 43.6, 1.44, 43.61)


def oso_raster(path):
    rng = np.random.default_rng(5)
    bands = [rng.integers(1, 101, (30, 40)).astype(np.uint8) for _ in range(3)]
    return write_raster(path, bands, "EPSG:2154", (570_000, 6_280_000))


@pytest.mark.parametrize("clip", [True, False], ids=["clip", "whole"])
def test_a_missing_year_of_a_local_oso_raster_is_named_as_the_search_names_it(tmp_path, clip):
    oso_raster(tmp_path / f"OCS_{YEAR - 1}.tif")  # another year is there
    source = str(tmp_path / "OCS_{year}.tif")
    missing = tmp_path / f"OCS_{YEAR}.tif"
    with pytest.raises(FetchError) as searched:
        search("oso23", YEAR, source, AREA_4326)
    out = tmp_path / "out"
    with pytest.raises(FetchError) as fetched:
        fetch(FetchRequest("oso23", YEAR, AREA, "EPSG:2154", str(out), source, clip))
    expected = f"No OSO {YEAR} raster at '{missing}': the file does not exist."
    assert str(searched.value) == expected
    assert str(fetched.value) == expected
    assert not out.exists()  # created by the fetch, left empty: removed


def test_a_clip_of_a_missing_local_file_says_so(tmp_path):
    from crop_confidence.plugin.sources.clip import ClipError, clip_to_area

    missing = tmp_path / "gone.tif"
    with pytest.raises(ClipError) as caught:
        clip_to_area([str(missing)], AREA, "EPSG:2154", tmp_path / "out.tif")
    message = str(caught.value)
    assert message == f"Cannot open {missing}: the file does not exist. Check the path."
    assert "connection" not in message


def test_a_failed_fetch_removes_only_the_empty_folders_it_created(tmp_path):
    kept = tmp_path / "mine"
    (kept / "empty before").mkdir(parents=True)
    out = kept / "a" / "b" / "c"
    source = str(tmp_path / "OCS_{year}.tif")  # no year there
    with pytest.raises(FetchError, match="the file does not exist"):
        fetch(FetchRequest("oso23", YEAR, AREA, "EPSG:2154", str(out), source, True))
    assert sorted(path.name for path in kept.iterdir()) == ["empty before"]

    # A folder that existed before stays, even when empty, and so does its whole/.
    (kept / "whole").mkdir()
    with pytest.raises(FetchError, match="the file does not exist"):
        fetch(FetchRequest("oso23", YEAR, AREA, "EPSG:2154", str(kept), source, True))
    assert sorted(path.name for path in kept.iterdir()) == ["empty before", "whole"]


def test_a_cancelled_fetch_keeps_the_folder_of_its_resumable_part(tmp_path):
    data = b"II*\x00" + bytes(range(8))  # 1 byte a second: cancelled long before the end
    received = threading.Event()

    def progress(fraction):
        if fraction > 0:
            received.set()

    out = tmp_path / "new" / "folder"
    with TrickleHost(data, interval=0.2) as host:
        request = FetchRequest("oso23", YEAR, AREA, "EPSG:2154", str(out), host.url(), False)
        context = FetchContext(progress=progress, is_cancelled=received.is_set)
        with pytest.raises(Exception) as caught:
            fetch(request, context)
    from crop_confidence.plugin.domain.errors import CropMaskCancelled

    assert isinstance(caught.value, CropMaskCancelled)
    (part,) = out.iterdir()
    assert part.name == "file.tif.part" and data.startswith(part.read_bytes())
    assert part.stat().st_size > 0


# -- issue 14 point 9: local sources do not report "0 B transferred" ------------------------


@pytest.mark.parametrize("clip", [True, False], ids=["clip", "whole"])
def test_a_local_source_is_said_to_be_read_locally_not_0_bytes_transferred(tmp_path, clip):
    from crop_confidence.plugin.sources.fetch import TRANSFER_LOCAL, transfer_kind

    raster = oso_raster(tmp_path / f"OCS_{YEAR}.tif")
    said = []
    request = FetchRequest(
        "oso23", YEAR, AREA, "EPSG:2154", str(tmp_path / "out"), str(raster), clip
    )
    result = fetch(request, FetchContext(log=said.append))
    assert result.bytes_transferred == 0
    assert transfer_kind(request, result) == TRANSFER_LOCAL
    assert not any("transferred" in line for line in said)
    if clip:
        assert f"Clipped OSO_{YEAR}_" in said[0] and said[0].endswith(" from local files")
    else:
        size = (tmp_path / f"OCS_{YEAR}.tif").stat().st_size
        assert said == [f"Copied {raster} ({size} bytes) to OCS_{YEAR}.tif"]


def test_a_remote_source_counts_its_bytes_then_nothing_once_downloaded(tmp_path):
    from crop_confidence.plugin.sources.fetch import (
        TRANSFER_NETWORK,
        TRANSFER_NONE,
        transfer_kind,
    )
    from servers.range_host import RangeHost

    raster = oso_raster(tmp_path / f"OCS_{YEAR}.tif")
    with RangeHost({"/oso/OCS_2021.tif": raster}) as host:
        request = FetchRequest(
            "oso23", YEAR, AREA, "EPSG:2154", str(tmp_path / "out"), host.url("/oso/OCS_2021.tif"),
            False,
        )  # fmt: skip
        first = fetch(request)
        again = fetch(request)
    assert first.bytes_transferred == Path(raster).stat().st_size
    assert transfer_kind(request, first) == TRANSFER_NETWORK
    assert again.bytes_transferred == 0
    assert transfer_kind(request, again) == TRANSFER_NONE


@pytest.mark.parametrize(
    ("source", "local"),
    [
        ("", False),  # the default service
        ("/data/OCS_{year}.tif", True),
        ("file:///data/OCS_{year}.tif", True),
        ("C:\\oso\\OCS.tif", True),
        ("/data/a.tif|/data/b.tif|/data/c.tif", True),
        ("/data/a.tif|https://x.example/b.tif|/data/c.tif", False),
        ("https://x.example/catalog.json", False),
        ("/vsicurl/https://x.example/OCS.tif", False),
        ("s3://bucket/OCS.tif", False),
    ],
)
def test_local_sources_are_told_from_remote_ones(source, local):
    from crop_confidence.plugin.sources.fetch import is_local_source

    assert is_local_source(source) is local


def test_a_fetch_cancelled_before_any_byte_leaves_no_folder(tmp_path):
    """Cancelled while the server has not answered yet: no .part, so no folder either."""
    from crop_confidence.plugin.domain.errors import CropMaskCancelled
    from servers.silent_host import SilentHost

    cancelled = threading.Event()
    out = tmp_path / "new" / "folder"
    with SilentHost() as host:
        request = FetchRequest("oso23", YEAR, AREA, "EPSG:2154", str(out), host.url(), False)

        def cancel_once_waiting():
            host.wait_accepted(1)
            cancelled.set()

        threading.Thread(target=cancel_once_waiting, daemon=True).start()
        with pytest.raises(CropMaskCancelled, match="nothing was saved"):
            fetch(request, FetchContext(is_cancelled=cancelled.is_set))
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_stops_the_copy_of_a_large_local_raster_midway(tmp_path):
    """A whole-file fetch from a local source copies by chunks: a cancel after the first chunk
    stops it there (the national OSO raster takes minutes to copy), leaving nothing."""
    from crop_confidence.plugin.domain.errors import CropMaskCancelled
    from crop_confidence.plugin.sources.steps import COPY_CHUNK

    source = tmp_path / f"OCS_{YEAR}.tif"
    source.write_bytes(b"II*\x00" + bytes(5 * COPY_CHUNK))
    reported = []
    out = tmp_path / "out"
    request = FetchRequest("oso23", YEAR, AREA, "EPSG:2154", str(out), str(source), False)
    context = FetchContext(progress=reported.append, is_cancelled=lambda: any(reported))
    with pytest.raises(CropMaskCancelled, match="nothing was written"):
        fetch(request, context)
    assert 0 < max(reported) <= 2 / 5  # one chunk of five copied, then the cancel
    assert not out.exists()
