"""Where captures come from. Each source yields RawCapture values or Failure reasons."""

from monitor.sources.base import (
    GIVEN_KINDS,
    Item,
    RawCapture,
    Skipped,
    SourceFailure,
    Unchanged,
    collect,
    given_sources,
)
from monitor.sources.local import iter_paths

__all__ = [
    "GIVEN_KINDS",
    "Item",
    "RawCapture",
    "Skipped",
    "SourceFailure",
    "Unchanged",
    "collect",
    "given_sources",
    "iter_paths",
]
