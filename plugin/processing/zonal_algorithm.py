"""Processing algorithm cropconfidence:zonalareas, a thin adapter over plugin.raster.zonal.

The zones are reprojected to the rasters' CRS and made valid here (QGIS's geometry engine),
then handed to the engine as WKB; the engine counts, this module writes the two outputs.
"""

from qgis.core import (
    QgsClassificationJenks,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsGraduatedSymbolRenderer,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsStyle,
    QgsSymbol,
    QgsWkbTypes,
)

from .. import compat
from ..domain import nomenclature, products
from ..domain.errors import CropMaskCancelled
from ..qgis.i18n import tr, ui_language, with_facts
from . import mask_inputs
from .base import CropConfidenceAlgorithm
from .postprocess import OneShotPostProcessor

TABLE_FIELDS = (
    ("class_code", compat.FIELD_INT),
    ("class_label", compat.FIELD_STRING),
    ("pixels", compat.FIELD_INT),
    ("kept", compat.FIELD_INT),
    ("dropped_low_confidence", compat.FIELD_INT),
    ("dropped_low_validity", compat.FIELD_INT),
    ("map_area_ha", compat.FIELD_DOUBLE),
    ("kept_area_ha", compat.FIELD_DOUBLE),
    ("mean_confidence", compat.FIELD_DOUBLE),
    ("confidence_weighted_area_ha", compat.FIELD_DOUBLE),
)
KEPT_TOTAL = "kept_total_ha"
# Invalid zones are made valid here, whatever Processing's invalid-feature setting says.
# (QGIS >= 3.36: Qgis.ProcessingFeatureSourceFlag.SkipGeometryValidityChecks; compat should
# give it.)
SKIP_VALIDATION = compat.SKIP_GEOMETRY_CHECKS
GRADUATED_CLASSES = 5


class ZonesStylePostProcessor(OneShotPostProcessor):
    """Styles OUTPUT_ZONES, once loaded, graduated on kept_total_ha."""

    def style(self, layer):
        renderer = QgsGraduatedSymbolRenderer(KEPT_TOTAL)
        renderer.setSourceSymbol(QgsSymbol.defaultSymbol(layer.geometryType()))
        renderer.setClassificationMethod(QgsClassificationJenks())
        renderer.updateClasses(layer, GRADUATED_CLASSES)
        ramp = QgsStyle.defaultStyle().colorRamp("Greens")
        if ramp is not None:
            renderer.updateColorRamp(ramp)
        layer.setRenderer(renderer)
        layer.triggerRepaint()


def _polygonal(geometry):
    """The polygon parts of ``geometry`` (what makeValid may mix with lines), or None."""
    if geometry.isNull() or geometry.isEmpty():
        return None
    if QgsWkbTypes.geometryType(geometry.wkbType()) == compat.GEOMETRY_POLYGON:
        return geometry
    parts = [
        part
        for part in geometry.asGeometryCollection()
        if QgsWkbTypes.geometryType(part.wkbType()) == compat.GEOMETRY_POLYGON
    ]
    return QgsGeometry.collectGeometry(parts) if parts else None


class ZonalAreasAlgorithm(CropConfidenceAlgorithm):
    NAME = "zonalareas"
    GROUP_ID = "areas"

    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_ZONES = "OUTPUT_ZONES"

    def displayName(self):
        return tr("Confident crop area per zone")

    def shortHelpString(self):
        return with_facts(
            tr(
                "Counts, in each zone of a polygon layer, the pixels of every class present: "
                "valid pixels, kept pixels and the pixels dropped for a low confidence or a "
                "low validity, with the same inputs and pixel rules as 'Confidence-filtered "
                "crop mask'.\n\n"
                "A pixel belongs to a zone when its centre lies inside the polygon (holes and "
                "multipart zones included). Zones may overlap, for example nested "
                "administrative levels: each zone counts its own pixels. A zone with no valid "
                "pixel gets one row of zeros. The zones are reprojected to the rasters' CRS; "
                "invalid geometries are made valid.\n\n"
                "map_area_ha is the area of all valid pixels of the class and kept_area_ha "
                "that of the kept pixels: map areas, which classification errors bias. "
                "mean_confidence is the mean confidence of the class's valid pixels (those "
                "marked no crop, CTYCL {ctycl_no_crop}, left out). "
                "confidence_weighted_area_ha sums confidence / 100 x the pixel area: a "
                "model-based indicator, not an unbiased area estimate; for that, use a "
                "reference sample.\n\n"
                "QGIS's Zonal histogram gives the same counts per class, except for zones that "
                "hold no pixel centre (smaller than a pixel): QGIS 3.22 counts the pixels they "
                "touch, this algorithm none.\n\n"
                "OUTPUT_ZONES holds the zones with kept_<code>_ha for every selected class and "
                "kept_total_ha, styled graduated on kept_total_ha when loaded."
            )
        ) + tr("\n\nWithout a zone name field, each zone is named by its feature id.")

    def initAlgorithm(self, config=None):  # noqa: ARG002
        mask_inputs.add_product(self)
        mask_inputs.add_layers(self)
        mask_inputs.add_thresholds(self)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.ZONES, tr("Zones (polygons)"), [compat.SOURCE_POLYGON]
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.ZONE_FIELD,
                tr("Zone name field"),
                parentLayerParameterName=self.ZONES,
                optional=True,
            )
        )
        self.addParameter(mask_inputs.threads_parameter())
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_TABLE, tr("Crop areas per zone and class"), type=compat.SOURCE_VECTOR
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_ZONES,
                tr("Zones with kept crop areas"),
                optional=True,
                createByDefault=False,
            )
        )

    def checkParameterValues(self, parameters, context):
        ok, message = mask_inputs.check_layer_values(parameters, context)
        if not ok:
            return ok, message
        return super().checkParameterValues(parameters, context)

    def process(self, parameters, context, feedback):
        from ..raster.zonal import ZonalRequest, run_zonal
        from ..raster.zones import Zones

        request, confidence_layer = mask_inputs.mask_request(self, parameters, context)
        mask_inputs.report_request(request, feedback)
        source = self.parameterAsSource(parameters, self.ZONES, context)
        if source is None:
            raise QgsProcessingException(
                tr("ZONES: the layer {} cannot be opened.").format(parameters.get(self.ZONES))
            )
        if QgsWkbTypes.geometryType(source.wkbType()) != compat.GEOMETRY_POLYGON:
            raise QgsProcessingException(
                tr("ZONES: the layer '{}' holds no polygons; give a polygon layer.").format(
                    source.sourceName()
                )
            )
        field = self.parameterAsString(parameters, self.ZONE_FIELD, context) or None
        ids, shapes = self._zone_shapes(source, field, confidence_layer.crs(), context, feedback)
        zones = Zones.from_shapes(shapes)
        del shapes
        feedback.pushInfo(tr("{} zones").format(len(ids)))
        result = run_zonal(ZonalRequest(request, zones), **self.callbacks(feedback))
        if result.pixel_area_m2 is None:
            feedback.reportError(
                tr("The rasters' CRS is not projected in metres: areas are not computed."),
                False,
            )
        table_id = self._write_table(
            parameters, context, source, field, ids, result, request.product
        )
        outputs = {self.OUTPUT_TABLE: table_id}
        zones_id = self._write_zones(parameters, context, source, result, feedback)
        if zones_id is not None:
            outputs[self.OUTPUT_ZONES] = zones_id
            if context.willLoadLayerOnCompletion(zones_id):
                context.layerToLoadOnCompletionDetails(zones_id).setPostProcessor(
                    ZonesStylePostProcessor.create()
                )
        return outputs

    def _zone_shapes(self, source, field, crs, context, feedback):
        """(zone names, WKB in ``crs`` or None for an empty zone), in feature order."""
        transform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        ids, shapes = [], []
        for feature in source.getFeatures(QgsFeatureRequest(), SKIP_VALIDATION):
            if feedback.isCanceled():
                raise CropMaskCancelled("Cancelled: no output was written.")
            ids.append(feature[field] if field else feature.id())
            shapes.append(self._zone_wkb(feature, transform))
        return ids, shapes

    def _zone_wkb(self, feature, transform):
        geometry = QgsGeometry(feature.geometry())
        if geometry.isNull() or geometry.isEmpty():
            return None
        try:
            geometry.transform(transform)
        except QgsCsException as error:
            raise QgsProcessingException(
                tr("ZONES: feature {} cannot be reprojected to the rasters' CRS {}: {}").format(
                    feature.id(), transform.destinationCrs().authid(), error
                )
            ) from None
        if geometry.constGet().hasCurvedSegments():
            geometry.convertToStraightSegment()
        if not geometry.isGeosValid():
            geometry = _polygonal(geometry.makeValid())
            if geometry is None or not geometry.isGeosValid():
                raise QgsProcessingException(
                    tr(
                        "ZONES: feature {} has an invalid geometry that cannot be made valid "
                        "as a polygon. Fix it (Fix geometries) or remove it."
                    ).format(feature.id())
                )
        return bytes(geometry.asWkb())

    def _write_table(self, parameters, context, source, field, ids, result, product):
        fields = QgsFields()
        if field:
            zone_field = QgsField(source.fields().field(field))
            zone_field.setName("zone")
        else:
            zone_field = QgsField("zone", compat.FIELD_INT)
        fields.append(zone_field)
        for name, field_type in TABLE_FIELDS:
            fields.append(QgsField(name, field_type))
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT_TABLE, context, fields, compat.NO_GEOMETRY
        )
        if sink is None:
            raise QgsProcessingException(
                tr("OUTPUT_TABLE: the table cannot be created: {}").format(
                    parameters.get(self.OUTPUT_TABLE)
                )
            )
        for values in _table_rows(result, ids, product):
            feature = QgsFeature(fields)
            feature.setAttributes(values)
            if not sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert):
                _refuse(self.OUTPUT_TABLE, parameters, sink)
        return sink_id

    def _write_zones(self, parameters, context, source, result, feedback):
        if not parameters.get(self.OUTPUT_ZONES):
            return None
        fields = QgsFields(source.fields())
        names = [f"kept_{code}_ha" for code in result.selected]
        for name in [*names, KEPT_TOTAL]:
            if fields.indexOf(name) < 0:
                fields.append(QgsField(name, compat.FIELD_DOUBLE))
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT_ZONES, context, fields, source.wkbType(), source.sourceCrs()
        )
        if sink is None:
            return None
        kept = result.kept_by_zone()
        areas = result.hectares(kept)
        features = source.getFeatures(QgsFeatureRequest(), SKIP_VALIDATION)
        for position, feature in enumerate(features):
            if feedback.isCanceled():
                raise CropMaskCancelled("Cancelled: no output was written.")
            out = QgsFeature(fields)
            out.setGeometry(feature.geometry())
            attributes = list(feature.attributes()) + [None] * (
                fields.count() - len(feature.attributes())
            )
            if areas is not None and position < len(areas):
                row = areas[position]
                for name, value in zip(names, row):
                    attributes[fields.indexOf(name)] = float(value)
                attributes[fields.indexOf(KEPT_TOTAL)] = float(row.sum())
            out.setAttributes(attributes)
            if not sink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
                _refuse(self.OUTPUT_ZONES, parameters, sink)
        return sink_id


def _refuse(name, parameters, sink):
    raise QgsProcessingException(
        tr("{}: '{}' cannot be written: {}. Choose another file or folder.").format(
            name, parameters.get(name), " ".join(sink.lastError().split()).rstrip(".")
        )
    )


def _class_labels(product):
    """code -> label in the UI language, for the product's nomenclature (memoised)."""
    table = products.spec(product).table
    language = ui_language()
    labels = {}

    def label(code):
        if code not in labels:
            entry = nomenclature.entry_for(table, code) if table else None
            labels[code] = entry.label(language) if entry else ""
        return labels[code]

    return label


def _table_rows(result, ids, product):
    """The attribute lists of OUTPUT_TABLE, one per row of ``result``."""
    label = _class_labels(product)
    all_crops = tr("All crop types (CTYCL)")
    mean = result.mean_confidence()
    areas = [
        result.hectares(result.pixels),
        result.hectares(result.kept),
        result.confidence_weighted_area_ha(),
    ]
    for row in range(result.zone.size):
        pixels = int(result.pixels[row])
        code = int(result.class_code[row]) if result.has_code[row] else None
        class_label = label(code) if code is not None else (all_crops if pixels else None)
        map_area, kept_area, weighted = (
            None if column is None else float(column[row]) for column in areas
        )
        yield [
            ids[int(result.zone[row])],
            code,
            class_label,
            pixels,
            int(result.kept[row]),
            int(result.dropped_low_confidence[row]),
            int(result.dropped_low_validity[row]),
            map_area,
            kept_area,
            None if mean[row] != mean[row] else float(mean[row]),
            weighted,
        ]
