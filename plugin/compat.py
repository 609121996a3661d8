"""Enum spellings that moved between QGIS 3.22 and QGIS 3.36+/4 (Qt6)."""

from qgis.core import (
    Qgis,
    QgsProcessing,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType, QVariant

if hasattr(Qgis, "ProcessingSourceType"):  # QGIS >= 3.36
    SOURCE_VECTOR = Qgis.ProcessingSourceType.Vector
    NUMBER_INTEGER = Qgis.ProcessingNumberParameterType.Integer
    FLAG_ADVANCED = Qgis.ProcessingParameterFlag.Advanced
else:
    SOURCE_VECTOR = QgsProcessing.SourceType.TypeVector
    NUMBER_INTEGER = QgsProcessingParameterNumber.Type.Integer
    FLAG_ADVANCED = QgsProcessingParameterDefinition.Flag.FlagAdvanced

NO_GEOMETRY = Qgis.WkbType.NoGeometry if hasattr(Qgis, "WkbType") else QgsWkbTypes.Type.NoGeometry

if Qgis.QGIS_VERSION_INT >= 33800:  # QgsField takes QMetaType from 3.38
    FIELD_INT = QMetaType.Type.LongLong
    FIELD_DOUBLE = QMetaType.Type.Double
    FIELD_STRING = QMetaType.Type.QString
    FIELD_BOOL = QMetaType.Type.Bool
else:
    FIELD_INT = QVariant.Type.LongLong
    FIELD_DOUBLE = QVariant.Type.Double
    FIELD_STRING = QVariant.Type.String
    FIELD_BOOL = QVariant.Type.Bool
