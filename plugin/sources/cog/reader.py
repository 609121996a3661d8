"""The sources of one clip, opened through GDAL with the credentials: HTTP headers (renewed
once on a 401) or S3 keys, probed for range support first."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Optional

import numpy as np
import requests
from osgeo import gdal
from rasterio.windows import Window

from ...net.http import session_timeout, url_host
from ...net.trusted import bearer_allowed
from .errors import ClipError, Monitor, RangesNotSupported
from .gdal_env import GdalSession, headers_option, http_options, s3_options
from .plan import SourceLayout, read_layout
from .probe import HeaderAuth, probe_ranges, probe_with_auth, status_error
from .source import SourceAddress


class SourceReader:
    """Opens and reads the ``sources`` in the GDAL session; counts the probes' traffic."""

    def __init__(
        self,
        sources: Sequence[SourceAddress],
        gdal_session: GdalSession,
        auth: HeaderAuth,
        http_session: Optional[requests.Session],
        proxies: Optional[Mapping[str, str]] = None,
        s3_credentials: Optional[Mapping[str, Any]] = None,
        monitor: Optional[Monitor] = None,
    ) -> None:
        self.sources = list(sources)
        # Its cancel ends a probe or a remote read waiting for the server.
        self.monitor = monitor or Monitor("")
        self.is_cancelled = self.monitor.is_cancelled
        self.gdal = gdal_session
        self.auth = auth
        self.session = http_session
        self.timeout = session_timeout(http_session)  # GDAL waits as long as our requests
        self.proxies = proxies
        self.s3_credentials = s3_credentials
        self.headers: dict[str, str] = {}
        self.datasets: list[Optional[gdal.Dataset]] = [None] * len(self.sources)
        self.probe_bytes = 0
        self.probe_requests = 0

    # -- configuration ---------------------------------------------------------------------

    def configure(self) -> None:
        """Hand the headers or the S3 keys, retries, timeouts and proxy to GDAL."""
        options = {}
        kinds = {source.kind for source in self.sources}
        if {"http", "s3"} <= kinds:
            # GDAL's headers would go to the S3 endpoint as well.
            raise ClipError(
                "The sources mix HTTP(S) and s3:// addresses; clip them separately or give "
                "them all in one form."
            )
        if "http" in kinds:
            self.headers = self.auth.current()
            self.gdal.secrets.add_headers(self.headers)
            options.update(http_options(self.headers, self.proxies, timeout=self.timeout))
        if "s3" in kinds:
            s3 = s3_options(self.s3_credentials)
            for key in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                self.gdal.secrets.add(s3[key])
            options.update(s3)
            for key, value in http_options(None, self.proxies, timeout=self.timeout).items():
                if key != "GDAL_HTTP_HEADERS":
                    options.setdefault(key, value)
        self.gdal.set(options)

    def _set_headers(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.gdal.secrets.add_headers(headers)
        self.gdal.set({"GDAL_HTTP_HEADERS": headers_option(headers)})

    def refresh_headers(self) -> None:
        """Take the provider's current headers (it renews tokens before they expire)."""
        if not self.auth.has_provider or not any(s.kind == "http" for s in self.sources):
            return
        headers = self.auth.current()
        if headers != self.headers:
            self._set_headers(headers)
            self._reopen(clear_cache=False)

    # -- probes ----------------------------------------------------------------------------

    def probe(self) -> None:
        """Check that each HTTP source honours range requests; follow trusted redirects."""
        self._check_hosts()
        for source in self.sources:
            if source.kind != "http":
                continue
            renewed = self.auth.renewed
            probe, (received, made) = probe_with_auth(
                source.text, self.auth, self.session, self.is_cancelled
            )
            self.probe_bytes += received
            self.probe_requests += made
            if self.auth.renewed and not renewed:
                self._set_headers(self.auth.current())
            if not probe.ranges:
                raise RangesNotSupported(
                    f"{url_host(source.text)} does not honour range requests for "
                    f"{source.shown} (HTTP {probe.status}); download the whole file instead.",
                    source.shown,
                )
            if probe.url != source.text:
                source.use_url(probe.url)
                self.gdal.secrets.urls.add(probe.url)
        self._check_hosts()

    def _check_hosts(self) -> None:
        """GDAL sends the headers with every request of this clip: all the places it reads
        from must be trusted with them (the first source's host, or a sibling)."""
        if not self.headers:
            return
        first = next(source for source in self.sources if source.kind == "http")
        for source in self.sources:
            if source.kind != "http":
                continue
            assert source.url is not None  # every http source has one
            if not bearer_allowed(first.text, source.url):
                raise ClipError(
                    f"{source.shown} is on another host than {first.shown}: the credentials "
                    "for one are not sent to the other; clip them separately."
                )

    # -- datasets --------------------------------------------------------------------------

    def open_all(self) -> list[SourceLayout]:
        """Open every source -> their layouts, in order."""
        for index in range(len(self.sources)):
            self._open(index)
        return [
            read_layout(source.shown, dataset)
            for source, dataset in zip(self.sources, self.datasets)
        ]

    def _open(self, index: int) -> None:
        source = self.sources[index]
        for attempt in (0, 1):
            dataset, messages = self._gdal_call(
                source, gdal.OpenEx, source.gdal_path, gdal.OF_RASTER | gdal.OF_READONLY
            )
            if dataset is not None:
                self.datasets[index] = dataset
                return
            self._recover(source, attempt, f"Cannot open {source.shown}", messages)

    def read(self, index: int, window: Window) -> np.ndarray:
        """The bands of source ``index`` in ``window`` (its own pixels) -> (bands, rows, cols)."""
        source = self.sources[index]
        xoff, yoff = int(window.col_off), int(window.row_off)
        width, height = int(window.width), int(window.height)
        for attempt in (0, 1):
            dataset = self.datasets[index]
            assert dataset is not None  # opened by open_all(), reopened by _recover()
            data, messages = self._gdal_call(source, dataset.ReadAsArray, xoff, yoff, width, height)
            if data is not None and not self.gdal.failed:
                return data.reshape((-1, height, width))
            failure = f"Cannot read {source.shown} (pixels {xoff}, {yoff}, {width} x {height})"
            self._recover(source, attempt, failure, messages)
        raise AssertionError("_recover() raises after the second attempt")

    def _gdal_call(self, source: SourceAddress, function: Any, *args: Any) -> tuple[Any, str]:
        """A GDAL call on ``source``; on a remote one, a cancel ends it even while GDAL waits
        on the server."""
        if source.kind == "local":
            return self.gdal.call(function, *args)
        return self.gdal.call_cancellable(
            self.is_cancelled, self.monitor.cancelled_error, function, *args
        )

    def _recover(self, source: SourceAddress, attempt: int, failure: str, messages: str) -> None:
        """After a failed open or read: returns when the server refused the token (401) and
        it was renewed (once), the HTTP sources being open again; else raises the error."""
        self.monitor.check_cancelled()  # a read cut short by the cancel is no failure
        status = None
        if source.kind == "http":
            # Learn what the server answers now (GDAL does not always say).
            assert source.url is not None  # every http source has one
            probe = probe_ranges(
                source.url, self.headers, self.session, is_cancelled=self.is_cancelled
            )
            self.probe_bytes += probe.bytes_received
            self.probe_requests += probe.requests
            status = probe.status
        if status == 401 and attempt == 0 and self.auth.can_renew:
            self.auth.renew()
            self._set_headers(self.auth.current())
            self._reopen(clear_cache=True)
            return
        if status is not None and status >= 400 and status != 416:
            assert source.url is not None  # a status comes from probing an http source
            raise status_error(source.url, status, self.auth.renewed, messages)
        if source.kind == "local":
            raise ClipError(_local_failure(source.shown, failure, messages))
        raise ClipError(
            f"{failure}: {messages or 'unknown GDAL error'}. Check the connection and the "
            "address, then try again."
        )

    def _reopen(self, clear_cache: bool) -> None:
        """Open the HTTP sources again: GDAL takes the headers when it opens a file."""
        for index, source in enumerate(self.sources):
            if source.kind != "http":
                continue
            was_open = self.datasets[index] is not None
            self.datasets[index] = None
            if clear_cache:
                # GDAL remembers a refused file; forget it.
                gdal.VSICurlPartialClearCache(source.gdal_path)
            if was_open:
                self._open(index)

    def close(self) -> None:
        self.datasets = [None] * len(self.sources)


def _local_failure(path: str, failure: str, messages: str) -> str:
    """Why a local source failed, and what to do: no network is involved."""
    if not path.lower().startswith("/vsi") and not os.path.exists(path):
        return f"{failure}: the file does not exist. Check the path."
    return (
        f"{failure}: {messages or 'GDAL cannot read it as a raster'}. Check that it is a "
        "complete raster file (copy or download it again if it was cut short)."
    )


def forget_cached(sources: Sequence[SourceAddress]) -> None:
    """Forget what GDAL cached of the remote sources (memory; a later call starts afresh)."""
    for source in sources:
        if source.kind != "local":
            gdal.VSICurlPartialClearCache(source.gdal_path)
