"""Download one file over HTTP(S): safe names, resume, checksum, free-space check, bearer tokens.

The file is written as `<name>.part` in the destination folder and renamed to `<name>` only when
complete and verified, so the final name never holds a partial or unverified file. A `.part`
left by a cut connection, an error or a cancel is kept on purpose: the next call resumes it with
an HTTP Range request instead of fetching those bytes again.
"""

import contextlib
import hashlib
import ipaddress
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from ..domain.errors import CropMaskCancelled, CropMaskError
from .http import is_timeout, network_reason, redact_url, url_host

CHUNK_SIZE = 1 << 20
PART_SUFFIX = ".part"
# Free space to keep beyond the file itself.
DEFAULT_RESERVE_BYTES = 16 * 1_000_000
# Times one call resumes by itself after a cut connection before giving up.
DEFAULT_RESUME_ATTEMPTS = 2
MAX_REDIRECTS = 5
HASH_BLOCK = 1 << 20

# Multihash codes (multiformats multicodec table) -> (hashlib name, digest length).
MULTIHASH_CODES = {
    0x11: ("sha1", 20),
    0x12: ("sha256", 32),
    0x13: ("sha512", 64),
    0x14: ("sha3_512", 64),
    0x15: ("sha3_384", 48),
    0x16: ("sha3_256", 32),
    0x17: ("sha3_224", 28),
    0x20: ("sha384", 48),
    0xD5: ("md5", 16),
}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{prefix}{digit}" for prefix in ("COM", "LPT") for digit in range(1, 10)
}
_FORBIDDEN_CHARS = set('<>:"/\\|?*')

log = logging.getLogger(__name__)

# Outcomes of one attempt besides a cut: the .part is complete / try again from the .part.
_COMPLETE = "complete"
_AGAIN = "again"


class DownloadError(CropMaskError):
    """A download failed; the message names the (redacted) URL and what to do."""


class ChecksumMismatch(DownloadError):
    pass


class InsufficientDiskSpace(DownloadError):
    pass


class UnsafeFileName(DownloadError):
    pass


class DownloadCancelled(CropMaskCancelled):
    """Cancelled by the caller; nothing under the final name, the .part is kept for resuming."""


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    bytes_transferred: int
    resumed: bool
    skipped: bool


def safe_file_name(name):
    """`name` if it is a plain file name, safe on Linux, macOS and Windows; else UnsafeFileName."""
    problem = None
    if not isinstance(name, str) or not name:
        problem = "it is empty"
    elif "\x00" in name:
        problem = "it contains a NUL character"
    elif name in (".", "..") or os.path.isabs(name):
        problem = "it is a directory reference or an absolute path"
    elif any(char in _FORBIDDEN_CHARS or ord(char) < 32 for char in name):
        problem = "it contains a path separator or a character not allowed in file names"
    elif name != name.strip() or name.endswith("."):
        problem = "it starts or ends with a space or ends with a dot"
    elif name.split(".")[0].upper() in _WINDOWS_RESERVED:
        problem = "it is a reserved device name on Windows"
    elif len(name.encode("utf-8")) > 255:
        problem = "it is longer than 255 bytes"
    if problem:
        raise UnsafeFileName(
            f"Refusing to save a download as {name!r}: {problem}. The catalogue gave an "
            "unexpected item id or asset name; report it."
        )
    return name


def _read_varint(data, pos):
    """Unsigned LEB128 varint as used by multiformats (at most 9 bytes) -> (value, next pos)."""
    value = 0
    for index in range(9):
        if pos + index >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if index > 0 and byte == 0:
                raise ValueError("varint not minimally encoded")
            return value, pos + index + 1
    raise ValueError("varint longer than 9 bytes")


def parse_multihash(text):
    """'1220<sha256 hex>' / 'd50110<md5 hex>' ... -> (hashlib name, digest bytes)."""
    try:
        data = bytes.fromhex(str(text).strip())
        code, pos = _read_varint(data, 0)
        length, pos = _read_varint(data, pos)
    except ValueError as exc:
        raise DownloadError(f"The checksum {text!r} is not a hex multihash ({exc}).") from None
    if code not in MULTIHASH_CODES:
        raise DownloadError(
            f"The checksum {text!r} uses multihash code 0x{code:x}, which is not supported "
            f"(supported: {', '.join(name for name, _ in MULTIHASH_CODES.values())})."
        )
    algorithm, digest_length = MULTIHASH_CODES[code]
    digest = data[pos:]
    if length != digest_length or len(digest) != length:
        raise DownloadError(
            f"The checksum {text!r} is malformed: a {algorithm} digest has {digest_length} "
            f"bytes, the multihash announces {length} and holds {len(digest)}."
        )
    return algorithm, digest


def file_digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.digest()


def _megabytes(size):
    return f"{size / 1_000_000:.1f}"


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def bearer_allowed(original_url, target_url):
    """May the token for original_url go to target_url (a redirect target)?

    Same scheme, host and port; or HTTPS on a sibling sub-domain (CDSE redirects
    download.dataspace.copernicus.eu to other *.dataspace.copernicus.eu hosts).
    """
    original, target = urlsplit(original_url), urlsplit(target_url)
    if (original.scheme, original.hostname, original.port) == (
        target.scheme,
        target.hostname,
        target.port,
    ):
        return True
    host, target_host = original.hostname or "", target.hostname or ""
    if target.scheme != "https" or not host or not target_host or _is_ip(host):
        return False
    # The parent domain must keep 3 labels, so that "x.co.uk" never trusts all of "co.uk".
    parent = host.split(".", 1)[1] if host.count(".") >= 3 else ""
    return bool(parent) and (target_host == parent or target_host.endswith("." + parent))


def _content_range(response):
    """'bytes 10-99/100' -> (10, 100); 'bytes */100' -> (None, 100); total None if '*'."""
    value = response.headers.get("Content-Range", "")
    unit, _, spec = value.partition(" ")
    if unit.strip().lower() != "bytes" or "/" not in spec:
        return None, None
    span, _, total_text = spec.partition("/")
    total = int(total_text) if total_text.strip().isdigit() else None
    start_text = span.partition("-")[0].strip()
    start = int(start_text) if start_text.isdigit() else None
    return start, total


def _content_length(response):
    value = response.headers.get("Content-Length", "")
    return int(value) if value.strip().isdigit() else None


def download(
    url,
    dest_folder,
    file_name,
    session,
    token_provider=None,
    expected_size=None,
    checksum=None,
    progress=None,
    is_cancelled=None,
    *,
    disk_usage=shutil.disk_usage,
    reserve_bytes=DEFAULT_RESERVE_BYTES,
    resume_attempts=DEFAULT_RESUME_ATTEMPTS,
    chunk_size=CHUNK_SIZE,
    timeout=None,
):
    """Download url to dest_folder/file_name -> DownloadResult.

    session: from http.make_session(). token_provider: an object with token() and
    invalidate(refused_token=None) (see auth.py); its bearer token goes to the URL's host and
    to redirect targets that bearer_allowed() trusts, never elsewhere.
    checksum: hex multihash (STAC `file:checksum`); expected_size: bytes (`file:size`).
    progress(bytes_done, bytes_total or None) is called as data arrives; is_cancelled() is
    checked between chunks. A complete file that verifies (checksum, size, or the server's
    Content-Length from a HEAD request when neither is known) is not fetched again.
    """
    transfer = _Transfer(
        url=url,
        folder=Path(dest_folder),
        name=safe_file_name(file_name),
        session=session,
        token_provider=token_provider,
        expected_size=_check_size(expected_size),
        expected_hash=parse_multihash(checksum) if checksum else None,
        progress=progress,
        is_cancelled=is_cancelled,
        disk_usage=disk_usage,
        reserve_bytes=reserve_bytes,
        resume_attempts=resume_attempts,
        chunk_size=chunk_size,
        timeout=timeout,
    )
    return transfer.run()


def _check_size(size):
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise DownloadError(f"Invalid expected file size {size!r}.")
    return size


def _arriving_chunks(raw, size):
    """The body as it arrives, up to ``size`` bytes a chunk: a cut connection keeps every byte
    received (urllib3 2's read(amt) drops a partial chunk) and a cancel is seen between chunks.
    urllib3's errors come out as requests' (iter_content's mapping)."""
    read = getattr(raw, "read1", None) or raw.read  # urllib3 >= 2 | 1.26: short read at a cut
    while True:
        try:
            chunk = read(size)
        except urllib3.exceptions.ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from exc
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc
        if not chunk:
            return
        yield chunk


class _Transfer:
    def __init__(self, **settings):
        for key, value in settings.items():
            setattr(self, key, value)
        self.final = self.folder / self.name
        self.part = self.folder / (self.name + PART_SUFFIX)
        self.shown = redact_url(self.url)
        self.host = url_host(self.url)
        self.bytes_transferred = 0
        self.resumed = False
        self.restarted = False

    # -- main flow -------------------------------------------------------------------------

    def run(self):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DownloadError(
                f"Cannot create the download folder {self.folder} ({exc.strerror}); choose "
                "another folder."
            ) from exc
        if self.final.is_file() and self._final_is_complete():
            log.info("%s already downloaded and verified; not fetched again", self.final)
            return DownloadResult(self.final, 0, resumed=False, skipped=True)

        cuts = 0
        while True:
            outcome = self._attempt()
            if outcome is _COMPLETE:
                return self._finish()
            if outcome is _AGAIN:
                continue
            size, total, problem = outcome
            if cuts < self.resume_attempts:
                cuts += 1
                log.info(
                    "Download of %s stopped at %d of %s bytes (%s); resuming",
                    self.shown,
                    size,
                    total,
                    problem,
                )
                continue
            raise DownloadError(
                f"The download of {self.shown} stopped after {size} of {total} bytes "
                f"({problem}). The partial file {self.part.name} is kept: run the download "
                "again to resume it."
            )

    def _attempt(self):
        """One GET from the bytes on disk on -> _COMPLETE, _AGAIN or (size, total, problem)."""
        offset = self._part_size()
        if self.expected_size is not None:
            if offset > self.expected_size:
                log.info("%s is larger than the expected file; starting again", self.part)
                self._discard_part()
                offset = 0
            elif offset == self.expected_size and offset > 0:
                return _COMPLETE
            self._check_disk(self.expected_size - offset)
        self._check_cancelled()

        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        response = self._request("GET", headers)
        try:
            opened = self._open_body(response, offset)
            if opened in (_COMPLETE, _AGAIN):
                return opened
            mode, offset, total = opened
            total = self._check_total(total)
            if total is not None:
                self._check_disk(total - offset)
            try:
                size = self._stream(response, mode, offset, total)
            except requests.exceptions.RequestException as exc:
                reason = "timed out" if is_timeout(exc) else network_reason(exc)
                return self._part_size(), total, reason
            if total is not None and size != total:
                return size, total, "the body was cut short"
            return _COMPLETE
        finally:
            response.close()

    def _open_body(self, response, offset):
        """Read the answer's status -> (file mode, offset, total or None), _COMPLETE or _AGAIN."""
        status = response.status_code
        if status == 416 and offset:
            _, total = _content_range(response)
            if total == offset:
                return _COMPLETE
            return self._restart(response, "refused to resume")
        if status == 206:
            start, total = _content_range(response)
            if start != offset:
                return self._restart(response, "sent other bytes than asked")
            self.resumed = self.resumed or offset > 0
            return ("ab" if offset else "wb"), offset, total
        if status == 200:
            if offset:
                log.info("%s ignored the range request; fetching it all again", self.host)
            return "wb", 0, _content_length(response)
        raise self._status_error(response)

    def _restart(self, response, what):
        """Drop the .part and start from zero, once per call."""
        if self.restarted:
            raise self._status_error(response)
        log.info("%s %s for %s; starting again", self.host, what, self.shown)
        self._discard_part()
        self.restarted = True
        return _AGAIN

    def _stream(self, response, mode, offset, total):
        """Append the body to the .part file -> size of the .part file afterwards."""
        size = offset
        self._report(size, total)
        try:
            with open(self.part, mode) as stream:
                for chunk in _arriving_chunks(response.raw, self.chunk_size):
                    self._check_cancelled()
                    if not chunk:
                        continue
                    stream.write(chunk)
                    size += len(chunk)
                    self.bytes_transferred += len(chunk)
                    self._report(size, total)
        except requests.exceptions.RequestException:
            raise  # a read from the network (an OSError too): the caller resumes
        except OSError as exc:
            raise DownloadError(
                f"Cannot write {self.part} ({exc.strerror}); check the free space and the "
                "permissions of the download folder. The partial file is kept for resuming."
            ) from exc
        return size

    def _finish(self):
        """Verify the complete .part file and move it to the final name."""
        size = self._part_size()
        if self.expected_size is not None and size != self.expected_size:
            self._discard_part()
            raise DownloadError(
                f"{self.shown} gave {size} bytes, the catalogue announces {self.expected_size}. "
                "The file was deleted; run the download again."
            )
        if self.expected_hash is not None:
            algorithm, expected = self.expected_hash
            actual = file_digest(self.part, algorithm)
            if actual != expected:
                self._discard_part()
                raise ChecksumMismatch(
                    f"The file downloaded from {self.shown} is damaged: its {algorithm} is "
                    f"{actual.hex()}, the catalogue announces {expected.hex()}. It was deleted; "
                    "run the download again (if this repeats, the catalogue entry is outdated)."
                )
        try:
            os.replace(self.part, self.final)
        except OSError as exc:
            raise DownloadError(
                f"Cannot replace {self.final} ({exc.strerror}); close any layer that uses it "
                "and run the download again (the verified download is kept)."
            ) from exc
        log.info(
            "Downloaded %s (%d bytes, %d transferred)", self.final, size, self.bytes_transferred
        )
        return DownloadResult(
            self.final, self.bytes_transferred, resumed=self.resumed, skipped=False
        )

    def _final_is_complete(self):
        size = self.final.stat().st_size
        if self.expected_size is not None and size != self.expected_size:
            return False
        if self.expected_hash is not None:
            algorithm, expected = self.expected_hash
            return file_digest(self.final, algorithm) == expected
        if self.expected_size is not None:
            return True
        # Nothing to check against: ask the server for the size.
        response = self._request("HEAD", {"Accept-Encoding": "identity"})
        response.close()
        return response.status_code == 200 and _content_length(response) == size

    # -- HTTP ------------------------------------------------------------------------------

    def _request(self, method, headers):
        """Send the request, following redirects ourselves so that the bearer token only goes
        to trusted hosts, and renewing the token once on a 401."""
        url = self.url
        renewed = False
        hops = 0
        while True:
            send_token = self.token_provider is not None and bearer_allowed(self.url, url)
            request_headers = dict(headers)
            if send_token:
                token = self.token_provider.token()
                request_headers["Authorization"] = f"Bearer {token}"
            log.debug("%s %s", method, redact_url(url))
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=request_headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=self.timeout,
                )
            # "from None": requests' messages repeat the URL with its query (signatures).
            except requests.exceptions.RequestException as exc:
                if is_timeout(exc):
                    raise DownloadError(
                        f"{url_host(url)} did not answer in time for {self.shown}; check the "
                        "internet connection and try again (a partial file is resumed)."
                    ) from None
                raise DownloadError(
                    f"Could not connect to {url_host(url)} to download {self.shown} "
                    f"({network_reason(exc)}); check the internet connection and the QGIS "
                    "proxy settings, then try again."
                ) from None
            if response.is_redirect and hops < MAX_REDIRECTS:
                hops += 1
                url = urljoin(url, response.headers["Location"])
                response.close()
                continue
            if response.status_code == 401 and send_token and not renewed:
                response.close()
                log.info("%s refused the access token; renewing it once", url_host(url))
                self.token_provider.invalidate(token)
                renewed = True
                continue
            return response

    def _status_error(self, response):
        status = response.status_code
        host = url_host(response.url or self.url)
        if status == 401:
            if self.token_provider is None:
                return DownloadError(
                    f"{host} asks for a login to download {self.shown}; set up the account "
                    "in the plugin settings."
                )
            return DownloadError(
                f"{host} refused a freshly renewed access token for {self.shown} (HTTP 401); "
                "check the account in the plugin settings and that it may download this "
                "product."
            )
        if status == 403:
            return DownloadError(
                f"{host} refused access to {self.shown} (HTTP 403): the account may not be "
                "allowed to download it, or the link needs other credentials."
            )
        if status == 404:
            return DownloadError(
                f"{self.shown} was not found (HTTP 404); the catalogue entry may be outdated: "
                "search again."
            )
        if status == 206:
            return DownloadError(
                f"{host} answered a range request for {self.shown} with other bytes than "
                f"asked, twice; delete {self.part.name} and try again."
            )
        if status == 416:
            return DownloadError(
                f"{host} cannot resume {self.shown} (HTTP 416); delete {self.part.name} and "
                "try again."
            )
        if status == 429 or status >= 500:
            return DownloadError(
                f"{host} answered HTTP {status} for {self.shown}, even after several retries; "
                "the service is busy or down: try again later (a partial file is resumed)."
            )
        if response.is_redirect:
            return DownloadError(f"Too many redirects for {self.shown}.")
        return DownloadError(
            f"{host} answered HTTP {status} {response.reason or ''} for {self.shown}.".replace(
                "  ", " "
            )
        )

    # -- checks ----------------------------------------------------------------------------

    def _check_total(self, total):
        if total is None:
            return self.expected_size
        if self.expected_size is not None and total != self.expected_size:
            self._discard_part()
            raise DownloadError(
                f"{self.shown} is {total} bytes on the server, the catalogue announces "
                f"{self.expected_size}; search again to refresh the catalogue entry."
            )
        return total

    def _check_disk(self, needed):
        if needed <= 0:
            return
        try:
            free = self.disk_usage(self.folder).free
        except OSError:
            return
        if free < needed + self.reserve_bytes:
            raise InsufficientDiskSpace(
                f"Downloading {self.name} needs {_megabytes(needed)} MB, only "
                f"{_megabytes(free)} MB free in {self.folder} (keeping "
                f"{_megabytes(self.reserve_bytes)} MB spare). Free some space or choose "
                "another folder."
            )

    def _check_cancelled(self):
        if self.is_cancelled is not None and self.is_cancelled():
            raise DownloadCancelled(
                f"Download of {self.name} cancelled; {self.part.name} is kept so that the "
                "next download resumes it."
            )

    def _report(self, done, total):
        if self.progress is not None:
            self.progress(done, total)

    def _part_size(self):
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0

    def _discard_part(self):
        with contextlib.suppress(FileNotFoundError):
            self.part.unlink()
