"""Exceptions raised by the pure core. Adapters turn them into QGIS errors."""


class CropMaskError(Exception):
    """Bad input or a failure the user can act on; the message says what to do."""


class CropMaskCancelled(CropMaskError):
    """The caller cancelled; no output file was left behind."""
