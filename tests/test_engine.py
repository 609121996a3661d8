"""The pure engine against the plain-numpy reference of the semantics table."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crop_confidence
from crop_confidence.plugin.domain.errors import CropMaskCancelled, CropMaskError
from crop_confidence.plugin.raster import masks
from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask
from rasters import (
    CTY_CROPS,
    L93_ORIGIN,
    OSO17_CLASSES,
    OSO23_CLASSES,
    read_raster,
    reference_status,
    write_raster,
)

CTYCL_VALUES = np.r_[np.arange(0, 101), [253, 253, 253, 255, 255, 101, 180, 252, 254]]


# Per product: the lead band (class, else confidence) and the values that alone
# make a pixel nodata, as outside the producer's area.
OUTSIDE = {
    "cty_ctycl": (0, (65535,)),
    "ctycl": (1, (255, 254, 180)),
    "oso23": (0, (0, 255)),
    "oso17": (0, (0, 255)),
    "custom": (0, (-3,)),
}


def random_inputs(product, rng, shape, outside_values=None):
    """Class, confidence and validity arrays covering every special value.

    A random corner of the lead band is filled with one outside value, so
    whole windows of it are nodata whatever the other bands hold.
    """
    if product in ("cty_ctycl", "ctycl"):
        pool = np.array(CTY_CROPS + (0, 0, 65535, 1234, 9999), np.uint16)
        classes = rng.choice(pool, shape)
        confidence = rng.choice(CTYCL_VALUES, shape).astype(np.uint8)
        bands = [classes, confidence, None]
    elif product == "custom":
        classes = rng.integers(-3, 40, shape).astype(np.int16)
        confidence = rng.integers(-5, 300, shape).astype(np.int16)
        validity = rng.integers(0, 50, shape).astype(np.uint8)
        bands = [classes, confidence, validity]
    else:
        codes = OSO23_CLASSES if product == "oso23" else OSO17_CLASSES
        classes = rng.choice(np.array(codes + (0, 255, 77), np.uint8), shape)
        confidence = rng.integers(0, 101, shape).astype(np.uint8)
        validity = rng.integers(0, 46, shape).astype(np.uint8)
        bands = [classes, confidence, validity]
    lead, default_outside = OUTSIDE[product]
    outside_values = outside_values or default_outside
    rows, cols = (int(rng.integers(0, side + 1)) for side in shape)
    bands[lead][:rows, :cols] = rng.choice(outside_values)
    return tuple(bands)


def selection(product, rng):
    pools = {
        "cty_ctycl": CTY_CROPS,
        "ctycl": (),
        "oso23": OSO23_CLASSES,
        "oso17": OSO17_CLASSES,
        "custom": tuple(range(1, 40)),
    }
    pool = pools[product]
    if not pool:
        return ()
    count = int(rng.integers(1, len(pool) + 1))
    return tuple(int(code) for code in rng.choice(pool, count, replace=False))


def run_case(folder, product, seed, shape, block, window, threshold, min_validity, mode, threads,
             class_counts=True):  # fmt: skip
    rng = np.random.default_rng(seed)
    # The files' own nodata (class, confidence, validity), or None. A Custom
    # class nodata of 0 clashes with "not kept" in a class map.
    file_nodata = {
        "cty_ctycl": (65535, 255, None),
        "ctycl": (65535, 255, None),
        "oso23": (rng.choice([None, 77]), rng.choice([None, 3]), rng.choice([None, 7])),
        "oso17": (rng.choice([None, 77]), rng.choice([None, 3]), rng.choice([None, 7])),
        "custom": (rng.choice([-3, 0]), -5, rng.choice([None, 7])),
    }[product]
    outside = (file_nodata[0],) if product == "custom" else None
    classes, confidence, validity = random_inputs(product, rng, shape, outside)
    oso_like = product in ("oso23", "oso17", "custom")
    crs, origin = ("EPSG:2154", L93_ORIGIN) if oso_like else ("EPSG:3035", (3_800_000, 2_700_000))
    class_path = write_raster(
        folder / "classes.tif", classes, crs, origin, nodata=file_nodata[0], block=block
    )
    conf_path = write_raster(
        folder / "confidence.tif", confidence, crs, origin, nodata=file_nodata[1], block=block
    )
    validity_ref = None
    if validity is not None:
        validity_ref = BandRef(
            write_raster(folder / "validity.tif", validity, crs, origin, nodata=file_nodata[2])
        )
    selected = selection(product, rng)
    if mode == "classes" and product == "custom":
        selected = tuple(code for code in selected if code != 0) or (1,)
    request = CropMaskRequest(
        product=product,
        confidence=BandRef(conf_path),
        classes=None if product == "ctycl" else BandRef(class_path),
        validity=validity_ref,
        class_codes=selected,
        min_confidence=threshold,
        min_validity=min_validity,
        output_mode=mode,
        threads=threads,
        window_size=window,
        class_counts=class_counts,
    )
    result = run_crop_mask(request, folder / "out.tif")
    out, profile = read_raster(folder / "out.tif")

    nodata_values = [(classes, file_nodata[0]), (confidence, file_nodata[1])]
    if validity is not None:
        nodata_values.append((validity, file_nodata[2]))
    if product == "ctycl":
        nodata_values = [(confidence, file_nodata[1])]
    nodata, kept, low_conf, low_valid = reference_status(
        product,
        classes,
        confidence,
        validity,
        selected,
        threshold,
        min_validity,
        nodata_values,
    )
    if mode == "binary":
        expected = np.where(nodata, 255, np.where(kept, 1, 0)).astype(np.uint8)
    else:
        custom_nodata = 32767 if file_nodata[0] == 0 else file_nodata[0]
        out_nodata = {"cty_ctycl": 65535, "oso23": 255, "oso17": 255, "custom": custom_nodata}
        out_nodata = out_nodata[product]
        assert profile["nodata"] == out_nodata
        expected = np.where(nodata, out_nodata, np.where(kept, classes, 0)).astype(classes.dtype)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == expected.dtype
    assert result.total_pixels == out.size
    assert result.nodata_pixels == int(nodata.sum())
    assert result.kept_pixels == int(kept.sum())
    assert result.kept_area_ha == pytest.approx(kept.sum() * 100 / 10_000)
    if not class_counts:
        assert result.classes is None
        return

    valid = ~nodata
    if product == "ctycl":
        cropland = valid & (confidence <= 100)
        (row,) = result.classes
        assert (row.code, row.pixels, row.kept) == (None, int(cropland.sum()), int(kept.sum()))
        assert row.dropped_low_confidence == int(low_conf.sum())
        return
    expected_rows = {}
    for code in np.unique(classes[valid]):
        in_class = valid & (classes == code)
        expected_rows[int(code)] = (
            int(in_class.sum()),
            int((kept & in_class).sum()),
            int((low_conf & in_class).sum()),
            int((low_valid & in_class).sum()),
        )
    got_rows = {
        row.code: (row.pixels, row.kept, row.dropped_low_confidence, row.dropped_low_validity)
        for row in result.classes
    }
    assert got_rows == expected_rows


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    product=st.sampled_from(["cty_ctycl", "ctycl", "oso23", "oso17", "custom"]),
    seed=st.integers(0, 2**32 - 1),
    height=st.integers(1, 150),
    width=st.integers(1, 150),
    block=st.sampled_from([None, 16, 32, 64]),
    window=st.sampled_from([1, 16, 40, 100, 1024]),
    threshold=st.integers(0, 101),
    min_validity=st.integers(0, 46),
    mode=st.sampled_from(["binary", "classes"]),
    threads=st.integers(1, 3),
    class_counts=st.booleans(),
)
def test_engine_matches_numpy_reference(
    product, seed, height, width, block, window, threshold, min_validity, mode, threads,
    class_counts,
):  # fmt: skip
    if product == "ctycl":
        mode = "binary"
    threshold = min(threshold, 100)
    with tempfile.TemporaryDirectory() as folder:
        run_case(
            Path(folder),
            product,
            seed,
            (height, width),
            block,
            window,
            threshold,
            min_validity,
            mode,
            threads,
            class_counts,
        )


@pytest.mark.parametrize("product", ["cty_ctycl", "ctycl", "oso23", "oso17", "custom"])
@pytest.mark.parametrize("mode", ["binary", "classes"])
@pytest.mark.parametrize("class_counts", [True, False], ids=["class-counts", "totals-only"])
def test_every_product_and_mode_on_blocks_that_do_not_divide_the_raster(
    tmp_path, product, mode, class_counts
):
    if product == "ctycl" and mode == "classes":
        pytest.skip("CTYCL only has no class map: see test_ctycl_only_refuses_a_class_map")
    run_case(tmp_path, product, 7, (301, 517), 64, 100, 50, 10, mode, 2, class_counts)


@pytest.mark.parametrize("max_runs", [0, 1000], ids=["lookups", "comparisons"])
@pytest.mark.parametrize("product", ["cty_ctycl", "ctycl", "oso23", "oso17", "custom"])
@pytest.mark.parametrize("mode", ["binary", "classes"])
def test_band_masks_by_lookups_or_by_comparisons(monkeypatch, tmp_path, max_runs, product, mode):
    """Without per-class counts, each band is tested by value runs or by one lookup."""
    if product == "ctycl" and mode == "classes":
        pytest.skip("CTYCL only has no class map: see test_ctycl_only_refuses_a_class_map")
    monkeypatch.setattr(masks, "MAX_RUNS", max_runs)
    run_case(tmp_path, product, 11, (130, 170), 32, 64, 40, 5, mode, 2, class_counts=False)


def test_output_file_is_tiled_compressed_on_the_input_grid(tmp_path):
    run_case(tmp_path, "cty_ctycl", 1, (130, 70), 32, 64, 50, 0, "binary", 2)
    with rasterio.open(tmp_path / "out.tif") as out, rasterio.open(tmp_path / "classes.tif") as ref:
        assert out.crs == ref.crs
        assert out.transform == ref.transform
        assert (out.width, out.height) == (ref.width, ref.height)
        assert out.nodata == 255
        assert out.profile["tiled"] is True
        assert out.block_shapes[0] == (512, 512)
        assert out.compression.name.upper() == "ZSTD"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "classes.tif",
        "confidence.tif",
        "out.tif",
    ]


def _corrupt_tile(path, col, row):
    """Overwrite the compressed bytes of one tile of a GeoTIFF with garbage."""
    from osgeo import gdal

    dataset = gdal.Open(str(path))
    band = dataset.GetRasterBand(1)
    offset = int(band.GetMetadataItem(f"BLOCK_OFFSET_{col}_{row}", "TIFF"))
    size = int(band.GetMetadataItem(f"BLOCK_SIZE_{col}_{row}", "TIFF"))
    dataset = None
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xff" * size)


def test_windows_outside_the_area_read_no_other_band(tmp_path):
    """A window that is all CTY 65535 is nodata whatever CTYCL holds: CTYCL is not read.

    The CTYCL tile under it is corrupt, so reading it would fail the run.
    """
    rng = np.random.default_rng(3)
    classes, confidence, _ = random_inputs("cty_ctycl", rng, (128, 128))
    classes[:64, :64] = 65535
    class_path = write_raster(tmp_path / "cty.tif", classes, nodata=65535, block=64)
    conf_path = tmp_path / "ctycl.tif"
    profile = dict(read_raster(class_path)[1], dtype="uint8", nodata=255, compress="deflate")
    with rasterio.open(conf_path, "w", **profile) as dataset:
        dataset.write(confidence, 1)
    _corrupt_tile(conf_path, 0, 0)
    with rasterio.open(conf_path) as dataset, pytest.raises(rasterio.errors.RasterioIOError):
        dataset.read(1, window=((0, 64), (0, 64)))

    request = CropMaskRequest(
        "cty_ctycl", BandRef(str(conf_path)), BandRef(class_path), window_size=64, threads=2
    )
    result = run_crop_mask(request, tmp_path / "out.tif")

    nodata, kept, _, _ = reference_status(
        "cty_ctycl", classes, confidence, None, CTY_CROPS, 50, 0, [(confidence, 255)]
    )
    expected = np.where(nodata, 255, np.where(kept, 1, 0)).astype(np.uint8)
    np.testing.assert_array_equal(read_raster(tmp_path / "out.tif")[0], expected)
    assert result.nodata_pixels == int(nodata.sum())
    assert result.kept_pixels == int(kept.sum())


def test_default_classes_come_from_the_nomenclature(tmp_path):
    classes = np.array([[1110, 3200, 0, 5]], np.uint16)
    confidence = np.array([[90, 90, 253, 90]], np.uint8)
    request = CropMaskRequest(
        product="cty_ctycl",
        confidence=BandRef(write_raster(tmp_path / "c.tif", confidence)),
        classes=BandRef(write_raster(tmp_path / "k.tif", classes)),
    )
    result = run_crop_mask(request, tmp_path / "out.tif")
    assert read_raster(tmp_path / "out.tif")[0].tolist() == [[1, 1, 0, 0]]
    assert len(result.selected_codes) == 19


def test_codes_outside_the_table_get_their_own_rows(tmp_path):
    """numpy 2 (NEP 50) kept a -1 sentinel as uint16 and added a bogus row 8191."""
    classes = np.array([[1110, 1234, 1234, 9999, 0, 65535, 1110, 40000]], np.uint16)
    confidence = np.array([[90, 90, 10, 90, 253, 255, 20, 60]], np.uint8)
    request = CropMaskRequest(
        product="cty_ctycl",
        confidence=BandRef(write_raster(tmp_path / "c.tif", confidence)),
        classes=BandRef(write_raster(tmp_path / "k.tif", classes, nodata=65535)),
        class_codes=(1110,),
        min_confidence=50,
    )
    result = run_crop_mask(request, tmp_path / "out.tif")
    rows = {row.code: (row.pixels, row.kept, row.dropped_low_confidence) for row in result.classes}
    # The plain-numpy reference: per code present among valid pixels; drops and kept
    # pixels are counted for the selected class only.
    valid = classes != 65535
    expected = {}
    for code in np.unique(classes[valid]):
        in_class = valid & (classes == code)
        selected = code == 1110
        kept = in_class & (confidence >= 50) & (confidence <= 100) & selected
        low = in_class & (confidence < 50) & selected
        expected[int(code)] = (int(in_class.sum()), int(kept.sum()), int(low.sum()))
    assert rows == expected
    assert set(rows) == {0, 1110, 1234, 9999, 40000}


def test_oso_defaults_keep_annual_crops_only(tmp_path):
    classes = np.arange(0, 24, dtype=np.uint8).reshape(1, 24)
    confidence = np.full((1, 24), 80, np.uint8)
    request = CropMaskRequest(
        product="oso23",
        confidence=BandRef(write_raster(tmp_path / "c.tif", confidence, "EPSG:2154", L93_ORIGIN)),
        classes=BandRef(write_raster(tmp_path / "k.tif", classes, "EPSG:2154", L93_ORIGIN)),
    )
    run_crop_mask(request, tmp_path / "out.tif")
    expected = [255] + [1 if 5 <= code <= 12 else 0 for code in range(1, 24)]
    assert read_raster(tmp_path / "out.tif")[0].tolist() == [expected]


def test_bands_of_one_multiband_file(tmp_path):
    classes = np.array([[6, 6, 6, 13]], np.uint8)
    confidence = np.array([[70, 30, 70, 90]], np.uint8)
    validity = np.array([[20, 20, 3, 20]], np.uint8)
    path = write_raster(
        tmp_path / "oso.tif", [classes, confidence, validity], "EPSG:2154", L93_ORIGIN
    )
    request = CropMaskRequest(
        product="oso23",
        classes=BandRef(path, 1),
        confidence=BandRef(path, 2),
        validity=BandRef(path, 3),
        min_confidence=50,
        min_validity=5,
    )
    result = run_crop_mask(request, tmp_path / "out.tif")
    assert read_raster(tmp_path / "out.tif")[0].tolist() == [[1, 0, 0, 0]]
    rows = {row.code: row for row in result.classes}
    assert (rows[6].pixels, rows[6].kept) == (3, 1)
    assert (rows[6].dropped_low_confidence, rows[6].dropped_low_validity) == (1, 1)
    assert (rows[13].pixels, rows[13].kept, rows[13].selected) == (1, 0, False)


def test_aligned_rasters_with_different_extents_use_their_intersection(tmp_path):
    rng = np.random.default_rng(3)
    classes = rng.choice(np.array(CTY_CROPS + (0,), np.uint16), (60, 80))
    confidence = rng.integers(0, 101, (50, 50)).astype(np.uint8)
    # The confidence raster starts 5 rows and 20 columns into the class raster.
    class_path = write_raster(tmp_path / "k.tif", classes, origin=(3_800_000, 2_700_000))
    conf_path = write_raster(tmp_path / "c.tif", confidence, origin=(3_800_200, 2_699_950))
    request = CropMaskRequest("cty_ctycl", BandRef(conf_path), BandRef(class_path))
    result = run_crop_mask(request, tmp_path / "out.tif")
    out, profile = read_raster(tmp_path / "out.tif")
    assert out.shape == (50, 50)
    assert (profile["transform"].c, profile["transform"].f) == (3_800_200, 2_699_950)
    overlap = classes[5:55, 20:70]
    expected = np.where(np.isin(overlap, CTY_CROPS) & (confidence >= 50), 1, 0)
    np.testing.assert_array_equal(out, expected)
    assert result.total_pixels == 2500


def test_extent_clips_to_the_covering_grid_aligned_window(tmp_path):
    classes = np.full((100, 100), 1110, np.uint16)
    confidence = np.arange(100, dtype=np.uint8)[None, :].repeat(100, axis=0)
    class_path = write_raster(tmp_path / "k.tif", classes)
    conf_path = write_raster(tmp_path / "c.tif", confidence)
    x0, y0 = 3_800_000, 2_700_000
    # 10 m pixels: columns 10.5..20.2 -> 10..20 inclusive, rows 30.1..40.0 -> 30..39.
    bounds = (x0 + 105, y0 - 400, x0 + 202, y0 - 301)
    request = CropMaskRequest(
        "cty_ctycl", BandRef(conf_path), BandRef(class_path), min_confidence=15, bounds=bounds
    )
    run_crop_mask(request, tmp_path / "out.tif")
    out, profile = read_raster(tmp_path / "out.tif")
    assert out.shape == (10, 11)
    assert (profile["transform"].c, profile["transform"].f) == (x0 + 100, y0 - 300)
    assert out[0].tolist() == [0] * 5 + [1] * 6


def _pair(tmp_path, conf_kwargs=None, class_kwargs=None):
    classes = np.full((20, 20), 1110, np.uint16)
    confidence = np.full((20, 20), 80, np.uint8)
    class_path = write_raster(tmp_path / "k.tif", classes, **(class_kwargs or {}))
    conf_path = write_raster(tmp_path / "c.tif", confidence, **(conf_kwargs or {}))
    return class_path, conf_path


@pytest.mark.parametrize(
    ("conf_kwargs", "problem"),
    [
        ({"crs": "EPSG:32631", "origin": (500_000, 5_000_000)}, "CRS differ"),
        ({"pixel": 20.0}, "pixel sizes differ"),
        ({"origin": (3_800_005, 2_700_000)}, "not aligned"),
    ],
)
def test_grids_that_differ_are_refused_naming_both(tmp_path, conf_kwargs, problem):
    class_path, conf_path = _pair(tmp_path, conf_kwargs)
    request = CropMaskRequest("cty_ctycl", BandRef(conf_path), BandRef(class_path))
    with pytest.raises(CropMaskError, match=problem) as error:
        run_crop_mask(request, tmp_path / "out.tif")
    assert class_path in str(error.value) and conf_path in str(error.value)
    assert "EPSG:3035" in str(error.value)
    assert not (tmp_path / "out.tif").exists()


def test_wrong_class_type_for_the_product(tmp_path):
    class_path = write_raster(tmp_path / "k.tif", np.zeros((4, 4), np.float32))
    conf_path = write_raster(tmp_path / "c.tif", np.zeros((4, 4), np.uint8))
    request = CropMaskRequest("cty_ctycl", BandRef(conf_path), BandRef(class_path))
    with pytest.raises(CropMaskError, match=r"k\.tif.*float32.*uint16"):
        run_crop_mask(request, tmp_path / "out.tif")


def test_missing_band_corrupt_and_missing_files(tmp_path):
    class_path, conf_path = _pair(tmp_path)
    with pytest.raises(CropMaskError, match=r"has 1 band\(s\); band 3 does not exist"):
        run_crop_mask(
            CropMaskRequest("cty_ctycl", BandRef(conf_path, 3), BandRef(class_path)),
            tmp_path / "out.tif",
        )
    missing = str(tmp_path / "nope.tif")
    with pytest.raises(CropMaskError, match=f"'{missing}' does not exist"):
        run_crop_mask(
            CropMaskRequest("cty_ctycl", BandRef(missing), BandRef(class_path)),
            tmp_path / "out.tif",
        )
    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00" + b"\x13" * 200)
    with pytest.raises(CropMaskError, match="corrupt.tif.*complete raster file"):
        run_crop_mask(
            CropMaskRequest("cty_ctycl", BandRef(str(corrupt)), BandRef(class_path)),
            tmp_path / "out.tif",
        )
    assert not (tmp_path / "out.tif").exists()


def test_non_overlapping_extent(tmp_path):
    class_path, conf_path = _pair(tmp_path)
    request = CropMaskRequest(
        "cty_ctycl", BandRef(conf_path), BandRef(class_path), bounds=(0, 0, 10, 10)
    )
    with pytest.raises(CropMaskError, match="does not overlap the input rasters"):
        run_crop_mask(request, tmp_path / "out.tif")


def test_unknown_class_codes_list_the_valid_ones(tmp_path):
    class_path, conf_path = _pair(tmp_path)
    request = CropMaskRequest(
        "cty_ctycl", BandRef(conf_path), BandRef(class_path), class_codes=(1110, 42)
    )
    with pytest.raises(CropMaskError, match=r"Unknown class code\(s\) 42.*Valid codes: 1110, 1120"):
        run_crop_mask(request, tmp_path / "out.tif")


def test_output_folder_missing_or_not_writable(tmp_path):
    class_path, conf_path = _pair(tmp_path)
    request = CropMaskRequest("cty_ctycl", BandRef(conf_path), BandRef(class_path))
    with pytest.raises(CropMaskError, match="output folder '.*/absent' does not exist"):
        run_crop_mask(request, tmp_path / "absent" / "out.tif")
    # sysfs refuses new files, even to root (EACCES).
    with pytest.raises(
        CropMaskError, match="Cannot write in the output folder '/sys': Permission denied"
    ):
        run_crop_mask(request, "/sys/out.tif")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"COMPRESS": "FOO"}, "'FOO' is an unexpected value for COMPRESS"),
        ({"FOO": "1"}, "driver GTiff does not support creation option FOO"),
        ({"COMPRESS": "ZSTD", "ZSTD_LEVEL": "x"}, "'x' is an unexpected value for ZSTD_LEVEL"),
    ],
)
def test_creation_options_gdal_ignores_are_refused(tmp_path, options, message):
    class_path, conf_path = _pair(tmp_path)
    request = CropMaskRequest(
        "cty_ctycl", BandRef(conf_path), BandRef(class_path), creation_options=options
    )
    with pytest.raises(CropMaskError, match=f"refused creation options .*{message}.*Fix or remove"):
        run_crop_mask(request, tmp_path / "out.tif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.tif", "k.tif"]


def test_ctycl_only_refuses_class_codes(tmp_path):
    _, conf_path = _pair(tmp_path)
    request = CropMaskRequest("ctycl", BandRef(conf_path), class_codes=(1110,))
    with pytest.raises(CropMaskError, match="CLASSES: 'CTYCL only' has no class layer.*1110"):
        run_crop_mask(request, tmp_path / "out.tif")


def test_cancel_midway_leaves_no_file_and_keeps_an_older_output(tmp_path):
    rng = np.random.default_rng(5)
    classes = rng.choice(np.array(CTY_CROPS, np.uint16), (300, 300))
    confidence = rng.integers(0, 101, (300, 300)).astype(np.uint8)
    class_path = write_raster(tmp_path / "k.tif", classes, block=32)
    conf_path = write_raster(tmp_path / "c.tif", confidence, block=32)
    previous = tmp_path / "out.tif"
    previous.write_bytes(b"previous result")
    calls = []

    def cancel_after_three():
        calls.append(1)
        return len(calls) > 3

    request = CropMaskRequest(
        "cty_ctycl", BandRef(conf_path), BandRef(class_path), window_size=32, threads=2
    )
    with pytest.raises(CropMaskCancelled):
        run_crop_mask(request, previous, is_cancelled=cancel_after_three)
    assert previous.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.tif", "k.tif", "out.tif"]


def test_progress_reaches_one(tmp_path):
    class_path = write_raster(tmp_path / "k.tif", np.zeros((48, 48), np.uint16), block=16)
    conf_path = write_raster(tmp_path / "c.tif", np.zeros((48, 48), np.uint8), block=16)
    seen = []
    request = CropMaskRequest("cty_ctycl", BandRef(conf_path), BandRef(class_path), window_size=16)
    run_crop_mask(request, tmp_path / "out.tif", progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 9


def test_striped_inputs_are_read_in_bounded_windows_of_whole_strips():
    from crop_confidence.plugin.raster.grid import block_windows, window_steps

    # A national-scale striped raster: 1-row strips, 110 000 columns.
    steps = window_steps((1, 110_000), 1024, 110_000)
    assert steps == (9, 110_000)
    windows = list(block_windows(20, 110_000, steps))
    assert [w[2] for w in windows] == [9, 9, 2]
    # Tiles are grouped by whole blocks in both directions.
    assert window_steps((512, 512), 1024, 10_000) == (1024, 1024)
    assert window_steps((512, 512), 100, 10_000) == (512, 512)


def test_creation_options_override_the_default_codec(tmp_path):
    class_path, conf_path = _pair(tmp_path)
    request = CropMaskRequest(
        "cty_ctycl",
        BandRef(conf_path),
        BandRef(class_path),
        creation_options={"COMPRESS": "DEFLATE", "ZLEVEL": "9"},
    )
    run_crop_mask(request, tmp_path / "out.tif")
    with rasterio.open(tmp_path / "out.tif") as dataset:
        assert dataset.compression.name.upper() == "DEFLATE"


def test_ctycl_only_refuses_a_class_map(tmp_path):
    _, conf_path = _pair(tmp_path)
    request = CropMaskRequest("ctycl", BandRef(conf_path), output_mode="classes")
    with pytest.raises(CropMaskError, match="cannot write a filtered class map"):
        run_crop_mask(request, tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()


def test_products_that_need_a_class_layer_say_so(tmp_path):
    _, conf_path = _pair(tmp_path)
    with pytest.raises(CropMaskError, match="'OSO 2018\\+ \\(23 classes\\)' needs a class layer"):
        run_crop_mask(CropMaskRequest("oso23", BandRef(conf_path)), tmp_path / "out.tif")


MEMORY_CHILD = """
import sys
from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask


def peak_kb():  # this process image's peak RSS (ru_maxrss would count the parent's)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


folder, class_counts = sys.argv[1], sys.argv[2] == "table"
request = CropMaskRequest(
    product="cty_ctycl", classes=BandRef(folder + "/cty.tif"),
    confidence=BandRef(folder + "/ctycl.tif"), class_counts=class_counts, threads=2,
)
before = peak_kb()
result = run_crop_mask(request, folder + "/mask.tif")
print(peak_kb() - before, result.kept_pixels)
"""


def _tiled_pair(folder, side):
    """A CTY + CTYCL pair of side x side px in 512-px tiles, from one 64-px motif; kept pixels."""
    rng = np.random.default_rng(3)
    cty_motif = rng.choice(np.array(CTY_CROPS[:5] + (0, 65535), np.uint16), (64, 64))
    ctycl_motif = rng.choice(CTYCL_VALUES, (64, 64)).astype(np.uint8)
    reps = (side // 64, side // 64)
    folder.mkdir()
    for name, motif in (("cty", cty_motif), ("ctycl", ctycl_motif)):
        write_raster(folder / f"{name}.tif", np.tile(motif, reps), block=512)
    kept = np.isin(cty_motif, CTY_CROPS[:5]) & (ctycl_motif >= 50) & (ctycl_motif <= 100)
    return int(kept.sum()) * reps[0] * reps[1]


@pytest.mark.slow
@pytest.mark.parametrize("counts", ["table", "totals"])
def test_peak_memory_does_not_grow_with_the_raster_size(tmp_path, counts):
    """Four times the pixels (144 MB more input, a 48 MB larger mask) add almost no peak memory."""
    env = dict(os.environ, PYTHONPATH=str(Path(crop_confidence.__path__[0]).parent))
    growth = {}
    for side in (4096, 8192):
        folder = tmp_path / str(side)
        kept = _tiled_pair(folder, side)
        run = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(folder), counts],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        growth_kb, child_kept = map(int, run.stdout.split())
        assert child_kept == kept
        growth[side] = growth_kb / 1024
    assert growth[8192] - growth[4096] < 16, growth


def test_output_metadata_is_written_before_the_file_appears(tmp_path):
    classes = np.full((40, 30), 1110, np.uint16)
    confidence = np.full((40, 30), 80, np.uint8)
    request = CropMaskRequest(
        product="cty_ctycl",
        classes=BandRef(write_raster(tmp_path / "cty.tif", classes)),
        confidence=BandRef(write_raster(tmp_path / "ctycl.tif", confidence)),
        tags={"CROPCONFIDENCE_PRODUCT": "cty_ctycl", "NOTE": "a b"},
    )
    run_crop_mask(request, tmp_path / "out.tif")
    with rasterio.open(tmp_path / "out.tif") as out:
        tags = out.tags()
        assert (tags["CROPCONFIDENCE_PRODUCT"], tags["NOTE"]) == ("cty_ctycl", "a b")
        assert np.array_equal(out.read(1), np.ones((40, 30), np.uint8))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cty.tif", "ctycl.tif", "out.tif"]
