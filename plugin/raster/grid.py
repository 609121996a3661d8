"""Raster grids: compatibility checks, intersections and block windows."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from affine import Affine
from rasterio.crs import CRS

from ..domain.errors import CropMaskError

# Offsets within this fraction of a pixel count as aligned.
ALIGNMENT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Grid:
    crs: CRS | None
    transform: Affine
    width: int
    height: int

    @property
    def pixel_size(self) -> tuple[float, float]:
        return self.transform.a, -self.transform.e

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        left, top = self.transform.c, self.transform.f
        return (
            left,
            top + self.transform.e * self.height,
            left + self.transform.a * self.width,
            top,
        )

    def describe(self) -> str:
        crs = self.crs.to_string() if self.crs else "no CRS"
        left, bottom, right, top = self.bounds
        return (
            f"{crs}, pixel {self.transform.a:g} x {-self.transform.e:g}, "
            f"{self.width} x {self.height} px, origin ({left:.6f}, {top:.6f})"
        )

    def window_grid(self, row_off: int, col_off: int, height: int, width: int) -> Grid:
        transform = self.transform * Affine.translation(col_off, row_off)
        return Grid(self.crs, transform, width, height)


def _same_crs(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b


def check_compatible(name_a: str, grid_a: Grid, name_b: str, grid_b: Grid) -> None:
    """Refuse grids that differ in CRS, pixel size or alignment: never resample."""
    problem = None
    if grid_a.transform.b or grid_a.transform.d or grid_b.transform.b or grid_b.transform.d:
        problem = "rotated grids are not supported"
    elif not _same_crs(grid_a.crs, grid_b.crs):
        problem = "their CRS differ"
    else:
        (ax, ay), (bx, by) = grid_a.pixel_size, grid_b.pixel_size
        if not (math.isclose(ax, bx, rel_tol=1e-9) and math.isclose(ay, by, rel_tol=1e-9)):
            problem = "their pixel sizes differ"
        else:
            col_shift = (grid_b.transform.c - grid_a.transform.c) / ax
            row_shift = (grid_a.transform.f - grid_b.transform.f) / ay
            if (
                abs(col_shift - round(col_shift)) > ALIGNMENT_TOLERANCE
                or abs(row_shift - round(row_shift)) > ALIGNMENT_TOLERANCE
            ):
                problem = "their pixels are not aligned"
    if problem:
        raise CropMaskError(
            f"{name_a[:1].upper()}{name_a[1:]} and {name_b} are not on the same grid ({problem}): "
            f"{name_a} is {grid_a.describe()}; {name_b} is {grid_b.describe()}. "
            "Warp one onto the other first (for example gdalwarp with -tr and -tap); "
            "this tool never resamples."
        )


def offset_in(grid: Grid, reference: Grid) -> tuple[int, int]:
    """Row and column of ``reference``'s origin within ``grid`` (aligned grids)."""
    width, height = grid.pixel_size
    col = round((reference.transform.c - grid.transform.c) / width)
    row = round((grid.transform.f - reference.transform.f) / height)
    return row, col


def check_north_up(name: str, grid: Grid) -> None:
    """Refuse a south-up (positive pixel height) or east-to-west grid: every window, extent and
    offset here counts rows from the top edge down and columns from the left edge."""
    if grid.transform.e > 0 or grid.transform.a < 0:
        direction = "south-up" if grid.transform.e > 0 else "right-to-left"
        raise CropMaskError(
            f"{name[:1].upper()}{name[1:]} is {direction} (pixel size {grid.transform.a:g} x "
            f"{grid.transform.e:g}): this tool reads north-up rasters only, whose rows run from "
            "north to south. Warp it to a north-up copy first (gdalwarp in.tif out.tif writes "
            "one, without resampling the values of a grid-aligned raster)."
        )


def intersection(named_grids: list[tuple[str, Grid]]) -> Grid:
    """The common part of aligned grids, on the first grid's lattice."""
    for name, grid in named_grids:
        check_north_up(name, grid)
    (first_name, first), *others = named_grids
    row0, col0, row1, col1 = 0, 0, first.height, first.width
    for name, grid in others:
        check_compatible(first_name, first, name, grid)
        row, col = offset_in(first, grid)  # other's origin in first's pixels
        row0, col0 = max(row0, row), max(col0, col)
        row1, col1 = min(row1, row + grid.height), min(col1, col + grid.width)
    if row1 <= row0 or col1 <= col0:
        raise CropMaskError(
            "The input rasters do not overlap: "
            + "; ".join(f"{name} is {grid.describe()}" for name, grid in named_grids)
            + ". Choose layers that cover the same area."
        )
    return first.window_grid(row0, col0, row1 - row0, col1 - col0)


def clip_to_bounds(grid: Grid, bounds: tuple) -> Grid:
    """The grid-aligned window of ``grid`` covering ``bounds`` (xmin, ymin, xmax, ymax)."""
    xmin, ymin, xmax, ymax = bounds
    if not (xmin < xmax and ymin < ymax):
        raise CropMaskError(f"The extent {bounds} is empty: give xmin < xmax and ymin < ymax.")
    width, height = grid.pixel_size
    left, top = grid.transform.c, grid.transform.f
    col0 = max(0, math.floor((xmin - left) / width + ALIGNMENT_TOLERANCE))
    col1 = min(grid.width, math.ceil((xmax - left) / width - ALIGNMENT_TOLERANCE))
    row0 = max(0, math.floor((top - ymax) / height + ALIGNMENT_TOLERANCE))
    row1 = min(grid.height, math.ceil((top - ymin) / height - ALIGNMENT_TOLERANCE))
    if col1 <= col0 or row1 <= row0:
        gleft, gbottom, gright, gtop = grid.bounds
        raise CropMaskError(
            f"The extent ({xmin:g}, {ymin:g}, {xmax:g}, {ymax:g}) does not overlap the "
            f"input rasters, which cover ({gleft:g}, {gbottom:g}, {gright:g}, {gtop:g}) "
            f"in {grid.crs.to_string() if grid.crs else 'their CRS'}. "
            "Choose an extent inside the layers."
        )
    return grid.window_grid(row0, col0, row1 - row0, col1 - col0)


def window_steps(block_shape: tuple, window_size: int, raster_width: int) -> tuple[int, int]:
    """Window height and width: whole blocks, about ``window_size``² pixels.

    Strips (blocks as wide as the raster) are grouped by rows so that each is
    decompressed once; tiles are grouped in both directions.
    """
    block_rows, block_cols = block_shape
    target = window_size * window_size
    if block_cols >= raster_width:
        rows = max(1, target // max(raster_width, 1) // block_rows) * block_rows
        return rows, block_cols
    return (
        block_rows * max(1, round(window_size / block_rows)),
        block_cols * max(1, round(window_size / block_cols)),
    )


def block_windows(
    height: int, width: int, steps: tuple[int, int], phase: tuple[int, int] = (0, 0)
) -> Iterator[tuple[int, int, int, int]]:
    """Windows (row, col, height, width) covering the raster, aligned to blocks.

    ``steps`` is the window size from ``window_steps``, ``phase`` where the
    raster starts within the input's block lattice.
    """
    step_rows, step_cols = steps
    row_starts = _aligned_starts(height, step_rows, phase[0] % step_rows)
    col_starts = _aligned_starts(width, step_cols, phase[1] % step_cols)
    for row0, row1 in zip(row_starts, row_starts[1:]):
        for col0, col1 in zip(col_starts, col_starts[1:]):
            yield row0, col0, row1 - row0, col1 - col0


def _aligned_starts(length, step, phase):
    first = step - phase if phase else step
    starts = [0] + list(range(first, length, step))
    return starts + [length]


def pixel_area_m2(grid: Grid) -> float | None:
    """The area of one pixel in m², or None when the CRS is not projected."""
    crs = grid.crs
    if crs is None or not crs.is_projected:
        return None
    factor = crs.linear_units_factor[1]
    width, height = grid.pixel_size
    return abs(width * height) * factor * factor
