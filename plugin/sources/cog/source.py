"""One source of a clip: its address, how it is shown in messages and its GDAL file name."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Optional, Union
from urllib.parse import urlsplit

from ...net.http import redact_url
from ..paths import local_path
from .errors import ClipError

Address = Union[str, os.PathLike]
_KINDS = {"http": "http", "https": "http", "s3": "s3"}


class SourceAddress:
    """``kind`` is "http", "s3" or "local"; ``url`` (http only) may move to a trusted
    redirect target (``use_url``), and ``gdal_path`` with it."""

    def __init__(self, text: Address) -> None:
        self.text = str(text)
        path = local_path(self.text)
        scheme = "" if path is not None else urlsplit(self.text).scheme.lower()
        self.kind = _KINDS.get(scheme, "local")
        if scheme and self.kind == "local":
            raise ClipError(f"Cannot read {redact_url(self.text)}: unsupported address scheme.")
        self.url: Optional[str] = self.text if self.kind == "http" else None
        if self.kind == "http":
            self.shown = redact_url(self.text)
        elif self.kind == "s3":
            self.shown = self.text.split("?", 1)[0]
        else:
            assert path is not None  # only an address with a scheme has no path
            self.shown = path
        self.gdal_path = self._gdal_path()

    def _gdal_path(self) -> str:
        if self.kind == "http":
            return f"/vsicurl/{self.url}"
        if self.kind == "s3":
            return "/vsis3/" + self.text[len("s3://") :]
        return self.shown

    def use_url(self, url: str) -> None:
        """Read from ``url`` (a trusted redirect target) from now on."""
        self.url = url
        self.gdal_path = self._gdal_path()


def as_addresses(sources: Union[Address, Iterable[Address], None]) -> list[SourceAddress]:
    """One address or a non-empty list of them."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    sources = list(sources or ())
    if not sources:
        raise ClipError("No raster to clip: the list of sources is empty.")
    return [SourceAddress(source) for source in sources]
