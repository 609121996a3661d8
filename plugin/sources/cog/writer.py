"""The output: a tiled GTiff staged next to it, then converted to a Cloud-Optimized GeoTIFF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Optional

import numpy as np
from osgeo import gdal
from rasterio.windows import Window

from .errors import ClipCancelled, ClipError, Monitor
from .gdal_env import GdalSession
from .mosaic import READ_SHARE
from .plan import OutputPlan, SourceLayout

OUTPUT_BLOCK = 512
DEFAULT_COG_OPTIONS = {
    "COMPRESS": "DEFLATE",
    "LEVEL": "6",
    "BLOCKSIZE": str(OUTPUT_BLOCK),
    "OVERVIEWS": "AUTO",
    "RESAMPLING": "NEAREST",  # class codes and probabilities: never averaged
    "BIGTIFF": "IF_SAFER",
    "NUM_THREADS": "ALL_CPUS",
}
STAGING_OPTIONS = [
    "TILED=YES",
    f"BLOCKXSIZE={OUTPUT_BLOCK}",
    f"BLOCKYSIZE={OUTPUT_BLOCK}",
    "COMPRESS=ZSTD",
    "ZSTD_LEVEL=1",
    "BIGTIFF=IF_SAFER",
]


class Staging:
    """The staging GTiff at ``path`` while the windows are written into it, for the output
    ``out_path`` (named in messages)."""

    def __init__(self, gdal_session: GdalSession, path: Path, out_path: Path) -> None:
        self.gdal = gdal_session
        self.path = path
        self.out_path = out_path
        self.dataset: Optional[gdal.Dataset] = None

    def create(
        self,
        plan: OutputPlan,
        layout: SourceLayout,
        source: gdal.Dataset,
        band_names: Optional[Sequence[str]],
    ) -> None:
        """The file on the plan's grid, with the first source's metadata and band properties."""
        grid = plan.grid
        driver = gdal.GetDriverByName("GTiff")
        self.dataset, messages = self.gdal.call(
            driver.Create,
            str(self.path),
            grid.width,
            grid.height,
            len(layout.dtypes),
            layout.dtypes[0],
            options=STAGING_OPTIONS,
        )
        if self.dataset is None:
            raise ClipError(
                f"Cannot create a temporary file in '{self.out_path.parent}': {messages}. "
                "Check the free disk space and the permissions."
            )
        self.dataset.SetGeoTransform(grid.transform.to_gdal())
        self.dataset.SetProjection(layout.wkt)
        metadata = source.GetMetadata() or {}
        if metadata:
            self.dataset.SetMetadata(metadata)
        for index in range(len(layout.dtypes)):
            description = band_names[index] if band_names else None
            _copy_band(
                source.GetRasterBand(index + 1),
                self.dataset.GetRasterBand(index + 1),
                plan.nodata[index],
                description,
            )

    def read(self, window: Window) -> np.ndarray:
        """The bands already written in ``window`` -> (bands, rows, columns)."""
        assert self.dataset is not None, "create() first"
        data, messages = self.gdal.call(self.dataset.ReadAsArray, *_gdal_window(window))
        if data is None or self.gdal.failed:
            raise ClipError(f"Cannot read back the temporary file: {messages}")
        return data.reshape((-1, window.height, window.width))

    def write(self, block: np.ndarray, window: Window) -> None:
        assert self.dataset is not None, "create() first"
        for index in range(block.shape[0]):
            band = self.dataset.GetRasterBand(index + 1)
            result, messages = self.gdal.call(
                band.WriteArray, block[index], int(window.col_off), int(window.row_off)
            )
            del band
            if self.gdal.failed or result not in (0, None):
                raise ClipError(
                    f"Cannot write the temporary file for {self.out_path.name}: {messages}. "
                    "Check the free disk space."
                )

    def finish(self) -> None:
        """Flush and close the file."""
        assert self.dataset is not None, "create() first"
        _, messages = self.gdal.call(self.dataset.FlushCache)
        failed = self.gdal.failed
        self.dataset = None  # closes the file
        if failed:
            raise ClipError(f"Cannot write the temporary file for {self.out_path.name}: {messages}")


def _gdal_window(window: Window) -> tuple:
    return int(window.col_off), int(window.row_off), int(window.width), int(window.height)


def _copy_band(
    source_band: gdal.Band, band: gdal.Band, nodata: Any, description: Optional[str]
) -> None:
    if nodata is not None:
        band.SetNoDataValue(nodata)
    description = description if description is not None else source_band.GetDescription()
    if description:
        band.SetDescription(description)
    colors = source_band.GetColorTable()
    if colors is not None:
        band.SetColorTable(colors.Clone())
    interpretation = source_band.GetColorInterpretation()
    if interpretation != gdal.GCI_Undefined:
        band.SetColorInterpretation(interpretation)
    scale, offset = source_band.GetScale(), source_band.GetOffset()
    if scale not in (None, 1.0) or offset not in (None, 0.0):
        band.SetScale(1.0 if scale is None else scale)
        band.SetOffset(0.0 if offset is None else offset)
    unit = source_band.GetUnitType()
    if unit:
        band.SetUnitType(unit)


def convert_to_cog(
    gdal_session: GdalSession,
    stage: Path,
    temp: Path,
    creation_options: Optional[Mapping[str, Any]],
    monitor: Monitor,
    out_path: Path,
) -> None:
    """Translate the staging file into a COG at ``temp`` (progress after the reads)."""
    monitor.check_cancelled()
    options = dict(DEFAULT_COG_OPTIONS)
    for key, value in (creation_options or {}).items():
        options[key.upper()] = str(value)
    cancelled = []

    def callback(fraction: float, _message: Any, _data: Any) -> int:
        if monitor.cancelled():
            cancelled.append(True)
            return 0
        monitor.report(READ_SHARE + (1 - READ_SHARE) * fraction)
        return 1

    dataset, messages = gdal_session.call(
        gdal.Translate,
        str(temp),
        str(stage),
        format="COG",
        creationOptions=[f"{key}={value}" for key, value in options.items()],
        callback=callback,
    )
    failed = dataset is None or gdal_session.failed
    dataset = None  # closes the file
    if cancelled:
        raise ClipCancelled(f"Clipping {out_path.name} cancelled; nothing was written.")
    if failed or not temp.is_file():
        raise ClipError(
            f"Cannot write {out_path}: {messages or 'unknown GDAL error'}. Check the "
            "creation options and the free disk space."
        )
