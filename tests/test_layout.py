"""Standing promises of the code layout."""

import re

from tests.conftest import ROOT

CORE = ROOT / "src" / "monitor"
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([a-z_][\w.]*)", re.M)


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
