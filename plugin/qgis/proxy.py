"""The QGIS proxy settings as a requests ``proxies`` mapping (kept in memory only)."""

from urllib.parse import quote

from qgis.core import QgsSettings

HTTP_PROXY_TYPES = ("HttpProxy", "HttpCachingProxy", "DefaultProxy")


def qgis_proxies(settings=None):
    """{'http': url, 'https': url} from Settings > Options > Network, or None."""
    settings = settings or QgsSettings()
    if str(settings.value("proxy/proxyEnabled", False)).lower() not in ("true", "1"):
        return None
    proxy_type = settings.value("proxy/proxyType", "HttpProxy")
    host = settings.value("proxy/proxyHost", "")
    if not host or proxy_type not in HTTP_PROXY_TYPES + ("Socks5Proxy",):
        return None
    port = settings.value("proxy/proxyPort", "")
    user = settings.value("proxy/proxyUser", "")
    password = settings.value("proxy/proxyPassword", "")
    scheme = "socks5h" if proxy_type == "Socks5Proxy" else "http"
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    address = f"{scheme}://{credentials}{host}{':' + str(port) if port else ''}"
    return {"http": address, "https": address}
