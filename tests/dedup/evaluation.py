"""Precision and recall of copy detection and event grouping on the labelled corpus."""

from __future__ import annotations

import random
from functools import cache
from itertools import combinations

from monitor.dedup import events as ev
from monitor.dedup import signatures as sig
from monitor.dedup.copies import CopyIndex, find_copy, screen
from monitor.evaluate import Score
from tests.dedup import corpus


@cache
def evaluate_copies() -> dict[str, Score]:
    """Copy detection per kind of probe, and "all"; also "originals" (no original is a copy)."""
    rng = random.Random(corpus.SEED)
    bodies = corpus.originals(rng)
    probes = corpus.copy_probes(rng, bodies)
    index, codes, values = CopyIndex(), {}, {}

    def candidates(row, own):
        # screened by signatures, as the copies stage does
        found = index.candidates(sig.as_signature(row))
        return screen(row, len(own), found, values.__getitem__, lambda c: len(codes[c]))

    false_among_originals = 0
    for number, row in enumerate(sig.signature_matrix(bodies)):
        codes[number] = sig.shingle_codes(bodies[number])
        if find_copy(codes[number], candidates(row, codes[number]), codes.__getitem__):
            false_among_originals += 1
        index.add(number, sig.as_signature(row))
        values[number] = row
    scores: dict[str, Score] = {"originals": Score(0, false_among_originals, 0)}
    rows = sig.signature_matrix([p.text for p in probes])
    for probe, row in zip(probes, rows, strict=True):
        own = sig.shingle_codes(probe.text)
        match = find_copy(own, candidates(row, own), codes.__getitem__)
        found = match.canonical_id if match else None
        result = Score(
            matched=int(found is not None and found == probe.original),
            predicted=int(found is not None),
            expected=int(probe.original is not None),
        )
        scores[probe.kind] = scores.get(probe.kind, Score(0, 0, 0)) + result
        scores["all"] = scores.get("all", Score(0, 0, 0)) + result
    return scores


@cache
def evaluate_events() -> Score:
    """Pairwise grouping: pairs of reports put in one event against pairs truly of one event."""
    rng = random.Random(corpus.SEED + 1)
    reports = corpus.event_reports(rng)
    labels = ev.group_reports([ev.event_features(r.title, r.body, r.when) for r in reports])
    matched = predicted = expected = 0
    for i, j in combinations(range(len(reports)), 2):
        same, grouped = reports[i].event == reports[j].event, labels[i] == labels[j]
        matched += same and grouped
        predicted += grouped
        expected += same
    return Score(matched, predicted, expected)
