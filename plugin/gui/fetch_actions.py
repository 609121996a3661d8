"""The dock's fetch: the layers of the product, year and area into the download folder,
added to the project styled; then the crop-mask dialog filled with them."""

import dataclasses
from pathlib import Path

from qgis.core import Qgis, QgsProject, QgsRasterLayer
from qgis.PyQt.QtWidgets import QMessageBox

from ..domain import products
from ..domain.errors import CropMaskCancelled
from ..net.http import make_session
from ..processing.cropmask_algorithm import PRODUCT_KEYS, CropMaskAlgorithm
from ..processing.fetch_algorithm import FetchAlgorithm, crs_for_rasterio
from ..qgis import settings, styles
from ..qgis.credentials import CredentialsError, s3_credentials_for
from ..qgis.i18n import tr
from ..qgis.proxy import qgis_proxies
from ..sources.estimate import known_bytes, whole_download_is_small
from ..sources.fetch import FetchContext, FetchRequest, area_tag, fetch
from .formatting import human_size
from .tasks import task_log

CROP_MASK_ALGORITHM = "cropconfidence:cropmask"
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
        self.set_busy(True)
        self.progress_label.setText(tr("Fetching {} {}…").format(product_label, request.year))
        task = self._run(
            tr("Crop Confidence: fetch"),
            work,
            lambda task: self._fetched(task, request, product_label),
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

    def _fetched(self, task, request, product_label):
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

    def add_layers(self, request, result, product_label):
        project = QgsProject.instance()
        name = f"{product_label} {request.year} – {area_tag(request)}"
        group = project.layerTreeRoot().insertGroup(0, name)
        kinds = products.LAYER_STYLES[request.product]
        added = {}
        for role, output, path in (
            (products.CLASS, FetchAlgorithm.CLASS_LAYER, result.class_layer),
            (products.CONFIDENCE, FetchAlgorithm.CONFIDENCE_LAYER, result.confidence_layer),
            (products.VALIDITY, FetchAlgorithm.VALIDITY_LAYER, result.validity_layer),
        ):
            if not path:
                continue
            layer = QgsRasterLayer(path, Path(path).stem)
            if not layer.isValid():
                self.message(tr("Layer not loaded"), path, Qgis.MessageLevel.Warning)
                continue
            styles.apply_style(layer, kinds[role])
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            added[output] = layer
        self.last_fetch = (request, result, added)
        self.mask_button.setEnabled(FetchAlgorithm.CONFIDENCE_LAYER in added)
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

        request, _, added = self.last_fetch
        parameters = {
            CropMaskAlgorithm.PRODUCT: PRODUCT_KEYS.index(request.product),
            CropMaskAlgorithm.MIN_CONFIDENCE: self.settings_box.confidence_spin.value(),
            CropMaskAlgorithm.THREADS: self.settings_box.threads_spin.value(),
        }
        for output, parameter in CROP_MASK_INPUTS:
            if output in added:
                parameters[parameter] = added[output].id()
        processing.execAlgorithmDialog(CROP_MASK_ALGORITHM, parameters)
