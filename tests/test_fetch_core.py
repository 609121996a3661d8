"""plugin.catalog.fetch without QGIS: S3 keys route reads through /vsis3/; source kinds."""

from pathlib import Path

import numpy as np
import pytest

from crop_confidence.plugin.catalog.fetch import (
    FetchContext,
    FetchError,
    FetchRequest,
    fetch,
    source_kind,
)
from rasters import read_raster
from servers.range_host import RangeHost
from servers.stac_api import StacApiServer, cdse_item

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
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
    ],
)
def test_source_kinds(product, source, kind):
    assert source_kind(product, source) == kind


def test_a_single_raster_is_refused_for_clms():
    with pytest.raises(FetchError, match="CLMS products come from a STAC catalogue"):
        source_kind("cty_ctycl", "http://host/tile.tif")
