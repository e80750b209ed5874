"""Local files and folders: plain-text page dumps and HTML files."""

from __future__ import annotations

import fnmatch
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from monitor.config import SourceConfig
from monitor.sources.base import Item, RawCapture, Skipped, SourceFailure

# A capture larger than this is not an article page; reading it would only cost memory.
MAX_CAPTURE_BYTES = 20 * 1024 * 1024

WARC_SUFFIXES = (".warc", ".warc.gz")
_MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
}


def read_source(source: SourceConfig) -> Iterator[Item]:
    """Yield the captures of a folder or file source: page dumps and HTML files, and the
    records of WARC files; other files in a folder are counted as skipped."""
    if source.path is None or not source.path.exists():
        yield SourceFailure(source.name, str(source.path), "path does not exist")
        return
    folder = source.path.resolve()
    for path in iter_paths([source.path], every=True):
        if not _selected(path, source):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(folder):
            origin = str(path.absolute())  # the link's own name
            yield SourceFailure(
                source.name, origin, "a link to outside the source's folder: not read"
            )
            continue
        if path.name.lower().endswith(WARC_SUFFIXES):
            from monitor.sources.warc import read_warc

            yield from read_warc(path, source.name, source.outlet)
        elif path.suffix.lower() in _MEDIA_TYPES or path == source.path:
            yield read_file(path, source.name, source.outlet)
        else:
            kind = path.suffix.lower() or "no suffix"
            yield Skipped(source.name, str(path.absolute()), f"not a capture ({kind})")


def iter_paths(paths: Iterable[Path], every: bool = False) -> Iterator[Path]:
    """Files under the given files and folders, sorted, hidden files and folders skipped: the
    captures (.txt, .html), or with `every` every file."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if (
                    child.is_file()
                    and not hidden
                    and (every or child.suffix.lower() in _MEDIA_TYPES)
                ):
                    yield child
        else:
            yield path


def read_file(path: Path, source: str, outlet: str | None = None) -> RawCapture | SourceFailure:
    """Read one file as a capture; a file that cannot be a capture is a SourceFailure."""
    origin = str(path.resolve())  # made storable where it is stored
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return SourceFailure(
                source, origin, "not a regular file (a device, a pipe or a socket)"
            )
        size = status.st_size
        if size > MAX_CAPTURE_BYTES:
            return SourceFailure(
                source, origin, f"file of {size} bytes exceeds {MAX_CAPTURE_BYTES}"
            )
        data = path.read_bytes()
    except OSError as exc:
        return SourceFailure(source, origin, f"cannot read file: {exc.strerror or exc}")
    media_type = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    # A file's mtime says when it was copied, not when the page was captured: left unknown.
    return RawCapture(source, origin, data, media_type, None, outlet)


def _selected(path: Path, source: SourceConfig) -> bool:
    name = path.as_posix()
    if source.include and not any(fnmatch.fnmatch(name, pat) for pat in source.include):
        return False
    return not any(fnmatch.fnmatch(name, pat) for pat in source.exclude)
