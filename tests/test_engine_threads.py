"""Issue 13, case 7: memory does not grow with THREADS.

The engine runs in a child process (a fresh interpreter, nothing else in it) on a raster of
256 windows, with THREADS=512; the child reports its peak RSS (VmHWM). It runs once as it is,
and once telling the cap that the machine has 256 cores, so that the memory budget, not the
core count, is what holds the threads back.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crop_confidence.plugin.raster.threads import cap_threads, thread_cost
from rasters import write_raster

PEAK_LIMIT_MB = 300
SIDE = 8192  # 256 windows of 512 x 512

CHILD = """
import sys
from crop_confidence.plugin.raster import threads
if int(sys.argv[4]):
    threads.available_cores = lambda: int(sys.argv[4])
from crop_confidence.plugin.raster.engine import BandRef, CropMaskRequest, run_crop_mask
conf, klass, out = sys.argv[1:4]
request = CropMaskRequest("cty_ctycl", BandRef(conf), BandRef(klass), threads=512)
result = run_crop_mask(request, out)
assert result.total_pixels > 0
with open("/proc/self/status") as status:
    print([line.split()[1] for line in status if line.startswith("VmHWM:")][0])
"""


@pytest.fixture(scope="module")
def big_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(7)
    classes = rng.choice(np.array([1110, 1120, 1130, 2000], np.uint16), (SIDE, SIDE))
    confidence = rng.integers(0, 100, (SIDE, SIDE), dtype=np.uint8)
    return (
        write_raster(folder / "c.tif", confidence, block=512),
        write_raster(folder / "k.tif", classes, block=512),
        folder,
    )


def _peak_rss_mb(conf, klass, out, cores):
    # The child imports crop_confidence the way this process does (PYTHONPATH).
    done = subprocess.run(
        [sys.executable, "-c", CHILD, conf, klass, str(out), str(cores)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
@pytest.mark.parametrize("cores", [0, 256], ids=["this machine", "256 cores"])
def test_peak_memory_stays_bounded_with_512_threads(big_pair, cores):
    conf, klass, folder = big_pair
    out = folder / f"out-{cores}.tif"
    peak = _peak_rss_mb(conf, klass, out, cores)
    assert peak <= PEAK_LIMIT_MB, f"peak RSS {peak:.0f} MB with THREADS=512"
    out.unlink()


def test_threads_are_capped_by_cores_and_by_memory():
    assert cap_threads(512, 512, ["uint16", "uint8"], cores=2) == 4
    assert cap_threads(0, 512, ["uint16", "uint8"], cores=2) == 2
    assert cap_threads(3, 512, ["uint16", "uint8"], cores=8) == 3
    by_memory = cap_threads(512, 512, ["uint16", "uint8"], cores=256, budget=64 << 20)
    assert by_memory == (64 << 20) // thread_cost(512, ["uint16", "uint8"]) < 512
    assert cap_threads(512, 4096, ["uint16", "uint8"], cores=256, budget=1) == 1
