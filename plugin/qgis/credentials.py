"""Credentials from QgsAuthManager, handed to the pure core as token providers.

Secrets are read from the authentication database into memory only, when a
fetch starts; they are never stored in QgsSettings, logs or project files.

- CDSE: a "Basic" configuration (user name and password of the Copernicus account).
- Sentinel Hub: a "Basic" configuration whose user name is the OAuth client id and
  whose password is the client secret, or an "OAuth2" configuration with the
  client-credentials grant.
- S3 keys for CDSE's eodata: a "Basic" configuration (access key and secret key).
"""

import json

from qgis.core import QgsApplication, QgsAuthMethodConfig

from ..domain.errors import CropMaskError
from ..net.auth import CdseTokenProvider, ClientCredentialsTokenProvider
from ..sources.fetch import CLMS_PRODUCTS
from . import settings
from .i18n import tr


class CredentialsError(CropMaskError):
    """An authentication configuration is missing, locked or of the wrong kind."""


def load_config(auth_config_id):
    manager = QgsApplication.authManager()
    if manager.isDisabled():
        raise CredentialsError(
            tr(
                "The QGIS authentication system is disabled: enable it in "
                "Settings > Options > Authentication."
            )
        )
    config = QgsAuthMethodConfig()
    if not manager.loadAuthenticationConfig(auth_config_id, config, True) or not config.isValid():
        raise CredentialsError(
            tr(
                "The authentication configuration '{}' cannot be read: it does not exist or the "
                "master password was not given. Choose it again in the settings."
            ).format(auth_config_id)
        )
    return config


def basic_credentials(auth_config_id):
    """(user name, password) of a Basic configuration."""
    config = load_config(auth_config_id)
    if config.method() != "Basic":
        raise CredentialsError(
            tr(
                "The authentication configuration '{}' uses the method '{}'; a 'Basic' "
                "(user name and password) configuration is needed."
            ).format(config.name(), config.method())
        )
    username = config.config("username")
    password = config.config("password")
    if not username or not password:
        raise CredentialsError(
            tr("The authentication configuration '{}' has no user name or password.").format(
                config.name()
            )
        )
    return username, password


def cdse_token_provider(auth_config_id, session, token_url=None, totp_callback=None):
    username, password = basic_credentials(auth_config_id)
    options = {"token_url": token_url} if token_url else {}
    return CdseTokenProvider(
        username, password, totp_callback=totp_callback, session=session, **options
    )


def sentinelhub_token_provider(auth_config_id, session, token_url=None):
    config = load_config(auth_config_id)
    if config.method() == "OAuth2":
        settings = json.loads(config.config("oauth2config") or "{}")
        client_id = settings.get("clientId")
        client_secret = settings.get("clientSecret")
        token_url = token_url or settings.get("tokenUrl") or None
    else:
        client_id, client_secret = basic_credentials(auth_config_id)
    if not client_id or not client_secret:
        raise CredentialsError(
            tr(
                "The authentication configuration '{}' has no OAuth client id or secret for "
                "Sentinel Hub."
            ).format(config.name())
        )
    options = {"token_url": token_url} if token_url else {}
    return ClientCredentialsTokenProvider(client_id, client_secret, session=session, **options)


def s3_credentials_for(product):
    """CDSE S3 keys for a CLMS product, from the configuration in the setting
    ``CropConfidence/s3_auth_config``; None without one or for OSO."""
    config_id = settings.value("s3_auth_config")
    if not config_id or product not in CLMS_PRODUCTS:
        return None
    access_key, secret_key = basic_credentials(config_id)
    return {"access_key": access_key, "secret_key": secret_key}


def store_basic_config(name, username, password, uri=""):
    """Create a Basic configuration and return its id (used by the GUI and tests)."""
    config = QgsAuthMethodConfig("Basic")
    config.setName(name)
    config.setUri(uri)
    config.setConfig("username", username)
    config.setConfig("password", password)
    if not QgsApplication.authManager().storeAuthenticationConfig(config):
        raise CredentialsError(
            tr(
                "QGIS could not store the authentication configuration: set or enter the "
                "master password first."
            )
        )
    return config.id()
