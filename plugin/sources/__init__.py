"""Where the data comes from: STAC, Sentinel Hub, COG clips, fetch. No Qt or QGIS."""
