"""GDAL virtual rasters a fetch writes: the mosaic of whole files, and one single-band VRT per
OSO band. Source paths are written relative, so that the output folder can be moved. Pure: no
Qt or QGIS."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..raster.output import atomic_path
from .addresses import shown
from .cog.gdal_env import GdalSession, Secrets
from .request import OSO_BANDS, FetchError


def gdal_write(what: str, function: Callable, *args: object, **kwargs: object) -> None:
    """Run a GDAL utility (BuildVRT, Translate) that writes a dataset, and close it; GDAL's
    words, if it fails, go into a FetchError. GDAL's process-wide exception setting is left
    as it is (other plugins rely on theirs): GdalSession works with either."""
    with GdalSession(Secrets()) as session:
        dataset, reason = session.call(function, *args, **kwargs)
        if dataset is not None:
            dataset.FlushCache()
            dataset = None  # closes the file
            return
    raise FetchError(
        f"Cannot write {what}: {reason or 'GDAL gave no reason'}. Check the free space and the "
        "permissions of the output folder, and that the fetched files open in QGIS."
    )


def mosaic_vrt(files: list, target: Path) -> Path:
    """A VRT mosaic of ``files`` written as ``target``."""
    from osgeo import gdal

    with atomic_path(target, ".part.vrt") as temporary:
        gdal_write(
            f"the mosaic {target.name} of {len(files)} files",
            gdal.BuildVRT,
            str(temporary),
            [str(path) for path in files],
        )
        _relative_sources(temporary, target.parent)
    return target


def mosaic_or_single(files: list, target: Path) -> Path:
    """The one file, or a VRT mosaic of several written as ``target``."""
    return files[0] if len(files) == 1 else mosaic_vrt(files, target)


def _relative_sources(vrt_path: Path, folder: Path) -> None:
    """Make the VRT's source paths relative, so that the folder can be moved."""
    text = vrt_path.read_text(encoding="utf-8")
    prefix = f'<SourceFilename relativeToVRT="0">{folder}/'
    vrt_path.write_text(
        text.replace(prefix, '<SourceFilename relativeToVRT="1">'), encoding="utf-8"
    )


def _open_raster(path: Path) -> object:
    from osgeo import gdal

    with GdalSession(Secrets()) as session:
        source, reason = session.call(gdal.OpenEx, str(path), gdal.OF_RASTER)
    if source is None:
        raise FetchError(
            f"Cannot open the fetched file {path}: {reason or 'not a raster'}. "
            "Delete it and fetch again."
        )
    return source


def band_vrts(path: Path, stem: str, folder: Path) -> list:
    """One single-band VRT per OSO band of a 3-band file: class, confidence, validity."""
    from osgeo import gdal

    source = _open_raster(path)
    outputs = []
    for index, band in enumerate(OSO_BANDS, start=1):
        target = folder / f"{stem}_{band}.vrt"
        with atomic_path(target, ".part.vrt") as temporary:
            gdal_write(
                f"the {band} layer {target.name} of {Path(path).name}",
                gdal.Translate,
                str(temporary),
                source,
                format="VRT",
                bandList=[index],
            )
            _relative_sources(temporary, folder)
        outputs.append(target)
    return outputs


def check_band_count(path: Path, url: str) -> None:
    """Raises FetchError when the OSO raster at ``path`` (from ``url``) has fewer than 3 bands."""
    import rasterio

    with rasterio.open(path) as dataset:
        if dataset.count < 3:
            raise FetchError(
                f"The OSO raster {shown(url)} has {dataset.count} band(s): it holds only the "
                f"classes. Give the three rasters separated by '|': {'|'.join(OSO_BANDS)}."
            )
