"""The QGIS plugin object: toolbar button, menu entry, dock and Processing provider."""

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAction

from .processing.icons import plugin_icon
from .processing.provider import CropConfidenceProvider
from .qgis.i18n import remove_translator, tr

MENU = "&Crop Confidence"


class CropConfidencePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.action = None
        self.dock = None

    def initProcessing(self):
        if self.provider is None:
            self.provider = CropConfidenceProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()
        self.action = QAction(plugin_icon(), tr("Crop Confidence"), self.iface.mainWindow())
        self.action.setObjectName("CropConfidenceToggleDock")
        self.action.setCheckable(True)
        self.action.toggled.connect(self.set_dock_visible)
        self.iface.addToolBarIcon(self.action)
        self.iface.addPluginToMenu(MENU, self.action)

    def set_dock_visible(self, visible):
        if self.dock is None:
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
