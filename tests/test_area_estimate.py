"""Area estimates from a reference sample: plugin.domain.area_estimate against a plain reference
written here, and cropconfidence:areaestimate on Olofsson et al. (2014)'s worked example
(../shared/reference/area_estimation.md), through processing.run."""

import math
from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsVectorLayer,
)

from crop_confidence.plugin.domain import area_estimate as ae
from crop_confidence.plugin.domain.errors import CropMaskError
from rasters import write_raster

ALG = "cropconfidence:areaestimate"

# ------------------------------------------------------------------ an independent reference
# Written from the formulas (Olofsson 2014 eqs. 4-10; Stehman 2014 eqs. for the general
# stratified estimator), with loops and numpy's var/cov, not from the plugin's code.


def reference_olofsson(counts, mapped_areas):
    k = len(mapped_areas)
    w = [a / sum(mapped_areas) for a in mapped_areas]
    n = [sum(row) for row in counts]
    p = [[w[i] * counts[i][j] / n[i] for j in range(k)] for i in range(k)]
    p_col = [sum(p[i][j] for i in range(k)) for j in range(k)]
    p_row = [sum(p[i]) for i in range(k)]
    se_area = []
    for j in range(k):
        total = 0.0
        for i in range(k):
            f = counts[i][j] / n[i]
            total += w[i] ** 2 * f * (1 - f) / (n[i] - 1)
        se_area.append(math.sqrt(total))
    users = [p[i][i] / p_row[i] for i in range(k)]
    users_se = [math.sqrt(users[i] * (1 - users[i]) / (n[i] - 1)) for i in range(k)]
    overall = sum(p[i][i] for i in range(k))
    overall_se = math.sqrt(
        sum(w[i] ** 2 * users[i] * (1 - users[i]) / (n[i] - 1) for i in range(k))
    )
    big_n = list(mapped_areas)
    producers, producers_se = [], []
    for j in range(k):
        n_hat = sum(big_n[i] / n[i] * counts[i][j] for i in range(k))
        prod = p[j][j] / p_col[j] if p_col[j] else math.nan
        first = big_n[j] ** 2 * (1 - prod) ** 2 * users[j] * (1 - users[j]) / (n[j] - 1)
        second = 0.0
        for i in range(k):
            if i != j:
                f = counts[i][j] / n[i]
                second += big_n[i] ** 2 * f * (1 - f) / (n[i] - 1)
        producers.append(prod)
        producers_se.append(math.sqrt((first + prod**2 * second) / n_hat**2) if n_hat else math.nan)
    return {
        "error_matrix": np.array(p),
        "proportions": np.array(p_col),
        "proportions_se": np.array(se_area),
        "users": np.array(users),
        "users_se": np.array(users_se),
        "producers": np.array(producers),
        "producers_se": np.array(producers_se),
        "overall": overall,
        "overall_se": overall_se,
    }


def reference_general(sizes, strata, mapped, reference, k):
    """Stehman (2014): totals by stratum, ratios by the combined ratio estimator."""
    sizes = np.asarray(sizes, float)
    big_n = sizes.sum()
    strata, mapped, reference = map(np.asarray, (strata, mapped, reference))

    def mean_and_var(y):
        total, var = 0.0, 0.0
        for h, size in enumerate(sizes):
            yh = y[strata == h].astype(float)
            total += size * yh.mean()
            var += size**2 * yh.var(ddof=1) / yh.size
        return total / big_n, var / big_n**2

    def ratio(y, x):
        y_total = sum(sizes[h] * y[strata == h].mean() for h in range(sizes.size))
        x_total = sum(sizes[h] * x[strata == h].mean() for h in range(sizes.size))
        if x_total == 0:
            return math.nan, math.nan
        r = y_total / x_total
        var = 0.0
        for h, size in enumerate(sizes):
            yh, xh = y[strata == h].astype(float), x[strata == h].astype(float)
            c = np.cov(np.vstack([yh, xh]), ddof=1)
            var += size**2 * (c[0, 0] + r**2 * c[1, 1] - 2 * r * c[0, 1]) / yh.size
        return r, math.sqrt(max(var, 0.0)) / x_total

    out = {key: np.zeros(k) for key in ("proportions", "proportions_se", "users", "users_se")}
    out.update(producers=np.zeros(k), producers_se=np.zeros(k), error_matrix=np.zeros((k, k)))
    for j in range(k):
        for i in range(k):
            out["error_matrix"][i, j] = mean_and_var((mapped == i) & (reference == j))[0]
        mean, var = mean_and_var(reference == j)
        out["proportions"][j], out["proportions_se"][j] = mean, math.sqrt(var)
        hit = (mapped == j) & (reference == j)
        out["users"][j], out["users_se"][j] = ratio(hit, mapped == j)
        out["producers"][j], out["producers_se"][j] = ratio(hit, reference == j)
    overall, var = mean_and_var(mapped == reference)
    out["overall"], out["overall_se"] = overall, math.sqrt(var)
    return out


def assert_estimate(estimate, expected):
    for name, value in expected.items():
        np.testing.assert_allclose(
            getattr(estimate, name), value, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=name
        )


def units_of(counts):
    """Sample units (stratum = map class, map class, reference class) of an error matrix."""
    strata, mapped, reference = [], [], []
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            strata += [i] * int(count)
            mapped += [i] * int(count)
            reference += [j] * int(count)
    return strata, mapped, reference


PAPER_COUNTS = [[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]]
PAPER_PIXELS = [200_000, 150_000, 3_200_000, 6_450_000]


@pytest.mark.parametrize("seed", range(8))
def test_olofsson_and_general_estimators_match_the_reference_on_random_matrices(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    counts = rng.integers(0, 40, (k, k)) * (rng.random((k, k)) < 0.7)
    counts[np.arange(k), np.arange(k)] += rng.integers(2, 60, k)  # n_i. >= 2
    areas = rng.integers(1_000, 10_000_000, k).astype(float)
    expected = reference_olofsson(counts.tolist(), areas.tolist())
    assert_estimate(ae.olofsson_estimate(counts, areas), expected)
    # the general estimator, with the map classes as strata, gives the same
    strata, mapped, reference = units_of(counts)
    general = ae.stratified_estimate(areas, strata, mapped, reference, k)
    assert_estimate(general, expected)


@pytest.mark.parametrize("seed", range(8))
def test_general_estimator_with_strata_that_differ_from_map_classes(seed):
    rng = np.random.default_rng(100 + seed)
    k, h = int(rng.integers(2, 5)), int(rng.integers(3, 9))
    sizes = rng.integers(500, 1_000_000, h)
    n_h = rng.integers(2, 40, h)
    strata = np.repeat(np.arange(h), n_h)
    mapped = rng.integers(0, k, strata.size)
    # reference mostly agrees with the map
    reference = np.where(rng.random(strata.size) < 0.7, mapped, rng.integers(0, k, strata.size))
    general = ae.stratified_estimate(sizes, strata, mapped, reference, k)
    assert_estimate(general, reference_general(sizes, strata, mapped, reference, k))
    assert general.error_matrix.sum() == pytest.approx(1.0)


def test_paper_example_in_the_engine():
    e = ae.olofsson_estimate(PAPER_COUNTS, PAPER_PIXELS)
    hectares = 900_000
    assert np.round(e.proportions * hectares).tolist() == [21158, 11686, 285770, 581386]
    assert np.round(1.96 * e.proportions_se * hectares).tolist() == [6158, 3756, 15510, 16282]


def test_a_stratum_with_one_unit_is_refused():
    with pytest.raises(CropMaskError, match="at least 2"):
        ae.stratified_estimate([10, 10], [0, 0, 1], [0, 1, 1], [0, 1, 1], 2)


def cochran_by_hand(areas, users, target_se):
    """Olofsson 2014 eq. 13, written out here: n = (sum_i W_i sqrt(U_i (1 - U_i)) / S(O))^2,
    W_i = the stratum's area share, rounded up to a whole point."""
    total = sum(areas)
    spread = sum(a / total * math.sqrt(u * (1 - u)) for a, u in zip(areas, users))
    return math.ceil((spread / target_se) ** 2)


def test_cochran_sample_size_formula_by_hand():
    # A formula check against a hand computation, not a published figure: the strata are the
    # paper's example (its stratum sizes are in ../shared/reference/area_estimation.md), but
    # the target S(O) = 0.01 and the expected user's accuracies 0.7, 0.6, 0.9, 0.95 are
    # illustrative inputs (the reference file does not give the paper's own sample-size inputs).
    users = [0.7, 0.6, 0.9, 0.95]
    expected = cochran_by_hand(PAPER_PIXELS, users, 0.01)
    assert expected == 641  # (0.00917 + 0.00735 + 0.0960 + 0.1406)^2 / 0.01^2 = 640.5
    assert ae.cochran_sample_size(PAPER_PIXELS, users, 0.01) == expected
    # other inputs, same formula: equal areas and one accuracy; and a tiny sample stays >= 1
    assert ae.cochran_sample_size([5, 5], [0.8, 0.8], 0.03) == cochran_by_hand(
        [5, 5], [0.8] * 2, 0.03
    )
    assert ae.cochran_sample_size([1, 3], [0.99, 0.5], 0.05) == cochran_by_hand(
        [1, 3], [0.99, 0.5], 0.05
    )
    assert ae.cochran_sample_size([1], [1.0], 0.01) == 1


def test_allocations_by_hand():
    # minimum 75: classes 1 and 2 (12.8 and 9.6 proportional points) get 75; the other 491
    # are shared 3.2 : 6.45 -> 162.82, 328.18 -> 163, 328 (largest remainder).
    assert ae.allocate(PAPER_PIXELS, 641, ae.MINIMUM_THEN_PROPORTIONAL, 75).tolist() == [
        75,
        75,
        163,
        328,
    ]
    # 12.82, 9.615, 205.12, 413.445 -> floors 639, the two largest remainders get one more
    assert ae.allocate(PAPER_PIXELS, 641, ae.PROPORTIONAL).tolist() == [13, 10, 205, 413]
    # 160.25 each: the one left goes to the first of the tied strata
    assert ae.allocate(PAPER_PIXELS, 641, ae.EQUAL).tolist() == [161, 160, 160, 160]
    # a stratum smaller than its share gives all its pixels, the rest goes to the others
    assert ae.allocate([3, 100, 100], 30, ae.EQUAL).tolist() == [3, 14, 13]
    assert ae.allocate([3, 1000, 3000], 40, ae.MINIMUM_THEN_PROPORTIONAL, 10).tolist() == [
        3,
        10,
        27,
    ]
    with pytest.raises(CropMaskError, match="smaller than 75 points"):
        ae.allocate(PAPER_PIXELS, 200, ae.MINIMUM_THEN_PROPORTIONAL, 75)
    with pytest.raises(CropMaskError, match="larger than the 203 pixels"):
        ae.allocate([3, 100, 100], 300, ae.PROPORTIONAL)


def test_expected_accuracies_parsing():
    assert ae.parse_expected_accuracies("0.8") == (0.8, {})
    assert ae.parse_expected_accuracies("1110=0.7; 1120=0.9, 0.85") == (
        0.85,
        {1110: 0.7, 1120: 0.9},
    )
    with pytest.raises(CropMaskError, match="not an expected user's accuracy"):
        ae.parse_expected_accuracies("wheat=0.7")
    with pytest.raises(CropMaskError, match="not between 0 and 1"):
        ae.parse_expected_accuracies("80")
    with pytest.raises(CropMaskError, match="class 5"):
        ae.expected_accuracy(None, {1: 0.7}, 5)


# ------------------------------------------------------------------ through processing.run

PIXEL = 30.0  # 0.09 ha: the paper's Landsat pixels
ORIGIN = (500_000.0, 6_000_000.0)
WIDTH, HEIGHT = 4000, 2500  # 10,000,000 pixels


@pytest.fixture(scope="module")
def paper_map(tmp_path_factory):
    """The paper's map: 200,000 / 150,000 / 3,200,000 / 6,450,000 pixels of classes 1-4, in
    row-major runs; the path and the flat index where each class starts."""
    values = np.repeat(np.arange(1, 5, dtype=np.uint8), PAPER_PIXELS).reshape(HEIGHT, WIDTH)
    folder = tmp_path_factory.mktemp("paper")
    path = write_raster(
        folder / "map.tif", values, crs="EPSG:32630", origin=ORIGIN, pixel=PIXEL, nodata=0,
        block=256,
    )  # fmt: skip
    return path, np.cumsum([0, *PAPER_PIXELS[:-1]])


def centre(flat):
    row, col = divmod(int(flat), WIDTH)
    return ORIGIN[0] + (col + 0.5) * PIXEL, ORIGIN[1] - (row + 0.5) * PIXEL


def point_layer(points, stratum=False):
    """A memory point layer of (x, y, reference[, stratum]) in EPSG:32630."""
    uri = "Point?crs=EPSG:32630&field=reference:integer"
    if stratum:
        uri += "&field=stratum:string"
    layer = QgsVectorLayer(uri, "sample", "memory")
    features = []
    for x, y, *attributes in points:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feature.setAttributes(list(attributes))
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    return layer


def paper_points(starts):
    """The paper's error matrix as points: n_ij points in class i's pixels, referenced j."""
    points = []
    for i, row in enumerate(PAPER_COUNTS):
        flat = starts[i]
        for j, count in enumerate(row):
            for _ in range(count):
                points.append((*centre(flat), j + 1))
                flat += 1
    return points


def run(parameters):
    import processing

    return processing.run(ALG, parameters)


def table_rows(layer):
    return [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]


def test_paper_example_through_processing(provider, paper_map):  # noqa: ARG001
    path, starts = paper_map
    result = run(
        {
            "MAP": path,
            "SAMPLE": point_layer(paper_points(starts)),
            "REFERENCE_FIELD": "reference",
            "OUTPUT": "memory:",
            "OUTPUT_MATRIX": "memory:",
        }
    )
    rows = table_rows(result["OUTPUT"])
    assert [row["class_code"] for row in rows] == [1, 2, 3, 4]
    assert [row["n"] for row in rows] == [75, 75, 165, 325]
    assert [row["map_pixels"] for row in rows] == PAPER_PIXELS
    assert [row["map_area_ha"] for row in rows] == pytest.approx([18_000, 13_500, 288_000, 580_500])
    assert [round(row["area_ha"]) for row in rows] == [21158, 11686, 285770, 581386]
    assert [round(row["area_ci95_ha"]) for row in rows] == [6158, 3756, 15510, 16282]
    assert round(rows[0]["area_pixels"]) == 235_086
    assert round(rows[0]["area_ci95_pixels"]) == 68_418
    assert [round(row["users_accuracy"], 2) for row in rows] == [0.88, 0.73, 0.93, 0.96]
    assert [round(row["users_ci95"], 2) for row in rows] == [0.07, 0.10, 0.04, 0.02]
    assert [round(row["producers_accuracy"], 2) for row in rows] == [0.75, 0.85, 0.93, 0.96]
    assert [round(row["producers_ci95"], 2) for row in rows] == [0.21, 0.25, 0.03, 0.02]
    assert round(result["OVERALL_ACCURACY"], 2) == 0.95
    assert round(result["OVERALL_ACCURACY_CI95"], 2) == 0.02
    assert result["TOTAL_AREA_HA"] == pytest.approx(900_000)
    for row in rows:
        assert row["area_low_ha"] == pytest.approx(row["area_ha"] - row["area_ci95_ha"])
        assert row["area_se_ha"] == pytest.approx(row["area_ci95_ha"] / 1.96)
    # the error matrix in area proportions: p_ij = W_i n_ij / n_i. (eq. 4)
    matrix = table_rows(result["OUTPUT_MATRIX"])
    assert [row["map_class"] for row in matrix] == ["1", "2", "3", "4", "total"]
    w = np.array(PAPER_PIXELS) / 10_000_000
    for i, row in enumerate(matrix[:4]):
        expected = w[i] * np.array(PAPER_COUNTS[i]) / sum(PAPER_COUNTS[i])
        got = [row[f"ref_{j}"] for j in range(1, 5)]
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        assert row["total"] == pytest.approx(w[i])
    assert matrix[4]["total"] == pytest.approx(1.0)
    assert matrix[4]["ref_1"] * 900_000 == pytest.approx(rows[0]["area_ha"])


def test_stratum_field_and_confidence_strata(provider, tmp_path):  # noqa: ARG001
    """Class x confidence strata: the algorithm equals the test's general estimator on the
    strata sizes counted here with numpy, whether strata come from a field or the rasters."""
    rng = np.random.default_rng(5)
    classes = rng.choice(np.array([1, 2, 3], np.uint8), (60, 80), p=[0.2, 0.3, 0.5])
    confidence = rng.integers(0, 101, (60, 80)).astype(np.uint8)
    map_path = write_raster(tmp_path / "map.tif", classes, crs="EPSG:32630", pixel=10.0)
    conf_path = write_raster(tmp_path / "conf.tif", confidence, crs="EPSG:32630", pixel=10.0)
    high = confidence >= 60
    keys = classes.astype(int) * 2 + high
    order = sorted(np.unique(keys).tolist())
    sizes = [int((keys == key).sum()) for key in order]
    points, strata, mapped, reference = [], [], [], []
    for h, key in enumerate(order):
        rows, cols = np.nonzero(keys == key)
        for index in rng.choice(rows.size, 6, replace=False):
            row, col = rows[index], cols[index]
            ref = int(classes[row, col]) if rng.random() < 0.75 else int(rng.integers(1, 4))
            name = f"{key // 2}/{'high' if key % 2 else 'low'}"
            x, y = 3_800_000 + (col + 0.5) * 10, 2_700_000 - (row + 0.5) * 10
            points.append((x, y, ref, name))
            strata.append(h)
            mapped.append(int(classes[row, col]) - 1)
            reference.append(ref - 1)
    expected = reference_general(sizes, strata, mapped, reference, 3)
    for use_field in (False, True):
        result = run(
            {
                "MAP": map_path,
                "CONFIDENCE_LAYER": conf_path,
                "CONFIDENCE_SPLIT": 60,
                "SAMPLE": point_layer(points, stratum=True),
                "REFERENCE_FIELD": "reference",
                "STRATUM_FIELD": "stratum" if use_field else None,
                "OUTPUT": "memory:",
            }
        )
        rows = table_rows(result["OUTPUT"])
        np.testing.assert_allclose([r["area_proportion"] for r in rows], expected["proportions"])
        np.testing.assert_allclose(
            [r["area_proportion_se"] for r in rows], expected["proportions_se"]
        )
        np.testing.assert_allclose([r["users_accuracy"] for r in rows], expected["users"])
        np.testing.assert_allclose([r["users_ci95"] for r in rows], 1.96 * expected["users_se"])
        np.testing.assert_allclose([r["producers_accuracy"] for r in rows], expected["producers"])
        np.testing.assert_allclose(
            [r["producers_ci95"] for r in rows], 1.96 * expected["producers_se"]
        )
        assert result["OVERALL_ACCURACY"] == pytest.approx(expected["overall"])
        assert [r["area_ha"] for r in rows] == pytest.approx(expected["proportions"] * 48.0)


@pytest.fixture()
def small_map(tmp_path):
    classes = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 0, 0]], np.uint8)
    return write_raster(tmp_path / "small.tif", classes, crs="EPSG:32630", pixel=10.0, nodata=0)


def small_point(row, col, reference):
    return (3_800_000 + (col + 0.5) * 10, 2_700_000 - (row + 0.5) * 10, reference)


GOOD = [(0, 0, 1), (0, 1, 1), (0, 2, 2), (1, 3, 2), (2, 0, 3), (2, 1, 1)]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (
            [*GOOD, (5, 0, 1)],
            r"Point 7 of 'sample' \(3800005.00, 2699945.00 in the map's CRS\) is outside the map",
        ),
        ([*GOOD, (2, 3, 1)], "Point 7 of 'sample' lies on a no-data pixel of the map"),
        ([*GOOD[:-1], (2, 1, 7)], r"the reference '7' in the field 'reference' is not a class "),
        ([*GOOD[:-1], (2, 1, None)], "Point 6 of 'sample' has no reference class in the field"),
        (GOOD[:-1], r"Stratum 3 \(2 pixels\) has 1 reference point\(s\) in 'sample'"),
    ],
)
def test_bad_samples_are_refused_with_the_point_named(provider, small_map, points, message):  # noqa: ARG001
    layer = point_layer([small_point(*p) for p in points])
    with pytest.raises(QgsProcessingException, match=message):
        run(
            {"MAP": small_map, "SAMPLE": layer, "REFERENCE_FIELD": "reference", "OUTPUT": "memory:"}
        )


def test_an_unknown_stratum_name_is_refused(provider, small_map):  # noqa: ARG001
    layer = point_layer(
        [(*small_point(*p), str(p[2])) for p in GOOD[:-1]] + [(*small_point(2, 1, 1), "9")],
        stratum=True,
    )
    with pytest.raises(
        QgsProcessingException,
        match=r"the stratum '9' in the field 'stratum' is not a stratum of the map "
        r"\(its strata: 1, 2, 3\)",
    ):
        run(
            {
                "MAP": small_map,
                "SAMPLE": layer,
                "REFERENCE_FIELD": "reference",
                "STRATUM_FIELD": "stratum",
                "OUTPUT": "memory:",
            }
        )


def test_a_zone_limits_the_strata_and_the_points(provider, small_map):  # noqa: ARG001
    """Zone = the two left columns: 4 pixels of class 1, 2 of class 3 (class 2 is outside)."""
    x0, y0 = 3_800_000, 2_700_000
    zone = QgsVectorLayer("Polygon?crs=EPSG:32630", "zone", "memory")
    feature = QgsFeature()
    feature.setGeometry(
        QgsGeometry.fromWkt(
            f"POLYGON(({x0} {y0}, {x0 + 20} {y0}, {x0 + 20} {y0 - 30}, {x0} {y0 - 30}, {x0} {y0}))"
        )
    )
    zone.dataProvider().addFeatures([feature])
    points = [(0, 0, 1), (0, 1, 1), (2, 0, 3), (2, 1, 1)]
    result = run(
        {
            "MAP": small_map,
            "ZONE": zone,
            "SAMPLE": point_layer([small_point(*p) for p in points]),
            "REFERENCE_FIELD": "reference",
            "OUTPUT": "memory:",
        }
    )
    rows = table_rows(result["OUTPUT"])
    assert [row["class_code"] for row in rows] == [1, 3]
    assert [row["map_pixels"] for row in rows] == [4, 2]
    # p_1 = 4/6 * 1 + 2/6 * 1/2; p_3 = 2/6 * 1/2; 6 pixels of 100 m2
    assert [row["area_proportion"] for row in rows] == pytest.approx([5 / 6, 1 / 6])
    assert [row["area_ha"] for row in rows] == pytest.approx([0.05, 0.01])
    assert result["TOTAL_AREA_HA"] == pytest.approx(0.06)
    outside = point_layer([small_point(*p) for p in [*points, (0, 2, 2)]])
    with pytest.raises(QgsProcessingException, match="Point 5 of 'sample' is outside the zone"):
        run(
            {
                "MAP": small_map,
                "ZONE": zone,
                "SAMPLE": outside,
                "REFERENCE_FIELD": "reference",
                "OUTPUT": "memory:",
            }
        )


def test_crop_mask_then_area_estimate_in_a_model(provider, tmp_path):  # noqa: ARG001
    """Issue 15: areaestimate in the graphical modeller: a model crop mask -> area estimate
    validates step by step and runs, on the sample and its shipped labelled points."""
    import csv

    import processing
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterRasterLayer,
        QgsProcessingParameterVectorLayer,
    )

    sample = Path(__file__).resolve().parents[1] / "resources" / "sample"
    static = QgsProcessingModelChildParameterSource.fromStaticValue
    model_input = QgsProcessingModelChildParameterSource.fromModelParameter
    model = QgsProcessingModelAlgorithm("maskthenestimate", "Tests", "tests")
    for definition in (
        QgsProcessingParameterRasterLayer("class_layer", "class_layer"),
        QgsProcessingParameterRasterLayer("confidence_layer", "confidence_layer"),
        QgsProcessingParameterVectorLayer("points", "points"),
    ):
        model.addModelParameter(definition, QgsProcessingModelParameter(definition.name()))
    mask = QgsProcessingModelChildAlgorithm("cropconfidence:cropmask")
    mask.setChildId("mask")
    for parameter, source in (
        ("PRODUCT", static(0)),
        ("CLASS_LAYER", model_input("class_layer")),
        ("CONFIDENCE_LAYER", model_input("confidence_layer")),
        ("MIN_CONFIDENCE", static(50)),
        ("OUTPUT_MODE", static(0)),
    ):
        mask.addParameterSources(parameter, [source])
    model.addChildAlgorithm(mask)
    estimate = QgsProcessingModelChildAlgorithm("cropconfidence:areaestimate")
    estimate.setChildId("estimate")
    estimate.addParameterSources(
        "MAP", [QgsProcessingModelChildParameterSource.fromChildOutput("mask", "OUTPUT")]
    )
    estimate.addParameterSources("SAMPLE", [model_input("points")])
    estimate.addParameterSources("REFERENCE_FIELD", [static("reference")])
    output = QgsProcessingModelOutput("estimate", "estimate")
    output.setChildId("estimate")
    output.setChildOutputName("OUTPUT")
    estimate.setModelOutputs({"estimate": output})
    model.addChildAlgorithm(estimate)
    for child_id in ("mask", "estimate"):
        assert model.validateChildAlgorithm(child_id) == (True, []), child_id
    # A model's output is named "child:output" up to QGIS 3.3x, "output" from 3.40.
    (destination,) = [d.name() for d in model.destinationParameterDefinitions()]
    table = tmp_path / "estimate.csv"
    processing.run(
        model,
        {
            "class_layer": str(sample / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"),
            "confidence_layer": str(
                sample / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
            ),
            "points": str(sample / "reference_sample.geojson"),
            destination: str(table),
        },
    )
    with open(table, encoding="utf-8") as handle:
        rows = {int(row["class_code"]): row for row in csv.DictReader(handle)}
    assert sorted(rows) == [0, 1]
    assert [int(rows[code]["n"]) for code in (0, 1)] == [60, 60]  # the shipped design
