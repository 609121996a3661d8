"""Where each product family has data, for the dock's area and size estimates. Pure."""

from __future__ import annotations

from ..domain import products
from .sentinelhub import FRANCE_4326

Envelope = tuple[float, float, float, float]  # west, south, east, north (WGS 84)

# Generous envelopes: areas and sizes count only inside. CLMS: Europe on the EEA grid, then
# the overseas departments on UTM.
COVERAGE_4326: dict[str, tuple[Envelope, ...]] = {
    products.CLMS: (
        (-32.0, 26.0, 45.0, 72.0),
        (-62.0, 1.5, -51.0, 18.6),
        (44.9, -13.1, 45.4, -12.5),
        (55.1, -21.5, 56.0, -20.8),
    ),
    products.OSO: (FRANCE_4326,),
}


def coverage_of(family: str) -> tuple[Envelope, ...]:
    """The envelopes of the dock's product ``family`` ('cty_ctycl', 'ctycl' or 'oso')."""
    return COVERAGE_4326[products.OSO if family == products.OSO else products.CLMS]
