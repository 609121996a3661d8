"""The Crop Confidence dock: product, year, area, credentials, search, fetch, crop mask.

Long operations run in QgsTask (plugin.gui.tasks); this module only wires widgets to
the pure catalogue code (plugin.sources) and to QGIS layers.
"""

import dataclasses
import math
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsDistanceArea,
    QgsGeometry,
    QgsMessageLog,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.gui import (
    QgsAuthConfigSelect,
    QgsCollapsibleGroupBox,
    QgsDockWidget,
    QgsFileWidget,
    QgsMapLayerComboBox,
    QgsMapToolExtent,
    QgsRubberBand,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QLocale, QSignalBlocker
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import compat
from ..domain.errors import CropMaskCancelled
from ..net.http import cancellable, make_session
from ..processing.fetch_algorithm import crs_for_rasterio
from ..qgis import settings, styles
from ..qgis.credentials import (
    CredentialsError,
    cdse_token_provider,
    s3_credentials_for,
    sentinelhub_token_provider,
    store_basic_config,
)
from ..qgis.i18n import tr
from ..qgis.prompt import MainThreadPrompt
from ..qgis.proxy import qgis_proxies
from ..sources.fetch import FetchContext, FetchRequest, area_tag, fetch, source_kind
from ..sources.search import NothingFound, SearchOptions
from ..sources.search import search as search_source
from ..sources.sentinelhub import FRANCE_4326
from ..sources.years import available_years, default_years
from .tasks import FunctionTask

LOG_TAG = "Crop Confidence"
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
# Bytes per pixel of the fetched layers, and a typical DEFLATE ratio, for estimates.
BYTES_PER_PIXEL = {"cty_ctycl": 3, "ctycl": 1, "oso": 3}
COMPRESSION_RATIO = 0.3
AREA_MODES = ("canvas", "layer", "selection", "drawn")
# Where each family has data (west, south, east, north; generous): areas and sizes count only
# inside. CLMS: Europe on the EEA grid, then the overseas departments on UTM.
COVERAGE_4326 = {
    "clms": (
        (-32.0, 26.0, 45.0, 72.0),
        (-62.0, 1.5, -51.0, 18.6),
        (44.9, -13.1, 45.4, -12.5),
        (55.1, -21.5, 56.0, -20.8),
    ),
    "oso": (FRANCE_4326,),
}
FOOTPRINT_COLOR = QColor(230, 0, 0, 200)
# The style of each fetched layer, by product (names of plugin.qgis.styles kinds).
FETCHED_KINDS = {
    "cty_ctycl": {"class": "cty", "confidence": "ctycl"},
    "ctycl": {"confidence": "ctycl"},
    "oso23": {"class": "oso23", "confidence": "oso_confidence", "validity": "oso_validity"},
    "oso17": {"class": "oso17", "confidence": "oso_confidence", "validity": "oso_validity"},
}


def number(value, decimals):
    """A number written the way the QGIS UI language writes it (1 234,5 in French)."""
    return QLocale().toString(float(value), "f", decimals)


def human_size(size):
    if size is None:
        return tr("unknown size")
    units = (tr("B"), tr("kB"), tr("MB"), tr("GB"))
    for index, unit in enumerate(units):
        if size < 1000 or index == len(units) - 1:
            return f"{number(size, 0 if index == 0 else 1)} {unit}"
        size /= 1000
    return ""


class CropConfidenceDock(QgsDockWidget):
    def __init__(self, iface, parent=None):
        super().__init__(tr("Crop Confidence"), parent)
        self.setObjectName("CropConfidenceDock")
        self.iface = iface
        self.canvas = iface.mapCanvas()
        self.task = None
        self.year_task = None  # the latest year-list task; older ones are cancelled
        self.results = []  # rows of the last search: dicts
        self.results_key = None  # (product, year, source, bbox) that search was for
        self.footprints = []
        self.drawn_area = None  # (QgsRectangle, CRS)
        self.map_tool = None
        self.previous_map_tool = None
        self.last_fetch = None  # FetchResult and its product
        self.totp_prompt = MainThreadPrompt(self)
        self._build()
        self._load_settings()
        self._connect()
        self.refresh_years()
        self.update_area_label()

    # -- construction -----------------------------------------------------------------

    def _build(self):
        body = QWidget(self)
        layout = QVBoxLayout(body)
        form = QFormLayout()

        self.product_combo = QComboBox(body)
        self.product_combo.addItem(tr("CTY + CTYCL (CLMS Crop Types)"), "cty_ctycl")
        self.product_combo.addItem(tr("CTYCL only (CLMS Confidence Layer)"), "ctycl")
        self.product_combo.addItem(tr("OSO (CNES land cover)"), "oso")
        form.addRow(tr("Product"), self.product_combo)

        self.year_combo = QComboBox(body)
        self.year_status = QLabel(body)
        year_row = QHBoxLayout()
        year_row.addWidget(self.year_combo, 1)
        year_row.addWidget(self.year_status)
        form.addRow(tr("Year"), year_row)

        self.area_combo = QComboBox(body)
        for mode, label in zip(
            AREA_MODES,
            (
                tr("Map canvas extent"),
                tr("Extent of a layer"),
                tr("Selected features of a layer"),
                tr("Rectangle drawn on the map"),
            ),
        ):
            self.area_combo.addItem(label, mode)
        self.layer_combo = QgsMapLayerComboBox(body)
        self.layer_combo.setFilters(compat.LAYER_FILTER_VECTOR | compat.LAYER_FILTER_RASTER)
        self.draw_button = QPushButton(tr("Draw…"), body)
        area_row = QHBoxLayout()
        area_row.addWidget(self.area_combo, 1)
        area_row.addWidget(self.draw_button)
        form.addRow(tr("Area"), area_row)
        form.addRow("", self.layer_combo)
        self.area_label = QLabel(body)
        form.addRow("", self.area_label)

        self.auth_select = QgsAuthConfigSelect(body)
        self.new_account_button = QPushButton(tr("New account…"), body)
        form.addRow(tr("Credentials"), self.auth_select)
        form.addRow("", self.new_account_button)
        layout.addLayout(form)

        self.search_button = QPushButton(tr("Search"), body)
        layout.addWidget(self.search_button)
        self.results_tree = QTreeWidget(body)
        self.results_tree.setHeaderLabels([tr("Tile"), tr("Year"), tr("Layers"), tr("Size")])
        self.results_tree.setRootIsDecorated(False)
        layout.addWidget(self.results_tree, 1)

        self.clip_check = QCheckBox(tr("Clip to the area (read only what is needed)"), body)
        self.clip_check.setChecked(True)
        layout.addWidget(self.clip_check)
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
        self.mask_button = QPushButton(tr("Crop mask…"), body)
        self.mask_button.setEnabled(False)
        layout.addWidget(self.mask_button)

        self.settings_box = QgsCollapsibleGroupBox(tr("Settings"), body)
        self.settings_box.setCollapsed(True)
        settings_form = QFormLayout(self.settings_box)
        self.folder_widget = QgsFileWidget(self.settings_box)
        self.folder_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        settings_form.addRow(tr("Download folder"), self.folder_widget)
        self.threads_spin = QSpinBox(self.settings_box)
        self.threads_spin.setRange(0, 64)
        self.threads_spin.setSpecialValueText(tr("all cores"))
        settings_form.addRow(tr("Worker threads"), self.threads_spin)
        self.confidence_spin = QSpinBox(self.settings_box)
        self.confidence_spin.setRange(0, 100)
        self.confidence_spin.setSuffix(" %")
        settings_form.addRow(tr("Default minimum confidence"), self.confidence_spin)
        self.confirm_spin = QSpinBox(self.settings_box)
        self.confirm_spin.setRange(0, 1_000_000)
        self.confirm_spin.setSuffix(tr(" MB"))
        settings_form.addRow(tr("Ask before downloading more than"), self.confirm_spin)
        self.clms_source_edit = QLineEdit(self.settings_box)
        self.clms_source_edit.setPlaceholderText(tr("Copernicus Data Space STAC API"))
        settings_form.addRow(tr("CLMS source (advanced)"), self.clms_source_edit)
        self.oso_source_edit = QLineEdit(self.settings_box)
        self.oso_source_edit.setPlaceholderText(tr("Sentinel Hub"))
        settings_form.addRow(tr("OSO source (advanced)"), self.oso_source_edit)
        self.collection_edit = QLineEdit(self.settings_box)
        settings_form.addRow(tr("Sentinel Hub OSO collection id (advanced)"), self.collection_edit)
        layout.addWidget(self.settings_box)
        self.setWidget(body)

    def _load_settings(self):
        self.folder_widget.setFilePath(settings.value("download_folder"))
        self.threads_spin.setValue(settings.int_value("threads"))
        self.confidence_spin.setValue(settings.int_value("min_confidence"))
        self.confirm_spin.setValue(settings.int_value("confirm_download_mb"))
        self.clms_source_edit.setText(settings.value("clms_source_url"))
        self.oso_source_edit.setText(settings.value("oso_source_url"))
        self.collection_edit.setText(settings.value("sentinelhub_collection_id"))
        self.auth_service = self.service()
        self.auth_select.setConfigId(stored_auth_config(self.auth_service))

    def _connect(self):
        # First: the credentials must follow the product before the years are asked for.
        self.product_combo.currentIndexChanged.connect(self.switch_credentials)
        self.product_combo.currentIndexChanged.connect(self.refresh_years)
        self.product_combo.currentIndexChanged.connect(self.drop_stale_results)
        self.year_combo.currentIndexChanged.connect(self.drop_stale_results)
        self.product_combo.currentIndexChanged.connect(self.update_area_label)
        self.area_combo.currentIndexChanged.connect(self.update_area_label)
        self.layer_combo.layerChanged.connect(self.update_area_label)
        self.canvas.extentsChanged.connect(self.update_area_label)
        self.draw_button.clicked.connect(self.start_drawing)
        self.new_account_button.clicked.connect(self.create_account_config)
        self.auth_select.selectedConfigIdChanged.connect(
            lambda config_id: settings.set_value(f"{self.auth_service}_auth_config", config_id)
        )
        self.auth_select.selectedConfigIdChanged.connect(self.refresh_years)
        self.search_button.clicked.connect(self.search)
        self.fetch_button.clicked.connect(self.start_fetch)
        self.cancel_button.clicked.connect(self.cancel)
        self.mask_button.clicked.connect(self.open_crop_mask)
        self.clip_check.toggled.connect(self.update_area_label)
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
        self.clms_source_edit.editingFinished.connect(self._save_sources)
        self.oso_source_edit.editingFinished.connect(self._save_sources)
        self.collection_edit.editingFinished.connect(self._save_sources)
        self.closed.connect(self.clear_footprints)

    def _save_sources(self):
        settings.set_value("clms_source_url", self.clms_source_edit.text().strip())
        settings.set_value("oso_source_url", self.oso_source_edit.text().strip())
        settings.set_value("sentinelhub_collection_id", self.collection_edit.text().strip())
        self.drop_stale_results()
        self.refresh_years()

    # -- state ------------------------------------------------------------------------

    def family(self):
        return self.product_combo.currentData()

    def service(self):
        """Whose account the product needs: 'cdse' (CLMS) or 'sentinelhub' (OSO)."""
        return "sentinelhub" if self.family() == "oso" else "cdse"

    def switch_credentials(self, *_):
        """Each service keeps its own configuration: a CDSE password never goes to
        Sentinel Hub, nor a Sentinel Hub secret to CDSE."""
        service = self.service()
        if service == self.auth_service:
            return
        self.auth_service = service
        with QSignalBlocker(self.auth_select):
            self.auth_select.setConfigId(stored_auth_config(service))

    def year(self):
        return self.year_combo.currentData()

    def product_key(self):
        """cty_ctycl, ctycl, oso23 or oso17 (OSO's nomenclature follows the year)."""
        family = self.family()
        if family != "oso":
            return family
        year = self.year() or 2018
        return "oso17" if year < 2018 else "oso23"

    def source_url(self):
        edit = self.oso_source_edit if self.family() == "oso" else self.clms_source_edit
        return edit.text().strip()

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

    def area_km2(self, area):
        """(km² of ``area`` where the product has data, whether some of it lies outside).

        Measured on the ellipsoid; each part is densified, so that wide areas follow the
        map's straight edges rather than geodesics."""
        rect, crs = area
        project = QgsProject.instance()
        measure = QgsDistanceArea()
        measure.setSourceCrs(crs, project.transformContext())
        measure.setEllipsoid("WGS84")
        to_area = QgsCoordinateTransform(WGS84, crs, project)
        family = "oso" if self.family() == "oso" else "clms"
        total, inside = 0.0, False
        for envelope in COVERAGE_4326[family]:
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

    def estimated_bytes(self, area):
        if not self.clip_check.isChecked():
            sizes = [row.size for row in self.current_results()]
            return sum(sizes) if sizes and None not in sizes else None
        pixels = self.area_km2(area)[0] * 1e6 / 100  # 10 m pixels
        return int(pixels * BYTES_PER_PIXEL[self.family()] * COMPRESSION_RATIO)

    def update_area_label(self, *_):
        self.layer_combo.setEnabled(self.area_combo.currentData() in ("layer", "selection"))
        self.draw_button.setEnabled(self.area_combo.currentData() == "drawn")
        area = self.area()
        if area is None or area[0].isEmpty():
            self.area_label.setText(tr("Choose an area."))
            return
        estimate = self.estimated_bytes(area)
        km2, beyond = self.area_km2(area)
        text = (
            tr("{} km² where the product has data, about {} to download")
            if beyond
            else tr("{} km², about {} to download")
        )
        self.area_label.setText(text.format(number(km2, 2), human_size(estimate)))

    # -- years ------------------------------------------------------------------------

    def refresh_years(self, *_):
        product = "oso23" if self.family() == "oso" else self.family()
        source = self.source_url()
        previous = self.year()
        options = {"proxies": qgis_proxies()}
        area = self.area()
        if (
            self.family() == "oso"
            and self.auth_select.configId()
            and area is not None
            and source_kind(product, source) == "sentinelhub"
        ):
            # Sentinel Hub's catalogue tells the years over the area, with an account.
            session = make_session(proxies=qgis_proxies())
            try:
                _, options["sentinelhub_tokens"] = self.token_providers(session)
                options["sentinelhub_collection"] = self.collection_edit.text().strip()
            except CredentialsError as error:
                self.message(tr("Credentials"), str(error), Qgis.MessageLevel.Warning)
            rect, crs = area
            options.update(
                bounds=(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()),
                crs=crs_for_rasterio(crs),
                session=session,
            )

        def work(task):
            return available_years(product, source, is_cancelled=task.isCanceled, **options)

        def done(task):
            if task is not self.year_task:
                return  # a later refresh replaced this one
            years, checked = task.result if task.result else (default_years(product), False)
            if task.error is not None:
                self.message(
                    tr("Cannot list the years"), str(task.error), Qgis.MessageLevel.Warning
                )
            self.year_combo.clear()
            for year in sorted(years, reverse=True):
                self.year_combo.addItem(str(year), year)
            if previous in years:
                self.year_combo.setCurrentIndex(self.year_combo.findData(previous))
            self.year_status.setText("" if checked else tr("(not checked)"))

        if self.year_task is not None and not sip.isdeleted(self.year_task):
            self.year_task.cancel()
        self.year_task = self._run(tr("Crop Confidence: years"), work, done, exclusive=False)

    # -- area drawing -----------------------------------------------------------------

    def start_drawing(self):
        self.map_tool = QgsMapToolExtent(self.canvas)
        self.map_tool.extentChanged.connect(self.set_drawn_area)
        self.previous_map_tool = self.canvas.mapTool()
        self.canvas.setMapTool(self.map_tool)

    def set_drawn_area(self, rectangle):
        self.drawn_area = (QgsRectangle(rectangle), self.canvas.mapSettings().destinationCrs())
        if self.previous_map_tool is not None:
            self.canvas.setMapTool(self.previous_map_tool)
        self.update_area_label()

    # -- credentials ------------------------------------------------------------------

    def create_account_config(self):
        oso = self.family() == "oso"
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
        if self.family() != "oso":
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

    # -- search -----------------------------------------------------------------------

    def search(self):
        area = self.area()
        if area is None or area[0].isEmpty():
            self.message(tr("No area"), tr("Choose an area first."), Qgis.MessageLevel.Warning)
            return
        if self.year() is None:
            self.message(tr("No year"), tr("No year is available."), Qgis.MessageLevel.Warning)
            return
        key = self.search_key()
        product, year, source, bbox = key
        proxies = qgis_proxies()
        session = make_session(proxies=proxies)
        try:
            # Read here: the authentication database is not thread-safe.
            _, hub_tokens = self.token_providers(session)
        except CredentialsError as error:
            self.message(tr("Credentials"), str(error), Qgis.MessageLevel.Critical)
            return
        collection = self.collection_edit.text().strip()

        def work(task):
            options = SearchOptions(
                proxies=proxies,
                session=session,
                sentinelhub_tokens=hub_tokens,
                sentinelhub_collection=collection,
                is_cancelled=task.isCanceled,
            )
            with cancellable(session, task.isCanceled):
                rows = search_source(product, year, source, bbox, options)
            if task.isCanceled():
                raise CropMaskCancelled("cancelled")
            return rows

        def done(task):
            self.set_busy(False)
            self.progress_label.setText("")
            if task.cancelled_by_user:
                self.progress_label.setText(tr("Search cancelled."))
                return
            if isinstance(task.error, NothingFound):
                self.show_results([], key, str(task.error))
                return
            if task.error is not None:
                self.message(tr("Search failed"), str(task.error), Qgis.MessageLevel.Critical)
                return
            self.show_results(task.result or [], key)

        self.set_busy(True)
        self.progress_label.setText(tr("Searching…"))
        self._run(tr("Crop Confidence: search"), work, done)

    def search_key(self):
        """(product, year, source, bbox in WGS 84) of what a search now would be for."""
        area = self.area()
        if area is None or area[0].isEmpty():
            return None
        rect, crs = area
        bbox = QgsCoordinateTransform(crs, WGS84, QgsProject.instance()).transformBoundingBox(rect)
        bbox = (bbox.xMinimum(), bbox.yMinimum(), bbox.xMaximum(), bbox.yMaximum())
        return self.product_key(), self.year(), self.source_url(), bbox

    def current_results(self):
        """The last search's rows if they were found for the current product, year, source
        and area; otherwise none (sizes and confirmations never come from another search)."""
        if self.results_key is None or self.results_key != self.search_key():
            return []
        return self.results

    def drop_stale_results(self, *_):
        """Clear the results once the product, year or source differs from the search's."""
        if self.results_key is None:
            return
        if self.results_key[:3] != (self.product_key(), self.year(), self.source_url()):
            self.results, self.results_key = [], None
            self.results_tree.clear()
            self.clear_footprints()
            self.update_area_label()

    def show_results(self, rows, key, nothing_found=None):
        """Lists ``rows`` (catalog.search.SearchRow) found for ``key``; ``nothing_found``
        says why there is none, when the source told."""
        self.results, self.results_key = rows, key
        self.results_tree.clear()
        self.clear_footprints()
        for row in rows:
            QTreeWidgetItem(
                self.results_tree, [row.tile, str(row.year), row.layers, human_size(row.size)]
            )
            self.draw_footprint(row.bbox)
        self.update_area_label()
        if not rows:
            self.message(
                tr("Nothing found"),
                nothing_found or tr("No product for {} over this area.").format(key[1]),
                Qgis.MessageLevel.Warning,
            )
        elif self.clip_check.isChecked() and any(row.ranges is False for row in rows):
            self.message(
                tr("Whole files only"),
                tr(
                    "The server does not allow range reads: clipping is not possible. "
                    "Untick 'Clip to the area' to download the whole files."
                ),
                Qgis.MessageLevel.Warning,
            )

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

    def clear_footprints(self, *_):
        for band in self.footprints:
            self.canvas.scene().removeItem(band)
        self.footprints = []

    # -- fetch ------------------------------------------------------------------------

    def start_fetch(self):
        area = self.area()
        if area is None or area[0].isEmpty() or self.year() is None:
            self.message(
                tr("Nothing to fetch"), tr("Choose an area and a year."), Qgis.MessageLevel.Warning
            )
            return
        rect, crs = area
        clip = self.clip_check.isChecked()
        if not clip and not self.confirm_whole_download():
            return
        product, year = self.product_key(), self.year()
        request = FetchRequest(
            product=product,
            year=year,
            bounds=(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()),
            bounds_crs=crs_for_rasterio(crs),
            output_folder="",
            source_url=self.source_url(),
            clip=clip,
        )
        folder = Path(self.folder_widget.filePath() or settings.value("download_folder"))
        # Whole tiles do not depend on the area: one folder per product and year lets a
        # later fetch reuse them (only the mosaic is per area). Clipped files are per area.
        name = f"{product}_{year}_{area_tag(request)}" if clip else f"{product}_{year}_tiles"
        request = dataclasses.replace(request, output_folder=str(folder / name))
        proxies = qgis_proxies()
        session = make_session(proxies=proxies)
        collection = self.collection_edit.text().strip()
        try:
            cdse_tokens, hub_tokens = self.token_providers(session)
            s3_credentials = s3_credentials_for(
                product
            )  # read here: the auth DB is not thread-safe
        except CredentialsError as error:
            self.message(tr("Credentials"), str(error), Qgis.MessageLevel.Critical)
            return

        def work(task):
            context = FetchContext(
                session=session,
                cdse_tokens=cdse_tokens,
                sentinelhub_tokens=hub_tokens,
                sentinelhub_collection=collection,
                s3_credentials=s3_credentials,
                proxies=proxies,
                whole_fallback=False,  # whole downloads only through the confirmation above
                progress=lambda fraction: task.setProgress(100 * fraction),
                is_cancelled=task.isCanceled,
                log=lambda text: (
                    QgsMessageLog.logMessage(text, LOG_TAG, Qgis.MessageLevel.Info),
                    task.status.emit(text),
                ),
            )
            result = fetch(request, context)
            if task.isCanceled():
                raise CropMaskCancelled("cancelled")
            return result

        def done(task):
            self.set_busy(False)
            if task.cancelled_by_user:
                self.progress_label.setText(tr("Cancelled."))
                self.message(
                    tr("Fetch cancelled"),
                    tr(
                        "No layer file was left half-written; partial downloads are kept as "
                        ".part files and resumed by the next fetch."
                    ),
                    Qgis.MessageLevel.Info,
                )
                return
            if task.error is not None:
                self.progress_label.setText(tr("Failed."))
                self.message(tr("Fetch failed"), str(task.error), Qgis.MessageLevel.Critical)
                return
            self.add_layers(request, task.result, product_label)

        product_label = self.product_combo.currentText()
        self.set_busy(True)
        self.progress_label.setText(
            tr("Fetching {} {}…").format(self.product_combo.currentText(), year)
        )
        task = self._run(tr("Crop Confidence: fetch"), work, done)
        task.progressChanged.connect(lambda value: self.progress_bar.setValue(int(value)))
        task.status.connect(self.progress_label.setText)

    def confirm_whole_download(self):
        sizes = [row.size for row in self.current_results()]
        total = sum(size for size in sizes if size) if sizes else None
        threshold = self.confirm_spin.value() * 1_000_000
        if total is not None and total <= threshold and None not in sizes:
            return True
        text = (
            tr("Whole tiles: about {} will be downloaded. Continue?").format(human_size(total))
            if total
            else tr(
                "Whole tiles of unknown size will be downloaded "
                "(search first to see sizes). Continue?"
            )
        )
        answer = QMessageBox.question(self, tr("Download whole tiles"), text)
        return answer == QMessageBox.StandardButton.Yes

    def set_busy(self, busy):
        self.fetch_button.setEnabled(not busy)
        self.search_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress_bar.setValue(0)

    def cancel(self):
        if self.task is not None:
            self.task.cancel()

    def add_layers(self, request, result, product_label):
        project = QgsProject.instance()
        name = f"{product_label} {request.year} – {area_tag(request)}"
        group = project.layerTreeRoot().insertGroup(0, name)
        kinds = FETCHED_KINDS[request.product]
        added = {}
        for key, path in (
            ("class", result.class_layer),
            ("confidence", result.confidence_layer),
            ("validity", result.validity_layer),
        ):
            if not path:
                continue
            layer = QgsRasterLayer(path, Path(path).stem)
            if not layer.isValid():
                self.message(tr("Layer not loaded"), path, Qgis.MessageLevel.Warning)
                continue
            styles.apply_style(layer, kinds[key])
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            added[key] = layer
        self.last_fetch = (request, result, added)
        self.mask_button.setEnabled("confidence" in added)
        self.progress_bar.setValue(100)
        self.progress_label.setText(
            tr("{} item(s), {} transferred.").format(
                result.items, human_size(result.bytes_transferred)
            )
        )
        self.message(
            tr("Fetched"),
            tr("{} layer(s) added to '{}'.").format(len(added), name),
            Qgis.MessageLevel.Success,
        )

    def open_crop_mask(self):
        import processing

        from ..domain.products import PRODUCTS

        request, _, added = self.last_fetch
        parameters = {
            "PRODUCT": PRODUCTS.index(request.product),
            "MIN_CONFIDENCE": self.confidence_spin.value(),
            "THREADS": self.threads_spin.value(),
        }
        for key, parameter in (
            ("class", "CLASS_LAYER"),
            ("confidence", "CONFIDENCE_LAYER"),
            ("validity", "VALIDITY_LAYER"),
        ):
            if key in added:
                parameters[parameter] = added[key].id()
        processing.execAlgorithmDialog("cropconfidence:cropmask", parameters)

    # -- plumbing ---------------------------------------------------------------------

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
        self.iface.messageBar().pushMessage(title, text, level, 8)
        QgsMessageLog.logMessage(f"{title}: {text}", LOG_TAG, level)

    def cancel_all(self):
        for task in (self.task, self.year_task):
            if task is not None and not sip.isdeleted(task):
                task.cancel()

    def closeEvent(self, event):  # noqa: N802
        self.clear_footprints()
        if self.map_tool is not None and self.canvas.mapTool() is self.map_tool:
            self.canvas.unsetMapTool(self.map_tool)
        super().closeEvent(event)


def stored_auth_config(service):
    """The configuration id last chosen for ``service`` ('cdse' or 'sentinelhub')."""
    config_id = settings.value(f"{service}_auth_config")
    if not config_id and service == "cdse":
        config_id = settings.value("auth_config")  # the one shared selector of 0.1.0
    return config_id
