"""The layers of plugin/ and what each may import (docs/architecture.md).

The pure layers (domain, raster, net, sources) import neither Qt nor QGIS, so that they run
anywhere; Processing does not reach into the GUI.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugin"
PURE = ("domain", "raster", "net", "sources")
# The plugin's own packages (and top-level modules) each layer may import.
ALLOWED = {
    "domain": {"domain"},
    "raster": {"domain", "raster"},
    "net": {"domain", "net"},
    "sources": {"domain", "raster", "net", "sources", "dependencies"},
    "qgis": {"domain", "raster", "net", "sources", "qgis", "compat"},
    "processing": {"domain", "raster", "net", "sources", "qgis", "compat", "processing"},
    "gui": {"domain", "raster", "net", "sources", "qgis", "compat", "processing", "gui"},
}
QT_OR_QGIS = ("qgis", "PyQt5", "PyQt6", "sip", "osgeo_utils.qgis")


def layer_files(layer):
    return sorted((PLUGIN / layer).rglob("*.py"))


def imports_of(path):
    """(absolute module imported, line) for every import of ``path``, relative ones resolved."""
    package = ["crop_confidence", *path.relative_to(ROOT).parent.parts]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names = [f"{module}.{alias.name}" for alias in node.names]
            yield from ((name, node.lineno) for name in [module, *names])


def plugin_part(module):
    """'domain' for crop_confidence.plugin.domain.x, 'compat' for crop_confidence.plugin.compat."""
    parts = module.split(".")
    if parts[:2] == ["crop_confidence", "plugin"] and len(parts) > 2:
        return parts[2]
    return None


def violations(layer):
    found = []
    for path in layer_files(layer):
        for module, line in imports_of(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if layer in PURE and module.split(".")[0] in QT_OR_QGIS:
                found.append(f"{where} imports {module} (Qt/QGIS in a pure layer)")
            part = plugin_part(module)
            if part is not None and part not in ALLOWED[layer] and (PLUGIN / part).exists():
                found.append(f"{where} imports {module} ({layer} may not import {part})")
    return sorted(set(found))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer):
    assert layer_files(layer), f"plugin/{layer} is empty"
    assert violations(layer) == []


def test_the_rules_catch_a_pure_layer_importing_qgis_and_processing_importing_the_gui(tmp_path):
    for layer, line in (
        ("sources", "from qgis.core import QgsProject\n"),
        ("raster", "from qgis.PyQt.QtCore import Qt\n"),
        ("domain", "from ..net import http\n"),
        ("processing", "from ..gui.tasks import FunctionTask\n"),
    ):
        probe = PLUGIN / layer / "_import_rules_probe.py"
        probe.write_text(line)
        try:
            assert violations(layer), (layer, line)
        finally:
            probe.unlink()


def test_every_package_of_plugin_has_a_rule():
    packages = {path.name for path in PLUGIN.iterdir() if (path / "__init__.py").is_file()}
    assert packages == set(ALLOWED)


def test_the_pure_layers_load_neither_qt_nor_qgis_even_indirectly():
    modules = [
        "crop_confidence."
        + ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for layer in PURE
        for path in layer_files(layer)
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'qgis', 'PyQt5', 'PyQt6', 'sip'}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT / "build" / "plugins")},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert len(modules) > 15
    assert completed.stdout.strip() == "[]"
