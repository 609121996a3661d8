"""A loopback COG server whose header comes at once and whose tiles trickle: a range that
starts within the first ``fast_bytes`` (the probe, the header GDAL reads on open) is answered
at once; any other is answered with its headers, then one byte per ``interval`` seconds (a
server that slows to a crawl in the middle of a clip).

``slow_started`` is set when the first slow answer begins."""

import threading

from .loopback import FileRequestHandler, LoopbackServer
from .range_host import parse_range


class SlowTilesHost(LoopbackServer):
    def __init__(self, data, fast_bytes=16384, interval=1.0):
        self.data = data
        self.fast_bytes = fast_bytes
        self.interval = interval
        self.slow_started = threading.Event()
        self.stopping = threading.Event()

    def url(self, path="/tile.tif"):
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
            size = len(host.data)
            asked = self.headers.get("Range")
            span = parse_range(asked, size) if asked else None
            start, end = span if span is not None else (0, size - 1)
            body = host.data[start : end + 1]
            self.send_response(206 if span is not None else 200)
            self.send_header("Content-Type", "image/tiff")
            self.send_header("Accept-Ranges", "bytes")
            if span is not None:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            if head:
                return
            if start < host.fast_bytes:
                self.wfile.write(body)
                return
            host.slow_started.set()
            for index in range(len(body)):
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                if host.stopping.wait(host.interval):
                    return

        def log_message(self, *args):
            pass

    return Handler
