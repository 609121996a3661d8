"""The dock's messages in QGIS's message bar, readable whole.

The bar shows one line: a long path or address would push the reason and the advice out of
sight. Each is shortened to its file name ('…/catalog.json'), and the full paths are a click
away ("Show more"); the QGIS log keeps the whole text.
"""

import re

from qgis.core import QgsMessageLog

from ..qgis.i18n import tr
from .tasks import LOG_TAG

DURATION = 8  # seconds a message stays
LONGEST_PATH = 40  # characters of a path shown as it is

# A path or an address: a scheme (https://, file:), a Windows drive or a leading slash, at
# the start of a word, then up to a quote (a quoted path may hold spaces) or else a space,
# with one separator at least.
_START = r"(?:[A-Za-z][\w+.-]*:/+|[A-Za-z]:[\\/]|[\\/])"
_QUOTED = rf"(?<=')({_START}[^'\n]*[\\/][^'\n]*)(?=')"
_BARE = rf"""(?<![\w.']){_START}[^\s'"«»<>|]*[\\/][^\s'"«»<>|]*"""
_PATH = re.compile(f"{_QUOTED}|{_BARE}")
_HOST = re.compile(r"[A-Za-z][\w+.-]*://[^/\\]*")
_TRAILING = ".,;:)]"


def shorten_paths(text):
    """(text with each long path as '…/file name', the full paths shortened), in order."""
    shortened = []

    def short(match):
        found = match.group(0)
        path = found if match.group(1) else found.rstrip(_TRAILING)
        if len(path) <= LONGEST_PATH:
            return found
        shortened.append(path)
        host = _HOST.match(path)
        head = host.group(0) if host and host.group(0) != path else ""  # an address: its host
        name = [part for part in re.split(r"[\\/]", path) if part][-1]
        return (f"{head}/…/" if head else "…/") + name + found[len(path) :]

    return _PATH.sub(short, text), shortened


def show_message(bar, title, text, level):
    """Pushes ``title``: ``text`` on ``bar`` (a QgsMessageBar) with its paths shortened and
    the full ones under "Show more"; logs the whole text."""
    text = str(text)
    short, paths = shorten_paths(text)
    if paths:
        details = tr("Full paths:") + "\n" + "\n".join(paths)
        bar.pushMessage(title, short, details, level, DURATION)
    else:
        bar.pushMessage(title, text, level, DURATION)
    QgsMessageLog.logMessage(f"{title}: {text}", LOG_TAG, level)
