"""Commitment tracking scored on the Government Work Reports 2016–2022 (../shared/corpora/gwr).

The labels (data/gwr_targets.toml) were made by reading the reports: every quantified target,
and whether it is NEW, reaffirmed or CHANGED (with the earlier figure) against the most recent
earlier report that sets one for the same indicator. The reports are ingested through the
command line in date order (or any other), and what `monitor measures` and `monitor changes`
print as JSON is scored:

- CHANGED: precision over every target the pipeline flagged CHANGED, recall over the labelled
  ones; a flag counts only with the right figures before and after.
- reaffirmed: the share of labelled reaffirmed targets flagged NEW or CHANGED (want: none).
- NEW: precision over every target the pipeline flagged NEW, recall over the labelled ones.

The first two pairs of reports (2016→2017, 2017→2018) are the development half; the other
three are scored apart as unseen.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.evaluate import Score
from tests.conftest import GWR, gwr_report

LABELS = Path(__file__).parent / "data" / "gwr_targets.toml"
YEARS = (2016, 2017, 2018, 2019, 2021, 2022)
DEVELOPMENT = (2016, 2017, 2018)  # the years whose labels the rules were developed on


@dataclass(frozen=True)
class Label:
    """A labelled target of one report."""

    year: int
    text: str
    figure: str
    label: str  # NEW | CHANGED | reaffirmed
    before: str | None


@dataclass
class Scores:
    """The figures of one run."""

    changed: Score
    new: Score
    reaffirmed_flagged: int
    reaffirmed: int
    missed: int  # labelled targets found as no measure at all

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed_precision": round(self.changed.precision, 3),
            "changed_recall": round(self.changed.recall, 3),
            "new_precision": round(self.new.precision, 3),
            "new_recall": round(self.new.recall, 3),
            "reaffirmed_flagged": round(self.reaffirmed_flagged / max(self.reaffirmed, 1), 3),
            "labelled": self.changed.expected + self.new.expected + self.reaffirmed,
            "missed": self.missed,
        }


def available() -> bool:
    """Whether the reports are here (a clone outside this workspace has none)."""
    return GWR.is_dir()


def labels() -> list[Label]:
    """Every labelled target."""
    data = tomllib.loads(LABELS.read_text(encoding="utf-8"))
    return [
        Label(t["year"], t["text"], t["figure"], t["label"], t.get("before"))
        for t in data["target"]
    ]


def ingest_reports(home: Path, years: Iterable[int]) -> tuple[list[dict], list[dict]]:
    """Ingest the reports one command each in the given order into a fresh home; return what
    `monitor measures -f json` and `monitor changes -f json` print."""
    from typer.testing import CliRunner

    from monitor.cli import app

    runner = CliRunner()
    env = {"MONITOR_HOME": str(home), "MONITOR_DATABASE_URL": os.environ.get("GWR_DB_URL", "")}
    env = {k: v for k, v in env.items() if v}
    for year in years:
        result = runner.invoke(app, ["ingest", str(gwr_report(year))], env=env)
        assert result.exit_code == 0, result.output
    measures = runner.invoke(app, ["measures", "-f", "json"], env=env)
    changes = runner.invoke(app, ["changes", "-f", "json"], env=env)
    assert measures.exit_code == 0 and changes.exit_code == 0, measures.output + changes.output
    return json.loads(measures.stdout), json.loads(changes.stdout)


def score_run(measures: list[dict], changes: list[dict], years: Iterable[int] = YEARS) -> Scores:
    """Score what the commands printed against the labels of the given years."""
    wanted = set(years)
    targets = [m for m in measures if m["kind"] == "target" and _year(m["published_at"]) in wanted]
    flagged: dict[tuple[int, int], dict] = {}  # (commitment, year): its CHANGED change
    for change in changes:
        if change["kind"] == "CHANGED" and change["published_at"]:
            flagged[(change["commitment_id"], _year(change["published_at"]))] = change
    matched: dict[int, Label] = {}  # measure id: the label it was matched to
    missed = 0
    changed_right = new_right = reaffirmed = reaffirmed_flagged = 0
    expected = {"CHANGED": 0, "NEW": 0}
    for label in (label for label in labels() if label.year in wanted):
        measure = _match(label, targets, matched)
        if label.label in expected:
            expected[label.label] += 1
        if measure is None:
            missed += 1
            if label.label == "reaffirmed":
                reaffirmed += 1
            continue
        matched[measure["id"]] = label
        outcome = measure["outcome"]
        if label.label == "reaffirmed":
            reaffirmed += 1
            reaffirmed_flagged += outcome in ("new", "changed")
        elif label.label == "NEW":
            new_right += outcome == "new"
        elif outcome == "changed":
            change = flagged.get((measure["commitment_id"], label.year))
            changed_right += change is not None and _pair_right(change, label)
    predicted_changed = sum(m["outcome"] == "changed" for m in targets)
    predicted_new = sum(m["outcome"] == "new" for m in targets)
    return Scores(
        Score(changed_right, predicted_changed, expected["CHANGED"]),
        Score(new_right, predicted_new, expected["NEW"]),
        reaffirmed_flagged,
        reaffirmed,
        missed,
    )


def _year(published_at: str | None) -> int | None:
    return int(published_at[:4]) if published_at else None


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _match(label: Label, targets: list[dict], taken: dict[int, Label]) -> dict | None:
    """The target measure of the label's report that states the label's figure."""
    text, figure = _squeeze(label.text), _squeeze(label.figure)
    for measure in targets:
        if measure["id"] in taken or _year(measure["published_at"]) != label.year:
            continue
        own = _squeeze(measure["text"])
        raw = _squeeze(measure["quantities"][0]["raw"]) if measure["quantities"] else ""
        if not raw or not (raw in figure or figure in raw):
            continue
        if own in text or text in own or (measure["subject"] or "\0")[:2] in text:
            return measure
    return None


def _pair_right(change: dict, label: Label) -> bool:
    """Whether a CHANGED change gives the label's figures before and after."""
    before = [v for k, v in change["before"].items() if k.startswith("quantities") and v]
    after = [v for k, v in change["after"].items() if k.startswith("quantities") and v]
    old = _squeeze(label.before or "")
    return any(_close(v["raw"], old) for v in before) and any(
        _close(v["raw"], _squeeze(label.figure)) for v in after
    )


def _close(raw: str, labelled: str) -> bool:
    raw = _squeeze(raw)
    return bool(raw) and (raw in labelled or labelled in raw)
