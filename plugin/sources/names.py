"""Local file names for what a fetch downloads whole: safe, and unique within the fetch (ignoring
case, for Windows and macOS). Pure: no Qt or QGIS."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from ..net.download import safe_file_name
from .addresses import RASTER_SUFFIXES


def sanitised(text: str) -> str:
    """``text`` reduced to letters, digits, '.', '_' and '-' (a safe file name stem)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:200] or "download"


def raster_suffix(href: object) -> str:
    suffix = Path(urlsplit(str(href)).path).suffix
    return suffix if suffix.lower() in RASTER_SUFFIXES else ".tif"


def _numbers(count: int) -> list:
    return [str(position) for position in range(1, count + 1)]


def unique(names: list, labels: Sequence[str]) -> list:
    """``names`` made unique (ignoring case): a name shared by several sources gets
    ``_<label>`` before its extension, then ``_<position>`` if still shared."""
    for extra in (labels, _numbers(len(names))):
        counts = Counter(name.lower() for name in names)
        names = [
            f"{Path(name).stem}_{sanitised(label)}{Path(name).suffix}"
            if counts[name.lower()] > 1
            else name
            for name, label in zip(names, extra)
        ]
    return [safe_file_name(name) for name in names]


def asset_file_names(assets: list, labels: Sequence[str] | None = None) -> list:
    """Local names for the whole files of STAC assets, one per asset, unique in the fetch.

    A file is saved under its item id (unique in a catalogue; CLMS ids name the layer and the
    tile) with the href's extension, not under the href's own name: a catalogue may call every
    file ``data.tif``. ``labels`` (default: positions) tell apart assets of items with the
    same id."""
    names = [sanitised(asset.item_id) + raster_suffix(asset.href) for asset in assets]
    return unique(names, labels or _numbers(len(assets)))


def url_file_names(urls: list, labels: Sequence[str] | None = None) -> list:
    """Local names for raster URLs or paths: their own file names, made unique within the
    fetch (``labels``, e.g. the OSO band names, tell apart files with the same name)."""
    names = [sanitised(Path(urlsplit(str(url)).path).stem) + raster_suffix(url) for url in urls]
    return unique(names, labels or _numbers(len(urls)))
