"""Joint keys: one intp key per pixel for (class id, confidence level, validity state).

The key indexes both the output value and the histogram, so a window costs one or two
table lookups, one add and one bincount, with no status array. 16-bit class values
outside the codes of interest share one "other" id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..domain import nomenclature, products
from .plan import BINARY_NODATA, Plan
from .states import (
    CLASS_STRIDE,
    COMBINATION,
    CONF_STRIDE,
    BandStates,
    band_values,
    index_view,
)

# Output value per status, in binary mode.
BINARY_VALUES = np.array([BINARY_NODATA, 1, 0, 0, 0], np.uint8)


@dataclass
class _ClassAxis:
    """The class part of the key: ids of the class values, their states and key offsets."""

    key: np.ndarray | None  # per class value index: id * class stride (None: no class band)
    state: np.ndarray  # per id: class state
    value_index_of_id: np.ndarray  # per known id: the class value index
    other_id: int | None  # the id shared by uninteresting 16-bit values


def _confidence_axis(item, states):
    """(direct, state per level, level per value): 8-bit confidence is its own level."""
    if item.dtype.itemsize == 1:
        return True, states.confidence, np.arange(256)
    return False, np.arange(4), states.confidence


def _values_of_interest(plan, item):
    """Value indexes of the 16-bit class values that get an id of their own."""
    values = band_values(item.dtype)
    interest = set(plan.selected)
    spec = products.spec(plan.request.product)
    if spec.table is not None:
        interest.update(e.code for e in nomenclature.entries(spec.table))
    if item.nodata is not None and np.isfinite(item.nodata):
        interest.add(int(item.nodata))
    interest.add(products.CTY_OUTSIDE)
    interest = [v for v in interest if values.min() <= v <= values.max()]
    return np.unique(
        np.array(interest).astype(values.dtype).view(f"uint{values.itemsize * 8}")
    ).astype(np.intp)  # signed, so that -1 below stays -1 under numpy 2


def _class_axis(plan, states, class_stride):
    item = plan.class_input
    if item is None:
        return _ClassAxis(None, np.array([products.CLASS_SELECTED]), np.array([0]), None)
    index_count = 1 << (item.dtype.itemsize * 8)
    if index_count == 256:
        value_index_of_id, other_id = np.arange(256), None
    else:
        value_index_of_id = _values_of_interest(plan, item)
        other_id = len(value_index_of_id)
    id_of_index = np.full(index_count, other_id or 0, np.intp)
    id_of_index[value_index_of_id] = np.arange(len(value_index_of_id))
    state = states.classes[value_index_of_id]
    if other_id is not None:
        state = np.append(state, products.CLASS_OTHER)
    return _ClassAxis(id_of_index * class_stride, state, value_index_of_id, other_id)


def _statuses(class_state, conf_state, valid_levels):
    """The status of every key, from the product's combination rule."""
    valid_state = np.arange(3) if valid_levels == 3 else np.array([products.VALID_OK])
    combined = (
        class_state[:, None, None] * CLASS_STRIDE
        + conf_state[None, :, None] * CONF_STRIDE
        + valid_state[None, None, :]
    )
    return COMBINATION[combined].ravel()


def _output_values(plan, status, classes):
    """The output value of every key."""
    if plan.request.output_mode == products.BINARY:
        return BINARY_VALUES[status]
    out_dtype = plan.out_dtype
    codes = np.zeros(len(classes.state), out_dtype)
    values = band_values(plan.class_input.dtype)
    codes[: len(classes.value_index_of_id)] = values[classes.value_index_of_id]
    per_key = np.repeat(codes, status.size // len(classes.state))
    out = np.where(status == products.KEPT, per_key, 0).astype(out_dtype)
    out[status == products.NODATA] = plan.nodata
    return out


class JointKeys:
    """Key tables of one run: keys of a window, its output values and its counts."""

    def __init__(self, plan: Plan, states: BandStates):
        self.valid_levels = 3 if states.validity is not None else 1
        self.conf_direct, conf_state, conf_level_of_index = _confidence_axis(
            plan.inputs["confidence"], states
        )
        self.conf_key = (conf_level_of_index * self.valid_levels).astype(np.intp)
        self.valid_key = None if states.validity is None else states.validity.astype(np.intp)
        self.class_stride = conf_state.size * self.valid_levels
        classes = _class_axis(plan, states, self.class_stride)
        self.class_key = classes.key
        self.other_id = classes.other_id
        self.value_index_of_id = classes.value_index_of_id
        self.status = _statuses(classes.state, conf_state, self.valid_levels)
        self.size = self.status.size
        self.out = _output_values(plan, self.status, classes)
        self.other_base = None if self.other_id is None else self.other_id * self.class_stride
        self._lead_tables(states)

    def _lead_tables(self, states):
        """Per value of the lead band (class, else confidence): whether that value alone
        makes a pixel nodata, and the key such a pixel counts under."""
        if self.class_key is None:
            self.lead_key = self.conf_key if not self.conf_direct else np.arange(256)
            lead_nodata = states.confidence == products.CONF_NODATA
        else:
            self.lead_key = self.class_key
            lead_nodata = states.classes == products.CLASS_NODATA
        self.lead_nodata = lead_nodata & (self.status[self.lead_key] == products.NODATA)

    def keys(
        self, classes: np.ndarray | None, confidence: np.ndarray, validity: np.ndarray | None
    ) -> np.ndarray:
        if self.class_key is None:
            if self.conf_direct and self.valid_levels == 1:
                key = index_view(confidence).astype(np.intp)
            else:
                key = np.take(self.conf_key, index_view(confidence))
        else:
            assert classes is not None  # a class key table: the class band is read
            key = np.take(self.class_key, index_view(classes))
            if self.conf_direct and self.valid_levels == 1:
                key += index_view(confidence)
            else:
                key += np.take(self.conf_key, index_view(confidence))
        if self.valid_key is not None:
            assert validity is not None  # a validity key table: the validity band is read
            key += np.take(self.valid_key, index_view(validity))
        return key

    def nodata_key(self, lead: np.ndarray) -> int | None:
        """The key of a lead-band window that is nodata whatever the other bands hold.

        None unless every pixel holds one value whose state alone is nodata:
        such windows (outside the producer's area) need no other band read.
        """
        first = lead[0, 0]
        index = int(index_view(lead[:1, :1])[0, 0])
        if not self.lead_nodata[index] or lead.min() != first or lead.max() != first:
            return None
        return int(self.lead_key[index])

    def other_counts(
        self,
        key: np.ndarray,
        classes: np.ndarray | None,
        block_counts: np.ndarray,
        per_value_size: int,
    ) -> np.ndarray | None:
        """Per (value, status) counts of the "other" class id (rare: unexpected codes)."""
        if self.other_base is None or not block_counts[self.other_base :].any():
            return None
        assert classes is not None  # an "other" class id: the class band is read
        mask = key >= self.other_base
        per_value = index_view(classes)[mask].astype(np.intp) << products.STATUS_BITS
        per_value |= self.status[key[mask]]
        return np.bincount(per_value, minlength=per_value_size)

    def per_value_counts(self, joint: np.ndarray, per_value_size: int) -> np.ndarray:
        """Joint-key counts as counts per (lead value, status)."""
        ids = np.arange(self.size) // self.class_stride
        if self.class_key is None:
            value_index = np.arange(self.size) // self.valid_levels
        else:
            known = ids < len(self.value_index_of_id)
            ids = np.where(known, ids, 0)
            value_index = np.where(known, self.value_index_of_id[ids], np.intp(-1))
        counts = np.zeros(per_value_size, np.int64)
        keep = value_index >= 0
        np.add.at(
            counts,
            (value_index[keep] << products.STATUS_BITS) | self.status[keep],
            joint[keep],
        )
        return counts
