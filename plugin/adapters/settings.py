"""Plugin settings kept in QgsSettings (never secrets: those live in QgsAuthManager)."""

from qgis.core import QgsSettings

from ..catalog.auth import CDSE_TOKEN_URL, SENTINEL_HUB_TOKEN_URL

PREFIX = "CropConfidence/"
DEFAULTS = {
    "cdse_token_url": CDSE_TOKEN_URL,
    "sentinelhub_token_url": SENTINEL_HUB_TOKEN_URL,
    "s3_auth_config": "",  # id of a Basic configuration holding CDSE S3 keys
}


def value(key):
    return QgsSettings().value(PREFIX + key, DEFAULTS.get(key), type=str)


def set_value(key, new_value):
    QgsSettings().setValue(PREFIX + key, new_value)
