"""What each product's pixel values mean: keys, labels, years, bands, special codes, the
per-band states and the rule that combines them.

Every input band is mapped to a small "state" through a table indexed by the
raw value (8- and 16-bit integers only), so one combination rule serves every
product. See the semantics table in the README. The numpy tables themselves are built in
``raster/states.py``: this module imports no numpy, so that the Processing provider and the
dock's labels load without it (start-up cost).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import nomenclature
from .errors import CropMaskError
from .texts import translatable

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
    CTY_CTYCL: translatable("CTY + CTYCL (CLMS Crop Types)"),
    CTYCL_ONLY: translatable("CTYCL only (CLMS Confidence Layer)"),
    OSO_23: translatable("OSO 2018+ (23 classes)"),
    OSO_17: translatable("OSO 2016–2017 (17 classes)"),
    CUSTOM: translatable("Custom"),
}

BINARY = "binary"
CLASS_MAP = "classes"
OUTPUT_MODES = (BINARY, CLASS_MAP)
BINARY_NODATA = 255  # a binary crop mask: 1 kept, 0 not kept, this where there is no data

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
# The latest year each product is known to be published for: what the dock selects when the
# source cannot tell (offline, or a source that lists no years). Newer years may exist since:
# a source that answers says so. (Not checked against the producers: see the issue notes.)
LATEST_KNOWN_YEAR = {CTY_CTYCL: 2021, CTYCL_ONLY: 2021, OSO_23: 2023, OSO_17: LAST_YEAR[OSO_17]}

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


# Words of a file name, layer name or band description that tell a layer's kind: CLMS ids
# (CLMS_HRLVLCC_CTYCL_...), OSO file names (OCS_2018_CESBIO, OSO_2021_...) and band names
# (OSO_BANDS), as the fetch writes them.
OSO_NAME_WORDS = ("OSO", "OCS", "CESBIO", "THEIA")
OSO_CLASS_NAME = "oso"  # what kind_from_name says of an OSO class band (17 or 23: by year)


def name_words(text: str | None) -> list[str]:
    """'CLMS_HRLVLCC_CTY_S2021' -> ['CLMS', 'HRLVLCC', 'CTY', 'S2021']."""
    return [word for word in re.split(r"[^A-Z0-9]+", (text or "").upper()) if word]


def kind_from_name(text: str | None) -> str | None:
    """The layer kind a name tells (KIND_CTYCL, KIND_CTY, KIND_OSO_CONFIDENCE,
    KIND_OSO_VALIDITY, OSO_CLASS_NAME), or None."""
    words = name_words(text)
    if "CTYCL" in words:
        return KIND_CTYCL
    if "CTY" in words:
        return KIND_CTY
    if set(OSO_NAME_WORDS) & set(words):
        if "CONFIDENCE" in words:
            return KIND_OSO_CONFIDENCE
        if "VALIDITY" in words:
            return KIND_OSO_VALIDITY
        return OSO_CLASS_NAME
    return None


def year_in_name(text: str | None) -> int | None:
    """The first OSO-era year in a name ('2021' or 'S2021'), or None."""
    for word in name_words(text):
        match = re.fullmatch(r"S?(\d{4})", word)
        if match and OSO_FIRST_YEAR <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return None


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
