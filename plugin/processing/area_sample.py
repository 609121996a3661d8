"""cropconfidence:areaestimate's sample checks and result rows.

Imports no numpy or raster module at module level (plugin start-up): process() imports this
module, and the engine is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsProcessingException

from ..qgis.i18n import tr


@dataclass(frozen=True)
class SampleNames:
    """What the messages name: the sample layer, the map file and the fields."""

    layer: str
    map_path: str
    reference_field: str
    stratum_field: str | None


@dataclass
class Units:
    strata: list  # per point: the index of its stratum in StrataCount.strata
    map_classes: list  # per point: its map class code
    references: list  # per point: its reference class code


def _code(value):
    """An integer class code from an attribute, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _is_null(value):
    """A NULL attribute: None, or a null QVariant (QGIS 3.22)."""
    return value is None or (hasattr(value, "isNull") and value.isNull()) or str(value) == ""


def _check_location(point, value, names):
    fid, x, y = point[0], point[1], point[2]
    if not value.inside:
        raise QgsProcessingException(
            tr(
                "Point {} of '{}' ({:.2f}, {:.2f} in the map's CRS) is outside the map '{}'. "
                "Delete it, or choose the map the sample was drawn on."
            ).format(fid, names.layer, x, y, names.map_path)
        )
    if not value.in_zone:
        raise QgsProcessingException(
            tr(
                "Point {} of '{}' is outside the zone, where the strata are counted. Delete it, "
                "or give the zone the sample was drawn in."
            ).format(fid, names.layer)
        )
    if value.key is None:
        raise QgsProcessingException(
            tr(
                "Point {} of '{}' lies on a no-data pixel of the map '{}', which is in no "
                "stratum. Delete it, or choose the map the sample was drawn on."
            ).format(fid, names.layer, names.map_path)
        )


def _reference(point, codes, names):
    fid, raw = point[0], point[3]
    if _is_null(raw):
        raise QgsProcessingException(
            tr(
                "Point {} of '{}' has no reference class in the field '{}'. Fill it in, or "
                "delete the point."
            ).format(fid, names.layer, names.reference_field)
        )
    code = _code(raw)
    if code not in codes:
        raise QgsProcessingException(
            tr(
                "Point {} of '{}': the reference '{}' in the field '{}' is not a class code of "
                "the map (its codes: {}). Write one of the map's class codes."
            ).format(fid, names.layer, raw, names.reference_field, ", ".join(map(str, codes)))
        )
    return code


def _stratum(point, value, index_of_key, index_of_name, names):
    if names.stratum_field is None:
        return index_of_key[value.key]
    raw = point[4]
    code = None if _is_null(raw) else _code(raw)
    text = str(code) if code is not None else ("" if _is_null(raw) else str(raw).strip())
    if text not in index_of_name:
        raise QgsProcessingException(
            tr(
                "Point {} of '{}': the stratum '{}' in the field '{}' is not a stratum of the "
                "map (its strata: {}). Give the same map, confidence layer, split and zone as "
                "for the sample design, or leave STRATUM_FIELD empty."
            ).format(
                point[0],
                names.layer,
                "" if _is_null(raw) else raw,
                names.stratum_field,
                ", ".join(index_of_name),
            )
        )
    return index_of_name[text]


def check_sample(counted, points, values, names):
    """The sample units, or a QgsProcessingException naming the first bad point or stratum."""
    codes = sorted({stratum.map_value for stratum in counted.strata})
    index_of_key = {stratum.key: index for index, stratum in enumerate(counted.strata)}
    index_of_name = {stratum.name: index for index, stratum in enumerate(counted.strata)}
    units = Units([], [], [])
    for point, value in zip(points, values):
        _check_location(point, value, names)
        units.references.append(_reference(point, codes, names))
        units.strata.append(_stratum(point, value, index_of_key, index_of_name, names))
        units.map_classes.append(value.map_value)
    for index, stratum in enumerate(counted.strata):
        found = units.strata.count(index)
        if found < 2:
            raise QgsProcessingException(
                tr(
                    "Stratum {} ({} pixels) has {} reference point(s) in '{}': the estimate "
                    "needs at least 2 in every stratum. Add points to it (for example with "
                    "'Stratified reference sample' and a minimum per stratum)."
                ).format(stratum.name, stratum.pixels, found, names.layer)
            )
    return units


@dataclass
class AreaResult:
    codes: list  # the map's class codes, in the order of the estimate's classes
    estimate: object  # domain.area_estimate.Estimate
    map_pixels: list  # per class
    sample_mapped: list  # per class: the points whose map class it is
    total_pixels: int
    total_ha: float | None
    z: float

    def ci95(self, se):
        return self.z * float(se)

    def class_rows(self):
        """Per class, the values of areaestimate_algorithm.CLASS_FIELDS in their order."""
        e = self.estimate
        hectares = self.total_ha
        rows = []
        for k, code in enumerate(self.codes):
            area_ha = None if hectares is None else hectares * e.proportions[k]
            se_ha = None if hectares is None else hectares * e.proportions_se[k]
            ci_ha = None if se_ha is None else self.z * se_ha
            rows.append(
                [
                    code,
                    self.sample_mapped[k],
                    self.map_pixels[k],
                    None if hectares is None else hectares * self.map_pixels[k] / self.total_pixels,
                    e.proportions[k],
                    e.proportions_se[k],
                    self.total_pixels * e.proportions[k],
                    self.z * self.total_pixels * e.proportions_se[k],
                    area_ha,
                    se_ha,
                    ci_ha,
                    None if ci_ha is None else area_ha - ci_ha,
                    None if ci_ha is None else area_ha + ci_ha,
                    e.users[k],
                    self.z * e.users_se[k],
                    e.producers[k],
                    self.z * e.producers_se[k],
                ]
            )
        return rows

    def matrix_rows(self):
        """(row label, values): a row per map class then 'total'; values per reference class,
        then the row total."""
        matrix = self.estimate.error_matrix
        rows = [
            (str(code), [*matrix[i].tolist(), float(matrix[i].sum())])
            for i, code in enumerate(self.codes)
        ]
        rows.append(("total", [*matrix.sum(axis=0).tolist(), float(matrix.sum())]))
        return rows


def estimate(counted, units):
    """The AreaResult of the checked sample ``units`` over the strata ``counted``."""
    from ..domain import area_estimate

    codes = sorted({stratum.map_value for stratum in counted.strata})
    index = {code: k for k, code in enumerate(codes)}
    map_pixels = [0] * len(codes)
    for stratum in counted.strata:
        map_pixels[index[stratum.map_value]] += stratum.pixels
    result = area_estimate.stratified_estimate(
        [stratum.pixels for stratum in counted.strata],
        units.strata,
        [index[code] for code in units.map_classes],
        [index[code] for code in units.references],
        len(codes),
    )
    total = sum(map_pixels)
    return AreaResult(
        codes=codes,
        estimate=result,
        map_pixels=map_pixels,
        sample_mapped=[units.map_classes.count(code) for code in codes],
        total_pixels=total,
        total_ha=counted.area_ha(total),
        z=area_estimate.Z95,
    )
