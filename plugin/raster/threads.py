"""How many worker threads a crop mask may use: THREADS is a wish, capped here.

Each thread keeps about two windows in flight (read, classified, waiting to be written in
order), its own open datasets and its share of GDAL's block cache, so memory grows with the
thread count (283 MB at THREADS=2, 3.5 GB at 512 before this cap). More threads than twice
the cores only add memory, never speed. The cap is the smallest of: the wish (0: the cores),
twice the cores, and a memory budget divided by the cost of one thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

import numpy as np
from numpy.typing import DTypeLike

# Bytes the windows in flight may take in all, whatever THREADS says.
MEMORY_BUDGET = 160 * 1024 * 1024
# Working bytes per pixel of a window in flight besides its input bands: masks, joint keys,
# output (measured: 12 to 24 MB a thread with 512 x 512 windows of uint16 + uint8 inputs).
WORK_BYTES_PER_PIXEL = 40
# Windows one thread holds at once: engine.in_order keeps 2 x threads in flight.
WINDOWS_PER_THREAD = 2
# The thread's share of GDAL's block cache, per pixel of a window and input band
# (engine._write: 4 x threads x window x inputs x 2 bytes).
CACHE_BYTES_PER_PIXEL = 8


def available_cores() -> int:
    """The cores this process may use (its affinity on Linux), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def thread_cost(window_size: int, dtypes: Iterable[DTypeLike]) -> int:
    """Bytes one worker thread may hold: its windows in flight, inputs and working arrays."""
    sizes = [np.dtype(dtype).itemsize for dtype in dtypes]
    in_flight = WINDOWS_PER_THREAD * (sum(sizes) + WORK_BYTES_PER_PIXEL)
    return window_size**2 * (in_flight + CACHE_BYTES_PER_PIXEL * len(sizes))


def cap_threads(
    requested: int | None,
    window_size: int,
    dtypes: Iterable[DTypeLike],
    *,
    cores: int | None = None,
    budget: int = MEMORY_BUDGET,
) -> int:
    """The worker threads to use for ``requested`` (0 or None: one a core): at most twice the
    cores and at most ``budget`` bytes of windows in flight, at least 1."""
    cores = cores or available_cores()
    wish = int(requested or 0)
    wish = wish if wish > 0 else cores
    by_memory = max(1, budget // max(1, thread_cost(window_size, dtypes)))
    threads = max(1, min(wish, 2 * cores, by_memory))
    if threads < wish:
        logging.getLogger(__name__).info(
            "THREADS %d capped to %d (%d cores, %d MB for the windows in flight)",
            wish,
            threads,
            cores,
            budget // (1024 * 1024),
        )
    return threads
