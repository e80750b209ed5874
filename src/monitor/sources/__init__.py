"""Where captures come from. Each source yields RawCapture values or Failure reasons."""

from monitor.sources.base import Item, RawCapture, SourceFailure, Unchanged, collect
from monitor.sources.local import iter_paths

__all__ = ["Item", "RawCapture", "SourceFailure", "Unchanged", "collect", "iter_paths"]
