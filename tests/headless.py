"""qgis_process.bin in a throw-away QGIS profile with the plugin enabled, as a user has it."""

import os
import site
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def plugin_environment(config_dir):
    """The environment for qgis_process with its profile in ``config_dir``; enables the plugin."""
    # QGIS's Python finds pystac-client where the user installed it: here, the test venv.
    python_path = [*site.getsitepackages(), os.environ.get("PYTHONPATH", "")]
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QGIS_PLUGINPATH=str(ROOT / "build" / "plugins"),
        QGIS_CUSTOM_CONFIG_PATH=str(config_dir),
        PYTHONPATH=os.pathsep.join(path for path in python_path if path),
    )
    subprocess.run(
        [QGIS_PROCESS, "plugins", "enable", "crop_confidence"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env
