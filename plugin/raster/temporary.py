"""Names of our temporary files, and the sweep of those a killed run left behind.

A temporary file is hidden beside its final name and says who wrote it:
``.<final name>.p<pid>h<host>.<random><suffix>``. A run killed by SIGKILL or SIGTERM (no
handler can run in QGIS) leaves it behind; the next write in the same folder removes the
temporary files of ours whose writer no longer runs on this machine, and any of ours older
than ``STALE_AFTER`` seconds (a writer on another machine sharing the folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import socket
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER = 24 * 3600  # seconds; far longer than any run
SIDECARS = (".aux.xml", ".msk", ".ovr")
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_PATTERN = re.compile(
    r"^\.(?P<name>.+)\.p(?P<pid>\d+)h(?P<host>[0-9a-f]{6})\.[0-9a-f]{8}"
    r"\.part(?:\.[A-Za-z0-9]+)?(?:\.aux\.xml|\.msk|\.ovr)?$"
)


def temporary_name(final_name: str, suffix: str = ".part") -> str:
    """The hidden temporary name of ``final_name`` for this process (suffix starts '.part')."""
    return f".{final_name}.p{os.getpid()}h{_HOST}.{uuid.uuid4().hex[:8]}{suffix}"


def _pid_runs(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there: rely on the age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, under another user
        return True
    return True


def is_stale(path: Path, now: float | None = None) -> bool:
    """Whether ``path`` is a temporary file of ours whose writer is gone."""
    match = _PATTERN.match(path.name)
    if match is None:
        return False
    pid = int(match["pid"])
    if match["host"] == _HOST and pid == os.getpid():
        return False  # this process: maybe another run, in another thread
    try:
        age = (time.time() if now is None else now) - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER:
        return True
    return match["host"] == _HOST and not _pid_runs(pid)


def sweep_stale(folder: str | os.PathLike) -> list[Path]:
    """Remove the stale temporary files of ours in ``folder`` -> the paths removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(os.fspath(folder)))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(".") or ".part" not in entry.name:
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and is_stale(path):
                path.unlink()
                removed.append(path)
    if removed:
        log.info(
            "Removed %d temporary file(s) left by an interrupted run in %s", len(removed), folder
        )
    return removed
