"""Styles: renderers against an independent reading of the tables, the committed QML files,
cropconfidence:style and the styling of fetched layers, in real QGIS."""

import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
)

from rasters import L93_ORIGIN, write_raster

ROOT = Path(__file__).resolve().parents[1]
STYLES_DIR = ROOT / "resources" / "styles"
CATALOG = ROOT / "resources" / "sample" / "catalog.json"
CLMS_EXTENT = "3851000,3855000,2650000,2653000 [EPSG:3035]"
OSO_EXTENT = "571000,575000,6276000,6279000 [EPSG:2154]"
ALG = "cropconfidence:style"
TRANSPARENT = 0


def renderer_band(renderer):
    """The band a renderer reads: inputBand() where band() is deprecated (QGIS >= 3.38)."""
    return renderer.inputBand() if hasattr(renderer, "inputBand") else renderer.band()


def table(name):
    path = ROOT / "resources" / f"{name}.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rows(product):
    return [row for row in table("nomenclature") if row["product"] == product]


def ramp(name):
    return [row for row in table("ramps") if row["ramp"] == name]


def label(row, language):
    return row[f"label_{language}"]


def argb(hex_colour):
    return 0xFF000000 | int(hex_colour.lstrip("#"), 16)


def styles():
    from crop_confidence.plugin.qgis import styles as module

    return module


def layer_of(path, name=None):
    layer = QgsRasterLayer(str(path), name or Path(path).stem, "gdal")
    assert layer.isValid(), path
    return layer


def rendered(layer, renderer=None, band=1):
    """ARGB of every pixel of a small one-row raster, as drawn by its renderer."""
    renderer = renderer or layer.renderer()
    block = renderer.block(band, layer.extent(), layer.width(), layer.height())
    return [block.color(0, column) for column in range(layer.width())]


def palette(renderer):
    return [(int(c.value), c.color.name(), c.label) for c in renderer.classes()]


@pytest.fixture()
def project():
    instance = QgsProject.instance()
    instance.removeAllMapLayers()
    yield instance
    instance.removeAllMapLayers()


@pytest.fixture()
def byte_layer(tmp_path):
    path = write_raster(tmp_path / "values.tif", np.arange(256, dtype=np.uint8).reshape(1, 256))
    return layer_of(path)


@pytest.fixture()
def uint16_layer(tmp_path):
    values = np.array([[0, 1110, 3200, 65535]], np.uint16)
    return layer_of(write_raster(tmp_path / "values16.tif", values))


# --- renderers ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("product", ["oso23", "oso17"])
def test_oso_palettes_have_every_class_colour_and_label(qgis_app, byte_layer, product, language):  # noqa: ARG001
    renderer = styles().renderer_for(byte_layer, product, language=language)
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    expected = [
        (int(row["code"]), row["color"], label(row, language))
        for row in rows(product)
        if row["color"]
    ]
    assert palette(renderer) == expected
    assert len(expected) == (23 if product == "oso23" else 17)
    pixels = rendered(byte_layer, renderer)
    for code, colour, _ in expected:
        assert pixels[code] == argb(colour)
    assert pixels[0] == pixels[255] == TRANSPARENT


@pytest.mark.parametrize("language", ["en", "fr"])
def test_cty_palette_has_the_19_classes_and_grey_no_cropland(qgis_app, uint16_layer, language):  # noqa: ARG001
    renderer = styles().renderer_for(uint16_layer, "cty", language=language)
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    expected = [
        (int(row["code"]), row["color"], label(row, language))
        for row in rows("cty")
        if row["color"]
    ]
    assert palette(renderer) == expected
    assert len(expected) == 20 and expected[0][0] == 0
    assert expected[0][2] == ("No cropland" if language == "en" else "Pas de culture")
    # 0 "No cropland" light grey, 1110, 3200 in their colours, 65535 transparent.
    colours = {int(row["code"]): row["color"] for row in rows("cty") if row["color"]}
    assert rendered(uint16_layer, renderer) == [
        argb(colours[0]), argb(colours[1110]), argb(colours[3200]), TRANSPARENT,
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fr"])
def test_ctycl_ramp_red_to_green_253_grey_the_rest_transparent(qgis_app, byte_layer, language):  # noqa: ARG001
    renderer = styles().renderer_for(byte_layer, "ctycl", language=language)
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
    stops = ramp("ctycl")
    (no_crop,) = [row for row in rows("ctycl") if row["role"] == "no_crop"]
    low, high = stops[0], stops[-1]
    assert (low["value"], high["value"]) == ("0", "100")
    assert low["color"].startswith("#d") and high["color"].startswith("#1")  # red .. green
    pixels = rendered(byte_layer, renderer)
    assert pixels[0] == argb(low["color"])
    assert pixels[100] == argb(high["color"])
    assert pixels[253] == argb(no_crop["color"])
    for value in (*range(101, 253), 254, 255):
        assert pixels[value] == TRANSPARENT, value
    for value in range(1, 100):  # opaque, from red towards green
        assert pixels[value] >> 24 == 0xFF
    assert (pixels[90] >> 8 & 0xFF) > (pixels[10] >> 8 & 0xFF)  # greener
    assert (pixels[90] >> 16 & 0xFF) < (pixels[10] >> 16 & 0xFF)  # less red
    shader = renderer.shader().rasterShaderFunction()
    assert shader.shade(0)[1:4] == tuple(bytes.fromhex(low["color"][1:]))
    assert shader.shade(253)[1:4] == tuple(bytes.fromhex(no_crop["color"][1:]))
    assert not shader.shade(254)[0] and not shader.shade(255)[0]
    legend = [(text, colour.name()) for text, colour in renderer.legendSymbologyItems()]
    assert legend == [(label(row, language), row["color"]) for row in stops] + [
        (label(no_crop, language), no_crop["color"])
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    ("kind", "first", "last", "end_colours"),
    [
        ("oso_confidence", 1, 100, ("#000000", "#00c800")),
        ("oso_validity", 1, 45, ("#000000", "#e60000")),
    ],
)
def test_oso_ramps(qgis_app, byte_layer, language, kind, first, last, end_colours):  # noqa: ARG001
    renderer = styles().renderer_for(byte_layer, kind, language=language)
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
    stops = ramp(kind)
    assert [(float(r["value"]), r["color"]) for r in stops] == list(zip((first, last), end_colours))
    pixels = rendered(byte_layer, renderer)
    assert pixels[first] == argb(end_colours[0])
    assert pixels[last] == argb(end_colours[1])
    assert pixels[0] == pixels[255] == TRANSPARENT
    if kind == "oso_validity":
        assert pixels[60] == argb(end_colours[1])  # more dates than the ramp: the last colour
    else:
        assert pixels[101] == TRANSPARENT
    legend = [(text, colour.name()) for text, colour in renderer.legendSymbologyItems()]
    assert legend == [(label(row, language), row["color"]) for row in stops]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_crop_mask_binary_and_class_map(qgis_app, tmp_path, language):  # noqa: ARG001
    (kept,) = ramp("mask")
    binary = layer_of(write_raster(tmp_path / "m.tif", np.array([[0, 1, 255]], np.uint8)))
    renderer = styles().renderer_for(binary, "mask", language=language)
    assert palette(renderer) == [(1, kept["color"], label(kept, language))]
    assert rendered(binary, renderer) == [TRANSPARENT, argb(kept["color"]), TRANSPARENT]

    values = np.array([[0, 5, 12, 255]], np.uint8)
    oso_map = layer_of(write_raster(tmp_path / "c.tif", values))
    renderer = styles().renderer_for(oso_map, "mask", language=language)
    selectable = [r for r in rows("oso23") if r["role"] in ("crop", "agricultural", "other")]
    assert palette(renderer) == [
        (int(r["code"]), r["color"], label(r, language)) for r in selectable
    ]

    cty_map = layer_of(write_raster(tmp_path / "d.tif", np.array([[0, 1110]], np.uint16)))
    renderer = styles().renderer_for(cty_map, "mask", language=language)
    codes = [int(r["code"]) for r in rows("cty") if r["role"] == "crop"]
    assert [code for code, _, _ in palette(renderer)] == codes  # 0 (not kept) transparent


def test_mask_renderer_keeps_the_threshold_label(qgis_app, byte_layer):  # noqa: ARG001
    renderer = styles().mask_renderer(byte_layer, 75)
    assert palette(renderer) == [(1, ramp("mask")[0]["color"], "Kept (confidence ≥ 75)")]


def test_legends_show_the_labels(qgis_app, byte_layer, uint16_layer):  # noqa: ARG001
    from qgis.core import QgsLayerTreeLayer
    from qgis.PyQt.QtCore import Qt

    def legend(layer, kind):
        renderer = styles().renderer_for(layer, kind, language="fr")
        nodes = renderer.createLegendNodes(QgsLayerTreeLayer(layer))[1:]  # after the band name
        return nodes

    nodes = legend(uint16_layer, "cty")
    assert [n.data(Qt.ItemDataRole.DisplayRole) for n in nodes] == [
        r["label_fr"] for r in rows("cty") if r["color"]
    ]
    nodes = legend(byte_layer, "ctycl")
    assert [n.data(Qt.ItemDataRole.DisplayRole) for n in nodes] == [
        r["label_fr"] for r in ramp("ctycl")
    ] + ["Pas de culture"]
    (node,) = legend(byte_layer, "oso_confidence")  # a continuous ramp, labelled at both ends
    stops = ramp("oso_confidence")
    assert node.settings().minimumLabel() == stops[0]["label_fr"]
    assert node.settings().maximumLabel() == stops[-1]["label_fr"]


# --- committed QML files ----------------------------------------------------------------------


def qml_content(path):
    """What a QML file says about rendering, independent of attribute order and version."""
    renderer = ET.parse(path).getroot().find("pipe/rasterrenderer")
    shader = renderer.find("rastershader/colorrampshader")
    transparency = renderer.findall("rasterTransparency/singleValuePixelList/pixelListEntry")
    return {
        "type": renderer.get("type"),
        "band": renderer.get("band"),
        "palette": [
            (e.get("value"), e.get("color"), e.get("alpha"), e.get("label"))
            for e in renderer.findall("colorPalette/paletteEntry")
        ],
        "shader": None
        if shader is None
        else (
            shader.get("colorRampType"),
            shader.get("clip"),
            shader.get("minimumValue"),
            shader.get("maximumValue"),
        ),  # fmt: skip
        "items": []
        if shader is None
        else [
            (e.get("value"), e.get("color"), e.get("alpha"), e.get("label"))
            for e in shader.findall("item")
        ],
        "legend": None
        if shader is None
        else [
            shader.find("rampLegendSettings").get(key)
            for key in ("useContinuousLegend", "minimumLabel", "maximumLabel")
        ],
        "transparency": [
            (e.get("min"), e.get("max"), e.get("percentTransparent")) for e in transparency
        ],
    }


def make_styles():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_styles as module
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return module


def test_committed_qml_files_are_up_to_date(qgis_app, tmp_path):  # noqa: ARG001
    module = make_styles()
    written = module.write_styles(tmp_path)
    names = sorted(path.name for path in written)
    assert names == sorted(path.name for path in STYLES_DIR.glob("*.qml"))
    assert len(names) == 14
    for name in names:
        assert qml_content(tmp_path / name) == qml_content(STYLES_DIR / name), (
            f"resources/styles/{name} is stale: run python tools/make_styles.py"
        )


def test_qml_files_say_what_the_tables_say(qgis_app):  # noqa: ARG001
    content = qml_content(STYLES_DIR / "oso23_fr.qml")
    assert content["type"] == "paletted"
    assert [(v, c, lab) for v, c, _, lab in content["palette"]] == [
        (r["code"], r["color"], r["label_fr"]) for r in rows("oso23") if r["color"]
    ]
    content = qml_content(STYLES_DIR / "ctycl_en.qml")
    assert content["type"] == "singlebandpseudocolor"
    assert [(float(v), c) for v, c, _, _ in content["items"]] == [
        (float(r["value"]), r["color"]) for r in ramp("ctycl")
    ] + [(253.0, "#bebebe")]


def test_a_qml_file_restyles_a_layer(qgis_app, uint16_layer):  # noqa: ARG001
    message, ok = uint16_layer.loadNamedStyle(str(STYLES_DIR / "cty_en.qml"))
    assert ok, message
    expected = [(int(r["code"]), r["color"], r["label_en"]) for r in rows("cty") if r["color"]]
    assert palette(uint16_layer.renderer()) == expected


# --- cropconfidence:style -------------------------------------------------------------------


def run_style(layer_or_path, product=0):
    import processing

    return processing.run(ALG, {"INPUT": layer_or_path, "PRODUCT": product})


def oso_bands(tmp_path, name, classes=(1, 5, 23), descriptions=None):
    bands = [
        np.array([list(classes)], np.uint8),
        np.array([[1, 50, 100]], np.uint8),
        np.array([[1, 20, 45]], np.uint8),
    ]
    return write_raster(
        tmp_path / name, bands, crs="EPSG:2154", origin=L93_ORIGIN, descriptions=descriptions
    )


def single(tmp_path, name, values=(0, 1, 2), dtype=np.uint8, description=None, crs="EPSG:3035"):
    return write_raster(
        tmp_path / name,
        np.array([list(values)], dtype),
        crs=crs,
        descriptions=[description] if description else None,
    )


DETECTED = [
    ("CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif", np.uint16, None, "cty"),
    ("CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif", np.uint8, None, "ctycl"),
    ("CTY_2021_aoi-1a2b3c4d.tif", np.uint16, None, "cty"),
    ("CTYCL_2021_aoi-1a2b3c4d.tif", np.uint8, None, "ctycl"),
    ("CTY_2021.vrt.tif", np.uint16, None, "cty"),
    ("OCS_2018_CESBIO.tif", np.uint8, None, "oso23"),
    ("OCS_2017_CESBIO.tif", np.uint8, None, "oso17"),
    ("OSO_2021_aoi-1a2b3c4d_OCS.tif", np.uint8, None, "oso23"),
    ("OSO_2016_aoi-1a2b3c4d_OCS.tif", np.uint8, None, "oso17"),
    ("OSO_2021_aoi-1a2b3c4d_OCS_Confidence.tif", np.uint8, None, "oso_confidence"),
    ("OSO_2021_aoi-1a2b3c4d_OCS_Validity.tif", np.uint8, None, "oso_validity"),
    ("OSO_2021_OCS_Confidence_aoi-1a2b3c4d.tif", np.uint8, None, "oso_confidence"),
    ("band_a.tif", np.uint8, "OCS_Confidence", "oso_confidence"),
    ("band_b.tif", np.uint8, "OCS_Validity", "oso_validity"),
    ("band_c.tif", np.uint16, "CTY", "cty"),
    ("band_d.tif", np.uint8, "CTYCL", "ctycl"),
]


@pytest.mark.parametrize(("name", "dtype", "description", "kind"), DETECTED)
def test_detect_each_naming_pattern(provider, project, tmp_path, name, dtype, description, kind):  # noqa: ARG001
    layer = layer_of(single(tmp_path, name, dtype=dtype, description=description))
    project.addMapLayer(layer)
    before = layer.renderer()
    result = run_style(layer.id())
    assert result["STYLE"] == kind
    assert result["OUTPUT"] == layer.id()
    assert layer.renderer() is not before
    expected_type = "paletted" if kind in ("cty", "oso23", "oso17") else "singlebandpseudocolor"
    assert layer.renderer().type() == expected_type
    if kind in ("cty", "oso23", "oso17"):
        codes = [int(r["code"]) for r in rows(kind) if r["color"]]
        assert [code for code, _, _ in palette(layer.renderer())] == codes
    assert not Path(layer.source()).with_suffix(".qml").exists()  # in place, nothing saved


def test_detection_is_reported_with_the_product_label(provider, project, tmp_path):  # noqa: ARG001
    import processing
    from qgis.core import QgsProcessingFeedback

    class Feedback(QgsProcessingFeedback):
        infos = []

        def pushInfo(self, info):  # noqa: N802
            self.infos.append(info)

    layer = layer_of(single(tmp_path, "OCS_2018_CESBIO.tif"))
    project.addMapLayer(layer)
    feedback = Feedback()
    processing.run(ALG, {"INPUT": layer.id(), "PRODUCT": 0}, feedback=feedback)
    assert "Detected: OSO 2018+ (23 classes)" in feedback.infos


def test_detect_oso_from_gdal_metadata_and_values(provider, project, tmp_path):  # noqa: ARG001
    from osgeo import gdal

    path = single(tmp_path, "layer.tif", values=(5, 6, 7))
    dataset = gdal.Open(path, gdal.GA_Update)
    dataset.SetMetadata({"PRODUCT": "CNES OSO land cover", "BAND": "OCS"})
    dataset = None
    layer = layer_of(path, "classes")
    project.addMapLayer(layer)
    assert run_style(layer)["STYLE"] == "oso23"  # no year, values 1-23

    layer = layer_of(oso_bands(tmp_path, "oso.tif", classes=(11, 31, 222),
                               descriptions=["OCS", "OCS_Confidence", "OCS_Validity"]))  # fmt: skip
    project.addMapLayer(layer)
    assert run_style(layer)["STYLE"] == "oso17"  # no year, 17-class codes
    assert renderer_band(layer.renderer()) == 1


def test_three_band_oso_file_styles_the_named_band(provider, project, tmp_path):  # noqa: ARG001
    layer = layer_of(oso_bands(tmp_path, "OSO_2021_sample.tif",
                               descriptions=["OCS", "OCS_Confidence", "OCS_Validity"]))  # fmt: skip
    project.addMapLayer(layer)
    assert run_style(layer, 5)["STYLE"] == "oso_confidence"
    assert renderer_band(layer.renderer()) == 2
    assert run_style(layer, 6)["STYLE"] == "oso_validity"
    assert renderer_band(layer.renderer()) == 3
    assert run_style(layer)["STYLE"] == "oso23"
    assert renderer_band(layer.renderer()) == 1


@pytest.mark.parametrize(
    ("product", "kind", "renderer_type"),
    [
        (1, "oso23", "paletted"),
        (2, "oso17", "paletted"),
        (3, "cty", "paletted"),
        (4, "ctycl", "singlebandpseudocolor"),
        (5, "oso_confidence", "singlebandpseudocolor"),
        (6, "oso_validity", "singlebandpseudocolor"),
        (7, "mask", "paletted"),
    ],
)
def test_explicit_kinds(provider, project, tmp_path, product, kind, renderer_type):  # noqa: ARG001
    layer = layer_of(single(tmp_path, "anything.tif", values=(0, 1, 255)), "anything")
    project.addMapLayer(layer)
    repaints = []
    layer.repaintRequested.connect(lambda *_: repaints.append(True))
    result = run_style(layer, product)
    assert result == {"OUTPUT": layer.id(), "STYLE": kind}
    assert repaints
    assert layer.renderer().type() == renderer_type


def test_undetectable_layer_is_a_clear_error(provider, project, tmp_path):  # noqa: ARG001
    layer = layer_of(single(tmp_path, "parcels_2021.tif"), "my parcels")
    project.addMapLayer(layer)
    with pytest.raises(QgsProcessingException) as error:
        run_style(layer)
    message = str(error.value)
    assert "my parcels" in message and "parcels_2021.tif" in message
    for choice in ("OSO 2018+", "OSO 2016", "CTY (", "CTYCL", "OSO confidence", "OSO validity",
                   "Crop mask"):  # fmt: skip
        assert choice in message


def test_a_path_input_gets_a_default_style_file(provider, project, tmp_path):  # noqa: ARG001
    path = single(tmp_path, "CTY_2021_aoi-1a2b3c4d.tif", values=(0, 1110, 65535), dtype=np.uint16)
    result = run_style(path)
    assert result["STYLE"] == "cty"
    qml = tmp_path / "CTY_2021_aoi-1a2b3c4d.qml"
    assert qml.exists()
    assert qml_content(qml)["palette"] == qml_content(STYLES_DIR / "cty_en.qml")["palette"]
    reopened = layer_of(path)  # QGIS reads the default style when opening the file
    assert palette(reopened.renderer())[1] == (1110, "#ee6e32", "Wheat")
    assert not project.mapLayers()


def test_the_algorithm_is_registered(provider):
    # Fresh instances: a provider first registered under a French test has French labels.
    algorithm = provider.algorithm("style").createInstance()
    algorithm.initAlgorithm()
    assert algorithm is not None and algorithm.displayName() == "Apply Crop Confidence style"
    options = algorithm.parameterDefinition("PRODUCT").options()
    assert len(options) == 8 and options[0].startswith("Detect")


# --- fetched layers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "extent", "expected"),
    [
        (0, CLMS_EXTENT, {"CTY_2021": "cty", "CTYCL_2021": "ctycl"}),
        (
            2,
            OSO_EXTENT,
            {"OCS": "oso23", "OCS_Confidence": "oso_confidence", "OCS_Validity": "oso_validity"},
        ),  # fmt: skip
    ],
)
def test_fetched_layers_are_loaded_styled(provider, project, tmp_path, product, extent, expected):  # noqa: ARG001
    import processing

    from crop_confidence.plugin.processing.postprocess import OneShotPostProcessor

    pending = set(OneShotPostProcessor.pending)  # runs that loaded nothing keep theirs
    processing.runAndLoadResults(
        "cropconfidence:fetch",
        {
            "PRODUCT": product,
            "YEAR": 2021,
            "EXTENT": extent,
            "SOURCE_URL": str(CATALOG),
            "OUTPUT_FOLDER": str(tmp_path),
        },
        context=QgsProcessingContext(),
    )
    layers = list(project.mapLayers().values())
    assert len(layers) == len(expected)
    assert OneShotPostProcessor.pending == pending  # each let go once it styled its layer
    found = {}
    for layer in layers:
        stem = Path(layer.source()).stem
        (key,) = [k for k in expected if stem.startswith(k) or stem.endswith("_" + k)]
        found[key] = layer
    for key, kind in expected.items():
        renderer = found[key].renderer()
        if kind in ("cty", "oso23"):
            assert isinstance(renderer, QgsPalettedRasterRenderer)
            language = styles().ui_language()
            assert palette(renderer) == [
                (int(r["code"]), r["color"], label(r, language)) for r in rows(kind) if r["color"]
            ]
        else:
            assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
            items = renderer.shader().rasterShaderFunction().colorRampItemList()
            assert [item.color.name() for item in items][: len(ramp(kind))] == [
                r["color"] for r in ramp(kind)
            ]


# --- crop mask outputs ------------------------------------------------------------------------

CUSTOM_COLOURS = [row["color"] for row in ramp("custom_classes")]  # 4 stops, the first green


def cropmask_output(tmp_path, classes, name, **changes):
    """cropconfidence:cropmask as the toolbox runs it, Custom class map by default, on
    ``classes`` with a confidence of 90 everywhere -> the output, loaded in the project with
    the crop mask's own style."""
    import processing

    grid = {"crs": "EPSG:2154", "origin": L93_ORIGIN}
    output = tmp_path / f"{name}.tif"
    parameters = {
        "PRODUCT": 4,
        "CLASS_LAYER": write_raster(tmp_path / f"{name}_classes.tif", classes, **grid),
        "CONFIDENCE_LAYER": write_raster(
            tmp_path / f"{name}_confidence.tif", np.full(classes.shape, 90, np.uint8), **grid
        ),
        "OUTPUT_MODE": 1,
        "OUTPUT": str(output),
        **changes,
    }
    processing.runAndLoadResults(
        "cropconfidence:cropmask", parameters, context=QgsProcessingContext()
    )
    (layer,) = [
        layer for layer in QgsProject.instance().mapLayers().values()
        if layer.source() == str(output)
    ]  # fmt: skip
    return layer


def restyled(layer, product=7):
    """``layer``'s palette after cropconfidence:style with ``product`` (7: crop mask), and the
    style's kind; the renderer is replaced first so that the style must set it again."""
    layer.setRenderer(styles().mask_renderer(layer, 1))
    kind = run_style(layer.id(), product)["STYLE"]
    return palette(layer.renderer()), kind


def test_custom_class_map_with_oso_codes_gets_cropmasks_colour_per_kept_code(
    provider,  # noqa: ARG001
    project,  # noqa: ARG001
    tmp_path,
):
    classes = np.array([[5, 6, 7, 9, 10, 0]], np.uint8)  # all OSO codes
    layer = cropmask_output(tmp_path, classes, "custom", CLASSES="9,5,7,6")
    expected = [
        (code, colour, f"Class {code}") for code, colour in zip((5, 6, 7, 9), CUSTOM_COLOURS)
    ]
    assert palette(layer.renderer()) == expected  # the crop mask's own style
    assert restyled(layer) == (expected, "mask")
    assert rendered(layer) == [*map(argb, CUSTOM_COLOURS), TRANSPARENT, TRANSPARENT]


def test_custom_16_bit_class_map_is_not_given_the_cty_palette(provider, project, tmp_path):  # noqa: ARG001
    classes = np.array([[1110, 300, 0, 2100]], np.uint16)
    layer = cropmask_output(tmp_path, classes, "custom16", CLASSES="300,1110")
    first, last = CUSTOM_COLOURS[0], CUSTOM_COLOURS[-1]
    expected = [(300, first, "Class 300"), (1110, last, "Class 1110")]
    assert palette(layer.renderer()) == expected
    assert restyled(layer) == (expected, "mask")
    assert rendered(layer) == [argb(last), argb(first), TRANSPARENT, TRANSPARENT]


def test_crop_masks_are_detected_from_the_settings_cropmask_records(provider, project, tmp_path):  # noqa: ARG001
    from osgeo import gdal

    classes = np.array([[1110, 1120, 0]], np.uint16)
    # Named like a CTY file: the recorded settings say it is a crop mask.
    layer = cropmask_output(tmp_path, classes, "CTY_2021_custom", CLASSES="1120,1110")
    first, last = CUSTOM_COLOURS[0], CUSTOM_COLOURS[-1]
    expected = [(1110, first, "Class 1110"), (1120, last, "Class 1120")]
    assert restyled(layer, product=0) == (expected, "mask")
    assert gdal.Info(layer.source(), format="json")["metadata"][""] == {
        "AREA_OR_POINT": "Area",
        "CROPCONFIDENCE_PRODUCT": "custom",
        "CROPCONFIDENCE_OUTPUT_MODE": "classes",
        "CROPCONFIDENCE_CLASSES": "1110,1120",
        "CROPCONFIDENCE_MIN_CONFIDENCE": "50",
        "CROPCONFIDENCE_MIN_VALIDITY": "0",
    }
    assert not Path(f"{layer.source()}.aux.xml").exists()  # in the GeoTIFF itself

    binary = cropmask_output(tmp_path, classes, "binary", CLASSES="1110", OUTPUT_MODE=0,
                             MIN_CONFIDENCE=75)  # fmt: skip
    kept = [(1, ramp("mask")[0]["color"], "Kept (confidence ≥ 75)")]
    assert palette(binary.renderer()) == kept
    assert restyled(binary, product=0) == (kept, "mask")


@pytest.mark.parametrize(
    ("values", "dtype", "nodata", "codes"),
    [
        ((0, 40, 41, 255), np.uint8, 255, (40, 41)),  # not OSO codes
        ((0, 300, 1110, 65535), np.uint16, 65535, (300, 1110)),  # 300 is no CTY code
        ((0, -3, 12, -32768), np.int16, -32768, (-3, 12)),
    ],
)
def test_class_map_without_metadata_is_told_custom_by_its_values(
    provider,  # noqa: ARG001
    project,
    tmp_path,
    values,
    dtype,
    nodata,
    codes,
):
    path = write_raster(tmp_path / "older_map.tif", np.array([values], dtype), nodata=nodata)
    layer = layer_of(path)
    project.addMapLayer(layer)
    run_style(layer, 7)
    first, last = CUSTOM_COLOURS[0], CUSTOM_COLOURS[-1]
    assert palette(layer.renderer()) == [
        (codes[0], first, f"Class {codes[0]}"),
        (codes[1], last, f"Class {codes[1]}"),
    ]
