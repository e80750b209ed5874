"""Extraction on the larger set of real pages from public repositories (data/unseen_pages.toml):
its development half, which the rules were developed on, and its unseen half, which says how
they generalise. Scored as the gne pages are: sentences kept, furniture dropped, title, date
(outlets are reported, not judged: which channel of a portal is "the outlet" is a choice)."""

from __future__ import annotations

import pytest

from tests.extract.gne import (
    FRESH_CASES,
    FRESH_SOURCES,
    MORE_CASES,
    MORE_SOURCES,
    load_cases,
    more_page,
    ours,
    score,
)

CASES = load_cases(MORE_CASES)
# The goals, met on the unseen half: 95% of pages right, sentences kept 99%, furniture dropped
# 97%, titles 97%, dates 99%; the development half holds the same.
# The fresh pages were labelled after the rules were developed and scored as they came: their
# floors are what the rules reach on text they were not developed on.
FLOORS = {
    "development": {"pages": 0.95, "present": 0.97, "absent": 1.0, "title": 1.0, "date": 0.97},
    "unseen": {"pages": 0.95, "present": 0.99, "absent": 0.97, "title": 0.97, "date": 0.99},
    "fresh": {"pages": 0.85, "present": 1.0, "absent": 0.98, "title": 0.95, "date": 0.9},
}


def test_the_set_is_real_mixed_and_split_by_outlet():
    sources = load_cases(MORE_SOURCES)
    assert len(CASES) >= 100 and set(CASES) == set(sources)
    outlets = {case["outlet"] for case in CASES.values()}
    assert len(outlets) >= 30
    halves: dict[str, set[str]] = {}
    for case in CASES.values():
        halves.setdefault(case["outlet"], set()).add(case["half"])
        assert len(case["present"]) >= 3 and len(case["absent"]) >= 3
    assert all(len(h) == 1 for h in halves.values())  # an outlet's pages stay in one half
    unseen = {c["outlet"] for c in CASES.values() if c["half"] == "unseen"}
    assert len(unseen) >= 15
    kinds = {case["kind"] for case in CASES.values()}
    assert kinds == {"government", "central", "portal", "financial", "local"}


def test_the_fresh_pages_are_real_mixed_and_new():
    fresh, sources = load_cases(FRESH_CASES), load_cases(FRESH_SOURCES)
    assert len(fresh) >= 30 and set(fresh) == set(sources) and not set(fresh) & set(CASES)
    assert len({case["outlet"] for case in fresh.values()}) >= 12
    taken = {(s["repo"], s["path"]) for s in load_cases(MORE_SOURCES).values()}
    assert not taken & {(s["repo"], s["path"]) for s in sources.values()}
    for case in fresh.values():
        assert case["half"] == "fresh" and len(case["present"]) >= 3 and len(case["absent"]) >= 3


def test_pages_kept_here_are_the_ones_whose_licence_allows_it():
    for name, source in (load_cases(MORE_SOURCES) | load_cases(FRESH_SOURCES)).items():
        assert source["stored"] == (source["licence"] != "none" and "GPL" not in source["licence"])
        if source["stored"]:
            assert more_page(name) is not None, name


def test_pages_to_fetch_are_fetched_or_skipped():
    missing = [name for name in CASES | load_cases(FRESH_CASES) if more_page(name) is None]
    if missing:
        pytest.skip(
            f"{len(missing)} pages of the larger set are not kept here (their licence) and not"
            " fetched: run `python -m tests.extract.fetch_pages` where the network reaches GitHub"
        )


@pytest.mark.parametrize("half", ["development", "unseen", "fresh"])
def test_each_half_meets_its_floor(half):
    counts = score(ours, half)
    rates = {
        "pages": counts["pages_right_but_outlet"] / counts["pages"],
        "present": counts["present_passed"] / counts["present_checked"],
        "absent": counts["absent_passed"] / counts["absent_checked"],
        "title": counts["title_passed"] / counts["pages"],
        "date": counts["date_passed"] / counts["pages"],
    }
    assert all(rates[k] >= floor for k, floor in FLOORS[half].items()), rates
