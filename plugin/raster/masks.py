"""Kept and nodata masks of a window, for runs without per-class counts.

Each band's per-value state table is turned into two value sets: the values
that make a pixel nodata, and the values that let it be kept. A set made of a
few runs of consecutive values is tested with comparisons, which numpy
vectorises; any other set costs one lookup in the band's state table. This
skips the joint key that the per-class histogram needs, and is about twice as
cheap per pixel.
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING

import numpy as np

from ..domain import products
from .states import index_view

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .states import BandStates

# Beyond this many runs of values, one table lookup beats the comparisons.
MAX_RUNS = 3


def value_runs(member: np.ndarray) -> list[tuple[int, int]]:
    """The inclusive (first, last) index ranges where the boolean table ``member`` is True."""
    padded = np.concatenate(([False], member, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(first), int(end) - 1) for first, end in zip(edges[0::2], edges[1::2])]


class BandTest:
    """Which pixels of one band are nodata, and which may be kept, from its state table."""

    def __init__(self, states: np.ndarray, nodata_state: int, pass_state: int):
        self.last_index = states.size - 1
        self.nodata_runs = value_runs(states == nodata_state)
        self.pass_runs = value_runs(states == pass_state)
        self.nodata_state = nodata_state
        self.pass_state = pass_state
        many = max(len(self.nodata_runs), len(self.pass_runs)) > MAX_RUNS
        self.states = states.astype(np.uint8) if many else None

    @property
    def uses_lookup(self) -> bool:
        return self.states is not None

    def masks(self, values: np.ndarray) -> tuple:
        """(nodata, may be kept) as boolean arrays; None means no pixel, True every pixel."""
        index = index_view(values)
        if self.states is not None:
            state = np.take(self.states, index)
            return state == self.nodata_state, state == self.pass_state
        return self._member(index, self.nodata_runs), self._member(index, self.pass_runs)

    def _member(self, index, runs):
        if not runs:
            return None
        if runs == [(0, self.last_index)]:
            return True
        parts = [self._in_run(index, first, last) for first, last in runs]
        return reduce(np.logical_or, parts)

    def _in_run(self, index, first, last):
        if first == last:
            return index == first
        if first == 0:
            return index <= last
        if last == self.last_index:
            return index >= first
        inside = index >= first
        inside &= index <= last
        return inside


def _any(parts, shape):
    """OR of masks, where None is no pixel and True every pixel."""
    if any(part is True for part in parts):
        return np.ones(shape, bool)
    arrays = [part for part in parts if part is not None]
    return reduce(np.logical_or, arrays) if arrays else np.zeros(shape, bool)


def _all(parts, shape):
    """AND of masks, where None is no pixel and True every pixel."""
    if any(part is None for part in parts):
        return np.zeros(shape, bool)
    arrays = [part for part in parts if part is not True]
    return reduce(np.logical_and, arrays) if arrays else np.ones(shape, bool)


class WindowMasks:
    """The output window and its nodata and kept pixel counts, by band masks."""

    def __init__(self, tables: BandStates, mode: str, nodata: int, dtype: DTypeLike):
        """``tables`` has the state tables ``classes`` (or None), ``confidence`` and
        ``validity`` (or None), as made by ``states.*_state_table``."""
        bands = (
            ("class", tables.classes, products.CLASS_NODATA, products.CLASS_SELECTED),
            ("confidence", tables.confidence, products.CONF_NODATA, products.CONF_OK),
            ("validity", tables.validity, products.VALID_NODATA, products.VALID_OK),
        )
        self.tests = [
            (role, BandTest(states, nodata_state, pass_state))
            for role, states, nodata_state, pass_state in bands
            if states is not None
        ]
        self.mode = mode
        self.nodata = nodata
        self.dtype = np.dtype(dtype)

    def apply(self, bands: dict) -> tuple[np.ndarray, int, int]:
        """``bands`` maps role to window array; returns (output, nodata pixels, kept pixels)."""
        shape = bands["confidence"].shape
        nodata_parts, pass_parts = [], []
        for role, test in self.tests:
            nodata, may_keep = test.masks(bands[role])
            nodata_parts.append(nodata)
            pass_parts.append(may_keep)
        # Disjoint: a band that lets a pixel be kept is never nodata there.
        nodata = _any(nodata_parts, shape)
        kept = _all(pass_parts, shape)
        if self.mode == products.BINARY:
            out = np.negative(nodata.view(np.uint8))  # True -> 255
            out |= kept.view(np.uint8)
        else:
            out = np.where(kept, bands["class"], 0).astype(self.dtype, copy=False)
            np.copyto(out, self.dtype.type(self.nodata), where=nodata)
        return out, int(np.count_nonzero(nodata)), int(np.count_nonzero(kept))
