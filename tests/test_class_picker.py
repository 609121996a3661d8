"""The class picker: classes ticked by name with their colours, in the dock's crop-mask dialog
and the toolbox, while CLASSES stays the codes string for qgis_process and models."""

import csv
from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingParameterString, QgsProject
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt

from rasters import read_raster, reference_status

ROOT = Path(__file__).resolve().parents[1]
ALG = "cropconfidence:cropmask"


def nomenclature_rows(table):
    """The selectable rows of ``table`` in resources/nomenclature.csv, read independently."""
    with open(ROOT / "resources" / "nomenclature.csv", encoding="utf-8") as handle:
        return [
            row
            for row in csv.DictReader(handle)
            if row["product"] == table and row["role"] in ("crop", "agricultural", "other")
        ]


def defaults(table):
    return [int(row["code"]) for row in nomenclature_rows(table) if row["default_selected"] == "1"]


@pytest.fixture()
def picker(qgis_app, qtbot):  # noqa: ARG001
    from crop_confidence.plugin.processing.class_widget import ClassPicker

    widget = ClassPicker()
    qtbot.addWidget(widget)
    widget.set_product("cty_ctycl")
    return widget


def item_codes(picker, visible_only=False):
    return [
        item.data(Qt.ItemDataRole.UserRole)
        for item in picker.items()
        if not (visible_only and item.isHidden())
    ]


def tick(picker, codes):
    for item in picker.items():
        wanted = item.data(Qt.ItemDataRole.UserRole) in codes
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)


def test_ticked_codes_give_the_exact_classes_string(picker, qtbot):
    assert item_codes(picker) == [int(row["code"]) for row in nomenclature_rows("cty")]
    assert picker.value() == ",".join(map(str, defaults("cty")))
    with qtbot.waitSignal(picker.changed):
        tick(picker, {1130, 1110})
    assert picker.value() == "1110,1130"
    qtbot.mouseClick(picker.none_button, Qt.MouseButton.LeftButton)
    assert picker.value() == ""
    assert picker.note.text() == "No class ticked: the product's default crop classes are kept."
    picker.set_value("3200, 1120")
    assert picker.codes() == (1120, 3200) and picker.value() == "1120,3200"
    picker.set_value("")  # empty CLASSES: the product's crops
    assert list(picker.codes()) == defaults("cty")


def test_the_filter_and_select_all_act_on_the_shown_classes(picker, qtbot):
    qtbot.mouseClick(picker.none_button, Qt.MouseButton.LeftButton)
    picker.filter_edit.setText("WHEAT")
    wheat = [
        int(row["code"]) for row in nomenclature_rows("cty") if "wheat" in row["label_en"].lower()
    ]
    assert wheat and item_codes(picker, visible_only=True) == wheat
    qtbot.mouseClick(picker.all_button, Qt.MouseButton.LeftButton)
    assert list(picker.codes()) == wheat
    picker.filter_edit.setText("")
    assert item_codes(picker, visible_only=True) == item_codes(picker)


def test_a_product_change_changes_the_list(picker):
    for product, table in (("oso23", "oso23"), ("oso17", "oso17"), ("cty_ctycl", "cty")):
        picker.set_product(product)
        assert item_codes(picker) == [int(row["code"]) for row in nomenclature_rows(table)]
        assert list(picker.codes()) == defaults(table)
    assert len(item_codes(picker)) == 19

    picker.set_product("ctycl")  # no class layer: nothing to choose
    assert picker.items() == [] and picker.value() == ""
    assert picker.list.isHidden() and not picker.note.isHidden()

    picker.set_product("custom")  # no nomenclature: the codes are typed
    assert picker.list.isHidden() and not picker.codes_edit.isHidden()
    picker.codes_edit.setText(" 5,6,7 ")
    assert picker.value() == "5,6,7"


@pytest.mark.parametrize("table", ["cty", "oso23", "oso17"])
def test_swatches_have_the_nomenclature_colours_exactly(picker, table):
    picker.set_product({"cty": "cty_ctycl"}.get(table, table))
    rows = nomenclature_rows(table)
    assert len(picker.items()) == len(rows)
    for item, row in zip(picker.items(), rows):
        image = item.icon().pixmap(16, 16).toImage()
        colours = {image.pixelColor(x, y).name() for x in range(16) for y in range(16)}
        assert colours == {row["color"]}, row["code"]


def test_labels_in_french_with_the_french_translator(qgis_app, qtbot):  # noqa: ARG001
    from crop_confidence.plugin.processing.class_widget import ClassPicker
    from crop_confidence.plugin.qgis import i18n

    assert i18n.install_translator("fr")
    try:
        picker = ClassPicker()
        qtbot.addWidget(picker)
        picker.set_product("cty_ctycl")
        texts = [item.text() for item in picker.items()]
        assert picker.all_button.text() == "Tout cocher"
    finally:
        i18n.remove_translator()
    assert texts == [f"{row['label_fr']} ({row['code']})" for row in nomenclature_rows("cty")]
    assert "Blé (1110)" in texts


@pytest.fixture()
def cty_pair(tmp_path):
    from rasters import CTY_CROPS, write_raster

    rng = np.random.default_rng(5)
    classes = rng.choice(np.array(CTY_CROPS + (0, 65535), np.uint16), (40, 50))
    confidence = rng.choice(np.arange(0, 101).astype(np.uint8), (40, 50))
    classes_path = write_raster(tmp_path / "CTY_2021.tif", classes, nodata=65535)
    confidence_path = write_raster(tmp_path / "CTYCL_2021.tif", confidence, nodata=255)
    return classes, confidence, classes_path, confidence_path


def layers_named(name):
    return [layer for layer in QgsProject.instance().mapLayers().values() if layer.name() == name]


def test_the_algorithm_dialog_shows_the_picker_and_runs_with_the_ticked_classes(
    provider,  # noqa: ARG001
    qgis_iface,
    qtbot,
    monkeypatch,
    cty_pair,
    tmp_path,
):
    import processing

    from crop_confidence.plugin.processing.class_widget import ClassesWidgetWrapper, ClassPicker

    classes, confidence, classes_path, confidence_path = cty_pair
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: None, raising=False)
    output = tmp_path / "mask.tif"
    dialog = processing.createAlgorithmDialog(
        ALG,
        {"CLASS_LAYER": classes_path, "CONFIDENCE_LAYER": confidence_path, "OUTPUT": str(output)},
    )
    panel = dialog.mainWidget()
    wrapper = panel.wrappers["CLASSES"]
    assert isinstance(wrapper, ClassesWidgetWrapper)
    picker = wrapper.widget
    assert isinstance(picker, ClassPicker)
    assert len(picker.items()) == 19

    # The picker follows PRODUCT.
    context = QgsProcessingContext()
    panel.wrappers["PRODUCT"].setParameterValue(2, context)  # OSO 2018+
    assert item_codes(picker) == [int(row["code"]) for row in nomenclature_rows("oso23")]
    panel.wrappers["PRODUCT"].setParameterValue(0, context)
    assert len(picker.items()) == 19

    tick(picker, {1110, 1130})
    parameters = panel.createProcessingParameters()
    assert parameters["CLASSES"] == "1110,1130"

    dialog.runAlgorithm()  # Run, as the user presses it
    qtbot.waitUntil(lambda: bool(layers_named("Crop mask CTY 2021 ≥ 50 %")), timeout=20_000)
    (layer,) = layers_named("Crop mask CTY 2021 ≥ 50 %")
    assert layer.source() == str(output)
    nodata, kept, _, _ = reference_status(
        "cty_ctycl", classes, confidence, None, (1110, 1130), 50, 0
    )
    out, _ = read_raster(output)
    np.testing.assert_array_equal(out, np.where(nodata, 255, np.where(kept, 1, 0)))
    assert kept.sum() > 0 and not np.isin(classes[out == 1], [1110, 1130], invert=True).any()
    if not sip.isdeleted(dialog):  # it closes itself after a run unless told to stay open
        dialog.close()
    QgsProject.instance().removeAllMapLayers()


def test_the_modeller_gets_qgis_own_widget_and_keeps_the_codes_string(
    provider, qgis_iface, monkeypatch
):  # noqa: ARG001
    from processing.modeler.ModelerParametersDialog import ModelerParametersDialog
    from qgis.core import (
        QgsApplication,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildParameterSource,
    )
    from qgis.gui import QgsProcessingModelerParameterWidget

    monkeypatch.setattr(qgis_iface, "browserModel", lambda: None, raising=False)
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALG)
    parameter = algorithm.parameterDefinition("CLASSES")
    assert isinstance(parameter, QgsProcessingParameterString)  # qgis_process gives a string
    dialog = ModelerParametersDialog(algorithm, QgsProcessingModelAlgorithm("model", "group"))
    try:
        wrapper = dialog.widget.widget.wrappers["CLASSES"]
        # A fixed value, a model input or an expression, as for any string parameter.
        assert isinstance(wrapper, QgsProcessingModelerParameterWidget)
        wrapper.setWidgetValue(QgsProcessingModelChildParameterSource.fromStaticValue("1110,1130"))
        child = dialog.createAlgorithm()
        (source,) = child.parameterSources()["CLASSES"]
        assert source.staticValue() == "1110,1130"
    finally:
        dialog.close()


def test_the_batch_dialog_builds_with_the_wrapper(provider, qgis_iface, qtbot, monkeypatch):  # noqa: ARG001
    from processing.gui.BatchAlgorithmDialog import BatchAlgorithmDialog
    from qgis.core import QgsApplication
    from qgis.PyQt.QtWidgets import QLineEdit

    monkeypatch.setattr(qgis_iface, "browserModel", lambda: None, raising=False)
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALG)
    dialog = BatchAlgorithmDialog(algorithm)
    panel = dialog.mainWidget()
    column = next(
        column for column, name in panel.column_to_parameter_definition.items() if name == "CLASSES"
    )
    wrapper = panel.wrappers[0][column]
    assert isinstance(wrapper.widget, QLineEdit)
    wrapper.setValue("2100")
    assert wrapper.parameterValue() == "2100"
    dialog.close()
