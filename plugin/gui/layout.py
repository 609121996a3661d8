"""Layout helpers of the dock: nothing a text says may widen it.

French labels are longer than English ones, and the area label grows as the area changes;
a dock docked on the side of QGIS must keep its width. Labels wrap at word boundaries,
combo boxes ask for a few characters rather than their longest item, and a check box's
long text wraps next to it.
"""

from qgis.PyQt.QtCore import QEvent, QSize, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

COMBO_MIN_CHARACTERS = 8


def wrapping(label):
    """``label`` wrapped at word boundaries; its width never raises the dock's minimum
    width (its height follows the width it is given)."""
    label.setWordWrap(True)
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    return label


def wrap_form_labels(form):
    """The labels of a QFormLayout's rows wrapped at word boundaries."""
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if isinstance(label, QLabel):
            label.setWordWrap(True)


def compact(combo, characters=COMBO_MIN_CHARACTERS):
    """``combo`` asks for ``characters`` characters, not its longest item; the current
    item's full text is its tooltip, and the list opens as wide as its items."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)

    def follow(*_):
        combo.setToolTip(combo.currentText())
        width = combo.view().sizeHintForColumn(0) + 2 * combo.view().frameWidth() + 24
        combo.view().setMinimumWidth(width)

    combo.currentIndexChanged.connect(follow)
    combo.model().rowsInserted.connect(follow)
    follow()
    return combo


class StatusLabel(QLabel):
    """A label shown only while it has a text: an empty status takes no line."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setVisible(False)

    def setText(self, text):  # noqa: N802 (QLabel's)
        super().setText(text)
        self.setVisible(bool(text))


class ClickableLabel(QLabel):
    clicked = pyqtSignal()

    def mouseReleaseEvent(self, event):  # noqa: N802 (Qt's virtual)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class CheckRow(QWidget):
    """A check box whose text wraps in a label next to it: a click on the label toggles
    the box, and the label is greyed out with it."""

    def __init__(self, text, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(self)
        self.check.setAccessibleName(text)
        self.label = wrapping(ClickableLabel(text, self))
        self.label.setBuddy(self.check)
        self.label.clicked.connect(self._click)
        layout.addWidget(self.check, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.check.installEventFilter(self)

    def _click(self):
        if self.check.isEnabled():
            self.check.toggle()

    def eventFilter(self, watched, event):  # noqa: N802 (Qt's virtual)
        if watched is self.check and event.type() == QEvent.Type.EnabledChange:
            self.label.setEnabled(self.check.isEnabled())
        return super().eventFilter(watched, event)


def wrapped_check_box(text, parent):
    """(QCheckBox, the row to add to a layout): see CheckRow."""
    row = CheckRow(text, parent)
    return row.check, row


class VerticalScrollArea(QScrollArea):
    """Scrolls ``body`` up and down on a short screen, never sideways: its minimum width is
    the body's, so that nothing is cut on the right."""

    def __init__(self, body, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(body)
        body.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 (Qt's virtual)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the body's minimum width may have changed
        return super().eventFilter(watched, event)

    def minimumSizeHint(self):  # noqa: N802 (Qt's virtual)
        bar = self.verticalScrollBar().sizeHint().width()
        width = self.widget().minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(width, super().minimumSizeHint().height())
