"""Headless runs: qgis_process.bin with QGIS_PLUGINPATH, and the shipped .model3."""

import csv
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProject,
)

from headless import QGIS_PROCESS, loopback_clms_mirror, plugin_environment
from rasters import CTY_CROPS, read_raster, reference_status, write_raster

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "resources" / "models" / "crop_mask_report.model3"
FETCH_MODEL = ROOT / "resources" / "models" / "crop_mask_for_extent.model3"
SAMPLE = ROOT / "resources" / "sample"


@pytest.fixture()
def cty_pair(tmp_path):
    rng = np.random.default_rng(21)
    classes = rng.choice(np.array(CTY_CROPS + (0, 65535), np.uint16), (64, 96))
    confidence = rng.choice(np.r_[np.arange(0, 101), [253, 255]].astype(np.uint8), (64, 96))
    return (
        classes,
        confidence,
        write_raster(tmp_path / "cty.tif", classes, nodata=65535),
        write_raster(tmp_path / "ctycl.tif", confidence, nodata=255),
    )


@pytest.fixture(scope="module")
def qgis_process_env(tmp_path_factory):
    return plugin_environment(tmp_path_factory.mktemp("qgis-config"))


def qgis_process(env, *arguments):
    completed = subprocess.run(
        [QGIS_PROCESS, "--json", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    start = completed.stdout.find("{")
    return completed.returncode, completed.stdout[start:], completed.stderr


def run_cty_cropmask(env, classes_path, confidence_path, output, *extra):
    """qgis_process run cropconfidence:cropmask on a CTY + CTYCL pair."""
    return qgis_process(
        env,
        "run",
        "cropconfidence:cropmask",
        "--",
        "PRODUCT=0",
        f"CLASS_LAYER={classes_path}",
        f"CONFIDENCE_LAYER={confidence_path}",
        f"OUTPUT={output}",
        *extra,
    )


def test_qgis_process_lists_and_runs_cropmask(qgis_process_env, tmp_path, cty_pair):
    classes, confidence, classes_path, confidence_path = cty_pair
    code, listing, _ = qgis_process(qgis_process_env, "list")
    assert code == 0
    algorithms = json.loads(listing)["providers"]["cropconfidence"]["algorithms"]
    assert "cropconfidence:cropmask" in algorithms
    # The shipped models, by ids without spaces (issue 14).
    assert "cropconfidence:cropmaskreport" in algorithms
    assert "cropconfidence:cropmaskforextent" in algorithms

    code, output, stderr = run_cty_cropmask(
        qgis_process_env,
        classes_path,
        confidence_path,
        tmp_path / "mask.tif",
        "MIN_CONFIDENCE=65",
        "CLASSES=1110,1120,1130",
        f"OUTPUT_TABLE={tmp_path / 'table.csv'}",
    )
    assert code == 0, stderr
    results = json.loads(output)["results"]
    nodata, kept, _, _ = reference_status(
        "cty_ctycl", classes, confidence, None, (1110, 1120, 1130), 65, 0
    )
    assert results["KEPT_PIXELS"] == int(kept.sum())
    assert results["NODATA_PIXELS"] == int(nodata.sum())
    assert results["TOTAL_PIXELS"] == 64 * 96
    assert results["KEPT_AREA_HA"] == pytest.approx(kept.sum() / 100)
    out, _ = read_raster(tmp_path / "mask.tif")
    np.testing.assert_array_equal(out, np.where(nodata, 255, np.where(kept, 1, 0)))
    assert (tmp_path / "table.csv").read_text().startswith("code,label,selected,pixels")


def test_qgis_process_reports_bad_input(qgis_process_env, tmp_path, cty_pair):
    _, _, classes_path, confidence_path = cty_pair

    def cropmask(confidence, *extra):
        return run_cty_cropmask(
            qgis_process_env, classes_path, confidence, tmp_path / "mask.tif", *extra
        )

    code, _, stderr = cropmask(confidence_path, "CLASSES=5")
    assert code != 0
    assert "Unknown class code(s) 5" in stderr
    assert not (tmp_path / "mask.tif").exists()

    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00" + b"\x13" * 200)
    code, _, stderr = cropmask(corrupt)
    assert code != 0
    assert f"CONFIDENCE_LAYER: Cannot read the confidence raster '{corrupt}'" in stderr
    assert "complete raster file" in stderr
    assert not (tmp_path / "mask.tif").exists()


def test_qgis_process_runs_the_shipped_model(qgis_process_env, tmp_path, cty_pair):
    classes, confidence, classes_path, confidence_path = cty_pair
    code, output, stderr = qgis_process(
        qgis_process_env,
        "run",
        str(MODEL),
        "--",
        "product=0",
        f"class_layer={classes_path}",
        f"confidence_layer={confidence_path}",
        "min_confidence=80",
        f"cropmask:crop_mask={tmp_path / 'model_mask.tif'}",
        f"cropmask:class_report={tmp_path / 'model_table.csv'}",
    )
    assert code == 0, stderr
    _, kept, _, _ = reference_status("cty_ctycl", classes, confidence, None, CTY_CROPS, 80, 0)
    out, _ = read_raster(tmp_path / "model_mask.tif")
    assert int((out == 1).sum()) == int(kept.sum())
    assert (tmp_path / "model_table.csv").is_file()


def test_model_in_process(provider, tmp_path, cty_pair):  # noqa: ARG001
    classes, confidence, classes_path, confidence_path = cty_pair
    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(MODEL))
    context = QgsProcessingContext()
    feedback = QgsProcessingFeedback()
    results, ok = model.run(
        {
            "product": 0,
            "class_layer": classes_path,
            "confidence_layer": confidence_path,
            "min_confidence": 40,
            "classes": "2100",
            "cropmask:crop_mask": str(tmp_path / "mask.tif"),
            "cropmask:class_report": str(tmp_path / "report.csv"),
        },
        context,
        feedback,
    )
    assert ok
    nodata, kept, _, _ = reference_status("cty_ctycl", classes, confidence, None, (2100,), 40, 0)
    out, _ = read_raster(tmp_path / "mask.tif")
    np.testing.assert_array_equal(out, np.where(nodata, 255, np.where(kept, 1, 0)))
    assert results["cropmask:crop_mask"] == str(tmp_path / "mask.tif")
    with open(tmp_path / "report.csv", newline="") as stream:
        report = list(csv.DictReader(stream))  # quoting differs between QGIS versions
    (grapes,) = [row for row in report if row["code"] == "2100"]
    assert int(grapes["kept"]) == int(kept.sum())


@pytest.mark.parametrize(
    "model", [str(FETCH_MODEL), "cropconfidence:cropmaskforextent"], ids=["file", "provider-id"]
)
def test_fetch_then_mask_model_headless_against_loopback_services(
    qgis_process_env, tmp_path, model
):
    """cropconfidence:fetch chained into cropconfidence:cropmask, run from the model file and
    from the provider's id of the shipped model."""
    with loopback_clms_mirror() as (stac, host):
        code, output, stderr = qgis_process(
            qgis_process_env,
            "run",
            model,
            "--",
            "product=0",
            "year=2021",
            "extent=3851000,3855000,2650000,2653000 [EPSG:3035]",
            f"source_url={stac.url}",
            "min_confidence=60",
            f"cropmask:crop_mask={tmp_path / 'mask.tif'}",
            f"cropmask:class_report={tmp_path / 'report.csv'}",
        )
        searched = len(stac.requests)
    assert code == 0, stderr
    assert searched >= 1 and host.bytes_sent > 0
    classes = read_raster(SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif")[0]
    confidence = read_raster(SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif")[0]
    window = np.s_[212:512, 100:500]
    nodata, kept, _, _ = reference_status(
        "cty_ctycl", classes[window], confidence[window], None, CTY_CROPS, 60, 0
    )
    mask, _ = read_raster(tmp_path / "mask.tif")
    np.testing.assert_array_equal(mask, np.where(nodata, 255, np.where(kept, 1, 0)))
    assert json.loads(output)["results"]["cropmask:crop_mask"] == str(tmp_path / "mask.tif")


def test_fetch_then_mask_model_loads_only_the_mask(provider, tmp_path):  # noqa: ARG001
    """As the toolbox runs it: the fetched CTY and CTYCL are intermediate files, not loaded."""
    import processing

    project = QgsProject.instance()
    project.removeAllMapLayers()
    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(FETCH_MODEL))
    context = QgsProcessingContext()
    mask = tmp_path / "mask.tif"
    with loopback_clms_mirror() as (stac, _):
        results = processing.runAndLoadResults(
            model,
            {
                "product": 0,
                "year": 2021,
                "extent": "3851000,3855000,2650000,2653000 [EPSG:3035]",
                "source_url": stac.url,
                "min_confidence": 60,
                "cropmask:crop_mask": str(mask),
            },
            context=context,
        )
    fetched = results["CHILD_RESULTS"]["fetch"]
    assert Path(fetched["CLASS_LAYER"]).is_file() and Path(fetched["CONFIDENCE_LAYER"]).is_file()
    assert list(context.layersToLoadOnCompletion()) == [str(mask)]
    loaded = list(project.mapLayers().values())
    assert [layer.source() for layer in loaded] == [str(mask)]
    kept = [(int(c.value), c.color.name()) for c in loaded[0].renderer().classes()]
    assert kept == [(1, "#1a9641")]  # the crop mask's own style
    project.removeAllMapLayers()
