"""Fetch OSO (classes, confidence, validity) from raster addresses, a STAC source or Sentinel
Hub. Each gives one single-band layer per OSO band: clipped files or VRTs over the 3-band
rasters. Pure: no Qt or QGIS."""

from __future__ import annotations

import os
from pathlib import Path

from ..domain import products
from . import sentinelhub
from .addresses import raster_addresses, sentinelhub_base_url, shown, stac_search_module
from .geo import bbox_to_4326, transform_bbox
from .mosaic import band_vrts, check_band_count, mosaic_or_single
from .names import asset_file_names, url_file_names
from .paths import local_path
from .request import OSO_BANDS, OSO_STAC_COLLECTION, FetchError, FetchJob, FetchResult
from .steps import Progress, clip_area, whole_file

LAMBERT_93 = "EPSG:2154"  # Sentinel Hub's OSO collection


def _oso_result(layers: list, items: int, transferred: int, written: tuple = ()) -> FetchResult:
    """The result of an OSO fetch: the three band ``layers``, after the files they read."""
    class_layer, confidence_layer, validity_layer = (str(path) for path in layers)
    return FetchResult(
        class_layer,
        confidence_layer,
        validity_layer,
        items=items,
        bytes_transferred=transferred,
        files=[*(str(path) for path in written), class_layer, confidence_layer, validity_layer],
    )


def missing_oso_raster(year: int, path: str) -> str:
    """What the search and the fetch say of an OSO raster address naming no file."""
    return f"No OSO {year} raster at '{path}': the file does not exist."


def check_local_files(urls: list, year: int) -> None:
    """A local OSO raster of the year that does not exist is named before anything is read
    or written (GDAL would only say that it cannot open it)."""
    for url in urls:
        path = local_path(url)
        if path is None or path.lower().startswith("/vsi"):  # a URL, a GDAL virtual file
            continue
        if not os.path.exists(path):
            raise FetchError(missing_oso_raster(year, path))


def fetch_oso_raster(job: FetchJob) -> FetchResult:
    """One 3-band raster, or three single-band rasters in the order of OSO_BANDS."""
    urls = raster_addresses(job.request.source_url, job.request.year)
    check_local_files(urls, job.year)
    if len(urls) == 1:
        return _fetch_3_band_files(job, urls, url_file_names(urls), items=1)
    progress = Progress(job.context.progress, len(urls))
    paths, transferred = [], 0
    for url, band, name in zip(urls, OSO_BANDS, url_file_names(urls, OSO_BANDS)):
        if job.request.clip:
            target = job.area_file(f"OSO_{job.request.year}_{band}")
            fetched = clip_area(job, [url], target, progress, band_names=(band,),
                                local_names=[name])  # fmt: skip
        else:
            fetched = whole_file(job, url, name, progress)
        paths.append(fetched.path)
        transferred += fetched.bytes_transferred
        progress.next()
    return _oso_result(paths, len(urls), transferred)


def fetch_oso_stac(job: FetchJob) -> FetchResult:
    """The 3-band OSO rasters of the year over the area in a STAC source."""
    stac = stac_search_module()
    try:
        bbox = bbox_to_4326(job.request.bounds, job.request.bounds_crs)
        items = stac.search_items(
            job.request.source_url, bbox, job.year, (OSO_STAC_COLLECTION,),
            proxies=job.context.proxies, is_cancelled=job.context.is_cancelled,
        )  # fmt: skip
    except ValueError as error:  # an area rasterio cannot transform
        raise FetchError(str(error)) from None
    assets = stac.data_assets(items)
    if not assets:
        raise FetchError(
            f"No OSO {job.request.year} raster over the area in {shown(job.request.source_url)} "
            f"(collection '{OSO_STAC_COLLECTION}'). OSO covers metropolitan France from "
            f"{products.OSO_FIRST_YEAR}."
        )
    names = asset_file_names(assets)
    return _fetch_3_band_files(job, [asset.href for asset in assets], names, items=len(assets))


def _fetch_3_band_files(job: FetchJob, sources: list, names: list, items: int) -> FetchResult:
    """3-band OSO rasters (one per tile) -> one clipped file or the whole files (saved under
    ``names``), then a single-band VRT per band."""
    stem = f"OSO_{job.request.year}"
    progress = Progress(job.context.progress, 1 if job.request.clip else len(sources))
    if job.request.clip:
        tag = job.area_file(stem).stem
        fetched = clip_area(job, sources, job.folder / f"{tag}.tif", progress,
                            band_names=OSO_BANDS, local_names=names)  # fmt: skip
        progress.next()
        merged, transferred = fetched.path, fetched.bytes_transferred
    else:
        files, transferred = [], 0
        for source, name in zip(sources, names):
            fetched = whole_file(job, source, name, progress)
            files.append(fetched.path)
            transferred += fetched.bytes_transferred
            progress.next()
        merged = mosaic_or_single(files, job.area_file(stem, ".vrt"))
        tag = Path(merged).stem
    check_band_count(merged, url=sources[0])
    layers = band_vrts(merged, tag, job.folder)
    return _oso_result(layers, items, transferred, written=(merged,))


def fetch_oso_sentinelhub(job: FetchJob) -> FetchResult:
    """The area's OSO from Sentinel Hub's process API, then a single-band VRT per band."""
    request, context = job.request, job.context
    if not request.clip:
        raise FetchError(
            "Sentinel Hub serves areas, not files: keep 'clip to extent' on, or give the URL "
            "of the national OSO raster to download it whole."
        )
    if context.sentinelhub_tokens is None:
        raise FetchError(
            "OSO through Sentinel Hub needs an OAuth client: choose an authentication "
            "configuration holding its client id and secret."
        )
    target = job.area_file(f"OSO_{request.year}")
    options = {"base_url": sentinelhub_base_url(request.source_url)} if request.source_url else {}
    if context.sentinelhub_collection:
        options["collection_id"] = context.sentinelhub_collection
    fetched = sentinelhub.fetch_oso(
        transform_bbox(request.bounds, request.bounds_crs, LAMBERT_93),
        job.year,
        target,
        context.sentinelhub_tokens,
        progress=context.progress,
        is_cancelled=context.is_cancelled,
        session=context.session,
        **options,
    )
    if not fetched.has_data:
        Path(fetched.path).unlink(missing_ok=True)
        raise FetchError(
            f"Sentinel Hub has no OSO {request.year} data over the area: OSO covers "
            "metropolitan France only."
        )
    layers = band_vrts(Path(fetched.path), target.stem, job.folder)
    return _oso_result(layers, fetched.requests, fetched.bytes_transferred, (fetched.path,))
