"""The plugin icon, shared by the provider, its algorithms and the toolbar."""

from qgis.PyQt.QtGui import QIcon

from ..domain.resources import RESOURCES

ICON_PATH = RESOURCES / "icon.svg"


def plugin_icon():
    return QIcon(str(ICON_PATH))
