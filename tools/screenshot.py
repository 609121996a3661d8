"""Run inside the QGIS desktop (`qgis --code tools/screenshot.py`, see `make screenshot`).

Drives the Crop Confidence dock like a user on the embedded sample catalogue (the
profile points the CLMS source at it): draw the area, search, fetch; then saves
docs/screenshot.png with the dock open and the fetched, styled layers.
"""

import os
from pathlib import Path

from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface, plugins

ROOT = Path(os.environ.get("CROP_CONFIDENCE_ROOT", Path.cwd()))
TARGET = Path(os.environ.get("CROP_CONFIDENCE_SCREENSHOT", ROOT / "docs" / "screenshot.png"))
AREA = QgsRectangle(3_850_500, 2_650_500, 3_854_800, 2_654_800)  # inside the sample window
STEP_MS = 500
TIMEOUT_STEPS = 120


def dock():
    return plugins["crop_confidence"].dock


def wait_then(condition, action, steps=0):
    if condition():
        action()
    elif steps > TIMEOUT_STEPS:
        save_and_quit()
    else:
        QTimer.singleShot(STEP_MS, lambda: wait_then(condition, action, steps + 1))


def start():
    iface.mainWindow().resize(1500, 950)
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3035"))
    canvas.setExtent(AREA)
    plugins["crop_confidence"].action.setChecked(True)
    wait_then(lambda: dock().year_combo.findData(2021) >= 0, search)


def search():
    panel = dock()
    panel.year_combo.setCurrentIndex(panel.year_combo.findData(2021))
    panel.area_combo.setCurrentIndex(panel.area_combo.findData("drawn"))
    panel.set_drawn_area(AREA)
    panel.search_button.click()
    wait_then(lambda: panel.results_tree.topLevelItemCount() > 0, fetch)


def fetch():
    panel = dock()
    panel.fetch_button.click()
    wait_then(lambda: len(QgsProject.instance().mapLayers()) >= 2, show)


def show():
    canvas = iface.mapCanvas()
    canvas.setExtent(AREA.buffered(300))
    canvas.refresh()
    QTimer.singleShot(3000, save_and_quit)


def save_and_quit():
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    iface.mainWindow().grab().save(str(TARGET))
    QApplication.instance().quit()


start()
