"""Band states: per input band, a table from each (unsigned) value to a small state.

The states and the rule that combines them into a pixel's status are the product's
(``domain.products``); both counting paths (joint.py, masks.py) start from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..domain import products
from .plan import Plan


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
            classes = products.class_state_table(
                request.product, item.dtype, item.nodata, plan.selected
            )
        item = inputs["confidence"]
        confidence = products.confidence_state_table(
            request.product, item.dtype, item.nodata, request.min_confidence
        )
        if "validity" in inputs:
            item = inputs["validity"]
            validity = products.validity_state_table(item.dtype, item.nodata, request.min_validity)
        return cls(classes, confidence, validity)
