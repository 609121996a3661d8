"""Processing provider 'cropconfidence': the algorithms and the shipped models."""

from qgis.core import QgsProcessingModelAlgorithm, QgsProcessingProvider

from ..domain.resources import RESOURCES
from ..qgis.i18n import tr
from .cropmask_algorithm import CropMaskAlgorithm
from .fetch_algorithm import FetchAlgorithm
from .icons import plugin_icon
from .style_algorithm import StyleAlgorithm
from .zonal_algorithm import ZonalAreasAlgorithm

MODELS_DIR = RESOURCES / "models"


class CropConfidenceProvider(QgsProcessingProvider):
    def id(self):
        return "cropconfidence"

    def name(self):
        return tr("Crop Confidence")

    def longName(self):
        return tr("Crop Confidence: confidence-filtered crop masks")

    def icon(self):
        return plugin_icon()

    def supportedOutputRasterLayerExtensions(self):
        # The engine writes GeoTIFF only; QGIS then names temporary outputs .tif.
        return ["tif", "tiff"]

    def loadAlgorithms(self):
        self.addAlgorithm(CropMaskAlgorithm())
        self.addAlgorithm(FetchAlgorithm())
        self.addAlgorithm(StyleAlgorithm())
        self.addAlgorithm(ZonalAreasAlgorithm())
        for path in sorted(MODELS_DIR.glob("*.model3")):
            model = QgsProcessingModelAlgorithm()
            if model.fromFile(str(path)):
                self.addAlgorithm(model)
