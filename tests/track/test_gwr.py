"""Commitments on real documents: the Government Work Reports 2016–2022 ingested through the
command line, scored against hand labels (tests/track/gwr.py says how)."""

import pytest

from tests.conftest import GWR
from tests.track.gwr import YEARS, available, ingest_reports, labels, score_run

pytestmark = pytest.mark.skipif(not available(), reason=f"the reports are not here: {GWR}")

# The goals, met on all six reports: 0.9 for CHANGED and 0.85 for NEW, at most 5% of reaffirmed
# targets flagged.
CHANGED_PRECISION = 0.9
CHANGED_RECALL = 0.9
NEW_PRECISION = 0.85
NEW_RECALL = 0.85
REAFFIRMED_FLAGGED = 0.05


@pytest.fixture(scope="module")
def forward(tmp_path_factory):
    return ingest_reports(tmp_path_factory.mktemp("gwr"), YEARS)


def test_the_labels_are_many_and_taken_from_the_reports():
    found = labels()
    assert len([label for label in found if label.year != YEARS[0]]) >= 80
    assert {label.label for label in found} == {"NEW", "CHANGED", "reaffirmed"}


def test_restated_targets_are_found_changed_reaffirmed_and_new(forward):
    scores = score_run(*forward)
    assert scores.changed.precision >= CHANGED_PRECISION, scores
    assert scores.changed.recall >= CHANGED_RECALL, scores
    assert scores.new.precision >= NEW_PRECISION, scores
    assert scores.new.recall >= NEW_RECALL, scores
    assert scores.reaffirmed_flagged / scores.reaffirmed <= REAFFIRMED_FLAGGED, scores


def test_a_restated_figure_is_changed_with_its_figures_before_and_after(forward):
    _, changes = forward
    deficit = [
        c
        for c in changes
        if c["kind"] == "CHANGED" and c["published_at"].startswith("2018") and "赤字率" in c["text"]
    ]
    assert deficit, [c["text"] for c in changes if c["published_at"].startswith("2018")]
    (change,) = deficit
    assert change["actor"] == "国务院"  # the report's speaker line: 国务院总理 李克强
    assert change["before"]["quantities[0]"]["raw"] == "3%"
    assert change["after"]["quantities[0]"]["raw"] == "2.6%"


def test_an_unchanged_target_is_reaffirmed(forward):
    measures, _ = forward
    jobs = [
        m
        for m in measures
        if m["published_at"].startswith("2018") and m["text"].startswith("城镇新增就业1100万人以上")
    ]
    assert [m["outcome"] for m in jobs] == ["reaffirmed"]


def test_reports_in_reverse_order_end_in_the_same_commitments(forward, tmp_path):
    reverse = ingest_reports(tmp_path, tuple(reversed(YEARS)))

    def commitments(measures):
        """Each commitment as the versions it holds, and each version's report."""
        versions: dict[int, set] = {}
        for m in measures:
            if m["commitment_id"] is not None:
                versions.setdefault(m["commitment_id"], set()).add((m["published_at"], m["text"]))
        return sorted(sorted(held) for held in versions.values())

    assert commitments(reverse[0]) == commitments(forward[0])
