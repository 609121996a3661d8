"""CNES OSO from the Sentinel Hub BYOC collection: available years and a 10 m Lambert-93 fetch.

`available_years()` asks the Catalog API which years hold OSO tiles over an area, and
`search_tiles()` which tiles of one year.
`fetch_oso()` fetches the three OSO bands over an area through the Process API
into one 3-band uint8 GeoTIFF on the 10 m Lambert-93 lattice (see oso_pieces.py), which appears
under its final name only when complete.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from rasterio.errors import RasterioError

from ..domain import products
from ..domain.errors import CropMaskCancelled, CropMaskError
from ..net.http import is_timeout, make_session, network_reason, url_host
from ..net.status import FORBIDDEN, MISSING, RENEWED, service_message, status_error
from ..net.trusted import TokenProvider, send
from ..raster.grid import Grid
from ..raster.output import AtomicRasterWriter
from .geo import bbox_to_4326
from .oso_pieces import (
    LAMBERT93,
    Mosaic,
    PieceStopped,
    PieceUnreadable,
    lattice_grid,
    mosaic_profile,
    piece_size,
    plan_pieces,
    read_piece,
    run_pieces,
)
from .sentinelhub_catalog import CatalogTile, feature_bbox, feature_year, year_range

DEFAULT_BASE_URL = "https://services.sentinel-hub.com"
OSO_COLLECTION_ID = "9baa2732-6597-49d2-ae3b-68ba0a5386b2"
CATALOG_PATH = "/api/v1/catalog/1.0.0/search"
PROCESS_PATH = "/api/v1/process"
LAMBERT93_URI = "http://www.opengis.net/def/crs/EPSG/0/2154"

# The Process API refuses outputs larger than this in either dimension.
MAX_REQUEST_SIZE = 2500
DEFAULT_WORKERS = 3
# About 1.9 GB uncompressed and ~150 requests: beyond this, ask for a smaller area.
MAX_OUTPUT_PIXELS = 25_000 * 25_000
FIRST_OSO_YEAR = products.OSO_FIRST_YEAR
CATALOG_PAGE_LIMIT = 100
MAX_CATALOG_PAGES = 200
CHUNK_SIZE = 1 << 16

BANDS = products.OSO_BANDS
NODATA = 0
OCS_NODATA = products.OSO_NODATA
ATTRIBUTION = (
    "Value-added data processed by CNES for the Theia data center from Copernicus data "
    "(Etalab Open Licence 2.0)"
)
_EVALSCRIPT = """//VERSION=3
function setup() {
  return {
    input: [{bands: [INPUT_BANDS], units: "DN"}],
    output: {bands: BAND_COUNT, sampleType: "UINT8"}
  };
}

function evaluatePixel(sample) {
  return [SAMPLE_BANDS];
}
"""
EVALSCRIPT = (
    _EVALSCRIPT.replace("INPUT_BANDS", ", ".join(f'"{band}"' for band in BANDS))
    .replace("BAND_COUNT", str(len(BANDS)))
    .replace("SAMPLE_BANDS", ", ".join(f"sample.{band}" for band in BANDS))
)

# Generous envelopes of metropolitan France (with Corsica): EPSG:4326 and EPSG:2154.
FRANCE_4326 = (-6.0, 41.0, 10.0, 51.5)
FRANCE_2154 = (-100_000.0, 5_950_000.0, 1_400_000.0, 7_250_000.0)

log = logging.getLogger(__name__)


class SentinelHubError(CropMaskError):
    """A Sentinel Hub request failed; the message says why and what to do."""


class OutsideCoverage(SentinelHubError):
    """The area holds no OSO data (OSO covers metropolitan France only)."""


class SentinelHubCancelled(CropMaskCancelled):
    """Cancelled by the caller; no output file was left behind."""


@dataclass(frozen=True)
class OsoFetchResult:
    path: Path
    grid: Grid  # EPSG:2154, 10 m, snapped outward from the requested bounds
    requests: int  # Process API requests that returned a piece
    bytes_transferred: int  # sum of the GeoTIFF response bodies
    has_data: bool  # False when every OCS pixel is nodata (0 or 255)


def _intersects(box, other):
    return box[0] <= other[2] and other[0] <= box[2] and box[1] <= other[3] and other[1] <= box[3]


class SentinelHubOso:
    """Client for the OSO BYOC collection on a Sentinel Hub deployment.

    token_provider: an object with token() and invalidate() (see net/trusted.py), e.g. an
    auth.ClientCredentialsTokenProvider(client_id, client_secret, token_url=...).
    """

    def __init__(
        self,
        token_provider: TokenProvider,
        base_url: str = DEFAULT_BASE_URL,
        collection_id: str = OSO_COLLECTION_ID,
        session: requests.Session | None = None,
        max_request_size: int = MAX_REQUEST_SIZE,
        workers: int = DEFAULT_WORKERS,
        max_output_pixels: int = MAX_OUTPUT_PIXELS,
    ):
        if max_request_size < 1 or workers < 1:
            raise ValueError("max_request_size and workers must be at least 1")
        self.token_provider = token_provider
        self.base_url = base_url.rstrip("/")
        self.collection_id = collection_id
        self.session = session if session is not None else make_session()
        self.max_request_size = int(max_request_size)
        self.workers = int(workers)
        self.max_output_pixels = max_output_pixels

    def __repr__(self):
        return (
            f"SentinelHubOso(base_url={self.base_url!r}, "
            f"collection={self.collection_type!r}, token_provider={self.token_provider!r})"
        )

    @property
    def collection_type(self) -> str:
        return f"byoc-{self.collection_id}"

    @property
    def host(self) -> str:
        return url_host(self.base_url)

    # -- Catalog API -----------------------------------------------------------------------

    def available_years(
        self,
        bounds: Sequence[float],
        crs: Any = LAMBERT93,
        first_year: int = FIRST_OSO_YEAR,
        last_year: int | None = None,
        page_limit: int = CATALOG_PAGE_LIMIT,
    ) -> list[int]:
        """Sorted years with OSO tiles over ``bounds`` (xmin, ymin, xmax, ymax in ``crs``)."""
        last_year = last_year or datetime.datetime.now(datetime.timezone.utc).year
        bbox = self._bbox_4326(bounds, crs)
        features = self._catalog_features(bbox, first_year, last_year, page_limit)
        found = [feature_year(feature) for feature in features]
        years = {year for year in found if year is not None}
        log.debug(
            "Catalogue: %d OSO tiles, %d undated, years %s", len(found), found.count(None), years
        )
        if not found:
            raise OutsideCoverage(self._no_tiles_message(bbox, first_year, last_year))
        if not years:
            raise SentinelHubError(
                f"The Sentinel Hub catalogue lists {len(found)} OSO tiles over the area but "
                "none carries a date, so the years cannot be told; choose the year by hand."
            )
        return sorted(years)

    def search_tiles(
        self,
        bounds: Sequence[float],
        year: int,
        crs: Any = LAMBERT93,
        page_limit: int = CATALOG_PAGE_LIMIT,
    ) -> list[CatalogTile]:
        """The OSO tiles of ``year`` over ``bounds`` (xmin, ymin, xmax, ymax in ``crs``), as
        CatalogTile (id, year, WGS 84 bbox), in the catalogue's order. Raises OutsideCoverage
        when there is none."""
        bbox = self._bbox_4326(bounds, crs)
        tiles: list[CatalogTile] = []
        for feature in self._catalog_features(bbox, year, year, page_limit):
            if feature_year(feature) not in (None, int(year)):
                continue  # a catalogue that ignores the datetime filter
            tiles.append(
                CatalogTile(
                    id=str(feature.get("id") or f"{self.collection_type} tile {len(tiles) + 1}"),
                    year=int(year),
                    bbox=feature_bbox(feature),
                )
            )
        if not tiles:
            raise OutsideCoverage(self._no_tiles_message(bbox, year, year))
        return tiles

    def _catalog_features(self, bbox_4326, first_year, last_year, page_limit):
        """Every feature of the collection from ``first_year`` to ``last_year`` over the bbox,
        following ``context.next`` from page to page."""
        body = {
            "collections": [self.collection_type],
            "datetime": f"{year_range(first_year)[0]}/{year_range(last_year)[1]}",
            "bbox": list(bbox_4326),
            "limit": int(page_limit),
        }
        seen_next = set()
        for page_number in range(MAX_CATALOG_PAGES):
            response = self._post(self.base_url + CATALOG_PATH, body, "the catalogue search")
            page = self._json(response, "the catalogue search")
            page_features = page.get("features")
            if not isinstance(page_features, list):
                raise SentinelHubError(
                    f"The Sentinel Hub catalogue at {self.host} answered without a feature "
                    "list; check the base URL in the plugin settings."
                )
            yield from (feature for feature in page_features if isinstance(feature, dict))
            context = page.get("context")
            next_value = context.get("next") if isinstance(context, dict) else None
            if next_value is None:
                return
            key = json.dumps(next_value, sort_keys=True)
            if key in seen_next:
                log.warning("Catalogue paging repeats itself at page %d; stopping", page_number)
                return
            seen_next.add(key)
            body = {**body, "next": next_value}
        log.warning("Catalogue search stopped after %d pages", MAX_CATALOG_PAGES)

    def _no_tiles_message(self, bbox, first_year, last_year):
        west, south, east, north = bbox
        area = f"longitude {west:.4f} to {east:.4f}, latitude {south:.4f} to {north:.4f}"
        if not _intersects(bbox, FRANCE_4326):
            return (
                f"The area ({area}) lies outside metropolitan France: CNES OSO covers "
                "metropolitan France only. Choose an area in metropolitan France, or use "
                "another product."
            )
        years = str(first_year) if first_year == last_year else f"from {first_year} to {last_year}"
        return (
            f"Sentinel Hub holds no OSO tile {years} over the area "
            f"({area}) in collection {self.collection_type}. CNES OSO covers metropolitan "
            "France only (no overseas departments); check the area and the collection id."
        )

    @staticmethod
    def _bbox_4326(bounds, crs):
        xmin, ymin, xmax, ymax = (float(value) for value in bounds)
        if not (xmin < xmax and ymin < ymax):
            raise CropMaskError(
                f"The extent {tuple(bounds)} is empty: give xmin < xmax and ymin < ymax."
            )
        try:
            return bbox_to_4326((xmin, ymin, xmax, ymax), crs)
        except (RasterioError, ValueError) as error:
            raise CropMaskError(
                f"Cannot convert the extent {tuple(bounds)} to longitude/latitude: {error}"
            ) from None

    # -- Process API -----------------------------------------------------------------------

    def fetch_oso(
        self,
        bounds_2154: Sequence[float],
        year: int,
        out_path: str | Path,
        progress: Callable[[float], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        creation_options: Any = None,
        threads: int | None = None,
    ) -> OsoFetchResult:
        """Fetch the three OSO bands of ``year`` over ``bounds_2154`` into one
        3-band uint8 GeoTIFF at ``out_path``. progress(fraction) is called as pieces arrive;
        is_cancelled() is polled and a cancel raises SentinelHubCancelled, leaving no file."""
        year = int(year)
        if year < FIRST_OSO_YEAR:
            raise CropMaskError(f"CNES OSO starts in {FIRST_OSO_YEAR}; {year} does not exist.")
        grid = lattice_grid(bounds_2154)
        self._check_area(grid)
        pieces = plan_pieces(grid.width, grid.height, piece_size(self.max_request_size))
        size = f"{grid.width} x {grid.height} px in {len(pieces)} requests"
        log.info("Fetching OSO %d from %s: %s", year, self.host, size)
        stop = threading.Event()

        def cancelled():
            if is_cancelled is not None and is_cancelled():
                stop.set()
            return stop.is_set()

        if cancelled():
            raise SentinelHubCancelled("OSO download cancelled before any request.")
        self.token_provider.token()  # wrong credentials fail here, before any output file exists
        profile = mosaic_profile(grid, len(BANDS), NODATA, creation_options, threads)
        with AtomicRasterWriter(out_path, profile) as writer:
            mosaic = Mosaic(writer.dataset, BANDS, OCS_NODATA, len(pieces), progress)
            writer.dataset.update_tags(SOURCE="CNES OSO via Sentinel Hub", YEAR=str(year))
            writer.dataset.update_tags(ATTRIBUTION=ATTRIBUTION)
            run_pieces(
                pieces,
                lambda piece: self._fetch_piece(grid, year, piece, stop),
                mosaic.write,
                cancelled,
                stop,
                self.workers,
                SentinelHubCancelled,
            )
        if not mosaic.has_data:
            log.warning("Sentinel Hub returned no OSO data for %d over this area", year)
        return OsoFetchResult(Path(out_path), grid, len(pieces), mosaic.bytes, mosaic.has_data)

    def _check_area(self, grid):
        pixels = grid.width * grid.height
        if pixels > self.max_output_pixels:
            raise CropMaskError(
                f"The area is {grid.width} x {grid.height} px at 10 m, more than the "
                f"{self.max_output_pixels:,} px allowed in one OSO download; choose a smaller "
                "area or use the national OSO raster."
            )
        if not _intersects(grid.bounds, FRANCE_2154):
            left, bottom, right, top = grid.bounds
            raise OutsideCoverage(
                f"The extent ({left:g}, {bottom:g}, {right:g}, {top:g}) in Lambert-93 "
                "(EPSG:2154) lies outside metropolitan France: CNES OSO covers metropolitan "
                "France only. Check that the extent is given in EPSG:2154."
            )

    def process_request(self, bbox: Sequence[float], width: int, height: int, year: int) -> dict:
        """The Process API request body for one piece (bbox in EPSG:2154)."""
        start, end = year_range(year)
        return {
            "input": {
                "bounds": {"bbox": list(bbox), "properties": {"crs": LAMBERT93_URI}},
                "data": [
                    {
                        "type": self.collection_type,
                        "dataFilter": {"timeRange": {"from": start, "to": end}},
                    }
                ],
            },
            "output": {
                "width": width,
                "height": height,
                "responses": [{"identifier": "default", "format": {"type": "image/tiff"}}],
            },
            "evalscript": EVALSCRIPT,
        }

    def _fetch_piece(self, grid, year, piece, stop):
        """Worker: one Process API request -> (3 x h x w uint8 array, body size in bytes)."""
        if stop.is_set():
            raise PieceStopped()
        row, col, height, width = piece
        piece_grid = grid.window_grid(row, col, height, width)
        bbox = piece_grid.bounds
        what = f"the OSO piece at rows {row}-{row + height}, columns {col}-{col + width}"
        response = self._post(
            self.base_url + PROCESS_PATH,
            self.process_request(bbox, width, height, year),
            what,
            stream=True,
            accept="image/tiff",
            is_cancelled=stop.is_set,  # a cancel leaves a request still waiting for its answer
        )
        with contextlib.closing(response):
            body = bytearray()
            try:
                for chunk in response.iter_content(CHUNK_SIZE):
                    if stop.is_set():
                        raise PieceStopped()
                    body += chunk
            except requests.exceptions.RequestException as exc:
                raise self._network_error(exc, what) from None
        try:
            return read_piece(bytes(body), piece_grid, len(BANDS)), len(body)
        except PieceUnreadable as problem:
            raise SentinelHubError(
                f"Sentinel Hub at {self.host} answered {what} {problem}"
            ) from None

    # -- HTTP ------------------------------------------------------------------------------

    def _post(self, url, body, what, stream=False, accept="application/json", is_cancelled=None):
        """POST JSON with a bearer token (renewed once on a 401) -> the 200 response."""
        try:
            response = send(
                self.session,
                "POST",
                url,
                headers={"Accept": accept},
                token_provider=self.token_provider,
                json=body,
                stream=stream,
                is_cancelled=is_cancelled,
            )
        except requests.exceptions.RequestException as exc:
            raise self._network_error(exc, what) from None
        if response.status_code != 200:
            error = status_error(
                response.status_code,
                response.url or url,
                who=f"Sentinel Hub at {self.host}",
                what=what,
                said=service_message(response),
                token_sent=True,
                advice={
                    RENEWED: "check the OAuth client in the plugin settings.",
                    FORBIDDEN: "the account may have run out of processing units or may not "
                    f"read collection {self.collection_type}.",
                    MISSING: "check the base URL and the collection id in the plugin settings.",
                },
                error=SentinelHubError,
            )
            response.close()
            raise error
        return response

    def _network_error(self, exc, what):
        if is_timeout(exc):
            return SentinelHubError(
                f"Sentinel Hub at {self.host} did not answer in time for {what}; check the "
                "internet connection and try again."
            )
        return SentinelHubError(
            f"Could not reach Sentinel Hub at {self.host} for {what} ({network_reason(exc)}); "
            "check the internet connection and the QGIS proxy settings."
        )

    def _json(self, response, what):
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise SentinelHubError(
                f"Sentinel Hub at {self.host} answered {what} with something that is not "
                "JSON; check the base URL in the plugin settings."
            )
        return payload


def available_years(
    bounds: Sequence[float], token_provider: TokenProvider, crs: Any = LAMBERT93, **options: Any
) -> list[int]:
    """Module-level shortcut: SentinelHubOso(token_provider, ...).available_years(...)."""
    search = {k: options.pop(k) for k in ("first_year", "last_year", "page_limit") if k in options}
    return SentinelHubOso(token_provider, **options).available_years(bounds, crs=crs, **search)


def search_tiles(
    bounds: Sequence[float],
    year: int,
    token_provider: TokenProvider,
    crs: Any = LAMBERT93,
    **options: Any,
) -> list[CatalogTile]:
    """Module-level shortcut: SentinelHubOso(token_provider, ...).search_tiles(...)."""
    page_limit = options.pop("page_limit", CATALOG_PAGE_LIMIT)
    return SentinelHubOso(token_provider, **options).search_tiles(bounds, year, crs, page_limit)


def fetch_oso(
    bounds_2154: Sequence[float],
    year: int,
    out_path: str | Path,
    token_provider: TokenProvider,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    creation_options: Any = None,
    **options: Any,
) -> OsoFetchResult:
    """Module-level shortcut: SentinelHubOso(token_provider, ...).fetch_oso(...)."""
    return SentinelHubOso(token_provider, **options).fetch_oso(
        bounds_2154, year, out_path, progress, is_cancelled, creation_options
    )
