"""Download sizes the dock shows before a fetch. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain import products

# Bytes per pixel of the fetched layers, and a typical DEFLATE ratio.
BYTES_PER_PIXEL = {products.CTY_CTYCL: 3, products.CTYCL_ONLY: 1, products.OSO: 3}
COMPRESSION_RATIO = 0.3
PIXEL_AREA_M2 = 10 * 10


def clipped_bytes(km2: float, family: str) -> int:
    """About what clipping ``km2`` of the dock's product ``family`` downloads."""
    pixels = km2 * 1e6 / PIXEL_AREA_M2
    return int(pixels * BYTES_PER_PIXEL[family] * COMPRESSION_RATIO)


def whole_files_bytes(sizes: Sequence[int | None]) -> int | None:
    """The sum of the files' sizes, or None when there is no file or a size is unknown."""
    if not sizes or None in sizes:
        return None
    return sum(size for size in sizes if size is not None)


def known_bytes(sizes: Sequence[int | None]) -> int | None:
    """The sum of the sizes that are known, or None when there is no file."""
    return sum(size for size in sizes if size) if sizes else None


def whole_download_is_small(sizes: Sequence[int | None], threshold: int) -> bool:
    """Whether whole files of ``sizes`` download without asking: every size is known and
    they add up to at most ``threshold`` bytes."""
    total = known_bytes(sizes)
    return total is not None and total <= threshold and None not in sizes
