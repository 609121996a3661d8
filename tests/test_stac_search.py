"""STAC search of CTY/CTYCL products against a loopback STAC API and static catalogues."""

import functools
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rasterio.warp import transform

from crop_confidence.plugin.sources.clip import local_path
from crop_confidence.plugin.sources.geo import bbox_to_4326
from crop_confidence.plugin.sources.hrefs import UnsafeHrefError
from crop_confidence.plugin.sources.stac_search import (
    CTY_COLLECTION,
    CTYCL_COLLECTION,
    StacSearchError,
    search_products,
)
from servers.stac_api import StacApiServer, cdse_item, clms_id, tile_bbox_4326

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
CATALOG = SAMPLE / "catalog.json"
EUROPE = (-10.0, 35.0, 30.0, 60.0)
SAMPLE_BBOX = (3.85, 46.80, 3.86, 46.81)  # inside the sample window of tile E38N26
FAST = {"tries": 3, "backoff": 0.01}


def pair(tile, year=2021, **kwargs):
    return [cdse_item("CTY", year, tile, **kwargs), cdse_item("CTYCL", year, tile, **kwargs)]


def many_tiles(count, year=2021):
    return [item for index in range(count) for item in pair(f"E{30 + index}N26", year)]


def search_bodies(server):
    return [request.body for request in server.requests_to("/search")]


def test_catalog_package_needs_neither_qt_nor_qgis():
    code = (
        "import sys; import crop_confidence.plugin.sources.stac_search; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('qgis', 'PyQt5', 'PyQt6', 'sip')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "build" / "plugins")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# ---- bbox helper


def test_bbox_to_4326_densifies_the_edges():
    # 1000 km in EPSG:3035, centred east-west on the projection centre (10 E).
    bounds = (3_821_000, 3_000_000, 4_821_000, 4_000_000)
    west, south, east, north = bbox_to_4326(bounds, "EPSG:3035")
    xs, ys = (
        [bounds[0], bounds[2], bounds[2], bounds[0]],
        [bounds[1], bounds[1], bounds[3], bounds[3]],
    )
    lons, lats = transform("EPSG:3035", "EPSG:4326", xs, ys)
    assert west == pytest.approx(min(lons)) and east == pytest.approx(max(lons))
    assert south == pytest.approx(min(lats))
    # The top edge bulges north between its corners: only densifying sees it.
    assert north > max(lats) + 0.2
    assert bbox_to_4326((570_000, 6_274_880, 575_120, 6_280_000), "EPSG:2154") == pytest.approx(
        (1.3901626, 43.5610680, 1.4547895, 43.6080465), abs=1e-6
    )


def test_bbox_to_4326_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="min greater than max"):
        bbox_to_4326((10, 0, 0, 10), "EPSG:3035")


def test_search_rejects_bad_bbox():
    with pytest.raises(ValueError, match="antimeridian"):
        search_products("http://127.0.0.1:9/", (170, 0, -170, 10), 2021)
    with pytest.raises(ValueError, match="Invalid"):
        search_products("http://127.0.0.1:9/", (0, 50, 10, 40), 2021)


# ---- search, paging, grouping


@pytest.mark.parametrize(
    ("next_form", "method"), [("GET", "GET"), ("POST", "POST"), ("POST-merge", "POST")]
)
def test_pages_are_followed_in_every_next_form(next_form, method):
    with StacApiServer(many_tiles(15) + many_tiles(3, year=2020), next_form=next_form) as server:
        result = search_products(server.url + "/", EUROPE, 2021, method=method, page_size=None)
        assert [request.path for request in server.requests] == ["/"] + ["/search"] * 3
        searches = server.requests_to("/search")
        assert {request.method for request in searches} == {method}
        params = [request.body if method == "POST" else request.query for request in searches]
        assert [page.get("token") for page in params] == [None, "next:12", "next:24"]
        assert all("limit" not in page for page in params)  # server default: 12 a page
        # Every page repeats the search (merged or full body, or query string).
        for page in params:
            assert page["datetime"] == "2021-01-01T00:00:00Z/2021-12-31T23:59:59Z"
            collections = page["collections"]
            if isinstance(collections, str):
                collections = collections.split(",")
            assert collections == [CTY_COLLECTION, CTYCL_COLLECTION]
    assert [product.tile for product in result.products] == [f"E{30 + i}N26" for i in range(15)]
    assert all(product.complete and product.year == 2021 for product in result.products)
    assert result.ignored == ()


def test_limit_is_sent_on_every_page():
    with StacApiServer(many_tiles(5)) as server:
        result = search_products(server.url + "/", EUROPE, 2021, method="GET", page_size=4)
        queries = [request.query for request in server.requests_to("/search")]
    assert [query["limit"] for query in queries] == ["4", "4", "4"]
    assert [query.get("token") for query in queries] == [None, "next:4", "next:8"]
    assert len(result.products) == 5


def test_product_assets_prefer_https_and_keep_s3():
    with StacApiServer(pair("E38N26", size=2_000_000)) as server:
        result = search_products(server.url, SAMPLE_BBOX, 2021)
        assert len(server.requests_to("/search")) == 1
        # Without a trailing slash pystac-client reads the landing page a second time
        # to resolve its "root" link.
        assert len(server.requests_to("/")) == 2
    (product,) = result.products
    assert (product.tile, product.year, product.epsg, product.key) == (
        "E38N26",
        2021,
        3035,
        "E38N26_3035_2021",
    )
    cty_id = clms_id("CTY", 2021, "E38N26")
    assert product.cty.item_id == cty_id
    assert product.cty.collection == CTY_COLLECTION
    assert product.ctycl.item_id == clms_id("CTYCL", 2021, "E38N26")
    assert product.cty.href == product.cty.https_href
    assert product.cty.href.startswith("https://download.dataspace.copernicus.eu/odata/v1/")
    assert product.cty.href.endswith(f"/Nodes({cty_id}.tif)/$value")
    assert product.cty.auth_refs == ("oidc",)
    assert product.cty.s3_href == (
        "s3://eodata/CLMS/landcover_landuse/crop_types/"
        f"{CTY_COLLECTION}/2021/01/01/{cty_id}/{cty_id}.tif"
    )
    assert product.cty.media_type == "image/tiff; application=geotiff; profile=cloud-optimized"
    assert product.cty.size == 2_000_000
    assert product.total_size == 4_000_000
    assert product.cty.checksum == "1220" + f"{len(cty_id):02x}" * 32
    assert product.bbox == pytest.approx(tuple(tile_bbox_4326("E38N26")))
    assert product.geometry["type"] == "Polygon"


def test_asset_without_alternate_uses_the_s3_href():
    items = pair("E38N26", with_alternate=False)
    del items[0]["assets"]["CTY_raster"]["file:size"]
    del items[0]["assets"]["CTY_raster"]["type"]  # then the .tif href tells
    with StacApiServer(items) as server:
        (product,) = search_products(server.url, SAMPLE_BBOX, 2021).products
    assert product.cty.href == product.cty.s3_href
    assert product.cty.href.startswith("s3://eodata/CLMS/")
    assert product.cty.https_href is None
    assert product.cty.auth_refs == ("s3",)
    assert product.cty.size is None and product.total_size is None
    assert product.cty.media_type is None and product.ctycl.media_type.startswith("image/tiff")


def test_items_without_a_geotiff_data_asset_are_reported():
    items = pair("E38N26")
    del items[1]["assets"]["CTYCL_raster"]  # left: archive, metadata, thumbnail
    with StacApiServer(items) as server:
        result = search_products(server.url, SAMPLE_BBOX, 2021)
    (product,) = result.products
    assert product.cty is not None and product.ctycl is None and not product.complete
    assert [(entry.item_id, entry.reason) for entry in result.ignored] == [
        (clms_id("CTYCL", 2021, "E38N26"), "no GeoTIFF data asset")
    ]


def test_newest_revision_wins_and_tiles_pair_by_epsg():
    items = [
        cdse_item("CTY", 2021, "E38N26", revision=0),
        cdse_item("CTY", 2021, "E38N26", revision=2, size=2),
        cdse_item("CTY", 2021, "E38N26", revision=1),
        cdse_item("CTYCL", 2021, "E38N26", revision=0, size=1),
        cdse_item("CTYCL", 2021, "E38N26", version=2, revision=0, size=3),
        # An overseas tile with the same E/N numbers on another grid stays apart.
        cdse_item("CTY", 2021, "E38N26", epsg=32620, bbox=[-61.3, 14.3, -60.8, 14.9]),
        cdse_item("CTYCL", 2021, "E38N26", epsg=32620, bbox=[-61.3, 14.3, -60.8, 14.9]),
    ]
    with StacApiServer(items) as server:
        result = search_products(server.url, EUROPE[:2] + (30.0, 60.0), 2021)
        world = search_products(server.url, (-180, -90, 180, 90), 2021)
    (product,) = result.products
    assert product.cty.item_id == clms_id("CTY", 2021, "E38N26", revision=2)
    assert product.ctycl.item_id == clms_id("CTYCL", 2021, "E38N26", version=2)
    assert (product.cty.version, product.cty.revision) == (1, 2)
    assert product.total_size == 5
    superseded = sorted(entry.item_id for entry in result.ignored)
    assert superseded == sorted(
        [
            clms_id("CTY", 2021, "E38N26", revision=0),
            clms_id("CTY", 2021, "E38N26", revision=1),
            clms_id("CTYCL", 2021, "E38N26", revision=0),
        ]
    )
    assert all(entry.reason.startswith("superseded by") for entry in result.ignored)
    assert [(p.tile, p.epsg, p.complete) for p in world.products] == [
        ("E38N26", 3035, True),
        ("E38N26", 32620, True),
    ]


def test_items_of_another_year_or_foreign_ids_are_ignored():
    spill = cdse_item("CTY", 2020, "E38N26")
    spill["properties"]["end_datetime"] = "2021-01-01T00:00:00Z"  # touches 2021
    foreign = cdse_item("CTY", 2021, "E38N26")
    foreign["id"] = "S2B_MSIL2A_20210704T104619_N0301_R051_T31TDJ"
    with StacApiServer([spill, foreign, *pair("E38N26")]) as server:
        result = search_products(server.url, SAMPLE_BBOX, 2021)
    assert [product.year for product in result.products] == [2021]
    assert sorted((entry.item_id, entry.reason) for entry in result.ignored) == [
        (clms_id("CTY", 2020, "E38N26"), "product of 2020, not 2021"),
        (foreign["id"], "id is not a CLMS HRL VLCC CTY/CTYCL id"),
    ]


def test_max_items_bounds_the_search():
    with StacApiServer(many_tiles(10)) as server:
        result = search_products(server.url, EUROPE, 2021, page_size=3, max_items=7)
        assert len(server.requests_to("/search")) == 3
    assert result.truncated
    # The server sorts by id: the 7 items read are the CTYCL ones of E30N26..E36N26.
    assert [product.tile for product in result.products] == [f"E{i}N26" for i in range(30, 37)]
    assert not any(product.cty for product in result.products)
    assert not search_products(CATALOG, SAMPLE_BBOX, 2021).truncated


def test_empty_result():
    with StacApiServer(many_tiles(3)) as server:
        result = search_products(server.url + "/", (100.0, 10.0, 101.0, 11.0), 2021)
        assert len(server.requests_to("/search")) == 1
    assert result.products == () and result.ignored == () and not result.truncated


def test_collections_can_be_chosen():
    with StacApiServer(many_tiles(2)) as server:
        result = search_products(server.url, EUROPE, 2021, collections=[CTYCL_COLLECTION])
        assert search_bodies(server)[0]["collections"] == [CTYCL_COLLECTION]
    assert [(p.cty, p.ctycl is not None) for p in result.products] == [(None, True)] * 2


# ---- retries and errors


def test_429_is_retried_after_retry_after():
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault("/search", 429, {"code": "TooManyRequests"}, {"Retry-After": "1"})
        result = search_products(server.url, SAMPLE_BBOX, 2021, **FAST)
        first, second = server.requests_to("/search")
    assert second.time - first.time >= 0.95  # waited for Retry-After
    assert second.body == first.body
    assert result.products[0].complete


def test_500_is_retried_once_then_succeeds():
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault("/search", 500, {"code": "InternalServerError"})
        result = search_products(server.url, SAMPLE_BBOX, 2021, method="GET", **FAST)
        assert len(server.requests_to("/search")) == 2
    assert result.products[0].tile == "E38N26"


def test_retries_are_bounded():
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault("/search", 503, b"busy", times=10)
        with pytest.raises(StacSearchError) as caught:
            search_products(server.url, SAMPLE_BBOX, 2021, **FAST)
        assert len(server.requests_to("/search")) == 3
    assert caught.value.status == 503
    assert caught.value.url == f"{server.url}/search"
    assert str(caught.value) == (
        f"The STAC service answered with an error (HTTP 503): {server.url}/search. "
        "The service has a problem; try again later."
    )


def test_429_that_persists_says_to_wait():
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault("/search", 429, b"", {"Retry-After": "0"}, times=5)
        with pytest.raises(StacSearchError, match="HTTP 429.*try again in a few minutes"):
            search_products(server.url, SAMPLE_BBOX, 2021, **FAST)
        assert len(server.requests_to("/search")) == 3


def test_4xx_is_not_retried_and_explained():
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault("/search", 400, {"code": "BadRequest", "description": "Invalid bbox"})
        with pytest.raises(StacSearchError) as caught:
            search_products(server.url, SAMPLE_BBOX, 2021, **FAST)
        assert len(server.requests_to("/search")) == 1
    assert caught.value.status == 400
    assert "rejected the request" in str(caught.value) and "Invalid bbox" in str(caught.value)


def test_wrong_address_is_a_404():
    with StacApiServer() as server, pytest.raises(StacSearchError) as caught:
        search_products(server.url + "/nothing-here", SAMPLE_BBOX, 2021, **FAST)
    assert caught.value.status == 404
    assert caught.value.url == f"{server.url}/nothing-here"
    assert "Check the STAC API address" in str(caught.value)


@pytest.mark.parametrize("path", ["/", "/search"])
def test_malformed_json(path):
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault(path, 200, b'{"type": "FeatureCollection", "features": [')
        with pytest.raises(StacSearchError, match="not valid STAC JSON") as caught:
            search_products(server.url + "/", SAMPLE_BBOX, 2021, **FAST)
    assert caught.value.url == server.url + path
    assert caught.value.status is None


def test_json_that_is_not_stac():
    with StacApiServer() as server:
        server.add_fault("/", 200, {"hello": "world"})
        with pytest.raises(StacSearchError, match="not a usable STAC object"):
            search_products(server.url + "/", SAMPLE_BBOX, 2021, **FAST)


def test_timeout_is_applied():
    with StacApiServer(pair("E38N26")) as server:
        server.add_fault("/search", 200, b"{}", delay=1.0)
        with pytest.raises(StacSearchError, match="Cannot reach the STAC service") as caught:
            search_products(server.url, SAMPLE_BBOX, 2021, tries=1, timeout=(1, 0.2))
        assert len(server.requests_to("/search")) == 1
    assert caught.value.url == f"{server.url}/search"
    assert "timed out" in str(caught.value)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(StacSearchError) as caught:
        search_products(url, SAMPLE_BBOX, 2021, tries=2, backoff=0)
    assert caught.value.status is None
    assert caught.value.url == url
    assert str(caught.value).startswith("Cannot reach the STAC service (")
    assert "Check the network connection" in str(caught.value)


def test_proxies_replace_the_environment(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    with StacApiServer(pair("E38N26")) as proxy:
        # The loopback server acts as the forward proxy: it answers for any host.
        result = search_products(
            "http://stac.invalid/", SAMPLE_BBOX, 2021, proxies={"http": proxy.url}, **FAST
        )
        # Landing page twice: its "root" link names another host than the one opened.
        assert [request.path for request in proxy.requests] == ["/", "/", "/search"]
        assert proxy.requests[0].headers["Host"] == "stac.invalid"
    assert result.products[0].complete


def test_user_agent_names_the_plugin():
    with StacApiServer(pair("E38N26")) as server:
        search_products(server.url + "/", SAMPLE_BBOX, 2021, headers={"X-Test": "1"})
        agents = {request.headers["User-Agent"] for request in server.requests}
        assert {request.headers["X-Test"] for request in server.requests} == {"1"}
    assert len(agents) == 1 and agents.pop().startswith("crop-confidence/")


# ---- static catalogues


def test_static_catalogue_on_disk():
    result = search_products(str(CATALOG), SAMPLE_BBOX, 2021)
    (product,) = result.products
    assert (product.tile, product.year, product.epsg) == ("E38N26", 2021, 3035)
    for asset, name in (
        (product.cty, "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"),
        (product.ctycl, "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"),
    ):
        path = SAMPLE / name
        assert Path(asset.href) == path
        assert asset.https_href is None and asset.s3_href is None
        data = path.read_bytes()
        assert asset.size == len(data)
        assert asset.checksum == "1220" + hashlib.sha256(data).hexdigest()
    assert product.total_size == product.cty.size + product.ctycl.size
    assert result.ignored == ()


@pytest.mark.parametrize(("bbox", "year"), [(SAMPLE_BBOX, 2020), ((1.40, 43.9, 1.50, 44.1), 2021)])
def test_static_catalogue_filters_year_and_bbox(bbox, year):
    assert search_products(CATALOG, bbox, year).products == ()


def test_static_catalogue_missing_file(tmp_path):
    missing = tmp_path / "catalog.json"
    with pytest.raises(StacSearchError, match="Cannot read the catalogue") as caught:
        search_products(missing, SAMPLE_BBOX, 2021)
    assert caught.value.url == str(missing)


# Asset hrefs of a static catalogue -> the href to read (local files as paths, inside the
# catalogue's folder tree).
HREFS = {
    "E33N26": ("{folder_uri}/data/CTY%20E33N26.tif", "{folder}/data/CTY E33N26.tif"),
    "E34N26": ("../data/CTY_E34N26.tif", "{collection}/data/CTY_E34N26.tif"),
    "E35N26": (
        "https://files.example.org/CTY_E35N26.tif",
        "https://files.example.org/CTY_E35N26.tif",
    ),
    "E36N26": ("s3://eodata/CLMS/CTY_E36N26.tif", "s3://eodata/CLMS/CTY_E36N26.tif"),
}
# Local files outside the catalogue's folder, whatever the platform: refused, named as given
# (the drive paths made absolute, as pystac would read them on Windows).
OUTSIDE_HREFS = {
    "E30N26": (r"C:\data\CTY_E30N26.tif", "C:/data/CTY_E30N26.tif"),
    "E31N26": ("C:/data/CTY_E31N26.tif", "C:/data/CTY_E31N26.tif"),
    "E32N26": ("file:///C:/My%20Data/CTY_E32N26.tif", "C:/My Data/CTY_E32N26.tif"),
    "E33N26": ("file:///srv/clms/CTY%20E33N26.tif", "/srv/clms/CTY E33N26.tif"),
}


def write_static_catalogue(folder, hrefs):
    """catalog.json -> the CTY collection -> one CTY item per tile, its GeoTIFF at the href."""
    collection_folder = folder / CTY_COLLECTION
    links = []
    for tile, href in hrefs.items():
        item = cdse_item("CTY", 2021, tile, with_alternate=False)
        item["assets"]["CTY_raster"]["href"] = href
        item["links"] = [{"rel": "collection", "href": "../collection.json"}]
        (collection_folder / item["id"]).mkdir(parents=True)
        (collection_folder / item["id"] / f"{item['id']}.json").write_text(json.dumps(item))
        links.append({"rel": "item", "href": f"./{item['id']}/{item['id']}.json"})
    collection = {
        "type": "Collection",
        "stac_version": "1.1.0",
        "id": CTY_COLLECTION,
        "description": "CTY",
        "license": "other",
        "extent": {
            "spatial": {"bbox": [list(EUROPE)]},
            "temporal": {"interval": [["2021-01-01T00:00:00Z", "2021-12-31T23:59:59Z"]]},
        },
        "links": [{"rel": "root", "href": "../catalog.json"}, *links],
    }
    (collection_folder / "collection.json").write_text(json.dumps(collection))
    catalog = {
        "type": "Catalog",
        "stac_version": "1.1.0",
        "id": "hrefs",
        "description": "asset hrefs",
        "links": [
            {"rel": "root", "href": "./catalog.json"},
            {"rel": "child", "href": f"./{CTY_COLLECTION}/collection.json"},
        ],
    }
    (folder / "catalog.json").write_text(json.dumps(catalog))
    return folder / "catalog.json"


@pytest.mark.parametrize("opened_as", ["path", "file URI"])
def test_static_catalogue_hrefs_inside_its_folder_are_local_files(tmp_path, opened_as):
    """file: URIs are local files; a relative href is joined to the item's folder; URLs stay
    URLs."""
    folder = tmp_path / "my catalogue"
    hrefs = {
        tile: href.format(folder_uri=folder.as_uri(), folder=folder)
        for tile, (href, _) in HREFS.items()
    }
    catalog = write_static_catalogue(folder, hrefs)
    source = catalog.as_uri() if opened_as == "file URI" else str(catalog)

    result = search_products(source, EUROPE, 2021)

    assert result.ignored == ()
    assets = {product.tile: product.cty for product in result.products}
    assert set(assets) == set(HREFS)
    for tile, (_, expected) in HREFS.items():
        expected = expected.format(collection=folder / CTY_COLLECTION, folder=folder)
        assert assets[tile].href == expected, tile
    for tile in ("E33N26", "E34N26"):
        asset = assets[tile]
        assert (asset.https_href, asset.s3_href) == (None, None)
        assert local_path(asset.href) == asset.href  # what the clip opens, as it is
    assert assets["E35N26"].https_href == assets["E35N26"].href
    assert local_path(assets["E35N26"].href) is None
    assert assets["E36N26"].s3_href == "s3://eodata/CLMS/CTY_E36N26.tif"
    assert local_path(assets["E36N26"].href) is None


@pytest.mark.parametrize("tile", sorted(OUTSIDE_HREFS))
def test_static_catalogue_hrefs_outside_its_folder_are_refused(tmp_path, tile):
    """Drive paths (C:\\ or C:/) and file: URIs are local files, whatever the platform, and
    outside the catalogue's folder they are refused (issue 13)."""
    href, path = OUTSIDE_HREFS[tile]
    catalog = write_static_catalogue(tmp_path / "my catalogue", {tile: href})
    with pytest.raises(UnsafeHrefError, match="outside the catalogue's folder") as caught:
        search_products(catalog, EUROPE, 2021)
    assert path in str(caught.value) and str(catalog) in str(caught.value)


def test_static_catalogue_opened_as_a_file_uri_reads_like_its_path():
    by_path = search_products(str(CATALOG), SAMPLE_BBOX, 2021)
    by_uri = search_products(CATALOG.as_uri(), SAMPLE_BBOX, 2021)
    assert by_uri.products == by_path.products and len(by_uri.products) == 1
    assert Path(by_uri.products[0].cty.href).is_file()


@pytest.fixture
def static_http_server():
    handler = functools.partial(QuietFileHandler, directory=str(SAMPLE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.paths = []
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


class QuietFileHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.paths.append(self.path)
        super().do_GET()


def test_static_catalogue_over_http(static_http_server):
    host, port = static_http_server.server_address[:2]
    root = f"http://{host}:{port}"
    result = search_products(f"{root}/catalog.json", SAMPLE_BBOX, 2021)
    (product,) = result.products
    name = "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00"
    assert product.ctycl.href == f"{root}/{name}.tif"
    assert product.ctycl.https_href == product.ctycl.href
    # Items of other collections (OSO) are not read.
    assert "/catalog/oso/collection.json" in static_http_server.paths
    assert not any("/oso/OSO_2021_sample/" in path for path in static_http_server.paths)
    assert f"/catalog/{CTYCL_COLLECTION}/{name}/{name}.json" in static_http_server.paths


def test_a_cancel_stops_the_search_before_its_next_page():
    from crop_confidence.plugin.domain.errors import CropMaskCancelled

    with StacApiServer(many_tiles(5)) as server:

        def is_cancelled():  # the user cancels once the first page has come
            return len(server.requests_to("/search")) >= 1

        with pytest.raises(CropMaskCancelled):
            search_products(server.url + "/", EUROPE, 2021, page_size=4, is_cancelled=is_cancelled)
        assert len(server.requests_to("/search")) == 1
