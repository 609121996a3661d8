"""Where pystac-client comes from: QGIS's Python, or the copies shipped in the plugin's zip;
and which of the packages the plugin cannot ship (numpy, rasterio, requests) QGIS's Python lacks.

The zip's ``vendor/`` folder (built by tools/make_zip.py, not in git) holds pystac-client and
the pure-Python packages it needs: pystac, python-dateutil and six (not requests: QGIS always
has it), with ``vendor.json``, their versions and requirements read from their metadata.
``apply()`` decides once, when the plugin loads (the top-level classFactory), and the STAC
search asks ``search_unavailable()`` what to tell the user when it cannot import them.

Start-up cost matters: nothing of pystac is imported here. The rule only reads vendor.json,
asks importlib where the modules are (``find_spec``, which imports nothing for top-level
names) and, when the shipped copies are to be used, which versions are installed
(``importlib.metadata``). No Qt, no QGIS; it imports on Python 3.9 (QGIS 3.22 on Windows).
"""

import json
import re
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Optional

from .domain.resources import PLUGIN_ROOT

VENDOR = PLUGIN_ROOT / "vendor"
MANIFEST = "vendor.json"
# The modules the STAC search imports, and those they import (pystac-client's requirements
# without requests), with their distribution names. tools/make_zip.py ships the same set (a
# test checks it).
MODULES = {
    "pystac_client": "pystac-client",
    "pystac": "pystac",
    "dateutil": "python-dateutil",
    "six": "six",
}

INSTALLED = "installed"  # QGIS's Python has them all: the vendor folder is not added
VENDORED = "vendored"  # some (or all) come from the vendor folder, appended to sys.path
MISSING = "missing"  # some are missing and the plugin ships none (not installed from its zip)
PYTHON_TOO_OLD = "python too old"  # the shipped copies need a newer Python
INCOMPATIBLE = "incompatible"  # an installed package is too old (or new) for the shipped ones


# What the crop-mask engine and the fetch import, and the plugin cannot ship (compiled code,
# or part of every QGIS): QGIS's Python must have them. Nothing fails at load without them, as
# nothing imports them then; the plugin says which are missing (missing_core()).
CORE = ("numpy", "rasterio", "requests")


@dataclass(frozen=True)
class DependencyStatus:
    state: str
    vendor: Optional[str]  # the vendor folder considered (None: the plugin ships none)
    from_vendor: tuple = ()  # the modules taken from it (state VENDORED)
    problem: Optional[str] = None  # why STAC searches cannot work, for the user


_status = None


def apply(vendor=None, python=None):
    """Decides once per session where pystac-client and what it needs come from, and appends
    the vendor folder to sys.path when they are to come from it. Returns the
    DependencyStatus; later calls return the same one. ``vendor`` (a folder) and ``python``
    (a version tuple, default sys.version_info) decide again: for tests."""
    global _status
    if _status is None or vendor is not None or python is not None:
        folder = Path(vendor) if vendor is not None else VENDOR
        version = tuple(python) if python is not None else tuple(sys.version_info[:3])
        try:
            _status = _decide(folder, version)
        except Exception as error:  # noqa: BLE001 (loading the plugin must not fail here)
            _status = DependencyStatus(
                MISSING,
                str(folder),
                problem=f"Cannot tell whether the plugin's own copy of pystac-client can be "
                f"used ({type(error).__name__}: {error}). Reinstall the plugin from its zip.",
            )
    return _status


# The rule. The vendor folder is appended at the END of sys.path, and only when QGIS's Python
# lacks one of the modules:
# - anything the user installed (site-packages, the user site, PYTHONPATH, another plugin's
#   folder) comes first, so a pystac-client installed or upgraded with pip is the one used, and
#   the plugin never replaces, for the whole QGIS session, a package that other plugins rely
#   on (putting the folder first would);
# - when nothing is missing the folder is not added at all, so it cannot shadow anything.
# Filling holes can mix sets, though: the user's old pystac with the shipped pystac-client
# (0.9.1 needs pystac >= 1.10.0) would fail deep inside a search, or half-work. So the shipped
# modules' requirements on the modules that stay the user's (vendor.json, written from the
# packages' metadata) are checked against the installed versions; on a mismatch the folder is
# not added and the search says which package to update or remove. An installed module whose
# version cannot be read (no metadata) is given the benefit of the doubt. requests is never
# checked: pystac-client asks for >= 2.28.2, Debian 12 has 2.28.1, which works.
# The shipped copies also need a recent Python (pystac 1.15 and pystac-client 0.9: >= 3.10;
# QGIS 3.22 on Windows has 3.9): with an older one the folder is not added either, as they
# would fail to import.
def _decide(vendor, python):
    missing = [module for module in MODULES if not _installed(module, vendor)]
    if not missing:
        return DependencyStatus(INSTALLED, str(vendor))
    manifest = _manifest(vendor)
    shipped = manifest.get("modules", {}) if manifest else {}
    refused = (
        _not_shipped(missing, shipped)
        or _python_too_old(missing, shipped, python, vendor)
        or _incompatible(missing, shipped, vendor)
    )
    if refused is not None:
        return refused
    if str(vendor) not in sys.path:
        sys.path.append(str(vendor))
    return DependencyStatus(VENDORED, str(vendor), tuple(missing))


def _not_shipped(missing, shipped):
    if all(module in shipped for module in missing):
        return None
    return DependencyStatus(
        MISSING,
        None,
        problem=f"Searching a STAC catalogue needs the Python package(s) {_names(missing)}, "
        "which QGIS's Python lacks, and this copy of the plugin does not ship them (it was not "
        "installed from its zip). Install the plugin from its zip (Plugins > Manage and "
        "Install Plugins > Install from ZIP), which ships them, or install pystac-client "
        "into QGIS's Python.",
    )


def _python_too_old(missing, shipped, python, vendor):
    too_new = [m for m in missing if _key(python) < _key(shipped[m]["requires_python"])]
    if not too_new:
        return None
    needed = max((shipped[m]["requires_python"] for m in too_new), key=_key)
    return DependencyStatus(
        PYTHON_TOO_OLD,
        str(vendor),
        problem=f"Searching a STAC catalogue needs {_names(missing)}, which QGIS's Python lacks. "
        f"The copies shipped with the plugin ({_shipped(shipped, too_new)}) need Python "
        f"{needed} or newer, and this QGIS runs Python {_dotted(python)}. Install versions "
        f"that support Python {_dotted(python[:2])} into QGIS's Python (pip chooses them: "
        "pip install pystac-client), or use a QGIS whose Python is "
        f"{needed} or newer.",
    )


def _incompatible(missing, shipped, vendor):
    """A status when a shipped module needs another version of an installed one, else None."""
    conflicts, to_update = [], []
    for module in missing:
        for other, need in sorted(shipped[module]["needs"].items()):
            conflict = None if other in missing else _conflict(shipped[module], other, need, vendor)
            if conflict:
                conflicts.append(conflict)
                to_update.append(need["distribution"])
    if not conflicts:
        return None
    them = "it" if len(to_update) == 1 else "them"
    return DependencyStatus(
        INCOMPATIBLE,
        str(vendor),
        problem=f"Searching a STAC catalogue needs {_names(missing)}, which QGIS's Python lacks; "
        f"the plugin ships {'it' if len(missing) == 1 else 'them'}, but {'; '.join(conflicts)}. "
        f"Update {them} in QGIS's Python (pip install "
        f"--upgrade {' '.join(sorted(set(to_update)))}), or remove "
        f"{them} so that the plugin uses its own copies.",
    )


def _conflict(package, other, need, vendor):
    """Why the installed ``other`` does not suit the shipped ``package``, or None."""
    installed = _installed_version(need["distribution"], vendor)
    if installed is None:
        return None
    low, below = need.get("min"), need.get("below")
    if not ((low and _key(installed) < _key(low)) or (below and _key(installed) >= _key(below))):
        return None
    wants = " and ".join(part for part in (low and f">= {low}", below and f"< {below}") if part)
    return (
        f"the {need['distribution']} {installed} installed in QGIS's Python "
        f"({_location(other)}) does not suit the {package['distribution']} "
        f"{package['version']} shipped with the plugin, which needs "
        f"{need['distribution']} {wants}"
    )


def missing_core():
    """The packages of CORE that QGIS's Python lacks, in CORE's order. Imports none of them:
    find_spec only looks for top-level names."""
    missing = []
    for module in CORE:
        try:
            found = module in sys.modules or find_spec(module) is not None
        except (ImportError, ValueError):
            found = True  # there, but odd: leave it to the import to say
        if not found:
            missing.append(module)
    return tuple(missing)


def search_unavailable(error):
    """What to tell the user when the STAC search cannot import pystac-client (``error``)."""
    status = apply()
    if status.problem:
        return status.problem
    # The modules are there, the user's or the shipped ones, and still do not import.
    found = []
    for module in ("pystac_client", "pystac"):
        if module in status.from_vendor:
            found.append(f"{MODULES[module]} shipped with the plugin")
        else:
            version = _installed_version(MODULES[module], Path(status.vendor or VENDOR))
            found.append(
                f"{MODULES[module]} {version or '(version unknown)'} ({_location(module)})"
            )
    if status.from_vendor:
        advice = "Reinstall the plugin from its zip."
    else:
        advice = (
            "Update them in QGIS's Python (pip install --upgrade pystac-client pystac), or "
            "remove them so that the plugin uses the copies its zip ships."
        )
    return (
        "Searching a STAC catalogue needs pystac-client and pystac, and importing them failed "
        f"({type(error).__name__}: {error}). Found: {'; '.join(found)}. {advice}"
    )


def _installed(module, vendor):
    """Whether QGIS's Python has ``module`` by itself (a copy outside the vendor folder)."""
    if module in sys.modules:
        origin = getattr(sys.modules[module], "__file__", None)
    else:
        try:
            spec = find_spec(module)
        except (ImportError, ValueError):
            return True  # there, but odd: leave it to the import to say
        if spec is None:
            return False
        origin = spec.origin
    return not (origin and _under(origin, vendor))


def _installed_version(distribution, vendor):
    """The version of the first ``distribution`` on sys.path outside the vendor folder."""
    from importlib import metadata

    for dist in metadata.distributions(name=distribution):
        if not _under(str(dist.locate_file("")), vendor):
            return dist.version
    return None


def _location(module):
    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        return "location unknown"
    if spec is None:
        return "not found"
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return spec.origin or "location unknown"


def _manifest(vendor):
    path = Path(vendor) / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _under(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True


def _key(version):
    """A release number for comparing: "1.10.0" -> (1, 10); "2.9.0.post0" -> (2, 9);
    "1.11.0rc1" -> (1, 11); (3, 9, 18) stays. Trailing zeros do not count."""
    if isinstance(version, str):
        release = re.match(r"\d+(?:\.\d+)*", version.strip())
        version = [int(part) for part in release.group().split(".")] if release else []
    numbers = list(version)
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _dotted(version):
    return ".".join(str(part) for part in version)


def _names(modules):
    return ", ".join(MODULES[module] for module in modules)


def _shipped(shipped, modules):
    return ", ".join(
        f"{shipped[module]['distribution']} {shipped[module]['version']}" for module in modules
    )
