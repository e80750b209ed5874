"""The values sources produce, and the loop over the configured sources."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import SourceConfig


@dataclass(frozen=True)
class RawCapture:
    """Bytes as received from a source, before anything touches them."""

    source: str
    origin: str
    data: bytes
    media_type: str
    captured_at: datetime | None = None
    outlet_hint: str | None = None
    # HTTP validators of a fetched page, stored with it for the next conditional GET
    etag: str | None = None
    last_modified: str | None = None
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True)
class Unchanged:
    """A page the server says has not changed since the last fetch (HTTP 304)."""

    source: str
    origin: str


@dataclass(frozen=True)
class Skipped:
    """A file in a source folder that is no capture (an image, a spreadsheet): not read, and
    counted in the run so that nothing goes unseen."""

    source: str
    origin: str
    reason: str


@dataclass(frozen=True)
class SourceFailure:
    """A capture or a source that could not be read, with the reason."""

    source: str
    origin: str
    reason: str


Item = RawCapture | Unchanged | SourceFailure | Skipped
Validators = Mapping[str, tuple[str | None, str | None]]


def collect(
    sources: Iterable[SourceConfig], validators: Validators | None = None
) -> Iterator[Item]:
    """Yield every capture (or failure, or unchanged page) of the given sources, in order.

    Args:
        validators: (ETag, Last-Modified) of pages fetched before, by URL, for conditional GET.
    """
    from monitor.sources.kinds import kind_of, reader

    for source in sources:
        read = reader(source.kind)
        yield from read(source, validators or {}) if kind_of(source.kind).web else read(source)


# What `monitor ingest` may be told an address is; "address" fetches it and looks
GIVEN_KINDS = ("address", "page", "feed", "sitemap", "urls")


def given_sources(
    inputs: Iterable[str],
    name: str,
    outlet: str | None = None,
    kind: str = "address",
    allow_private: bool = False,
) -> tuple[SourceConfig, ...]:
    """Sources for inputs given on the command line: files and folders, web addresses (a page,
    a feed or a sitemap, as `kind` says or as recognised), and, with kind "urls", files listing
    addresses."""
    from pathlib import Path

    sources = []
    for given in inputs:
        web = given.strip().lower().startswith(("http://", "https://"))
        if kind == "urls" and not web:
            listed = SourceConfig(name, "urls", Path(given), outlet, allow_private=allow_private)
            sources.append(listed)
        elif web:
            page = kind in ("page", "urls")
            sources.append(
                SourceConfig(
                    name,
                    "urls" if page else kind,
                    outlet=outlet,
                    url=None if page else given.strip(),
                    urls=(given.strip(),) if page else (),
                    allow_private=allow_private,
                )
            )
        else:
            path = Path(given)
            local = "folder" if path.is_dir() else "file"
            if path.name.lower().endswith((".warc", ".warc.gz")):
                local = "warc"
            sources.append(SourceConfig(name, local, path, outlet))
    return tuple(sources)
