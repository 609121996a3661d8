"""Files a fetch writes: whole files are kept apart when the catalogue names them all alike
(data.tif), as local names come from the item ids, and the CTY and CTYCL layers read back their
own pixels; the VRTs are written without changing GDAL's process-wide exception setting."""

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pystac
import pytest
from osgeo import gdal

from crop_confidence.plugin.sources import mosaic
from crop_confidence.plugin.sources.fetch import FetchContext, FetchError, FetchRequest, fetch
from rasters import CTY_CROPS, read_raster, write_raster
from servers.range_host import RangeHost
from servers.stac_api import StacApiServer, cdse_item, clms_id

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
YEAR = 2021
TILE_PX = 64  # each test tile: 64 x 64 px at 10 m, side by side along x
TOP = 2_655_000
LEFT = 3_850_000
LAYERS = ("CTY", "CTYCL")


def tile_rasters(folder, tiles):
    """{(layer, tile): (path of .../<tile>/<layer>/data.tif, pixels)} on the EEA grid."""
    rasters = {}
    for index, tile in enumerate(tiles):
        rng = np.random.default_rng(index)
        origin = (LEFT + index * TILE_PX * 10, TOP)
        pixels = {
            "CTY": rng.choice(np.array(CTY_CROPS, np.uint16), (TILE_PX, TILE_PX)),
            "CTYCL": rng.integers(0, 101, (TILE_PX, TILE_PX)).astype(np.uint8),
        }
        for layer in LAYERS:
            path = folder / tile / layer / "data.tif"
            path.parent.mkdir(parents=True)
            write_raster(path, pixels[layer], origin=origin)
            rasters[layer, tile] = (path, pixels[layer])
    return rasters


def tile_bounds(index):
    left = LEFT + index * TILE_PX * 10
    return (left, TOP - TILE_PX * 10, left + TILE_PX * 10, TOP)


def bbox_4326(bounds):
    from rasterio.warp import transform_bounds

    return list(transform_bounds("EPSG:3035", "EPSG:4326", *bounds))


def static_catalogue(folder, tiles):
    """catalog.json with one CTY and one CTYCL collection whose every asset is a data.tif."""
    rasters = tile_rasters(folder / "files", tiles)
    catalog = pystac.Catalog("data-tif", "every asset is called data.tif")
    for layer, collection_id in zip(
        LAYERS,
        (
            "clms_vlcc_crop-types_europe_10m_yearly_v1",
            "clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1",
        ),
    ):
        extent = pystac.Extent(
            pystac.SpatialExtent([[-180, -90, 180, 90]]), pystac.TemporalExtent([[None, None]])
        )
        collection = pystac.Collection(collection_id, collection_id, extent)
        for index, tile in enumerate(tiles):
            bbox = bbox_4326(tile_bounds(index))
            west, south, east, north = bbox
            item = pystac.Item(
                clms_id(layer, YEAR, tile),
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[west, south], [east, south], [east, north], [west, north], [west, south]]
                    ],
                },
                bbox,
                None,
                {"proj:code": "EPSG:3035"},
                start_datetime=datetime(YEAR, 1, 1, tzinfo=timezone.utc),
                end_datetime=datetime(YEAR, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
            )
            item.add_asset(
                "data",
                pystac.Asset(
                    str(rasters[layer, tile][0]),
                    media_type="image/tiff; application=geotiff; profile=cloud-optimized",
                    roles=["data"],
                ),
            )
            collection.add_item(item)
        catalog.add_child(collection)
    catalog.normalize_hrefs(str(folder))  # its rasters (files/) inside its folder tree
    catalog.save(pystac.CatalogType.SELF_CONTAINED)
    return folder / "catalog.json", rasters


def clms(bounds, out, source, clip=False):
    return FetchRequest("cty_ctycl", YEAR, bounds, "EPSG:3035", str(out), str(source), clip=clip)


def item_file_names(tiles):
    return sorted(f"{clms_id(layer, YEAR, tile)}.tif" for layer in LAYERS for tile in tiles)


def area(tiles):
    return (LEFT, TOP - TILE_PX * 10, LEFT + len(tiles) * TILE_PX * 10, TOP)


def expected(rasters, layer, tiles):
    return np.hstack([rasters[layer, tile][1] for tile in tiles])


def assert_layers(result, rasters, tiles):
    assert result.class_layer != result.confidence_layer
    for layer, path in (("CTY", result.class_layer), ("CTYCL", result.confidence_layer)):
        np.testing.assert_array_equal(read_raster(path)[0], expected(rasters, layer, tiles))


@pytest.mark.parametrize("tiles", [("E38N26",), ("E38N26", "E39N26")], ids=["1-tile", "2-tiles"])
def test_static_catalogue_of_data_tif_files_whole_download(tmp_path, tiles):
    catalog, rasters = static_catalogue(tmp_path / "source", tiles)
    out = tmp_path / "out"
    request = clms(area(tiles), out, catalog)
    result = fetch(request)

    assert_layers(result, rasters, tiles)
    files = sorted(path.name for path in out.iterdir() if path.suffix == ".tif")
    assert files == item_file_names(tiles)
    # A second fetch of the same tiles finds every file complete and keeps them apart.
    again = fetch(request)
    assert_layers(again, rasters, tiles)


def http_catalogue(folder, tiles, host):
    """STAC API items whose https hrefs all end in data.tif, served by ``host``."""
    rasters = tile_rasters(folder, tiles)
    items = []
    for index, tile in enumerate(tiles):
        for layer in LAYERS:
            path, _ = rasters[layer, tile]
            url_path = f"/{tile}/{layer}/data.tif"
            host.add(url_path, path)
            item = cdse_item(
                layer, YEAR, tile, size=path.stat().st_size, bbox=bbox_4326(tile_bounds(index))
            )
            asset = item["assets"][f"{layer}_raster"]
            asset["alternate"]["https"] = {"href": host.url(url_path)}
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            asset["file:checksum"] = "1220" + digest
            items.append(item)
    return items, rasters


@pytest.mark.parametrize("tiles", [("E38N26",), ("E38N26", "E39N26")], ids=["1-tile", "2-tiles"])
def test_stac_api_with_data_tif_hrefs_whole_download(tmp_path, tiles):
    with RangeHost() as host:
        items, rasters = http_catalogue(tmp_path / "source", tiles, host)
        with StacApiServer(items) as stac:
            result = fetch(clms(area(tiles), tmp_path / "out", stac.url))
    assert_layers(result, rasters, tiles)
    downloads = sorted(path.name for path in (tmp_path / "out").glob("*.tif"))
    assert downloads == item_file_names(tiles)


def test_server_refusing_ranges_downloads_data_tif_files_apart_then_clips(tmp_path):
    tiles = ("E38N26", "E39N26")
    with RangeHost() as host:
        host.ranges = False
        items, rasters = http_catalogue(tmp_path / "source", tiles, host)
        with StacApiServer(items) as stac:
            result = fetch(clms(area(tiles), tmp_path / "out", stac.url, clip=True))
    assert_layers(result, rasters, tiles)
    whole = sorted(path.name for path in (tmp_path / "out" / "whole").iterdir())
    assert whole == item_file_names(tiles)


def test_server_refusing_ranges_without_whole_fallback_is_a_clear_error(tmp_path):
    tiles = ("E38N26",)
    with RangeHost() as host:
        host.ranges = False
        items, _ = http_catalogue(tmp_path / "source", tiles, host)
        with StacApiServer(items) as stac:
            request = clms(area(tiles), tmp_path / "out", stac.url, clip=True)
            with pytest.raises(FetchError, match="does not allow range reads.*Untick 'Clip"):
                fetch(request, FetchContext(whole_fallback=False))
        assert host.requests and all(served.range for served in host.requests)  # probes only
    assert not (tmp_path / "out" / "whole").exists()


def test_a_tile_without_all_layers_is_left_out_with_a_warning(tmp_path):
    tiles = ("E38N26", "E39N26")
    messages = []
    with RangeHost() as host:
        items, rasters = http_catalogue(tmp_path / "source", tiles, host)
        items = [item for item in items if item["id"] != clms_id("CTYCL", YEAR, "E39N26")]
        with StacApiServer(items) as stac:
            result = fetch(
                clms(area(tiles), tmp_path / "out", stac.url), FetchContext(log=messages.append)
            )
    assert_layers(result, rasters, tiles[:1])
    assert (
        "Warning: tile(s) E39N26 lack a layer of 2021 and are left out: their part of the area "
        "stays nodata."
    ) in messages


def test_a_search_that_hits_the_item_cap_is_logged(tmp_path, monkeypatch):
    from dataclasses import replace

    from crop_confidence.plugin.sources import stac_search

    search_products = stac_search.search_products
    monkeypatch.setattr(
        stac_search,
        "search_products",
        lambda *args, **kwargs: replace(search_products(*args, **kwargs), truncated=True),
    )
    tiles = ("E38N26",)
    catalog, rasters = static_catalogue(tmp_path / "source", tiles)
    messages = []
    result = fetch(clms(area(tiles), tmp_path / "out", catalog), FetchContext(log=messages.append))
    assert_layers(result, rasters, tiles)
    assert [message for message in messages if "stopped at its limit" in message] == [
        f"Warning: the search of {catalog} stopped at its limit of "
        f"{stac_search.DEFAULT_MAX_ITEMS} items: tiles of the area may be missing. Fetch a "
        "smaller area."
    ]
    monkeypatch.undo()
    messages.clear()
    fetch(clms(area(tiles), tmp_path / "out", catalog), FetchContext(log=messages.append))
    assert not [message for message in messages if "stopped at its limit" in message]


def test_whole_mosaics_of_two_areas_do_not_replace_each_other(tmp_path):
    tiles = ("E38N26", "E39N26", "E40N26")
    catalog, rasters = static_catalogue(tmp_path / "source", tiles)
    out = tmp_path / "out"
    width = TILE_PX * 10
    first = fetch(clms((LEFT + 10, TOP - 100, LEFT + width + 10, TOP - 10), out, catalog))
    fetch(clms((LEFT + width + 10, TOP - 100, LEFT + 2 * width + 10, TOP - 10), out, catalog))
    assert Path(first.class_layer).suffix == ".vrt"
    assert_layers(first, rasters, tiles[:2])


def test_oso_rasters_with_one_file_name_are_kept_apart(tmp_path):
    """Three OSO band rasters, all called data.tif in their own folders, downloaded whole."""
    rng = np.random.default_rng(7)
    bands = [
        rng.integers(1, 24, (50, 60)).astype(np.uint8),
        rng.integers(1, 101, (50, 60)).astype(np.uint8),
        rng.integers(1, 46, (50, 60)).astype(np.uint8),
    ]
    with RangeHost() as host:
        urls = []
        for name, band in zip(("ocs", "confidence", "validity"), bands):
            path = tmp_path / name / "data.tif"
            path.parent.mkdir()
            write_raster(path, band, "EPSG:2154", (570_000, 6_280_000))
            host.add(f"/{name}/data.tif", path)
            urls.append(host.url(f"/{name}/data.tif"))
        bounds = (570_100, 6_279_600, 570_500, 6_279_900)
        out = str(tmp_path / "out")
        result = fetch(FetchRequest("oso23", YEAR, bounds, "EPSG:2154", out, "|".join(urls), False))
    for band, path in zip(bands, (result.class_layer, result.confidence_layer,
                                  result.validity_layer)):  # fmt: skip
        np.testing.assert_array_equal(read_raster(path)[0], band)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "data_OCS.tif",
        "data_OCS_Confidence.tif",
        "data_OCS_Validity.tif",
    ]


def test_mosaic_vrt_leaves_gdal_exceptions_as_they_were(tmp_path, gdal_exceptions):
    tiles = ("E38N26", "E39N26")
    catalog, rasters = static_catalogue(tmp_path / "source", tiles)
    result = fetch(clms(area(tiles), tmp_path / "out", catalog))
    assert bool(gdal.GetUseExceptions()) == gdal_exceptions
    assert Path(result.class_layer).suffix == ".vrt"
    assert_layers(result, rasters, tiles)


def test_oso_band_vrts_leave_gdal_exceptions_as_they_were(tmp_path, gdal_exceptions):
    bounds = (571_000, 6_276_000, 575_000, 6_279_000)
    catalog = SAMPLE / "catalog.json"
    result = fetch(FetchRequest("oso23", YEAR, bounds, "EPSG:2154", str(tmp_path), str(catalog)))
    assert bool(gdal.GetUseExceptions()) == gdal_exceptions
    for band, path in enumerate(
        (result.class_layer, result.confidence_layer, result.validity_layer), start=1
    ):
        assert path.endswith(".vrt")
        expected_band = read_raster(SAMPLE / "OSO_2021_sample.tif", band)[0][100:400, 100:500]
        np.testing.assert_array_equal(read_raster(path)[0], expected_band)


def test_a_failing_gdal_write_is_a_fetch_error_in_both_modes(tmp_path, gdal_exceptions):
    missing = tmp_path / "missing.tif"
    with pytest.raises(FetchError, match=r"Cannot write the test VRT: .*missing\.tif"):
        mosaic.gdal_write(
            "the test VRT", gdal.Translate, str(tmp_path / "out.vrt"), str(missing), format="VRT"
        )
    assert bool(gdal.GetUseExceptions()) == gdal_exceptions
    assert list(tmp_path.iterdir()) == []


def test_band_vrts_of_a_file_gdal_cannot_open_are_a_fetch_error(tmp_path, gdal_exceptions):
    """GDAL 3.10 raised TypeError ('Received a NULL pointer') out of gdal.Translate here."""
    broken = tmp_path / "OSO_2021.tif"
    broken.write_bytes(b"<html>not a raster</html>")
    with pytest.raises(FetchError, match=r"Cannot open the fetched file .*OSO_2021\.tif"):
        mosaic.band_vrts(broken, "OSO_2021", tmp_path)
    with pytest.raises(FetchError, match=r"Cannot open the fetched file .*missing\.tif"):
        mosaic.band_vrts(tmp_path / "missing.tif", "OSO_2021", tmp_path)
    assert bool(gdal.GetUseExceptions()) == gdal_exceptions
    assert [path.name for path in tmp_path.iterdir()] == ["OSO_2021.tif"]


def test_drive_paths_and_file_uris_are_files_for_whole_copies(tmp_path, monkeypatch):
    """'C:/...' (a Windows drive path; here a folder named 'C:' under the working folder) and
    a file: URI with an escaped space are copied as files, not taken for URLs."""
    rng = np.random.default_rng(11)
    bands = [rng.integers(1, 101, (30, 40)).astype(np.uint8) for _ in range(3)]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "C:" / "oso").mkdir(parents=True)
    write_raster(
        tmp_path / "C:" / "oso" / f"OCS_{YEAR}.tif", bands, "EPSG:2154", (570_000, 6_280_000)
    )
    spaced = tmp_path / "my data" / f"OCS_{YEAR}.tif"
    spaced.parent.mkdir()
    write_raster(spaced, bands, "EPSG:2154", (570_000, 6_280_000))
    bounds = (570_050, 6_279_800, 570_250, 6_279_900)
    for index, source in enumerate(
        ("C:/oso/OCS_{year}.tif", spaced.as_uri().replace(str(YEAR), "{year}"))
    ):
        out = tmp_path / f"out{index}"
        result = fetch(FetchRequest("oso23", YEAR, bounds, "EPSG:2154", str(out), source, False))
        for band, path in zip(bands, (result.class_layer, result.confidence_layer,
                                      result.validity_layer)):  # fmt: skip
            np.testing.assert_array_equal(read_raster(path)[0], band)
        assert (out / f"OCS_{YEAR}.tif").read_bytes() == spaced.read_bytes()
