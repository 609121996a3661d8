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

A server that does not honour HTTP range requests makes ``clip_to_area`` raise
``RangesNotSupported``, so that the caller can fall back to downloading the whole file.

The parts live in ``cog/``: ``probe`` (range support), ``gdal_env`` (GDAL options, secrets),
``source`` and ``reader`` (the sources), ``plan`` (the output window), ``mosaic`` (the block
copy) and ``writer`` (staging file and COG).
"""

from __future__ import annotations

import contextlib
import logging
import os
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import requests

from ..net.http import make_session
from ..raster.grid import Grid
from ..raster.output import check_destination
from ..raster.temporary import sweep_stale, temporary_name
from .cog.errors import ClipAuthError, ClipCancelled, ClipError, Monitor, RangesNotSupported
from .cog.gdal_env import GdalSession, Secrets, enable_network_stats, network_stats
from .cog.mosaic import copy_windows
from .cog.plan import OutputPlan, check_layouts, plan_output
from .cog.probe import HeaderAuth, RangeProbe, probe_ranges
from .cog.reader import SourceReader, forget_cached
from .cog.source import Address, SourceAddress, as_addresses
from .cog.writer import Staging, convert_to_cog
from .paths import is_windows_drive_path, local_path

__all__ = [
    "ClipAuthError",
    "ClipCancelled",
    "ClipError",
    "ClipRequest",
    "ClipResult",
    "RangeProbe",
    "RangesNotSupported",
    "clip_to_area",
    "is_windows_drive_path",
    "local_path",
    "probe_ranges",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipResult:
    path: Path
    grid: Grid
    bytes_transferred: int  # bytes received over the network (bodies), as GDAL counted them
    requests: int  # HTTP requests (a parallel multi-range read counts once, as in GDAL)


@dataclass(frozen=True)
class ClipRequest:
    """What to clip (see ``clip_to_area``)."""

    sources: tuple[SourceAddress, ...]
    bounds: Any  # xmin, ymin, xmax, ymax in crs_of_bounds
    crs_of_bounds: Any
    out_path: Path
    band_names: Optional[tuple[str, ...]] = None
    s3_credentials: Optional[Mapping[str, Any]] = None
    proxies: Optional[Mapping[str, str]] = None
    clip_to_sources: bool = True
    creation_options: Optional[Mapping[str, Any]] = None
    densify_points: int = 21


def clip_to_area(
    sources: Union[Address, Iterable[Address]],
    bounds: Sequence[float],
    crs_of_bounds: Any,
    out_path: Union[str, os.PathLike],
    headers: Optional[Mapping[str, str]] = None,
    band_names: Optional[Sequence[str]] = None,
    progress: Optional[Any] = None,
    is_cancelled: Optional[Any] = None,
    s3_credentials: Optional[Mapping[str, Any]] = None,
    *,
    headers_provider: Any = None,
    token_provider: Any = None,
    session: Optional[requests.Session] = None,
    proxies: Optional[Mapping[str, str]] = None,
    clip_to_sources: bool = True,
    creation_options: Optional[Mapping[str, Any]] = None,
    densify_points: int = 21,
) -> ClipResult:
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
    request = ClipRequest(
        sources=tuple(as_addresses(sources)),
        bounds=bounds,
        crs_of_bounds=crs_of_bounds,
        out_path=Path(out_path),
        band_names=tuple(band_names) if band_names else None,
        s3_credentials=s3_credentials,
        proxies=proxies,
        clip_to_sources=clip_to_sources,
        creation_options=creation_options,
        densify_points=densify_points,
    )
    auth = HeaderAuth(headers, headers_provider or token_provider)
    monitor = Monitor(request.out_path.name, progress, is_cancelled)
    return _ClipJob(request, auth, monitor, session).run()


class _ClipJob:
    """One call of ``clip_to_area``: the temporary names, the open files and their clean-up."""

    def __init__(
        self,
        request: ClipRequest,
        auth: HeaderAuth,
        monitor: Monitor,
        session: Optional[requests.Session],
    ) -> None:
        self.request = request
        self.auth = auth
        self.monitor = monitor
        self.session = session
        self.own_session: Optional[requests.Session] = None  # made by run(), closed by _close()
        self.reader: Optional[SourceReader] = None
        self.staging: Optional[Staging] = None
        out_path = request.out_path
        # Named as every temporary file of ours: the next run sweeps those a kill left.
        self.temp = out_path.with_name(temporary_name(out_path.name))
        self.stage = out_path.with_name(temporary_name(out_path.name, ".part.tif"))

    def run(self) -> ClipResult:
        request = self.request
        check_destination(request.out_path, ClipError)
        sweep_stale(request.out_path.parent)
        self.monitor.check_cancelled()
        if self.session is None and any(source.kind == "http" for source in request.sources):
            # Made here, so closed here (in _close): no socket is left for the garbage collector.
            self.session = self.own_session = make_session(
                proxies=request.proxies, is_cancelled=self.monitor.is_cancelled
            )
        secrets = Secrets()
        secrets.urls.update(source.url for source in request.sources if source.url)
        enable_network_stats()
        try:
            with GdalSession(secrets) as gdal_session:
                plan, transferred, requests_made = self._clip(gdal_session)
        except BaseException as exc:
            # The traceback's frames hold GDAL datasets (the staging file, the sources):
            # release them now, so that the files are closed before they are deleted.
            traceback.clear_frames(exc.__traceback__)
            self._close()
            _discard(self.temp)
            raise
        finally:
            self._close()
            _discard(self.stage)
            forget_cached(request.sources)
        log.info(
            "Clipped %s: %d x %d px from %d source(s), %d bytes in %d requests",
            request.out_path.name,
            plan.grid.width,
            plan.grid.height,
            len(request.sources),
            transferred,
            requests_made,
        )
        return ClipResult(request.out_path, plan.grid, transferred, requests_made)

    def _clip(self, gdal_session: GdalSession) -> tuple[OutputPlan, int, int]:
        """Probe, open, plan, copy and convert -> (plan, bytes, requests of this call)."""
        request = self.request
        self.reader = reader = SourceReader(
            request.sources,
            gdal_session,
            self.auth,
            self.session,
            request.proxies,
            request.s3_credentials,
            self.monitor,
        )
        reader.configure()
        reader.probe()
        paths = {source.gdal_path for source in request.sources}
        before = network_stats(paths)
        layouts = reader.open_all()
        check_layouts(layouts, request.band_names)
        plan = plan_output(
            layouts,
            request.bounds,
            request.crs_of_bounds,
            request.clip_to_sources,
            request.densify_points,
        )
        self.staging = Staging(gdal_session, self.stage, request.out_path)
        self.staging.create(plan, layouts[0], reader.datasets[0], request.band_names)
        copy_windows(plan, layouts, reader, self.staging, self.monitor)
        self.staging.finish()
        reader.close()
        after = network_stats(paths)
        convert_to_cog(
            gdal_session,
            self.stage,
            self.temp,
            request.creation_options,
            self.monitor,
            request.out_path,
        )
        os.replace(self.temp, request.out_path)
        for suffix in (".aux.xml", ".ovr", ".msk"):
            Path(f"{request.out_path}{suffix}").unlink(missing_ok=True)
        # GDAL's counters are process-wide: the difference is what this call transferred
        # (max(0, ...) should someone reset them meanwhile).
        transferred = max(0, after[0] - before[0]) + reader.probe_bytes
        requests_made = max(0, after[1] - before[1]) + reader.probe_requests
        return plan, transferred, requests_made

    def _close(self) -> None:
        if self.staging is not None:
            self.staging.dataset = None
        if self.reader is not None:
            self.reader.close()
        if self.own_session is not None:
            self.own_session.close()


def _discard(path: Path) -> None:
    for candidate in (path, Path(f"{path}.aux.xml"), Path(f"{path}.ovr.tmp")):
        with contextlib.suppress(OSError):
            candidate.unlink(missing_ok=True)
