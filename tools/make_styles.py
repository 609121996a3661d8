"""Write resources/styles/<kind>_<language>.qml from the renderer builders of plugin/qgis/styles.py.

Run with `python tools/make_styles.py [--out FOLDER]` (QGIS Python). Each style is built on a
small temporary raster of the product's data type and saved with QgsMapLayer.saveNamedStyle, so
the QML files always match what the plugin applies.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STYLES_DIR = ROOT / "resources" / "styles"
LANGUAGES = ("en", "fr")


def _plugin_styles():
    plugins = ROOT / "build" / "plugins"
    link = plugins / "crop_confidence"
    if not link.exists():
        plugins.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT, target_is_directory=True)
    if str(plugins) not in sys.path:
        sys.path.insert(0, str(plugins))
    from crop_confidence.plugin.qgis import styles

    return styles


def _sample_raster(folder, kind):
    """A 1-band raster holding the values of ``kind`` (uint16 for CTY, uint8 otherwise)."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    if kind == "cty":
        values, dtype = [0, 1110, 3200, 65535], "uint16"
    elif kind == "mask":
        values, dtype = [0, 1, 255], "uint8"
    else:
        values, dtype = [0, 1, 50, 100, 253, 255], "uint8"
    path = Path(folder) / f"{kind}.tif"
    profile = {
        "driver": "GTiff", "width": len(values), "height": 1, "count": 1, "dtype": dtype,
        "crs": "EPSG:3035", "transform": from_origin(0, 10, 10, 10),
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(np.array([values], dtype), 1)
    return path


def style_files():
    styles = _plugin_styles()
    return [
        (kind, language, f"{kind}_{language}.qml")
        for kind in styles.KINDS
        for language in LANGUAGES
    ]


def write_styles(out_dir=STYLES_DIR):
    """Write every style kind in every language into ``out_dir``; returns the paths written."""
    from qgis.core import QgsRasterLayer

    styles = _plugin_styles()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, language, name in style_files():
            layer = QgsRasterLayer(str(_sample_raster(folder, kind)), kind, "gdal")
            if not layer.isValid():
                raise RuntimeError(f"cannot open the sample raster of {kind}")
            styles.apply_style(layer, kind, language=language, band=1)
            message, saved = layer.saveNamedStyle(str(out_dir / name))
            if not saved:
                raise RuntimeError(f"cannot write {name}: {message}")
            written.append(out_dir / name)
            del layer
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(STYLES_DIR), help="output folder")
    arguments = parser.parse_args()

    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    for path in write_styles(arguments.out):
        sys.stdout.write(f"{path}\n")
    app.exitQgis()


if __name__ == "__main__":
    main()
