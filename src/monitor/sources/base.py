"""The values sources produce, and the loop over the configured sources."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
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
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True)
class SourceFailure:
    """A capture or a source that could not be read, with the reason."""

    source: str
    origin: str
    reason: str


def collect(sources: Iterable[SourceConfig]) -> Iterator[RawCapture | SourceFailure]:
    """Yield every capture (or failure) of the given sources, in a stable order."""
    from monitor.sources.local import read_source

    for source in sources:
        yield from read_source(source)
