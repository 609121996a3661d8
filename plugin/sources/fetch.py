"""Fetch orchestration: find the product over an area and year, then clip it
(range reads) or download whole files. Pure: no Qt or QGIS.

Sources (``source_kind``):
- CLMS CTY/CTYCL: a STAC API root (default CDSE) or a static ``catalog.json``;
- OSO, in this order: empty, Sentinel Hub (default); raster URL(s) (``.tif``, ``.tiff``,
  ``.vrt``), ``{year}`` being replaced: one 3-band raster (OCS, OCS_Confidence,
  OCS_Validity) or three rasters separated by ``|`` in that order; a ``.json`` address, a
  STAC catalogue; a Sentinel Hub service: a Sentinel Hub host (``*.sentinel-hub.com``,
  ``sh.dataspace.copernicus.eu``), an address without a path (every Sentinel Hub deployment's
  base URL) or one whose path holds ``/api/v1`` (a process or catalog API URL); any other
  address, a STAC API root. The STAC sources hold the OSO rasters in collection ``oso``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from rasterio.warp import transform_bounds

from .. import dependencies
from ..domain.errors import CropMaskCancelled, CropMaskError
from ..net.download import download, safe_file_name
from ..net.http import cancellable, make_session, redact_url
from . import clip as clipping
from . import sentinelhub

CLMS_PRODUCTS = {"cty_ctycl": ("cty", "ctycl"), "ctycl": ("ctycl",)}
OSO_PRODUCTS = ("oso23", "oso17")
OSO_BANDS = ("OCS", "OCS_Confidence", "OCS_Validity")
OSO_STAC_COLLECTION = "oso"  # in a static catalogue of 3-band OSO rasters
FIRST_YEAR = {"cty_ctycl": 2017, "ctycl": 2017, "oso23": 2018, "oso17": 2016}
LAST_YEAR = {"oso17": 2017}


class FetchError(CropMaskError):
    """The data cannot be found or fetched; the message says what to do."""


@dataclass(frozen=True)
class FetchRequest:
    product: str  # cty_ctycl, ctycl, oso23, oso17
    year: int
    bounds: tuple  # xmin, ymin, xmax, ymax in bounds_crs
    bounds_crs: str  # anything rasterio accepts: "EPSG:3035", WKT
    output_folder: str
    source_url: str = ""
    clip: bool = True


@dataclass
class FetchResult:
    class_layer: str | None = None
    confidence_layer: str | None = None
    validity_layer: str | None = None
    items: int = 0
    bytes_transferred: int = 0
    files: list = field(default_factory=list)


@dataclass
class FetchContext:
    """What a fetch may use besides the request: network, credentials, callbacks."""

    session: object = None  # requests.Session (plugin.net.http.make_session)
    cdse_tokens: object = None  # CdseTokenProvider
    sentinelhub_tokens: object = None  # ClientCredentialsTokenProvider
    sentinelhub_collection: str | None = None  # OSO BYOC collection id; None: CNES's
    s3_credentials: dict | None = None
    proxies: dict | None = None
    progress: object = None  # progress(fraction)
    is_cancelled: object = None
    log: object = None  # log(message), never given secrets
    # When a server refuses range reads, may a clipped fetch download whole files instead?
    # The dock says no: whole downloads go through its size confirmation.
    whole_fallback: bool = True


SENTINEL_HUB_DOMAIN = "sentinel-hub.com"
SENTINEL_HUB_HOSTS = ("sh.dataspace.copernicus.eu",)  # besides *.sentinel-hub.com
SENTINEL_HUB_API = "/api/v1"


def _sentinel_hub_host(parts):
    host = (parts.hostname or "").lower()
    return (
        host == SENTINEL_HUB_DOMAIN
        or host.endswith("." + SENTINEL_HUB_DOMAIN)
        or host in SENTINEL_HUB_HOSTS
    )


def _is_sentinel_hub(parts):
    if _sentinel_hub_host(parts):
        return True
    if parts.scheme.lower() not in ("http", "https"):
        return False
    path = parts.path.lower().rstrip("/")
    return not path or path.endswith(SENTINEL_HUB_API) or SENTINEL_HUB_API + "/" in path


def sentinelhub_base_url(source_url):
    """The Sentinel Hub base URL of an OSO source: its scheme and host, and for another host
    the path before ``/api/v1`` (a process or catalog API URL pasted whole)."""
    parts = urlsplit(source_url.strip())
    path = "" if _sentinel_hub_host(parts) else parts.path
    index = path.lower().find(SENTINEL_HUB_API)
    if index >= 0:
        path = path[:index]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def source_kind(product, source_url):
    """'stac', 'raster' or 'sentinelhub' for this product and source (see the module's text)."""
    path = urlsplit(source_url or "").path.lower()
    if product in CLMS_PRODUCTS:
        if path.endswith((".tif", ".tiff")):
            raise FetchError(
                f"{shown(source_url)} is a single raster, but CLMS products come from a STAC "
                "catalogue: give a STAC API root or a catalog.json."
            )
        return "stac"
    if product not in OSO_PRODUCTS:
        raise FetchError(f"Unknown product {product!r} to fetch.")
    if not source_url:
        return "sentinelhub"
    if all(
        urlsplit(part.strip()).path.lower().endswith((".tif", ".tiff", ".vrt"))
        for part in source_url.split("|")
    ):
        return "raster"
    if path.endswith(".json"):
        return "stac"
    if _is_sentinel_hub(urlsplit(source_url.strip())):
        return "sentinelhub"
    return "stac"


def shown(address):
    """A source address for messages: URLs without user info or query (which may hold signed
    tokens, shown as '?…'); paths as they are. Several addresses separated by '|' each."""
    return "|".join(
        redact_url(part.strip()) if "://" in part else part.strip()
        for part in str(address or "").split("|")
    )


def area_tag(request):
    digest = hashlib.sha1(repr((request.bounds, request.bounds_crs)).encode()).hexdigest()
    return f"aoi-{digest[:8]}"


def check_year(product, year):
    first, last = FIRST_YEAR[product], LAST_YEAR.get(product)
    if year < first or (last is not None and year > last):
        hint = {
            "oso23": "OSO maps of 2016 and 2017 use the 17-class nomenclature: choose "
            "'OSO 2016–2017'.",
            "oso17": "OSO maps from 2018 use the 23-class nomenclature: choose 'OSO 2018+'.",
        }.get(product, "CLMS Crop Types start in 2017.")
        raise FetchError(f"No {product} data for {year}. {hint}")


class _Progress:
    """Splits the overall progress evenly between the steps of a fetch, one per file
    downloaded or clip made: ``step(fraction)`` reports the current step's own fraction,
    ``next()`` ends it, ``part(count)`` splits it into ``count`` steps. The values reported
    never go back (a download that restarts from zero holds them) and end at 1.0."""

    def __init__(self, callback, steps):
        self.callback, self.steps, self.done = callback, max(steps, 1), 0
        self.reported = 0.0

    def step(self, fraction):
        if self.callback is None:
            return
        value = min(1.0, (self.done + min(max(fraction, 0.0), 1.0)) / self.steps)
        self.reported = max(self.reported, value)
        self.callback(self.reported)

    def next(self):
        self.done = min(self.done + 1, self.steps)
        self.step(0.0)

    def part(self, count):
        """The current step as a progress of ``count`` steps of its own."""
        return _Progress(self.step if self.callback is not None else None, count)


def fetch(request, context=None):
    """Fetch ``request`` into its output folder -> FetchResult."""
    context = context or FetchContext()
    if context.session is None:
        context = replace(context, session=make_session(proxies=context.proxies))
    check_year(request.product, int(request.year))
    folder = Path(request.output_folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FetchError(
            f"Cannot create the output folder '{folder}': {error.strerror}. Choose another folder."
        ) from None
    kind = source_kind(request.product, request.source_url)
    # A cancel also ends the waits between retries (Retry-After, backoff).
    with cancellable(context.session, context.is_cancelled):
        if kind == "stac" and request.product in CLMS_PRODUCTS:
            return _fetch_clms(request, context, folder)
        if kind == "stac":
            return _fetch_oso_stac(request, context, folder)
        if kind == "raster":
            return _fetch_oso_raster(request, context, folder)
        return _fetch_oso_sentinelhub(request, context, folder)


def _log(context, message):
    if context.log is not None:
        context.log(message)


def _cancelled(context):
    return context.is_cancelled is not None and context.is_cancelled()


def _stac_search():
    """The STAC search module; pystac-client is imported only when a search runs, QGIS's own or
    the copy shipped with the plugin (plugin/dependencies.py). Any failure to import it (missing,
    too old a Python for the shipped copy, an installed pystac that does not suit it) is a
    FetchError that says what to do: the dock and the algorithms show it, never a traceback."""
    dependencies.apply()  # decided once, when the plugin loaded; here for other entry points
    try:
        from . import stac_search
    except Exception as error:  # noqa: BLE001 (a third-party import may fail in any way)
        raise FetchError(dependencies.search_unavailable(error)) from None
    return stac_search


def _fetch_clms(request, context, folder):
    stac = _stac_search()
    source = request.source_url or stac.CDSE_STAC_URL
    layers = CLMS_PRODUCTS[request.product]
    try:
        bbox = stac.bbox_to_4326(request.bounds, request.bounds_crs)
    except ValueError as error:
        raise FetchError(str(error)) from None
    try:
        found = stac.search_products(
            source,
            bbox,
            int(request.year),
            proxies=context.proxies,
            is_cancelled=context.is_cancelled,
        )
    except stac.StacSearchError as error:
        raise FetchError(str(error)) from None
    products = [p for p in found.products if all(getattr(p, layer) for layer in layers)]
    if not products:
        missing = (
            ""
            if not found.products
            else " (tiles without all layers: " + ", ".join(p.tile for p in found.products) + ")"
        )
        raise FetchError(
            f"No {' + '.join(layer.upper() for layer in layers)} product for {request.year} "
            f"over the area (lon/lat {', '.join(f'{v:.4f}' for v in bbox)}) in {shown(source)}"
            f"{missing}. Check the year (2017 onward) and that the area is in the EEA-38 countries."
        )
    epsgs = sorted({p.epsg for p in products})
    if len(epsgs) > 1:
        raise FetchError(
            f"The area covers tiles in several projections (EPSG {', '.join(map(str, epsgs))}); "
            "fetch the European and the overseas parts separately."
        )
    _log(context, f"{len(products)} tile(s): {', '.join(p.tile for p in products)}")
    incomplete = [p.tile for p in found.products if p not in products]
    if incomplete:
        _log(
            context,
            f"Warning: tile(s) {', '.join(incomplete)} lack a layer of {request.year} and are "
            "left out: their part of the area stays nodata.",
        )
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
    result = FetchResult(items=len(products) * len(layers))
    entries = [(layer, p) for layer in layers for p in products]
    # One step per clipped layer, or per whole file.
    progress = _Progress(context.progress, len(layers) if request.clip else len(entries))
    names = _asset_file_names(
        [getattr(p, layer) for layer, p in entries], [f"{layer}_{p.key}" for layer, p in entries]
    )
    names = dict(zip([(layer, p.key) for layer, p in entries], names))
    paths = {}
    for layer in layers:
        assets = [getattr(p, layer) for p in products]
        local_names = [names[(layer, p.key)] for p in products]
        name = f"{layer.upper()}_{request.year}"
        if request.clip:
            paths[layer] = _clip(
                [_asset_source(asset, context) for asset in assets],
                request,
                folder / f"{name}_{area_tag(request)}.tif",
                context,
                result,
                progress,
                headers_provider=_bearer(context, assets),
                local_names=local_names,
            )
            progress.next()
        else:
            known = [asset.size for asset in assets if asset.size]
            if known:
                _log(context, f"{layer.upper()}: {len(assets)} whole file(s), {sum(known)} bytes")
            files = []
            for asset, local in zip(assets, local_names):
                files.append(_whole_file(asset, local, folder, context, result, progress))
                progress.next()
            paths[layer] = (
                files[0]
                if len(files) == 1
                else _mosaic_vrt(files, folder / f"{name}_{area_tag(request)}.vrt")
            )
        result.files.append(str(paths[layer]))
    result.class_layer = str(paths["cty"]) if "cty" in paths else None
    result.confidence_layer = str(paths["ctycl"])
    return result


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


def _clip(sources, request, out_path, context, result, progress, headers_provider=None,
          band_names=None, local_names=None):  # fmt: skip
    """Clip ``sources`` into ``out_path``; a server refusing range reads gets whole downloads
    into ``whole/`` under ``local_names`` (one per source, unique; default from the URLs)."""
    local_names = local_names or _url_file_names(sources)
    options = {
        "bounds": request.bounds,
        "crs_of_bounds": request.bounds_crs,
        "out_path": out_path,
        "band_names": band_names,
        "progress": progress.step,
        "is_cancelled": context.is_cancelled,
    }
    try:
        clipped = clipping.clip_to_area(
            sources,
            token_provider=headers_provider,
            proxies=context.proxies,
            s3_credentials=context.s3_credentials,
            **options,
        )
    except clipping.RangesNotSupported:
        if not context.whole_fallback:
            raise FetchError(
                f"The server of {shown(str(sources[0]))} does not allow range reads, so the area "
                "cannot be read alone. Untick 'Clip to the area' to download the whole files "
                "(their size is asked for confirmation)."
            ) from None
        _log(context, "The server does not allow range reads: downloading whole files first.")
        # This clip's step: one part per download, then one for the local clip.
        parts = progress.part(len(sources) + 1)
        local = []
        for source, name in zip(sources, local_names):
            remote = urlsplit(str(source)).scheme in ("http", "https")
            local.append(
                _download_url(
                    source,
                    name,
                    out_path.parent / "whole",
                    context,
                    result,
                    parts,
                    headers_provider,
                )
                if remote
                else source
            )
            parts.next()
        clipped = clipping.clip_to_area(local, **{**options, "progress": parts.step})
    result.bytes_transferred += clipped.bytes_transferred
    _log(context, f"Clipped {out_path.name}: {clipped.bytes_transferred} bytes transferred")
    return Path(clipped.path)


def _sanitised(text):
    """``text`` reduced to letters, digits, '.', '_' and '-' (a safe file name stem)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:200] or "download"


def _raster_suffix(href):
    suffix = Path(urlsplit(str(href)).path).suffix
    return suffix if suffix.lower() in (".tif", ".tiff", ".vrt") else ".tif"


def _unique(names, labels):
    """``names`` made unique (ignoring case, for Windows and macOS): a name shared by several
    sources gets ``_<label>`` before its extension, then ``_<position>`` if still shared."""
    for extra in (labels, [str(position) for position in range(1, len(names) + 1)]):
        counts = Counter(name.lower() for name in names)
        names = [
            f"{Path(name).stem}_{_sanitised(label)}{Path(name).suffix}"
            if counts[name.lower()] > 1
            else name
            for name, label in zip(names, extra)
        ]
    return [safe_file_name(name) for name in names]


def _asset_file_names(assets, labels):
    """Local names for the whole files of STAC assets, one per asset, unique in the fetch.

    A file is saved under its item id (unique in a catalogue; CLMS ids name the layer and the
    tile) with the href's extension, not under the href's own name: a catalogue may call every
    file ``data.tif``. ``labels`` tell apart assets of items with the same id."""
    names = [_sanitised(asset.item_id) + _raster_suffix(asset.href) for asset in assets]
    return _unique(names, labels)


def _url_file_names(urls, labels=None):
    """Local names for raster URLs or paths: their own file names, made unique within the
    fetch (``labels``, e.g. the OSO band names, tell apart files with the same name)."""
    names = [_sanitised(Path(urlsplit(str(url)).path).stem) + _raster_suffix(url) for url in urls]
    return _unique(names, labels or [str(position) for position in range(1, len(urls) + 1)])


def _download_url(url, name, folder, context, result, progress, tokens=None, asset=None):
    downloaded = download(
        url,
        folder,
        name,
        context.session,
        token_provider=tokens,
        expected_size=asset.size if asset else None,
        checksum=asset.checksum if asset else None,
        progress=lambda done, total: progress.step(done / total if total else 0.0),
        is_cancelled=context.is_cancelled,
    )
    result.bytes_transferred += downloaded.bytes_transferred
    return Path(downloaded.path)


def _whole_file(asset, name, folder, context, result, progress):
    href = asset.href
    local = clipping.local_path(href)
    if local is not None:
        return _copy_local(Path(local), folder / name, context)
    if urlsplit(href).scheme.lower() in ("http", "https"):
        tokens = context.cdse_tokens if "oidc" in (asset.auth_refs or ()) else None
        return _download_url(href, name, folder, context, result, progress, tokens, asset)
    raise FetchError(
        f"The asset {asset.item_id} is only available at {shown(href)}; whole-file download "
        "supports HTTP(S) and local files. Use clipping (it reads s3:// through GDAL with your "
        "S3 keys)."
    )


def _copy_local(source, target, context):
    if not source.is_file():
        raise FetchError(f"The catalogue points to '{source}', which does not exist.")
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return target
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        shutil.copyfile(source, temporary)
        if _cancelled(context):
            raise CropMaskCancelled("Cancelled: nothing was written.")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _gdal_write(what, function, *args, **kwargs):
    """Run a GDAL utility (BuildVRT, Translate) that writes a dataset, and close it.

    gdal.UseExceptions() is process-wide: other plugins rely on their own setting, and
    switching it even for a moment would change their behaviour in other threads. This works
    with the setting as it is: an exception, or None with GDAL's last error message."""
    from osgeo import gdal

    gdal.ErrorReset()
    try:
        dataset = function(*args, **kwargs)
    except (RuntimeError, ValueError, TypeError) as error:
        # An input GDAL could not open: ValueError up to GDAL 3.9, TypeError ("Received a
        # NULL pointer") from 3.10 with exceptions off; RuntimeError with them on.
        reason = gdal.GetLastErrorMsg() or str(error)
    else:
        if dataset is not None:
            dataset.FlushCache()
            dataset = None  # closes the file
            return
        reason = gdal.GetLastErrorMsg() or "GDAL gave no reason"
    raise FetchError(
        f"Cannot write {what}: {reason}. Check the free space and the permissions of the "
        "output folder, and that the fetched files open in QGIS."
    )


def _mosaic_vrt(files, target):
    from osgeo import gdal

    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part.vrt")
    try:
        _gdal_write(
            f"the mosaic {target.name} of {len(files)} files",
            gdal.BuildVRT,
            str(temporary),
            [str(path) for path in files],
        )
        _relative_sources(temporary, target.parent)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _relative_sources(vrt_path, folder):
    """Make the VRT's source paths relative, so that the folder can be moved."""
    text = vrt_path.read_text(encoding="utf-8")
    prefix = f'<SourceFilename relativeToVRT="0">{folder}/'
    vrt_path.write_text(
        text.replace(prefix, '<SourceFilename relativeToVRT="1">'), encoding="utf-8"
    )


def _band_vrts(path, stem, folder):
    """One single-band VRT per OSO band of a 3-band file: class, confidence, validity."""
    from osgeo import gdal

    gdal.ErrorReset()
    try:
        source = gdal.OpenEx(str(path), gdal.OF_RASTER)
    except RuntimeError:  # GDAL exceptions switched on by someone else
        source = None
    if source is None:
        raise FetchError(
            f"Cannot open the fetched file {path}: {gdal.GetLastErrorMsg() or 'not a raster'}. "
            "Delete it and fetch again."
        )
    outputs = []
    for index, band in enumerate(OSO_BANDS, start=1):
        target = folder / f"{stem}_{band}.vrt"
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part.vrt")
        try:
            _gdal_write(
                f"the {band} layer {target.name} of {Path(path).name}",
                gdal.Translate,
                str(temporary),
                source,
                format="VRT",
                bandList=[index],
            )
            _relative_sources(temporary, folder)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        outputs.append(target)
    return outputs


def _oso_result(paths, result):
    result.class_layer, result.confidence_layer, result.validity_layer = map(str, paths)
    result.files.extend(result_file for result_file in map(str, paths))
    return result


def _fetch_oso_raster(request, context, folder):
    urls = [
        part.strip().replace("{year}", str(request.year)) for part in request.source_url.split("|")
    ]
    if len(urls) not in (1, 3):
        raise FetchError(
            f"Give one 3-band OSO raster or three rasters (OCS|OCS_Confidence|OCS_Validity); "
            f"got {len(urls)} addresses."
        )
    if len(urls) == 1:
        return _fetch_oso_files(request, context, folder, urls, _url_file_names(urls), items=1)
    stem = f"OSO_{request.year}"
    result = FetchResult(items=len(urls))
    progress = _Progress(context.progress, len(urls))
    paths = []
    for url, band, name in zip(urls, OSO_BANDS, _url_file_names(urls, OSO_BANDS)):
        if request.clip:
            target = folder / f"{stem}_{band}_{area_tag(request)}.tif"
            paths.append(
                _clip(
                    [url],
                    request,
                    target,
                    context,
                    result,
                    progress,
                    band_names=(band,),
                    local_names=[name],
                )  # fmt: skip
            )
        else:
            paths.append(_whole_raster(url, name, folder, context, result, progress))
        progress.next()
    return _oso_result(paths, result)


def _fetch_oso_stac(request, context, folder):
    stac = _stac_search()
    try:
        bbox = stac.bbox_to_4326(request.bounds, request.bounds_crs)
        items = stac.search_items(
            request.source_url, bbox, int(request.year), (OSO_STAC_COLLECTION,),
            proxies=context.proxies, is_cancelled=context.is_cancelled,
        )  # fmt: skip
    except (ValueError, stac.StacSearchError) as error:
        raise FetchError(str(error)) from None
    assets = stac.data_assets(items)
    if not assets:
        raise FetchError(
            f"No OSO {request.year} raster over the area in {shown(request.source_url)} "
            f"(collection '{OSO_STAC_COLLECTION}'). OSO covers metropolitan France from 2016."
        )
    names = _asset_file_names(assets, [str(index) for index in range(1, len(assets) + 1)])
    return _fetch_oso_files(
        request, context, folder, [asset.href for asset in assets], names, items=len(assets)
    )


def _fetch_oso_files(request, context, folder, sources, names, items):
    """3-band OSO rasters (one per tile) -> one clipped file or the whole files (saved under
    ``names``), then a single-band VRT per band."""
    stem = f"OSO_{request.year}"
    result = FetchResult(items=items)
    progress = _Progress(context.progress, 1 if request.clip else len(sources))
    if request.clip:
        tag = f"{stem}_{area_tag(request)}"
        merged = _clip(
            sources, request, folder / f"{tag}.tif", context, result, progress,
            band_names=OSO_BANDS, local_names=names,
        )  # fmt: skip
        progress.next()
    else:
        files = []
        for source, name in zip(sources, names):
            files.append(_whole_raster(source, name, folder, context, result, progress))
            progress.next()
        merged = (
            files[0]
            if len(files) == 1
            else _mosaic_vrt(files, folder / f"{stem}_{area_tag(request)}.vrt")
        )
        tag = Path(merged).stem
    _check_band_count(merged, url=sources[0])
    paths = _band_vrts(merged, tag, folder)
    result.files.append(str(merged))
    return _oso_result(paths, result)


def _check_band_count(path, url):
    import rasterio

    with rasterio.open(path) as dataset:
        if dataset.count < 3:
            raise FetchError(
                f"The OSO raster {shown(url)} has {dataset.count} band(s): it holds only the "
                "classes. Give the three rasters separated by '|': "
                "OCS|OCS_Confidence|OCS_Validity."
            )


def _whole_raster(url, name, folder, context, result, progress):
    local = clipping.local_path(url)
    if local is not None:
        return _copy_local(Path(local), folder / name, context)
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return _download_url(url, name, folder, context, result, progress)
    raise FetchError(
        f"Cannot download {shown(url)} whole: give an http(s) address or a local file path."
    )


def _fetch_oso_sentinelhub(request, context, folder):
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
    stem = f"OSO_{request.year}_{area_tag(request)}"
    options = {"base_url": sentinelhub_base_url(request.source_url)} if request.source_url else {}
    if context.sentinelhub_collection:
        options["collection_id"] = context.sentinelhub_collection
    bounds_2154 = transform_bounds(request.bounds_crs, "EPSG:2154", *request.bounds, densify_pts=21)
    fetched = sentinelhub.fetch_oso(
        bounds_2154,
        int(request.year),
        folder / f"{stem}.tif",
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
    result = FetchResult(items=fetched.requests, bytes_transferred=fetched.bytes_transferred)
    paths = _band_vrts(Path(fetched.path), stem, folder)
    result.files.append(str(fetched.path))
    return _oso_result(paths, result)
