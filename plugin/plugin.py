"""The QGIS plugin object: toolbar button, menu entry, dock and Processing provider.

Loading it must stay cheap, as every QGIS start pays for it (issue 14): nothing here, nor in
the provider and its algorithms, imports numpy, rasterio, requests or pystac. The engine and
the sources are imported when an algorithm runs, and the dock's modules when it first opens.
"""

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAction

from .dependencies import missing_core
from .processing.base import missing_packages_message
from .processing.icons import plugin_icon
from .processing.provider import CropConfidenceProvider
from .qgis.i18n import remove_translator, tr

MENU = "&Crop Confidence"
LOG_TAG = "Crop Confidence"


class CropConfidencePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.action = None
        self.dock = None
        # numpy, rasterio and requests, when QGIS's Python lacks some: the plugin still loads
        # and registers its provider, and says what to install (log, message bar, dialogs).
        self.missing = missing_core()

    def initProcessing(self):
        if self.provider is None:
            self.provider = CropConfidenceProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)
            if self.missing:
                QgsMessageLog.logMessage(
                    missing_packages_message(self.missing), LOG_TAG, Qgis.MessageLevel.Critical
                )

    def initGui(self):
        self.initProcessing()
        self.action = QAction(plugin_icon(), tr("Crop Confidence"), self.iface.mainWindow())
        self.action.setObjectName("CropConfidenceToggleDock")
        self.action.setCheckable(True)
        self.action.toggled.connect(self.set_dock_visible)
        self.iface.addToolBarIcon(self.action)
        self.iface.addPluginToMenu(MENU, self.action)
        if self.missing:
            self.tell_missing()

    def tell_missing(self):
        """Says in the message bar which packages QGIS's Python lacks and how to install them."""
        self.iface.messageBar().pushMessage(
            tr("Missing Python package"),
            missing_packages_message(self.missing),
            Qgis.MessageLevel.Critical,
            0,
        )

    def set_dock_visible(self, visible):
        if self.dock is None:
            if visible and self.missing:
                self.tell_missing()  # the dock's modules would fail to import
                self.action.setChecked(False)
                return
            if not visible:
                return
            from .gui.dock import CropConfidenceDock

            self.dock = CropConfidenceDock(self.iface, self.iface.mainWindow())
            self.dock.visibilityChanged.connect(self.action.setChecked)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.setVisible(visible)

    def unload(self):
        if self.action is not None:
            self.iface.removeToolBarIcon(self.action)
            self.iface.removePluginMenu(MENU, self.action)
            self.action.deleteLater()
            self.action = None
        if self.dock is not None:
            self.dock.cancel_all()
            self.dock.clear_footprints()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translator()  # classFactory installs it again when the plugin is reloaded
