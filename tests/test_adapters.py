"""QGIS adapters: proxy settings and credentials from QgsAuthManager."""

import pytest
from qgis.core import QgsApplication, QgsSettings

from crop_confidence.plugin.qgis import credentials
from crop_confidence.plugin.qgis.proxy import qgis_proxies


@pytest.fixture()
def proxy_settings():
    settings = QgsSettings()
    keys = [
        "proxy/proxyEnabled",
        "proxy/proxyType",
        "proxy/proxyHost",
        "proxy/proxyPort",
        "proxy/proxyUser",
        "proxy/proxyPassword",
    ]
    saved = {key: settings.value(key) for key in keys}
    yield settings
    for key, value in saved.items():
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)


def test_qgis_proxy_settings_become_requests_proxies(proxy_settings):
    proxy_settings.setValue("proxy/proxyEnabled", False)
    assert qgis_proxies(proxy_settings) is None
    proxy_settings.setValue("proxy/proxyEnabled", True)
    proxy_settings.setValue("proxy/proxyType", "HttpProxy")
    proxy_settings.setValue("proxy/proxyHost", "proxy.lan")
    proxy_settings.setValue("proxy/proxyPort", "3128")
    proxy_settings.setValue("proxy/proxyUser", "bob")
    proxy_settings.setValue("proxy/proxyPassword", "p@ss:word")
    expected = "http://bob:p%40ss%3Aword@proxy.lan:3128"
    assert qgis_proxies(proxy_settings) == {"http": expected, "https": expected}


def test_basic_and_oauth2_configurations(qgis_app):  # noqa: ARG001
    from qgis.core import QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    manager.setMasterPassword("crop-confidence-tests", True)
    basic = credentials.store_basic_config("cdse", "alice", "secret-1")
    try:
        assert credentials.basic_credentials(basic) == ("alice", "secret-1")
        provider = credentials.cdse_token_provider(basic, session=None, token_url="http://t")
        assert "secret-1" not in repr(provider)
        oauth = QgsAuthMethodConfig("OAuth2")
        oauth.setName("sentinel hub")
        oauth.setConfig(
            "oauth2config", '{"clientId": "cid", "clientSecret": "csecret", "tokenUrl": "http://x"}'
        )
        assert manager.storeAuthenticationConfig(oauth)
        try:
            hub = credentials.sentinelhub_token_provider(oauth.id(), session=None)
            assert "csecret" not in repr(hub) and "cid" in repr(hub)
            with pytest.raises(credentials.CredentialsError, match="'Basic'"):
                credentials.basic_credentials(oauth.id())
        finally:
            manager.removeAuthenticationConfig(oauth.id())
    finally:
        manager.removeAuthenticationConfig(basic)
    with pytest.raises(credentials.CredentialsError, match="cannot be read"):
        credentials.basic_credentials("nope123")
