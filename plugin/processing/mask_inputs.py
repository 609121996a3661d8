"""The crop mask's input parameters, for every algorithm that reads the same bands.

PRODUCT, CLASS_LAYER, CLASS_BAND, CONFIDENCE_LAYER, CONFIDENCE_BAND, VALIDITY_LAYER,
VALIDITY_BAND, MIN_VALIDITY, CLASSES, MIN_CONFIDENCE and THREADS, with the same names and
meanings everywhere: adding them to an algorithm, checking them, and reading them into a
``raster.plan.CropMaskRequest``. The engine is imported inside the functions that need it
(start-up rule: no numpy or rasterio when the provider loads).
"""

import os

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBand,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingUtils,
)

from .. import compat
from ..domain import products
from ..domain.errors import CropMaskError
from ..qgis.i18n import tr, translated

PRODUCT = "PRODUCT"
CLASS_LAYER = "CLASS_LAYER"
CLASS_BAND = "CLASS_BAND"
CONFIDENCE_LAYER = "CONFIDENCE_LAYER"
CONFIDENCE_BAND = "CONFIDENCE_BAND"
VALIDITY_LAYER = "VALIDITY_LAYER"
VALIDITY_BAND = "VALIDITY_BAND"
MIN_VALIDITY = "MIN_VALIDITY"
CLASSES = "CLASSES"
MIN_CONFIDENCE = "MIN_CONFIDENCE"
THREADS = "THREADS"
PRODUCT_KEYS = products.PRODUCTS
CLASS_PICKER_WRAPPER = f"{__package__}.class_widget.ClassesWidgetWrapper"  # loaded by dialogs
LAYER_ROLES = (
    (CLASS_LAYER, "class"),
    (CONFIDENCE_LAYER, "confidence"),
    (VALIDITY_LAYER, "validity"),
)


def product_labels():
    return [translated(products.PRODUCT_LABELS[key]) for key in PRODUCT_KEYS]


def raster_file(layer, parameter):
    """The local file behind a raster layer, or a clear error."""
    if layer is None:
        return None
    path = layer.source()
    if layer.providerType() != "gdal" or not os.path.isfile(path):
        raise QgsProcessingException(
            tr(
                "{}: the layer '{}' ({}) is not a local raster file. "
                "Save it as a GeoTIFF first (Export > Save As)."
            ).format(parameter, layer.name(), path)
        )
    return path


def add_product(algorithm):
    algorithm.addParameter(
        QgsProcessingParameterEnum(PRODUCT, tr("Product"), options=product_labels(), defaultValue=0)
    )


def add_layers(algorithm):
    """The class, confidence and validity layers, each with its band."""
    for layer, band, layer_name, band_name, optional in (
        (
            CLASS_LAYER,
            CLASS_BAND,
            tr("Class layer"),
            tr("Class band"),
            True,
        ),
        (
            CONFIDENCE_LAYER,
            CONFIDENCE_BAND,
            tr("Confidence layer"),
            tr("Confidence band"),
            False,
        ),
        (
            VALIDITY_LAYER,
            VALIDITY_BAND,
            tr("Validity layer (OSO)"),
            tr("Validity band"),
            True,
        ),
    ):
        algorithm.addParameter(
            QgsProcessingParameterRasterLayer(layer, layer_name, optional=optional)
        )
        algorithm.addParameter(QgsProcessingParameterBand(band, band_name, 1, layer, optional=True))


def add_thresholds(algorithm):
    algorithm.addParameter(
        QgsProcessingParameterNumber(
            MIN_VALIDITY,
            tr("Minimum validity (cloud-free dates)"),
            type=compat.NUMBER_INTEGER,
            defaultValue=0,
            minValue=0,
            optional=True,
        )
    )
    classes = QgsProcessingParameterString(
        CLASSES, tr("Classes to keep"), defaultValue="", optional=True
    )
    # In the dialog, a class picker (names and colours); the value stays the codes string.
    classes.setMetadata({"widget_wrapper": {"class": CLASS_PICKER_WRAPPER}})
    algorithm.addParameter(classes)
    algorithm.addParameter(
        QgsProcessingParameterNumber(
            MIN_CONFIDENCE,
            tr("Minimum confidence (%)"),
            type=compat.NUMBER_INTEGER,
            defaultValue=50,
            minValue=0,
            maxValue=100,
        )
    )


def threads_parameter():
    """THREADS, an advanced parameter."""
    parameter = QgsProcessingParameterNumber(
        THREADS,
        tr("Threads (0 = all cores)"),
        type=compat.NUMBER_INTEGER,
        defaultValue=0,
        minValue=0,
        optional=True,
    )
    parameter.setFlags(parameter.flags() | compat.FLAG_ADVANCED)
    return parameter


def check_layer_values(parameters, context):
    """(False, message) for a layer given as a file that exists but cannot be read (QGIS
    would say "not found"); (True, '') otherwise."""
    from ..raster.plan import check_raster

    for name, role in LAYER_ROLES:
        value = parameters.get(name)
        if not isinstance(value, str) or not value:
            continue
        if QgsProcessingUtils.mapLayerFromString(value, context) is not None:
            continue
        try:
            check_raster(role, value)
        except CropMaskError as error:
            return False, f"{name}: {error}"
    return True, ""


def read_layers(algorithm, parameters, context):
    """The confidence, class and validity layers (None when not given)."""
    confidence_layer = algorithm.parameterAsRasterLayer(parameters, CONFIDENCE_LAYER, context)
    if confidence_layer is None:
        raise QgsProcessingException(
            tr("CONFIDENCE_LAYER: the layer {} cannot be opened as a raster.").format(
                parameters.get(CONFIDENCE_LAYER)
            )
        )
    class_layer = algorithm.parameterAsRasterLayer(parameters, CLASS_LAYER, context)
    validity_layer = algorithm.parameterAsRasterLayer(parameters, VALIDITY_LAYER, context)
    for name, layer in ((CLASS_LAYER, class_layer), (VALIDITY_LAYER, validity_layer)):
        if parameters.get(name) not in (None, "") and layer is None:
            raise QgsProcessingException(
                tr("{}: the layer {} cannot be opened as a raster.").format(
                    name, parameters.get(name)
                )
            )
    return confidence_layer, class_layer, validity_layer


def band_ref(algorithm, parameters, context, layer, band_parameter, parameter):
    """A raster.plan.BandRef of ``layer``'s file and band, or None without a layer."""
    from ..raster.plan import BandRef

    path = raster_file(layer, parameter)
    if path is None:
        return None
    if parameters.get(band_parameter) in (None, ""):
        return BandRef(path, 1)
    band = algorithm.parameterAsInt(parameters, band_parameter, context)
    if band < 1:
        raise QgsProcessingException(
            tr("{}: band {} does not exist; bands are numbered from 1.").format(
                band_parameter, band
            )
        )
    return BandRef(path, band)


def mask_request(algorithm, parameters, context, **extra):
    """(raster.plan.CropMaskRequest of the inputs and thresholds, the confidence layer);
    ``extra`` sets the request's other fields."""
    from ..raster.plan import CropMaskRequest

    product = PRODUCT_KEYS[algorithm.parameterAsEnum(parameters, PRODUCT, context)]
    confidence_layer, class_layer, validity_layer = read_layers(algorithm, parameters, context)
    codes = products.parse_class_list(algorithm.parameterAsString(parameters, CLASSES, context))

    def ref(layer, band_parameter, parameter):
        return band_ref(algorithm, parameters, context, layer, band_parameter, parameter)

    request = CropMaskRequest(
        product=product,
        confidence=ref(confidence_layer, CONFIDENCE_BAND, CONFIDENCE_LAYER),
        classes=None
        if product == products.CTYCL_ONLY
        else ref(class_layer, CLASS_BAND, CLASS_LAYER),
        validity=ref(validity_layer, VALIDITY_BAND, VALIDITY_LAYER),
        class_codes=codes,
        min_confidence=algorithm.parameterAsInt(parameters, MIN_CONFIDENCE, context),
        min_validity=algorithm.parameterAsInt(parameters, MIN_VALIDITY, context),
        threads=algorithm.parameterAsInt(parameters, THREADS, context),
        **extra,
    )
    return request, confidence_layer


def report_request(request, feedback):
    """What the run will count, and a MIN_VALIDITY that nothing uses."""
    if request.validity is None and request.min_validity > 0:
        feedback.reportError(
            tr("MIN_VALIDITY {} is ignored: no validity layer is given.").format(
                request.min_validity
            ),
            False,
        )
    feedback.pushInfo(
        tr("Product {}, classes {}, minimum confidence {}").format(
            translated(products.PRODUCT_LABELS[request.product]),
            ", ".join(map(str, products.resolve_classes(request.product, request.class_codes)))
            or tr("all cropland"),
            request.min_confidence,
        )
    )
