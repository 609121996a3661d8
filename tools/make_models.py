"""Write resources/models/*.model3 through the QGIS model API (run with `make models`).

A model's name is its id in the provider (cropconfidence:<name>), so it has no spaces; the
provider gives it its translated display name (plugin/processing/provider.py, MODEL_TITLES).
Its group is the crop-mask algorithm's, so that the toolbox shows one "Crop masks" group.
Every child parameter a step needs has a source: the modeller validates each step
(tests/test_models.py).
"""

import re
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildDependency,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QPointF

MODELS = Path(__file__).resolve().parents[1] / "resources" / "models"
GROUP, GROUP_ID = "Crop masks", "cropmasks"  # processing/base.py's group_names()
AREAS_GROUP, AREAS_GROUP_ID = "Crop areas", "areas"
POLYGON_LAYERS = 2  # QgsProcessing.SourceType.TypeVectorPolygon (Qgis.ProcessingSourceType)


def source(name):
    return QgsProcessingModelChildParameterSource.fromModelParameter(name)


def static(value):
    return QgsProcessingModelChildParameterSource.fromStaticValue(value)


def add_input(model, definition, x, y):
    component = QgsProcessingModelParameter(definition.name())
    component.setPosition(QPointF(x, y))
    model.addModelParameter(definition, component)


def min_confidence_input():
    return QgsProcessingParameterNumber(
        "min_confidence",
        "Minimum confidence (%)",
        QgsProcessingParameterNumber.Type.Integer,
        70,
        False,
        0,
        100,
    )


def mask_outputs(positions):
    """The model outputs of the "cropmask" child: the mask and the per-class table."""
    outputs = {}
    for (name, child_output), (x, y) in zip(
        (("crop_mask", "OUTPUT"), ("class_report", "OUTPUT_TABLE")), positions
    ):
        output = QgsProcessingModelOutput(name, name.replace("_", " ").capitalize())
        output.setChildId("cropmask")
        output.setChildOutputName(child_output)
        output.setPosition(QPointF(x, y))
        outputs[name] = output
    return outputs


def crop_mask_report():
    model = QgsProcessingModelAlgorithm("cropmaskreport", GROUP, GROUP_ID)
    model.setHelpContent(
        {
            "ALG_DESC": "Confidence-filtered crop mask of a class layer and its confidence "
            "layer, with the per-class pixel and hectare table."
        }
    )
    add_input(
        model,
        QgsProcessingParameterEnum(
            "product",
            "Product",
            options=["CTY + CTYCL", "CTYCL only", "OSO 2018+", "OSO 2016-2017", "Custom"],
            defaultValue=0,
        ),
        120,
        60,
    )
    add_input(model, QgsProcessingParameterRasterLayer("class_layer", "Class layer"), 120, 120)
    add_input(
        model, QgsProcessingParameterRasterLayer("confidence_layer", "Confidence layer"), 120, 180
    )
    add_input(model, min_confidence_input(), 120, 240)
    add_input(
        model,
        QgsProcessingParameterString("classes", "Classes (empty = crops)", "", False, True),
        120,
        300,
    )
    child = QgsProcessingModelChildAlgorithm("cropconfidence:cropmask")
    child.setChildId("cropmask")
    child.setDescription("Confidence-filtered crop mask")
    child.setPosition(QPointF(420, 180))
    child.addParameterSources("PRODUCT", [source("product")])
    child.addParameterSources("CLASS_LAYER", [source("class_layer")])
    child.addParameterSources("CONFIDENCE_LAYER", [source("confidence_layer")])
    child.addParameterSources("MIN_CONFIDENCE", [source("min_confidence")])
    child.addParameterSources("CLASSES", [source("classes")])
    child.addParameterSources("OUTPUT_MODE", [static(0)])
    child.setModelOutputs(mask_outputs(((650, 260), (700, 320))))
    model.addChildAlgorithm(child)
    return model, MODELS / "crop_mask_report.model3"


def add_product_and_year(model):
    """The inputs of a model that fetches: the product (cropconfidence:fetch's choices) and
    the year."""
    products = ["CTY + CTYCL", "CTYCL only", "OSO 2018+ (23 classes)", "OSO 2016-2017 (17 classes)"]
    add_input(
        model,
        QgsProcessingParameterEnum("product", "Product", options=products, defaultValue=0),
        120,
        40,
    )
    add_input(
        model,
        QgsProcessingParameterNumber(
            "year", "Year", QgsProcessingParameterNumber.Type.Integer, 2021, False, 2016, 2100
        ),
        120,
        100,
    )


def crop_mask_for_extent():
    model = QgsProcessingModelAlgorithm("cropmaskforextent", GROUP, GROUP_ID)
    model.setHelpContent(
        {
            "ALG_DESC": "Fetches the crop layers of a year over an extent, then makes the "
            "confidence-filtered crop mask and its per-class report."
        }
    )
    add_product_and_year(model)
    add_input(model, QgsProcessingParameterExtent("extent", "Area"), 120, 160)
    add_input(
        model, QgsProcessingParameterAuthConfig("credentials", "Credentials", "", True), 120, 220
    )
    add_input(
        model,
        QgsProcessingParameterString("source_url", "Source (empty = default)", "", False, True),
        120,
        280,
    )
    add_input(model, min_confidence_input(), 120, 340)
    add_input(
        model,
        QgsProcessingParameterBoolean("clip", "Clip to the area", True),
        120,
        400,
    )
    fetch = QgsProcessingModelChildAlgorithm("cropconfidence:fetch")
    fetch.setChildId("fetch")
    fetch.setDescription("Fetch crop layers")
    fetch.setPosition(QPointF(400, 160))
    for parameter, name in (
        ("PRODUCT", "product"),
        ("YEAR", "year"),
        ("EXTENT", "extent"),
        ("AUTH_CONFIG", "credentials"),
        ("SOURCE_URL", "source_url"),
        ("CLIP_TO_EXTENT", "clip"),
    ):
        fetch.addParameterSources(parameter, [source(name)])
    fetch.addParameterSources("OUTPUT_FOLDER", [static("TEMPORARY_OUTPUT")])
    model.addChildAlgorithm(fetch)

    mask = QgsProcessingModelChildAlgorithm("cropconfidence:cropmask")
    mask.setChildId("cropmask")
    mask.setDescription("Confidence-filtered crop mask")
    mask.setPosition(QPointF(680, 260))
    mask.addParameterSources("PRODUCT", [source("product")])
    for parameter, output in (
        ("CLASS_LAYER", "CLASS_LAYER"),
        ("CONFIDENCE_LAYER", "CONFIDENCE_LAYER"),
        ("VALIDITY_LAYER", "VALIDITY_LAYER"),
    ):
        mask.addParameterSources(
            parameter, [QgsProcessingModelChildParameterSource.fromChildOutput("fetch", output)]
        )
    mask.addParameterSources("MIN_CONFIDENCE", [source("min_confidence")])
    mask.addParameterSources("OUTPUT_MODE", [static(0)])
    mask.setModelOutputs(mask_outputs(((900, 340), (900, 400))))
    mask.setDependencies([])
    model.addChildAlgorithm(mask)
    return model, MODELS / "crop_mask_for_extent.model3"


def crop_area_by_zone():
    model = QgsProcessingModelAlgorithm("cropareabyzone", AREAS_GROUP, AREAS_GROUP_ID)
    model.setHelpContent(
        {
            "ALG_DESC": "Fetches the crop layers of a year over the zones' extent, makes the "
            "confidence-filtered crop mask, then the confident crop area of each zone and class."
        }
    )
    add_product_and_year(model)
    add_input(
        model, QgsProcessingParameterVectorLayer("zones", "Zones", [POLYGON_LAYERS]), 120, 160
    )
    add_input(
        model,
        QgsProcessingParameterField("zone_field", "Zone name field", None, "zones", optional=True),
        120,
        220,
    )
    add_input(
        model, QgsProcessingParameterAuthConfig("credentials", "Credentials", "", True), 120, 280
    )
    add_input(
        model,
        QgsProcessingParameterString("source_url", "Source (empty = default)", "", False, True),
        120,
        340,
    )
    add_input(model, min_confidence_input(), 120, 400)

    fetch = QgsProcessingModelChildAlgorithm("cropconfidence:fetch")
    fetch.setChildId("fetch")
    fetch.setDescription("Fetch crop layers")
    fetch.setPosition(QPointF(400, 160))
    for parameter, name in (
        ("PRODUCT", "product"),
        ("YEAR", "year"),
        ("EXTENT", "zones"),  # an extent parameter takes a layer's extent
        ("AUTH_CONFIG", "credentials"),
        ("SOURCE_URL", "source_url"),
    ):
        fetch.addParameterSources(parameter, [source(name)])
    fetch.addParameterSources("CLIP_TO_EXTENT", [static(True)])
    fetch.addParameterSources("OUTPUT_FOLDER", [static("TEMPORARY_OUTPUT")])
    model.addChildAlgorithm(fetch)

    fetched = {
        layer: QgsProcessingModelChildParameterSource.fromChildOutput("fetch", layer)
        for layer in ("CLASS_LAYER", "CONFIDENCE_LAYER", "VALIDITY_LAYER")
    }
    mask = QgsProcessingModelChildAlgorithm("cropconfidence:cropmask")
    mask.setChildId("cropmask")
    mask.setDescription("Confidence-filtered crop mask")
    mask.setPosition(QPointF(680, 200))
    mask.addParameterSources("PRODUCT", [source("product")])
    for layer, fetched_layer in fetched.items():
        mask.addParameterSources(layer, [fetched_layer])
    mask.addParameterSources("MIN_CONFIDENCE", [source("min_confidence")])
    mask.addParameterSources("OUTPUT_MODE", [static(0)])
    output = QgsProcessingModelOutput("crop_mask", "Crop mask")
    output.setChildId("cropmask")
    output.setChildOutputName("OUTPUT")
    output.setPosition(QPointF(900, 240))
    mask.setModelOutputs({"crop_mask": output})
    model.addChildAlgorithm(mask)

    zonal = QgsProcessingModelChildAlgorithm("cropconfidence:zonalareas")
    zonal.setChildId("zonalareas")
    zonal.setDescription("Confident crop area per zone")
    zonal.setPosition(QPointF(680, 380))
    zonal.addParameterSources("PRODUCT", [source("product")])
    for layer, fetched_layer in fetched.items():
        zonal.addParameterSources(layer, [fetched_layer])
    zonal.addParameterSources("MIN_CONFIDENCE", [source("min_confidence")])
    zonal.addParameterSources("ZONES", [source("zones")])
    zonal.addParameterSources("ZONE_FIELD", [source("zone_field")])
    outputs = {}
    for (name, title, child_output), (x, y) in zip(
        (
            ("zone_areas", "Crop areas per zone and class", "OUTPUT_TABLE"),
            ("zones_with_areas", "Zones with kept crop areas", "OUTPUT_ZONES"),
        ),
        ((900, 420), (900, 480)),
    ):
        output = QgsProcessingModelOutput(name, title)
        output.setChildId("zonalareas")
        output.setChildOutputName(child_output)
        output.setPosition(QPointF(x, y))
        outputs[name] = output
    zonal.setModelOutputs(outputs)
    zonal.setDependencies([QgsProcessingModelChildDependency("cropmask")])  # mask, then areas
    model.addChildAlgorithm(zonal)
    return model, MODELS / "crop_area_by_zone.model3"


OPTION = re.compile(r"<Option( [^>]*?)(/?)>")
ATTRIBUTE = re.compile(r' (\w+)="([^"]*)"')
ATTRIBUTE_ORDER = ("value", "name", "type")


def canonical(text):
    """The model file with each Option's attributes in one order: Qt writes them in a random
    (hash) order, which would make every regeneration rewrite the whole file."""

    def ordered(match):
        attributes = dict(ATTRIBUTE.findall(match.group(1)))
        keys = sorted(attributes, key=lambda key: (ATTRIBUTE_ORDER + (key,)).index(key))
        written = "".join(f' {key}="{attributes[key]}"' for key in keys)
        return f"<Option{written}{match.group(2)}>"

    return OPTION.sub(ordered, text)


def main():
    app = QgsApplication([], False)
    app.initQgis()
    MODELS.mkdir(parents=True, exist_ok=True)
    for build in (crop_mask_report, crop_mask_for_extent, crop_area_by_zone):
        model, path = build()
        if not model.toFile(str(path)):
            sys.exit(f"could not write {path}")
        path.write_text(canonical(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {path}")
    app.exitQgis()


if __name__ == "__main__":
    main()
