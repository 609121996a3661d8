"""The raster engine: numpy and rasterio only, no Qt or QGIS."""
