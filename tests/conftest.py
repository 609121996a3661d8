"""Test set-up: make the repo importable as the installed plugin 'crop_confidence'."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGINS_DIR = ROOT / "build" / "plugins"
PLUGIN_LINK = PLUGINS_DIR / "crop_confidence"

PLUGINS_DIR.mkdir(parents=True, exist_ok=True)
if not PLUGIN_LINK.exists():
    PLUGIN_LINK.symlink_to(ROOT, target_is_directory=True)
if str(PLUGINS_DIR) not in sys.path:
    sys.path.insert(0, str(PLUGINS_DIR))
os.environ.setdefault("QGIS_PLUGINPATH", str(PLUGINS_DIR))
