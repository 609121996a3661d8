"""Exceptions raised by the pure core. Adapters turn them into QGIS errors."""

from .redaction import redact_text


class CropMaskError(Exception):
    """Bad input or a failure the user can act on; the message says what to do.

    Its text never holds a URL query, user info or authorization value, whoever built it.
    """

    def __str__(self):
        return redact_text(super().__str__())


class CropMaskCancelled(CropMaskError):
    """The caller cancelled; no output file was left behind."""


class FetchError(CropMaskError):
    """The data cannot be found or fetched; the message says what to do."""


class DownloadError(CropMaskError):
    """A download failed; the message names the (redacted) URL and what to do."""
