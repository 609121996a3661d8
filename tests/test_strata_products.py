"""The special values of a strata map (plugin/raster/strata_values.py): a product's no-data codes
are in no stratum even when the file does not declare them, told by PRODUCT, a crop mask's
recorded settings, the band description or the file name. The references are plain numpy
counts of the arrays, with the codes taken from the product documentation (the sample README,
resources/nomenclature.csv) written out here."""

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio

from crop_confidence.plugin.raster import strata_values as sv
from crop_confidence.plugin.raster.plan import BandRef
from crop_confidence.plugin.raster.strata import StrataRequest, count_strata, stratum_key
from rasters import write_raster

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
CTY = SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"
CTYCL = SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
OSO = SAMPLE / "OSO_2021_sample.tif"
OSO_PRODUCT, CTY_PRODUCT = 3, 1  # PRODUCT: 0 Automatic, then cropmask's products


def unsplit_counts(values, excluded):
    """{stratum key: pixels} of an unsplit map, ``excluded`` values in no stratum."""
    found, counts = np.unique(values[~np.isin(values, excluded)], return_counts=True)
    return {int(v) * 3: int(c) for v, c in zip(found, counts)}


def counted(path, product=None, band=1, confidence=None, split=70):
    result = count_strata(
        StrataRequest(BandRef(str(path), band), confidence, split=split, product=product)
    )
    return {s.key: s.pixels for s in result.strata}, result.identity


def undeclare(source, target):
    """A copy of ``source`` whose bands declare no nodata (tags and descriptions kept)."""
    shutil.copy(source, target)
    # GDAL 3.10 refuses to update a COG in place without this (unknown to 3.6: ignored).
    with rasterio.open(target, "r+", IGNORE_COG_LAYOUT_BREAK="YES") as dataset:
        dataset.nodata = None
    with rasterio.open(target) as dataset:
        assert dataset.nodata is None
    return target


@pytest.fixture()
def oso_values():
    rng = np.random.default_rng(5)
    return rng.choice(np.array([0, 1, 5, 13, 23, 255], np.uint8), (60, 70))


@pytest.mark.parametrize(
    ("name", "description", "product", "rule"),
    [
        ("map.tif", "OCS", None, sv.BAND_DESCRIPTION),
        ("OCS_2018_CESBIO.tif", None, None, sv.FILE_NAME),
        ("OSO_2016_sample.tif", None, None, sv.FILE_NAME),  # 17 classes: same no-data codes
        ("map.tif", None, "oso23", sv.PARAMETER),
    ],
)
def test_undeclared_oso_nodata_is_in_no_stratum(
    tmp_path, oso_values, name, description, product, rule
):
    descriptions = [description] if description else None
    path = write_raster(tmp_path / name, oso_values, nodata=None, descriptions=descriptions)
    strata, identity = counted(path, product)
    assert identity.rule == rule
    assert strata == unsplit_counts(oso_values, [0, 255])
    assert stratum_key(255, 0) not in strata and stratum_key(0, 0) not in strata


def test_an_unknown_map_excludes_only_its_declared_nodata(tmp_path, oso_values):
    path = write_raster(tmp_path / "map.tif", oso_values, nodata=None)
    strata, identity = counted(path)
    assert identity.rule == sv.DECLARED
    assert strata == unsplit_counts(oso_values, [])  # 0 and 255 are strata: nothing told
    path = write_raster(tmp_path / "declared.tif", oso_values, nodata=255)
    assert counted(path)[0] == unsplit_counts(oso_values, [255])


def test_an_oso_band_of_a_three_band_file(tmp_path):
    # the sample declares 0; without it, the band description OCS still tells the product
    path = undeclare(OSO, tmp_path / "oso.tif")
    with rasterio.open(path) as dataset:
        classes = dataset.read(1)
    classes[:3, :] = 255  # undeclared OSO no data
    with rasterio.open(path, "r+") as dataset:
        dataset.write(classes, 1)
    strata, identity = counted(path)
    assert (identity.rule, identity.source, identity.product) == (
        sv.BAND_DESCRIPTION,
        "OCS",
        "oso23",
    )
    assert strata == unsplit_counts(classes, [0, 255])


@pytest.mark.parametrize("declared", [True, False])
def test_a_cty_map_excludes_65535_and_keeps_no_cropland(tmp_path, declared):
    path = CTY
    with rasterio.open(path) as dataset:
        classes = dataset.read(1)
    assert (classes == 65535).sum() > 0 and (classes == 0).sum() > 0
    if not declared:  # nor a band description: the file name tells the product
        path = write_raster(tmp_path / CTY.name, classes)
    strata, identity = counted(path)
    assert identity.product == "cty_ctycl"
    assert identity.rule == (sv.BAND_DESCRIPTION if declared else sv.FILE_NAME)
    assert strata == unsplit_counts(classes, [65535])
    assert strata[stratum_key(0, 0)] == (classes == 0).sum()
    # the same file under another name: PRODUCT tells it
    plain = undeclare(CTY, tmp_path / "plain.tif")
    assert counted(plain, "cty_ctycl")[0] == unsplit_counts(classes, [65535])


def test_ctycl_special_codes_stay_unsplit(tmp_path):
    rng = np.random.default_rng(8)
    classes = rng.choice(np.array([0, 1110, 2100, 65535], np.uint16), (50, 40))
    confidence = rng.choice(np.r_[0:101, 120, 253, 254, 255].astype(np.uint8), (50, 40))
    cty = write_raster(tmp_path / "classes.tif", classes)  # nothing declared, nothing in the name
    ctycl = write_raster(tmp_path / "confidence.tif", confidence)
    strata, _ = counted(cty, "cty_ctycl", confidence=BandRef(ctycl), split=60)
    level = np.where(confidence > 100, 0, np.where(confidence < 60, 1, 2))
    keys = classes.astype(int) * 3 + level
    keys = keys[classes != 65535]
    found, counts = np.unique(keys, return_counts=True)
    assert strata == dict(zip(found.tolist(), counts.tolist()))
    assert stratum_key(0, 0) in strata and stratum_key(1110, 1) in strata


def test_oso_confidence_nodata_stays_unsplit(tmp_path):
    # the sample's three bands declare 0 (states.py: no data); 255 is not a percentage
    path = tmp_path / "OSO_2021.tif"
    shutil.copy(OSO, path)
    with rasterio.open(path, "r+", IGNORE_COG_LAYOUT_BREAK="YES") as dataset:
        classes, confidence = dataset.read(1), dataset.read(2)
        confidence[::7, ::5] = 255
        confidence[3::11, ::3] = 0
        dataset.write(confidence, 2)
    strata, identity = counted(path, confidence=BandRef(str(path), 2), split=40)
    assert identity.rule == sv.BAND_DESCRIPTION
    level = np.where(np.isin(confidence, [0, 255]), 0, np.where(confidence < 40, 1, 2))
    keys = (classes.astype(int) * 3 + level)[~np.isin(classes, [0, 255])]
    found, counts = np.unique(keys, return_counts=True)
    assert strata == dict(zip(found.tolist(), counts.tolist()))
    assert any(key % 3 == 0 for key in strata) and any(key % 3 == 1 for key in strata)


# ------------------------------------------------------------------ crop masks and processing.run


class Log:
    """A QgsProcessingFeedback that keeps the log (made lazily: QGIS must be up)."""

    def __new__(cls):
        from qgis.core import QgsProcessingFeedback

        class Feedback(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.lines = []

            def pushInfo(self, info):  # noqa: N802 (QGIS API)
                self.lines.append(info)

            def reportError(self, error, fatalError=False):  # noqa: N802, N803 (QGIS API)
                self.lines.append(error)

        return Feedback()


def run(algorithm, parameters, feedback=None):
    import processing

    return processing.run(algorithm, parameters, feedback=feedback)


def crop_mask(tmp_path, mode, product=0, classes=None, confidence=CTYCL):
    output = str(tmp_path / f"mask_{mode}_{product}.tif")
    parameters = {
        "PRODUCT": product,
        "CLASS_LAYER": str(classes or CTY),
        "CONFIDENCE_LAYER": str(confidence),
        "MIN_CONFIDENCE": 50,
        "OUTPUT_MODE": mode,
        "OUTPUT": output,
    }
    if product == 2:  # OSO 2018+: the bands of the one file
        parameters.update(CLASS_BAND=1, CONFIDENCE_BAND=2, VALIDITY_LAYER=str(OSO), VALIDITY_BAND=3)
    run("cropconfidence:cropmask", parameters)
    return output


def sampled_strata(path, log=None, **extra):
    result = run(
        "cropconfidence:sampledesign",
        {"MAP": path, "SAMPLE_SIZE": 20, "ALLOCATION": 1, "OUTPUT": "memory:",
         "OUTPUT_STRATA": "memory:", **extra},
        log,
    )  # fmt: skip
    return {f["stratum"]: f["pixels"] for f in result["OUTPUT_STRATA"].getFeatures()}


@pytest.mark.parametrize("declared", [True, False])
def test_a_binary_crop_mask_has_strata_0_and_1(provider, tmp_path, declared):  # noqa: ARG001
    path = crop_mask(tmp_path, 0)
    if not declared:
        path = str(undeclare(path, tmp_path / "undeclared.tif"))
    with rasterio.open(path) as dataset:
        mask = dataset.read(1)
        assert dataset.tags()["CROPCONFIDENCE_OUTPUT_MODE"] == "binary"
    assert (mask == 255).sum() > 0 and (mask == 0).sum() > 0 and (mask == 1).sum() > 0
    assert sampled_strata(path) == {"0": int((mask == 0).sum()), "1": int((mask == 1).sum())}
    # recorded settings come before a product chosen by mistake
    assert sampled_strata(path, PRODUCT=OSO_PRODUCT) == sampled_strata(path)


def test_an_oso_class_map_keeps_not_kept_as_a_stratum(provider, tmp_path):  # noqa: ARG001
    path = str(
        undeclare(
            crop_mask(tmp_path, 1, product=2, classes=OSO, confidence=OSO), tmp_path / "m.tif"
        )
    )
    with rasterio.open(path) as dataset:
        mask = dataset.read(1)
    assert (mask == 255).sum() > 0 and (mask == 0).sum() > 0
    found, counts = np.unique(mask[mask != 255], return_counts=True)
    assert sampled_strata(path) == {str(v): c for v, c in zip(found.tolist(), counts.tolist())}


def test_processing_product_parameter_and_log(provider, tmp_path, oso_values):  # noqa: ARG001
    path = write_raster(tmp_path / "plain.tif", oso_values)
    expected = {str(k // 3): c for k, c in unsplit_counts(oso_values, [0, 255]).items()}
    log = Log()
    assert sampled_strata(path, log, PRODUCT=OSO_PRODUCT) == expected
    assert "Map: product OSO 2018+ (23 classes) (PRODUCT); no data: 0, 255." in log.lines
    everything = {str(k // 3): c for k, c in unsplit_counts(oso_values, []).items()}
    log = Log()
    assert sampled_strata(path, log) == everything
    assert (
        "Map: product not recognised and no declared no-data value: every value is a "
        "stratum. Choose PRODUCT to exclude a product's no-data codes." in log.lines
    )
    cty = write_raster(tmp_path / "CLMS_HRLVLCC_CTY_S2021.tif", np.array([[0, 65535]], np.uint16))
    log = Log()
    assert sampled_strata(cty, log, SAMPLE_SIZE=1) == {"0": 1}
    assert (
        "Map: product CTY + CTYCL, from the file name 'CLMS_HRLVLCC_CTY_S2021.tif'; "
        "no data: 65535." in log.lines
    )


# ------------------------------------------------------------------ the modeller


def chained_model():
    """A model: cropconfidence:cropmask (a filtered class map) -> cropconfidence:sampledesign
    on it, split by the same confidence layer."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterRasterLayer,
    )

    static = QgsProcessingModelChildParameterSource.fromStaticValue
    model_input = QgsProcessingModelChildParameterSource.fromModelParameter
    model = QgsProcessingModelAlgorithm("maskthensample", "Tests", "tests")
    for name in ("class_layer", "confidence_layer"):
        model.addModelParameter(
            QgsProcessingParameterRasterLayer(name, name), QgsProcessingModelParameter(name)
        )

    def child(algorithm, child_id, sources, outputs):
        component = QgsProcessingModelChildAlgorithm(algorithm)
        component.setChildId(child_id)
        for parameter, value in sources.items():
            component.addParameterSources(parameter, [value])
        model_outputs = {}
        for name, child_output in outputs.items():
            output = QgsProcessingModelOutput(name, name)
            output.setChildId(child_id)
            output.setChildOutputName(child_output)
            model_outputs[name] = output
        component.setModelOutputs(model_outputs)
        model.addChildAlgorithm(component)

    child(
        "cropconfidence:cropmask",
        "mask",
        {
            "PRODUCT": static(0),
            "CLASS_LAYER": model_input("class_layer"),
            "CONFIDENCE_LAYER": model_input("confidence_layer"),
            "MIN_CONFIDENCE": static(50),
            "OUTPUT_MODE": static(1),  # a filtered class map
        },
        {"class_map": "OUTPUT"},
    )
    child(
        "cropconfidence:sampledesign",
        "sample",
        {
            "MAP": QgsProcessingModelChildParameterSource.fromChildOutput("mask", "OUTPUT"),
            "CONFIDENCE_LAYER": model_input("confidence_layer"),
            "CONFIDENCE_SPLIT": static(70),
            "SAMPLE_SIZE": static(150),
            "ALLOCATION": static(2),
            "MIN_PER_STRATUM": static(2),
            "SEED": static(4),
        },
        {"points": "OUTPUT", "strata": "OUTPUT_STRATA"},
    )
    return model


def test_crop_mask_then_sample_design_in_a_model(provider, tmp_path):  # noqa: ARG001
    model = chained_model()
    for child_id in ("mask", "sample"):
        valid = model.validateChildAlgorithm(child_id)
        assert valid == (True, []), valid[1]
    class_map, points = tmp_path / "class_map.tif", tmp_path / "points.gpkg"
    strata_path = tmp_path / "strata.csv"
    log = Log()
    # A model's output is named "child:output" up to QGIS 3.3x, "output" from 3.40.
    output = {d.name().split(":")[-1]: d.name() for d in model.destinationParameterDefinitions()}
    results = run(
        model,
        {
            "class_layer": str(CTY),
            "confidence_layer": str(CTYCL),
            output["class_map"]: str(class_map),
            output["points"]: str(points),
            output["strata"]: str(strata_path),
        },
        log,
    )
    assert (
        "Map: a crop mask (CTY + CTYCL, classes), from its metadata; no data: 65535." in log.lines
    )
    assert results[output["class_map"]] == str(class_map)
    with rasterio.open(class_map) as dataset:
        classes = dataset.read(1)
        assert dataset.tags()["CROPCONFIDENCE_OUTPUT_MODE"] == "classes"
    with rasterio.open(CTYCL) as dataset:
        confidence = dataset.read(1)
    # the strata, from the rules: 65535 (CTY outside) in none, 0 ("not kept") one of them;
    # CTYCL 253 and 255 unsplit, below 70 low, from 70 high
    level = np.where(confidence > 100, 0, np.where(confidence < 70, 1, 2))
    names = {0: "", 1: "/low", 2: "/high"}
    keys = (classes.astype(int) * 3 + level)[classes != 65535]
    found, counts = np.unique(keys, return_counts=True)
    expected = {f"{k // 3}{names[k % 3]}": c for k, c in zip(found.tolist(), counts.tolist())}
    assert (
        "0" in expected and "0/low" in expected and not any(k.startswith("65535") for k in expected)
    )
    with open(strata_path, newline="") as stream:
        strata = list(csv.DictReader(stream))
    assert {row["stratum"]: int(row["pixels"]) for row in strata} == expected
    assert sum(int(row["n"]) for row in strata) == 150
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(points), "points")
    assert layer.isValid() and layer.featureCount() == 150
