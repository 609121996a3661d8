"""Renderers built from the nomenclature table and the ramp table (no colour is written twice).

Class colours and labels come from ``resources/nomenclature.csv``; the end colours and labels of
the ramps (and the crop mask's "kept" colour) from ``resources/ramps.csv``.

Style kinds (``KINDS``): ``oso23``, ``oso17`` and ``cty`` are paletted class maps; ``ctycl``,
``oso_confidence`` and ``oso_validity`` are colour ramps; ``mask`` is a crop mask written by
``cropconfidence:cropmask`` (binary mask, or a filtered class map styled with the class palette,
or for Custom with a colour per kept code), told from the settings cropmask records in the
output's GDAL metadata (``crop_mask_tags``), or for an output without them from its values.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsColorRampLegendNodeSettings,
    QgsColorRampShader,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsPalettedRasterRenderer,
    QgsRasterShader,
    QgsRasterTransparency,
    QgsRectangle,
    QgsSingleBandPseudoColorRenderer,
)
from qgis.PyQt.QtGui import QColor

from .. import compat
from ..domain import mask_tags, nomenclature, products
from ..domain.mask_tags import CropMaskSettings
from ..domain.resources import RESOURCES
from .i18n import tr, ui_language

RAMPS_PATH = RESOURCES / "ramps.csv"

OSO23, OSO17, CTY, CTYCL = (products.KIND_OSO23, products.KIND_OSO17, products.KIND_CTY,
                            products.KIND_CTYCL)  # fmt: skip
OSO_CONFIDENCE, OSO_VALIDITY = products.KIND_OSO_CONFIDENCE, products.KIND_OSO_VALIDITY
MASK = products.KIND_MASK
CUSTOM_CLASSES = "custom_classes"  # a ramp only: the colours of a Custom class map
PALETTE_KINDS = (OSO23, OSO17, CTY)
RAMP_KINDS = (CTYCL, OSO_CONFIDENCE, OSO_VALIDITY)
KINDS = (*PALETTE_KINDS, *RAMP_KINDS, MASK)

# Values no ramp colour stands for, made transparent by the renderer.
# CTYCL 101..252 (254 and 255 lie beyond the ramp, clipped)
CTYCL_INVALID = (products.CTYCL_MAX + 0.5, products.CTYCL_NO_CROP - 0.5)

# The OSO band each kind reads in a 3-band OSO file (band descriptions).
OSO_BANDS = {
    OSO23: products.OSO_CLASS_BAND,
    OSO17: products.OSO_CLASS_BAND,
    OSO_CONFIDENCE: products.OSO_CONFIDENCE_BAND,
    OSO_VALIDITY: products.OSO_VALIDITY_BAND,
}


@dataclass(frozen=True)
class RampStop:
    ramp: str
    value: float
    color: str
    label_en: str
    label_fr: str

    def label(self, language="en"):
        return self.label_fr if language.lower().startswith("fr") else self.label_en


@cache
def load_ramps(path=RAMPS_PATH):
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(
            RampStop(
                row["ramp"], float(row["value"]), row["color"], row["label_en"], row["label_fr"]
            )
            for row in csv.DictReader(handle)
        )


def ramp_stops(ramp):
    return tuple(stop for stop in load_ramps() if stop.ramp == ramp)


MASK_KEPT_COLOR = ramp_stops(MASK)[0].color


def crop_mask_settings(layer):
    """The CropMaskSettings recorded in a crop mask's metadata; None for a layer without them
    (another file, or a crop mask written before they were recorded)."""
    if layer.providerType() != "gdal":
        return None
    return mask_tags.crop_mask_settings(_gdal_metadata(layer.source().split("|")[0]))


def mask_renderer(layer, min_confidence=None, language=None, band=1):
    """Binary crop mask: 1 (kept) in green, anything else transparent."""
    if min_confidence is not None:
        label = tr("Kept (confidence ≥ {})").format(min_confidence)
    else:
        label = ramp_stops(MASK)[0].label(language or ui_language())
    classes = [QgsPalettedRasterRenderer.Class(1, QColor(MASK_KEPT_COLOR), label)]
    return QgsPalettedRasterRenderer(layer.dataProvider(), band, classes)


def class_palette_renderer(layer, table, band=1, language=None):
    """Filtered class map of a crop mask: the selectable classes; 0 and nodata transparent."""
    language = language or ui_language()
    classes = [
        QgsPalettedRasterRenderer.Class(entry.code, QColor(entry.color), entry.label(language))
        for entry in nomenclature.entries(table)
        if entry.color and entry.selectable
    ]
    return QgsPalettedRasterRenderer(layer.dataProvider(), band, classes)


def kept_codes_renderer(layer, codes, band=1):
    """Filtered class map without a nomenclature (Custom): the kept codes in colours spread
    along the ``custom_classes`` ramp, the first one in the mask's green; the rest transparent."""
    ramp = _gradient(ramp_stops(CUSTOM_CLASSES))
    codes = sorted(codes)
    classes = [
        QgsPalettedRasterRenderer.Class(
            code,
            ramp.color(index / (len(codes) - 1) if len(codes) > 1 else 0.0),
            tr("Class {}").format(code),
        )
        for index, code in enumerate(codes)
    ]
    return QgsPalettedRasterRenderer(layer.dataProvider(), band, classes)


def product_palette_renderer(layer, table, band=1, language=None):
    """A product's class map: every value with a colour in the table (for CTY, 0 "No cropland"
    too); values without a colour (nodata: OSO 0/255, CTY outside) stay transparent."""
    language = language or ui_language()
    classes = [
        QgsPalettedRasterRenderer.Class(entry.code, QColor(entry.color), entry.label(language))
        for entry in nomenclature.entries(table)
        if entry.color
    ]
    return QgsPalettedRasterRenderer(layer.dataProvider(), band, classes)


def crop_mask_renderer(layer, settings, band=1, language=None):
    """The style of a cropconfidence:cropmask output made with ``settings``: a binary mask in
    green; a class map in its product's class palette, or for Custom (no nomenclature) each
    kept code in a colour of the ``custom_classes`` ramp."""
    if settings.output_mode != products.CLASS_MAP:
        return mask_renderer(layer, settings.min_confidence, language, band)
    table = products.spec(settings.product).table
    if table is not None:
        return class_palette_renderer(layer, table, band, language)
    return kept_codes_renderer(layer, settings.codes, band)


def _gradient(stops):
    first, last = stops[0], stops[-1]
    span = last.value - first.value
    return QgsGradientColorRamp(
        QColor(first.color),
        QColor(last.color),
        False,
        [
            QgsGradientStop((stop.value - first.value) / span, QColor(stop.color))
            for stop in stops[1:-1]
        ],
    )


def _transparency(ranges):
    transparency = QgsRasterTransparency()
    transparency.setTransparentSingleValuePixelList(
        [compat.transparent_pixel(low, high) for low, high in ranges]
    )
    return transparency


def ramp_renderer(layer, kind, band=1, language=None):
    """Interpolated ramp of ``ramps.csv``.

    ctycl: 0..100 red to green, 253 the nomenclature's "No cropland" grey, 101..252 transparent
    (renderer transparency), 254 and 255 transparent (beyond the last item, clipped).
    oso_confidence: 1..100, values outside transparent (clipped).
    oso_validity: 1..45, more than 45 dates in the last colour, 0 and 255 transparent.
    """
    language = language or ui_language()
    stops = ramp_stops(kind)
    items = [
        QgsColorRampShader.ColorRampItem(stop.value, QColor(stop.color), stop.label(language))
        for stop in stops
    ]
    transparent = []
    clip = True
    if kind == CTYCL:
        (no_crop,) = [e for e in nomenclature.entries(CTYCL) if e.role == "no_crop"]
        items.append(
            QgsColorRampShader.ColorRampItem(
                no_crop.code, QColor(no_crop.color), no_crop.label(language)
            )
        )
        transparent.append(CTYCL_INVALID)
    elif kind == OSO_VALIDITY:
        clip = False
        transparent.extend((value, value) for value in products.OSO_NODATA)
    minimum, maximum = stops[0].value, stops[-1].value
    shader = QgsColorRampShader(minimum, maximum)
    shader.setColorRampType(compat.RAMP_INTERPOLATED)
    shader.setSourceColorRamp(_gradient(stops))
    shader.setColorRampItemList(items)
    shader.setClip(clip)
    legend = QgsColorRampLegendNodeSettings()
    if kind == CTYCL:
        legend.setUseContinuousLegend(False)  # the ramp stops and "No cropland", each labelled
    else:
        legend.setMinimumLabel(stops[0].label(language))
        legend.setMaximumLabel(stops[-1].label(language))
    shader.setLegendSettings(legend)
    raster_shader = QgsRasterShader(minimum, maximum)
    raster_shader.setRasterShaderFunction(shader)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, raster_shader)
    renderer.setClassificationMin(minimum)
    renderer.setClassificationMax(maximum)
    if transparent:
        renderer.setRasterTransparency(_transparency(transparent))
    return renderer


def band_for(layer, kind):
    """The band to style: for a multi-band OSO file, the band named like the kind's OSO band."""
    wanted = OSO_BANDS.get(kind)
    if wanted and layer.bandCount() > 1:
        for band in range(1, layer.bandCount() + 1):
            if layer.bandName(band).upper().endswith(wanted.upper()):
                return band
    return 1


INTEGER_RANGES = {
    Qgis.DataType.Byte: (0, 2**8 - 1),
    Qgis.DataType.UInt16: (0, 2**16 - 1),
    Qgis.DataType.Int16: (-(2**15), 2**15 - 1),
}


def present_values(layer, band=1, sample_size=250_000):
    """The values present in an 8- or 16-bit integer band (nodata excluded), from a sample of
    its pixels; None for a band of another type."""
    provider = layer.dataProvider()
    value_range = INTEGER_RANGES.get(provider.dataType(band))
    if value_range is None:
        return None
    low, high = value_range
    histogram = provider.histogram(
        band, high - low + 1, low - 0.5, high + 0.5, QgsRectangle(), sample_size
    )
    return {low + index for index, count in enumerate(histogram.histogramVector) if count}


def oso_table_from_values(layer, band=1):
    """'oso17' when the OCS values present are 17-class codes only, otherwise 'oso23'."""
    values = (present_values(layer, band) or set()) - set(products.OSO_NODATA)
    codes23 = {e.code for e in nomenclature.entries(OSO23) if e.selectable}
    codes17 = {e.code for e in nomenclature.entries(OSO17) if e.selectable}
    if values and not values <= codes23 and values <= codes17:
        return OSO17
    return OSO23


def settings_from_values(layer, band=1):
    """The CropMaskSettings of a crop mask without recorded settings, told from its values:
    8-bit 0/1 a binary mask; OSO codes an OSO class map, CTY codes in 16 bits a CTY one; any
    other code a Custom class map of the codes present (0 and nodata left out)."""
    data_type = layer.dataProvider().dataType(band)
    values = (present_values(layer, band) or set()) - {0}
    if data_type == Qgis.DataType.Byte:
        values -= set(products.OSO_NODATA)  # 255: the nodata of binary masks and OSO
        if values <= {1}:
            return CropMaskSettings(products.CUSTOM, products.BINARY)
        oso_codes = {*nomenclature.selectable_codes(OSO23), *nomenclature.selectable_codes(OSO17)}
        if values <= oso_codes:
            table = oso_table_from_values(layer, band)
            product = products.OSO_17 if table == OSO17 else products.OSO_23
            return CropMaskSettings(product, products.CLASS_MAP)
    elif data_type == Qgis.DataType.UInt16:
        values -= {products.CTY_OUTSIDE}
        if values <= set(nomenclature.selectable_codes(CTY)):
            return CropMaskSettings(products.CTY_CTYCL, products.CLASS_MAP)
    return CropMaskSettings(products.CUSTOM, products.CLASS_MAP, tuple(sorted(values)))


def renderer_for(layer, kind, band=None, language=None):
    """A new renderer of ``kind`` for ``layer`` (see ``KINDS``)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown style {kind!r}; use one of {', '.join(KINDS)}.")
    band = band or band_for(layer, kind)
    if kind in PALETTE_KINDS:
        return product_palette_renderer(layer, kind, band, language)
    if kind in RAMP_KINDS:
        return ramp_renderer(layer, kind, band, language)
    settings = crop_mask_settings(layer) or settings_from_values(layer, band)
    return crop_mask_renderer(layer, settings, band, language)


def apply_style(layer, kind, language=None, band=None):
    """Give ``layer`` the renderer of ``kind`` in place and repaint it; returns the renderer."""
    renderer = renderer_for(layer, kind, band, language)
    layer.setRenderer(renderer)
    layer.triggerRepaint()
    layer.emitStyleChanged()
    return layer.renderer()


def _gdal_dataset(path):
    """A local GDAL raster opened read-only, or None when it cannot be."""
    try:
        from osgeo import gdal

        return gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
    except Exception:  # noqa: BLE001 - no GDAL bindings, or not a GDAL file
        return None


def _gdal_metadata(path):
    """The default-domain metadata of a local GDAL file ({} when it cannot be read)."""
    dataset = _gdal_dataset(path)
    return dict(dataset.GetMetadata() or {}) if dataset is not None else {}


def _gdal_texts(path, band):
    """Band description and metadata of a local GDAL file (empty when it cannot be read)."""
    dataset = _gdal_dataset(path)
    if dataset is None:
        return []
    texts = []
    if band <= dataset.RasterCount:
        raster_band = dataset.GetRasterBand(band)
        texts.append(raster_band.GetDescription())
        texts.extend(f"{k} {v}" for k, v in (raster_band.GetMetadata() or {}).items())
    texts.extend(f"{k} {v}" for k, v in (dataset.GetMetadata() or {}).items())
    return texts


def detect_kind(layer):
    """The style kind of a layer: a crop mask from the settings cropmask records in it;
    otherwise from its file name, layer name, band description or GDAL metadata, for OSO
    classes with 23 or 17 classes from the year (products.oso_product) or the values present.
    None when it cannot tell (crop masks without recorded settings are not detected)."""
    if crop_mask_settings(layer) is not None:
        return MASK
    source = layer.source().split("|")[0]
    names = [Path(source).name, layer.name()]
    texts = [*names, layer.bandName(1)]
    if layer.providerType() == "gdal":
        texts.extend(_gdal_texts(source, 1))
    for text in texts:
        kind = products.kind_from_name(text)
        if kind is None:
            continue
        if kind != products.OSO_CLASS_NAME:
            return kind
        year = None
        for name in names:
            year = year or products.year_in_name(name)
        if year is not None:
            return products.LAYER_STYLES[products.oso_product(year)][products.CLASS]
        return oso_table_from_values(layer, band_for(layer, OSO23))
    return None
