"""Zones for per-zone counts: polygons in the rasters' CRS, the pixels they may hold, the
windows they meet, and layers of zones that can be rasterised together.

A pixel belongs to a zone when its centre lies inside the polygon (``rasterio.features.
rasterize`` with ``all_touched=False``). Zones come as GeoJSON-like Polygon or MultiPolygon
mappings or as WKB; rings are kept as (n, 2) float arrays.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
from rasterio.windows import Window

from ..domain.errors import CropMaskError
from .grid import Grid

Shape = Union[Mapping, bytes, bytearray, memoryview, None]
# Pixel centres within this fraction of a pixel of a box edge count as inside it: the box
# only picks candidates, rasterize decides.
EDGE_TOLERANCE = 1e-6
_WKB_POLYGON, _WKB_MULTIPOLYGON = 3, 6
# Zones whose box overlaps are tested at once when they are layered (a LAYER_BLOCK x zones
# boolean matrix).
LAYER_BLOCK = 512


def _ring(points: Any) -> np.ndarray:
    ring = np.asarray(points, dtype=np.float64)
    if ring.ndim != 2 or ring.shape[1] < 2:
        raise ValueError("a ring is not a list of (x, y) points")
    return np.ascontiguousarray(ring[:, :2])


class _WkbReader:
    """Polygon and MultiPolygon WKB (ISO or EWKB, 2D, Z, M or ZM) as lists of rings."""

    def __init__(self, data: bytes):
        self.data = memoryview(bytes(data))
        self.offset = 0

    def _unpack(self, order: str, fmt: str) -> tuple:
        values = struct.unpack_from(order + fmt, self.data, self.offset)
        self.offset += struct.calcsize(fmt)
        return values

    def geometry(self) -> tuple[int, list]:
        (byte_order,) = self._unpack("<", "B")
        order = "<" if byte_order == 1 else ">"
        (code,) = self._unpack(order, "I")
        dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
        if code & 0x20000000:  # EWKB SRID
            self._unpack(order, "I")
        code &= 0x0FFFFFFF
        dims += {1: 1, 2: 1, 3: 2}.get(code // 1000, 0)
        kind = code % 1000
        if kind == _WKB_POLYGON:
            return kind, self._polygon(order, dims)
        if kind == _WKB_MULTIPOLYGON:
            (count,) = self._unpack(order, "I")
            return kind, [self.geometry()[1] for _ in range(count)]
        raise ValueError(f"WKB geometry type {code} is not a polygon")

    def _polygon(self, order: str, dims: int) -> list:
        (rings,) = self._unpack(order, "I")
        result = []
        for _ in range(rings):
            (points,) = self._unpack(order, "I")
            dtype = np.dtype(order + "f8")
            values = np.frombuffer(self.data, dtype, points * dims, self.offset)
            self.offset += values.nbytes
            result.append(np.ascontiguousarray(values.reshape(points, dims)[:, :2], np.float64))
        return result


def polygon_mapping(shape: Shape) -> dict | None:
    """A GeoJSON-like Polygon or MultiPolygon with array rings, or None for an empty shape."""
    if shape is None:
        return None
    if isinstance(shape, (bytes, bytearray, memoryview)):
        if len(shape) == 0:
            return None
        kind, parts = _WkbReader(bytes(shape)).geometry()
        name = "Polygon" if kind == _WKB_POLYGON else "MultiPolygon"
        mapping: Mapping = {"type": name, "coordinates": parts}
    else:
        mapping = getattr(shape, "__geo_interface__", shape)
    kind_name = mapping.get("type")
    coordinates = mapping.get("coordinates") or []
    if kind_name == "Polygon":
        polygons = [coordinates]
    elif kind_name == "MultiPolygon":
        polygons = list(coordinates)
    else:
        raise ValueError(f"a {kind_name} is not a polygon")
    parts = [[_ring(ring) for ring in polygon] for polygon in polygons if len(polygon)]
    parts = [polygon for polygon in parts if len(polygon[0])]
    if not parts:
        return None
    return {"type": "MultiPolygon", "coordinates": parts}


def _parts(shape: Shape) -> list:
    """The polygons of a shape as lists of (n, 2) float64 rings ([] for an empty shape)."""
    if isinstance(shape, (bytes, bytearray, memoryview)) and len(shape):
        kind, parts = _WkbReader(bytes(shape)).geometry()
        polygons = [parts] if kind == _WKB_POLYGON else parts
        return [polygon for polygon in polygons if polygon and len(polygon[0])]
    mapping = polygon_mapping(shape)
    return [] if mapping is None else mapping["coordinates"]


@dataclass
class Zones:
    """Polygons in the rasters' CRS, by position, packed in flat arrays (no Python object per
    zone): the points of all rings, where each ring, polygon and zone starts."""

    coords: np.ndarray  # (points, 2) float64
    ring_starts: np.ndarray  # (rings + 1,) in points
    part_starts: np.ndarray  # (polygons + 1,) in rings
    zone_starts: np.ndarray  # (zones + 1,) in polygons; a zone without polygon is empty
    bounds: np.ndarray  # (n, 4): xmin, ymin, xmax, ymax (NaN for an empty zone)

    def __len__(self) -> int:
        return int(self.zone_starts.size - 1)

    def mapping(self, zone: int) -> dict | None:
        """A zone as a GeoJSON-like MultiPolygon with list rings (None when empty)."""
        first, last = self.zone_starts[zone], self.zone_starts[zone + 1]
        if first == last:
            return None
        rings, points = self.part_starts, self.ring_starts
        parts = [
            [self.coords[points[r] : points[r + 1]].tolist() for r in range(rings[p], rings[p + 1])]
            for p in range(first, last)
        ]
        return {"type": "MultiPolygon", "coordinates": parts}

    @classmethod
    def from_shapes(cls, shapes: Sequence[Shape]) -> Zones:
        """Zones from GeoJSON-like mappings, objects with ``__geo_interface__``, or WKB;
        a CropMaskError names the position of a shape that is not a polygon."""
        rings: list = []
        ring_counts, part_counts = [], []
        for position, shape in enumerate(shapes):
            try:
                parts = _parts(shape)
            except (ValueError, TypeError, struct.error, AttributeError) as error:
                raise CropMaskError(
                    f"Zone {position}: its geometry cannot be read as a polygon ({error}). "
                    "Give polygon or multipolygon zones."
                ) from None
            part_counts.append(len(parts))
            for polygon in parts:
                ring_counts.append(len(polygon))
                rings.extend(polygon)
        coords = np.concatenate(rings) if rings else np.zeros((0, 2))
        ring_starts = _starts([len(ring) for ring in rings])
        part_starts, zone_starts = _starts(ring_counts), _starts(part_counts)
        bounds = _zone_bounds(coords, ring_starts[part_starts[zone_starts]])
        return cls(coords, ring_starts, part_starts, zone_starts, bounds)


def _starts(counts: list) -> np.ndarray:
    return np.r_[0, np.cumsum(np.asarray(counts, np.int64))].astype(np.int64)


def _zone_bounds(coords: np.ndarray, point_starts: np.ndarray) -> np.ndarray:
    """Per zone, the bounds of its points (NaN for a zone without any)."""
    bounds = np.full((point_starts.size - 1, 4), np.nan)
    full = np.flatnonzero(np.diff(point_starts) > 0)
    if full.size:
        starts = point_starts[full]
        bounds[full, :2] = np.minimum.reduceat(coords, starts)[: full.size]
        bounds[full, 2:] = np.maximum.reduceat(coords, starts)[: full.size]
    return bounds


def pixel_boxes(bounds: np.ndarray, grid: Grid) -> np.ndarray:
    """Per zone, the inclusive rows and columns (r0, r1, c0, c1) of the pixels of ``grid``
    whose centre lies in the zone's bounding box; r0 > r1 or c0 > c1 when there is none."""
    width, height = grid.pixel_size
    left, top = grid.transform.c, grid.transform.f
    with np.errstate(invalid="ignore"):
        u0 = (bounds[:, 0] - left) / width - 0.5
        u1 = (bounds[:, 2] - left) / width - 0.5
        v0 = (top - bounds[:, 3]) / height - 0.5
        v1 = (top - bounds[:, 1]) / height - 0.5
        boxes = np.stack(
            [
                np.ceil(v0 - EDGE_TOLERANCE),
                np.floor(v1 + EDGE_TOLERANCE),
                np.ceil(u0 - EDGE_TOLERANCE),
                np.floor(u1 + EDGE_TOLERANCE),
            ],
            axis=1,
        )
    boxes[np.isnan(bounds).any(axis=1)] = (0, -1, 0, -1)
    boxes[:, 0::2] = np.maximum(boxes[:, 0::2], 0)  # r0, c0
    boxes[:, 1] = np.minimum(boxes[:, 1], grid.height - 1)
    boxes[:, 3] = np.minimum(boxes[:, 3], grid.width - 1)
    return boxes.astype(np.int64)


def has_pixels(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, 0] <= boxes[:, 1]) & (boxes[:, 2] <= boxes[:, 3])


class WindowIndex:
    """Which zones' pixel boxes meet each window: a lattice of the windows' row and column
    starts, searched with ``searchsorted``, and the (window, zone) pairs sorted by window."""

    def __init__(self, windows: Sequence[Window], boxes: np.ndarray):
        rows = np.array([int(window.row_off) for window in windows], np.int64)
        cols = np.array([int(window.col_off) for window in windows], np.int64)
        row_starts, cols_starts = np.unique(rows), np.unique(cols)
        at = np.full((len(row_starts), len(cols_starts)), -1, np.int64)
        at[np.searchsorted(row_starts, rows), np.searchsorted(cols_starts, cols)] = np.arange(
            len(windows)
        )
        zones = np.flatnonzero(has_pixels(boxes))
        box = boxes[zones]
        i0 = np.searchsorted(row_starts, box[:, 0], "right") - 1
        i1 = np.searchsorted(row_starts, box[:, 1], "right") - 1
        j0 = np.searchsorted(cols_starts, box[:, 2], "right") - 1
        j1 = np.searchsorted(cols_starts, box[:, 3], "right") - 1
        pair_windows, pair_zones = [], []
        spans = (i1 - i0 + 1) * (j1 - j0 + 1)
        for span in np.unique(spans):  # zones meeting the same number of windows together
            which = np.flatnonzero(spans == span)
            for offset in range(int(span)):
                width = j1[which] - j0[which] + 1
                pair_windows.append(at[i0[which] + offset // width, j0[which] + offset % width])
                pair_zones.append(zones[which])
        pair_window = np.concatenate(pair_windows) if pair_windows else np.zeros(0, np.int64)
        pair_zone = np.concatenate(pair_zones) if pair_zones else np.zeros(0, np.int64)
        order = np.lexsort((pair_zone, pair_window))
        self.zones = pair_zone[order]
        self.starts = np.searchsorted(pair_window[order], np.arange(len(windows) + 1))

    def zones_in(self, window_number: int) -> np.ndarray:
        return self.zones[self.starts[window_number] : self.starts[window_number + 1]]

    def windows_with_zones(self) -> list[int]:
        return [int(n) for n in np.flatnonzero(np.diff(self.starts))]


def layers(boxes: np.ndarray) -> list[np.ndarray]:
    """Positions in ``boxes`` (r0, r1, c0, c1, inclusive) grouped so that no two boxes of a
    group meet: zones of a group can be burnt into one raster without hiding each other.
    Greedy colouring, largest boxes first."""
    count = len(boxes)
    if count == 0:
        return []
    r0, r1, c0, c1 = (boxes[:, i] for i in range(4))
    order = np.argsort(-(r1 - r0 + 1) * (c1 - c0 + 1), kind="stable")
    r0, r1, c0, c1 = r0[order], r1[order], c0[order], c1[order]
    colour = np.zeros(count, np.intp)
    for start in range(0, count, LAYER_BLOCK):  # meets: blocks of rows, memory bounded
        stop = min(count, start + LAYER_BLOCK)
        meets = (r0[None, :stop] <= r1[start:stop, None]) & (
            r1[None, :stop] >= r0[start:stop, None]
        )
        meets &= (c0[None, :stop] <= c1[start:stop, None]) & (
            c1[None, :stop] >= c0[start:stop, None]
        )
        for i in range(max(start, 1), stop):
            used = colour[:i][meets[i - start, :i]]
            if used.size:
                free = np.flatnonzero(np.bincount(used, minlength=int(used.max()) + 2) == 0)
                colour[i] = free[0]
    return [order[colour == c] for c in range(int(colour.max()) + 1)]
