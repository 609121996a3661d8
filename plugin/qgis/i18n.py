"""Translation helpers shared by the QGIS adapters."""

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from ..domain import products
from ..domain.resources import PLUGIN_ROOT

CONTEXT = "CropConfidence"
I18N_DIR = PLUGIN_ROOT / "i18n"

_translator = None  # the installed QTranslator; Qt keeps no reference of its own
_language = None


def tr(text):
    return QCoreApplication.translate(CONTEXT, text)


def translated(text):
    """A text the pure layers marked with ``translatable()``, in the UI language."""
    return QCoreApplication.translate(CONTEXT, text)


def product_facts():
    """The product facts help texts quote, by their name in the texts (``{cty_nodata}``):
    codes and band names are written in the domain only."""
    return {
        "cty_nodata": str(products.CTY_OUTSIDE),
        "cty_no_crop": str(products.CTY_NO_CROP),
        "ctycl_no_crop": str(products.CTYCL_NO_CROP),
        "ctycl_nodata": str(products.CTYCL_OUTSIDE),
        "oso_nodata": " / ".join(map(str, products.OSO_NODATA)),
        "oso_class_band": products.OSO_CLASS_BAND,
        "oso_confidence_band": products.OSO_CONFIDENCE_BAND,
        "oso_validity_band": products.OSO_VALIDITY_BAND,
        "oso_bands": "|".join(products.OSO_BANDS),
        "oso_band_list": ", ".join(products.OSO_BANDS),
        "mask_nodata": str(products.BINARY_NODATA),
    }


def with_facts(text):
    """``text`` (translated) with its ``{fact}`` names replaced; other braces stay as they are
    (``{year}`` in a help text is the user's placeholder)."""
    for name, value in product_facts().items():
        text = text.replace("{" + name + "}", value)
    return text


def ui_language():
    """'fr' or 'en': the language of class labels, from the QGIS UI locale."""
    return "fr" if QgsApplication.locale().lower().startswith("fr") else "en"


def qgis_language():
    """The two-letter language of the QGIS UI: 'fr_FR' -> 'fr'."""
    return language_of(QgsSettings().value("locale/userLocale", "") or QgsApplication.locale())


def language_of(locale):
    """'fr_FR', 'fr-FR' or 'fr' -> 'fr'."""
    return str(locale or "").replace("-", "_").split("_")[0].lower()


def qm_file(language):
    return I18N_DIR / f"crop_confidence_{language}.qm"


def install_translator(language=None):
    """Install the plugin's translator for `language` (default: the QGIS UI language).

    Done once: further calls for the same language (or without one) keep the installed
    translator. Returns whether a translator is installed, i.e. False for English, a language
    without a .qm file (run `make translations`), or when there is no application yet.
    """
    global _translator, _language
    if language is None:
        if _translator is not None:
            return True
        language = qgis_language()
    language = language_of(language)
    if _translator is not None:
        if language == _language:
            return True
        remove_translator()
    if not language or language == "en" or QCoreApplication.instance() is None:
        return False
    path = qm_file(language)
    translator = QTranslator()
    if not path.is_file() or not translator.load(str(path)):
        return False
    if not QCoreApplication.installTranslator(translator):
        return False
    _translator, _language = translator, language
    return True


def remove_translator():
    """Remove the translator installed by install_translator() (back to English)."""
    global _translator, _language
    if _translator is not None and QCoreApplication.instance() is not None:
        QCoreApplication.removeTranslator(_translator)
    _translator, _language = None, None


def installed_language():
    """The language of the installed translator, or None."""
    return _language
