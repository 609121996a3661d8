"""The dock's search: what the source holds over the area for the product and year.

The rows found are kept with the key they were found for; sizes and confirmations only
ever come from the search of the current product, year, source and area. Search waits for
the list of years; Fetch is enabled only when it can succeed (a year, an area where the
product has data, and no search that found nothing there), its tooltip saying why not.
"""

from qgis.core import Qgis, QgsCoordinateTransform, QgsProject

from ..domain.errors import CropMaskCancelled
from ..net.http import cancellable, make_session
from ..qgis import settings
from ..qgis.credentials import CredentialsError
from ..qgis.i18n import tr
from ..qgis.proxy import qgis_proxies
from ..sources.coverage import coverage_of
from ..sources.search import NothingFound, SearchOptions
from ..sources.search import search as search_source
from .area_picker import WGS84, area_km2
from .messages import show_message


class SearchActions:
    """Mixin of the dock (plugin.gui.dock): the search button, ``results`` and
    ``results_key``, shown in ``results_tree``; the state of the Search and Fetch buttons."""

    _search_queued = False  # Search was asked while the years loaded: it runs once they are
    _flow_connected = False

    def connect_search_flow(self):
        """Once: the Search and Fetch buttons follow what they depend on."""
        if self._flow_connected:
            return
        self._flow_connected = True
        self.product_combo.currentIndexChanged.connect(self.update_actions)
        self.year_combo.currentIndexChanged.connect(self.update_actions)
        self.area_picker.changed.connect(self.update_actions)

    def notify(self, title, text, level=Qgis.MessageLevel.Info):
        """A message in QGIS's message bar, long paths shortened (messages.show_message)."""
        show_message(self.iface.messageBar(), title, text, level)

    def update_actions(self, *_):
        """Search while no task runs and the years are listed; Fetch when it can succeed."""
        busy = self.cancel_button.isEnabled()
        self.search_button.setEnabled(not busy and not self.years_loading)
        blocker = self.fetch_blocker()
        self.fetch_button.setEnabled(not busy and blocker is None)
        self.fetch_button.setToolTip(blocker or "")

    def fetch_blocker(self):
        """Why a fetch now cannot succeed, or None."""
        if self.years_loading:
            return tr("The list of years is loading.")
        if self.year() is None:
            return tr("Choose a year.")
        area = self.area()
        if area is None or area[0].isEmpty():
            return tr("Choose an area.")
        if area_km2(area, coverage_of(self.family()))[0] <= 0:
            return tr("The area lies outside where the product has data: choose another area.")
        searched = self.results_key is not None and self.results_key == self.search_key()
        if searched and not self.results:
            return tr("The search found nothing for this product, year and area.")
        return None

    def run_queued_search(self):
        if self._search_queued:
            self._search_queued = False
            self.progress_label.setText("")
            self.search()

    def search(self):
        if self.years_loading:
            self._search_queued = True
            self.progress_label.setText(tr("Waiting for the list of years…"))
            return
        area = self.area()
        if area is None or area[0].isEmpty():
            self.notify(tr("No area"), tr("Choose an area first."), Qgis.MessageLevel.Warning)
            return
        if self.year() is None:
            self.notify(tr("No year"), tr("No year is available."), Qgis.MessageLevel.Warning)
            return
        key = self.search_key()
        product, year, source, bbox = key
        proxies = qgis_proxies()
        session = make_session(proxies=proxies, timeout=settings.http_timeout())
        try:
            # Read here: the authentication database is not thread-safe.
            _, hub_tokens = self.token_providers(session)
        except CredentialsError as error:
            session.close()
            self.notify(tr("Credentials"), str(error), Qgis.MessageLevel.Critical)
            return
        collection = self.settings_box.collection()

        def work(task):
            options = SearchOptions(
                proxies=proxies,
                session=session,
                sentinelhub_tokens=hub_tokens,
                sentinelhub_collection=collection,
                is_cancelled=task.isCanceled,
            )
            with session, cancellable(session, task.isCanceled):  # closed when it ends
                rows = search_source(product, year, source, bbox, options)
            if task.isCanceled():
                raise CropMaskCancelled("cancelled")
            return rows

        self.set_busy(True)
        self.progress_label.setText(tr("Searching…"))
        self._run(tr("Crop Confidence: search"), work, lambda task: self._searched(task, key))

    def _searched(self, task, key):
        self.set_busy(False)
        self.progress_label.setText("")
        try:
            self._show_search_outcome(task, key)
        finally:
            self.update_actions()

    def _show_search_outcome(self, task, key):
        if task.cancelled_by_user:
            self.progress_label.setText(tr("Search cancelled."))
            return
        if isinstance(task.error, NothingFound):
            self.show_results([], key, str(task.error))
            return
        if task.error is not None:
            self.notify(tr("Search failed"), str(task.error), Qgis.MessageLevel.Critical)
            return
        self.show_results(task.result or [], key)

    def search_key(self):
        """(product, year, source, bbox in WGS 84) of what a search now would be for."""
        area = self.area()
        if area is None or area[0].isEmpty():
            return None
        rect, crs = area
        bbox = QgsCoordinateTransform(crs, WGS84, QgsProject.instance()).transformBoundingBox(rect)
        bbox = (bbox.xMinimum(), bbox.yMinimum(), bbox.xMaximum(), bbox.yMaximum())
        return self.product_key(), self.year(), self.source_url(), bbox

    def current_results(self):
        """The last search's rows if they were found for the current product, year, source
        and area; otherwise none (sizes and confirmations never come from another search)."""
        if self.results_key is None or self.results_key != self.search_key():
            return []
        return self.results

    def drop_stale_results(self, *_):
        """Clear the results once the product, year or source differs from the search's."""
        if self.results_key is None:
            return
        if self.results_key[:3] != (self.product_key(), self.year(), self.source_url()):
            self.results, self.results_key = [], None
            self.results_tree.clear_rows()
            self.update_area_label()
            self.update_actions()

    def show_results(self, rows, key, nothing_found=None):
        """Lists ``rows`` (sources.search.SearchRow) found for ``key``; ``nothing_found``
        says why there is none, when the source told."""
        self.results, self.results_key = rows, key
        self.results_tree.show_rows(rows)
        self.update_area_label()
        self.update_actions()
        if getattr(rows, "truncated", False):  # sources.search.SearchRows
            text = tr(
                "The list is cut: the search stopped at {} items, the most that is read, so "
                "tiles of the area may be missing. Search a smaller area."
            ).format(rows.limit)
            self.progress_label.setText(text)
            self.notify(tr("Search incomplete"), text, Qgis.MessageLevel.Warning)
        if not rows:
            self.notify(
                tr("Nothing found"),
                nothing_found or tr("No product for {} over this area.").format(key[1]),
                Qgis.MessageLevel.Warning,
            )
        elif self.clip_check.isChecked() and any(row.ranges is False for row in rows):
            self.notify(
                tr("Whole files only"),
                tr(
                    "The server does not allow range reads: clipping is not possible. "
                    "Untick 'Clip to the area' to download the whole files."
                ),
                Qgis.MessageLevel.Warning,
            )
