"""Small helpers to write and read test rasters, and the independent reference."""

import contextlib

import numpy as np
import rasterio
from rasterio.transform import from_origin

EEA_ORIGIN = (3_800_000.0, 2_700_000.0)  # tile E38N26, top-left corner
L93_ORIGIN = (570_000.0, 6_280_000.0)

CTY_CROPS = (
    1110, 1120, 1130, 1140, 1150, 1210, 1220, 1310, 1320, 1410,
    1420, 1430, 1440, 2100, 2200, 2310, 2320, 3100, 3200,
)  # fmt: skip
OSO23_CLASSES = tuple(range(1, 24))
OSO17_CLASSES = (11, 12, 31, 32, 34, 36, 41, 42, 43, 44, 45, 46, 51, 53, 211, 221, 222)


def write_raster(path, bands, crs="EPSG:3035", origin=EEA_ORIGIN, pixel=10.0, nodata=None,
                 block=None, descriptions=None):  # fmt: skip
    """Write one array (or a list of same-shape arrays as bands) as a GeoTIFF."""
    bands = [bands] if isinstance(bands, np.ndarray) else list(bands)
    height, width = bands[0].shape
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": len(bands),
        "dtype": bands[0].dtype.name,
        "crs": crs,
        "transform": from_origin(origin[0], origin[1], pixel, pixel),
        "nodata": nodata,
    }
    if block:
        profile.update(tiled=True, blockxsize=block, blockysize=block)
    with rasterio.open(path, "w", **profile) as dataset:
        for index, band in enumerate(bands, start=1):
            dataset.write(band, index)
            if descriptions:
                dataset.set_band_description(index, descriptions[index - 1])
    return str(path)


def read_raster(path, band=1):
    with rasterio.open(path) as dataset:
        return dataset.read(band), dataset.profile


def reference_status(product, classes, confidence, validity, selected, min_confidence,
                     min_validity, nodata_values=()):  # fmt: skip
    """The README semantics table as plain numpy: returns (nodata, kept, low_conf, low_valid).

    ``nodata_values`` holds the files' own nodata as (array, value) pairs.
    """
    confidence = confidence.astype(np.int64)
    if product in ("cty_ctycl", "ctycl"):
        nodata = (confidence == 255) | ((confidence > 100) & (confidence != 253))
        cropland = confidence <= 100
        if product == "cty_ctycl":
            nodata |= classes == 65535
            candidate = np.isin(classes, selected) & cropland
        else:
            candidate = cropland
    else:
        nodata = np.zeros(confidence.shape, bool)
        if product in ("oso23", "oso17"):
            nodata |= (classes == 0) | (classes == 255)
        candidate = np.isin(classes, selected)
    for array, value in nodata_values:
        if value is not None:
            nodata |= array == value
    confident = confidence >= min_confidence
    valid = np.ones(confidence.shape, bool) if validity is None else validity >= min_validity
    kept = ~nodata & candidate & confident & valid
    low_confidence = ~nodata & candidate & ~confident
    low_validity = ~nodata & candidate & confident & ~valid
    return nodata, kept, low_confidence, low_validity


@contextlib.contextmanager
def gdal_exception_mode(enabled):
    """GDAL's process-wide exception setting as another plugin may have left it, restored after.

    The bindings keep a stack of the modules that turned exceptions on (QGIS 3.40's
    Processing: gdal, ogr, osr) and refuse gdal.DontUseExceptions() under ogr's and osr's,
    so those are unwound first and put back in their order."""
    from osgeo import gdal, ogr, osr

    modules = (gdal, ogr, osr)
    previous = [bool(module.GetUseExceptions()) for module in modules]

    def set_modes(modes):
        for module, mode in reversed(list(zip(modules, modes))):
            if not mode and module.GetUseExceptions():
                module.DontUseExceptions()
        for module, mode in zip(modules, modes):
            if mode and not module.GetUseExceptions():
                module.UseExceptions()

    set_modes([enabled, previous[1] and enabled, previous[2] and enabled])
    try:
        yield enabled
    finally:
        set_modes([False, False, False])
        set_modes(previous)
