"""Issue 14, "Start-up": loading the plugin costs QGIS's start no numpy, rasterio, requests,
pystac or GDAL bindings, and a QGIS whose Python lacks rasterio gets the plugin, its provider
and a clear message instead of a traceback.

Each case runs in a fresh child process (a module imported once stays imported): QGIS starts,
the modules it loaded by itself are noted, then the plugin is loaded as QGIS does it
(classFactory, then initGui, which builds the provider and loads its algorithms).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from headless import QGIS_PROCESS, plugin_environment

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "build" / "plugins"
HIDER = Path(__file__).resolve().parent / "hide_packages"
CONFIDENCE = (
    ROOT / "resources" / "sample" / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
)
HEAVY = ("numpy", "rasterio", "requests", "pystac", "pystac_client", "osgeo", "urllib3")
ALGORITHMS = [
    "cropconfidence:areaestimate",
    "cropconfidence:cropareabyzone",
    "cropconfidence:cropmask",
    "cropconfidence:cropmaskforextent",
    "cropconfidence:cropmaskreport",
    "cropconfidence:fetch",
    "cropconfidence:sampledesign",
    "cropconfidence:style",
    "cropconfidence:zonalareas",
]

NEEDS_NO_RASTERIO = {"cropconfidence:style"}  # styling a layer needs QGIS and GDAL only

CHILD = r"""
import json, sys
ARGS = json.loads(sys.argv[1])
HEAVY = ARGS["heavy"]
from qgis.core import QgsApplication

app = QgsApplication([], True)
app.initQgis()
before = sorted(m for m in HEAVY if m in sys.modules)

from qgis.gui import QgsMessageBar
from qgis.PyQt.QtWidgets import QMainWindow

logged = []
QgsApplication.messageLog().messageReceived.connect(
    lambda message, tag, level: logged.append([tag, message])
)


class Iface:
    def __init__(self):
        self.window = QMainWindow()
        self.bar = QgsMessageBar(self.window)
        self.docks = []

    def mainWindow(self):
        return self.window

    def messageBar(self):
        return self.bar

    def addToolBarIcon(self, action):
        pass

    def addPluginToMenu(self, menu, action):
        pass

    def addDockWidget(self, area, dock):
        self.docks.append(dock)


iface = Iface()
import crop_confidence

plugin = crop_confidence.classFactory(iface)
plugin.initGui()
provider = QgsApplication.processingRegistry().providerById("cropconfidence")
out = {
    "before": before,
    "after": sorted(m for m in HEAVY if m in sys.modules),
    "registered": provider is plugin.provider,
    "algorithms": sorted(a.id() for a in provider.algorithms()),
    "can_execute": {a.id(): list(a.canExecute()) for a in provider.algorithms()},
    "bar": [item.text() for item in iface.bar.items()],
    "logged": logged,
}
THEN
print("RESULT " + json.dumps(out))
app.exitQgis()
"""

# Without rasterio: the dock is asked for, then cropconfidence:cropmask is run anyway.
WITHOUT_RASTERIO = r"""
iface.bar.clearWidgets()  # the start-up message, read above
plugin.action.trigger()
out["dock_opened"] = bool(iface.docks)
out["action_checked"] = plugin.action.isChecked()
out["bar_after_dock"] = [item.text() for item in iface.bar.items()]

from qgis.core import QgsProcessingContext, QgsProcessingFeedback


class Feedback(QgsProcessingFeedback):
    errors = []

    def reportError(self, error, fatal=False):
        self.errors.append(error)


algorithm = QgsApplication.processingRegistry().createAlgorithmById("cropconfidence:cropmask")
feedback = Feedback()
results, ok = algorithm.run(
    {"PRODUCT": 1, "CONFIDENCE_LAYER": ARGS["confidence"], "OUTPUT": ARGS["output"]},
    QgsProcessingContext(),
    feedback,
)
out["run_ok"] = ok
out["run_errors"] = feedback.errors
out["still_missing"] = "rasterio" not in sys.modules
"""


def run_child(then="", hide=(), output=""):
    """Runs the child; returns what it printed (a dict) and its stderr."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=os.pathsep.join([str(HIDER), str(PLUGINS), "/usr/share/qgis/python/plugins"]),
        CROP_CONFIDENCE_TEST_HIDE=",".join(hide),
    )
    arguments = {"heavy": HEAVY, "confidence": str(CONFIDENCE), "output": str(output)}
    completed = subprocess.run(
        [sys.executable, "-c", CHILD.replace("THEN", then), json.dumps(arguments)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    (line,) = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[len("RESULT ") :]), completed.stderr


def test_loading_the_plugin_imports_no_heavy_package():
    out, stderr = run_child()
    assert out["registered"] is True
    assert out["algorithms"] == ALGORITHMS
    # What the plugin adds to what QGIS itself had loaded (here QGIS loads none of them).
    added = sorted(set(out["after"]) - set(out["before"]))
    assert added == [], f"loading the plugin imported {added}"
    assert "Traceback" not in stderr
    assert all(can == [True, ""] for can in out["can_execute"].values())
    assert out["bar"] == []


def test_without_rasterio_the_plugin_loads_and_says_what_to_install(tmp_path):
    output = tmp_path / "mask.tif"
    out, stderr = run_child(WITHOUT_RASTERIO, hide=("rasterio",), output=output)
    assert "Traceback" not in stderr
    assert out["registered"] is True and out["algorithms"] == ALGORITHMS
    message = (
        "Crop Confidence needs the Python package(s) rasterio, which QGIS's Python lacks: "
        "crop masks and fetches cannot run. Install them into QGIS's Python, then restart "
        "QGIS: on Windows with OSGeo4W Setup (Advanced Install, package(s) python3-rasterio); "
        "on Debian or Ubuntu with: sudo apt install python3-rasterio; elsewhere from QGIS's "
        'Python console with: import pip; pip.main(["install", "--user", "rasterio"]).'
    )
    assert out["bar"] == [message]
    assert ["Crop Confidence", message] in out["logged"]
    # The Processing dialog, the modeller and qgis_process are told before a run.
    for algorithm in ALGORITHMS:
        expected = [True, ""] if algorithm in NEEDS_NO_RASTERIO else [False, message]
        assert out["can_execute"][algorithm] == expected, algorithm
    # The dock does not open on an import error: the message is said again.
    assert out["dock_opened"] is False and out["action_checked"] is False
    assert out["bar_after_dock"] == [message]
    # A run that ignores canExecute fails with the message, not an ImportError.
    assert out["run_ok"] is False and out["still_missing"] is True
    assert any(message in error for error in out["run_errors"]), out["run_errors"]
    assert not output.exists()


def test_qgis_process_without_rasterio_says_what_to_install(tmp_path):
    """qgis_process checks the parameters before it asks canExecute: that check says it too."""
    env = plugin_environment(tmp_path / "profile")
    env["PYTHONPATH"] = os.pathsep.join([str(HIDER), env["PYTHONPATH"]])
    env["CROP_CONFIDENCE_TEST_HIDE"] = "rasterio"
    completed = subprocess.run(
        [
            QGIS_PROCESS,
            "run",
            "cropconfidence:cropmask",
            "--",
            "PRODUCT=1",
            f"CONFIDENCE_LAYER={CONFIDENCE}",
            f"OUTPUT={tmp_path / 'mask.tif'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stdout + completed.stderr
    assert "Crop Confidence needs the Python package(s) rasterio" in completed.stderr
    assert not (tmp_path / "mask.tif").exists()
