"""Output GeoTIFFs: the default profile, and writing under a temporary name."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import rasterio
from rasterio.errors import RasterioError

from ..domain.errors import CropMaskError
from .grid import Grid

if TYPE_CHECKING:
    import numpy as np

# Chosen by `make bench` (see README): fastest to write at a similar size.
DEFAULT_COMPRESSION = {"compress": "ZSTD", "zstd_level": 1}
BLOCK_SIZE = 512


def parse_creation_options(text: str | None) -> dict:
    """'COMPRESS=DEFLATE|ZLEVEL=6' (the QGIS convention) -> {'COMPRESS': 'DEFLATE', ...}."""
    options = {}
    for part in (text or "").replace("\n", "|").split("|"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise CropMaskError(
                f"Creation option {part!r} is not KEY=VALUE; "
                "write options as 'COMPRESS=DEFLATE|ZLEVEL=6'."
            )
        options[key.strip().upper()] = value.strip()
    return options


def output_profile(
    grid: Grid,
    dtype: np.dtype | str,
    nodata: float,
    threads: int,
    creation_options: dict | None = None,
) -> dict:
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": dtype.name if hasattr(dtype, "name") else str(dtype),
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": BLOCK_SIZE,
        "blockysize": BLOCK_SIZE,
        "num_threads": str(threads),
        "bigtiff": "IF_SAFER",
    }
    options = {key.lower(): value for key, value in (creation_options or {}).items()}
    if "compress" not in options:
        profile.update(DEFAULT_COMPRESSION)
    profile.update(options)
    return profile


class _GdalWarnings(logging.Handler):
    """Collects the GDAL warnings that rasterio logs in this thread."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages = []

    def emit(self, record):
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _gdal_warnings():
    logger = logging.getLogger("rasterio._env")
    handler = _GdalWarnings()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _refused_options(messages):
    """GDAL's words on ignored creation options (GDAL only warns, then ignores them)."""
    refused = [
        message.split(" in ", 1)[-1].strip().rstrip(".")
        for message in messages
        if "creation option" in message or "value not recognised" in message
    ]
    return list(dict.fromkeys(refused))


def _sidecars(path):
    return [Path(f"{path}{suffix}") for suffix in (".aux.xml", ".msk", ".ovr")]


class AtomicPath:
    """A hidden temporary name beside ``final``, to write under and then rename to ``final``.

    The one place for "write under a temporary name, check, rename": ``commit()`` moves the
    finished file to ``final``, ``discard()`` deletes it (and the sidecars GDAL may have
    written beside it). Most callers want the ``atomic_path`` context manager instead.
    """

    def __init__(self, final: str | os.PathLike, suffix: str = ".part"):
        self.final = Path(final)
        self.temp = self.final.with_name(f".{self.final.name}.{uuid.uuid4().hex[:8]}{suffix}")

    def commit(self) -> None:
        """Rename the temporary file to the final name (replacing a file there)."""
        os.replace(self.temp, self.final)

    def discard(self) -> None:
        for path in [self.temp, *_sidecars(self.temp)]:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` if the block ends
    normally, delete it if the block raises (an older file at ``final`` is then kept).

    Check the written file inside the block, and raise to keep it from ``final``::

        with atomic_path(target) as temporary:
            shutil.copyfile(source, temporary)

    ``suffix`` ends the temporary name (".part.vrt" for a driver that goes by extension).
    An error of the rename itself is raised as the OSError.
    """
    target = AtomicPath(final, suffix)
    try:
        yield target.temp
        target.commit()
    finally:
        target.discard()


def _check_destination(path):
    folder = path.parent
    if not folder.is_dir():
        raise CropMaskError(
            f"The output folder '{folder}' does not exist. Create it or choose another output."
        )
    if path.is_dir():
        raise CropMaskError(f"The output '{path}' is a folder; give a file name.")


class AtomicRasterWriter:
    """Writes a raster under a temporary name beside ``path`` (see ``AtomicPath``) and
    renames it on success.

    On any exception inside the ``with`` block the temporary file is removed
    and nothing appears at ``path``.
    """

    def __init__(self, path: str | os.PathLike, profile: dict):
        self.path = Path(path)
        self.profile = profile
        self.target = AtomicPath(self.path)
        self.temp = self.target.temp
        self.dataset = None

    def __enter__(self):
        _check_destination(self.path)
        try:
            with open(self.temp, "xb"):
                pass
        except OSError as error:
            raise CropMaskError(
                f"Cannot write in the output folder '{self.path.parent}': {error.strerror}. "
                "Choose a folder you can write to."
            ) from None
        try:
            with _gdal_warnings() as warnings:
                self.dataset = rasterio.open(self.temp, "w", **self.profile)
        except (RasterioError, OSError) as error:
            self.target.discard()
            raise CropMaskError(
                f"Cannot create the output '{self.path}': {error}. "
                "Check the creation options and the free disk space."
            ) from None
        refused = _refused_options(warnings)
        if refused:
            self.dataset.close()
            self.target.discard()
            raise CropMaskError(
                f"GDAL's GeoTIFF driver refused creation options for '{self.path}': "
                f"{'; '.join(refused)}. Fix or remove them; the valid ones are "
                "listed at https://gdal.org/drivers/raster/gtiff.html#creation-options."
            )
        return self

    def __exit__(self, exc_type, exc, traceback):
        try:
            if self.dataset is not None:
                self.dataset.close()
        except (RasterioError, OSError) as error:
            self.target.discard()
            if exc_type is None:
                raise CropMaskError(
                    f"Cannot finish the output '{self.path}': {error}. "
                    "Check the free disk space, then run it again."
                ) from None
            return False
        if exc_type is not None:
            self.target.discard()
            return False
        try:
            self.target.commit()
            for sidecar in _sidecars(self.path):  # they described the file replaced
                sidecar.unlink(missing_ok=True)
        except OSError as error:
            self.target.discard()
            raise CropMaskError(
                f"Cannot move the finished output to '{self.path}': {error.strerror}. "
                "Close any program that holds that file open, or choose another output name."
            ) from None
        return False
