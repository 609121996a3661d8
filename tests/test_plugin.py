"""The plugin loads and unloads cleanly in QGIS, and its provider lists its algorithms."""

import configparser
from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtWidgets import QDockWidget, QMainWindow

ROOT = Path(__file__).resolve().parents[1]


class RecordingIface:
    """The parts of QgisInterface the plugin uses, recording what it adds."""

    def __init__(self):
        from qgis.gui import QgsMapCanvas, QgsMessageBar

        self.window = QMainWindow()
        self.canvas = QgsMapCanvas(self.window)
        self.bar = QgsMessageBar(self.window)
        self.toolbar_actions = []
        self.menu_actions = []
        self.docks = []

    def mainWindow(self):
        return self.window

    def mapCanvas(self):
        return self.canvas

    def messageBar(self):
        return self.bar

    def addToolBarIcon(self, action):
        self.toolbar_actions.append(action)

    def removeToolBarIcon(self, action):
        self.toolbar_actions.remove(action)

    def addPluginToMenu(self, menu, action):
        self.menu_actions.append((menu, action))

    def removePluginMenu(self, menu, action):
        self.menu_actions.remove((menu, action))

    def addDockWidget(self, area, dock):  # noqa: ARG002
        self.docks.append(dock)

    def removeDockWidget(self, dock):
        self.docks.remove(dock)


def test_load_toggle_dock_and_unload(qgis_app, qgis_processing, offline_sources):  # noqa: ARG001
    import crop_confidence

    registry = QgsApplication.processingRegistry()
    left_by_other_tests = registry.providerById("cropconfidence")
    if left_by_other_tests is not None:
        registry.removeProvider(left_by_other_tests)
    iface = RecordingIface()
    plugin = crop_confidence.classFactory(iface)
    plugin.initGui()
    try:
        provider = registry.providerById("cropconfidence")
        assert provider is plugin.provider
        ids = sorted(algorithm.id() for algorithm in provider.algorithms())
        assert "cropconfidence:cropmask" in ids
        assert "cropconfidence:cropmaskreport" in ids
        (action,) = iface.toolbar_actions
        assert iface.menu_actions == [("&Crop Confidence", action)]

        action.trigger()
        (dock,) = iface.docks
        assert isinstance(dock, QDockWidget) and dock.isVisibleTo(iface.window) is not None
        assert action.isChecked()
        action.trigger()
        assert not action.isChecked() and not dock.isVisible()
    finally:
        plugin.unload()
    assert iface.toolbar_actions == [] and iface.menu_actions == [] and iface.docks == []
    assert registry.providerById("cropconfidence") is None


def test_metadata_is_complete_for_the_plugin_repository():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    general = parser["general"]
    assert general["name"] == "Crop Confidence"
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert general["supportsQt6"] == "yes"
    for key in ("description", "about", "version", "author", "email", "tags", "repository"):
        assert general[key].strip(), key
    assert (ROOT / general["icon"]).is_file()
    assert "Copernicus Land Monitoring Service" in general["about"]
    assert "Etalab" in general["about"]


def test_the_changelog_lists_each_version_newest_first():
    """metadata.txt's changelog: one block per version, the current one first, each with its
    changes (the Plugin Manager shows it)."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    general = parser["general"]
    blocks, current = {}, None
    for line in general["changelog"].strip().splitlines():
        line = line.strip()
        if line.startswith("- "):
            blocks[current].append(line)
        else:
            current = line
            blocks[current] = []
    versions = list(blocks)
    assert versions[0] == general["version"]
    numbers = [tuple(int(part) for part in version.split(".")) for version in versions]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
    assert len(versions) >= 2 and all(blocks[version] for version in versions)
    assert any("start-up" in item.lower() for item in blocks["0.5.0"])
    assert any("cropconfidence:zonalareas" in item for item in blocks["0.6.0"])
