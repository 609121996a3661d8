"""Writes under faults (issue 13): a full disk, an output that is an input, a failed second
output, a run killed midway. Real mechanisms: a small tmpfs (or RLIMIT_FSIZE in a child process
where mounting is refused), real files, child processes."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import rasterio
from qgis.core import QgsProcessingException

from crop_confidence.plugin.domain.errors import CropMaskError
from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask
from rasters import CTY_CROPS, write_raster

ROOT = Path(__file__).resolve().parents[1]
ALG = "cropconfidence:cropmask"
DISK_KB = 4096


@pytest.fixture(scope="module")
def big_pair(tmp_path_factory):
    """A CTY + CTYCL pair whose mask is about 3 MB with the default compression."""
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(1)
    shape = (4000, 4000)
    classes = write_raster(
        folder / "k.tif", rng.choice(np.array(CTY_CROPS, np.uint16), shape), block=512
    )
    confidence = write_raster(
        folder / "c.tif", rng.integers(0, 101, shape).astype(np.uint8), block=512
    )
    return classes, confidence


@pytest.fixture()
def small_disk(tmp_path):
    """A 4 MB tmpfs (we run as root in CI); the test is skipped where mounting is refused."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_KB}k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder, free_kb):
    """Leave about ``free_kb`` KB free on ``folder``'s disk (by a filler file)."""
    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as stream:
        stream.write(b"\0" * max(0, free - free_kb * 1024))
    return shutil.disk_usage(folder).free


def leftovers(folder):
    return sorted(path.name for path in Path(folder).iterdir() if path.name != "filler")


@pytest.mark.parametrize("free_kb", [0, 8, 3000])
def test_a_full_disk_leaves_no_mask_and_says_so(small_disk, big_pair, free_kb):
    classes, confidence = big_pair
    free = fill(small_disk, free_kb)
    assert free <= (free_kb + 8) * 1024
    request = CropMaskRequest("cty_ctycl", BandRef(confidence), BandRef(classes))
    output = small_disk / "mask.tif"
    with pytest.raises(CropMaskError) as raised:
        run_crop_mask(request, output)
    message = str(raised.value)
    assert f"'{output}'" in message
    assert f"the disk is full: 0 bytes free on '{small_disk}'" in message
    assert "Free some space" in message
    assert leftovers(small_disk) == []


def test_a_small_mask_on_a_full_disk_is_not_left_empty(small_disk, tmp_path):
    """A mask that fits GDAL's cache is written only at close, where errors went unseen."""
    classes, confidence = small_pair(tmp_path)
    fill(small_disk, 0)
    output = small_disk / "mask.tif"
    request = CropMaskRequest("cty_ctycl", BandRef(confidence), BandRef(classes))
    with pytest.raises(CropMaskError, match=f"'{output}': the disk is full: 0 bytes free"):
        run_crop_mask(request, output)
    assert leftovers(small_disk) == []


@pytest.mark.parametrize("free_kb", [0, 3000])
def test_a_full_disk_fails_the_algorithm(provider, small_disk, big_pair, free_kb):  # noqa: ARG001
    import processing

    classes, confidence = big_pair
    fill(small_disk, free_kb)
    output = small_disk / "mask.tif"
    parameters = {"PRODUCT": 0, "CLASS_LAYER": classes, "CONFIDENCE_LAYER": confidence}
    with pytest.raises(QgsProcessingException, match="the disk is full: 0 bytes free"):
        processing.run(ALG, {**parameters, "OUTPUT": str(output)})
    assert leftovers(small_disk) == []


def test_a_complete_mask_is_written_when_the_disk_has_room(small_disk, big_pair):
    classes, confidence = big_pair
    fill(small_disk, 3900)  # the mask takes about 3 MB
    request = CropMaskRequest(
        "cty_ctycl", BandRef(confidence), BandRef(classes), class_counts=False
    )
    result = run_crop_mask(request, small_disk / "mask.tif")
    assert leftovers(small_disk) == ["mask.tif"]
    with rasterio.open(small_disk / "mask.tif") as dataset:
        assert int((dataset.read(1) == 1).sum()) == result.kept_pixels


def small_pair(folder):
    rng = np.random.default_rng(3)
    classes = rng.choice(np.array(CTY_CROPS, np.uint16), (64, 64))
    confidence = rng.integers(0, 101, (64, 64)).astype(np.uint8)
    return (
        write_raster(folder / "k.tif", classes, block=16),
        write_raster(folder / "c.tif", confidence, block=16),
    )


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_refused(tmp_path, monkeypatch, how):
    classes, confidence = small_pair(tmp_path)
    before = Path(confidence).read_bytes()
    output = {
        "same": confidence,
        "relative": os.path.join("sub", "..", "c.tif"),
        "symlink": tmp_path / "link.tif",
        "hardlink": tmp_path / "hard.tif",
    }[how]
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        os.symlink(confidence, output)
    elif how == "hardlink":
        os.link(confidence, output)
    monkeypatch.chdir(tmp_path)
    request = CropMaskRequest("cty_ctycl", BandRef(confidence), BandRef(classes))
    with pytest.raises(CropMaskError) as raised:
        run_crop_mask(request, output)
    message = str(raised.value)
    assert f"The output '{output}' is the confidence raster '{confidence}'" in message
    assert "Choose another output file name" in message
    assert Path(confidence).read_bytes() == before
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


def test_an_output_that_is_an_input_fails_the_algorithm(provider, tmp_path):  # noqa: ARG001
    import processing

    classes, confidence = small_pair(tmp_path)
    before = Path(classes).read_bytes()
    parameters = {"PRODUCT": 0, "CLASS_LAYER": classes, "CONFIDENCE_LAYER": confidence}
    with pytest.raises(QgsProcessingException, match="is the class raster"):
        processing.run(ALG, {**parameters, "OUTPUT": classes})
    assert Path(classes).read_bytes() == before


def test_a_failed_table_leaves_no_mask(provider, tmp_path):  # noqa: ARG001
    import processing

    classes, confidence = small_pair(tmp_path)
    output = tmp_path / "mask.tif"
    parameters = {
        "PRODUCT": 0,
        "CLASS_LAYER": classes,
        "CONFIDENCE_LAYER": confidence,
        "OUTPUT": str(output),
        "OUTPUT_TABLE": str(tmp_path / "absent" / "table.csv"),
    }
    folder = tmp_path / "absent"
    with pytest.raises(QgsProcessingException, match=f"OUTPUT_TABLE: the folder '{folder}'"):
        processing.run(ALG, parameters)
    assert sorted(os.listdir(tmp_path)) == ["c.tif", "k.tif"]


def test_a_table_that_fails_after_the_mask_is_made_leaves_no_mask(provider, tmp_path):  # noqa: ARG001
    """The table's folder exists but the table cannot be created there (sysfs refuses new
    files, even to root): the mask is made, then thrown away."""
    import processing

    classes, confidence = small_pair(tmp_path)
    parameters = {
        "PRODUCT": 0,
        "CLASS_LAYER": classes,
        "CONFIDENCE_LAYER": confidence,
        "OUTPUT": str(tmp_path / "mask.tif"),
        "OUTPUT_TABLE": "/sys/table.csv",
    }
    with pytest.raises(QgsProcessingException, match="/sys/table.csv"):
        processing.run(ALG, parameters)
    assert sorted(os.listdir(tmp_path)) == ["c.tif", "k.tif"]


def test_a_failed_second_output_leaves_no_mask_in_the_engine(tmp_path):
    classes, confidence = small_pair(tmp_path)
    previous = tmp_path / "mask.tif"
    previous.write_bytes(b"previous result")
    seen = []

    def failing_table(result):
        seen.append(result.kept_pixels)
        raise CropMaskError("the table cannot be written")

    request = CropMaskRequest("cty_ctycl", BandRef(confidence), BandRef(classes))
    with pytest.raises(CropMaskError, match="the table cannot be written"):
        run_crop_mask(request, previous, before_commit=failing_table)
    assert len(seen) == 1
    assert previous.read_bytes() == b"previous result"
    assert sorted(os.listdir(tmp_path)) == ["c.tif", "k.tif", "mask.tif"]


CHILD = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{plugins!r}, {tests!r}]
    from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask

    def progress(fraction):
        print("started", flush=True)
        sys.stdin.readline()  # blocks: the parent kills us here, mid-mask

    request = CropMaskRequest("cty_ctycl", BandRef({confidence!r}), BandRef({classes!r}),
                              window_size=16, threads=1)
    run_crop_mask(request, {output!r}, progress=progress)
    """
)


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_run_leaves_nothing_after_the_next_run(tmp_path, signal_number):
    classes, confidence = small_pair(tmp_path)
    output = tmp_path / "mask.tif"
    script = CHILD.format(
        plugins=str(ROOT / "build" / "plugins"),
        tests=str(ROOT / "tests"),
        confidence=confidence,
        classes=classes,
        output=str(output),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        temporary = [name for name in os.listdir(tmp_path) if name.startswith(".mask.tif.")]
        assert len(temporary) == 1 and temporary[0].endswith(".part")
        child.send_signal(signal_number)
        assert child.wait(timeout=20) == -signal_number
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=20)
    assert temporary[0] in os.listdir(tmp_path)  # no handler could remove it
    assert not output.exists()

    request = CropMaskRequest("cty_ctycl", BandRef(confidence), BandRef(classes))
    result = run_crop_mask(request, output)
    assert sorted(os.listdir(tmp_path)) == ["c.tif", "k.tif", "mask.tif"]
    with rasterio.open(output) as dataset:
        assert int((dataset.read(1) == 1).sum()) == result.kept_pixels


def test_a_running_writer_s_temporary_file_is_kept(tmp_path):
    """The sweep spares this process's own temporary files (another run, in another thread)
    and files that are not ours."""
    from crop_confidence.plugin.raster.temporary import sweep_stale, temporary_name

    ours = tmp_path / temporary_name("mask.tif")
    ours.write_bytes(b"in progress")
    other = tmp_path / ".mask.tif.1234abcd.part"  # not our naming: not touched
    other.write_bytes(b"someone else's")
    download = tmp_path / "CLMS.tif.part"  # a resumable download
    download.write_bytes(b"resume me")
    assert sweep_stale(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == sorted([ours.name, other.name, download.name])


FSIZE_CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys
    sys.path[:0] = [{plugins!r}, {tests!r}]
    from crop_confidence.plugin.domain.errors import CropMaskError
    from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask

    # Past the limit a write fails with EFBIG instead of killing the process (SIGXFSZ).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    request = CropMaskRequest("cty_ctycl", BandRef({confidence!r}), BandRef({classes!r}))
    try:
        result = run_crop_mask(request, {output!r})
        print(json.dumps({{"kept": result.kept_pixels}}))
    except CropMaskError as error:
        print(json.dumps({{"error": str(error)}}))
    """
)


@pytest.mark.parametrize("limit_kb", [0, 8, 2000])
def test_a_file_size_limit_leaves_no_mask_and_says_so(tmp_path, big_pair, limit_kb):
    """Where no tmpfs can be mounted (the tests above skip), RLIMIT_FSIZE makes the writes of
    a child process fail as on a full disk (EFBIG), through the real engine and GDAL."""
    import json

    classes, confidence = big_pair
    folder = tmp_path / "out"
    folder.mkdir()
    output = folder / "mask.tif"
    script = FSIZE_CHILD.format(
        plugins=str(ROOT / "build" / "plugins"),
        tests=str(ROOT / "tests"),
        limit=limit_kb * 1024,
        confidence=confidence,
        classes=classes,
        output=str(output),
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    message = outcome.get("error", "")
    assert message.startswith(f"Cannot write the output '{output}': the file size limit was "
                              "reached: "), outcome  # fmt: skip
    assert "Free some space or choose another folder" in message
    assert leftovers(folder) == []
