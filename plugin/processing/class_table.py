"""The rows of cropconfidence:cropmask's per-class table (OUTPUT_TABLE)."""

from qgis.core import QgsFeature, QgsField, QgsFields

from .. import compat
from ..domain import nomenclature, products
from ..qgis.i18n import installed_language, tr, ui_language

FIELDS = (
    ("code", compat.FIELD_INT),
    ("label", compat.FIELD_STRING),
    ("selected", compat.FIELD_BOOL),
    ("pixels", compat.FIELD_INT),
    ("kept", compat.FIELD_INT),
    ("dropped_low_confidence", compat.FIELD_INT),
    ("dropped_low_validity", compat.FIELD_INT),
    ("kept_area_ha", compat.FIELD_DOUBLE),
)


def table_fields():
    fields = QgsFields()
    for name, field_type in FIELDS:
        fields.append(QgsField(name, field_type))
    return fields


def class_features(fields, product, classes):
    """One feature per raster.engine.ClassCount of ``classes``, labelled in the UI language."""
    table = products.spec(product).table
    language = ui_language()
    features = []
    for count in classes:
        if count.code is None:
            label = tr("All crop types (CTYCL)")
        else:
            entry = nomenclature.entry_for(table, count.code) if table else None
            label = entry.label(language) if entry else ""
        feature = QgsFeature(fields)
        feature.setAttributes(
            [
                count.code,
                label,
                count.selected,
                count.pixels,
                count.kept,
                count.dropped_low_confidence,
                count.dropped_low_validity,
                count.kept_area_ha,
            ]
        )
        features.append(feature)
    return features


def crop_class_examples(text):
    """``text`` with ``{crop_examples}`` replaced by the first CTY crop classes' names, in the
    UI language ('Wheat, Barley, Maize')."""
    language = installed_language() or ui_language()
    names = [
        entry.label(language) for entry in nomenclature.entries("cty") if entry.default_selected
    ]
    return text.replace("{crop_examples}", ", ".join(names[:3]))
