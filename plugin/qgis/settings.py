"""Plugin settings kept in QgsSettings (never secrets: those live in QgsAuthManager)."""

from pathlib import Path

from qgis.core import QgsSettings

from ..net.auth import CDSE_TOKEN_URL, SENTINEL_HUB_TOKEN_URL
from ..net.http import DEFAULT_TIMEOUT
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
    # Seconds to open a connection / of silence between two packets before a request is
    # abandoned (every HTTP request, and GDAL's range reads: see http_timeout()).
    "http_connect_timeout": str(DEFAULT_TIMEOUT[0]),
    "http_read_timeout": str(DEFAULT_TIMEOUT[1]),
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


def http_timeout():
    """(connect, read) seconds from the settings, for net.http.make_session(timeout=...) and
    cog.gdal_env.http_options(timeout=...); a missing, unreadable or non-positive value gets
    its default."""
    timeouts = []
    for key in ("http_connect_timeout", "http_read_timeout"):
        try:
            seconds = float(value(key))
        except (TypeError, ValueError):
            seconds = 0
        timeouts.append(seconds if 0 < seconds < 3600 else float(DEFAULTS[key]))
    return tuple(timeouts)
