"""The rows a search found; their footprints are drawn on the map (footprints.MapShapes)."""

from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from ..qgis.i18n import tr
from .formatting import human_size

SHOWN_ROWS = 3  # rows the table asks room for; it scrolls beyond


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

    def sizeHint(self):  # noqa: N802 (Qt's virtual)
        """Room for the header and a few rows: the dock's scrolling body lays itself out at
        its preferred height, so Qt's 192 px here pushed the buttons below a 768 px screen.
        The table still takes the spare height of a taller dock (its stretch)."""
        hint = super().sizeHint()
        rows = self.fontMetrics().height() + 6
        return QSize(hint.width(), self.header().sizeHint().height() + SHOWN_ROWS * rows + 4)

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
