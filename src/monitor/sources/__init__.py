"""Where captures come from. Each source yields RawCapture values or Failure reasons."""

from monitor.sources.base import RawCapture, SourceFailure, collect
from monitor.sources.local import iter_paths

__all__ = ["RawCapture", "SourceFailure", "collect", "iter_paths"]
