"""A pystac-client Client whose requests go through the plugin's HTTP session (net/http.py),
and what reading a catalogue may raise, turned into a StacSearchError that says what to do.
"""

from __future__ import annotations

import contextlib
import functools
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pystac
import requests
from pystac import Link
from pystac_client import Client
from pystac_client.errors import ClientTypeError
from pystac_client.exceptions import APIError
from pystac_client.stac_api_io import StacApiIO
from pystac_client.warnings import PystacClientWarning

from ..domain.errors import CropMaskCancelled, CropMaskError, FetchError
from ..net.body import run_cancellable
from ..net.http import Timeout, is_timeout, make_session, network_reason, redact_url
from ..net.status import BUSY, FORBIDDEN, LOGIN, MISSING, RENEWED, status_kind
from .paths import local_path

DEFAULT_TRIES = 5  # first request included; retries on 429 (Retry-After), 5xx, network errors
DEFAULT_BACKOFF = 1.0  # seconds, doubled at each further retry
DEFAULT_TIMEOUT = (15, 60)  # connect, read (seconds)
DEFAULT_MAX_PAGES = 200  # bounds a search whose "next" links never end, whatever its items

_ACCESS = "The service refuses access; check the address (searching CDSE needs no account)."
_ADVICE = {
    LOGIN: _ACCESS,
    RENEWED: _ACCESS,
    FORBIDDEN: _ACCESS,
    MISSING: "Check the STAC API address and the collection ids.",
}


class StacSearchError(FetchError):
    """A search that failed, with the URL, the HTTP status when known and what to do."""

    def __init__(self, url: str, problem: str, advice: str, status: int | None = None):
        self.url = url
        self.status = status
        status_text = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{problem}{status_text}: {url}. {advice}")


@contextlib.contextmanager
def opened_client(
    source: str | Path,
    tracker: RequestTracker | None = None,
    tries: int = DEFAULT_TRIES,
    backoff: float = DEFAULT_BACKOFF,
    timeout: Timeout = DEFAULT_TIMEOUT,
    headers: dict[str, str] | None = None,
    proxies: dict[str, str] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Iterator[Client]:
    """A pystac-client Client for a STAC API root or a static catalogue, whose requests go
    through a session of net/http.py: our User-Agent, ``timeout`` (connect, read seconds),
    ``tries`` with backoff on 429 (with Retry-After), 5xx and network errors, ``proxies``
    ({"http": url, "https": url}, replacing the environment's), secrets kept out of the logs.
    ``is_cancelled()`` ends the waits between retries with a CropMaskCancelled. Errors are
    raised as pystac-client's: read it inside ``reading``. The session is closed on leaving
    the block: no socket is left for the garbage collector."""
    stac_io = PagingIO(max_retries=None)
    stac_io.session = make_session(proxies, max(tries - 1, 0), backoff, timeout, is_cancelled)
    stac_io.is_cancelled = is_cancelled
    # pystac-client would open a file: URI as a file name: give it the path.
    path = local_path(source)
    try:
        # Client.open resets these on stac_io: they must be given here.
        yield Client.open(
            str(source) if path is None else path,
            headers=headers,
            request_modifier=tracker,
            timeout=timeout,
            stac_io=stac_io,
        )
    finally:
        stac_io.session.close()


@contextlib.contextmanager
def reading(tracker: RequestTracker) -> Iterator[None]:
    """Turns what reading a catalogue may raise into StacSearchError naming the last URL."""
    with warnings.catch_warnings():
        # pystac-client warns when it walks a static catalogue instead of searching.
        warnings.simplefilter("ignore", PystacClientWarning)
        try:
            yield
        except APIError as error:
            # pystac-client wraps every exception: a cancel or a too long Retry-After is ours.
            if isinstance(error.__context__, CropMaskError):
                raise error.__context__ from None
            raise _api_error(tracker.url, error) from error
        except ValueError as error:  # includes json.JSONDecodeError
            raise StacSearchError(
                tracker.url,
                f"The answer is not valid STAC JSON ({error})",
                "Check that the address is a STAC API root or a STAC catalog.json.",
            ) from error
        # pystac and pystac-client meet malformed JSON (a null where a string is due, a
        # list for an object) with any of these.
        except (
            pystac.STACError,
            ClientTypeError,
            KeyError,
            TypeError,
            AttributeError,
            IndexError,
        ) as error:
            raise StacSearchError(
                tracker.url,
                f"The answer is not a usable STAC object ({error!r})",
                "Check that the address is a STAC API root or a STAC catalog.json.",
            ) from error
        except OSError as error:
            raise StacSearchError(
                tracker.url,
                f"Cannot read the catalogue ({error})",
                "Check the path of the catalog.json file.",
            ) from error


class PagingIO(StacApiIO):
    """pystac-client's StacApiIO, whose paging stops with a StacSearchError when a ``next``
    link comes back (the service's paging loops) or after ``max_pages`` pages (it never
    ends): a search never runs on forever, and never ends as if it had found everything."""

    max_pages = DEFAULT_MAX_PAGES
    is_cancelled: Callable[[], bool] | None = None

    def request(self, href: str, *args: Any, **kwargs: Any) -> str:
        """StacApiIO.request, which a cancel leaves within a poll even while the service has
        not answered yet (net.body.run_cancellable)."""
        return run_cancellable(
            functools.partial(super().request, href, *args, **kwargs),
            self.is_cancelled,
            lambda: CropMaskCancelled("Cancelled: the search stopped."),
        )

    def get_pages(
        self, url: str, method: str | None = None, parameters: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        page = _json_object(self.read_json(url, method=method, parameters=parameters))
        followed: set[str] = set()
        while page.get("features") or page.get("collections"):
            yield page
            link = _next_link(page)
            if link is None:
                return
            key = json.dumps(
                [link.get("href"), link.get("method"), link.get("body")],
                sort_keys=True,
                default=str,
            )
            shown = redact_url(str(link.get("href")))
            if key in followed:
                raise StacSearchError(
                    shown,
                    "The STAC service gave the same next page twice: its paging loops, the "
                    f"search stopped after {len(followed) + 1} pages",
                    "The results would be incomplete: try again later, or report it to the "
                    "service.",
                )
            if len(followed) + 1 >= self.max_pages:
                raise StacSearchError(
                    shown,
                    f"The search stopped after {self.max_pages} pages of results, the most "
                    "that is read",
                    "The results would be incomplete: search a smaller area.",
                )
            followed.add(key)
            page = _json_object(self.read_json(Link.from_dict(link), parameters=parameters))


def _json_object(page: Any) -> dict[str, Any]:
    if not isinstance(page, dict):  # reading() words it
        raise TypeError(f"a page of results is a JSON {type(page).__name__}, not an object")
    return page


def _next_link(page: dict[str, Any]) -> dict[str, Any] | None:
    links = page.get("links")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return link
    return None


class RequestTracker:
    """Request modifier remembering the last URL asked, to name it in errors; a cancel
    stops the next request (e.g. the next page of a search)."""

    def __init__(self, source: str, is_cancelled: Callable[[], bool] | None = None):
        path = local_path(source)
        self.url = redact_url(str(source)) if path is None else str(Path(path))
        self.is_cancelled = is_cancelled

    def __call__(self, request):
        self.url = redact_url(request.url)
        if self.is_cancelled is not None and self.is_cancelled():
            raise CropMaskCancelled("Cancelled: the search stopped.")
        return None


def _api_error(url, error):
    status = getattr(error, "status_code", None)
    if status is None:
        cause = error.__context__
        if isinstance(cause, requests.exceptions.RequestException):
            # requests' own words repeat the URL with its query: say what happened instead.
            reason = "timed out" if is_timeout(cause) else network_reason(cause)
        else:
            reason = _first_line(error)
        return StacSearchError(
            url,
            f"Cannot reach the STAC service ({reason})",
            "Check the network connection, the proxy settings and the address.",
        )
    kind = status_kind(status)
    if kind == BUSY:
        advice = (
            "The service is overloaded (too many requests); try again in a few minutes."
            if status == 429
            else "The service has a problem; try again later."
        )
    else:
        advice = _ADVICE.get(kind, f"The service rejected the request: {_first_line(error)}")
    return StacSearchError(url, "The STAC service answered with an error", advice, status)


def _first_line(error, limit=300):
    text = str(error).strip().splitlines()
    return text[0][:limit] if text else type(error).__name__
