"""qgis_process.bin in a throw-away QGIS profile with the plugin enabled, as a user has it."""

import contextlib
import os
import site
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"
SAMPLE = ROOT / "resources" / "sample"


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


@contextlib.contextmanager
def loopback_clms_mirror():
    """The sample CTY and CTYCL tiles behind a loopback STAC API and an open file host:
    yields (stac, host)."""
    from servers.range_host import RangeHost
    from servers.stac_api import StacApiServer, cdse_item

    host = RangeHost()
    items = []
    for layer in ("CTY", "CTYCL"):
        name = f"CLMS_HRLVLCC_{layer}_S2021_R10m_E38N26_03035_V01_R00.tif"
        host.add(f"/files/{name}", SAMPLE / name)
        items.append(cdse_item(layer, 2021, "E38N26"))
    host.start()
    for item, layer in zip(items, ("CTY", "CTYCL")):
        asset = item["assets"][f"{layer}_raster"]
        name = f"CLMS_HRLVLCC_{layer}_S2021_R10m_E38N26_03035_V01_R00.tif"
        asset["alternate"]["https"]["href"] = host.url(f"/files/{name}")
        asset["alternate"]["https"]["auth:refs"] = []  # an open mirror
    try:
        with StacApiServer(items) as stac:
            yield stac, host
    finally:
        host.stop()


def system_python_lacks(*modules):
    """Which of ``modules`` Debian's python3 (QGIS's) lacks here: trixie's QGIS needs no six."""
    probe = (
        "import importlib.util as u, sys; print(*[m for m in sys.argv[1:] if not u.find_spec(m)])"
    )
    found = subprocess.run(
        ["/usr/bin/python3", "-s", "-c", probe, *modules],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.split()
