"""The plugin icon, shared by the provider, its algorithms and the toolbar."""

from pathlib import Path

from qgis.PyQt.QtGui import QIcon

ICON_PATH = Path(__file__).resolve().parents[2] / "resources" / "icon.svg"


def plugin_icon():
    return QIcon(str(ICON_PATH))
