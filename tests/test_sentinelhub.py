"""OSO over Sentinel Hub against a loopback Sentinel Hub: catalogue years, tiled fetch, mosaic."""

import logging
import time
from types import SimpleNamespace

import numpy as np
import pytest
import rasterio
from affine import Affine

from crop_confidence.plugin.domain.errors import CropMaskCancelled, CropMaskError
from crop_confidence.plugin.net.auth import ClientCredentialsTokenProvider, CredentialsRejected
from crop_confidence.plugin.net.http import make_session
from crop_confidence.plugin.sources.oso_pieces import piece_size, plan_pieces, snap_outward
from crop_confidence.plugin.sources.sentinelhub import (
    EVALSCRIPT,
    OutsideCoverage,
    SentinelHubCancelled,
    SentinelHubError,
    SentinelHubOso,
    available_years,
    fetch_oso,
)
from rasters import L93_ORIGIN, write_raster
from servers.cdse_identity import LeakGuard
from servers.sentinelhub import (
    CATALOG_PATH,
    COLLECTION_ID,
    PROCESS_PATH,
    TOKEN_PATH,
    SentinelHubServer,
    oso_feature,
)

CLIENT_ID = "sh-client-4f2a"
CLIENT_SECRET = "sh-secret-Qz81!basalt"
LEFT, TOP = L93_ORIGIN
WIDTH, HEIGHT = 6000, 600
# EPSG:4326 boxes: one over the fixture area (south of France), one over Corsica.
SOUTH_FRANCE = (2.0, 43.0, 3.5, 44.0)
CORSICA = (8.5, 41.3, 9.6, 43.1)


@pytest.fixture(scope="module")
def fixture_bands():
    rows, cols = np.indices((HEIGHT, WIDTH))
    ocs = ((rows * 7 + cols * 3) % 23 + 1).astype(np.uint8)
    ocs[100:140, 5000:5100] = 0  # a nodata patch
    confidence = ((rows * 11 + cols) % 100 + 1).astype(np.uint8)
    validity = ((rows + cols * 5) % 45 + 1).astype(np.uint8)
    return np.stack([ocs, confidence, validity])


@pytest.fixture(scope="module")
def fixture_path(fixture_bands, tmp_path_factory):
    path = tmp_path_factory.mktemp("oso") / "oso_fixture.tif"
    return write_raster(path, list(fixture_bands), crs="EPSG:2154", origin=L93_ORIGIN)


@pytest.fixture(autouse=True)
def guard(caplog):
    caplog.set_level(logging.DEBUG)
    leak_guard = LeakGuard(caplog)
    leak_guard.watch(CLIENT_SECRET)
    yield leak_guard
    leak_guard.check()


@pytest.fixture
def hub(fixture_path, guard):
    server = SentinelHubServer(fixture=fixture_path)
    server.add_client(CLIENT_ID, CLIENT_SECRET)
    with server:
        yield server
    guard.watch(*server.secrets_seen())


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def session():
    return make_session(retries=2, backoff_factor=0.01)


def client(hub, secret=CLIENT_SECRET, **kwargs):
    provider = ClientCredentialsTokenProvider(
        CLIENT_ID, secret, token_url=hub.token_url, session=session()
    )
    kwargs.setdefault("session", session())
    return SentinelHubOso(provider, base_url=hub.url, **kwargs)


def raised(guard, exc_type, call, match=None):
    with pytest.raises(exc_type, match=match) as info:
        call()
    guard.record(info.value)
    return info.value


def read_all(path):
    """-> (3 x h x w array, facts about the file)."""
    with rasterio.open(path) as dataset:
        facts = SimpleNamespace(
            transform=dataset.transform,
            shape=(dataset.count, dataset.height, dataset.width),
            epsg=dataset.crs.to_epsg(),
            dtypes=dataset.dtypes,
            nodatavals=dataset.nodatavals,
            descriptions=dataset.descriptions,
            tiled=dataset.profile["tiled"],
            compression=dataset.compression,
        )
        return dataset.read(), facts


def token_grants(hub):
    return len(hub.served(TOKEN_PATH, 200))


# -- pure helpers --------------------------------------------------------------------------


def test_snap_outward_widens_to_the_10_m_lattice():
    assert snap_outward((570_003.7, 6_270_000.0, 570_020.0000001, 6_279_990.5)) == (
        570_000.0,
        6_270_000.0,
        570_020.0,
        6_280_000.0,
    )


def test_pieces_are_whole_blocks_and_never_over_the_limit():
    assert piece_size(2500) == 2048 and piece_size(250) == 250
    pieces = plan_pieces(6000, 600, piece_size(2500))
    assert pieces == [(0, 0, 600, 2048), (0, 2048, 600, 2048), (0, 4096, 600, 1904)]


# -- Process API: mosaic -------------------------------------------------------------------


def test_real_limit_mosaic_equals_the_fixture_pixel_for_pixel(hub, out, fixture_bands):
    fractions = []
    # Bounds a little inside the fixture: snapping outward gives back the whole fixture.
    bounds = (LEFT + 3.7, TOP - HEIGHT * 10 + 0.2, LEFT + WIDTH * 10 - 5.0, TOP - 1.0)
    result = client(hub).fetch_oso(bounds, 2021, out / "oso.tif", progress=fractions.append)

    data, dataset = read_all(result.path)
    assert np.array_equal(data, fixture_bands)
    assert dataset.transform == Affine(10.0, 0.0, LEFT, 0.0, -10.0, TOP)
    assert dataset.shape == (3, HEIGHT, WIDTH) and dataset.epsg == 2154
    assert dataset.dtypes == ("uint8",) * 3 and dataset.nodatavals == (0.0, 0.0, 0.0)
    assert dataset.descriptions == ("OCS", "OCS_Confidence", "OCS_Validity")
    assert dataset.tiled and dataset.compression is not None
    assert result.grid.transform == dataset.transform
    assert (result.grid.width, result.grid.height) == (WIDTH, HEIGHT)
    served = hub.served(PROCESS_PATH)
    assert result.requests == len(served) == 3
    assert all(entry.status == 200 for entry in served)
    assert sorted(entry.body["output"]["width"] for entry in served) == [1904, 2048, 2048]
    assert result.bytes_transferred == sum(entry.bytes_sent for entry in served)
    assert result.has_data
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert sorted(path.name for path in out.iterdir()) == ["oso.tif"]


def test_small_pieces_mosaic_a_window_snapped_outward(hub, out, fixture_bands):
    bounds = (LEFT + 1234.5, TOP - 3000.5, LEFT + 4321.0, TOP - 105.0)
    result = client(hub, max_request_size=250).fetch_oso(bounds, 2020, out / "oso.tif")

    data, dataset = read_all(result.path)
    # cols floor(123.45)=123 .. ceil(432.1)=433; rows floor(10.5)=10 .. ceil(300.05)=301
    assert dataset.transform == Affine(10.0, 0.0, LEFT + 1230.0, 0.0, -10.0, TOP - 100.0)
    assert data.shape == (3, 291, 310)
    assert np.array_equal(data, fixture_bands[:, 10:301, 123:433])
    served = hub.served(PROCESS_PATH)
    assert result.requests == len(served) == 4  # 2 x 2 pieces of at most 250 px
    assert all(
        entry.body["output"]["width"] <= 250 and entry.body["output"]["height"] <= 250
        for entry in served
    )


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_pieces_are_fetched_at_most_workers_at_a_time(hub, out, fixture_bands, workers):
    # The server holds each piece until `workers` pieces are in flight together (one worker:
    # until 2 are, which never happens, so each waits 0.2 s), then answers after 0.1 s: a
    # client sending more pieces at once than it has workers would be seen doing so.
    hub.process_gate = (max(workers, 2), 5.0 if workers > 1 else 0.2)
    hub.delay = 0.1
    bounds = (LEFT, TOP - 5000.0, LEFT + 7500.0, TOP)  # 750 x 500 px: 3 x 2 pieces of 250 px
    sh = client(hub, max_request_size=250, workers=workers)

    result = sh.fetch_oso(bounds, 2021, out / "oso.tif")

    data, _ = read_all(result.path)
    assert np.array_equal(data, fixture_bands[:, :500, :750])
    served = hub.served(PROCESS_PATH)
    assert result.requests == len(served) == 6 and all(entry.status == 200 for entry in served)
    assert hub.process_peak == workers
    assert hub.process_in_flight == 0


def test_area_beyond_the_data_is_nodata(hub, out, fixture_bands):
    bounds = (LEFT + WIDTH * 10 - 50.0, TOP - 80.0, LEFT + WIDTH * 10 + 30.0, TOP)
    result = fetch_oso(
        bounds,
        2020,
        out / "edge.tif",
        ClientCredentialsTokenProvider(CLIENT_ID, CLIENT_SECRET, token_url=hub.token_url),
        base_url=hub.url,
        session=session(),
    )
    data, _ = read_all(result.path)
    assert data.shape == (3, 8, 8)
    assert np.array_equal(data[:, :, :5], fixture_bands[:, :8, -5:])
    assert not data[:, :, 5:].any()
    assert result.has_data


def test_area_without_data_is_flagged(hub, out):
    hub.fixture = None  # the service answers nodata everywhere
    result = client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "o.tif")
    data, _ = read_all(result.path)
    assert not data.any() and not result.has_data


def test_process_request_follows_the_api(hub, out):
    client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2019, out / "oso.tif")
    (entry,) = hub.served(PROCESS_PATH)
    body = entry.body
    assert body["input"]["bounds"] == {
        "bbox": [LEFT, TOP - 100.0, LEFT + 100.0, TOP],
        "properties": {"crs": "http://www.opengis.net/def/crs/EPSG/0/2154"},
    }
    (data,) = body["input"]["data"]
    assert data["type"] == f"byoc-{COLLECTION_ID}"
    assert data["dataFilter"]["timeRange"] == {
        "from": "2019-01-01T00:00:00Z",
        "to": "2019-12-31T23:59:59Z",
    }
    assert body["output"]["width"] == 10 and body["output"]["height"] == 10
    assert body["output"]["responses"] == [
        {"identifier": "default", "format": {"type": "image/tiff"}}
    ]
    assert body["evalscript"] == EVALSCRIPT
    assert EVALSCRIPT.startswith("//VERSION=3")
    assert 'bands: ["OCS", "OCS_Confidence", "OCS_Validity"], units: "DN"' in EVALSCRIPT
    assert 'output: {bands: 3, sampleType: "UINT8"}' in EVALSCRIPT


def test_piece_served_on_another_grid_is_refused(hub, out, guard):
    hub.shift = 5.0
    error = raised(
        guard,
        SentinelHubError,
        lambda: client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "o.tif"),
    )
    assert "on another grid" in str(error)
    assert list(out.iterdir()) == []


def test_pieces_over_the_service_limit_are_refused_with_its_message(hub, out, guard):
    error = raised(
        guard,
        SentinelHubError,
        lambda: client(hub, max_request_size=3000).fetch_oso(
            (LEFT, TOP - 6000.0, LEFT + 30_000.0, TOP), 2020, out / "oso.tif"
        ),
    )
    assert "HTTP 400" in str(error) and "exceeds the limit of 2500x2500 pixels" in str(error)
    assert list(out.iterdir()) == []


def test_error_on_a_later_piece_leaves_no_file(hub, out, guard):
    hub.fail_at[3] = (403, "You have exhausted your processing units.")
    error = raised(
        guard,
        SentinelHubError,
        lambda: client(hub, max_request_size=250, workers=1).fetch_oso(
            (LEFT, TOP - 5000.0, LEFT + 5000.0, TOP), 2020, out / "oso.tif"
        ),
    )
    assert "HTTP 403: You have exhausted your processing units." in str(error)
    assert "processing units" in str(error)
    assert [entry.status for entry in hub.served(PROCESS_PATH)] == [200, 200, 403]
    assert list(out.iterdir()) == []


# -- tokens ----------------------------------------------------------------------------------


def test_wrong_client_secret_is_a_clear_error_without_the_secret(hub, out, guard):
    wrong = "sh-secret-WRONG-77"
    guard.watch(wrong)
    error = raised(
        guard,
        CredentialsRejected,
        lambda: client(hub, secret=wrong).fetch_oso(
            (LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "oso.tif"
        ),
    )
    assert CLIENT_ID in str(error) and "rejected" in str(error)
    assert wrong not in str(error) and CLIENT_SECRET not in str(error)
    assert hub.served(PROCESS_PATH) == [] and list(out.iterdir()) == []


def test_token_dying_mid_run_is_renewed_once_and_the_fetch_succeeds(hub, out, fixture_bands):
    hub.revoke_at = 2
    sh = client(hub, max_request_size=250)
    result = sh.fetch_oso((LEFT, TOP - 5000.0, LEFT + 5000.0, TOP), 2020, out / "oso.tif")
    data, _ = read_all(result.path)
    assert np.array_equal(data, fixture_bands[:, :500, :500])
    assert token_grants(hub) == 2
    assert len(hub.served(PROCESS_PATH, 401)) >= 1
    assert result.requests == len(hub.served(PROCESS_PATH, 200)) == 4


def test_second_401_after_renewal_is_a_clear_error(hub, out, guard):
    hub.access_lifetime = 0.0  # every token is dead on arrival
    error = raised(
        guard,
        SentinelHubError,
        lambda: client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "o.tif"),
    )
    assert "refused a freshly renewed access token" in str(error)
    assert token_grants(hub) == 2 and len(hub.served(PROCESS_PATH, 401)) == 2
    assert list(out.iterdir()) == []


def test_every_request_carries_a_live_bearer_token(hub, out):
    client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "oso.tif")
    (entry,) = hub.served(PROCESS_PATH)
    assert entry.status == 200 and entry.token in hub.issued


# -- retries and cancel ----------------------------------------------------------------------


def test_a_500_once_is_retried_by_the_session(hub, out, fixture_bands):
    hub.forced.append((PROCESS_PATH, 500, {"Content-Type": "application/json"}, b"{}"))
    result = client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "o.tif")
    data, _ = read_all(result.path)
    assert np.array_equal(data, fixture_bands[:, :10, :10])
    assert [entry.status for entry in hub.served(PROCESS_PATH)] == [500, 200]


def test_a_429_with_retry_after_is_waited_for(hub, out):
    hub.forced.append((PROCESS_PATH, 429, {"Retry-After": "1"}, b""))
    started = time.monotonic()
    client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "o.tif")
    assert time.monotonic() - started >= 0.95
    assert [entry.status for entry in hub.served(PROCESS_PATH)] == [429, 200]


def test_5xx_after_all_retries_is_a_clear_error(hub, out, guard):
    hub.forced += [(PROCESS_PATH, 503, {}, b"")] * 3
    error = raised(
        guard,
        SentinelHubError,
        lambda: client(hub).fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "o.tif"),
    )
    assert "answered HTTP 503" in str(error) and "try again later" in str(error)
    assert len(hub.served(PROCESS_PATH)) == 3 and list(out.iterdir()) == []


def test_cancel_midway_leaves_no_file(hub, out, guard):
    fractions = []
    sh = client(hub, max_request_size=250, workers=1)
    error = raised(
        guard,
        SentinelHubCancelled,
        lambda: sh.fetch_oso(
            (LEFT, TOP - 5000.0, LEFT + 5000.0, TOP),
            2020,
            out / "oso.tif",
            progress=fractions.append,
            is_cancelled=lambda: bool(fractions) and fractions[-1] > 0,
        ),
    )
    assert isinstance(error, CropMaskCancelled)
    assert fractions == [0.0, 0.25]
    assert len(hub.served(PROCESS_PATH)) < 4
    assert list(out.iterdir()) == []


def test_cancel_during_a_slow_request_stops_quickly(hub, out, guard):
    hub.delay = 0.5
    started = time.monotonic()
    deadline = started + 0.2
    raised(
        guard,
        SentinelHubCancelled,
        lambda: client(hub, max_request_size=250).fetch_oso(
            (LEFT, TOP - 5000.0, LEFT + 5000.0, TOP),
            2020,
            out / "oso.tif",
            is_cancelled=lambda: time.monotonic() > deadline,
        ),
    )
    assert time.monotonic() - started < 2.0
    assert list(out.iterdir()) == []


def test_cancel_while_a_piece_waits_for_its_answer_ends_within_a_second(hub, out, guard):
    """A stalled Process request does not hold the cancel until its read timeout."""
    hub.delay = 30.0
    cancel_at = time.monotonic() + 0.3
    started = time.monotonic()
    raised(
        guard,
        SentinelHubCancelled,
        lambda: client(hub, max_request_size=250).fetch_oso(
            (LEFT, TOP - 5000.0, LEFT + 5000.0, TOP),
            2020,
            out / "oso.tif",
            is_cancelled=lambda: time.monotonic() > cancel_at,
        ),
    )
    assert time.monotonic() - cancel_at < 1.5
    assert time.monotonic() - started < 2.0
    assert list(out.iterdir()) == []


# -- Catalog API -----------------------------------------------------------------------------


def catalog_features():
    return [
        oso_feature(2018, SOUTH_FRANCE, "31TCJ"),
        oso_feature(2019, SOUTH_FRANCE, "31TCJ"),
        oso_feature(2019, SOUTH_FRANCE, "31TDJ"),
        oso_feature(2020, SOUTH_FRANCE, "31TCJ"),
        oso_feature(2021, SOUTH_FRANCE, "31TCJ"),
        oso_feature(2021, SOUTH_FRANCE, "31TDJ"),
        oso_feature(2022, SOUTH_FRANCE, "31TCJ", datetime_key="start_datetime"),
        oso_feature(2016, CORSICA, "32TNN"),  # elsewhere: not over the area
    ]


def test_catalog_pages_are_followed_and_years_sorted(hub):
    hub.features = catalog_features()
    # About 2.5 x 2.5 km around (2.5 E, 43.5 N), given in Lambert-93.
    bounds = (658_000.0, 6_265_500.0, 660_500.0, 6_268_000.0)
    years = client(hub).available_years(bounds, last_year=2023, page_limit=3)

    assert years == [2018, 2019, 2020, 2021, 2022]
    bodies = [entry.body for entry in hub.served(CATALOG_PATH)]
    assert [body.get("next") for body in bodies] == [None, 3, 6]
    assert hub.next_sent == [3, 6]
    first = bodies[0]
    assert first["collections"] == [f"byoc-{COLLECTION_ID}"]
    assert first["datetime"] == "2016-01-01T00:00:00Z/2023-12-31T23:59:59Z"
    assert first["limit"] == 3
    west, south, east, north = first["bbox"]
    assert 2.48 < west < east < 2.54 and 43.48 < south < north < 43.54
    assert all({k: v for k, v in body.items() if k != "next"} == first for body in bodies)
    assert all(entry.token in hub.issued for entry in hub.served(CATALOG_PATH))


def test_years_accept_an_area_in_any_crs(hub):
    hub.features = catalog_features()
    years = available_years(
        (8.9, 42.0, 9.1, 42.2),
        ClientCredentialsTokenProvider(CLIENT_ID, CLIENT_SECRET, token_url=hub.token_url),
        crs="EPSG:4326",
        base_url=hub.url,
        session=session(),
    )
    assert years == [2016]


def test_area_outside_france_is_a_clear_error(hub, guard):
    hub.features = catalog_features()
    madrid = (-3.8, 40.3, -3.6, 40.5)
    error = raised(
        guard,
        OutsideCoverage,
        lambda: client(hub).available_years(madrid, crs="EPSG:4326", last_year=2023),
    )
    assert "outside metropolitan France" in str(error)
    assert "OSO covers metropolitan France only" in str(error)
    assert len(hub.served(CATALOG_PATH)) == 1


def test_area_in_france_without_tiles_says_so(hub, guard):
    error = raised(
        guard,
        OutsideCoverage,
        lambda: client(hub).available_years((2.2, 48.8, 2.4, 48.9), crs="EPSG:4326"),
    )
    assert "holds no OSO tile" in str(error) and f"byoc-{COLLECTION_ID}" in str(error)


def test_tiles_without_dates_are_a_clear_error(hub, guard):
    undated = oso_feature(2020, SOUTH_FRANCE)
    undated["properties"] = {"datetime": None}
    hub.features = [undated]
    error = raised(
        guard,
        SentinelHubError,
        lambda: client(hub).available_years(SOUTH_FRANCE, crs="EPSG:4326"),
    )
    assert "none carries a date" in str(error)


def test_too_large_area_or_year_before_oso_fail_before_any_request(hub, out, guard):
    sh = client(hub, max_output_pixels=1000)
    error = raised(
        guard,
        CropMaskError,
        lambda: sh.fetch_oso((LEFT, TOP - 1000, LEFT + 1000, TOP), 2020, out / "o.tif"),
    )
    assert "100 x 100 px" in str(error) and "smaller area" in str(error)
    error = raised(
        guard,
        CropMaskError,
        lambda: sh.fetch_oso((LEFT, TOP - 10, LEFT + 10, TOP), 2015, out / "o.tif"),
    )
    assert "starts in 2016" in str(error)
    assert hub.requests == [] and list(out.iterdir()) == []


def test_fetch_outside_france_fails_before_any_request(hub, out, guard):
    # Lon/lat degrees given as if they were Lambert-93 metres.
    error = raised(
        guard,
        OutsideCoverage,
        lambda: client(hub).fetch_oso((2.0, 43.0, 3.0, 44.0), 2020, out / "oso.tif"),
    )
    assert "outside metropolitan France" in str(error) and "EPSG:2154" in str(error)
    assert hub.requests == [] and list(out.iterdir()) == []


def test_secrets_never_reach_logs_or_repr(hub, out, caplog, guard):
    hub.revoke_at = 1
    sh = client(hub)
    sh.fetch_oso((LEFT, TOP - 100.0, LEFT + 100.0, TOP), 2020, out / "oso.tif")
    guard.record(sh, sh.token_provider)
    assert token_grants(hub) == 2 and len(hub.issued) == 2
    assert "renewing it once" in caplog.text
    for secret in [CLIENT_SECRET, *hub.issued]:
        assert secret not in caplog.text and secret not in repr(sh)
