"""Planning a crop mask: the request, its checks, the inputs, the output grid and windows.

Everything here runs before any pixel is read: a request that cannot work fails here,
with nothing written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import rasterio
from rasterio.errors import RasterioError
from rasterio.windows import Window

from ..domain import products
from ..domain.errors import CropMaskError
from .grid import Grid, block_windows, clip_to_bounds, intersection, offset_in, window_steps
from .threads import cap_threads

BINARY_NODATA = products.BINARY_NODATA
DEFAULT_WINDOW = 512  # cache-friendly: the joint keys of a window stay in L2/L3
# The roles of the input bands, in the order of the output grid's lattice.
ROLES = ("class", "confidence", "validity")


@dataclass(frozen=True)
class BandRef:
    path: str
    band: int = 1


@dataclass(frozen=True)
class CropMaskRequest:
    product: str
    confidence: BandRef
    classes: BandRef | None = None
    validity: BandRef | None = None
    class_codes: tuple = ()
    min_confidence: int = 50
    min_validity: int = 0
    output_mode: str = products.BINARY
    bounds: tuple | None = None  # xmin, ymin, xmax, ymax in the rasters' CRS
    threads: int = 0
    creation_options: dict = field(default_factory=dict)
    window_size: int = DEFAULT_WINDOW  # target window side in pixels
    # Per-class counts (CropMaskResult.classes). Without them only the totals
    # are counted, and windows are computed by band masks (masks.py), which is
    # about twice as cheap per pixel as the joint key.
    class_counts: bool = True
    tags: dict = field(default_factory=dict)  # GDAL metadata of the output (strings)


@dataclass
class Input:
    """One input band as opened: where it is, its grid, type, nodata and block shape."""

    role: str  # one of ROLES
    ref: BandRef
    grid: Grid
    dtype: np.dtype
    nodata: float | None
    block_shape: tuple

    @property
    def label(self) -> str:
        return label(self.role, self.ref)


@dataclass
class Plan:
    """What a run reads and writes, decided before any pixel is read."""

    request: CropMaskRequest
    selected: tuple  # the class codes kept
    inputs: dict  # role -> Input, in the order of ROLES
    grid: Grid  # the output grid: the inputs' common part, clipped to the bounds
    windows: list  # rasterio Windows on the output grid, aligned to the lead band's blocks
    offsets: dict  # role -> (row, col) of the output grid's origin in that input
    nodata: int  # the output's nodata value
    out_dtype: np.dtype
    threads: int

    @property
    def class_input(self) -> Input | None:
        return self.inputs.get("class")

    @property
    def lead_role(self) -> str:
        """The band read first: the class band, else the confidence band."""
        return "class" if "class" in self.inputs else "confidence"

    @property
    def per_value_size(self) -> int:
        """Entries of the per (lead value, status) counts."""
        dtype = self.inputs[self.lead_role].dtype
        return 2 ** (dtype.itemsize * 8) << products.STATUS_BITS


def label(role: str, ref: BandRef) -> str:
    return f"the {role} raster '{ref.path}' (band {ref.band})"


def inspect(role: str, ref: BandRef) -> Input:
    """Open ``ref`` and describe it, or raise a CropMaskError saying why it cannot be read."""
    if not ref.path or not os.path.exists(ref.path):
        raise CropMaskError(
            f"The {role} raster '{ref.path}' does not exist. Check the path or the layer source."
        )
    try:
        with rasterio.open(ref.path) as dataset:
            if not 1 <= ref.band <= dataset.count:
                raise CropMaskError(
                    f"The {role} raster '{ref.path}' has {dataset.count} band(s); "
                    f"band {ref.band} does not exist. Choose a band from 1 to {dataset.count}."
                )
            index = ref.band - 1
            return Input(
                role=role,
                ref=ref,
                grid=Grid(dataset.crs, dataset.transform, dataset.width, dataset.height),
                dtype=np.dtype(dataset.dtypes[index]),
                nodata=dataset.nodatavals[index],
                block_shape=tuple(dataset.block_shapes[index]),
            )
    except (RasterioError, OSError) as error:
        raise CropMaskError(
            f"Cannot read the {role} raster '{ref.path}': {error}. "
            "Check that it is a complete raster file (download it again if it was cut short)."
        ) from None


def check_raster(role: str, path: str) -> None:
    """Raise a CropMaskError saying why ``path`` cannot be read as the ``role`` raster."""
    inspect(role, BandRef(path, 1))


def _sentence_start(text: str) -> str:
    """``text`` with its first letter upper-cased and the rest (a file path) untouched."""
    return text[:1].upper() + text[1:]


def _check_dtype(item, allowed, product):
    if item.dtype.name not in allowed:
        names = " or ".join(allowed)
        raise CropMaskError(
            f"{_sentence_start(item.label)} holds {item.dtype.name} values, "
            f"but the product '{products.PRODUCT_NAMES[product]}' expects {names}. "
            "Is this the right layer for this product?"
        )


def _validate(request):
    product_spec = products.spec(request.product)
    if request.output_mode not in products.OUTPUT_MODES:
        raise CropMaskError(
            f"Unknown output mode {request.output_mode!r}; "
            f"use one of {', '.join(products.OUTPUT_MODES)}."
        )
    if not 0 <= int(request.min_confidence) <= 100 and request.product != products.CUSTOM:
        raise CropMaskError(
            f"The minimum confidence {request.min_confidence} is outside 0-100; "
            "give a percentage from 0 to 100."
        )
    if product_spec.needs_class_band and request.classes is None:
        raise CropMaskError(
            f"The product '{products.PRODUCT_NAMES[request.product]}' needs a class layer; "
            "only 'CTYCL only' works without."
        )
    if request.validity is not None and not product_spec.uses_validity:
        raise CropMaskError(
            f"The product '{products.PRODUCT_NAMES[request.product]}' has no validity layer; "
            "leave it empty."
        )
    if request.product == products.CTYCL_ONLY and request.output_mode == products.CLASS_MAP:
        raise CropMaskError(
            "'CTYCL only' has no class layer, so it cannot write a filtered class map; "
            "choose the binary mask, or the product 'CTY + CTYCL' with a CTY layer."
        )
    return product_spec


def _inputs(request, product_spec):
    """The input bands by role, in the order of ROLES, their types checked."""
    found = {"confidence": inspect("confidence", request.confidence)}
    if request.classes is not None and product_spec.needs_class_band:
        found["class"] = inspect("class", request.classes)
    if request.validity is not None:
        found["validity"] = inspect("validity", request.validity)
    items = {role: found[role] for role in ROLES if role in found}
    known = product_spec.key != products.CUSTOM
    for item in items.values():
        if item.role == "class":
            _check_dtype(item, product_spec.class_dtypes, request.product)
        elif known:
            _check_dtype(item, ("uint8",), request.product)
        else:
            _check_dtype(item, products.SUPPORTED_DTYPES, request.product)
    return items


def _output_nodata(request, class_input):
    if request.output_mode == products.BINARY:
        return BINARY_NODATA, np.dtype("uint8")
    dtype = class_input.dtype
    nodata = class_input.nodata
    # 0 means "not kept" in a class map, so it cannot also mean nodata.
    if nodata is None or not np.isfinite(nodata) or nodata == 0:
        nodata = np.iinfo(dtype).max
    if request.product == products.CTY_CTYCL:
        nodata = products.CTY_OUTSIDE
    elif request.product in (products.OSO_23, products.OSO_17):
        nodata = 255
    return int(nodata), dtype


def _check_class_map(request, selected, nodata):
    if request.output_mode != products.CLASS_MAP:
        return
    if nodata in selected:
        raise CropMaskError(
            f"Class code {nodata} is the output's nodata value and cannot be kept in a "
            "class map; set another nodata value on the class raster or use the binary mask."
        )
    if 0 in selected:
        raise CropMaskError(
            "Class code 0 means 'not kept' in a class map and cannot be selected; "
            "use the binary mask to keep class 0."
        )


def resolve_threads(threads: int | None) -> int:
    threads = int(threads or 0)
    if threads > 0:
        return threads
    if hasattr(os, "sched_getaffinity"):  # the cores this process may use (Linux)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _windows(inputs, grid, window_size):
    """Windows covering ``grid``, made of whole blocks of the lead band (class, else
    confidence), so that each block is decompressed once."""
    lead = inputs.get("class") or inputs["confidence"]
    steps = window_steps(lead.block_shape, window_size, lead.grid.width)
    phase = offset_in(lead.grid, grid)
    return [
        Window(col, row, width, height)
        for row, col, height, width in block_windows(grid.height, grid.width, steps, phase)
    ]


def make_plan(request: CropMaskRequest) -> Plan:
    """Check ``request`` and decide what to read and write (CropMaskError if it cannot work)."""
    product_spec = _validate(request)
    selected = products.resolve_classes(request.product, request.class_codes)
    inputs = _inputs(request, product_spec)
    grid = intersection([(item.label, item.grid) for item in inputs.values()])
    if request.bounds is not None:
        grid = clip_to_bounds(grid, request.bounds)
    nodata, out_dtype = _output_nodata(request, inputs.get("class"))
    _check_class_map(request, selected, nodata)
    return Plan(
        request=request,
        selected=selected,
        inputs=inputs,
        grid=grid,
        windows=_windows(inputs, grid, request.window_size),
        offsets={role: offset_in(item.grid, grid) for role, item in inputs.items()},
        nodata=nodata,
        out_dtype=out_dtype,
        threads=cap_threads(
            resolve_threads(request.threads),
            request.window_size,
            [item.dtype for item in inputs.values()],
        ),
    )
