"""Translation helpers shared by the QGIS adapters."""

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "CropConfidence"


def tr(text):
    return QCoreApplication.translate(CONTEXT, text)


def ui_language():
    """'fr' or 'en': the language of class labels, from the QGIS UI locale."""
    return "fr" if QgsApplication.locale().lower().startswith("fr") else "en"
