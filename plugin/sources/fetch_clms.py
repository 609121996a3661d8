"""Fetch CLMS Crop Types (CTY and CTYCL) from a STAC source: search the tiles over the area,
keep those with every layer, then per layer clip the area or download the whole files (a VRT
mosaic when there are several). Pure: no Qt or QGIS."""

from __future__ import annotations

from types import ModuleType

from ..domain.products import CLMS_FIRST_YEAR, KIND_CTY, KIND_CTYCL
from .addresses import shown, stac_search_module
from .geo import bbox_to_4326
from .mosaic import mosaic_or_single
from .names import asset_file_names
from .request import CLMS_PRODUCTS, FetchContext, FetchError, FetchJob, FetchResult
from .steps import Fetched, Progress, clip_area, whole_file


def fetch_clms(job: FetchJob) -> FetchResult:
    stac = stac_search_module()
    layers = CLMS_PRODUCTS[job.request.product]
    products = _tiles_with_layers(job, stac, layers)
    _check_account(job.context, products, layers)
    entries = [(layer, product) for layer in layers for product in products]
    file_names = asset_file_names(
        [getattr(product, layer) for layer, product in entries],
        [f"{layer}_{product.key}" for layer, product in entries],
    )
    names = dict(zip([(layer, product.key) for layer, product in entries], file_names))
    # One step per clipped layer, or per whole file.
    progress = Progress(job.context.progress, len(layers) if job.request.clip else len(entries))
    fetch_layer = _clip_layer if job.request.clip else _whole_layer
    result = FetchResult(items=len(products) * len(layers))
    paths = {}
    for layer in layers:
        assets = [getattr(product, layer) for product in products]
        local_names = [names[(layer, product.key)] for product in products]
        fetched = fetch_layer(job, layer, assets, local_names, progress)
        result.bytes_transferred += fetched.bytes_transferred
        paths[layer] = str(fetched.path)
        result.files.append(paths[layer])
    result.class_layer = paths.get(KIND_CTY)
    result.confidence_layer = paths[KIND_CTYCL]
    return result


def _tiles_with_layers(job: FetchJob, stac: ModuleType, layers: tuple) -> list:
    """The tiles over the area that hold every layer of the year, all in one projection."""
    source = job.request.source_url or stac.CDSE_STAC_URL
    try:
        bbox = bbox_to_4326(job.request.bounds, job.request.bounds_crs)
    except ValueError as error:
        raise FetchError(str(error)) from None
    found = stac.search_products(
        source, bbox, job.year, proxies=job.context.proxies, is_cancelled=job.context.is_cancelled
    )
    if found.truncated:
        job.context.say(
            f"Warning: the search of {shown(source)} stopped at its limit of "
            f"{stac.DEFAULT_MAX_ITEMS} items: tiles of the area may be missing. Fetch a smaller "
            "area."
        )
    products = [p for p in found.products if all(getattr(p, layer) for layer in layers)]
    if not products:
        raise FetchError(_nothing_found(job, layers, bbox, source, found.products))
    epsgs = sorted({p.epsg for p in products})
    if len(epsgs) > 1:
        raise FetchError(
            f"The area covers tiles in several projections (EPSG {', '.join(map(str, epsgs))}); "
            "fetch the European and the overseas parts separately."
        )
    job.context.say(f"{len(products)} tile(s): {', '.join(p.tile for p in products)}")
    incomplete = [p.tile for p in found.products if p not in products]
    if incomplete:
        job.context.say(
            f"Warning: tile(s) {', '.join(incomplete)} lack a layer of {job.request.year} and "
            "are left out: their part of the area stays nodata."
        )
    return products


def _nothing_found(job, layers, bbox, source, found):
    missing = (
        " (tiles without all layers: " + ", ".join(p.tile for p in found) + ")" if found else ""
    )
    return (
        f"No {' + '.join(layer.upper() for layer in layers)} product for {job.request.year} "
        f"over the area (lon/lat {', '.join(f'{v:.4f}' for v in bbox)}) in {shown(source)}"
        f"{missing}. Check the year ({CLMS_FIRST_YEAR} onward) and that the area is "
        "in the EEA-38 countries."
    )


def _check_account(context: FetchContext, products: list, layers: tuple) -> None:
    needs_account = any(
        "oidc" in (asset.auth_refs or ()) and _asset_source(asset, context) == asset.href
        for asset in (getattr(p, layer) for p in products for layer in layers)
    )
    if needs_account and context.cdse_tokens is None:
        raise FetchError(
            "These files need a Copernicus Data Space account (free): store your user name "
            "and password in a QGIS authentication configuration of type Basic and choose it "
            "as the credentials. Searching needed none."
        )


def _asset_source(asset, context):
    """The s3:// href when the user has S3 keys (read through /vsis3/), else the best href."""
    if context.s3_credentials and asset.s3_href:
        return asset.s3_href
    return asset.href


def _bearer(context, assets):
    if context.cdse_tokens is None or context.s3_credentials:
        return None
    if not any("oidc" in (asset.auth_refs or ()) for asset in assets):
        return None
    return context.cdse_tokens


def _stem(job: FetchJob, layer: str) -> str:
    return f"{layer.upper()}_{job.request.year}"


def _clip_layer(job: FetchJob, layer: str, assets: list, local_names: list,
                progress: Progress) -> Fetched:  # fmt: skip
    fetched = clip_area(
        job,
        [_asset_source(asset, job.context) for asset in assets],
        job.area_file(_stem(job, layer)),
        progress,
        tokens=_bearer(job.context, assets),
        local_names=local_names,
    )
    progress.next()
    return fetched


def _whole_layer(job: FetchJob, layer: str, assets: list, local_names: list,
                 progress: Progress) -> Fetched:  # fmt: skip
    known = [asset.size for asset in assets if asset.size]
    if known:
        job.context.say(f"{layer.upper()}: {len(assets)} whole file(s), {sum(known)} bytes")
    files, transferred = [], 0
    for asset, local_name in zip(assets, local_names):
        fetched = whole_file(job, asset.href, local_name, progress, asset)
        files.append(fetched.path)
        transferred += fetched.bytes_transferred
        progress.next()
    return Fetched(mosaic_or_single(files, job.area_file(_stem(job, layer), ".vrt")), transferred)
