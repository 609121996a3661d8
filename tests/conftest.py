"""Test set-up: make the repo importable as the installed plugin 'crop_confidence'."""

import gc
import os
import sys
from pathlib import Path

import pytest
from qgis.PyQt import sip

ROOT = Path(__file__).resolve().parents[1]
PLUGINS_DIR = ROOT / "build" / "plugins"
PLUGIN_LINK = PLUGINS_DIR / "crop_confidence"

PLUGINS_DIR.mkdir(parents=True, exist_ok=True)
if not PLUGIN_LINK.exists():
    PLUGIN_LINK.symlink_to(ROOT, target_is_directory=True)
if str(PLUGINS_DIR) not in sys.path:
    sys.path.insert(0, str(PLUGINS_DIR))
os.environ.setdefault("QGIS_PLUGINPATH", str(PLUGINS_DIR))


_PROVIDERS = []  # Python subclasses must outlive their registration


@pytest.fixture()
def provider(qgis_app, qgis_processing):  # noqa: ARG001
    """Processing initialised, with a Crop Confidence provider registered."""
    from qgis.core import QgsApplication

    from crop_confidence.plugin.processing.provider import CropConfidenceProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("cropconfidence") is None:
        _PROVIDERS.append(CropConfidenceProvider())
        registry.addProvider(_PROVIDERS[-1])
    return registry.providerById("cropconfidence")


@pytest.fixture()
def offline_sources():
    """Point the dock's sources at the embedded sample catalogue (no request leaves the machine)."""
    from crop_confidence.plugin.qgis import settings

    catalog = str(ROOT / "resources" / "sample" / "catalog.json")
    keys = ("clms_source_url", "oso_source_url")
    saved = {key: settings.value(key) for key in keys}
    for key in keys:
        settings.set_value(key, catalog)
    yield catalog
    for key, value in saved.items():
        settings.set_value(key, value)


@pytest.fixture()
def make_dock(qgis_iface, qtbot, offline_sources, tmp_path):  # noqa: ARG001
    """make_dock() -> a shown Crop Confidence dock on the offline sample, with its downloads
    under tmp_path, in an empty project; closed and the project emptied afterwards. Set the
    canvas before calling it: the dock reads it when it opens."""
    from qgis.core import QgsProject

    from crop_confidence.plugin.gui.dock import CropConfidenceDock
    from crop_confidence.plugin.qgis import settings

    def clear_project():
        QgsProject.instance().removeAllMapLayers()
        QgsProject.instance().layerTreeRoot().removeAllChildren()

    saved_folder = settings.value("download_folder")
    settings.set_value("download_folder", str(tmp_path / "downloads"))
    clear_project()
    made = []

    def make():
        widget = CropConfidenceDock(qgis_iface)
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitUntil(lambda: widget.year_combo.count() > 0, timeout=10_000)
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.cancel_all()
        widget.close()
    settings.set_value("download_folder", saved_folder)
    clear_project()


@pytest.fixture(autouse=True, scope="session")
def real_layer_tree_view(qgis_app, qgis_iface):  # noqa: ARG001 (torn down before QGIS exits)
    """A real layer tree view on the project's tree for pytest-qgis's stub iface.

    From QGIS 3.40, Processing's result loading hands iface.layerTreeView() to C++, where
    the stub's MagicMock is refused. Deleted before QGIS exits (pytest-qgis's qgis_app)."""
    from qgis.core import QgsLayerTreeModel, QgsProject
    from qgis.gui import QgsLayerTreeView

    model = QgsLayerTreeModel(QgsProject.instance().layerTreeRoot())
    view = QgsLayerTreeView()
    view.setModel(model)
    qgis_iface.layerTreeView = lambda: view
    yield view
    del qgis_iface.layerTreeView
    view.setModel(None)
    sip.delete(view)
    sip.delete(model)


@pytest.fixture(params=[False, True], ids=["gdal-codes", "gdal-exceptions"])
def gdal_exceptions(request):
    """Run the test with GDAL's exceptions off, then on."""
    from rasters import gdal_exception_mode

    with gdal_exception_mode(request.param) as enabled:
        yield enabled


@pytest.fixture(autouse=True, scope="session")
def collect_before_qgis_exits(qgis_app):  # noqa: ARG001 (torn down before QGIS exits)
    """Delete Python-owned QGIS objects while QGIS still runs.

    A layer that Processing took out of a context's temporary store is owned by its Python
    wrapper; when a test fails, the failure keeps its frames (and the layer) alive past the
    test. Collected after exitQgis() (pytest's summary runs the garbage collector), such a
    layer's destructor crashed pytest at exit on QGIS 3.44."""
    yield
    gc.collect()
