"""`make zip`: the archive the QGIS Plugin Manager installs."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_zip_holds_the_plugin_folder_and_nothing_else(tmp_path):
    target = tmp_path / "crop_confidence.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_zip.py"), str(target)], check=True, cwd=ROOT
    )
    names = zipfile.ZipFile(target).namelist()
    assert all(name.startswith("crop_confidence/") for name in names)
    for required in (
        "metadata.txt",
        "__init__.py",
        "LICENSE",
        "plugin/core/engine.py",
        "plugin/processing/provider.py",
        "resources/nomenclature.csv",
        "resources/icon.svg",
        "resources/models/crop_mask_for_extent.model3",
    ):
        assert f"crop_confidence/{required}" in names, required
    assert not [name for name in names if "/tests/" in name or "/tools/" in name or "/.ci/" in name]
    assert not [name for name in names if name.endswith((".pyc", ".aux.xml"))]
