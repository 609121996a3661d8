"""Run inside the QGIS desktop (`qgis --code tools/review_dialogs.py`, see `make review`).

The layout review of issue 14: every Processing dialog of the provider `cropconfidence` (its
algorithms and the shipped models), then the dock with its Settings collapsed and expanded,
each grabbed into $CROP_CONFIDENCE_REVIEW (build/review/<language>-<size>/) as <id>.png.

cut.txt, next to the pictures, lists for each picture every visible QLabel, QCheckBox and
QRadioButton whose text does not fit:
- a word-wrapped label whose text needs more height than it has at its width;
- any other label, check box or radio button whose text (QFontMetrics, one line) is wider
  than the room the widget has for it;
- a widget that reaches past the right edge of the scroll area that shows it;
and every scroll area that shows a horizontal scroll bar (the content is wider than the
dialog), with the widgets that ask for the most width. In a dialog, a text that is none of the
algorithm's parameter descriptions (QGIS's own, such as "Open output file after running
algorithm") is marked [QGIS].
"""

import os
import re
import traceback
from html import unescape
from pathlib import Path

from qgis.core import QgsApplication
from qgis.gui import QgsCollapsibleGroupBoxBasic
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QPoint, QTimer
from qgis.PyQt.QtGui import QFontMetrics, QTextDocument
from qgis.PyQt.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QGroupBox,
    QLabel,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from qgis.utils import iface, plugins

ROOT = Path(os.environ.get("CROP_CONFIDENCE_ROOT", Path.cwd()))
TARGET = Path(os.environ.get("CROP_CONFIDENCE_REVIEW", ROOT / "build" / "review" / "en"))
WIDTH, HEIGHT = (
    int(v) for v in os.environ.get("CROP_CONFIDENCE_REVIEW_SIZE", "1366x768").split("x")
)
SETTLE_MS = 700
REPORT = []


def plain(text):
    """A widget's text as the user reads it: no tags, no mnemonic '&'."""
    if Qt_might_be_rich(text):
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return unescape(re.sub(r"&(?!&)", "", text))


def Qt_might_be_rich(text):  # noqa: N802
    return bool(re.search(r"<[a-zA-Z/][^>]*>", text))


def text_width(widget, text):
    metrics = QFontMetrics(widget.font())
    lines = plain(text).splitlines() or [""]
    return max(metrics.horizontalAdvance(line) for line in lines)


def button_text_room(button):
    """The width a check box or radio button has for its text (its width less the box)."""
    option = QStyleOptionButton()
    option.initFrom(button)  # initStyleOption is protected: not callable from Python here
    style = button.style()
    if isinstance(button, QRadioButton):
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, option, button)
        spacing = style.pixelMetric(QStyle.PixelMetric.PM_RadioButtonLabelSpacing, option, button)
    else:
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, option, button)
        spacing = style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, option, button)
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    return button.width() - indicator - spacing - icon - 2


def enclosing_viewport(widget):
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent.viewport()
        parent = parent.parentWidget()
    return None


def problems(window, ours=None):
    """Text that does not fit in `window`, one line per widget; with ``ours`` (the
    algorithm's parameter descriptions), a text that is none of them is marked [QGIS]."""
    found = []
    for widget in (
        window.findChildren(QLabel)
        + window.findChildren(QCheckBox)
        + window.findChildren(QRadioButton)
    ):
        if not widget.isVisibleTo(window) or not widget.text().strip():
            continue
        text = plain(widget.text()).replace("\n", " ")
        shown = f"{type(widget).__name__} '{text[:90]}'"
        if ours is not None and not any(text.startswith(mine) for mine in ours):
            shown = f"[QGIS] {shown}"
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height():
                found.append(
                    f"{shown}: wrapped, needs {needed} px of height at {widget.width()} px, "
                    f"has {widget.height()}"
                )
        else:
            room = (
                widget.contentsRect().width() - 2 * max(widget.margin(), 0)
                if isinstance(widget, QLabel)
                else button_text_room(widget)
            )
            width = text_width(widget, widget.text())
            if width > room:
                found.append(f"{shown}: text {width} px wide, room for {room} px")
        viewport = enclosing_viewport(widget)
        if viewport is not None and viewport.isVisibleTo(window):
            # Where the text ends, seen from the viewport: past its right edge, it is hidden
            # behind a horizontal scroll bar.
            start = widget.width() - (
                widget.contentsRect().width()
                if isinstance(widget, QLabel)
                else button_text_room(widget)
            )
            end = widget.mapTo(viewport, QPoint(start, 0)).x() + min(
                text_width(widget, widget.text()), widget.width() - start
            )
            if end > viewport.width():
                found.append(
                    f"{shown}: its text ends at {end} px, the panel shows {viewport.width()}"
                )
    for area in window.findChildren(QAbstractScrollArea):
        if area.isVisibleTo(window) and area.horizontalScrollBar().isVisible():
            found.append(
                f"{type(area).__name__} {area.objectName() or ''}: horizontal scroll bar "
                f"(content {area.horizontalScrollBar().maximum() + area.viewport().width()} px "
                f"in {area.viewport().width()} px; widest: {widest(area)})"
            )
    return found


def widest(area):
    """The widgets that ask for the most width in a scroll area's content."""
    content = area.widget() if hasattr(area, "widget") else None
    if content is None:
        return "?"
    asked = sorted(
        (
            (
                child.minimumSizeHint().width(),
                type(child).__name__,
                getattr(child, "text", lambda: "")(),
            )
            for child in content.findChildren(QWidget)
            if child.isVisibleTo(content) and child.parentWidget() is not None
        ),
        key=lambda row: -row[0],
    )[:2]
    return ", ".join(f"{kind} '{str(text)[:40]}' {width} px" for width, kind, text in asked)


def save(window, name, ours=None):
    TARGET.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    window.grab().save(str(TARGET / f"{name}.png"))
    try:
        found = problems(window, ours)
    except Exception:  # noqa: BLE001 (the review must end whatever happens)
        found = [traceback.format_exc()]
    size = f"{window.width()}x{window.height()}"
    qgis_own = sum(line.startswith("[QGIS]") for line in found)
    REPORT.append(f"== {name} ({size}): {len(found)} cut, {qgis_own} of them QGIS's own texts")
    REPORT.extend(f"  {line}" for line in found)
    write_report()


def write_report():
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "cut.txt").write_text("\n".join(REPORT) + "\n", encoding="utf-8")


def fit_to_screen(dialog):
    """As QGIS does: the dialog's own (restored or default) size, no larger than the screen."""
    screen = QApplication.primaryScreen().availableGeometry()
    width = min(dialog.width(), screen.width())
    height = min(dialog.height(), screen.height() - 30)  # the window manager's title bar
    dialog.resize(width, height)
    dialog.move(screen.x() + (screen.width() - width) // 2, screen.y())


def expand_groups(window):
    """Opens the collapsible group boxes (Processing's advanced parameters); QGIS's own are
    wrapped as plain QGroupBox in Python, hence the cast."""
    for box in window.findChildren(QGroupBox):
        if box.metaObject().className().startswith("QgsCollapsibleGroupBox"):
            sip.cast(box, QgsCollapsibleGroupBoxBasic).setCollapsed(False)


def algorithm_ids():
    provider = QgsApplication.processingRegistry().providerById("cropconfidence")
    if provider is None:
        return []
    return sorted(algorithm.id() for algorithm in provider.algorithms())


def review_algorithms(ids):
    if not ids:
        QTimer.singleShot(0, review_dock)
        return
    import processing

    algorithm_id = ids[0]
    dialog = processing.createAlgorithmDialog(algorithm_id, {})
    if dialog is None:
        REPORT.append(f"== {algorithm_id}: no dialog")
        QTimer.singleShot(0, lambda: review_algorithms(ids[1:]))
        return
    dialog.show()
    fit_to_screen(dialog)
    QApplication.processEvents()  # shown first: a group box restores its state when shown
    expand_groups(dialog)  # the advanced parameters too

    def grab():
        try:
            ours = [p.description() for p in dialog.algorithm().parameterDefinitions()]
            save(dialog, algorithm_id.split(":", 1)[1], ours)
        finally:
            dialog.close()
            dialog.deleteLater()
            review_algorithms(ids[1:])

    QTimer.singleShot(SETTLE_MS, grab)


def review_dock():
    plugin = plugins.get("crop_confidence")
    if plugin is None:
        REPORT.append("== dock: the plugin is not loaded")
        finish()
        return
    plugin.action.setChecked(True)
    dock = plugin.dock

    def collapsed():
        dock.settings_box.setCollapsed(True)
        QTimer.singleShot(SETTLE_MS, lambda: (save(dock, "dock-settings-collapsed"), expanded()))

    def expanded():
        dock.settings_box.setCollapsed(False)
        QTimer.singleShot(SETTLE_MS, lambda: (save(dock, "dock-settings-expanded"), window()))

    def window():
        save(iface.mainWindow(), "main-window")
        finish()

    QTimer.singleShot(SETTLE_MS, collapsed)


def finish():
    write_report()
    QApplication.instance().quit()


def start(tries=0):
    if ("crop_confidence" not in plugins or not algorithm_ids()) and tries < 120:
        QTimer.singleShot(250, lambda: start(tries + 1))  # the plugins load after this script
        return
    iface.mainWindow().showNormal()
    iface.mainWindow().resize(WIDTH, HEIGHT)
    ids = algorithm_ids()
    screen = QApplication.primaryScreen().size()
    REPORT.append(
        f"# {screen.width()}x{screen.height()}, {len(ids)} dialogs, "
        f"font {QApplication.font().toString()}"
    )
    QTimer.singleShot(SETTLE_MS, lambda: review_algorithms(ids))


QTimer.singleShot(1000, start)
QTimer.singleShot(240_000, lambda: (REPORT.append("timed out"), finish()))
