"""Bytes to text: the bytes are the truth, not what a page declares about them."""

from __future__ import annotations

import codecs
import re

# A NUL byte, or this share of control characters in the first block, means a binary file.
_BINARY_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


class DecodeFailure(str):
    """The reason bytes could not be turned into text (a str subclass, so it prints plainly)."""


def decode_bytes(data: bytes, declared: str | None = None) -> str | DecodeFailure:
    """Decode a capture: UTF-8 first, then GB18030 (a superset of GB2312 and GBK), then what the
    page declares. Empty, binary and undecodable input come back as a DecodeFailure."""
    if not data.strip():
        return DecodeFailure("empty capture")
    head = data[:_BINARY_SNIFF_BYTES]
    if b"\x00" in head or len(_CONTROL.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        return DecodeFailure("binary content, not text")
    candidates = ["utf-8-sig", "gb18030"]
    for name in (declared, _declared_charset(head)):
        if name and _known_codec(name) and name not in candidates:
            candidates.append(name)
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return DecodeFailure(f"undecodable bytes (tried {', '.join(candidates)})")


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
