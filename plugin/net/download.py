"""Download one file over HTTP(S): safe names, resume, checksum, free-space check, bearer tokens.

The file is written as `<name>.part` in the destination folder and renamed to `<name>` only when
complete and verified, so the final name never holds a partial or unverified file. A `.part`
left by a cut connection, an error or a cancel is kept on purpose: the next call resumes it with
an HTTP Range request instead of fetching those bytes again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from ..domain.errors import CropMaskCancelled, DownloadError
from .body import CancelWatch, arriving_chunks, claims_tiff, signature_problem
from .checksum import file_digest, parse_multihash
from .http import (
    RequestCancelled,
    Timeout,
    content_length,
    is_timeout,
    network_reason,
    parse_content_range,
    redact_url,
    url_host,
)
from .status import BUSY, OTHER, status_error, status_kind
from .trusted import TokenProvider, send

CHUNK_SIZE = 1 << 20
PART_SUFFIX = ".part"
# Free space to keep beyond the file itself.
DEFAULT_RESERVE_BYTES = 16 * 1_000_000
# Times one call resumes by itself after a cut connection before giving up.
DEFAULT_RESUME_ATTEMPTS = 2

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{prefix}{digit}" for prefix in ("COM", "LPT") for digit in range(1, 10)
}
_FORBIDDEN_CHARS = set('<>:"/\\|?*')

_BUSY_ADVICE = "the service is busy or down: try again later (a partial file is resumed)."

log = logging.getLogger(__name__)

# Outcomes of one attempt besides a cut: the .part is complete / try again from the .part.
_COMPLETE = "complete"
_AGAIN = "again"


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


def safe_file_name(name: str) -> str:
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


def _megabytes(size):
    return f"{size / 1_000_000:.1f}"


def download(
    url: str,
    dest_folder: str | Path,
    file_name: str,
    session: requests.Session,
    token_provider: TokenProvider | None = None,
    expected_size: int | None = None,
    checksum: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    *,
    disk_usage: Callable = shutil.disk_usage,
    reserve_bytes: int = DEFAULT_RESERVE_BYTES,
    resume_attempts: int = DEFAULT_RESUME_ATTEMPTS,
    chunk_size: int = CHUNK_SIZE,
    timeout: Timeout = None,
) -> DownloadResult:
    """Download url to dest_folder/file_name -> DownloadResult.

    session: from http.make_session(). token_provider: an object with token() and
    invalidate(refused_token=None) (see auth.py); its bearer token goes to the URL's host and
    to redirect targets that trusted.bearer_allowed() trusts, never elsewhere.
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
            kept = self._kept_part()
            raise DownloadError(
                f"The download of {self.shown} stopped after {size} of {total} bytes "
                f"({problem})."
                + (
                    f" The partial file {kept} is kept: run the download again to resume it."
                    if kept
                    else " Run the download again."
                )
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
            _, total = parse_content_range(response.headers.get("Content-Range"))
            if total == offset:
                return _COMPLETE
            return self._restart(response, "refused to resume")
        if status == 206:
            start, total = parse_content_range(response.headers.get("Content-Range"))
            if start != offset:
                return self._restart(response, "sent other bytes than asked")
            self.resumed = self.resumed or offset > 0
            return ("ab" if offset else "wb"), offset, total
        if status == 200:
            if offset:
                log.info("%s ignored the range request; fetching it all again", self.host)
            return "wb", 0, content_length(response)
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
            stream = open(self.part, mode)  # noqa: SIM115 (closed by the with below)
        except OSError as exc:
            raise DownloadError(
                f"Cannot write in the download folder {self.folder} ({exc.strerror}): nothing "
                f"was saved. Choose a folder you can write to (or allow writing in this one), "
                "then run the download again."
            ) from exc
        try:
            with stream, CancelWatch(response.raw, self.is_cancelled):
                # Each chunk is what arrived by then, written and flushed at once: a cancel, a
                # cut or a killed process keeps it in the .part for the next call to resume.
                for chunk in arriving_chunks(response.raw, self.chunk_size):
                    self._check_cancelled()
                    stream.write(chunk)
                    stream.flush()
                    size += len(chunk)
                    self.bytes_transferred += len(chunk)
                    self._report(size, total)
                self._check_cancelled()  # a cancel ends a blocked read early (CancelWatch)
        except requests.exceptions.RequestException:
            self._check_cancelled()  # the read failed because the cancel closed the socket
            raise  # a read from the network (an OSError too): the caller resumes
        except OSError as exc:
            kept = self._kept_part()
            raise DownloadError(
                f"Cannot write {self.part} ({exc.strerror}); check the free space and the "
                "permissions of the download folder."
                + (f" The partial file {kept} is kept for resuming." if kept else "")
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
        self._check_signature()
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

    def _check_signature(self):
        """A .tif name only for a TIFF: a login or error page answered with HTTP 200 is
        refused, and deleted so that the next call does not resume it."""
        if not claims_tiff(self.name):
            return
        problem = signature_problem(self.part)
        if problem is None:
            return
        self._discard_part()
        raise DownloadError(
            f"{self.shown} sent {problem}, not a GeoTIFF (a login or error page instead of "
            f"the file?). Nothing was saved as {self.name}; check the account and the "
            "address (open it in a browser), then try again."
        )

    def _final_is_complete(self):
        size = self.final.stat().st_size
        if claims_tiff(self.name) and signature_problem(self.final) is not None:
            return False
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
        return response.status_code == 200 and content_length(response) == size

    # -- HTTP ------------------------------------------------------------------------------

    def _request(self, method, headers):
        """Send the request through trusted.send: redirects followed here, the bearer token
        only to trusted hosts, renewed once on a 401."""
        try:
            return send(
                self.session,
                method,
                self.url,
                headers=headers,
                token_provider=self.token_provider,
                timeout=self.timeout,
                is_cancelled=self.is_cancelled,
            )
        except RequestCancelled:  # while waiting for the answer
            self._check_cancelled()  # the download's own words (what is kept)
            raise
        # "from None": requests' messages repeat the URL with its query (signatures).
        except requests.exceptions.RequestException as exc:
            if is_timeout(exc):
                raise DownloadError(
                    f"{self.host} did not answer in time for {self.shown}; check the "
                    "internet connection and try again (a partial file is resumed)."
                ) from None
            raise DownloadError(
                f"Could not connect to {self.host} to download {self.shown} "
                f"({network_reason(exc)}); check the internet connection and the QGIS "
                "proxy settings, then try again."
            ) from None

    def _status_error(self, response):
        status = response.status_code
        url = response.url or self.url
        if status in (206, 416):
            problem = (
                "answered a range request with other bytes than asked, twice"
                if status == 206
                else "cannot resume it (HTTP 416)"
            )
            return DownloadError(
                f"{url_host(url)} {problem} for {self.shown}; delete {self.part.name} and "
                "try again."
            )
        return status_error(
            status,
            url,
            what=self.shown,
            action="download",
            said=(response.reason or "") if status_kind(status) == OTHER else "",
            token_sent=self.token_provider is not None,
            advice={BUSY: _BUSY_ADVICE},
            error=DownloadError,
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
            kept = self._kept_part()  # an empty .part is removed
            then = f"{kept} is kept so that the next download resumes it" if kept else ""
            raise DownloadCancelled(
                f"Download of {self.name} cancelled; {then or 'nothing was saved'}."
            )

    def _report(self, done, total):
        if self.progress is not None:
            self.progress(done, total)

    def _part_size(self):
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0

    def _kept_part(self):
        """'<name>.part (N bytes)', for a message saying that it is kept, when the .part holds
        bytes; an empty .part is removed (nothing to resume) and nothing is said of it."""
        size = self._part_size()
        if size:
            return f"{self.part.name} ({size} bytes)"
        with contextlib.suppress(OSError):
            self.part.unlink()
        return ""

    def _discard_part(self):
        with contextlib.suppress(FileNotFoundError):
            self.part.unlink()
