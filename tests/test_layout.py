"""Standing promises of the code layout."""

import re

from tests.conftest import ROOT

CORE = ROOT / "src" / "monitor"
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([a-z_][\w.]*)", re.M)
_FROM_MONITOR = re.compile(r"^\s*from\s+monitor\s+import\s+(\([^)]*\)|[\w, ]+)", re.M)


def _imports(library: str) -> list[str]:
    return sorted(
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if any(m.split(".")[0] == library for m in _IMPORT.findall(path.read_text("utf-8")))
    )


def test_core_does_not_import_prefect():
    assert _imports("prefect") == []


def test_each_foreign_library_has_one_home():
    assert _imports("trafilatura") == ["extract/html.py"]
    assert _imports("datasketch") == ["dedup/lsh.py", "dedup/signatures.py"]
    assert _imports("redis") == ["dedup/lsh.py"]
    assert _imports("requests") == ["fetch.py"]
    assert _imports("feedparser") == ["sources/web.py"]
    assert _imports("warcio") == ["sources/warc.py"]
    assert _imports("smtplib") == ["digest/deliver.py"]
    assert _imports("apprise") == ["notify.py"]
    assert _imports("jieba") == ["words.py"]
    assert _imports("rjieba") == ["words.py"]
    assert _imports("jinja2") == ["digest/render.py"]


# Which parts of the core each part may import (the layers, lowest first): a part imports
# those below it, never those above. Helpers of every layer: errors, clock, config, words, orgs,
# collector, outcomes. A stage's runner (a part's stage.py) also reads and writes the store and
# takes the run's context; the logic beside it does neither.
_HELPERS = {
    "errors",
    "clock",
    "config",
    "words",
    "orgs",
    "collector",
    "fetch",
    "notify",
    "outcomes",
}
_STAGE = {"store", "run", "extract"}  # a runner: the store, the run, the worker pool
_MAY_IMPORT = {
    "store": set(),
    "run": {"store"},
    "config": {"sources"},  # the table of source kinds (sources/kinds.py)
    "sources": set(),
    "extract": {"dedup", "measures"},  # warm.py loads what the shared workers run
    "dedup": set(),
    "measures": {"dedup", "track", "undo"},  # its runner: events' speakers, retractions
    "undo": {"run", "store", "track"},  # a retraction's replay of the commitment's history
    "track": {"measures", "store"},  # the index, rows and replay the runner works with
    "digest": {"store"},
    "site": {"digest", "store"},
    "reprocess": {"extract", "run", "store", "undo"},
    "pipeline": {"sources", "extract", "dedup", "measures", "track", "run", "store", "reprocess"},
}


def _parts_imported(stage_modules: bool) -> dict[str, set[str]]:
    """For each part of the core (a package or a module under src/monitor), the other parts its
    modules import: its stage runners' (stage.py) or the rest's."""
    imported: dict[str, set[str]] = {}
    for path in CORE.rglob("*.py"):
        if (path.name == "stage.py") != stage_modules:
            continue
        part = path.relative_to(CORE).parts[0].removesuffix(".py")
        source = path.read_text("utf-8")
        parts = [m.split(".")[1] for m in _IMPORT.findall(source) if m.startswith("monitor.")]
        for names in _FROM_MONITOR.findall(source):  # from monitor import track, words
            parts += [name.strip() for name in names.strip("()").split(",") if name.strip()]
        imported.setdefault(part, set()).update(p for p in parts if p != part)
    return imported


def test_imports_go_one_way():
    for stage_modules in (False, True):
        for part, imported in _parts_imported(stage_modules).items():
            if part in _MAY_IMPORT:
                allowed = _MAY_IMPORT[part] | _HELPERS | (_STAGE if stage_modules else set())
                wrong = imported - allowed
                assert not wrong, f"{part}{'/stage.py' if stage_modules else ''} imports {wrong}"
            # nothing below the command line imports the command line
            if part not in ("cli", "__main__"):
                assert not imported & {"cli", "__main__"}, part
