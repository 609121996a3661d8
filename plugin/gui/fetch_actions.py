"""The dock's fetch: the layers of the product, year and area into the download folder,
added to the project styled; then the crop-mask dialog filled with them."""

import dataclasses
from pathlib import Path

from qgis.core import Qgis, QgsProject, QgsRasterLayer
from qgis.PyQt.QtWidgets import QMessageBox

from .. import compat
from ..domain import products
from ..domain.errors import CropMaskCancelled
from ..net.http import make_session
from ..processing.cropmask_algorithm import PRODUCT_KEYS, CropMaskAlgorithm
from ..processing.fetch_algorithm import FetchAlgorithm, crs_for_rasterio
from ..processing.postprocess import short_product_name
from ..processing.zonal_algorithm import ZonalAreasAlgorithm
from ..qgis import settings, styles
from ..qgis.credentials import CredentialsError, s3_credentials_for
from ..qgis.i18n import tr
from ..qgis.proxy import qgis_proxies
from ..sources.estimate import known_bytes, whole_download_is_small
from ..sources.fetch import (
    TRANSFER_LOCAL,
    TRANSFER_NONE,
    FetchContext,
    FetchRequest,
    area_tag,
    fetch,
    transfer_kind,
)
from ..sources.request import area_text
from .formatting import human_size
from .tasks import task_log

CROP_MASK_ALGORITHM = "cropconfidence:cropmask"
ZONAL_ALGORITHM = "cropconfidence:zonalareas"
# Which crop-mask parameter each fetched layer fills.
CROP_MASK_INPUTS = (
    (FetchAlgorithm.CLASS_LAYER, CropMaskAlgorithm.CLASS_LAYER),
    (FetchAlgorithm.CONFIDENCE_LAYER, CropMaskAlgorithm.CONFIDENCE_LAYER),
    (FetchAlgorithm.VALIDITY_LAYER, CropMaskAlgorithm.VALIDITY_LAYER),
)


class FetchActions:
    """Mixin of the dock (plugin.gui.dock): the fetch and crop-mask buttons; ``last_fetch``
    holds the last fetch's request, result and layers added (by FetchAlgorithm output)."""

    def start_fetch(self):
        area = self.area()
        if area is None or area[0].isEmpty() or self.year() is None:
            self.message(
                tr("Nothing to fetch"), tr("Choose an area and a year."), Qgis.MessageLevel.Warning
            )
            return
        clip = self.clip_check.isChecked()
        if not clip and not self.confirm_whole_download():
            return
        request = self._fetch_request(area, clip)
        proxies = qgis_proxies()
        session = make_session(proxies=proxies, timeout=settings.http_timeout())
        collection = self.settings_box.collection()
        try:
            cdse_tokens, hub_tokens = self.token_providers(session)
            # Read here: the authentication database is not thread-safe.
            s3_credentials = s3_credentials_for(request.product)
        except CredentialsError as error:
            session.close()
            self.message(tr("Credentials"), str(error), Qgis.MessageLevel.Critical)
            return

        def work(task):
            with session:  # its connections are closed when the fetch ends
                return fetch_in(task)

        def fetch_in(task):
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
                log=task_log(task),
            )
            result = fetch(request, context)
            if task.isCanceled():
                raise CropMaskCancelled("cancelled")
            return result

        product_label = self.product_combo.currentText()
        area_name = self._area_name(request)  # read now: the user may change the area meanwhile
        self.set_busy(True)
        self.progress_label.setText(tr("Fetching {} {}…").format(product_label, request.year))
        task = self._run(
            tr("Crop Confidence: fetch"),
            work,
            lambda task: self._fetched(task, request, product_label, area_name),
        )
        task.progressChanged.connect(lambda value: self.progress_bar.setValue(int(value)))
        task.status.connect(self.progress_label.setText)

    def _fetch_request(self, area, clip):
        rect, crs = area
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
        folder = Path(self.settings_box.download_folder())
        # Whole tiles do not depend on the area: one folder per product and year lets a
        # later fetch reuse them (only the mosaic is per area). Clipped files are per area.
        name = f"{product}_{year}_{area_tag(request)}" if clip else f"{product}_{year}_tiles"
        return dataclasses.replace(request, output_folder=str(folder / name))

    def _area_name(self, request):
        """The area in a group name: the layer whose extent (or selection) it is, else its
        bounds ('3851–3855 km E, 2650–2653 km N')."""
        mode, layer = self.area_combo.currentData(), self.layer_combo.currentLayer()
        if mode == "layer" and layer is not None:
            return layer.name()
        if mode == "selection" and layer is not None:
            return tr("{} (selection)").format(layer.name())
        return area_text(request.bounds, request.bounds_crs)

    def _fetched(self, task, request, product_label, area_name=None):
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
        self.add_layers(request, task.result, product_label, area_name)

    def confirm_whole_download(self):
        sizes = [row.size for row in self.current_results()]
        if whole_download_is_small(sizes, self.settings_box.confirm_spin.value() * 1_000_000):
            return True
        total = known_bytes(sizes)
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

    def add_layers(self, request, result, product_label, area_name=None):
        project = QgsProject.instance()
        area = area_name or area_text(request.bounds, request.bounds_crs)
        root = project.layerTreeRoot()
        short = short_product_name(request.product) or product_label
        name = unique_group_name(root, f"{short} {request.year} – {area}")
        group = root.insertGroup(0, name)
        kinds = products.LAYER_STYLES[request.product]
        added = {}
        for role, output, path in (
            (products.CLASS, FetchAlgorithm.CLASS_LAYER, result.class_layer),
            (products.CONFIDENCE, FetchAlgorithm.CONFIDENCE_LAYER, result.confidence_layer),
            (products.VALIDITY, FetchAlgorithm.VALIDITY_LAYER, result.validity_layer),
        ):
            if not path:
                continue
            layer = QgsRasterLayer(path, layer_name(path, request))
            if not layer.isValid():
                self.message(tr("Layer not loaded"), path, Qgis.MessageLevel.Warning)
                continue
            styles.apply_style(layer, kinds[role])
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            added[output] = layer
        self.last_fetch = (request, result, added)
        self.mask_button.setEnabled(FetchAlgorithm.CONFIDENCE_LAYER in added)
        self.zones_button.setEnabled(FetchAlgorithm.CONFIDENCE_LAYER in added)
        # On a short screen the dock scrolls: bring the next steps into view.
        self.widget().ensureWidgetVisible(self.zones_button)
        self.progress_bar.setValue(100)
        kind = transfer_kind(request, result)
        if kind == TRANSFER_LOCAL:
            summary = tr("{} item(s), read from local files.").format(result.items)
        elif kind == TRANSFER_NONE:
            summary = tr("{} item(s), already downloaded.").format(result.items)
        else:
            summary = tr("{} item(s), {} transferred.").format(
                result.items, human_size(result.bytes_transferred)
            )
        self.progress_label.setText(summary)
        self.message(
            tr("Fetched"),
            tr("{} layer(s) added to '{}'.").format(len(added), name),
            Qgis.MessageLevel.Success,
        )

    def _mask_inputs(self):
        """The inputs cropmask and zonalareas share, filled from the last fetch."""
        request, _, added = self.last_fetch
        parameters = {
            CropMaskAlgorithm.PRODUCT: PRODUCT_KEYS.index(request.product),
            CropMaskAlgorithm.MIN_CONFIDENCE: self.settings_box.confidence_spin.value(),
            CropMaskAlgorithm.THREADS: self.settings_box.threads_spin.value(),
        }
        for output, parameter in CROP_MASK_INPUTS:
            if output in added:
                parameters[parameter] = added[output].id()
        return parameters

    def open_crop_mask(self):
        import processing

        request, result, _ = self.last_fetch
        parameters = self._mask_inputs()
        parameters[CropMaskAlgorithm.OUTPUT] = str(mask_destination(request, result))
        processing.execAlgorithmDialog(CROP_MASK_ALGORITHM, parameters)

    def open_zonal_areas(self):
        """The zonal areas dialog, filled as the crop mask's; the zones are the polygon layer
        the area came from, when it came from one; the table goes next to the fetched layers."""
        import processing

        request, result, _ = self.last_fetch
        parameters = self._mask_inputs()
        layer = self.area_picker.layer_combo.currentLayer()
        if self.area_picker.area_combo.currentData() in ("layer", "selection") and (
            getattr(layer, "geometryType", lambda: None)() == compat.GEOMETRY_POLYGON
        ):
            parameters[ZonalAreasAlgorithm.ZONES] = layer.id()
        table = f"zone_areas_{request.product}_{request.year}_{area_tag(request)}.csv"
        folder = mask_destination(request, result).parent
        parameters[ZonalAreasAlgorithm.OUTPUT_TABLE] = str(folder / table)
        processing.execAlgorithmDialog(ZONAL_ALGORITHM, parameters)


def unique_group_name(root, name):
    """``name``, or ``name (2)``, ``(3)``… when the layer tree already has a group so named."""
    taken = {group.name() for group in root.findGroups()}
    number = 1
    unique = name
    while unique in taken:
        number += 1
        unique = f"{name} ({number})"
    return unique


def layer_name(path, request):
    """A fetched layer's name: its file's stem without the area tag, with spaces
    ('CTY_2021_3851-3855kmE_…' -> 'CTY 2021'); the group names the area."""
    stem = Path(path).stem.replace(f"_{area_tag(request)}", "")
    return stem.replace("_", " ")


def mask_destination(request, result):
    """The crop mask's default file: next to the fetched layers, named after the product, year
    and area; ``_2``, ``_3``… when such a file already exists (a mask of another threshold)."""
    fetched = result.confidence_layer or result.class_layer
    folder = Path(fetched).parent if fetched else Path(request.output_folder)
    stem = f"crop_mask_{request.product}_{request.year}_{area_tag(request)}"
    path, number = folder / f"{stem}.tif", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}_{number}.tif"
    return path
