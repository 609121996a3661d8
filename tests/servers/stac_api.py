"""A small STAC API on 127.0.0.1 for the tests, shaped like the CDSE STAC API.

Landing page with conformsTo, /conformance, /collections, /collections/<id>,
/search in GET and POST with ``limit`` (default 12) and paging through
``links[rel=next]`` in GET form (token in the query) or POST form (token in the
body, full body or merged). Scripted faults (429 with Retry-After, 5xx,
malformed JSON) are served before normal answers. Every request is recorded.
"""

import contextlib
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from rasterio.warp import transform_bounds

CTY_COLLECTION = "clms_vlcc_crop-types_europe_10m_yearly_v1"
CTYCL_COLLECTION = "clms_vlcc_crop-types-confidence-layer_europe_10m_yearly_v1"
CONFORMANCE = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
    "https://api.stacspec.org/v1.0.0/collections",
    "https://api.stacspec.org/v1.0.0/ogcapi-features",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
COG = "image/tiff; application=geotiff; profile=cloud-optimized"
DOWNLOAD_ROOT = "https://download.dataspace.copernicus.eu/odata/v1"


def clms_id(layer, year, tile, epsg=3035, version=1, revision=0):
    return f"CLMS_HRLVLCC_{layer}_S{year}_R10m_{tile}_{epsg:05d}_V{version:02d}_R{revision:02d}"


def tile_bbox_4326(tile):
    """EPSG:4326 bounds of an EEA reference grid tile such as "E38N26"."""
    east, north = (int(part) for part in tile[1:].split("N"))
    left, bottom = east * 100_000, north * 100_000
    return list(
        transform_bounds("EPSG:3035", "EPSG:4326", left, bottom, left + 100_000, bottom + 100_000)
    )


def stac_collection(collection_id, links, start=None):
    """A core STAC 1.1 collection: world extent, from ``start`` (open when None)."""
    return {
        "type": "Collection",
        "stac_version": "1.1.0",
        "id": collection_id,
        "description": collection_id,
        "license": "other",
        "extent": {
            "spatial": {"bbox": [[-180, -90, 180, 90]]},
            "temporal": {"interval": [[start, None]]},
        },
        "links": links,
    }


def feature(item_id, collection, bbox, year, assets, properties=None, extensions=()):
    """A STAC item over ``bbox`` (EPSG:4326) for the calendar ``year``."""
    west, south, east, north = bbox
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "stac_extensions": list(extensions),
        "id": item_id,
        "collection": collection,
        "bbox": list(bbox),
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [east, south], [east, north], [west, north], [west, south]]
            ],
        },
        "properties": {
            "datetime": f"{year}-01-01T00:00:00Z",
            "start_datetime": f"{year}-01-01T00:00:00Z",
            "end_datetime": f"{year}-12-31T23:59:59Z",
            **(properties or {}),
        },
        "links": [],
        "assets": assets,
    }


def cdse_item(
    layer,
    year,
    tile,
    epsg=3035,
    version=1,
    revision=0,
    size=123_456_789,
    with_alternate=True,
    bbox=None,
):
    """An item shaped like CDSE's: s3 href, https alternate, extra non-data assets."""
    item_id = clms_id(layer, year, tile, epsg, version, revision)
    collection = CTY_COLLECTION if layer == "CTY" else CTYCL_COLLECTION
    bbox = bbox or tile_bbox_4326(tile)
    folder = f"CLMS/landcover_landuse/crop_types/{collection}/{year}/01/01/{item_id}"
    node = f"{DOWNLOAD_ROOT}/Products(00000000-0000-0000-0000-{zlib.crc32(item_id.encode()):012d})"
    tif = {
        "href": f"s3://eodata/{folder}/{item_id}.tif",
        "type": COG,
        "title": f"{layer} GeoTIFF",
        "roles": ["data"],
        "auth:refs": ["s3"],
        "file:size": size,
        "file:checksum": "1220" + f"{len(item_id):02x}" * 32,
    }
    if with_alternate:
        tif["alternate"] = {
            "https": {
                "href": f"{node}/Nodes({item_id})/Nodes({item_id}.tif)/$value",
                "auth:refs": ["oidc"],
            }
        }
    # Keys that would mislead a chooser by key: "data" is the archive.
    assets = {
        "data": {
            "href": f"{node}/$value",
            "type": "application/zip",
            "roles": ["archive"],
            "auth:refs": ["oidc"],
        },
        "metadata": {
            "href": f"s3://eodata/{folder}/{item_id}.xml",
            "type": "application/xml",
            "roles": ["metadata"],
        },
        "thumbnail": {
            "href": f"s3://eodata/{folder}/{item_id}_thumb.tif",
            "type": "image/tiff",
            "roles": ["thumbnail"],
        },
        f"{layer}_raster": tif,
    }
    properties = {
        "gsd": 10,
        "proj:code": f"EPSG:{epsg}",
        "proj:shape": [10000, 10000],
        "proj:transform": [10, 0, 3800000, 0, -10, 2700000],
        "auth:schemes": {
            "s3": {"type": "s3"},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://example.invalid"},
        },
        "storage:schemes": {"cdse-s3": {"type": "custom-s3", "platform": "eodata"}},
    }
    extensions = [
        f"https://stac-extensions.github.io/{name}/schema.json"
        for name in (
            "projection/v2.0.0",
            "file/v2.1.0",
            "alternate-assets/v1.2.0",
            "authentication/v1.1.0",
        )
    ]
    return feature(item_id, collection, bbox, year, assets, properties, extensions)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    body: object
    time: float
    headers: dict


@dataclass
class Fault:
    path: str
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0


def _parse_time(text):
    if text in ("", ".."):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


class StacApiServer:
    """Threaded loopback STAC API. Use as a context manager; ``url`` is the root."""

    def __init__(self, items=(), page_size=12, next_form="GET", root_path=""):
        self.items = list(items)
        self.root_path = root_path.rstrip("/")  # e.g. "/stac/v1": the API below a path
        self.page_size = page_size
        self.next_form = next_form  # "GET", "POST" (full body) or "POST-merge"
        self.requests = []
        self.faults = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{self.root_path}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def add_fault(self, path, status, body=b"", headers=None, times=1, delay=0.0):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.faults.append(Fault(path, status, body, headers or {}, times, delay))

    def requests_to(self, path):
        return [request for request in self.requests if request.path == path]

    # ---- answers

    def landing(self):
        root = self.url
        return {
            "type": "Catalog",
            "stac_version": "1.1.0",
            "id": "test-stac-api",
            "description": "Loopback STAC API for the Crop Confidence tests",
            "conformsTo": CONFORMANCE,
            "links": [
                {"rel": "self", "href": f"{root}/", "type": "application/json"},
                {"rel": "root", "href": f"{root}/", "type": "application/json"},
                {"rel": "conformance", "href": f"{root}/conformance"},
                {"rel": "data", "href": f"{root}/collections", "type": "application/json"},
                {
                    "rel": "search",
                    "href": f"{root}/search",
                    "type": "application/geo+json",
                    "method": "GET",
                },
                {
                    "rel": "search",
                    "href": f"{root}/search",
                    "type": "application/geo+json",
                    "method": "POST",
                },
            ],
        }

    def collection(self, collection_id):
        return stac_collection(
            collection_id,
            [
                {"rel": "self", "href": f"{self.url}/collections/{collection_id}"},
                {"rel": "root", "href": f"{self.url}/"},
            ],
            start="2017-01-01T00:00:00Z",
        )

    def collection_ids(self):
        return sorted({item["collection"] for item in self.items})

    def search(self, params):
        """Filter items and build one page. ``params`` as JSON-like values."""
        collections = params.get("collections")
        bbox = params.get("bbox")
        interval = params.get("datetime")
        limit = int(params.get("limit") or self.page_size)
        offset = int(params["token"].split(":")[1]) if params.get("token") else 0
        matched = []
        for item in sorted(self.items, key=lambda entry: entry["id"]):
            if collections and item["collection"] not in collections:
                continue
            if bbox and not (
                item["bbox"][0] <= bbox[2]
                and bbox[0] <= item["bbox"][2]
                and item["bbox"][1] <= bbox[3]
                and bbox[1] <= item["bbox"][3]
            ):
                continue
            if interval:
                start, _, end = interval.partition("/")
                start, end = _parse_time(start), _parse_time(end or start)
                item_start = _parse_time(item["properties"]["start_datetime"])
                item_end = _parse_time(item["properties"]["end_datetime"])
                if (end and item_start > end) or (start and item_end < start):
                    continue
            matched.append(item)
        page = matched[offset : offset + limit]
        links = [{"rel": "root", "href": f"{self.url}/"}]
        if offset + limit < len(matched):
            links.append(self._next_link(params, f"next:{offset + limit}"))
        return {
            "type": "FeatureCollection",
            "features": page,
            "links": links,
            "numberMatched": len(matched),
            "numberReturned": len(page),
        }

    def _next_link(self, params, token):
        href = f"{self.url}/search"
        if self.next_form == "GET":
            query = {key: value for key, value in params.items() if key != "token"}
            for key in ("collections", "bbox"):
                if isinstance(query.get(key), list):
                    query[key] = ",".join(str(value) for value in query[key])
            query["token"] = token
            return {"rel": "next", "href": f"{href}?{urlencode(query)}", "method": "GET"}
        if self.next_form == "POST":
            body = {**{k: v for k, v in params.items() if k != "token"}, "token": token}
            return {"rel": "next", "href": href, "method": "POST", "body": body, "merge": False}
        return {
            "rel": "next",
            "href": href,
            "method": "POST",
            "body": {"token": token},
            "merge": True,
        }

    # ---- HTTP

    def _take_fault(self, path):
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path):
                    fault.times -= 1
                    return fault
        return None

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def _serve(self, method):
                parts = urlsplit(self.path)
                if server.root_path and parts.path.startswith(server.root_path):
                    parts = parts._replace(path=parts.path[len(server.root_path) :] or "/")
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                body = None
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.requests.append(
                        RecordedRequest(
                            method, parts.path, query, body, time.monotonic(), dict(self.headers)
                        )
                    )
                fault = server._take_fault(parts.path)
                if fault:
                    time.sleep(fault.delay)
                    self._send(fault.status, fault.body, fault.headers)
                    return
                path = parts.path.rstrip("/") or "/"
                if path == "/":
                    self._json(server.landing())
                elif path == "/conformance":
                    self._json({"conformsTo": CONFORMANCE})
                elif path == "/collections":
                    ids = server.collection_ids()
                    self._json({"collections": [server.collection(i) for i in ids], "links": []})
                elif path.startswith("/collections/") and path.count("/") == 2:
                    collection_id = path.split("/")[2]
                    if collection_id in server.collection_ids():
                        self._json(server.collection(collection_id))
                    else:
                        self._json({"code": "NotFound", "description": "no collection"}, 404)
                elif path == "/search":
                    params = body if method == "POST" else self._query_params(query)
                    self._json(server.search(params or {}), content="application/geo+json")
                else:
                    self._json({"code": "NotFound", "description": parts.path}, 404)

            @staticmethod
            def _query_params(query):
                params = dict(query)
                if "collections" in params:
                    params["collections"] = params["collections"].split(",")
                if "bbox" in params:
                    params["bbox"] = [float(value) for value in params["bbox"].split(",")]
                return params

            def _json(self, document, status=200, content="application/json"):
                self._send(status, json.dumps(document).encode(), {"Content-Type": content})

            def _send(self, status, body, headers):
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may have given up (timeout tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        return Handler
