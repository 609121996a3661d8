"""Crop Confidence: confidence-filtered crop masks from CLMS Crop Types and CNES OSO."""


def classFactory(iface):  # noqa: N802 (QGIS entry point)
    # First, before anything can import pystac: use the pystac-client (and pystac,
    # python-dateutil, six) shipped in vendor/ only where QGIS's Python lacks them, appending
    # the folder to sys.path (plugin/dependencies.py says why). Cheap: it imports none of them.
    from .plugin.dependencies import apply as choose_stac_packages

    choose_stac_packages()

    # Both the desktop and qgis_process (iface None) come through here: install the
    # translator before any string is built, so the Processing provider is translated too.
    from .plugin.qgis.i18n import install_translator

    install_translator()

    from .plugin.plugin import CropConfidencePlugin

    return CropConfidencePlugin(iface)
