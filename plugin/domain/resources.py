"""Where the plugin's own files are: the folder that holds metadata.txt and resources/."""

from pathlib import Path

PLUGIN_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PLUGIN_ROOT / "resources"
# The synthetic sample shipped with the plugin (CTY, CTYCL and OSO of 2021): a static STAC
# catalogue both sources can point at, to try the plugin without network.
SAMPLE_CATALOG = RESOURCES / "sample" / "catalog.json"
