"""What a fetch is asked for and what it gives back: the products it knows, their years, the
request, the context (network, credentials, callbacks) and the result. Pure: no Qt or QGIS."""

from __future__ import annotations

import hashlib
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
        """The path of a file of the request's area: ``<stem>_aoi-<tag><suffix>``."""
        return self.folder / f"{stem}_{area_tag(self.request)}{suffix}"


def area_tag(request: FetchRequest) -> str:
    """A short tag of the request's area, for the names of clipped files."""
    digest = hashlib.sha1(repr((request.bounds, request.bounds_crs)).encode()).hexdigest()
    return f"aoi-{digest[:8]}"


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
