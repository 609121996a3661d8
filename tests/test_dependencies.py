"""Where pystac-client comes from (plugin/dependencies.py): QGIS's Python or the zip's vendor/.

Each case runs in a child Debian python3 (QGIS's interpreter here) whose packages are set up
for it: system copies hidden (tests/hide_packages), fake installed packages (a module and its
dist-info) put first on sys.path, and the real vendor folder that tools/make_zip.py builds.
"""

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from headless import system_python_lacks

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "build" / "plugins"  # holds crop_confidence -> the repository
HIDER = Path(__file__).resolve().parent / "hide_packages"
SYSTEM_PYTHON = "/usr/bin/python3"  # the Python QGIS runs here (Debian's)
STAC = ("pystac", "pystac_client")
ALL = ("pystac", "pystac_client", "dateutil", "six")
SAMPLE_CATALOG = ROOT / "resources" / "sample" / "catalog.json"


SYSTEM_LACKS = system_python_lacks("dateutil", "six")  # from vendor/ too, after pystac
LABELS = {"dateutil": "python-dateutil", "six": "six"}

CHILD = r"""
import json, sys
front, plugins, vendor, python, then = json.loads(sys.argv[1])
sys.path[:0] = front + [plugins]
from crop_confidence.plugin import dependencies
status = dependencies.apply(vendor=vendor, python=python)
out = {
    "state": status.state,
    "from_vendor": list(status.from_vendor),
    "problem": status.problem,
    "vendor_on_path": sys.path.count(vendor),
    "last": sys.path[-1],
    "imported": sorted(m for m in dependencies.MODULES if m in sys.modules),
}
if then:
    exec(then, {"out": out, "dependencies": dependencies, "status": status, "vendor": vendor})
print(json.dumps(out))
"""


def load_make_zip():
    spec = importlib.util.spec_from_file_location("make_zip", ROOT / "tools" / "make_zip.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vendor(tmp_path_factory):
    """The vendor folder `make zip` ships, built from this venv."""
    folder = tmp_path_factory.mktemp("vendor-build") / "vendor"
    load_make_zip().build_vendor(folder)
    return folder


def fake_site(folder, **versions):
    """A site folder holding fake installed packages, e.g. pystac="1.8.0"."""
    distributions = {"pystac_client": "pystac_client", "dateutil": "python_dateutil"}
    folder.mkdir(parents=True, exist_ok=True)
    for module, version in versions.items():
        body = f"__version__ = {version!r}\n"
        if module == "six":
            (folder / "six.py").write_text(body)
        else:
            (folder / module).mkdir()
            (folder / module / "__init__.py").write_text(body)
        name = distributions.get(module, module)
        info = folder / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n"
        )
    return folder


def run_rule(vendor, hide=STAC, front=(), python=None, then="", interpreter=SYSTEM_PYTHON):
    """Applies the rule in a child interpreter; returns what it printed (a dict)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(HIDER),
        "CROP_CONFIDENCE_TEST_HIDE": ",".join(hide),
        "QT_QPA_PLATFORM": "offscreen",
    }
    arguments = [[str(path) for path in front], str(PLUGINS), str(vendor), python, then]
    completed = subprocess.run(
        [interpreter, "-s", "-c", CHILD, json.dumps(arguments)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_system_python_here_lacks_pystac_client_or_the_tests_hide_it():
    bare = subprocess.run([SYSTEM_PYTHON, "-I", "-c", "import pystac_client"], capture_output=True)
    hidden = subprocess.run(
        [SYSTEM_PYTHON, "-s", "-c", "import pystac_client"],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(HIDER),
            "CROP_CONFIDENCE_TEST_HIDE": "pystac_client",
        },
        capture_output=True,
    )
    assert hidden.returncode != 0
    if bare.returncode == 0:
        pytest.skip("Debian's python3 has pystac_client here: the other tests hide it")


def test_the_hider_hides_system_copies_but_not_a_vendor_folder(vendor):
    out = run_rule(
        vendor,
        hide=("six",),
        then="import six, dateutil, requests\n"
        "out['files'] = [six.__file__, dateutil.__file__, requests.__file__]",
    )
    # Debian's six is hidden, its dateutil and requests are not
    assert "six" in out["from_vendor"] and "dateutil" not in out["from_vendor"]
    six, dateutil, requests = out["files"]
    assert six == str(vendor / "six.py")
    assert dateutil.startswith("/usr/lib/python3/") and requests.startswith("/usr/lib/python3/")


def test_what_qgis_python_lacks_comes_from_the_vendor_folder_appended_last(vendor):
    """Debian's QGIS: python3-dateutil and python3-six are there, pystac-client is not."""
    out = run_rule(
        vendor,
        hide=STAC,
        then="import pystac_client, pystac, dateutil\n"
        "from importlib.metadata import entry_points\n"
        "out['files'] = [pystac_client.__file__, pystac.__file__, dateutil.__file__]\n"
        "out['client'] = pystac_client.Client.__name__\n"
        "out['hooks'] = sorted(e.value for e in entry_points(group='pystac.extensions'))",
    )
    assert out["state"] == "vendored" and out["problem"] is None
    assert out["from_vendor"] == ["pystac_client", "pystac", *SYSTEM_LACKS]
    assert out["last"] == str(vendor) and out["vendor_on_path"] == 1
    assert out["imported"] == []  # deciding imports none of them
    client, pystac, dateutil = out["files"]
    assert client == str(vendor / "pystac_client" / "__init__.py")
    assert pystac == str(vendor / "pystac" / "__init__.py")
    assert dateutil.startswith("/usr/lib/python3/dist-packages/")  # the system's copy wins
    assert out["client"] == "Client"
    # pystac 1.15 finds its extensions through the shipped dist-info entry points
    assert "pystac.extensions.eo:EO_EXTENSION_HOOKS" in out["hooks"]


def test_a_python_without_any_takes_all_four_from_the_vendor_folder(vendor):
    out = run_rule(
        vendor,
        hide=ALL,
        then="import pystac_client, dateutil.parser, six\n"
        "out['files'] = [dateutil.parser.__file__, six.__file__]",
    )
    assert out["state"] == "vendored"
    assert out["from_vendor"] == ["pystac_client", "pystac", "dateutil", "six"]
    assert out["files"] == [
        str(vendor / "dateutil" / "parser" / "__init__.py"),
        str(vendor / "six.py"),
    ]


def test_the_user_copies_are_used_and_nothing_is_added(vendor, tmp_path):
    site = fake_site(
        tmp_path / "site", pystac="1.15.2", pystac_client="0.9.1", dateutil="2.9.0", six="1.17.0"
    )
    out = run_rule(vendor, hide=(), front=[site], then="import pystac; out['f'] = pystac.__file__")
    assert out["state"] == "installed" and out["problem"] is None
    assert out["from_vendor"] == [] and out["vendor_on_path"] == 0
    assert out["f"] == str(site / "pystac" / "__init__.py")


def test_a_newer_pystac_of_the_user_is_kept_with_the_shipped_pystac_client(vendor, tmp_path):
    site = fake_site(tmp_path / "site", pystac="1.16.0")
    out = run_rule(
        vendor,
        hide=("pystac_client",),
        front=[site],
        then="import pystac; out['f'] = pystac.__file__\n"
        "import importlib.util; out['client'] = importlib.util.find_spec('pystac_client').origin",
    )
    assert out["state"] == "vendored" and out["from_vendor"] == ["pystac_client", *SYSTEM_LACKS]
    assert out["f"] == str(site / "pystac" / "__init__.py")
    assert out["client"] == str(vendor / "pystac_client" / "__init__.py")


def test_an_old_pystac_of_the_user_is_named_and_nothing_is_mixed(vendor, tmp_path):
    site = fake_site(tmp_path / "site", pystac="1.8.0")
    out = run_rule(
        vendor,
        hide=("pystac_client",),
        front=[site],
        then="try:\n    import pystac_client\nexcept ImportError as e:\n    out['error'] = str(e)",
    )
    assert out["state"] == "incompatible"
    assert out["vendor_on_path"] == 0  # the shipped pystac-client is not mixed with pystac 1.8
    assert out["error"] == "No module named 'pystac_client'"
    problem = out["problem"]
    assert "the pystac 1.8.0 installed in QGIS's Python" in problem
    assert str(site / "pystac") in problem
    assert (
        "the pystac-client 0.9.1 shipped with the plugin, which needs pystac >= 1.10.0" in problem
    )
    assert "pip install --upgrade pystac)" in problem


def test_an_old_dateutil_of_the_user_is_named(vendor, tmp_path):
    site = fake_site(tmp_path / "site", dateutil="2.7.0")
    out = run_rule(vendor, hide=STAC, front=[site])
    assert out["state"] == "incompatible" and out["vendor_on_path"] == 0
    # pystac asks for python-dateutil >= 2.7.0 (met), pystac-client for >= 2.8.2 (not met)
    assert out["problem"].count("does not suit") == 1
    assert "python-dateutil 2.7.0" in out["problem"]
    assert "which needs python-dateutil >= 2.8.2" in out["problem"]
    assert "pip install --upgrade python-dateutil" in out["problem"]


def test_a_python_older_than_the_shipped_copies_need_is_told(vendor):
    out = run_rule(vendor, hide=STAC, python=[3, 9, 18])
    assert out["state"] == "python too old" and out["vendor_on_path"] == 0
    lacking = ", ".join(["pystac-client", "pystac", *(LABELS[m] for m in SYSTEM_LACKS)])
    assert out["problem"] == (
        f"Searching a STAC catalogue needs {lacking}, which QGIS's Python lacks. The "
        "copies shipped with the plugin (pystac-client 0.9.1, pystac 1.15.2) need Python 3.10 or "
        "newer, and this QGIS runs Python 3.9.18. Install versions that support Python 3.9 into "
        "QGIS's Python (pip chooses them: pip install pystac-client), or use a QGIS whose Python "
        "is 3.10 or newer."
    )


def python39():
    """A Python 3.9 interpreter (a real one, not a pyenv shim), or None."""
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3.9")))
    candidates += [path for path in (shutil.which("python3.9"),) if path]
    for candidate in candidates:
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 9))"],
            capture_output=True,
            text=True,
        )
        if version.stdout.strip() == "True":
            return candidate
    return None


PYTHON_3_9 = python39()


@pytest.mark.skipif(PYTHON_3_9 is None, reason="no Python 3.9 on this machine")
def test_a_real_python_3_9_is_told_and_would_fail_on_the_shipped_pystac(vendor):
    """As QGIS 3.22 on Windows (Python 3.9): the module imports, the rule refuses the copies,
    which would not import there."""
    out = run_rule(
        vendor,
        hide=ALL,
        interpreter=PYTHON_3_9,
        then="import sys\n"
        "sys.path.append(vendor)\n"
        "try:\n    import pystac\nexcept Exception as e:\n    out['error'] = type(e).__name__",
    )
    assert out["state"] == "python too old"
    assert "this QGIS runs Python 3.9." in out["problem"]
    assert "need Python 3.10 or newer" in out["problem"]
    assert out["error"] in ("TypeError", "SyntaxError")


def test_without_a_vendor_folder_it_says_how_to_get_one(tmp_path):
    out = run_rule(tmp_path / "no-vendor", hide=STAC)
    assert out["state"] == "missing" and out["vendor_on_path"] == 0
    assert "does not ship them (it was not installed from its zip)" in out["problem"]
    assert "Install from ZIP" in out["problem"]


def test_an_unreadable_vendor_json_does_not_break_the_plugin_load(tmp_path):
    folder = tmp_path / "vendor"
    folder.mkdir()
    (folder / "vendor.json").write_text("{not json")
    out = run_rule(folder, hide=STAC)
    assert out["state"] == "missing"
    assert out["problem"].startswith("Cannot tell whether the plugin's own copy of pystac-client")
    assert "JSONDecodeError" in out["problem"]


def test_the_rule_is_applied_once(vendor):
    out = run_rule(
        vendor,
        hide=STAC,
        then="import sys\nagain = dependencies.apply()\n"
        "out['same'] = again is status\nout['count'] = sys.path.count(vendor)",
    )
    assert out["same"] is True and out["count"] == 1


# The one place that reports it: plugin/sources/addresses.py stac_search_module, used by the
# fetch algorithm, the dock's search (sources/search.py) and its list of years (sources/years.py).
SEARCH = (
    "from crop_confidence.plugin.sources import addresses, fetch, search, years\n"
    "out['messages'] = []\n"
    "for call in (\n"
    "    lambda: addresses.stac_search_module(),\n"
    "    lambda: search.search('cty_ctycl', 2021, CATALOG, (10.0, 47.0, 10.1, 47.1)),\n"
    "    lambda: years.available_years('cty_ctycl', CATALOG),\n"
    "):\n"
    "    try:\n        call()\n"
    "    except fetch.FetchError as error:\n        out['messages'].append(str(error))\n"
).replace("CATALOG", repr(str(SAMPLE_CATALOG)))


@pytest.mark.parametrize("case", ["python too old", "old pystac", "no vendor folder"])
def test_the_search_says_why_it_cannot_run(vendor, tmp_path, case):
    front, python, folder = [], None, vendor
    if case == "python too old":
        python = [3, 9, 18]
    elif case == "old pystac":
        front = [fake_site(tmp_path / "site", pystac="1.8.0")]
    else:
        folder = tmp_path / "no-vendor"
    hide = ("pystac_client",) if front else STAC
    out = run_rule(folder, hide=hide, front=front, python=python, then=SEARCH)
    assert out["problem"]
    # the fetch algorithm, the dock's search and the dock's years: the same message
    assert out["messages"] == [out["problem"]] * 3


def test_the_search_names_installed_packages_that_do_not_import(vendor, tmp_path):
    lacking = {"dateutil": "2.9.0", "six": "1.17.0"}  # so that nothing comes from vendor/
    site = fake_site(
        tmp_path / "site",
        pystac="1.15.2",
        pystac_client="0.5.0",
        **{module: lacking[module] for module in SYSTEM_LACKS},
    )
    (site / "pystac_client" / "__init__.py").write_text(
        "raise ImportError(\"cannot import name 'ConformanceClasses'\")\n"
    )
    out = run_rule(vendor, hide=(), front=[site], then=SEARCH)
    assert out["state"] == "installed"
    message = out["messages"][0]
    assert message.startswith(
        "Searching a STAC catalogue needs pystac-client and pystac, and importing them failed "
        "(ImportError: cannot import name 'ConformanceClasses')."
    )
    assert f"pystac-client 0.5.0 ({site / 'pystac_client'})" in message
    assert f"pystac 1.15.2 ({site / 'pystac'})" in message
    assert "pip install --upgrade pystac-client pystac" in message


def test_vendor_json_lists_the_modules_the_rule_checks(vendor):
    sys.path.insert(0, str(PLUGINS))
    from crop_confidence.plugin import dependencies

    manifest = json.loads((vendor / "vendor.json").read_text())
    assert set(manifest["modules"]) == set(dependencies.MODULES)
    for module, distribution in dependencies.MODULES.items():
        assert manifest["modules"][module]["distribution"] == distribution


@pytest.mark.parametrize("hide", [(), ("rasterio",), ("numpy", "rasterio")])
def test_missing_core_names_what_qgis_python_lacks_and_imports_nothing(vendor, hide):
    """The packages the plugin cannot ship: named when missing, found without being imported
    (the plugin asks at every QGIS start)."""
    out = run_rule(
        vendor,
        hide=STAC + hide,
        then="import sys\nout['missing'] = list(dependencies.missing_core())\n"
        "out['loaded'] = [m for m in dependencies.CORE if m in sys.modules]",
    )
    assert out["missing"] == list(hide)
    assert out["loaded"] == []
