"""Property-based test of the catalogue readers (issue 13): random and mutated STAC JSON, item
ids and hrefs, written as a static catalogue in a temporary folder. The readers return items
or raise our error type (CropMaskError), never anything else, and never give a local path
outside the catalogue's folder."""

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crop_confidence.plugin.domain.errors import CropMaskError
from crop_confidence.plugin.sources.paths import local_path
from crop_confidence.plugin.sources.stac_search import (
    CTY_COLLECTION,
    CTYCL_COLLECTION,
    data_assets,
    search_items,
    search_products,
)
from servers.stac_api import cdse_item, clms_id, feature, stac_collection

EUROPE = (-10.0, 35.0, 30.0, 60.0)
YEAR = 2021
OSO = "oso"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
hrefs = st.one_of(
    st.sampled_from(
        [
            "/etc/passwd",
            "file:///etc/passwd",
            "file://localhost/etc/passwd",
            "../../../../../../../../etc/passwd",
            "/proc/self/environ",
            "/dev/zero",
            "./data/x.tif",
            "data/x.tif",
            "../x.tif",
            "C:/data/x.tif",
            r"C:\data\x.tif",
            "\\\\server\\share\\x.tif",
            "//server/share/x.tif",
            "https://example.invalid/x.tif",
            "http://[::1/x.tif",
            "s3://bucket/x.tif",
            "ftp://example.invalid/x.tif",
            "/vsicurl/https://example.invalid/x.tif",
            "data:,hello",
            "",
            " ",
        ]
    ),
    st.text(max_size=40),
    st.builds(
        lambda parts: "/".join(parts),
        st.lists(st.sampled_from(["..", ".", "a", "data", "x.tif", ""]), max_size=8),
    ),
    json_values,
)
item_ids = st.one_of(
    st.builds(
        clms_id,
        st.sampled_from(["CTY", "CTYCL"]),
        st.sampled_from([YEAR, 2020]),
        st.sampled_from(["E38N26", "E39N26"]),
    ),
    st.text(max_size=30),
)


def mutate(document, data):
    """``document`` with up to 3 values replaced by random JSON at random places."""
    for _ in range(data.draw(st.integers(0, 3))):
        node = document
        for _depth in range(data.draw(st.integers(0, 4))):
            children = [value for value in _values(node) if isinstance(value, (dict, list))]
            if not children:
                break
            node = data.draw(st.sampled_from(children))
        if isinstance(node, dict) and node:
            node[data.draw(st.sampled_from(sorted(node)))] = data.draw(json_values)
        elif isinstance(node, list) and node:
            node[data.draw(st.integers(0, len(node) - 1))] = data.draw(json_values)
    return document


def _values(node):
    return list(node.values()) if isinstance(node, dict) else list(node)


def random_item(data, index):
    collection = data.draw(st.sampled_from([CTY_COLLECTION, CTYCL_COLLECTION, OSO]))
    layer = "CTY" if collection == CTY_COLLECTION else "CTYCL"
    if collection == OSO:
        item = feature(f"oso-{index}", OSO, list(EUROPE), YEAR, {})
    else:
        item = cdse_item(layer, YEAR, data.draw(st.sampled_from(["E38N26", "E39N26"])))
    item["id"] = data.draw(item_ids) if data.draw(st.booleans()) else item["id"]
    asset = {
        "href": data.draw(hrefs),
        "type": data.draw(st.sampled_from(["image/tiff; application=geotiff", None, "text/html"])),
        "roles": ["data"],
    }
    if data.draw(st.booleans()):
        asset["alternate"] = {"https": {"href": data.draw(hrefs)}}
    item["assets"] = {"raster": asset, **(item["assets"] if data.draw(st.booleans()) else {})}
    return mutate(item, data)


def write_catalogue(folder, items, data):
    """catalog.json -> one collection per collection id -> items, each file maybe mutated."""
    children = []
    for collection_id in (CTY_COLLECTION, CTYCL_COLLECTION, OSO):
        links = []
        for index, item in enumerate(items):
            if not isinstance(item, dict) or item.get("collection") != collection_id:
                continue
            name = f"item{index}"
            write(folder / collection_id / name / f"{name}.json", item)
            links.append({"rel": "item", "href": f"./{name}/{name}.json"})
        collection = stac_collection(collection_id, links)
        if data.draw(st.integers(0, 4)) == 0:
            collection = mutate(collection, data)
        write(folder / collection_id / "collection.json", collection)
        children.append({"rel": "child", "href": f"./{collection_id}/collection.json"})
    catalog = {
        "type": "Catalog",
        "stac_version": "1.1.0",
        "id": "fuzz",
        "description": "fuzz",
        "links": children,
    }
    if data.draw(st.integers(0, 4)) == 0:
        catalog = mutate(catalog, data)
    write(folder / "catalog.json", catalog)
    return folder / "catalog.json"


def write(path, document):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def assert_safe(href, folder):
    """An http(s)/s3 URL, or a local path inside ``folder``."""
    path = local_path(href)
    if path is None:
        assert href.split(":", 1)[0].lower() in ("http", "https", "s3"), href
        return
    real = os.path.realpath(path)
    assert os.path.commonpath([real, folder]) == folder, (href, folder)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_catalogue_readers_return_items_or_raise_our_error(data):
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(os.path.realpath(temporary)) / "catalogue"
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "x.tif").write_bytes(b"II*\x00")
        items = [random_item(data, index) for index in range(data.draw(st.integers(0, 4)))]
        catalog = write_catalogue(folder, items, data)
        try:
            result = search_products(catalog, EUROPE, YEAR)
        except CropMaskError:
            pass
        else:
            for product in result.products:
                for asset in (product.cty, product.ctycl):
                    if asset is not None:
                        for href in (asset.href, asset.https_href, asset.s3_href):
                            if href is not None:
                                assert_safe(href, str(folder))
        try:
            oso_items = search_items(catalog, EUROPE, YEAR, (OSO,))
            assets = data_assets(oso_items)
        except CropMaskError:
            return
        for asset in assets:
            assert_safe(asset.href, str(folder))
