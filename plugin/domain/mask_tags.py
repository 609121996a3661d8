"""The GDAL metadata a crop mask records about how it was made (``gdalinfo`` shows it).

The engine writes these tags before the output is renamed; styles and *Detect* read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Optional

from . import products

TAG_PRODUCT = "CROPCONFIDENCE_PRODUCT"  # a key of products.PRODUCTS
TAG_OUTPUT_MODE = "CROPCONFIDENCE_OUTPUT_MODE"  # binary or classes
TAG_CLASSES = "CROPCONFIDENCE_CLASSES"  # the kept codes: "5,6,7"
TAG_MIN_CONFIDENCE = "CROPCONFIDENCE_MIN_CONFIDENCE"
TAG_MIN_VALIDITY = "CROPCONFIDENCE_MIN_VALIDITY"


@dataclass(frozen=True)
class CropMaskSettings:
    """What a crop mask was made with, as far as its style needs."""

    product: str
    output_mode: str
    codes: tuple = ()
    min_confidence: Optional[int] = None


def crop_mask_tags(
    product: str,
    output_mode: str,
    codes: Iterable[int],
    min_confidence: float,
    min_validity: float,
) -> dict[str, str]:
    """The metadata recording a crop mask's settings (strings, for GDAL)."""
    return {
        TAG_PRODUCT: product,
        TAG_OUTPUT_MODE: output_mode,
        TAG_CLASSES: ",".join(map(str, sorted(codes))),
        TAG_MIN_CONFIDENCE: str(int(min_confidence)),
        TAG_MIN_VALIDITY: str(int(min_validity)),
    }


def crop_mask_settings(metadata: Mapping[str, str]) -> Optional[CropMaskSettings]:
    """The settings recorded in a raster's metadata; None when it has none (another file, or
    a crop mask written before they were recorded)."""
    product, mode = metadata.get(TAG_PRODUCT), metadata.get(TAG_OUTPUT_MODE)
    if product not in products.PRODUCTS or mode not in products.OUTPUT_MODES:
        return None
    try:
        codes = tuple(int(code) for code in metadata.get(TAG_CLASSES, "").split(",") if code)
        confidence = metadata.get(TAG_MIN_CONFIDENCE)
        min_confidence = int(confidence) if confidence else None
    except ValueError:
        return None
    return CropMaskSettings(product, mode, codes, min_confidence)
