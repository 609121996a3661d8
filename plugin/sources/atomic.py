"""Write a file under a temporary name, renamed to its own on success. Pure: no Qt or QGIS."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_on_success(target: Path, suffix: str = ".part") -> Iterator[Path]:
    """Yields a hidden temporary path next to ``target`` (ending with ``suffix``, which may carry
    the extension GDAL needs); when the block ends without an exception it replaces ``target``.
    Whatever happens, the temporary file is gone afterwards, and an older ``target`` stays
    until the new one is complete."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}{suffix}")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
