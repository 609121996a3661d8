"""Issue 13, cases 11 and 12: class codes a class raster cannot hold, south-up rasters."""

import numpy as np
import pytest
import rasterio
from rasterio.transform import Affine

from crop_confidence.plugin.domain.errors import CropMaskError
from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask
from crop_confidence.plugin.raster.states import check_class_codes
from rasters import write_raster


@pytest.mark.parametrize("code", [99999999999999999999, -5, 65536])
def test_custom_codes_outside_the_class_type_are_refused_with_its_range(tmp_path, code):
    class_path = write_raster(tmp_path / "k.tif", np.full((8, 8), 7, np.uint16))
    conf_path = write_raster(tmp_path / "c.tif", np.full((8, 8), 90, np.uint8))
    request = CropMaskRequest(
        "custom", BandRef(conf_path), BandRef(class_path), class_codes=(7, code)
    )
    with pytest.raises(CropMaskError, match=rf"{code} cannot occur.*uint16 holds 0 to 65535"):
        run_crop_mask(request, tmp_path / "out.tif")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c.tif", "k.tif"]


@pytest.mark.parametrize(
    ("dtype", "codes", "ok"),
    [
        ("uint8", (0, 255), True),
        ("uint8", (256,), False),
        ("int16", (-32768, 32767), True),
        ("int16", (-32769,), False),
        ("uint16", (65535,), True),
    ],
)
def test_class_codes_against_each_type(dtype, codes, ok):
    if ok:
        check_class_codes(codes, dtype)
    else:
        with pytest.raises(CropMaskError, match=dtype):
            check_class_codes(codes, dtype)


def _south_up(path, array):
    profile = {
        "driver": "GTiff",
        "width": array.shape[1],
        "height": array.shape[0],
        "count": 1,
        "dtype": array.dtype.name,
        "crs": "EPSG:3035",
        "transform": Affine(10, 0, 3_800_000, 0, 10, 2_700_000),  # rows run north
    }
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(array, 1)
    return str(path)


@pytest.mark.parametrize("bounds", [None, (3_800_010, 2_700_010, 3_800_050, 2_700_050)])
def test_a_south_up_raster_is_refused_saying_why_and_naming_it(tmp_path, bounds):
    class_path = _south_up(tmp_path / "k.tif", np.full((8, 8), 1110, np.uint16))
    conf_path = _south_up(tmp_path / "c.tif", np.full((8, 8), 90, np.uint8))
    request = CropMaskRequest("cty_ctycl", BandRef(conf_path), BandRef(class_path), bounds=bounds)
    with pytest.raises(CropMaskError) as error:
        run_crop_mask(request, tmp_path / "out.tif")
    message = str(error.value)
    assert "south-up" in message and "north-up" in message and "gdalwarp" in message
    assert "c.tif" in message or "k.tif" in message
    assert "does not overlap" not in message
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c.tif", "k.tif"]
