"""The dock on the map and on the screen: footprints and the drawn rectangle follow the
project CRS, the area label is recomputed with it, and no text widens the dock."""

import subprocess
import sys
from pathlib import Path

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QImage, QPainter
from qgis.PyQt.QtWidgets import QLabel

ROOT = Path(__file__).resolve().parents[1]
QM = ROOT / "i18n" / "crop_confidence_fr.qm"
TS = ROOT / "i18n" / "crop_confidence_fr.ts"
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
LAEA = QgsCoordinateReferenceSystem("EPSG:3035")
# Inside the sample's tile (E38N26: 3.824 to 3.896 E, 46.787 to 46.837 N).
DRAWN_4326 = QgsRectangle(3.83, 46.79, 3.88, 46.83)
VIEW_4326 = QgsRectangle(3.70, 46.70, 4.00, 46.92)
MAX_DOCK_WIDTH = 360
MAX_DOCK_HINT = 400


def make_dock(qgis_iface, qtbot):
    from crop_confidence.plugin.gui.dock import CropConfidenceDock

    widget = CropConfidenceDock(qgis_iface)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.year_combo.count() > 0, timeout=10_000)
    return widget


@pytest.fixture()
def new_project(qgis_iface, qtbot):
    """A new project as QGIS starts one: EPSG:4326, the canvas following the project CRS
    (what QGIS itself connects), the canvas on screen (hidden, its map settings keep the
    viewport's default size)."""
    project = QgsProject.instance()
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()
    canvas = qgis_iface.mapCanvas()
    window = canvas.window()
    window.show()
    qtbot.waitExposed(window)
    project.setCrs(WGS84)
    canvas.setDestinationCrs(WGS84)
    canvas.setExtent(VIEW_4326)

    def follow():
        canvas.setDestinationCrs(project.crs())

    project.crsChanged.connect(follow)
    yield project
    project.crsChanged.disconnect(follow)
    window.hide()
    project.setCrs(WGS84)
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()


@pytest.fixture()
def dock(qgis_iface, qtbot, offline_sources, new_project):  # noqa: ARG001
    widget = make_dock(qgis_iface, qtbot)
    yield widget
    widget.cancel_all()
    widget.close()


def canvas_image(canvas):
    """The canvas's scene (its items) in canvas pixels, on white."""
    size = canvas.mapSettings().outputSize()
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    area = QRectF(0, 0, size.width(), size.height())
    canvas.scene().render(painter, area, area)
    painter.end()
    return image


def pixel_near(image, point, colour_test, radius=2):
    """Whether a pixel within ``radius`` of ``point`` (QPointF, canvas pixels) passes."""
    x0, y0 = round(point.x()), round(point.y())
    for x in range(x0 - radius, x0 + radius + 1):
        for y in range(y0 - radius, y0 + radius + 1):
            inside = 0 <= x < image.width() and 0 <= y < image.height()
            if inside and colour_test(image.pixelColor(x, y)):
                return True
    return False


def is_red(colour):
    return colour.red() > 180 and colour.green() < 90 and colour.blue() < 90


def is_blue(colour):
    return colour.blue() > 150 and colour.red() < 90


def km2_of(label):
    number, _, _ = label.partition(" km²")
    return float(number.replace(",", ""))


def area_in_3035_km2(rect_4326):
    """The rectangle's area in EPSG:3035 (equal-area), edges densified: the reference."""
    ring = QgsGeometry.fromRect(rect_4326).densifyByCount(200)
    ring.transform(QgsCoordinateTransform(WGS84, LAEA, QgsProject.instance()))
    return ring.area() / 1e6


def test_footprints_and_rectangle_follow_the_project_crs(qtbot, dock, new_project):
    canvas = dock.canvas
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("cty_ctycl"))
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
    qtbot.mouseClick(dock.draw_button, Qt.MouseButton.LeftButton)
    dock.map_tool.extentChanged.emit(DRAWN_4326)  # what dragging a rectangle emits
    assert canvas.mapTool() is not dock.map_tool  # back to the previous tool
    # The drawn rectangle stays on the map.
    assert dock.map_shapes.rectangle().boundingBox() == DRAWN_4326
    corner = canvas.getCoordinateTransform().transform(QgsPointXY(3.83, 46.79)).toQPointF()
    assert pixel_near(canvas_image(canvas), corner, is_blue)
    label_4326 = dock.area_label.text()
    expected_km2 = area_in_3035_km2(DRAWN_4326)
    assert km2_of(label_4326) == pytest.approx(expected_km2, abs=0.006)

    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.results_tree.topLevelItemCount() == 1, timeout=20_000)
    (row,) = dock.results
    west, south, east, north = row.bbox
    (footprint,) = dock.footprints
    assert footprint.boundingBox().toString(6) == QgsRectangle(*row.bbox).toString(6)

    # The first fetched layer switches the project to EPSG:3035.
    new_project.setCrs(LAEA)
    assert canvas.mapSettings().destinationCrs() == LAEA
    to_3035 = QgsCoordinateTransform(WGS84, LAEA, QgsProject.instance())
    expected = to_3035.transformBoundingBox(QgsRectangle(*row.bbox))
    (footprint,) = dock.footprints
    box = footprint.boundingBox()
    for ours, theirs in (
        (box.xMinimum(), expected.xMinimum()),
        (box.yMinimum(), expected.yMinimum()),
        (box.xMaximum(), expected.xMaximum()),
        (box.yMaximum(), expected.yMaximum()),
    ):
        assert ours == pytest.approx(theirs, abs=1.0)  # metres
    # Painted where the footprint's corners are, on the visible map.
    image = canvas_image(canvas)
    to_pixels = canvas.getCoordinateTransform()
    for lon, lat in ((west, south), (east, south), (east, north), (west, north)):
        pixel = to_pixels.transform(to_3035.transform(QgsPointXY(lon, lat))).toQPointF()
        assert 0 <= pixel.x() < image.width() and 0 <= pixel.y() < image.height()
        assert pixel_near(image, pixel, is_red), (lon, lat)
    corner = to_pixels.transform(to_3035.transform(QgsPointXY(3.83, 46.79))).toQPointF()
    assert pixel_near(image, corner, is_blue)
    assert dock.map_shapes.rectangle().boundingBox().toString(0) == (
        to_3035.transformBoundingBox(DRAWN_4326).toString(0)
    )

    # Selected in the results, the footprint is filled; between its edge and the rectangle:
    inside = to_pixels.transform(to_3035.transform(QgsPointXY(3.826, 46.834))).toQPointF()
    assert image.pixelColor(inside.toPoint()).name() == "#ffffff"
    dock.results_tree.topLevelItem(0).setSelected(True)
    tinted = canvas_image(canvas).pixelColor(inside.toPoint())
    alpha = 60 / 255  # the fill, red (230, 0, 0) at 60/255, over white
    expected = (255 + (230 - 255) * alpha, 255 * (1 - alpha), 255 * (1 - alpha))
    assert tinted.getRgb()[:3] == pytest.approx(expected, abs=2), tinted.name()

    # The same area, the same label: in km² and in bytes.
    assert dock.area_label.text() == label_4326
    assert km2_of(dock.area_label.text()) == pytest.approx(expected_km2, abs=0.006)
    assert dock.current_results() == [row]


def test_canvas_area_is_measured_in_the_new_crs(qtbot, dock, new_project):  # noqa: ARG001
    """The canvas extent's numbers change with the CRS: the label reads them in the new
    CRS (it read 0.00 km² until the map was panned)."""
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("canvas"))
    before = km2_of(dock.area_label.text())
    new_project.setCrs(LAEA)
    extent = dock.canvas.extent()
    # EPSG:3035 is equal-area: the extent's plane area is its area on the ground.
    assert km2_of(dock.area_label.text()) == pytest.approx(extent.area() / 1e6, abs=0.006)
    assert km2_of(dock.area_label.text()) > 0.5 * before > 0


def test_an_area_where_the_product_has_no_data_says_so(dock):
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("canvas"))
    dock.canvas.setExtent(QgsRectangle(-60, 30, -40, 40))  # the Atlantic
    for family in ("cty_ctycl", "ctycl", "oso"):
        dock.product_combo.setCurrentIndex(dock.product_combo.findData(family))
        assert dock.area_label.text() == "The product has no data over this area."
    dock.canvas.setExtent(VIEW_4326)  # France: both have data
    for family in ("cty_ctycl", "oso"):
        dock.product_combo.setCurrentIndex(dock.product_combo.findData(family))
        assert km2_of(dock.area_label.text()) > 0


def test_the_shapes_are_hidden_with_the_dock_and_follow_the_area_mode(qtbot, dock):
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
    qtbot.mouseClick(dock.draw_button, Qt.MouseButton.LeftButton)
    dock.map_tool.extentChanged.emit(DRAWN_4326)
    assert dock.map_shapes.rectangle() is not None and dock.map_shapes.isVisible()
    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dock.footprints) == 1, timeout=20_000)
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("canvas"))
    assert dock.map_shapes.rectangle() is None
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
    assert dock.map_shapes.rectangle().boundingBox() == DRAWN_4326
    dock.close()
    assert not dock.map_shapes.isVisible() and dock.footprints == []
    dock.show()  # the footprints of the results still listed
    assert dock.map_shapes.isVisible() and len(dock.footprints) == 1
    assert dock.map_shapes.rectangle().boundingBox() == DRAWN_4326


def test_the_map_item_leaves_the_canvas_with_the_dock(qgis_iface, qtbot, offline_sources):  # noqa: ARG001
    from qgis.PyQt import sip

    from crop_confidence.plugin.gui.dock import CropConfidenceDock

    widget = CropConfidenceDock(qgis_iface)  # not qtbot's: deleted here
    shapes = widget.map_shapes
    scene = qgis_iface.mapCanvas().scene()
    assert shapes in scene.items()
    widget.cancel_all()
    widget.close()
    sip.delete(widget)
    assert shapes not in scene.items()


# ----------------------------------------------------------------------------- layout


@pytest.fixture(scope="module")
def qm_file():
    if not QM.is_file() or QM.stat().st_mtime < TS.stat().st_mtime:
        completed = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "i18n.py"), "release"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
    return QM


@pytest.fixture(params=["en", "fr"])
def language(request, qgis_app, qm_file):  # noqa: ARG001
    from crop_confidence.plugin.qgis import i18n

    if request.param == "fr":
        assert i18n.install_translator("fr")
    yield request.param
    i18n.remove_translator()


def test_no_text_widens_the_dock(language, qgis_iface, qtbot, offline_sources, new_project):  # noqa: ARG001
    dock = make_dock(qgis_iface, qtbot)
    try:
        assert dock.search_button.text() == {"en": "Search", "fr": "Rechercher"}[language]
        # The longest items: the product and the area mode.
        for combo in (dock.product_combo, dock.area_combo):
            combo.setCurrentIndex(combo.count() - 1)
        widths = [dock.minimumSizeHint().width()]
        dock.settings_box.setCollapsed(False)
        qtbot.wait(10)
        widths.append(dock.minimumSizeHint().width())
        assert max(widths) <= MAX_DOCK_WIDTH, widths
        # The width QGIS first gives the dock: not a third of a 1920 px screen.
        assert dock.sizeHint().width() <= MAX_DOCK_HINT
        # On a 1366 x 768 screen: the dock scrolls, and no wrapped label is cut.
        dock.resize(widths[-1], 600)
        qtbot.wait(50)
        labels = [label for label in dock.body.findChildren(QLabel) if label.wordWrap()]
        assert len(labels) >= 10
        for label in labels:
            if label.isVisible() and label.text():
                needed = label.heightForWidth(label.width())
                assert label.height() >= needed, (label.text(), label.height(), needed)
        for text in (
            "1 234 567,89 km² où le produit a des données, environ 12,3 Go à télécharger",
            "x " * 300,
            "/a/very/long/path/without/any/space/" * 5,
        ):
            dock.area_label.setText(text)
            dock.progress_label.setText(text)
            dock.year_status.setText(text)
            qtbot.wait(10)
            assert dock.minimumSizeHint().width() == widths[-1], text
            for label in (dock.area_label, dock.progress_label, dock.year_status):
                assert label.isVisible() and label.width() >= dock.year_combo.width()
        # A world-wide area: the label the dock writes itself.
        dock.area_combo.setCurrentIndex(dock.area_combo.findData("canvas"))
        dock.canvas.setExtent(QgsRectangle(-180, -90, 180, 90))
        assert "km²" in dock.area_label.text()
        assert dock.minimumSizeHint().width() == widths[-1]
    finally:
        dock.cancel_all()
        dock.close()


def test_result_columns_show_their_text_or_a_tooltip(qgis_iface, qtbot, offline_sources):  # noqa: ARG001
    from crop_confidence.plugin.sources.search import OSO_LAYERS, SearchRow

    dock = make_dock(qgis_iface, qtbot)
    try:
        dock.resize(300, 700)
        rows = [
            SearchRow("OSO_2021_sample", 2021, OSO_LAYERS, 123_456_789, (1.39, 43.56, 1.45, 43.6)),
            SearchRow("E38N26", 2021, "CTY + CTYCL", None, None),
        ]
        dock.results_tree.show_rows(rows)
        qtbot.wait(10)
        tree = dock.results_tree
        metrics = tree.fontMetrics()
        for index in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(index)
            for column in range(tree.columnCount()):
                text = item.text(column)
                shown = tree.columnWidth(column) >= metrics.horizontalAdvance(text)
                assert shown or item.toolTip(column) == text, (column, text)
                assert item.toolTip(column) == text
        assert OSO_LAYERS in [tree.topLevelItem(0).text(c) for c in range(4)]
        header = tree.headerItem()
        for column in range(tree.columnCount()):
            assert tree.columnWidth(column) >= metrics.horizontalAdvance(header.text(column))
        assert len(dock.footprints) == 1  # the row without a footprint draws none
        # A selected row's footprint is filled on the map.
        tree.topLevelItem(1).setSelected(True)
        assert dock.map_shapes.selected_footprints() == []
        tree.topLevelItem(0).setSelected(True)
        assert dock.map_shapes.selected_footprints() == [0]
        tree.clearSelection()
        assert dock.map_shapes.selected_footprints() == []
    finally:
        dock.cancel_all()
        dock.close()


def test_the_year_status_takes_no_line_when_empty(qgis_iface, qtbot, offline_sources):  # noqa: ARG001
    dock = make_dock(qgis_iface, qtbot)
    try:
        dock.year_status.setText("")
        qtbot.wait(10)
        gap = dock.area_combo.y() - dock.year_combo.y()
        assert not dock.year_status.isVisible()
        dock.year_status.setText("(not checked)")
        qtbot.wait(10)
        assert dock.year_status.isVisible()
        assert dock.year_combo.y() < dock.year_status.y() < dock.area_combo.y()
        assert dock.area_combo.y() - dock.year_combo.y() > gap
    finally:
        dock.cancel_all()
        dock.close()


def test_the_clip_label_toggles_its_box_and_greys_out_with_it(qgis_iface, qtbot, offline_sources):  # noqa: ARG001
    dock = make_dock(qgis_iface, qtbot)
    try:
        label = dock.clip_check.parent().label
        assert label.text() == "Clip to the area (read only what is needed)"
        assert dock.clip_check.isChecked()
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
        assert not dock.clip_check.isChecked()
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
        assert dock.clip_check.isChecked()
        dock.clip_check.setEnabled(False)
        assert not label.isEnabled()
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
        assert dock.clip_check.isChecked()
        dock.clip_check.setEnabled(True)
        assert label.isEnabled()
    finally:
        dock.cancel_all()
        dock.close()


def test_after_a_fetch_the_next_steps_are_in_view_on_a_1366_x_768_screen(
    language,
    qgis_iface,
    qtbot,
    offline_sources,
    new_project,  # noqa: ARG001
):
    """The tour showed 'Crop mask…' below the fold of a 1366 x 768 screen (the dock scrolls
    there): once a fetch is done, the dock scrolls to its next steps."""
    dock = make_dock(qgis_iface, qtbot)
    try:
        dock.resize(dock.minimumSizeHint().width(), 615)  # what QGIS gives it on such a screen
        dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3035"))
        qtbot.waitUntil(lambda: dock.year_combo.findData(2021) >= 0, timeout=10_000)
        dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
        dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
        dock.set_drawn_area(QgsRectangle(3_851_000, 2_650_000, 3_855_000, 2_653_000))
        scroll = dock.widget()
        assert scroll.verticalScrollBar().maximum() > 0  # it does scroll at this height
        scroll.verticalScrollBar().setValue(0)
        dock.fetch_button.click()  # as a keyboard shortcut would: no focus moves the view
        qtbot.waitUntil(lambda: dock.zones_button.isEnabled(), timeout=30_000)
        qtbot.wait(50)
        viewport = scroll.viewport()
        for button in (dock.mask_button, dock.zones_button):
            top = button.mapTo(viewport, button.rect().topLeft()).y()
            assert top >= 0 and top + button.height() <= viewport.height(), (button.text(), top)
    finally:
        dock.cancel_all()
        dock.close()
