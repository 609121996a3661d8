"""QGIS adapters shared by Processing and the GUI: credentials, proxy, settings, styles,
translations."""
