"""cropconfidence:fetch in real QGIS, against the static sample catalogue and loopback services
shaped like CDSE (STAC API, identity, download host) and Sentinel Hub."""

import logging
from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProject, QgsSettings

from rasters import L93_ORIGIN, read_raster, write_raster
from servers.cdse_identity import IdentityServer
from servers.range_host import RangeHost
from servers.sentinelhub import SentinelHubServer, oso_feature
from servers.stac_api import StacApiServer, cdse_item

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
CATALOG = SAMPLE / "catalog.json"
CTY_SAMPLE = SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"
CTYCL_SAMPLE = SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
OSO_SAMPLE = SAMPLE / "OSO_2021_sample.tif"
# 4 x 3 km inside the CLMS sample window: rows 212-512, columns 100-500.
CLMS_EXTENT = "3851000,3855000,2650000,2653000 [EPSG:3035]"
CLMS_WINDOW = np.s_[212:512, 100:500]
PASSWORD = "correct horse battery staple"
MASTER_PASSWORD = "crop-confidence-tests"


def run(parameters, feedback=None):
    import processing

    return processing.run("cropconfidence:fetch", parameters, feedback=feedback)


@pytest.fixture()
def auth_config():
    """Store a Basic configuration in the (test profile's) QGIS authentication database."""
    from crop_confidence.plugin.qgis.credentials import store_basic_config

    manager = QgsApplication.authManager()
    manager.setMasterPassword(MASTER_PASSWORD, True)
    created = []

    def create(username, password):
        created.append(store_basic_config("crop confidence test", username, password))
        return created[-1]

    yield create
    for config_id in created:
        manager.removeAuthenticationConfig(config_id)


@pytest.fixture()
def service_settings():
    """Point the token URLs at loopback servers for one test, then restore them."""
    from crop_confidence.plugin.qgis import settings

    saved = {key: settings.value(key) for key in settings.DEFAULTS}
    yield settings.set_value
    for key, value in saved.items():
        settings.set_value(key, value)


def test_static_catalogue_clipped_to_the_area(provider, tmp_path):  # noqa: ARG001
    result = run(
        {
            "PRODUCT": 0,
            "YEAR": 2021,
            "EXTENT": CLMS_EXTENT,
            "SOURCE_URL": str(CATALOG),
            "OUTPUT_FOLDER": str(tmp_path),
        }
    )
    assert result["ITEMS"] == 2
    assert result["VALIDITY_LAYER"] is None
    for key, sample in (("CLASS_LAYER", CTY_SAMPLE), ("CONFIDENCE_LAYER", CTYCL_SAMPLE)):
        clipped, profile = read_raster(result[key])
        expected, sample_profile = read_raster(sample)
        np.testing.assert_array_equal(clipped, expected[CLMS_WINDOW])
        assert (profile["transform"].c, profile["transform"].f) == (3_851_000, 2_653_000)
        assert profile["dtype"] == sample_profile["dtype"]
        assert profile["nodata"] == sample_profile["nodata"]
        assert profile["crs"].to_epsg() == 3035


def test_static_catalogue_whole_tiles_are_copied_byte_for_byte(provider, tmp_path):  # noqa: ARG001
    result = run(
        {
            "PRODUCT": 0,
            "YEAR": 2021,
            "EXTENT": CLMS_EXTENT,
            "SOURCE_URL": str(CATALOG),
            "CLIP_TO_EXTENT": False,
            "OUTPUT_FOLDER": str(tmp_path),
        }
    )
    assert Path(result["CLASS_LAYER"]).read_bytes() == CTY_SAMPLE.read_bytes()
    assert Path(result["CONFIDENCE_LAYER"]).read_bytes() == CTYCL_SAMPLE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [CTYCL_SAMPLE.name, CTY_SAMPLE.name]


def test_oso_from_the_static_catalogue_gives_one_layer_per_band(provider, tmp_path):  # noqa: ARG001
    result = run(
        {
            "PRODUCT": 2,
            "YEAR": 2021,
            "EXTENT": "571000,575000,6276000,6279000 [EPSG:2154]",
            "SOURCE_URL": str(CATALOG),
            "OUTPUT_FOLDER": str(tmp_path),
        }
    )
    for band, key in enumerate(("CLASS_LAYER", "CONFIDENCE_LAYER", "VALIDITY_LAYER"), start=1):
        layer, profile = read_raster(result[key])
        expected, _ = read_raster(OSO_SAMPLE, band)
        np.testing.assert_array_equal(layer, expected[100:400, 100:500])
        assert profile["count"] == 1
        assert (profile["transform"].c, profile["transform"].f) == (571_000, 6_279_000)


def test_no_product_for_the_year_is_a_clear_error(provider, tmp_path):  # noqa: ARG001
    with pytest.raises(QgsProcessingException, match="No CTY \\+ CTYCL product for 2019"):
        run(
            {
                "PRODUCT": 0,
                "YEAR": 2019,
                "EXTENT": CLMS_EXTENT,
                "SOURCE_URL": str(CATALOG),
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )
    assert list(tmp_path.iterdir()) == []


def test_extent_without_a_crs_is_a_clear_error(provider, tmp_path):  # noqa: ARG001
    from qgis.core import QgsCoordinateReferenceSystem, QgsProject

    project = QgsProject.instance()
    saved = project.crs()
    project.setCrs(QgsCoordinateReferenceSystem())  # nothing to fall back on, as in qgis_process
    try:
        with pytest.raises(QgsProcessingException, match="EXTENT: the area has no coordinate"):
            run(
                {
                    "PRODUCT": 0,
                    "YEAR": 2021,
                    "EXTENT": "3851000,3855000,2650000,2653000",
                    "SOURCE_URL": str(CATALOG),
                    "OUTPUT_FOLDER": str(tmp_path),
                }
            )
    finally:
        project.setCrs(saved)
    assert list(tmp_path.iterdir()) == []


def test_oso_nomenclature_and_year_must_agree(provider, tmp_path):  # noqa: ARG001
    with pytest.raises(QgsProcessingException, match="17-class nomenclature"):
        run(
            {
                "PRODUCT": 2,
                "YEAR": 2017,
                "EXTENT": "571000,575000,6276000,6279000 [EPSG:2154]",
                "SOURCE_URL": str(OSO_SAMPLE),
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )


def test_network_down_is_a_clear_error(provider, tmp_path):  # noqa: ARG001
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(QgsProcessingException, match=f"127.0.0.1:{port}"):
        run(
            {
                "PRODUCT": 1,
                "YEAR": 2021,
                "EXTENT": CLMS_EXTENT,
                "SOURCE_URL": f"http://127.0.0.1:{port}/v1",
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )


@pytest.fixture(autouse=True)
def code_prompts(monkeypatch):
    """Every one-time-code prompt a Processing run opens: (on the main thread, text); the
    user cancels it unless a test sets ``answer``."""
    import threading

    from crop_confidence.plugin.qgis import prompt as main_thread_prompt

    prompts = Prompts()

    def get_text(parent, title, label, *args, **kwargs):  # noqa: ARG001
        prompts.append((threading.current_thread() is threading.main_thread(), label))
        return (prompts.answer, True) if prompts.answer else ("", False)

    monkeypatch.setattr(main_thread_prompt.QInputDialog, "getText", get_text)
    return prompts


class Prompts(list):
    answer = None


@pytest.fixture()
def cdse(tmp_path):
    """Loopback CDSE: identity server, a range-capable download host, a STAC API whose items'
    https alternates point at the host and need a bearer token."""
    identity = IdentityServer()
    identity.add_user("alice", PASSWORD)
    identity.start()

    def bearer_is_valid(headers):
        value = headers.get("Authorization", "")
        return value.startswith("Bearer ") and identity.is_valid(value[len("Bearer ") :])

    host = RangeHost(auth_check=bearer_is_valid)
    host.add("/odata/cty.tif", CTY_SAMPLE)
    host.add("/odata/ctycl.tif", CTYCL_SAMPLE)
    host.start()
    items = []
    for layer, path in (("CTY", "/odata/cty.tif"), ("CTYCL", "/odata/ctycl.tif")):
        item = cdse_item(layer, 2021, "E38N26", size=Path(host.files[path]).stat().st_size)
        tif = item["assets"][f"{layer}_raster"]
        tif["alternate"]["https"]["href"] = host.url(path)
        del tif["file:checksum"]
        items.append(item)
    with StacApiServer(items) as stac:
        yield identity, host, stac
    host.stop()
    identity.stop()


def test_cdse_clip_with_credentials_from_the_auth_manager(
    provider,  # noqa: ARG001
    tmp_path,
    cdse,
    auth_config,
    service_settings,
    caplog,
):
    identity, host, stac = cdse
    service_settings("cdse_token_url", identity.token_url)
    config_id = auth_config("alice", PASSWORD)
    caplog.set_level(logging.DEBUG)
    result = run(
        {
            "PRODUCT": 0,
            "YEAR": 2021,
            "EXTENT": CLMS_EXTENT,
            "AUTH_CONFIG": config_id,
            "SOURCE_URL": stac.url,
            "OUTPUT_FOLDER": str(tmp_path / "out"),
        }
    )
    for key, sample in (("CLASS_LAYER", CTY_SAMPLE), ("CONFIDENCE_LAYER", CTYCL_SAMPLE)):
        np.testing.assert_array_equal(
            read_raster(result[key])[0], read_raster(sample)[0][CLMS_WINDOW]
        )
    assert identity.grants["password"] == 1
    assert result["BYTES_TRANSFERRED"] > 0
    assert result["BYTES_TRANSFERRED"] <= host.bytes_sent
    # The secrets stay in the auth database and in memory.
    secrets = {PASSWORD, *identity.issued}
    settings_file = Path(QgsSettings().fileName())
    QgsSettings().sync()
    stored = settings_file.read_text(encoding="utf-8", errors="replace")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    project_file = tmp_path / "project.qgs"
    project = QgsProject.instance()
    project.removeAllMapLayers()
    for key in ("CLASS_LAYER", "CONFIDENCE_LAYER"):
        from qgis.core import QgsRasterLayer

        project.addMapLayer(QgsRasterLayer(result[key], key))
    assert project.write(str(project_file))
    saved = project_file.read_text(encoding="utf-8")
    project.removeAllMapLayers()
    for secret in secrets:
        assert secret not in stored and secret not in logged and secret not in saved
        for path in (tmp_path / "out").iterdir():
            assert secret.encode() not in path.read_bytes()


def test_cdse_without_credentials_says_an_account_is_needed(provider, tmp_path, cdse):  # noqa: ARG001
    _, _, stac = cdse
    with pytest.raises(QgsProcessingException, match="need a Copernicus Data Space account"):
        run(
            {
                "PRODUCT": 1,
                "YEAR": 2021,
                "EXTENT": CLMS_EXTENT,
                "SOURCE_URL": stac.url,
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )
    assert list(tmp_path.iterdir()) == []
    assert not [r for r in cdse[1].requests if r.path.endswith(".tif")]


def test_cdse_wrong_password(provider, tmp_path, cdse, auth_config, service_settings, code_prompts):  # noqa: ARG001
    identity, _, stac = cdse
    service_settings("cdse_token_url", identity.token_url)
    config_id = auth_config("alice", "wrong " + PASSWORD)
    with pytest.raises(QgsProcessingException, match="rejected the user name or password") as error:
        run(
            {
                "PRODUCT": 1,
                "YEAR": 2021,
                "EXTENT": CLMS_EXTENT,
                "AUTH_CONFIG": config_id,
                "SOURCE_URL": stac.url,
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )
    assert PASSWORD not in str(error.value)
    # CDSE refuses a missing one-time code like a wrong password: the user was asked, and
    # cancelled.
    ((on_main_thread, text),) = code_prompts
    assert on_main_thread and text.startswith("CDSE refused the login.")


def test_two_factor_code_is_asked_on_the_main_thread_in_a_toolbox_run(
    provider,  # noqa: ARG001
    qtbot,
    tmp_path,
    cdse,
    auth_config,
    service_settings,
    code_prompts,
):
    """The toolbox runs the algorithm in a worker thread (QgsProcessingAlgRunnerTask)."""
    from qgis.core import (
        QgsProcessingAlgRunnerTask,
        QgsProcessingContext,
        QgsProcessingFeedback,
    )

    identity, _, stac = cdse
    identity.add_user("bob", PASSWORD, totp="482913")
    service_settings("cdse_token_url", identity.token_url)
    code_prompts.answer = "482913"
    algorithm = QgsApplication.processingRegistry().createAlgorithmById("cropconfidence:fetch")
    parameters = {
        "PRODUCT": 1,
        "YEAR": 2021,
        "EXTENT": CLMS_EXTENT,
        "AUTH_CONFIG": auth_config("bob", PASSWORD),
        "SOURCE_URL": stac.url,
        "OUTPUT_FOLDER": str(tmp_path / "out"),
    }
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
    outcome = []
    task.executed.connect(lambda ok, results: outcome.append((ok, results)))
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: bool(outcome), timeout=30_000)
    ((ok, results),) = outcome
    assert ok, feedback.textLog()
    assert code_prompts == [(True, "One-time code of your Copernicus account:")]
    assert identity.grants["password"] == 1
    np.testing.assert_array_equal(
        read_raster(results["CONFIDENCE_LAYER"])[0], read_raster(CTYCL_SAMPLE)[0][CLMS_WINDOW]
    )


def test_cdse_whole_tiles_download_with_bearer_and_resume_nothing_twice(
    provider,  # noqa: ARG001
    tmp_path,
    cdse,
    auth_config,
    service_settings,
):
    identity, host, stac = cdse
    service_settings("cdse_token_url", identity.token_url)
    config_id = auth_config("alice", PASSWORD)
    parameters = {
        "PRODUCT": 1,
        "YEAR": 2021,
        "EXTENT": CLMS_EXTENT,
        "AUTH_CONFIG": config_id,
        "SOURCE_URL": stac.url,
        "CLIP_TO_EXTENT": False,
        "OUTPUT_FOLDER": str(tmp_path),
    }
    first = run(parameters)
    assert Path(first["CONFIDENCE_LAYER"]).read_bytes() == CTYCL_SAMPLE.read_bytes()
    assert first["BYTES_TRANSFERRED"] == CTYCL_SAMPLE.stat().st_size
    second = run(parameters)
    assert second["BYTES_TRANSFERRED"] == 0


@pytest.fixture()
def sentinel_hub(tmp_path):
    rng = np.random.default_rng(4)
    shape = (300, 400)
    bands = [
        rng.integers(1, 24, shape).astype(np.uint8),
        rng.integers(1, 101, shape).astype(np.uint8),
        rng.integers(1, 46, shape).astype(np.uint8),
    ]
    fixture = write_raster(
        tmp_path / "fixture.tif", bands, "EPSG:2154", L93_ORIGIN, nodata=0, block=256
    )
    west, south, east, north = 1.38, 43.52, 1.45, 43.56
    hub = SentinelHubServer(
        fixture=fixture, features=[oso_feature(2021, [west, south, east, north])]
    )
    hub.add_client("client-id", "client-secret-value")
    hub.start()
    yield hub, bands
    hub.stop()


def test_oso_through_sentinel_hub(
    provider,  # noqa: ARG001
    tmp_path,
    sentinel_hub,
    auth_config,
    service_settings,
):
    hub, bands = sentinel_hub
    service_settings("sentinelhub_token_url", hub.token_url)
    config_id = auth_config("client-id", "client-secret-value")
    x0, y0 = L93_ORIGIN
    extent = f"{x0 + 1000},{x0 + 3000},{y0 - 2500},{y0 - 500} [EPSG:2154]"
    result = run(
        {
            "PRODUCT": 2,
            "YEAR": 2021,
            "EXTENT": extent,
            "AUTH_CONFIG": config_id,
            "SOURCE_URL": hub.url,
            "OUTPUT_FOLDER": str(tmp_path / "out"),
        }
    )
    for band, key in enumerate(("CLASS_LAYER", "CONFIDENCE_LAYER", "VALIDITY_LAYER")):
        layer, profile = read_raster(result[key])
        np.testing.assert_array_equal(layer, bands[band][50:250, 100:300])
        assert (profile["transform"].c, profile["transform"].f) == (x0 + 1000, y0 - 500)
    assert result["BYTES_TRANSFERRED"] > 0


def test_sentinel_hub_collection_id_comes_from_the_settings(
    provider,  # noqa: ARG001
    tmp_path,
    auth_config,
    service_settings,
):
    mirror = SentinelHubServer(
        fixture=str(OSO_SAMPLE),
        features=[oso_feature(2021, [1.3, 43.5, 1.55, 43.65])],
        collection_id="0000aaaa-mirror",
    )
    mirror.add_client("client-id", "client-secret-value")
    mirror.start()
    service_settings("sentinelhub_token_url", mirror.token_url)
    parameters = {
        "PRODUCT": 2,
        "YEAR": 2021,
        "EXTENT": "571000,575000,6276000,6279000 [EPSG:2154]",
        "AUTH_CONFIG": auth_config("client-id", "client-secret-value"),
        "SOURCE_URL": mirror.url,
        "OUTPUT_FOLDER": str(tmp_path / "out"),
    }
    try:
        with pytest.raises(QgsProcessingException, match="byoc-9baa2732-6597-49d2-ae3b"):
            run(parameters)  # the default: CNES's collection, which the mirror does not have
        service_settings("sentinelhub_collection_id", "0000aaaa-mirror")
        result = run(parameters)
    finally:
        mirror.stop()
    layer, _ = read_raster(result["CONFIDENCE_LAYER"])
    np.testing.assert_array_equal(layer, read_raster(OSO_SAMPLE, 2)[0][100:400, 100:500])
    processes = mirror.served("/api/v1/process", status=200)
    assert {served.body["input"]["data"][0]["type"] for served in processes} == {
        "byoc-0000aaaa-mirror"
    }


def test_oso_direct_raster_url_with_year_placeholder(provider, tmp_path):  # noqa: ARG001
    host = RangeHost()
    host.add("/TheiaOSO/OCS_2021_CESBIO.tif", OSO_SAMPLE)
    host.start()
    try:
        url = host.url("/TheiaOSO/OCS_{year}_CESBIO.tif")
        result = run(
            {
                "PRODUCT": 2,
                "YEAR": 2021,
                "EXTENT": "571000,575000,6276000,6279000 [EPSG:2154]",
                "SOURCE_URL": url,
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )
    finally:
        host.stop()
    layer, _ = read_raster(result["CONFIDENCE_LAYER"])
    np.testing.assert_array_equal(layer, read_raster(OSO_SAMPLE, 2)[0][100:400, 100:500])
    assert 0 < result["BYTES_TRANSFERRED"] < OSO_SAMPLE.stat().st_size


def test_server_without_range_reads_falls_back_to_a_whole_download(provider, tmp_path):  # noqa: ARG001
    host = RangeHost()
    host.ranges = False
    host.add("/TheiaOSO/OCS_2021_CESBIO.tif", OSO_SAMPLE)
    host.start()
    try:
        result = run(
            {
                "PRODUCT": 2,
                "YEAR": 2021,
                "EXTENT": "571000,575000,6276000,6279000 [EPSG:2154]",
                "SOURCE_URL": host.url("/TheiaOSO/OCS_2021_CESBIO.tif"),
                "OUTPUT_FOLDER": str(tmp_path),
            }
        )
    finally:
        host.stop()
    layer, _ = read_raster(result["VALIDITY_LAYER"])
    np.testing.assert_array_equal(layer, read_raster(OSO_SAMPLE, 3)[0][100:400, 100:500])
    assert result["BYTES_TRANSFERRED"] >= OSO_SAMPLE.stat().st_size
    assert (tmp_path / "whole" / "OCS_2021_CESBIO.tif").read_bytes() == OSO_SAMPLE.read_bytes()


def help_markers():
    """For each OSO source kind, in the order source_kind checks them: (kind, an address of
    that kind, what the help names in any language, its English words), from the rule's own
    constants."""
    from crop_confidence.plugin.sources import addresses, sentinelhub

    return [
        ("sentinelhub", "", [sentinelhub.DEFAULT_BASE_URL], ["empty"]),
        ("raster", "/data/OCS_{year}.tif", [".tif,", ".tiff", ".vrt", "'|'",
                                             "OCS|OCS_Confidence|OCS_Validity", "{year}"],
         ["3-band"]),
        ("stac", "/data/catalog.json", [".json", "catalog.json"], ["static STAC catalogue"]),
        ("sentinelhub", "https://host", [f"*.{addresses.SENTINEL_HUB_DOMAIN}",
                                         *addresses.SENTINEL_HUB_HOSTS, "https://host",
                                         addresses.SENTINEL_HUB_API], ["Sentinel Hub base URL"]),
        ("stac", "https://mirror.example.org/stac/v1", ["https://mirror.example.org/stac/v1"],
         ["STAC API root"]),
    ]  # fmt: skip


def oso_rule_lines(text):
    """The '- ' lines of the help's paragraph on sources."""
    (sources,) = [paragraph for paragraph in text.split("\n\n") if "SOURCE_URL" in paragraph]
    return [line for line in sources.splitlines() if line.startswith("- ")]


def test_help_names_every_oso_source_kind_in_the_rule_order(provider):
    from crop_confidence.plugin.sources.fetch import OSO_STAC_COLLECTION, source_kind

    text = provider.algorithm("fetch").shortHelpString()
    lines = oso_rule_lines(text)
    assert len(lines) == len(help_markers())
    for line, (kind, address, markers, words) in zip(lines, help_markers()):
        assert source_kind("oso23", address) == kind
        for marker in [*markers, *words]:
            assert marker in line, (marker, line)
    assert f"collection '{OSO_STAC_COLLECTION}'" in text


def test_french_help_names_every_oso_source_kind():
    import xml.etree.ElementTree as ET

    root = ET.parse(ROOT / "i18n" / "crop_confidence_fr.ts").getroot()
    (translation,) = [
        message.findtext("translation")
        for message in root.iter("message")
        if message.findtext("source", "").startswith("Finds the CLMS Crop Types")
    ]
    from crop_confidence.plugin.qgis.i18n import with_facts

    lines = oso_rule_lines(with_facts(translation))  # as the algorithm shows it
    assert len(lines) == len(help_markers())
    for line, (_, _, markers, _) in zip(lines, help_markers()):
        for marker in markers:
            assert marker in line, (marker, line)
