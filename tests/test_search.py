"""What the dock's Search finds, asked of each kind of source (catalog.search), on loopback."""

import json
from pathlib import Path

import numpy as np
import pytest

from crop_confidence.plugin.net.auth import ClientCredentialsTokenProvider
from crop_confidence.plugin.net.http import make_session
from crop_confidence.plugin.sources.fetch import FetchError
from crop_confidence.plugin.sources.search import NothingFound, SearchOptions, search
from crop_confidence.plugin.sources.sentinelhub import search_tiles
from rasters import L93_ORIGIN, write_raster
from servers.range_host import RangeHost
from servers.sentinelhub import CATALOG_PATH, SentinelHubServer, oso_feature

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "resources" / "sample" / "catalog"
TOULOUSE = (1.30, 43.50, 1.55, 43.65)  # around L93_ORIGIN
CORSICA = (8.5, 41.3, 9.6, 43.1)
MADRID = (-3.8, 40.3, -3.6, 40.5)


def json_of(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# -- STAC sources (the embedded sample) ------------------------------------------------------


def test_clms_rows_come_from_the_catalogue_with_sizes_and_footprints():
    cty = json_of(next((CATALOG / "clms_vlcc_crop-types_europe_10m_yearly_v1").rglob("*R00.json")))
    ctycl = json_of(
        next(
            (CATALOG / "clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1").rglob(
                "*R00.json"
            )
        )
    )
    size = cty["assets"]["data"]["file:size"] + ctycl["assets"]["data"]["file:size"]
    (row,) = search("cty_ctycl", 2021, str(CATALOG.parent / "catalog.json"), tuple(cty["bbox"]))
    assert (row.tile, row.year, row.layers, row.size) == ("E38N26", 2021, "CTY + CTYCL", size)
    assert row.bbox == pytest.approx(cty["bbox"])
    (only_ctycl,) = search("ctycl", 2021, str(CATALOG.parent / "catalog.json"), tuple(cty["bbox"]))
    assert (only_ctycl.layers, only_ctycl.size) == ("CTYCL", ctycl["assets"]["data"]["file:size"])
    assert search("cty_ctycl", 2020, str(CATALOG.parent / "catalog.json"), tuple(cty["bbox"])) == []


def test_oso_stac_rows_name_the_items():
    item = json_of(CATALOG / "oso" / "OSO_2021_sample" / "OSO_2021_sample.json")
    (row,) = search("oso23", 2021, str(CATALOG.parent / "catalog.json"), TOULOUSE)
    assert (row.tile, row.size) == ("OSO_2021_sample", item["assets"]["data"]["file:size"])
    assert row.bbox == pytest.approx(item["bbox"])


def test_a_search_cut_at_its_limit_says_so(monkeypatch):
    from crop_confidence.plugin.sources import stac_search

    catalog = str(CATALOG.parent / "catalog.json")
    bbox = (3.83, 46.79, 3.89, 46.83)  # the CLMS sample: a CTY and a CTYCL item
    whole = search("cty_ctycl", 2021, catalog, bbox)
    assert (len(whole), whole.truncated, whole.limit) == (1, False, stac_search.DEFAULT_MAX_ITEMS)
    assert search("oso23", 2021, catalog, TOULOUSE).truncated is False
    monkeypatch.setattr(stac_search, "DEFAULT_MAX_ITEMS", 2)
    cut = search("cty_ctycl", 2021, catalog, bbox)
    assert (len(cut), cut.truncated, cut.limit) == (1, True, 2)
    monkeypatch.setattr(stac_search, "DEFAULT_MAX_ITEMS", 1)
    cut = search("cty_ctycl", 2021, catalog, bbox)  # one layer of the tile: no row
    assert (cut, cut.truncated, cut.limit) == ([], True, 1)
    oso = search("oso23", 2021, catalog, TOULOUSE)
    assert (len(oso), oso.truncated, oso.limit) == (1, True, 1)


# -- Sentinel Hub's catalogue ----------------------------------------------------------------


@pytest.fixture
def hub():
    server = SentinelHubServer(collection_id="0000aaaa-mirror")
    server.add_client("client-id", "client-secret")
    with server:
        yield server


def hub_options(hub, **kwargs):
    session = make_session(retries=1, backoff_factor=0.01)
    tokens = ClientCredentialsTokenProvider(
        "client-id", "client-secret", token_url=hub.token_url, session=session
    )
    return SearchOptions(
        session=session,
        sentinelhub_tokens=tokens,
        sentinelhub_collection="0000aaaa-mirror",
        **kwargs,
    )


def test_sentinel_hub_rows_are_the_tiles_of_the_year_over_the_area(hub):
    west_tile = oso_feature(2021, (1.0, 43.0, 1.4, 44.0), "31TCJ")
    east_tile = oso_feature(2021, (1.4, 43.0, 2.0, 44.0), "31TDJ")
    hub.features = [
        oso_feature(2020, TOULOUSE, "31TCJ"),  # another year
        west_tile,
        oso_feature(2021, CORSICA, "32TNN"),  # elsewhere
        east_tile,
    ]
    rows = search("oso23", 2021, hub.url, TOULOUSE, hub_options(hub))
    assert [(row.tile, row.year, row.bbox, row.size) for row in rows] == [
        (west_tile["id"], 2021, tuple(west_tile["bbox"]), None),
        (east_tile["id"], 2021, tuple(east_tile["bbox"]), None),
    ]
    (request,) = hub.served(CATALOG_PATH)
    assert request.body["collections"] == ["byoc-0000aaaa-mirror"]
    assert request.body["datetime"] == "2021-01-01T00:00:00Z/2021-12-31T23:59:59Z"
    assert request.body["bbox"] == pytest.approx(list(TOULOUSE))


def test_sentinel_hub_tiles_are_read_across_pages(hub):
    tiles = [oso_feature(2019, TOULOUSE, f"T{index}") for index in range(5)]
    hub.features = tiles
    options = hub_options(hub)
    found = search_tiles(
        TOULOUSE,
        2019,
        options.sentinelhub_tokens,
        crs="EPSG:4326",
        base_url=hub.url,
        collection_id="0000aaaa-mirror",
        session=options.session,
        page_limit=2,
    )
    assert [tile.id for tile in found] == [tile["id"] for tile in tiles]
    assert [request.body.get("next") for request in hub.served(CATALOG_PATH)] == [None, 2, 4]


def test_sentinel_hub_without_tiles_says_why(hub):
    hub.features = [oso_feature(2021, TOULOUSE)]
    with pytest.raises(NothingFound, match="holds no OSO tile 2019 over the area"):
        search("oso23", 2019, hub.url, TOULOUSE, hub_options(hub))
    with pytest.raises(NothingFound, match="outside metropolitan France"):
        search("oso23", 2021, hub.url, MADRID, hub_options(hub))


def test_sentinel_hub_search_needs_the_oauth_client(hub):
    with pytest.raises(FetchError, match="needs its OAuth client"):
        search("oso23", 2021, hub.url, TOULOUSE, SearchOptions())
    assert hub.served(CATALOG_PATH) == []


# -- direct rasters --------------------------------------------------------------------------


@pytest.fixture
def oso_file(tmp_path):
    bands = [np.full((200, 300), value, np.uint8) for value in (6, 80, 30)]
    return Path(write_raster(tmp_path / "OCS_2021.tif", bands, "EPSG:2154", L93_ORIGIN))


def test_local_raster_row_has_its_size_and_footprint(oso_file):
    import rasterio
    from rasterio.warp import transform_bounds

    with rasterio.open(oso_file) as dataset:
        footprint = transform_bounds(dataset.crs, "EPSG:4326", *dataset.bounds, densify_pts=21)
    source = str(oso_file).replace("2021", "{year}")
    (row,) = search("oso23", 2021, source, TOULOUSE)
    assert (row.tile, row.size, row.ranges) == ("OCS_2021.tif", oso_file.stat().st_size, True)
    assert row.bbox == pytest.approx(footprint)
    (row,) = search("oso23", 2021, oso_file.as_uri(), TOULOUSE)
    assert row.tile == "OCS_2021.tif"


def test_local_raster_missing_or_elsewhere_is_nothing_found(oso_file):
    source = str(oso_file).replace("2021", "{year}")
    with pytest.raises(
        NothingFound, match=r"No OSO 2019 raster at .*OCS_2019\.tif.*does not exist"
    ):
        search("oso23", 2019, source, TOULOUSE)
    with pytest.raises(NothingFound, match="not the area"):
        search("oso23", 2021, source, CORSICA)


def test_remote_raster_answers_its_size_and_range_support(oso_file):
    host = RangeHost({"/oso/OCS_2021.tif": oso_file})
    with host:
        url = host.url("/oso/OCS_{year}.tif")
        (row,) = search("oso23", 2021, url, TOULOUSE)
        assert (row.tile, row.size, row.ranges) == ("OCS_2021.tif", oso_file.stat().st_size, True)
        assert row.bbox == TOULOUSE  # the area stands for a remote file's footprint
        (probe,) = host.requests
        assert (probe.method, probe.range) == ("GET", "bytes=0-0")

        host.ranges = False
        (row,) = search("oso23", 2021, url, TOULOUSE)
        assert (row.size, row.ranges) == (None, False)

        with pytest.raises(
            NothingFound, match=r"No OSO 2019 raster at .*OCS_2019\.tif \(HTTP 404\)"
        ):
            search("oso23", 2019, url, TOULOUSE)


def test_three_remote_rasters_give_a_row_each(oso_file):
    names = ("OCS", "OCS_Confidence", "OCS_Validity")
    host = RangeHost({f"/oso/{name}_2021.tif": oso_file for name in names})
    with host:
        source = "|".join(host.url(f"/oso/{name}_{{year}}.tif") for name in names)
        rows = search("oso23", 2021, source, TOULOUSE)
    assert [(row.tile, row.layers) for row in rows] == [
        (f"{name}_2021.tif", name) for name in names
    ]
    with pytest.raises(FetchError, match="got 2 addresses"):
        search("oso23", 2021, "a.tif|b.tif", TOULOUSE)


def test_drive_paths_and_file_uris_are_searched_as_files(tmp_path, monkeypatch):
    bands = [np.full((20, 30), value, np.uint8) for value in (6, 80, 30)]
    monkeypatch.chdir(tmp_path)
    spaced = tmp_path / "my data" / "OCS_2021.tif"
    drive = tmp_path / "C:" / "OCS_2021.tif"
    for path in (spaced, drive):
        path.parent.mkdir()
        write_raster(path, bands, "EPSG:2154", L93_ORIGIN)
    for source in (spaced.as_uri(), "C:/OCS_{year}.tif"):
        (row,) = search("oso23", 2021, source, TOULOUSE)
        assert (row.tile, row.size) == ("OCS_2021.tif", spaced.stat().st_size), source
