"""Secrets out of every message: a rule on the text, not a list of known URLs.

Whatever builds a message (our errors, GDAL's, urllib3's log records) may quote a URL with a
signed query (``?sig=…``, ``X-Amz-Signature=…``), a ``user:password@`` or an
``Authorization`` header value. ``redact_text`` removes all three wherever they appear.
"""

from __future__ import annotations

import re

_SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*://"
# user:password@ (or a lone user@) in a URL's authority.
_USER_INFO = re.compile(rf"({_SCHEME})[^/\s@?#\"'<>]+@")
# A query string: after a URL or a GDAL /vsi path (/vsicurl?url=…&header=…).
_QUERY = re.compile(r"\?[^\s\"'<>]*[^\s\"'<>:.,;)\]]")  # not the sentence's own punctuation
# Authorization: Bearer xyz / Basic abc / a bare token; also "Bearer xyz" alone.
_AUTHORIZATION = re.compile(
    r"(Authorization\s*[:=]\s*)(?:(Bearer|Basic|Token)\s+)?[^\s,;\"'<>]+", re.I
)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")

QUERY_MARK = "?…"


def redact_text(text: object) -> str:
    """``text`` with URL queries, user info and authorization values removed."""
    text = str(text)
    text = _USER_INFO.sub(r"\1", text)
    text = _QUERY.sub(QUERY_MARK, text)
    text = _AUTHORIZATION.sub(
        lambda m: f"{m.group(1)}{m.group(2) + ' ' if m.group(2) else ''}***", text
    )
    return _BEARER.sub(r"\1 ***", text)
