"""Measures: enumerated items of an article with their fields and kind."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from monitor.measures.fields import find_clause, find_periods, find_quantities, named_actor
from monitor.measures.kinds import FUTURE_SENTENCE, figure_kind, measure_kind
from monitor.measures.segment import find_items, strip_marker

_DIGITS = re.compile(
    r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+(?=[多余]?[个项家元亿万千])"
)
_SPACE_PUNCT = re.compile(r"[\s\u3000，,。、；;：:“”\"'()（）]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?[”」』]?")


@dataclass(frozen=True)
class MeasureDraft:
    """A measure extracted from an article, before it is stored."""

    ordinal: int
    marker: str
    text: str
    masked_sha256: str
    actor: str | None
    action: str | None
    object: str | None
    quantities: list[dict]
    periods: list[dict]
    kind: str


def extract_measures(
    body: str, speaker_org: str | None, published_year: int | None
) -> list[MeasureDraft]:
    """The measures of an article body.

    Args:
        speaker_org: the organisation of the quoted speaker, who acts where an item names nobody.
        published_year: the year of publication, for 年底前 and for ended plan periods.
    """
    items = find_items(body)
    units = [(item.start, item.marker, item.text) for item in items]
    covered = [(item.start, item.end) for item in items]
    units += [
        (start, "", text) for start, text in commitment_sentences(body, covered, published_year)
    ]
    return [
        _draft(ordinal, marker, text, speaker_org, published_year)
        for ordinal, (_, marker, text) in enumerate(sorted(units), 1)
    ]


def measures_of_many(
    articles: list[tuple[int, str, str | None, int | None]],
) -> dict[int, tuple[str | None, int | None, list[MeasureDraft]]]:
    """extract_measures of many articles, each (id, body, speaker_org, published_year), by id
    with the speaker_org and year they were made with: what a worker computes for the
    measures stage."""
    return {
        key: (org, year, extract_measures(body, org, year)) for key, body, org, year in articles
    }


def commitment_sentences(
    body: str, covered: list[tuple[int, int]], published_year: int | None
) -> list[tuple[int, str]]:
    """Sentences outside lists that promise something concrete: (position, sentence).

    A promise is concrete when it has a figure, a deadline, or names who acts; "下一步我们将齐心协力
    抓落实" is a closing formula, "国家发展改革委将…到2025年…" a commitment.
    """
    found = []
    for match in _SENTENCE.finditer(body):
        if any(start < match.end() and match.start() < end for start, end in covered):
            continue
        sentence = match.group().strip()
        # a lead-in ("北京市将重点推进以下任务：") introduces a list; its items are the measures
        if not FUTURE_SENTENCE.search(sentence) or sentence.endswith(("：", ":")):
            continue
        deadline = any(p.kind == "deadline" for p in find_periods(sentence, published_year))
        if find_quantities(sentence) or deadline or named_actor(sentence):
            found.append((match.start() + match.group().find(sentence), sentence))
    return found


def _draft(
    ordinal: int, marker: str, text: str, speaker_org: str | None, published_year: int | None
) -> MeasureDraft:
    content = strip_marker(text)
    clause = find_clause(content, speaker_org)
    quantities = [
        q.__dict__ | {"kind": figure_kind(content, content.find(q.raw), published_year)}
        for q in find_quantities(content)
    ]
    return MeasureDraft(
        ordinal=ordinal,
        marker=marker,
        text=text,
        masked_sha256=masked_hash(content),
        actor=clause.actor,
        action=clause.action,
        object=clause.object,
        quantities=quantities,
        periods=[p.__dict__ for p in find_periods(content, published_year)],
        kind=measure_kind(re.split(r"[。；;]", content, maxsplit=1)[0]),
    )


def mask(text: str) -> str:
    """The text with numbers masked and punctuation and spaces removed, for matching versions."""
    return _SPACE_PUNCT.sub("", _DIGITS.sub("#", text))


def masked_hash(text: str) -> str:
    """SHA-256 of the masked text."""
    return hashlib.sha256(mask(text).encode("utf-8")).hexdigest()
