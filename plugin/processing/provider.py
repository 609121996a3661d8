"""Processing provider 'cropconfidence': the algorithms and the shipped models.

Building it is part of every QGIS start: the algorithm modules import neither the engine nor
the sources (numpy, rasterio, requests, pystac) until an algorithm runs (issue 14).
"""

from qgis.core import QgsProcessingModelAlgorithm, QgsProcessingProvider

from ..domain.resources import RESOURCES
from ..qgis.i18n import tr
from .areaestimate_algorithm import AreaEstimateAlgorithm
from .base import group_names
from .cropmask_algorithm import CropMaskAlgorithm
from .fetch_algorithm import FetchAlgorithm
from .icons import plugin_icon
from .sampledesign_algorithm import SampleDesignAlgorithm
from .style_algorithm import StyleAlgorithm
from .zonal_algorithm import ZonalAreasAlgorithm

MODELS_DIR = RESOURCES / "models"
MODELS_GROUP_ID = "cropmasks"  # a model joins its algorithms' group: no group of its own
MODEL_FILE_GROUPS = {"Crop masks": "cropmasks", "Crop areas": "areas"}  # file's name -> group id


def model_titles():
    """A shipped model's name (its id, without spaces: tools/make_models.py) -> its title."""
    return {
        "cropmaskreport": tr("Crop mask with per-class report"),
        "cropmaskforextent": tr("Crop mask for extent"),
        "cropareabyzone": tr("Crop area by zone"),
    }


def model_help():
    """A shipped model's name -> its description, in the UI language."""
    return {
        "cropmaskreport": tr(
            "Confidence-filtered crop mask of a class layer and its confidence layer, with the "
            "per-class pixel and hectare table."
        ),
        "cropmaskforextent": tr(
            "Fetches the crop layers of a year over an extent, then makes the "
            "confidence-filtered crop mask and its per-class report."
        ),
        "cropareabyzone": tr(
            "Fetches the crop layers of a year over the zones' extent, makes the "
            "confidence-filtered crop mask, then the confident crop area of each zone and class."
        ),
    }


def model_inputs():
    """The (English) descriptions tools/make_models.py gives the models' inputs and outputs ->
    the UI language's."""
    return {
        "Area": tr("Area"),
        "Class layer": tr("Class layer"),
        "Classes (empty = crops)": tr("Classes (empty = crops)"),
        "Clip to the area": tr("Clip to the area"),
        "Confidence layer": tr("Confidence layer"),
        "Credentials": tr("Credentials"),
        "Minimum confidence (%)": tr("Minimum confidence (%)"),
        "Product": tr("Product"),
        "Source (empty = default)": tr("Source (empty = default)"),
        "Year": tr("Year"),
        "Zone name field": tr("Zone name field"),
        "Zones": tr("Zones"),
        "Crop mask": tr("Crop mask"),
        "Class report": tr("Class report"),
        "Crop areas per zone and class": tr("Crop areas per zone and class"),
        "Zones with kept crop areas": tr("Zones with kept crop areas"),
    }


class ShippedModel(QgsProcessingModelAlgorithm):
    """A model of resources/models/ with a translated title, in its algorithms' group.

    A model file holds one name, which QGIS uses both as the id and as the title, and its group
    name as the group id; the title and the group id come from here instead."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.loaded = self.fromFile(str(path))
        texts = model_inputs()
        for definition in self.parameterDefinitions():
            definition.setDescription(texts.get(definition.description(), definition.description()))

    def displayName(self):
        return model_titles().get(self.name(), self.name())

    def shortHelpString(self):
        return model_help().get(self.name()) or super().shortHelpString()

    def group(self):
        return group_names()[self.groupId()]

    def groupId(self):
        """The group of the algorithms the model chains, from the (English) group name
        tools/make_models.py wrote in the file: a model file holds no group id."""
        return MODEL_FILE_GROUPS.get(super().group(), MODELS_GROUP_ID)

    def canExecute(self):
        """As its steps: QGIS's models do not ask them (a missing rasterio, say)."""
        for child in self.childAlgorithms().values():
            algorithm = child.algorithm()
            if algorithm is not None:
                ok, message = algorithm.canExecute()
                if not ok:
                    return ok, message
        return super().canExecute()

    def createInstance(self):
        return ShippedModel(self.path)


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
        self.addAlgorithm(SampleDesignAlgorithm())
        self.addAlgorithm(AreaEstimateAlgorithm())
        self.addAlgorithm(ZonalAreasAlgorithm())
        for path in sorted(MODELS_DIR.glob("*.model3")):
            model = ShippedModel(path)
            if model.loaded:
                self.addAlgorithm(model)
