"""`make demo`: search, fetch, mask and areas on the sample, against the numpy reference."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rasters import CTY_CROPS, read_raster, reference_status

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"


def test_demo_writes_masks_tables_and_summary(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    # The demo's areas, as rows and columns of the sample windows.
    clms_window = np.s_[212:512, 100:500]
    oso_window = np.s_[100:400, 100:500]
    classes, _ = read_raster(SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif")
    confidence, _ = read_raster(SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif")
    classes, confidence = classes[clms_window], confidence[clms_window]
    nodata, kept, _, _ = reference_status("cty_ctycl", classes, confidence, None, CTY_CROPS, 50, 0)
    mask, profile = read_raster(tmp_path / "cty_ctycl_2021_mask.tif")
    np.testing.assert_array_equal(mask, np.where(nodata, 255, np.where(kept, 1, 0)))
    assert profile["crs"].to_epsg() == 3035
    assert (profile["transform"].c, profile["transform"].f) == (3_851_000, 2_653_000)

    oso = [read_raster(SAMPLE / "OSO_2021_sample.tif", band)[0][oso_window] for band in (1, 2, 3)]
    oso_nodata, oso_kept, _, _ = reference_status(
        "oso23", oso[0], oso[1], oso[2], tuple(range(5, 13)), 50, 5, [(oso[0], 0)]
    )
    # The OSO sample declares nodata 0 on its confidence and validity bands too.
    oso_nodata |= (oso[1] == 0) | (oso[2] == 0)
    oso_kept &= ~oso_nodata
    oso_mask, _ = read_raster(tmp_path / "oso_2021_mask.tif")
    np.testing.assert_array_equal(oso_mask, np.where(oso_nodata, 255, np.where(oso_kept, 1, 0)))

    summary = (tmp_path / "summary.md").read_text()
    expected_row = (
        f"| 2 | 120000 | {int(nodata.sum())} | {int(kept.sum())} | {kept.sum() / 100:.2f} |"
    )
    assert expected_row in summary
    assert (tmp_path / "oso_2021_classes.csv").read_text().splitlines()[0].startswith("code,label")

    # Issue 15: the areas part of the demo, on the CTY area.
    with open(tmp_path / "cty_ctycl_2021_zones.csv", encoding="utf-8") as handle:
        zones = {row["zone"] for row in csv.DictReader(handle)}
    assert zones == {"West commune", "East commune", "Farm with a wood", "Two river plots"}
    with open(tmp_path / "cty_ctycl_2021_area_estimate.csv", encoding="utf-8") as handle:
        estimate = {int(row["class_code"]): row for row in csv.DictReader(handle)}
    assert sorted(estimate) == [0, 1]
    for code, pixels in ((1, kept.sum()), (0, (~kept & ~nodata).sum())):
        assert float(estimate[code]["map_area_ha"]) == pytest.approx(pixels / 100)  # 10 m pixels
    assert sum(float(row["area_ha"]) for row in estimate.values()) == pytest.approx(
        (~nodata).sum() / 100
    )
    assert "SYNTHETIC" in summary and "Overall accuracy" in summary
    points = read_points(tmp_path / "reference_sample_design.gpkg")
    assert len(points) == 100


def read_points(path):
    from osgeo import ogr

    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    return [feature.GetGeometryRef().GetPoint_2D() for feature in layer]
