"""Secrets are removed from messages by rule, whatever text quotes them."""

import logging

import pytest

from crop_confidence.plugin.domain.errors import CropMaskError
from crop_confidence.plugin.domain.redaction import redact_text
from crop_confidence.plugin.net.download import DownloadError
from crop_confidence.plugin.net.http import RedactQueryFilter

SECRETS = (
    "s3cr3t",
    "SIGNATURE123",
    "hunter2",
    "eyJhbGciOiJSUzI1NiJ9.payload.sig",
    "QWxhZGRpbjpvcGVu",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # GDAL 3.10's wording: the URL with its signed query.
        (
            "HTTP response code on https://h.example/a/b.tif?sig=s3cr3t&se=2030: 403",
            "HTTP response code on https://h.example/a/b.tif?…: 403",
        ),
        (
            "/vsicurl?url=https%3A%2F%2Fh%2Fx.tif&header.Authorization=Bearer%20hunter2 failed",
            "/vsicurl?… failed",
        ),
        ("open https://user:hunter2@h.example:8443/x.tif", "open https://h.example:8443/x.tif"),
        ("s3://AKIA:s3cr3t@bucket/key.tif", "s3://bucket/key.tif"),
        (
            "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig sent",
            "Authorization: Bearer *** sent",
        ),
        ("header Authorization=QWxhZGRpbjpvcGVu;", "header Authorization=***;"),
        ("token Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig", "token Bearer ***"),
        (
            "X-Amz-Signature in 'https://b.s3/k?X-Amz-Signature=SIGNATURE123'",
            "X-Amz-Signature in 'https://b.s3/k?…'",
        ),
        # Nothing secret: unchanged.
        ("/data/CTY 2021/tile.tif is not a GeoTIFF. Choose another file?", None),
        ("https://h.example/a/b.tif answered 404", None),
        ("Is the year right?", None),
    ],
)
def test_redact_text(text, expected):
    result = redact_text(text)
    assert result == (text if expected is None else expected)
    assert not any(secret in result for secret in SECRETS)
    assert redact_text(result) == result  # idempotent


def test_every_error_of_ours_is_redacted_whoever_built_it():
    error = DownloadError("GDAL: https://h.example/x.tif?sig=s3cr3t: HTTP 403")
    assert isinstance(error, CropMaskError)
    assert str(error) == "GDAL: https://h.example/x.tif?…: HTTP 403"
    assert "s3cr3t" not in f"{error}"


def test_log_records_are_redacted():
    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, __file__, 1,
        'https://%s:443 "GET /x.tif?sig=%s HTTP/1.1" 206', ("h.example", "s3cr3t"), None,
    )  # fmt: skip
    assert RedactQueryFilter().filter(record)
    assert record.getMessage() == 'https://h.example:443 "GET /x.tif?… HTTP/1.1" 206'
