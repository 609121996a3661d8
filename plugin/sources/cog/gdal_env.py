"""GDAL for one clip: thread-local configuration options (HTTP, proxy, S3 keys), an error
handler that removes secrets from GDAL's messages, and GDAL's network counters.

``rasterio.Env`` is not used: rasterio 1.3 sets process-wide options, which would hand the
token to GDAL calls of other threads and would not restore this thread's earlier options.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

from osgeo import gdal

from ...domain.redaction import redact_text
from ...net.body import run_cancellable
from ...net.http import DEFAULT_TIMEOUT, redact_url, user_agent
from .errors import ClipError

CDSE_S3_ENDPOINT = "eodata.dataspace.copernicus.eu"
_MAX_MESSAGES = 20
_STATS_LOCK = threading.Lock()
# Header values kept out of messages: those whose name holds one of these.
_SENSITIVE_HEADER_WORDS = ("auth", "token", "key", "secret", "cookie", "session", "signature")


class Secrets:
    """Removes secrets and URL queries from GDAL's messages."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.urls: set[str] = set()

    def add(self, value: Any) -> None:
        if value and len(str(value)) >= 4:
            self.values.add(str(value))

    def add_headers(self, headers: Mapping[str, str]) -> None:
        """The values of the headers that hold credentials, with and without "Bearer "."""
        for key, value in headers.items():
            if any(word in key.lower() for word in _SENSITIVE_HEADER_WORDS):
                self.add(value)
                self.add(value.partition(" ")[2])

    def clean(self, text: Any) -> str:
        text = str(text)
        for url in sorted(self.urls, key=len, reverse=True):
            text = text.replace(url, redact_url(url))
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, "***")
        return redact_text(text)  # what GDAL quotes in its own way (e.g. 3.10: URL?sig=…)


class GdalSession:
    """Thread-local GDAL configuration and a thread-local error handler for one clip."""

    def __init__(self, secrets: Secrets) -> None:
        self.secrets = secrets
        self.messages: list = []
        self.failed = False
        self._saved: dict[str, Optional[str]] = {}

    def __enter__(self) -> GdalSession:
        gdal.PushErrorHandler(self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        gdal.PopErrorHandler()
        for key, value in self._saved.items():
            gdal.SetThreadLocalConfigOption(key, value)
        self._saved.clear()

    def set(self, options: Mapping[str, Any]) -> None:
        for key, value in options.items():
            if key not in self._saved:
                self._saved[key] = gdal.GetThreadLocalConfigOption(key, None)
            gdal.SetThreadLocalConfigOption(key, None if value is None else str(value))

    def _handle(self, error_class: int, error_number: int, message: str) -> None:
        # Debug messages are dropped; nothing from this thread reaches other GDAL handlers.
        if error_class >= gdal.CE_Failure:
            self.failed = True
        if error_class >= gdal.CE_Warning and len(self.messages) < _MAX_MESSAGES:
            self.messages.append(self.secrets.clean(message))

    def take_messages(self, exc: Optional[BaseException] = None) -> str:
        messages = list(self.messages)
        if exc is not None:
            messages.append(self.secrets.clean(exc))
        self.messages.clear()
        return "; ".join(dict.fromkeys(message for message in messages if message))

    def call(self, function: Callable, *args: Any, **kwargs: Any) -> tuple[Any, str]:
        """function(...) -> (result or None, cleaned messages); ``failed`` tells whether GDAL
        reported a failure. Works whether or not the GDAL Python bindings raise exceptions
        (gdal.UseExceptions is process-wide)."""
        self.messages.clear()
        self.failed = False
        gdal.ErrorReset()
        try:
            result = function(*args, **kwargs)
        except (RuntimeError, ValueError, TypeError) as exc:
            # RuntimeError with exceptions on; with them off, the bindings raise ValueError
            # (up to GDAL 3.9) or TypeError (3.10: "Received a NULL pointer") for an input
            # they could not open.
            self.failed = True
            return None, self.take_messages(exc)
        return result, self.take_messages()

    def call_cancellable(
        self,
        is_cancelled: Optional[Callable[[], bool]],
        cancelled: Callable[[], BaseException],
        function: Callable,
        *args: Any,
    ) -> tuple[Any, str]:
        """``call`` in a worker thread given this thread's options and an error handler of
        its own, so that a cancel raises ``cancelled()`` within a poll even while GDAL waits
        on a slow server (net.body.run_cancellable). The abandoned read ends by itself at
        GDAL's timeouts; the objects it uses (a dataset) live until then, held by it."""
        if is_cancelled is None:
            return self.call(function, *args)
        options = {key: gdal.GetThreadLocalConfigOption(key, None) for key in self._saved}

        def work() -> tuple[Any, str, bool]:
            with GdalSession(self.secrets) as worker:
                worker.set(options)
                result, messages = worker.call(function, *args)
                return result, messages, worker.failed

        result, messages, self.failed = run_cancellable(
            work, is_cancelled, cancelled, discard=lambda _: None
        )
        return result, messages


# A range read slower than this many bytes a second for the read timeout is abandoned: a
# server trickling a few bytes a second would otherwise hold a clip for ever.
LOW_SPEED_LIMIT = 1024
# One range read may last this many read timeouts in all, however it trickles.
REQUEST_TIMEOUTS = 2


def http_options(
    headers: Optional[Mapping[str, str]],
    proxies: Optional[Mapping[str, str]],
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> dict[str, Optional[str]]:
    """GDAL's /vsicurl/ options: retries, timeouts, user agent, headers and proxy.

    timeout: (connect, read) seconds as for the HTTP session: the connection must open within
    ``connect``; a request slower than LOW_SPEED_LIMIT bytes a second for ``read`` seconds, or
    lasting more than REQUEST_TIMEOUTS times ``read`` in all, is abandoned."""
    connect, read = timeout
    options = {
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "GDAL_HTTP_USERAGENT": user_agent(),
        "GDAL_HTTP_MAX_RETRY": "3",
        "GDAL_HTTP_RETRY_DELAY": "1",
        "GDAL_HTTP_CONNECTTIMEOUT": str(max(1, round(connect))),
        "GDAL_HTTP_TIMEOUT": str(max(1, round(read * REQUEST_TIMEOUTS))),
        "GDAL_HTTP_LOW_SPEED_TIME": str(max(1, round(read))),
        "GDAL_HTTP_LOW_SPEED_LIMIT": str(LOW_SPEED_LIMIT),
        "CPL_CURL_VERBOSE": "NO",  # would print the request headers (the token) to stderr
        "GDAL_HTTP_HEADERS": headers_option(headers),
    }
    proxy = (proxies or {}).get("https") or (proxies or {}).get("http")
    if proxy:
        options["GDAL_HTTP_PROXY"] = proxy
        options["GDAL_HTTPS_PROXY"] = proxy
    return options


def headers_option(headers: Optional[Mapping[str, str]]) -> Optional[str]:
    if not headers:
        return None
    return "\r\n".join(f"{key}: {value}" for key, value in headers.items())


def s3_options(credentials: Optional[Mapping[str, Any]]) -> dict[str, str]:
    """AWS_* options for GDAL's /vsis3/ from the user's S3 keys (CDSE eodata by default)."""
    credentials = dict(credentials or {})

    def pick(*names: str, default: Any = None) -> Any:
        for name in names:
            if credentials.get(name) not in (None, ""):
                return credentials[name]
        return default

    access = pick("access_key", "access_key_id", "aws_access_key_id", "key")
    secret = pick("secret_key", "secret_access_key", "aws_secret_access_key", "secret")
    if not access or not secret:
        raise ClipError(
            "Reading s3:// assets needs S3 keys: create them in the CDSE S3 key manager and "
            "choose them in the plugin settings (access key and secret key)."
        )
    https = flag(pick("https", default=True))
    virtual = flag(pick("virtual_hosting", default=False))
    return {
        "AWS_ACCESS_KEY_ID": access,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_SESSION_TOKEN": pick("session_token", default=""),
        "AWS_S3_ENDPOINT": pick("endpoint", default=CDSE_S3_ENDPOINT),
        "AWS_REGION": pick("region", default="default"),
        "AWS_VIRTUAL_HOSTING": "TRUE" if virtual else "FALSE",
        "AWS_HTTPS": "YES" if https else "NO",
        "AWS_NO_SIGN_REQUEST": "NO",
        "AWS_PROFILE": "",
    }


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().upper() in ("YES", "TRUE", "ON", "1")


def enable_network_stats() -> None:
    """Have GDAL count its network traffic (process-wide, harmless: counters only)."""
    with _STATS_LOCK:
        if not flag(gdal.GetConfigOption("CPL_VSIL_NETWORK_STATS_ENABLED", "NO")):
            gdal.SetConfigOption("CPL_VSIL_NETWORK_STATS_ENABLED", "YES")
            gdal.NetworkStatsReset()  # makes GDAL read the option again


def network_stats(paths: Iterable[str]) -> tuple[int, int]:
    """(downloaded bytes, requests) GDAL counted so far for these GDAL file names."""
    paths = set(paths)
    try:
        stats = json.loads(gdal.NetworkStatsGetAsSerializedJSON() or "{}")
    except (ValueError, RuntimeError):
        return 0, 0
    totals = [0, 0]

    def add(methods: Optional[Mapping]) -> None:
        for counts in (methods or {}).values():
            totals[0] += int(counts.get("downloaded_bytes", 0))
            totals[1] += int(counts.get("count", 0))

    def walk(node: Mapping) -> None:
        # Every request is counted at each level of its context (handler, file, action):
        # stop at the first node naming one of our files so that it counts once.
        for path, child in (node.get("files") or {}).items():
            if path in paths:
                add(child.get("methods"))
        for child in (node.get("actions") or {}).values():
            walk(child)

    for handler in (stats.get("handlers") or {}).values():
        walk(handler)
    return totals[0], totals[1]
