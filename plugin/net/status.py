"""An HTTP status the plugin cannot use -> the error the user reads, worded once for all.

The retries of http.py have already run when a status arrives here: a 429 or 5xx is final.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import requests

from ..domain.errors import CropMaskError
from .http import redact_url, url_host

ErrorType = TypeVar("ErrorType", bound=CropMaskError)

LOGIN, RENEWED, FORBIDDEN, MISSING, BUSY, REDIRECTS, OTHER = (
    "login",
    "renewed",
    "forbidden",
    "missing",
    "busy",
    "redirects",
    "other",
)

_ADVICE = {
    LOGIN: "set up the account in the plugin settings.",
    RENEWED: "check the account in the plugin settings and that it may {action} this product.",
    FORBIDDEN: "the account may not be allowed to {action} it, or the link needs other "
    "credentials.",
    MISSING: "the catalogue entry may be outdated: search again.",
    BUSY: "the service is busy or down: try again later.",
}
_MESSAGES = {
    LOGIN: "{who} asks for a login to {action} {what} ({code}); {advice}",
    RENEWED: "{who} refused a freshly renewed access token for {what} ({code}); {advice}",
    FORBIDDEN: "{who} refused access to {what} ({code}): {advice}",
    MISSING: "{shown} was not found ({code}); {advice}",
    BUSY: "{who} answered HTTP {status} for {what}, even after several retries; {advice}",
    REDIRECTS: "Too many redirects for {shown}.",
    OTHER: "{who} refused {what} ({code}).",
}


def status_kind(status: int, token_sent: bool = False) -> str:
    """What a status means to the user: LOGIN (401, no token sent), RENEWED (401 to a renewed
    token), FORBIDDEN (403), MISSING (404), BUSY (429, 5xx), REDIRECTS (3xx) or OTHER."""
    if status == 401:
        return RENEWED if token_sent else LOGIN
    if status == 429 or status >= 500:
        return BUSY
    if 300 <= status < 400:
        return REDIRECTS
    return {403: FORBIDDEN, 404: MISSING}.get(status, OTHER)


def status_error(
    status: int,
    url: str,
    *,
    who: str | None = None,
    what: str | None = None,
    action: str = "read",
    said: str = "",
    token_sent: bool = False,
    advice: Mapping[str, str] | None = None,
    suffix: str = "",
    error: Callable[[str], ErrorType] = CropMaskError,  # type: ignore[assignment]  # TypeVar default
) -> ErrorType:
    """The error for an HTTP ``status`` answered at ``url``.

    who: the server as named to the user (default: the host); what: what was asked (default:
    the URL without its query); action: the verb for it ("download", "read"); said: the
    server's own words, shown next to the status; token_sent: the request carried a token
    (already renewed once); advice: {kind: text} replacing the default advice of a kind;
    suffix: appended (e.g. GDAL's words); error: the exception class or factory.
    """
    kind = status_kind(status, token_sent)
    shown = redact_url(url)
    fields = {
        "who": who or url_host(url),
        "what": what or shown,
        "shown": shown,
        "status": status,
        "code": f"HTTP {status}: {said}" if said else f"HTTP {status}",
        "action": action,
    }
    fields["advice"] = {**_ADVICE, **(advice or {})}.get(kind, "").format(**fields)
    return error(_MESSAGES[kind].format(**fields) + suffix)


def service_message(response: requests.Response) -> str:
    """The server's own words in an error answer, shortened: a JSON 'message', 'error' or
    'description' (Sentinel Hub, Keycloak, STAC APIs), else the body's first line."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    message = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            message = error.get("message") or error.get("reason")
        elif isinstance(error, str):
            message = payload.get("error_description") or error
        message = message or payload.get("message") or payload.get("description")
    if not message:
        message = (response.text or "").strip().splitlines()[0] if response.text else ""
    return str(message).strip()[:300] or "no details"
