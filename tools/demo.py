"""The main job on the embedded (synthetic) sample, offline: search, fetch, crop mask, areas.

For the CLMS CTY + CTYCL sample and the CNES OSO sample, runs the real Processing
algorithms headless: cropconfidence:fetch searches the static STAC catalogue and
clips the layers to an area (range reads on local files here), then
cropconfidence:cropmask writes the mask and the per-class table. On the CTY area, then:
cropconfidence:zonalareas over the shipped demo zones, cropconfidence:sampledesign (a
stratified reference sample of the mask), and cropconfidence:areaestimate from the shipped
SYNTHETIC labelled sample. Into --out: fetched layers, masks (GeoTIFF), tables (CSV), the
sample points (GeoPackage) and summary.md.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
CATALOG = SAMPLE / "catalog.json"

# Areas inside the sample windows, in the products' own CRS.
JOBS = [
    (
        "CLMS CTY + CTYCL 2021, 4 x 3 km in tile E38N26",
        "cty_ctycl_2021",
        0,
        "3851000,3855000,2650000,2653000 [EPSG:3035]",
        {},
    ),
    (
        "CNES OSO 2021 (23 classes), 4 x 3 km, validity >= 5 dates",
        "oso_2021",
        2,
        "571000,575000,6276000,6279000 [EPSG:2154]",
        {"MIN_VALIDITY": 5},
    ),
]


def start_qgis():
    sys.path.insert(0, str(ROOT / "build" / "plugins"))
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from crop_confidence.plugin.processing.provider import CropConfidenceProvider

    provider = CropConfidenceProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider


def read_csv(path):
    import csv

    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def areas(processing, out, cty, min_confidence):
    """Zonal areas, a sample design and an area estimate on the CTY area -> summary lines."""
    fetched, mask = cty
    processing.run(
        "cropconfidence:zonalareas",
        {
            "PRODUCT": 0,
            "CLASS_LAYER": fetched["CLASS_LAYER"],
            "CONFIDENCE_LAYER": fetched["CONFIDENCE_LAYER"],
            "MIN_CONFIDENCE": min_confidence,
            "ZONES": str(SAMPLE / "zones.geojson"),
            "ZONE_FIELD": "name",
            "OUTPUT_TABLE": str(out / "cty_ctycl_2021_zones.csv"),
        },
    )
    kept = {}
    for row in read_csv(out / "cty_ctycl_2021_zones.csv"):
        kept[row["zone"]] = kept.get(row["zone"], 0.0) + float(row["kept_area_ha"] or 0)
    lines = [
        "",
        "## Areas (CTY + CTYCL 2021 area)",
        "",
        "Confident crop area per zone (cropconfidence:zonalareas, shipped demo zones, "
        "`cty_ctycl_2021_zones.csv`):",
        "",
        "| zone | kept crop area (ha) |",
        "| --- | ---: |",
        *(f"| {zone} | {hectares:.2f} |" for zone, hectares in kept.items()),
    ]
    design = processing.run(
        "cropconfidence:sampledesign",
        {
            "MAP": mask,
            "ALLOCATION": 2,
            "SAMPLE_SIZE": 100,
            "MIN_PER_STRATUM": 30,
            "SEED": 2021,
            "OUTPUT": str(out / "reference_sample_design.gpkg"),
            "OUTPUT_STRATA": str(out / "reference_sample_strata.csv"),
        },
    )
    estimate = processing.run(
        "cropconfidence:areaestimate",
        {
            "MAP": mask,
            "SAMPLE": str(SAMPLE / "reference_sample.geojson"),
            "REFERENCE_FIELD": "reference",
            "OUTPUT": str(out / "cty_ctycl_2021_area_estimate.csv"),
            "OUTPUT_MATRIX": str(out / "cty_ctycl_2021_error_matrix.csv"),
        },
    )
    lines += [
        "",
        f"Stratified reference sample of the mask (cropconfidence:sampledesign, Olofsson's "
        f"allocation): {design['TOTAL_SAMPLE']} points in {design['STRATA_COUNT']} strata, "
        "`reference_sample_design.gpkg`, `reference_sample_strata.csv`.",
        "",
        "Area estimate from the shipped labelled sample (cropconfidence:areaestimate; the labels "
        "are SYNTHETIC, invented from CTY with errors simulated from the confidence: an "
        "illustration of the method, not a result), `cty_ctycl_2021_area_estimate.csv`:",
        "",
        "| map class | map area (ha) | estimated area (ha) | 95 % CI (ha) | user's acc. | "
        "producer's acc. |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in read_csv(out / "cty_ctycl_2021_area_estimate.csv"):
        lines.append(
            f"| {row['class_code']} | {float(row['map_area_ha']):.2f} | "
            f"{float(row['area_ha']):.2f} | ± {float(row['area_ci95_ha']):.2f} | "
            f"{float(row['users_accuracy']):.2f} | {float(row['producers_accuracy']):.2f} |"
        )
    lines.append(
        f"\nOverall accuracy {estimate['OVERALL_ACCURACY']:.3f} "
        f"± {estimate['OVERALL_ACCURACY_CI95']:.3f} (95 % CI)."
    )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo-output", type=Path)
    parser.add_argument("--min-confidence", type=int, default=50)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app, _provider = start_qgis()
    import processing

    lines = [
        "# Crop Confidence demo: search, fetch, crop mask and areas (synthetic sample, real grids)",
        "",
        f"Minimum confidence: {args.min_confidence}%.",
        "",
        "| job | items | total px | no-data px | kept px | kept ha | mask | table |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    layers = {}
    for title, stem, product, extent, options in JOBS:
        fetched = processing.run(
            "cropconfidence:fetch",
            {
                "PRODUCT": product,
                "YEAR": 2021,
                "EXTENT": extent,
                "SOURCE_URL": str(CATALOG),
                "CLIP_TO_EXTENT": True,
                "OUTPUT_FOLDER": str(args.out / f"{stem}_layers"),
            },
        )
        result = processing.run(
            "cropconfidence:cropmask",
            dict(
                options,
                PRODUCT=product,
                CLASS_LAYER=fetched["CLASS_LAYER"],
                CONFIDENCE_LAYER=fetched["CONFIDENCE_LAYER"],
                VALIDITY_LAYER=fetched["VALIDITY_LAYER"],
                MIN_CONFIDENCE=args.min_confidence,
                OUTPUT=str(args.out / f"{stem}_mask.tif"),
                OUTPUT_TABLE=str(args.out / f"{stem}_classes.csv"),
            ),
        )
        layers[stem] = (fetched, result["OUTPUT"])
        lines.append(
            f"| {title} | {fetched['ITEMS']} | {result['TOTAL_PIXELS']} | "
            f"{result['NODATA_PIXELS']} | {result['KEPT_PIXELS']} | "
            f"{result['KEPT_AREA_HA']:.2f} | {stem}_mask.tif | {stem}_classes.csv |"
        )
    lines += areas(processing, args.out, layers["cty_ctycl_2021"], args.min_confidence)
    summary = "\n".join(lines) + "\n"
    (args.out / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    app.exitQgis()


if __name__ == "__main__":
    main()
