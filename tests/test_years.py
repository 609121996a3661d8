"""The year list read from a STAC source goes like a search: proxy, timeout, retries."""

import time

import pytest

from crop_confidence.plugin.net.http import make_session, plugin_version
from crop_confidence.plugin.sources.fetch import FetchError
from crop_confidence.plugin.sources.years import (
    _this_year,
    available_years,
    default_years,
    latest_known_year,
    preferred_year,
)
from servers.closing import ClosingServer, closed_port, count_connections
from servers.stac_api import CTYCL_COLLECTION, StacApiServer, cdse_item

ITEMS = [cdse_item(layer, 2021, "E38N26") for layer in ("CTY", "CTYCL")]
YEARS = list(range(2017, _this_year() + 1))  # the test server's collections: 2017 onward


def test_the_years_of_a_refused_source_fail_at_the_first_attempt(monkeypatch):
    connection_attempts = count_connections(monkeypatch)
    source = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(FetchError) as caught:
        available_years("cty_ctycl", source)  # the default tries
    assert connection_attempts == ["127.0.0.1"]
    assert str(caught.value) == (
        f"Cannot read the collection {CTYCL_COLLECTION}: Cannot reach the STAC service "
        f"(Connection refused): {source}. Check the network connection, the proxy settings "
        "and the address."
    )


def test_the_years_of_a_source_that_hangs_up_fail_at_the_first_attempt():
    with ClosingServer() as server:
        with pytest.raises(FetchError, match="Cannot reach the STAC service"):
            available_years("cty_ctycl", server.url)
        assert server.connections == 1


def test_the_fallback_selects_the_latest_year_each_product_is_known_to_have():
    # CLMS Crop Types are published for 2017-2021, OSO's 23-class maps for 2018-2023.
    assert (latest_known_year("cty_ctycl"), latest_known_year("ctycl")) == (2021, 2021)
    assert (latest_known_year("oso23"), latest_known_year("oso17")) == (2023, 2017)
    clms, oso = default_years("cty_ctycl"), default_years("oso23")
    assert clms == list(range(2017, _this_year() + 1))
    assert oso == list(range(2016, _this_year() + 1))
    assert preferred_year("cty_ctycl", clms) == 2021
    assert preferred_year("oso23", oso) == 2023
    assert preferred_year("oso23", oso, previous=2019) == 2019  # the user's choice stays
    assert preferred_year("cty_ctycl", [2017, 2018], previous=2021) == 2018
    assert preferred_year("cty_ctycl", [2025, 2024]) == 2024  # only newer ones: the nearest
    assert preferred_year("cty_ctycl", []) is None


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
        assert len(stac.requests) == 1  # a read timeout is not waited for twice
    assert str(caught.value) == (
        f"Cannot read the collection {CTYCL_COLLECTION}: Cannot reach the STAC service (timed "
        f"out): {stac.url}. Check the network connection, the proxy settings and the address."
    )


def test_a_busy_stac_server_is_retried():
    with StacApiServer(ITEMS) as stac:
        stac.add_fault("/", 503, {"code": "Unavailable"}, {"Retry-After": "0"}, times=2)
        assert available_years("cty_ctycl", stac.url, backoff=0.01) == (YEARS, True)
        assert stac.faults[0].times == 0  # both 503 answers were given, then retried
