"""Translations: every tr() string has a French translation, and QGIS in French shows it."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QSettings

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "i18n.py"
TS = ROOT / "i18n" / "crop_confidence_fr.ts"
QM = ROOT / "i18n" / "crop_confidence_fr.qm"


def run_tool(*arguments):
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def translations(ts_path):
    root = ET.parse(ts_path).getroot()
    return {
        message.findtext("source"): message.find("translation") for message in root.iter("message")
    }


@pytest.fixture(scope="module")
def qm_file():
    """The compiled French catalogue (`make translations` builds it; rebuilt here if stale)."""
    if not QM.is_file() or QM.stat().st_mtime < TS.stat().st_mtime:
        completed = run_tool("release")
        assert completed.returncode == 0, completed.stderr
    return QM


@pytest.fixture()
def french(qgis_app, qm_file):  # noqa: ARG001
    from crop_confidence.plugin.qgis import i18n

    assert i18n.install_translator("fr")
    yield i18n
    i18n.remove_translator()


@pytest.fixture()
def user_locale():
    """Set QGIS's locale/userLocale for a test, then put the previous value back."""
    settings = QgsSettings()
    saved = settings.value("locale/userLocale", None)

    def set_locale(value):
        settings.setValue("locale/userLocale", value)

    yield set_locale
    if saved is None:
        settings.remove("locale/userLocale")
    else:
        settings.setValue("locale/userLocale", saved)


# ----------------------------------------------------------------------------- tools/i18n.py


def test_every_string_has_a_french_translation():
    completed = run_tool("check")
    assert completed.returncode == 0, completed.stderr


def test_ts_is_up_to_date_with_the_sources(tmp_path):
    """`update` on the committed .ts adds no string and changes no current translation."""
    copy = tmp_path / "fr.ts"
    copy.write_bytes(TS.read_bytes())
    completed = run_tool("update", "--ts", copy)
    assert completed.returncode == 0, completed.stderr
    assert "(0 new, 0 unfinished," in completed.stdout
    before = {s: (t.text, t.get("type")) for s, t in translations(TS).items()}
    after = {
        s: (t.text, t.get("type"))
        for s, t in translations(copy).items()
        if t.get("type") != "vanished"  # strings removed from the code since: harmless
    }
    assert after == {s: before[s] for s in after}


def mutate(ts_path, source, change):
    tree = ET.parse(ts_path)
    for context in tree.getroot().iter("context"):
        for message in context.findall("message"):
            if message.findtext("source") == source:
                change(message, context)
                tree.write(ts_path, encoding="utf-8", xml_declaration=True)
                return
    raise AssertionError(f"{source!r} not in {ts_path}")


def remove_message(message, context):
    context.remove(message)


def empty_translation(message, context):  # noqa: ARG001
    message.find("translation").text = ""


def unfinished_translation(message, context):  # noqa: ARG001
    message.find("translation").set("type", "unfinished")


def lost_placeholder(message, context):  # noqa: ARG001
    message.find("translation").text = "Aucun produit sur cette emprise."


@pytest.mark.parametrize(
    ("source", "change", "complaint"),
    [
        ("Search", remove_message, "not in"),
        ("Fetch", empty_translation, "no French translation"),
        ("Crop masks", unfinished_translation, "translation unfinished"),
        ("No product for {} over this area.", lost_placeholder, "placeholders differ"),
    ],
)
def test_check_fails_when_a_translation_is_missing(tmp_path, source, change, complaint):
    copy = tmp_path / "fr.ts"
    copy.write_bytes(TS.read_bytes())
    assert run_tool("check", "--ts", copy).returncode == 0
    mutate(copy, source, change)
    completed = run_tool("check", "--ts", copy)
    assert completed.returncode != 0
    problems = [line for line in completed.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) == 1, completed.stderr
    assert complaint in problems[0] and repr(source) in problems[0]


def test_update_keeps_translations_and_marks_new_and_vanished(tmp_path):
    source = tmp_path / "plugin"
    source.mkdir()
    (source / "module.py").write_text(
        "from .i18n import tr\n\n"
        "A = tr('Search')\n"
        "B = tr(\n    'Brand new '\n    'string with {}'\n).format(1)\n"
        "C = tr('Brand new string with {}')  # the same string twice: one message\n"
        "D = tr(some_variable)\n",
        encoding="utf-8",
    )
    copy = tmp_path / "fr.ts"
    copy.write_bytes(TS.read_bytes())
    completed = run_tool("update", "--ts", copy, "--source", source)
    assert completed.returncode == 0, completed.stderr
    assert "not a string literal" in completed.stderr  # tr(some_variable) is reported
    messages = translations(copy)
    assert messages["Search"].text == "Rechercher" and messages["Search"].get("type") is None
    new = messages["Brand new string with {}"]
    assert not new.text and new.get("type") == "unfinished"
    assert messages["Fetch"].get("type") == "vanished"
    assert messages["Fetch"].text == "Récupérer"  # kept for when it comes back
    root = ET.parse(copy).getroot()
    locations = [
        location.get("filename")
        for message in root.iter("message")
        if message.findtext("source") == "Brand new string with {}"
        for location in message.iter("location")
    ]
    assert locations == ["plugin/module.py", "plugin/module.py"]

    completed = run_tool("check", "--ts", copy, "--source", source)
    assert completed.returncode != 0
    assert "Brand new string with {}" in completed.stderr

    # A translator fills it in: the check passes except for tr(some_variable).
    mutate(copy, "Brand new string with {}", fill_brand_new)
    completed = run_tool("check", "--ts", copy, "--source", source)
    assert "Brand new" not in completed.stderr
    assert "not a string literal" in completed.stderr


def fill_brand_new(message, context):  # noqa: ARG001
    translation = message.find("translation")
    translation.text = "Toute nouvelle chaîne avec {}"
    del translation.attrib["type"]


def test_release_builds_a_qm(tmp_path):
    qm = tmp_path / "fr.qm"
    completed = run_tool("release", "--qm", qm)
    assert completed.returncode == 0, completed.stderr
    assert qm.stat().st_size > 1000


# ----------------------------------------------------------------------------- QGIS in French


def test_no_translator_for_english_or_a_missing_language(qgis_app):  # noqa: ARG001
    from crop_confidence.plugin.qgis import i18n

    assert not i18n.install_translator("en")
    assert not i18n.install_translator("xx")
    assert i18n.installed_language() is None
    assert i18n.tr("Search") == "Search"


def test_translator_follows_the_qgis_locale(qgis_app, qm_file, user_locale):  # noqa: ARG001
    from crop_confidence.plugin.qgis import i18n

    user_locale("fr_FR")
    assert i18n.qgis_language() == "fr"
    try:
        assert i18n.install_translator()
        assert i18n.installed_language() == "fr"
        assert i18n.install_translator()  # once: a second call keeps it
        assert i18n.install_translator("fr_FR") and i18n.installed_language() == "fr"
        assert i18n.tr("Search") == "Rechercher"
    finally:
        i18n.remove_translator()
    assert i18n.tr("Search") == "Search"
    user_locale("en_US")
    assert not i18n.install_translator()


def test_class_factory_installs_the_translator(qgis_app, qm_file, user_locale):  # noqa: ARG001
    import crop_confidence
    from crop_confidence.plugin.qgis import i18n

    user_locale("fr")
    try:
        plugin = crop_confidence.classFactory(None)
        assert plugin is not None
        assert i18n.installed_language() == "fr"
        from crop_confidence.plugin.processing.provider import CropConfidenceProvider

        assert CropConfidenceProvider().longName() == (
            "Crop Confidence : masques de cultures filtrés par la confiance"
        )
        plugin.unload()  # unloading the plugin takes its translator away
        assert i18n.installed_language() is None
        assert CropConfidenceProvider().longName() == (
            "Crop Confidence: confidence-filtered crop masks"
        )
    finally:
        i18n.remove_translator()


def make_dock(qgis_iface, qtbot):
    from crop_confidence.plugin.gui.dock import CropConfidenceDock

    widget = CropConfidenceDock(qgis_iface)
    qtbot.addWidget(widget)
    return widget


def combo_texts(combo):
    return [combo.itemText(index) for index in range(combo.count())]


def algorithm_texts(registry, algorithm_id, parameter):
    algorithm = registry.algorithmById(algorithm_id).createInstance()
    algorithm.initAlgorithm()
    return algorithm.displayName(), algorithm.parameterDefinition(parameter).description()


def test_dock_and_algorithms_in_french(french, qgis_iface, qtbot, offline_sources, provider):  # noqa: ARG001
    dock = make_dock(qgis_iface, qtbot)
    try:
        assert dock.windowTitle() == "Crop Confidence"
        assert dock.search_button.text() == "Rechercher"
        assert dock.fetch_button.text() == "Récupérer"
        assert dock.cancel_button.text() == "Annuler"
        assert dock.mask_button.text() == "Masque de cultures…"
        assert dock.draw_button.text() == "Dessiner…"
        assert dock.settings_box.title() == "Paramètres"
        assert combo_texts(dock.product_combo) == [
            "CTY + CTYCL (types de cultures CLMS)",
            "CTYCL seule (couche de confiance CLMS)",
            "OSO (occupation du sol du CNES)",
        ]
        assert combo_texts(dock.area_combo)[:4] == [
            "Emprise du canevas de carte",
            "Emprise d'une couche",
            "Entités sélectionnées d'une couche",
            "Rectangle dessiné sur la carte",
        ]
        header = dock.results_tree.headerItem()
        assert [header.text(column) for column in range(4)] == [
            "Tuile",
            "Année",
            "Couches",
            "Taille",
        ]
    finally:
        dock.cancel_all()
        dock.close()

    registry = QgsApplication.processingRegistry()
    assert algorithm_texts(registry, "cropconfidence:cropmask", "MIN_CONFIDENCE") == (
        "Masque de cultures filtré par la confiance",
        "Niveau de confiance minimal (%)",
    )
    assert algorithm_texts(registry, "cropconfidence:fetch", "EXTENT") == (
        "Récupérer les couches de cultures",
        "Emprise",
    )
    assert algorithm_texts(registry, "cropconfidence:style", "INPUT") == (
        "Appliquer le style Crop Confidence",
        "Couche raster",
    )
    cropmask = registry.algorithmById("cropconfidence:cropmask").createInstance()
    cropmask.initAlgorithm()
    assert cropmask.group() == "Masques de cultures"
    assert cropmask.parameterDefinition("PRODUCT").options()[:4] == [
        "CTY + CTYCL (types de cultures CLMS)",
        "CTYCL seule (couche de confiance CLMS)",
        "OSO 2018 et après (23 classes)",
        "OSO 2016–2017 (17 classes)",  # non-ASCII source text found in the .qm
    ]
    assert cropmask.shortHelpString().startswith("Conserve les pixels")
    assert provider.longName() == "Crop Confidence : masques de cultures filtrés par la confiance"

    # Back to English once the translator is removed.
    french.remove_translator()
    assert french.tr("Search") == "Search"
    dock = make_dock(qgis_iface, qtbot)
    try:
        assert dock.search_button.text() == "Search"
        assert dock.fetch_button.text() == "Fetch"
        assert combo_texts(dock.product_combo)[0] == "CTY + CTYCL (CLMS Crop Types)"
        assert combo_texts(dock.area_combo)[0] == "Map canvas extent"
    finally:
        dock.cancel_all()
        dock.close()
    assert algorithm_texts(registry, "cropconfidence:cropmask", "MIN_CONFIDENCE") == (
        "Confidence-filtered crop mask",
        "Minimum confidence (%)",
    )
    assert algorithm_texts(registry, "cropconfidence:fetch", "EXTENT") == (
        "Fetch crop layers",
        "Area",
    )


# ----------------------------------------------------------------------------- qgis_process


@pytest.mark.slow
def test_qgis_process_lists_french_names(tmp_path, qm_file):  # noqa: ARG001
    """qgis_process (no desktop) in a French profile lists the algorithms in French."""
    from headless import QGIS_PROCESS, plugin_environment

    if not os.path.exists(QGIS_PROCESS):
        pytest.skip("qgis_process is not installed")
    config = tmp_path / "qgis-config"
    env = plugin_environment(config)
    ini = QSettings(
        str(config / "profiles" / "default" / "QGIS" / "QGIS3.ini"), QSettings.Format.IniFormat
    )
    ini.setValue("locale/userLocale", "fr_FR")
    ini.setValue("locale/overrideFlag", True)
    ini.sync()
    completed = subprocess.run(
        [QGIS_PROCESS, "--json", "list"], env=env, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    listing = json.loads(completed.stdout[completed.stdout.find("{") :])
    algorithms = listing["providers"]["cropconfidence"]["algorithms"]
    assert algorithms["cropconfidence:cropmask"]["name"] == (
        "Masque de cultures filtré par la confiance"
    )
    assert algorithms["cropconfidence:fetch"]["name"] == "Récupérer les couches de cultures"
    assert algorithms["cropconfidence:style"]["name"] == "Appliquer le style Crop Confidence"


def test_credential_errors_in_french(french):  # noqa: ARG001
    from crop_confidence.plugin.qgis.credentials import CredentialsError, load_config

    with pytest.raises(CredentialsError) as raised:
        load_config("nosuchid")
    assert str(raised.value) == (
        "La configuration d'authentification « nosuchid » ne peut pas être lue : elle n'existe pas "
        "ou le mot de passe principal n'a pas été donné. Choisissez-la de nouveau dans les "
        "paramètres."
    )


def test_the_shipped_models_speak_french(french):  # noqa: ARG001
    """Issue 14 review: the models' inputs and help were English in a French QGIS."""
    from crop_confidence.plugin.processing.provider import ShippedModel

    model = ShippedModel(ROOT / "resources" / "models" / "crop_area_by_zone.model3")
    descriptions = {d.name(): d.description() for d in model.parameterDefinitions()}
    assert descriptions["zones"] == "Zones"
    assert descriptions["zone_field"] == "Champ du nom de zone"
    assert descriptions["year"] == "Année"
    assert descriptions["source_url"] == "Source (vide = par défaut)"
    assert model.displayName() == "Surface de cultures par zone"
    assert model.shortHelpString().startswith("Récupère les couches de cultures")
