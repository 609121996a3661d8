"""Processing algorithm cropconfidence:fetch, a thin adapter over plugin.sources.fetch.

The sources and the HTTP layer (requests, pystac, rasterio) are imported when the algorithm
runs, not when the provider is built at QGIS's start (issue 14).
"""

import os

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputRasterLayer,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .. import compat
from ..domain import products
from ..qgis.i18n import tr, translated, with_facts
from .base import CropConfidenceAlgorithm
from .style_algorithm import style_fetched_layers

FETCH_PRODUCTS = products.PRODUCTS[:4]  # the cropmask enum without Custom


def crs_for_rasterio(crs):
    authid = crs.authid()
    return authid if authid.upper().startswith("EPSG:") else crs.toWkt()


def one_time_code_prompt():
    """A prompt for CDSE's one-time code when QGIS has a window to ask in; None headless
    (qgis_process), where an account with two-factor authentication gets a clear error."""
    from qgis.utils import iface

    if iface is None:
        return None
    from ..qgis.prompt import MainThreadPrompt

    return MainThreadPrompt()


class FetchAlgorithm(CropConfidenceAlgorithm):
    NAME = "fetch"
    GROUP_ID = "data"

    PRODUCT = "PRODUCT"
    YEAR = "YEAR"
    EXTENT = "EXTENT"
    AUTH_CONFIG = "AUTH_CONFIG"
    CLIP_TO_EXTENT = "CLIP_TO_EXTENT"
    SOURCE_URL = "SOURCE_URL"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    CLASS_LAYER = "CLASS_LAYER"
    CONFIDENCE_LAYER = "CONFIDENCE_LAYER"
    VALIDITY_LAYER = "VALIDITY_LAYER"
    ITEMS = "ITEMS"
    BYTES_TRANSFERRED = "BYTES_TRANSFERRED"

    def displayName(self):
        return tr("Fetch crop layers")

    def shortHelpString(self):
        return with_facts(
            tr(
                "Finds the CLMS Crop Types (CTY) and Confidence Layer (CTYCL) tiles, or the CNES "
                "OSO map, of a year over an extent, and fetches them into a folder. By default "
                "only the extent is read (HTTP range requests), as one mosaic per layer on the "
                "product's own grid; otherwise whole tiles are downloaded (resumable, checksums "
                "verified).\n\n"
                "Sources (SOURCE_URL, advanced). CLMS: a STAC API root (default: Copernicus "
                "Data Space) or a static catalog.json. OSO: the address says which kind of "
                "source it is, checked in this order:\n"
                "- empty: Sentinel Hub (https://services.sentinel-hub.com, the CNES OSO "
                "collection);\n"
                "- addresses ending in .tif, .tiff or .vrt: one 3-band OSO raster, or three "
                "rasters separated by '|' ({oso_bands}); {year} is replaced "
                "by the year;\n"
                "- an address ending in .json: a static STAC catalogue (catalog.json);\n"
                "- a Sentinel Hub base URL: a Sentinel Hub host (*.sentinel-hub.com, "
                "sh.dataspace.copernicus.eu), an address without a path (https://host), or a "
                "process or catalog API URL holding /api/v1;\n"
                "- any other address (with a path, e.g. https://mirror.example.org/stac/v1): a "
                "STAC API root.\n"
                "STAC sources hold the 3-band OSO rasters in the collection 'oso'. Sentinel Hub "
                "serves areas only: keep 'Clip to the area' on.\n\n"
                "Credentials come from a QGIS authentication configuration: for CDSE a Basic "
                "configuration with the account's user name and password; for Sentinel Hub the "
                "OAuth client id and secret. Searching CDSE needs no account."
            )
        )

    def initAlgorithm(self, config=None):  # noqa: ARG002
        self.addParameter(
            QgsProcessingParameterEnum(
                self.PRODUCT,
                tr("Product"),
                options=[translated(products.PRODUCT_LABELS[key]) for key in FETCH_PRODUCTS],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.YEAR,
                tr("Year"),
                type=compat.NUMBER_INTEGER,
                defaultValue=2021,  # the embedded sample's year
                minValue=min(products.FIRST_YEAR.values()),
                maxValue=2100,
            )
        )
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Area")))
        self.addParameter(
            QgsProcessingParameterAuthConfig(
                self.AUTH_CONFIG, tr("Credentials (authentication configuration)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.CLIP_TO_EXTENT, tr("Clip to the area (read only what is needed)"), True
            )
        )
        source = QgsProcessingParameterString(
            self.SOURCE_URL,
            tr("Source (empty = default)"),
            defaultValue="",
            optional=True,
        )
        source.setFlags(source.flags() | compat.FLAG_ADVANCED)
        self.addParameter(source)
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder"))
        )
        for name, description in (
            (self.CLASS_LAYER, tr("Class layer")),
            (self.CONFIDENCE_LAYER, tr("Confidence layer")),
            (self.VALIDITY_LAYER, tr("Validity layer")),
        ):
            self.addOutput(QgsProcessingOutputRasterLayer(name, description))
        self.addOutput(QgsProcessingOutputNumber(self.ITEMS, tr("Items fetched")))
        self.addOutput(QgsProcessingOutputNumber(self.BYTES_TRANSFERRED, tr("Bytes transferred")))

    def cancelled_message(self):
        return tr("Cancelled: no file was left half-written.")

    def process(self, parameters, context, feedback):
        from ..sources.fetch import FetchRequest, fetch

        product = FETCH_PRODUCTS[self.parameterAsEnum(parameters, self.PRODUCT, context)]
        extent = self.parameterAsExtent(parameters, self.EXTENT, context)
        if extent.isNull() or extent.isEmpty():
            raise QgsProcessingException(tr("EXTENT: give a non-empty area."))
        extent_crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
        if not extent_crs.isValid():
            raise QgsProcessingException(
                tr(
                    "EXTENT: the area has no coordinate reference system. Add it after the "
                    "numbers, for example '3851000,3855000,2650000,2653000 [EPSG:3035]'."
                )
            )
        source_url = self.parameterAsString(parameters, self.SOURCE_URL, context).strip()
        if source_url and os.path.exists(os.path.expanduser(source_url)):
            source_url = os.path.abspath(os.path.expanduser(source_url))
        request = FetchRequest(
            product=product,
            year=self.parameterAsInt(parameters, self.YEAR, context),
            bounds=(extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()),
            bounds_crs=crs_for_rasterio(extent_crs),
            output_folder=self.parameterAsString(parameters, self.OUTPUT_FOLDER, context),
            source_url=source_url,
            clip=self.parameterAsBoolean(parameters, self.CLIP_TO_EXTENT, context),
        )
        auth_config = self.parameterAsString(parameters, self.AUTH_CONFIG, context)
        result = fetch(request, self._context(request, auth_config, feedback))
        feedback.pushInfo(self._summary(request, result))
        outputs = {
            self.CLASS_LAYER: result.class_layer,
            self.CONFIDENCE_LAYER: result.confidence_layer,
            self.VALIDITY_LAYER: result.validity_layer,
            self.ITEMS: result.items,
            self.BYTES_TRANSFERRED: result.bytes_transferred,
            self.OUTPUT_FOLDER: request.output_folder,
        }
        style_fetched_layers(context, product, outputs)
        return outputs

    @staticmethod
    def _summary(request, result):
        """What the fetch transferred; a local source is not said to transfer "0 bytes"."""
        from ..sources.fetch import TRANSFER_LOCAL, TRANSFER_NONE, transfer_kind

        kind = transfer_kind(request, result)
        if kind == TRANSFER_LOCAL:
            return tr(
                "Fetched {} item(s) from local files: nothing was transferred over the network."
            ).format(result.items)
        if kind == TRANSFER_NONE:
            return tr(
                "Fetched {} item(s), already downloaded: nothing needed transferring."
            ).format(result.items)
        return tr("Fetched {} item(s), {} bytes transferred.").format(
            result.items, result.bytes_transferred
        )

    def _context(self, request, auth_config, feedback):
        from ..net.http import make_session
        from ..qgis import settings
        from ..qgis.credentials import (
            cdse_token_provider,
            s3_credentials_for,
            sentinelhub_token_provider,
        )
        from ..qgis.proxy import qgis_proxies
        from ..sources.fetch import CLMS_PRODUCTS, FetchContext, source_kind

        proxies = qgis_proxies()
        session = make_session(proxies=proxies, timeout=settings.http_timeout())
        context = FetchContext(
            session=session,
            proxies=proxies,
            progress=lambda fraction: feedback.setProgress(100 * fraction),
            is_cancelled=feedback.isCanceled,
            log=feedback.pushInfo,
            sentinelhub_collection=settings.value("sentinelhub_collection_id"),
        )
        context.s3_credentials = s3_credentials_for(request.product)
        if auth_config:
            if request.product in CLMS_PRODUCTS:
                context.cdse_tokens = cdse_token_provider(
                    auth_config,
                    session,
                    settings.value("cdse_token_url"),
                    totp_callback=one_time_code_prompt(),
                )
            elif source_kind(request.product, request.source_url) == "sentinelhub":
                context.sentinelhub_tokens = sentinelhub_token_provider(
                    auth_config, session, settings.value("sentinelhub_token_url")
                )
        return context
