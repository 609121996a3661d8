"""AOI clipping: read only the parts of (cloud-optimised) GeoTIFFs that cover an area.

``clip_to_area`` opens one or more rasters on the same grid through GDAL (``/vsicurl/`` for
HTTP(S), ``/vsis3/`` for ``s3://``, local paths and ``file:`` URIs as files: see ``local_path``),
reads the grid-aligned window that covers the area block by block (so that only the needed COG
tiles travel over the network) and writes one Cloud-Optimized GeoTIFF on the sources' own grid:
never resampled, same dtype, nodata, band descriptions and colour table. With several sources
(adjacent tiles) it writes one mosaic; pixels that no source covers get the nodata value.

Secrets (bearer tokens, S3 keys) are handed to GDAL as thread-local configuration options held
in memory for the duration of the call; they never appear in a GDAL file name, in a message or
in the output. GDAL's messages raised during the call are caught, and any secret or URL query
is removed from them before they reach an exception.

``supports_ranges`` tells whether a server honours HTTP range requests, so that the caller can
fall back to downloading the whole file when it does not (``clip_to_area`` raises
``RangesNotSupported`` then).
"""

import contextlib
import json
import logging
import math
import os
import re
import threading
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urljoin, urlsplit

import numpy as np
import requests
from affine import Affine
from osgeo import gdal
from rasterio.crs import CRS
from rasterio.errors import CRSError
from rasterio.warp import transform_bounds

from ..domain.errors import CropMaskCancelled, CropMaskError
from ..domain.redaction import redact_text
from ..net.http import is_timeout, make_session, network_reason, redact_url, url_host, user_agent
from ..net.trusted import bearer_allowed
from ..raster.grid import (
    ALIGNMENT_TOLERANCE,
    Grid,
    block_windows,
    check_compatible,
    offset_in,
    window_steps,
)

log = logging.getLogger(__name__)

CDSE_S3_ENDPOINT = "eodata.dataspace.copernicus.eu"
# Reads: windows of whole source blocks, about this many pixels wide and high.
WINDOW_SIZE = 1024
OUTPUT_BLOCK = 512
DEFAULT_COG_OPTIONS = {
    "COMPRESS": "DEFLATE",
    "LEVEL": "6",
    "BLOCKSIZE": str(OUTPUT_BLOCK),
    "OVERVIEWS": "AUTO",
    "RESAMPLING": "NEAREST",  # class codes and probabilities: never averaged
    "BIGTIFF": "IF_SAFER",
    "NUM_THREADS": "ALL_CPUS",
}
STAGING_OPTIONS = [
    "TILED=YES",
    f"BLOCKXSIZE={OUTPUT_BLOCK}",
    f"BLOCKYSIZE={OUTPUT_BLOCK}",
    "COMPRESS=ZSTD",
    "ZSTD_LEVEL=1",
    "BIGTIFF=IF_SAFER",
]
# Largest output: about 300 x 300 km at 10 m.
MAX_PIXELS = 1_000_000_000
# Share of the progress given to reading the windows; the rest is the COG conversion.
READ_SHARE = 0.9
PROBE_TIMEOUT = (15, 60)
MAX_REDIRECTS = 5
_MAX_MESSAGES = 20

_STATS_LOCK = threading.Lock()
# Header values kept out of messages: those whose name holds one of these.
_SENSITIVE_HEADER_WORDS = ("auth", "token", "key", "secret", "cookie", "session", "signature")


class ClipError(CropMaskError):
    """The area cannot be clipped from the sources; the message says why and what to do."""


class RangesNotSupported(ClipError):
    """The server sends whole files only: download the file instead of clipping it."""

    def __init__(self, message, url):
        super().__init__(message)
        self.url = url  # redacted


class ClipAuthError(ClipError):
    """The server refused the credentials (HTTP 401/403)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class ClipCancelled(CropMaskCancelled):
    """Cancelled by the caller; nothing was written under the output name."""


@dataclass(frozen=True)
class ClipResult:
    path: Path
    grid: Grid
    bytes_transferred: int  # bytes received over the network (bodies), as GDAL counted them
    requests: int  # HTTP requests (a parallel multi-range read counts once, as in GDAL)


@dataclass(frozen=True)
class RangeProbe:
    url: str  # where the data is: the address after redirects to trusted hosts
    status: int
    ranges: bool
    size: Optional[int]
    bytes_received: int
    requests: int


# -- HTTP probe ----------------------------------------------------------------------------


class _Auth:
    """Static headers, or a provider (callable returning headers, or an object with
    ``headers()`` and ``invalidate()`` such as the token providers) renewed once on a 401."""

    def __init__(self, headers=None, provider=None):
        if provider is not None and not (callable(provider) or hasattr(provider, "headers")):
            raise TypeError("headers_provider must be callable or have a headers() method")
        self._static = dict(headers or {})
        self._provider = provider
        self.renewed = False

    def current(self):
        headers = dict(self._static)
        if self._provider is not None:
            fresh = self._provider() if callable(self._provider) else self._provider.headers()
            headers.update(fresh or {})
        for key, value in headers.items():
            if any(char in f"{key}{value}" for char in "\r\n"):
                raise ClipError(f"The HTTP header {key!r} holds a line break; it cannot be sent.")
        return headers

    @property
    def has_provider(self):
        return self._provider is not None

    @property
    def can_renew(self):
        return self._provider is not None and not self.renewed

    def renew(self):
        """Forget the refused token (once per clip); the next current() fetches a new one."""
        self.renewed = True
        invalidate = getattr(self._provider, "invalidate", None)
        if invalidate is not None:
            invalidate()
        log.info("The server refused the access token; renewing it once")


def _content_total(response):
    value = response.headers.get("Content-Range", "")
    unit, _, spec = value.partition(" ")
    total = spec.rpartition("/")[2].strip()
    if unit.strip().lower() != "bytes" or not total.isdigit():
        return None
    return int(total)


def probe_ranges(url, headers=None, session=None, timeout=PROBE_TIMEOUT):
    """Ask ``url`` for its first byte (``Range: bytes=0-0``) -> RangeProbe.

    Redirects are followed here; ``headers`` only go to the original host or a trusted sibling
    (``download.bearer_allowed``). A server that answers 200 is not read further.
    """
    session = session if session is not None else make_session()
    current, hops, requests_made = url, 0, 0
    final = url
    while True:
        request_headers = {"Range": "bytes=0-0", "Accept-Encoding": "identity"}
        if bearer_allowed(url, current):
            request_headers.update(headers or {})
            final = current
        requests_made += 1
        try:
            response = session.get(
                current,
                headers=request_headers,
                stream=True,
                allow_redirects=False,
                timeout=timeout,
            )
        except requests.exceptions.RequestException as exc:
            reason = "it did not answer in time" if is_timeout(exc) else network_reason(exc)
            raise ClipError(
                f"Could not reach {url_host(current)} for {redact_url(url)} ({reason}); check "
                "the internet connection and the QGIS proxy settings."
            ) from None
        try:
            if response.is_redirect and hops < MAX_REDIRECTS:
                hops += 1
                current = urljoin(current, response.headers.get("Location", ""))
                continue
            status = response.status_code
            received = 0
            ranges = status == 206 and _content_total(response) is not None
            if ranges:
                received = len(response.raw.read(1024, decode_content=False) or b"")
            return RangeProbe(
                url=final if ranges else url,
                status=status,
                ranges=ranges,
                size=_content_total(response) if ranges else None,
                bytes_received=received,
                requests=requests_made,
            )
        finally:
            response.close()


def _status_error(url, status, renewed, detail=""):
    shown, host = redact_url(url), url_host(url)
    detail = f" GDAL: {detail}" if detail else ""
    if status == 401:
        advice = (
            "even after renewing the access token; check the account in the plugin settings"
            if renewed
            else "set up the account in the plugin settings"
        )
        return ClipAuthError(
            f"{host} asks for a login to read {shown} (HTTP 401), {advice}.{detail}", 401
        )
    if status == 403:
        return ClipAuthError(
            f"{host} refused access to {shown} (HTTP 403): the account may not be allowed to "
            f"read it, or the link needs other credentials.{detail}",
            403,
        )
    if status == 404:
        return ClipError(
            f"{shown} was not found (HTTP 404); the catalogue entry may be outdated: search "
            f"again.{detail}"
        )
    return ClipError(f"{host} answered HTTP {status} for {shown}; try again later.{detail}")


def _probe_with_auth(url, auth, session):
    """probe_ranges, renewing the token once on a 401; raises on any other HTTP error."""
    probe = probe_ranges(url, auth.current(), session)
    spent = (probe.bytes_received, probe.requests)
    if probe.status == 401 and auth.can_renew:
        auth.renew()
        probe = probe_ranges(url, auth.current(), session)
        spent = (spent[0] + probe.bytes_received, spent[1] + probe.requests)
    if probe.status >= 400 and probe.status != 416:
        raise _status_error(url, probe.status, auth.renewed)
    return probe, spent


def supports_ranges(url, headers=None, session=None, headers_provider=None, token_provider=None):
    """True when ``url`` answers a range request with 206 and a Content-Range.

    False when it sends the whole file (200), or is empty (416). Raises ClipAuthError on
    401/403 (after one token renewal when a provider is given) and ClipError on other errors.
    """
    auth = _Auth(headers, headers_provider or token_provider)
    probe, _ = _probe_with_auth(url, auth, session)
    return probe.ranges


# -- GDAL set-up ---------------------------------------------------------------------------


class _Secrets:
    """Removes secrets and URL queries from GDAL's messages."""

    def __init__(self):
        self.values = set()
        self.urls = set()

    def add(self, value):
        if value and len(str(value)) >= 4:
            self.values.add(str(value))

    def clean(self, text):
        text = str(text)
        for url in sorted(self.urls, key=len, reverse=True):
            text = text.replace(url, redact_url(url))
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, "***")
        return redact_text(text)  # what GDAL quotes in its own way (e.g. 3.10: URL?sig=…)


class _GdalSession:
    """Thread-local GDAL configuration and a thread-local error handler for one clip."""

    def __init__(self, secrets):
        self.secrets = secrets
        self.messages = []
        self.failed = False
        self._saved = {}

    def __enter__(self):
        gdal.PushErrorHandler(self._handle)
        return self

    def __exit__(self, *exc):
        gdal.PopErrorHandler()
        for key, value in self._saved.items():
            gdal.SetThreadLocalConfigOption(key, value)
        self._saved.clear()
        return False

    def set(self, options):
        for key, value in options.items():
            if key not in self._saved:
                self._saved[key] = gdal.GetThreadLocalConfigOption(key, None)
            gdal.SetThreadLocalConfigOption(key, None if value is None else str(value))

    def _handle(self, error_class, error_number, message):
        # Debug messages are dropped; nothing from this thread reaches other GDAL handlers.
        if error_class >= gdal.CE_Failure:
            self.failed = True
        if error_class >= gdal.CE_Warning and len(self.messages) < _MAX_MESSAGES:
            self.messages.append(self.secrets.clean(message))

    def take_messages(self, exc=None):
        messages = list(self.messages)
        if exc is not None:
            messages.append(self.secrets.clean(exc))
        self.messages.clear()
        return "; ".join(dict.fromkeys(message for message in messages if message))

    def call(self, function, *args, **kwargs):
        """function(...) -> (result or None, cleaned messages); ``failed`` tells whether GDAL
        reported a failure. Works whether or not the GDAL Python bindings raise exceptions
        (gdal.UseExceptions is process-wide)."""
        self.messages.clear()
        self.failed = False
        gdal.ErrorReset()
        try:
            result = function(*args, **kwargs)
        except RuntimeError as exc:
            self.failed = True
            return None, self.take_messages(exc)
        return result, self.take_messages()


def _http_options(headers, proxies):
    options = {
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "GDAL_HTTP_USERAGENT": user_agent(),
        "GDAL_HTTP_MAX_RETRY": "3",
        "GDAL_HTTP_RETRY_DELAY": "1",
        "GDAL_HTTP_CONNECTTIMEOUT": "15",
        "GDAL_HTTP_LOW_SPEED_TIME": "60",
        "GDAL_HTTP_LOW_SPEED_LIMIT": "1",
        "CPL_CURL_VERBOSE": "NO",  # would print the request headers (the token) to stderr
        "GDAL_HTTP_HEADERS": _headers_option(headers),
    }
    proxy = (proxies or {}).get("https") or (proxies or {}).get("http")
    if proxy:
        options["GDAL_HTTP_PROXY"] = proxy
        options["GDAL_HTTPS_PROXY"] = proxy
    return options


def _headers_option(headers):
    if not headers:
        return None
    return "\r\n".join(f"{key}: {value}" for key, value in headers.items())


def _s3_options(credentials):
    """AWS_* options for GDAL's /vsis3/ from the user's S3 keys (CDSE eodata by default)."""
    credentials = dict(credentials or {})

    def pick(*names, default=None):
        for name in names:
            if credentials.get(name) not in (None, ""):
                return credentials[name]
        return default

    access = pick("access_key", "access_key_id", "aws_access_key_id", "key")
    secret = pick("secret_key", "secret_access_key", "aws_secret_access_key", "secret")
    if not access or not secret:
        raise ClipError(
            "Reading s3:// assets needs S3 keys: create them in the CDSE S3 key manager and "
            "choose them in the plugin settings (access key and secret key)."
        )
    https = _flag(pick("https", default=True))
    virtual = _flag(pick("virtual_hosting", default=False))
    return {
        "AWS_ACCESS_KEY_ID": access,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_SESSION_TOKEN": pick("session_token", default=""),
        "AWS_S3_ENDPOINT": pick("endpoint", default=CDSE_S3_ENDPOINT),
        "AWS_REGION": pick("region", default="default"),
        "AWS_VIRTUAL_HOSTING": "TRUE" if virtual else "FALSE",
        "AWS_HTTPS": "YES" if https else "NO",
        "AWS_NO_SIGN_REQUEST": "NO",
        "AWS_PROFILE": "",
    }


def _flag(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().upper() in ("YES", "TRUE", "ON", "1")


def _enable_network_stats():
    """Have GDAL count its network traffic (process-wide, harmless: counters only)."""
    with _STATS_LOCK:
        if not _flag(gdal.GetConfigOption("CPL_VSIL_NETWORK_STATS_ENABLED", "NO")):
            gdal.SetConfigOption("CPL_VSIL_NETWORK_STATS_ENABLED", "YES")
            gdal.NetworkStatsReset()  # makes GDAL read the option again


def _network_stats(paths):
    """(downloaded bytes, requests) GDAL counted so far for these GDAL file names."""
    try:
        stats = json.loads(gdal.NetworkStatsGetAsSerializedJSON() or "{}")
    except (ValueError, RuntimeError):
        return 0, 0
    totals = [0, 0]

    def add(methods):
        for counts in (methods or {}).values():
            totals[0] += int(counts.get("downloaded_bytes", 0))
            totals[1] += int(counts.get("count", 0))

    def walk(node):
        # Every request is counted at each level of its context (handler, file, action):
        # stop at the first node naming one of our files so that it counts once.
        for path, child in (node.get("files") or {}).items():
            if path in paths:
                add(child.get("methods"))
        for child in (node.get("actions") or {}).values():
            walk(child)

    for handler in (stats.get("handlers") or {}).values():
        walk(handler)
    return totals[0], totals[1]


# -- sources -------------------------------------------------------------------------------

# A Windows drive path: C:\data\x.tif or C:/data/x.tif (urlsplit reads "c" as a URL scheme).
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def is_windows_drive_path(address):
    return bool(WINDOWS_DRIVE.match(str(address)))


def local_path(address):
    """The file path ``address`` names, or None when it is a URL (http, https, s3, ...).

    Paths are returned as they are: POSIX, relative, Windows drive (``C:\\data\\x.tif``,
    ``C:/data/x.tif``) and UNC paths, and GDAL paths such as ``/vsizip/...``. ``file:`` URIs
    become paths: ``file:///C:/data/x.tif`` -> ``C:/data/x.tif``, ``file:///home/a%20b.tif``
    -> ``/home/a b.tif``, ``file://server/share/x.tif`` -> ``//server/share/x.tif``.
    """
    text = str(address)
    if is_windows_drive_path(text):
        return text
    if "://" not in text and not text.lower().startswith("file:"):
        return text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return _file_uri_path(parts)
    return text if not scheme else None


def _file_uri_path(parts):
    path = unquote(parts.path)
    host = unquote(parts.netloc)
    if re.fullmatch(r"[A-Za-z]:", host):  # file://C:/x.tif, a common mistake
        return host + path
    if host and host.lower() != "localhost":
        return f"//{host}{path}"  # a UNC path: //server/share/x.tif
    if is_windows_drive_path(path[1:]):  # /C:/x.tif
        return path[1:]
    return path


class _Source:
    def __init__(self, text):
        self.text = str(text)
        path = local_path(self.text)
        scheme = "" if path is not None else urlsplit(self.text).scheme.lower()
        self.kind = {"http": "http", "https": "http", "s3": "s3"}.get(scheme, "local")
        if scheme and self.kind == "local":
            raise ClipError(f"Cannot read {redact_url(self.text)}: unsupported address scheme.")
        if self.kind == "http":
            self.shown = redact_url(self.text)
            self.url = self.text
        elif self.kind == "s3":
            self.shown = self.text.split("?", 1)[0]
            self.url = None
        else:
            self.shown = path
            self.url = None
        self.gdal_path = self._gdal_path(self.url)
        self.dataset = None
        self.grid = None  # set once opened, with wkt, dtypes (GDAL), nodata (per band), rect
        self.wkt = None
        self.dtypes = ()
        self.nodata = ()
        self.rect = None
        self.block = None  # (columns, rows) of the first band's blocks

    def _gdal_path(self, url):
        if self.kind == "http":
            return "/vsicurl/" + url
        if self.kind == "s3":
            return "/vsis3/" + self.text[len("s3://") :]
        return self.shown

    def use_url(self, url):
        """Read from ``url`` (a trusted redirect target) from now on."""
        self.url = url
        self.gdal_path = self._gdal_path(url)


def _as_list(sources):
    if isinstance(sources, (str, os.PathLike)):
        return [sources]
    sources = list(sources or ())
    if not sources:
        raise ClipError("No raster to clip: the list of sources is empty.")
    return sources


# -- grid arithmetic -----------------------------------------------------------------------


def _transform_area(bounds, crs_of_bounds, target_crs, densify_points):
    try:
        xmin, ymin, xmax, ymax = (float(value) for value in bounds)
    except (TypeError, ValueError):
        raise ClipError(f"The area {bounds!r} is not (xmin, ymin, xmax, ymax).") from None
    if not (xmin < xmax and ymin < ymax):
        raise ClipError(f"The area {bounds} is empty: give xmin < xmax and ymin < ymax.")
    try:
        source_crs = CRS.from_user_input(crs_of_bounds)
    except CRSError:
        raise ClipError(f"The CRS of the area ({crs_of_bounds!r}) is not recognised.") from None
    if source_crs == target_crs:
        return xmin, ymin, xmax, ymax
    try:
        result = transform_bounds(
            source_crs, target_crs, xmin, ymin, xmax, ymax, densify_pts=densify_points
        )
    except Exception as error:  # rasterio/PROJ raise several kinds
        raise ClipError(
            f"The area cannot be transformed from {source_crs.to_string()} to the rasters' "
            f"{target_crs.to_string()}: {error}."
        ) from None
    if not all(math.isfinite(value) for value in result):
        raise ClipError(
            f"The area ({xmin:g}, {ymin:g}, {xmax:g}, {ymax:g}) in {source_crs.to_string()} "
            f"lies outside the area of use of {target_crs.to_string()}."
        )
    return result


def _snap(transform, bounds):
    """(row0, col0, row1, col1) on the lattice of ``transform``, snapped outward."""
    xmin, ymin, xmax, ymax = bounds
    width, height = transform.a, -transform.e
    col0 = math.floor((xmin - transform.c) / width + ALIGNMENT_TOLERANCE)
    col1 = math.ceil((xmax - transform.c) / width - ALIGNMENT_TOLERANCE)
    row0 = math.floor((transform.f - ymax) / height + ALIGNMENT_TOLERANCE)
    row1 = math.ceil((transform.f - ymin) / height - ALIGNMENT_TOLERANCE)
    return row0, col0, max(row1, row0 + 1), max(col1, col0 + 1)


def _fully_covered(rects, height, width):
    """Do the rectangles (row0, col0, row1, col1) cover [0, height) x [0, width)?"""
    cuts = sorted({0, width, *(c for r in rects for c in (r[1], r[3]) if 0 < c < width)})
    for left, right in zip(cuts, cuts[1:]):
        spans = sorted((r[0], r[2]) for r in rects if r[1] <= left and r[3] >= right)
        reach = 0
        for top, bottom in spans:
            if top > reach:
                return False
            reach = max(reach, bottom)
        if reach < height:
            return False
    return True


def _fill_value(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return float("nan")
    if dtype.kind in "ui":
        return int(np.iinfo(dtype).max) if dtype.kind == "u" else int(np.iinfo(dtype).min)
    raise ClipError(f"Rasters of type {dtype.name} are not supported.")


def _is_nodata(values, nodata):
    if nodata is None:
        return np.zeros(values.shape, bool)
    if isinstance(nodata, float) and math.isnan(nodata):
        return np.isnan(values)
    return values == nodata


# -- the clip ------------------------------------------------------------------------------


def clip_to_area(
    sources,
    bounds,
    crs_of_bounds,
    out_path,
    headers=None,
    band_names=None,
    progress=None,
    is_cancelled=None,
    s3_credentials=None,
    *,
    headers_provider=None,
    token_provider=None,
    session=None,
    proxies=None,
    clip_to_sources=True,
    creation_options=None,
    densify_points=21,
):
    """Clip the area ``bounds`` (xmin, ymin, xmax, ymax in ``crs_of_bounds``) out of
    ``sources`` into one COG at ``out_path`` -> ClipResult.

    sources: one address or a list (adjacent tiles on one grid): http(s) URLs (read with range
        requests), ``s3://bucket/key`` (read with ``s3_credentials``), local paths (Windows
        drive paths included) or ``file:`` URIs.
    headers: static HTTP headers; headers_provider / token_provider: a callable returning
        headers, or an object with ``headers()`` and ``invalidate()`` (the token providers),
        asked again for each block and renewed once when the server answers 401.
    s3_credentials: {"access_key", "secret_key"} and optionally "endpoint" (default
        eodata.dataspace.copernicus.eu, path-style), "https" (default True), "region",
        "virtual_hosting", "session_token".
    band_names: descriptions for the output bands (default: the sources' descriptions).
    progress(fraction) is called after each block; is_cancelled() is checked between blocks.
    clip_to_sources: keep only the part of the area inside the sources' bounding box (default);
        False: the output covers the whole snapped area, nodata where no source is.

    The area is transformed to the sources' CRS (densified) and snapped outward to their pixel
    lattice. Sources on different grids (CRS, pixel size, alignment) are refused. Raises
    RangesNotSupported when an HTTP server ignores range requests (download the file instead),
    ClipAuthError, ClipCancelled or ClipError; nothing is left under ``out_path`` then.
    """
    job = _Clip(
        sources=[_Source(source) for source in _as_list(sources)],
        bounds=bounds,
        crs_of_bounds=crs_of_bounds,
        out_path=Path(out_path),
        auth=_Auth(headers, headers_provider or token_provider),
        band_names=list(band_names) if band_names else None,
        progress=progress,
        is_cancelled=is_cancelled,
        s3_credentials=s3_credentials,
        session=session,
        proxies=proxies,
        clip_to_sources=clip_to_sources,
        creation_options=creation_options,
        densify_points=densify_points,
    )
    return job.run()


class _Clip:
    def __init__(self, **settings):
        for key, value in settings.items():
            setattr(self, key, value)
        self.secrets = _Secrets()
        self.gdal = None
        self.headers = {}
        self.probe_bytes = 0
        self.probe_requests = 0
        self.window = None
        self.out_nodata = None
        self._staged = None  # the staging GTiff while it is written
        self.touched = []  # the sources the output overlaps
        name = self.out_path.name
        tag = uuid.uuid4().hex[:8]
        self.temp = self.out_path.with_name(f".{name}.{tag}.part")
        self.stage = self.out_path.with_name(f".{name}.{tag}.stage.tif")

    # -- flow ------------------------------------------------------------------------------

    def run(self):
        self._check_output()
        self._check_cancelled()
        if self.session is None and any(source.kind == "http" for source in self.sources):
            self.session = make_session(proxies=self.proxies, is_cancelled=self.is_cancelled)
        for source in self.sources:
            if source.url:
                self.secrets.urls.add(source.url)
        _enable_network_stats()
        try:
            with _GdalSession(self.secrets) as session:
                self.gdal = session
                self._configure()
                self._probe_sources()
                paths = {source.gdal_path for source in self.sources}
                before = _network_stats(paths)
                for source in self.sources:
                    self._open(source)
                self._check_sources()
                grid = self._output_grid()
                self._write(grid)
                self._close_sources()
                after = _network_stats(paths)
                self._to_cog()
                os.replace(self.temp, self.out_path)
                for suffix in (".aux.xml", ".ovr", ".msk"):
                    Path(f"{self.out_path}{suffix}").unlink(missing_ok=True)
        except BaseException as exc:
            # The traceback's frames hold GDAL datasets (the staging file, the sources):
            # release them now, so that the files are closed before they are deleted.
            traceback.clear_frames(exc.__traceback__)
            self._staged = None
            self._close_sources()
            self._discard(self.temp)
            raise
        finally:
            self._staged = None
            self._close_sources()
            self._discard(self.stage)
            for source in self.sources:
                if source.kind != "local":
                    # Forget what GDAL cached (memory; a later call starts afresh).
                    gdal.VSICurlPartialClearCache(source.gdal_path)
        # GDAL's counters are process-wide: the difference is what this call transferred
        # (max(0, ...) should someone reset them meanwhile).
        transferred = max(0, after[0] - before[0]) + self.probe_bytes
        requests_made = max(0, after[1] - before[1]) + self.probe_requests
        log.info(
            "Clipped %s: %d x %d px from %d source(s), %d bytes in %d requests",
            self.out_path.name,
            grid.width,
            grid.height,
            len(self.sources),
            transferred,
            requests_made,
        )
        return ClipResult(self.out_path, grid, transferred, requests_made)

    def _check_output(self):
        folder = self.out_path.parent
        if not folder.is_dir():
            raise ClipError(
                f"The output folder '{folder}' does not exist. Create it or choose another output."
            )
        if self.out_path.is_dir():
            raise ClipError(f"The output '{self.out_path}' is a folder; give a file name.")

    def _check_cancelled(self):
        if self.is_cancelled is not None and self.is_cancelled():
            raise ClipCancelled(f"Clipping {self.out_path.name} cancelled; nothing was written.")

    def _report(self, fraction):
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)))

    @staticmethod
    def _discard(path):
        for candidate in (path, Path(f"{path}.aux.xml"), Path(f"{path}.ovr.tmp")):
            with contextlib.suppress(OSError):
                candidate.unlink(missing_ok=True)

    # -- GDAL configuration and sources ----------------------------------------------------

    def _configure(self):
        options = {}
        kinds = {source.kind for source in self.sources}
        if {"http", "s3"} <= kinds:
            # GDAL's headers would go to the S3 endpoint as well.
            raise ClipError(
                "The sources mix HTTP(S) and s3:// addresses; clip them separately or give "
                "them all in one form."
            )
        if "http" in kinds:
            self.headers = self.auth.current()
            self._remember_secrets(self.headers)
            options.update(_http_options(self.headers, self.proxies))
        if any(source.kind == "s3" for source in self.sources):
            s3 = _s3_options(self.s3_credentials)
            for key in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                self.secrets.add(s3[key])
            options.update(s3)
            for key, value in _http_options(None, self.proxies).items():
                if key not in ("GDAL_HTTP_HEADERS",):
                    options.setdefault(key, value)
        self.gdal.set(options)

    def _remember_secrets(self, headers):
        for key, value in headers.items():
            if any(word in key.lower() for word in _SENSITIVE_HEADER_WORDS):
                self.secrets.add(value)
                self.secrets.add(value.partition(" ")[2])  # the token without "Bearer "

    def _set_headers(self, headers):
        self.headers = headers
        self._remember_secrets(headers)
        self.gdal.set({"GDAL_HTTP_HEADERS": _headers_option(headers)})

    def _probe_sources(self):
        self._check_hosts()
        for source in self.sources:
            if source.kind != "http":
                continue
            renewed = self.auth.renewed
            probe, (received, made) = _probe_with_auth(source.text, self.auth, self.session)
            self.probe_bytes += received
            self.probe_requests += made
            if self.auth.renewed and not renewed:
                self._set_headers(self.auth.current())
            if not probe.ranges:
                raise RangesNotSupported(
                    f"{url_host(source.text)} does not honour range requests for "
                    f"{source.shown} (HTTP {probe.status}); download the whole file instead.",
                    source.shown,
                )
            if probe.url != source.text:
                source.use_url(probe.url)
                self.secrets.urls.add(probe.url)
        self._check_hosts()

    def _check_hosts(self):
        """GDAL sends the headers with every request of this clip: all the places it reads
        from must be trusted with them (the first source's host, or a sibling)."""
        if not self.headers:
            return
        first = next(source for source in self.sources if source.kind == "http")
        for source in self.sources:
            if source.kind == "http" and not bearer_allowed(first.text, source.url):
                raise ClipError(
                    f"{source.shown} is on another host than {first.shown}: the credentials "
                    "for one are not sent to the other; clip them separately."
                )

    def _open(self, source):
        for attempt in (0, 1):
            dataset, messages = self.gdal.call(
                gdal.OpenEx, source.gdal_path, gdal.OF_RASTER | gdal.OF_READONLY
            )
            if dataset is not None:
                source.dataset = dataset
                return
            if self._recover(source, attempt, f"Cannot open {source.shown}", messages):
                continue

    def _recover(self, source, attempt, failure, messages):
        """After a failed open or read: True when the server refused the token (401) and it
        was renewed (once), the HTTP sources being open again; else raises the error."""
        status = None
        if source.kind == "http":
            # Learn what the server answers now (GDAL does not always say).
            probe = probe_ranges(source.url, self.headers, self.session)
            self.probe_bytes += probe.bytes_received
            self.probe_requests += probe.requests
            status = probe.status
        if status == 401 and attempt == 0 and self.auth.can_renew:
            self.auth.renew()
            self._set_headers(self.auth.current())
            self._reopen(clear_cache=True)
            return True
        if status is not None and status >= 400 and status != 416:
            raise _status_error(source.url, status, self.auth.renewed, messages)
        raise ClipError(
            f"{failure}: {messages or 'unknown GDAL error'}. Check the connection and the "
            "address, then try again."
        )

    def _reopen(self, clear_cache):
        """Open the HTTP sources again: GDAL takes the headers when it opens a file."""
        for source in self.sources:
            if source.kind != "http":
                continue
            was_open = source.dataset is not None
            source.dataset = None
            if clear_cache:
                # GDAL remembers a refused file; forget it.
                gdal.VSICurlPartialClearCache(source.gdal_path)
            if was_open:
                self._open(source)

    def _refresh_headers(self):
        """Take the provider's current headers (it renews tokens before they expire)."""
        if not self.auth.has_provider or not any(s.kind == "http" for s in self.sources):
            return
        headers = self.auth.current()
        if headers != self.headers:
            self._set_headers(headers)
            self._reopen(clear_cache=False)

    def _close_sources(self):
        for source in self.sources:
            source.dataset = None

    def _check_sources(self):
        for source in self.sources:
            dataset = source.dataset
            geotransform = dataset.GetGeoTransform(can_return_null=True)
            wkt = dataset.GetProjection()
            if geotransform is None or not wkt:
                raise ClipError(
                    f"{source.shown} has no georeferencing (geotransform and CRS); it cannot "
                    "be clipped to an area."
                )
            try:
                crs = CRS.from_wkt(wkt)
            except CRSError:
                raise ClipError(f"The CRS of {source.shown} is not recognised.") from None
            source.grid = Grid(
                crs, Affine.from_gdal(*geotransform), dataset.RasterXSize, dataset.RasterYSize
            )
            source.wkt = wkt
            bands = [dataset.GetRasterBand(index + 1) for index in range(dataset.RasterCount)]
            source.dtypes = [band.DataType for band in bands]
            source.block = tuple(bands[0].GetBlockSize()) if bands else (1, 1)
            source.nodata = [band.GetNoDataValue() for band in bands]
        first = self.sources[0]
        transform = first.grid.transform
        if transform.b or transform.d or transform.a <= 0 or transform.e >= 0:
            raise ClipError(
                f"{first.shown} is not a north-up grid (rotated or flipped); it cannot be clipped."
            )
        if len(set(first.dtypes)) != 1:
            raise ClipError(f"The bands of {first.shown} have different data types.")
        for other in self.sources[1:]:
            check_compatible(first.shown, first.grid, other.shown, other.grid)
            if other.dtypes != first.dtypes:
                raise ClipError(
                    f"{first.shown} and {other.shown} differ in bands or data types "
                    f"({_type_names(first)} vs {_type_names(other)}); they cannot be mosaicked."
                )
            if not all(map(_same_nodata, first.nodata, other.nodata)):
                raise ClipError(
                    f"{first.shown} and {other.shown} have different nodata values "
                    f"({first.nodata} vs {other.nodata}); they cannot be mosaicked."
                )
        if self.band_names is not None and len(self.band_names) != len(first.dtypes):
            raise ClipError(
                f"{len(self.band_names)} band names given for {first.shown}, which has "
                f"{len(first.dtypes)} band(s)."
            )

    def _output_grid(self):
        first = self.sources[0]
        area = _transform_area(self.bounds, self.crs_of_bounds, first.grid.crs, self.densify_points)
        row0, col0, row1, col1 = _snap(first.grid.transform, area)
        # Each source's pixel rectangle on the first source's lattice.
        for source in self.sources:
            row, col = offset_in(first.grid, source.grid)
            source.rect = (row, col, row + source.grid.height, col + source.grid.width)
        if self.clip_to_sources:
            row0 = max(row0, min(s.rect[0] for s in self.sources))
            col0 = max(col0, min(s.rect[1] for s in self.sources))
            row1 = min(row1, max(s.rect[2] for s in self.sources))
            col1 = min(col1, max(s.rect[3] for s in self.sources))
        touched = [
            s
            for s in self.sources
            if row0 < s.rect[2] and s.rect[0] < row1 and col0 < s.rect[3] and s.rect[1] < col1
        ]
        if row1 <= row0 or col1 <= col0 or not touched:
            xmin, ymin, xmax, ymax = area
            covered = "; ".join(
                "({:g}, {:g}, {:g}, {:g})".format(*s.grid.bounds) for s in self.sources
            )
            raise ClipError(
                f"The area ({xmin:.1f}, {ymin:.1f}, {xmax:.1f}, {ymax:.1f} in "
                f"{first.grid.crs.to_string()}) does not overlap the rasters, which cover "
                f"{covered}. Choose an area inside them."
            )
        if (row1 - row0) * (col1 - col0) > MAX_PIXELS:
            raise ClipError(
                f"The area covers {col1 - col0} x {row1 - row0} pixels of "
                f"{first.grid.pixel_size[0]:g} m: too large to clip (at most {MAX_PIXELS:,} "
                "pixels). Choose a smaller area."
            )
        self.window = (row0, col0, row1, col1)
        self.touched = touched
        grid = first.grid.window_grid(row0, col0, row1 - row0, col1 - col0)
        # Pixels no source covers get nodata: the sources' own, else the type's extreme value.
        rects = [
            (s.rect[0] - row0, s.rect[1] - col0, s.rect[2] - row0, s.rect[3] - col0)
            for s in touched
        ]
        self.out_nodata = list(first.nodata)
        if not _fully_covered(rects, grid.height, grid.width):
            fill = _fill_value(_numpy_type(first.dtypes[0]))
            self.out_nodata = [fill if value is None else value for value in first.nodata]
        return grid

    # -- writing ---------------------------------------------------------------------------

    def _write(self, grid):
        first = self.sources[0]
        driver = gdal.GetDriverByName("GTiff")
        self._staged, messages = self.gdal.call(
            driver.Create,
            str(self.stage),
            grid.width,
            grid.height,
            len(first.dtypes),
            first.dtypes[0],
            options=STAGING_OPTIONS,
        )
        if self._staged is None:
            raise ClipError(
                f"Cannot create a temporary file in '{self.out_path.parent}': {messages}. "
                "Check the free disk space and the permissions."
            )
        self._staged.SetGeoTransform(grid.transform.to_gdal())
        self._staged.SetProjection(first.wkt)
        metadata = first.dataset.GetMetadata() or {}
        if metadata:
            self._staged.SetMetadata(metadata)
        for index in range(len(first.dtypes)):
            self._copy_band(
                first.dataset.GetRasterBand(index + 1),
                self._staged.GetRasterBand(index + 1),
                index,
            )
        self._fill()
        _, messages = self.gdal.call(self._staged.FlushCache)
        failed = self.gdal.failed
        self._staged = None  # closes the file
        if failed:
            raise ClipError(f"Cannot write the temporary file for {self.out_path.name}: {messages}")

    def _copy_band(self, source_band, band, index):
        nodata = self.out_nodata[index]
        if nodata is not None:
            band.SetNoDataValue(nodata)
        description = self.band_names[index] if self.band_names else source_band.GetDescription()
        if description:
            band.SetDescription(description)
        colors = source_band.GetColorTable()
        if colors is not None:
            band.SetColorTable(colors.Clone())
        interpretation = source_band.GetColorInterpretation()
        if interpretation != gdal.GCI_Undefined:
            band.SetColorInterpretation(interpretation)
        scale, offset = source_band.GetScale(), source_band.GetOffset()
        if scale not in (None, 1.0) or offset not in (None, 0.0):
            band.SetScale(1.0 if scale is None else scale)
            band.SetOffset(0.0 if offset is None else offset)
        unit = source_band.GetUnitType()
        if unit:
            band.SetUnitType(unit)

    def _windows(self):
        """(source, (row0, col0, row1, col1)): the part of each source inside the output, in
        windows of whole source blocks (absolute rows and columns on the first source's
        lattice). No two windows share a source block, so that GDAL fetches each COG tile
        once, grouping the tiles of a window into one parallel multi-range request."""
        out_row0, out_col0, out_row1, out_col1 = self.window
        for source in self.touched:
            row0, col0 = max(out_row0, source.rect[0]), max(out_col0, source.rect[1])
            row1, col1 = min(out_row1, source.rect[2]), min(out_col1, source.rect[3])
            block_cols, block_rows = source.block
            steps = window_steps((block_rows, block_cols), WINDOW_SIZE, source.grid.width)
            # Windows start on block boundaries, the first one a partial block plus whole ones.
            phase = ((row0 - source.rect[0]) % block_rows, (col0 - source.rect[1]) % block_cols)
            windows = _no_sequential_reads(
                block_windows(row1 - row0, col1 - col0, steps, phase), block_rows, phase[0]
            )
            for row, col, height, width in windows:
                yield source, (row0 + row, col0 + col, row0 + row + height, col0 + col + width)

    def _fill(self):
        first = self.sources[0]
        out_row0, out_col0 = self.window[0], self.window[1]
        windows = list(self._windows())
        for done, (source, (row0, col0, row1, col1)) in enumerate(windows):
            self._check_cancelled()
            self._refresh_headers()
            height, width = row1 - row0, col1 - col0
            data = self._read(source, col0 - source.rect[1], row0 - source.rect[0], width, height)
            earlier = [
                other.rect
                for other in self.touched[: self.touched.index(source)]
                if other.rect[0] < row1 and row0 < other.rect[2]
                and other.rect[1] < col1 and col0 < other.rect[3]
            ]  # fmt: skip
            if earlier:
                # Overlapping sources: a pixel an earlier source gave stays, unless nodata.
                existing = self._read_staged(col0 - out_col0, row0 - out_row0, width, height)
                covered = np.zeros((height, width), bool)
                for top, left, bottom, right in earlier:
                    covered[
                        max(top - row0, 0) : max(bottom - row0, 0),
                        max(left - col0, 0) : max(right - col0, 0),
                    ] = True
                for index, nodata in enumerate(first.nodata):
                    take = ~_is_nodata(data[index], nodata) & (
                        ~covered | _is_nodata(existing[index], nodata)
                    )
                    data[index] = np.where(take, data[index], existing[index])
            self._write_block(data, col0 - out_col0, row0 - out_row0)
            self._report(READ_SHARE * (done + 1) / len(windows))

    def _read_staged(self, xoff, yoff, width, height):
        data, messages = self.gdal.call(self._staged.ReadAsArray, xoff, yoff, width, height)
        if data is None or self.gdal.failed:
            raise ClipError(f"Cannot read back the temporary file: {messages}")
        return data.reshape((-1, height, width))

    def _read(self, source, xoff, yoff, width, height):
        for attempt in (0, 1):
            data, messages = self.gdal.call(source.dataset.ReadAsArray, xoff, yoff, width, height)
            if data is not None and not self.gdal.failed:
                return data.reshape((-1, height, width))
            failure = f"Cannot read {source.shown} (pixels {xoff}, {yoff}, {width} x {height})"
            self._recover(source, attempt, failure, messages)

    def _write_block(self, block, col, row):
        for index in range(block.shape[0]):
            band = self._staged.GetRasterBand(index + 1)
            result, messages = self.gdal.call(band.WriteArray, block[index], col, row)
            del band
            if self.gdal.failed or result not in (0, None):
                raise ClipError(
                    f"Cannot write the temporary file for {self.out_path.name}: {messages}. "
                    "Check the free disk space."
                )

    def _to_cog(self):
        self._check_cancelled()
        options = dict(DEFAULT_COG_OPTIONS)
        for key, value in (self.creation_options or {}).items():
            options[key.upper()] = str(value)
        cancelled = []

        def callback(fraction, _message, _data):
            if self.is_cancelled is not None and self.is_cancelled():
                cancelled.append(True)
                return 0
            self._report(READ_SHARE + (1 - READ_SHARE) * fraction)
            return 1

        dataset, messages = self.gdal.call(
            gdal.Translate,
            str(self.temp),
            str(self.stage),
            format="COG",
            creationOptions=[f"{key}={value}" for key, value in options.items()],
            callback=callback,
        )
        failed = dataset is None or self.gdal.failed
        dataset = None  # closes the file
        if cancelled:
            raise ClipCancelled(f"Clipping {self.out_path.name} cancelled; nothing was written.")
        if failed or not self.temp.is_file():
            raise ClipError(
                f"Cannot write {self.out_path}: {messages or 'unknown GDAL error'}. Check the "
                "creation options and the free disk space."
            )


def _no_sequential_reads(windows, block_rows, row_phase):
    """Order (and merge) windows so that GDAL never reads COG tiles one after the other.

    COG tiles are stored row by row. GDAL reads the tiles of a window spanning several block
    rows with one parallel multi-range request; the tiles of a window within one block row
    are contiguous in the file and read with a plain read, and when a plain read continues
    the previous one GDAL reads ahead (doubling each time) beyond the tiles it needs. So:
    windows within one block row are merged across the whole width, and the others go
    column by column.
    """
    single, multiple = {}, []
    for row, col, height, width in windows:
        first_block = (row + row_phase) // block_rows
        last_block = (row + row_phase + height - 1) // block_rows
        if first_block == last_block:
            single.setdefault((row, height), []).append((col, col + width))
        else:
            multiple.append((row, col, height, width))
    merged = [
        (row, min(span[0] for span in spans), height, max(span[1] for span in spans))
        for (row, height), spans in single.items()
    ]
    merged = [(row, col0, height, col1 - col0) for row, col0, height, col1 in merged]
    return sorted(multiple, key=lambda window: (window[1], window[0])) + merged


def _numpy_type(gdal_type):
    from osgeo import gdal_array

    return np.dtype(gdal_array.GDALTypeCodeToNumericTypeCode(gdal_type))


def _type_names(source):
    return ", ".join(gdal.GetDataTypeName(dtype) for dtype in source.dtypes)


def _same_nodata(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or (math.isnan(a) and math.isnan(b))
