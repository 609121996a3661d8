"""What the dock draws on the map: the search results' footprints and the drawn rectangle.

One canvas item holds both. Each shape keeps its geometry in its own CRS (footprints in
WGS 84, the rectangle in the CRS it was drawn in) and is reprojected to the canvas CRS
whenever that changes: a fetched layer that switches the project from EPSG:4326 to
EPSG:3035 leaves every shape where it was on the ground.
"""

import contextlib
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsMapCanvasItem
from qgis.PyQt.QtCore import QPointF, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QPen, QPolygonF

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
FOOTPRINT_COLOR = QColor(230, 0, 0, 200)
SELECTED_FILL = QColor(230, 0, 0, 60)
RECTANGLE_COLOR = QColor(0, 90, 200, 220)
RECTANGLE_FILL = QColor(0, 90, 200, 30)
PEN_WIDTH = 2
EDGE_POINTS = 32  # points along each edge: a WGS 84 box follows its curved edges in 3035


@dataclass
class Shape:
    geometry: QgsGeometry  # in ``crs``
    crs: QgsCoordinateReferenceSystem
    pen: QPen
    brush: QBrush
    on_canvas: QgsGeometry = None  # in the canvas CRS; None when it cannot be shown there
    row: int = -1  # a footprint's row in the results
    selected: bool = False  # its row is selected: drawn filled


def footprint_pen(selected=False):
    pen = QPen(FOOTPRINT_COLOR, PEN_WIDTH + 1 if selected else PEN_WIDTH)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def rectangle_pen():
    pen = QPen(RECTANGLE_COLOR, PEN_WIDTH, Qt.PenStyle.DashLine)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def box_geometry(xmin, ymin, xmax, ymax):
    """The rectangle as a polygon with points along its edges, so that it bends as it
    should once reprojected."""
    ring = [QgsPointXY(xmin, ymin), QgsPointXY(xmax, ymin)]
    ring += [QgsPointXY(xmax, ymax), QgsPointXY(xmin, ymax)]
    return QgsGeometry.fromPolygonXY([ring]).densifyByCount(EDGE_POINTS - 1)


class MapShapes(QgsMapCanvasItem):
    """The footprints (WGS 84 boxes) and the drawn rectangle, painted as one canvas item."""

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.footprint_shapes = []
        self.rectangle_shape = None
        self.setZValue(10)  # above the map, under the map tools' rubber bands
        canvas.destinationCrsChanged.connect(self.reproject)

    # -- contents ---------------------------------------------------------------------

    def set_footprints(self, bboxes):
        """Shows the ``bboxes`` (west, south, east, north in WGS 84; None skipped)."""
        self.footprint_shapes = [
            Shape(box_geometry(*bbox), WGS84, footprint_pen(), QBrush(), row=row)
            for row, bbox in enumerate(bboxes)
            if bbox
        ]
        self.reproject()

    def select_footprints(self, rows):
        """The footprints of the results' ``rows`` (indices) filled, the others not."""
        for shape in self.footprint_shapes:
            shape.selected = shape.row in rows
            shape.pen = footprint_pen(shape.selected)
            shape.brush = QBrush(SELECTED_FILL) if shape.selected else QBrush()
        self.update()

    def selected_footprints(self):
        """The rows whose footprints are shown selected."""
        return [shape.row for shape in self.footprint_shapes if shape.selected]

    def clear_footprints(self):
        self.set_footprints([])

    def set_rectangle(self, rectangle, crs):
        """Shows the drawn ``rectangle`` (QgsRectangle in ``crs``); None hides it."""
        if rectangle is None or rectangle.isEmpty():
            self.rectangle_shape = None
        else:
            geometry = box_geometry(
                rectangle.xMinimum(),
                rectangle.yMinimum(),
                rectangle.xMaximum(),
                rectangle.yMaximum(),
            )
            self.rectangle_shape = Shape(
                geometry, QgsCoordinateReferenceSystem(crs), rectangle_pen(), QBrush(RECTANGLE_FILL)
            )
        self.reproject()

    def shapes(self):
        rectangle = [self.rectangle_shape] if self.rectangle_shape is not None else []
        return rectangle + self.footprint_shapes

    def footprints(self):
        """The footprints' geometries in the canvas CRS (None: outside what it can show)."""
        return [shape.on_canvas for shape in self.footprint_shapes]

    def rectangle(self):
        """The drawn rectangle's geometry in the canvas CRS, or None."""
        shape = self.rectangle_shape
        return shape.on_canvas if shape is not None else None

    # -- the canvas -------------------------------------------------------------------

    def reproject(self, *_):
        """Every shape into the canvas's current CRS, then repainted."""
        destination = self.canvas.mapSettings().destinationCrs()
        context = QgsProject.instance().transformContext()
        for shape in self.shapes():
            geometry = QgsGeometry(shape.geometry)
            try:
                if shape.crs.isValid() and shape.crs != destination:
                    geometry.transform(QgsCoordinateTransform(shape.crs, destination, context))
            except QgsCsException:
                geometry = None  # outside what the canvas CRS can show
            shape.on_canvas = geometry
        self.updatePosition()
        self.update()

    def updatePosition(self):  # noqa: N802 (QgsMapCanvasItem's virtual)
        """The item's rectangle: the shapes' extent, grown by the pen at this scale."""
        boxes = [s.on_canvas.boundingBox() for s in self.shapes() if s.on_canvas is not None]
        extent = QgsRectangle(boxes[0]) if boxes else QgsRectangle(0, 0, 0, 0)
        for box in boxes[1:]:
            extent.combineExtentWith(box)
        margin = (PEN_WIDTH + 2) * self.canvas.mapUnitsPerPixel()
        extent.grow(margin)
        self.setRect(extent, False)

    def paint(self, painter, *_):
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        origin = self.pos()
        for shape in self.shapes():
            if shape.on_canvas is None:
                continue
            painter.setPen(shape.pen)
            painter.setBrush(shape.brush)
            for polygon in polygons_of(shape.on_canvas):
                points = [self.toCanvasCoordinates(point) - origin for point in polygon[0]]
                painter.drawPolygon(QPolygonF([QPointF(point) for point in points]))

    def remove(self):
        """Takes the item off the canvas (the plugin unloads)."""
        with contextlib.suppress(TypeError, RuntimeError):  # not connected; canvas gone
            self.canvas.destinationCrsChanged.disconnect(self.reproject)
        scene = self.scene()
        if scene is not None:
            scene.removeItem(self)


def polygons_of(geometry):
    """The polygons (lists of rings of QgsPointXY) of a polygon or multipolygon."""
    if geometry.isMultipart():
        return geometry.asMultiPolygon()
    polygon = geometry.asPolygon()
    return [polygon] if polygon else []
