"""Bytes to text: the bytes are the truth, not what a page declares about them."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# A NUL byte, or this share of control characters in the first block, means a binary file.
_BINARY_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Undecodable bytes a page of text may hold and still be read, the rest kept (a share of its
# characters): three stray bytes do not lose an article, a page in an unknown encoding is lost
_MAX_LOST_SHARE = 0.001
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


_SINGLE_BYTE = {"latin-1", "ascii", "iso8859-1", "cp1252"}
# Letters of a page that must be Chinese for GB18030 to win over a single-byte declaration
_CHINESE_SHARE = 0.3
_GB_FAMILY = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


@dataclass(frozen=True)
class Rejection:
    """A capture that holds no usable article, and why: bytes that are no text, a page with no
    story. The one shape of "no result, with a reason" of extraction."""

    reason: str


class Decoded(str):
    """Text decoded from a capture, with what decoding lost: None, or what was replaced or
    dropped and where (3 undecodable bytes replaced (GB18030), the first at byte 10,241)."""

    lost: str | None = None


def _decoded(text: str, lost: list[str]) -> Decoded:
    decoded = Decoded(text)
    decoded.lost = "; ".join(lost) or None
    return decoded


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded | Rejection:
    """Decode a capture: UTF-8 first (what a page that decodes as UTF-8 almost surely is), then
    what the HTTP header or the page declares (GB2312 and GBK read as their superset GB18030),
    then GB18030. Empty, binary and undecodable input come back as a Rejection; text read
    with a few bytes replaced or control characters dropped says what it lost (Decoded.lost)."""
    if not data.strip():
        return Rejection("empty capture")
    head = data[:_BINARY_SNIFF_BYTES]
    if b"\x00" in head or len(_CONTROL.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        return Rejection("binary content, not text")
    candidates = ["utf-8-sig"]
    for name in (declared, _declared_charset(head)):
        name = _GB_FAMILY.get(name.lower(), name.lower()) if name else None
        if name and _known_codec(name) and name not in candidates:
            candidates.append(name)
    if "gb18030" not in candidates:
        candidates.append("gb18030")
    if _single_byte(candidates[1]) and _reads_as_chinese(data):
        # a Chinese page that says iso-8859-1 or windows-1252 (a server's default): any bytes
        # decode in those, as mojibake; GB18030 that reads as Chinese is what it is
        candidates.insert(1, candidates.pop(candidates.index("gb18030")))
    for encoding in candidates:
        try:
            return _printable(data.decode(encoding), [])
        except UnicodeDecodeError:
            continue
    # a few stray bytes in a page of text: the encoding that loses least, if it loses little
    losses = []
    for encoding in candidates:
        text = data.decode(encoding, errors="replace")
        losses.append(
            (text.count("\ufffd") - data.count("\ufffd".encode(encoding, "ignore")), encoding, text)
        )
    lost, encoding, text = min(losses, key=lambda loss: loss[0])
    if lost <= _MAX_LOST_SHARE * len(text):
        return _printable(text, [_replaced(data, encoding, lost)])
    return Rejection(f"undecodable bytes (tried {', '.join(candidates)})")


def _replaced(data: bytes, encoding: str, count: int) -> str:
    """What replacing undecodable bytes lost: how many, in which encoding, the first where."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        first = f", the first at byte {error.start:,}"
    else:  # pragma: no cover - only undecodable data is replaced
        first = ""
    noun = "byte" if count == 1 else "bytes"
    return f"{count} undecodable {noun} replaced with U+FFFD ({encoding}){first}"


def _printable(text: str, lost: list[str]) -> Decoded:
    """Text without the control characters (NUL among them) no page shows and no database
    stores; tabs and line ends stay. What was dropped is added to what decoding lost."""
    text, dropped = _CONTROL_TEXT.subn("", text)
    if dropped:
        noun = "character" if dropped == 1 else "characters"
        lost = [*lost, f"{dropped} NUL or control {noun} dropped"]
    return _decoded(text, lost)


def _single_byte(name: str) -> bool:
    """Whether a codec gives one character a byte: every byte string decodes in it."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return False
    return codec in _SINGLE_BYTE or codec.startswith(("iso8859", "cp125"))


def _reads_as_chinese(data: bytes) -> bool:
    """Whether bytes decode strictly as GB18030 into text whose letters are mostly Chinese."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    letters = [c for c in text if c.isalpha()]
    chinese = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    return bool(letters) and chinese >= _CHINESE_SHARE * len(letters)


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
