"""What each product's pixel values mean, as per-value lookup tables.

Every input band is mapped to a small "state" through a table indexed by the
raw value (8- and 16-bit integers only), so one combination rule serves every
product. See the semantics table in the README.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import nomenclature
from .errors import CropMaskError
from .texts import translatable

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

# Product keys, in the order of the Processing enum.
CTY_CTYCL = "cty_ctycl"
CTYCL_ONLY = "ctycl"
OSO_23 = "oso23"
OSO_17 = "oso17"
CUSTOM = "custom"
PRODUCTS = (CTY_CTYCL, CTYCL_ONLY, OSO_23, OSO_17, CUSTOM)
PRODUCT_NAMES = {
    CTY_CTYCL: "CTY + CTYCL",
    CTYCL_ONLY: "CTYCL only",
    OSO_23: "OSO 2018+ (23 classes)",
    OSO_17: "OSO 2016-2017 (17 classes)",
    CUSTOM: "Custom",
}

# Each product's label in the UI (Processing enums, the dock), translated by the QGIS layer.
PRODUCT_LABELS = {
    CTY_CTYCL: translatable("CTY + CTYCL (CLMS Crop Types and Confidence Layer)"),
    CTYCL_ONLY: translatable("CTYCL only (CLMS Confidence Layer)"),
    OSO_23: translatable("OSO 2018+ (23 classes)"),
    OSO_17: translatable("OSO 2016–2017 (17 classes)"),
    CUSTOM: translatable("Custom"),
}

BINARY = "binary"
CLASS_MAP = "classes"
OUTPUT_MODES = (BINARY, CLASS_MAP)

# Pixel status, the result of the combination rule.
NODATA, KEPT, LOW_CONFIDENCE, LOW_VALIDITY, NOT_SELECTED = range(5)
STATUS_BITS = 3

# Per-band states.
CLASS_NODATA, CLASS_OTHER, CLASS_SELECTED = 0, 1, 2
CONF_NODATA, CONF_NO_CROP, CONF_LOW, CONF_OK = 0, 1, 2, 3
VALID_NODATA, VALID_LOW, VALID_OK = 0, 1, 2


def _role(table, role):
    return nomenclature.codes_with_role(table, role)


# Special values, from the roles of resources/nomenclature.csv.
(CTY_OUTSIDE,) = _role("cty", "nodata")  # 65535
(CTY_NO_CROP,) = _role("cty", "no_crop")  # 0
(CTYCL_NO_CROP,) = _role("ctycl", "no_crop")  # 253
(CTYCL_OUTSIDE,) = _role("ctycl", "nodata")  # 255
OSO_NODATA = _role("oso23", "nodata")  # (0, 255), as OSO 17
CTYCL_MAX = 100  # CTYCL confidence is 0..100; other values than the above are invalid

# The years each product has (None: still produced), and where OSO changes nomenclature.
CLMS_FIRST_YEAR = 2017
OSO_FIRST_YEAR = 2016
OSO_23_FIRST_YEAR = 2018
FIRST_YEAR = {CTY_CTYCL: CLMS_FIRST_YEAR, CTYCL_ONLY: CLMS_FIRST_YEAR, OSO_23: OSO_23_FIRST_YEAR,
              OSO_17: OSO_FIRST_YEAR}  # fmt: skip
LAST_YEAR = {OSO_17: OSO_23_FIRST_YEAR - 1}

# The three bands of an OSO raster, in their order: class, confidence, validity.
OSO_BANDS = ("OCS", "OCS_Confidence", "OCS_Validity")
OSO_CLASS_BAND, OSO_CONFIDENCE_BAND, OSO_VALIDITY_BAND = OSO_BANDS

# Families: where a product is fetched from.
CLMS, OSO = "clms", "oso"
FAMILY = {CTY_CTYCL: CLMS, CTYCL_ONLY: CLMS, OSO_23: OSO, OSO_17: OSO}

# Layer kinds: what a layer holds, and so the style it gets (plugin/qgis/styles.py).
KIND_OSO23, KIND_OSO17, KIND_CTY, KIND_CTYCL = "oso23", "oso17", "cty", "ctycl"
KIND_OSO_CONFIDENCE, KIND_OSO_VALIDITY, KIND_MASK = "oso_confidence", "oso_validity", "mask"

# The kind of each layer of a product, per layer role.
CLASS, CONFIDENCE, VALIDITY = "class", "confidence", "validity"
LAYER_STYLES = {
    CTY_CTYCL: {CLASS: KIND_CTY, CONFIDENCE: KIND_CTYCL},
    CTYCL_ONLY: {CONFIDENCE: KIND_CTYCL},
    OSO_23: {CLASS: KIND_OSO23, CONFIDENCE: KIND_OSO_CONFIDENCE, VALIDITY: KIND_OSO_VALIDITY},
    OSO_17: {CLASS: KIND_OSO17, CONFIDENCE: KIND_OSO_CONFIDENCE, VALIDITY: KIND_OSO_VALIDITY},
}


def oso_product(year: int) -> str:
    """The OSO nomenclature of a year: 17 classes up to 2017, 23 from 2018."""
    return OSO_17 if year < OSO_23_FIRST_YEAR else OSO_23


SUPPORTED_DTYPES = ("uint8", "int8", "uint16", "int16")


@dataclass(frozen=True)
class ProductSpec:
    key: str
    table: str | None  # nomenclature of the class band
    class_dtypes: tuple  # accepted class band types
    needs_class_band: bool
    uses_validity: bool


SPECS = {
    CTY_CTYCL: ProductSpec(CTY_CTYCL, "cty", ("uint16",), True, False),
    CTYCL_ONLY: ProductSpec(CTYCL_ONLY, None, (), False, False),
    OSO_23: ProductSpec(OSO_23, "oso23", ("uint8",), True, True),
    OSO_17: ProductSpec(OSO_17, "oso17", ("uint8",), True, True),
    CUSTOM: ProductSpec(CUSTOM, None, SUPPORTED_DTYPES, True, True),
}


def spec(product: str) -> ProductSpec:
    try:
        return SPECS[product]
    except KeyError:
        raise CropMaskError(
            f"Unknown product {product!r}; use one of {', '.join(PRODUCTS)}."
        ) from None


def resolve_classes(product: str, codes: Iterable[int] | None) -> tuple[int, ...]:
    """The selected class codes: the product's defaults when ``codes`` is empty.

    Unknown codes for a known product are refused with the list of valid ones.
    """
    product_spec = spec(product)
    codes = tuple(sorted(set(int(code) for code in (codes or ()))))
    if product_spec.table is None:
        if product == CTYCL_ONLY and codes:
            raise CropMaskError(
                f"CLASSES: 'CTYCL only' has no class layer, so class codes "
                f"({', '.join(map(str, codes))}) cannot be applied; leave CLASSES empty, "
                "or choose 'CTY + CTYCL' with a CTY layer to select crops."
            )
        if product == CUSTOM and not codes:
            raise CropMaskError(
                "The Custom product has no default classes: give the class codes "
                "to keep in CLASSES, for example '5,6,7'."
            )
        return codes
    valid = nomenclature.selectable_codes(product_spec.table)
    if not codes:
        return nomenclature.default_codes(product_spec.table)
    unknown = [code for code in codes if code not in valid]
    if unknown:
        raise CropMaskError(
            f"Unknown class code(s) {', '.join(map(str, unknown))} for the product "
            f"{PRODUCT_NAMES[product]}. Valid codes: {', '.join(map(str, valid))}."
        )
    return codes


def parse_class_list(text: str | None) -> tuple[int, ...]:
    """'1110, 1120' -> (1110, 1120); refuses anything that is not an integer."""
    codes = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            codes.append(int(part))
        except ValueError:
            raise CropMaskError(
                f"CLASSES: {part!r} is not an integer class code; "
                "give comma-separated codes such as '1110,1120'."
            ) from None
    return tuple(codes)


def band_values(dtype: DTypeLike) -> np.ndarray:
    """The signed/unsigned value of every index of a lookup table for ``dtype``."""
    dtype = np.dtype(dtype)
    if dtype.name not in SUPPORTED_DTYPES:
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
    if product == CTY_CTYCL:
        state[values == CTY_OUTSIDE] = CLASS_NODATA
    elif product in (OSO_23, OSO_17):
        state[np.isin(values, OSO_NODATA)] = CLASS_NODATA
    state[_is_nodata(values, nodata)] = CLASS_NODATA
    return state


def confidence_state_table(
    product: str, dtype: DTypeLike, nodata: float | None, min_confidence: float
) -> np.ndarray:
    values = band_values(dtype).astype(np.int64)
    state = np.where(values >= min_confidence, CONF_OK, CONF_LOW).astype(np.uint8)
    if product in (CTY_CTYCL, CTYCL_ONLY):
        in_range = (values >= 0) & (values <= CTYCL_MAX)
        state[~in_range] = CONF_NODATA
        state[values == CTYCL_NO_CROP] = CONF_NO_CROP
    state[_is_nodata(values, nodata)] = CONF_NODATA
    return state


def validity_state_table(dtype: DTypeLike, nodata: float | None, min_validity: float) -> np.ndarray:
    values = band_values(dtype).astype(np.int64)
    state = np.where(values >= min_validity, VALID_OK, VALID_LOW).astype(np.uint8)
    state[_is_nodata(values, nodata)] = VALID_NODATA
    return state


def status_of(class_state: int, conf_state: int, valid_state: int) -> int:
    """The combination rule, on scalar states."""
    if class_state == CLASS_NODATA or conf_state == CONF_NODATA or valid_state == VALID_NODATA:
        return NODATA
    if class_state == CLASS_OTHER or conf_state == CONF_NO_CROP:
        return NOT_SELECTED
    if conf_state == CONF_LOW:
        return LOW_CONFIDENCE
    if valid_state == VALID_LOW:
        return LOW_VALIDITY
    return KEPT


# Tables are pre-multiplied so that the combined index is a plain sum.
CLASS_STRIDE, CONF_STRIDE = 12, 3
COMBINATION = np.array(
    [status_of(c, f, v) for c in range(3) for f in range(4) for v in range(3)],
    np.uint8,
)
