"""The year list read from a STAC source goes like a search: proxy, timeout, retries."""

import socket
import time

import pytest

from crop_confidence.plugin.net.http import make_session, plugin_version
from crop_confidence.plugin.sources.fetch import FetchError
from crop_confidence.plugin.sources.years import _this_year, available_years
from servers.stac_api import CTYCL_COLLECTION, StacApiServer, cdse_item

ITEMS = [cdse_item(layer, 2021, "E38N26") for layer in ("CTY", "CTYCL")]
YEARS = list(range(2017, _this_year() + 1))  # the test server's collections: 2017 onward


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_years_are_read_through_the_given_proxy():
    """The source's port is closed: only the proxy (the loopback STAC server, which answers
    the absolute URLs a proxy gets) can answer."""
    source = f"http://127.0.0.1:{closed_port()}"
    with StacApiServer(ITEMS) as proxy:
        years = available_years("cty_ctycl", source, proxies={"http": proxy.url})
        assert years == (YEARS, True)
        assert proxy.requests_to(f"/collections/{CTYCL_COLLECTION}")
        assert proxy.requests[0].headers["User-Agent"] == f"crop-confidence/{plugin_version()}"


def test_years_use_the_proxy_of_the_given_session():
    source = f"http://127.0.0.1:{closed_port()}"
    with StacApiServer(ITEMS) as proxy:
        session = make_session(proxies={"http": proxy.url, "https": proxy.url})
        assert available_years("ctycl", source, session=session) == (YEARS, True)
        assert proxy.requests_to(f"/collections/{CTYCL_COLLECTION}")


def test_a_silent_stac_server_times_out_with_a_clear_error():
    with StacApiServer(ITEMS) as stac:
        stac.add_fault("/", 200, {}, delay=3, times=10)
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            available_years("cty_ctycl", stac.url, timeout=(2, 0.3), tries=2, backoff=0.01)
        assert time.monotonic() - started < 3
        assert len(stac.requests) == 2  # the first try and one retry
    assert str(caught.value) == (
        f"Cannot read the collection {CTYCL_COLLECTION}: Cannot reach the STAC service (timed "
        f"out): {stac.url}. Check the network connection, the proxy settings and the address."
    )


def test_a_busy_stac_server_is_retried():
    with StacApiServer(ITEMS) as stac:
        stac.add_fault("/", 503, {"code": "Unavailable"}, {"Retry-After": "0"}, times=2)
        assert available_years("cty_ctycl", stac.url, backoff=0.01) == (YEARS, True)
        assert stac.faults[0].times == 0  # both 503 answers were given, then retried
