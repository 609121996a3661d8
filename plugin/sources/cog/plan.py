"""What a clip writes: the sources' layout checked, the area snapped onto their lattice, the
output window and the nodata of the pixels no source covers. Windows are rasterio ``Window``
values on the first source's pixel lattice."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from affine import Affine
from osgeo import gdal
from rasterio.crs import CRS
from rasterio.errors import CRSError
from rasterio.windows import Window, intersect, intersection, union

from ...raster.grid import ALIGNMENT_TOLERANCE, Grid, check_compatible, offset_in
from ..geo import transform_bbox
from .errors import ClipError

# Largest output: about 300 x 300 km at 10 m.
MAX_PIXELS = 1_000_000_000
Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class SourceLayout:
    """What the plan needs of one opened source."""

    shown: str
    grid: Grid
    wkt: str
    dtypes: tuple[int, ...]  # GDAL data types, per band
    nodata: tuple[Optional[float], ...]
    block: tuple[int, int]  # rows and columns of the first band's blocks


@dataclass(frozen=True)
class Placement:
    index: int  # in the list of sources
    window: Window  # the source's pixels on the first source's lattice


@dataclass(frozen=True)
class OutputPlan:
    grid: Grid
    window: Window  # the output on the first source's lattice
    placements: tuple[Placement, ...]  # the sources the output overlaps, in order
    nodata: tuple[Optional[float], ...]  # per band


def read_layout(shown: str, dataset: gdal.Dataset) -> SourceLayout:
    geotransform = dataset.GetGeoTransform(can_return_null=True)
    wkt = dataset.GetProjection()
    if geotransform is None or not wkt:
        raise ClipError(
            f"{shown} has no georeferencing (geotransform and CRS); it cannot "
            "be clipped to an area."
        )
    try:
        crs = CRS.from_wkt(wkt)
    except CRSError:
        raise ClipError(f"The CRS of {shown} is not recognised.") from None
    grid = Grid(crs, Affine.from_gdal(*geotransform), dataset.RasterXSize, dataset.RasterYSize)
    bands = [dataset.GetRasterBand(index + 1) for index in range(dataset.RasterCount)]
    columns, rows = tuple(bands[0].GetBlockSize()) if bands else (1, 1)
    return SourceLayout(
        shown=shown,
        grid=grid,
        wkt=wkt,
        dtypes=tuple(band.DataType for band in bands),
        nodata=tuple(band.GetNoDataValue() for band in bands),
        block=(rows, columns),
    )


def check_layouts(layouts: Sequence[SourceLayout], band_names: Optional[Sequence[str]]) -> None:
    """Refuse what cannot be clipped or mosaicked without resampling."""
    first = layouts[0]
    transform = first.grid.transform
    if transform.b or transform.d or transform.a <= 0 or transform.e >= 0:
        raise ClipError(
            f"{first.shown} is not a north-up grid (rotated or flipped); it cannot be clipped."
        )
    if len(set(first.dtypes)) != 1:
        raise ClipError(f"The bands of {first.shown} have different data types.")
    for other in layouts[1:]:
        _check_mosaickable(first, other)
    if band_names is not None and len(band_names) != len(first.dtypes):
        raise ClipError(
            f"{len(band_names)} band names given for {first.shown}, which has "
            f"{len(first.dtypes)} band(s)."
        )


def _check_mosaickable(first: SourceLayout, other: SourceLayout) -> None:
    check_compatible(first.shown, first.grid, other.shown, other.grid)
    if other.dtypes != first.dtypes:
        raise ClipError(
            f"{first.shown} and {other.shown} differ in bands or data types "
            f"({_type_names(first)} vs {_type_names(other)}); they cannot be mosaicked."
        )
    if not all(map(_same_nodata, first.nodata, other.nodata)):
        raise ClipError(
            f"{first.shown} and {other.shown} have different nodata values "
            f"({list(first.nodata)} vs {list(other.nodata)}); they cannot be mosaicked."
        )


def plan_output(
    layouts: Sequence[SourceLayout],
    bounds: Any,
    crs_of_bounds: Any,
    clip_to_sources: bool = True,
    densify_points: int = 21,
) -> OutputPlan:
    """The output: the area on the first source's lattice, snapped outward (and kept inside
    the sources' bounding box with ``clip_to_sources``)."""
    first = layouts[0]
    area = transform_area(bounds, crs_of_bounds, first.grid.crs, densify_points)
    placed = [_placed(first.grid, layout.grid) for layout in layouts]
    window = snap(first.grid.transform, area)
    if clip_to_sources:
        extent = union(*placed)
        window = intersection(window, extent) if intersect(window, extent) else None
    touched = tuple(
        Placement(index, placement)
        for index, placement in enumerate(placed)
        if window is not None and intersect(window, placement)
    )
    if not touched:
        raise _no_overlap(area, layouts)
    if window.width * window.height > MAX_PIXELS:
        raise ClipError(
            f"The area covers {window.width} x {window.height} pixels of "
            f"{first.grid.pixel_size[0]:g} m: too large to clip (at most {MAX_PIXELS:,} "
            "pixels). Choose a smaller area."
        )
    grid = first.grid.window_grid(window.row_off, window.col_off, window.height, window.width)
    inside = [relative(placement.window, window) for placement in touched]
    return OutputPlan(grid, window, touched, _output_nodata(first, inside, grid))


def _placed(lattice: Grid, grid: Grid) -> Window:
    row, col = offset_in(lattice, grid)
    return Window(col, row, grid.width, grid.height)


def _no_overlap(area: Bounds, layouts: Sequence[SourceLayout]) -> ClipError:
    xmin, ymin, xmax, ymax = area
    crs = layouts[0].grid.crs
    assert crs is not None  # read_layout gives every source one
    covered = "; ".join("({:g}, {:g}, {:g}, {:g})".format(*s.grid.bounds) for s in layouts)
    return ClipError(
        f"The area ({xmin:.1f}, {ymin:.1f}, {xmax:.1f}, {ymax:.1f} in "
        f"{crs.to_string()}) does not overlap the rasters, which cover "
        f"{covered}. Choose an area inside them."
    )


def _output_nodata(
    first: SourceLayout, inside: Sequence[Window], grid: Grid
) -> tuple[Optional[float], ...]:
    """The sources' nodata; where pixels have no source, the type's extreme value instead
    of none."""
    if fully_covered(inside, grid.height, grid.width):
        return first.nodata
    fill = fill_value(numpy_type(first.dtypes[0]))
    return tuple(fill if value is None else value for value in first.nodata)


def relative(window: Window, origin: Window) -> Window:
    """``window`` with its offsets counted from ``origin``'s."""
    return Window(
        window.col_off - origin.col_off,
        window.row_off - origin.row_off,
        window.width,
        window.height,
    )


def absolute(window: Window, origin: Window) -> Window:
    """``window``, counted from ``origin``'s offsets, on ``origin``'s lattice."""
    return Window(
        window.col_off + origin.col_off,
        window.row_off + origin.row_off,
        window.width,
        window.height,
    )


def transform_area(bounds: Any, crs_of_bounds: Any, target_crs: CRS, densify_points: int) -> Bounds:
    """``bounds`` (xmin, ymin, xmax, ymax in ``crs_of_bounds``) in ``target_crs``."""
    try:
        xmin, ymin, xmax, ymax = (float(value) for value in bounds)
    except (TypeError, ValueError):
        raise ClipError(f"The area {bounds!r} is not (xmin, ymin, xmax, ymax).") from None
    if not (xmin < xmax and ymin < ymax):
        raise ClipError(f"The area {bounds} is empty: give xmin < xmax and ymin < ymax.")
    try:
        source_crs = CRS.from_user_input(crs_of_bounds)
    except CRSError:
        raise ClipError(f"The CRS of the area ({crs_of_bounds!r}) is not recognised.") from None
    if source_crs == target_crs:
        return xmin, ymin, xmax, ymax
    try:
        result = transform_bbox((xmin, ymin, xmax, ymax), source_crs, target_crs, densify_points)
    except Exception as error:  # rasterio/PROJ raise several kinds
        raise ClipError(
            f"The area cannot be transformed from {source_crs.to_string()} to the rasters' "
            f"{target_crs.to_string()}: {error}."
        ) from None
    if not all(math.isfinite(value) for value in result):
        raise ClipError(
            f"The area ({xmin:g}, {ymin:g}, {xmax:g}, {ymax:g}) in {source_crs.to_string()} "
            f"lies outside the area of use of {target_crs.to_string()}."
        )
    return result


def snap(transform: Affine, bounds: Bounds) -> Window:
    """The window of ``bounds`` on the lattice of ``transform``, snapped outward."""
    xmin, ymin, xmax, ymax = bounds
    width, height = transform.a, -transform.e
    col0 = math.floor((xmin - transform.c) / width + ALIGNMENT_TOLERANCE)
    col1 = math.ceil((xmax - transform.c) / width - ALIGNMENT_TOLERANCE)
    row0 = math.floor((transform.f - ymax) / height + ALIGNMENT_TOLERANCE)
    row1 = math.ceil((transform.f - ymin) / height - ALIGNMENT_TOLERANCE)
    return Window(col0, row0, max(col1 - col0, 1), max(row1 - row0, 1))


def fully_covered(windows: Sequence[Window], height: int, width: int) -> bool:
    """Do the windows cover rows [0, height) and columns [0, width)?"""
    spans = [((w.row_off, w.row_off + w.height), (w.col_off, w.col_off + w.width)) for w in windows]
    edges = (c for _, columns in spans for c in columns if 0 < c < width)
    cuts = sorted({0, width, *edges})
    for left, right in zip(cuts, cuts[1:]):
        reach = 0
        for top, bottom in sorted(
            rows for rows, cols in spans if cols[0] <= left and cols[1] >= right
        ):
            if top > reach:
                return False
            reach = max(reach, bottom)
        if reach < height:
            return False
    return True


def fill_value(dtype: Any) -> Any:
    """The value of pixels no source covers: NaN, or the type's extreme value."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return float("nan")
    if dtype.kind in "ui":
        return int(np.iinfo(dtype).max) if dtype.kind == "u" else int(np.iinfo(dtype).min)
    raise ClipError(f"Rasters of type {dtype.name} are not supported.")


def numpy_type(gdal_type: int) -> np.dtype:
    from osgeo import gdal_array

    return np.dtype(gdal_array.GDALTypeCodeToNumericTypeCode(gdal_type))


def _type_names(layout: SourceLayout) -> str:
    return ", ".join(gdal.GetDataTypeName(dtype) for dtype in layout.dtypes)


def _same_nodata(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or (math.isnan(a) and math.isnan(b))
