"""Extraction of real Chinese news pages: the article kept whole, the boilerplate gone,
title, date and outlet right on every page (checks in data/gne_pages.toml)."""

from __future__ import annotations

import os

import pytest

from tests.extract.gne import failures, load_cases, ours, pages_dir

CASES = load_cases()


@pytest.fixture(scope="module")
def folder():
    if not pages_dir().is_dir():
        reason = (
            f"the real-page corpus is not at {pages_dir()} "
            "(set MONITOR_PAGES_DIR to the folder holding the gne pages)"
        )
        if os.environ.get("MONITOR_REQUIRE_PAGES"):  # CI: the pages are required
            pytest.fail(reason)
        pytest.skip(reason)
    return pages_dir()


def test_at_least_thirty_pages_are_checked():
    assert len(CASES) >= 30
    assert all(case["present"] and case["absent"] for case in CASES.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_page(folder, name):
    got = ours((folder / f"{name}.html").read_bytes(), name)
    assert failures(CASES[name], got) == []
