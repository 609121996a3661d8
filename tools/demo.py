"""The main job on the embedded (synthetic) sample, offline: crop masks and per-class areas.

Runs the real Processing algorithm cropconfidence:cropmask headless, for the CLMS
CTY + CTYCL sample and the CNES OSO sample, and writes into --out:
masks (GeoTIFF), per-class tables (CSV) and summary.md.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"
CTY = SAMPLE / "CLMS_HRLVLCC_CTY_S2021_R10m_E38N26_03035_V01_R00.tif"
CTYCL = SAMPLE / "CLMS_HRLVLCC_CTYCL_S2021_R10m_E38N26_03035_V01_R00.tif"
OSO = SAMPLE / "OSO_2021_sample.tif"

JOBS = [
    (
        "CLMS CTY + CTYCL 2021, tile E38N26 (sample window)",
        "cty_ctycl_2021",
        {"PRODUCT": 0, "CLASS_LAYER": str(CTY), "CONFIDENCE_LAYER": str(CTYCL)},
    ),
    (
        "CNES OSO 2021, 23 classes, validity >= 5 dates (sample)",
        "oso_2021",
        {
            "PRODUCT": 2,
            "CLASS_LAYER": str(OSO),
            "CLASS_BAND": 1,
            "CONFIDENCE_LAYER": str(OSO),
            "CONFIDENCE_BAND": 2,
            "VALIDITY_LAYER": str(OSO),
            "VALIDITY_BAND": 3,
            "MIN_VALIDITY": 5,
        },
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
        "# Crop Confidence demo (synthetic sample on the real grids)",
        "",
        f"Minimum confidence: {args.min_confidence}%.",
        "",
        "| job | total px | no-data px | kept px | kept ha | mask | table |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for title, stem, parameters in JOBS:
        result = processing.run(
            "cropconfidence:cropmask",
            dict(
                parameters,
                MIN_CONFIDENCE=args.min_confidence,
                OUTPUT=str(args.out / f"{stem}_mask.tif"),
                OUTPUT_TABLE=str(args.out / f"{stem}_classes.csv"),
            ),
        )
        lines.append(
            f"| {title} | {result['TOTAL_PIXELS']} | {result['NODATA_PIXELS']} | "
            f"{result['KEPT_PIXELS']} | {result['KEPT_AREA_HA']:.2f} | "
            f"{stem}_mask.tif | {stem}_classes.csv |"
        )
    summary = "\n".join(lines) + "\n"
    (args.out / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    app.exitQgis()


if __name__ == "__main__":
    main()
