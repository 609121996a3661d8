"""The Crop Confidence dock: product, year, area, credentials, search, fetch, crop mask.

Its parts: the area picker (area_picker.py), the results table (results_table.py), the
settings panel (settings_panel.py), and the year list, search and fetch wiring
(year_list.py, search_actions.py, fetch_actions.py). Long operations run in QgsTask
(tasks.py); the computations live in the pure layers (plugin.sources).
"""

from qgis.core import Qgis, QgsApplication
from qgis.gui import QgsAuthConfigSelect, QgsDockWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QSignalBlocker
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain import products
from ..qgis import settings
from ..qgis.credentials import (
    CredentialsError,
    cdse_token_provider,
    sentinelhub_token_provider,
    store_basic_config,
)
from ..qgis.i18n import tr, translated
from ..qgis.prompt import MainThreadPrompt
from ..sources.coverage import coverage_of
from ..sources.estimate import clipped_bytes, whole_files_bytes
from ..sources.fetch import source_kind
from .area_picker import AreaPicker, area_km2
from .fetch_actions import FetchActions
from .footprints import MapShapes
from .formatting import human_size, number
from .layout import (
    StatusLabel,
    VerticalScrollArea,
    compact,
    wrap_form_labels,
    wrapped_check_box,
    wrapping,
)
from .results_table import ResultsTable
from .search_actions import SearchActions
from .settings_panel import SettingsPanel
from .tasks import FunctionTask
from .year_list import YearList


class CropConfidenceDock(YearList, SearchActions, FetchActions, QgsDockWidget):
    def __init__(self, iface, parent=None):
        super().__init__(tr("Crop Confidence"), parent)
        self.setObjectName("CropConfidenceDock")
        self.iface = iface
        self.canvas = iface.mapCanvas()
        self.task = None
        self.year_task = None  # the latest year-list task; older ones are cancelled
        self.results = []  # SearchRow of the last search
        self.results_key = None  # (product, year, source, bbox) that search was for
        self.last_fetch = None  # FetchResult and its product
        self.totp_prompt = MainThreadPrompt(self)
        # The footprints and the drawn rectangle: one canvas item, reprojected with the map.
        self.map_shapes = MapShapes(self.canvas)
        self.destroyed.connect(self.map_shapes.remove)
        self._build()
        self.auth_service = self.service()
        self.auth_select.setConfigId(stored_auth_config(self.auth_service))
        self._connect()
        self.refresh_years()
        self.update_area_label()

    # -- construction -----------------------------------------------------------------

    def _build(self):
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addLayout(self._build_choices(body))
        self.search_button = QPushButton(tr("Search"), body)
        layout.addWidget(self.search_button)
        self.results_tree = ResultsTable(self.map_shapes, body)
        layout.addWidget(self.results_tree, 1)
        self._build_actions(body, layout)
        self.settings_box = SettingsPanel(body)
        layout.addWidget(self.settings_box)
        # The panel's widgets, also reachable from the dock.
        panel = self.settings_box
        self.threads_spin, self.confidence_spin = panel.threads_spin, panel.confidence_spin
        self.confirm_spin, self.collection_edit = panel.confirm_spin, panel.collection_edit
        self.clms_source_edit, self.oso_source_edit = panel.clms_source_edit, panel.oso_source_edit
        self._fit_width(body)
        # A short screen (1366 x 768) scrolls the dock rather than squeezing its rows.
        self.setWidget(VerticalScrollArea(body, self))
        self.body = body

    def _fit_width(self, body):
        """No text widens the dock: labels wrap, combo boxes ask for a few characters."""
        for form in body.findChildren(QFormLayout):
            wrap_form_labels(form)
            if form is not self.form:
                # The settings' long labels above their fields: the paths get the
                # dock's width, and a wrapped label gets the height it needs.
                form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for combo in body.findChildren(QComboBox):
            compact(combo)
        for label in (self.year_status, self.area_label, self.progress_label):
            wrapping(label)

    def _build_choices(self, body):
        """The form: product, year, area, credentials."""
        self.form = form = QFormLayout()
        # A label goes above its field when both do not fit side by side.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.product_combo = QComboBox(body)
        for product in (products.CTY_CTYCL, products.CTYCL_ONLY):
            self.product_combo.addItem(translated(products.PRODUCT_LABELS[product]), product)
        self.product_combo.addItem(tr("OSO (CNES land cover)"), products.OSO)
        form.addRow(tr("Product"), self.product_combo)
        self.year_combo = QComboBox(body)
        form.addRow(tr("Year"), self.year_combo)
        # Under the list, as wide as it: "(not checked)", or why the years are not known.
        self.year_status = StatusLabel(body)
        form.addRow("", self.year_status)
        self.area_picker = AreaPicker(self.canvas, form, body, self.map_shapes)
        # The picker's widgets, also reachable from the dock.
        picker = self.area_picker
        self.area_combo, self.layer_combo = picker.area_combo, picker.layer_combo
        self.draw_button, self.area_label = picker.draw_button, picker.area_label
        self.auth_select = QgsAuthConfigSelect(body)
        self.new_account_button = QPushButton(tr("New account…"), body)
        form.addRow(tr("Credentials"), self.auth_select)
        form.addRow("", self.new_account_button)
        return form

    def _build_actions(self, body, layout):
        """Clip, fetch, cancel, progress and crop mask."""
        self.clip_check, clip_row = wrapped_check_box(
            tr("Clip to the area (read only what is needed)"), body
        )
        self.clip_check.setChecked(True)
        layout.addWidget(clip_row)
        fetch_row = QHBoxLayout()
        self.fetch_button = QPushButton(tr("Fetch"), body)
        self.cancel_button = QPushButton(tr("Cancel"), body)
        self.cancel_button.setEnabled(False)
        fetch_row.addWidget(self.fetch_button)
        fetch_row.addWidget(self.cancel_button)
        layout.addLayout(fetch_row)
        self.progress_bar = QProgressBar(body)
        self.progress_bar.setRange(0, 100)
        self.progress_label = QLabel(body)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        # After a fetch: the crop mask of the fetched layers, or their crop areas per zone
        # (one above the other: side by side, the French labels would widen the dock).
        self.mask_button = QPushButton(tr("Crop mask…"), body)
        self.zones_button = QPushButton(tr("Areas per zone…"), body)
        for button in (self.mask_button, self.zones_button):
            button.setEnabled(False)
            layout.addWidget(button)

    def _connect(self):
        # First: the credentials must follow the product before the years are asked for.
        self.product_combo.currentIndexChanged.connect(self.switch_credentials)
        self.product_combo.currentIndexChanged.connect(self.refresh_years)
        self.product_combo.currentIndexChanged.connect(self.drop_stale_results)
        self.year_combo.currentIndexChanged.connect(self.drop_stale_results)
        self.product_combo.currentIndexChanged.connect(self.update_area_label)
        self.area_picker.changed.connect(self.update_area_label)
        self.new_account_button.clicked.connect(self.create_account_config)
        self.auth_select.selectedConfigIdChanged.connect(
            lambda config_id: settings.set_value(f"{self.auth_service}_auth_config", config_id)
        )
        self.auth_select.selectedConfigIdChanged.connect(self.refresh_years)
        self.search_button.clicked.connect(self.search)
        self.fetch_button.clicked.connect(self.start_fetch)
        self.cancel_button.clicked.connect(self.cancel)
        self.mask_button.clicked.connect(self.open_crop_mask)
        self.zones_button.clicked.connect(self.open_zonal_areas)
        self.clip_check.toggled.connect(self.update_area_label)
        self.settings_box.sources_edited.connect(self.drop_stale_results)
        self.settings_box.sources_edited.connect(self.refresh_years)
        self.closed.connect(self.clear_footprints)
        self.connect_search_flow()  # Search and Fetch enabled only when they can succeed

    # -- state ------------------------------------------------------------------------

    def family(self):
        return self.product_combo.currentData()

    def service(self):
        """Whose account the product needs: 'cdse' (CLMS) or 'sentinelhub' (OSO)."""
        return "sentinelhub" if self.family() == products.OSO else "cdse"

    def year(self):
        return self.year_combo.currentData()

    def product_key(self):
        """cty_ctycl, ctycl, oso23 or oso17 (OSO's nomenclature follows the year)."""
        family = self.family()
        if family != products.OSO:
            return family
        return products.oso_product(self.year() or products.OSO_23_FIRST_YEAR)

    def source_url(self):
        edit = self.oso_source_edit if self.family() == products.OSO else self.clms_source_edit
        return edit.text().strip()

    def area(self):
        """(QgsRectangle, QgsCoordinateReferenceSystem) of the chosen area, or None."""
        return self.area_picker.area()

    @property
    def map_tool(self):
        return self.area_picker.map_tool

    def set_drawn_area(self, rectangle):
        self.area_picker.set_drawn_area(rectangle)

    @property
    def footprints(self):
        """The search results' footprints on the map, in the canvas CRS."""
        return self.map_shapes.footprints()

    def clear_footprints(self, *_):
        self.map_shapes.clear_footprints()

    def update_area_label(self, *_):
        area = self.area()
        if area is None or area[0].isEmpty():
            self.area_label.setText(tr("Choose an area."))
            return
        km2, beyond = area_km2(area, coverage_of(self.family()))
        if km2 <= 0:
            self.area_label.setText(tr("The product has no data over this area."))
            return
        if self.clip_check.isChecked():
            estimate = clipped_bytes(km2, self.family())
        else:
            estimate = whole_files_bytes([row.size for row in self.current_results()])
        text = (
            tr("{} km² where the product has data, about {} to download")
            if beyond
            else tr("{} km², about {} to download")
        )
        self.area_label.setText(text.format(number(km2, 2), human_size(estimate)))

    # -- credentials ------------------------------------------------------------------

    def switch_credentials(self, *_):
        """Each service keeps its own configuration: a CDSE password never goes to
        Sentinel Hub, nor a Sentinel Hub secret to CDSE."""
        service = self.service()
        if service == self.auth_service:
            return
        self.auth_service = service
        with QSignalBlocker(self.auth_select):
            self.auth_select.setConfigId(stored_auth_config(service))

    def create_account_config(self):
        oso = self.family() == products.OSO
        title = tr("Sentinel Hub OAuth client") if oso else tr("Copernicus Data Space account")
        user_label = tr("Client id:") if oso else tr("User name (e-mail):")
        secret_label = tr("Client secret:") if oso else tr("Password:")
        user, ok = QInputDialog.getText(self, title, user_label)
        if not ok or not user.strip():
            return
        secret, ok = QInputDialog.getText(self, title, secret_label, QLineEdit.EchoMode.Password)
        if not ok or not secret:
            return
        name = "Sentinel Hub (Crop Confidence)" if oso else "CDSE (Crop Confidence)"
        try:
            config_id = store_basic_config(name, user.strip(), secret)
        except CredentialsError as error:
            self.message(tr("Credentials not saved"), str(error), Qgis.MessageLevel.Critical)
            return
        self.auth_select.setConfigId(config_id)

    def token_providers(self, session):
        config_id = self.auth_select.configId()
        if not config_id:
            return None, None
        if self.family() != products.OSO:
            return (
                cdse_token_provider(
                    config_id,
                    session,
                    settings.value("cdse_token_url"),
                    totp_callback=self.totp_prompt,
                ),
                None,
            )
        if source_kind(self.product_key(), self.source_url()) == "sentinelhub":
            return None, sentinelhub_token_provider(
                config_id, session, settings.value("sentinelhub_token_url")
            )
        return None, None

    # -- plumbing ---------------------------------------------------------------------

    def set_busy(self, busy):
        self.cancel_button.setEnabled(busy)
        self.update_actions()  # Search and Fetch (SearchActions)
        if busy:
            self.progress_bar.setValue(0)

    def cancel(self):
        if self.task is not None:
            self.task.cancel()

    def _run(self, description, work, done, exclusive=True):
        def done_if_alive(task):
            if not sip.isdeleted(self):
                done(task)

        task = FunctionTask(description, work, done_if_alive)
        if exclusive:
            self.task = task
        QgsApplication.taskManager().addTask(task)
        return task

    def message(self, title, text, level=Qgis.MessageLevel.Info):
        self.notify(title, text, level)  # long paths shortened, the full ones a click away

    def cancel_all(self):
        for task in (self.task, self.year_task):
            if task is not None and not sip.isdeleted(task):
                task.cancel()

    def closeEvent(self, event):  # noqa: N802
        self.clear_footprints()
        self.map_shapes.setVisible(False)  # the drawn rectangle too, until shown again
        self.area_picker.stop_drawing()
        super().closeEvent(event)

    def showEvent(self, event):  # noqa: N802
        self.map_shapes.set_footprints([row.bbox for row in self.results])
        self.map_shapes.setVisible(True)
        super().showEvent(event)


def stored_auth_config(service):
    """The configuration id last chosen for ``service`` ('cdse' or 'sentinelhub')."""
    config_id = settings.value(f"{service}_auth_config")
    if not config_id and service == "cdse":
        config_id = settings.value("auth_config")  # the one shared selector of 0.1.0
    return config_id
