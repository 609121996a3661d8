"""Find CLMS HRL VLCC Crop Types (CTY) and Confidence Layer (CTYCL) products.

Searches a STAC API (CDSE by default, any STAC API otherwise) with pystac-client,
or walks a static STAC catalogue, and groups the items into one product per tile
and year. Pure Python: no Qt, no QGIS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlparse

import pystac
from pystac_client import ConformanceClasses

from .hrefs import Catalogue, resolve_href
from .paths import is_windows_drive_path, local_path
from .stac_client import RequestTracker, StacSearchError, opened_client, reading

CDSE_STAC_URL = "https://stac.dataspace.copernicus.eu/v1"
CTY_COLLECTION = "clms_vlcc_crop-types_europe_10m_yearly_v1"
CTYCL_COLLECTION = "clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1"
DEFAULT_COLLECTIONS = (CTY_COLLECTION, CTYCL_COLLECTION)
CTY, CTYCL = "CTY", "CTYCL"

DEFAULT_PAGE_SIZE = 100
DEFAULT_MAX_ITEMS = 5000  # bounds a search whose "next" links never end
MAX_DEPTH = 64  # levels of sub-catalogues a static catalogue may have

ITEM_ID = re.compile(
    r"^CLMS_HRLVLCC_(?P<layer>CTYCL|CTY)_S(?P<year>\d{4})_R\d+m_"
    r"(?P<tile>E\d+N\d+)_(?P<epsg>\d{4,5})_V(?P<version>\d+)_R(?P<revision>\d+)$"
)
TIFF_SUFFIXES = (".tif", ".tiff")
# A Windows drive path, possibly behind ./ (see _absolute_href).
_RELATIVE_DRIVE_PATH = re.compile(r"^(?:\./)*([A-Za-z]:[\\/].*)$", re.DOTALL)


@dataclass(frozen=True)
class ProductAsset:
    """The raster of one CTY or CTYCL item."""

    item_id: str
    collection: str
    href: str  # best href to open: https alternate, else the main href (a file as a path)
    https_href: Optional[str]
    s3_href: Optional[str]
    auth_refs: tuple  # auth schemes the chosen href needs, e.g. ("oidc",)
    media_type: Optional[str]
    size: Optional[int]
    checksum: Optional[str]  # multihash, hex
    version: int
    revision: int


@dataclass(frozen=True)
class TileProduct:
    """CTY and CTYCL of one tile and year (either may be missing from the catalogue)."""

    tile: str  # "E38N26"
    year: int
    epsg: int
    cty: Optional[ProductAsset]
    ctycl: Optional[ProductAsset]
    bbox: tuple  # EPSG:4326 (west, south, east, north)
    geometry: Optional[dict]  # GeoJSON footprint, EPSG:4326

    @property
    def key(self) -> str:
        return f"{self.tile}_{self.epsg}_{self.year}"

    @property
    def complete(self) -> bool:
        return self.cty is not None and self.ctycl is not None

    @property
    def total_size(self) -> int | None:
        """Bytes to download, or None when an asset does not give its size."""
        # Sizes are int or None; summed only when none is None.
        sizes: list[Any] = [asset.size for asset in (self.cty, self.ctycl) if asset is not None]
        return None if not sizes or None in sizes else sum(sizes)


@dataclass(frozen=True)
class IgnoredItem:
    item_id: str
    reason: str


@dataclass(frozen=True)
class SearchResult:
    products: tuple  # TileProduct, sorted by EPSG, tile and year
    ignored: tuple  # IgnoredItem: items that could not be used
    source: str
    truncated: bool = False  # max_items reached: there may be more products


def search_products(
    source: str | Path,
    bbox_4326: Sequence[float],
    year: int,
    collections: Sequence[str] = DEFAULT_COLLECTIONS,
    max_items: int = DEFAULT_MAX_ITEMS,
    **search_options: Any,
) -> SearchResult:
    """CTY/CTYCL products of ``year`` intersecting ``bbox_4326`` (west, south, east, north).

    ``source`` is a STAC API root URL (e.g. CDSE_STAC_URL) or a static catalogue
    (``catalog.json`` path or URL). At most ``max_items`` items are read.
    ``search_options`` are those of ``search_items`` (method, page_size, tries,
    backoff, timeout, headers, proxies).
    Raises StacSearchError when the service cannot be used.
    """
    items = search_items(
        source, bbox_4326, year, collections, max_items=max_items, **search_options
    )
    with reading(RequestTracker(str(source))):  # items with malformed fields
        products, ignored = group_items(items, int(year))
    truncated = max_items is not None and len(items) >= max_items
    return SearchResult(tuple(products), tuple(ignored), str(source), truncated)


def search_items(
    source: str | Path,
    bbox_4326: Sequence[float],
    year: int,
    collections: Sequence[str],
    method: str = "POST",
    page_size: int = DEFAULT_PAGE_SIZE,
    max_items: int = DEFAULT_MAX_ITEMS,
    **read_options: Any,
) -> list[pystac.Item]:
    """The pystac Items of ``collections`` and ``year`` over ``bbox_4326``, ungrouped.

    ``read_options`` are those of ``stac_client.opened_client`` (tries, backoff, timeout, headers,
    proxies, is_cancelled).
    """
    bbox = _check_bbox(bbox_4326)
    year = int(year)
    tracker = RequestTracker(str(source), read_options.get("is_cancelled"))
    with reading(tracker), opened_client(source, tracker, **read_options) as client:
        if client.conforms_to(ConformanceClasses.ITEM_SEARCH):
            search = client.search(
                collections=list(collections),
                bbox=bbox,
                datetime=f"{year}-01-01/{year}-12-31",
                method=method,
                limit=page_size,
                max_items=max_items,
            )
            items = list(search.items())
        else:
            items = list(_walk_static(client, set(collections), bbox, year, max_items))
        catalogue = Catalogue.of(source)
        for item in items:
            _resolve_data_hrefs(item, catalogue)
    return items


def _resolve_data_hrefs(item: pystac.Item, catalogue: Catalogue) -> None:
    """The hrefs of the item's data assets (and their alternates) made absolute by the one
    resolver (hrefs.py): an UnsafeHrefError for a href the catalogue may not point to."""
    base = item.get_self_href()
    for asset in _data_candidates(item):
        asset.href = resolve_href(asset.href, catalogue, base)
        alternates = asset.extra_fields.get("alternate")
        for entry in alternates.values() if isinstance(alternates, dict) else ():
            if isinstance(entry, dict) and "href" in entry:
                entry["href"] = resolve_href(entry["href"], catalogue, base)


def read_collection(
    source: str | Path, collection_id: str, **read_options: Any
) -> pystac.Collection:
    """The pystac Collection ``collection_id`` of a STAC API root or a static catalogue, read
    like ``search_items`` reads (``read_options``: see ``stac_client.opened_client``)."""
    tracker = RequestTracker(str(source), read_options.get("is_cancelled"))
    with reading(tracker), opened_client(source, tracker, **read_options) as client:
        collection = client.get_collection(collection_id)
    if collection is None:
        raise StacSearchError(
            tracker.url,
            f"The catalogue has no collection '{collection_id}'",
            "Check that the address is the right STAC API root or catalog.json.",
        )
    return collection


def data_assets(items: Iterable[pystac.Item]) -> list[ProductAsset]:
    """The GeoTIFF data asset of each item (any collection), newest first by datetime."""
    assets = []
    items = list(items)
    tracker = RequestTracker(items[0].get_self_href() or items[0].id if items else "")
    with reading(tracker):  # items with malformed fields
        for item in sorted(items, key=lambda item: str(item.datetime or ""), reverse=True):
            asset = _data_asset(item)
            if asset is not None:
                assets.append(asset)
    return assets


def group_items(
    items: Iterable[pystac.Item], year: int | None = None
) -> tuple[list[TileProduct], list[IgnoredItem]]:
    """One TileProduct per tile, EPSG and year, keeping the newest version and revision."""
    newest, ignored = _newest_layers(items, year)
    products = []
    for epsg, tile, item_year in sorted({key[:3] for key in newest}):
        cty = newest.get((epsg, tile, item_year, CTY))
        ctycl = newest.get((epsg, tile, item_year, CTYCL))
        items_found = [entry[0] for entry in (cty, ctycl) if entry is not None]
        products.append(
            TileProduct(
                tile=tile,
                year=item_year,
                epsg=epsg,
                cty=cty[1] if cty else None,
                ctycl=ctycl[1] if ctycl else None,
                bbox=_union_bbox(item.bbox for item in items_found),
                geometry=items_found[0].geometry,
            )
        )
    return products, ignored


def _newest_layers(items, year):
    """{(epsg, tile, year, layer): (item, asset)} of the newest usable items, and the others
    as IgnoredItem."""
    newest = {}
    ignored = []
    for item in items:
        match = ITEM_ID.match(item.id)
        if match is None:
            ignored.append(IgnoredItem(item.id, "id is not a CLMS HRL VLCC CTY/CTYCL id"))
            continue
        item_year = int(match["year"])
        if year is not None and item_year != year:
            ignored.append(IgnoredItem(item.id, f"product of {item_year}, not {year}"))
            continue
        asset = _data_asset(item, match)
        if asset is None:
            ignored.append(IgnoredItem(item.id, "no GeoTIFF data asset"))
            continue
        key = (_item_epsg(item, int(match["epsg"])), match["tile"], item_year, match["layer"])
        previous = newest.get(key)
        if previous is None or _rank(asset) > _rank(previous[1]):
            if previous is not None:
                ignored.append(IgnoredItem(previous[1].item_id, f"superseded by {item.id}"))
            newest[key] = (item, asset)
        else:
            ignored.append(IgnoredItem(item.id, f"superseded by {previous[1].item_id}"))
    return newest, ignored


def _rank(asset):
    return (asset.version, asset.revision)


def _check_bbox(bbox):
    if bbox is None or len(bbox) != 4:
        raise ValueError("bbox_4326 must be (west, south, east, north) in degrees.")
    west, south, east, north = (float(value) for value in bbox)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError(f"Invalid EPSG:4326 bounding box {tuple(bbox)}.")
    if west > east:
        raise ValueError(f"Bounding boxes crossing the antimeridian are not supported: {bbox}.")
    return [west, south, east, north]


def _item_epsg(item, epsg_from_id):
    code = item.properties.get("proj:code")
    if isinstance(code, str) and code.upper().startswith("EPSG:"):
        return int(code.split(":", 1)[1])
    epsg = item.properties.get("proj:epsg")
    return int(epsg) if epsg else epsg_from_id


def _is_geotiff(asset):
    media_type = (asset.media_type or "").lower()
    if media_type:
        return media_type.startswith("image/tiff") or media_type.startswith(
            "image/vnd.stac.geotiff"
        )
    return urlparse(asset.href).path.lower().endswith(TIFF_SUFFIXES)


def _data_candidates(item):
    """The GeoTIFF assets with role "data" of ``item``."""
    return [
        asset
        for asset in item.assets.values()
        if "data" in (asset.roles or []) and _is_geotiff(asset)
    ]


def _data_asset(item, match=None):
    """The GeoTIFF asset with role "data" (Cloud-Optimized first); never chosen by key."""
    candidates = _data_candidates(item)
    if not candidates:
        return None
    candidates.sort(key=lambda asset: "cloud-optimized" not in (asset.media_type or ""))
    asset = candidates[0]
    href, https_href, s3_href, auth_refs = _hrefs(asset)
    size = asset.extra_fields.get("file:size")
    return ProductAsset(
        item_id=item.id,
        collection=item.collection_id,
        href=href,
        https_href=https_href,
        s3_href=s3_href,
        auth_refs=tuple(auth_refs),
        media_type=asset.media_type,
        size=int(size) if size is not None else None,
        checksum=asset.extra_fields.get("file:checksum"),
        version=int(match["version"]) if match else 0,
        revision=int(match["revision"]) if match else 0,
    )


def _hrefs(asset):
    """(href to open, https href, s3 href, auth refs of the href to open): the https
    alternate when there is one, else the asset's own href."""
    href = _absolute_href(asset)
    alternates = asset.extra_fields.get("alternate") or {}
    https = _alternate(alternates, "https")
    s3 = _alternate(alternates, "s3")
    https_href = (
        https.get("href") if https else (href if _scheme(href) in ("http", "https") else None)
    )
    s3_href = s3.get("href") if s3 else (href if _scheme(href) == "s3" else None)
    if https:
        return https_href, https_href, s3_href, https.get("auth:refs", ())
    return href, https_href, s3_href, asset.extra_fields.get("auth:refs", ())


def _absolute_href(asset):
    """The asset's href, absolute: a URL, or for a local file its path (a file: URI decoded,
    a Windows drive path with forward slashes, as pystac gives it on Windows)."""
    href = asset.href
    # Off Windows, pystac takes C:/data/x.tif for a path relative to the item's folder, and
    # rewrites it as ./C:/data/x.tif when it reads the item.
    drive = _RELATIVE_DRIVE_PATH.match(href)
    # Else a relative href is joined to the item's.
    href = drive.group(1) if drive else (asset.get_absolute_href() or href)
    path = local_path(href)
    if path is None:
        return href
    return path.replace("\\", "/") if is_windows_drive_path(path) else path


def _alternate(alternates, scheme):
    """The alternate entry under ``scheme``, or else the first whose href uses it."""
    entry = alternates.get(scheme)
    if isinstance(entry, dict) and entry.get("href"):
        return entry
    for entry in alternates.values():
        if isinstance(entry, dict) and _scheme(entry.get("href", "")) == scheme:
            return entry
    return None


def _scheme(href):
    return urlparse(href).scheme.lower()


def _union_bbox(bboxes):
    boxes = [box for box in bboxes if box]
    if not boxes:
        return None
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def _intersects(box, query):
    return box[0] <= query[2] and query[0] <= box[2] and box[1] <= query[3] and query[1] <= box[3]


def _item_year_matches(item, year):
    match = ITEM_ID.match(item.id)
    if match:
        return int(match["year"]) == year
    start = item.common_metadata.start_datetime or item.datetime
    end = item.common_metadata.end_datetime or item.datetime
    return start is not None and start.year <= year <= end.year


def _walk_static(catalog, collections, bbox, year, max_items) -> Iterator[pystac.Item]:
    """Items of the wanted collections of a static catalogue, filtered by bbox and year."""
    found = 0
    for item in _static_items(catalog, collections):
        if item.bbox and _intersects(item.bbox, bbox) and _item_year_matches(item, year):
            found += 1
            yield item
            if found >= max_items:
                return


def _static_items(root, collections) -> Iterator[pystac.Item]:
    """The items of the wanted collections (and of their sub-catalogues), each catalogue read
    once: a catalogue that links back to one of its parents (its child is itself, or A -> B
    -> A) is a StacSearchError, never a RecursionError; so is a tree deeper than MAX_DEPTH."""
    # (catalogue, links of its parents, inside a wanted collection)
    stack: list[tuple[Any, tuple[str, ...], bool]] = [(root, (), False)]
    seen = set()
    while stack:
        catalog, parents, wanted = stack.pop()
        link = _link_of(catalog)
        if link in parents:
            raise StacSearchError(
                link,
                "The static catalogue links back to itself "
                f"({' -> '.join((*parents[parents.index(link) :], link))})",
                "A catalogue must be a tree: fix its child links.",
            )
        if link in seen:
            continue
        seen.add(link)
        if len(parents) > MAX_DEPTH:
            raise StacSearchError(
                link,
                f"The static catalogue is more than {MAX_DEPTH} catalogues deep",
                "Check the catalogue's child links.",
            )
        if wanted:
            yield from catalog.get_items()
        children = []
        for child in catalog.get_children():
            inside = wanted or child.id in collections
            if inside or not isinstance(child, pystac.Collection):
                children.append((child, (*parents, link), inside))
        stack.extend(reversed(children))


def _link_of(catalog) -> str:
    """The address a catalogue was read from, to tell it from the others."""
    href = catalog.get_self_href()
    if not href:
        return f"<catalogue {catalog.id!r} at {id(catalog):x}>"
    path = local_path(href)
    return href if path is None else str(Path(path).resolve())
