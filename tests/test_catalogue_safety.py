"""Hostile catalogues (issue 13, cases 3, 5 and 8): asset hrefs that name local files, loops
in a static catalogue, paging that never ends, a redirect that leaves http(s). Each gets a clear
error, nothing is copied into the output folder, and nothing runs on forever. Loopback servers
on 127.0.0.1 only."""

import functools
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crop_confidence.plugin.domain.errors import CropMaskError
from crop_confidence.plugin.net import trusted
from crop_confidence.plugin.net.http import make_session
from crop_confidence.plugin.sources import stac_client
from crop_confidence.plugin.sources.fetch import FetchRequest, fetch
from crop_confidence.plugin.sources.hrefs import UnsafeHrefError
from crop_confidence.plugin.sources.stac_search import (
    CTY_COLLECTION,
    CTYCL_COLLECTION,
    StacSearchError,
    search_items,
    search_products,
)
from servers.download_host import DownloadHost
from servers.stac_api import (
    StacApiServer,
    cdse_item,
    clms_id,
    feature,
    stac_collection,
    tile_bbox_4326,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
CTY_SAMPLE = SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"
TILE = "E38N26"
BBOX = tuple(tile_bbox_4326(TILE))
YEAR = 2021
DEEP = "../" * 12  # more than enough to leave any temporary folder
HOSTILE = {
    "absolute path": "/etc/passwd",
    "file URI": "file:///etc/passwd",
    "relative path": DEEP + "etc/passwd",
    "proc": "/proc/self/environ",
    "device": "/dev/zero",
}


def item_with_href(layer, href, oso=False):
    """A CLMS item (or an OSO one) whose GeoTIFF data asset is at ``href``."""
    if oso:
        asset = {"href": href, "type": "image/tiff; application=geotiff", "roles": ["data"]}
        return feature(f"OSO_{YEAR}_x", "oso", BBOX, YEAR, {"data": asset})
    item = cdse_item(layer, YEAR, TILE, with_alternate=False)
    item["assets"][f"{layer}_raster"]["href"] = href
    return item


def write_catalogue(folder, items):
    """folder/catalog.json -> one collection per item collection -> its items."""
    folder.mkdir(parents=True, exist_ok=True)
    children = []
    by_collection = {}
    for item in items:
        by_collection.setdefault(item["collection"], []).append(item)
    for collection_id, members in by_collection.items():
        links = [{"rel": "root", "href": "../catalog.json"}]
        for item in members:
            item = dict(item, links=[{"rel": "collection", "href": "../collection.json"}])
            path = folder / collection_id / item["id"] / f"{item['id']}.json"
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(item))
            links.append({"rel": "item", "href": f"./{item['id']}/{item['id']}.json"})
        collection = stac_collection(collection_id, links)
        (folder / collection_id / "collection.json").write_text(json.dumps(collection))
        children.append({"rel": "child", "href": f"./{collection_id}/collection.json"})
    write_json(folder / "catalog.json", catalog_document("hostile", children))
    return folder / "catalog.json"


def catalog_document(catalog_id, links):
    return {
        "type": "Catalog",
        "stac_version": "1.1.0",
        "id": catalog_id,
        "description": catalog_id,
        "links": links,
    }


def write_json(path, document):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def outside_raster(tmp_path):
    """A real raster beside the catalogue's folder, not inside it."""
    path = tmp_path / "elsewhere" / "private.tif"
    path.parent.mkdir()
    shutil.copyfile(CTY_SAMPLE, path)
    return path


def all_hrefs(tmp_path):
    return {**HOSTILE, "raster outside the tree": str(outside_raster(tmp_path))}


def assert_refused(caught, href, catalogue):
    text = str(caught.value)
    assert isinstance(caught.value, UnsafeHrefError)
    assert "refused" in text and str(catalogue) in text, text
    if href.startswith(".."):  # pystac shortens the ../ that go past the root: shown resolved
        assert "'../" in text and "(/etc/passwd)" in text, text
    else:
        assert f"'{href}'" in text, text  # the href as the catalogue gives it


# ---- case 3: what an href may name


@pytest.mark.parametrize("kind", [*HOSTILE, "raster outside the tree"])
def test_a_local_catalogue_may_not_point_outside_its_folder(tmp_path, kind):
    href = all_hrefs(tmp_path)[kind]
    catalog = write_catalogue(tmp_path / "catalogue", [item_with_href("CTY", href)])
    with pytest.raises(UnsafeHrefError) as caught:
        search_products(catalog, BBOX, YEAR)
    assert_refused(caught, href, catalog)


def test_a_local_catalogue_may_point_inside_its_folder_and_resolves_relative_hrefs(
    tmp_path, monkeypatch
):
    folder = tmp_path / "catalogue"
    raster = folder / "data" / "cty.tif"
    raster.parent.mkdir(parents=True)
    shutil.copyfile(CTY_SAMPLE, raster)
    catalog = write_catalogue(folder, [item_with_href("CTY", "../../data/cty.tif")])
    monkeypatch.chdir(tmp_path)  # not the catalogue's folder
    (product,) = search_products(catalog, BBOX, YEAR).products
    assert product.cty.href == str(raster)


def test_a_symlink_out_of_the_tree_is_refused(tmp_path):
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "link.tif").symlink_to(outside_raster(tmp_path))
    catalog = write_catalogue(folder, [item_with_href("CTY", "../../link.tif")])
    with pytest.raises(UnsafeHrefError, match="outside the catalogue's folder"):
        search_products(catalog, BBOX, YEAR)


@pytest.mark.parametrize("kind", ["absolute path", "file URI", "proc", "device", "raster"])
def test_a_stac_api_may_only_point_to_http_and_s3(tmp_path, kind):
    href = {**HOSTILE, "raster": str(outside_raster(tmp_path))}[kind]
    with (
        StacApiServer([item_with_href("CTY", href)]) as server,
        pytest.raises(UnsafeHrefError) as caught,
    ):
        search_products(server.url, BBOX, YEAR)
    assert "may only point to http(s) and s3" in str(caught.value)
    assert_refused(caught, href, server.url)


def test_a_relative_href_of_a_stac_api_stays_on_the_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with StacApiServer([item_with_href("CTY", DEEP + "etc/passwd")]) as server:
        (product,) = search_products(server.url, BBOX, YEAR).products
        assert product.cty.href == f"{server.url}/etc/passwd"


@pytest.fixture
def served_folder(tmp_path):
    """A static file server on 127.0.0.1 over tmp_path/'web'."""
    web = tmp_path / "web"
    web.mkdir()
    handler = functools.partial(QuietHandler, directory=str(web))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    host, port = httpd.server_address[:2]
    yield web, f"http://{host}:{port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.parametrize("kind", ["absolute path", "file URI", "proc"])
def test_a_static_catalogue_over_http_may_not_point_to_local_files(served_folder, kind):
    web, root = served_folder
    write_catalogue(web, [item_with_href("CTY", HOSTILE[kind])])
    with pytest.raises(UnsafeHrefError, match="may only point to http"):
        search_products(f"{root}/catalog.json", BBOX, YEAR)


def fetch_request(product, catalog, out):
    """A whole-file fetch of a small area inside tile E38N26."""
    left, bottom = 3_850_000, 2_650_000
    bounds = (left, bottom, left + 640, bottom + 640)
    key = "cty_ctycl" if product == "clms" else "oso23"
    return FetchRequest(key, YEAR, bounds, "EPSG:3035", str(out), str(catalog))


@pytest.mark.parametrize("kind", ["proc", "file URI", "relative path", "raster outside the tree"])
@pytest.mark.parametrize("product", ["clms", "oso"])
def test_a_fetch_copies_nothing_a_catalogue_may_not_name(tmp_path, kind, product):
    href = all_hrefs(tmp_path)[kind]
    if product == "clms":
        items = [item_with_href("CTY", href), item_with_href("CTYCL", href)]
    else:
        items = [item_with_href(None, href, oso=True)]
    catalog = write_catalogue(tmp_path / "catalogue", items)
    out = tmp_path / "out"
    with pytest.raises(UnsafeHrefError) as caught:
        fetch(fetch_request(product, catalog, out))
    assert_refused(caught, href, catalog)
    assert not out.exists() or list(out.rglob("*")) == []


# ---- the redirect that leaves http(s)


def test_a_redirect_to_a_file_uri_is_refused_and_says_so(tmp_path):
    with DownloadHost({"/data.tif": b"II*\x00data"}) as host:
        host.redirects["/away"] = "file:///etc/passwd"
        with pytest.raises(trusted.RedirectRefused) as caught:
            trusted.send(make_session(), "GET", host.url("/away"))
        assert host.count() == 1
    text = str(caught.value)
    assert "file:///etc/passwd" in text and "only redirects to http(s)" in text, text
    assert "<no host>" not in text


def test_a_download_redirected_to_a_file_uri_writes_nothing(tmp_path):
    from crop_confidence.plugin.net.download import download

    with DownloadHost({"/data.tif": b"II*\x00data"}) as host:
        host.redirects["/away"] = "file:///etc/passwd"
        with pytest.raises(trusted.RedirectRefused, match="only redirects to http"):
            download(host.url("/away"), tmp_path / "out", "data.tif", make_session())
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


# ---- case 5: loops in a static catalogue


def test_a_catalogue_whose_child_is_itself_is_refused(tmp_path):
    links = [{"rel": "child", "href": "./catalog.json"}]
    write_json(tmp_path / "catalog.json", catalog_document("self", links))
    with pytest.raises(StacSearchError, match="links back to itself"):
        search_products(tmp_path / "catalog.json", BBOX, YEAR)


def test_a_loop_a_b_a_is_refused(tmp_path):
    write_json(
        tmp_path / "catalog.json",
        catalog_document("A", [{"rel": "child", "href": "./b/catalog.json"}]),
    )
    write_json(
        tmp_path / "b" / "catalog.json",
        catalog_document("B", [{"rel": "child", "href": "../catalog.json"}]),
    )
    with pytest.raises(StacSearchError, match="links back to itself") as caught:
        search_products(tmp_path / "catalog.json", BBOX, YEAR)
    assert "b" in str(caught.value)


def test_a_loop_inside_a_wanted_collection_is_refused(tmp_path):
    catalog = write_catalogue(tmp_path, [cdse_item("CTY", YEAR, TILE, with_alternate=False)])
    collection_file = tmp_path / CTY_COLLECTION / "collection.json"
    collection = json.loads(collection_file.read_text())
    collection["links"].append({"rel": "child", "href": "./collection.json"})
    collection_file.write_text(json.dumps(collection))
    with pytest.raises(StacSearchError, match="links back to itself"):
        search_products(catalog, BBOX, YEAR)


def test_a_catalogue_read_twice_through_two_parents_is_read_once(tmp_path):
    """Not a loop: a diamond (A -> B, A -> C, B -> D, C -> D) gives D's items once."""
    write_catalogue(tmp_path / "d", [cdse_item("CTYCL", YEAR, TILE)])
    for name in ("b", "c"):
        write_json(
            tmp_path / name / "catalog.json",
            catalog_document(name, [{"rel": "child", "href": "../d/catalog.json"}]),
        )
    links = [{"rel": "child", "href": f"./{name}/catalog.json"} for name in ("b", "c")]
    write_json(tmp_path / "catalog.json", catalog_document("a", links))
    items = search_items(tmp_path / "catalog.json", BBOX, YEAR, (CTYCL_COLLECTION,))
    assert [item.id for item in items] == [clms_id("CTYCL", YEAR, TILE)]


# ---- case 8: paging


class LoopingApi(StacApiServer):
    """Every page of /search has one item and a next link to itself."""

    def search(self, params):
        page = super().search(dict(params, token=None))
        page["links"].append(
            {"rel": "next", "href": f"{self.url}/search?token=again", "method": "GET"}
        )
        return page


class EndlessApi(StacApiServer):
    """/search has a next page forever (each page: one item that matches no product)."""

    def search(self, params):
        token = params.get("token") or "next:0"
        number = int(str(token).split(":")[1])
        item = feature(f"not-a-clms-item-{number}", CTY_COLLECTION, BBOX, YEAR, {})
        return {
            "type": "FeatureCollection",
            "features": [item],
            "links": [
                {
                    "rel": "next",
                    "href": f"{self.url}/search?token=next:{number + 1}",
                    "method": "GET",
                }
            ],
        }


def test_a_next_link_to_itself_stops_the_search_with_an_error():
    with LoopingApi([cdse_item("CTY", YEAR, TILE)]) as server:
        with pytest.raises(StacSearchError, match="same next page twice") as caught:
            search_products(server.url, BBOX, YEAR, method="GET")
        assert len(server.requests_to("/search")) <= 3
    assert "No product" not in str(caught.value)


def test_pages_that_never_end_stop_at_the_page_cap_with_an_error():
    cap = getattr(stac_client, "DEFAULT_MAX_PAGES", 200)
    with EndlessApi() as server:
        with pytest.raises(StacSearchError, match=f"after {cap} pages"):
            search_products(server.url, BBOX, YEAR, method="GET")
        assert len(server.requests_to("/search")) == cap


def test_errors_are_our_errors():
    assert issubclass(UnsafeHrefError, CropMaskError)
    assert issubclass(trusted.RedirectRefused, CropMaskError)
