"""Output GeoTIFFs: the default profile, and writing under a temporary name."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import rasterio
from rasterio.errors import RasterioError

from ..domain.errors import CropMaskError
from .grid import Grid
from .temporary import SIDECARS, sweep_stale, temporary_name

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


_SIGNALLED = "GDAL signalled an error"


class _GdalMessages(logging.Handler):
    """Collects what GDAL reports through rasterio's log in this thread: warnings, and the
    errors (CE_Failure) that rasterio logs at INFO without raising."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def emit(self, record):
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith(_SIGNALLED) or record.levelno >= logging.ERROR:
            args = record.args
            text = (
                args[-1]
                if isinstance(args, tuple) and args and message.startswith(_SIGNALLED)
                else message
            )
            self.errors.append(str(text))
        elif record.levelno >= logging.WARNING:
            self.warnings.append(message)


_level_lock = threading.Lock()
_level_users = [0, logging.NOTSET]  # captures running, the logger's level before the first


@contextlib.contextmanager
def gdal_messages() -> Iterator[_GdalMessages]:
    """GDAL's warnings and errors in this thread while the block runs (rasterio's logger is
    set to INFO meanwhile, as it logs GDAL's errors at that level)."""
    logger = logging.getLogger("rasterio._env")
    handler = _GdalMessages()
    with _level_lock:
        if _level_users[0] == 0:
            _level_users[1] = logger.level
            if not logger.isEnabledFor(logging.INFO):
                logger.setLevel(logging.INFO)
        _level_users[0] += 1
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        with _level_lock:
            _level_users[0] -= 1
            if _level_users[0] == 0:
                logger.setLevel(_level_users[1])


def _refused_options(messages):
    """GDAL's words on ignored creation options (GDAL only warns, then ignores them)."""
    refused = [
        message.split(" in ", 1)[-1].strip().rstrip(".")
        for message in messages
        if "creation option" in message or "value not recognised" in message
    ]
    return list(dict.fromkeys(refused))


def _sidecars(path):
    return [Path(f"{path}{suffix}") for suffix in SIDECARS]


class AtomicPath:
    """A hidden temporary name beside ``final``, to write under and then rename to ``final``.

    The one place for "write under a temporary name, check, rename": ``commit()`` moves the
    finished file to ``final``, ``discard()`` deletes it (and the sidecars GDAL may have
    written beside it). Most callers want the ``atomic_path`` context manager instead.
    """

    def __init__(self, final: str | os.PathLike, suffix: str = ".part"):
        self.final = Path(final)
        sweep_stale(self.final.parent)  # what a killed run left in this folder
        self.temp = self.final.with_name(temporary_name(self.final.name, suffix))

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


def check_destination(path: Path, error: Callable[[str], CropMaskError] = CropMaskError) -> None:
    """Refuse an output whose folder is missing, or that is a folder (``error``: the class)."""
    folder = path.parent
    if not folder.is_dir():
        raise error(
            f"The output folder '{folder}' does not exist. Create it or choose another output."
        )
    if path.is_dir():
        raise error(f"The output '{path}' is a folder; give a file name.")


def _same_file(first: Path, second: Path) -> bool:
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)  # hard links, case-insensitive disks
    except OSError:
        return False


def check_not_an_input(output: str | os.PathLike, inputs: dict[str, str]) -> None:
    """Refuse an ``output`` that is one of ``inputs`` (description -> path), resolving
    symbolic links and relative paths, before anything is written."""
    for description, path in inputs.items():
        if path and _same_file(Path(output), Path(path)):
            raise CropMaskError(
                f"The output '{output}' is {description}: writing it would destroy that "
                "input. Choose another output file name."
            )


_FULL = {errno.ENOSPC: "the disk is full", errno.EFBIG: "the file size limit was reached"}
if hasattr(errno, "EDQUOT"):
    _FULL[errno.EDQUOT] = "the disk quota is exceeded"
_FULL_WORDS = {
    "No space left on device": errno.ENOSPC,
    "File too large": errno.EFBIG,
    "Disk quota exceeded": getattr(errno, "EDQUOT", errno.ENOSPC),
}


# A failed write into a folder with less free space than this: the disk is full, whatever
# words GDAL chose (GDAL 3.10 says "IO error writing tag data" or "Read failed").
LOW_FREE_BYTES = 1 << 20


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _at_file_size_limit(written: Path | None) -> bool:
    """Whether ``written`` has grown to the process's file size limit (RLIMIT_FSIZE), which
    GDAL 3.10 reports only as an I/O error."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        size = written.stat().st_size if written is not None else None
    except (ImportError, OSError, ValueError):
        return False
    if limit == resource.RLIM_INFINITY or size is None:
        return False
    return size + LOW_FREE_BYTES >= limit  # within a block or two of it


def _space_cause(
    folder: Path,
    messages: list[str],
    error: BaseException | None,
    written: Path | None = None,
) -> str | None:
    """'the disk is full: N bytes free on <folder>' when the messages or error say so, or
    when the folder has (almost) no free space left, or the file ``written`` (still there)
    has reached the process's file size limit."""
    free = _free_bytes(folder)
    code = getattr(error, "errno", None)
    if code not in _FULL:
        text = " ".join([*messages, str(error or "")])
        code = next((value for words, value in _FULL_WORDS.items() if words in text), None)
    if code is None and free is not None and free < LOW_FREE_BYTES:
        code = errno.ENOSPC
    if code is None and _at_file_size_limit(written):
        code = errno.EFBIG
    if code is None:
        return None
    where = f"on '{folder}'" if free is None else f"{free} bytes free on '{folder}'"
    return f"{_FULL[code]}: {where}"


def _check_readable(path: Path, profile: dict) -> None:
    """Reopen the written file and read its last block; raise what GDAL says if it cannot."""
    if path.stat().st_size == 0:
        raise OSError("the file is empty")
    with rasterio.open(path) as dataset:
        if (dataset.width, dataset.height, dataset.count) != (
            profile["width"],
            profile["height"],
            profile["count"],
        ):
            raise OSError("its size or band count is not the one written")
        rows, cols = dataset.block_shapes[0]
        last_row, last_col = (dataset.height - 1) // rows, (dataset.width - 1) // cols
        for band in range(1, dataset.count + 1):
            dataset.read(band, window=dataset.block_window(band, last_row, last_col))


class AtomicRasterWriter:
    """Writes a raster under a temporary name beside ``path`` (see ``AtomicPath``) and
    renames it on success.

    GDAL's errors are checked at each write, at close and when the closed file is read back
    (its last block); then ``before_commit`` runs (another output of the same run, say), and
    only then is the file renamed. On any failure, or an exception inside the ``with``
    block, the temporary file is removed and nothing appears at ``path``. ``inputs``
    (description -> path) are refused as the output.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        profile: dict,
        inputs: dict[str, str] | None = None,
        before_commit: Callable[[], None] | None = None,
    ):
        self.path = Path(path)
        check_not_an_input(self.path, inputs or {})
        self.profile = profile
        self.before_commit = before_commit
        self.target = AtomicPath(self.path)
        self.temp = self.target.temp
        self.dataset = None
        self._stack = contextlib.ExitStack()
        self.messages = _GdalMessages()

    def __enter__(self):
        check_destination(self.path)
        try:
            with open(self.temp, "xb"):
                pass
        except OSError as error:
            raise CropMaskError(
                f"Cannot write in the output folder '{self.path.parent}': {error.strerror}. "
                "Choose a folder you can write to."
            ) from None
        self._stack.enter_context(rasterio.Env())  # rasterio's GDAL error handler, installed
        self.messages = self._stack.enter_context(gdal_messages())
        try:
            self.dataset = rasterio.open(self.temp, "w", **self.profile)
        except (RasterioError, OSError) as error:
            self._abandon()
            raise CropMaskError(
                f"Cannot create the output '{self.path}': {error}. "
                "Check the creation options and the free disk space."
            ) from None
        refused = _refused_options(self.messages.warnings)
        if refused:
            self.dataset.close()
            self._abandon()
            raise CropMaskError(
                f"GDAL's GeoTIFF driver refused creation options for '{self.path}': "
                f"{'; '.join(refused)}. Fix or remove them; the valid ones are "
                "listed at https://gdal.org/drivers/raster/gtiff.html#creation-options."
            )
        return self

    def _abandon(self):
        self._stack.close()
        self.target.discard()

    def _failure(self, error: BaseException | None) -> CropMaskError:
        """The error to raise for a write that failed (the temporary file still there)."""
        errors = list(dict.fromkeys(self.messages.errors))
        space = _space_cause(self.path.parent, errors, error, self.temp)
        if space is not None:
            return CropMaskError(
                f"Cannot write the output '{self.path}': {space}. "
                "Free some space or choose another folder, then run it again."
            )
        cause = "; ".join([str(error)] if error else errors[-3:]) or "unknown GDAL error"
        return CropMaskError(
            f"Cannot write the output '{self.path}': {cause}. "
            "Check the disk and the output folder, then run it again."
        )

    def _finish(self, verify: bool) -> CropMaskError | None:
        """Close, then read the file back -> the failure, or None if it is complete."""
        try:
            if self.dataset is not None:
                self.dataset.close()
            if not verify:
                return None
            if self.messages.errors:
                return self._failure(None)
            _check_readable(self.temp, self.profile)
            if self.messages.errors:
                return self._failure(None)
        except (RasterioError, OSError) as error:
            return self._failure(error)
        return None

    def __exit__(self, exc_type, exc, traceback):
        committed = False
        try:
            failure = self._finish(verify=exc_type is None)
            if exc_type is not None:
                failed_write = isinstance(exc, (RasterioError, OSError))
                if failed_write and _space_cause(
                    self.path.parent, self.messages.errors, exc, self.temp
                ):
                    # The write failed: say why (a full disk), not only that it failed.
                    raise self._failure(exc) from None
                return False
            if failure is not None:
                raise failure from None
            if self.before_commit is not None:
                self.before_commit()
            self._commit()
            committed = True
        finally:
            self._stack.close()
            if not committed:
                self.target.discard()
        return False

    def _commit(self):
        try:
            self.target.commit()
            for sidecar in _sidecars(self.path):  # they described the file replaced
                sidecar.unlink(missing_ok=True)
        except OSError as error:
            raise CropMaskError(
                f"Cannot move the finished output to '{self.path}': {error.strerror}. "
                "Close any program that holds that file open, or choose another output name."
            ) from None
