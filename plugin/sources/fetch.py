"""Fetch orchestration: find the product over an area and year, then clip it (range reads) or
download whole files. Pure: no Qt or QGIS.

Where things are: what a fetch is asked for and gives back (``request``), which kind of source
an address is (``addresses``), the CLMS and OSO fetches (``fetch_clms``, ``fetch_oso``), the
steps they share (``steps``: clip, whole file) and the VRTs they write (``mosaic``).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

from ..net.http import cancellable, make_session
from .addresses import sentinelhub_base_url, shown, source_kind
from .fetch_clms import fetch_clms
from .fetch_oso import fetch_oso_raster, fetch_oso_sentinelhub, fetch_oso_stac
from .paths import local_path
from .request import (
    CLMS_PRODUCTS,
    OSO_STAC_COLLECTION,
    FetchContext,
    FetchError,
    FetchJob,
    FetchRequest,
    FetchResult,
    area_tag,
    check_year,
)
from .steps import WHOLE_FOLDER

__all__ = [  # the names callers import from here
    "CLMS_PRODUCTS",
    "OSO_STAC_COLLECTION",
    "FetchContext",
    "FetchError",
    "FetchRequest",
    "FetchResult",
    "area_tag",
    "fetch",
    "sentinelhub_base_url",
    "shown",
    "source_kind",
    "transfer_kind",
]

# How a fetch's data came (``transfer_kind``): over the network, from local files only, or
# not at all (the files of a remote source were already there, verified).
TRANSFER_NETWORK, TRANSFER_LOCAL, TRANSFER_NONE = "network", "local", "none"
# GDAL paths that read over the network.
_REMOTE_GDAL_PATHS = ("/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss",
                      "/vsiswift", "/vsiwebhdfs", "/vsihdfs")  # fmt: skip


def fetch(request: FetchRequest, context: FetchContext | None = None) -> FetchResult:
    """Fetch ``request`` into its output folder -> FetchResult."""
    context = context or FetchContext()
    if context.session is not None:
        return _fetch_with_session(request, context)
    # A session made here is ours to close: no socket is left for the garbage collector.
    with make_session(proxies=context.proxies) as session:
        return _fetch_with_session(request, replace(context, session=session))


def _fetch_with_session(request: FetchRequest, context: FetchContext) -> FetchResult:
    check_year(request.product, int(request.year))
    folder = Path(request.output_folder)
    created = new_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        remove_empty(created)
        raise FetchError(
            f"Cannot create the output folder '{folder}': {error.strerror}. Choose another folder."
        ) from None
    try:
        return _fetch_from(source_kind(request.product, request.source_url), request, context,
                           folder)  # fmt: skip
    except BaseException:
        remove_empty(created)  # a failed or cancelled fetch leaves no empty folder of its own
        raise


def _fetch_from(kind: str, request: FetchRequest, context: FetchContext, folder: Path
                ) -> FetchResult:  # fmt: skip
    job = FetchJob(request, context, folder)
    assert context.session is not None  # fetch() gives its context a session
    # A cancel also ends the waits between retries (Retry-After, backoff).
    with cancellable(context.session, context.is_cancelled):
        if kind == "stac" and request.product in CLMS_PRODUCTS:
            return fetch_clms(job)
        if kind == "stac":
            return fetch_oso_stac(job)
        if kind == "raster":
            return fetch_oso_raster(job)
        return fetch_oso_sentinelhub(job)


def is_local_source(source_url: str) -> bool:
    """Whether every address of ``source_url`` is a file on this machine (a raster, or a
    static catalogue on disk). An empty address is a default service: not local."""
    parts = [part.strip() for part in (source_url or "").split("|")]
    return all(
        part and local_path(part) is not None and not part.lower().startswith(_REMOTE_GDAL_PATHS)
        for part in parts
    )


def transfer_kind(request: FetchRequest, result: FetchResult) -> str:
    """How the data of ``result`` came, for the summary of a fetch: TRANSFER_NETWORK
    (``result.bytes_transferred`` bytes received), TRANSFER_LOCAL (read or copied from local
    files: "0 B transferred" would say nothing true) or TRANSFER_NONE (a remote source whose
    files were already downloaded and verified: nothing needed transferring)."""
    if result.bytes_transferred > 0:
        return TRANSFER_NETWORK
    return TRANSFER_LOCAL if is_local_source(request.source_url) else TRANSFER_NONE


def new_folders(folder: Path) -> list[Path]:
    """The folders a fetch into ``folder`` would create, deepest first: the missing part of
    its path, and its ``whole/`` (downloads before a clip) when missing."""
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    whole = folder / WHOLE_FOLDER
    return [whole, *missing] if not whole.exists() else missing


def remove_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` (deepest first) that are empty; a folder holding anything
    (a resumable .part, a file of the user's) stays."""
    for path in folders:
        with contextlib.suppress(OSError):  # not empty, already gone, not allowed
            path.rmdir()
