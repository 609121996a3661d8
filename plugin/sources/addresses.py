"""Source addresses: which kind of source an address is, its Sentinel Hub base URL, how it is
shown in messages, and the STAC search module that reads STAC sources. Pure: no Qt or QGIS.

Sources (``source_kind``):
- CLMS CTY/CTYCL: a STAC API root (default CDSE) or a static ``catalog.json``;
- OSO, in this order: empty, Sentinel Hub (default); raster URL(s) (``.tif``, ``.tiff``,
  ``.vrt``), ``{year}`` being replaced: one 3-band raster (the bands of
  ``products.OSO_BANDS``) or three rasters separated by ``|`` in that order; a ``.json`` address, a
  STAC catalogue; a Sentinel Hub service: a Sentinel Hub host (``*.sentinel-hub.com``,
  ``sh.dataspace.copernicus.eu``), an address without a path (every Sentinel Hub deployment's
  base URL) or one whose path holds ``/api/v1`` (a process or catalog API URL); any other
  address, a STAC API root. The STAC sources hold the OSO rasters in collection ``oso``.
"""

from __future__ import annotations

from types import ModuleType
from urllib.parse import SplitResult, urlsplit, urlunsplit

from .. import dependencies
from ..domain import products
from ..net.http import redact_url
from .request import CLMS_PRODUCTS, OSO_PRODUCTS, FetchError

SENTINEL_HUB_DOMAIN = "sentinel-hub.com"
SENTINEL_HUB_HOSTS = ("sh.dataspace.copernicus.eu",)  # besides *.sentinel-hub.com
SENTINEL_HUB_API = "/api/v1"
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt")


def _sentinel_hub_host(parts: SplitResult) -> bool:
    host = (parts.hostname or "").lower()
    return (
        host == SENTINEL_HUB_DOMAIN
        or host.endswith("." + SENTINEL_HUB_DOMAIN)
        or host in SENTINEL_HUB_HOSTS
    )


def _is_sentinel_hub(parts: SplitResult) -> bool:
    if _sentinel_hub_host(parts):
        return True
    if parts.scheme.lower() not in ("http", "https"):
        return False
    path = parts.path.lower().rstrip("/")
    return not path or path.endswith(SENTINEL_HUB_API) or SENTINEL_HUB_API + "/" in path


def sentinelhub_base_url(source_url: str) -> str:
    """The Sentinel Hub base URL of an OSO source: its scheme and host, and for another host
    the path before ``/api/v1`` (a process or catalog API URL pasted whole)."""
    parts = urlsplit(source_url.strip())
    path = "" if _sentinel_hub_host(parts) else parts.path
    index = path.lower().find(SENTINEL_HUB_API)
    if index >= 0:
        path = path[:index]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def source_kind(product: str, source_url: str) -> str:
    """'stac', 'raster' or 'sentinelhub' for this product and source (see the module's text)."""
    path = urlsplit(source_url or "").path.lower()
    if product in CLMS_PRODUCTS:
        if path.endswith((".tif", ".tiff")):
            raise FetchError(
                f"{shown(source_url)} is a single raster, but CLMS products come from a STAC "
                "catalogue: give a STAC API root or a catalog.json."
            )
        return "stac"
    if product not in OSO_PRODUCTS:
        raise FetchError(f"Unknown product {product!r} to fetch.")
    if not source_url:
        return "sentinelhub"
    if all(
        urlsplit(part.strip()).path.lower().endswith(RASTER_SUFFIXES)
        for part in source_url.split("|")
    ):
        return "raster"
    if path.endswith(".json"):
        return "stac"
    if _is_sentinel_hub(urlsplit(source_url.strip())):
        return "sentinelhub"
    return "stac"


def shown(address: object) -> str:
    """A source address for messages: URLs without user info or query (which may hold signed
    tokens, shown as '?…'); paths as they are. Several addresses separated by '|' each."""
    return "|".join(
        redact_url(part.strip()) if "://" in part else part.strip()
        for part in str(address or "").split("|")
    )


def raster_addresses(source_url: str, year: int) -> list:
    """The raster addresses of an OSO 'raster' source for ``year``: one 3-band raster or three
    single-band ones (class, confidence, validity: ``products.OSO_BANDS``)."""
    addresses = [part.strip().replace("{year}", str(year)) for part in source_url.split("|")]
    if len(addresses) not in (1, 3):
        raise FetchError(
            f"Give one 3-band OSO raster or three rasters ({'|'.join(products.OSO_BANDS)}); "
            f"got {len(addresses)} addresses."
        )
    return addresses


def stac_search_module() -> ModuleType:
    """The STAC search module; pystac-client is imported only when a search runs, QGIS's own or
    the copy shipped with the plugin (plugin/dependencies.py). Any failure to import it (missing,
    too old a Python for the shipped copy, an installed pystac that does not suit it) is a
    FetchError that says what to do: the dock and the algorithms show it, never a traceback."""
    dependencies.apply()  # decided once, when the plugin loaded; here for other entry points
    try:
        from . import stac_search
    except Exception as error:  # noqa: BLE001 (a third-party import may fail in any way)
        raise FetchError(dependencies.search_unavailable(error)) from None
    return stac_search
