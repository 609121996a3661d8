"""Processing algorithm cropconfidence:areaestimate: error-adjusted areas and accuracies from a
labelled stratified random sample (domain/area_estimate.py), with the stratum sizes counted on
the map (raster/strata.py)."""

import math

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsMultiPoint,
    QgsPoint,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
)

from .. import compat
from ..qgis.i18n import tr
from . import strata_inputs
from .base import CropConfidenceAlgorithm
from .sampledesign_algorithm import make_fields, write_features

CLASS_FIELDS = (
    ("class_code", compat.FIELD_INT),
    ("n", compat.FIELD_INT),
    ("map_pixels", compat.FIELD_INT),
    ("map_area_ha", compat.FIELD_DOUBLE),
    ("area_proportion", compat.FIELD_DOUBLE),
    ("area_proportion_se", compat.FIELD_DOUBLE),
    ("area_pixels", compat.FIELD_DOUBLE),
    ("area_ci95_pixels", compat.FIELD_DOUBLE),
    ("area_ha", compat.FIELD_DOUBLE),
    ("area_se_ha", compat.FIELD_DOUBLE),
    ("area_ci95_ha", compat.FIELD_DOUBLE),
    ("area_low_ha", compat.FIELD_DOUBLE),
    ("area_high_ha", compat.FIELD_DOUBLE),
    ("users_accuracy", compat.FIELD_DOUBLE),
    ("users_ci95", compat.FIELD_DOUBLE),
    ("producers_accuracy", compat.FIELD_DOUBLE),
    ("producers_ci95", compat.FIELD_DOUBLE),
)


def number(value):
    """A float for a table, None for NaN (undefined)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


class AreaEstimateAlgorithm(CropConfidenceAlgorithm):
    NAME = "areaestimate"
    GROUP_ID = "areas"

    SAMPLE = "SAMPLE"
    REFERENCE_FIELD = "REFERENCE_FIELD"
    STRATUM_FIELD = "STRATUM_FIELD"
    OUTPUT = "OUTPUT"
    OUTPUT_MATRIX = "OUTPUT_MATRIX"
    OVERALL_ACCURACY = "OVERALL_ACCURACY"
    OVERALL_ACCURACY_CI95 = "OVERALL_ACCURACY_CI95"
    TOTAL_AREA_HA = "TOTAL_AREA_HA"

    def displayName(self):
        return tr("Area estimate from a reference sample")

    def shortHelpString(self):
        return (
            tr(
                "Error-adjusted area of each map class, with its standard error and 95% confidence "
                "interval, and user's, producer's and overall accuracy with their 95% confidence "
                "intervals, from a stratified random reference sample (Olofsson et al. 2014, "
                "Remote Sensing of Environment 148, 42-57, eqs. 2-10).\n\n"
                "The map, its band, the confidence layer and split and the zone define the strata "
                "as for 'Stratified reference sample': give the same ones. The stratum sizes are "
                "counted on the map, in the zone when one is given. A point's stratum is read from "
                "the 'Stratum field', or, without it, from the map (and confidence layer) under "
                "the point; its map class is always read from the map. When the strata are the map "
                "classes the estimates are the paper's; when each class is split by confidence, "
                "the general stratified estimator for strata that differ from the map classes is "
                "used (Stehman 2014, International Journal of Remote Sensing 35, 4923-4939).\n\n"
                "The 'Reference class field' holds the reference class of each point, as a class "
                "code of the map. Nothing is guessed: a point outside the map or the zone, on a "
                "map no-data pixel, without a reference or with a reference that is not a class "
                "code of the map, and a stratum with fewer than 2 points, stop the run with a "
                "message naming them.\n\n"
                "The map area counts pixels and is biased by classification error; the "
                "error-adjusted area corrects it with the reference sample. The second table is "
                "the estimated error matrix in proportions of area (rows: map class, columns: "
                "reference class). Confidence intervals are +/- 1.96 standard errors."
            )
            + strata_inputs.product_help()
        )

    def initAlgorithm(self, config=None):  # noqa: ARG002
        strata_inputs.add_strata_parameters(self, tr("Zone (polygons)"))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.SAMPLE, tr("Labelled reference points"), types=[compat.SOURCE_POINT]
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.REFERENCE_FIELD,
                tr("Reference class field"),
                defaultValue="reference",
                parentLayerParameterName=self.SAMPLE,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.STRATUM_FIELD,
                tr("Stratum field"),
                parentLayerParameterName=self.SAMPLE,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Area estimate per class"), type=compat.SOURCE_VECTOR
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_MATRIX,
                tr("Error matrix (area proportions)"),
                type=compat.SOURCE_VECTOR,
                optional=True,
            )
        )
        for name, description in (
            (self.OVERALL_ACCURACY, tr("Overall accuracy")),
            (self.OVERALL_ACCURACY_CI95, tr("Overall accuracy 95% confidence half-width")),
            (self.TOTAL_AREA_HA, tr("Total area of the strata (ha)")),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, description))

    # ------------------------------------------------------------------ the sample

    def _points(self, parameters, context, crs, map_path):
        """([(feature id, x, y in the map's CRS, reference value, stratum value)],
        area_sample.SampleNames)."""
        from .area_sample import SampleNames

        source = self.parameterAsSource(parameters, self.SAMPLE, context)
        if source is None:
            raise QgsProcessingException(
                tr("SAMPLE: the layer {} cannot be opened.").format(parameters.get(self.SAMPLE))
            )
        reference = self._field(parameters, context, source, self.REFERENCE_FIELD)
        stratum = self._field(parameters, context, source, self.STRATUM_FIELD)
        transform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        points = []
        for feature in source.getFeatures():
            point = self._point(feature, source.sourceName())
            mapped = transform.transform(QgsPointXY(point.x(), point.y()))
            points.append(
                (
                    feature.id(),
                    mapped.x(),
                    mapped.y(),
                    feature.attribute(reference),
                    None if stratum is None else feature.attribute(stratum),
                )
            )
        if not points:
            raise QgsProcessingException(
                tr("SAMPLE: the layer '{}' has no point. Choose the labelled sample.").format(
                    source.sourceName()
                )
            )
        return points, SampleNames(source.sourceName(), map_path, reference, stratum)

    def _field(self, parameters, context, source, parameter):
        names = self.parameterAsFields(parameters, parameter, context)
        if not names or not names[0]:
            if parameter == self.REFERENCE_FIELD:
                raise QgsProcessingException(tr("REFERENCE_FIELD: choose the reference field."))
            return None
        if source.fields().indexOf(names[0]) < 0:
            raise QgsProcessingException(
                tr("{}: the layer '{}' has no field '{}'.").format(
                    parameter, source.sourceName(), names[0]
                )
            )
        return names[0]

    @staticmethod
    def _point(feature, layer_name):
        geometry = feature.geometry()
        part = None if geometry is None or geometry.isEmpty() else geometry.constGet()
        if isinstance(part, QgsMultiPoint) and part.numGeometries() == 1:
            part = part.geometryN(0)
        if not isinstance(part, QgsPoint):
            raise QgsProcessingException(
                tr(
                    "SAMPLE: feature {} of '{}' is not a single point. The reference sample "
                    "must be points (the output of 'Stratified reference sample')."
                ).format(feature.id(), layer_name)
            )
        return part

    # ------------------------------------------------------------------ the run

    def process(self, parameters, context, feedback):
        from ..raster.strata import count_strata, values_at
        from .area_sample import check_sample, estimate

        request, crs = strata_inputs.strata_request(self, parameters, context)
        points, names = self._points(parameters, context, crs, request.map.path)
        callbacks = self.callbacks(feedback)
        counted = count_strata(
            request,
            progress=lambda fraction: feedback.setProgress(90 * fraction),
            is_cancelled=callbacks["is_cancelled"],
        )
        strata_inputs.report_map_values(counted, feedback)
        values = values_at(request, [(x, y) for _, x, y, _, _ in points])
        units = check_sample(counted, points, values, names)
        result = estimate(counted, units)
        if result.total_ha is None:
            feedback.reportError(
                tr("The map's CRS is not projected in metres: areas are given in pixels only."),
                False,
            )
        outputs = {
            self.OVERALL_ACCURACY: result.estimate.overall,
            self.OVERALL_ACCURACY_CI95: result.ci95(result.estimate.overall_se),
            self.TOTAL_AREA_HA: result.total_ha,
        }
        outputs[self.OUTPUT] = self._write_classes(parameters, context, result)
        matrix_id = self._write_matrix(parameters, context, result)
        if matrix_id is not None:
            outputs[self.OUTPUT_MATRIX] = matrix_id
        feedback.pushInfo(
            tr("Overall accuracy {:.4f} +/- {:.4f} (95%), from {} points in {} strata.").format(
                result.estimate.overall,
                result.ci95(result.estimate.overall_se),
                len(units.strata),
                len(counted.strata),
            )
        )
        return outputs

    def _write_classes(self, parameters, context, result):
        fields = make_fields(CLASS_FIELDS)
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, fields, compat.NO_GEOMETRY
        )
        features = []
        for row in result.class_rows():
            feature = QgsFeature(fields)
            feature.setAttributes([row[0], row[1], row[2]] + [number(value) for value in row[3:]])
            features.append(feature)
        write_features(sink, features, self.OUTPUT, parameters.get(self.OUTPUT))
        return sink_id

    def _write_matrix(self, parameters, context, result):
        names = ["map_class"] + [f"ref_{code}" for code in result.codes] + ["total"]
        fields = make_fields(
            [(names[0], compat.FIELD_STRING)] + [(name, compat.FIELD_DOUBLE) for name in names[1:]]
        )
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT_MATRIX, context, fields, compat.NO_GEOMETRY
        )
        if sink is None:
            return None
        features = []
        for label, values in result.matrix_rows():
            feature = QgsFeature(fields)
            feature.setAttributes([label] + [number(value) for value in values])
            features.append(feature)
        write_features(sink, features, self.OUTPUT_MATRIX, parameters.get(self.OUTPUT_MATRIX))
        return sink_id
