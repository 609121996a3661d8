"""The dock's year list: asked of the source in the background, the latest request wins.

While the list loads, the Year box says "Loading…" and Search waits. A source that cannot be
reached gives one message, and the years the product may have, the latest it is known to
have selected; those after it are marked as not known yet.
"""

from qgis.core import Qgis
from qgis.PyQt import sip

from ..domain import products
from ..net.http import make_session
from ..processing.fetch_algorithm import crs_for_rasterio
from ..qgis import settings
from ..qgis.credentials import CredentialsError
from ..qgis.i18n import tr
from ..qgis.proxy import qgis_proxies
from ..sources.fetch import source_kind
from ..sources.years import available_years, default_years, latest_known_year, preferred_year


class YearList:
    """Mixin of the dock (plugin.gui.dock): fills ``year_combo`` and ``year_status``."""

    years_loading = False  # True from a refresh until its list is shown
    _wanted_year = None  # the year chosen before the refresh, selected again when offered
    _shown_key = None  # what the list shown was asked for, when the source answered

    def refresh_years(self, *_):
        self.connect_search_flow()  # once: see SearchActions
        product = self.years_product()
        source = self.source_url()
        key = self._years_key(product, source)
        if key == self._shown_key and not self.years_loading and self.year_combo.count():
            return  # the source already listed these years (e.g. CTY + CTYCL -> CTYCL only)
        if not self.years_loading:
            self._wanted_year = self.year()
        options = self._year_options(product, source)

        def work(task):
            try:
                return available_years(product, source, is_cancelled=task.isCanceled, **options)
            finally:
                if options.get("session") is not None:
                    options["session"].close()  # its connections, when the list is read

        if self.year_task is not None and not sip.isdeleted(self.year_task):
            self.year_task.cancel()
        self._show_loading()
        self.year_task = self._run(
            tr("Crop Confidence: years"), work, lambda task: self._years_read(task, product, key),
            exclusive=False,
        )  # fmt: skip

    def years_product(self):
        """The product whose years are listed (OSO: the 23-class one, from 2018 on)."""
        return products.OSO_23 if self.family() == products.OSO else self.family()

    def _show_loading(self):
        self.years_loading = True
        combo = self.year_combo
        combo.clear()
        # A combo box's own placeholder is not painted by every Qt 5.15: its line edit's is.
        combo.setEditable(True)
        combo.lineEdit().setPlaceholderText(tr("Loading…"))
        combo.setEnabled(False)
        self.year_status.setText("")
        self.year_status.setToolTip("")
        self.update_actions()

    def _years_key(self, product, source):
        """What the years depend on: the family's collection in the source; for OSO on Sentinel
        Hub, the account and the area too."""
        key = (products.FAMILY[product], source)
        area = self._sentinelhub_area(product, source)
        if area is not None:
            rect, crs = area
            key += (self.auth_select.configId(), rect.toString(), crs.authid())
        return key

    def _sentinelhub_area(self, product, source):
        """The area, when the years are asked of Sentinel Hub's catalogue over it (OSO on
        Sentinel Hub, with an account); else None."""
        area = self.area()
        if (
            self.family() != products.OSO
            or not self.auth_select.configId()
            or area is None
            or source_kind(product, source) != "sentinelhub"
        ):
            return None
        return area

    def _years_read(self, task, product, key):
        if task is not self.year_task:
            return  # a later refresh replaced this one
        checked = False
        if task.result and task.error is None:
            years, checked = task.result
        else:
            years = default_years(product)
        if task.error is not None:
            self.notify(
                tr("Cannot list the years"),
                tr("{} The years offered are those the product may have, not checked.").format(
                    task.error
                ),
                Qgis.MessageLevel.Warning,
            )
        self._fill_years(product, sorted(years, reverse=True), checked)
        self._shown_key = key if checked else None  # unchecked: asked again at the next refresh
        status = "" if checked else tr("(not checked)")
        if task.error is not None:  # the reason stays in the dock, its tooltip in full
            status = tr("(not checked: the source could not be read)")
        self.year_status.setText(status)
        self.year_status.setToolTip(str(task.error) if task.error is not None else "")
        self.years_loading = False
        self.update_actions()
        self.run_queued_search()

    def _fill_years(self, product, years, checked):
        combo = self.year_combo
        combo.setEditable(False)
        combo.clear()
        latest = latest_known_year(product)
        for year in years:
            # Unchecked years after the latest known one are not offered as if they existed.
            text = str(year) if checked or year <= latest else tr("{} (not known yet)").format(year)
            combo.addItem(text, year)
        chosen = preferred_year(product, years, self._wanted_year)
        if chosen is not None:
            combo.setCurrentIndex(combo.findData(chosen))
        combo.setEnabled(True)

    def _year_options(self, product, source):
        """Keyword arguments of available_years: the proxies, and for OSO on Sentinel Hub
        with an account, what its catalogue needs to tell the years over the area."""
        options = {"proxies": qgis_proxies()}
        area = self._sentinelhub_area(product, source)
        if area is None:
            return options
        session = make_session(proxies=qgis_proxies(), timeout=settings.http_timeout())
        try:
            _, options["sentinelhub_tokens"] = self.token_providers(session)
            options["sentinelhub_collection"] = self.settings_box.collection()
        except CredentialsError as error:
            self.notify(tr("Credentials"), str(error), Qgis.MessageLevel.Warning)
        rect, crs = area
        options.update(
            bounds=(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()),
            crs=crs_for_rasterio(crs),
            session=session,
        )
        return options
