"""The special values of a strata map and of its confidence band.

Which map values are no data (in no stratum) depends on what the map is:
- a crop mask (its settings recorded in its metadata, domain/mask_tags.py): a binary mask's
  nodata (255; 0 "not kept" and 1 "kept" are strata); a class map's product nodata, 0 ("not
  kept") being a stratum;
- a product's class raster: the values raster/states.py gives the class no-data state (CTY
  65535, OSO 0 and 255, from resources/nomenclature.csv; CTY 0 "no cropland" is a stratum);
- anything else: only the band's declared nodata.

The product is the user's choice (PRODUCT) or, when it is automatic, told by the recorded crop
mask settings, then by the band description, then by the file name (the names the fetch writes:
CLMS ids, OSO names and band names, domain/products.kind_from_name). Recorded crop-mask settings
come first even over a chosen product: a crop mask's values are the mask's, not the product's.
The band's declared nodata is always no data.

The confidence band's states are raster/states.py's (CTYCL 253 "no cropland" and 255 "outside"
are not confidences); a pixel whose confidence is not a percentage 0..100 (those, or the band's
nodata) stays in its class's unsplit stratum.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio

from ..domain import mask_tags, products
from .plan import BINARY_NODATA, Input
from .states import band_values, class_state_table, confidence_state_table, index_view

NONE, LOW, HIGH = 0, 1, 2  # the confidence level of a stratum (NONE: not split)
PERCENT_MAX = 100  # a confidence is a percentage, 0..100

# How the map's product was told (MapIdentity.rule).
PARAMETER, MASK_METADATA, BAND_DESCRIPTION, FILE_NAME, DECLARED = (
    "parameter",
    "mask_metadata",
    "band_description",
    "file_name",
    "declared",
)

# The product whose class raster a name tells (kinds of products.kind_from_name).
_PRODUCT_OF_KIND = {products.KIND_CTY: products.CTY_CTYCL}


@dataclass(frozen=True)
class MapIdentity:
    """What the map is, and how that was told."""

    product: str | None  # None: not told (only the declared nodata is no data)
    rule: str  # PARAMETER, MASK_METADATA, BAND_DESCRIPTION, FILE_NAME or DECLARED
    source: str = ""  # the band description or file name that told it
    output_mode: str | None = None  # a crop mask's products.BINARY or products.CLASS_MAP


def _product_from_name(text: str, file_name: str) -> str | None:
    kind = products.kind_from_name(text)
    if kind == products.OSO_CLASS_NAME:
        year = products.year_in_name(file_name) or products.year_in_name(text)
        return products.OSO_23 if year is None else products.oso_product(year)
    return _PRODUCT_OF_KIND.get(kind) if kind else None


def identify(item: Input, product: str | None) -> MapIdentity:
    """The map's identity: recorded crop-mask settings, else ``product`` (None: automatic),
    else its band description, else its file name, else unknown."""
    with rasterio.open(item.ref.path) as dataset:
        tags = dataset.tags()
        description = dataset.descriptions[item.ref.band - 1] or ""
    settings = mask_tags.crop_mask_settings(tags)
    if settings is not None:
        return MapIdentity(settings.product, MASK_METADATA, output_mode=settings.output_mode)
    if product is not None:
        return MapIdentity(product, PARAMETER)
    file_name = Path(item.ref.path).name
    for rule, text in ((BAND_DESCRIPTION, description), (FILE_NAME, file_name)):
        told = _product_from_name(text, file_name)
        if told is not None:
            return MapIdentity(told, rule, text)
    return MapIdentity(None, DECLARED)


def _declared(values: np.ndarray, nodata: float | None) -> np.ndarray:
    if nodata is None or not np.isfinite(nodata):
        return np.zeros(values.shape, bool)
    return values == nodata


@dataclass(frozen=True)
class MapValues:
    """Which values of the map are in no stratum."""

    identity: MapIdentity
    nodata: tuple[int, ...]  # every no-data value (sorted)
    table: np.ndarray | None  # no data, per index_view(value); None for 32-bit maps

    def valid(self, values: np.ndarray) -> np.ndarray:
        """Pixels in a stratum."""
        if self.table is not None:
            return ~self.table[index_view(values)]
        return ~np.isin(values, self.nodata)


def map_values(item: Input, product: str | None) -> MapValues:
    """The no-data values of the map band ``item``, for ``product`` (None: automatic)."""
    identity = identify(item, product)
    if item.dtype.name not in products.SUPPORTED_DTYPES:
        declared = item.nodata
        known = () if declared is None or not np.isfinite(declared) else (int(declared),)
        return MapValues(identity, known, None)
    values = band_values(item.dtype)
    if identity.output_mode == products.BINARY:
        table = (values == BINARY_NODATA) | _declared(values, item.nodata)
    else:
        states = class_state_table(identity.product or products.CUSTOM, item.dtype, item.nodata, ())
        table = states == products.CLASS_NODATA
        if identity.output_mode == products.CLASS_MAP:
            table &= (values != 0) | _declared(values, item.nodata)  # 0: "not kept"
    nodata = tuple(sorted(int(value) for value in values[table]))
    return MapValues(identity, nodata, table)


@dataclass(frozen=True)
class ConfidenceLevels:
    """The level (NONE, LOW, HIGH) of each confidence value, split at ``split``."""

    split: int
    nodata: float | None
    table: np.ndarray | None  # level per index_view(value); None for other types

    def levels(self, confidence: np.ndarray) -> np.ndarray:
        if self.table is not None:
            return self.table[index_view(confidence)]
        level = np.full(confidence.shape, NONE, dtype=np.uint8)
        percent = (confidence >= 0) & (confidence <= PERCENT_MAX)
        percent &= ~_declared(confidence, self.nodata)
        level[percent] = np.where(confidence[percent] < self.split, LOW, HIGH)
        return level


def confidence_levels(item: Input, product: str | None, split: int) -> ConfidenceLevels:
    """The levels of the confidence band ``item`` of ``product``'s map: raster/states.py's
    states (low below ``split``, ok from it), unsplit when not a percentage."""
    if item.dtype.name not in products.SUPPORTED_DTYPES:
        return ConfidenceLevels(split, item.nodata, None)
    states = confidence_state_table(product or products.CUSTOM, item.dtype, item.nodata, split)
    values = band_values(item.dtype).astype(np.int64)
    percent = (values >= 0) & (values <= PERCENT_MAX)
    table = np.full(values.shape, NONE, dtype=np.uint8)
    table[percent & (states == products.CONF_LOW)] = LOW
    table[percent & (states == products.CONF_OK)] = HIGH
    return ConfidenceLevels(split, item.nodata, table)
