"""AOI clipping through HTTP range requests (plugin/sources/clip.py), against loopback servers.

The main tile is a CTYCL-like COG of the real size (10000 x 10000 px, EPSG:3035, 10 m, DEFLATE,
512 px tiles), generated once per session; mosaic tests use smaller tiles (2048 px).
"""

import gc
import logging
import math
import os

import numpy as np
import pytest
import rasterio
from affine import Affine
from osgeo import gdal, osr
from rasterio.warp import transform as transform_points
from rasterio.windows import Window

from crop_confidence.plugin.domain.errors import CropMaskCancelled, CropMaskError
from crop_confidence.plugin.sources.clip import (
    ClipAuthError,
    ClipCancelled,
    ClipError,
    RangesNotSupported,
    clip_to_area,
    local_path,
)
from crop_confidence.plugin.sources.cog.probe import HeaderAuth, probe_with_auth
from crop_confidence.plugin.sources.cog.source import SourceAddress as _Source
from rasters import gdal_exception_mode
from servers.range_host import PROXY_VIA, ForwardProxy, RangeHost

TILE = "/CLMS/CTYCL/2021/CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
TOKEN = "tok-SECRET-9f8e7d6c5b4a"
BIG = 10_000
SMALL = 2048
X0, Y0 = 3_800_000, 2_700_000
# A 10 x 10 km area, not on pixel boundaries: snapped outward to 3812000..3822000 x
# 2657000..2667000, i.e. rows 3300..4300 and columns 1200..2200 of the tile.
AREA = (3_812_003.0, 2_657_004.5, 3_821_997.0, 2_666_999.9)
AREA_WINDOW = Window(1200, 3300, 1000, 1000)
AREA_TRANSFORM = Affine(10.0, 0.0, 3_812_000.0, 0.0, -10.0, 2_667_000.0)


def write_cog(path, bands, origin, nodata, epsg=3035, pixel=10.0, descriptions=None):
    bands = [bands] if isinstance(bands, np.ndarray) else list(bands)
    height, width = bands[0].shape
    gdal_type = {np.dtype("uint8"): gdal.GDT_Byte, np.dtype("uint16"): gdal.GDT_UInt16}[
        bands[0].dtype
    ]
    memory = gdal.GetDriverByName("MEM").Create("", width, height, len(bands), gdal_type)
    memory.SetGeoTransform((origin[0], pixel, 0, origin[1], 0, -pixel))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    memory.SetProjection(srs.ExportToWkt())
    for index, array in enumerate(bands, start=1):
        band = memory.GetRasterBand(index)
        band.WriteArray(array)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        if descriptions:
            band.SetDescription(descriptions[index - 1])
    options = ["COMPRESS=DEFLATE", "BLOCKSIZE=512", "NUM_THREADS=ALL_CPUS"]
    gdal.Translate(str(path), memory, format="COG", creationOptions=options)
    return path


def ctycl_like(size, seed):
    """Parcels of 400 m with a confidence 40..100 and per-pixel noise, 30 % non-cropland (253),
    a strip outside the area (255)."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(40, 101, size=(size // 40 + 1, size // 40 + 1), dtype=np.uint8)
    cells[rng.random(cells.shape) < 0.3] = 253
    array = np.repeat(np.repeat(cells, 40, axis=0), 40, axis=1)[:size, :size]
    noise = rng.integers(0, 4, size=(size, size), dtype=np.uint8)
    array = np.where(array <= 100, array - noise, array).astype(np.uint8)
    array[:, :300] = 255
    return array


def cty_like(size, seed):
    rng = np.random.default_rng(seed)
    codes = np.array([0, 1110, 1120, 1130, 1310, 2100, 3100, 65535], dtype=np.uint16)
    cells = codes[rng.integers(0, len(codes), size=(size // 32 + 1, size // 32 + 1))]
    return np.repeat(np.repeat(cells, 32, axis=0), 32, axis=1)[:size, :size].copy()


@pytest.fixture(scope="session")
def big_tile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    path = write_cog(
        folder / "tile.tif", ctycl_like(BIG, seed=1), (X0, Y0), 255, descriptions=["confidence"]
    )
    return path


@pytest.fixture(scope="session")
def small_tiles(tmp_path_factory):
    """Tiles of 2048 px: A at (X0, Y0), B below-right of A, C right of A, and bad ones."""
    folder = tmp_path_factory.mktemp("small")
    step = SMALL * 10
    arrays = {name: cty_like(SMALL, seed) for seed, name in enumerate("ABC")}
    origins = {"A": (X0, Y0), "B": (X0 + step, Y0 - step), "C": (X0 + step, Y0)}
    tiles = {}
    for name, array in arrays.items():
        tiles[name] = (write_cog(folder / f"{name}.tif", array, origins[name], 65535), array)
    shifted = write_cog(folder / "shifted.tif", arrays["C"], (X0 + step + 5, Y0), 65535)
    coarse = write_cog(folder / "coarse.tif", arrays["C"], (X0 + step, Y0), 65535, pixel=20.0)
    utm = write_cog(folder / "utm.tif", arrays["C"], (X0 + step, Y0), 65535, epsg=32631)
    tiles.update(shifted=(shifted, None), coarse=(coarse, None), utm=(utm, None))
    return tiles


@pytest.fixture()
def host(big_tile, small_tiles):
    files = {TILE: big_tile}
    files.update({f"/tiles/{name}.tif": path for name, (path, _) in small_tiles.items()})
    with RangeHost(files) as server:
        yield server


def read_window(path, window):
    with rasterio.open(path) as dataset:
        return dataset.read(1, window=window)


def assert_is_area(path, big_tile):
    """``path`` holds exactly the AREA window of the big tile, on its grid."""
    with rasterio.open(path) as dataset:
        assert dataset.transform == AREA_TRANSFORM
        clipped = dataset.read(1)
    np.testing.assert_array_equal(clipped, read_window(big_tile, AREA_WINDOW))


def open_datasets():
    """GDAL datasets alive in Python (a failed clip must not keep any open)."""
    gc.collect()
    return sum(isinstance(thing, gdal.Dataset) for thing in gc.get_objects())


def leftovers(folder):
    return sorted(os.listdir(folder))


class Tokens:
    """A token provider like plugin.net.auth's: headers(), invalidate()."""

    def __init__(self, *tokens):
        self.tokens = list(tokens)
        self.invalidated = 0

    def headers(self):
        return {"Authorization": f"Bearer {self.tokens[0]}"}

    def invalidate(self):
        self.invalidated += 1
        if len(self.tokens) > 1:
            self.tokens.pop(0)


# -- the main path: one COG tile -------------------------------------------------------------


def test_clip_reads_only_the_area_windows(host, big_tile, tmp_path):
    out = tmp_path / "CTYCL_2021.tif"
    fractions = []

    result = clip_to_area(host.url(TILE), AREA, "EPSG:3035", out, progress=fractions.append)

    assert result.path == out and out.is_file()
    with rasterio.open(out) as dataset:
        assert dataset.transform == AREA_TRANSFORM
        assert (dataset.width, dataset.height) == (1000, 1000)
        assert dataset.crs.to_epsg() == 3035
        assert dataset.dtypes == ("uint8",)
        assert dataset.nodata == 255
        assert dataset.descriptions == ("confidence",)
        assert dataset.overviews(1) == [2]
        clipped = dataset.read(1)
    expected = read_window(big_tile, AREA_WINDOW)
    np.testing.assert_array_equal(clipped, expected)
    assert np.count_nonzero(expected == 253) > 0  # the window holds every kind of pixel
    info = gdal.Info(str(out), format="json")
    assert info["metadata"]["IMAGE_STRUCTURE"]["LAYOUT"] == "COG"
    assert info["metadata"]["IMAGE_STRUCTURE"]["COMPRESSION"] == "DEFLATE"
    assert (result.grid.transform, result.grid.width, result.grid.height) == (
        AREA_TRANSFORM,
        1000,
        1000,
    )

    size = host.size(TILE)
    assert size > 30_000_000
    assert host.bytes_sent < 0.05 * size
    # GDAL's network statistics and the probe count response bodies: the same bytes the
    # server wrote, to the byte (status lines and headers are not included).
    assert result.bytes_transferred == host.bytes_sent
    assert 3 <= result.requests <= host.count()
    assert host.count("GET", status=200) == 0  # every GET was a range request
    assert all(served.range for served in host.requests if served.method == "GET")
    assert fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert leftovers(tmp_path) == ["CTYCL_2021.tif"]


def test_larger_area_fetches_each_tile_once(host, big_tile, tmp_path):
    """30 x 30 km, read in many windows: the bytes sent are the needed COG tiles (their sizes
    from the file's own index) plus headers, with no byte range fetched twice."""
    area = (X0 + 12_345, Y0 - 67_655, X0 + 42_345, Y0 - 37_655)  # columns 1234.., rows 3765..

    result = clip_to_area(host.url(TILE), area, "EPSG:3035", tmp_path / "o.tif")

    assert (result.grid.width, result.grid.height) == (3001, 3001)
    np.testing.assert_array_equal(
        read_window(result.path, None), read_window(big_tile, Window(1234, 3765, 3001, 3001))
    )
    dataset = gdal.Open(str(big_tile))  # kept: a band outliving its dataset crashes GDAL
    band = dataset.GetRasterBand(1)
    needed = sum(
        int(band.GetMetadataItem(f"BLOCK_SIZE_{col}_{row}", "TIFF"))
        for col in range(1234 // 512, (1234 + 3001) // 512 + 1)
        for row in range(3765 // 512, (3765 + 3001) // 512 + 1)
    )
    assert needed < host.bytes_sent < 1.02 * needed + 50_000
    spans = sorted(
        tuple(int(end) for end in served.range.partition("=")[2].split("-"))
        for served in host.requests
        if served.method == "GET"
    )
    refetched = sum(max(0, previous[1] - span[0] + 1) for previous, span in zip(spans, spans[1:]))
    assert refetched < 1_000  # GDAL's ranges may overlap by a few bytes, never by tiles


def test_area_in_lon_lat_is_snapped_outward_on_the_product_grid(host, big_tile, tmp_path):
    lon_lat = (3.77, 46.74, 3.89, 46.83)  # about 9 x 10 km inside E38N26

    result = clip_to_area(host.url(TILE), lon_lat, "EPSG:4326", tmp_path / "out.tif")

    # Independent expectation: the densified outline of the box in EPSG:3035, snapped outward.
    edge = np.linspace(0.0, 1.0, 401)
    west, south, east, north = lon_lat
    lons = np.concatenate([west + (east - west) * edge, np.full(401, east),
                           east - (east - west) * edge, np.full(401, west)])  # fmt: skip
    lats = np.concatenate([np.full(401, south), south + (north - south) * edge,
                           np.full(401, north), north - (north - south) * edge])  # fmt: skip
    xs, ys = transform_points("EPSG:4326", "EPSG:3035", lons, lats)
    col0, col1 = math.floor((min(xs) - X0) / 10), math.ceil((max(xs) - X0) / 10)
    row0, row1 = math.floor((Y0 - max(ys)) / 10), math.ceil((Y0 - min(ys)) / 10)
    assert 800 < col1 - col0 < 1200 and 800 < row1 - row0 < 1200
    with rasterio.open(result.path) as dataset:
        assert dataset.transform == Affine(10.0, 0.0, X0 + col0 * 10, 0.0, -10.0, Y0 - row0 * 10)
        assert (dataset.width, dataset.height) == (col1 - col0, row1 - row0)
        clipped = dataset.read(1)
    window = Window(col0, row0, col1 - col0, row1 - row0)
    np.testing.assert_array_equal(clipped, read_window(big_tile, window))
    assert host.bytes_sent < 0.05 * host.size(TILE)


def test_local_multiband_source_and_band_names(tmp_path):
    rng = np.random.default_rng(5)
    bands = [rng.integers(0, 250, size=(1024, 1024), dtype=np.uint8) for _ in range(3)]
    source = write_cog(tmp_path / "oso.tif", bands, (570_000.0, 6_280_000.0), 0, epsg=2154)
    out = tmp_path / "out.tif"

    result = clip_to_area(
        str(source),
        (571_000.0, 6_272_000.0, 575_000.0, 6_276_000.0),
        "EPSG:2154",
        out,
        band_names=["OCS", "OCS_Confidence", "OCS_Validity"],
    )

    assert result.bytes_transferred == 0 and result.requests == 0
    with rasterio.open(out) as dataset:
        assert dataset.descriptions == ("OCS", "OCS_Confidence", "OCS_Validity")
        assert dataset.transform == Affine(10.0, 0.0, 571_000.0, 0.0, -10.0, 6_276_000.0)
        assert dataset.nodata == 0
        clipped = dataset.read()
    for index, band in enumerate(bands):
        np.testing.assert_array_equal(clipped[index], band[400:800, 100:500])


def test_local_source_given_as_a_file_uri(tmp_path):
    folder = tmp_path / "CLMS 2021"  # the URI holds it as CLMS%202021
    folder.mkdir()
    array = cty_like(1024, seed=7)
    source = write_cog(folder / "CTY.tif", array, (X0, Y0), 65535)

    result = clip_to_area(
        source.as_uri(), (X0 + 1000, Y0 - 3000, X0 + 3000, Y0 - 1000), "EPSG:3035",
        tmp_path / "o.tif",
    )  # fmt: skip

    np.testing.assert_array_equal(read_window(result.path, None), array[100:300, 100:300])
    assert result.bytes_transferred == 0


def test_a_clip_sweeps_what_a_killed_clip_left(tmp_path):
    """A clip killed mid-run leaves its hidden temporary files; the next clip into the same
    folder removes them (their writer no longer runs), and leaves a running writer's alone."""
    import subprocess

    from crop_confidence.plugin.raster.temporary import temporary_name

    source = write_cog(tmp_path / "CTY.tif", cty_like(1024, seed=7), (X0, Y0), 65535)
    out = tmp_path / "out"
    out.mkdir()
    dead_pid = subprocess.Popen(["true"])  # a child that has exited: its pid runs nothing
    dead_pid.wait()
    ours = os.getpid()
    left = [temporary_name("o.tif"), temporary_name("o.tif", ".part.tif")]
    left = [name.replace(f".p{ours}h", f".p{dead_pid.pid}h") for name in left]
    running = temporary_name("other.tif")  # this process's own: kept
    for name in [*left, running]:
        (out / name).write_bytes(b"partial")

    clip_to_area(source, (X0 + 1000, Y0 - 3000, X0 + 3000, Y0 - 1000), "EPSG:3035", out / "o.tif")

    assert sorted(os.listdir(out)) == sorted([running, "o.tif"])


@pytest.mark.parametrize(
    ("address", "kind", "gdal_path"),
    [
        (r"C:\data\OSO_2021.tif", "local", r"C:\data\OSO_2021.tif"),
        ("C:/data/OSO_2021.tif", "local", "C:/data/OSO_2021.tif"),
        ("C://data/OSO_2021.tif", "local", "C://data/OSO_2021.tif"),
        ("d:\\OSO_2021.tif", "local", "d:\\OSO_2021.tif"),
        ("file:///C:/My%20Data/OSO_2021.tif", "local", "C:/My Data/OSO_2021.tif"),
        ("file:/C:/data/OSO_2021.tif", "local", "C:/data/OSO_2021.tif"),
        ("file://localhost/C:/data/OSO_2021.tif", "local", "C:/data/OSO_2021.tif"),
        ("file://C:/data/OSO_2021.tif", "local", "C:/data/OSO_2021.tif"),
        ("file://nas/share/OSO_2021.tif", "local", "//nas/share/OSO_2021.tif"),
        (r"\\nas\share\OSO_2021.tif", "local", r"\\nas\share\OSO_2021.tif"),
        ("FILE:///srv/OSO%202021.tif", "local", "/srv/OSO 2021.tif"),
        ("/srv/OSO_2021.tif", "local", "/srv/OSO_2021.tif"),
        ("data/OSO_2021.tif", "local", "data/OSO_2021.tif"),
        ("/vsizip//srv/oso.zip/OSO_2021.tif", "local", "/vsizip//srv/oso.zip/OSO_2021.tif"),
        (
            "https://files.example.org/OSO_2021.tif?sig=1",
            "http",
            "/vsicurl/https://files.example.org/OSO_2021.tif?sig=1",
        ),
        ("s3://eodata/CLMS/OSO_2021.tif", "s3", "/vsis3/eodata/CLMS/OSO_2021.tif"),
    ],
)
def test_addresses_are_read_as_local_files_or_urls(address, kind, gdal_path):
    """Windows drive paths and file: URIs are files, not URLs with a one-letter scheme."""
    source = _Source(address)
    assert (source.kind, source.gdal_path) == (kind, gdal_path)
    assert local_path(address) == (gdal_path if kind == "local" else None)


def test_unsupported_address_scheme_is_a_clear_error(tmp_path):
    assert local_path("ftp://files.example.org/a.tif") is None
    with pytest.raises(ClipError, match="unsupported address scheme"):
        clip_to_area("ftp://files.example.org/a.tif", AREA, "EPSG:3035", tmp_path / "o.tif")


# -- mosaics ---------------------------------------------------------------------------------


def test_area_across_two_side_by_side_tiles_gives_one_mosaic(host, small_tiles, tmp_path):
    (_, a), (_, c) = small_tiles["A"], small_tiles["C"]
    sources = [host.url("/tiles/A.tif"), host.url("/tiles/C.tif")]
    area = (X0 + 15_000, Y0 - 10_000, X0 + 25_000, Y0)  # columns 1500..2500 of A + C

    result = clip_to_area(sources, area, "EPSG:3035", tmp_path / "cty.tif")

    expected = np.concatenate([a[:1000, 1500:], c[:1000, : 2500 - SMALL]], axis=1)
    with rasterio.open(result.path) as dataset:
        assert dataset.transform == Affine(10.0, 0.0, X0 + 15_000, 0.0, -10.0, Y0)
        assert dataset.dtypes == ("uint16",) and dataset.nodata == 65535
        np.testing.assert_array_equal(dataset.read(1), expected)
    assert leftovers(tmp_path) == ["cty.tif"]


def test_mosaic_fills_pixels_no_tile_covers_with_nodata(host, small_tiles, tmp_path):
    (_, a), (_, b) = small_tiles["A"], small_tiles["B"]
    corner = SMALL * 10  # A's bottom-right corner is B's top-left corner
    area = (X0 + corner - 5_000, Y0 - corner - 5_000, X0 + corner + 5_000, Y0 - corner + 5_000)
    sources = [host.url("/tiles/A.tif"), host.url("/tiles/B.tif")]

    result = clip_to_area(sources, area, "EPSG:3035", tmp_path / "cty.tif")

    expected = np.full((1000, 1000), 65535, np.uint16)
    expected[:500, :500] = a[SMALL - 500 :, SMALL - 500 :]
    expected[500:, 500:] = b[:500, :500]
    with rasterio.open(result.path) as dataset:
        assert dataset.transform == Affine(
            10.0, 0.0, X0 + corner - 5_000, 0.0, -10.0, Y0 - corner + 5_000
        )
        clipped = dataset.read(1)
    np.testing.assert_array_equal(clipped, expected)
    assert np.all(clipped[:500, 500:] == 65535) and np.all(clipped[500:, :500] == 65535)


def test_whole_area_is_kept_when_asked_with_nodata_beyond_the_tile(host, big_tile, tmp_path):
    # Over the tile's bottom-right corner: 300 x 300 px inside, the rest outside.
    area = (X0 + 97_000, Y0 - 101_000, X0 + 102_000, Y0 - 97_000)

    clipped = clip_to_area(host.url(TILE), area, "EPSG:3035", tmp_path / "a.tif")
    whole = clip_to_area(
        host.url(TILE), area, "EPSG:3035", tmp_path / "b.tif", clip_to_sources=False
    )

    inside = read_window(big_tile, Window(9700, 9700, 300, 300))
    assert np.count_nonzero(inside != 255) > 80_000
    assert (clipped.grid.width, clipped.grid.height) == (300, 300)
    np.testing.assert_array_equal(read_window(clipped.path, None), inside)
    assert whole.grid.transform == Affine(10.0, 0.0, X0 + 97_000, 0.0, -10.0, Y0 - 97_000)
    expected = np.full((400, 500), 255, np.uint8)
    expected[:300, :300] = inside
    np.testing.assert_array_equal(read_window(whole.path, None), expected)


def test_sources_without_nodata_get_a_fill_value_where_uncovered(tmp_path):
    rng = np.random.default_rng(9)
    a = rng.integers(0, 200, size=(600, 600), dtype=np.uint8)
    b = rng.integers(0, 200, size=(600, 600), dtype=np.uint8)
    first = write_cog(tmp_path / "a.tif", a, (X0, Y0), None)
    second = write_cog(tmp_path / "b.tif", b, (X0 + 6000, Y0 - 6000), None)

    result = clip_to_area(
        [str(first), str(second)], (X0 + 5000, Y0 - 7000, X0 + 7000, Y0 - 5000), 3035,
        tmp_path / "out.tif",
    )  # fmt: skip

    with rasterio.open(result.path) as dataset:
        assert dataset.nodata == 255
        clipped = dataset.read(1)
    expected = np.full((200, 200), 255, np.uint8)
    expected[:100, :100] = a[500:, 500:]
    expected[100:, 100:] = b[:100, :100]
    np.testing.assert_array_equal(clipped, expected)


def test_overlapping_sources_first_valid_pixel_wins(tmp_path):
    """Where sources overlap, a pixel the first leaves as nodata comes from the next one."""
    first = np.full((512, 512), 7, np.uint16)
    first[100:200, 300:400] = 65535  # a hole inside the overlap
    second = np.full((512, 512), 9, np.uint16)
    a = write_cog(tmp_path / "a.tif", first, (X0, Y0), 65535)
    b = write_cog(tmp_path / "b.tif", second, (X0 + 2560, Y0), 65535)  # overlaps columns 256..

    result = clip_to_area(
        [str(a), str(b)], (X0, Y0 - 5120, X0 + 7680, Y0), "EPSG:3035", tmp_path / "o.tif"
    )

    expected = np.full((512, 768), 9, np.uint16)
    expected[:, :512] = first
    expected[100:200, 300:400] = 9
    np.testing.assert_array_equal(read_window(result.path, None), expected)


# -- authentication and secrets --------------------------------------------------------------


def test_bearer_token_is_sent_and_never_leaks(host, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    host.token = TOKEN
    out = tmp_path / "out.tif"

    result = clip_to_area(
        host.url(TILE), AREA, "EPSG:3035", out, headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert host.count(status=401) == 0
    assert all(served.headers.get("Authorization") == f"Bearer {TOKEN}" for served in host.requests)
    assert TOKEN.encode() not in out.read_bytes()
    assert TOKEN not in repr(result)
    assert TOKEN not in caplog.text
    assert TOKEN not in gdal.Info(str(out))
    # The header only lived in this thread's configuration, during the call.
    assert gdal.GetThreadLocalConfigOption("GDAL_HTTP_HEADERS", None) is None
    assert gdal.GetConfigOption("GDAL_HTTP_HEADERS") is None


def test_refused_token_without_provider_is_a_clear_error(host, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    host.token = "the-server-wants-another"
    out = tmp_path / "out.tif"

    with pytest.raises(ClipAuthError) as caught:
        clip_to_area(host.url(TILE), AREA, "EPSG:3035", out, headers={"Authorization": TOKEN})

    assert caught.value.status == 401 and "HTTP 401" in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("exceptions", [False, True], ids=["gdal-codes", "gdal-exceptions"])
def test_token_expiring_mid_read_fails_cleanly_without_leaking(host, tmp_path, caplog, exceptions):
    """The server stops accepting the token after the first block: GDAL's read fails; the
    error carries GDAL's words, without the token or the URL's query (a signature)."""
    caplog.set_level(logging.DEBUG)
    host.token = TOKEN
    url = host.url(TILE) + "?sig=SIGNATURE-SECRET"

    def expire(_fraction):
        host.token = "rotated"

    datasets = open_datasets()
    with gdal_exception_mode(exceptions), pytest.raises(ClipError) as caught:
        clip_to_area(
            url, AREA, "EPSG:3035", tmp_path / "out.tif",
            headers={"Authorization": f"Bearer {TOKEN}"}, progress=expire,
        )  # fmt: skip

    message = str(caught.value)
    assert isinstance(caught.value, ClipAuthError) and caught.value.status == 401
    assert "HTTP 401" in message and "TIFFReadEncodedTile" in message  # GDAL's words
    for secret in (TOKEN, "SIGNATURE-SECRET"):
        assert secret not in message and secret not in caplog.text
    assert "?…" in message
    assert leftovers(tmp_path) == []
    assert open_datasets() == datasets  # the staging file and the sources were closed
    assert gdal.GetThreadLocalConfigOption("GDAL_HTTP_HEADERS", None) is None


def test_expired_token_is_renewed_once_before_reading(host, big_tile, tmp_path):
    host.token = "fresh"
    tokens = Tokens("expired", "fresh")

    result = clip_to_area(
        host.url(TILE), AREA, "EPSG:3035", tmp_path / "o.tif", token_provider=tokens
    )

    assert tokens.invalidated == 1
    assert host.count(status=401) == 1
    assert_is_area(result.path, big_tile)


@pytest.mark.parametrize("exceptions", [False, True], ids=["gdal-codes", "gdal-exceptions"])
def test_token_expiring_mid_read_is_renewed_and_the_read_retried(
    host, big_tile, tmp_path, exceptions
):
    host.token = "first"
    tokens = Tokens("first", "second")
    rotations = []

    def rotate(_fraction):
        if not rotations:
            rotations.append(True)
            host.token = "second"

    with gdal_exception_mode(exceptions):
        result = clip_to_area(
            host.url(TILE), AREA, "EPSG:3035", tmp_path / "o.tif",
            headers_provider=tokens, progress=rotate,
        )  # fmt: skip

    assert tokens.invalidated == 1
    assert host.count(status=401) >= 1  # GDAL's refused read, then the probe
    assert_is_area(result.path, big_tile)
    assert result.bytes_transferred == host.bytes_sent


def test_provider_rotating_its_token_between_blocks_is_followed(host, big_tile, tmp_path):
    """A provider that renews its token before expiry: the next blocks use the new token."""
    host.token = "one"

    def headers():
        return {"Authorization": f"Bearer {host.token}"}

    def rotate(_fraction):
        host.token = "two"  # the server and the provider move on together

    result = clip_to_area(
        host.url(TILE), AREA, "EPSG:3035", tmp_path / "o.tif", headers_provider=headers,
        progress=rotate,
    )  # fmt: skip

    assert host.count(status=401) == 0
    assert {served.headers["Authorization"] for served in host.requests} == {
        "Bearer one",
        "Bearer two",
    }
    assert_is_area(result.path, big_tile)


def test_trusted_redirect_is_followed_with_the_token(host, big_tile, tmp_path):
    host.token = TOKEN
    host.redirects["/odata/Products(1)/$value"] = host.url(TILE)

    result = clip_to_area(
        host.url("/odata/Products(1)/$value"), AREA, "EPSG:3035", tmp_path / "o.tif",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip

    assert host.count(status=401) == 0
    assert_is_area(result.path, big_tile)
    # GDAL reads the redirect target directly.
    assert sum(served.path == "/odata/Products(1)/$value" for served in host.requests) == 1


def test_redirect_to_another_host_never_gets_the_token(big_tile, tmp_path):
    with RangeHost({TILE: big_tile}) as storage, RangeHost() as front:
        front.token = TOKEN
        front.redirects["/product"] = storage.url(TILE)

        result = clip_to_area(
            front.url("/product"), AREA, "EPSG:3035", tmp_path / "o.tif",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )  # fmt: skip

        assert storage.count() >= 3  # the probe, then GDAL after its own redirect
        assert all("Authorization" not in served.headers for served in storage.requests)
        assert result.bytes_transferred == storage.bytes_sent + front.bytes_sent
    assert_is_area(result.path, big_tile)


def test_sources_on_two_hosts_do_not_share_credentials(big_tile, tmp_path):
    with RangeHost({TILE: big_tile}) as one, RangeHost({TILE: big_tile}) as two:
        with pytest.raises(ClipError, match="another host"):
            clip_to_area(
                [one.url(TILE), two.url(TILE)], AREA, "EPSG:3035", tmp_path / "o.tif",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )  # fmt: skip
        assert two.count() == 0  # refused before any request: the token never went there
    with pytest.raises(ClipError, match="mix HTTP"):
        clip_to_area(
            ["http://127.0.0.1:9/x.tif", "s3://eodata/x.tif"], AREA, "EPSG:3035",
            tmp_path / "o.tif", s3_credentials={"access_key": "a", "secret_key": "b"},
        )  # fmt: skip
    assert leftovers(tmp_path) == []


def test_s3_source_is_read_with_the_users_keys(big_tile, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    key = "/eodata/CLMS/landcover_landuse/crop_types/ctycl/2021/01/01/E38N26/tile.tif"

    def signed_with_our_key(headers):
        return headers.get("Authorization", "").startswith(
            "AWS4-HMAC-SHA256 Credential=AKIDCROPTEST/"
        )

    with RangeHost({key: big_tile}, auth_check=signed_with_our_key) as s3:
        credentials = {
            "access_key": "AKIDCROPTEST",
            "secret_key": "s3-SECRET-key-123",
            "endpoint": s3.address,
            "https": False,
        }
        result = clip_to_area(
            "s3:/" + key, AREA, "EPSG:3035", tmp_path / "o.tif", s3_credentials=credentials
        )
        assert s3.count(status=403) == 0 and s3.count() >= 2
        assert all(served.path == key for served in s3.requests)  # path-style addressing
        assert s3.bytes_sent < 0.05 * s3.size(key)
        assert result.bytes_transferred == s3.bytes_sent

        with pytest.raises(ClipError) as caught:
            clip_to_area(
                "s3:/" + key, AREA, "EPSG:3035", tmp_path / "x.tif",
                s3_credentials={**credentials, "access_key": "AKIDOTHER"},
            )  # fmt: skip
    assert_is_area(result.path, big_tile)
    assert "s3-SECRET-key-123" not in str(caught.value) + caplog.text
    assert gdal.GetThreadLocalConfigOption("AWS_SECRET_ACCESS_KEY", None) is None
    assert not (tmp_path / "x.tif").exists()


def test_s3_source_without_keys_is_refused(tmp_path):
    with pytest.raises(ClipError, match="S3 keys"):
        clip_to_area("s3://eodata/a/b.tif", AREA, "EPSG:3035", tmp_path / "o.tif")


# -- through a proxy -------------------------------------------------------------------------


def test_range_reads_travel_through_the_proxy(host, big_tile, tmp_path):
    """The proxy given as the QGIS settings give it (plugin.qgis.proxy: one address for
    http and https, percent-encoded credentials) carries the probe and GDAL's range reads."""
    with ForwardProxy(credentials=("bob", "p@ss:word")) as proxy:
        address = proxy.proxy_url("bob", "p@ss:word")
        direct = clip_to_area(host.url(TILE), AREA, "EPSG:3035", tmp_path / "direct.tif")
        assert proxy.forwarded == [] and proxy.refused == []
        assert host.count() >= 2 and not any("Via" in s.headers for s in host.requests)
        host.reset_counts()

        result = clip_to_area(
            host.url(TILE), AREA, "EPSG:3035", tmp_path / "proxied.tif",
            proxies={"http": address, "https": address},
        )  # fmt: skip

    assert_is_area(result.path, big_tile)
    assert_is_area(direct.path, big_tile)
    assert proxy.refused == []  # the credentials were given
    reads = [f for f in proxy.forwarded if f.method == "GET" and f.status == 206]
    assert all(f.url == host.url(TILE) and f.range.startswith("bytes=") for f in reads)
    assert len(reads) >= 3  # the probe, the COG header, the area's tiles
    # Every request the file server got came through the proxy: none went around it.
    assert host.count() == len(proxy.forwarded)
    assert all(served.headers.get("Via") == PROXY_VIA for served in host.requests)
    assert result.bytes_transferred == host.bytes_sent


# -- servers without range support -----------------------------------------------------------


def probe_says_ranges(url, headers=None, provider=None):
    """What the clip's probe (renewing a token once on a 401) tells of range support."""
    probe, _ = probe_with_auth(url, HeaderAuth(headers, provider), None)
    return probe.ranges


def test_the_probe_tells_range_support(host):
    assert probe_says_ranges(host.url(TILE)) is True
    host.ranges = False
    assert probe_says_ranges(host.url(TILE)) is False
    host.token = TOKEN
    with pytest.raises(ClipAuthError):
        probe_says_ranges(host.url(TILE))
    assert probe_says_ranges(host.url(TILE), headers={"Authorization": f"Bearer {TOKEN}"}) is False
    host.ranges = True
    tokens = Tokens("old", TOKEN)
    assert probe_says_ranges(host.url(TILE), provider=tokens) is True
    assert tokens.invalidated == 1
    host.token = None
    with pytest.raises(ClipError, match="404"):
        probe_says_ranges(host.url("/missing.tif"))


def test_server_without_ranges_makes_the_clip_step_aside(host, tmp_path):
    host.ranges = False

    with pytest.raises(RangesNotSupported) as caught:
        clip_to_area(host.url(TILE), AREA, "EPSG:3035", tmp_path / "o.tif")

    assert caught.value.url == host.url(TILE)
    assert "download the whole file" in str(caught.value)
    assert host.count() == 1  # the probe only; its body was not read
    assert leftovers(tmp_path) == []


# -- cancel and errors -----------------------------------------------------------------------


@pytest.mark.parametrize("when", ["reading", "converting"])
def test_cancel_leaves_no_file(host, tmp_path, when):
    progress = []
    threshold = 0.0 if when == "reading" else 0.9

    def is_cancelled():
        return bool(progress) and progress[-1] > threshold

    datasets = open_datasets()
    with pytest.raises(ClipCancelled) as caught:
        clip_to_area(
            host.url(TILE), AREA, "EPSG:3035", tmp_path / "o.tif",
            progress=progress.append, is_cancelled=is_cancelled,
        )  # fmt: skip

    assert isinstance(caught.value, CropMaskCancelled)
    assert 0 < progress[-1] < 1.0
    if when == "reading":
        assert len(progress) == 1  # cancelled after the first block
    assert leftovers(tmp_path) == []
    assert open_datasets() == datasets


def test_area_outside_the_sources_is_a_clear_error(host, tmp_path):
    with pytest.raises(ClipError, match="does not overlap the rasters"):
        clip_to_area(
            host.url(TILE), (4_000_000, 2_000_000, 4_010_000, 2_010_000), "EPSG:3035",
            tmp_path / "o.tif",
        )  # fmt: skip
    # Inside the tiles' bounding box but on no tile (A and B are diagonal).
    corner = SMALL * 10
    sources = [host.url("/tiles/A.tif"), host.url("/tiles/B.tif")]
    with pytest.raises(ClipError, match="does not overlap the rasters"):
        clip_to_area(
            sources, (X0 + corner + 100, Y0 - 900, X0 + corner + 900, Y0 - 100), "EPSG:3035",
            tmp_path / "o.tif",
        )  # fmt: skip
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("shifted", "their pixels are not aligned"),
        ("coarse", "their pixel sizes differ"),
        ("utm", "their CRS differ"),
    ],
)
def test_sources_on_other_grids_are_refused(host, tmp_path, name, problem):
    sources = [host.url("/tiles/A.tif"), host.url(f"/tiles/{name}.tif")]

    with pytest.raises(CropMaskError) as caught:
        clip_to_area(sources, (X0, Y0 - 30_000, X0 + 30_000, Y0), "EPSG:3035", tmp_path / "o.tif")

    message = str(caught.value)
    assert problem in message
    assert host.url("/tiles/A.tif") in message and host.url(f"/tiles/{name}.tif") in message
    assert "never resamples" in message
    assert leftovers(tmp_path) == []


def test_bad_inputs_are_clear_errors(host, tmp_path):
    url = host.url(TILE)
    with pytest.raises(ClipError, match="empty"):
        clip_to_area(url, (3_812_000, 2_660_000, 3_812_000, 2_661_000), "EPSG:3035", tmp_path / "o")
    with pytest.raises(ClipError, match="not recognised"):
        clip_to_area(url, AREA, "EPSG:999999", tmp_path / "o.tif")
    with pytest.raises(ClipError, match="does not exist"):
        clip_to_area(url, AREA, "EPSG:3035", tmp_path / "missing" / "o.tif")
    with pytest.raises(ClipError, match="404"):
        clip_to_area(host.url("/nothing.tif"), AREA, "EPSG:3035", tmp_path / "o.tif")
    with pytest.raises(ClipError, match="too large"):
        clip_to_area(
            url, (-5e6, -5e6, 5e6, 5e6), "EPSG:3035", tmp_path / "o.tif", clip_to_sources=False
        )
    with pytest.raises(ClipError, match="2 band names"):
        clip_to_area(url, AREA, "EPSG:3035", tmp_path / "o.tif", band_names=["a", "b"])
    assert leftovers(tmp_path) == []


def test_existing_output_is_replaced_only_on_success(host, big_tile, tmp_path):
    out = tmp_path / "o.tif"
    out.write_bytes(b"old")
    with pytest.raises(ClipCancelled):
        clip_to_area(host.url(TILE), AREA, "EPSG:3035", out, is_cancelled=lambda: True)
    assert out.read_bytes() == b"old"
    clip_to_area(host.url(TILE), AREA, "EPSG:3035", out)
    np.testing.assert_array_equal(read_window(out, None), read_window(big_tile, AREA_WINDOW))


def test_network_statistics_only_count_this_clip(host, tmp_path):
    """Counters are process-wide: a second clip reports only its own bytes."""
    clip_to_area(host.url(TILE), AREA, "EPSG:3035", tmp_path / "a.tif")
    host.reset_counts()
    second = clip_to_area(host.url(TILE), AREA, "EPSG:3035", tmp_path / "b.tif")
    assert second.bytes_transferred == host.bytes_sent > 0
