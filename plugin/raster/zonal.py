"""Per-zone, per-class pixel counts with the crop mask's pixel rule (numpy and rasterio only).

A run is planned as a crop mask is (plan.py: grids, windows, threads), and each pixel gets the
crop mask's joint key (joint.py over states.py), hence the same status: kept, dropped for low
confidence or low validity, not selected, or nodata. Per window, the zones whose box meets it
(zones.WindowIndex) are burnt with the pixel-centre rule by layers of zones that cannot hide
each other: first the zones that share no pixel with another (all at once, found from a count
of the zones over each pixel; tiled zones such as communes are one layer), then the others by
layers of boxes that do not meet (zones.layers). One bincount per layer counts (zone, key);
a few windows make one task, under one GDAL environment. The counts go to
the calling thread as sparse entries keyed by (zone, class value, status), so memory does not
grow with zones x classes.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import rasterio
from rasterio import features
from rasterio.errors import RasterioError
from rasterio.windows import Window

from ..domain import products
from ..domain.errors import CropMaskError
from .engine import GDAL_CACHE_MIN, WindowReader, in_order
from .grid import Grid, pixel_area_m2
from .joint import JointKeys
from .plan import ROLES, CropMaskRequest, Plan, make_plan
from .states import BandStates, band_values, index_view
from .zones import WindowIndex, Zones, layers, pixel_boxes

# Entries the calling thread holds before it merges them (32 bytes each).
COMPACT_ENTRIES = 1 << 18
# A layer is counted over the whole window when at least this share of it is inside a zone.
DENSE_SHARE = 0.5
# Bins of a layer's (zone, joint key) histogram below which keys are not renumbered.
DIRECT_BINS = 1 << 21
# Windows a worker counts in one task, under one GDAL environment (each costs ~1.5 ms).
WINDOWS_PER_TASK = 4
# All zones of a window are burnt at once first while at least this share of them shares no
# pixel; else one window in PROBE_EVERY tries.
ALONE_SHARE = 0.5
PROBE_EVERY = 8
_STATUS_MASK = (1 << products.STATUS_BITS) - 1


@dataclass(frozen=True)
class ZonalRequest:
    """The bands and thresholds of a crop mask, and the zones (in the rasters' CRS)."""

    mask: CropMaskRequest
    zones: Zones


@dataclass
class ZonalResult:
    """One row per zone and class present (class_code < 0 and has_code False: no class);
    a zone without any counted pixel has one row of zeros. Rows are sorted by zone, code."""

    grid: Grid
    zone_count: int
    selected: tuple
    pixel_area_m2: float | None
    zone: np.ndarray
    class_code: np.ndarray
    has_code: np.ndarray
    pixels: np.ndarray
    kept: np.ndarray
    dropped_low_confidence: np.ndarray
    dropped_low_validity: np.ndarray
    confidence_sum: np.ndarray  # over the pixels whose confidence is a value
    confidence_pixels: np.ndarray

    def hectares(self, pixels: np.ndarray) -> np.ndarray | None:
        if self.pixel_area_m2 is None:
            return None
        return np.asarray(pixels, np.float64) * (self.pixel_area_m2 / 10_000)

    def mean_confidence(self) -> np.ndarray:
        """NaN where no pixel of the row has a confidence value."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                self.confidence_pixels > 0, self.confidence_sum / self.confidence_pixels, np.nan
            )

    def confidence_weighted_area_ha(self) -> np.ndarray | None:
        """Sum of confidence / 100 x the pixel area: a model-based indicator."""
        return self.hectares(self.confidence_sum / 100)

    def kept_by_zone(self) -> np.ndarray:
        """Kept pixels per zone (rows) and selected class (columns, in ``selected`` order)."""
        table = np.zeros((self.zone_count, max(1, len(self.selected))), np.int64)
        if self.selected:
            column = np.searchsorted(self.selected, self.class_code)
            column = np.minimum(column, len(self.selected) - 1)
            hit = self.has_code & (np.asarray(self.selected)[column] == self.class_code)
            np.add.at(table, (self.zone[hit], column[hit]), self.kept[hit])
        else:  # CTYCL only: one column, all cropland
            np.add.at(table[:, 0], self.zone, self.kept)
        return table


class _KeyTables:
    """Per joint key: whether its pixels count, their status, class value index and
    confidence (value and whether it counts), from the crop mask's key tables."""

    def __init__(self, plan: Plan, states: BandStates, joint_keys: JointKeys):
        keys = np.arange(joint_keys.size)
        self.status = joint_keys.status.astype(np.int64)
        counted = self.status != products.NODATA
        if joint_keys.class_key is None:
            # CTYCL only: the cropland pixels, as the crop mask's per-class row.
            counted &= self.status != products.NOT_SELECTED
            self.value_index = np.zeros(keys.size, np.int64)
            self.values = 1
        else:
            ids = keys // joint_keys.class_stride
            known = ids < len(joint_keys.value_index_of_id)
            self.value_index = np.where(
                known, joint_keys.value_index_of_id[np.where(known, ids, 0)], -1
            ).astype(np.int64)
            self.values = 1 << (plan.inputs["class"].dtype.itemsize * 8)
        level = (keys % joint_keys.class_stride) // joint_keys.valid_levels
        self.direct = joint_keys.conf_direct
        conf_state = states.confidence[level] if self.direct else level
        self.conf_counted = counted & np.isin(conf_state, (products.CONF_LOW, products.CONF_OK))
        conf_dtype = plan.inputs["confidence"].dtype
        value_of_index = band_values(conf_dtype).astype(np.float64)
        self.conf_value = value_of_index[level] if self.direct else np.zeros(keys.size)
        # Per confidence value index, its value where it counts (keys without the value).
        conf_ok = np.isin(states.confidence, (products.CONF_LOW, products.CONF_OK))
        self.conf_weight = np.where(conf_ok, value_of_index, 0.0)
        self.counted = counted
        self.other = counted & (self.value_index < 0)  # 16-bit codes of no interest
        self.plain = counted & ~self.other


def _entries(zone, value_index, status, count, conf_sum, conf_pixels, values):
    key = ((zone.astype(np.int64) * values + value_index) << products.STATUS_BITS) | status
    return key, count.astype(np.int64), conf_sum.astype(np.float64), conf_pixels.astype(np.int64)


class _WindowCounter:
    """Reads one window, keys its pixels and counts them per zone (in a worker thread)."""

    def __init__(self, plan, reader, joint_keys, tables, zones, boxes, index):
        self.plan, self.reader, self.joint_keys, self.tables = plan, reader, joint_keys, tables
        self.zones, self.boxes, self.index = zones, boxes, index
        self.probe = _Probe()

    def _bands(self, window):
        lead = self.reader.read(self.plan.lead_role, window)
        if self.joint_keys.nodata_key(lead) is not None:
            return None  # every pixel nodata: nothing counts
        bands = dict.fromkeys(ROLES)
        for role in self.plan.inputs:
            is_lead = role == self.plan.lead_role
            bands[role] = lead if is_lead else self.reader.read(role, window)
        return bands

    def __call__(self, numbers: list[int]) -> list:
        # One GDAL environment for the windows' reads and rasterisations: without it,
        # rasterio starts one per call in a worker thread (about 1 ms each).
        with rasterio.Env():
            return [entry for number in numbers for entry in self._count(number)]

    def _count(self, number: int) -> list:
        window = self.plan.windows[number]
        bands = self._bands(window)
        if bands is None:
            return []
        key = self.joint_keys.keys(bands["class"], bands["confidence"], bands["validity"])
        zones_here = self.index.zones_in(number)
        columns, column = self._columns(key, zones_here.size)
        other_base = self.joint_keys.other_base  # 16-bit codes of no interest: rare
        has_other = other_base is not None and int(key.max()) >= other_base
        boxes = _local_boxes(self.boxes[zones_here], window)
        transform = self.plan.grid.window_grid(
            window.row_off, window.col_off, window.height, window.width
        ).transform
        entries = []
        for zone_ids, burnt in _burn_layers(
            self.zones, zones_here, boxes, window, transform, self.probe
        ):
            burnt_pixels = np.count_nonzero(burnt)
            if burnt_pixels == 0:
                continue
            inside = None if burnt_pixels >= DENSE_SHARE * burnt.size else np.flatnonzero(burnt)
            entries.append(self._layer(zone_ids, burnt, inside, column, columns, bands))
            if has_other:
                entries.append(self._other(zone_ids, burnt, key, bands))
        # Merged per (zone, class value, status): a few entries per zone and class.
        return [_merge(entries)] if entries else []

    def _columns(self, key, zone_count):
        """(joint key of each column, or -1 where nothing counts; column of each pixel).

        The columns are the joint keys themselves when (zones + 1) x keys bins stay small,
        else only the keys that count and occur in the window, renumbered."""
        tables, size = self.tables, self.joint_keys.size
        if (zone_count + 1) * size <= DIRECT_BINS:
            return np.where(tables.plain, np.arange(size), -1), key.ravel()
        present = np.flatnonzero(np.bincount(key.ravel(), minlength=size) != 0)
        plain = present[tables.plain[present]]
        remap = np.zeros(size, np.intp)
        remap[plain] = np.arange(1, plain.size + 1)
        return np.r_[-1, plain], np.take(remap, key).ravel()

    def _layer(self, zone_ids, burnt, inside, column, columns, bands):
        """Entries of the counted keys of one layer: one bincount of (zone, column)."""
        tables, width = self.tables, columns.size
        dense = inside is None
        if dense:
            index = burnt.astype(np.intp)
            index *= width
            index += column
        else:
            index = burnt[inside].astype(np.intp) * width + column[inside]
        size = (zone_ids.size + 1) * width
        counts = np.bincount(index, minlength=size)
        found = np.flatnonzero(counts != 0)  # (faster on booleans)
        zone_pos, column_pos = np.divmod(found, width)
        # Zone 0: outside the layer's zones; key -1: pixels that do not count.
        found = found[(zone_pos > 0) & (columns[column_pos] >= 0)]
        zone_pos, column_pos = np.divmod(found, width)
        count = counts[found]
        zone_pos -= 1
        keys = columns[column_pos]
        if tables.direct:  # 8-bit confidence: the key holds the value
            conf_sum = count * tables.conf_value[keys] * tables.conf_counted[keys]
        else:
            weights = np.take(tables.conf_weight, index_view(bands["confidence"]).ravel())
            sums = np.bincount(index, weights if dense else weights[inside], minlength=size)
            conf_sum = sums[found]
        return _entries(
            zone_ids[zone_pos],
            tables.value_index[keys],
            tables.status[keys],
            count,
            conf_sum,
            count * tables.conf_counted[keys],
            tables.values,
        )

    def _other(self, zone_ids, burnt, key, bands):
        """Entries of 16-bit class values without a key of their own (rare), pixel by pixel."""
        tables = self.tables
        where = np.flatnonzero(np.take(tables.other, key.ravel()) & (burnt > 0))
        pixel_keys = key.ravel()[where]
        value_index = index_view(bands["class"]).ravel()[where].astype(np.int64)
        zone = zone_ids[burnt[where].astype(np.intp) - 1]
        confidence = index_view(bands["confidence"]).ravel()[where]
        conf_counted = tables.conf_counted[pixel_keys]
        entry = _entries(
            zone,
            value_index,
            tables.status[pixel_keys],
            np.ones(where.size, np.int64),
            np.take(tables.conf_weight, confidence) * conf_counted,
            conf_counted,
            tables.values,
        )
        return _merge([entry])


def _local_boxes(boxes, window):
    """Zone pixel boxes clipped to ``window``, in its own rows and columns."""
    local = boxes - np.array([window.row_off, window.row_off, window.col_off, window.col_off])
    local[:, 0::2] = np.maximum(local[:, 0::2], 0)
    local[:, 1] = np.minimum(local[:, 1], window.height - 1)
    local[:, 3] = np.minimum(local[:, 3], window.width - 1)
    return local


def _burn_layers(
    zones: Zones, zones_here: np.ndarray, boxes: np.ndarray, window: Window, transform, probe
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer of the zones ``zones_here`` (their ``boxes`` in the window): its zones, and
    the window's pixels whose centre is in one of them (1-based position), 0 elsewhere,
    flattened.

    First all zones are burnt at once, with a count of the zones over each pixel: the zones
    whose box holds no pixel counted twice share none, and form the first layer, whatever
    their boxes. The others are layered by their boxes (zones.layers), one burn per layer.
    (Packing layers into the bits of one added burn measured slower.)"""
    shape = (int(window.height), int(window.width))
    dtype = "uint16" if zones_here.size < 65535 else "uint32"
    shapes = [(zones.mapping(z), n) for n, z in enumerate(zones_here.tolist(), start=1)]
    result = []
    pending = np.arange(zones_here.size)
    if zones_here.size > 1 and probe.worth():
        burnt = features.rasterize(shapes, shape, fill=0, transform=transform, dtype=dtype)
        covers = features.rasterize(
            [(shape_, 1) for shape_, _ in shapes], shape, fill=0, transform=transform,
            dtype="uint8" if zones_here.size < 255 else dtype, merge_alg=features.MergeAlg.add,
        )  # fmt: skip
        over = covers >= 2
        alone = ~_boxes_meet(over, boxes) if over.any() else np.ones(zones_here.size, bool)
        probe.record(np.count_nonzero(alone) / zones_here.size)
        if alone.all():
            return [(zones_here, burnt.ravel())]
        if alone.any():
            label = np.zeros(zones_here.size + 1, burnt.dtype)
            label[1:][alone] = np.arange(1, np.count_nonzero(alone) + 1)
            result.append((zones_here[alone], np.take(label, burnt).ravel()))
            pending = np.flatnonzero(~alone)
    for group in layers(boxes[pending]):
        members = pending[group]
        burnt = features.rasterize(
            [(shapes[m][0], n) for n, m in enumerate(members.tolist(), start=1)],
            out_shape=shape,
            transform=transform,
            fill=0,
            all_touched=False,
            dtype=dtype,
        )
        result.append((zones_here[members], burnt.ravel()))
    return result


class _Probe:
    """Whether burning all zones of a window at once is worth trying: it is when a good share
    of the zones share no pixel (tiled zones, as communes); with much overlap it costs two
    burns for little. A moving share over the windows tried; one window in PROBE_EVERY is
    tried whatever the share. (Shared by threads: a race only changes what is tried.)"""

    def __init__(self):
        self.share = 1.0
        self.skipped = 0

    def worth(self) -> bool:
        if self.share >= ALONE_SHARE or self.skipped >= PROBE_EVERY:
            self.skipped = 0
            return True
        self.skipped += 1
        return False

    def record(self, share: float) -> None:
        self.share = 0.5 * self.share + 0.5 * share


def _boxes_meet(mask: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Per box (r0, r1, c0, c1, inclusive, in the window), whether it holds a True of ``mask``:
    a summed-area table."""
    table = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), np.int32)
    np.cumsum(mask, axis=0, dtype=np.int32, out=table[1:, 1:])
    np.cumsum(table[1:, 1:], axis=1, out=table[1:, 1:])
    r0, r1, c0, c1 = boxes[:, 0], boxes[:, 1] + 1, boxes[:, 2], boxes[:, 3] + 1
    return (table[r1, c1] - table[r0, c1] - table[r1, c0] + table[r0, c0]) > 0


def _merge(entries: list) -> tuple:
    """Entries with the same key summed: (keys sorted, count, confidence sum, pixels).

    A stable sort (timsort on int64) runs in near-linear time over entries that are already
    sorted runs, as merged entries are; sums follow the entries' order."""
    keys = np.concatenate([entry[0] for entry in entries])
    if keys.size == 0:
        return keys, *(np.concatenate([e[i] for e in entries]) for i in (1, 2, 3))
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return (
        keys[first],
        *(
            np.add.reduceat(np.concatenate([e[i] for e in entries])[order], first)
            for i in (1, 2, 3)
        ),
    )


class _Accumulator:
    """The sparse entries of all windows, merged now and then (in the calling thread): when
    the entries added since the last merge outnumber both COMPACT_ENTRIES and half the merged
    ones, so each entry is merged a few times only."""

    def __init__(self):
        self.entries: list = []
        self.held = 0
        self.merged_size = 0

    def add(self, entries: list) -> None:
        self.entries.extend(entries)
        self.held += sum(entry[0].size for entry in entries)
        if self.held > max(COMPACT_ENTRIES, self.merged_size // 2) and len(self.entries) > 1:
            self.entries = [_merge(self.entries)]
            self.merged_size = self.entries[0][0].size
            self.held = 0

    def merged(self) -> tuple:
        if not self.entries:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0), empty
        return _merge(self.entries)


def run_zonal(
    request: ZonalRequest,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ZonalResult:
    """Count the pixels of every zone of ``request`` per class and status.

    ``progress(fraction)`` is called after each window; ``is_cancelled()`` is checked between
    windows (CropMaskCancelled). Bad bands or thresholds fail as a crop mask would.
    """
    plan = make_plan(request.mask)
    states = BandStates.for_plan(plan)
    joint_keys = JointKeys(plan, states)
    tables = _KeyTables(plan, states, joint_keys)
    boxes = pixel_boxes(request.zones.bounds, plan.grid)
    index = WindowIndex(plan.windows, boxes)
    numbers = index.windows_with_zones()
    reader = WindowReader(plan)
    counter = _WindowCounter(plan, reader, joint_keys, tables, request.zones, boxes, index)
    accumulator = _Accumulator()
    executor = ThreadPoolExecutor(max_workers=plan.threads, thread_name_prefix="zonal")
    cache_bytes = max(GDAL_CACHE_MIN, 4 * plan.threads * request.mask.window_size**2 * 3)
    try:
        with rasterio.Env(GDAL_CACHEMAX=cache_bytes):
            tasks = [
                numbers[i : i + WINDOWS_PER_TASK] for i in range(0, len(numbers), WINDOWS_PER_TASK)
            ]
            results = in_order(executor, counter, tasks, 2 * plan.threads, is_cancelled)
            for done, (_, entries) in enumerate(results, start=1):
                accumulator.add(entries)
                if progress is not None:
                    progress(done / len(tasks))
    except (RasterioError, OSError) as error:
        raise CropMaskError(
            f"Reading the inputs failed: {error}. Check that the input files are complete."
        ) from None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        reader.close()
    return _result(plan, len(request.zones), tables.values, accumulator.merged())


def _result(plan: Plan, zone_count: int, values: int, merged: tuple) -> ZonalResult:
    keys, count, conf_sum, conf_pixels = merged
    status = keys & _STATUS_MASK
    rows, inverse = np.unique(keys >> products.STATUS_BITS, return_inverse=True)

    def total(weights):
        summed = np.bincount(inverse, weights=weights, minlength=rows.size)
        return np.rint(summed).astype(np.int64)

    columns = [
        total(count),
        total(count * (status == products.KEPT)),
        total(count * (status == products.LOW_CONFIDENCE)),
        total(count * (status == products.LOW_VALIDITY)),
        np.bincount(inverse, weights=conf_sum, minlength=rows.size),
        total(conf_pixels),
    ]
    zone, value_index = rows // values, rows % values
    class_input = plan.class_input
    if class_input is None:
        code, has_code = np.full(rows.size, -1, np.int64), np.zeros(rows.size, bool)
    else:
        code = band_values(class_input.dtype)[value_index].astype(np.int64)
        has_code = np.ones(rows.size, bool)
    empty = np.setdiff1d(np.arange(zone_count), zone)  # zones without a counted pixel
    zone = np.concatenate([zone, empty])
    code = np.concatenate([code, np.full(empty.size, -1, np.int64)])
    has_code = np.concatenate([has_code, np.zeros(empty.size, bool)])
    columns = [np.concatenate([c, np.zeros(empty.size, c.dtype)]) for c in columns]
    order = np.lexsort((code, zone))
    pixels, kept, low_confidence, low_validity, conf_total, conf_count = (c[order] for c in columns)
    return ZonalResult(
        grid=plan.grid,
        zone_count=zone_count,
        selected=tuple(plan.selected),
        pixel_area_m2=pixel_area_m2(plan.grid),
        zone=zone[order],
        class_code=code[order],
        has_code=has_code[order],
        pixels=pixels,
        kept=kept,
        dropped_low_confidence=low_confidence,
        dropped_low_validity=low_validity,
        confidence_sum=conf_total,
        confidence_pixels=conf_count,
    )
