"""Run inside the QGIS desktop (`qgis --code tools/tour.py`, see `make screenshot`).

A short tour of the plugin as a user lives it, on the embedded sample (the profile points the
sources at it), saved as pictures under $CROP_CONFIDENCE_TOUR (docs/tour/<language>/):

1. the dock after a search, with the footprints on the map;
2. after the fetch: the styled layers and their legend;
3. the crop-mask dialog opened from the dock, with its class picker;
4. the crop mask on top of the map;
5. the shipped model in the graphical modeller.

Each step waits for what it needs (a timer polls), and the tour ends whatever happens: a step
that times out is written to tour.log next to the pictures.
"""

import os
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox
from qgis.utils import iface, plugins

ROOT = Path(os.environ.get("CROP_CONFIDENCE_ROOT", Path.cwd()))
TARGET = Path(os.environ.get("CROP_CONFIDENCE_TOUR", ROOT / "docs" / "tour" / "en"))
WIDTH, HEIGHT = (int(v) for v in os.environ.get("CROP_CONFIDENCE_TOUR_SIZE", "1366x768").split("x"))
AREA = QgsRectangle(3_850_500, 2_650_500, 3_854_800, 2_654_800)  # inside the sample window
STEP_MS = 250
TIMEOUT_STEPS = 240
LOG = []


def dock():
    return plugins["crop_confidence"].dock


def log(text):
    LOG.append(text)
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "tour.log").write_text("\n".join(LOG) + "\n", encoding="utf-8")


def wait_then(condition, action, what, steps=0):
    try:
        ready = condition()
    except Exception as error:  # noqa: BLE001 (the tour must end whatever happens)
        log(f"{what}: {error!r}")
        ready = False
    if ready:
        QTimer.singleShot(STEP_MS, action)
    elif steps > TIMEOUT_STEPS:
        log(f"timed out waiting for {what}")
        finish()
    else:
        QTimer.singleShot(STEP_MS, lambda: wait_then(condition, action, what, steps + 1))


def save(widget, name):
    TARGET.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    widget.grab().save(str(TARGET / name))
    log(f"wrote {name}")


def start():
    iface.mainWindow().showNormal()
    iface.mainWindow().resize(WIDTH, HEIGHT)
    canvas = iface.mapCanvas()
    world = QgsApplication.pkgDataPath() + "/resources/data/world_map.gpkg|layername=countries"
    if iface.addVectorLayer(world, "World", "ogr") is None:  # a map to see the footprints on
        log("no world map in this QGIS")
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))  # a new project's CRS
    plugins["crop_confidence"].action.setChecked(True)
    wait_then(lambda: dock().year_combo.findData(2021) >= 0, search, "the year list")


def search():
    log("search")
    panel = dock()
    panel.year_combo.setCurrentIndex(panel.year_combo.findData(2021))
    panel.area_combo.setCurrentIndex(panel.area_combo.findData("drawn"))
    panel.set_drawn_area(in_canvas_crs(AREA))
    panel.search_button.click()
    wait_then(lambda: panel.results_tree.topLevelItemCount() > 0, after_search, "search results")


def after_search():
    canvas = iface.mapCanvas()
    canvas.setExtent(zoom_to_area())
    canvas.refresh()
    QTimer.singleShot(1500, lambda: (save(iface.mainWindow(), "1-search.png"), fetch()))


def in_canvas_crs(rectangle):
    """A rectangle of EPSG:3035 in the canvas CRS."""
    transform = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:3035"),
        iface.mapCanvas().mapSettings().destinationCrs(),
        QgsProject.instance(),
    )
    return transform.transformBoundingBox(rectangle)


def zoom_to_area():
    """The drawn area in the canvas CRS, with a margin."""
    return in_canvas_crs(AREA.buffered(3000))


def fetch():
    log("fetch")
    panel = dock()
    before = len(QgsProject.instance().mapLayers())
    panel.fetch_button.click()
    wait_then(
        lambda: (
            len(QgsProject.instance().mapLayers()) >= before + 2 and panel.fetch_button.isEnabled()
        ),
        after_fetch,
        "the fetched layers",
    )


def after_fetch():
    canvas = iface.mapCanvas()
    canvas.setExtent(zoom_to_area())
    canvas.refresh()
    QTimer.singleShot(2500, lambda: (save(iface.mainWindow(), "2-fetch.png"), crop_mask()))


def crop_mask():
    """The dock's crop-mask step opens a modal dialog: the timer drives it from inside."""
    panel = dock()
    wait_then(lambda: algorithm_dialog() is not None, dialog_shown, "the crop-mask dialog")
    button = getattr(panel, "mask_button", None)
    if button is None or not button.isEnabled():
        log("no enabled crop-mask button in the dock")
        QTimer.singleShot(0, modeller)
        return
    before = set(QgsProject.instance().mapLayers())
    globals()["LAYERS_BEFORE"] = before
    button.click()


def algorithm_dialog():
    shown = [
        widget
        for widget in QApplication.topLevelWidgets()
        if widget.isVisible() and widget.inherits("QgsProcessingAlgorithmDialogBase")
    ]
    return shown[0] if shown else None


def dialog_shown():
    dialog = algorithm_dialog()
    dialog.resize(min(WIDTH - 100, 900), HEIGHT - 80)
    QTimer.singleShot(800, lambda: (save(dialog, "3-class-picker.png"), run_dialog(dialog)))


def run_dialog(dialog):
    run = None
    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole:
                run = button
    if run is None:
        log("no Run button in the crop-mask dialog")
        dialog.reject()
        return
    run.click()
    wait_then(
        lambda: len(set(QgsProject.instance().mapLayers()) - LAYERS_BEFORE) >= 1,
        lambda: (dialog.close(), after_mask()),
        "the crop mask",
    )


LAYERS_BEFORE = set()


def after_mask():
    canvas = iface.mapCanvas()
    canvas.setExtent(zoom_to_area())
    canvas.refresh()
    QTimer.singleShot(2500, lambda: (save(iface.mainWindow(), "4-crop-mask.png"), modeller()))


def modeller():
    from processing.modeler.ModelerDialog import ModelerDialog

    model = QgsApplication.processingRegistry().algorithmById("cropconfidence:cropareabyzone")
    if model is None:
        log("no shipped model in the provider")
        finish()
        return
    dialog = ModelerDialog.create(model.create())
    dialog.resize(WIDTH, HEIGHT)
    dialog.show()
    QTimer.singleShot(1500, lambda: (save(dialog, "5-modeller.png"), dialog.close(), finish()))


def finish():
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "tour.log").write_text("\n".join(LOG) + "\n", encoding="utf-8")
    QApplication.instance().quit()


start()
