"""The class picker: the classes of a product ticked by name, with their colours, instead of
typed codes; and the Processing widget wrapper that puts it on cropmask's CLASSES.

The value stays the comma-separated codes string CLASSES always was ('1110,1130'), so
``qgis_process`` and models are unchanged. The picker lives here, not in plugin/gui, because
Processing may not import the dock's package (tests/test_import_rules.py); the dock reaches it
through the crop-mask dialog it opens. Nothing here is imported when the algorithm runs: only
the dialog loads this module, by the class path in the parameter's metadata.
"""

from processing.gui.wrappers import DIALOG_STANDARD, WidgetWrapper
from qgis.gui import QgsFilterLineEdit, QgsGui
from qgis.PyQt.QtCore import QCoreApplication, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QIcon, QPixmap
from qgis.PyQt.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain import nomenclature
from ..qgis import i18n
from ..qgis.i18n import tr

CODE_ROLE = Qt.ItemDataRole.UserRole
SWATCH_SIZE = 16
VISIBLE_ROWS = 8  # classes shown without scrolling
PRODUCT_PARAMETER = "PRODUCT"  # CropMaskAlgorithm.PRODUCT, whose value the list follows


def class_language():
    """The language of the class labels: the plugin's translator's, else the QGIS UI's."""
    return i18n.installed_language() or i18n.ui_language()


def swatch(color):
    """A square icon of ``color`` ('#ee6e32')."""
    pixmap = QPixmap(SWATCH_SIZE, SWATCH_SIZE)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def product_table(product):
    """The nomenclature of ``product``'s class layer ('cty', 'oso23'…), or None (CTYCL only,
    Custom)."""
    from ..domain import products  # its tables need numpy: not when the module loads

    return products.SPECS[product].table if product in products.SPECS else None


def _without_classes(product):
    """Whether ``product`` has no class layer, so no class to choose (CTYCL only)."""
    from ..domain import products

    return product is not None and not products.SPECS[product].needs_class_band


def parse_codes(text):
    """'1110, 1130' -> {1110, 1130}; what is not a code is left to the algorithm to refuse."""
    codes = set()
    for part in str(text or "").replace(";", ",").split(","):
        if part.strip().lstrip("-").isdigit():
            codes.add(int(part))
    return codes


class ClassPicker(QWidget):
    """A checkable list of a product's classes (colour swatch, label in the UI language and
    code) with a filter box and 'select all / clear' buttons; for Custom, a codes box.

    ``value()`` is the CLASSES string: the ticked codes in the nomenclature's order."""

    changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.product, self.table, self.custom = None, None, False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.filter_edit = QgsFilterLineEdit(self)
        self.filter_edit.setPlaceholderText(tr("Filter classes"))
        self.all_button = QPushButton(tr("Select all"), self)
        self.none_button = QPushButton(tr("Clear"), self)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.all_button)
        top.addWidget(self.none_button)
        layout.addLayout(top)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        row = max(SWATCH_SIZE, self.list.fontMetrics().height()) + 4
        self.list.setMinimumHeight(VISIBLE_ROWS * row + 2 * self.list.frameWidth())
        layout.addWidget(self.list)
        self.codes_edit = QLineEdit(self)  # Custom: codes typed
        self.codes_edit.setPlaceholderText(tr("Class codes to keep, e.g. 5,6,7"))
        layout.addWidget(self.codes_edit)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.filter_edit.textChanged.connect(self._filter)
        self.all_button.clicked.connect(lambda: self._tick_visible(True))
        self.none_button.clicked.connect(lambda: self._tick_visible(False))
        self.list.itemChanged.connect(self._item_changed)
        self.codes_edit.textChanged.connect(self.changed)
        self.set_product(None)

    # -- the product ---------------------------------------------------------------------

    def set_product(self, product):
        """Show ``product``'s classes, its default crop classes ticked."""
        table = product_table(product) if product else None
        if product == self.product and table == self.table and product is not None:
            return
        self.product, self.table = product, table
        self.list.blockSignals(True)
        self.list.clear()
        if table is not None:
            language = class_language()
            for entry in nomenclature.entries(table):
                if entry.selectable:
                    self._add_item(entry, language)
        self.list.blockSignals(False)
        self.custom = product is not None and table is None and not _without_classes(product)
        for widget in (self.filter_edit, self.all_button, self.none_button, self.list):
            widget.setVisible(table is not None)
        self.codes_edit.setVisible(self.custom)
        self._filter(self.filter_edit.text())
        self._update_note()
        self.changed.emit()

    def _add_item(self, entry, language):
        item = QListWidgetItem(swatch(entry.color), f"{entry.label(language)} ({entry.code})")
        item.setData(CODE_ROLE, entry.code)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(
            Qt.CheckState.Checked if entry.default_selected else Qt.CheckState.Unchecked
        )
        item.setToolTip(f"{entry.label_en} / {entry.label_fr} ({entry.code})")
        self.list.addItem(item)

    # -- the value -----------------------------------------------------------------------

    def items(self):
        return [self.list.item(row) for row in range(self.list.count())]

    def codes(self):
        """The ticked codes, in the nomenclature's order."""
        return tuple(
            item.data(CODE_ROLE)
            for item in self.items()
            if item.checkState() == Qt.CheckState.Checked
        )

    def value(self):
        """The CLASSES string: '1110,1130'; '' when nothing is ticked (the product's crops)."""
        if self.custom:
            return self.codes_edit.text().strip()
        return ",".join(map(str, self.codes()))

    def set_value(self, text):
        """Tick the codes of ``text`` ('1110,1130'); empty ticks the product's defaults."""
        if self.table is None:
            self.codes_edit.setText("" if text is None else str(text))
            return
        wanted = parse_codes(text)
        defaults = set(nomenclature.default_codes(self.table))
        self.list.blockSignals(True)
        for item in self.items():
            ticked = item.data(CODE_ROLE) in (wanted or defaults)
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._update_note()
        self.changed.emit()

    # -- filter, select all / clear, note -------------------------------------------------

    def _filter(self, text):
        needle = (text or "").strip().lower()
        for item in self.items():
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def _tick_visible(self, ticked):
        state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        self.list.blockSignals(True)
        for item in self.items():
            if not item.isHidden():
                item.setCheckState(state)
        self.list.blockSignals(False)
        self._item_changed()

    def _item_changed(self, *_):
        self._update_note()
        self.changed.emit()

    def _update_note(self):
        if _without_classes(self.product):
            text = tr("CTYCL only has no class layer: every cropland pixel is kept.")
        elif self.table is not None and not self.codes():
            text = tr("No class ticked: the product's default crop classes are kept.")
        else:
            text = ""
        self.note.setText(text)
        self.note.setVisible(bool(text))


class ClassesWidgetWrapper(WidgetWrapper):
    """CLASSES in the algorithm dialog: a ClassPicker following PRODUCT. In the modeller,
    QGIS's own widget for a string (a fixed value, a model input or an expression); in the
    batch dialog, the codes as text."""

    def __new__(cls, param, dialog, *arguments, **options):
        if type(dialog).__name__ == "ModelerParametersDialog":
            widget = QgsGui.processingGuiRegistry().createModelerParameterWidget(
                dialog.model, dialog.childId, param, dialog.context
            )
            if widget is not None:  # what Processing gives a parameter without a wrapper
                return widget
        return super().__new__(cls, param, dialog, *arguments, **options)

    def tr(self, text, *_):
        """Processing's label texts (' [optional]') in QGIS's own translation: a Python
        subclass would look them up under its own class name, where QGIS has none."""
        for context in ("QgsAbstractProcessingParameterWidgetWrapper", "WidgetWrapper"):
            translated = QCoreApplication.translate(context, text)
            if translated != text:
                return translated
        return text

    def createWidget(self):  # noqa: N802
        self.picker = None
        if self.dialogType != DIALOG_STANDARD:
            return QLineEdit()
        self.picker = ClassPicker()
        self.picker.set_product(self._default_product())
        self.picker.changed.connect(lambda: self.widgetValueHasChanged.emit(self))
        return self.picker

    def _default_product(self):
        from ..domain import products

        return products.PRODUCTS[0]

    def postInitialize(self, wrappers):  # noqa: N802
        """Follow the PRODUCT parameter's widget."""
        for wrapper in wrappers:
            if wrapper.parameterDefinition().name() == PRODUCT_PARAMETER:
                self.product_wrapper = wrapper
                wrapper.widgetValueHasChanged.connect(self._product_changed)
                self._product_changed(wrapper)

    def _product_changed(self, wrapper):
        from ..domain import products

        if self.picker is None:
            return
        index = wrapper.parameterValue()
        try:
            product = products.PRODUCTS[int(index)]
        except (TypeError, ValueError, IndexError):
            return
        self.picker.set_product(product)

    def setValue(self, value):  # noqa: N802
        text = "" if value is None else str(value)
        if self.picker is None:
            self.widget.setText(text)
        else:
            self.picker.set_value(text)

    def value(self):
        if self.picker is None:
            return self.widget.text()
        return self.picker.value()
