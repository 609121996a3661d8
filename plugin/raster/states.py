"""Band states: per input band, a table from each (unsigned) value to a small state.

The states and the rule that combines them into a pixel's status are the product's
(``domain.products``, numpy-free); the tables are built here, with numpy, and both counting
paths (joint.py, masks.py) start from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from ..domain import products
from ..domain.errors import CropMaskError
from ..domain.products import (
    CLASS_NODATA,
    CLASS_OTHER,
    CLASS_SELECTED,
    CONF_LOW,
    CONF_NO_CROP,
    CONF_NODATA,
    CONF_OK,
    VALID_LOW,
    VALID_NODATA,
    VALID_OK,
)
from .plan import Plan


def band_values(dtype: DTypeLike) -> np.ndarray:
    """The signed/unsigned value of every index of a lookup table for ``dtype``."""
    dtype = np.dtype(dtype)
    if dtype.name not in products.SUPPORTED_DTYPES:
        raise ValueError(dtype.name)
    unsigned = np.dtype(f"uint{dtype.itemsize * 8}")
    return np.arange(2 ** (dtype.itemsize * 8), dtype=unsigned).view(dtype)


def index_view(array: np.ndarray) -> np.ndarray:
    """Reinterpret signed integers as unsigned, to index a lookup table."""
    if array.dtype.kind == "i":
        return array.view(f"uint{array.dtype.itemsize * 8}")
    return array


def _is_nodata(values, nodata):
    if nodata is None or not np.isfinite(nodata):
        return np.zeros(values.shape, bool)
    return values == nodata


def check_class_codes(codes: Iterable[int], dtype: DTypeLike) -> None:
    """Refuse class codes that a class band of ``dtype`` cannot hold (a CropMaskError naming
    the codes, the type and its range): they would select nothing, and the mask be empty."""
    info = np.iinfo(np.dtype(dtype))
    outside = sorted({int(code) for code in codes if not info.min <= int(code) <= info.max})
    if outside:
        shown = ", ".join(map(str, outside[:5])) + (" …" if len(outside) > 5 else "")
        raise CropMaskError(
            f"CLASSES: the code(s) {shown} cannot occur in the class raster: its data type "
            f"{np.dtype(dtype).name} holds {info.min} to {info.max} only. Give class codes "
            "in that range."
        )


def class_state_table(
    product: str, dtype: DTypeLike, nodata: float | None, selected: Sequence[int]
) -> np.ndarray:
    check_class_codes(selected, dtype)
    values = band_values(dtype)
    state = np.full(values.shape, CLASS_OTHER, np.uint8)
    state[np.isin(values, selected)] = CLASS_SELECTED
    if product == products.CTY_CTYCL:
        state[values == products.CTY_OUTSIDE] = CLASS_NODATA
    elif product in (products.OSO_23, products.OSO_17):
        state[np.isin(values, products.OSO_NODATA)] = CLASS_NODATA
    state[_is_nodata(values, nodata)] = CLASS_NODATA
    return state


def confidence_state_table(
    product: str, dtype: DTypeLike, nodata: float | None, min_confidence: float
) -> np.ndarray:
    values = band_values(dtype).astype(np.int64)
    state = np.where(values >= min_confidence, CONF_OK, CONF_LOW).astype(np.uint8)
    if product in (products.CTY_CTYCL, products.CTYCL_ONLY):
        in_range = (values >= 0) & (values <= products.CTYCL_MAX)
        state[~in_range] = CONF_NODATA
        state[values == products.CTYCL_NO_CROP] = CONF_NO_CROP
    state[_is_nodata(values, nodata)] = CONF_NODATA
    return state


def validity_state_table(dtype: DTypeLike, nodata: float | None, min_validity: float) -> np.ndarray:
    values = band_values(dtype).astype(np.int64)
    state = np.where(values >= min_validity, VALID_OK, VALID_LOW).astype(np.uint8)
    state[_is_nodata(values, nodata)] = VALID_NODATA
    return state


# products.status_of on every (class, confidence, validity) state, as one table. Tables are
# pre-multiplied so that the combined index is a plain sum.
CLASS_STRIDE, CONF_STRIDE = 12, 3
COMBINATION = np.array(
    [products.status_of(c, f, v) for c in range(3) for f in range(4) for v in range(3)],
    np.uint8,
)


@dataclass
class BandStates:
    """State tables indexed by the band's value; None for a band the run does not read."""

    classes: np.ndarray | None
    confidence: np.ndarray
    validity: np.ndarray | None

    @classmethod
    def for_plan(cls, plan: Plan) -> BandStates:
        request, inputs = plan.request, plan.inputs
        classes = validity = None
        if "class" in inputs:
            item = inputs["class"]
            classes = class_state_table(request.product, item.dtype, item.nodata, plan.selected)
        item = inputs["confidence"]
        confidence = confidence_state_table(
            request.product, item.dtype, item.nodata, request.min_confidence
        )
        if "validity" in inputs:
            item = inputs["validity"]
            validity = validity_state_table(item.dtype, item.nodata, request.min_validity)
        return cls(classes, confidence, validity)
