"""A loopback file server for download tests.

- honours `Range: bytes=N-` / `bytes=N-M` (206 + Content-Range, 416 past the end), unless
  `ignore_range` is set (then it answers 200 with the whole file, as some servers do);
- checks `Authorization: Bearer <token>` with `token_check(token)` when one is given;
- `cut(after_bytes, times)`: the next GETs send the headers with the full Content-Length,
  then only `after_bytes` bytes of the body, then close the connection;
- `corrupt(path)`: serves that file with one byte flipped (a checksum mismatch);
- `forced`: (status, headers) answers given before serving anything (429, 503 ...);
- `redirects`: path -> Location; `delay`: seconds to wait before answering;
- `wrong_ranges`: that many range requests get a 206 starting at byte 0 (a server bug);
- counts requests (`requests`) and body bytes sent (`bytes_sent`).
"""

import socket
import threading
import time
from dataclasses import dataclass
from typing import Optional

from .loopback import FileRequestHandler, LoopbackServer
from .range_host import parse_range


@dataclass
class Served:
    method: str
    path: str
    range: Optional[str]
    token: Optional[str]
    status: int
    headers: dict
    body_bytes: int = 0


class DownloadHost(LoopbackServer):
    def __init__(self, files=None, token_check=None):
        self.files = dict(files or {})  # path -> bytes
        self.token_check = token_check
        self.ignore_range = False
        self.delay = 0.0  # seconds to wait before answering
        self.wrong_ranges = 0  # answer this many range requests with bytes from 0 (a bug)
        self.redirects = {}
        self.forced = []
        self.requests = []
        self.bytes_sent = 0
        self._corrupt = set()
        self._cut_after = None
        self._cuts_left = 0
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    def url(self, path):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def cut(self, after_bytes, times=1):
        self._cut_after = after_bytes
        self._cuts_left = times

    def corrupt(self, path):
        self._corrupt.add(path)

    def count(self, method=None):
        return sum(1 for served in self.requests if method in (None, served.method))

    def _handler(self):
        return _handler_for(self)

    # -- serving ---------------------------------------------------------------------------

    def content(self, path):
        data = self.files[path]
        if path in self._corrupt and data:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        return data

    def take_cut(self):
        with self._lock:
            if self._cuts_left > 0:
                self._cuts_left -= 1
                return self._cut_after
        return None

    def record(self, served):
        with self._lock:
            self.requests.append(served)

    def count_body(self, served, size):
        """Counted before writing, so that the client never sees a count lagging behind."""
        with self._lock:
            served.body_bytes = size
            self.bytes_sent += size


def _handler_for(host):
    class Handler(FileRequestHandler):
        def _serve(self, head):
            method = "HEAD" if head else "GET"
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
            range_header = self.headers.get("Range")
            served = Served(method, self.path, range_header, token, 0, dict(self.headers))
            host.record(served)  # before answering: the client may check counts right after
            if host.delay:
                time.sleep(host.delay)
            self._answer(head, token, range_header, served)

        def _answer(self, head, token, range_header, served):
            with host._lock:
                forced = host.forced.pop(0) if host.forced else None
            if forced is not None:
                status, headers = forced
                self._empty(served, status, headers)
                return
            if self.path in host.redirects:
                self._empty(served, 302, {"Location": host.redirects[self.path]})
                return
            if host.token_check is not None and not (token and host.token_check(token)):
                self._empty(
                    served, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b"{}"
                )
                return
            if self.path not in host.files:
                self._empty(served, 404, {})
                return
            data = host.content(self.path)
            size = len(data)
            status, start, end = 200, 0, size - 1
            if range_header and not host.ignore_range:
                span = parse_range(range_header, size)
                if span is None:
                    self._empty(served, 416, {"Content-Range": f"bytes */{size}"})
                    return
                status, (start, end) = 206, span
                with host._lock:
                    if host.wrong_ranges > 0:
                        host.wrong_ranges -= 1
                        start = 0
            body = data[start : end + 1]
            served.status = status
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(body)))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            cut_after = None if head else host.take_cut()
            if cut_after is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if head:
                return
            if cut_after is not None:
                body = body[:cut_after]
            host.count_body(served, len(body))
            self.wfile.write(body)
            self.wfile.flush()
            if cut_after is not None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        def _empty(self, served, status, headers, body=b""):
            served.status = status  # set before sending, for the same reason
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler
