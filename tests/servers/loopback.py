"""What every loopback test server shares: a quiet threaded HTTP server on 127.0.0.1."""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients hanging up early (cancel, timeout) are part of the tests; anything else shows.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    """start()/stop() and ``with`` for a server whose handler class is ``self._handler()``."""

    _server = None
    _thread = None

    def _handler(self):
        raise NotImplementedError

    def start(self):
        self._server = QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class FileRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 HEAD and GET, both answered by ``self._serve(head)``."""

    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head):
        raise NotImplementedError
