"""The one home of old-QGIS fallbacks: spellings that moved between QGIS 3.22 and 3.3x/4 (Qt6).

Each name takes the new API when this QGIS has it and the 3.22 spelling otherwise. The rest of the
plugin uses these names and never branches on the QGIS version itself
(tests/test_qt6_readiness.py checks that).
"""

from qgis.core import (
    Qgis,
    QgsColorRampShader,
    QgsMapLayer,
    QgsMapLayerProxyModel,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingFeatureSource,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterNumber,
    QgsRasterTransparency,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType, QVariant

# Processing enums moved to Qgis in 3.36.
if hasattr(Qgis, "ProcessingSourceType"):
    SOURCE_VECTOR = Qgis.ProcessingSourceType.Vector
    SOURCE_POINT = Qgis.ProcessingSourceType.VectorPoint
    SOURCE_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
else:
    SOURCE_VECTOR = QgsProcessing.SourceType.TypeVector
    SOURCE_POINT = QgsProcessing.SourceType.TypeVectorPoint
    SOURCE_POLYGON = QgsProcessing.SourceType.TypeVectorPolygon

if hasattr(Qgis, "ProcessingFeatureSourceFlag"):
    SKIP_GEOMETRY_CHECKS = Qgis.ProcessingFeatureSourceFlag.SkipGeometryValidityChecks
else:
    SKIP_GEOMETRY_CHECKS = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks

if hasattr(Qgis, "ProcessingNumberParameterType"):
    NUMBER_INTEGER = Qgis.ProcessingNumberParameterType.Integer
    NUMBER_DOUBLE = Qgis.ProcessingNumberParameterType.Double
else:
    NUMBER_INTEGER = QgsProcessingParameterNumber.Type.Integer
    NUMBER_DOUBLE = QgsProcessingParameterNumber.Type.Double

if hasattr(Qgis, "ProcessingParameterFlag"):
    FLAG_ADVANCED = Qgis.ProcessingParameterFlag.Advanced
else:
    FLAG_ADVANCED = QgsProcessingParameterDefinition.Flag.FlagAdvanced

if hasattr(Qgis, "ProcessingAlgorithmFlag"):
    FLAG_NO_THREADING = Qgis.ProcessingAlgorithmFlag.NoThreading
else:
    FLAG_NO_THREADING = QgsProcessingAlgorithm.Flag.FlagNoThreading

# Geometry enums moved from QgsWkbTypes to Qgis in 3.30.
NO_GEOMETRY = Qgis.WkbType.NoGeometry if hasattr(Qgis, "WkbType") else QgsWkbTypes.Type.NoGeometry

if hasattr(Qgis, "GeometryType"):
    GEOMETRY_POLYGON = Qgis.GeometryType.Polygon
else:
    GEOMETRY_POLYGON = QgsWkbTypes.GeometryType.PolygonGeometry

# QgsMapLayerComboBox.setFilters() takes Qgis.LayerFilters from 3.34 (QgsMapLayerProxyModel.Filter
# is deprecated there). Combine them with layer_filters().
if hasattr(Qgis, "LayerFilter"):
    LAYER_FILTER_VECTOR = Qgis.LayerFilter.VectorLayer
    LAYER_FILTER_RASTER = Qgis.LayerFilter.RasterLayer
else:
    LAYER_FILTER_VECTOR = QgsMapLayerProxyModel.Filter.VectorLayer
    LAYER_FILTER_RASTER = QgsMapLayerProxyModel.Filter.RasterLayer


def layer_filters(*filters):
    """The filters combined, as setFilters() takes them: on QGIS >= 3.34 a Qgis.LayerFilters
    (an int, which | of two Qgis.LayerFilter gives, picks the deprecated overload)."""
    combined = filters[0]
    for item in filters[1:]:
        combined = combined | item
    return Qgis.LayerFilters(combined) if hasattr(Qgis, "LayerFilters") else combined


# QgsColorRampShader.Type moved to Qgis.ShaderInterpolationMethod in 3.38.
if hasattr(Qgis, "ShaderInterpolationMethod"):
    RAMP_INTERPOLATED = Qgis.ShaderInterpolationMethod.Linear
else:
    RAMP_INTERPOLATED = QgsColorRampShader.Type.Interpolated

# QgsField takes a QMetaType from 3.38; QVariant types are gone in QGIS 4.
if Qgis.QGIS_VERSION_INT >= 33800:
    FIELD_INT = QMetaType.Type.LongLong
    FIELD_DOUBLE = QMetaType.Type.Double
    FIELD_STRING = QMetaType.Type.QString
    FIELD_BOOL = QMetaType.Type.Bool
else:
    FIELD_INT = QVariant.Type.LongLong
    FIELD_DOUBLE = QVariant.Type.Double
    FIELD_STRING = QVariant.Type.String
    FIELD_BOOL = QVariant.Type.Bool


def transparent_pixel(minimum, maximum):
    """A fully transparent range of single-band values, for QgsRasterTransparency."""
    if Qgis.QGIS_VERSION_INT >= 33800:  # (minimum, maximum, opacity); percentTransparent is gone
        return QgsRasterTransparency.TransparentSingleValuePixel(minimum, maximum, 0.0)
    pixel = QgsRasterTransparency.TransparentSingleValuePixel()
    pixel.min, pixel.max, pixel.percentTransparent = minimum, maximum, 100.0
    return pixel


def save_default_style(layer):
    """(message, saved): the layer's whole style written as its default style (.qml next to it)."""
    if Qgis.QGIS_VERSION_INT >= 32600:  # the bare saveDefaultStyle() is deprecated from 3.26
        return layer.saveDefaultStyle(QgsMapLayer.StyleCategory.AllStyleCategories)
    return layer.saveDefaultStyle()
