"""Benchmark cropconfidence:zonalareas' engine against QGIS's Zonal histogram and exactextract.

On the bench's synthetic 10000² CTY + CTYCL tile (tools/bench.py makes it), with two sets of
1,000 and 35,000 zones:

- stars: random star polygons on a jittered lattice, many overlapping, 1% smaller than a pixel
  (make_zones);
- tiles: cells of a jittered lattice with bent edges, tiling the tile without overlap, as
  communes do (make_partition);

times each method ``--repeat`` times (median), each run in a fresh child process:

- ours: ``raster.zonal.run_zonal`` at MIN_CONFIDENCE=0 (zones read with OGR, as WKB);
- QGIS ``native:zonalhistogram`` on the CTY band;
- exactextract (PyPI): ``unique`` and ``frac`` with ``min_coverage_frac=0.5`` and no coverage
  weight, the nearest it has to the pixel-centre rule.

and reports the ratios, the CPU time, peak RSS (the child's ru_maxrss, imports included) and
the load average before and after (the machine may be shared). Our per-zone
per-class pixel counts are compared cell for cell with Zonal histogram's, leaving out the zones
that hold no pixel centre (QGIS 3.22 counts the pixels such a zone touches).

    python tools/bench_zonal.py [--size 10000] [--zones 1000,35000] [--sets stars,tiles]
                                [--repeat 3] [--out /tmp/zonal-bench] [--threads 0]
                                [--skip-qgis-above N] [--skip-exactextract]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (tools/bench.py: the tile generator and the RSS launcher)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "plugins"))
TINY_SHARE = 0.01
SEED = 15


def make_zones(path, count, size):
    """``count`` random star polygons over the tile, written to a GeoPackage (EPSG:3035)."""
    from osgeo import ogr, osr

    rng = np.random.default_rng(SEED + count)
    side = math.ceil(math.sqrt(count))
    cell = size * bench.PIXEL / side
    picked = rng.choice(side * side, count, replace=False)
    left, top = bench.ORIGIN
    if path.exists():
        path.unlink()
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3035)
    layer = dataset.CreateLayer("zones", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    layer.StartTransaction()
    for number, where in enumerate(picked):
        row, col = divmod(int(where), side)
        cx = left + (col + 0.5 + rng.uniform(-0.3, 0.3)) * cell
        cy = top - (row + 0.5 + rng.uniform(-0.3, 0.3)) * cell
        tiny = rng.random() < TINY_SHARE
        vertices = int(rng.integers(6, 17))
        angles = (np.arange(vertices) + rng.uniform(-0.4, 0.4, vertices)) * 2 * np.pi / vertices
        radius = rng.uniform(1, 4, vertices) if tiny else cell * rng.uniform(0.35, 0.75, vertices)
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for angle, r in zip(np.r_[angles, angles[:1]], np.r_[radius, radius[:1]]):
            ring.AddPoint_2D(cx + r * math.cos(angle), cy + r * math.sin(angle))
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("name", f"z{number}")
        feature.SetGeometry(polygon)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None


def make_partition(path, count, size):
    """``count`` zones that tile the tile without overlap, as communes do: the cells of a
    jittered lattice (cols x rows, the last row partly filled) whose edges bend at a jittered
    point shared by the two cells on either side; written to a GeoPackage (EPSG:3035)."""
    from osgeo import ogr, osr

    rng = np.random.default_rng(SEED + 7 * count)
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    width, height = size * bench.PIXEL / cols, size * bench.PIXEL / rows
    left, top = bench.ORIGIN
    # Corners, jittered inside the tile (its border stays straight).
    cx = left + np.arange(cols + 1)[None, :] * width + np.zeros((rows + 1, 1))
    cy = top - np.arange(rows + 1)[:, None] * height + np.zeros((1, cols + 1))
    cx[:, 1:-1] += rng.uniform(-0.25, 0.25, (rows + 1, cols - 1)) * width
    cy[1:-1, :] += rng.uniform(-0.25, 0.25, (rows - 1, cols + 1)) * height
    # Bends: the middle of each edge moved across it (not on the tile's border).
    bend_h = rng.uniform(-0.15, 0.15, (rows + 1, cols)) * height  # edges along rows
    bend_v = rng.uniform(-0.15, 0.15, (rows, cols + 1)) * width  # edges along columns
    bend_h[[0, -1], :] = 0
    bend_v[:, [0, -1]] = 0
    if path.exists():
        path.unlink()
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3035)
    layer = dataset.CreateLayer("zones", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    layer.StartTransaction()
    for number in range(count):
        r, c = divmod(number, cols)

        def corner(i, j):
            return cx[i, j], cy[i, j]

        def middle(a, b, dx, dy):
            return (a[0] + b[0]) / 2 + dx, (a[1] + b[1]) / 2 + dy

        tl, tr, br, bl = corner(r, c), corner(r, c + 1), corner(r + 1, c + 1), corner(r + 1, c)
        points = [
            tl, middle(tl, tr, 0, bend_h[r, c]),
            tr, middle(tr, br, bend_v[r, c + 1], 0),
            br, middle(br, bl, 0, bend_h[r + 1, c]),
            bl, middle(bl, tl, bend_v[r, c], 0),
            tl,
        ]  # fmt: skip
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in points:
            ring.AddPoint_2D(float(x), float(y))
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("name", f"z{number}")
        feature.SetGeometry(polygon)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None


def read_zones(path):
    """(names, WKB geometries) of a zones file, in feature order."""
    from osgeo import ogr

    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    names, shapes = [], []
    for feature in layer:
        names.append(feature.GetField("name"))
        shapes.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    return names, shapes


def _child_ours(spec):
    from crop_confidence.plugin.raster.plan import BandRef, CropMaskRequest
    from crop_confidence.plugin.raster.zonal import ZonalRequest, run_zonal
    from crop_confidence.plugin.raster.zones import Zones

    clock = bench.Clock()
    names, shapes = read_zones(spec["zones"])
    zones = Zones.from_shapes(shapes)
    del shapes
    loading = time.perf_counter() - clock.start
    mask = CropMaskRequest(
        product="cty_ctycl",
        confidence=BandRef(spec["ctycl"], 1),
        classes=BandRef(spec["cty"], 1),
        min_confidence=0,
        threads=spec["threads"],
    )
    result = run_zonal(ZonalRequest(mask, zones))
    elapsed = clock.stop()
    keep = result.has_code
    np.savez(
        spec["output"],
        zone=result.zone[keep],
        code=result.class_code[keep],
        pixels=result.pixels[keep],
    )
    return elapsed, {"zones_loading_s": loading}


def _child_zonalhistogram(spec):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append(bench.QGIS_PLUGINS)
    from qgis.core import Qgis, QgsApplication, QgsVectorLayer

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    output = spec["output"] + ".gpkg"
    clock = bench.Clock()
    processing.run(
        "native:zonalhistogram",
        {
            "INPUT_RASTER": spec["cty"],
            "RASTER_BAND": 1,
            "INPUT_VECTOR": spec["zones"],
            "COLUMN_PREFIX": "HISTO_",
            "OUTPUT": output,
        },
    )
    elapsed = clock.stop()
    layer = QgsVectorLayer(output, "histogram", "ogr")
    fields = [f.name() for f in layer.fields() if f.name().startswith("HISTO_")]
    codes = {name: name[len("HISTO_") :] for name in fields}
    rows = {}
    for feature in layer.getFeatures():
        rows[feature["name"]] = {
            codes[name]: int(feature[name]) for name in fields if feature[name]
        }
    Path(spec["output"]).write_text(json.dumps(rows))
    del layer, app  # QGIS 3.22 may crash in exitQgis(): child_main ends with os._exit
    return elapsed, {"qgis_version": Qgis.version()}


def _child_exactextract(spec):
    from exactextract import exact_extract

    clock = bench.Clock()
    ops = ["unique(min_coverage_frac=0.5,coverage_weight=none)",
           "frac(min_coverage_frac=0.5,coverage_weight=none)",
           "count(min_coverage_frac=0.5,coverage_weight=none)"]  # fmt: skip
    results = exact_extract(spec["cty"], spec["zones"], ops, include_cols=["name"])
    elapsed = clock.stop()
    return elapsed, {"features": len(results)}


CHILDREN = {
    "ours": _child_ours,
    "zonalhistogram": _child_zonalhistogram,
    "exactextract": _child_exactextract,
}


def child_main(spec_json):
    spec = json.loads(spec_json)
    elapsed, extra = CHILDREN[spec["kind"]](spec)
    extra["cpu"] = bench.CLOCKS[-1].cpu
    with open(spec["result"], "w") as handle:
        json.dump({"elapsed": elapsed, **extra}, handle)
    os._exit(0)  # no interpreter teardown (QGIS's can crash once the result is written)


def run_child(spec, log):
    """Run one method in a fresh child (through bench.LAUNCHER): its timings and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-zonal-") as temp:
        result_path, usage_path = Path(temp, "result.json"), Path(temp, "usage.json")
        spec = {**spec, "result": str(result_path)}
        child = [sys.executable, str(Path(__file__).resolve()), "_child", json.dumps(spec)]
        command = [sys.executable, "-c", bench.LAUNCHER, str(usage_path), *child]
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        with open(log, "a") as handle:
            subprocess.run(command, env=env, stdout=handle, stderr=handle, check=True)
        usage = json.loads(usage_path.read_text())
        if usage["exit"] != 0:
            return None
        result = json.loads(result_path.read_text())
    result["peak_rss_mb"] = usage["maxrss_kb"] / 1024
    return result


def zones_without_centre(zones_path, cty_path):
    """Names of the zones that hold no pixel centre of the tile (rasterised one by one)."""
    import rasterio
    from rasterio import features, windows

    names, shapes = read_zones(zones_path)
    from crop_confidence.plugin.raster.zones import polygon_mapping

    empty = set()
    with rasterio.open(cty_path) as dataset:
        for name, shape in zip(names, shapes):
            mapping = polygon_mapping(shape)
            points = np.concatenate([p[0] for p in mapping["coordinates"]])
            (xmin, ymin), (xmax, ymax) = points.min(axis=0), points.max(axis=0)
            window = windows.from_bounds(xmin, ymin, xmax, ymax, dataset.transform)
            window = window.round_offsets(op="floor").round_lengths(op="ceil")
            height, width = int(window.height) + 1, int(window.width) + 1
            burnt = features.rasterize(
                [(mapping, 1)],
                out_shape=(height, width),
                transform=windows.transform(window, dataset.transform),
                all_touched=False,
                dtype="uint8",
            )
            if not burnt.any():
                empty.add(name)
    return empty


def compare(ours_npz, histogram_json, zones_path, cty_path):
    """(zones compared, cells compared, cells that differ, zones left out)."""
    names, _ = read_zones(zones_path)
    ours = np.load(ours_npz)
    mine = {}
    for zone, code, pixels in zip(ours["zone"], ours["code"], ours["pixels"]):
        mine.setdefault(names[int(zone)], {})[str(int(code))] = int(pixels)
    theirs = json.loads(Path(histogram_json).read_text())
    nodata = str(bench.CTY_OUTSIDE)
    left_out = zones_without_centre(zones_path, cty_path)
    cells = differ = compared = 0
    for name in names:
        if name in left_out:
            continue
        compared += 1
        a = mine.get(name, {})
        b = {k: v for k, v in theirs.get(name, {}).items() if k not in (nodata, "NODATA")}
        for code in set(a) | set(b):
            cells += 1
            differ += a.get(code, 0) != b.get(code, 0)
    return compared, cells, differ, len(left_out)


ZONE_SETS = {"stars": make_zones, "tiles": make_partition}


def median_run(spec, log, repeat):
    """``repeat`` runs of one method: the median elapsed, CPU and peak RSS, and every elapsed."""
    runs = [run_child(spec, log) for _ in range(repeat)]
    if any(run is None for run in runs):
        return None
    line = {key: float(np.median([run[key] for run in runs])) for key in ("elapsed", "cpu")}
    line["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
    line["runs"] = [round(run["elapsed"], 2) for run in runs]
    extra = {k: v for k, v in runs[-1].items() if k not in (*line, "peak_rss_mb")}
    return {**line, **extra}


def load():
    return Path("/proc/loadavg").read_text().split()[:3]


def bench_set(args, out, log, name, count, inputs):
    cty, ctycl = inputs
    zones = out / (f"zones_{count}.gpkg" if name == "stars" else f"{name}_{count}.gpkg")
    if not zones.exists():
        ZONE_SETS[name](zones, count, args.size)
    common = {"cty": str(cty), "ctycl": str(ctycl), "zones": str(zones)}
    common["threads"] = args.threads
    runs, outputs = {}, {}
    kinds = ["ours"]
    if count <= args.skip_qgis_above:
        kinds.append("zonalhistogram")
    if not args.skip_exactextract:
        kinds.append("exactextract")
    line = {"set": name, "zones": count, "load_before": load()}
    for kind in kinds:
        stem = f"{kind}_{name}_{count}"
        outputs[kind] = str(out / (stem + (".npz" if kind == "ours" else ".json")))
        print(f"{name} {count} zones: {kind} x{args.repeat} ...", end=" ", flush=True)
        runs[kind] = median_run({**common, "kind": kind, "output": outputs[kind]}, log, args.repeat)
        print(runs[kind] and f"{runs[kind]['runs']} s", flush=True)
    line.update(runs)
    line["load_after"] = load()
    if runs.get("zonalhistogram") and runs.get("ours"):
        line["check"] = compare(outputs["ours"], outputs["zonalhistogram"], zones, cty)
    return line


def summary(line):
    """The report's lines for one zone set and count."""
    name, ours = f"{line['set']} {line['zones']} zones", line["ours"]
    text = [f"{name}: load {' '.join(line['load_before'])} -> {' '.join(line['load_after'])}"]
    for kind in ("ours", "zonalhistogram", "exactextract"):
        if line.get(kind):
            run = line[kind]
            ratio = "" if kind == "ours" else (
                f"; {run['elapsed'] / ours['elapsed']:.1f}x ours elapsed, "
                f"{run['cpu'] / ours['cpu']:.1f}x ours CPU"
            )  # fmt: skip
            text.append(
                f"  {kind:15s} median {run['elapsed']:6.2f} s elapsed {run['runs']}, "
                f"{run['cpu']:6.2f} s CPU, peak RSS {run['peak_rss_mb']:.0f} MB{ratio}"
            )
    if "check" in line:
        zones, cells, differ, left_out = line["check"]
        text.append(
            f"  {differ} of {cells} (zone, class) counts differ from Zonal histogram over "
            f"{zones} zones ({left_out} without a pixel centre left out)"
        )
    return text


RSS_BOUND_MB = 300  # issue 15: 35,000 zones over a 10000² tile
SPEED_GOAL = 5.0  # ours vs native:zonalhistogram, elapsed


def markdown(report, args):
    """The report as Markdown: one row per zone set and count, then the goals."""
    lines = [
        "# Zonal areas bench (`tools/bench_zonal.py`, part of `make bench`)",
        "",
        f"{args.size}² CTY + CTYCL tile (the engine bench's), MIN_CONFIDENCE=0, median of "
        f"{args.repeat} fresh processes per method; ratio = the peer's time / ours (elapsed, "
        "CPU). stars: random star polygons, many overlapping, 1% smaller than a pixel; tiles: "
        "a partition without overlap (like communes). The machine has 2 cores, shared: the "
        "load average is given.",
        "",
        "| zones | ours elapsed / CPU (s) | ours peak RSS (MB) | Zonal histogram (s) | ratio "
        "| exactextract (s) | ratio | counts equal to Zonal histogram | load |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for line in report:
        ours, peers = line["ours"], []
        for kind in ("zonalhistogram", "exactextract"):
            run = line.get(kind)
            peers += (
                [f"{run['elapsed']:.2f} / {run['cpu']:.2f}",
                 f"{run['elapsed'] / ours['elapsed']:.1f}x / {run['cpu'] / ours['cpu']:.1f}x"]
                if run else ["-", "-"]
            )  # fmt: skip
        check = "-"
        if "check" in line:
            zones, cells, differ, left_out = line["check"]
            check = f"{differ} of {cells} differ ({zones} zones; {left_out} without a centre out)"
        lines.append(
            f"| {line['set']} {line['zones']:,} | {ours['elapsed']:.2f} / {ours['cpu']:.2f} | "
            f"{ours['peak_rss_mb']:.0f} | {' | '.join(peers)} | {check} | "
            f"{' '.join(line['load_before'])} |"
        )
    lines += ["", "| Target | Measured | Goal | Status |", "|---|---:|---:|---|"]
    for line in report:
        name, ours = f"{line['set']} {line['zones']:,} zones", line["ours"]
        if line.get("zonalhistogram"):
            ratio = line["zonalhistogram"]["elapsed"] / ours["elapsed"]
            status = "PASS" if ratio >= SPEED_GOAL else "**FAIL**"
            lines.append(f"| {name}: vs Zonal histogram | {ratio:.1f}x | >= 5x | {status} |")
        if line.get("exactextract"):
            ratio = line["exactextract"]["elapsed"] / ours["elapsed"]
            status = "PASS" if ratio >= 1 else "**FAIL**"
            lines.append(f"| {name}: vs exactextract | {ratio:.1f}x | >= 1x | {status} |")
        rss = ours["peak_rss_mb"]
        status = "PASS" if rss <= RSS_BOUND_MB else "**FAIL**"
        lines.append(f"| {name}: peak RSS | {rss:.0f} MB | <= 300 MB | {status} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--zones", default="1000,35000")
    parser.add_argument("--sets", default="stars,tiles", help="stars (overlapping), tiles")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (median)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/zonal-bench"))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--skip-qgis-above", type=int, default=10**9)
    parser.add_argument("--skip-exactextract", action="store_true")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    log = out / "bench_zonal.log"
    inputs = bench.make_inputs(out, args.size)
    bench.warm_cache(list(inputs))
    report = []
    for name in args.sets.split(","):
        for count in [int(n) for n in args.zones.split(",")]:
            report.append(bench_set(args, out, log, name, count, inputs))
            (out / "bench_zonal.json").write_text(json.dumps(report, indent=1))
    for line in report:
        print("\n".join(summary(line)))
    text = markdown(report, args)
    (out / "bench-zonal.md").write_text(text, encoding="utf-8")
    complete = (args.size, args.zones, args.sets) == (10000, "1000,35000", "stars,tiles")
    if complete and args.repeat >= 3 and not args.skip_exactextract:
        (ROOT / "docs" / "bench-zonal.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_child":
        child_main(sys.argv[2])
    else:
        main()
