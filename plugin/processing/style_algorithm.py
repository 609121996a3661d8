"""Processing algorithm cropconfidence:style, and the styling of fetched layers when loaded."""

import os
from pathlib import Path

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterRasterLayer,
    QgsProcessingUtils,
    QgsProject,
)

from .. import compat
from ..domain import products
from ..qgis import styles
from ..qgis.i18n import tr, translated, with_facts
from .base import CropConfidenceAlgorithm
from .postprocess import OneShotPostProcessor

# The PRODUCT enum, in order (keep it stable): None = detect.
STYLE_KINDS = (
    None,
    styles.OSO23,
    styles.OSO17,
    styles.CTY,
    styles.CTYCL,
    styles.OSO_CONFIDENCE,
    styles.OSO_VALIDITY,
    styles.MASK,
)

# The fetch algorithm's output of each layer role.
FETCH_OUTPUTS = {
    products.CLASS: "CLASS_LAYER",
    products.CONFIDENCE: "CONFIDENCE_LAYER",
    products.VALIDITY: "VALIDITY_LAYER",
}


def style_labels():
    return [
        tr("Detect (name, band, metadata)"),
        translated(products.PRODUCT_LABELS[products.OSO_23]),
        translated(products.PRODUCT_LABELS[products.OSO_17]),
        tr("CTY (CLMS Crop Types)"),
        tr("CTYCL (CLMS Confidence Layer)"),
        with_facts(tr("OSO confidence ({oso_confidence_band})")),
        with_facts(tr("OSO validity ({oso_validity_band})")),
        tr("Crop mask (binary or class map)"),
    ]


class StylePostProcessor(OneShotPostProcessor):
    """Applies a style kind to a layer when Processing loads it."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def style(self, layer):
        styles.apply_style(layer, self.kind)


# The expression context scope a model gives each child algorithm it runs.
MODEL_CHILD_SCOPE = "algorithm_inputs"


def runs_in_model(context):
    """Whether the algorithm runs as a child of a model, which shares its context."""
    return context.expressionContext().indexOfScope(MODEL_CHILD_SCOPE) >= 0


def _gdal_reason(path):
    """Why GDAL cannot open ``path``: its own words, or '' when it says nothing."""
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        gdal.ErrorReset()
        try:
            dataset = gdal.Open(path)
        except RuntimeError as error:  # GDAL's exceptions are on
            return str(error).strip()
        dataset = None  # noqa: F841 (closed)
        return gdal.GetLastErrorMsg().strip()
    finally:
        gdal.PopErrorHandler()


def unreadable_file_message(name, path):
    """The message for a file that exists but that GDAL cannot read as a raster (QGIS alone
    would say "not found" of it)."""
    size = os.path.getsize(path)
    if size == 0:
        reason = tr("the file is empty: 0 bytes")
    else:
        reason = _gdal_reason(path).replace(f"`{path}' ", "").replace(path, "").rstrip(".")
        if not reason or "not recognized" in reason:
            reason = tr("{} bytes in no raster format GDAL knows").format(size)
    return tr(
        "{}: the file '{}' exists but is not a raster GDAL can read ({}). A download cut short "
        "or an archive (.zip) gives this: fetch the file again, or extract the raster and "
        "choose it."
    ).format(name, path, reason)


def style_fetched_layers(context, product, outputs):
    """Fetched rasters are loaded styled: each output path of ``outputs`` ({output name: path})
    gets a post-processor applying its kind. Run on its own, outputs not yet set to load are
    added to the layers to load on completion (the toolbox and processing.runAndLoadResults
    load them); in a model they are intermediate files, loaded only when already set to."""
    in_model = runs_in_model(context)
    for role, kind in products.LAYER_STYLES.get(product, {}).items():
        name = FETCH_OUTPUTS[role]
        path = outputs.get(name)
        if not path:
            continue
        if not context.willLoadLayerOnCompletion(path):
            if in_model:
                continue
            project = context.project() or QgsProject.instance()
            context.addLayerToLoadOnCompletion(
                path, QgsProcessingContext.LayerDetails(Path(path).stem, project, name)
            )
        context.layerToLoadOnCompletionDetails(path).setPostProcessor(
            StylePostProcessor.create(kind)
        )


class StyleAlgorithm(CropConfidenceAlgorithm):
    NAME = "style"
    GROUP_ID = "data"
    REQUIRES = ()  # QGIS and GDAL only: it runs without rasterio

    INPUT = "INPUT"
    PRODUCT = "PRODUCT"
    OUTPUT = "OUTPUT"
    STYLE = "STYLE"

    def displayName(self):
        return tr("Apply Crop Confidence style")

    def flags(self):
        # The renderer of a project layer is changed: run in the main thread.
        return super().flags() | compat.FLAG_NO_THREADING

    def shortHelpString(self):
        return with_facts(
            tr(
                "Gives a raster layer the style of its product: the official class colours and "
                "labels (in the QGIS language) for OSO and CTY, a red-to-green ramp for the CTYCL "
                "confidence ({ctycl_no_crop} 'No cropland' in grey, 255 transparent), "
                "black-to-green and black-to-red ramps for the OSO confidence and validity, "
                "green kept pixels for a binary crop mask and the class palette for a filtered "
                "class map (Custom: each "
                "kept code in its own colour).\n\n"
                "Detect reads the file name (the producers' names and those 'Fetch crop layers' "
                "writes), the layer name, the band description ({oso_band_list}) and the GDAL "
                "metadata. OSO "
                "2016 and 2017 have 17 classes; without a year in the name, the values present "
                "decide. Crop masks are detected from the settings 'Confidence-filtered crop "
                "mask' records in their metadata (CROPCONFIDENCE_*); for one without them, "
                "choose 'Crop mask', and its values tell a class map's product.\n\n"
                "A layer of the current project is restyled in place. A file that is not open in "
                "the project gets the style saved as its default style: a .qml file next to it, "
                "which QGIS reads whenever the file is opened."
            )
        )

    def initAlgorithm(self, config=None):  # noqa: ARG002
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster layer")))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.PRODUCT, tr("Product"), options=style_labels(), defaultValue=0
            )
        )
        self.addOutput(
            QgsProcessingOutputRasterLayer(
                self.OUTPUT, tr("Styled layer (its id, or its file when not in the project)")
            )
        )
        self.addOutput(QgsProcessingOutputString(self.STYLE, tr("Style applied")))

    def checkParameterValues(self, parameters, context):
        value = parameters.get(self.INPUT)
        if (
            isinstance(value, str)
            and os.path.isfile(value)
            and QgsProcessingUtils.mapLayerFromString(value, context) is None
        ):
            return False, unreadable_file_message(self.INPUT, value)
        return super().checkParameterValues(parameters, context)

    def process(self, parameters, context, feedback):
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(
                tr("INPUT: the layer {} cannot be opened as a raster.").format(
                    parameters.get(self.INPUT)
                )
            )
        kind = STYLE_KINDS[self.parameterAsEnum(parameters, self.PRODUCT, context)]
        if kind is None:
            kind = styles.detect_kind(layer)
            if kind is None:
                raise QgsProcessingException(
                    tr(
                        "Cannot tell which product the layer '{}' ({}) is from its name, band "
                        "description or metadata. Choose the product: {}."
                    ).format(layer.name(), layer.source(), "; ".join(style_labels()[1:]))
                )
            label = style_labels()[STYLE_KINDS.index(kind)]
            feedback.pushInfo(tr("Detected: {}").format(label))
        styles.apply_style(layer, kind)
        project = context.project()
        in_project = project is not None and project.mapLayer(layer.id()) is layer
        if not in_project:
            message, saved = compat.save_default_style(layer)
            if not saved:
                raise QgsProcessingException(
                    tr("Cannot save the default style of {}: {}").format(layer.source(), message)
                )
            feedback.pushInfo(message)
            return {self.OUTPUT: layer.source(), self.STYLE: kind}
        return {self.OUTPUT: layer.id(), self.STYLE: kind}
