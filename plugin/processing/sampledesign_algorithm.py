"""Processing algorithm cropconfidence:sampledesign: a stratified random reference sample.

The strata are the map's classes, optionally each split into low and high confidence
(raster/strata.py); the sample size and its allocation come from domain/area_estimate.py.
"""

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .. import compat
from ..qgis.i18n import tr
from . import strata_inputs
from .base import CropConfidenceAlgorithm

POINT_FIELDS = (
    ("stratum", compat.FIELD_STRING),
    ("map_value", compat.FIELD_INT),
    ("confidence", compat.FIELD_INT),
    ("weight", compat.FIELD_DOUBLE),
    ("reference", compat.FIELD_INT),
)
STRATA_FIELDS = (
    ("stratum", compat.FIELD_STRING),
    ("map_value", compat.FIELD_INT),
    ("confidence_level", compat.FIELD_STRING),
    ("pixels", compat.FIELD_INT),
    ("area_ha", compat.FIELD_DOUBLE),
    ("n", compat.FIELD_INT),
    ("weight", compat.FIELD_DOUBLE),
)


def make_fields(spec):
    fields = QgsFields()
    for name, field_type in spec:
        fields.append(QgsField(name, field_type))
    return fields


def write_features(sink, features, parameter, destination):
    """Add ``features`` to ``sink``, or a clear error naming the output."""
    if not sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert) or not sink.flushBuffer():
        raise QgsProcessingException(
            tr("{}: '{}' cannot be written: {}. Choose another file or folder.").format(
                parameter, destination, " ".join(sink.lastError().split()).rstrip(".")
            )
        )


def allocation_labels():
    """The ALLOCATION options, in the order of domain.area_estimate.ALLOCATIONS."""
    return [
        tr("Proportional to the stratum areas"),
        tr("Equal"),
        tr("Minimum per stratum, the rest proportional"),
    ]


class SampleDesignAlgorithm(CropConfidenceAlgorithm):
    NAME = "sampledesign"
    GROUP_ID = "areas"

    ALLOCATION = "ALLOCATION"
    SAMPLE_SIZE = "SAMPLE_SIZE"
    TARGET_SE = "TARGET_SE"
    EXPECTED_USERS_ACCURACY = "EXPECTED_USERS_ACCURACY"
    MIN_PER_STRATUM = "MIN_PER_STRATUM"
    SEED = "SEED"
    OUTPUT = "OUTPUT"
    OUTPUT_STRATA = "OUTPUT_STRATA"
    TOTAL_SAMPLE = "TOTAL_SAMPLE"
    STRATA_COUNT = "STRATA_COUNT"

    def displayName(self):
        return tr("Stratified reference sample")

    def shortHelpString(self):
        return (
            tr(
                "Draws reference points for an area estimate: a stratified random sample, with "
                "the map's classes as strata (Olofsson et al. 2014, Remote Sensing of Environment "
                "148, 42-57). The map is a crop mask or a class map (CTY or OSO classes, say).\n\n"
                "Confidence layer: each class is split into a low-confidence stratum (confidence "
                "below the 'Confidence split') and a high-confidence stratum, which puts reference "
                "effort where the map is unsure. Pixels whose confidence is not a percentage (no "
                "data, or a code above 100) stay in their class's unsplit stratum. Map no-data "
                "pixels are in no stratum.\n\n"
                "Zone: only the pixels whose centre is inside its polygons count.\n\n"
                "Sample size: that many points, or, when it is 0, Cochran's formula (Olofsson "
                "2014, eq. 13) for the target standard error of overall accuracy and the expected "
                "user's accuracies: one proportion for all classes (0.8), or class=proportion "
                "pairs (1110=0.7, 1120=0.9, 0.8 for the others).\n\n"
                "Allocation: proportional to the stratum areas; equal; or Olofsson's "
                "recommendation, at least the 'Minimum points per stratum' in each stratum and "
                "the rest proportional. The area estimate needs at least 2 points per stratum.\n\n"
                "Points are pixel centres drawn uniformly without replacement in each stratum; "
                "the same random seed gives the same points. Fill in the 'reference' field with "
                "the class code seen on the ground or on imagery, then run 'Area estimate from a "
                "reference sample'."
            )
            + strata_inputs.product_help()
        )

    def initAlgorithm(self, config=None):  # noqa: ARG002
        strata_inputs.add_strata_parameters(self, tr("Zone (polygons)"))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.ALLOCATION,
                tr("Allocation"),
                options=allocation_labels(),
                defaultValue=2,
            )
        )
        integers = (
            (self.SAMPLE_SIZE, tr("Sample size (0 = from the target standard error)"), 0, 0),
            (self.MIN_PER_STRATUM, tr("Minimum points per stratum"), 50, 0),
            (self.SEED, tr("Random seed"), 1, 0),
        )
        for name, description, default, minimum in integers:
            self.addParameter(
                QgsProcessingParameterNumber(
                    name,
                    description,
                    type=compat.NUMBER_INTEGER,
                    defaultValue=default,
                    minValue=minimum,
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TARGET_SE,
                tr("Target standard error of overall accuracy"),
                type=compat.NUMBER_DOUBLE,
                defaultValue=0.01,
                optional=True,  # used only when SAMPLE_SIZE is 0; its default then
                minValue=0.0,
                maxValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.EXPECTED_USERS_ACCURACY,
                tr("Expected user's accuracies"),
                defaultValue="0.8",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Reference sample"), type=compat.SOURCE_VECTOR
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_STRATA, tr("Strata"), type=compat.SOURCE_VECTOR, optional=True
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.TOTAL_SAMPLE, tr("Sample size")))
        self.addOutput(QgsProcessingOutputNumber(self.STRATA_COUNT, tr("Strata")))

    def _total(self, parameters, context, counted):
        """SAMPLE_SIZE, or Cochran's n from TARGET_SE and the expected user's accuracies."""
        from ..domain import area_estimate

        total = self.parameterAsInt(parameters, self.SAMPLE_SIZE, context)
        if total > 0:
            return total
        default, by_class = area_estimate.parse_expected_accuracies(
            self.parameterAsString(parameters, self.EXPECTED_USERS_ACCURACY, context)
        )
        accuracies = [
            area_estimate.expected_accuracy(default, by_class, stratum.map_value)
            for stratum in counted.strata
        ]
        return area_estimate.cochran_sample_size(
            [stratum.pixels for stratum in counted.strata],
            accuracies,
            self.parameterAsDouble(parameters, self.TARGET_SE, context),
        )

    def process(self, parameters, context, feedback):
        from ..domain import area_estimate
        from ..raster.strata import count_strata, draw_sample

        request, crs = strata_inputs.strata_request(self, parameters, context)
        callbacks = self.callbacks(feedback)
        counted = count_strata(
            request,
            progress=lambda fraction: feedback.setProgress(50 * fraction),
            is_cancelled=callbacks["is_cancelled"],
        )
        strata_inputs.report_map_values(counted, feedback)
        total = self._total(parameters, context, counted)
        choice = self.parameterAsEnum(parameters, self.ALLOCATION, context)
        allocation = area_estimate.ALLOCATIONS[choice]
        sizes = area_estimate.allocate(
            [stratum.pixels for stratum in counted.strata],
            total,
            allocation,
            self.parameterAsInt(parameters, self.MIN_PER_STRATUM, context),
        )
        allocated = {stratum.key: int(n) for stratum, n in zip(counted.strata, sizes)}
        self._warn_small(counted, allocated, feedback)
        pixels = draw_sample(
            request,
            counted,
            allocated,
            self.parameterAsInt(parameters, self.SEED, context),
            progress=lambda fraction: feedback.setProgress(50 + 50 * fraction),
            is_cancelled=callbacks["is_cancelled"],
        )
        feedback.pushInfo(
            tr("{} points in {} strata; allocation: {}.").format(
                len(pixels), len(counted.strata), allocation_labels()[choice]
            )
        )
        outputs = {self.TOTAL_SAMPLE: len(pixels), self.STRATA_COUNT: len(counted.strata)}
        outputs[self.OUTPUT] = self._write_points(
            parameters, context, crs, counted, allocated, pixels
        )
        strata_id = self._write_strata(parameters, context, counted, allocated)
        if strata_id is not None:
            outputs[self.OUTPUT_STRATA] = strata_id
        return outputs

    @staticmethod
    def _warn_small(counted, allocated, feedback):
        for stratum in counted.strata:
            if allocated[stratum.key] < 2:
                feedback.reportError(
                    tr(
                        "Stratum {} gets {} point(s): the area estimate needs at least 2 per "
                        "stratum. Use the minimum-per-stratum allocation or a larger sample."
                    ).format(stratum.name, allocated[stratum.key]),
                    False,
                )

    def _write_points(self, parameters, context, crs, counted, allocated, pixels):
        from ..raster.strata import Stratum

        fields = make_fields(POINT_FIELDS)
        point_type = QgsGeometry.fromPointXY(QgsPointXY(0, 0)).wkbType()
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, fields, point_type, crs
        )
        pixels_of = {stratum.key: stratum.pixels for stratum in counted.strata}
        features = []
        for pixel in pixels:
            feature = QgsFeature(fields)
            feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(pixel.x, pixel.y)))
            feature.setAttributes(
                [
                    Stratum(pixel.key, pixels_of[pixel.key]).name,
                    pixel.map_value,
                    pixel.confidence,
                    pixels_of[pixel.key] / allocated[pixel.key],
                    None,
                ]
            )
            features.append(feature)
        write_features(sink, features, self.OUTPUT, parameters.get(self.OUTPUT))
        return sink_id

    def _write_strata(self, parameters, context, counted, allocated):
        fields = make_fields(STRATA_FIELDS)
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT_STRATA, context, fields, compat.NO_GEOMETRY
        )
        if sink is None:
            return None
        features = []
        for stratum in counted.strata:
            n = allocated[stratum.key]
            feature = QgsFeature(fields)
            feature.setAttributes(
                [
                    stratum.name,
                    stratum.map_value,
                    strata_inputs.level_name(stratum.level),
                    stratum.pixels,
                    counted.area_ha(stratum.pixels),
                    n,
                    stratum.pixels / n if n else None,
                ]
            )
            features.append(feature)
        write_features(sink, features, self.OUTPUT_STRATA, parameters.get(self.OUTPUT_STRATA))
        return sink_id
