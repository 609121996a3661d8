"""What a feature of the Sentinel Hub Catalog API (STAC items as JSON) tells: its year, its
bounding box; and the tiles the dock lists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CatalogTile:
    id: str
    year: int
    bbox: tuple | None  # west, south, east, north (WGS 84), when the catalogue gives one


def year_range(year: int) -> tuple[str, str]:
    """The first and last instants of ``year``, as the Catalog and Process APIs take them."""
    return f"{year}-01-01T00:00:00Z", f"{year}-12-31T23:59:59Z"


def feature_year(feature: Any) -> int | None:
    """The year of a catalogue feature's (start) datetime, or None."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        return None
    for key in ("datetime", "start_datetime"):
        text = properties.get(key)
        if isinstance(text, str) and len(text) >= 4 and text[:4].isdigit():
            return int(text[:4])
    return None


def feature_bbox(feature: dict) -> tuple[float, ...] | None:
    """The feature's WGS 84 bbox when it gives a usable one."""
    bbox = feature.get("bbox")
    if isinstance(bbox, (list, tuple)) and len(bbox) == 4:
        try:
            values = tuple(float(value) for value in bbox)
        except (TypeError, ValueError):
            return None
        if all(math.isfinite(value) for value in values):
            return values
    return None
