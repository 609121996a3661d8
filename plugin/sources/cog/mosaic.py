"""The block copy: the part of each source inside the output, read window by window and
written into the staging file; where sources overlap, the first one that has data wins."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from rasterio.windows import Window, intersect, intersection

from ...raster.grid import block_windows, window_steps
from .errors import Monitor
from .plan import OutputPlan, Placement, SourceLayout, absolute, relative

if TYPE_CHECKING:
    from .reader import SourceReader
    from .writer import Staging

# Reads: windows of whole source blocks, about this many pixels wide and high.
WINDOW_SIZE = 1024
# Share of the progress given to reading the windows; the rest is the COG conversion.
READ_SHARE = 0.9


def read_windows(
    plan: OutputPlan, layouts: Sequence[SourceLayout]
) -> Iterator[tuple[Placement, Window]]:
    """(placement, window): the part of each source inside the output, in windows of whole
    source blocks (on the first source's lattice). No two windows share a source block, so
    that GDAL fetches each COG tile once, grouping the tiles of a window into one parallel
    multi-range request."""
    for placement in plan.placements:
        part = intersection(plan.window, placement.window)
        layout = layouts[placement.index]
        block_rows, block_cols = layout.block
        steps = window_steps(layout.block, WINDOW_SIZE, layout.grid.width)
        # Windows start on block boundaries, the first one a partial block plus whole ones.
        inside = relative(part, placement.window)
        phase = (inside.row_off % block_rows, inside.col_off % block_cols)
        windows = [
            Window(col, row, width, height)
            for row, col, height, width in block_windows(part.height, part.width, steps, phase)
        ]
        for window in _no_sequential_reads(windows, block_rows, phase[0]):
            yield placement, absolute(window, part)


def _no_sequential_reads(
    windows: Iterable[Window], block_rows: int, row_phase: int
) -> list[Window]:
    """Order (and merge) windows so that GDAL never reads COG tiles one after the other.

    COG tiles are stored row by row. GDAL reads the tiles of a window spanning several block
    rows with one parallel multi-range request; the tiles of a window within one block row
    are contiguous in the file and read with a plain read, and when a plain read continues
    the previous one GDAL reads ahead (doubling each time) beyond the tiles it needs. So:
    windows within one block row are merged across the whole width, and the others go
    column by column.
    """
    single: dict[tuple[int, int], list[tuple[int, int]]] = {}
    multiple: list[Window] = []
    for window in windows:
        first_block = (window.row_off + row_phase) // block_rows
        last_block = (window.row_off + row_phase + window.height - 1) // block_rows
        if first_block == last_block:
            spans = single.setdefault((window.row_off, window.height), [])
            spans.append((window.col_off, window.col_off + window.width))
        else:
            multiple.append(window)
    merged = [_across(row, height, spans) for (row, height), spans in single.items()]
    return sorted(multiple, key=lambda window: (window.col_off, window.row_off)) + merged


def _across(row: int, height: int, spans: Sequence[tuple[int, int]]) -> Window:
    """The window of rows ``row`` to ``row + height`` from the first span to the last."""
    left = min(start for start, _ in spans)
    right = max(stop for _, stop in spans)
    return Window(left, row, right - left, height)


def copy_windows(
    plan: OutputPlan,
    layouts: Sequence[SourceLayout],
    reader: SourceReader,
    staging: Staging,
    monitor: Monitor,
) -> None:
    """Read every window of ``read_windows`` with ``reader`` and write it into ``staging``."""
    windows = list(read_windows(plan, layouts))
    for done, (placement, window) in enumerate(windows):
        monitor.check_cancelled()
        reader.refresh_headers()
        data = reader.read(placement.index, relative(window, placement.window))
        position = plan.placements.index(placement)
        earlier = [
            other.window for other in plan.placements[:position] if intersect(other.window, window)
        ]
        if earlier:
            existing = staging.read(relative(window, plan.window))
            _keep_earlier(data, existing, window, earlier, layouts[0].nodata)
        staging.write(data, relative(window, plan.window))
        monitor.report(READ_SHARE * (done + 1) / len(windows))


def _keep_earlier(
    data: np.ndarray,
    existing: np.ndarray,
    window: Window,
    earlier: Sequence[Window],
    nodata: Sequence[Any],
) -> None:
    """Overlapping sources: a pixel an earlier source gave stays, unless nodata."""
    covered = np.zeros((window.height, window.width), bool)
    for other in earlier:
        part = relative(intersection(other, window), window)
        covered[part.toslices()] = True
    for index, value in enumerate(nodata):
        take = ~is_nodata(data[index], value) & (~covered | is_nodata(existing[index], value))
        data[index] = np.where(take, data[index], existing[index])


def is_nodata(values: np.ndarray, nodata: Any) -> np.ndarray:
    if nodata is None:
        return np.zeros(values.shape, bool)
    if isinstance(nodata, float) and math.isnan(nodata):
        return np.isnan(values)
    return values == nodata
