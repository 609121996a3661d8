"""What cropconfidence:sampledesign and cropconfidence:areaestimate share: the map and
confidence parameters, the zone, and the strata request built from them.

Nothing here imports numpy or rasterio at module level (plugin start-up, issue 14): the engine
is imported inside the functions that process() calls.
"""

import json

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessingException,
    QgsProcessingParameterBand,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
    QgsWkbTypes,
)

from .. import compat
from ..domain import products
from ..qgis.i18n import tr, translated, with_facts

MAP = "MAP"
MAP_BAND = "MAP_BAND"
PRODUCT = "PRODUCT"
CONFIDENCE_LAYER = "CONFIDENCE_LAYER"
CONFIDENCE_BAND = "CONFIDENCE_BAND"
CONFIDENCE_SPLIT = "CONFIDENCE_SPLIT"
ZONE = "ZONE"
DEFAULT_SPLIT = 70


def add_strata_parameters(algorithm, zone_description):
    """MAP, MAP_BAND, CONFIDENCE_LAYER, CONFIDENCE_BAND, CONFIDENCE_SPLIT and ZONE."""
    algorithm.addParameter(
        QgsProcessingParameterRasterLayer(MAP, tr("Map (crop mask or class map)"))
    )
    algorithm.addParameter(
        QgsProcessingParameterBand(MAP_BAND, tr("Map band"), 1, MAP, optional=True)
    )
    algorithm.addParameter(
        QgsProcessingParameterEnum(
            PRODUCT,
            tr("Product of the map (its no-data codes)"),
            options=product_options(),
            defaultValue=0,
            optional=True,
        )
    )
    algorithm.addParameter(
        QgsProcessingParameterRasterLayer(
            CONFIDENCE_LAYER,
            tr("Confidence layer"),
            optional=True,
        )
    )
    algorithm.addParameter(
        QgsProcessingParameterBand(
            CONFIDENCE_BAND, tr("Confidence band"), 1, CONFIDENCE_LAYER, optional=True
        )
    )
    algorithm.addParameter(
        QgsProcessingParameterNumber(
            CONFIDENCE_SPLIT,
            tr("Confidence split (%)"),
            type=compat.NUMBER_INTEGER,
            defaultValue=DEFAULT_SPLIT,
            minValue=0,
            maxValue=101,
            optional=True,  # used with a confidence layer only: a model need not give it
        )
    )
    # A layer, not a feature source: Processing's check of invalid geometries raises from
    # inside the feature iterator, and on QGIS 3.22 a Python algorithm that iterates such a
    # source corrupts the interpreter (the next run crashed). Invalid zones are made valid here.
    algorithm.addParameter(
        QgsProcessingParameterVectorLayer(
            ZONE, zone_description, types=[compat.SOURCE_POLYGON], optional=True
        )
    )


def product_options():
    """PRODUCT: Automatic, then cropmask's products (domain.products.PRODUCTS), in order."""
    return [tr("Automatic")] + [
        translated(products.PRODUCT_LABELS[key]) for key in products.PRODUCTS
    ]


def product_help():
    """The help's paragraph on the map's product and its no-data values."""
    return with_facts(
        tr(
            "\n\nProduct of the map: its no-data values are in no stratum, the declared one and "
            "the product's (CTY {cty_nodata}, OSO {oso_nodata}, a binary crop mask "
            "{mask_nodata}). Automatic reads a crop mask's recorded settings first, then the "
            "band description, then the file name; the log says which rule it used."
        )
    )


def chosen_product(algorithm, parameters, context):
    """The product key chosen, or None for Automatic."""
    if parameters.get(PRODUCT) in (None, ""):
        return None
    choice = algorithm.parameterAsEnum(parameters, PRODUCT, context)
    return products.PRODUCTS[choice - 1] if choice > 0 else None


def report_map_values(counted, feedback):
    """Say in the log which map values are no data, and the rule that told them."""
    from ..raster import strata_values as sv

    values = counted.values
    identity = values.identity
    codes = ", ".join(map(str, values.nodata))
    name = products.PRODUCT_NAMES.get(identity.product, "")
    if identity.rule == sv.MASK_METADATA:
        text = tr("Map: a crop mask ({}, {}), from its metadata; no data: {}.").format(
            name, identity.output_mode, codes
        )
    elif identity.rule == sv.PARAMETER:
        text = tr("Map: product {} (PRODUCT); no data: {}.").format(name, codes)
    elif identity.rule == sv.BAND_DESCRIPTION:
        text = tr("Map: product {}, from the band description '{}'; no data: {}.").format(
            name, identity.source, codes
        )
    elif identity.rule == sv.FILE_NAME:
        text = tr("Map: product {}, from the file name '{}'; no data: {}.").format(
            name, identity.source, codes
        )
    elif values.nodata:
        text = tr(
            "Map: product not recognised; only its declared no-data value is excluded ({}). "
            "Choose PRODUCT to exclude a product's no-data codes."
        ).format(codes)
    else:
        text = tr(
            "Map: product not recognised and no declared no-data value: every value is a "
            "stratum. Choose PRODUCT to exclude a product's no-data codes."
        )
    feedback.pushInfo(text)


def _band_ref(algorithm, parameters, context, layer_name, band_name, optional):
    from ..raster.plan import BandRef
    from .mask_inputs import raster_file

    layer = algorithm.parameterAsRasterLayer(parameters, layer_name, context)
    if layer is None:
        if optional and parameters.get(layer_name) in (None, ""):
            return None, None
        raise QgsProcessingException(
            tr("{}: the layer {} cannot be opened as a raster.").format(
                layer_name, parameters.get(layer_name)
            )
        )
    path = raster_file(layer, layer_name)
    band = 1
    if parameters.get(band_name) not in (None, ""):
        band = algorithm.parameterAsInt(parameters, band_name, context)
        if band < 1:
            raise QgsProcessingException(
                tr("{}: band {} does not exist; bands are numbered from 1.").format(band_name, band)
            )
    return BandRef(path, band), layer.crs()


def zone_geometries(algorithm, parameters, context, crs):
    """ZONE's polygons in ``crs`` as GeoJSON-like dicts (() without a zone)."""
    source = algorithm.parameterAsVectorLayer(parameters, ZONE, context)
    if source is None:
        if parameters.get(ZONE) not in (None, ""):
            raise QgsProcessingException(
                tr("ZONE: the layer {} cannot be opened.").format(parameters.get(ZONE))
            )
        return ()
    if QgsWkbTypes.geometryType(source.wkbType()) != compat.GEOMETRY_POLYGON:
        raise QgsProcessingException(
            tr("ZONE: the layer '{}' does not hold polygons. Choose a polygon layer.").format(
                source.name()
            )
        )
    transform = QgsCoordinateTransform(source.crs(), crs, context.transformContext())
    zones = []
    for feature in source.getFeatures():
        geometry = feature.geometry()
        if geometry.isEmpty():
            continue
        geometry.transform(transform)
        if not geometry.isGeosValid():
            geometry = geometry.makeValid()
            if QgsWkbTypes.geometryType(geometry.wkbType()) != compat.GEOMETRY_POLYGON:
                geometry = geometry.convertToType(compat.GEOMETRY_POLYGON, True) or geometry
        if geometry.isEmpty() or not geometry.isGeosValid():
            raise QgsProcessingException(
                tr(
                    "ZONE: feature {} of '{}' has an invalid geometry that cannot be repaired. "
                    "Fix it (Vector > Geometry Tools > Fix Geometries) and run again."
                ).format(feature.id(), source.name())
            )
        zones.append(json.loads(geometry.asJson()))
    if not zones:
        raise QgsProcessingException(
            tr("ZONE: the layer '{}' has no polygon. Choose a zone or leave ZONE empty.").format(
                source.name()
            )
        )
    return tuple(zones)


def strata_request(algorithm, parameters, context):
    """(raster.strata.StrataRequest, the map's CRS) from the parameters."""
    from ..raster.strata import StrataRequest

    map_ref, crs = _band_ref(algorithm, parameters, context, MAP, MAP_BAND, False)
    confidence_ref, _ = _band_ref(
        algorithm, parameters, context, CONFIDENCE_LAYER, CONFIDENCE_BAND, True
    )
    return (
        StrataRequest(
            map=map_ref,
            confidence=confidence_ref,
            split=algorithm.parameterAsInt(parameters, CONFIDENCE_SPLIT, context),
            zones=zone_geometries(algorithm, parameters, context, crs),
            product=chosen_product(algorithm, parameters, context),
        ),
        crs,
    )


def level_name(level):
    """'low', 'high' or '' for a raster.strata level."""
    from ..raster.strata import LEVEL_NAMES

    return LEVEL_NAMES[level]
