"""What a fetch is asked for and what it gives back: the products it knows, their years, the
request, the context (network, credentials, callbacks) and the result. Pure: no Qt or QGIS."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import products
from ..domain.errors import FetchError

if TYPE_CHECKING:
    import requests

    from ..net.trusted import TokenProvider

# The CLMS layers (STAC collections) of each CLMS product, and the OSO products.
CLMS_PRODUCTS = {
    products.CTY_CTYCL: (products.KIND_CTY, products.KIND_CTYCL),
    products.CTYCL_ONLY: (products.KIND_CTYCL,),
}
OSO_PRODUCTS = (products.OSO_23, products.OSO_17)
OSO_BANDS = products.OSO_BANDS
OSO_STAC_COLLECTION = "oso"  # in a static catalogue of 3-band OSO rasters
FIRST_YEAR, LAST_YEAR = products.FIRST_YEAR, products.LAST_YEAR


@dataclass(frozen=True)
class FetchRequest:
    product: str  # cty_ctycl, ctycl, oso23, oso17
    year: int
    bounds: tuple  # xmin, ymin, xmax, ymax in bounds_crs
    bounds_crs: str  # anything rasterio accepts: "EPSG:3035", WKT
    output_folder: str
    source_url: str = ""
    clip: bool = True


@dataclass
class FetchResult:
    class_layer: str | None = None
    confidence_layer: str | None = None
    validity_layer: str | None = None
    items: int = 0
    bytes_transferred: int = 0
    files: list = field(default_factory=list)


@dataclass
class FetchContext:
    """What a fetch may use besides the request: network, credentials, callbacks."""

    session: requests.Session | None = None  # plugin.net.http.make_session; fetch() makes one
    cdse_tokens: TokenProvider | None = None  # CdseTokenProvider
    sentinelhub_tokens: TokenProvider | None = None  # ClientCredentialsTokenProvider
    sentinelhub_collection: str | None = None  # OSO BYOC collection id; None: CNES's
    s3_credentials: dict | None = None
    proxies: dict | None = None
    progress: Callable[[float], None] | None = None  # progress(fraction)
    is_cancelled: Callable[[], bool] | None = None
    log: Callable[[str], None] | None = None  # log(message), never given secrets
    # When a server refuses range reads, may a clipped fetch download whole files instead?
    # The dock says no: whole downloads go through its size confirmation.
    whole_fallback: bool = True

    def say(self, message: str) -> None:
        """Log ``message`` when the caller listens."""
        if self.log is not None:
            self.log(message)

    def cancelled(self) -> bool:
        return self.is_cancelled is not None and bool(self.is_cancelled())


@dataclass(frozen=True)
class FetchJob:
    """One fetch under way: the request, its context and the output folder."""

    request: FetchRequest
    context: FetchContext
    folder: Path

    @property
    def year(self) -> int:
        return int(self.request.year)

    def area_file(self, stem: str, suffix: str = ".tif") -> Path:
        """The path of a file of the request's area: ``<stem>_<area tag><suffix>``."""
        return self.folder / f"{stem}_{area_tag(self.request)}{suffix}"


def area_tag(request: FetchRequest) -> str:
    """A readable, file-safe tag of the request's area for the names of its folder and files,
    e.g. ``3851-3855kmE_2650-2653kmN_7e43d5``: the area's bounds (km in a metric CRS, degrees
    as ``2d35`` in a geographic one), then 6 hex digits of a digest of the exact bounds, so two
    areas in the same kilometres do not share files. The same request always gives the same
    tag, so a second fetch finds and resumes the first one's files."""
    digest = hashlib.sha1(repr((request.bounds, request.bounds_crs)).encode()).hexdigest()
    ranges = _ranges(request.bounds, request.bounds_crs)
    return "_".join([*(_tag_range(*axis) for axis in ranges), digest[:6]])


def area_text(bounds: tuple, crs: str) -> str:
    """The area as a person reads it: ``3851–3855 km E, 2650–2653 km N`` in a metric CRS,
    ``2.35–2.41° E, 48.80–48.86° N`` in a geographic one."""
    return ", ".join(_text_range(*axis) for axis in _ranges(bounds, crs))


# An axis: (low, high, unit, positive letter, negative letter), unit "km", "deg" or "".
_Axis = tuple[float, float, str, str, str]


def _ranges(bounds: tuple, crs: str) -> tuple[_Axis, _Axis]:
    xmin, ymin, xmax, ymax = (float(value) for value in bounds)
    unit = _unit(crs, bounds)
    if unit == "km":
        xmin, ymin, xmax, ymax = _outwards((xmin, ymin, xmax, ymax), 1 / 1000)
    elif unit == "deg":
        xmin, ymin, xmax, ymax = (value / 100 for value in _outwards((xmin, ymin, xmax, ymax), 100))
    else:
        xmin, ymin, xmax, ymax = (round(value) for value in (xmin, ymin, xmax, ymax))
    return (xmin, xmax, unit, "E", "W"), (ymin, ymax, unit, "N", "S")


def _outwards(bounds: tuple, scale: float) -> tuple:
    """The bounds times ``scale``, rounded outwards to whole numbers (0.1 + 0.2 style float
    noise is ignored: 2.41 * 100 stays 241)."""
    xmin, ymin, xmax, ymax = (round(value * scale, 6) for value in bounds)
    return math.floor(xmin), math.floor(ymin), math.ceil(xmax), math.ceil(ymax)


def _unit(crs: str, bounds: tuple) -> str:
    """'deg' for a geographic CRS, 'km' for one in metres, '' otherwise."""
    try:
        from rasterio.crs import CRS

        parsed = CRS.from_user_input(crs)
        if parsed.is_geographic:
            return "deg"
        return "km" if (parsed.linear_units or "").lower() in ("metre", "meter", "m") else ""
    except Exception:  # noqa: BLE001 (no rasterio, or a CRS it cannot read: guess)
        return "deg" if all(abs(float(value)) <= 360 for value in bounds) else "km"


def _number(value: float, unit: str, separator: str) -> str:
    if unit == "deg":
        return f"{abs(value):.2f}".replace(".", separator)
    return str(int(abs(value)))


def _text_range(low: float, high: float, unit: str, plus: str, minus: str) -> str:
    symbol = {"km": " km ", "deg": "° "}.get(unit, " ")
    if low < 0 <= high:
        return f"{_number(low, unit, '.')}{symbol}{minus}–{_number(high, unit, '.')}{symbol}{plus}"
    letter = minus if high < 0 else plus
    return f"{_number(low, unit, '.')}–{_number(high, unit, '.')}{symbol}{letter}"


def _tag_range(low: float, high: float, unit: str, plus: str, minus: str) -> str:
    symbol = "km" if unit == "km" else ""
    if low < 0 <= high:
        return f"{_number(low, unit, 'd')}{minus}-{_number(high, unit, 'd')}{symbol}{plus}"
    letter = minus if high < 0 else plus
    return f"{_number(low, unit, 'd')}-{_number(high, unit, 'd')}{symbol}{letter}"


def check_year(product: str, year: int) -> None:
    """Raises FetchError when ``product`` has no data for ``year``."""
    first, last = FIRST_YEAR[product], LAST_YEAR.get(product)
    if year < first or (last is not None and year > last):
        first17, first23 = products.OSO_FIRST_YEAR, products.OSO_23_FIRST_YEAR
        hint = {
            products.OSO_23: f"OSO maps of {first17} and {first23 - 1} use the 17-class "
            f"nomenclature: choose 'OSO {first17}–{first23 - 1}'.",
            products.OSO_17: f"OSO maps from {first23} use the 23-class nomenclature: choose "
            f"'OSO {first23}+'.",
        }.get(product, f"CLMS Crop Types start in {products.CLMS_FIRST_YEAR}.")
        raise FetchError(f"No {product} data for {year}. {hint}")
