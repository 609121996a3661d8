"""What a search finds for the dock: one row per tile or file, asked of the source itself.

CLMS and OSO STAC sources are searched by area and year. Sentinel Hub's catalogue lists the
OSO tiles of the year over the area (it needs the OAuth client). A direct OSO raster is
probed: a local file must exist and overlap the area; a URL must answer, and says its size
and whether it allows range reads. Pure: no Qt or QGIS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional
from urllib.parse import urlsplit

from ..domain import products
from .addresses import (
    raster_addresses,
    sentinelhub_base_url,
    shown,
    source_kind,
    stac_search_module,
)
from .geo import WGS84, transform_bbox
from .request import CLMS_PRODUCTS, OSO_BANDS, OSO_STAC_COLLECTION, FetchError

if TYPE_CHECKING:
    import requests

    from ..net.trusted import TokenProvider

OSO_LAYERS = "OCS + Confidence + Validity"


class NothingFound(FetchError):
    """The source holds nothing for the year over the area; the message says why."""


@dataclass(frozen=True)
class SearchRow:
    tile: str
    year: int
    layers: str
    size: Optional[int]  # bytes of the whole files, None when unknown
    bbox: Optional[tuple]  # footprint, west, south, east, north (WGS 84)
    ranges: Optional[bool] = None  # False: the server sends whole files only


class SearchRows(list):
    """The SearchRow list a search found. ``truncated``: the source's listing stopped at its
    limit of ``limit`` items, so tiles of the area may be missing (the user is told)."""

    def __init__(
        self, rows: Iterable[SearchRow] = (), truncated: bool = False, limit: Optional[int] = None
    ):
        super().__init__(rows)
        self.truncated = truncated
        self.limit = limit


@dataclass
class SearchOptions:
    proxies: Optional[dict] = None
    session: Optional[requests.Session] = None  # http.make_session(); Sentinel Hub, probes
    sentinelhub_tokens: Optional[TokenProvider] = None  # token provider (auth.py)
    sentinelhub_collection: str = ""
    is_cancelled: Optional[Callable[[], bool]] = None


def search(
    product: str, year: int, source: str, bbox_4326: tuple, options: SearchOptions | None = None
) -> SearchRows:
    """The rows for ``product`` and ``year`` over ``bbox_4326`` in ``source`` (empty: the
    default service), with whether the listing was cut at its limit. Raises NothingFound or
    FetchError with a message for the user."""
    options = options or SearchOptions()
    kind = source_kind(product, source)
    if product in CLMS_PRODUCTS:
        return _clms_rows(product, year, source, bbox_4326, options)
    if kind == "stac":
        return _oso_stac_rows(year, source, bbox_4326, options)
    if kind == "sentinelhub":
        return SearchRows(_sentinelhub_rows(year, source, bbox_4326, options))
    return SearchRows(_raster_rows(year, source, bbox_4326, options))


def _stac_options(stac, options):
    return {
        "proxies": options.proxies,
        "is_cancelled": options.is_cancelled,
        "max_items": stac.DEFAULT_MAX_ITEMS,  # read now: the one limit, quoted when reached
    }


def _clms_rows(product, year, source, bbox_4326, options):
    stac = stac_search_module()
    read = _stac_options(stac, options)
    found = stac.search_products(source or stac.CDSE_STAC_URL, bbox_4326, year, **read)
    rows = SearchRows(truncated=found.truncated, limit=read["max_items"])
    for tile in found.products:
        assets = [tile.cty, tile.ctycl] if product == products.CTY_CTYCL else [tile.ctycl]
        if None in assets:
            continue
        sizes = [asset.size for asset in assets]
        rows.append(
            SearchRow(
                tile=tile.tile,
                year=tile.year,
                layers="CTY + CTYCL" if product == products.CTY_CTYCL else "CTYCL",
                size=None if None in sizes else sum(sizes),
                bbox=tile.bbox,
            )
        )
    return rows


def _oso_stac_rows(year, source, bbox_4326, options):
    stac = stac_search_module()
    read = _stac_options(stac, options)
    items = stac.search_items(source, bbox_4326, year, (OSO_STAC_COLLECTION,), **read)
    bboxes = {item.id: item.bbox for item in items}
    rows = [
        SearchRow(
            tile=asset.item_id,
            year=year,
            layers=OSO_LAYERS,
            size=asset.size,
            bbox=tuple(bboxes[asset.item_id]) if bboxes.get(asset.item_id) else None,
        )
        for asset in stac.data_assets(items)
    ]
    return SearchRows(rows, truncated=len(items) >= read["max_items"], limit=read["max_items"])


def _sentinelhub_rows(year, source, bbox_4326, options):
    from . import sentinelhub

    if options.sentinelhub_tokens is None:
        raise FetchError(
            "Searching OSO on Sentinel Hub needs its OAuth client: choose an authentication "
            "configuration holding the client id and secret (Credentials)."
        )
    client_options = {"base_url": sentinelhub_base_url(source)} if source else {}
    if options.sentinelhub_collection:
        client_options["collection_id"] = options.sentinelhub_collection
    if options.session is not None:
        client_options["session"] = options.session
    try:
        tiles = sentinelhub.search_tiles(
            bbox_4326, year, options.sentinelhub_tokens, crs="EPSG:4326", **client_options
        )
    except sentinelhub.OutsideCoverage as error:
        raise NothingFound(str(error)) from None
    return [
        SearchRow(tile=tile.id, year=year, layers=OSO_LAYERS, size=None, bbox=tile.bbox)
        for tile in tiles
    ]


def _raster_rows(year, source, bbox_4326, options):
    addresses = raster_addresses(source, year)
    layers = [OSO_LAYERS] if len(addresses) == 1 else list(OSO_BANDS)
    return [
        _raster_row(address, layer, year, bbox_4326, options)
        for address, layer in zip(addresses, layers)
    ]


def _raster_row(address, layers, year, bbox_4326, options):
    from .paths import local_path

    path = local_path(address)
    if path is not None:
        return _local_raster_row(path, layers, year, bbox_4326)
    if urlsplit(address).scheme.lower() in ("http", "https"):
        return _remote_raster_row(address, layers, year, bbox_4326, options)
    raise FetchError(
        f"Cannot search {shown(address)}: give an http(s) address or a local file path."
    )


def _remote_raster_row(url, layers, year, bbox_4326, options):
    from .clip import ClipError, probe_ranges

    name = os.path.basename(urlsplit(url).path)
    try:
        probe = probe_ranges(url, session=options.session)
    except ClipError as error:
        raise FetchError(str(error)) from None
    if probe.status == 404:
        raise NothingFound(
            f"No OSO {year} raster at {shown(url)} (HTTP 404). Only the 2018 national file "
            "name is known (OCS_2018_CESBIO.tif); check the address for this year."
        )
    if probe.status in (401, 403):
        raise FetchError(
            f"{shown(url)} refused access (HTTP {probe.status}): the file needs a login this "
            "plugin does not send for direct rasters; download it by hand."
        )
    if probe.status >= 400 and probe.status != 416:
        raise FetchError(f"{shown(url)} answered HTTP {probe.status}; try again later.")
    # The footprint of a remote file is not read here: the area stands for it.
    return SearchRow(
        tile=name, year=year, layers=layers, size=probe.size, bbox=bbox_4326, ranges=probe.ranges
    )


def _local_raster_row(path, layers, year, bbox_4326):
    import rasterio
    from rasterio.errors import RasterioError

    from .fetch_oso import missing_oso_raster

    if not os.path.isfile(path):
        raise NothingFound(missing_oso_raster(year, path))
    try:
        with rasterio.open(path) as dataset:
            footprint = transform_bbox(dataset.bounds, dataset.crs, WGS84)
    except (RasterioError, ValueError) as error:
        raise FetchError(
            f"Cannot read the OSO raster '{path}': {error}. Check that it is a complete "
            "georeferenced raster."
        ) from None
    west, south, east, north = bbox_4326
    if not (
        footprint[0] < east
        and west < footprint[2]
        and footprint[1] < north
        and south < footprint[3]
    ):
        raise NothingFound(
            f"The OSO raster '{path}' covers longitude {footprint[0]:.4f} to {footprint[2]:.4f}, "
            f"latitude {footprint[1]:.4f} to {footprint[3]:.4f}: not the area. Choose an area "
            "inside it, or another file."
        )
    return SearchRow(
        tile=os.path.basename(path),
        year=year,
        layers=layers,
        size=os.path.getsize(path),
        bbox=tuple(footprint),
        ranges=True,
    )
