"""Local paths of rasters: a POSIX, Windows drive, UNC or GDAL path, or a file: URI, told
from a URL."""

from __future__ import annotations

import os
import re
from typing import Optional, Union
from urllib.parse import SplitResult, unquote, urlsplit

# A Windows drive path: C:\data\x.tif or C:/data/x.tif (urlsplit reads "c" as a URL scheme).
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def is_windows_drive_path(address: Union[str, os.PathLike]) -> bool:
    return bool(WINDOWS_DRIVE.match(str(address)))


def local_path(address: Union[str, os.PathLike]) -> Optional[str]:
    """The file path ``address`` names, or None when it is a URL (http, https, s3, ...).

    Paths are returned as they are: POSIX, relative, Windows drive (``C:\\data\\x.tif``,
    ``C:/data/x.tif``) and UNC paths, and GDAL paths such as ``/vsizip/...``. ``file:`` URIs
    become paths: ``file:///C:/data/x.tif`` -> ``C:/data/x.tif``, ``file:///home/a%20b.tif``
    -> ``/home/a b.tif``, ``file://server/share/x.tif`` -> ``//server/share/x.tif``.
    """
    text = str(address)
    if is_windows_drive_path(text):
        return text
    if "://" not in text and not text.lower().startswith("file:"):
        return text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return _file_uri_path(parts)
    return text if not scheme else None


def _file_uri_path(parts: SplitResult) -> str:
    path = unquote(parts.path)
    host = unquote(parts.netloc)
    if re.fullmatch(r"[A-Za-z]:", host):  # file://C:/x.tif, a common mistake
        return host + path
    if host and host.lower() != "localhost":
        return f"//{host}{path}"  # a UNC path: //server/share/x.tif
    if is_windows_drive_path(path[1:]):  # /C:/x.tif
        return path[1:]
    return path
