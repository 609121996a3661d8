"""The rows a search found; their footprints are drawn on the map (footprints.MapShapes)."""

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from ..qgis.i18n import tr
from .formatting import human_size


class ResultsTable(QTreeWidget):
    """Columns as wide as their contents (a horizontal scroll bar when the dock is narrow);
    a cell that is still cut is elided in its middle, and its tooltip has the full text."""

    def __init__(self, shapes, parent=None):
        super().__init__(parent)
        self.shapes = shapes
        self.setHeaderLabels([tr("Tile"), tr("Year"), tr("Layers"), tr("Size")])
        self.setRootIsDecorated(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.itemSelectionChanged.connect(self._select_footprints)

    @property
    def footprints(self):
        return self.shapes.footprints()

    def show_rows(self, rows):
        """Lists ``rows`` (sources.search.SearchRow) and draws their footprints."""
        self.clear()
        for row in rows:
            texts = [row.tile, str(row.year), row.layers, human_size(row.size)]
            item = QTreeWidgetItem(self, texts)
            for column, text in enumerate(texts):
                item.setToolTip(column, text)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.shapes.set_footprints([row.bbox for row in rows])

    def _select_footprints(self):
        rows = {self.indexOfTopLevelItem(item) for item in self.selectedItems()}
        self.shapes.select_footprints(rows)

    def clear_rows(self):
        self.clear()
        self.clear_footprints()

    def clear_footprints(self):
        self.shapes.clear_footprints()
