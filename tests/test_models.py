"""Issue 14, "Models": the shipped models validate cleanly in the modeller, their ids have no
spaces, and they sit in the algorithm's toolbox group."""

import csv
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingModelAlgorithm

ROOT = Path(__file__).resolve().parents[1]
MODELS = sorted((ROOT / "resources" / "models").glob("*.model3"))
MODEL_IDS = {  # file -> id
    "crop_mask_report.model3": "cropconfidence:cropmaskreport",
    "crop_mask_for_extent.model3": "cropconfidence:cropmaskforextent",
    "crop_area_by_zone.model3": "cropconfidence:cropareabyzone",
}
ALGORITHM_OF_GROUP = {  # each model sits in the group of the algorithms it chains
    "cropconfidence:cropmaskreport": "cropconfidence:cropmask",
    "cropconfidence:cropmaskforextent": "cropconfidence:cropmask",
    "cropconfidence:cropareabyzone": "cropconfidence:zonalareas",
}


def test_the_models_are_shipped():
    assert sorted(path.name for path in MODELS) == sorted(MODEL_IDS)


@pytest.mark.parametrize("path", MODELS, ids=lambda path: path.stem)
def test_every_child_of_the_model_validates(provider, path):  # noqa: ARG001
    """As the graphical modeller checks each step (the red step of issue 14)."""
    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(path))
    children = model.childAlgorithms()
    assert children, path
    for child_id, child in children.items():
        assert child.algorithm() is not None, f"{child_id}: {child.algorithmId()} not found"
        ok, issues = model.validateChildAlgorithm(child_id)
        assert (ok, list(issues)) == (True, []), child_id
    ok, issues = model.validate()
    assert (ok, list(issues)) == (True, [])


SAMPLE = ROOT / "resources" / "sample"
MANDATORY = {  # the inputs a run cannot do without; every other input is optional or has a default
    "crop_mask_report.model3": {
        "class_layer": str(SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"),
        "confidence_layer": str(SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"),
    },
    "crop_mask_for_extent.model3": {"extent": "3851000,3855000,2650000,2653000 [EPSG:3035]"},
    "crop_area_by_zone.model3": {"zones": str(SAMPLE / "zones.geojson")},
}


@pytest.mark.parametrize("path", MODELS, ids=lambda path: path.stem)
def test_a_model_needs_only_its_mandatory_inputs(provider, path):  # noqa: ARG001
    """As the model's dialog checks them before a run: the mandatory inputs suffice, and each
    of them is needed."""
    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(path))
    context = QgsProcessingContext()
    given = MANDATORY[path.name]
    output = {  # the dialog always gives them
        destination.name(): "TEMPORARY_OUTPUT"
        for destination in model.destinationParameterDefinitions()
    }
    ok, message = model.checkParameterValues({**given, **output}, context)
    assert (ok, message) == (True, "")
    for name in given:
        without = {key: value for key, value in given.items() if key != name}
        ok, _ = model.checkParameterValues({**without, **output}, context)
        assert not ok, name


def test_model_ids_have_no_spaces_and_share_the_algorithm_group(provider):
    models = {
        algorithm.id(): algorithm
        for algorithm in provider.algorithms()
        if isinstance(algorithm, QgsProcessingModelAlgorithm)
    }
    assert sorted(models) == sorted(MODEL_IDS.values())
    registry = QgsApplication.processingRegistry()
    for model_id, model in models.items():
        assert " " not in model.name()
        algorithm = registry.algorithmById(ALGORITHM_OF_GROUP[model_id])
        assert (model.groupId(), model.group()) == (algorithm.groupId(), algorithm.group())
    assert {model.group() for model in models.values()} == {"Crop masks", "Crop areas"}
    assert models["cropconfidence:cropmaskreport"].displayName() == (
        "Crop mask with per-class report"
    )
    assert models["cropconfidence:cropmaskforextent"].displayName() == "Crop mask for extent"
    assert models["cropconfidence:cropareabyzone"].displayName() == "Crop area by zone"
    groups = {algorithm.groupId() for algorithm in provider.algorithms()}
    assert "cropconfidence" not in groups  # the models' old group id, a second "Crop masks"


def test_the_registry_creates_a_runnable_copy(provider):  # noqa: ARG001
    """What the toolbox and qgis_process do: create an instance by id; it keeps its names."""
    registry = QgsApplication.processingRegistry()
    created = registry.createAlgorithmById("cropconfidence:cropmaskreport")
    assert created is not None
    assert created.id() == "cropconfidence:cropmaskreport"
    assert created.displayName() == "Crop mask with per-class report"
    assert "cropmask" in created.childAlgorithms()


def test_crop_area_by_zone_runs_fetch_mask_then_areas_offline(provider, tmp_path):  # noqa: ARG001
    """On the embedded sample: the zones' extent is fetched, masked, and each zone's areas are
    those zonalareas gives on the fetched layers."""
    import processing

    result = processing.run(
        "cropconfidence:cropareabyzone",
        {
            "product": 0,
            "year": 2021,
            "zones": str(SAMPLE / "zones.geojson"),
            "zone_field": "name",
            "source_url": str(SAMPLE / "catalog.json"),
            "min_confidence": 70,
            "cropmask:crop_mask": str(tmp_path / "mask.tif"),
            "zonalareas:zone_areas": str(tmp_path / "areas.csv"),
            "zonalareas:zones_with_areas": str(tmp_path / "zones.gpkg"),
        },
    )
    assert Path(result["cropmask:crop_mask"]).is_file()
    with open(tmp_path / "areas.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["zone"] for row in rows} == {
        "West commune",
        "East commune",
        "Farm with a wood",
        "Two river plots",
    }
    # The farm lies inside the west commune: it cannot keep more of any class than the commune.
    kept = {(row["zone"], row["class_code"]): float(row["kept_area_ha"]) for row in rows}
    for (zone, code), hectares in kept.items():
        if zone == "Farm with a wood":
            assert hectares <= kept.get(("West commune", code), 0.0) + 1e-9
    assert sum(kept.values()) > 0
