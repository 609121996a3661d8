"""A loopback file server with HTTP Range support, for the AOI clipping tests (127.0.0.1 only).

- serves files (bytes in memory or paths on disk) under URL paths;
- `HEAD` and `GET`; `Range: bytes=N-M`, `bytes=N-` and `bytes=-N` answer 206 with
  Content-Range (one range per request; a multi-range request gets its first range only,
  416 past the end);
- `ranges = False` ("no range support" mode): every GET answers 200 with the whole file and no
  `Accept-Ranges`, as some servers do;
- `redirects`: URL path -> Location answered with 302;
- `token`: when set, requests must carry `Authorization: Bearer <token>`, else 401;
  `auth_check(headers) -> bool`: any other check (e.g. an S3 signature's key id), else 403;
- counts requests (`requests`, each a `Served`), body bytes (`bytes_sent`) and the bytes of the
  status lines and headers (`header_bytes_sent`).

`ForwardProxy` is a forward HTTP proxy on 127.0.0.1 to put in front of a `RangeHost`.
"""

import base64
import http.client
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import quote, urlsplit

from .loopback import FileRequestHandler, LoopbackServer

COPY_CHUNK = 1 << 16
PROXY_VIA = "1.1 loopback-proxy"
# Headers about one connection, not forwarded (RFC 9110, 7.6.1), and the proxy's own.
_HOP_BY_HOP = {
    "connection",
    "proxy-connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
}


@dataclass
class Served:
    method: str
    path: str
    range: Optional[str]
    headers: dict
    status: int = 0
    body_bytes: int = 0
    header_bytes: int = 0
    extra: dict = field(default_factory=dict)


class RangeHost(LoopbackServer):
    def __init__(self, files=None, token=None, auth_check=None):
        self.files = {}  # URL path -> bytes or Path
        for path, content in (files or {}).items():
            self.add(path, content)
        self.token = token
        self.auth_check = auth_check
        self.ranges = True
        self.redirects = {}
        self.requests = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    def add(self, path, content):
        self.files[path] = content if isinstance(content, bytes) else Path(content)

    def url(self, path):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    @property
    def address(self):
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def bytes_sent(self):
        with self._lock:
            return sum(served.body_bytes for served in self.requests)

    @property
    def header_bytes_sent(self):
        with self._lock:
            return sum(served.header_bytes for served in self.requests)

    def count(self, method=None, status=None):
        with self._lock:
            return sum(
                1
                for served in self.requests
                if method in (None, served.method) and status in (None, served.status)
            )

    def reset_counts(self):
        with self._lock:
            self.requests.clear()

    def size(self, path):
        content = self.files[path]
        return len(content) if isinstance(content, bytes) else content.stat().st_size

    def _handler(self):
        return _handler_for(self)

    def _record(self, served):
        with self._lock:
            self.requests.append(served)


def parse_range(value, size):
    """First range of 'bytes=N-M' / 'bytes=N-' / 'bytes=-N' -> (start, end inclusive).

    None when unsatisfiable; ValueError when malformed.
    """
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes":
        raise ValueError(value)
    first = spec.split(",")[0].strip()
    start_text, dash, end_text = first.partition("-")
    start_text, end_text = start_text.strip(), end_text.strip()
    if not dash:
        raise ValueError(value)
    if not start_text:  # suffix range: the last N bytes
        if not end_text.isdigit() or int(end_text) == 0:
            raise ValueError(value)
        return max(0, size - int(end_text)), size - 1
    if not start_text.isdigit() or (end_text and not end_text.isdigit()):
        raise ValueError(value)
    start = int(start_text)
    end = int(end_text) if end_text else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


def _handler_for(host):
    class Handler(FileRequestHandler):
        def _serve(self, head):
            path = urlsplit(self.path).path
            served = Served(
                "HEAD" if head else "GET", path, self.headers.get("Range"), dict(self.headers)
            )
            host._record(served)
            if path in host.redirects:
                self._empty(served, 302, {"Location": host.redirects[path]})
                return
            auth = self.headers.get("Authorization", "")
            if host.token is not None and auth != f"Bearer {host.token}":
                self._empty(served, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
                return
            if host.auth_check is not None and not host.auth_check(dict(self.headers)):
                self._empty(served, 403, {})
                return
            if path not in host.files:
                self._empty(served, 404, {})
                return
            size = host.size(path)
            start, end, status = 0, size - 1, 200
            if served.range and host.ranges and not head:
                try:
                    span = parse_range(served.range, size)
                except ValueError:
                    span = (0, size - 1)
                    served.extra["malformed_range"] = True
                else:
                    if span is None:
                        self._empty(served, 416, {"Content-Range": f"bytes */{size}"})
                        return
                    status = 206
                start, end = span
            headers = {
                "Content-Type": "image/tiff",
                "Content-Length": str(end - start + 1),
                "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
            }
            if host.ranges:
                headers["Accept-Ranges"] = "bytes"
            if status == 206:
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            self._head(served, status, headers)
            if not head:
                self._body(served, path, start, end - start + 1)

        def _head(self, served, status, headers):
            served.status = status
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            # BaseHTTPRequestHandler buffers the status line and headers until end_headers().
            served.header_bytes = sum(len(line) for line in self._headers_buffer) + 2
            self.end_headers()

        def _body(self, served, path, offset, length):
            content = host.files[path]
            if isinstance(content, bytes):
                chunks = [content[offset : offset + length]]
            else:
                chunks = _file_chunks(content, offset, length)
            for chunk in chunks:
                with host._lock:
                    served.body_bytes += len(chunk)  # counted before the client can see it
                self.wfile.write(chunk)
            self.wfile.flush()

        def _empty(self, served, status, headers):
            self._head(served, status, {**headers, "Content-Length": "0"})

        def log_message(self, *args):
            pass

    return Handler


def _file_chunks(path, offset, length):
    with open(path, "rb") as stream:
        stream.seek(offset)
        while length > 0:
            chunk = stream.read(min(COPY_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@dataclass
class Forwarded:
    method: str
    url: str  # the absolute URI the client asked the proxy for
    range: Optional[str]
    status: int


class ForwardProxy(LoopbackServer):
    """A forward HTTP proxy: GET and HEAD with an absolute URI (``GET http://host/path``)
    are sent on to the host named, which must be 127.0.0.1, with the client's headers
    (Range included; hop-by-hop ones dropped) and ``Via: 1.1 loopback-proxy`` added; the
    answer is relayed. Anything else gets 400 or 502.

    ``credentials``: (user, password) the client must give (Basic), else 407.
    ``forwarded``: every request sent on, each a ``Forwarded``.
    """

    def __init__(self, credentials=None):
        self.credentials = credentials
        self.forwarded = []
        self.refused = []  # status of each request not sent on
        self._lock = threading.Lock()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def proxy_url(self, user=None, password=None):
        """The proxy's address as the plugin gives it (plugin.qgis.proxy), with
        percent-encoded credentials when given."""
        if user is None:
            return self.url
        host, port = self._server.server_address[:2]
        return f"http://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}"

    def _handler(self):
        return _proxy_handler_for(self)

    def _authorised(self, header):
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return header == f"Basic {expected}"


def _proxy_handler_for(proxy):
    class Handler(FileRequestHandler):
        def _serve(self, head):
            target = urlsplit(self.path)
            if not proxy._authorised(self.headers.get("Proxy-Authorization")):
                self._refuse(407, {"Proxy-Authenticate": 'Basic realm="loopback"'})
                return
            if target.scheme != "http" or not target.hostname:
                self._refuse(400, {})  # not a proxy request (a relative URI)
                return
            if target.hostname != "127.0.0.1":
                self._refuse(502, {})  # tests only ever reach the loopback interface
                return
            headers = {
                key: value for key, value in self.headers.items() if key.lower() not in _HOP_BY_HOP
            }
            headers["Via"] = PROXY_VIA
            path = target.path + (f"?{target.query}" if target.query else "")
            method = "HEAD" if head else "GET"
            upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
            try:
                upstream.request(method, path or "/", headers=headers)
                answer = upstream.getresponse()
                with proxy._lock:
                    proxy.forwarded.append(
                        Forwarded(method, self.path, self.headers.get("Range"), answer.status)
                    )
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Via", PROXY_VIA)
                self.end_headers()
                if not head:
                    while chunk := answer.read(COPY_CHUNK):
                        self.wfile.write(chunk)
                    self.wfile.flush()
            finally:
                upstream.close()

        def _refuse(self, status, headers):
            with proxy._lock:
                proxy.refused.append(status)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler
