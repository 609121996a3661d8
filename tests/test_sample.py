"""The embedded offline sample: synthetic rasters on the real product grids."""

import hashlib
import importlib.util
import json
from pathlib import Path

import jsonschema
import numpy as np
import pystac
import pytest
import rasterio
from pystac.validation.local_validator import get_local_schema_cache
from rasterio.warp import transform_bounds

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
CATALOG = SAMPLE / "catalog.json"
CTY = SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"
CTYCL = SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
OSO = SAMPLE / "OSO_2021_sample.tif"
CTY_CODES = {
    1110, 1120, 1130, 1140, 1150, 1210, 1220, 1310, 1320, 1410,
    1420, 1430, 1440, 2100, 2200, 2310, 2320, 3100, 3200,
}  # fmt: skip
# Tile E38N26 of the EEA reference grid.
TILE_BOUNDS = (3_800_000, 2_600_000, 3_900_000, 2_700_000)
# Metropolitan France in Lambert-93, generously.
FRANCE_L93 = (50_000, 6_000_000, 1_250_000, 7_150_000)


def read(path):
    with rasterio.open(path) as dataset:
        return dataset.profile, dataset.read(), dataset


def assert_on_10m_lattice(dataset):
    transform = dataset.transform
    assert (transform.a, transform.b, transform.d, transform.e) == (10, 0, 0, -10)
    assert transform.c % 10 == 0 and transform.f % 10 == 0
    assert (dataset.width, dataset.height) == (512, 512)


def assert_cog(dataset, dtype):
    assert dataset.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    assert dataset.tags(ns="IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE"
    assert dataset.block_shapes == [(256, 256)] * dataset.count
    assert dataset.dtypes == (dtype,) * dataset.count
    assert "SYNTHETIC" in dataset.tags()["SAMPLE"]


def sample_files(folder):
    # GDAL may leave .aux.xml statistics next to rasters that QGIS opened: not ours.
    return sorted(
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and not path.name.endswith(".aux.xml")
    )


def test_sample_files_are_small():
    files = [SAMPLE / path for path in sample_files(SAMPLE)]
    assert {CTY, CTYCL, OSO} <= set(files)
    assert sum(path.stat().st_size for path in files) < 2_000_000


def test_cty_on_tile_e38n26():
    with rasterio.open(CTY) as dataset:
        assert dataset.crs.to_epsg() == 3035
        assert_on_10m_lattice(dataset)
        assert_cog(dataset, "uint16")
        assert dataset.nodata == 65535
        left, bottom, right, top = dataset.bounds
        assert TILE_BOUNDS[0] <= left < right <= TILE_BOUNDS[2]
        assert TILE_BOUNDS[1] <= bottom < top <= TILE_BOUNDS[3]
        cty = dataset.read(1)
    values = set(np.unique(cty).tolist())
    assert values == CTY_CODES | {0, 65535}


def test_ctycl_matches_cty():
    with rasterio.open(CTY) as cty_dataset, rasterio.open(CTYCL) as dataset:
        assert dataset.crs == cty_dataset.crs
        assert dataset.transform == cty_dataset.transform
        assert_cog(dataset, "uint8")
        assert dataset.nodata == 255
        cty, ctycl = cty_dataset.read(1), dataset.read(1)
    assert np.array_equal(ctycl == 253, cty == 0)
    assert np.array_equal(ctycl == 255, cty == 65535)
    crop = np.isin(cty, list(CTY_CODES))
    assert ctycl[crop].max() <= 100
    # Noisy per-parcel confidence: low and high values both occur.
    assert (ctycl[crop] < 50).sum() > 1000 and (ctycl[crop] > 80).sum() > 1000


def test_oso_sample():
    with rasterio.open(OSO) as dataset:
        assert dataset.crs.to_epsg() == 2154
        assert_on_10m_lattice(dataset)
        assert_cog(dataset, "uint8")
        assert dataset.descriptions == ("OCS", "OCS_Confidence", "OCS_Validity")
        assert dataset.nodatavals == (0, 0, 0)
        left, bottom, right, top = dataset.bounds
        assert FRANCE_L93[0] <= left < right <= FRANCE_L93[2]
        assert FRANCE_L93[1] <= bottom < top <= FRANCE_L93[3]
        ocs, confidence, validity = dataset.read()
    nodata = ocs == 0
    assert 0 < nodata.sum() < ocs.size
    assert np.array_equal(confidence == 0, nodata) and np.array_equal(validity == 0, nodata)
    assert set(np.unique(ocs[~nodata]).tolist()) <= set(range(1, 24))
    assert {5, 6, 10, 13, 15} <= set(np.unique(ocs).tolist())
    assert confidence[~nodata].min() >= 1 and confidence.max() == 100
    assert validity[~nodata].min() == 1 and validity.max() == 45


def load_items():
    catalog = pystac.Catalog.from_file(str(CATALOG))
    return {item.id: item for item in catalog.get_items(recursive=True)}


def test_catalogue_items_describe_the_files():
    items = load_items()
    assert sorted(items) == [
        "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00",
        "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00",
        "OSO_2021_sample",
    ]
    expected_collection = {
        CTY: "clms_vlcc_crop-types_europe_10m_yearly_v1",
        CTYCL: "clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1",
        OSO: "oso",
    }
    for path, collection_id in expected_collection.items():
        item = items[path.stem]
        assert item.collection_id == collection_id
        assert "SYNTHETIC" in item.properties["description"]
        assert item.properties["start_datetime"] == "2021-01-01T00:00:00Z"
        assert item.properties["end_datetime"] == "2021-12-31T23:59:59Z"
        assert item.properties["gsd"] == 10
        (asset,) = item.assets.values()
        assert asset.roles == ["data"]
        assert asset.media_type == "image/tiff; application=geotiff; profile=cloud-optimized"
        assert not Path(asset.href).is_absolute()
        assert Path(asset.get_absolute_href()).resolve() == path
        data = path.read_bytes()
        assert asset.extra_fields["file:size"] == len(data)
        assert asset.extra_fields["file:checksum"] == "1220" + hashlib.sha256(data).hexdigest()
        with rasterio.open(path) as dataset:
            assert item.properties["proj:code"] == f"EPSG:{dataset.crs.to_epsg()}"
            assert item.properties["proj:shape"] == [dataset.height, dataset.width]
            assert item.properties["proj:transform"] == list(dataset.transform)[:6]
            footprint = transform_bounds(dataset.crs, "EPSG:4326", *dataset.bounds)
        assert item.bbox == pytest.approx(list(footprint), abs=1e-5)
        assert_valid_ring(item.geometry, item.bbox)


def assert_valid_ring(geometry, bbox):
    assert geometry["type"] == "Polygon"
    (ring,) = geometry["coordinates"]
    assert ring[0] == ring[-1] and len(ring) >= 5
    assert all(a != b for a, b in zip(ring, ring[1:]))
    # Exterior ring counter-clockwise (RFC 7946): positive shoelace area.
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    assert area > 0
    assert min(x for x, _ in ring) == pytest.approx(bbox[0], abs=1e-6)
    assert max(y for _, y in ring) == pytest.approx(bbox[3], abs=1e-6)


def test_catalogue_collections_are_marked_synthetic():
    catalog = pystac.Catalog.from_file(str(CATALOG))
    assert "SYNTHETIC" in catalog.description
    collections = {child.id: child for child in catalog.get_children()}
    assert set(collections) == {
        "clms_vlcc_crop-types_europe_10m_yearly_v1",
        "clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1",
        "oso",
    }
    for collection in collections.values():
        assert "SYNTHETIC" in collection.description


def core_validator(kind):
    # pystac ships the core STAC 1.1.0 schemas: validate offline against them.
    store = get_local_schema_cache()
    schema = store[f"https://schemas.stacspec.org/v1.1.0/{kind}-spec/json-schema/{kind}.json"]
    try:  # jsonschema >= 4.18 resolves references through a registry
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:  # older jsonschema (Debian 12): RefResolver, not yet deprecated there
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return jsonschema.Draft7Validator(schema, resolver=resolver)
    registry = Registry().with_resources(
        (uri, Resource.from_contents(document, default_specification=DRAFT7))
        for uri, document in store.items()
    )
    return jsonschema.Draft7Validator(schema, registry=registry)


def test_catalogue_is_valid_core_stac():
    kinds = {"Feature": "item", "Collection": "collection", "Catalog": "catalog"}
    documents = [json.loads(path.read_text()) for path in CATALOG.parent.rglob("*.json")]
    assert len(documents) == 7
    for document in documents:
        validator = core_validator(kinds[document["type"]])
        assert list(validator.iter_errors(document)) == []
    broken = dict(documents[0])
    del broken["id"]
    assert list(core_validator(kinds[broken["type"]]).iter_errors(broken))


def test_generator_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "tools" / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    committed = sample_files(SAMPLE)
    assert sample_files(tmp_path) == committed
    assert len(committed) == 13
    assert "SYNTHETIC" in (SAMPLE / "README.md").read_text()
    for relative in committed:
        assert_same_sample_file(tmp_path / relative, SAMPLE / relative)


def _without_file_info(document):
    """The JSON without file:size and file:checksum, which follow the compressed bytes."""
    if isinstance(document, dict):
        return {
            key: _without_file_info(value)
            for key, value in document.items()
            if key not in ("file:size", "file:checksum")
        }
    if isinstance(document, list):
        return [_without_file_info(value) for value in document]
    return document


def assert_same_sample_file(generated, committed):
    """Same content: rasters pixel for pixel with the same grid and metadata (their
    compressed bytes depend on the GDAL version), catalogues field for field with checksums
    that match the generated files, anything else byte for byte."""
    if generated.suffix == ".tif":
        with rasterio.open(generated) as new, rasterio.open(committed) as old:
            for attribute in ("count", "dtypes", "crs", "transform", "nodatavals", "shape",
                              "block_shapes", "compression", "descriptions"):  # fmt: skip
                assert getattr(new, attribute) == getattr(old, attribute), (generated, attribute)
            assert new.tags() == old.tags()
            np.testing.assert_array_equal(new.read(), old.read())
    elif generated.suffix == ".json":
        document = json.loads(generated.read_text())
        assert _without_file_info(document) == _without_file_info(json.loads(committed.read_text()))
        for asset in document.get("assets", {}).values():
            if "file:checksum" in asset:
                data = (generated.parent / asset["href"]).read_bytes()
                assert asset["file:size"] == len(data)
                assert asset["file:checksum"] == "1220" + hashlib.sha256(data).hexdigest()
    else:
        assert generated.read_bytes() == committed.read_bytes(), generated
