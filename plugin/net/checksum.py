"""STAC ``file:checksum`` values (hex multihashes) and the digest of a file to check them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..domain.errors import DownloadError

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


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
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


def parse_multihash(text: str) -> tuple[str, bytes]:
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


def file_digest(path: str | Path, algorithm: str) -> bytes:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.digest()
