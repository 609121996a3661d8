"""Reading a downloaded body: bytes as they arrive, a cancel that interrupts a blocked read,
and a check that a file claiming to be a GeoTIFF begins like one.

- ``arriving_chunks``: each read returns as soon as some bytes arrived (never waits for a full
  chunk), so what arrived is written at once and a cut keeps it.
- ``CancelWatch``: while a body is read, a watcher thread asks ``is_cancelled()`` every
  ``POLL_SECONDS``; on a cancel it shuts the connection's socket down, which ends a read
  blocked on a silent or trickling server at once. A slow but alive link is never cut: only the
  session's read timeout (silence between packets) ends it.
- ``run_cancellable``: a call that may block (a request waiting for an answer that never
  comes) runs in a worker thread; the caller looks at ``is_cancelled()`` every
  ``POLL_SECONDS`` and, on a cancel, raises at once. The abandoned call ends by itself at the
  session's read timeout (or at its next retry wait, which sees the cancel), and what it
  returns late is discarded (a response is closed).
- ``check_signature``: a body saved under a ``.tif`` name must begin with a TIFF or BigTIFF
  signature; an HTML or JSON page (a login or error page answered with HTTP 200) is refused
  with its first line quoted.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import requests
import urllib3

from ..domain.redaction import redact_text

# Seconds between two looks at is_cancelled() while a body is read: a cancel takes effect
# within this delay plus the time to close the socket.
POLL_SECONDS = 0.1
# Little-endian and big-endian TIFF, then BigTIFF.
TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
TIFF_SUFFIXES = (".tif", ".tiff")
_QUOTE_LENGTH = 80

T = TypeVar("T")


def arriving_chunks(raw: Any, size: int) -> Iterator[bytes]:
    """The body of ``raw`` (a urllib3 response) as it arrives, up to ``size`` bytes a chunk.

    urllib3 2 has read1; with urllib3 1.26 the http.client response under it is read with
    read1 (urllib3 1.26's read(amt) waits for ``size`` bytes). Errors come out as requests'.
    """
    read = getattr(raw, "read1", None)
    if read is None:
        read = getattr(getattr(raw, "_fp", None), "read1", None) or raw.read
    while True:
        try:
            chunk = read(size)
        except urllib3.exceptions.ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            # ReadTimeoutError, IncompleteRead, a reset or timed-out socket
            raise requests.exceptions.ConnectionError(exc) from exc
        if not chunk:
            return
        yield chunk


def response_socket(raw: Any) -> socket.socket | None:
    """The socket a urllib3 response is read from, or None when it cannot be found."""
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    buffered = getattr(getattr(raw, "_fp", None), "fp", None)  # http.client's socket file
    sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class CancelWatch:
    """``with CancelWatch(response.raw, is_cancelled) as watch:`` read the body; ``watch.fired``
    tells whether a cancel shut the socket down (the read then ends early or fails)."""

    def __init__(self, raw: Any, is_cancelled: Callable[[], bool] | None) -> None:
        self.fired = False
        self._sock = response_socket(raw)
        self._is_cancelled = is_cancelled
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CancelWatch:
        if self._is_cancelled is not None and self._sock is not None:
            self._thread = threading.Thread(target=self._watch, name="cancel-watch", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        assert self._is_cancelled is not None and self._sock is not None
        while not self._done.wait(POLL_SECONDS):
            if self._is_cancelled():
                self.fired = True
                with contextlib.suppress(OSError):  # already closed: the read ends anyway
                    self._sock.shutdown(socket.SHUT_RDWR)
                return


def run_cancellable(
    call: Callable[[], T],
    is_cancelled: Callable[[], bool] | None,
    cancelled: Callable[[], BaseException],
    discard: Callable[[T], object] | None = None,
) -> T:
    """``call()``'s result or exception; ``cancelled()`` raised within ``POLL_SECONDS`` of
    ``is_cancelled()`` turning true while ``call()`` blocks. ``discard(result)`` is applied to
    a result that comes after the caller left (default: its ``close()``, when it has one)."""
    if is_cancelled is None:
        return call()
    outcome: dict[str, Any] = {}
    lock = threading.Lock()
    finished = threading.Event()

    def work() -> None:
        try:
            outcome["result"] = call()
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
            outcome["error"] = exc
        with lock:
            finished.set()
            late = outcome.get("abandoned", False)
        if late and "result" in outcome:
            with contextlib.suppress(Exception):
                (discard or _close)(outcome["result"])

    threading.Thread(target=work, name="cancellable-call", daemon=True).start()
    while not finished.wait(POLL_SECONDS):
        if is_cancelled():
            with lock:
                if not finished.is_set():
                    outcome["abandoned"] = True
                    raise cancelled()
            break
    if "error" in outcome:
        error = outcome.pop("error")
        raise error
    return outcome["result"]


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if callable(close):
        close()


def claims_tiff(name: str) -> bool:
    return name.lower().endswith(TIFF_SUFFIXES)


def first_line(data: bytes) -> str:
    """The first non-blank line of ``data``, decoded, redacted and shortened for a message."""
    text = data.decode("utf-8", errors="replace")
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = redact_text(line)
    if len(line) > _QUOTE_LENGTH:
        line = line[: _QUOTE_LENGTH - 1] + "…"
    return line


def signature_problem(path: Path) -> str | None:
    """None when the file at ``path`` begins with a TIFF or BigTIFF signature, else what it
    begins with, in words ('an HTML page beginning "<!DOCTYPE html>"')."""
    with open(path, "rb") as stream:
        head = stream.read(512)
    if head[:4] in TIFF_SIGNATURES:
        return None
    if not head:
        return "an empty file"
    stripped = head.lstrip()
    kind = "a file"
    if stripped[:1] == b"<":
        kind = "an HTML page"
    elif stripped[:1] in (b"{", b"["):
        kind = "a JSON document"
    elif all(byte >= 32 or byte in (9, 10, 13) for byte in head):
        kind = "a text"
    else:
        return f"a file beginning with the bytes {head[:8].hex(' ')}"
    return f'{kind} beginning "{first_line(head)}"'
