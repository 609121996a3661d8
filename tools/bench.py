"""Benchmark the crop-mask engine against gdal_calc.py and the QGIS raster calculator.

Generates a synthetic CTY + CTYCL tile pair (EEA grid, EPSG:3035, tile E38N26) as
DEFLATE COGs, then times every method in its own child process so that its peak
RSS can be measured, checks that every output matches ours pixel for pixel, and
writes a Markdown report to ``<out>/bench.md`` and ``docs/bench.md``.

    python tools/bench.py [--size 10000] [--runs 3] [--threads 0] [--skip-qgis]
                          [--skip-codecs] [--skip-startup] [--startup-runs 10]
                          [--only startup] [--out bench-output] [--plugin-dir build/plugins]

Times are the median over runs of the operation only (imports and QGIS start-up
excluded), runs interleaved across methods; peak RSS is the child's ru_maxrss
(imports included). ``--plugin-dir`` measures another copy of the plugin (A/B of
an engine change) and then leaves docs/bench.md alone, as does any partial run
(a --skip-* or --only flag, another --size or fewer than 3 runs).

The start-up row is what loading the plugin adds to every QGIS start: the QGIS desktop
is started under Xvfb (``xvfb-run -a qgis --code``, a throw-away profile that does not
load the plugin) and the script times, with the real iface, the plugin's import,
classFactory, initProcessing and initGui; median of 10 fresh QGIS processes.
``--only startup`` measures that row alone.
"""

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from affine import Affine
from rasterio.crs import CRS
from rasterio.windows import Window

ROOT = Path(__file__).resolve().parents[1]
PLUGINS_DIR = ROOT / "build" / "plugins"
GDAL_CALC = "/usr/bin/gdal_calc.py"
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"

GENERATOR_VERSION = "1"  # bump when the generator changes: cached inputs are remade
TAG = "CROP_CONFIDENCE_BENCH"
ORIGIN = (3_800_000.0, 2_700_000.0)  # E38N26, top-left corner
PIXEL = 10.0
INPUT_BLOCK = 512
STRIP_ROWS = 512
CTY_OUTSIDE, CTYCL_OUTSIDE, CTYCL_NO_CROP = 65535, 255, 253
MIN_CONFIDENCE = 50
OUT_NODATA = 255
FLOOR_WINDOW = 1024  # window side of the I/O floor, unless the engine has DEFAULT_WINDOW

# All CTY crop codes (the default selection) and how common each is.
CROP_WEIGHTS = {
    1110: 22, 1120: 10, 1130: 14, 1140: 1, 1150: 5, 1210: 3, 1220: 3, 1310: 3, 1320: 4,
    1410: 7, 1420: 3, 1430: 9, 1440: 1, 2100: 6, 2200: 2, 2310: 3, 2320: 1, 3100: 10, 3200: 2,
}  # fmt: skip
CROP_CODES = tuple(CROP_WEIGHTS)

# Parcels: anisotropic Voronoi cells of a jittered, rotated, gently warped lattice.
CELL_ALONG, CELL_ACROSS = 36.0, 14.0  # pixels: ~5 ha per parcel
ANGLE = 0.35  # radians
JITTER = 0.8  # fraction of a cell
HEDGE_MARGIN = 0.035  # near-equidistant pixels become hedges / tracks (CTY 0)
MIXED_MARGIN = 0.12  # border pixels: lower confidence
GRASS_SHARE = 0.15  # parcels that are not cropland
SPECKLE_SHARE = 0.004  # pixels of another crop inside a parcel

CODECS = {
    "ZSTD level 1": {"COMPRESS": "ZSTD", "ZSTD_LEVEL": "1"},
    "ZSTD level 1 + PREDICTOR=2": {"COMPRESS": "ZSTD", "ZSTD_LEVEL": "1", "PREDICTOR": "2"},
    "ZSTD (GDAL default level 9)": {"COMPRESS": "ZSTD"},
    "DEFLATE (default ZLEVEL 6)": {"COMPRESS": "DEFLATE"},
    "DEFLATE ZLEVEL=1": {"COMPRESS": "DEFLATE", "ZLEVEL": "1"},
    "DEFLATE + PREDICTOR=2": {"COMPRESS": "DEFLATE", "PREDICTOR": "2"},
    "LZW": {"COMPRESS": "LZW"},
    "LZW + PREDICTOR=2": {"COMPRESS": "LZW", "PREDICTOR": "2"},
    "PACKBITS": {"COMPRESS": "PACKBITS"},
    "NONE": {"COMPRESS": "NONE"},
}


# ---------------------------------------------------------------------------
# Synthetic inputs


def _mix(values):
    """splitmix64 finaliser: uint64 -> well-mixed uint64 (wraps on purpose)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _uniform(cell_u, cell_v, salt):
    """A reproducible uniform [0, 1) per lattice cell."""
    key = cell_u.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    key ^= cell_v.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    key ^= np.uint64(salt)
    return (_mix(key) >> np.uint64(11)).astype(np.float64) * 2.0**-53


class _Lattice:
    """Seeds and per-parcel attributes for the cells covering a range of (u, v)."""

    def __init__(self, u_range, v_range):
        self.u0, self.v0 = u_range[0], v_range[0]
        cell_u, cell_v = np.meshgrid(
            np.arange(u_range[0], u_range[1] + 1),
            np.arange(v_range[0], v_range[1] + 1),
            indexing="ij",
        )
        self.seed_u = cell_u + 0.5 + JITTER * (_uniform(cell_u, cell_v, 1) - 0.5)
        self.seed_v = cell_v + 0.5 + JITTER * (_uniform(cell_u, cell_v, 2) - 0.5)
        weights = np.array(list(CROP_WEIGHTS.values()), float)
        bins = np.cumsum(weights) / weights.sum()
        pick = np.minimum(np.searchsorted(bins, _uniform(cell_u, cell_v, 3)), len(bins) - 1)
        self.code = np.array(CROP_CODES, np.uint16)[pick]
        # Forests and towns: whole parcels in smooth, low-frequency zones.
        x, y = _to_pixels(self.seed_u * CELL_ALONG, self.seed_v * CELL_ACROSS)
        zones = np.sin(x / 700 + 1.3) * np.sin(y / 560 + 0.4) + 0.6 * np.sin(
            (x - 0.6 * y) / 430 + 2
        )
        no_crop = (zones > 0.7) | (_uniform(cell_u, cell_v, 4) < GRASS_SHARE)
        self.code[no_crop] = 0
        # Confidence skewed towards high values, 30..100.
        self.confidence = 100 - 70 * _uniform(cell_u, cell_v, 5) ** 2

    def at(self, table, cell_u, cell_v):
        return table[cell_u - self.u0, cell_v - self.v0]


def _to_lattice(x, y):
    u = x * np.cos(ANGLE) + y * np.sin(ANGLE) + 12 * np.sin(y / 230)
    v = y * np.cos(ANGLE) - x * np.sin(ANGLE) + 9 * np.sin(x / 310)
    return u / CELL_ALONG, v / CELL_ACROSS


def _to_pixels(u_px, v_px):
    # Inverse rotation, ignoring the small warp: good enough for zoning.
    x = u_px * np.cos(ANGLE) - v_px * np.sin(ANGLE)
    y = u_px * np.sin(ANGLE) + v_px * np.cos(ANGLE)
    return x, y


def _outside(x, y, size):
    """A sea polygon along the east edge, widening southwards."""
    xn, yn = x / size, y / size
    coast = 0.9 - 0.12 * yn + 0.04 * np.sin(yn * 9.0) + 0.02 * np.sin(yn * 23.0 + 1.0)
    return xn > coast


def _strip(row0, rows, size, rng):
    """CTY (uint16) and CTYCL (uint8) for ``rows`` full-width rows from ``row0``."""
    y = np.arange(row0, row0 + rows, dtype=np.float64)[:, None] + 0.5
    x = np.arange(size, dtype=np.float64)[None, :] + 0.5
    y, x = np.broadcast_arrays(y, x)
    fu, fv = _to_lattice(x, y)
    base_u, base_v = np.floor(fu).astype(np.int64), np.floor(fv).astype(np.int64)
    lattice = _Lattice(
        (int(base_u.min()) - 1, int(base_u.max()) + 1),
        (int(base_v.min()) - 1, int(base_v.max()) + 1),
    )
    best = np.full(fu.shape, np.inf)
    second = np.full(fu.shape, np.inf)
    best_u, best_v = base_u.copy(), base_v.copy()
    for du in (-1, 0, 1):
        for dv in (-1, 0, 1):
            cell_u, cell_v = base_u + du, base_v + dv
            distance = (fu - lattice.at(lattice.seed_u, cell_u, cell_v)) ** 2 + (
                fv - lattice.at(lattice.seed_v, cell_u, cell_v)
            ) ** 2
            closer = distance < best
            second = np.where(closer, best, np.minimum(second, distance))
            best = np.where(closer, distance, best)
            best_u = np.where(closer, cell_u, best_u)
            best_v = np.where(closer, cell_v, best_v)
    margin = np.sqrt(second) - np.sqrt(best)
    cty = lattice.at(lattice.code, best_u, best_v)
    cty[margin < HEDGE_MARGIN] = 0
    crop = cty != 0
    speckle = crop & (rng.random(cty.shape) < SPECKLE_SHARE)
    cty[speckle] = rng.choice(np.array(CROP_CODES, np.uint16), int(speckle.sum()))
    confidence = lattice.at(lattice.confidence, best_u, best_v)
    confidence = confidence + rng.normal(0.0, 5.0, cty.shape)
    confidence[margin < MIXED_MARGIN] -= 25
    confidence[speckle] = rng.uniform(15, 60, int(speckle.sum()))
    ctycl = np.clip(np.rint(confidence), 0, 100).astype(np.uint8)
    ctycl[~crop] = CTYCL_NO_CROP
    outside = _outside(x, y, size)
    cty[outside] = CTY_OUTSIDE
    ctycl[outside] = CTYCL_OUTSIDE
    return cty, ctycl


def _input_profile(size, dtype, nodata):
    return {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": dtype,
        "nodata": nodata,
        "crs": CRS.from_epsg(3035),
        "transform": Affine(PIXEL, 0, ORIGIN[0], 0, -PIXEL, ORIGIN[1]),
        "tiled": True,
        "blockxsize": INPUT_BLOCK,
        "blockysize": INPUT_BLOCK,
        "compress": "ZSTD",
        "zstd_level": 1,
        "bigtiff": "IF_SAFER",
    }


def _valid_input(path, size, dtype):
    if not path.exists():
        return False
    try:
        with rasterio.open(path) as dataset:
            return (
                dataset.tags().get(TAG) == f"{GENERATOR_VERSION}:{size}"
                and dataset.width == size
                and dataset.height == size
                and dataset.dtypes[0] == dtype
                and dataset.crs == CRS.from_epsg(3035)
                and dataset.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
            )
    except rasterio.errors.RasterioError:
        return False


def make_inputs(out_dir, size):
    """CTY and CTYCL DEFLATE COGs (512-px tiles), generated strip by strip."""
    cty_path, ctycl_path = out_dir / f"cty_{size}.tif", out_dir / f"ctycl_{size}.tif"
    if _valid_input(cty_path, size, "uint16") and _valid_input(ctycl_path, size, "uint8"):
        print(f"Reusing inputs {cty_path.name}, {ctycl_path.name}")
        return cty_path, ctycl_path
    print(f"Generating {size} x {size} inputs in {out_dir} ...", flush=True)
    start = time.perf_counter()
    rng = np.random.default_rng(2026)
    temp_cty, temp_ctycl = out_dir / ".cty.tmp.tif", out_dir / ".ctycl.tmp.tif"
    with (
        rasterio.open(temp_cty, "w", **_input_profile(size, "uint16", CTY_OUTSIDE)) as cty_out,
        rasterio.open(temp_ctycl, "w", **_input_profile(size, "uint8", CTYCL_OUTSIDE)) as cl_out,
    ):
        for row0 in range(0, size, STRIP_ROWS):
            rows = min(STRIP_ROWS, size - row0)
            cty, ctycl = _strip(row0, rows, size, rng)
            window = Window(0, row0, size, rows)
            cty_out.write(cty, 1, window=window)
            cl_out.write(ctycl, 1, window=window)
        for dataset in (cty_out, cl_out):
            dataset.update_tags(**{TAG: f"{GENERATOR_VERSION}:{size}"})
    for temp, final in ((temp_cty, cty_path), (temp_ctycl, ctycl_path)):
        rasterio.shutil.copy(
            temp,
            final,
            driver="COG",
            compress="DEFLATE",
            blocksize=INPUT_BLOCK,
            num_threads="ALL_CPUS",
            resampling="NEAREST",
        )
        temp.unlink()
    print(f"  done in {time.perf_counter() - start:.1f} s")
    return cty_path, ctycl_path


# ---------------------------------------------------------------------------
# Reference semantics and comparisons


def _windows(height, width, rows=1024):
    for row0 in range(0, height, rows):
        yield Window(0, row0, width, min(rows, height - row0))


def expected_mask(cty, ctycl):
    """The CTY + CTYCL binary mask, written independently of the engine."""
    nodata = (cty == CTY_OUTSIDE) | (ctycl == CTYCL_OUTSIDE)
    nodata |= (ctycl > 100) & (ctycl != CTYCL_NO_CROP)
    kept = np.isin(cty, CROP_CODES) & (ctycl <= 100) & (ctycl >= MIN_CONFIDENCE)
    return np.where(nodata, np.uint8(OUT_NODATA), kept.view(np.uint8))


def describe_inputs(cty_path, ctycl_path):
    """Value shares of the inputs (to show all special values are present)."""
    counts = {"crop": 0, "cty 0": 0, "cty 65535": 0, "ctycl 253": 0, "ctycl 255": 0}
    counts["kept"] = 0
    with rasterio.open(cty_path) as cty_in, rasterio.open(ctycl_path) as cl_in:
        total = cty_in.width * cty_in.height
        for window in _windows(cty_in.height, cty_in.width):
            cty, ctycl = cty_in.read(1, window=window), cl_in.read(1, window=window)
            counts["crop"] += int(np.isin(cty, CROP_CODES).sum())
            counts["cty 0"] += int((cty == 0).sum())
            counts["cty 65535"] += int((cty == CTY_OUTSIDE).sum())
            counts["ctycl 253"] += int((ctycl == CTYCL_NO_CROP).sum())
            counts["ctycl 255"] += int((ctycl == CTYCL_OUTSIDE).sum())
            counts["kept"] += int((expected_mask(cty, ctycl) == 1).sum())
    return {key: value / total for key, value in counts.items()}


def _normalised(values, nodata):
    """Another tool's output as float, with its nodata (and NaN) mapped to 255."""
    values = values.astype(np.float64)
    missing = np.isnan(values)
    if nodata is not None:
        missing |= values == nodata
    values[missing] = OUT_NODATA
    return values


def count_mismatches(reference_path, candidate_path):
    with rasterio.open(reference_path) as ref, rasterio.open(candidate_path) as other:
        if (ref.width, ref.height) != (other.width, other.height):
            return ref.width * ref.height
        mismatches = 0
        for window in _windows(ref.height, ref.width):
            expected = ref.read(1, window=window)
            actual = _normalised(other.read(1, window=window), other.nodata)
            mismatches += int(np.count_nonzero(expected != actual))
    return mismatches


def check_against_semantics(mask_path, cty_path, ctycl_path):
    mismatches = 0
    with (
        rasterio.open(mask_path) as mask,
        rasterio.open(cty_path) as cty_in,
        rasterio.open(ctycl_path) as cl_in,
    ):
        for window in _windows(mask.height, mask.width):
            expected = expected_mask(cty_in.read(1, window=window), cl_in.read(1, window=window))
            mismatches += int(np.count_nonzero(mask.read(1, window=window) != expected))
    return mismatches


# ---------------------------------------------------------------------------
# Methods (each runs in a child process: ``bench.py _child SPEC``)


def _codes_list():
    return "[" + ",".join(str(code) for code in CROP_CODES) + "]"


def gdal_calc_expression(fast):
    """numpy expression for gdal_calc.py; the fast one avoids int64 temporaries."""
    nodata = f"(A=={CTY_OUTSIDE})|(B=={CTYCL_OUTSIDE})|((B>100)&(B!={CTYCL_NO_CROP}))"
    confident = f"(B>={MIN_CONFIDENCE})&(B<=100)"
    if fast:
        kept = f"numpy.isin(A,{_codes_list()},kind='table')&{confident}"
        return f"numpy.where({nodata},numpy.uint8({OUT_NODATA}),({kept}).view(numpy.uint8))"
    kept = f"numpy.isin(A,{_codes_list()})&{confident}"
    return f"numpy.where({nodata},{OUT_NODATA},{kept})"


def gdal_calc_args(variant, cty, ctycl, output, threads, codec=("COMPRESS=DEFLATE",)):
    args = ["-A", str(cty), "-B", str(ctycl), "--outfile", str(output)]
    if variant == "best":
        cpus = "ALL_CPUS" if threads == 0 else str(threads)
        args += ["--calc", gdal_calc_expression(fast=True), "--type", "Byte"]
        args += ["--hideNoData", "--NoDataValue", str(OUT_NODATA), "--overwrite", "--quiet"]
        for option in (
            "TILED=YES",
            f"BLOCKXSIZE={INPUT_BLOCK}",
            f"BLOCKYSIZE={INPUT_BLOCK}",
            *codec,
            f"NUM_THREADS={cpus}",
            "BIGTIFF=IF_SAFER",
        ):
            args += ["--co", option]
    else:
        args += ["--calc", gdal_calc_expression(fast=False), "--type=Byte", "--quiet"]
    return args


# A small GDAL block cache (64 MB) for the floors and gdal_calc best flags: faster
# and leaner than GDAL's default (5% of RAM), which fills with decoded blocks.
SMALL_CACHE = {"GDAL_CACHEMAX": "64"}
GDAL_CALC_BEST_ENV = SMALL_CACHE


def qgis_expression(cty_name, ctycl_name):
    """QGIS 3.22 raster calculator: no IN, no if(); inputs' nodata become nodata."""
    cty, ctycl = f'"{cty_name}@1"', f'"{ctycl_name}@1"'
    selected = " OR ".join(f"{cty} = {code}" for code in CROP_CODES)
    kept = f"(({selected}) AND {ctycl} >= {MIN_CONFIDENCE} AND {ctycl} <= 100)"
    invalid = f"({ctycl} > 100 AND {ctycl} != {CTYCL_NO_CROP})"
    return f"{kept} + {OUT_NODATA} * {invalid}"


class Clock:
    """Wall time and CPU time (all threads of this process) of one operation."""

    def __init__(self):
        self.cpu_start = self._cpu()
        self.start = time.perf_counter()
        self.cpu = None

    @staticmethod
    def _cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def stop(self):
        elapsed = time.perf_counter() - self.start
        self.cpu = self._cpu() - self.cpu_start
        CLOCKS.append(self)
        return elapsed


CLOCKS = []


def _child_ours(spec):
    import dataclasses

    from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask

    # As cropconfidence:cropmask runs it: per-class counts only with OUTPUT_TABLE.
    extra = {}
    if "class_counts" in {field.name for field in dataclasses.fields(CropMaskRequest)}:
        extra["class_counts"] = spec.get("class_counts", False)
    request = CropMaskRequest(
        product="cty_ctycl",
        confidence=BandRef(spec["ctycl"], 1),
        classes=BandRef(spec["cty"], 1),
        min_confidence=MIN_CONFIDENCE,
        threads=spec["threads"],
        creation_options=spec["creation_options"],
        **extra,
    )
    clock = Clock()
    run_crop_mask(request, spec["output"])
    return clock.stop(), {}


def _child_io_floor(spec):
    """Read both inputs and write CTYCL (or CTY cast to uint8), computing nothing.

    Windows of the engine's default size are read by worker threads and written in
    order by this thread, as the engine does, with the engine's output profile.
    """
    import threading

    from crop_confidence.plugin.raster import engine
    from crop_confidence.plugin.raster.grid import Grid
    from crop_confidence.plugin.raster.output import output_profile

    threads = spec["threads"] or os.cpu_count() or 1
    clock = Clock()
    local = threading.local()
    opened = []

    def read(window):
        if not hasattr(local, "handles"):
            local.handles = [rasterio.open(spec["cty"]), rasterio.open(spec["ctycl"])]
            opened.extend(local.handles)
        cty_in, cl_in = local.handles
        cty = cty_in.read(1, window=window)
        ctycl = cl_in.read(1, window=window)
        return window, ctycl if spec["write"] == "ctycl" else cty.astype(np.uint8)

    with rasterio.open(spec["ctycl"]) as lead:
        grid = Grid(lead.crs, lead.transform, lead.width, lead.height)
    side = getattr(engine, "DEFAULT_WINDOW", FLOOR_WINDOW)
    windows = [
        Window(col, row, min(side, grid.width - col), min(side, grid.height - row))
        for row in range(0, grid.height, side)
        for col in range(0, grid.width, side)
    ]
    options = spec.get("creation_options", {})
    profile = output_profile(grid, np.dtype("uint8"), OUT_NODATA, threads, options)
    with (
        ThreadPoolExecutor(max_workers=threads) as executor,
        rasterio.open(spec["output"], "w", **profile) as out,
    ):
        pending = []  # at most 2 windows per thread in flight
        for window in windows:
            pending.append(executor.submit(read, window))
            if len(pending) >= 2 * threads:
                done_window, block = pending.pop(0).result()
                out.write(block, 1, window=done_window)
        for future in pending:
            done_window, block = future.result()
            out.write(block, 1, window=done_window)
    for handle in opened:
        handle.close()
    return clock.stop(), {}


def _child_gdal_calc(spec):
    from osgeo import gdal
    from osgeo_utils.gdal_calc import main as gdal_calc_main

    gdal.UseExceptions()
    clock = Clock()
    gdal_calc_main([GDAL_CALC, *spec["args"]])
    return clock.stop(), {}


def _child_qgis(spec):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append(QGIS_PLUGINS)
    from qgis.core import Qgis, QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    params = {
        "EXPRESSION": spec["expression"],
        "LAYERS": [spec["cty"], spec["ctycl"]],
        "CELLSIZE": 0,
        "EXTENT": None,
        "CRS": None,
        "OUTPUT": spec["output"],
    }
    clock = Clock()
    processing.run("qgis:rastercalculator", params)
    elapsed = clock.stop()
    extra = {"qgis_version": Qgis.version()}
    Processing.deinitialize()
    app.exitQgis()
    return elapsed, extra


CHILDREN = {
    "ours": _child_ours,
    "io_floor": _child_io_floor,
    "gdal_calc": _child_gdal_calc,
    "qgis": _child_qgis,
}


def child_main(spec_json):
    spec = json.loads(spec_json)
    sys.path.insert(0, spec.get("plugin_dir", str(PLUGINS_DIR)))
    Path(spec["output"]).unlink(missing_ok=True)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    elapsed, extra = CHILDREN[spec["kind"]](spec)
    extra["cpu"] = CLOCKS[-1].cpu
    status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
    extra["hwm_kb"] = int(status.split()[0])  # cross-check of ru_maxrss
    with open(spec["result"], "w") as handle:
        json.dump({"elapsed": elapsed, "baseline_kb": baseline_kb, **extra}, handle)


# A minimal process that starts the measured child and reports its ru_maxrss: a
# child forked from this (large) driver would inherit the driver's RSS high-water mark.
LAUNCHER = """
import json, os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as handle:
    json.dump({"exit": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}, handle)
"""


def run_child(spec, env_extra=None, log=None):
    """Run one method in a fresh child; returns its timings and peak RSS (MB)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as temp:
        result_path, usage_path = Path(temp, "result.json"), Path(temp, "usage.json")
        spec = {**spec, "result": str(result_path)}
        env = {**os.environ, **(env_extra or {})}
        child = [sys.executable, str(Path(__file__).resolve()), "_child", json.dumps(spec)]
        command = [sys.executable, "-c", LAUNCHER, str(usage_path), *child]
        with open(log or os.devnull, "a") as log_handle:
            subprocess.run(command, env=env, stdout=log_handle, stderr=log_handle, check=True)
        usage = json.loads(usage_path.read_text())
        if usage["exit"] != 0:
            raise RuntimeError(f"{spec['kind']} failed (exit {usage['exit']}); see {log}")
        result = json.loads(result_path.read_text())
    result["peak_rss_mb"] = usage["maxrss_kb"] / 1024
    if abs(usage["maxrss_kb"] - result["hwm_kb"]) > 20 * 1024:
        print(f"(ru_maxrss {usage['maxrss_kb']} kB but VmHWM {result['hwm_kb']} kB) ", end="")
    result["baseline_rss_mb"] = result.pop("baseline_kb") / 1024
    return result


# ---------------------------------------------------------------------------
# Start-up: what loading the plugin adds to a QGIS desktop start

HEAVY_MODULES = ("numpy", "rasterio", "requests", "pystac", "pystac_client", "osgeo", "urllib3")
STARTUP_GOAL_MS = 50

# Run by the QGIS desktop (qgis --code) once its window is up, with the real iface.
STARTUP_SCRIPT = """
import json, os, sys, time
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.core import Qgis
from qgis.utils import iface

HEAVY = HEAVY_LIST
before = sorted(m for m in HEAVY if m in sys.modules)
marks = [time.perf_counter()]
import crop_confidence
marks.append(time.perf_counter())
plugin = crop_confidence.classFactory(iface)
marks.append(time.perf_counter())
plugin.initProcessing()
marks.append(time.perf_counter())
plugin.initGui()
marks.append(time.perf_counter())
result = {
    "total": marks[-1] - marks[0],
    "parts": [b - a for a, b in zip(marks, marks[1:])],
    "heavy_before": before,
    "heavy_after": sorted(m for m in HEAVY if m in sys.modules),
    "algorithms": len(plugin.provider.algorithms()),
    "plugin_file": crop_confidence.__file__,
    "qgis_version": Qgis.version(),
}
plugin.unload()
with open(os.environ["CROP_CONFIDENCE_STARTUP_RESULT"], "w") as handle:
    json.dump(result, handle)
QTimer.singleShot(0, QApplication.instance().quit)
""".replace("HEAVY_LIST", repr(HEAVY_MODULES))
STARTUP_PARTS = ("import", "classFactory", "initProcessing", "initGui")


def _startup_run(plugin_dir, work, log):
    """One QGIS desktop process under Xvfb; returns what the script measured."""
    result_path = work / "startup.json"
    result_path.unlink(missing_ok=True)
    site_packages = subprocess.run(
        [sys.executable, "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "PYTHONPATH": os.pathsep.join([str(plugin_dir), site_packages]),
        "CROP_CONFIDENCE_STARTUP_RESULT": str(result_path),
    }
    env.pop("QGIS_PLUGINPATH", None)  # QGIS must not load the plugin by itself
    # As on a user's machine, where Python caches the compiled modules next to the plugin:
    # a warm-up run writes them (outside the source tree), the timed runs read them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    command = [
        "xvfb-run", "-a", "-s", "-screen 0 1366x768x24",
        "qgis", "--nologo", "--noversioncheck",
        "--profiles-path", str(work / "profiles"), "--code", str(work / "startup_script.py"),
    ]  # fmt: skip
    with open(log, "a") as log_handle:
        subprocess.run(command, env=env, stdout=log_handle, stderr=log_handle, timeout=300)
    if not result_path.exists():
        raise RuntimeError(f"the start-up script wrote nothing; see {log}")
    return json.loads(result_path.read_text())


def measure_startup(plugin_dir, runs, out_dir, log):
    """Median over ``runs`` fresh QGIS desktops of the plugin's load, in milliseconds."""
    work = out_dir / "startup"
    work.mkdir(parents=True, exist_ok=True)
    (work / "startup_script.py").write_text(STARTUP_SCRIPT)
    shutil.rmtree(work / "pycache", ignore_errors=True)
    results = []
    print(f"Start-up: 1 + {runs} QGIS desktop starts under Xvfb (log: {log})", flush=True)
    for run in range(runs + 1):
        try:
            result = _startup_run(plugin_dir.resolve(), work, log)
        except (RuntimeError, subprocess.SubprocessError, OSError) as error:
            print(f"    !!! start-up run {run} FAILED: {error}")
            return None
        label = "warm-up (compiles the modules, not counted)" if run == 0 else f"{run}/{runs}"
        print(f"    run {label}: {result['total'] * 1000:.1f} ms", flush=True)
        if run:
            results.append(result)
    added = sorted({m for r in results for m in set(r["heavy_after"]) - set(r["heavy_before"])})
    return {
        "ms": statistics.median(r["total"] for r in results) * 1000,
        "runs_ms": [r["total"] * 1000 for r in results],
        "parts_ms": [
            statistics.median(r["parts"][index] for r in results) * 1000
            for index in range(len(STARTUP_PARTS))
        ],
        "heavy_before": results[-1]["heavy_before"],
        "heavy_added": added,
        "algorithms": results[-1]["algorithms"],
        "qgis_version": results[-1]["qgis_version"],
    }


def startup_section(startup, runs):
    """The start-up paragraph of the report."""
    lines = ["", "## Start-up", ""]
    if startup is None:
        return lines + ["Not measured (skipped or failed)."]
    parts = ", ".join(
        f"{name} {value:.1f} ms" for name, value in zip(STARTUP_PARTS, startup["parts_ms"])
    )
    added = ", ".join(startup["heavy_added"]) or "none"
    before = ", ".join(startup["heavy_before"]) or "none"
    runs_text = ", ".join(f"{value:.0f}" for value in startup["runs_ms"])
    return lines + [
        f"What loading the plugin adds to every QGIS start: the QGIS {startup['qgis_version']} "
        f"desktop under Xvfb, a throw-away profile, the real iface; the plugin's import, "
        f"classFactory, initProcessing (the provider and its {startup['algorithms']} "
        f"algorithms and models) and initGui, timed inside QGIS. Median of {runs} fresh "
        f"QGIS processes, after a warm-up start that compiled the modules (Python caches "
        f"them, as for a user): **{startup['ms']:.1f} ms** (goal <= {STARTUP_GOAL_MS} ms; "
        f"runs: {runs_text} ms). Medians of the parts: {parts}.",
        "",
        f"Heavy modules QGIS had already loaded: {before}; added by the plugin: {added}.",
    ]


# ---------------------------------------------------------------------------
# Driver


def _file_mb(path):
    path = Path(path)
    return path.stat().st_size / 1e6 if path.exists() else float("nan")


def measure_all(plan, runs, log):
    """Time every (key, name, spec, env) of ``plan``, round-robin so noise hits all alike."""
    results = {key: [] for key, *_ in plan}
    failed = set()
    for run in range(runs):
        print(f"  run {run + 1}/{runs}:", flush=True)
        for key, name, spec, env_extra in plan:
            if key in failed:
                continue
            try:
                result = run_child(spec, env_extra, log)
            except (RuntimeError, subprocess.CalledProcessError) as error:
                print(f"    !!! {name} FAILED: {error}")
                failed.add(key)
                continue
            print(f"    {name}: {result['elapsed']:.2f} s, {result['peak_rss_mb']:.0f} MB")
            results[key].append(result)
    summary = {}
    for key, name, spec, _ in plan:
        runs_of = results[key]
        if key in failed or not runs_of:
            summary[key] = None
            continue
        summary[key] = {
            "name": name,
            "elapsed": statistics.median(r["elapsed"] for r in runs_of),
            "runs": [r["elapsed"] for r in runs_of],
            "cpu": statistics.median(r["cpu"] for r in runs_of),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs_of),
            "baseline_rss_mb": max(r["baseline_rss_mb"] for r in runs_of),
            "size_mb": _file_mb(spec["output"]),
            "output": spec["output"],
            "extra": {k: v for k, v in runs_of[-1].items() if k.endswith("version")},
        }
    return summary


def plugin_default_codec(plugin_dir):
    """The engine's default creation options, as text (read from the plugin's output.py)."""
    command = [
        sys.executable,
        "-c",
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from crop_confidence.plugin.raster.output import DEFAULT_COMPRESSION as c; "
        "print(' '.join(f'{k.upper()}={v}' for k, v in c.items()))",
        str(plugin_dir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def warm_cache(paths):
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(1 << 24):
                pass


def _fmt(value, digits=2):
    return "n/a" if value is None or value != value else f"{value:.{digits}f}"


def machine_info():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024**2:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"GDAL {rasterio.__gdal_version__}, rasterio {rasterio.__version__}, "
        f"numpy {np.__version__}"
    )


def report(args, size, inputs, shares, methods, codecs, checks, commands, startup):
    pixels = size * size
    by_key = {key: item for key, item in methods.items() if item is not None}

    def speedup(ours, peer, measure="elapsed"):
        if ours not in by_key or peer not in by_key:
            return None
        return by_key[peer][measure] / by_key[ours][measure]

    lines = [
        "# Crop Confidence benchmark",
        "",
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Command: `{shlex.join(['python', 'tools/bench.py', *sys.argv[1:]])}`",
        f"- Machine: {machine_info()}"
        + (f", QGIS {by_key['qgis']['extra'].get('qgis_version')}" if "qgis" in by_key else ""),
        f"- Plugin measured: `{args.plugin_dir}`",
        f"- Inputs: {size} x {size} px CTY (uint16) + CTYCL (uint8), EPSG:3035 tile E38N26, "
        f"10 m, DEFLATE COGs with 512-px tiles ({_file_mb(inputs[0]):.1f} MB + "
        f"{_file_mb(inputs[1]):.1f} MB). Crop pixels {shares['crop']:.1%}, CTY 0 "
        f"{shares['cty 0']:.1%}, outside area (65535/255) {shares['cty 65535']:.1%}, "
        f"CTYCL 253 {shares['ctycl 253']:.1%}; kept at confidence >= {MIN_CONFIDENCE}: "
        f"{shares['kept']:.1%}.",
        "- Ours runs as `cropconfidence:cropmask` does by default: without OUTPUT_TABLE it "
        "counts only the totals (kept, nodata) from per-band masks; the per-class table "
        "needs a joint key and a histogram per window, measured in its own row.",
        f"- Load average (1 min) at start / end: {args.load_start:.2f} / {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs (other work shares the machine: compare ratios, not "
        "absolute times; CPU time is the least load-sensitive figure).",
        f"- Time: median of {args.runs} runs of the operation alone, each in a fresh child "
        "process (interpreter, imports and QGIS start-up excluded). Peak RSS: the child's "
        "ru_maxrss, max over runs (includes the imports; 'after imports' is the child's RSS "
        "just before the operation). CPU: user + system time of the operation, all threads.",
        "",
        "| Method | Time (s, median) | Mpx/s | CPU (s, median) | Peak RSS (MB) "
        "| RSS after imports (MB) | Output (MB) | Same pixels as ours |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, item in by_key.items():
        check = checks.get(key, "reference" if key == "ours_default" else "-")
        lines.append(
            f"| {item['name']} | {_fmt(item['elapsed'])}"
            f" | {_fmt(pixels / item['elapsed'] / 1e6, 1)} | {_fmt(item['cpu'])}"
            f" | {_fmt(item['peak_rss_mb'], 0)} | {_fmt(item['baseline_rss_mb'], 0)}"
            f" | {_fmt(item['size_mb'], 1)} | {check} |"
        )

    targets = []

    def target(label, pair, goal, higher_is_better=True, unit="x"):
        """``pair``: (ours, peer) keys of a time ratio, or a plain value."""
        value, cpu = pair, None
        if isinstance(pair, tuple):
            value, cpu = speedup(*pair), speedup(*pair, measure="cpu")
        if value is None:
            targets.append(f"| {label} | n/a | | {goal}{unit} | skipped |")
            return
        value = round(value, 2)
        ok = value >= goal if higher_is_better else value <= goal
        sign = ">=" if higher_is_better else "<="
        status = "PASS" if ok else "**FAIL**"
        cpu_text = "" if cpu is None else f"{cpu:.2f}{unit}"
        targets.append(
            f"| {label} | {value:.2f}{unit} | {cpu_text} | {sign} {goal}{unit} | {status} |"
        )

    # The I/O floor whose output has the mask's size: read both inputs, write CTY cast to
    # uint8 with our codec (7.9 MB like the mask, where CTYCL would be 48 MB). Time of ours /
    # time of the floor. No method can go below it, and it is itself only about 2x faster
    # than gdal_calc.py with the same codec, so the speed-up targets are restated from it.
    target("ours (defaults) / mask-sized I/O floor", ("io_floor_cty", "ours_default"), 1.15,
           higher_is_better=False)  # fmt: skip
    target("ours with the per-class table / mask-sized I/O floor",
           ("io_floor_cty", "ours_table"), 1.35, higher_is_better=False)  # fmt: skip
    target("ours (defaults) vs gdal_calc.py best flags, same codec (ZSTD 1), same threads",
           ("ours_default", "gdal_calc_best_zstd"), 1.3)  # fmt: skip
    target("start-up added to QGIS: plugin load + initProcessing + initGui (median)",
           None if startup is None else round(startup["ms"], 1), STARTUP_GOAL_MS,
           higher_is_better=False, unit=" ms")  # fmt: skip
    target("ours default vs gdal_calc as usually run", ("ours_default", "gdal_calc_usual"), 4)
    target("ours default vs QGIS raster calculator", ("ours_default", "qgis"), 10)
    target("ours DEFLATE vs QGIS raster calculator", ("ours_deflate", "qgis"), 10)
    target("ours DEFLATE vs gdal_calc.py best flags, same codec (DEFLATE) (info)",
           ("ours_deflate", "gdal_calc_best"), 1.3)  # fmt: skip
    target("ours DEFLATE / I/O floor DEFLATE (info)", ("io_floor_deflate", "ours_deflate"), 1.15,
           higher_is_better=False)  # fmt: skip
    for key in ("ours_default", "ours_table", "ours_deflate", "ours_cache64"):
        if key in by_key:
            target(f"{by_key[key]['name']} peak RSS", by_key[key]["peak_rss_mb"], 300,
                   higher_is_better=False, unit=" MB")  # fmt: skip
    lines += [
        "",
        "## Targets",
        "",
        "Measured: ratio of median wall times (the target); CPU: same ratio on CPU times.",
        "",
        "| Target | Measured | CPU | Goal | Status |",
        "|---|---:|---:|---:|---|",
    ]
    lines += targets
    bound = speedup("io_floor_deflate", "gdal_calc_best")
    if bound is not None:
        lines += [
            "",
            f"With DEFLATE output, no method can beat the DEFLATE I/O floor: the largest "
            f"possible speed-up over gdal_calc.py best flags is {bound:.2f}x on this machine.",
        ]
    bound = speedup("io_floor_cty", "gdal_calc_best_zstd")
    if bound is not None:
        lines += [
            "",
            f"Likewise with our codec (ZSTD level 1): reading both inputs and writing the mask "
            f"with no computation at all is only {bound:.2f}x faster than gdal_calc.py best "
            "flags, the largest possible speed-up on this machine.",
        ]

    lines += startup_section(startup, args.startup_runs)

    if codecs:
        lines += [
            "",
            "## Output codec (ours, same run)",
            "",
            "| Creation options | Time (s, median) | Mpx/s | CPU (s, median) | Output (MB) "
            "| Peak RSS (MB) | Same pixels |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for label, item in codecs.items():
            if item is None:
                lines.append(f"| {label} | failed | | | | | |")
                continue
            options = "|".join(f"{k}={v}" for k, v in CODECS[label].items())
            lines.append(
                f"| {label} (`{options}`) | {_fmt(item['elapsed'])} | "
                f"{_fmt(pixels / item['elapsed'] / 1e6, 1)} | {_fmt(item['cpu'])} | "
                f"{_fmt(item['size_mb'], 2)} | "
                f"{_fmt(item['peak_rss_mb'], 0)} | {checks.get('codec:' + label, '-')} |"
            )

    lines += ["", "## Commands", ""]
    for label, command in commands.items():
        lines += [f"- {label}:", "", "  ```", f"  {command}", "  ```"]
    lines.append("")
    return "\n".join(lines)


def aoi_fetch_section(paths, out_dir, size):
    """Clip a 10 x 10 km area out of each tile through a loopback range server."""
    sys.path[:0] = [str(PLUGINS_DIR), str(ROOT / "tests")]
    from crop_confidence.plugin.sources.clip import clip_to_area
    from servers.range_host import RangeHost

    side = min(1000, size // 2)  # 10 km at 10 m
    x0, y0 = 3_800_000 + (size // 2 - side // 2) * 10, 2_700_000 - (size // 2 - side // 2) * 10
    bounds = (x0, y0 - side * 10, x0 + side * 10, y0)
    lines = [
        "",
        f"## Fetch clipped to an area ({side * 10 / 1000:g} x {side * 10 / 1000:g} km of "
        f"a {size * 10 / 1000:g} km tile)",
        "",
        "GDAL range reads (`/vsicurl/`) against a loopback HTTP server that honours Range; "
        "bytes are response bodies counted by the server and by GDAL's network statistics.",
        "",
        "| Tile | File (MB) | Requests (server) | Bytes moved | Share of the file | Target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for path in paths:
        host = RangeHost({f"/{path.name}": path})
        host.start()
        try:
            target = out_dir / f"aoi_{path.name}"
            result = clip_to_area(host.url(f"/{path.name}"), bounds, "EPSG:3035", target)
            moved, requests = host.bytes_sent, len(host.requests)
        finally:
            host.stop()
        share = moved / path.stat().st_size
        assert result.bytes_transferred == moved, (result.bytes_transferred, moved)
        lines.append(
            f"| {path.name} | {_file_mb(path):.1f} | {requests} | {moved:,} | {share:.2%} | "
            f"< 5%: {'PASS' if share < 0.05 else '**FAIL**'} |"
        )
    return "\n".join(lines) + "\n"


def complete_run(args):
    """Whether the run may replace docs/bench.md: every row, the default size, >= 3 runs,
    and the repository's own plugin (not an A/B copy)."""
    return (
        args.plugin_dir.resolve() == PLUGINS_DIR.resolve()
        and not (args.skip_qgis or args.skip_codecs or args.skip_startup or args.only)
        and args.size == 10000
        and args.runs >= 3
        and args.startup_runs >= 10
    )


def startup_only(args, out_dir, log):
    """--only startup: the start-up row alone, written to <out>/bench-startup.md."""
    startup = measure_startup(args.plugin_dir, args.startup_runs, out_dir, log)
    lines = [
        "# Crop Confidence start-up",
        "",
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Command: `{shlex.join(['python', 'tools/bench.py', *sys.argv[1:]])}`",
        f"- Machine: {machine_info()}",
        f"- Load average (1 min) at start / end: {args.load_start:.2f} / "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        *startup_section(startup, args.startup_runs),
        "",
    ]
    text = "\n".join(lines).replace(f"{ROOT}/", "")
    (out_dir / "bench-startup.md").write_text(text)
    print()
    print(text)
    if startup is None:
        return 1
    return 0 if startup["ms"] <= STARTUP_GOAL_MS and not startup["heavy_added"] else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="tile side in pixels")
    parser.add_argument("--runs", type=int, default=3, help="runs per method (median)")
    parser.add_argument("--threads", type=int, default=0, help="0: all CPUs")
    parser.add_argument("--skip-qgis", action="store_true", help="skip the QGIS calculator")
    parser.add_argument("--skip-codecs", action="store_true", help="skip the codec table")
    parser.add_argument(
        "--skip-startup", action="store_true", help="skip the start-up row (QGIS under Xvfb)"
    )
    parser.add_argument(
        "--startup-runs", type=int, default=10, help="fresh QGIS processes for the start-up row"
    )
    parser.add_argument(
        "--only", choices=["startup"], help="measure only this row (never written to docs/)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench-output", help="work folder")
    parser.add_argument(
        "--plugin-dir",
        type=Path,
        default=PLUGINS_DIR,
        help="folder holding the crop_confidence package to benchmark (A/B a modified copy)",
    )
    args = parser.parse_args(argv)
    args.load_start = os.getloadavg()[0]
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "bench.log"
    log.write_text("")
    size = args.size
    if args.only == "startup":
        return startup_only(args, out_dir, log)

    cty, ctycl = make_inputs(out_dir, size)
    warm_cache([cty, ctycl])
    shares = describe_inputs(cty, ctycl)
    print("Input shares: " + ", ".join(f"{k} {v:.1%}" for k, v in shares.items()))
    for label, key in (("0", "cty 0"), ("65535", "cty 65535"), ("253", "ctycl 253")):
        if shares[key] == 0:
            print(f"WARNING: value {label} is missing from the inputs")

    common = {
        "cty": str(cty),
        "ctycl": str(ctycl),
        "threads": args.threads,
        "plugin_dir": str(args.plugin_dir.resolve()),
    }

    def output(name, suffix="tif"):
        return str(out_dir / f"out_{name}_{size}.{suffix}")

    qgis_expr = qgis_expression(cty.stem, ctycl.stem)
    best_args = gdal_calc_args("best", cty, ctycl, output("gdal_calc_best"), args.threads)
    usual_args = gdal_calc_args("usual", cty, ctycl, output("gdal_calc_usual"), args.threads)
    best_zstd_args = gdal_calc_args(
        "best", cty, ctycl, output("gdal_calc_best_zstd"), args.threads,
        codec=("COMPRESS=ZSTD", "ZSTD_LEVEL=1"),
    )  # fmt: skip
    default_codec = plugin_default_codec(args.plugin_dir)
    qgis_env = {
        "QT_QPA_PLATFORM": "offscreen",
        "QGIS_CUSTOM_CONFIG_PATH": str(out_dir / "qgis-profile"),
    }
    plan = [
        ("ours_default", f"ours, defaults: no per-class table, codec {default_codec}",
         {"kind": "ours", "creation_options": {}}, None),
        ("ours_table", "ours, default codec, with the per-class table (OUTPUT_TABLE)",
         {"kind": "ours", "creation_options": {}, "class_counts": True}, None),
        ("ours_deflate", "ours, COMPRESS=DEFLATE",
         {"kind": "ours", "creation_options": {"COMPRESS": "DEFLATE"}}, None),
        ("ours_cache64", "ours, default codec, env GDAL_CACHEMAX=64 (info)",
         {"kind": "ours", "creation_options": {}}, SMALL_CACHE),
        ("io_floor", "I/O floor: read both, write CTYCL (default codec)",
         {"kind": "io_floor", "write": "ctycl"}, SMALL_CACHE),
        ("io_floor_cty", "I/O floor: read both, write CTY cast to uint8 (default codec)",
         {"kind": "io_floor", "write": "cty"}, SMALL_CACHE),
        ("io_floor_deflate", "I/O floor: read both, write CTY cast to uint8, DEFLATE",
         {"kind": "io_floor", "write": "cty", "creation_options": {"COMPRESS": "DEFLATE"}},
         SMALL_CACHE),
        ("gdal_calc_best", "gdal_calc.py, best flags (DEFLATE, same threads)",
         {"kind": "gdal_calc", "args": best_args}, GDAL_CALC_BEST_ENV),
        ("gdal_calc_best_zstd", "gdal_calc.py, best flags (ZSTD level 1 like ours, same threads)",
         {"kind": "gdal_calc", "args": best_zstd_args}, GDAL_CALC_BEST_ENV),
        ("gdal_calc_usual", "gdal_calc.py as usually run",
         {"kind": "gdal_calc", "args": usual_args}, None),
        ("qgis", "QGIS raster calculator (qgis:rastercalculator)",
         {"kind": "qgis", "expression": qgis_expr}, qgis_env),
    ]  # fmt: skip
    plan = [
        (key, name, {**common, **spec, "output": output(key)}, env_extra)
        for key, name, spec, env_extra in plan
        if not (key == "qgis" and args.skip_qgis)
    ]
    print(f"Timing {size} x {size} px, {args.runs} run(s) each (log: {log})")
    methods, checks = measure_all(plan, args.runs, log), {}
    if methods["ours_default"] is None:
        print("!!! ours failed: nothing to compare")
        return 1

    reference = methods["ours_default"]["output"]
    semantic = check_against_semantics(reference, cty, ctycl)
    checks["ours_default"] = "reference" if semantic == 0 else f"**{semantic} px off the rules**"
    if semantic:
        print(f"!!! MISMATCH: ours differs from the CTY+CTYCL rules on {semantic} pixels")
    for key, item in methods.items():
        if item is None or key == "ours_default" or key.startswith("io_floor"):
            continue
        mismatches = count_mismatches(reference, item["output"])
        checks[key] = "yes" if mismatches == 0 else f"**NO: {mismatches} px differ**"
        if mismatches:
            print(f"!!! MISMATCH: {item['name']} differs from ours on {mismatches} pixels")

    codecs = {}
    if not args.skip_codecs:
        print("Codecs (ours):")
        codec_plan = [
            (label, label, {**common, "kind": "ours", "creation_options": options,
                            "output": output(f"codec{index}")}, None)
            for index, (label, options) in enumerate(CODECS.items())
        ]  # fmt: skip
        codecs = measure_all(codec_plan, args.runs, log)
        for label, _, spec, _ in codec_plan:
            if codecs[label] is None:
                continue
            mismatches = count_mismatches(reference, spec["output"])
            checks["codec:" + label] = "yes" if mismatches == 0 else f"**NO: {mismatches}**"
            if mismatches:
                print(f"!!! MISMATCH: codec {label} differs from ours on {mismatches} pixels")
            Path(spec["output"]).unlink(missing_ok=True)

    cache_env = f"GDAL_CACHEMAX={GDAL_CALC_BEST_ENV['GDAL_CACHEMAX']} "
    commands = {
        "gdal_calc.py, best flags": cache_env + shlex.join(["gdal_calc.py", *best_args]),
        "gdal_calc.py, best flags, ZSTD level 1": cache_env
        + shlex.join(["gdal_calc.py", *best_zstd_args]),
        "gdal_calc.py as usually run": shlex.join(["gdal_calc.py", *usual_args]),
        "QGIS raster calculator expression": qgis_expr,
    }
    startup = None
    if not args.skip_startup:
        startup = measure_startup(args.plugin_dir, args.startup_runs, out_dir, log)
    text = report(args, size, (cty, ctycl), shares, methods, codecs, checks, commands, startup)
    text += aoi_fetch_section((cty, ctycl), out_dir, size)
    text = text.replace(f"{ROOT}/", "")  # repo-relative paths in the report
    reports = [out_dir / "bench.md"]
    if complete_run(args):
        reports.append(ROOT / "docs" / "bench.md")  # not for partial or A/B runs
    for path in reports:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print()
    print(text)
    failed = any("NO:" in value or "off the rules" in value for value in checks.values())
    return 1 if failed or None in methods.values() else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_child":
        child_main(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
