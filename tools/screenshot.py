"""Run inside the QGIS desktop (`qgis --code tools/screenshot.py`, see `make screenshot`):
load the embedded sample, styled, open the Crop Confidence dock, save docs/screenshot.png."""

from pathlib import Path

from qgis.core import QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface, plugins

ROOT = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd()
SAMPLE = ROOT / "resources" / "sample"
TARGET = ROOT / "docs" / "screenshot.png"


def load_sample():
    from crop_confidence.plugin import styles

    project = QgsProject.instance()
    group = project.layerTreeRoot().insertGroup(0, "CTY + CTYCL 2021 (synthetic sample)")
    for name, kind in (
        ("CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif", "ctycl"),
        ("CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif", "cty"),
    ):
        layer = QgsRasterLayer(str(SAMPLE / name), name.split("_")[2])
        styles.apply_style(layer, kind)
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    iface.mapCanvas().setDestinationCrs(layer.crs())
    iface.mapCanvas().setExtent(layer.extent())
    iface.mapCanvas().refresh()


def open_dock():
    plugin = plugins["crop_confidence"]
    plugin.action.setChecked(True)
    plugin.dock.product_combo.setCurrentIndex(0)


def save_and_quit():
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    iface.mainWindow().grab().save(str(TARGET))
    QApplication.instance().quit()


iface.mainWindow().resize(1500, 950)
load_sample()
open_dock()
QTimer.singleShot(6000, save_and_quit)
