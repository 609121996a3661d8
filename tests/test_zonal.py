"""cropconfidence:zonalareas and its engine (raster.zonal) against independent references:
pixel centres tested in each polygon with matplotlib's Path (plain point-in-polygon), the
README's pixel rule as plain numpy (rasters.reference_status), and QGIS's Zonal histogram."""

import json

import numpy as np
import pytest
from matplotlib.path import Path as PolygonPath

from rasters import CTY_CROPS, EEA_ORIGIN, reference_status, write_raster

ALG = "cropconfidence:zonalareas"
HEIGHT, WIDTH, PIXEL = 70, 90, 10.0
SELECTED = (1110, 1120, 1130, 2100)
UNKNOWN_CODE = 4444  # a 16-bit code outside the nomenclature: the joint key's "other" id


def to_map(col, row):
    """Map coordinates of a (fractional) pixel position of the test rasters."""
    return EEA_ORIGIN[0] + col * PIXEL, EEA_ORIGIN[1] - row * PIXEL


def ring(points):
    """A closed ring in map coordinates from (col, row) pixel positions."""
    coords = [to_map(col, row) for col, row in points]
    return [*coords, coords[0]]


def star(col, row, radius, vertices, rng):
    angles = (np.arange(vertices) + rng.uniform(-0.3, 0.3, vertices)) * 2 * np.pi / vertices
    radii = radius * rng.uniform(0.5, 1.0, vertices)
    # Offsets keep every vertex away from the pixel-centre lattice (.5 positions).
    return ring(zip(col + radii * np.cos(angles) + 0.013, row + radii * np.sin(angles) + 0.021))


def sample_zones():
    """Zones with overlaps, holes, several parts, and some without any pixel centre."""
    rng = np.random.default_rng(5)
    zones = [
        {"type": "Polygon", "coordinates": [star(c, r, rad, v, rng)]}
        for c, r, rad, v in [(20, 20, 15, 9), (30, 25, 12, 7), (60, 40, 25, 12), (80, 60, 20, 5)]
    ]
    outer = ring([(5.2, 40.3), (40.7, 40.1), (40.6, 68.8), (5.1, 68.6)])
    hole = ring([(15.3, 50.2), (25.7, 50.4), (25.6, 60.7), (15.2, 60.9)])
    zones.append({"type": "Polygon", "coordinates": [outer, hole]})  # holed
    zones.append(
        {
            "type": "MultiPolygon",
            "coordinates": [
                [ring([(45.2, 2.3), (55.8, 2.1), (50.4, 12.7)])],
                [ring([(70.1, 5.2), (88.6, 5.4), (88.7, 30.9), (70.3, 30.6)])],
            ],
        }
    )
    zones.append(zones[2])  # the same zone twice
    zones.append({"type": "Polygon", "coordinates": [ring([(0, 0), (90, 0), (90, 70), (0, 70)])]})
    zones.append({"type": "Polygon", "coordinates": [ring([(3.6, 3.6), (3.9, 3.6), (3.8, 3.9)])]})
    zones.append({"type": "Polygon", "coordinates": [ring([(200, 5), (220, 5), (210, 30)])]})
    return zones


def centres_inside(geometry):
    """Pixel centres inside ``geometry`` (a mapping), by point-in-polygon, as a mask."""
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    x, y = to_map(cols.ravel() + 0.5, rows.ravel() + 0.5)
    points = np.c_[x, y]
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    inside = np.zeros(points.shape[0], bool)
    for polygon in polygons:
        part = PolygonPath(np.asarray(polygon[0])).contains_points(points)
        for hole in polygon[1:]:
            part &= ~PolygonPath(np.asarray(hole)).contains_points(points)
        inside |= part
    return inside.reshape(HEIGHT, WIDTH)


@pytest.fixture(scope="module")
def cty_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zonal")
    rng = np.random.default_rng(15)
    codes = np.array(CTY_CROPS + (0, 65535, UNKNOWN_CODE), np.uint16)
    classes = rng.choice(codes, (HEIGHT, WIDTH))
    confidence = rng.choice(
        np.r_[np.arange(0, 101), [253, 255, 120]].astype(np.uint8), classes.shape
    )
    return (
        classes,
        confidence,
        write_raster(folder / "cty.tif", classes, nodata=65535, block=16),
        write_raster(folder / "ctycl.tif", confidence, nodata=255, block=16),
    )


def reference_rows(zones, classes, confidence, selected, min_confidence, validity=None,
                   product="cty_ctycl", min_validity=0):  # fmt: skip
    """{(zone, code): (pixels, kept, low confidence, low validity, confidence sum, with conf)}."""
    nodata, kept, low_conf, low_valid = reference_status(
        product, classes, confidence, validity, selected, min_confidence, min_validity
    )
    has_confidence = confidence.astype(int) <= 100
    rows = {}
    for number, zone in enumerate(zones):
        valid = centres_inside(zone) & ~nodata
        for code in np.unique(classes[valid]):
            pixels = valid & (classes == code)
            with_conf = pixels & has_confidence
            rows[number, int(code)] = (
                int(pixels.sum()),
                int((pixels & kept).sum()),
                int((pixels & low_conf).sum()),
                int((pixels & low_valid).sum()),
                float(confidence[with_conf].astype(float).sum()),
                int(with_conf.sum()),
            )
    return rows


def engine_rows(result):
    rows = {}
    for i in range(result.zone.size):
        code = int(result.class_code[i]) if result.has_code[i] else None
        rows[int(result.zone[i]), code] = (
            int(result.pixels[i]),
            int(result.kept[i]),
            int(result.dropped_low_confidence[i]),
            int(result.dropped_low_validity[i]),
            float(result.confidence_sum[i]),
            int(result.confidence_pixels[i]),
        )
    return rows


def run_engine(zones, classes_path, confidence_path, product="cty_ctycl", validity=None,
               **changes):  # fmt: skip
    from crop_confidence.plugin.raster.plan import BandRef, CropMaskRequest
    from crop_confidence.plugin.raster.zonal import ZonalRequest, run_zonal
    from crop_confidence.plugin.raster.zones import Zones

    request = CropMaskRequest(
        product=product,
        confidence=BandRef(confidence_path),
        classes=None if classes_path is None else BandRef(classes_path),
        validity=None if validity is None else BandRef(validity),
        **{"window_size": 32, **changes},
    )
    return run_zonal(ZonalRequest(request, Zones.from_shapes(zones)))


def with_zero_rows(rows, zone_count):
    """The reference rows plus one row of zeros per zone without a counted pixel."""
    full = dict(rows)
    for zone in set(range(zone_count)) - {zone for zone, _ in rows}:
        full[zone, None] = (0, 0, 0, 0, 0.0, 0)
    return full


@pytest.mark.parametrize(("threads", "renumbered"), [(1, False), (2, False), (2, True)])
def test_engine_counts_equal_point_in_polygon_reference(cty_pair, threads, renumbered, monkeypatch):
    from crop_confidence.plugin.raster import zonal

    if renumbered:  # the keys of each window renumbered, as with many zones or OSO's keys
        monkeypatch.setattr(zonal, "DIRECT_BINS", 0)
    classes, confidence, classes_path, confidence_path = cty_pair
    zones = sample_zones()
    result = run_engine(
        zones,
        classes_path,
        confidence_path,
        class_codes=SELECTED,
        min_confidence=40,
        threads=threads,
    )
    expected = reference_rows(zones, classes, confidence, SELECTED, 40)
    assert engine_rows(result) == with_zero_rows(expected, len(zones))
    # The zones without a pixel centre (a sliver inside one pixel, one off the raster) and
    # only those get a row of zeros; the unknown code is counted under its own code.
    zero_rows = {int(z) for z, has in zip(result.zone, result.has_code) if not has}
    assert zero_rows == {len(zones) - 2, len(zones) - 1}
    assert any(code == UNKNOWN_CODE for _, code in expected)
    # Overlapping zones each count their own pixels: zone 2 and its copy agree, and the
    # zone covering the whole raster counts every valid pixel.
    rows = engine_rows(result)
    assert {c: v for (z, c), v in rows.items() if z == 2} == {
        c: v for (z, c), v in rows.items() if z == 6
    }
    nodata = reference_status("cty_ctycl", classes, confidence, None, SELECTED, 40, 0)[0]
    assert sum(v[0] for (z, _), v in rows.items() if z == 7) == int((~nodata).sum())


def tiled_zones():
    """Cells that tile the raster without sharing a pixel centre, with bent edges so that the
    boxes of neighbours overlap; then a star over several cells and a copy of one cell."""
    rng = np.random.default_rng(9)
    cols, rows = 6, 5
    xs = np.linspace(0, WIDTH, cols + 1)[None, :] + np.zeros((rows + 1, 1))
    ys = np.linspace(0, HEIGHT, rows + 1)[:, None] + np.zeros((1, cols + 1))
    xs[:, 1:-1] += rng.uniform(-3, 3, (rows + 1, cols - 1))
    ys[1:-1, :] += rng.uniform(-3, 3, (rows - 1, cols + 1))
    bend_x = rng.uniform(-2, 2, (rows, cols + 1))  # across the edges along columns
    bend_y = rng.uniform(-2, 2, (rows + 1, cols))  # across the edges along rows
    bend_x[:, [0, -1]] = 0
    bend_y[[0, -1], :] = 0
    zones = []
    for r in range(rows):
        for c in range(cols):
            tl, tr = (xs[r, c], ys[r, c]), (xs[r, c + 1], ys[r, c + 1])
            br, bl = (xs[r + 1, c + 1], ys[r + 1, c + 1]), (xs[r + 1, c], ys[r + 1, c])
            points = [
                tl, ((tl[0] + tr[0]) / 2, (tl[1] + tr[1]) / 2 + bend_y[r, c]),
                tr, ((tr[0] + br[0]) / 2 + bend_x[r, c + 1], (tr[1] + br[1]) / 2),
                br, ((br[0] + bl[0]) / 2, (br[1] + bl[1]) / 2 + bend_y[r + 1, c]),
                bl, ((bl[0] + tl[0]) / 2 + bend_x[r, c], (bl[1] + tl[1]) / 2),
            ]  # fmt: skip
            zones.append({"type": "Polygon", "coordinates": [ring(points)]})
    zones.append({"type": "Polygon", "coordinates": [star(62, 45, 14, 9, rng)]})
    zones.append(zones[7])
    return zones


@pytest.mark.parametrize("tried", ["always", "never", "while_it_pays"])
def test_engine_tiled_zones_burnt_at_once(cty_pair, tried, monkeypatch):
    """Zones that share no pixel are burnt in one layer though their boxes overlap (a window
    where all do, one where some do); the counts equal the point-in-polygon reference
    whether that path is tried on every window, never, or while it pays."""
    from crop_confidence.plugin.raster import zonal

    if tried == "always":
        monkeypatch.setattr(zonal, "ALONE_SHARE", 0.0)
    elif tried == "never":
        monkeypatch.setattr(zonal, "ALONE_SHARE", 2.0)
        monkeypatch.setattr(zonal, "PROBE_EVERY", 10**9)
    shares = []
    record = zonal._Probe.record
    monkeypatch.setattr(zonal._Probe, "record", lambda self, s: (shares.append(s), record(self, s)))
    classes, confidence, classes_path, confidence_path = cty_pair
    zones = tiled_zones()
    result = run_engine(
        zones, classes_path, confidence_path, class_codes=SELECTED, min_confidence=40, threads=1
    )
    expected = reference_rows(zones, classes, confidence, SELECTED, 40)
    assert engine_rows(result) == with_zero_rows(expected, len(zones))
    # The cells count every valid pixel once.
    nodata = reference_status("cty_ctycl", classes, confidence, None, SELECTED, 40, 0)[0]
    cells = sum(v[0] for (z, _), v in engine_rows(result).items() if z < 30)
    assert cells == int((~nodata).sum())
    if tried == "never":
        assert shares == []
    else:
        assert 1.0 in shares and any(0 < s < 1 for s in shares)


def test_engine_areas_and_mean_confidence(cty_pair):
    classes, confidence, classes_path, confidence_path = cty_pair
    zones = sample_zones()[:3]
    result = run_engine(
        zones, classes_path, confidence_path, class_codes=SELECTED, min_confidence=0
    )
    expected = reference_rows(zones, classes, confidence, SELECTED, 0)
    for i in range(result.zone.size):
        pixels, kept, _, _, conf_sum, with_conf = expected[
            int(result.zone[i]), int(result.class_code[i])
        ]
        assert result.hectares(result.pixels)[i] == pytest.approx(pixels / 100)  # 0.01 ha
        assert result.hectares(result.kept)[i] == pytest.approx(kept / 100)
        assert result.confidence_weighted_area_ha()[i] == pytest.approx(conf_sum / 100 / 100)
        if with_conf:
            assert result.mean_confidence()[i] == pytest.approx(conf_sum / with_conf)
        else:
            assert np.isnan(result.mean_confidence()[i])


def test_engine_reads_wkb_as_the_mappings(cty_pair):
    from osgeo import ogr

    _, _, classes_path, confidence_path = cty_pair
    zones = sample_zones()
    wkb = [bytes(ogr.CreateGeometryFromJson(json.dumps(z)).ExportToIsoWkb()) for z in zones]
    assert engine_rows(run_engine(wkb, classes_path, confidence_path)) == engine_rows(
        run_engine(zones, classes_path, confidence_path)
    )


def test_engine_oso_validity_and_ctycl_only(tmp_path):
    rng = np.random.default_rng(3)
    classes = rng.choice(np.arange(0, 24, dtype=np.uint8), (HEIGHT, WIDTH))
    confidence = rng.integers(0, 101, (HEIGHT, WIDTH), dtype=np.uint8)
    validity = rng.integers(0, 30, (HEIGHT, WIDTH), dtype=np.uint8)
    paths = [
        write_raster(tmp_path / f"{name}.tif", array)
        for name, array in (("c", classes), ("f", confidence), ("v", validity))
    ]
    zones = sample_zones()[:6]
    result = run_engine(
        zones, paths[0], paths[1], product="oso23", validity=paths[2], class_codes=(11, 12),
        min_confidence=30, min_validity=10,
    )  # fmt: skip
    expected = reference_rows(
        zones, classes, confidence, (11, 12), 30, validity, "oso23", min_validity=10
    )
    assert engine_rows(result) == with_zero_rows(expected, len(zones))
    assert any(v[3] for v in expected.values())  # some pixels dropped for low validity

    ctycl = rng.choice(np.r_[np.arange(0, 101), [253, 255]].astype(np.uint8), (HEIGHT, WIDTH))
    path = write_raster(tmp_path / "ctycl.tif", ctycl, nodata=255)
    result = run_engine(zones, None, path, product="ctycl", min_confidence=50)
    for zone, geometry in enumerate(zones):
        cropland = centres_inside(geometry) & (ctycl <= 100)
        (row,) = np.flatnonzero(result.zone == zone)
        assert not result.has_code[row]
        assert result.pixels[row] == cropland.sum()
        assert result.kept[row] == (cropland & (ctycl >= 50)).sum()


def test_engine_refuses_a_point(cty_pair):
    from crop_confidence.plugin.domain.errors import CropMaskError

    _, _, classes_path, confidence_path = cty_pair
    with pytest.raises(CropMaskError, match="Zone 1: .* not a polygon"):
        run_engine(
            [sample_zones()[0], {"type": "Point", "coordinates": [1, 2]}],
            classes_path,
            confidence_path,
        )


# ---------------------------------------------------------------------------
# cropconfidence:zonalareas in QGIS

TABLE_FIELDS = [
    "zone", "class_code", "class_label", "pixels", "kept", "dropped_low_confidence",
    "dropped_low_validity", "map_area_ha", "kept_area_ha", "mean_confidence",
    "confidence_weighted_area_ha",
]  # fmt: skip


def wkt(geometry):
    from osgeo import ogr

    return ogr.CreateGeometryFromJson(json.dumps(geometry)).ExportToWkt()


def zones_layer(zones, crs="EPSG:3035"):
    """A memory polygon layer of ``zones`` (mappings in ``crs``), named 'z0', 'z1'..."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer(f"MultiPolygon?crs={crs}&field=name:string", "zones", "memory")
    features = []
    for number, zone in enumerate(zones):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([f"z{number}"])
        feature.setGeometry(QgsGeometry.fromWkt(wkt(zone)))
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    return layer


def run_zonal_algorithm(zones, classes_path, confidence_path, **changes):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    parameters = {
        "PRODUCT": 0,
        "CLASS_LAYER": classes_path,
        "CONFIDENCE_LAYER": confidence_path,
        "ZONES": zones,
        "ZONE_FIELD": "name",
        "OUTPUT_TABLE": "memory:",
        **changes,
    }
    result = processing.run(ALG, parameters, context=context, feedback=QgsProcessingFeedback())
    return result, context


def as_layer(layer_or_id, context):
    from qgis.core import QgsProcessingUtils

    if isinstance(layer_or_id, str):
        return QgsProcessingUtils.mapLayerFromString(layer_or_id, context)
    return layer_or_id


def table_of(layer_or_id, context):
    layer = as_layer(layer_or_id, context)
    return [f.name() for f in layer.fields()], [f.attributes() for f in layer.getFeatures()]


def is_null(value):
    from qgis.core import NULL

    return value is None or value == NULL


def algorithm_rows(names, rows):
    """{(zone number, code): (pixels, kept, low confidence, low validity)} from the table."""
    position = {name: i for i, name in enumerate(names)}
    return {
        (int(row[0][1:]), None if is_null(row[1]) else int(row[1])): tuple(
            int(row[position[name]])
            for name in ("pixels", "kept", "dropped_low_confidence", "dropped_low_validity")
        )
        for row in rows
    }


def test_algorithm_table_in_another_crs_with_an_invalid_zone(provider, cty_pair):  # noqa: ARG001
    from rasterio.warp import transform as transform_points  # GDAL's PROJ, as QGIS's

    classes, confidence, classes_path, confidence_path = cty_pair
    bow_tie = {
        "type": "Polygon",
        "coordinates": [ring([(10.2, 10.3), (40.6, 40.7), (40.4, 10.1), (10.1, 40.6)])],
    }
    zones = [*sample_zones(), bow_tie]

    def to_wgs84(xs, ys):
        return transform_points("EPSG:3035", "EPSG:4326", list(xs), list(ys))

    def in_wgs84(zone):
        parts = zone["coordinates"] if zone["type"] == "MultiPolygon" else [zone["coordinates"]]
        moved = [[list(zip(*to_wgs84(*zip(*r)))) for r in part] for part in parts]
        return {"type": "MultiPolygon", "coordinates": moved}

    result, context = run_zonal_algorithm(
        zones_layer([in_wgs84(zone) for zone in zones], "EPSG:4326"),
        classes_path,
        confidence_path,
        CLASSES=",".join(map(str, SELECTED)),
        MIN_CONFIDENCE=40,
    )
    names, rows = table_of(result["OUTPUT_TABLE"], context)
    assert names == TABLE_FIELDS
    # The bow tie, made valid, is its two triangles.
    triangles = {
        "type": "MultiPolygon",
        "coordinates": [
            [ring([(10.2, 10.3), (25.3, 25.4), (10.1, 40.6)])],
            [ring([(40.6, 40.7), (25.3, 25.4), (40.4, 10.1)])],
        ],
    }
    reference = reference_rows([*zones[:-1], triangles], classes, confidence, SELECTED, 40)
    expected = {key: value[:4] for key, value in with_zero_rows(reference, len(zones)).items()}
    assert algorithm_rows(names, rows) == expected
    for row in rows:
        values = dict(zip(names, row))
        if is_null(values["class_code"]):  # a zone without a pixel centre: zeros
            assert values["pixels"] == 0 and values["map_area_ha"] == 0
            assert is_null(values["mean_confidence"])
        else:
            assert values["map_area_ha"] == pytest.approx(values["pixels"] / 100)
            assert values["kept_area_ha"] == pytest.approx(values["kept"] / 100)
    from crop_confidence.plugin.domain import nomenclature

    labels = {
        dict(zip(names, row))["class_code"]: dict(zip(names, row))["class_label"] for row in rows
    }
    assert labels[1110] == nomenclature.entry_for("cty", 1110).label("en")
    assert labels[UNKNOWN_CODE] == ""


def test_algorithm_equals_qgis_zonal_histogram(provider, cty_pair, tmp_path):  # noqa: ARG001
    import processing
    from qgis.core import QgsVectorLayer

    classes, confidence, _, confidence_path = cty_pair
    # The CTY band with the pixels our rule calls nodata (CTYCL 255 or 101-252) set to nodata:
    # Zonal histogram then counts exactly the valid pixels.
    nodata = reference_status("cty_ctycl", classes, confidence, None, (), 0, 0)[0]
    valid_classes = np.where(nodata, np.uint16(65535), classes)
    classes_path = write_raster(tmp_path / "cty_valid.tif", valid_classes, nodata=65535)
    zones = sample_zones()
    result, context = run_zonal_algorithm(
        zones_layer(zones), classes_path, confidence_path, MIN_CONFIDENCE=0
    )
    names, rows = table_of(result["OUTPUT_TABLE"], context)
    ours = {k: v[0] for k, v in algorithm_rows(names, rows).items() if k[1] is not None}
    histogram = processing.run(
        "native:zonalhistogram",
        {
            "INPUT_RASTER": classes_path,
            "RASTER_BAND": 1,
            "INPUT_VECTOR": zones_layer(zones),
            "COLUMN_PREFIX": "HISTO_",
            "OUTPUT": str(tmp_path / "histogram.gpkg"),
        },
    )
    layer = QgsVectorLayer(histogram["OUTPUT"], "histogram", "ogr")
    theirs, compared = {}, 0
    for feature in layer.getFeatures():
        zone = int(feature["name"][1:])
        if not centres_inside(zones[zone]).any():
            continue  # no pixel centre: QGIS 3.22 counts touched pixels, we count none
        compared += 1
        for field in layer.fields().names():
            code = field[len("HISTO_") :]
            histogram_code = field.startswith("HISTO_") and code.isdigit() and code != "65535"
            if histogram_code and feature[field]:
                theirs[zone, int(code)] = int(feature[field])
    assert compared == len(zones) - 2
    with_centres = {zone for zone in range(len(zones)) if centres_inside(zones[zone]).any()}
    assert {key: value for key, value in ours.items() if key[0] in with_centres} == theirs
    assert len(theirs) > 50


def test_output_zones_kept_areas_and_style(provider, cty_pair):  # noqa: ARG001
    from qgis.core import QgsGraduatedSymbolRenderer

    from crop_confidence.plugin.processing.zonal_algorithm import ZonesStylePostProcessor

    classes, confidence, classes_path, confidence_path = cty_pair
    zones = sample_zones()
    result, context = run_zonal_algorithm(
        zones_layer(zones),
        classes_path,
        confidence_path,
        CLASSES="1110,2100",
        MIN_CONFIDENCE=30,
        OUTPUT_ZONES="memory:",
    )
    layer = as_layer(result["OUTPUT_ZONES"], context)
    assert layer.fields().names() == ["name", "kept_1110_ha", "kept_2100_ha", "kept_total_ha"]
    kept = reference_status("cty_ctycl", classes, confidence, None, (1110, 2100), 30, 0)[1]
    for feature in layer.getFeatures():
        inside = centres_inside(zones[int(feature["name"][1:])]) & kept
        wheat, sorghum = (inside & (classes == 1110)).sum(), (inside & (classes == 2100)).sum()
        assert feature["kept_1110_ha"] == pytest.approx(wheat / 100)
        assert feature["kept_2100_ha"] == pytest.approx(sorghum / 100)
        assert feature["kept_total_ha"] == pytest.approx((wheat + sorghum) / 100)
        assert not feature.geometry().isEmpty()
    ZonesStylePostProcessor().style(layer)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "kept_total_ha"
    assert len(renderer.ranges()) >= 2


def test_algorithm_refuses_points(provider, cty_pair):  # noqa: ARG001
    from qgis.core import (
        QgsFeature,
        QgsGeometry,
        QgsPointXY,
        QgsProcessingException,
        QgsVectorLayer,
    )

    _, _, classes_path, confidence_path = cty_pair
    points = QgsVectorLayer("Point?crs=EPSG:3035&field=name:string", "points", "memory")
    feature = QgsFeature(points.fields())
    feature.setAttributes(["p"])
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*to_map(3, 3))))
    points.dataProvider().addFeatures([feature])
    with pytest.raises(QgsProcessingException, match="holds no polygons"):
        run_zonal_algorithm(points, classes_path, confidence_path)


@pytest.mark.slow
def test_qgis_process_runs_zonalareas(cty_pair, tmp_path):
    import csv
    import subprocess

    from osgeo import ogr, osr

    from headless import QGIS_PROCESS, plugin_environment

    classes, confidence, classes_path, confidence_path = cty_pair
    zones = sample_zones()[:6]
    path = tmp_path / "zones.gpkg"
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3035)
    layer = dataset.CreateLayer("zones", srs, ogr.wkbMultiPolygon)
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    for number, zone in enumerate(zones):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("name", f"z{number}")
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt(zone)))
        layer.CreateFeature(feature)
    dataset = None
    env = plugin_environment(tmp_path / "config")
    table = tmp_path / "table.csv"
    completed = subprocess.run(
        [QGIS_PROCESS, "--json", "run", ALG, "--", "PRODUCT=0",
         f"CLASS_LAYER={classes_path}", f"CONFIDENCE_LAYER={confidence_path}",
         f"ZONES={path}", "ZONE_FIELD=name", "MIN_CONFIDENCE=40", f"OUTPUT_TABLE={table}"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    with open(table, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    got = {
        (int(row["zone"][1:]), int(row["class_code"])): (int(row["pixels"]), int(row["kept"]))
        for row in rows
    }
    default_crops = tuple(c for c in CTY_CROPS)
    expected = reference_rows(zones, classes, confidence, default_crops, 40)
    assert got == {key: value[:2] for key, value in expected.items()}


def test_engine_16_bit_confidence_of_a_custom_product(tmp_path):
    """16-bit confidence: the joint key holds the confidence's state, not its value, so the
    confidence sums take the other path (a weighted bincount)."""
    rng = np.random.default_rng(8)
    classes = rng.choice(np.array([3, 5, 7, 9], np.int16), (HEIGHT, WIDTH))
    confidence = rng.integers(0, 400, (HEIGHT, WIDTH)).astype(np.uint16)
    class_path = write_raster(tmp_path / "classes.tif", classes)
    confidence_path = write_raster(tmp_path / "confidence.tif", confidence, nodata=399)
    zones = sample_zones()[:6]
    result = run_engine(
        zones, class_path, confidence_path, product="custom", class_codes=(5, 7),
        min_confidence=150,
    )  # fmt: skip
    nodata, kept, low_conf, _ = reference_status(
        "custom", classes, confidence, None, (5, 7), 150, 0, [(confidence, 399)]
    )
    present = {
        (zone, int(code))
        for zone in range(len(zones))
        for code in np.unique(classes[centres_inside(zones[zone]) & ~nodata])
    }
    assert {(int(z), int(c)) for z, c in zip(result.zone, result.class_code)} == present
    for row in range(result.zone.size):
        zone, code = int(result.zone[row]), int(result.class_code[row])
        pixels = centres_inside(zones[zone]) & ~nodata & (classes == code)
        assert result.pixels[row] == pixels.sum()
        assert result.kept[row] == (pixels & kept).sum()
        assert result.dropped_low_confidence[row] == (pixels & low_conf).sum()
        assert result.confidence_sum[row] == confidence[pixels].astype(float).sum()
        assert result.confidence_pixels[row] == pixels.sum()
