"""Renderers built from the nomenclature table (no colour is written twice)."""

from qgis.core import QgsPalettedRasterRenderer
from qgis.PyQt.QtGui import QColor

from .core import nomenclature
from .i18n import tr, ui_language

MASK_KEPT_COLOR = "#1a9641"


def mask_renderer(layer, min_confidence=None):
    label = tr("Kept")
    if min_confidence is not None:
        label = tr("Kept (confidence ≥ {})").format(min_confidence)
    classes = [QgsPalettedRasterRenderer.Class(1, QColor(MASK_KEPT_COLOR), label)]
    return QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes)


def class_palette_renderer(layer, table, band=1, language=None):
    """Paletted renderer of one nomenclature; values without a colour stay transparent."""
    language = language or ui_language()
    classes = [
        QgsPalettedRasterRenderer.Class(entry.code, QColor(entry.color), entry.label(language))
        for entry in nomenclature.entries(table)
        if entry.color and entry.selectable
    ]
    return QgsPalettedRasterRenderer(layer.dataProvider(), band, classes)
