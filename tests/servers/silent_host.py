"""A loopback server that accepts connections and never answers (a stalled
service): the client waits for the response headers until its read timeout, or a cancel.

``accepted`` counts the connections; ``wait_accepted(count)`` waits for them."""

import socket
import threading


class SilentHost:
    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stop = threading.Event()
        self._connections = []
        self._accepted = threading.Condition()
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path="/file.tif"):
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}{path}"

    def wait_accepted(self, count=1, timeout=10):
        with self._accepted:
            return self._accepted.wait_for(lambda: self.accepted >= count, timeout)

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._connections.append(connection)  # the request waits in its buffer, unread
            with self._accepted:
                self.accepted += 1
                self._accepted.notify_all()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        for connection in self._connections:
            connection.close()
        self._listener.close()
