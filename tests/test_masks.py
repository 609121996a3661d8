"""Band tests by value runs, against the per-value state tables they come from."""

import numpy as np
import pytest

from crop_confidence.plugin.domain import products
from crop_confidence.plugin.raster import masks
from crop_confidence.plugin.raster import states as state_tables


def test_value_runs_are_the_inclusive_ranges_of_true_values():
    member = np.zeros(256, bool)
    assert masks.value_runs(member) == []
    member[[0, 1, 2, 7, 250, 251, 252, 255]] = True
    assert masks.value_runs(member) == [(0, 2), (7, 7), (250, 252), (255, 255)]
    assert masks.value_runs(np.ones(256, bool)) == [(0, 255)]


def _tables():
    """(dtype, state table, nodata state, pass state) for every kind of band."""
    cases = []
    for product, dtype, nodata, selected in [
        (products.CTY_CTYCL, "uint16", 65535, products.resolve_classes(products.CTY_CTYCL, ())),
        (products.CTY_CTYCL, "uint16", None, (1110,)),
        (products.OSO_23, "uint8", None, products.resolve_classes(products.OSO_23, ())),
        (products.OSO_17, "uint8", 0, (11, 12, 34)),
        (products.CUSTOM, "int16", -3, (-2, 5, 6, 7, 900)),
        (products.CUSTOM, "int8", None, tuple(range(-128, 128, 2))),
    ]:
        states = state_tables.class_state_table(product, dtype, nodata, selected)
        cases.append((dtype, states, products.CLASS_NODATA, products.CLASS_SELECTED))
    for product, dtype, nodata, threshold in [
        (products.CTY_CTYCL, "uint8", 255, 50),
        (products.CTYCL_ONLY, "uint8", None, 0),
        (products.OSO_23, "uint8", None, 100),
        (products.CUSTOM, "int16", -5, 40),
        (products.CUSTOM, "uint16", 0, 0),
    ]:
        states = state_tables.confidence_state_table(product, dtype, nodata, threshold)
        cases.append((dtype, states, products.CONF_NODATA, products.CONF_OK))
    for dtype, nodata, minimum in [("uint8", None, 0), ("uint8", 0, 20), ("int8", -1, 3)]:
        states = state_tables.validity_state_table(dtype, nodata, minimum)
        cases.append((dtype, states, products.VALID_NODATA, products.VALID_OK))
    return cases


def _as_array(mask, shape):
    if mask is None:
        return np.zeros(shape, bool)
    if mask is True:
        return np.ones(shape, bool)
    return mask


@pytest.mark.parametrize("max_runs", [0, 3, 1000], ids=["lookup", "default", "comparisons"])
@pytest.mark.parametrize("case", range(len(_tables())))
def test_band_test_agrees_with_the_state_table_on_every_value(monkeypatch, max_runs, case):
    monkeypatch.setattr(masks, "MAX_RUNS", max_runs)
    dtype, states, nodata_state, pass_state = _tables()[case]
    values = state_tables.band_values(dtype).reshape(-1, 64)  # every value the band can hold
    index = state_tables.index_view(values)
    test = masks.BandTest(states, nodata_state, pass_state)
    nodata, may_keep = test.masks(values)
    np.testing.assert_array_equal(_as_array(nodata, values.shape), states[index] == nodata_state)
    np.testing.assert_array_equal(_as_array(may_keep, values.shape), states[index] == pass_state)
    runs = max(len(masks.value_runs(states == state)) for state in (nodata_state, pass_state))
    assert test.uses_lookup == (runs > max_runs)


def test_many_runs_cost_one_lookup_and_few_runs_none():
    cty_default = state_tables.class_state_table(
        products.CTY_CTYCL, "uint16", 65535, products.resolve_classes(products.CTY_CTYCL, ())
    )
    oso_default = state_tables.class_state_table(
        products.OSO_23, "uint8", None, products.resolve_classes(products.OSO_23, ())
    )
    ctycl = state_tables.confidence_state_table(products.CTY_CTYCL, "uint8", 255, 50)
    assert masks.BandTest(cty_default, products.CLASS_NODATA, products.CLASS_SELECTED).uses_lookup
    oso = masks.BandTest(oso_default, products.CLASS_NODATA, products.CLASS_SELECTED)
    assert not oso.uses_lookup
    assert oso.pass_runs == [(5, 12)]
    assert oso.nodata_runs == [(0, 0), (255, 255)]
    confidence = masks.BandTest(ctycl, products.CONF_NODATA, products.CONF_OK)
    assert confidence.pass_runs == [(50, 100)]
    assert confidence.nodata_runs == [(101, 252), (254, 255)]
