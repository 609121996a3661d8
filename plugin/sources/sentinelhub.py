"""CNES OSO from the Sentinel Hub BYOC collection: available years and a 10 m Lambert-93 fetch.

`available_years()` asks the Catalog API which years hold OSO tiles over an area, and
`search_tiles()` which tiles of one year.
`fetch_oso()` fetches OCS, OCS_Confidence and OCS_Validity over an area through the Process API,
on the 10 m Lambert-93 lattice of the national raster: the area is snapped outward to multiples
of 10 m, cut into requests of at most 2500 x 2500 px, fetched a few at a time and mosaicked
into one 3-band uint8 GeoTIFF that appears under its final name only when complete.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import json
import logging
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.io import MemoryFile
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from ..domain.errors import CropMaskCancelled, CropMaskError
from ..net.auth import SENTINEL_HUB_TOKEN_URL, ClientCredentialsTokenProvider
from ..net.http import is_timeout, make_session, network_reason, url_host
from ..raster.grid import ALIGNMENT_TOLERANCE, Grid
from ..raster.output import BLOCK_SIZE, AtomicRasterWriter, output_profile

DEFAULT_BASE_URL = "https://services.sentinel-hub.com"
OSO_COLLECTION_ID = "9baa2732-6597-49d2-ae3b-68ba0a5386b2"
CATALOG_PATH = "/api/v1/catalog/1.0.0/search"
PROCESS_PATH = "/api/v1/process"
LAMBERT93_URI = "http://www.opengis.net/def/crs/EPSG/0/2154"
LAMBERT93 = CRS.from_epsg(2154)

PIXEL_SIZE = 10.0
# The Process API refuses outputs larger than this in either dimension.
MAX_REQUEST_SIZE = 2500
DEFAULT_WORKERS = 3
# About 1.9 GB uncompressed and ~150 requests: beyond this, ask for a smaller area.
MAX_OUTPUT_PIXELS = 25_000 * 25_000
FIRST_OSO_YEAR = 2016
CATALOG_PAGE_LIMIT = 100
MAX_CATALOG_PAGES = 200
CHUNK_SIZE = 1 << 16
CANCEL_POLL_SECONDS = 0.1

BANDS = ("OCS", "OCS_Confidence", "OCS_Validity")
NODATA = 0
OCS_NODATA = (0, 255)
ATTRIBUTION = (
    "Value-added data processed by CNES for the Theia data center from Copernicus data "
    "(Etalab Open Licence 2.0)"
)
EVALSCRIPT = """//VERSION=3
function setup() {
  return {
    input: [{bands: ["OCS", "OCS_Confidence", "OCS_Validity"], units: "DN"}],
    output: {bands: 3, sampleType: "UINT8"}
  };
}

function evaluatePixel(sample) {
  return [sample.OCS, sample.OCS_Confidence, sample.OCS_Validity];
}
"""

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
class CatalogTile:
    id: str
    year: int
    bbox: tuple | None  # west, south, east, north (WGS 84), when the catalogue gives one


@dataclass(frozen=True)
class OsoFetchResult:
    path: Path
    grid: Grid  # EPSG:2154, 10 m, snapped outward from the requested bounds
    requests: int  # Process API requests that returned a piece
    bytes_transferred: int  # sum of the GeoTIFF response bodies
    has_data: bool  # False when every OCS pixel is nodata (0 or 255)


def sentinel_hub_token_provider(client_id, client_secret, token_url=SENTINEL_HUB_TOKEN_URL, **kw):
    """The OAuth client-credentials token provider Sentinel Hub expects."""
    return ClientCredentialsTokenProvider(client_id, client_secret, token_url=token_url, **kw)


def snap_outward(bounds, pixel=PIXEL_SIZE):
    """(xmin, ymin, xmax, ymax) widened to multiples of ``pixel`` (float noise tolerated)."""
    xmin, ymin, xmax, ymax = (float(value) for value in bounds)
    if not all(math.isfinite(value) for value in (xmin, ymin, xmax, ymax)):
        raise CropMaskError(f"The extent {tuple(bounds)} holds a value that is not a number.")
    if not (xmin < xmax and ymin < ymax):
        raise CropMaskError(
            f"The extent {tuple(bounds)} is empty: give xmin < xmax and ymin < ymax."
        )
    return (
        math.floor(xmin / pixel + ALIGNMENT_TOLERANCE) * pixel,
        math.floor(ymin / pixel + ALIGNMENT_TOLERANCE) * pixel,
        math.ceil(xmax / pixel - ALIGNMENT_TOLERANCE) * pixel,
        math.ceil(ymax / pixel - ALIGNMENT_TOLERANCE) * pixel,
    )


def lattice_grid(bounds_2154, pixel=PIXEL_SIZE):
    """The EPSG:2154 grid on the ``pixel`` lattice that covers ``bounds_2154``."""
    xmin, ymin, xmax, ymax = snap_outward(bounds_2154, pixel)
    width = round((xmax - xmin) / pixel)
    height = round((ymax - ymin) / pixel)
    return Grid(LAMBERT93, Affine(pixel, 0.0, xmin, 0.0, -pixel, ymax), width, height)


def piece_size(max_request_size):
    """Side of the request pieces: whole output blocks when possible (each block written once)."""
    if max_request_size >= BLOCK_SIZE:
        return max_request_size // BLOCK_SIZE * BLOCK_SIZE
    return max_request_size


def plan_pieces(width, height, size):
    """Windows (row, col, height, width) of at most ``size`` px covering the raster."""
    return [
        (row, col, min(size, height - row), min(size, width - col))
        for row in range(0, height, size)
        for col in range(0, width, size)
    ]


def _intersects(box, other):
    return box[0] <= other[2] and other[0] <= box[2] and box[1] <= other[3] and other[1] <= box[3]


def _year_range(year):
    return f"{year}-01-01T00:00:00Z", f"{year}-12-31T23:59:59Z"


def _item_year(feature):
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        return None
    for key in ("datetime", "start_datetime"):
        text = properties.get(key)
        if isinstance(text, str) and len(text) >= 4 and text[:4].isdigit():
            return int(text[:4])
    return None


def _feature_bbox(feature):
    bbox = feature.get("bbox")
    if isinstance(bbox, (list, tuple)) and len(bbox) == 4:
        try:
            values = tuple(float(value) for value in bbox)
        except (TypeError, ValueError):
            return None
        if all(math.isfinite(value) for value in values):
            return values
    return None


def _service_message(response):
    """The 'message' of a Sentinel Hub error answer, shortened; else the start of the body."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    message = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            message = error.get("message") or error.get("reason")
        elif isinstance(error, str):
            message = payload.get("error_description") or error
        message = message or payload.get("message") or payload.get("description")
    if not message:
        message = (response.text or "").strip().splitlines()[0] if response.text else ""
    return str(message).strip()[:300] or "no details"


class _Stop(Exception):
    """Internal: a worker stops because the run was cancelled or failed elsewhere."""


class SentinelHubOso:
    """Client for the OSO BYOC collection on a Sentinel Hub deployment.

    token_provider: an object with token() and invalidate() (see auth.py), e.g. from
    sentinel_hub_token_provider(client_id, client_secret, token_url=...).
    """

    def __init__(
        self,
        token_provider,
        base_url=DEFAULT_BASE_URL,
        collection_id=OSO_COLLECTION_ID,
        session=None,
        max_request_size=MAX_REQUEST_SIZE,
        workers=DEFAULT_WORKERS,
        max_output_pixels=MAX_OUTPUT_PIXELS,
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
        self._token_lock = threading.Lock()

    def __repr__(self):
        return (
            f"SentinelHubOso(base_url={self.base_url!r}, "
            f"collection={self.collection_type!r}, token_provider={self.token_provider!r})"
        )

    @property
    def collection_type(self):
        return f"byoc-{self.collection_id}"

    @property
    def host(self):
        return url_host(self.base_url)

    # -- Catalog API -----------------------------------------------------------------------

    def available_years(
        self,
        bounds,
        crs=LAMBERT93,
        first_year=FIRST_OSO_YEAR,
        last_year=None,
        page_limit=CATALOG_PAGE_LIMIT,
    ):
        """Sorted years with OSO tiles over ``bounds`` (xmin, ymin, xmax, ymax in ``crs``)."""
        last_year = last_year or datetime.datetime.now(datetime.timezone.utc).year
        bbox = self._bbox_4326(bounds, crs)
        years, features, undated = set(), 0, 0
        for feature in self._catalog_features(bbox, first_year, last_year, page_limit):
            year = _item_year(feature)
            features += 1
            if year is None:
                undated += 1
            else:
                years.add(year)
        log.debug("Catalogue: %d OSO tiles, %d without a date, years %s", features, undated, years)
        if not features:
            raise OutsideCoverage(self._no_tiles_message(bbox, first_year, last_year))
        if not years:
            raise SentinelHubError(
                f"The Sentinel Hub catalogue lists {features} OSO tiles over the area but "
                "none carries a date, so the years cannot be told; choose the year by hand."
            )
        return sorted(years)

    def search_tiles(self, bounds, year, crs=LAMBERT93, page_limit=CATALOG_PAGE_LIMIT):
        """The OSO tiles of ``year`` over ``bounds`` (xmin, ymin, xmax, ymax in ``crs``), as
        CatalogTile (id, year, WGS 84 bbox), in the catalogue's order. Raises OutsideCoverage
        when there is none."""
        bbox = self._bbox_4326(bounds, crs)
        tiles = []
        for feature in self._catalog_features(bbox, year, year, page_limit):
            feature_year = _item_year(feature)
            if feature_year not in (None, int(year)):
                continue  # a catalogue that ignores the datetime filter
            tiles.append(
                CatalogTile(
                    id=str(feature.get("id") or f"{self.collection_type} tile {len(tiles) + 1}"),
                    year=int(year),
                    bbox=_feature_bbox(feature),
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
            "datetime": f"{_year_range(first_year)[0]}/{_year_range(last_year)[1]}",
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
            return tuple(transform_bounds(crs, "EPSG:4326", xmin, ymin, xmax, ymax, densify_pts=21))
        except (RasterioError, ValueError) as error:
            raise CropMaskError(
                f"Cannot convert the extent {tuple(bounds)} to longitude/latitude: {error}"
            ) from None

    # -- Process API -----------------------------------------------------------------------

    def fetch_oso(
        self,
        bounds_2154,
        year,
        out_path,
        progress=None,
        is_cancelled=None,
        creation_options=None,
        threads=None,
    ):
        """Fetch OCS / OCS_Confidence / OCS_Validity of ``year`` over ``bounds_2154`` into one
        3-band uint8 GeoTIFF at ``out_path``. progress(fraction) is called as pieces arrive;
        is_cancelled() is polled and a cancel raises SentinelHubCancelled, leaving no file."""
        year = int(year)
        if year < FIRST_OSO_YEAR:
            raise CropMaskError(f"CNES OSO starts in {FIRST_OSO_YEAR}; {year} does not exist.")
        grid = lattice_grid(bounds_2154)
        self._check_area(grid)
        pieces = plan_pieces(grid.width, grid.height, piece_size(self.max_request_size))
        log.info(
            "Fetching OSO %d from %s: %d x %d px in %d requests",
            year,
            self.host,
            grid.width,
            grid.height,
            len(pieces),
        )
        stop = threading.Event()

        def cancelled():
            if is_cancelled is not None and is_cancelled():
                stop.set()
            return stop.is_set()

        if cancelled():
            raise SentinelHubCancelled("OSO download cancelled before any request.")
        self._token()  # wrong credentials fail here, before any output file exists
        profile = output_profile(
            grid,
            np.dtype("uint8"),
            NODATA,
            threads or min(4, os.cpu_count() or 1),
            creation_options,
        )
        profile.update(count=len(BANDS), photometric="MINISBLACK", interleave="band")
        state = {"bytes": 0, "data": False, "done": 0}
        with AtomicRasterWriter(out_path, profile) as writer:
            dataset = writer.dataset
            for index, name in enumerate(BANDS, start=1):
                dataset.set_band_description(index, name)
            dataset.update_tags(SOURCE="CNES OSO via Sentinel Hub", YEAR=str(year))
            dataset.update_tags(ATTRIBUTION=ATTRIBUTION)

            def write(piece, array, size):
                row, col, height, width = piece
                dataset.write(array, window=Window(col, row, width, height))
                state["bytes"] += size
                state["data"] = state["data"] or bool(np.any(~np.isin(array[0], OCS_NODATA)))
                state["done"] += 1
                if progress is not None:
                    progress(state["done"] / len(pieces))

            if progress is not None:
                progress(0.0)
            self._run_pieces(grid, year, pieces, write, cancelled, stop)
        if not state["data"]:
            log.warning("Sentinel Hub returned no OSO data for %d over this area", year)
        return OsoFetchResult(Path(out_path), grid, len(pieces), state["bytes"], state["data"])

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

    def _run_pieces(self, grid, year, pieces, write, cancelled, stop):
        """Fetch the pieces a few at a time; write each (in this thread) as it arrives."""
        pending_pieces = list(reversed(pieces))
        running = {}
        executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="sentinelhub"
        )
        try:
            while pending_pieces or running:
                if cancelled():
                    finished = len(pieces) - len(pending_pieces) - len(running)
                    raise SentinelHubCancelled(
                        f"OSO download cancelled after {finished} of {len(pieces)} pieces; "
                        "no file was written."
                    )
                while pending_pieces and len(running) < self.workers:
                    piece = pending_pieces.pop()
                    future = executor.submit(self._fetch_piece, grid, year, piece, stop)
                    running[future] = piece
                done, _ = concurrent.futures.wait(
                    running,
                    timeout=CANCEL_POLL_SECONDS,
                    return_when=concurrent.futures.FIRST_COMPLETED,
                )
                for future in done:
                    piece = running.pop(future)
                    try:
                        array, size = future.result()
                    except _Stop:
                        continue
                    write(piece, array, size)
            if stop.is_set():
                raise SentinelHubCancelled("OSO download cancelled; no file was written.")
        except BaseException:
            stop.set()
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def process_request(self, bbox, width, height, year):
        """The Process API request body for one piece (bbox in EPSG:2154)."""
        start, end = _year_range(year)
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
            raise _Stop()
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
        )
        with contextlib.closing(response):
            body = bytearray()
            try:
                for chunk in response.iter_content(CHUNK_SIZE):
                    if stop.is_set():
                        raise _Stop()
                    body += chunk
            except requests.exceptions.RequestException as exc:
                raise self._network_error(exc, what) from None
        return self._decode(bytes(body), piece_grid, what), len(body)

    def _decode(self, body, piece_grid, what):
        try:
            with MemoryFile(body) as memory, memory.open() as dataset:
                shape = (dataset.count, dataset.height, dataset.width)
                dtypes = set(dataset.dtypes)
                transform = dataset.transform
                array = dataset.read() if shape[0] == len(BANDS) else None
        except RasterioError:
            raise SentinelHubError(
                f"Sentinel Hub at {self.host} answered {what} with something that is not a "
                "GeoTIFF; try again later."
            ) from None
        expected = (len(BANDS), piece_grid.height, piece_grid.width)
        if shape != expected or dtypes != {"uint8"}:
            raise SentinelHubError(
                f"Sentinel Hub at {self.host} answered {what} with a {shape[0]}-band "
                f"{shape[2]} x {shape[1]} px {'/'.join(sorted(dtypes))} image, expected 3 "
                f"uint8 bands of {piece_grid.width} x {piece_grid.height} px; check the "
                "collection id in the plugin settings."
            )
        if not transform.is_identity and not transform.almost_equals(
            piece_grid.transform, precision=PIXEL_SIZE * 1e-3
        ):
            raise SentinelHubError(
                f"Sentinel Hub at {self.host} answered {what} on another grid "
                f"({tuple(transform)[:6]} instead of {tuple(piece_grid.transform)[:6]}); "
                "the pieces cannot be mosaicked on the 10 m Lambert-93 grid."
            )
        return array

    # -- HTTP ------------------------------------------------------------------------------

    def _token(self):
        return self.token_provider.token()

    def _renew_token(self, refused):
        """Forget the refused token unless another thread already renewed it."""
        with self._token_lock:
            if self._token() == refused:
                self.token_provider.invalidate()

    def _post(self, url, body, what, stream=False, accept="application/json"):
        """POST JSON with a bearer token, renewing the token once on a 401 -> 200 response."""
        renewed = False
        while True:
            token = self._token()
            headers = {"Authorization": f"Bearer {token}", "Accept": accept}
            try:
                response = self.session.post(url, json=body, headers=headers, stream=stream)
            except requests.exceptions.RequestException as exc:
                raise self._network_error(exc, what) from None
            if response.status_code == 401 and not renewed:
                response.close()
                log.info("%s refused the access token; renewing it once", self.host)
                self._renew_token(token)
                renewed = True
                continue
            if response.status_code != 200:
                error = self._status_error(response, what)
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

    def _status_error(self, response, what):
        status = response.status_code
        message = _service_message(response)
        if status == 401:
            return SentinelHubError(
                f"Sentinel Hub at {self.host} refused a freshly renewed access token for "
                f"{what} (HTTP 401: {message}); check the OAuth client in the plugin settings."
            )
        if status == 403:
            return SentinelHubError(
                f"Sentinel Hub at {self.host} refused {what} (HTTP 403: {message}): the account "
                "may have run out of processing units or may not read collection "
                f"{self.collection_type}."
            )
        if status == 404:
            return SentinelHubError(
                f"Sentinel Hub at {self.host} does not know {what} (HTTP 404: {message}); "
                "check the base URL and the collection id in the plugin settings."
            )
        if status == 429 or status >= 500:
            return SentinelHubError(
                f"Sentinel Hub at {self.host} answered HTTP {status} for {what}, even after "
                "several retries; the service is busy or down: try again later."
            )
        return SentinelHubError(
            f"Sentinel Hub at {self.host} refused {what} (HTTP {status}: {message})."
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


def available_years(bounds, token_provider, crs=LAMBERT93, **options):
    """Module-level shortcut: SentinelHubOso(token_provider, ...).available_years(...)."""
    search = {k: options.pop(k) for k in ("first_year", "last_year", "page_limit") if k in options}
    return SentinelHubOso(token_provider, **options).available_years(bounds, crs=crs, **search)


def search_tiles(bounds, year, token_provider, crs=LAMBERT93, **options):
    """Module-level shortcut: SentinelHubOso(token_provider, ...).search_tiles(...)."""
    page_limit = options.pop("page_limit", CATALOG_PAGE_LIMIT)
    return SentinelHubOso(token_provider, **options).search_tiles(bounds, year, crs, page_limit)


def fetch_oso(bounds_2154, year, out_path, token_provider, progress=None, is_cancelled=None,
              creation_options=None, **options):  # fmt: skip
    """Module-level shortcut: SentinelHubOso(token_provider, ...).fetch_oso(...)."""
    return SentinelHubOso(token_provider, **options).fetch_oso(
        bounds_2154, year, out_path, progress, is_cancelled, creation_options
    )
