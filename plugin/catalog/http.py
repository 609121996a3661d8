"""HTTP sessions for the catalogue and download code: retries, timeouts, User-Agent, proxies."""

import configparser
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

# (connect, read) seconds; read is the longest silence allowed between two packets.
DEFAULT_TIMEOUT = (15, 60)
RETRY_STATUSES = (429, 500, 502, 503, 504)
# POST is retried too: every POST this plugin makes (token, search, process) is read-only.
RETRY_METHODS = frozenset({"HEAD", "GET", "OPTIONS", "POST"})
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0

_METADATA = Path(__file__).resolve().parents[2] / "metadata.txt"
# urllib3 loggers that write request URLs (with their query strings) into log records.
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")
_QUERY = re.compile(r"\?[^\s\"'<>]+")


def plugin_version():
    """Version from the plugin's metadata.txt, or 'dev' when it has none."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(_METADATA, encoding="utf-8")
        return parser.get("general", "version", fallback="dev").strip() or "dev"
    except (OSError, configparser.Error):
        return "dev"


def user_agent():
    return f"crop-confidence/{plugin_version()}"


class CappedRetry(Retry):
    """urllib3 Retry that honours Retry-After but never sleeps longer than MAX_RETRY_AFTER."""

    MAX_RETRY_AFTER = 120.0

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        if seconds is None:
            return None
        return min(seconds, self.MAX_RETRY_AFTER)


class _TimeoutAdapter(HTTPAdapter):
    """Applies a default timeout to every request that does not give its own."""

    def __init__(self, timeout, **kwargs):
        self._default_timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):
        return super().send(request, timeout=timeout or self._default_timeout, **kwargs)


def make_retry(retries=DEFAULT_RETRIES, backoff_factor=DEFAULT_BACKOFF):
    return CappedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        respect_retry_after_header=True,
        # Hand the last 429/5xx back to the caller, which words the error.
        raise_on_status=False,
    )


class RedactQueryFilter(logging.Filter):
    """Removes query strings (which may hold signed-URL secrets) from urllib3 log records."""

    def filter(self, record):
        message = record.getMessage()
        redacted = _QUERY.sub("?…", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_log_redaction():
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactQueryFilter) for existing in logger.filters):
            logger.addFilter(RedactQueryFilter())


def make_session(
    proxies=None,
    retries=DEFAULT_RETRIES,
    backoff_factor=DEFAULT_BACKOFF,
    timeout=DEFAULT_TIMEOUT,
):
    """A requests.Session with retries (429/5xx, Retry-After), timeouts and our User-Agent.

    proxies: {"http": url, "https": url} (e.g. from the QGIS proxy settings). When given,
    the environment (proxy variables, REQUESTS_CA_BUNDLE, .netrc) is ignored so that the
    QGIS settings win.
    """
    install_log_redaction()
    session = requests.Session()
    adapter = _TimeoutAdapter(timeout, max_retries=make_retry(retries, backoff_factor))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent()
    if proxies:
        # requests lets environment proxies override session.proxies; the caller's must win.
        session.trust_env = False
        session.proxies.update(proxies)
    return session


def redact_url(url):
    """The URL without user info, query or fragment: safe for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "<unparsable URL>"
    query = "?…" if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + query


def _exception_chain(exc):
    """exc and every exception it wraps (args, urllib3 .reason, cause, context)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, getattr(current, "reason", None)]
        linked += [current.__cause__, current.__context__]
        pending += [item for item in linked if isinstance(item, BaseException)]


def is_timeout(exc):
    """True when a requests/urllib3 error comes from a timeout, even wrapped in retries."""
    timeouts = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
    return any(
        isinstance(current, timeouts)
        and not isinstance(current, urllib3.exceptions.NewConnectionError)
        for current in _exception_chain(exc)
    )


def network_reason(exc):
    """The operating system's words for a failed connection ('Connection refused', 'Name or
    service not known' ...) found in the exception chain, else the exception's class name."""
    for current in _exception_chain(exc):
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
    return type(exc).__name__


def url_host(url):
    try:
        return urlsplit(url).hostname or "<no host>"
    except ValueError:
        return "<unparsable URL>"
