"""Texts of the pure layers that the QGIS UI shows translated.

``translatable("...")`` marks a literal for tools/i18n.py (which extracts it with the tr()
literals) and returns it unchanged: the pure layers import no Qt. The QGIS layer translates it
when it shows it (plugin/qgis/i18n.py ``translated``).
"""


def translatable(text: str) -> str:
    return text
