"""Processing algorithm cropconfidence:cropmask, a thin adapter over plugin.raster.engine."""

import dataclasses
import os
import re

from qgis.core import (
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
    QgsProperty,
)

from .. import compat
from ..domain import mask_tags, products
from ..qgis.i18n import tr, with_facts
from . import mask_inputs
from .base import CropConfidenceAlgorithm
from .class_table import class_features, crop_class_examples, table_fields
from .postprocess import MaskStylePostProcessor, mask_layer_name, year_in

PRODUCT_KEYS = products.PRODUCTS
OUTPUT_MODE_KEYS = products.OUTPUT_MODES
OUTPUT_SUFFIXES = (".tif", ".tiff")
PROVIDER_URI = re.compile(r"^[A-Za-z][A-Za-z0-9_]+:")  # not a Windows drive letter


class CropMaskAlgorithm(CropConfidenceAlgorithm):
    NAME = "cropmask"
    GROUP_ID = "cropmasks"

    # The inputs it shares with zonalareas (mask_inputs), then its own.
    PRODUCT, CLASS_LAYER, CLASS_BAND = (
        mask_inputs.PRODUCT,
        mask_inputs.CLASS_LAYER,
        mask_inputs.CLASS_BAND,
    )
    CONFIDENCE_LAYER, CONFIDENCE_BAND = mask_inputs.CONFIDENCE_LAYER, mask_inputs.CONFIDENCE_BAND
    VALIDITY_LAYER, VALIDITY_BAND = mask_inputs.VALIDITY_LAYER, mask_inputs.VALIDITY_BAND
    MIN_VALIDITY, MIN_CONFIDENCE = mask_inputs.MIN_VALIDITY, mask_inputs.MIN_CONFIDENCE
    CLASSES, THREADS = mask_inputs.CLASSES, mask_inputs.THREADS
    OUTPUT_MODE = "OUTPUT_MODE"
    EXTENT = "EXTENT"
    CREATION_OPTIONS = "CREATION_OPTIONS"
    OUTPUT = "OUTPUT"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    TOTAL_PIXELS = "TOTAL_PIXELS"
    NODATA_PIXELS = "NODATA_PIXELS"
    KEPT_PIXELS = "KEPT_PIXELS"
    KEPT_AREA_HA = "KEPT_AREA_HA"

    def displayName(self):
        return tr("Confidence-filtered crop mask")

    def shortHelpString(self):
        return crop_class_examples(
            with_facts(
                tr(
                    "Keeps the pixels of the chosen crop classes whose classifier confidence "
                    "reaches the minimum, and counts the pixels and hectares kept per class.\n\n"
                    "Layers:\n"
                    "• CTY + CTYCL: the CTY class layer and the CTYCL confidence layer.\n"
                    "• CTYCL only: the CTYCL layer alone; every cropland pixel may be kept.\n"
                    "• OSO: the bands of one OSO file: {oso_class_band} (classes), "
                    "{oso_confidence_band} (confidence) and {oso_validity_band} (validity, "
                    "the number of cloud-free dates).\n"
                    "• Custom: any 8- or 16-bit class and confidence layers.\n"
                    "All layers must share one grid (CRS, pixel size, alignment). They are "
                    "processed over their common extent, never resampled.\n\n"
                    "Classes:\n"
                    "Tick the classes to keep. With none ticked, the product's crop classes "
                    "are kept ({crop_examples}…). Outside this dialog, CLASSES is a "
                    "comma-separated list of class codes.\n\n"
                    "Output:\n"
                    "• Binary mask: 1 kept, 0 not kept, 255 no data.\n"
                    "• Filtered class map: the class where kept, 0 elsewhere, and the class "
                    "layer's no-data value where there is no data ({cty_nodata} for CTY, 255 "
                    "for OSO; for Custom, the class file's own, or its type's largest value "
                    "when that is 0 or unset).\n\n"
                    "No data and not kept:\n"
                    "No data: outside the CTY or CTYCL maps ({cty_nodata}, {ctycl_nodata}), a "
                    "CTYCL value over 100 other than {ctycl_no_crop}, OSO {oso_nodata}, and each "
                    "file's own no-data value. Not kept: no cropland (CTY {cty_no_crop}, CTYCL "
                    "{ctycl_no_crop}), a class not chosen, a confidence below the minimum, a "
                    "validity below the minimum.\n\n"
                    "The per-class table takes about 40% more time: it is counted only when "
                    "asked for. The output records its product, classes and thresholds in its "
                    "metadata, from which 'Apply Crop Confidence style' styles it again."
                )
            )
        ) + tr(
            "\n\nGDAL creation options (advanced): KEY=VALUE pairs separated by '|', e.g. "
            "COMPRESS=DEFLATE|PREDICTOR=2."
        )

    def initAlgorithm(self, config=None):  # noqa: ARG002
        mask_inputs.add_product(self)
        mask_inputs.add_layers(self)
        mask_inputs.add_thresholds(self)
        self.addParameter(
            QgsProcessingParameterEnum(
                self.OUTPUT_MODE,
                tr("Output"),
                options=[tr("Binary mask"), tr("Filtered class map")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterExtent(self.EXTENT, tr("Clip to extent"), optional=True)
        )
        self._add_advanced()
        self._add_outputs()

    def _add_advanced(self):
        options = QgsProcessingParameterString(
            self.CREATION_OPTIONS,
            tr("GDAL creation options"),
            defaultValue="",
            optional=True,
        )
        options.setFlags(options.flags() | compat.FLAG_ADVANCED)
        for parameter in (mask_inputs.threads_parameter(), options):
            self.addParameter(parameter)

    def _add_outputs(self):
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Crop mask")))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_TABLE,
                tr("Per-class counts"),
                type=compat.SOURCE_VECTOR,
                optional=True,
                createByDefault=False,
            )
        )
        for name, description in (
            (self.TOTAL_PIXELS, tr("Total pixels")),
            (self.NODATA_PIXELS, tr("No-data pixels")),
            (self.KEPT_PIXELS, tr("Kept pixels")),
            (self.KEPT_AREA_HA, tr("Kept area (ha)")),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, description))

    def _bounds(self, parameters, context, crs):
        """EXTENT in ``crs`` as (xmin, ymin, xmax, ymax), or None for the whole layers."""
        if parameters.get(self.EXTENT) in (None, ""):
            return None
        extent = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
        if extent.isNull():
            return None
        return (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())

    def _request(self, parameters, context):
        from ..raster.output import parse_creation_options

        mode = OUTPUT_MODE_KEYS[self.parameterAsEnum(parameters, self.OUTPUT_MODE, context)]
        request, confidence_layer = mask_inputs.mask_request(
            self,
            parameters,
            context,
            output_mode=mode,
            creation_options=parse_creation_options(
                self.parameterAsString(parameters, self.CREATION_OPTIONS, context)
            ),
            class_counts=self._table_requested(parameters, context),
        )
        bounds = self._bounds(parameters, context, confidence_layer.crs())
        return dataclasses.replace(request, bounds=bounds)

    def _table_destination(self, parameters, context):
        """OUTPUT_TABLE as a string ('' when not asked for)."""
        value = parameters.get(self.OUTPUT_TABLE)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            value = value.sink
        if isinstance(value, QgsProperty):
            value = value.valueAsString(context.expressionContext())[0]
        return str(value) if value else ""

    def _table_requested(self, parameters, context):
        """Whether OUTPUT_TABLE is asked for: only then are the per-class counts made."""
        return bool(self._table_destination(parameters, context))

    def _check_table_destination(self, parameters, context):
        """A table file whose folder is missing fails here, before the mask is made."""
        value = self._table_destination(parameters, context)
        if not value or PROVIDER_URI.match(value):  # memory:, ogr:..., postgres:...
            return
        folder = os.path.dirname(value)
        if folder and not os.path.isdir(folder):
            raise QgsProcessingException(
                tr(
                    "OUTPUT_TABLE: the folder '{}' of the table '{}' does not exist. "
                    "Create it or choose another file for the table."
                ).format(folder, value)
            )

    def checkParameterValues(self, parameters, context):
        ready, missing = self.canExecute()  # without rasterio: say so, not an ImportError
        if not ready:
            return False, missing
        # QGIS would say "not found" of a file that exists but cannot be read.
        readable, message = mask_inputs.check_layer_values(parameters, context)
        if not readable:
            return False, message
        return super().checkParameterValues(parameters, context)

    def _output_path(self, parameters, context):
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        if not output.lower().endswith(OUTPUT_SUFFIXES):
            raise QgsProcessingException(
                tr(
                    "OUTPUT: '{}' is not a GeoTIFF name. The crop mask is always written "
                    "as a GeoTIFF: give a file name ending in .tif."
                ).format(output)
            )
        return output

    def process(self, parameters, context, feedback):
        from ..raster.engine import run_crop_mask

        request = self._request(parameters, context)
        output = self._output_path(parameters, context)
        self._check_table_destination(parameters, context)
        mask_inputs.report_request(request, feedback)
        # Its settings go into the output's metadata, for cropconfidence:style.
        codes = products.resolve_classes(request.product, request.class_codes)
        request = dataclasses.replace(
            request,
            tags=mask_tags.crop_mask_tags(
                request.product,
                request.output_mode,
                codes,
                request.min_confidence,
                request.min_validity,
            ),
        )
        # The table is written before the mask is renamed to OUTPUT: if it fails, no mask.
        table = {}

        def write_table(result):
            table["id"] = self._write_table(parameters, context, request, result)

        result = run_crop_mask(
            request, output, before_commit=write_table, **self.callbacks(feedback)
        )
        if result.pixel_area_m2 is None:
            feedback.reportError(
                tr("The rasters' CRS is not projected in metres: areas are not computed."),
                False,
            )
        outputs = self._outputs(result, output, table.get("id"))
        feedback.pushInfo(
            tr("Kept {} of {} pixels ({} ha); {} no-data pixels.").format(
                result.kept_pixels,
                result.total_pixels,
                "n/a" if result.kept_area_ha is None else f"{result.kept_area_ha:.2f}",
                result.nodata_pixels,
            )
        )
        if context.willLoadLayerOnCompletion(output):
            self._style_on_load(context, output, request, codes)
        return outputs

    def _style_on_load(self, context, output, request, codes):
        """Once loaded, the mask is styled, named after its product, year and threshold, and
        put on top of the layer tree."""
        settings = mask_tags.CropMaskSettings(
            request.product, request.output_mode, codes, request.min_confidence
        )
        inputs = (request.confidence, request.classes, request.validity)
        year = year_in([ref.path for ref in inputs if ref is not None])
        details = context.layerToLoadOnCompletionDetails(output)
        details.name = mask_layer_name(request.product, year, request.min_confidence)
        details.setPostProcessor(MaskStylePostProcessor.create(settings, details.name))

    def _outputs(self, result, output, table_id):
        outputs = {
            self.OUTPUT: output,
            self.TOTAL_PIXELS: result.total_pixels,
            self.NODATA_PIXELS: result.nodata_pixels,
            self.KEPT_PIXELS: result.kept_pixels,
            self.KEPT_AREA_HA: result.kept_area_ha,
        }
        if table_id is not None:
            outputs[self.OUTPUT_TABLE] = table_id
        return outputs

    def _write_table(self, parameters, context, request, result):
        fields = table_fields()
        sink, sink_id = self.parameterAsSink(
            parameters, self.OUTPUT_TABLE, context, fields, compat.NO_GEOMETRY
        )
        if sink is None:
            return None
        if result.classes is None:
            raise QgsProcessingException(
                f"Internal error: {self.OUTPUT_TABLE} was created but no per-class counts were "
                "made; please report this."
            )
        features = class_features(fields, request.product, result.classes)
        # A sink whose file cannot be made fails only here: say so, and keep the mask out.
        if not sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert) or not sink.flushBuffer():
            raise QgsProcessingException(
                tr(
                    "OUTPUT_TABLE: the table '{}' cannot be written: {}. No crop mask was "
                    "written either. Choose another file or folder for the table."
                ).format(
                    self._table_destination(parameters, context),
                    " ".join(sink.lastError().split()).rstrip("."),
                )
            )
        return sink_id
