"""A loopback server that hangs up on every connection, a port nothing listens on, and a
count of the connections urllib3 opens: what a retry policy is tested with."""

import socket
import threading

import urllib3


class ClosingServer:
    """A TCP server on 127.0.0.1 that accepts each connection and closes it at once,
    unanswered; ``connections`` counts them."""

    def __init__(self):
        self.connections = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:  # the timeout: check the stop flag again
                continue
            self.connections += 1
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


def closed_port():
    """A port of 127.0.0.1 nothing listens on: a connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def count_connections(monkeypatch):
    """The hosts urllib3 opens a connection to (or tries to), in order, as a list that grows;
    the environment's proxies are removed, so that no request goes anywhere else."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    attempts = []
    create = urllib3.util.connection.create_connection

    def counted(address, *args, **kwargs):
        attempts.append(address[0])
        return create(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counted)
    return attempts
