"""The rows a search found, and their footprints drawn on the map canvas."""

from qgis.core import QgsCoordinateTransform, QgsGeometry, QgsPointXY, QgsProject
from qgis.gui import QgsRubberBand
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QTreeWidget, QTreeWidgetItem

from .. import compat
from ..qgis.i18n import tr
from .area_picker import WGS84
from .formatting import human_size

FOOTPRINT_COLOR = QColor(230, 0, 0, 200)


class ResultsTable(QTreeWidget):
    def __init__(self, canvas, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.footprints = []
        self.setHeaderLabels([tr("Tile"), tr("Year"), tr("Layers"), tr("Size")])
        self.setRootIsDecorated(False)

    def show_rows(self, rows):
        """Lists ``rows`` (sources.search.SearchRow) and draws their footprints."""
        self.clear_rows()
        for row in rows:
            QTreeWidgetItem(self, [row.tile, str(row.year), row.layers, human_size(row.size)])
            self.draw_footprint(row.bbox)

    def clear_rows(self):
        self.clear()
        self.clear_footprints()

    def draw_footprint(self, bbox):
        if not bbox:
            return
        band = QgsRubberBand(self.canvas, compat.GEOMETRY_POLYGON)
        band.setStrokeColor(FOOTPRINT_COLOR)
        band.setFillColor(QColor(0, 0, 0, 0))
        band.setWidth(2)
        to_canvas = QgsCoordinateTransform(
            WGS84, self.canvas.mapSettings().destinationCrs(), QgsProject.instance()
        )
        west, south, east, north = bbox
        ring = [
            QgsPointXY(x, y)
            for x, y in ((west, south), (east, south), (east, north), (west, north))
        ]
        geometry = QgsGeometry.fromPolygonXY([ring])
        geometry.transform(to_canvas)
        band.setToGeometry(geometry, None)
        self.footprints.append(band)

    def clear_footprints(self):
        for band in self.footprints:
            self.canvas.scene().removeItem(band)
        self.footprints = []
