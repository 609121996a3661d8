"""A loopback server that sends a file slowly: the headers at once, then the body one byte per
``interval`` seconds, or ``stall_after`` bytes and then nothing until stopped (a stalled link).

Honours `Range: bytes=N-` (206). Records each request's Range header (`ranges`) and the body
bytes it sent in all (`bytes_sent`). ``body_for`` maps a path to other bytes to send whole
(an HTML login page answered with HTTP 200, ``content_type`` given).
"""

import threading

from .loopback import FileRequestHandler, LoopbackServer
from .range_host import parse_range


class TrickleHost(LoopbackServer):
    def __init__(self, data, interval=1.0, stall_after=None):
        self.data = data
        self.interval = interval
        self.stall_after = stall_after  # None: trickle to the end
        self.pages = {}  # path -> (content type, body) sent at once with HTTP 200
        self.ranges = []
        self.bytes_sent = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def url(self, path="/file.tif"):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def stop(self):
        self.stopping.set()
        super().stop()

    def _handler(self):
        return _handler_for(self)


def _handler_for(host):
    class Handler(FileRequestHandler):
        def _serve(self, head):
            if self.path in host.pages:
                content_type, body = host.pages[self.path]
                self._send(200, body, {"Content-Type": content_type}, head, slow=False)
                return
            range_header = self.headers.get("Range")
            with host._lock:
                host.ranges.append(range_header)
            size = len(host.data)
            start = 0
            headers = {"Content-Type": "image/tiff", "Accept-Ranges": "bytes"}
            if range_header:
                span = parse_range(range_header, size)
                if span is None:
                    self._send(416, b"", {"Content-Range": f"bytes */{size}"}, head, slow=False)
                    return
                start = span[0]
                headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
            self._send(206 if range_header else 200, host.data[start:], headers, head, slow=True)

        def _send(self, status, body, headers, head, slow):
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            if head:
                return
            if not slow:
                self.wfile.write(body)
                return
            for index in range(len(body)):
                if host.stall_after is not None and index >= host.stall_after:
                    host.stopping.wait()  # stalled: nothing more until the server stops
                    return
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                with host._lock:
                    host.bytes_sent += 1
                if index + 1 < len(body) and host.stopping.wait(host.interval):
                    return

        def log_message(self, *args):
            pass

    return Handler
