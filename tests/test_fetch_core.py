"""plugin.sources.fetch without QGIS: S3 keys route reads through /vsis3/; source kinds."""

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.warp import transform_bounds

from crop_confidence.plugin.sources.fetch import (
    FetchContext,
    FetchError,
    FetchRequest,
    fetch,
    sentinelhub_base_url,
    source_kind,
)
from crop_confidence.plugin.sources.years import _this_year, available_years
from rasters import read_raster
from servers.range_host import RangeHost
from servers.stac_api import StacApiServer, cdse_item, feature

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
OSO_SAMPLE = SAMPLE / "OSO_2021_sample.tif"
AREA = (3_851_000, 2_650_000, 3_855_000, 2_653_000)


def test_s3_keys_read_the_s3_href_with_path_style_addressing(tmp_path):
    items, files = [], {}
    for layer in ("CTY", "CTYCL"):
        item = cdse_item(layer, 2021, "E38N26")
        asset = item["assets"][f"{layer}_raster"]
        key = "/" + asset["href"][len("s3://") :]
        files[key] = SAMPLE / f"CLMS_HRLVLCC_{layer}_S2021_R10m_E38N26_03035_V01_R00.tif"
        items.append(item)

    def signed(headers):
        return "AKIDTEST" in headers.get("Authorization", "")

    host = RangeHost(files, auth_check=signed)
    host.start()
    try:
        with StacApiServer(items) as stac:
            context = FetchContext(
                s3_credentials={
                    "access_key": "AKIDTEST",
                    "secret_key": "s3-secret",
                    "endpoint": host.address,
                    "https": False,
                }
            )
            result = fetch(
                FetchRequest("cty_ctycl", 2021, AREA, "EPSG:3035", str(tmp_path), stac.url),
                context,
            )
    finally:
        host.stop()
    assert {served.path for served in host.requests} == set(files)
    assert host.count(status=403) == 0
    classes = read_raster(SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif")[0]
    np.testing.assert_array_equal(read_raster(result.class_layer)[0], classes[212:512, 100:500])
    assert result.bytes_transferred == host.bytes_sent


@pytest.mark.parametrize(
    ("product", "source", "kind"),
    [
        ("cty_ctycl", "", "stac"),
        ("ctycl", "https://stac.example/v1", "stac"),
        ("oso23", "", "sentinelhub"),
        ("oso23", "https://services.sentinel-hub.com", "sentinelhub"),
        ("oso23", "http://host/OCS_{year}_CESBIO.tif", "raster"),
        ("oso17", "/data/a.tif|/data/b.tif|/data/c.tif", "raster"),
        ("oso23", "/data/catalog.json", "stac"),
        # Sentinel Hub: its hosts, a bare base URL, or a process or catalog API URL.
        ("oso23", "https://services-uswest2.sentinel-hub.com/", "sentinelhub"),
        ("oso23", "https://sh.dataspace.copernicus.eu", "sentinelhub"),
        ("oso23", "http://127.0.0.1:8080", "sentinelhub"),
        ("oso23", "https://proxy.example.org/sh/api/v1/process", "sentinelhub"),
        ("oso17", "https://proxy.example.org/sh/api/v1/catalog/1.0.0/search", "sentinelhub"),
        # Any other address: a STAC API root (or a static catalogue), collection "oso".
        ("oso23", "https://mirror.example.org/stac/v1", "stac"),
        ("oso23", "https://mirror.example.org/stac/v1/?token=abc", "stac"),
        ("oso17", "https://example.org/api/stac/v1", "stac"),
        ("oso23", "https://mirror.example.org/oso/catalog.json?sig=1", "stac"),
        ("oso23", "/data/stac", "stac"),
    ],
)
def test_source_kinds(product, source, kind):
    assert source_kind(product, source) == kind


@pytest.mark.parametrize(
    ("source", "base"),
    [
        ("https://services.sentinel-hub.com", "https://services.sentinel-hub.com"),
        ("https://services.sentinel-hub.com/api/v1/process", "https://services.sentinel-hub.com"),
        ("https://sh.dataspace.copernicus.eu/", "https://sh.dataspace.copernicus.eu"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://proxy.example.org/sh/api/v1/process", "https://proxy.example.org/sh"),
    ],
)
def test_sentinel_hub_base_url(source, base):
    assert sentinelhub_base_url(source) == base


def oso_stac_item(href):
    with rasterio.open(OSO_SAMPLE) as dataset:
        bbox = transform_bounds(dataset.crs, "EPSG:4326", *dataset.bounds)
    data = {
        "href": href,
        "type": "image/tiff; application=geotiff; profile=cloud-optimized",
        "roles": ["data"],
    }
    return feature("OSO_2021_mirror", "oso", bbox, 2021, {"data": data})


def test_oso_from_a_stac_api_root_below_a_path(tmp_path):
    """An OSO mirror's STAC API root (no .json) is searched, not sent to Sentinel Hub."""
    with (
        RangeHost({"/oso/OSO_2021.tif": OSO_SAMPLE}) as host,
        StacApiServer([oso_stac_item(host.url("/oso/OSO_2021.tif"))], root_path="/stac/v1") as stac,
    ):
        assert source_kind("oso23", stac.url) == "stac"
        bounds = (571_000, 6_276_000, 575_000, 6_279_000)
        request = FetchRequest("oso23", 2021, bounds, "EPSG:2154", str(tmp_path), stac.url)
        result = fetch(request)
        assert available_years("oso23", stac.url) == (list(range(2017, _this_year() + 1)), True)
    assert stac.requests_to("/search")
    for band, path in enumerate(
        (result.class_layer, result.confidence_layer, result.validity_layer), start=1
    ):
        expected = read_raster(OSO_SAMPLE, band)[0][100:400, 100:500]
        np.testing.assert_array_equal(read_raster(path)[0], expected)


def test_a_single_raster_is_refused_for_clms():
    with pytest.raises(FetchError, match="CLMS products come from a STAC catalogue"):
        source_kind("cty_ctycl", "http://host/tile.tif")


def whole_clms_fetch(tmp_path, tiles, clip=False, ranges=True):
    """A CLMS fetch of ``tiles`` from a loopback STAC API and file host -> progress values."""
    from test_fetch_files import area, assert_layers, clms, http_catalogue

    values = []
    with RangeHost() as host:
        host.ranges = ranges
        items, rasters = http_catalogue(tmp_path / "source", tiles, host)
        with StacApiServer(items) as stac:
            result = fetch(
                clms(area(tiles), tmp_path / "out", stac.url, clip=clip),
                FetchContext(progress=values.append),
            )
    assert_layers(result, rasters, tiles)
    return values


@pytest.mark.parametrize(
    ("tiles", "clip", "ranges"),
    [
        (("E38N26", "E39N26"), False, True),
        (("E38N26", "E39N26", "E40N26"), False, True),
        (("E38N26", "E39N26"), True, False),  # no range reads: whole downloads, then clipped
    ],
    ids=["2-tiles-whole", "3-tiles-whole", "2-tiles-no-ranges"],
)
def test_progress_of_a_multi_tile_fetch_never_goes_back(tmp_path, tiles, clip, ranges):
    values = whole_clms_fetch(tmp_path, tiles, clip, ranges)
    backwards = [(a, b) for a, b in zip(values, values[1:]) if b < a]
    assert not backwards, f"progress went back: {backwards[:5]}"
    assert values[0] == 0.0 and values[-1] == 1.0
    # Every file downloaded (CTY and CTYCL of each tile) moves it on.
    assert len(set(values)) >= 2 * len(tiles) + 1
