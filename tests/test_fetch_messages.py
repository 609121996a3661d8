"""Fetch errors name source URLs without their query strings (signed tokens) or user info."""

from pathlib import Path

import numpy as np
import pytest

from crop_confidence.plugin.sources.fetch import FetchError, FetchRequest, fetch, shown, source_kind
from rasters import write_raster
from servers.range_host import RangeHost
from servers.stac_api import StacApiServer

SECRET = "sig-7Q2x9secret"
PASSWORD = "pw-Hq83secret"
OSO_AREA = (570_100, 6_279_600, 570_500, 6_279_900)
CLMS_AREA = (3_851_000, 2_650_000, 3_855_000, 2_653_000)


def assert_no_secret(message):
    assert SECRET not in message and PASSWORD not in message


def test_shown_strips_query_and_user_info_of_each_address():
    address = f"https://alice:{PASSWORD}@files.example/oso.tif?token={SECRET}|/data/b.tif|C:\\d.tif"
    assert shown(address) == "https://files.example/oso.tif?…|/data/b.tif|C:\\d.tif"


def test_a_single_raster_for_clms_is_named_without_its_token():
    with pytest.raises(FetchError) as caught:
        source_kind("cty_ctycl", f"https://u:{PASSWORD}@files.example/tile.tif?sig={SECRET}")
    assert str(caught.value) == (
        "https://files.example/tile.tif?… is a single raster, but CLMS products come from a "
        "STAC catalogue: give a STAC API root or a catalog.json."
    )


def test_a_one_band_oso_raster_is_named_without_its_token(tmp_path):
    classes = np.ones((50, 60), np.uint8)
    path = write_raster(tmp_path / "ocs.tif", classes, "EPSG:2154", (570_000, 6_280_000))
    with RangeHost({"/oso/ocs.tif": Path(path)}) as host:
        url = host.url(f"/oso/ocs.tif?sig={SECRET}")
        out = str(tmp_path / "out")
        request = FetchRequest("oso23", 2021, OSO_AREA, "EPSG:2154", out, url, clip=False)
        with pytest.raises(FetchError) as caught:
            fetch(request)
        plain = host.url("/oso/ocs.tif")
    assert str(caught.value).startswith(
        f"The OSO raster {plain}?… has 1 band(s): it holds only the classes."
    )
    assert_no_secret(str(caught.value))


@pytest.mark.parametrize(
    ("product", "area", "crs", "start"),
    [
        ("oso23", OSO_AREA, "EPSG:2154", "No OSO 2021 raster over the area in {url}?… "),
        ("cty_ctycl", CLMS_AREA, "EPSG:3035", "No CTY + CTYCL product for 2021 over the area"),
    ],
)
def test_an_empty_stac_api_is_named_without_its_token(tmp_path, product, area, crs, start):
    with StacApiServer([], root_path="/stac/v1") as stac:
        source = f"{stac.url}?token={SECRET}"
        request = FetchRequest(product, 2021, area, crs, str(tmp_path), source)
        with pytest.raises(FetchError) as caught:
            fetch(request)
    message = str(caught.value)
    assert message.startswith(start.format(url=stac.url))
    assert f" in {stac.url}?…" in message
    assert_no_secret(message)
