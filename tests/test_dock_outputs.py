"""What a fetch and a crop mask from the dock leave behind: readable group, layer and folder
names, the mask's default file next to the fetched layers, its name and place in the tree."""

import hashlib
import re
from pathlib import Path

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsLayerTreeLayer,
    QgsLayerTreeRegistryBridge,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.PyQt.QtCore import Qt

ROOT = Path(__file__).resolve().parents[1]
AREA_3035 = QgsRectangle(3_851_000, 2_650_000, 3_855_000, 2_653_000)  # in the CLMS sample
AREA_2154 = QgsRectangle(571_000, 6_275_000, 574_000, 6_278_000)  # in the OSO sample
ALG = "cropconfidence:cropmask"


@pytest.fixture()
def dock(make_dock, provider):  # noqa: ARG001
    return make_dock()


def fetch(qtbot, dock, product, crs, area):
    dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem(crs))
    dock.product_combo.setCurrentIndex(dock.product_combo.findData(product))
    qtbot.waitUntil(lambda: dock.year_combo.findData(2021) >= 0, timeout=10_000)
    dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
    dock.set_drawn_area(area)
    before = len(QgsProject.instance().layerTreeRoot().children())
    qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: len(QgsProject.instance().layerTreeRoot().children()) > before, timeout=30_000
    )
    return QgsProject.instance().layerTreeRoot().children()[0]


def mask_from_the_dock(qtbot, dock, monkeypatch, min_confidence):
    """Press 'Crop mask…', take the parameters the dialog was opened with, and run them as
    the dialog's Run does (the results loaded by Processing's own post-processing)."""
    import processing
    from qgis.core import QgsProcessingContext

    opened = []
    monkeypatch.setattr(
        processing, "execAlgorithmDialog", lambda alg, params: opened.append((alg, params))
    )
    qtbot.mouseClick(dock.mask_button, Qt.MouseButton.LeftButton)
    ((alg, parameters),) = opened
    assert alg == ALG
    parameters = {**parameters, "MIN_CONFIDENCE": min_confidence}
    destination = parameters["OUTPUT"]
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())  # the layer ids the dock passes
    processing.runAndLoadResults(ALG, parameters, context=context)
    return destination


def digest(bounds, crs):
    return hashlib.sha1(repr((bounds, crs)).encode()).hexdigest()[:6]


def test_readable_names_and_a_second_fetch_resumes_the_same_folder(qtbot, dock):
    group = fetch(qtbot, dock, "cty_ctycl", "EPSG:3035", AREA_3035)
    assert group.name() == "CTY 2021 – 3851–3855 km E, 2650–2653 km N"
    assert sorted(node.layer().name() for node in group.findLayers()) == ["CTY 2021", "CTYCL 2021"]
    downloads = Path(dock.settings_box.download_folder())
    tag = "3851-3855kmE_2650-2653kmN_" + digest(
        (3_851_000.0, 2_650_000.0, 3_855_000.0, 2_653_000.0), "EPSG:3035"
    )
    (folder,) = downloads.iterdir()
    assert folder.name == f"cty_ctycl_2021_{tag}"
    assert sorted(path.name for path in folder.glob("*.tif")) == [
        f"CTYCL_2021_{tag}.tif",
        f"CTY_2021_{tag}.tif",
    ]
    for node in group.findLayers():
        assert Path(node.layer().source()).parent == folder

    # The same request: the same folder (its files and .part files are found again), and a
    # group that does not take the first one's name.
    second = fetch(qtbot, dock, "cty_ctycl", "EPSG:3035", AREA_3035)
    assert second.name() == group.name() + " (2)"
    assert [path.name for path in downloads.iterdir()] == [folder.name]


def test_the_group_of_an_area_from_a_layer_is_named_after_the_layer(qtbot, dock):
    from qgis.core import QgsVectorLayer

    fields = QgsVectorLayer("Polygon?crs=EPSG:3035", "Parcelles nord", "memory")
    QgsProject.instance().addMapLayer(fields, False)
    dock.layer_combo.setLayer(fields)
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("layer"))
    from crop_confidence.plugin.sources.fetch import FetchRequest

    request = FetchRequest("cty_ctycl", 2021, (0, 0, 1, 1), "EPSG:3035", "")
    assert dock._area_name(request) == "Parcelles nord"
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("selection"))
    assert dock._area_name(request) == "Parcelles nord (selection)"
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("canvas"))
    assert dock._area_name(request) == "0–1 km E, 0–1 km N"


def test_a_second_mask_lands_on_top_named_after_product_year_and_threshold(
    qtbot, dock, monkeypatch
):
    root = QgsProject.instance().layerTreeRoot()
    clms = fetch(qtbot, dock, "cty_ctycl", "EPSG:3035", AREA_3035)
    folder = Path(clms.findLayers()[0].layer().source()).parent
    destination = mask_from_the_dock(qtbot, dock, monkeypatch, 70)
    # Next to the fetched layers, not TEMPORARY_OUTPUT.
    assert Path(destination) == folder / f"crop_mask_cty_ctycl_2021_{folder.name[15:]}.tif"
    first = root.children()[0]
    assert isinstance(first, QgsLayerTreeLayer)
    assert first.layer().name() == "Crop mask CTY 2021 ≥ 70 %"
    assert first.layer().source() == destination
    assert first.layer().renderer().type() == "paletted"  # still styled

    oso = fetch(qtbot, dock, "oso", "EPSG:2154", AREA_2154)
    assert oso.name() == "OSO 2021 – 571–574 km E, 6275–6278 km N"
    assert [node.layer().name() for node in oso.findLayers()] == [
        "OSO 2021 OCS",
        "OSO 2021 OCS Confidence",
        "OSO 2021 OCS Validity",
    ]
    # QGIS adds a new layer where the current node is: here, under the OSO layers.
    bridge = QgsProject.instance().layerTreeRegistryBridge()
    bridge.setLayerInsertionPoint(
        QgsLayerTreeRegistryBridge.InsertionPoint(oso, len(oso.children()))
    )
    destination = mask_from_the_dock(qtbot, dock, monkeypatch, 40)
    # Drawn above everything: at the top of the OSO group, itself on top (QGIS 3.22 adds it
    # under the OSO layers), or at the top of the tree (QGIS 3.40 loads results there).
    top = root.findLayers()[0]
    assert top.parent() in (oso, root) and root.children()[0] in (oso, top)
    assert top.layer().name() == "Crop mask OSO 2021 ≥ 40 %"
    assert top.layer().source() == destination
    assert Path(destination).parent == Path(oso.findLayers()[1].layer().source()).parent
    bridge.setLayerInsertionPoint(QgsLayerTreeRegistryBridge.InsertionPoint(root, 0))


def test_a_mask_whose_group_is_below_another_goes_to_the_top_of_the_tree(qgis_app):  # noqa: ARG001
    from crop_confidence.plugin.processing.postprocess import bring_to_top

    project = QgsProject.instance()
    root = project.layerTreeRoot()
    root.removeAllChildren()
    upper, lower = root.addGroup("upper"), root.addGroup("lower")
    layer = QgsRasterLayer(
        str(Path(__file__).parents[1] / "resources/sample/OSO_2021_sample.tif"), "mask"
    )
    project.addMapLayer(layer, False)
    lower.addLayer(QgsRasterLayer())
    lower.addLayer(layer)
    bring_to_top(layer)
    assert [node.name() for node in root.children()] == ["mask", "upper", "lower"]
    assert project.mapLayer(layer.id()) is layer  # moved, not removed from the project
    assert upper.children() == [] and len(lower.children()) == 1
    project.removeAllMapLayers()
    root.removeAllChildren()


@pytest.mark.parametrize(
    ("paths", "year"),
    [
        (["/data/CTYCL_2021_3851-3855kmE_2650-2653kmN_c22aea.tif"], 2021),
        (["/d/CLMS_HRLVLCC_CTYCL_S2019_R10m_E38N26_03035_V01_R00.tif"], 2019),
        (["/d/ocs_2154.tif", "/d/OSO_2018_OCS.vrt"], 2018),
        (["/d/confidence.tif"], None),
    ],
)
def test_the_year_of_a_mask_name_comes_from_its_inputs_file_names(paths, year):
    from crop_confidence.plugin.processing.postprocess import year_in

    assert year_in(paths) == year


def test_the_mask_name_in_french(qgis_app):  # noqa: ARG001
    from crop_confidence.plugin.processing.postprocess import mask_layer_name
    from crop_confidence.plugin.qgis import i18n

    assert i18n.install_translator("fr")
    try:
        assert mask_layer_name("cty_ctycl", 2021, 70) == "Masque de cultures CTY 2021 ≥ 70 %"
        assert mask_layer_name("oso17", None, 5) == "Masque de cultures OSO ≥ 5 %"
    finally:
        i18n.remove_translator()
    assert mask_layer_name("ctycl", 2020, 60) == "Crop mask CTYCL 2020 ≥ 60 %"
    assert re.fullmatch(r"Crop mask 2020 ≥ 1 %", mask_layer_name("custom", 2020, 1))


def test_areas_per_zone_opens_zonal_areas_with_the_fetched_layers_and_the_zones(
    qtbot, dock, monkeypatch
):
    """Issue 15: 'Areas per zone…' beside 'Crop mask…' opens cropconfidence:zonalareas with
    the fetched layers, the threshold of the dock, the polygon layer the area came from as
    ZONES, and its table next to the fetched layers; run as the dialog would, it counts."""
    import csv

    import processing
    from qgis.core import QgsVectorLayer

    zones = QgsVectorLayer(str(ROOT / "resources" / "sample" / "zones.geojson"), "Zones", "ogr")
    assert zones.isValid()
    QgsProject.instance().addMapLayer(zones)
    dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3035"))
    qtbot.waitUntil(lambda: dock.year_combo.findData(2021) >= 0, timeout=10_000)
    dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
    dock.layer_combo.setLayer(zones)
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("layer"))
    assert not dock.zones_button.isEnabled()  # nothing fetched yet
    qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.zones_button.isEnabled(), timeout=30_000)
    group = QgsProject.instance().layerTreeRoot().findGroup("CTY 2021 – Zones")
    layers = {node.layer().name().split()[0]: node.layer() for node in group.findLayers()}
    folder = Path(layers["CTYCL"].source()).parent

    opened = []
    monkeypatch.setattr(
        processing, "execAlgorithmDialog", lambda alg, params: opened.append((alg, params))
    )
    dock.confidence_spin.setValue(60)
    qtbot.mouseClick(dock.zones_button, Qt.MouseButton.LeftButton)
    ((algorithm, parameters),) = opened
    assert algorithm == "cropconfidence:zonalareas"
    table = folder / f"zone_areas_cty_ctycl_2021_{folder.name[15:]}.csv"
    assert parameters == {
        "PRODUCT": 0,
        "MIN_CONFIDENCE": 60,
        "THREADS": dock.threads_spin.value(),
        "CLASS_LAYER": layers["CTY"].id(),
        "CONFIDENCE_LAYER": layers["CTYCL"].id(),
        "ZONES": zones.id(),
        "OUTPUT_TABLE": str(table),
    }
    processing.run(algorithm, {**parameters, "ZONE_FIELD": "name"})
    with open(table, encoding="utf-8") as handle:
        zones_counted = {row["zone"] for row in csv.DictReader(handle)}
    assert zones_counted == {feature["name"] for feature in zones.getFeatures()}
