"""A loopback Sentinel Hub for the tests: OAuth token, Catalog search and Process API.

- `POST /auth/realms/main/protocol/openid-connect/token`: client credentials (form); checks the
  client id and secret; tokens announce `expires_in` and die after `access_lifetime` seconds.
- `POST /api/v1/catalog/1.0.0/search`: bearer token; filters `features` by collection, bbox
  (EPSG:4326) and datetime interval; pages of `limit` items, `context.next` an integer offset
  that must come back as `"next"` in an otherwise identical body (else 400).
- `POST /api/v1/process`: bearer token; reads `input.bounds` (EPSG:2154 bbox), `output.width`
  and `height`, refuses (400) more than `max_size` px in either dimension like the real service,
  and answers a 3-band uint8 GeoTIFF cut out of the fixture raster (0 outside it).
- `forced`: (path prefix, status, headers, body) answers given before anything else;
  `revoke_at`: the Process request number at which every token issued so far dies (401);
  `fail_at`: Process request number -> (status, message) answered instead of the image.
- Every request is recorded (`requests`) with its status and body size sent.
- `process_peak`: the most Process requests answered at once (from their arrival until their
  answer is ready, just before it is sent); `process_gate = (count, timeout)` holds each Process
  request until `count` of them are in flight together (the gate then stays open) or `timeout`
  seconds have passed, so that requests sent together are seen together.
"""

import contextlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Optional
from urllib.parse import parse_qs

import numpy as np
import rasterio
from rasterio.io import MemoryFile
from rasterio.transform import from_origin
from rasterio.windows import Window

from .loopback import LoopbackServer

TOKEN_PATH = "/auth/realms/main/protocol/openid-connect/token"
CATALOG_PATH = "/api/v1/catalog/1.0.0/search"
PROCESS_PATH = "/api/v1/process"
LAMBERT93_URI = "http://www.opengis.net/def/crs/EPSG/0/2154"
COLLECTION_ID = "9baa2732-6597-49d2-ae3b-68ba0a5386b2"
BANDS = ("OCS", "OCS_Confidence", "OCS_Validity")


@dataclass
class Served:
    path: str
    status: int
    body: object  # parsed JSON (catalog, process) or form (token)
    token: Optional[str]
    bytes_sent: int


def oso_feature(year, bbox, tile="31TCJ", datetime_key="datetime"):
    """A Catalog feature shaped like a BYOC tile."""
    west, south, east, north = bbox
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": f"oso-{tile}-{year}-{secrets.token_hex(4)}",
        "bbox": list(bbox),
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [east, south], [east, north], [west, north], [west, south]]
            ],
        },
        "properties": {datetime_key: f"{year}-01-01T00:00:00Z"},
        "links": [],
        "assets": {},
    }


def _parse_interval(text):
    start, _, end = text.partition("/")
    return start[:19], (end or start)[:19]


class SentinelHubServer(LoopbackServer):
    def __init__(
        self,
        fixture=None,
        features=(),
        collection_id=COLLECTION_ID,
        max_size=2500,
        expires_in=3600,
        access_lifetime=None,
        delay=0.0,
    ):
        self.fixture = fixture  # path of a 3-band uint8 EPSG:2154 raster, or None
        self.features = list(features)
        self.collection_type = f"byoc-{collection_id}"
        self.max_size = max_size
        self.expires_in = expires_in
        self.access_lifetime = access_lifetime
        self.delay = delay  # seconds each Process answer waits
        self.shift = 0.0  # metres added to the x origin of the GeoTIFFs served (a wrong grid)
        self.clients = {}
        self.forced = []
        self.revoke_at = None
        self.fail_at = {}  # Process request number -> (status, message)
        self.requests = []
        self.issued = []
        self.next_sent = []  # every context.next handed out
        self._tokens = {}  # access token -> monotonic expiry
        self._process_count = 0
        self.process_gate = None  # (count, timeout seconds), see the module's text
        self.process_in_flight = 0
        self.process_peak = 0
        self._gate_open = threading.Event()
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- set-up ----------------------------------------------------------------------------

    def add_client(self, client_id, secret):
        self.clients[client_id] = secret

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_url(self):
        return self.url + TOKEN_PATH

    def _handler(self):
        return _handler_for(self)

    # -- inspection ------------------------------------------------------------------------

    def served(self, path, status=None):
        return [
            entry
            for entry in self.requests
            if entry.path == path and (status is None or entry.status == status)
        ]

    def secrets_seen(self):
        return set(self.issued) | {secret for secret in self.clients.values() if secret}

    def _process_started(self):
        with self._lock:
            self.process_in_flight += 1
            self.process_peak = max(self.process_peak, self.process_in_flight)
            gate = self.process_gate
            if gate is not None and self.process_in_flight >= gate[0]:
                self._gate_open.set()
        if gate is not None:
            self._gate_open.wait(gate[1])

    def _process_finished(self):
        with self._lock:
            self.process_in_flight -= 1

    # -- endpoints -------------------------------------------------------------------------

    def token(self, form):
        client_id = form.get("client_id")
        if form.get("grant_type") != "client_credentials":
            return 400, _oauth_error("unsupported_grant_type", "Unsupported grant_type")
        if client_id not in self.clients or form.get("client_secret") != self.clients[client_id]:
            return 401, _oauth_error(
                "unauthorized_client", "Invalid client or Invalid client credentials"
            )
        access = secrets.token_urlsafe(24)
        lifetime = self.access_lifetime if self.access_lifetime is not None else self.expires_in
        with self._lock:
            self._tokens[access] = time.monotonic() + lifetime
            self.issued.append(access)
        return 200, {
            "access_token": access,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "not-before-policy": 0,
        }

    def valid(self, token):
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def revoke_tokens(self):
        with self._lock:
            self._tokens.clear()

    def catalog(self, body):
        collections = body.get("collections") or []
        if collections != [self.collection_type]:
            return 404, _sh_error(404, f"Collection {collections} not found.")
        limit = int(body.get("limit") or 10)
        if not 1 <= limit <= 100:
            return 400, _sh_error(400, "limit must be between 1 and 100")
        offset = body.get("next", 0)
        if "next" in body and offset not in self.next_sent:
            return 400, _sh_error(400, f"Invalid next token {offset!r}.")
        west, south, east, north = body["bbox"]
        start, end = _parse_interval(body["datetime"])
        matched = []
        for feature in self.features:
            bbox = feature["bbox"]
            if not (bbox[0] <= east and west <= bbox[2] and bbox[1] <= north and south <= bbox[3]):
                continue
            properties = feature["properties"]
            stamp = (properties.get("datetime") or properties.get("start_datetime") or "")[:19]
            if stamp and not start <= stamp <= end:
                continue
            matched.append(feature)
        page = matched[offset : offset + limit]
        context = {"limit": limit, "returned": len(page)}
        if offset + limit < len(matched):
            context["next"] = offset + limit
            self.next_sent.append(offset + limit)
        return 200, {"type": "FeatureCollection", "features": page, "links": [], "context": context}

    def process(self, body):
        """-> (status, content type, bytes)."""
        try:
            data = body["input"]["data"][0]
            bounds = body["input"]["bounds"]
            bbox = [float(value) for value in bounds["bbox"]]
            crs = bounds["properties"]["crs"]
            width, height = int(body["output"]["width"]), int(body["output"]["height"])
            response_format = body["output"]["responses"][0]["format"]["type"]
            evalscript = body["evalscript"]
            time_range = data["dataFilter"]["timeRange"]
        except (KeyError, IndexError, TypeError, ValueError) as error:
            return _json_answer(400, _sh_error(400, f"Malformed request: {error!r}"))
        if data.get("type") != self.collection_type:
            return _json_answer(400, _sh_error(400, f"Unknown collection {data.get('type')}"))
        if crs != LAMBERT93_URI or response_format != "image/tiff":
            return _json_answer(400, _sh_error(400, "Only EPSG:2154 GeoTIFF is served here."))
        if width > self.max_size or height > self.max_size:
            return _json_answer(
                400,
                _sh_error(
                    400,
                    f"Your request of {width}x{height} pixels exceeds the limit of "
                    f"{self.max_size}x{self.max_size} pixels.",
                ),
            )
        needed = ("VERSION=3", 'units: "DN"', 'sampleType: "UINT8"', *BANDS)
        if not all(word in evalscript for word in needed):
            return _json_answer(400, _sh_error(400, "Evalscript does not read the OSO bands."))
        xmin, ymin, xmax, ymax = bbox
        if (xmax - xmin) / width != 10.0 or (ymax - ymin) / height != 10.0:
            return _json_answer(400, _sh_error(400, "This test server only serves 10 m pixels."))
        year = time_range["from"][:4]
        if time_range["to"][:4] != year:
            return _json_answer(400, _sh_error(400, "Give one year per request."))
        transform = from_origin(xmin + self.shift, ymax, 10.0, 10.0)
        array = np.zeros((3, height, width), np.uint8)
        if self.fixture is not None:
            with rasterio.open(self.fixture) as source:
                col = (xmin - source.transform.c) / 10.0
                row = (source.transform.f - ymax) / 10.0
                if col != int(col) or row != int(row):
                    return _json_answer(400, _sh_error(400, "Request off the 10 m lattice."))
                window = Window(int(col), int(row), width, height)
                array = source.read(window=window, boundless=True, fill_value=0)
        profile = {
            "driver": "GTiff",
            "width": width,
            "height": height,
            "count": 3,
            "dtype": "uint8",
            "crs": "EPSG:2154",
            "transform": transform,
        }
        with MemoryFile() as memory:
            with memory.open(**profile) as dataset:
                dataset.write(array)
            return 200, "image/tiff", memory.read()

    def handle(self, path, headers, raw):
        """-> (status, headers, body bytes, parsed request body, token)."""
        token = None
        authorization = headers.get("Authorization") or ""
        match = re.fullmatch(r"Bearer (\S+)", authorization)
        if match:
            token = match.group(1)
        if path == TOKEN_PATH:
            parsed = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        else:
            try:
                parsed = json.loads(raw or b"null")
            except ValueError:
                parsed = None
        with self._lock:
            for index, (prefix, status, extra, body) in enumerate(self.forced):
                if path.startswith(prefix):
                    del self.forced[index]
                    return status, extra, body, parsed, token
        if path == TOKEN_PATH:
            status, payload = self.token(parsed)
            return (status, *_json_answer_headers(payload), parsed, token)
        if path not in (CATALOG_PATH, PROCESS_PATH):
            return (404, *_json_answer_headers(_sh_error(404, "Not found")), parsed, token)
        if path == PROCESS_PATH:
            with self._lock:
                self._process_count += 1
                revoke = self._process_count == self.revoke_at
                failure = self.fail_at.get(self._process_count)
            if revoke:
                self.revoke_tokens()
            if failure:
                status, message = failure
                return (status, *_json_answer_headers(_sh_error(status, message)), parsed, token)
        if not self.valid(token):
            error = _sh_error(401, "Unauthorized: token expired or invalid")
            return (401, *_json_answer_headers(error), parsed, token)
        if not isinstance(parsed, dict):
            return (400, *_json_answer_headers(_sh_error(400, "Body is not JSON")), parsed, token)
        if path == CATALOG_PATH:
            status, payload = self.catalog(parsed)
            return (status, *_json_answer_headers(payload), parsed, token)
        if self.delay:
            time.sleep(self.delay)
        status, content_type, body = self.process(parsed)
        return status, {"Content-Type": content_type}, body, parsed, token


def _oauth_error(error, description):
    return {"error": error, "error_description": description}


def _sh_error(status, message):
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    return {"error": {"status": status, "reason": reasons.get(status, "Error"), "message": message}}


def _json_answer(status, payload):
    return status, "application/json", json.dumps(payload).encode()


def _json_answer_headers(payload):
    return {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _handler_for(hub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            process = self.path == PROCESS_PATH
            if process:
                hub._process_started()
            try:
                status, headers, body, parsed, token = hub.handle(self.path, self.headers, raw)
            finally:
                if process:
                    # Before the answer is sent: the client cannot send its next request yet.
                    hub._process_finished()
            with hub._lock:
                hub.requests.append(Served(self.path, status, parsed, token, len(body)))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler
