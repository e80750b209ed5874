"""The kinds of source: for each, the function that reads it and the keys its [[sources]] entry
takes. The configuration checks entries against this table and `collect` reads through it: a
new kind of source is a reader (a module of this package) and one line here."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SourceKind:
    """How one kind of source is read and configured."""

    reader: str  # "module:function": called with the source, and for a web kind the validators
    keys: frozenset[str]  # its own keys, one of which an entry must give
    web: bool = False  # it fetches over the network: it takes the web keys and the validators


_LOCAL = "monitor.sources.local:read_source"
_WEB = "monitor.sources.web:read_web_source"
KINDS: dict[str, SourceKind] = {
    "folder": SourceKind(_LOCAL, frozenset({"path"})),
    "file": SourceKind(_LOCAL, frozenset({"path"})),
    "warc": SourceKind("monitor.sources.warc:read_warc_source", frozenset({"path"})),
    "urls": SourceKind(_WEB, frozenset({"urls", "path"}), web=True),
    "feed": SourceKind(_WEB, frozenset({"url"}), web=True),
    "sitemap": SourceKind(_WEB, frozenset({"url"}), web=True),
}


# Kinds given on the command line only: an address fetched to see what it is
GIVEN_ONLY: dict[str, SourceKind] = {"address": SourceKind(_WEB, frozenset({"url"}), web=True)}


def kind_of(kind: str) -> SourceKind:
    """How a kind of source is read, configured or given on the command line."""
    return KINDS.get(kind) or GIVEN_ONLY[kind]


def reader(kind: str) -> Callable[..., Iterator[Any]]:
    """The function that reads a kind of source."""
    module, _, name = kind_of(kind).reader.partition(":")
    function: Callable[..., Iterator[Any]] = getattr(importlib.import_module(module), name)
    return function
