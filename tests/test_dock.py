"""The dock driven like a user would, in real QGIS (offscreen), against loopback services."""

import csv
import hashlib
import time
from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import Qt, QTimer

from rasters import L93_ORIGIN, write_raster
from servers.range_host import RangeHost
from servers.sentinelhub import SentinelHubServer, oso_feature
from servers.stac_api import StacApiServer, cdse_item

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
AREA_3035 = QgsRectangle(3_851_000, 2_650_000, 3_855_000, 2_653_000)


def nomenclature(table):
    with open(ROOT / "resources" / "nomenclature.csv", encoding="utf-8") as handle:
        return {
            int(row["code"]): row
            for row in csv.DictReader(handle)
            if row["product"] == table and row["color"]
        }


@pytest.fixture()
def dock(qgis_iface, make_dock):
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3035"))
    canvas.setExtent(AREA_3035)
    return make_dock()


@pytest.fixture()
def stac_over_http():
    """A loopback STAC API whose CTY/CTYCL assets sit on a range-capable open host."""
    host = RangeHost()
    items = []
    for layer in ("CTY", "CTYCL"):
        name = f"CLMS_HRLVLCC_{layer}_S2021_R10m_E38N26_03035_V01_R00.tif"
        host.add(f"/files/{name}", SAMPLE / name)
        item = cdse_item(layer, 2021, "E38N26", size=(SAMPLE / name).stat().st_size)
        items.append((item, layer, name))
    host.start()
    for item, layer, name in items:
        asset = item["assets"][f"{layer}_raster"]
        asset["alternate"]["https"]["href"] = host.url(f"/files/{name}")
        asset["alternate"]["https"]["auth:refs"] = []
        digest = hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest()
        asset["file:checksum"] = "1220" + digest  # sha2-256 multihash, as CDSE gives
    with StacApiServer([item for item, _, _ in items]) as stac:
        yield stac, host
    host.stop()


def wait_for_task(qtbot, dock, timeout=30_000):
    qtbot.waitUntil(
        lambda: dock.task is not None and dock.fetch_button.isEnabled(), timeout=timeout
    )


def test_product_area_search_results_fetch_layers(qtbot, dock, stac_over_http, monkeypatch):
    import processing

    stac, host = stac_over_http
    dock.clms_source_edit.setText(stac.url)
    dock.clms_source_edit.editingFinished.emit()
    # The sample catalogue offered 2021 only; the API's collection starts in 2017.
    qtbot.waitUntil(lambda: dock.year_combo.findData(2017) >= 0, timeout=10_000)
    years = [dock.year_combo.itemData(i) for i in range(dock.year_combo.count())]
    assert years[-1] == 2017 and 2021 in years  # the collection's temporal extent
    dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("cty_ctycl"))
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
    assert dock.area_label.text() == "Choose an area."
    qtbot.mouseClick(dock.draw_button, Qt.MouseButton.LeftButton)
    assert dock.canvas.mapTool() is dock.map_tool
    dock.map_tool.extentChanged.emit(AREA_3035)  # what dragging a rectangle emits
    # EPSG:3035 is equal-area: 4 x 3 km is 12 km²; 120 000 px x 3 bytes x 0.3.
    assert dock.area_label.text() == "12.00 km², about 108.0 kB to download"

    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.results_tree.topLevelItemCount() == 1, timeout=20_000)
    row = dock.results_tree.topLevelItem(0)
    size = sum(path.stat().st_size for path in host.files.values())
    assert [row.text(0), row.text(1), row.text(2)] == ["E38N26", "2021", "CTY + CTYCL"]
    assert row.text(3) == f"{size / 1000:.1f} kB"
    assert len(dock.footprints) == 1

    qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)
    # The user browses on while it runs: the group still names what was fetched.
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("ctycl"))
    wait_for_task(qtbot, dock)
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("cty_ctycl"))
    root = QgsProject.instance().layerTreeRoot()
    (group,) = root.children()
    assert group.name() == "CTY 2021 – 3851–3855 km E, 2650–2653 km N"
    layers = {node.layer().name().split()[0]: node.layer() for node in group.findLayers()}
    assert set(layers) == {"CTY", "CTYCL"}
    assert host.bytes_sent > 0
    assert dock.mask_button.isEnabled()

    cty_colours = {int(c.value): c.color.name() for c in layers["CTY"].renderer().classes()}
    for code, entry in nomenclature("cty").items():
        assert cty_colours[code] == entry["color"], code
    assert layers["CTYCL"].renderer().type() == "singlebandpseudocolor"

    opened = []
    monkeypatch.setattr(
        processing, "execAlgorithmDialog", lambda alg, params: opened.append((alg, params))
    )
    dock.confidence_spin.setValue(65)
    qtbot.mouseClick(dock.mask_button, Qt.MouseButton.LeftButton)
    folder = Path(layers["CTYCL"].source()).parent  # the mask is written next to its inputs
    assert opened == [
        (
            "cropconfidence:cropmask",
            {
                "PRODUCT": 0,
                "MIN_CONFIDENCE": 65,
                "THREADS": dock.threads_spin.value(),
                "CLASS_LAYER": layers["CTY"].id(),
                "CONFIDENCE_LAYER": layers["CTYCL"].id(),
                "OUTPUT": str(folder / f"crop_mask_cty_ctycl_2021_{folder.name[15:]}.tif"),
            },
        )
    ]

    dock.close()
    assert dock.footprints == []


def test_cancel_midway_keeps_the_ui_responsive_and_leaves_no_file(
    qtbot,
    dock,
    tmp_path,
    auth_config_store,
):
    rng = np.random.default_rng(8)
    bands = [rng.integers(1, 24, (600, 600)).astype(np.uint8) for _ in range(3)]
    fixture = write_raster(tmp_path / "fixture.tif", bands, "EPSG:2154", L93_ORIGIN, nodata=0)
    hub = SentinelHubServer(
        fixture=fixture,
        features=[oso_feature(2021, [1.30, 43.50, 1.55, 43.65])],
        max_size=100,
        delay=0.5,
    )
    hub.add_client("client-id", "client-secret-value")
    hub.start()
    from crop_confidence.plugin.qgis import settings

    saved = settings.value("sentinelhub_token_url")
    settings.set_value("sentinelhub_token_url", hub.token_url)
    try:
        dock.product_combo.setCurrentIndex(dock.product_combo.findData("oso"))
        dock.oso_source_edit.setText(hub.url)
        dock.oso_source_edit.editingFinished.emit()
        # Without credentials the years are not checked: 2016 to this year.
        qtbot.waitUntil(lambda: dock.year_combo.findData(2016) >= 0, timeout=10_000)
        assert dock.year_status.text() == "(not checked)"
        canvas = dock.canvas
        canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
        x0, y0 = L93_ORIGIN
        canvas.setExtent(QgsRectangle(x0, y0 - 5000, x0 + 5000, y0))
        # With credentials, Sentinel Hub's catalogue says which years cover the area.
        dock.auth_select.setConfigId(auth_config_store("client-id", "client-secret-value"))
        qtbot.waitUntil(lambda: dock.year_combo.count() == 1, timeout=10_000)
        assert dock.year_combo.itemData(0) == 2021 and dock.year_status.text() == ""
        assert len(hub.served("/api/v1/catalog/1.0.0/search")) >= 1

        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(50)
        qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(hub.served("/api/v1/process")) >= 1, timeout=10_000)
        # The canvas still pans while the fetch runs.
        before = canvas.extent()
        canvas.setExtent(QgsRectangle(x0 + 100, y0 - 4900, x0 + 5100, y0 + 100))
        assert canvas.extent() != before
        qtbot.mouseClick(dock.cancel_button, Qt.MouseButton.LeftButton)
        wait_for_task(qtbot, dock)
        timer.stop()
        assert len(ticks) >= 5  # the event loop ran during the fetch
        assert dock.progress_label.text() == "Cancelled."
        downloads = tmp_path / "downloads"
        leftovers = [p for p in downloads.rglob("*") if p.is_file()] if downloads.exists() else []
        assert leftovers == []
        assert QgsProject.instance().mapLayers() == {}
    finally:
        settings.set_value("sentinelhub_token_url", saved)
        hub.stop()


@pytest.fixture()
def auth_config_store():
    from qgis.core import QgsApplication

    from crop_confidence.plugin.qgis.credentials import store_basic_config

    manager = QgsApplication.authManager()
    manager.setMasterPassword("crop-confidence-tests", True)
    created = []

    def create(user, secret):
        created.append(store_basic_config("dock test", user, secret))
        return created[-1]

    yield create
    for config_id in created:
        manager.removeAuthenticationConfig(config_id)


@pytest.mark.parametrize(
    ("missing_totp", "prompt"),
    [
        ("Missing parameter: totp", "One-time code of your Copernicus account:"),
        ("Invalid user credentials", "CDSE refused the login. If your Copernicus account uses"),
    ],
)
def test_two_factor_code_is_asked_on_the_main_thread(
    qtbot, dock, stac_over_http, auth_config_store, monkeypatch, missing_totp, prompt
):
    import threading

    from crop_confidence.plugin.qgis import prompt as main_thread_prompt
    from crop_confidence.plugin.qgis import settings
    from servers.cdse_identity import IdentityServer

    stac, host = stac_over_http
    identity = IdentityServer(missing_totp=missing_totp)
    identity.add_user("bob", "pw-of-bob", totp="123456")
    identity.start()

    def bearer_is_valid(headers):
        value = headers.get("Authorization", "")
        return identity.is_valid(value.removeprefix("Bearer "))

    host.auth_check = bearer_is_valid
    for item in stac.items:  # the files now need the account
        for asset in item["assets"].values():
            if "alternate" in asset:
                asset["alternate"]["https"]["auth:refs"] = ["oidc"]
    asked = []

    def answer(parent, title, label, *args, **kwargs):  # noqa: ARG001
        asked.append((threading.current_thread() is threading.main_thread(), label))
        return "123456", True

    monkeypatch.setattr(main_thread_prompt.QInputDialog, "getText", answer)
    saved = settings.value("cdse_token_url")
    settings.set_value("cdse_token_url", identity.token_url)
    try:
        dock.clms_source_edit.setText(stac.url)
        dock.clms_source_edit.editingFinished.emit()
        qtbot.waitUntil(lambda: dock.year_combo.findData(2017) >= 0, timeout=10_000)
        dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
        dock.product_combo.setCurrentIndex(dock.product_combo.findData("ctycl"))
        dock.auth_select.setConfigId(auth_config_store("bob", "pw-of-bob"))
        dock.area_combo.setCurrentIndex(dock.area_combo.findData("drawn"))
        dock.set_drawn_area(AREA_3035)
        qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)
        wait_for_task(qtbot, dock)
        ((on_main_thread, label),) = asked
        assert on_main_thread and label.startswith(prompt)
        assert identity.grants["password"] == 1
        layers = QgsProject.instance().mapLayers().values()
        assert [layer.name().split()[0] for layer in layers] == ["CTYCL"]
    finally:
        settings.set_value("cdse_token_url", saved)
        identity.stop()


def test_area_from_a_layer_and_from_its_selected_features(dock):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:3035", "fields", "memory")
    features = []
    for x in (3_851_000, 3_860_000):  # two 1 x 1 km squares, 9 km apart
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, 2_650_000, x + 1000, 2_651_000)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    QgsProject.instance().addMapLayer(layer)
    dock.layer_combo.setLayer(layer)
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("layer"))
    assert dock.area_label.text().startswith("10.00 km²")  # 10 x 1 km bounding box
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("selection"))
    assert dock.area_label.text() == "Choose an area."
    layer.selectByIds([next(layer.getFeatures()).id()])
    dock.update_area_label()
    assert dock.area_label.text().startswith("1.00 km²")


def sized(size):
    from crop_confidence.plugin.sources.search import SearchRow

    return SearchRow(tile="E38N26", year=2021, layers="CTY + CTYCL", size=size, bbox=None)


def test_whole_tiles_ask_for_confirmation_above_the_threshold(dock, monkeypatch):
    from crop_confidence.plugin.gui import fetch_actions as dock_module

    dock.results = [sized(700_000_000), sized(200_000_000)]
    dock.results_key = dock.search_key()  # as if searched for this product, year and area
    dock.confirm_spin.setValue(500)
    dock.clip_check.setChecked(False)
    asked = []

    def refuse(parent, title, text, *args):  # noqa: ARG001
        asked.append(text)
        return dock_module.QMessageBox.StandardButton.No

    monkeypatch.setattr(dock_module.QMessageBox, "question", refuse)
    assert dock.confirm_whole_download() is False
    assert asked == ["Whole tiles: about 900.0 MB will be downloaded. Continue?"]
    dock.results = [sized(700_000_000)]
    dock.area_combo.setCurrentIndex(dock.area_combo.findData("canvas"))
    dock.start_fetch()  # refused: nothing starts
    assert len(asked) == 2
    assert dock.task is None or dock.task.description() != "Crop Confidence: fetch"
    dock.results = [sized(100_000_000)]
    assert dock.confirm_whole_download() is True and len(asked) == 2

    # Results of another area, year or product never vouch for a download.
    dock.canvas.setExtent(QgsRectangle(3_900_000, 2_650_000, 3_904_000, 2_653_000))
    assert dock.confirm_whole_download() is False
    assert asked[-1].startswith("Whole tiles of unknown size will be downloaded")
    dock.canvas.setExtent(AREA_3035)
    assert dock.confirm_whole_download() is True and len(asked) == 3
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("ctycl"))
    assert (dock.results, dock.results_key) == ([], None)
    assert dock.confirm_whole_download() is False and len(asked) == 4


def test_whole_tiles_are_not_downloaded_again_after_a_pan(qtbot, dock, stac_over_http, monkeypatch):
    from crop_confidence.plugin.gui import fetch_actions as dock_module

    stac, host = stac_over_http
    monkeypatch.setattr(
        dock_module.QMessageBox, "question", lambda *_: dock_module.QMessageBox.StandardButton.Yes
    )
    dock.clms_source_edit.setText(stac.url)
    dock.clms_source_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: dock.year_combo.findData(2017) >= 0, timeout=10_000)
    dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
    dock.clip_check.setChecked(False)
    sent = []
    for shift in (0, 10):  # the user pans the map by 10 m between two fetches
        dock.canvas.setExtent(
            QgsRectangle(3_851_000 + shift, 2_650_000, 3_855_000 + shift, 2_653_000)
        )
        before = host.bytes_sent
        qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)
        wait_for_task(qtbot, dock)
        sent.append(host.bytes_sent - before)
    whole = sum(path.stat().st_size for path in host.files.values())
    assert sent == [whole, 0]
    groups = QgsProject.instance().layerTreeRoot().children()
    assert [len(group.findLayers()) for group in groups] == [2, 2]


def test_each_service_keeps_its_own_credentials(qtbot, dock, auth_config_store):
    from qgis.core import QgsSettings

    from crop_confidence.plugin.qgis import settings
    from servers.sentinelhub import TOKEN_PATH

    hub = SentinelHubServer(
        fixture=None,
        features=[oso_feature(2019, [-10.0, 35.0, 20.0, 60.0])],  # around the dock area
        collection_id="0000bbbb-mirror",
    )
    hub.add_client("hub-client-id", "hub-client-secret")
    hub.start()
    keys = ("sentinelhub_token_url", "oso_source_url", "sentinelhub_collection_id")
    saved = {key: settings.value(key) for key in keys}
    settings.set_value("sentinelhub_token_url", hub.token_url)
    try:
        dock.oso_source_edit.setText(hub.url)
        dock.collection_edit.setText("0000bbbb-mirror")  # a mirror's BYOC collection
        dock.collection_edit.editingFinished.emit()
        cdse = auth_config_store("alice@example.com", "cdse-password-of-alice")
        dock.auth_select.setConfigId(cdse)
        # Looking at OSO must not hand the CDSE password to Sentinel Hub.
        dock.product_combo.setCurrentIndex(dock.product_combo.findData("oso"))
        assert dock.auth_select.configId() == ""
        qtbot.waitUntil(lambda: dock.year_combo.count() > 0, timeout=10_000)
        qtbot.wait(500)
        assert hub.served(TOKEN_PATH) == []

        client = auth_config_store("hub-client-id", "hub-client-secret")
        dock.auth_select.setConfigId(client)
        qtbot.waitUntil(lambda: len(hub.served(TOKEN_PATH)) == 1, timeout=10_000)
        (token_request,) = hub.served(TOKEN_PATH)
        assert token_request.body["client_id"] == "hub-client-id"

        # The years over the area come from the mirror's collection: 2019 only.
        def offered():
            return [dock.year_combo.itemData(i) for i in range(dock.year_combo.count())]

        qtbot.waitUntil(lambda: offered() == [2019], timeout=10_000)
        assert dock.year_status.text() == ""  # checked by the source, not the defaults
        assert settings.value("sentinelhub_collection_id") == "0000bbbb-mirror"

        dock.product_combo.setCurrentIndex(dock.product_combo.findData("cty_ctycl"))
        assert dock.auth_select.configId() == cdse
        dock.product_combo.setCurrentIndex(dock.product_combo.findData("oso"))
        assert dock.auth_select.configId() == client
        assert settings.value("cdse_auth_config") == cdse
        assert settings.value("sentinelhub_auth_config") == client
        stored = QgsSettings()
        values = [str(stored.value(key)) for key in stored.allKeys()]
        assert not [v for v in values if "password-of-alice" in v or "client-secret" in v]
    finally:
        for key, value in saved.items():
            settings.set_value(key, value)
        for key in ("cdse_auth_config", "sentinelhub_auth_config"):
            settings.set_value(key, "")
        hub.stop()


def test_fetch_context_s3_keys_for_clms_only_and_no_silent_whole_files(
    qtbot, dock, auth_config_store, monkeypatch
):
    from crop_confidence.plugin.gui import fetch_actions as dock_module
    from crop_confidence.plugin.qgis import settings

    seen = []

    def fake_fetch(request, context):
        seen.append((request.product, context.s3_credentials, context.whole_fallback))
        raise RuntimeError("stop here")

    monkeypatch.setattr(dock_module, "fetch", fake_fetch)
    settings.set_value("s3_auth_config", auth_config_store("AKIDEXAMPLE", "s3-secret-key"))
    try:
        for family in ("cty_ctycl", "oso"):
            dock.product_combo.setCurrentIndex(dock.product_combo.findData(family))
            qtbot.waitUntil(lambda: dock.year_combo.count() > 0, timeout=10_000)
            dock.start_fetch()
            wait_for_task(qtbot, dock)
    finally:
        settings.set_value("s3_auth_config", "")
    assert seen == [
        ("cty_ctycl", {"access_key": "AKIDEXAMPLE", "secret_key": "s3-secret-key"}, False),
        (dock.product_key(), None, False),  # whole files only through the confirmation
    ]


def test_year_list_goes_through_the_qgis_proxy(qtbot, dock, monkeypatch):
    from crop_confidence.plugin.gui import year_list as dock_module

    proxy = {"http": "http://127.0.0.1:3128", "https": "http://127.0.0.1:3128"}
    calls = []

    def years(product, source, **options):
        calls.append((product, options.get("proxies"), callable(options.get("is_cancelled"))))
        return (2021,), True

    monkeypatch.setattr(dock_module, "qgis_proxies", lambda: proxy)
    monkeypatch.setattr(dock_module, "available_years", years)
    dock.year_combo.clear()
    dock.refresh_years()
    qtbot.waitUntil(lambda: dock.year_combo.count() == 1, timeout=10_000)
    assert calls == [("cty_ctycl", proxy, True)]


def test_oso_search_lists_the_sentinel_hub_tiles_of_the_year(qtbot, dock, auth_config_store):
    from crop_confidence.plugin.qgis import settings

    tiles = [
        oso_feature(2021, (1.0, 43.0, 1.4, 44.0), "31TCJ"),
        oso_feature(2021, (1.4, 43.0, 2.0, 44.0), "31TDJ"),
    ]
    hub = SentinelHubServer(features=[*tiles, oso_feature(2020, (1.0, 43.0, 2.0, 44.0))])
    hub.add_client("client-id", "client-secret-value")
    saved = settings.value("sentinelhub_token_url")
    try:
        with hub:
            settings.set_value("sentinelhub_token_url", hub.token_url)
            dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
            dock.canvas.setExtent(QgsRectangle(1.30, 43.50, 1.55, 43.65))
            dock.product_combo.setCurrentIndex(dock.product_combo.findData("oso"))
            dock.oso_source_edit.setText(hub.url)
            dock.oso_source_edit.editingFinished.emit()
            dock.auth_select.setConfigId(auth_config_store("client-id", "client-secret-value"))
            qtbot.waitUntil(lambda: dock.year_combo.count() == 2, timeout=10_000)
            dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
            qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: dock.results_tree.topLevelItemCount() == 2, timeout=10_000)
            shown = [
                [dock.results_tree.topLevelItem(i).text(c) for c in range(4)] for i in range(2)
            ]
            layers = "OCS + Confidence + Validity"
            assert shown == [[t["id"], "2021", layers, "unknown size"] for t in tiles]
            assert len(dock.footprints) == 2
            assert dock.search_button.isEnabled() and not dock.cancel_button.isEnabled()
    finally:
        settings.set_value("sentinelhub_token_url", saved)
        settings.set_value("sentinelhub_auth_config", "")


def test_a_slow_search_can_be_cancelled(qtbot, dock, stac_over_http):
    stac, _ = stac_over_http
    dock.clms_source_edit.setText(stac.url)
    dock.clms_source_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: dock.year_combo.findData(2017) >= 0, timeout=10_000)
    dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
    stac.add_fault("/search", 200, delay=3.0)  # the search answers late
    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    assert dock.cancel_button.isEnabled() and not dock.search_button.isEnabled()
    qtbot.mouseClick(dock.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.search_button.isEnabled(), timeout=10_000)
    assert dock.progress_label.text() == "Search cancelled."
    assert dock.results_tree.topLevelItemCount() == 0 and dock.results_key is None
    assert not dock.cancel_button.isEnabled() and dock.fetch_button.isEnabled()


def test_only_the_latest_year_list_is_shown(qtbot, dock, monkeypatch):
    import threading

    from crop_confidence.plugin.gui import year_list as dock_module

    first_started, release_first = threading.Event(), threading.Event()

    def years(product, source, **options):  # noqa: ARG001
        if source == "slow":
            first_started.set()
            release_first.wait(10)
            return (2017, 2018), True
        return (2021, 2022), True

    monkeypatch.setattr(dock_module, "available_years", years)
    monkeypatch.setattr(dock, "source_url", lambda: "slow")
    dock.refresh_years()
    first, ended = dock.year_task, []
    first.taskCompleted.connect(lambda: ended.append("completed"))
    first.taskTerminated.connect(lambda: ended.append("terminated"))
    qtbot.waitUntil(first_started.is_set, timeout=10_000)
    monkeypatch.setattr(dock, "source_url", lambda: "fast")
    dock.refresh_years()
    assert first.isCanceled()

    def offered():
        return [dock.year_combo.itemData(i) for i in range(dock.year_combo.count())]

    qtbot.waitUntil(lambda: offered() == [2022, 2021], timeout=10_000)
    release_first.set()  # the older answer arrives last
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    qtbot.wait(100)
    assert offered() == [2022, 2021]


def authalic_area_km2(west, south, east, north):
    """Area of a longitude/latitude rectangle on the WGS 84 ellipsoid (authalic latitude)."""
    a, f = 6_378_137.0, 1 / 298.257223563
    e = np.sqrt(f * (2 - f))

    def q(lat):
        s = np.sin(np.radians(lat))
        return (1 - e**2) * (s / (1 - (e * s) ** 2) - np.log((1 - e * s) / (1 + e * s)) / (2 * e))

    return a**2 * np.radians(east - west) * (q(north) - q(south)) / 2 / 1e6


def test_a_world_wide_area_counts_where_the_product_has_data(dock):
    from crop_confidence.plugin.sources.coverage import COVERAGE_4326

    dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    dock.canvas.setExtent(QgsRectangle(-180, -90, 180, 90))
    for family, text in (("cty_ctycl", "CLMS"), ("oso", "OSO")):
        dock.product_combo.setCurrentIndex(dock.product_combo.findData(family))
        expected = sum(authalic_area_km2(*box) for box in COVERAGE_4326[text.lower()])
        label = dock.area_label.text()
        number, _, rest = label.partition(" km² ")
        assert rest.startswith("where the product has data, about "), label
        assert float(number.replace(",", "")) == pytest.approx(expected, rel=2e-3), text
        assert not rest.endswith("about 0 B to download")


def test_the_dock_calls_no_deprecated_qgis_api(qgis_iface, qtbot, offline_sources):  # noqa: ARG001
    """QGIS >= 3.34 deprecates setFilters() with an int (what | of two Qgis.LayerFilter
    gives); the matrix (3.40, 3.44) runs this where the deprecations exist."""
    import warnings

    from crop_confidence.plugin.gui.dock import CropConfidenceDock

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        widget = CropConfidenceDock(qgis_iface)
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitUntil(lambda: widget.year_combo.count() > 0, timeout=10_000)
        widget.cancel_all()
        widget.close()
    ours = [
        f"{w.filename}:{w.lineno}: {w.message}"
        for w in caught
        if issubclass(w.category, DeprecationWarning) and "/plugin/" in w.filename
    ]
    assert ours == []
