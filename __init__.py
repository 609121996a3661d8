"""Crop Confidence: confidence-filtered crop masks from CLMS Crop Types and CNES OSO."""


def classFactory(iface):  # noqa: N802 (QGIS entry point)
    # Both the desktop and qgis_process (iface None) come through here: install the
    # translator before any string is built, so the Processing provider is translated too.
    from .plugin.i18n import install_translator

    install_translator()

    from .plugin.plugin import CropConfidencePlugin

    return CropConfidencePlugin(iface)
