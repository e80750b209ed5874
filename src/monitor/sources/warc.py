"""WARC files (warcio): the HTML responses that crawlers and web archives recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from monitor.config import SourceConfig
from monitor.sources.base import Item, RawCapture, SourceFailure
from monitor.sources.local import MAX_CAPTURE_BYTES

_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def read_warc_source(source: SourceConfig) -> Iterator[Item]:
    """The captures of a WARC file, or of every .warc/.warc.gz file under a folder."""
    if source.path is None or not source.path.exists():
        yield SourceFailure(source.name, str(source.path), "path does not exist")
        return
    files = (
        sorted(p for p in source.path.rglob("*") if p.name.endswith((".warc", ".warc.gz")))
        if source.path.is_dir()
        else [source.path]
    )
    for path in files:
        yield from read_warc(path, source.name, source.outlet)


def read_warc(path: Path, source: str, outlet: str | None = None) -> Iterator[Item]:
    """Yield a capture per HTML response record; a broken file is one failure, not a crash."""
    records = 0
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                # garbage parses as ARC records without HTTP headers; those count as nothing
                records += record.format.startswith("warc") or record.http_headers is not None
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                media = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
                if media.strip().lower() not in _PAGE_TYPES:
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or str(path)
                body = _read_all(record.content_stream(), MAX_CAPTURE_BYTES + 1)
                if len(body) > MAX_CAPTURE_BYTES:
                    yield SourceFailure(source, uri, f"record exceeds {MAX_CAPTURE_BYTES} bytes")
                    continue
                missing = getattr(record.raw_stream, "limit", 0)
                if missing:  # the file ends inside this record
                    yield SourceFailure(
                        source, uri, f"truncated WARC record: {missing} bytes missing"
                    )
                    continue
                yield RawCapture(
                    source=source,
                    origin=uri,
                    data=body,
                    media_type="text/plain" if media.strip() == "text/plain" else "text/html",
                    captured_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
                    outlet_hint=outlet,
                )
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        yield SourceFailure(source, str(path), f"unreadable WARC file: {exc}")
        return
    if not records:
        yield SourceFailure(source, str(path), "unreadable WARC file: no WARC record in it")


def _read_all(stream: Any, limit: int) -> bytes:
    # read to the end of the record, so that a truncated one shows as bytes still missing
    chunks, size = [], 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
