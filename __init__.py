"""Crop Confidence: confidence-filtered crop masks from CLMS Crop Types and CNES OSO."""


def classFactory(iface):  # noqa: N802 (QGIS entry point)
    from .plugin.plugin import CropConfidencePlugin

    return CropConfidencePlugin(iface)
