"""The zip as a user installs it: unzipped into a fresh QGIS profile, run by qgis_process with
QGIS's own Python only (no .venv, no pip packages), so pystac-client comes from the zip."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from headless import QGIS_PROCESS, loopback_clms_mirror, system_python_lacks
from rasters import CTY_CROPS, read_raster, reference_status

SYSTEM_LACKS = system_python_lacks("dateutil", "six")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
HIDER = Path(__file__).resolve().parent / "hide_packages"
SYSTEM_PYTHON = "/usr/bin/python3"  # the Python QGIS embeds here
EXTENT = "3851000,3855000,2650000,2653000 [EPSG:3035]"
WINDOW = np.s_[212:512, 100:500]  # EXTENT in the sample tiles (rows, columns)
CTY = "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"
CTYCL = "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"


def user_environment(profile, *python_path, hide=("pystac", "pystac_client")):
    """qgis_process's environment without anything of the venv or the repository: no
    PYTHONPATH but the given folders, no QGIS_PLUGINPATH, no .venv/bin on PATH. A system
    copy of the hidden packages, if any, is hidden (tests/hide_packages), so that the test
    means the same on a machine that has them."""
    venv = Path(sys.prefix).resolve()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "QGIS_PLUGINPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if entry and not Path(entry).resolve().is_relative_to(venv)
    )
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QGIS_CUSTOM_CONFIG_PATH=str(profile),
        PYTHONPATH=os.pathsep.join(str(path) for path in (HIDER, *python_path)),
        CROP_CONFIDENCE_TEST_HIDE=",".join(hide),
    )
    assert str(venv) not in env["PYTHONPATH"] and str(ROOT / "build") not in env["PYTHONPATH"]
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(plugin folder, environment): the zip unzipped into a fresh profile, enabled."""
    root = tmp_path_factory.mktemp("zip-install")
    archive = root / "crop_confidence.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_zip.py"), str(archive), str(root / "vendor")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    profile = root / "profile"
    plugins = profile / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    zipfile.ZipFile(archive).extractall(plugins)
    env = user_environment(profile)
    enabled = subprocess.run(
        [QGIS_PROCESS, "plugins", "enable", "crop_confidence"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert enabled.returncode == 0, enabled.stderr
    return plugins / "crop_confidence", env


def qgis_process(env, *arguments):
    completed = subprocess.run(
        [QGIS_PROCESS, "--json", "run", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = completed.stdout[completed.stdout.find("{") :]
    results = json.loads(output)["results"] if completed.returncode == 0 else None
    return completed.returncode, results, completed.stderr


def sample_band(name):
    return read_raster(SAMPLE / name)[0][WINDOW]


def fetch_arguments(source, folder):
    return (
        "cropconfidence:fetch",
        "--",
        "PRODUCT=0",
        "YEAR=2021",
        f"EXTENT={EXTENT}",
        f"SOURCE_URL={source}",
        f"OUTPUT_FOLDER={folder}",
    )


def assert_fetched_the_sample_window(results):
    classes, class_profile = read_raster(results["CLASS_LAYER"])
    confidence, _ = read_raster(results["CONFIDENCE_LAYER"])
    assert classes.shape == (300, 400) and class_profile["crs"].to_epsg() == 3035
    np.testing.assert_array_equal(classes, sample_band(CTY))
    np.testing.assert_array_equal(confidence, sample_band(CTYCL))


def test_qgis_python_lacks_pystac_client_without_the_plugin(installed):
    _, env = installed
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import importlib.util as u; print(u.find_spec('pystac_client'))"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "None", probe.stderr


def test_the_loaded_plugin_takes_pystac_client_from_its_vendor_folder(installed):
    """As QGIS loads it: classFactory applies the rule first, without importing pystac, and the
    search then imports the zip's copies (Debian's dateutil stays in use)."""
    plugin, env = installed
    script = f"""
import json, sys
sys.path.insert(0, {str(plugin.parent)!r})  # where QGIS finds the profile's plugins
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
import crop_confidence
crop_confidence.classFactory(None)
from crop_confidence.plugin import dependencies
status = dependencies.apply()
out = {{"state": status.state, "from_vendor": list(status.from_vendor), "last": sys.path[-1],
        "loaded": sorted(m for m in dependencies.MODULES if m in sys.modules)}}
import pystac_client, pystac, dateutil
out["files"] = [pystac_client.__file__, pystac.__file__, dateutil.__file__]
print(json.dumps(out))
"""
    completed = subprocess.run(
        [SYSTEM_PYTHON, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    out = json.loads(completed.stdout.strip().splitlines()[-1])
    vendor = plugin / "vendor"
    assert out["state"] == "vendored"
    assert out["from_vendor"] == ["pystac_client", "pystac", *SYSTEM_LACKS]
    assert out["last"] == str(vendor)
    # loading the plugin imported neither (QGIS's own modules may have imported Debian's six)
    assert "pystac" not in out["loaded"] and "pystac_client" not in out["loaded"]
    client, pystac, dateutil = out["files"]
    assert client == str(vendor / "pystac_client" / "__init__.py")
    assert pystac == str(vendor / "pystac" / "__init__.py")
    assert dateutil.startswith("/usr/lib/python3/dist-packages/")


def test_fetch_through_a_stac_api_with_the_shipped_pystac_client(installed, tmp_path):
    _, env = installed
    with loopback_clms_mirror() as (stac, host):
        code, results, stderr = qgis_process(env, *fetch_arguments(stac.url, tmp_path / "stac"))
        searches = [request for request in stac.requests if "/search" in request.path]
    assert code == 0, stderr
    assert searches and host.bytes_sent > 0  # pystac-client searched the STAC API
    assert results["ITEMS"] == 2
    assert_fetched_the_sample_window(results)


def test_fetch_from_the_embedded_sample_catalogue(installed, tmp_path):
    plugin, env = installed
    catalog = plugin / "resources" / "sample" / "catalog.json"
    code, results, stderr = qgis_process(env, *fetch_arguments(catalog, tmp_path / "static"))
    assert code == 0, stderr
    assert_fetched_the_sample_window(results)


def test_the_fetch_then_mask_model(installed, tmp_path):
    plugin, env = installed
    code, results, stderr = qgis_process(
        env,
        str(plugin / "resources" / "models" / "crop_mask_for_extent.model3"),
        "--",
        "product=0",
        "year=2021",
        f"extent={EXTENT}",
        f"source_url={plugin / 'resources' / 'sample' / 'catalog.json'}",
        "min_confidence=60",
        f"cropmask:crop_mask={tmp_path / 'mask.tif'}",
    )
    assert code == 0, stderr
    assert results["cropmask:crop_mask"] == str(tmp_path / "mask.tif")
    nodata, kept, _, _ = reference_status(
        "cty_ctycl", sample_band(CTY), sample_band(CTYCL), None, CTY_CROPS, 60, 0
    )
    mask, _ = read_raster(tmp_path / "mask.tif")
    assert kept.any() and not kept.all()
    np.testing.assert_array_equal(mask, np.where(nodata, 255, np.where(kept, 1, 0)))


def test_an_old_pystac_of_the_user_is_reported_by_the_algorithm(installed, tmp_path):
    """A user with pystac 1.8 and no pystac-client: the fetch fails with a message naming it,
    without a traceback, and the shipped pystac-client is not mixed with it."""
    plugin, env = installed
    site = tmp_path / "site"
    (site / "pystac").mkdir(parents=True)
    (site / "pystac" / "__init__.py").write_text("__version__ = '1.8.0'\n")
    (site / "pystac-1.8.0.dist-info").mkdir()
    (site / "pystac-1.8.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pystac\nVersion: 1.8.0\n"
    )
    old_env = user_environment(env["QGIS_CUSTOM_CONFIG_PATH"], site, hide=("pystac_client",))
    catalog = plugin / "resources" / "sample" / "catalog.json"
    code, _, stderr = qgis_process(old_env, *fetch_arguments(catalog, tmp_path / "out"))
    assert code != 0
    assert "Traceback" not in stderr
    assert (
        f"the pystac 1.8.0 installed in QGIS's Python ({site / 'pystac'}) does not suit the "
        "pystac-client 0.9.1 shipped with the plugin, which needs pystac >= 1.10.0"
    ) in stderr
    assert "pip install --upgrade pystac" in stderr
