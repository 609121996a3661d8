"""The steps fetches are made of: clip an area from remote rasters (downloading whole files
first when a server refuses range reads), and get one whole file (download or local copy).
Each step returns what it wrote and the bytes it transferred. Pure: no Qt or QGIS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from ..domain.errors import CropMaskCancelled
from ..net.download import download
from ..raster.output import atomic_path
from . import clip as clipping
from .addresses import shown
from .names import url_file_names
from .request import FetchContext, FetchError, FetchJob

if TYPE_CHECKING:
    from ..net.trusted import TokenProvider
    from .stac_search import ProductAsset


# Bytes a local copy reads and writes between two looks at the cancel.
COPY_CHUNK = 8 << 20
# Where a clip downloads whole files first when a server refuses range reads (in its folder).
WHOLE_FOLDER = "whole"


@dataclass(frozen=True)
class Fetched:
    path: Path
    bytes_transferred: int = 0


class Progress:
    """Splits the overall progress evenly between the steps of a fetch, one per file
    downloaded or clip made: ``step(fraction)`` reports the current step's own fraction,
    ``next()`` ends it, ``part(count)`` splits it into ``count`` steps. The values reported
    never go back (a download that restarts from zero holds them) and end at 1.0."""

    def __init__(self, callback: Callable | None, steps: int):
        self.callback, self.steps, self.done = callback, max(steps, 1), 0
        self.reported = 0.0

    def step(self, fraction: float) -> None:
        if self.callback is None:
            return
        value = min(1.0, (self.done + min(max(fraction, 0.0), 1.0)) / self.steps)
        self.reported = max(self.reported, value)
        self.callback(self.reported)

    def next(self) -> None:
        self.done = min(self.done + 1, self.steps)
        self.step(0.0)

    def part(self, count: int) -> Progress:
        """The current step as a progress of ``count`` steps of its own."""
        return Progress(self.step if self.callback is not None else None, count)


def _is_http(address: object) -> bool:
    return urlsplit(str(address)).scheme.lower() in ("http", "https")


def clip_area(job: FetchJob, sources: list, out_path: Path, progress: Progress, *,
              tokens: TokenProvider | None = None, band_names: tuple | None = None,
              local_names: list | None = None) -> Fetched:  # fmt: skip
    """Clip ``sources`` into ``out_path``; a server refusing range reads gets whole downloads
    into ``whole/`` under ``local_names`` (one per source, unique; default from the URLs)."""
    context = job.context
    options: dict[str, Any] = {
        "bounds": job.request.bounds,
        "crs_of_bounds": job.request.bounds_crs,
        "out_path": out_path,
        "band_names": band_names,
        "progress": progress.step,
        "is_cancelled": context.is_cancelled,
    }
    downloaded = 0
    try:
        clipped = clipping.clip_to_area(
            sources,
            token_provider=tokens,
            proxies=context.proxies,
            s3_credentials=context.s3_credentials,
            **options,
        )
    except clipping.RangesNotSupported:
        if not context.whole_fallback:
            raise FetchError(
                f"The server of {shown(str(sources[0]))} does not allow range reads, so the area "
                "cannot be read alone. Untick 'Clip to the area' to download the whole files "
                "(their size is asked for confirmation)."
            ) from None
        context.say("The server does not allow range reads: downloading whole files first.")
        # This clip's step: one part per download, then one for the local clip.
        parts = progress.part(len(sources) + 1)
        names = local_names or url_file_names(sources)
        local, downloaded = _download_remote(
            job, sources, names, out_path.parent / WHOLE_FOLDER, parts, tokens
        )
        clipped = clipping.clip_to_area(local, **{**options, "progress": parts.step})
    if clipped.bytes_transferred or any(clipping.local_path(source) is None for source in sources):
        context.say(f"Clipped {out_path.name}: {clipped.bytes_transferred} bytes transferred")
    else:
        context.say(f"Clipped {out_path.name} from local files")
    return Fetched(Path(clipped.path), downloaded + clipped.bytes_transferred)


def _download_remote(job, sources, names, folder, progress, tokens):
    """The remote ``sources`` downloaded whole into ``folder``, local ones as they are ->
    (the local paths, bytes transferred)."""
    local, transferred = [], 0
    for source, name in zip(sources, names):
        if urlsplit(str(source)).scheme in ("http", "https"):
            fetched = download_url(job, source, name, folder, progress, tokens)
            local.append(fetched.path)
            transferred += fetched.bytes_transferred
        else:
            local.append(source)
        progress.next()
    return local, transferred


def download_url(
    job: FetchJob,
    url: str,
    name: str,
    folder: Path,
    progress: Progress,
    tokens: TokenProvider | None = None,
    asset: ProductAsset | None = None,
) -> Fetched:
    assert job.context.session is not None  # fetch() gives its jobs a session
    downloaded = download(
        url,
        folder,
        name,
        job.context.session,
        token_provider=tokens,
        expected_size=asset.size if asset else None,
        checksum=asset.checksum if asset else None,
        progress=lambda done, total: progress.step(done / total if total else 0.0),
        is_cancelled=job.context.is_cancelled,
    )
    return Fetched(Path(downloaded.path), downloaded.bytes_transferred)


def whole_file(job: FetchJob, href: str, name: str, progress: Progress,
               asset: ProductAsset | None = None) -> Fetched:  # fmt: skip
    """The whole file at ``href`` (a STAC ``asset``'s, or a raster address) saved as ``name``
    in the output folder: copied when local, downloaded over HTTP(S), with the CDSE token
    when the asset asks for it."""
    local = clipping.local_path(href)
    if local is not None:
        return Fetched(copy_local(Path(local), job.folder / name, job.context, progress))
    if _is_http(href):
        oidc = asset is not None and "oidc" in (asset.auth_refs or ())
        tokens = job.context.cdse_tokens if oidc else None
        return download_url(job, href, name, job.folder, progress, tokens, asset)
    if asset is not None:
        raise FetchError(
            f"The asset {asset.item_id} is only available at {shown(href)}; whole-file "
            "download supports HTTP(S) and local files. Use clipping (it reads s3:// through "
            "GDAL with your S3 keys)."
        )
    raise FetchError(
        f"Cannot download {shown(href)} whole: give an http(s) address or a local file path."
    )


def copy_local(
    source: Path, target: Path, context: FetchContext, progress: Progress | None = None
) -> Path:
    """``source`` copied to ``target``, unless a file of the same size is there already; by
    chunks, so that a cancel ends the copy of a large raster within a chunk's time."""
    if not source.exists():
        raise FetchError(f"The catalogue points to '{source}', which does not exist.")
    if not source.is_file():  # a folder, a device (/dev/zero never ends), a pipe
        raise FetchError(f"'{source}' is not a regular file: give the path of a raster file.")
    if target.exists() and target.stat().st_size == source.stat().st_size:
        context.say(f"{target.name} is already a copy of {source}")
        return target
    with atomic_path(target) as temporary:
        _copy_chunks(source, temporary, context, progress)
    context.say(f"Copied {source} ({target.stat().st_size} bytes) to {target.name}")
    return target


def _copy_chunks(source: Path, target: Path, context: FetchContext,
                 progress: Progress | None) -> None:  # fmt: skip
    size, done = max(1, source.stat().st_size), 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while True:
            if context.cancelled():
                raise CropMaskCancelled("Cancelled: nothing was written.")
            chunk = reader.read(COPY_CHUNK)
            if not chunk:
                return
            writer.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress.step(done / size)
