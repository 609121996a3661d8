"""Numbers and sizes written the way the QGIS UI language writes them."""

from qgis.PyQt.QtCore import QLocale

from ..qgis.i18n import tr


def number(value, decimals):
    """A number written the way the QGIS UI language writes it (1 234,5 in French)."""
    return QLocale().toString(float(value), "f", decimals)


def human_size(size):
    if size is None:
        return tr("unknown size")
    units = (tr("B"), tr("kB"), tr("MB"), tr("GB"))
    for index, unit in enumerate(units):
        if size < 1000 or index == len(units) - 1:
            return f"{number(size, 0 if index == 0 else 1)} {unit}"
        size /= 1000
    return ""
