"""The 10 m Lambert-93 lattice of OSO, cut into request pieces fetched a few at a time.

A Sentinel Hub Process API request returns at most 2500 x 2500 px: an area is snapped outward to
the lattice, cut into pieces of whole output blocks, and the pieces are fetched by a few worker
threads while the calling thread writes each one as it arrives.
"""

from __future__ import annotations

import concurrent.futures
import math
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.io import DatasetWriter, MemoryFile
from rasterio.windows import Window

from ..domain.errors import CropMaskError
from ..raster.grid import ALIGNMENT_TOLERANCE, Grid
from ..raster.output import BLOCK_SIZE, output_profile

LAMBERT93 = CRS.from_epsg(2154)
PIXEL_SIZE = 10.0
CANCEL_POLL_SECONDS = 0.1

Piece = tuple[int, int, int, int]  # row, col, height, width


class PieceStopped(Exception):
    """A worker stops because the run was cancelled or failed elsewhere."""


class PieceUnreadable(Exception):
    """A piece is not what was asked; the text goes after "answered <the piece> "."""


def snap_outward(
    bounds: Sequence[float], pixel: float = PIXEL_SIZE
) -> tuple[float, float, float, float]:
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


def lattice_grid(bounds_2154: Sequence[float], pixel: float = PIXEL_SIZE) -> Grid:
    """The EPSG:2154 grid on the ``pixel`` lattice that covers ``bounds_2154``."""
    xmin, ymin, xmax, ymax = snap_outward(bounds_2154, pixel)
    width = round((xmax - xmin) / pixel)
    height = round((ymax - ymin) / pixel)
    return Grid(LAMBERT93, Affine(pixel, 0.0, xmin, 0.0, -pixel, ymax), width, height)


def piece_size(max_request_size: int) -> int:
    """Side of the request pieces: whole output blocks when possible (each block written once)."""
    if max_request_size >= BLOCK_SIZE:
        return max_request_size // BLOCK_SIZE * BLOCK_SIZE
    return max_request_size


def plan_pieces(width: int, height: int, size: int) -> list[Piece]:
    """Windows (row, col, height, width) of at most ``size`` px covering the raster."""
    return [
        (row, col, min(size, height - row), min(size, width - col))
        for row in range(0, height, size)
        for col in range(0, width, size)
    ]


def run_pieces(
    pieces: Sequence[Piece],
    fetch: Callable[[Piece], Any],
    write: Callable[[Piece, Any], None],
    cancelled: Callable[[], bool],
    stop: threading.Event,
    workers: int,
    cancelled_error: Callable[[str], BaseException],
) -> None:
    """fetch(piece) in at most ``workers`` threads at a time; write(piece, what fetch returned)
    in this thread as each arrives. cancelled() is polled: a cancel raises cancelled_error
    (message). Any error sets ``stop``, which the workers check to quit (raising PieceStopped)."""
    pending = list(reversed(pieces))
    running: dict[concurrent.futures.Future, Piece] = {}
    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=workers, thread_name_prefix="sentinelhub"
    )
    try:
        while pending or running:
            if cancelled():
                finished = len(pieces) - len(pending) - len(running)
                raise cancelled_error(
                    f"OSO download cancelled after {finished} of {len(pieces)} pieces; "
                    "no file was written."
                )
            while pending and len(running) < workers:
                piece = pending.pop()
                running[executor.submit(fetch, piece)] = piece
            done, _ = concurrent.futures.wait(
                running, timeout=CANCEL_POLL_SECONDS, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                piece = running.pop(future)
                try:
                    result = future.result()
                except PieceStopped:
                    continue
                write(piece, result)
        if stop.is_set():
            raise cancelled_error("OSO download cancelled; no file was written.")
    except BaseException:
        stop.set()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def read_piece(body: bytes, piece_grid: Grid, count: int) -> np.ndarray:
    """The ``count`` x h x w uint8 array of a piece's GeoTIFF, checked against ``piece_grid``
    (a GeoTIFF without a transform is taken as on it); else PieceUnreadable."""
    try:
        with MemoryFile(body) as memory, memory.open() as dataset:
            shape = (dataset.count, dataset.height, dataset.width)
            dtypes = set(dataset.dtypes)
            transform = dataset.transform
            array = dataset.read() if shape[0] == count else None
    except RasterioError:
        raise PieceUnreadable("with something that is not a GeoTIFF; try again later.") from None
    if shape != (count, piece_grid.height, piece_grid.width) or dtypes != {"uint8"}:
        raise PieceUnreadable(
            f"with a {shape[0]}-band {shape[2]} x {shape[1]} px {'/'.join(sorted(dtypes))} "
            f"image, expected {count} uint8 bands of {piece_grid.width} x {piece_grid.height} "
            "px; check the collection id in the plugin settings."
        )
    if not transform.is_identity and not transform.almost_equals(
        piece_grid.transform, precision=PIXEL_SIZE * 1e-3
    ):
        raise PieceUnreadable(
            f"on another grid ({tuple(transform)[:6]} instead of "
            f"{tuple(piece_grid.transform)[:6]}); the pieces cannot be mosaicked on the 10 m "
            "Lambert-93 grid."
        )
    assert array is not None  # read: it has ``count`` bands
    return array


def mosaic_profile(
    grid: Grid, count: int, nodata: int, creation_options: Any = None, threads: int | None = None
) -> dict:
    """The output profile of a ``count``-band uint8 mosaic on ``grid``."""
    threads = threads or min(4, os.cpu_count() or 1)
    profile = output_profile(grid, np.dtype("uint8"), nodata, threads, creation_options)
    profile.update(count=count, photometric="MINISBLACK", interleave="band")
    return profile


class Mosaic:
    """Names the bands of ``dataset``, then writes each piece as it arrives, counting the bytes
    received and whether the first band holds data (values other than ``nodata_values``)."""

    def __init__(
        self,
        dataset: DatasetWriter,
        bands: Sequence[str],
        nodata_values: Sequence[int],
        pieces: int,
        progress: Callable[[float], None] | None = None,
    ):
        self.dataset, self.nodata_values = dataset, nodata_values
        self.pieces, self.progress = pieces, progress
        self.bytes, self.has_data, self.done = 0, False, 0
        for index, name in enumerate(bands, start=1):
            dataset.set_band_description(index, name)
        if progress is not None:
            progress(0.0)

    def write(self, piece: Piece, fetched: tuple[np.ndarray, int]) -> None:
        array, size = fetched
        row, col, height, width = piece
        self.dataset.write(array, window=Window(col, row, width, height))
        self.bytes += size
        self.has_data = self.has_data or bool(np.any(~np.isin(array[0], self.nodata_values)))
        self.done += 1
        if self.progress is not None:
            self.progress(self.done / self.pieces)
