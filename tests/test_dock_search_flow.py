"""The dock's search flow as a user lives it, in real QGIS (offscreen), offline or on loopback:
the year list while it loads and when the source is unreachable, Search and Fetch enabled only
when they can succeed, a cut search told, the embedded sample, no socket left open, the
settings' width and the message bar's paths."""

import gc
import hashlib
import threading
import warnings
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsRectangle
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import QApplication, QTextBrowser

from servers.closing import closed_port, count_connections
from servers.range_host import RangeHost
from servers.stac_api import StacApiServer, cdse_item

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
AREA_3035 = QgsRectangle(3_851_000, 2_650_000, 3_855_000, 2_653_000)  # in the CLMS sample
EMPTY_3035 = QgsRectangle(3_901_000, 2_650_000, 3_905_000, 2_653_000)  # 50 km east: no tile
OSO_AREA_2154 = QgsRectangle(571_000, 6_276_000, 575_000, 6_279_000)  # in the OSO sample
WARNING = Qgis.MessageLevel.Warning


@pytest.fixture()
def dock(qgis_iface, qtbot, make_dock):
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3035"))
    canvas.setExtent(AREA_3035)
    widget = make_dock()
    qtbot.waitUntil(lambda: not widget.years_loading, timeout=10_000)
    qgis_iface.messageBar().clear_messages()
    return widget


def offered(dock):
    return [
        (dock.year_combo.itemText(i), dock.year_combo.itemData(i))
        for i in range(dock.year_combo.count())
    ]


def placeholder(combo):
    """The text ``combo`` shows in place of an item, checked to be painted (its picture differs
    from the one without it); None when it shows an item or nothing."""
    edit = combo.lineEdit()
    if combo.currentIndex() != -1 or edit is None or not edit.placeholderText():
        return None
    text = edit.placeholderText()
    with_text = combo.grab().toImage()
    edit.setPlaceholderText("")
    without = combo.grab().toImage()
    edit.setPlaceholderText(text)
    return text if with_text != without else None


def set_source(dock, url):
    dock.clms_source_edit.setText(url)
    dock.clms_source_edit.editingFinished.emit()


def search_and_wait(qtbot, dock):
    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.results_key is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not dock.cancel_button.isEnabled(), timeout=20_000)


# -- the year list ----------------------------------------------------------------------------


def test_while_the_years_load_the_box_says_so_and_search_waits(qtbot, dock, monkeypatch):
    from crop_confidence.plugin.gui import year_list

    started, release = threading.Event(), threading.Event()

    def slow_years(product, source, **options):  # noqa: ARG001
        started.set()
        release.wait(10)
        return (2021,), True

    monkeypatch.setattr(year_list, "available_years", slow_years)
    set_source(dock, (SAMPLE / "catalog.json").as_uri())  # the sample again, as a file: URI
    qtbot.waitUntil(started.is_set, timeout=10_000)
    assert dock.year_combo.count() == 0 and not dock.year_combo.isEnabled()
    assert placeholder(dock.year_combo) == "Loading…"
    assert not dock.search_button.isEnabled() and not dock.fetch_button.isEnabled()
    assert dock.fetch_button.toolTip() == "The list of years is loading."
    dock.search()  # asked anyway (a shortcut, a script): it waits for the years
    assert dock.progress_label.text() == "Waiting for the list of years…"
    assert dock.task is None  # nothing started yet
    release.set()
    qtbot.waitUntil(lambda: dock.results_tree.topLevelItemCount() == 1, timeout=20_000)
    assert offered(dock) == [("2021", 2021)] and dock.year_combo.isEnabled()
    assert dock.year_combo.currentText() == "2021" and placeholder(dock.year_combo) is None
    assert dock.results_tree.topLevelItem(0).text(0) == "E38N26"  # the sample's tile
    qtbot.waitUntil(dock.search_button.isEnabled, timeout=10_000)
    assert dock.fetch_button.isEnabled()


def test_an_unreachable_source_gives_one_message_and_the_known_years(
    qtbot, dock, qgis_iface, monkeypatch
):
    from crop_confidence.plugin.sources.years import _this_year

    attempts = count_connections(monkeypatch)
    source = f"http://127.0.0.1:{closed_port()}"
    set_source(dock, source)
    ended = []
    dock.year_task.taskCompleted.connect(lambda: ended.append("completed"))
    dock.year_task.taskTerminated.connect(lambda: ended.append("terminated"))
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    # The task ends as completed: QGIS adds no "Task failed" notice over the dock's message.
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    assert ended == ["completed"]
    assert attempts == ["127.0.0.1"]  # tried once, not retried
    reason = (
        "Cannot read the collection clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1: "
        f"Cannot reach the STAC service (Connection refused): {source}. Check the network "
        "connection, the proxy settings and the address."
    )
    assert qgis_iface.messageBar().get_messages(WARNING) == [
        f"Cannot list the years:{reason} The years offered are those the product may have, "
        "not checked."
    ]
    assert dock.year_status.text() == "(not checked: the source could not be read)"
    assert dock.year_status.isVisible() and dock.year_status.toolTip() == reason
    # The latest year CLMS Crop Types are known to have is selected; later ones say so.
    assert dock.year() == 2021
    later = [(f"{year} (not known yet)", year) for year in range(_this_year(), 2021, -1)]
    earlier = [(str(year), year) for year in range(2021, 2016, -1)]
    assert offered(dock) == later + earlier
    assert dock.search_button.isEnabled()
    set_source(dock, source)  # the same address again: unchecked years are asked again
    assert dock.years_loading
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    assert attempts == ["127.0.0.1", "127.0.0.1"] and dock.year() == 2021


# -- Fetch only when it can succeed -----------------------------------------------------------


def test_fetch_is_disabled_while_it_cannot_succeed(qtbot, dock, qgis_iface, monkeypatch):
    from crop_confidence.plugin.gui import year_list

    canvas = dock.canvas
    assert dock.fetch_button.isEnabled() and dock.fetch_button.toolTip() == ""
    # Nothing found: the sample has no tile 50 km east.
    canvas.setExtent(EMPTY_3035)
    assert dock.fetch_button.isEnabled()
    search_and_wait(qtbot, dock)
    assert qgis_iface.messageBar().get_messages(WARNING) == [
        "Nothing found:No product for 2021 over this area."
    ]
    assert not dock.fetch_button.isEnabled()
    assert dock.fetch_button.toolTip() == (
        "The search found nothing for this product, year and area."
    )
    assert dock.search_button.isEnabled()
    canvas.setExtent(AREA_3035)  # another area: it may have data
    assert dock.fetch_button.isEnabled()
    canvas.setExtent(EMPTY_3035)  # back where nothing was found
    assert not dock.fetch_button.isEnabled()
    listed = dock.year_task
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("ctycl"))  # another product
    assert dock.year_task is listed and not dock.years_loading  # of the same CLMS collection
    assert dock.fetch_button.isEnabled()

    # 0 km²: an area where the product has no data at all.
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    canvas.setExtent(QgsRectangle(-150.0, 10.0, -149.0, 11.0))  # the Pacific
    assert dock.area_label.text() == "The product has no data over this area."
    assert not dock.fetch_button.isEnabled()
    assert dock.fetch_button.toolTip() == (
        "The area lies outside where the product has data: choose another area."
    )
    canvas.setExtent(QgsRectangle(3.85, 46.79, 3.88, 46.82))  # in the sample, in France
    assert dock.fetch_button.isEnabled()

    # No year: the source lists none.
    monkeypatch.setattr(year_list, "available_years", lambda *_, **__: ((), True))
    set_source(dock, (SAMPLE / "catalog.json").as_uri())
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    assert dock.year() is None
    assert not dock.fetch_button.isEnabled() and dock.fetch_button.toolTip() == "Choose a year."


def test_a_cut_search_is_told_in_the_dock(qtbot, dock, qgis_iface, monkeypatch):
    from crop_confidence.plugin.sources import stac_search

    search_and_wait(qtbot, dock)  # the whole list: no warning
    assert dock.results_tree.topLevelItemCount() == 1 and dock.progress_label.text() == ""
    assert qgis_iface.messageBar().get_messages(WARNING) == []

    monkeypatch.setattr(stac_search, "DEFAULT_MAX_ITEMS", 2)  # E38N26: CTY and CTYCL items
    dock.results_key = None
    search_and_wait(qtbot, dock)
    assert dock.results_tree.topLevelItemCount() == 1
    text = (
        "The list is cut: the search stopped at 2 items, the most that is read, so tiles of "
        "the area may be missing. Search a smaller area."
    )
    assert dock.progress_label.text() == text
    assert dock.progress_label.isVisible() and dock.progress_label.wordWrap()
    assert qgis_iface.messageBar().get_messages(WARNING) == [f"Search incomplete:{text}"]


# -- the embedded sample ----------------------------------------------------------------------


def test_the_embedded_sample_is_one_click_away(qtbot, dock):
    from crop_confidence.plugin.qgis import settings

    set_source(dock, f"http://127.0.0.1:{closed_port()}")
    dock.oso_source_edit.setText(f"http://127.0.0.1:{closed_port()}")
    dock.oso_source_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    assert dock.year_status.text() == "(not checked: the source could not be read)"

    dock.settings_box.setCollapsed(False)
    dock.resize(dock.width(), 1400)  # the whole panel on the screen, where a click lands
    qtbot.waitUntil(dock.settings_box.sample_button.isVisible, timeout=5_000)
    qtbot.mouseClick(dock.settings_box.sample_button, Qt.MouseButton.LeftButton)
    catalog = str(SAMPLE / "catalog.json")
    assert Path(catalog).is_file()
    assert (dock.clms_source_edit.text(), dock.oso_source_edit.text()) == (catalog, catalog)
    assert dock.clms_source_edit.toolTip() == catalog
    assert (settings.value("clms_source_url"), settings.value("oso_source_url")) == (
        catalog,
        catalog,
    )
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    assert offered(dock) == [("2021", 2021)] and dock.year_status.text() == ""
    search_and_wait(qtbot, dock)
    row = dock.results_tree.topLevelItem(0)
    assert [row.text(c) for c in range(3)] == ["E38N26", "2021", "CTY + CTYCL"]

    dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    dock.canvas.setExtent(OSO_AREA_2154)
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("oso"))
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    assert offered(dock) == [("2021", 2021)]
    search_and_wait(qtbot, dock)
    row = dock.results_tree.topLevelItem(0)
    assert [row.text(c) for c in range(3)] == [
        "OSO_2021_sample",
        "2021",
        "OCS + Confidence + Validity",
    ]


# -- no socket left open ----------------------------------------------------------------------


@pytest.fixture()
def stac_over_http():
    """A loopback STAC API whose CTY/CTYCL assets sit on a range-capable open host."""
    host = RangeHost()
    items = []
    for layer in ("CTY", "CTYCL"):
        name = f"CLMS_HRLVLCC_{layer}_S2021_R10m_E38N26_03035_V01_R00.tif"
        host.add(f"/files/{name}", SAMPLE / name)
        items.append((cdse_item(layer, 2021, "E38N26", size=(SAMPLE / name).stat().st_size), name))
    host.start()
    for item, name in items:
        layer = "CTYCL" if "_CTYCL_" in name else "CTY"
        asset = item["assets"][f"{layer}_raster"]
        asset["alternate"]["https"]["href"] = host.url(f"/files/{name}")
        asset["alternate"]["https"]["auth:refs"] = []
        digest = hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest()
        asset["file:checksum"] = "1220" + digest
    with StacApiServer([item for item, _ in items]) as stac:
        yield stac, host
    host.stop()


def test_the_dock_tasks_leave_no_socket_open(qtbot, dock, stac_over_http):
    stac, host = stac_over_http
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        set_source(dock, stac.url)
        qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
        dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
        search_and_wait(qtbot, dock)
        assert dock.results_tree.topLevelItemCount() == 1
        qtbot.mouseClick(dock.fetch_button, Qt.MouseButton.LeftButton)  # a clip by range reads
        qtbot.waitUntil(lambda: dock.last_fetch is not None, timeout=30_000)
        assert host.bytes_sent > 0
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []


# -- the settings' width ----------------------------------------------------------------------


def path_widths(panel):
    fields = (panel.folder_widget, panel.clms_source_edit, panel.oso_source_edit)
    return [field.width() / panel.width() for field in fields]


def test_the_settings_paths_use_the_docks_width(qtbot, dock):
    from qgis.PyQt.QtWidgets import QVBoxLayout, QWidget

    from crop_confidence.plugin.gui.settings_panel import SettingsPanel

    # A dock 400 px wide: the panel in a 400 px column, as the dock's layout gives it.
    column = QWidget()
    qtbot.addWidget(column)
    panel = SettingsPanel(column)
    QVBoxLayout(column).addWidget(panel)
    panel.setCollapsed(False)
    column.resize(400, 700)
    column.show()
    qtbot.waitUntil(lambda: column.width() == 400 and panel.folder_widget.width() > 0)
    assert panel.width() >= 370
    assert min(path_widths(panel)) >= 0.6, path_widths(panel)

    # In the dock itself, at the narrowest it allows.
    dock.settings_box.setCollapsed(False)
    dock.resize(dock.minimumSizeHint().width(), 900)
    qtbot.waitUntil(lambda: dock.settings_box.folder_widget.width() > 0)
    QApplication.processEvents()
    assert min(path_widths(dock.settings_box)) >= 0.6, path_widths(dock.settings_box)


# -- the message bar's paths ------------------------------------------------------------------


def test_a_long_path_does_not_push_the_reason_out_of_the_message_bar(qtbot):
    from qgis.gui import QgsMessageBar

    from crop_confidence.plugin.gui.messages import show_message

    path = "/home/someone/.local/share/QGIS/QGIS3/profiles/default/python/plugins/crop_confidence"
    catalog = f"{path}/resources/sample/catalog.json"
    text = (
        "No CTY + CTYCL product for 2020 over the area (lon/lat 3.8239, 46.7871, 3.8961, "
        f"46.8368) in {catalog}. Check the year (2017 onward) and that the area is in the "
        "EEA-38 countries."
    )
    bar = QgsMessageBar()
    qtbot.addWidget(bar)
    bar.show()
    show_message(bar, "Fetch failed", text, Qgis.MessageLevel.Critical)
    item = bar.currentItem()
    assert item.text() == text.replace(catalog, "…/catalog.json")
    # "Show more" gives the full path.
    more = item.widget()
    assert more.defaultAction().text() == "Show more"
    seen = []

    def read_and_close():
        viewer = QApplication.activeModalWidget()
        seen.append(viewer.findChild(QTextBrowser).toPlainText())
        viewer.close()

    QTimer.singleShot(200, read_and_close)
    more.click()
    (shown,) = seen
    assert shown.endswith(f"Full paths:\n{catalog}")


def test_the_docks_messages_shorten_long_paths(qtbot, dock, qgis_iface, tmp_path):
    folder = tmp_path / "a folder with a long name" / "and another one"
    dock.product_combo.setCurrentIndex(dock.product_combo.findData("oso"))
    dock.oso_source_edit.setText(str(folder / "OCS_{year}.tif"))  # a raster per year
    dock.oso_source_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: not dock.years_loading, timeout=10_000)
    dock.year_combo.setCurrentIndex(dock.year_combo.findData(2021))
    search_and_wait(qtbot, dock)
    assert qgis_iface.messageBar().get_messages(WARNING) == [
        "Nothing found:No OSO 2021 raster at '…/OCS_2021.tif': the file does not exist."
    ]
