"""The dock's collapsible settings: download folder, threads, thresholds, sources.

Each value is saved as soon as it changes; ``sources_edited`` tells the dock that a source
address or the collection id was edited (and saved). "Use the embedded sample (offline)"
points both sources at the sample catalogue shipped with the plugin. Each label sits above
its field, so that paths use the dock's whole width in any language.
"""

from qgis.gui import QgsCollapsibleGroupBox, QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout

from ..domain.resources import SAMPLE_CATALOG
from ..qgis import settings
from ..qgis.i18n import tr

SPACING = 6  # pixels between a field and the next label


class SettingsPanel(QgsCollapsibleGroupBox):
    sources_edited = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(tr("Settings"), parent)
        self.setCollapsed(True)
        self._build()
        self._load()
        self._connect()

    def _build(self):
        # Each label above its field: a path gets the dock's width, and a long label (French)
        # wraps instead of widening the dock.
        form = QVBoxLayout(self)
        self.folder_widget = QgsFileWidget(self)
        self.folder_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self._add_row(form, tr("Download folder"), self.folder_widget)
        self.threads_spin = QSpinBox(self)
        self.threads_spin.setRange(0, 64)
        self.threads_spin.setSpecialValueText(tr("all cores"))
        self._add_row(form, tr("Worker threads"), self.threads_spin)
        self.confidence_spin = QSpinBox(self)
        self.confidence_spin.setRange(0, 100)
        self.confidence_spin.setSuffix(" %")
        self._add_row(form, tr("Default minimum confidence"), self.confidence_spin)
        self.confirm_spin = QSpinBox(self)
        self.confirm_spin.setRange(0, 1_000_000)
        self.confirm_spin.setSuffix(tr(" MB"))
        self._add_row(form, tr("Ask before downloading more than"), self.confirm_spin)
        # On two lines: a button's text does not wrap, and must not widen the dock.
        self.sample_button = QPushButton(tr("Use the embedded sample\n(offline)"), self)
        self.sample_button.setToolTip(
            tr(
                "Points the CLMS and OSO sources at the synthetic sample shipped with the "
                "plugin: CTY, CTYCL and OSO rasters of 2021 over two small areas in France, "
                "to try the plugin without network. Empty both sources to use the online "
                "services again."
            )
        )
        form.addSpacing(SPACING)
        form.addWidget(self.sample_button)
        self.clms_source_edit = QLineEdit(self)
        self.clms_source_edit.setPlaceholderText(tr("Copernicus Data Space STAC API"))
        self._add_row(form, tr("CLMS source (advanced)"), self.clms_source_edit)
        self.oso_source_edit = QLineEdit(self)
        self.oso_source_edit.setPlaceholderText(tr("Sentinel Hub"))
        self._add_row(form, tr("OSO source (advanced)"), self.oso_source_edit)
        self.collection_edit = QLineEdit(self)
        self._add_row(form, tr("Sentinel Hub OSO collection id (advanced)"), self.collection_edit)

    def _add_row(self, form, text, field):
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setBuddy(field)
        if form.count():
            form.addSpacing(SPACING)
        form.addWidget(label)
        form.addWidget(field)

    def _load(self):
        self.folder_widget.setFilePath(settings.value("download_folder"))
        self.threads_spin.setValue(settings.int_value("threads"))
        self.confidence_spin.setValue(settings.int_value("min_confidence"))
        self.confirm_spin.setValue(settings.int_value("confirm_download_mb"))
        self.clms_source_edit.setText(settings.value("clms_source_url"))
        self.oso_source_edit.setText(settings.value("oso_source_url"))
        self.collection_edit.setText(settings.value("sentinelhub_collection_id"))

    def _connect(self):
        self.folder_widget.fileChanged.connect(
            lambda path: settings.set_value("download_folder", path)
        )
        self.threads_spin.valueChanged.connect(lambda v: settings.set_value("threads", str(v)))
        self.confidence_spin.valueChanged.connect(
            lambda v: settings.set_value("min_confidence", str(v))
        )
        self.confirm_spin.valueChanged.connect(
            lambda v: settings.set_value("confirm_download_mb", str(v))
        )
        for edit in (self.clms_source_edit, self.oso_source_edit, self.collection_edit):
            edit.editingFinished.connect(self._save_sources)
            edit.setToolTip(edit.text())  # a long path, whole
            edit.textChanged.connect(edit.setToolTip)
        self.sample_button.clicked.connect(self.use_sample)

    def use_sample(self):
        """Both sources read the embedded sample catalogue (domain.resources.SAMPLE_CATALOG)."""
        for edit in (self.clms_source_edit, self.oso_source_edit):
            edit.setText(str(SAMPLE_CATALOG))
        self._save_sources()

    def _save_sources(self):
        settings.set_value("clms_source_url", self.clms_source_edit.text().strip())
        settings.set_value("oso_source_url", self.oso_source_edit.text().strip())
        settings.set_value("sentinelhub_collection_id", self.collection_edit.text().strip())
        self.sources_edited.emit()

    def download_folder(self):
        return self.folder_widget.filePath() or settings.value("download_folder")

    def collection(self):
        return self.collection_edit.text().strip()
