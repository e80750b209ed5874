"""Fetch the pages of data/unseen_pages.toml and data/fresh_pages.toml that are not kept in the
repository (their licence does not let them be) from their public repositories, into
MONITOR_PAGES_CACHE (default var/pages-cache): `python -m tests.extract.fetch_pages`."""

from __future__ import annotations

import sys

import requests

from tests.extract.gne import FRESH_SOURCES, MORE_SOURCES, load_cases, more_page, pages_cache


def main() -> int:
    cache = pages_cache()
    cache.mkdir(parents=True, exist_ok=True)
    failed = 0
    sources = load_cases(MORE_SOURCES) | load_cases(FRESH_SOURCES)
    for name, source in sources.items():
        if source["stored"] or more_page(name) is not None:
            continue
        url = f"https://raw.githubusercontent.com/{source['repo']}/{source['commit']}/{source['path']}"
        try:
            response = requests.get(url, timeout=30)
            response.raise_for_status()
        except requests.RequestException as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        (cache / f"{name}.html").write_bytes(response.content)
        print(f"{name}: {len(response.content):,} bytes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
