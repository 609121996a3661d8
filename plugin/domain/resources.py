"""Where the plugin's own files are: the folder that holds metadata.txt and resources/."""

from pathlib import Path

PLUGIN_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PLUGIN_ROOT / "resources"
