"""The dock's area: the map canvas extent, a layer's extent, its selected features, or a
rectangle drawn on the map; and its size on the ellipsoid where a product has data."""

import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsDistanceArea,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsMapLayerComboBox, QgsMapToolExtent
from qgis.PyQt.QtCore import QObject, pyqtSignal
from qgis.PyQt.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton

from .. import compat
from ..qgis.i18n import tr

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
AREA_MODES = ("canvas", "layer", "selection", "drawn")


class AreaPicker(QObject):
    """The area widgets, added as rows of the dock's form; ``changed`` when the area may
    have changed (mode, layer, selection redrawn, canvas extent, drawn rectangle)."""

    changed = pyqtSignal()

    def __init__(self, canvas, form, parent, shapes=None):
        super().__init__(parent)
        self.canvas = canvas
        self.shapes = shapes  # footprints.MapShapes: shows the drawn rectangle
        self.drawn_area = None  # (QgsRectangle, CRS)
        self.map_tool = None
        self.previous_map_tool = None
        self._build(form, parent)
        self.area_combo.currentIndexChanged.connect(self._follow_mode)
        self.layer_combo.layerChanged.connect(self._emit_changed)
        self.canvas.extentsChanged.connect(self._emit_changed)
        # The canvas extent's numbers change with its CRS: the area is read again once the
        # CRS is set (extentsChanged comes while the canvas still reports the old one).
        self.canvas.destinationCrsChanged.connect(self._emit_changed)
        self.draw_button.clicked.connect(self.start_drawing)
        self._follow_mode()

    def _build(self, form, parent):
        self.area_combo = QComboBox(parent)
        labels = (
            tr("Map canvas extent"),
            tr("Extent of a layer"),
            tr("Selected features of a layer"),
            tr("Rectangle drawn on the map"),
        )
        for mode, label in zip(AREA_MODES, labels):
            self.area_combo.addItem(label, mode)
        self.layer_combo = QgsMapLayerComboBox(parent)
        self.layer_combo.setFilters(
            compat.layer_filters(compat.LAYER_FILTER_VECTOR, compat.LAYER_FILTER_RASTER)
        )
        self.draw_button = QPushButton(tr("Draw…"), parent)
        area_row = QHBoxLayout()
        area_row.addWidget(self.area_combo, 1)
        area_row.addWidget(self.draw_button)
        form.addRow(tr("Area"), area_row)
        form.addRow("", self.layer_combo)
        self.area_label = QLabel(parent)
        form.addRow("", self.area_label)

    def _follow_mode(self, *_):
        mode = self.area_combo.currentData()
        # Shown only when it is used: a disabled combo took a line of a short screen.
        self.layer_combo.setEnabled(mode in ("layer", "selection"))
        self.layer_combo.setVisible(mode in ("layer", "selection"))
        self.draw_button.setEnabled(mode == "drawn")
        self._show_rectangle()
        self.changed.emit()

    def _show_rectangle(self):
        """The drawn rectangle stays on the map while it is the area."""
        if self.shapes is None:
            return
        if self.area_combo.currentData() == "drawn" and self.drawn_area is not None:
            self.shapes.set_rectangle(*self.drawn_area)
        else:
            self.shapes.set_rectangle(None, None)

    def _emit_changed(self, *_):
        self.changed.emit()

    def area(self):
        """(QgsRectangle, QgsCoordinateReferenceSystem) of the chosen area, or None."""
        mode = self.area_combo.currentData()
        if mode == "canvas":
            return self.canvas.extent(), self.canvas.mapSettings().destinationCrs()
        if mode == "drawn":
            return self.drawn_area
        layer = self.layer_combo.currentLayer()
        if layer is None:
            return None
        if mode == "selection":
            if not hasattr(layer, "selectedFeatureCount") or layer.selectedFeatureCount() == 0:
                return None
            return layer.boundingBoxOfSelected(), layer.crs()
        return layer.extent(), layer.crs()

    def start_drawing(self):
        self.map_tool = QgsMapToolExtent(self.canvas)
        self.map_tool.extentChanged.connect(self.set_drawn_area)
        self.previous_map_tool = self.canvas.mapTool()
        self.canvas.setMapTool(self.map_tool)

    def set_drawn_area(self, rectangle):
        self.drawn_area = (QgsRectangle(rectangle), self.canvas.mapSettings().destinationCrs())
        if self.previous_map_tool is not None:
            self.canvas.setMapTool(self.previous_map_tool)
        else:
            self.stop_drawing()
        self._show_rectangle()
        self.changed.emit()

    def stop_drawing(self):
        if self.map_tool is not None and self.canvas.mapTool() is self.map_tool:
            self.canvas.unsetMapTool(self.map_tool)


def area_km2(area, envelopes):
    """(km² of ``area`` inside ``envelopes`` (WGS 84), whether some of it lies outside).

    Measured on the ellipsoid; each part is densified, so that wide areas follow the
    map's straight edges rather than geodesics."""
    rect, crs = area
    project = QgsProject.instance()
    measure = QgsDistanceArea()
    measure.setSourceCrs(crs, project.transformContext())
    measure.setEllipsoid("WGS84")
    to_area = QgsCoordinateTransform(WGS84, crs, project)
    total, inside = 0.0, False
    for envelope in envelopes:
        try:
            covered = to_area.transformBoundingBox(QgsRectangle(*envelope))
        except QgsCsException:
            continue  # the coverage lies outside what the area's CRS can show
        part = rect.intersect(covered)
        if part.isEmpty() or not part.isFinite():
            continue
        inside = inside or part == rect
        area_m2 = measure.measureArea(QgsGeometry.fromRect(part).densifyByCount(31))
        if math.isfinite(area_m2):
            total += area_m2
    return total / 1e6, not inside
