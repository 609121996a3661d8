"""Strata of a class map for a reference sample: count their pixels, draw pixels in them.

A stratum is a map value, optionally split by a confidence band at ``split`` into a low
(confidence < split) and a high (confidence >= split) stratum. A pixel whose confidence is not
a percentage (the band's nodata, or above 100, such as CTYCL's no-crop code) stays in its class's
unsplit stratum. Pixels where the map holds no data are in no stratum: its declared nodata and
its product's no-data codes (strata_values.py says which, and how the product is told). With
zones, only the pixels whose centre lies inside a zone polygon count (rasterio's rasterize,
all_touched=False).

Everything is block-wise, on the map's blocks: memory does not grow with the raster. The sample
is drawn in two passes: the strata are counted, then for each stratum ``n`` ranks are chosen
among its pixels (numpy's Generator.choice, without replacement, from ``seed``), and a second
pass over the same windows, in the same order, picks the pixels of those ranks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import rasterio
import rasterio.features
from affine import Affine
from rasterio.windows import Window

from ..domain.errors import CropMaskCancelled, CropMaskError
from .engine import GDAL_CACHE_MIN
from .grid import (
    Grid,
    block_windows,
    clip_to_bounds,
    intersection,
    offset_in,
    pixel_area_m2,
    window_steps,
)
from .plan import DEFAULT_WINDOW, BandRef, Input, inspect
from .strata_values import (
    HIGH,
    LOW,
    NONE,
    ConfidenceLevels,
    MapIdentity,
    MapValues,
    confidence_levels,
    map_values,
)

LEVEL_NAMES = {NONE: "", LOW: "low", HIGH: "high"}


@dataclass(frozen=True)
class StrataRequest:
    map: BandRef
    confidence: BandRef | None = None
    split: int = 70  # confidence < split: low; >= split: high
    zones: tuple = ()  # GeoJSON-like polygon geometries in the map's CRS
    window_size: int = DEFAULT_WINDOW
    product: str | None = None  # a key of domain.products.PRODUCTS; None: told automatically


def stratum_key(map_value: int, level: int) -> int:
    return int(map_value) * 3 + int(level)


@dataclass(frozen=True)
class Stratum:
    key: int
    pixels: int

    @property
    def map_value(self) -> int:
        return self.key // 3

    @property
    def level(self) -> int:
        return self.key % 3

    @property
    def name(self) -> str:
        """'1110', or '1110/low' and '1110/high' when split by confidence."""
        level = LEVEL_NAMES[self.level]
        return f"{self.map_value}/{level}" if level else str(self.map_value)


@dataclass(frozen=True)
class SamplePixel:
    key: int  # the stratum
    row: int  # in StrataCount.grid
    col: int
    x: float  # the pixel centre, in the map's CRS
    y: float
    map_value: int
    confidence: int | None


@dataclass
class StrataCount:
    grid: Grid  # the counted part of the map (the zones' bounding box)
    strata: list[Stratum]  # sorted by key
    pixel_area_m2: float | None  # None when the CRS is not projected
    windows: list = field(default_factory=list, repr=False)
    values: MapValues | None = None  # the map's no-data values and how they were told

    @property
    def identity(self) -> MapIdentity | None:
        return None if self.values is None else self.values.identity

    def area_ha(self, pixels: int) -> float | None:
        return None if self.pixel_area_m2 is None else pixels * self.pixel_area_m2 / 10_000


@dataclass(frozen=True)
class _Layout:
    inputs: dict  # "map" / "confidence" -> Input
    full: Grid  # the inputs' common grid
    grid: Grid  # clipped to the zones' bounding box
    zone_bounds: list  # per zone geometry: (left, bottom, right, top)
    values: MapValues  # which map values are no data
    levels: ConfidenceLevels | None  # the confidence band's levels (None: no confidence band)


def _layout(request: StrataRequest) -> _Layout:
    inputs = {"map": inspect("map", request.map)}
    if request.confidence is not None:
        inputs["confidence"] = inspect("confidence", request.confidence)
    if inputs["map"].dtype.kind not in "iu":
        raise CropMaskError(
            f"{inputs['map'].label.capitalize()} holds {inputs['map'].dtype.name} values: a map "
            "of classes must hold integer codes. Choose a class map or a crop mask."
        )
    if not 0 <= request.split <= 101:
        raise CropMaskError(
            f"The confidence split {request.split} is outside 0-100; give a percentage."
        )
    full = intersection([(item.label, item.grid) for item in inputs.values()])
    grid = full
    bounds = [rasterio.features.bounds(zone) for zone in request.zones]
    if bounds:
        union = (
            min(b[0] for b in bounds),
            min(b[1] for b in bounds),
            max(b[2] for b in bounds),
            max(b[3] for b in bounds),
        )
        try:
            grid = clip_to_bounds(full, union)
        except CropMaskError:
            left, bottom, right, top = full.bounds
            zone = ", ".join(f"{value:g}" for value in union)
            raise CropMaskError(
                f"The zone ({zone}) does not overlap {inputs['map'].label}, which covers "
                f"({left:g}, {bottom:g}, {right:g}, {top:g}). Choose a zone on the map."
            ) from None
    values = map_values(inputs["map"], request.product)
    levels = None
    if "confidence" in inputs:
        levels = confidence_levels(inputs["confidence"], values.identity.product, request.split)
    return _Layout(inputs, full, grid, bounds, values, levels)


def _windows(layout: _Layout, window_size: int) -> list[Window]:
    lead = layout.inputs["map"]
    steps = window_steps(lead.block_shape, window_size, lead.grid.width)
    phase = offset_in(lead.grid, layout.grid)
    return [
        Window(col, row, width, height)
        for row, col, height, width in block_windows(
            layout.grid.height, layout.grid.width, steps, phase
        )
    ]


class _Reader:
    """Reads the strata keys of windows of the counted grid.

    Each block is read once per pass, so GDAL's block cache only costs memory: without a
    bound (GDAL's default is 5 % of the RAM) it grew to the whole decompressed map (+200 MB
    for a 10000² uint16 map). It is kept at the engine's small size while reading."""

    def __init__(self, request: StrataRequest, layout: _Layout):
        self.request = request
        self.layout = layout
        self.env = rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MIN)
        self.env.__enter__()
        try:
            self.datasets = {
                role: rasterio.open(item.ref.path) for role, item in layout.inputs.items()
            }
        except BaseException:
            self.env.__exit__(None, None, None)
            raise

    def close(self) -> None:
        try:
            for dataset in self.datasets.values():
                dataset.close()
        finally:
            self.env.__exit__(None, None, None)

    def _band(self, role: str, window: Window, grid: Grid) -> np.ndarray:
        item: Input = self.layout.inputs[role]
        row, col = offset_in(item.grid, grid)
        source = Window(col + window.col_off, row + window.row_off, window.width, window.height)
        return self.datasets[role].read(item.ref.band, window=source)

    def zone_mask(self, transform: Affine, shape: tuple[int, int]) -> np.ndarray | None:
        """Pixels whose centre is in a zone (None: no zones given)."""
        if not self.request.zones:
            return None
        height, width = shape
        left, top = transform.c, transform.f
        right, bottom = left + transform.a * width, top + transform.e * height
        shapes = [
            (zone, 1)
            for zone, (zl, zb, zr, zt) in zip(self.request.zones, self.layout.zone_bounds)
            if zl <= right and zr >= left and zb <= top and zt >= bottom
        ]
        if not shapes:
            return np.zeros(shape, dtype=bool)
        mask = rasterio.features.rasterize(
            shapes, out_shape=shape, transform=transform, fill=0, all_touched=False, dtype="uint8"
        )
        return mask.astype(bool)

    def keys(self, window: Window, grid: Grid | None = None):
        """(keys, valid, map values, confidence values or None) of ``window`` of ``grid``."""
        grid = grid or self.layout.grid
        values = self._band("map", window, grid)
        valid = self.layout.values.valid(values)
        level = np.full(values.shape, NONE, dtype=np.int64)
        confidence = None
        if self.layout.levels is not None:
            confidence = self._band("confidence", window, grid)
            level = self.layout.levels.levels(confidence)
        transform = grid.transform * Affine.translation(window.col_off, window.row_off)
        zone = self.zone_mask(transform, (values.shape[0], values.shape[1]))
        if zone is not None:
            valid &= zone
        keys = values.astype(np.int64) * 3 + level
        return keys, valid, values, confidence


def _check(is_cancelled: Callable[[], bool] | None) -> None:
    if is_cancelled is not None and is_cancelled():
        raise CropMaskCancelled("Cancelled.")


def count_strata(
    request: StrataRequest,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> StrataCount:
    """The pixels of each stratum (CropMaskError if the inputs cannot be used)."""
    layout = _layout(request)
    windows = _windows(layout, request.window_size)
    totals: dict[int, int] = {}
    reader = _Reader(request, layout)
    try:
        for index, window in enumerate(windows):
            _check(is_cancelled)
            keys, valid, _, _ = reader.keys(window)
            found, counts = np.unique(keys[valid], return_counts=True)
            for key, count in zip(found.tolist(), counts.tolist()):
                totals[key] = totals.get(key, 0) + count
            if progress is not None:
                progress((index + 1) / len(windows))
    finally:
        reader.close()
    strata = [Stratum(key, totals[key]) for key in sorted(totals)]
    if not strata:
        raise CropMaskError(
            f"{layout.inputs['map'].label.capitalize()} has no pixel with data"
            + (" inside the zone." if request.zones else ".")
            + " Check the map and the zone."
        )
    return StrataCount(layout.grid, strata, pixel_area_m2(layout.grid), windows, layout.values)


def _ranks(counted: StrataCount, sizes: Mapping[int, int], seed: int) -> dict[int, np.ndarray]:
    generator = np.random.default_rng(seed)
    ranks = {}
    for stratum in counted.strata:
        n = int(sizes.get(stratum.key, 0))
        if n > stratum.pixels:
            raise CropMaskError(
                f"Stratum {stratum.name} has {stratum.pixels} pixels; {n} cannot be drawn."
            )
        if n > 0:
            ranks[stratum.key] = np.sort(generator.choice(stratum.pixels, n, replace=False))
    return ranks


def draw_sample(
    request: StrataRequest,
    counted: StrataCount,
    sizes: Mapping[int, int],
    seed: int,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> list[SamplePixel]:
    """``sizes[key]`` pixels drawn uniformly without replacement in each stratum (by key), from
    ``counted`` = count_strata(request); the same seed gives the same pixels."""
    ranks = _ranks(counted, sizes, seed)
    layout = _layout(request)
    seen = dict.fromkeys(ranks, 0)
    picked: list[SamplePixel] = []
    reader = _Reader(request, layout)
    try:
        for index, window in enumerate(counted.windows):
            _check(is_cancelled)
            picked.extend(_pick(reader, window, counted.grid, ranks, seen))
            if progress is not None:
                progress((index + 1) / len(counted.windows))
    finally:
        reader.close()
    picked.sort(key=lambda pixel: (pixel.key, pixel.row, pixel.col))
    return picked


def _pick(reader, window, grid, ranks, seen) -> Iterator[SamplePixel]:
    keys, valid, values, confidence = reader.keys(window)
    found, counts = np.unique(keys[valid], return_counts=True)
    for key, count in zip(found.tolist(), counts.tolist()):
        if key not in ranks:
            continue
        first = seen[key]
        seen[key] = first + count
        wanted = ranks[key]
        chosen = wanted[np.searchsorted(wanted, first) : np.searchsorted(wanted, first + count)]
        if not chosen.size:
            continue
        positions = np.flatnonzero(valid & (keys == key))[chosen - first]
        rows, cols = np.divmod(positions, keys.shape[1])
        for row, col in zip(rows.tolist(), cols.tolist()):
            grid_row, grid_col = row + int(window.row_off), col + int(window.col_off)
            x, y = grid.transform * (grid_col + 0.5, grid_row + 0.5)
            yield SamplePixel(
                key=key,
                row=grid_row,
                col=grid_col,
                x=x,
                y=y,
                map_value=int(values[row, col]),
                confidence=None if confidence is None else int(confidence[row, col]),
            )


@dataclass(frozen=True)
class PointValue:
    """What the strata rasters hold at a point."""

    inside: bool  # inside the map (the inputs' common grid)
    in_zone: bool  # inside a zone (True when no zones are given)
    key: int | None  # its stratum; None where the map has no data
    map_value: int | None


def values_at(request: StrataRequest, points: Sequence[tuple[float, float]]) -> list[PointValue]:
    """The stratum and map value of the pixel under each (x, y) (in the map's CRS)."""
    layout = _layout(request)
    full = layout.full
    width, height = full.pixel_size
    result = []
    reader = _Reader(request, layout)
    try:
        for x, y in points:
            col = math.floor((x - full.transform.c) / width)
            row = math.floor((full.transform.f - y) / height)
            if not (math.isfinite(x) and math.isfinite(y)) or not (
                0 <= row < full.height and 0 <= col < full.width
            ):
                result.append(PointValue(False, False, None, None))
                continue
            keys, _, values, _ = reader.keys(Window(col, row, 1, 1), full)
            zone = reader.zone_mask(full.transform * Affine.translation(col, row), (1, 1))
            in_zone = zone is None or bool(zone[0, 0])
            has_data = bool(layout.values.valid(values)[0, 0])
            key = int(keys[0, 0]) if has_data else None
            result.append(PointValue(True, in_zone, key, int(values[0, 0]) if has_data else None))
    finally:
        reader.close()
    return result
