"""The pure layers close the HTTP sessions they make: a fetch run outside the dock (Processing,
a notebook) leaves no socket for the garbage collector (ResourceWarning)."""

import gc
import warnings
from pathlib import Path

from crop_confidence.plugin.sources.fetch import FetchRequest, fetch
from rasters import read_raster
from servers.range_host import RangeHost
from servers.stac_api import StacApiServer, cdse_item

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
AREA = (3_851_000, 2_650_000, 3_855_000, 2_653_000)


def sample_items(host):
    """CTY and CTYCL 2021 items whose https alternates are served by ``host`` (range reads)."""
    items = []
    for layer in ("CTY", "CTYCL"):
        name = f"CLMS_HRLVLCC_{layer}_S2021_R10m_E38N26_03035_V01_R00.tif"
        host.add(f"/files/{name}", SAMPLE / name)
        item = cdse_item(layer, 2021, "E38N26", size=(SAMPLE / name).stat().st_size)
        alternate = item["assets"][f"{layer}_raster"]["alternate"]["https"]
        alternate["href"] = host.url(f"/files/{name}")
        alternate["auth:refs"] = []
        items.append(item)
    return items


def unclosed_sockets(work):
    gc.collect()  # what earlier tests left is theirs, not this work's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = work()
        gc.collect()
    return result, [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_clipped_fetch_over_http_closes_its_sessions(tmp_path):
    host = RangeHost()
    host.start()
    try:
        with StacApiServer(sample_items(host)) as stac:
            request = FetchRequest("cty_ctycl", 2021, AREA, "EPSG:3035", str(tmp_path), stac.url)
            result, unclosed = unclosed_sockets(lambda: fetch(request))
    finally:
        host.stop()
    assert host.bytes_sent > 0  # the layers were read over HTTP, by range
    assert read_raster(result.class_layer)[0].shape == (300, 400)
    assert unclosed == []
