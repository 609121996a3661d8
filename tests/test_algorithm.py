"""cropconfidence:cropmask through processing.run, in real QGIS."""

from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)

from rasters import CTY_CROPS, L93_ORIGIN, read_raster, reference_status, write_raster

ALG = "cropconfidence:cropmask"


@pytest.fixture()
def cty_pair(tmp_path):
    rng = np.random.default_rng(11)
    classes = rng.choice(np.array(CTY_CROPS + (0, 65535), np.uint16), (90, 130))
    confidence = rng.choice(np.r_[np.arange(0, 101), [253, 255, 120]].astype(np.uint8), (90, 130))
    classes_path = write_raster(tmp_path / "cty.tif", classes, nodata=65535, block=32)
    confidence_path = write_raster(tmp_path / "ctycl.tif", confidence, nodata=255, block=32)
    return classes, confidence, classes_path, confidence_path


def cty_parameters(classes_path, confidence_path, output, **changes):
    """cropmask parameters for a CTY + CTYCL pair, with ``changes`` on top."""
    return {
        "PRODUCT": 0,
        "CLASS_LAYER": classes_path,
        "CONFIDENCE_LAYER": confidence_path,
        "OUTPUT": str(output),
        **changes,
    }


def run(parameters, context=None, feedback=None):
    import processing

    return processing.run(ALG, parameters, context=context, feedback=feedback)


def test_all_outputs_and_the_per_class_table(provider, tmp_path, cty_pair):  # noqa: ARG001
    classes, confidence, classes_path, confidence_path = cty_pair
    selected = (1110, 1130, 2100)
    result = run(
        cty_parameters(
            classes_path,
            confidence_path,
            tmp_path / "mask.tif",
            CLASSES="1110, 1130,2100",
            MIN_CONFIDENCE=60,
            OUTPUT_TABLE=str(tmp_path / "table.csv"),
        )
    )
    nodata, kept, low_conf, _ = reference_status(
        "cty_ctycl", classes, confidence, None, selected, 60, 0
    )
    out, _ = read_raster(tmp_path / "mask.tif")
    np.testing.assert_array_equal(out, np.where(nodata, 255, np.where(kept, 1, 0)))
    assert result["OUTPUT"] == str(tmp_path / "mask.tif")
    assert result["TOTAL_PIXELS"] == 90 * 130
    assert result["NODATA_PIXELS"] == int(nodata.sum())
    assert result["KEPT_PIXELS"] == int(kept.sum())
    # 10 m pixels are 0.01 ha each.
    assert result["KEPT_AREA_HA"] == pytest.approx(kept.sum() / 100)

    lines = (tmp_path / "table.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "code,label,selected,pixels,kept,dropped_low_confidence,dropped_low_validity,kept_area_ha"
    )
    rows = {}
    for line in lines[1:]:
        code, *rest = line.replace('"', "").split(",")
        rows[int(code)] = rest
    valid = ~nodata
    assert set(rows) == {int(code) for code in np.unique(classes[valid])}
    for code in selected:
        in_class = valid & (classes == code)
        label = {1110: "Wheat", 1130: "Maize", 2100: "Grapes"}[code]
        assert rows[code][:6] == [
            label,
            "1",
            str(int(in_class.sum())),
            str(int((kept & in_class).sum())),
            str(int((low_conf & in_class).sum())),
            "0",
        ]
        assert float(rows[code][6]) == pytest.approx((kept & in_class).sum() / 100)
    assert rows[1120][1:4] == ["0", str(int((valid & (classes == 1120)).sum())), "0"]


@pytest.mark.parametrize("table", ["absent", "none", "temporary", "definition"])
def test_per_class_counts_are_made_only_when_the_table_is_asked_for(
    provider,  # noqa: ARG001
    tmp_path,
    cty_pair,
    table,
    monkeypatch,
):
    from qgis.core import QgsProcessing, QgsProcessingOutputLayerDefinition, QgsVectorLayer

    from crop_confidence.plugin.raster import engine  # the algorithm imports it when it runs

    requests = []

    def spy(request, *args, **kwargs):
        requests.append(request)
        return run_crop_mask(request, *args, **kwargs)

    run_crop_mask = engine.run_crop_mask
    monkeypatch.setattr(engine, "run_crop_mask", spy)

    classes, confidence, classes_path, confidence_path = cty_pair
    parameters = cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif")
    values = {
        "none": None,
        "temporary": QgsProcessing.TEMPORARY_OUTPUT,
        "definition": QgsProcessingOutputLayerDefinition(str(tmp_path / "table.csv")),
    }
    if table in values:
        parameters["OUTPUT_TABLE"] = values[table]
    result = run(parameters)

    nodata, kept, _, _ = reference_status("cty_ctycl", classes, confidence, None, CTY_CROPS, 50, 0)
    assert (result["NODATA_PIXELS"], result["KEPT_PIXELS"]) == (int(nodata.sum()), int(kept.sum()))
    assert [request.class_counts for request in requests] == [table not in ("absent", "none")]
    if table in ("absent", "none"):
        assert result.get("OUTPUT_TABLE") is None
        assert not (tmp_path / "table.csv").exists()
        return
    layer = result["OUTPUT_TABLE"]
    if isinstance(layer, str):
        layer = QgsVectorLayer(layer, "table", "ogr")
    kept_by_code = {int(row["code"]): int(row["kept"]) for row in layer.getFeatures()}
    valid = ~nodata
    assert set(kept_by_code) == {int(code) for code in np.unique(classes[valid])}
    assert sum(kept_by_code.values()) == int(kept.sum())


def test_oso_bands_of_one_file_with_validity_and_class_map(provider, tmp_path):  # noqa: ARG001
    classes = np.array([[6, 6, 6, 13, 0], [10, 10, 23, 5, 255]], np.uint8)
    confidence = np.array([[70, 30, 70, 90, 90], [99, 99, 99, 10, 90]], np.uint8)
    validity = np.array([[20, 20, 3, 20, 20], [20, 20, 20, 20, 20]], np.uint8)
    path = write_raster(
        tmp_path / "oso.tif",
        [classes, confidence, validity],
        "EPSG:2154",
        L93_ORIGIN,
        descriptions=["OCS", "OCS_Confidence", "OCS_Validity"],
    )
    result = run(
        {
            "PRODUCT": 2,
            "CLASS_LAYER": path,
            "CLASS_BAND": 1,
            "CONFIDENCE_LAYER": path,
            "CONFIDENCE_BAND": 2,
            "VALIDITY_LAYER": path,
            "VALIDITY_BAND": 3,
            "MIN_VALIDITY": 5,
            "MIN_CONFIDENCE": 50,
            "OUTPUT_MODE": 1,
            "OUTPUT": str(tmp_path / "classes.tif"),
        }
    )
    out, profile = read_raster(tmp_path / "classes.tif")
    assert out.tolist() == [[6, 0, 0, 0, 255], [10, 10, 0, 0, 255]]
    assert profile["nodata"] == 255 and out.dtype == np.uint8
    assert result["KEPT_PIXELS"] == 3
    assert result["NODATA_PIXELS"] == 2
    assert result["KEPT_AREA_HA"] == pytest.approx(0.03)


def test_extent_in_another_crs_is_reprojected(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    # The tile corner (3 800 000, 2 700 000) in EPSG:3035, as a lon/lat box around its
    # first 20 x 20 pixels, reprojected back and snapped outwards to the grid.
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsRectangle

    box = QgsRectangle(3_800_000, 2_700_000 - 200, 3_800_000 + 200, 2_700_000)
    to_wgs84 = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:3035"),
        QgsCoordinateReferenceSystem("EPSG:4326"),
        QgsProject.instance(),
    )
    geographic = to_wgs84.transformBoundingBox(box)
    extent = (
        f"{geographic.xMinimum()},{geographic.xMaximum()},"
        f"{geographic.yMinimum()},{geographic.yMaximum()} [EPSG:4326]"
    )
    result = run(
        cty_parameters(classes_path, confidence_path, tmp_path / "clip.tif", EXTENT=extent)
    )
    out, profile = read_raster(tmp_path / "clip.tif")
    assert profile["transform"].c == pytest.approx(3_800_000)
    assert profile["transform"].f == pytest.approx(2_700_000)
    assert 20 <= out.shape[0] <= 22 and 20 <= out.shape[1] <= 22
    assert result["TOTAL_PIXELS"] == out.size


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"CLASSES": "1110,42"}, r"Unknown class code\(s\) 42 .*Valid codes: 1110"),
        ({"CLASSES": "wheat"}, "'wheat' is not an integer class code"),
        ({"CONFIDENCE_BAND": 4}, r"has 1 band\(s\); band 4 does not exist"),
        ({"PRODUCT": 2}, r"holds uint16 values, but the product 'OSO 2018\+"),
        ({"EXTENT": "0,10,0,10 [EPSG:3035]"}, "does not overlap the input rasters"),
        ({"CREATION_OPTIONS": "COMPRESS"}, "'COMPRESS' is not KEY=VALUE"),
        ({"CREATION_OPTIONS": "COMPRESS=FOO"}, "'FOO' is an unexpected value for COMPRESS"),
        ({"CONFIDENCE_BAND": 0}, "CONFIDENCE_BAND: band 0 does not exist"),
        ({"PRODUCT": 1, "CLASSES": "1110"}, "'CTYCL only' has no class layer.*1110"),
    ],
)
def test_bad_input_raises_a_clear_processing_exception(
    provider,  # noqa: ARG001
    tmp_path,
    cty_pair,
    changes,
    message,
):
    _, _, classes_path, confidence_path = cty_pair
    parameters = cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif")
    parameters.update(changes)
    with pytest.raises(QgsProcessingException, match=message):
        run(parameters)
    assert not (tmp_path / "mask.tif").exists()


def test_missing_output_folder(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    with pytest.raises(QgsProcessingException, match="output folder .* does not exist"):
        run(cty_parameters(classes_path, confidence_path, tmp_path / "no" / "mask.tif"))


def test_output_folder_not_writable(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    # sysfs refuses new files, even to root.
    with pytest.raises(
        QgsProcessingException, match="Cannot write in the output folder '/sys': Permission denied"
    ):
        run(cty_parameters(classes_path, confidence_path, "/sys/mask.tif"))


def test_output_must_be_a_geotiff_name(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    with pytest.raises(QgsProcessingException, match=r"OUTPUT: '.*mask.img' is not a GeoTIFF"):
        run(cty_parameters(classes_path, confidence_path, tmp_path / "mask.img"))
    assert not (tmp_path / "mask.img").exists()
    result = run(cty_parameters(classes_path, confidence_path, "TEMPORARY_OUTPUT"))
    assert result["OUTPUT"].endswith(".tif")


@pytest.mark.parametrize("layer", ["CLASS_LAYER", "CONFIDENCE_LAYER"])
def test_missing_or_corrupt_input_files(provider, tmp_path, cty_pair, layer):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    role = "class" if layer == "CLASS_LAYER" else "confidence"
    missing = str(tmp_path / "absent.tif")
    parameters = cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif")
    with pytest.raises(
        QgsProcessingException,
        match=f"{layer}: The {role} raster '{missing}' does not exist. Check the path",
    ):
        run({**parameters, layer: missing})
    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00" + b"\x13" * 200)
    with pytest.raises(
        QgsProcessingException,
        match=f"{layer}: Cannot read the {role} raster '{corrupt}': .*complete raster file",
    ):
        run({**parameters, layer: str(corrupt)})
    assert not (tmp_path / "mask.tif").exists()


@pytest.mark.parametrize(
    ("confidence_grid", "problem"),
    [
        ({"crs": "EPSG:32631", "origin": (500_000, 5_000_000)}, "their CRS differ"),
        ({"pixel": 20.0}, "their pixel sizes differ"),
        ({"origin": (3_800_003, 2_700_000)}, "their pixels are not aligned"),
    ],
)
def test_mismatched_grids(provider, tmp_path, cty_pair, confidence_grid, problem):  # noqa: ARG001
    classes, confidence, classes_path, _ = cty_pair
    confidence_path = write_raster(tmp_path / "moved.tif", confidence, **confidence_grid)
    with pytest.raises(
        QgsProcessingException,
        match=rf"The class raster '{classes_path}' \(band 1\) and the confidence raster "
        rf"'{confidence_path}' \(band 1\) are not on the same grid \({problem}\)",
    ):
        run(cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif"))
    assert not (tmp_path / "mask.tif").exists()


def test_custom_class_map_whose_class_nodata_is_zero(provider, tmp_path):  # noqa: ARG001
    classes = np.array([[0, 5, 5, 7, 6]], np.uint8)
    confidence = np.array([[90, 90, 10, 90, 90]], np.uint8)
    classes_path = write_raster(tmp_path / "k.tif", classes, "EPSG:2154", L93_ORIGIN, nodata=0)
    confidence_path = write_raster(tmp_path / "c.tif", confidence, "EPSG:2154", L93_ORIGIN)
    result = run(
        {
            "PRODUCT": 4,
            "CLASS_LAYER": classes_path,
            "CONFIDENCE_LAYER": confidence_path,
            "CLASSES": "5,6",
            "OUTPUT_MODE": 1,
            "OUTPUT": str(tmp_path / "map.tif"),
        }
    )
    out, profile = read_raster(tmp_path / "map.tif")
    # 0 stays "not kept"; the file's nodata 0 becomes the largest uint8, 255.
    assert out.tolist() == [[255, 5, 0, 0, 6]]
    assert profile["nodata"] == 255
    assert (result["NODATA_PIXELS"], result["KEPT_PIXELS"]) == (1, 2)


def test_cancel_through_feedback_leaves_no_file(provider, tmp_path):  # noqa: ARG001
    rng = np.random.default_rng(2)
    classes_path = write_raster(
        tmp_path / "cty.tif", rng.choice(np.array(CTY_CROPS, np.uint16), (2048, 2048)), block=256
    )
    confidence_path = write_raster(
        tmp_path / "ctycl.tif", rng.integers(0, 101, (2048, 2048)).astype(np.uint8), block=256
    )
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda value: value > 0 and feedback.cancel())
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run(
            cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif", THREADS=1),
            feedback=feedback,
        )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cty.tif", "ctycl.tif"]


def run_and_load(parameters):
    """Run the algorithm as the toolbox does and return the output layer it loaded."""
    import processing

    name = Path(parameters["OUTPUT"]).name  # runAndLoadResults rewrites the parameters
    QgsProject.instance().removeAllMapLayers()
    processing.runAndLoadResults(ALG, parameters, context=QgsProcessingContext())
    (layer,) = [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if layer.source().endswith(name)
    ]
    return layer


def test_loaded_output_gets_the_mask_style(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    layer = run_and_load(
        cty_parameters(classes_path, confidence_path, tmp_path / "styled.tif", MIN_CONFIDENCE=75)
    )
    renderer = layer.renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    classes = [(c.value, c.color.name(), c.label) for c in renderer.classes()]
    assert classes == [(1.0, "#1a9641", "Kept (confidence ≥ 75)")]
    QgsProject.instance().removeAllMapLayers()


def test_class_map_output_gets_the_product_palette(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    layer = run_and_load(
        cty_parameters(classes_path, confidence_path, tmp_path / "classmap.tif", OUTPUT_MODE=1)
    )
    colours = {int(c.value): c.color.name() for c in layer.renderer().classes()}
    assert colours[1110] == "#ee6e32"  # 238,110,50
    assert colours[3200] == "#ababab"  # 171,171,171
    assert 0 not in colours and 65535 not in colours and len(colours) == 19
    QgsProject.instance().removeAllMapLayers()


def _class_map_parameters(tmp_path, product, output, **changes):
    """A small uint8 class and confidence pair on the Lambert-93 grid, as a class map."""
    classes = np.array([[5, 6, 7, 9, 10, 0]], np.uint8)
    confidence = np.full((1, 6), 90, np.uint8)
    return {
        "PRODUCT": product,
        "CLASS_LAYER": write_raster(tmp_path / "k.tif", classes, "EPSG:2154", L93_ORIGIN),
        "CONFIDENCE_LAYER": write_raster(tmp_path / "c.tif", confidence, "EPSG:2154", L93_ORIGIN),
        "OUTPUT_MODE": 1,
        "OUTPUT": str(tmp_path / output),
        **changes,
    }


def test_oso_class_map_output_gets_the_oso_palette(provider, tmp_path):  # noqa: ARG001
    layer = run_and_load(_class_map_parameters(tmp_path, 2, "oso_map.tif"))
    colours = {int(c.value): c.color.name() for c in layer.renderer().classes()}
    assert (colours[5], colours[10], colours[23]) == ("#ffff00", "#ff5500", "#0000ff")
    assert sorted(colours) == list(range(1, 24))  # 0 and 255 (nodata) stay transparent
    QgsProject.instance().removeAllMapLayers()


def test_custom_class_map_output_colours_every_kept_code(provider, tmp_path):  # noqa: ARG001
    layer = run_and_load(_class_map_parameters(tmp_path, 4, "custom_map.tif", CLASSES="9,5,7,6"))
    classes = [(int(c.value), c.color.name(), c.label) for c in layer.renderer().classes()]
    # The four stops of the custom_classes ramp in resources/ramps.csv, the first the mask green.
    assert classes == [
        (5, "#1a9641", "Class 5"),
        (6, "#fdae61", "Class 6"),
        (7, "#d7191c", "Class 7"),
        (9, "#2b83ba", "Class 9"),
    ]
    QgsProject.instance().removeAllMapLayers()


def test_min_validity_without_a_validity_layer_is_reported(provider, tmp_path):  # noqa: ARG001
    class Feedback(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatal_error=False):  # noqa: N802
            self.errors.append((error, fatal_error))

    feedback = Feedback()
    run(
        _class_map_parameters(tmp_path, 2, "mask.tif", OUTPUT_MODE=0, MIN_VALIDITY=12),
        feedback=feedback,
    )
    assert ("MIN_VALIDITY 12 is ignored: no validity layer is given.", False) in feedback.errors


@pytest.mark.parametrize(("threads", "workers"), [(0, None), (1, 1), (3, 3)])
def test_threads_set_the_worker_pool(provider, tmp_path, cty_pair, monkeypatch, threads, workers):  # noqa: ARG001
    import os

    from crop_confidence.plugin.raster import engine

    pools = []

    class RecordingPool(engine.ThreadPoolExecutor):
        def __init__(self, max_workers, **kwargs):
            pools.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(engine, "ThreadPoolExecutor", RecordingPool)
    _, _, classes_path, confidence_path = cty_pair
    run(cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif", THREADS=threads))
    assert pools == [workers or len(os.sched_getaffinity(0))]


def test_toolbox_dialog_builds_a_widget_for_every_parameter(
    provider,  # noqa: ARG001
    qgis_iface,
    monkeypatch,
    cty_pair,
):
    import processing

    _, _, classes_path, confidence_path = cty_pair

    # pytest-qgis's stub iface has no browser model; QGIS accepts none.
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: None, raising=False)
    dialog = processing.createAlgorithmDialog(
        ALG,
        {"CLASS_LAYER": classes_path, "CONFIDENCE_LAYER": confidence_path, "MIN_CONFIDENCE": 80},
    )
    assert dialog is not None
    panel = dialog.mainWidget()
    names = set(panel.wrappers)
    algorithm = dialog.algorithm()
    expected = {
        definition.name()
        for definition in algorithm.parameterDefinitions()
        if not definition.isDestination()
    }
    assert expected <= names
    values = panel.createProcessingParameters()
    assert values["MIN_CONFIDENCE"] == 80
    assert values["CONFIDENCE_LAYER"] == confidence_path
    dialog.close()


def test_a_wrong_data_type_names_the_file_as_it_is_spelt(provider, tmp_path, cty_pair):  # noqa: ARG001
    classes, confidence, _, _ = cty_pair
    folder = tmp_path / "Fields_NORD"
    folder.mkdir()
    classes_path = write_raster(folder / "CTY_2021.tif", classes, nodata=65535)
    confidence_path = write_raster(folder / "CTYCL_2021.tif", confidence, nodata=255)
    parameters = cty_parameters(classes_path, confidence_path, tmp_path / "mask.tif", PRODUCT=2)
    with pytest.raises(QgsProcessingException) as raised:
        run(parameters)
    assert f"The class raster '{classes_path}' (band 1) holds uint16 values" in str(raised.value)


def test_the_log_names_the_product_by_its_label(provider, tmp_path, cty_pair):  # noqa: ARG001
    _, _, classes_path, confidence_path = cty_pair
    feedback = QgsProcessingFeedback()
    run(
        cty_parameters(classes_path, confidence_path, tmp_path / "m.tif", CLASSES="1130,1110"),
        feedback=feedback,
    )
    assert (
        "Product CTY + CTYCL (CLMS Crop Types), classes 1110, 1130, minimum confidence 50"
    ) in feedback.textLog()
    assert "cty_ctycl" not in feedback.textLog()
