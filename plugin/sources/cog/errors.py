"""Errors of the COG clip, and the caller's progress and cancel callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ...domain.errors import CropMaskCancelled, CropMaskError


class ClipError(CropMaskError):
    """The area cannot be clipped from the sources; the message says why and what to do."""


class RangesNotSupported(ClipError):
    """The server sends whole files only: download the file instead of clipping it."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url  # redacted


class ClipAuthError(ClipError):
    """The server refused the credentials (HTTP 401/403)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ClipCancelled(CropMaskCancelled):
    """Cancelled by the caller; nothing was written under the output name."""


@dataclass(frozen=True)
class Monitor:
    """The caller's ``progress(fraction)`` and ``is_cancelled()`` for the output ``name``."""

    name: str
    progress: Optional[Callable[[float], None]] = None
    is_cancelled: Optional[Callable[[], bool]] = None

    def cancelled(self) -> bool:
        return self.is_cancelled is not None and bool(self.is_cancelled())

    def cancelled_error(self) -> ClipCancelled:
        return ClipCancelled(f"Clipping {self.name} cancelled; nothing was written.")

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise self.cancelled_error()

    def report(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)))
