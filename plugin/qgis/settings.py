"""Plugin settings kept in QgsSettings (never secrets: those live in QgsAuthManager)."""

from pathlib import Path

from qgis.core import QgsSettings

from ..net.auth import CDSE_TOKEN_URL, SENTINEL_HUB_TOKEN_URL
from ..sources.sentinelhub import OSO_COLLECTION_ID

PREFIX = "CropConfidence/"
DEFAULTS = {
    "cdse_token_url": CDSE_TOKEN_URL,
    "sentinelhub_token_url": SENTINEL_HUB_TOKEN_URL,
    "s3_auth_config": "",  # id of a Basic configuration holding CDSE S3 keys
    "download_folder": str(Path.home() / "CropConfidence"),
    "threads": "0",
    "min_confidence": "50",
    "clms_source_url": "",  # empty: CDSE STAC API
    "oso_source_url": "",  # empty: Sentinel Hub
    "sentinelhub_collection_id": OSO_COLLECTION_ID,  # the OSO BYOC collection on Sentinel Hub
    "confirm_download_mb": "500",
    # Ids of the authentication configurations last chosen per service (not secrets).
    "cdse_auth_config": "",
    "sentinelhub_auth_config": "",
    "auth_config": "",  # 0.1.0's one shared selector, read as CDSE's
}


def value(key):
    return QgsSettings().value(PREFIX + key, DEFAULTS.get(key), type=str)


def int_value(key):
    try:
        return int(value(key))
    except (TypeError, ValueError):
        return int(DEFAULTS[key])


def set_value(key, new_value):
    QgsSettings().setValue(PREFIX + key, new_value)
