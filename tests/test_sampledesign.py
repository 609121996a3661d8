"""Stratified reference samples: plugin.raster.strata (counts, two-pass draw) and
cropconfidence:sampledesign through processing.run and qgis_process (with areaestimate after)."""

import csv
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsVectorLayer,
)

from crop_confidence.plugin.domain.errors import CropMaskError
from crop_confidence.plugin.raster.plan import BandRef
from crop_confidence.plugin.raster.strata import (
    StrataRequest,
    count_strata,
    draw_sample,
    stratum_key,
)
from headless import QGIS_PROCESS, plugin_environment
from rasters import EEA_ORIGIN, write_raster

ALG = "cropconfidence:sampledesign"
PIXEL = 10.0


def reference_keys(classes, confidence, split, nodata=None, conf_nodata=None):
    """Stratum keys per pixel, written from the rules (-1: in no stratum)."""
    level = np.zeros(classes.shape, int)
    if confidence is not None:
        percent = confidence <= 100
        if conf_nodata is not None:
            percent &= confidence != conf_nodata
        level[percent & (confidence < split)] = 1
        level[percent & (confidence >= split)] = 2
    keys = classes.astype(int) * 3 + level
    if nodata is not None:
        keys[classes == nodata] = -1
    return keys


def pixel_of(x, y, origin=EEA_ORIGIN):
    """(row, col) of a pixel centre, checking that (x, y) is one."""
    col, row = (x - origin[0]) / PIXEL - 0.5, (origin[1] - y) / PIXEL - 0.5
    assert col == pytest.approx(round(col), abs=1e-9)
    assert row == pytest.approx(round(row), abs=1e-9)
    return round(row), round(col)


@pytest.fixture()
def random_pair(tmp_path):
    rng = np.random.default_rng(3)
    classes = rng.choice(np.array([0, 1110, 1120, 2100, 65535], np.uint16), (150, 230))
    confidence = rng.choice(np.r_[np.arange(0, 101), [253, 255]].astype(np.uint8), (150, 230))
    return (
        classes,
        confidence,
        write_raster(tmp_path / "cty.tif", classes, nodata=65535, block=32),
        write_raster(tmp_path / "ctycl.tif", confidence, nodata=255, block=32),
    )


def test_counts_and_the_two_pass_draw_on_many_windows(random_pair):
    classes, confidence, classes_path, confidence_path = random_pair
    request = StrataRequest(
        BandRef(classes_path), BandRef(confidence_path), split=70, window_size=32
    )
    keys = reference_keys(classes, confidence, 70, nodata=65535, conf_nodata=255)
    counted = count_strata(request)
    assert len(counted.windows) == 5 * 8
    expected = {int(k): int((keys == k).sum()) for k in np.unique(keys) if k >= 0}
    assert {s.key: s.pixels for s in counted.strata} == expected
    assert counted.area_ha(100) == pytest.approx(1.0)
    # every pixel of a stratum, drawn: the rank -> pixel mapping covers it exactly once
    whole = stratum_key(1120, 2)
    pixels = draw_sample(request, counted, {whole: expected[whole]}, seed=0)
    assert sorted((p.row, p.col) for p in pixels) == sorted(zip(*np.nonzero(keys == whole)))
    # a sample: exact n per stratum, distinct pixels, inside their stratum, at pixel centres
    sizes = {key: min(7, count) for key, count in expected.items()}
    pixels = draw_sample(request, counted, sizes, seed=42)
    assert len({(p.row, p.col) for p in pixels}) == len(pixels) == sum(sizes.values())
    for key, n in sizes.items():
        assert sum(p.key == key for p in pixels) == n
    for p in pixels:
        assert pixel_of(p.x, p.y) == (p.row, p.col)
        assert keys[p.row, p.col] == p.key
        assert p.map_value == classes[p.row, p.col]
        assert p.confidence == confidence[p.row, p.col]
    again = draw_sample(request, counted, sizes, seed=42)
    assert [(p.row, p.col) for p in again] == [(p.row, p.col) for p in pixels]
    other = draw_sample(request, counted, sizes, seed=43)
    assert [(p.row, p.col) for p in other] != [(p.row, p.col) for p in pixels]


def test_a_float_map_is_refused(tmp_path):
    path = write_raster(tmp_path / "float.tif", np.zeros((4, 4), np.float32))
    with pytest.raises(CropMaskError, match="holds float32 values: a map of classes must hold"):
        count_strata(StrataRequest(BandRef(path)))


# ------------------------------------------------------------------ through processing.run


def run(parameters):
    import processing

    return processing.run(ALG, parameters)


def features(layer):
    return [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]


@pytest.fixture()
def runs_map(tmp_path):
    """600 pixels of class 1, 300 of class 2, 100 of class 3, in row-major runs (40 x 25)."""
    classes = np.repeat(np.array([1, 2, 3], np.uint8), [600, 300, 100]).reshape(25, 40)
    return classes, write_raster(tmp_path / "runs.tif", classes, nodata=0)


@pytest.mark.parametrize(
    ("allocation", "expected"),
    [
        (0, [30, 15, 5]),  # 50 x 0.6, 0.3, 0.1
        (1, [17, 17, 16]),  # 16.67 each; the two left go to the first tied strata
        (2, [27, 13, 10]),  # class 3 (5 proportional) gets 10; 40 shared 2:1 -> 26.67, 13.33
    ],
)
def test_allocations_points_and_weights(provider, runs_map, allocation, expected):  # noqa: ARG001
    classes, path = runs_map
    result = run(
        {
            "MAP": path,
            "ALLOCATION": allocation,
            "SAMPLE_SIZE": 50,
            "MIN_PER_STRATUM": 10,
            "SEED": 7,
            "OUTPUT": "memory:",
            "OUTPUT_STRATA": "memory:",
        }
    )
    assert result["TOTAL_SAMPLE"] == 50
    assert result["STRATA_COUNT"] == 3
    strata = features(result["OUTPUT_STRATA"])
    assert [s["stratum"] for s in strata] == ["1", "2", "3"]
    assert [s["pixels"] for s in strata] == [600, 300, 100]
    assert [s["area_ha"] for s in strata] == pytest.approx([6.0, 3.0, 1.0])
    assert [s["n"] for s in strata] == expected
    assert [s["weight"] for s in strata] == pytest.approx(
        [600 / expected[0], 300 / expected[1], 100 / expected[2]]
    )
    points = result["OUTPUT"]
    assert points.crs().authid() == "EPSG:3035"
    rows = features(points)
    seen = set()
    for feature, row in zip(points.getFeatures(), rows):
        point = feature.geometry().asPoint()
        pixel = pixel_of(point.x(), point.y())
        seen.add(pixel)
        assert classes[pixel] == row["map_value"] == int(row["stratum"])
        assert row["weight"] == pytest.approx(
            [600, 300, 100][row["map_value"] - 1] / expected[row["map_value"] - 1]
        )
        assert row["reference"] is None or row["reference"].isNull()
        assert row["confidence"] is None or row["confidence"].isNull()
    assert len(seen) == 50
    assert [sum(r["map_value"] == c for r in rows) for c in (1, 2, 3)] == expected


def point_set(result):
    return sorted(
        (f.geometry().asPoint().x(), f.geometry().asPoint().y())
        for f in result["OUTPUT"].getFeatures()
    )


def test_same_seed_same_points(provider, random_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = random_pair
    parameters = {
        "MAP": classes_path,
        "CONFIDENCE_LAYER": confidence_path,
        "SAMPLE_SIZE": 120,
        "ALLOCATION": 2,
        "MIN_PER_STRATUM": 5,
        "OUTPUT": "memory:",
    }
    first = point_set(run({**parameters, "SEED": 11}))
    assert first == point_set(run({**parameters, "SEED": 11}))
    assert first != point_set(run({**parameters, "SEED": 12}))


def test_confidence_strata_and_zone(provider, random_pair, tmp_path):  # noqa: ARG001
    classes, confidence, classes_path, confidence_path = random_pair
    left, top = EEA_ORIGIN
    polygon = QgsGeometry.fromWkt(
        f"POLYGON(({left + 203} {top - 17}, {left + 1900} {top - 305}, "
        f"{left + 800} {top - 1444}, {left + 203} {top - 17}),"
        f"({left + 703.7} {top - 401.3}, {left + 1002.9} {top - 398.1}, "
        f"{left + 1001.3} {top - 702.6}, {left + 703.7} {top - 401.3}))"
    )
    zone = QgsVectorLayer("Polygon?crs=EPSG:3035", "zone", "memory")
    feature = QgsFeature()
    feature.setGeometry(polygon)
    zone.dataProvider().addFeatures([feature])
    # the centre rule, checked with QGIS's geometry engine, pixel by pixel (no pixel centre
    # lies on an edge: the vertices are off the pixel lattice)
    inside = np.zeros(classes.shape, bool)
    for row in range(classes.shape[0]):
        for col in range(classes.shape[1]):
            x, y = left + (col + 0.5) * PIXEL, top - (row + 0.5) * PIXEL
            inside[row, col] = polygon.contains(QgsPointXY(x, y))
    keys = reference_keys(classes, confidence, 60, nodata=65535, conf_nodata=255)
    keys[~inside] = -1
    result = run(
        {
            "MAP": classes_path,
            "CONFIDENCE_LAYER": confidence_path,
            "CONFIDENCE_SPLIT": 60,
            "ZONE": zone,
            "ALLOCATION": 1,
            "SAMPLE_SIZE": 90,
            "OUTPUT": "memory:",
            "OUTPUT_STRATA": "memory:",
        }
    )
    strata = features(result["OUTPUT_STRATA"])
    names = {0: "", 1: "/low", 2: "/high"}
    expected = {
        f"{k // 3}{names[k % 3]}": int((keys == k).sum()) for k in np.unique(keys) if k >= 0
    }
    assert {s["stratum"]: s["pixels"] for s in strata} == expected
    assert "0" in expected and "1110/low" in expected and "2100/high" in expected
    for point, row in zip(result["OUTPUT"].getFeatures(), features(result["OUTPUT"])):
        r, c = pixel_of(point.geometry().asPoint().x(), point.geometry().asPoint().y())
        assert inside[r, c]
        key = keys[r, c]
        assert row["stratum"] == f"{key // 3}{names[key % 3]}"
        assert row["confidence"] == confidence[r, c]
    assert sum(s["n"] for s in strata) == 90


def test_cochran_sample_size_from_the_target_se(provider, tmp_path):  # noqa: ARG001
    # A formula check against a hand computation (illustrative inputs, not published figures):
    # the strata shares of the paper's example (200 : 150 : 3200 : 6450), S(O) = 0.01, expected
    # user's accuracies 0.7, 0.6, 0.9, 0.95; n from Olofsson 2014 eq. 13 written out here.
    # Minimum 75: classes 1 and 2 get 75, the other 491 are shared 3200 : 6450 -> 163, 328.
    shares, users = [200, 150, 3200, 6450], [0.7, 0.6, 0.9, 0.95]
    spread = sum(w / 10_000 * math.sqrt(u * (1 - u)) for w, u in zip(shares, users))
    expected = math.ceil((spread / 0.01) ** 2)
    assert expected == 641  # the by-hand allocation below is for this n
    classes = np.repeat(np.arange(1, 5, dtype=np.uint8), [200, 150, 3200, 6450]).reshape(100, 100)
    path = write_raster(tmp_path / "paper.tif", classes, nodata=0)
    result = run(
        {
            "MAP": path,
            "SAMPLE_SIZE": 0,
            "TARGET_SE": 0.01,
            "EXPECTED_USERS_ACCURACY": "1=0.7, 2=0.6, 3=0.9, 4=0.95",
            "ALLOCATION": 2,
            "MIN_PER_STRATUM": 75,
            "OUTPUT": "memory:",
            "OUTPUT_STRATA": "memory:",
        }
    )
    assert result["TOTAL_SAMPLE"] == expected
    assert [s["n"] for s in features(result["OUTPUT_STRATA"])] == [75, 75, 163, 328]


def test_a_missing_expected_accuracy_and_too_large_a_sample_are_refused(provider, runs_map):  # noqa: ARG001
    _, path = runs_map
    with pytest.raises(
        QgsProcessingException, match="No expected user's accuracy is given for class 3"
    ):
        run(
            {
                "MAP": path,
                "SAMPLE_SIZE": 0,
                "EXPECTED_USERS_ACCURACY": "1=0.7, 2=0.8",
                "OUTPUT": "memory:",
            }
        )
    with pytest.raises(QgsProcessingException, match="larger than the 1000 pixels"):
        run({"MAP": path, "SAMPLE_SIZE": 1001, "OUTPUT": "memory:"})


# ------------------------------------------------------------------ qgis_process


def qgis_process(env, *arguments):
    completed = subprocess.run(
        [QGIS_PROCESS, "--json", *arguments], env=env, capture_output=True, text=True, timeout=300
    )
    return completed.returncode, completed.stdout[completed.stdout.find("{") :], completed.stderr


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_qgis_process_sample_design_then_area_estimate(tmp_path, runs_map):
    _, path = runs_map
    env = plugin_environment(tmp_path / "profile")
    sample = tmp_path / "sample.gpkg"
    code, output, stderr = qgis_process(
        env, "run", ALG, "--", f"MAP={path}", "SAMPLE_SIZE=40", "ALLOCATION=1", "SEED=3",
        f"OUTPUT={sample}", f"OUTPUT_STRATA={tmp_path / 'strata.csv'}",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(output)["results"]["TOTAL_SAMPLE"] == 40
    strata = read_csv(tmp_path / "strata.csv")
    assert [(r["stratum"], r["pixels"], r["n"]) for r in strata] == [
        ("1", "600", "14"),
        ("2", "300", "13"),
        ("3", "100", "13"),
    ]
    assert [float(r["weight"]) for r in strata] == pytest.approx([600 / 14, 300 / 13, 100 / 13])
    # label every point with its map class: a perfect map
    layer = QgsVectorLayer(str(sample), "sample", "ogr")
    reference = layer.fields().indexOf("reference")
    with_values = {f.id(): {reference: f["map_value"]} for f in layer.getFeatures()}
    assert layer.dataProvider().changeAttributeValues(with_values)
    del layer
    code, output, stderr = qgis_process(
        env, "run", "cropconfidence:areaestimate", "--", f"MAP={path}", f"SAMPLE={sample}",
        "REFERENCE_FIELD=reference", f"OUTPUT={tmp_path / 'areas.csv'}",
    )  # fmt: skip
    assert code == 0, stderr
    results = json.loads(output)["results"]
    assert results["OVERALL_ACCURACY"] == pytest.approx(1.0, abs=1e-12)
    assert results["OVERALL_ACCURACY_CI95"] == pytest.approx(0.0, abs=1e-12)
    assert results["TOTAL_AREA_HA"] == pytest.approx(10.0)
    rows = read_csv(tmp_path / "areas.csv")
    assert [float(r["area_ha"]) for r in rows] == pytest.approx([6.0, 3.0, 1.0])
    assert [float(r["map_area_ha"]) for r in rows] == pytest.approx([6.0, 3.0, 1.0])
    assert [float(r["area_ci95_ha"]) for r in rows] == [0.0, 0.0, 0.0]


def test_the_draw_is_uniform_within_a_stratum(tmp_path):
    """A stratum of 6 pixels spread over 4 windows, 2 drawn, seeds 0-299: each pixel is drawn
    about 100 times (binomial sd 8.2; the bound is 5 sd)."""
    classes = np.zeros((32, 32), np.uint8)
    spots = [(0, 0), (1, 26), (25, 2), (31, 31), (20, 17), (3, 3)]
    for spot in spots:
        classes[spot] = 1
    path = write_raster(tmp_path / "spots.tif", classes, block=16)
    request = StrataRequest(BandRef(path), window_size=16)
    counted = count_strata(request)
    assert len(counted.windows) == 4
    drawn = {spot: 0 for spot in spots}
    key = stratum_key(1, 0)
    for seed in range(300):
        for pixel in draw_sample(request, counted, {key: 2}, seed):
            if pixel.key == key:
                drawn[(pixel.row, pixel.col)] += 1
    assert sum(drawn.values()) == 600
    assert all(abs(count - 100) < 41 for count in drawn.values()), drawn


def test_an_invalid_zone_in_another_crs_is_reprojected_and_made_valid(provider, runs_map):  # noqa: ARG001
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

    classes, path = runs_map
    left, top = EEA_ORIGIN
    bow_tie = QgsGeometry.fromWkt(
        f"POLYGON(({left + 13.1} {top - 7.3}, {left + 391.7} {top - 243.9}, "
        f"{left + 387.2} {top - 11.6}, {left + 21.4} {top - 238.8}, {left + 13.1} {top - 7.3}))"
    )
    assert not bow_tie.isGeosValid()
    to_wgs84 = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:3035"),
        QgsCoordinateReferenceSystem("EPSG:4326"),
        QgsProject.instance(),
    )
    zone_geometry = QgsGeometry(bow_tie)
    zone_geometry.transform(to_wgs84)
    zone = QgsVectorLayer("Polygon?crs=EPSG:4326", "zone", "memory")
    feature = QgsFeature()
    feature.setGeometry(zone_geometry)
    zone.dataProvider().addFeatures([feature])
    # the reference: the zone back in EPSG:3035, made valid, and the centre rule
    expected_zone = QgsGeometry(zone_geometry)
    expected_zone.transform(
        QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:4326"),
            QgsCoordinateReferenceSystem("EPSG:3035"),
            QgsProject.instance(),
        )
    )
    expected_zone = expected_zone.makeValid()
    counts = {1: 0, 2: 0, 3: 0}
    for row in range(classes.shape[0]):
        for col in range(classes.shape[1]):
            centre = QgsPointXY(left + (col + 0.5) * PIXEL, top - (row + 0.5) * PIXEL)
            if expected_zone.contains(centre):
                counts[int(classes[row, col])] += 1
    parameters = {
        "MAP": path,
        "ZONE": zone,
        "SAMPLE_SIZE": 12,
        "ALLOCATION": 1,
        "OUTPUT": "memory:",
        "OUTPUT_STRATA": "memory:",
    }
    # made valid whatever Processing's invalid-geometry setting, and a second run still works
    # (on QGIS 3.22, a feature source's own check raising inside its iterator crashed the next run)
    run(parameters)
    result = run(parameters)
    strata = features(result["OUTPUT_STRATA"])
    assert {int(s["stratum"]): s["pixels"] for s in strata} == {
        code: count for code, count in counts.items() if count
    }
    assert sum(counts.values()) > 300


def test_a_zone_off_the_map_is_refused(runs_map):
    _, path = runs_map
    far = {"type": "Polygon", "coordinates": [[(0, 0), (10, 0), (10, 10), (0, 0)]]}
    with pytest.raises(CropMaskError, match=r"The zone \(0, 0, 10, 10\) does not overlap the map"):
        count_strata(StrataRequest(BandRef(path), zones=(far,)))


def test_a_stratum_left_with_fewer_than_two_points_is_reported(provider, runs_map):  # noqa: ARG001
    import processing
    from qgis.core import QgsProcessingFeedback

    class Errors(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatalError=False):  # noqa: N802, N803 (QGIS API)
            self.errors.append(error)

    _, path = runs_map
    feedback = Errors()
    parameters = {"MAP": path, "ALLOCATION": 0, "SAMPLE_SIZE": 10, "OUTPUT": "memory:"}
    result = processing.run(ALG, parameters, feedback=feedback)
    # 10 x 0.1 = 1 point for class 3
    assert result["TOTAL_SAMPLE"] == 10
    assert feedback.errors == [
        "Stratum 3 gets 1 point(s): the area estimate needs at least 2 per stratum. Use the "
        "minimum-per-stratum allocation or a larger sample."
    ]


# ------------------------------------------------------------------ bounded memory

MEMORY_CHILD = r"""
import sys
from crop_confidence.plugin.domain import area_estimate
from crop_confidence.plugin.raster.plan import BandRef
from crop_confidence.plugin.raster.strata import StrataRequest, count_strata, draw_sample

def status(field):
    with open("/proc/self/status") as status_file:
        for line in status_file:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

def design(path, n, minimum):
    request = StrataRequest(BandRef(path))
    counted = count_strata(request)
    pixels = [stratum.pixels for stratum in counted.strata]
    sizes = area_estimate.allocate(pixels, n, area_estimate.MINIMUM_THEN_PROPORTIONAL, minimum)
    allocated = {stratum.key: int(size) for stratum, size in zip(counted.strata, sizes)}
    return draw_sample(request, counted, allocated, seed=1)

design(sys.argv[2], 40, 2)  # first use: GDAL's driver and PROJ, numpy's generator
before = status("VmRSS")
drawn = len(design(sys.argv[1], 1000, 50))
print(before, status("VmHWM"), drawn)
"""


def parcels(size, seed):
    """A CTY-like uint16 map of random 37-pixel parcels, 65535 along the west edge."""
    rng = np.random.default_rng(seed)
    codes = np.array([0, 0, 1110, 1120, 1130, 2100, 3100], np.uint16)
    coarse = rng.choice(codes, (size // 37 + 1, size // 37 + 1))
    classes = np.repeat(np.repeat(coarse, 37, axis=0), 37, axis=1)[:size, :size]
    classes[:, : size // 20] = 65535
    return classes


def test_the_sample_design_reads_the_map_block_by_block(tmp_path):
    """Peak memory of count + draw (1000 points) on a 5000² uint16 map, in a child process.

    The bound is the map's size in memory, 5000² x 2 bytes = 50 MB: a design that held the
    whole map at once (one read of the band, or GDAL's block cache left at its default of 5 %
    of the RAM, which kept every decompressed block: +60 MB measured on 4000² before it was
    bounded) goes over it. Read by 512² windows, the peak stays 16 MB above the RSS after a
    first small run (which pays the one-time costs of GDAL, PROJ and numpy, not per pixel),
    the same for 4000² and 10000² maps: the windows' arrays, not the map, set it."""
    size = 5000
    big = write_raster(tmp_path / "big.tif", parcels(size, 1), nodata=65535, block=256)
    small = write_raster(tmp_path / "small.tif", parcels(600, 2), nodata=65535, block=256)
    env = {key: value for key, value in os.environ.items() if key != "GDAL_CACHEMAX"}
    completed = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, big, small],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    before, peak, drawn = map(int, completed.stdout.split())
    assert drawn == 1000
    map_bytes = size * size * np.dtype(np.uint16).itemsize
    assert peak - before < map_bytes, (peak - before) / 2**20
