"""Build the plugin zip that the QGIS Plugin Manager installs (folder crop_confidence/).

Run it with the .venv's Python (`make zip` does). Besides the tracked plugin files, the zip
holds ``vendor/``: pystac-client and the pure-Python packages it needs (pystac, the pystac-core
and pystac-ext-* parts pystac is made of, python-dateutil, six), copied file by file from the
venv's own site-packages as their dist-info RECORD lists them (no network), with their
dist-info (metadata and entry points, without RECORD), their licence files in
``vendor/LICENSES/``, a ``vendor/README.txt`` and ``vendor/vendor.json``, the versions and
requirements that plugin/dependencies.py reads to decide at run time whether to use them.
``requests`` is not shipped: QGIS always has it. The folder is also left at the repository's
root (``vendor/``, ignored by git), so a linked checkout (`make install`) gets it too.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = ["metadata.txt", "__init__.py", "LICENSE", "README.md", "plugin", "resources", "i18n"]
VENDOR = ROOT / "vendor"
# What the plugin imports; everything these need is shipped too, except NOT_VENDORED.
VENDOR_ROOTS = ("pystac-client",)
# QGIS always has requests (and its own requirements); plugin/dependencies.py does not check its
# version either: pystac-client asks for requests >= 2.28.2, Debian 12 has 2.28.1, and the
# installed-zip test runs the search with it.
NOT_VENDORED = ("requests",)
# Never shipped from a dist-info: RECORD would let pip delete files of the plugin's folder.
DIST_INFO_SKIPPED = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "zip-safe"}
# pystac's own licence file is a notice pointing at the Apache License 2.0: ship its text.
APACHE_TEXT = Path("/usr/share/common-licenses/Apache-2.0")


class VendorError(SystemExit):
    """The venv cannot give the vendored packages as they must be shipped."""


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(dist):
    """The requirements of ``dist`` that an install without extras has."""
    from packaging.requirements import Requirement

    found = []
    for text in dist.requires or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is not None:
            if "extra" not in str(marker) or re.search(
                r"python_|platform_|sys_|os_|implementation_", str(marker)
            ):
                raise VendorError(
                    f"{dist.metadata['Name']} requires '{text}': a marker other than an extra "
                    "would make the shipped set depend on the machine that builds it."
                )
            if not marker.evaluate({"extra": ""}):
                continue
        found.append(requirement)
    return found


def vendored_distributions():
    """The installed distributions to ship: VENDOR_ROOTS and what they need, by name."""
    wanted = {}
    pending = list(VENDOR_ROOTS)
    while pending:
        name = normalized(pending.pop())
        if name in wanted or name in NOT_VENDORED:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise VendorError(f"{name} is not installed: run `make setup`.") from None
        wanted[name] = dist
        pending.extend(requirement.name for requirement in _requirements(dist))
    return [wanted[name] for name in sorted(wanted)]


def _venv_site_packages():
    if sys.prefix == sys.base_prefix:
        raise VendorError("Run tools/make_zip.py with the .venv's Python (`make zip`).")
    return Path(sysconfig.get_paths()["purelib"]).resolve()


def _dist_info(dist):
    """The name of the dist-info folder, from RECORD (a wheel installed by pip has one)."""
    for file in dist.files or []:
        if file.name == "RECORD" and len(file.parts) == 2 and file.parts[0].endswith(".dist-info"):
            return file.parts[0]
    raise VendorError(
        f"{dist.metadata['Name']} {dist.version} has no dist-info RECORD (not installed by pip "
        "from a wheel): pin it in requirements-dev.txt and run `make setup`."
    )


def _top_level(dist, dist_info):
    names = set()
    for file in dist.files or []:
        parts = file.parts
        if parts[0] in ("..", dist_info, "__pycache__"):
            continue
        if len(parts) == 1:
            if file.suffix == ".py":
                names.add(file.stem)
        else:
            names.add(parts[0])
    return names


def _version_bounds(specifier, what):
    """(lowest, below) of a specifier holding only >= and < clauses (and != for Python)."""
    lowest = below = None
    for clause in specifier:
        if clause.operator == ">=":
            lowest = clause.version
        elif clause.operator == "<":
            below = clause.version
        elif clause.operator == "!=" and what.endswith("Requires-Python"):
            continue  # !=3.0.*, !=3.1.*: older than any Python QGIS has
        else:
            raise VendorError(
                f"{what}: '{specifier}' has a {clause.operator} clause, which "
                "plugin/dependencies.py cannot check: extend it first."
            )
    return lowest, below


def _key(version):
    """The release numbers of a version, as plugin/dependencies.py compares them."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in release.group().split(".")) if release else ()


def _oldest_python(dist):
    from packaging.specifiers import SpecifierSet

    specifier = SpecifierSet(dist.metadata.get("Requires-Python") or "")
    return _version_bounds(specifier, f"{dist.metadata['Name']} Requires-Python")[0] or "0"


def _copy_distribution(dist, target, site_packages):
    """Copies the files RECORD lists (no caches, no scripts); returns the top-level names."""
    name = dist.metadata["Name"]
    dist_info = _dist_info(dist)
    location = Path(str(dist.locate_file(""))).resolve()
    if location != site_packages:
        raise VendorError(
            f"{name} {dist.version} is installed in {location}, not in this venv "
            f"({site_packages}): the venv must hold the copy that is shipped. Pin it in "
            "requirements-dev.txt (above any system copy) and run `make setup`."
        )
    wheel = dist.read_text("WHEEL") or ""
    if "Root-Is-Purelib: true" not in wheel:
        raise VendorError(f"{name} is not a pure-Python wheel: it cannot be shipped.")
    for file in dist.files:
        parts = file.parts
        if parts[0] == ".." or "__pycache__" in parts or file.suffix in (".pyc", ".pyo"):
            continue  # console scripts, byte code
        if file.suffix in (".so", ".pyd", ".dylib", ".dll"):
            raise VendorError(f"{name} holds compiled code ({file}): it cannot be shipped.")
        if parts[0] == dist_info and file.name in DIST_INFO_SKIPPED:
            continue
        destination = target / Path(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file.locate(), destination)
    return _top_level(dist, dist_info)


def _licence_files(dist):
    """The License-File entries of the metadata, found in the dist-info (metadata 2.4 puts
    them under licenses/)."""
    dist_info = _dist_info(dist)
    declared = set(dist.metadata.get_all("License-File") or [])
    declared |= {f"licenses/{entry}" for entry in declared}
    return [
        file
        for file in dist.files or []
        if file.parts[0] == dist_info and "/".join(file.parts[1:]) in declared
    ]


def _licence_name(dist):
    """The SPDX expression when the metadata gives one, else the licence classifiers."""
    for field in ("License-Expression", "License"):
        value = (dist.metadata.get(field) or "").strip()
        if value and not re.search(r"\s", value):
            return value
    classifiers = [
        entry.split("::")[-1].strip()
        for entry in dist.metadata.get_all("Classifier") or []
        if entry.startswith("License ::")
    ]
    return " or ".join(classifiers) or "see its licence file"


def _repository(dist):
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("repository", "source", "homepage"):
            return url.strip()
    return dist.metadata.get("Home-page")


def build_vendor(target=VENDOR):
    """Writes ``target`` (replaced whole, never half-written); returns the manifest."""
    target = Path(target)
    site_packages = _venv_site_packages()
    dists = vendored_distributions()
    work = target.with_name(f".{target.name}.part-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    licences = work / "LICENSES"
    licences.mkdir(parents=True)

    modules_of = {}
    for dist in dists:
        modules = _top_level(dist, _dist_info(dist))
        if len(modules) != 1:
            raise VendorError(f"{dist.metadata['Name']} provides {sorted(modules)}: expected one.")
        copied = _copy_distribution(dist, work, site_packages)
        assert copied == modules
        modules_of[normalized(dist.metadata["Name"])] = modules.pop()

    # Licence files: each distribution's own, else those of the distribution it is a part of
    # (pystac-core and pystac-ext-* are parts of pystac, in pystac's repository, whose wheels
    # carry no licence file).
    licence_of = {}
    for dist in dists:
        name, version = dist.metadata["Name"], dist.version
        copies = []
        for file in _licence_files(dist):
            copy = licences / f"{name}-{version}.{file.name}"
            shutil.copyfile(file.locate(), copy)
            copies.append(copy.name)
        licence_of[normalized(name)] = copies
    for dist in dists:
        name = normalized(dist.metadata["Name"])
        if licence_of[name]:
            continue
        parents = [
            other
            for other in dists
            if licence_of[normalized(other.metadata["Name"])]
            and modules_of[normalized(other.metadata["Name"])] == modules_of[name]
            and _repository(other) == _repository(dist)
            and _licence_name(other) == _licence_name(dist)
        ]
        if not parents:
            raise VendorError(f"{dist.metadata['Name']} has no licence file to ship.")
        licence_of[name] = licence_of[normalized(parents[0].metadata["Name"])]
    if any("Apache" in _licence_name(dist) for dist in dists):
        if not APACHE_TEXT.is_file():
            raise VendorError(f"The Apache License 2.0 text is needed: {APACHE_TEXT} is missing.")
        shutil.copyfile(APACHE_TEXT, licences / "Apache-2.0.txt")

    manifest = {"modules": _manifest_modules(dists, modules_of)}
    (work / "vendor.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    (work / "README.txt").write_text(_readme(dists, modules_of, licence_of), encoding="utf-8")

    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def _manifest_modules(dists, modules_of):
    """Per top-level module: the distribution that names it (pystac for pystac-core and the
    pystac-ext-*), its version, the oldest Python it supports and what it needs of the other
    modules (the highest lower bound and lowest upper bound over the module's distributions)."""
    by_module = {}
    for dist in dists:
        by_module.setdefault(modules_of[normalized(dist.metadata["Name"])], []).append(dist)
    modules = {}
    for module, parts in sorted(by_module.items()):
        names = {normalized(dist.metadata["Name"]) for dist in parts}
        required_within = {
            normalized(requirement.name)
            for dist in parts
            for requirement in _requirements(dist)
            if normalized(requirement.name) in names
        }
        heads = [dist for dist in parts if normalized(dist.metadata["Name"]) not in required_within]
        if len(heads) != 1:
            raise VendorError(f"Cannot tell which distribution names {module}: {names}.")
        head = heads[0]
        oldest_python = max((_oldest_python(dist) for dist in parts), key=_key)
        needs = {}
        for dist in parts:
            for requirement in _requirements(dist):
                other = modules_of.get(normalized(requirement.name))
                if other is None or other == module:
                    continue  # not shipped (requests), or a part of this module
                lowest, below = _version_bounds(requirement.specifier, str(requirement))
                entry = needs.setdefault(
                    other, {"distribution": requirement.name, "min": None, "below": None}
                )
                if lowest and (entry["min"] is None or _key(lowest) > _key(entry["min"])):
                    entry["min"] = lowest
                if below and (entry["below"] is None or _key(below) < _key(entry["below"])):
                    entry["below"] = below
        modules[module] = {
            "distribution": head.metadata["Name"],
            "version": head.version,
            "requires_python": oldest_python,
            "needs": needs,
            "distributions": sorted(f"{d.metadata['Name']} {d.version}" for d in parts),
        }
    return modules


def _readme(dists, modules_of, licence_of):
    rows = []
    for dist in dists:
        name = normalized(dist.metadata["Name"])
        rows.append(
            f"  {dist.metadata['Name']} {dist.version} (module {modules_of[name]}), "
            f"{_licence_name(dist)}: LICENSES/{', LICENSES/'.join(licence_of[name])}"
        )
    apache = (
        "  LICENSES/Apache-2.0.txt is the text of the Apache License 2.0 that these notices name.\n"
        if any("Apache" in _licence_name(dist) for dist in dists)
        else ""
    )
    return (
        "Python packages shipped with the Crop Confidence plugin\n"
        "=======================================================\n\n"
        "The plugin searches STAC catalogues with pystac-client. QGIS's Python often lacks it,\n"
        "and users cannot always install it (no pip, or a system Python that refuses it), so\n"
        "the plugin's zip ships it with the pure-Python packages it needs. requests is not\n"
        "shipped: QGIS always has it.\n\n"
        "They are used only when QGIS's Python lacks them: plugin/dependencies.py then appends\n"
        "this folder at the end of sys.path, so a copy the user installed always comes first.\n"
        "It does not add it when an installed package is too old for the shipped ones (it says\n"
        "which, and what is needed), nor when Python is older than they need.\n\n"
        "Copied unchanged from the wheels installed in the build machine's venv (pinned in\n"
        "requirements-dev.txt) by tools/make_zip.py, with their dist-info (metadata and entry\n"
        "points; RECORD left out). vendor.json holds the versions and requirements the run-time\n"
        "check reads.\n\n"
        "Package, version, licence, licence file:\n" + "\n".join(rows) + "\n\n"
        "  pystac-core and the pystac-ext-* packages are the parts pystac 1.15 is made of (same\n"
        "  authors and repository); their wheels carry no licence file, so pystac's applies.\n"
        + apache
    )


def plugin_files():
    tracked = subprocess.run(
        ["git", "ls-files", "--", *INCLUDE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    built = [str(path.relative_to(ROOT)) for path in (ROOT / "i18n").glob("*.qm")]
    return sorted(set(tracked) | set(built))


def main(target, vendor=VENDOR):
    target = Path(target)
    vendor = Path(vendor)
    build_vendor(vendor)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".zip.part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in plugin_files():
            archive.write(ROOT / name, f"crop_confidence/{name}")
        for path in sorted(vendor.rglob("*")):
            if path.is_file():
                archive.write(path, f"crop_confidence/vendor/{path.relative_to(vendor)}")
    temporary.replace(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    # tools/make_zip.py [ZIP [VENDOR_FOLDER]]: the tests build their vendor folder elsewhere.
    main(*(sys.argv[1:3] or ["dist/crop_confidence.zip"]))
