"""`make zip`: the archive the QGIS Plugin Manager installs."""

import json
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_zip(tmp_path):
    """The zip `make zip` builds, with its vendor folder built in tmp_path (not the repo's)."""
    target = tmp_path / "crop_confidence.zip"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "make_zip.py"),
            str(target),
            str(tmp_path / "vendor"),
        ],
        check=True,
        cwd=ROOT,
    )
    return target


def test_zip_holds_the_plugin_folder_and_nothing_else(tmp_path):
    target = build_zip(tmp_path)
    names = zipfile.ZipFile(target).namelist()
    assert all(name.startswith("crop_confidence/") for name in names)
    for required in (
        "metadata.txt",
        "__init__.py",
        "LICENSE",
        "plugin/raster/engine.py",
        "plugin/processing/provider.py",
        "resources/nomenclature.csv",
        "resources/icon.svg",
        "resources/models/crop_mask_for_extent.model3",
    ):
        assert f"crop_confidence/{required}" in names, required
    assert not [name for name in names if "/tests/" in name or "/tools/" in name or "/.ci/" in name]
    assert not [name for name in names if name.endswith((".pyc", ".aux.xml"))]


VENDOR = "crop_confidence/vendor/"
# What the zip ships for the STAC search (pystac-client's requirements, without requests):
# top-level module -> the distribution that names it.
SHIPPED = {
    "pystac_client": "pystac-client",
    "pystac": "pystac",  # with pystac-core and the pystac-ext-* it is made of
    "dateutil": "python-dateutil",
    "six": "six",
}


def test_zip_ships_pystac_client_and_what_it_needs_from_the_venv_with_licences(tmp_path):
    archive = zipfile.ZipFile(build_zip(tmp_path))
    names = set(archive.namelist())
    vendored = {name[len(VENDOR) :] for name in names if name.startswith(VENDOR)}
    top = {name.split("/")[0] for name in vendored}
    modules = {name for name in top if not name.endswith(".dist-info")} - {
        "LICENSES",
        "README.txt",
        "vendor.json",
    }
    assert modules == {"pystac_client", "pystac", "dateutil", "six.py"}
    assert not [name for name in top if name.startswith(("requests", "urllib3", "idna"))]
    assert not [
        name for name in vendored if name.endswith(("RECORD", ".pyc")) or "__pycache__" in name
    ]

    manifest = json.loads(archive.read(VENDOR + "vendor.json"))
    readme = archive.read(VENDOR + "README.txt").decode()
    licences = {name for name in vendored if name.startswith("LICENSES/")}
    assert "LICENSES/Apache-2.0.txt" in licences
    apache = archive.read(VENDOR + "LICENSES/Apache-2.0.txt")
    assert b"Apache License" in apache and b"Version 2.0, January 2004" in apache
    for module, distribution in SHIPPED.items():
        version = metadata.version(distribution)  # the venv's, pinned in requirements-dev.txt
        assert manifest["modules"][module]["distribution"] == distribution
        assert manifest["modules"][module]["version"] == version
        licence = f"LICENSES/{distribution}-{version}.LICENSE"
        assert licence in licences, licence
        assert f"{distribution} {version} (module {module})" in readme
    assert manifest["modules"]["pystac"]["requires_python"] == "3.10"
    assert manifest["modules"]["pystac_client"]["needs"]["pystac"]["min"] == "1.10.0"

    # Every file each shipped distribution installed in the venv is in the zip, unchanged
    # (byte code, scripts and RECORD aside), with its dist-info.
    venv = Path(str(metadata.distribution("pystac-client").locate_file(""))).resolve()
    copied = 0
    for dist in metadata.distributions(path=[str(venv)]):
        name = dist.metadata["Name"].lower()
        if not (
            name in ("pystac", "pystac-client", "python-dateutil", "six")
            or name.startswith(("pystac-core", "pystac-ext-"))
        ):
            continue
        assert f"{dist.metadata['Name']} {dist.version}" in readme, name
        for file in dist.files:
            if (
                file.parts[0] == ".."
                or "__pycache__" in file.parts
                or file.name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "zip-safe")
            ):
                continue
            assert archive.read(VENDOR + "/".join(file.parts)) == file.locate().read_bytes(), file
            copied += 1
    assert copied > 100


def test_the_vendor_folder_is_built_not_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "vendor/vendor.json"], cwd=ROOT, capture_output=True
    )
    assert ignored.returncode == 0
    tracked = subprocess.run(
        ["git", "ls-files", "--", "vendor"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert tracked.stdout == ""
