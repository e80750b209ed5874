"""Measures: enumerated items of an article with their fields and kind."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from monitor.measures.fields import find_clause, find_periods, find_quantities
from monitor.measures.kinds import figure_kind, measure_kind
from monitor.measures.segment import find_items

_DIGITS = re.compile(
    r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+(?=[多余]?[个项家元亿万千])"
)
_SPACE_PUNCT = re.compile(r"[\s\u3000，,。、；;：:“”\"'()（）]+")


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
    drafts = []
    for item in find_items(body):
        content = item.text[len(item.marker) :].lstrip("，,、：: ")
        clause = find_clause(content, speaker_org)
        quantities = []
        for quantity in find_quantities(content):
            entry = quantity.__dict__ | {
                "kind": figure_kind(content, content.find(quantity.raw), published_year)
            }
            quantities.append(entry)
        drafts.append(
            MeasureDraft(
                ordinal=item.ordinal,
                marker=item.marker,
                text=item.text,
                masked_sha256=masked_hash(content),
                actor=clause.actor,
                action=clause.action,
                object=clause.object,
                quantities=quantities,
                periods=[p.__dict__ for p in find_periods(content, published_year)],
                kind=measure_kind(re.split(r"[。；;]", content, maxsplit=1)[0]),
            )
        )
    return drafts


def mask(text: str) -> str:
    """The text with numbers masked and punctuation and spaces removed, for matching versions."""
    return _SPACE_PUNCT.sub("", _DIGITS.sub("#", text))


def masked_hash(text: str) -> str:
    """SHA-256 of the masked text."""
    return hashlib.sha256(mask(text).encode("utf-8")).hexdigest()
