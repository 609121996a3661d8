"""The dock's year list: asked of the source in the background, the latest request wins."""

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
from ..sources.years import available_years, default_years


class YearList:
    """Mixin of the dock (plugin.gui.dock): fills ``year_combo`` and ``year_status``."""

    def refresh_years(self, *_):
        product = products.OSO_23 if self.family() == products.OSO else self.family()
        source = self.source_url()
        previous = self.year()
        options = self._year_options(product, source)

        def work(task):
            try:
                return available_years(product, source, is_cancelled=task.isCanceled, **options)
            finally:
                if options.get("session") is not None:
                    options["session"].close()  # its connections, when the list is read

        def done(task):
            if task is not self.year_task:
                return  # a later refresh replaced this one
            years, checked = task.result if task.result else (default_years(product), False)
            if task.error is not None:
                self.message(
                    tr("Cannot list the years"), str(task.error), Qgis.MessageLevel.Warning
                )
            self.year_combo.clear()
            for year in sorted(years, reverse=True):
                self.year_combo.addItem(str(year), year)
            if previous in years:
                self.year_combo.setCurrentIndex(self.year_combo.findData(previous))
            self.year_status.setText("" if checked else tr("(not checked)"))

        if self.year_task is not None and not sip.isdeleted(self.year_task):
            self.year_task.cancel()
        self.year_task = self._run(tr("Crop Confidence: years"), work, done, exclusive=False)

    def _year_options(self, product, source):
        """Keyword arguments of available_years: the proxies, and for OSO on Sentinel Hub
        with an account, what its catalogue needs to tell the years over the area."""
        options = {"proxies": qgis_proxies()}
        area = self.area()
        if (
            self.family() != products.OSO
            or not self.auth_select.configId()
            or area is None
            or source_kind(product, source) != "sentinelhub"
        ):
            return options
        session = make_session(proxies=qgis_proxies(), timeout=settings.http_timeout())
        try:
            _, options["sentinelhub_tokens"] = self.token_providers(session)
            options["sentinelhub_collection"] = self.settings_box.collection()
        except CredentialsError as error:
            self.message(tr("Credentials"), str(error), Qgis.MessageLevel.Warning)
        rect, crs = area
        options.update(
            bounds=(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()),
            crs=crs_for_rasterio(crs),
            session=session,
        )
        return options
