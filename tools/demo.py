"""The main job on the embedded (synthetic) sample, offline: search, fetch, crop mask.

For the CLMS CTY + CTYCL sample and the CNES OSO sample, runs the real Processing
algorithms headless: cropconfidence:fetch searches the static STAC catalogue and
clips the layers to an area (range reads on local files here), then
cropconfidence:cropmask writes the mask and the per-class table. Into --out:
fetched layers, masks (GeoTIFF), tables (CSV) and summary.md.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "resources" / "sample" / "catalog.json"

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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo-output", type=Path)
    parser.add_argument("--min-confidence", type=int, default=50)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app, _provider = start_qgis()
    import processing

    lines = [
        "# Crop Confidence demo: search, fetch and crop mask (synthetic sample, real grids)",
        "",
        f"Minimum confidence: {args.min_confidence}%.",
        "",
        "| job | items | total px | no-data px | kept px | kept ha | mask | table |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
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
        lines.append(
            f"| {title} | {fetched['ITEMS']} | {result['TOTAL_PIXELS']} | "
            f"{result['NODATA_PIXELS']} | {result['KEPT_PIXELS']} | "
            f"{result['KEPT_AREA_HA']:.2f} | {stem}_mask.tif | {stem}_classes.csv |"
        )
    summary = "\n".join(lines) + "\n"
    (args.out / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    app.exitQgis()


if __name__ == "__main__":
    main()
