"""Which years a source offers, for the dock's year list. Pure: no Qt or QGIS."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from ..domain import products
from .addresses import sentinelhub_base_url, source_kind, stac_search_module
from .request import CLMS_PRODUCTS, FIRST_YEAR, OSO_PRODUCTS, OSO_STAC_COLLECTION, FetchError

if TYPE_CHECKING:
    from requests import Session

    from ..net.trusted import TokenProvider

# The first year of any product of the family: the years the dock offers by default.
FIRST_YEARS = {
    "clms": min(FIRST_YEAR[product] for product in CLMS_PRODUCTS),
    "oso": min(FIRST_YEAR[product] for product in OSO_PRODUCTS),
}


def _this_year():
    return datetime.datetime.now(datetime.timezone.utc).year


def years_from_intervals(intervals: list, first: int, last: int | None = None) -> list:
    """Years covered by STAC temporal intervals ([[start, end], ...], end None = open)."""
    last = last or _this_year()
    years: set = set()
    for start, end in intervals or ():
        start_year = start.year if start else first
        end_year = end.year if end else last
        years.update(range(max(start_year, first), min(end_year, last) + 1))
    return sorted(years)


def default_years(product: str) -> list:
    """Every year the product may exist, first year to this year (those after
    ``latest_known_year`` are not known to exist)."""
    first = FIRST_YEARS["clms" if product in CLMS_PRODUCTS else "oso"]
    return list(range(first, max(_this_year(), latest_known_year(product)) + 1))


def latest_known_year(product: str) -> int:
    """The latest year ``product`` is known to be published for (LATEST_KNOWN_YEAR)."""
    return products.LATEST_KNOWN_YEAR[product]


def preferred_year(product: str, years: list, previous: int | None = None) -> int | None:
    """The year to select among ``years``: ``previous`` when offered, else the latest one the
    product is known to have, else the earliest offered (None when there is none)."""
    if previous in years:
        return previous
    known = [year for year in years if year <= latest_known_year(product)]
    if known:
        return max(known)
    return min(years) if years else None


def available_years(
    product: str,
    source_url: str,
    bounds: tuple | None = None,
    crs: object = None,
    sentinelhub_tokens: TokenProvider | None = None,
    session: Session | None = None,
    proxies: dict | None = None,
    sentinelhub_collection: str | None = None,
    **read_options: object,
) -> tuple:
    """(years, checked): the years to offer, and whether the source itself said so.

    A STAC source is read like a search (stac_client.opened_client: our User-Agent, timeout,
    retries), through ``proxies`` ({"http": url, "https": url}), else through those of
    ``session`` (http.make_session) when it has some. ``read_options``: timeout, tries,
    backoff, is_cancelled (see opened_client)."""
    kind = source_kind(product, source_url)
    family = "clms" if product in CLMS_PRODUCTS else "oso"
    first = FIRST_YEARS[family]
    if kind == "stac":
        stac = stac_search_module()
        collection = stac.CTYCL_COLLECTION if family == "clms" else OSO_STAC_COLLECTION
        if proxies is None and session is not None:
            proxies = dict(session.proxies) or None
        try:
            found = stac.read_collection(
                source_url or stac.CDSE_STAC_URL, collection, proxies=proxies, **read_options
            )
        except stac.StacSearchError as error:
            raise FetchError(f"Cannot read the collection {collection}: {error}") from None
        return years_from_intervals(found.extent.temporal.intervals, first), True
    if kind == "sentinelhub" and sentinelhub_tokens is not None and bounds is not None:
        from . import sentinelhub

        options = {"base_url": sentinelhub_base_url(source_url)} if source_url else {}
        if sentinelhub_collection:
            options["collection_id"] = sentinelhub_collection
        years = sentinelhub.available_years(
            bounds, sentinelhub_tokens, crs=crs, session=session, **options
        )
        return list(years), True
    return default_years(product), False
