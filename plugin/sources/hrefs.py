"""The one resolver of catalogue asset hrefs: what an href found in a STAC catalogue may be.

- A catalogue read over HTTP(S) (a STAC API or a static catalogue on a web server) may only
  point to http(s) and s3 addresses; a relative href is joined to the item's (or the
  catalogue's) URL.
- A catalogue on the user's own disk may also point to local files, but only inside its own
  folder tree (the folder of the catalogue file, ``..`` and symlinks resolved), never to a
  system folder (``/proc``, ``/sys``, ``/dev``) nor to anything that is not a regular file; a
  relative href is joined to the item's file, never to the process's working folder.

Anything else is an ``UnsafeHrefError`` naming the href (redacted) and the catalogue. Pure: no
Qt or QGIS.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urljoin, urlsplit

from ..domain.errors import FetchError
from ..net.http import redact_url
from .paths import is_windows_drive_path, local_path

REMOTE_SCHEMES = ("http", "https")
ASSET_SCHEMES = (*REMOTE_SCHEMES, "s3")
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")
# A Windows drive path, possibly behind ./ (pystac, off Windows, takes C:/data/x.tif for a
# path relative to the item's folder and rewrites it as ./C:/data/x.tif).
_RELATIVE_DRIVE_PATH = re.compile(r"^(?:\./)*([A-Za-z]:[\\/].*)$", re.DOTALL)


class UnsafeHrefError(FetchError):
    """A catalogue's href that the plugin refuses to read: it names the href and the
    catalogue, and says why."""


def _shown(address: str) -> str:
    return redact_url(address) if "://" in address else address


@dataclass(frozen=True)
class Catalogue:
    """Where a catalogue was read from: a URL (``remote``) or a file on disk, whose folder
    (resolved) bounds the local files its hrefs may name."""

    location: str
    remote: bool
    folder: Optional[str] = None

    @classmethod
    def of(cls, source: object) -> Catalogue:
        """The catalogue read from ``source``: a STAC API root, a catalogue URL or path."""
        text = str(source)
        path = local_path(text)
        if path is None:
            return cls(text, True)
        folder = os.path.dirname(os.path.realpath(os.path.abspath(path)))
        return cls(path, False, folder)

    def refuse(self, href: str, why: str, resolved: Optional[str] = None) -> UnsafeHrefError:
        """The error for ``href`` (as the catalogue gives it), which names ``resolved``."""
        leads = f" ({_shown(resolved)})" if resolved and resolved != href else ""
        return UnsafeHrefError(
            f"The catalogue {_shown(self.location)} points to '{_shown(href)}'{leads}, which "
            f"is refused: {why}. Check the catalogue, or ask its provider to fix it."
        )


def resolve_href(href: object, catalogue: Catalogue, base: Optional[str] = None) -> str:
    """The absolute address to read for ``href``, found in ``catalogue`` in the document at
    ``base`` (an item's self href; the catalogue's location when None): an http(s) or s3 URL,
    or the path of a local file inside a local catalogue's folder tree. Raises
    UnsafeHrefError for anything else."""
    if not isinstance(href, str) or not href.strip():
        raise catalogue.refuse(str(href), "it is not an address")
    text = href.strip()
    drive = _RELATIVE_DRIVE_PATH.match(text)
    if drive:
        text = drive.group(1)
    elif not _is_absolute(text):
        text = _joined(text, base or catalogue.location)
    path = local_path(text)
    if path is None:
        return _checked_url(text, catalogue, href)
    if catalogue.remote:
        raise catalogue.refuse(
            href,
            "a catalogue read over HTTP(S) may only point to http(s) and s3 addresses, "
            "never to files on this computer",
            text,
        )
    return _checked_path(path, catalogue, href)


def _is_absolute(text: str) -> bool:
    if is_windows_drive_path(text) or text.startswith(("/", "\\")):
        return True
    return bool(urlsplit(text).scheme)


def _joined(href: str, base: str) -> str:
    """A relative ``href`` joined to the document at ``base`` (a URL or a file path)."""
    base_path = local_path(base)
    if base_path is None:
        return urljoin(base, href)
    return os.path.join(os.path.dirname(os.path.abspath(base_path)), href)


def _checked_url(url: str, catalogue: Catalogue, href: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as error:  # an unparsable address, e.g. http://[::1
        raise catalogue.refuse(href, f"it is not a valid address ({error})", url) from None
    scheme = parts.scheme.lower()
    if scheme not in ASSET_SCHEMES:
        raise catalogue.refuse(
            href, f"its scheme '{scheme}:' is not one of {', '.join(ASSET_SCHEMES)}", url
        )
    if not parts.netloc:
        raise catalogue.refuse(href, "the address has no host", url)
    return url


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive, or a mix of absolute and relative paths
        return False


def _checked_path(path: str, catalogue: Catalogue, href: str) -> str:
    assert catalogue.folder is not None  # a local catalogue has a folder
    outside = f"it is outside the catalogue's folder {catalogue.folder}"
    if is_windows_drive_path(path) and os.name != "nt":
        raise catalogue.refuse(href, outside, path)
    absolute = os.path.normpath(os.path.abspath(path))
    real = os.path.realpath(absolute)
    for system in SYSTEM_FOLDERS:
        if _inside(absolute, system) or _inside(real, system):
            raise catalogue.refuse(href, f"{system} is a system folder, not data", absolute)
    if not _inside(real, catalogue.folder):
        raise catalogue.refuse(href, outside, real)
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return absolute  # a missing file: the fetch says that it does not exist
    if not stat.S_ISREG(mode):
        raise catalogue.refuse(href, "it is not a regular file", absolute)
    return absolute
