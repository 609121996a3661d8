"""The domain: products, nomenclature, errors. Pure: no Qt, QGIS, GDAL or network."""
