"""The two ways a window is classified and counted, and the tally they add to.

- ``JointCounting`` (with the per-class table): one joint key per pixel gives the output
  value through one lookup and the counts through one bincount.
- ``MaskCounting`` (totals only): band masks give the output and the nodata and kept
  counts, about twice as cheap per pixel.

Workers classify windows; each returns the output window and a ``record`` callable that
the writing thread calls, so that the tally is only ever changed by that one thread.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from ..domain import products
from .joint import JointKeys
from .masks import WindowMasks

Record = Callable[[], None]


class Tally:
    """Pixel counts, added to in the writing thread one window at a time."""

    def __init__(self, joint_keys: JointKeys, per_value_size: int):
        self.joint_keys = joint_keys
        self.joint = np.zeros(joint_keys.size, np.int64)
        self.per_value_extra = np.zeros(per_value_size, np.int64)  # the "other" class's
        self.nodata = 0
        self.kept = 0

    def add_uniform(self, key: int, pixels: int) -> None:
        """A window whose every pixel counts under one key."""
        self.joint[key] += pixels

    def add_histogram(self, counts: np.ndarray, other: np.ndarray | None) -> None:
        """A window's joint-key histogram, and the per-value counts of its "other" class."""
        self.joint += counts
        if other is not None:
            self.per_value_extra += other

    def add_totals(self, nodata: int, kept: int) -> None:
        """A window counted by masks: its nodata and kept pixels only."""
        self.nodata += nodata
        self.kept += kept

    def per_value(self) -> np.ndarray:
        """Counts per (lead value, status): index ``value << STATUS_BITS | status``."""
        size = self.per_value_extra.size
        return self.per_value_extra + self.joint_keys.per_value_counts(self.joint, size)

    def totals(self) -> tuple[int, int]:
        """(nodata pixels, kept pixels)."""
        status = self.joint_keys.status
        nodata = self.nodata + int(self.joint[status == products.NODATA].sum())
        kept = self.kept + int(self.joint[status == products.KEPT].sum())
        return nodata, kept


class JointCounting:
    """With the per-class table: output and histogram by joint keys."""

    def __init__(self, joint_keys: JointKeys, tally: Tally):
        self.joint_keys = joint_keys
        self.tally = tally

    def window(self, bands: dict) -> tuple[np.ndarray, Record]:
        """``bands`` maps role to the window's array (None: not read)."""
        joint_keys = self.joint_keys
        classes = bands["class"]
        key = joint_keys.keys(classes, bands["confidence"], bands["validity"])
        out = np.take(joint_keys.out, key)
        counts = np.bincount(key.ravel(), minlength=joint_keys.size)
        other = joint_keys.other_counts(key, classes, counts, self.tally.per_value_extra.size)
        return out, partial(self.tally.add_histogram, counts, other)


class MaskCounting:
    """Totals only: output and nodata and kept counts by band masks."""

    def __init__(self, window_masks: WindowMasks, tally: Tally):
        self.window_masks = window_masks
        self.tally = tally

    def window(self, bands: dict) -> tuple[np.ndarray, Record]:
        """``bands`` maps role to the window's array (None: not read)."""
        out, nodata, kept = self.window_masks.apply(bands)
        return out, partial(self.tally.add_totals, nodata, kept)
