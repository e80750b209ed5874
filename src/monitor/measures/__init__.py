"""Measures: enumerated items of an article with their fields and kind."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from monitor.measures.fields import (
    VERB_PATTERN,
    find_clause,
    find_periods,
    find_quantities,
    named_actor,
)
from monitor.measures.kinds import FUTURE_SENTENCE, figure_kind, measure_kind
from monitor.measures.segment import Item, find_items, strip_marker
from monitor.measures.targets import Target, find_sections, find_targets, is_forward, is_report

_DIGITS = re.compile(
    r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+(?=[多余]?[个项家元亿万千])"
)
_SPACE_PUNCT = re.compile(r"[\s\u3000，,。、；;：:“”\"'()（）]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?[”」』]?")
_VERB = re.compile(VERB_PATTERN)
_SENTENCE_END = re.compile(r"[。！？!?]")


@dataclass(frozen=True)
class MeasureDraft:
    """A measure extracted from an article, before it is stored.

    `kind` is target (a quantified target: `subject` is its indicator), commitment (an
    undertaking: `subject` is the policy it is about, when its head clause names one),
    achievement or statement.
    """

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
    subject: str | None = None


# An enumerated item is one undertaking when it is one paragraph, or a heading and a paragraph,
# of at most this many sentences (the seeds' items: 1–3); a longer item, or one of more
# paragraphs, is a section (a
# report's chapter 一、…, a (一) of a work plan), read sentence by sentence.
_MAX_ITEM_SENTENCES = 6
# Undertakings' spans that may overlap one sentence, beyond the first that ends after its start
# (items do not overlap one another, so one is enough; a few cost nothing)
_OVERLAPPING = 3
# The policy an undertaking is about: the subject before its modal (积极的财政政策要…,
# 稳健的货币政策要…), when it is not who acts (我们, 各级政府) or when (今年).
_SUBJECT = re.compile(r"^(?P<subject>[^，,；;：:。！？“”]{3,14}?)(?:要|将|必须|应当|仍要|还要)")
_NOT_SUBJECT = re.compile(
    r"我们|我国|大家|今年|明年|全年|政府|各地|各级|各部门|各方面|国家|中央|全国|这|一方面"
    r"|[部委局办院省市县区]$"
)


def extract_measures(
    body: str, speaker_org: str | None, published_year: int | None
) -> list[MeasureDraft]:
    """The measures of an article body: its undertakings and quantified targets.

    A measure needs a public actor: the speaker's body, the issuer of a document, or a body the
    text names as acting. Without one (company and product news) there is none.

    Args:
        speaker_org: the organisation of the quoted speaker, who acts where an item names nobody.
        published_year: the year of publication, for 年底前 and for ended plan periods.
    """
    items = [item for item in find_items(body) if _is_undertaking(item)]
    units: list[tuple[int, str, str, Target | None]] = [
        (item.start, item.marker, item.text, None) for item in items
    ]
    covered = [(item.start, item.end) for item in items]
    # a paragraph that set targets goes on setting them; a new paragraph starts afresh (looked
    # for between two sentences only: searching back from each sentence grew with the paragraph)
    last_end, forward, reviewing = 0, False, False
    sections = find_sections(body, published_year)
    chapter = 0  # the sections, in order, walked beside the sentences
    for start, sentence in _sentences(body, covered):
        while chapter < len(sections) and sections[chapter].end <= start:
            chapter += 1
        current = sections[chapter] if chapter < len(sections) else None
        section = current if current is not None and current.start <= start else None
        default = section.forward if section is not None else None
        if "\n" in body[last_end:start] or last_end == 0:
            forward, reviewing = bool(default), default is True and is_report(sentence)
        last_end = start + len(sentence)
        if default is False or reviewing:
            forward = False  # a review, or a paragraph of it (过去五年，…): no target
        elif default:
            forward = not is_report(sentence)
        else:
            forward = is_forward(sentence) or (forward and not is_report(sentence))
        targets = find_targets(
            sentence,
            forward,
            plan=section is not None and section.plan,
            horizon=None if section is None else section.horizon,
        )
        if targets:
            units += [(start + target.start, "", target.text, target) for target in targets]
        elif _is_commitment(sentence, published_year):
            units.append((start, "", sentence, None))
    drafts: list[MeasureDraft] = []
    seen: set[str] = set()
    for _, marker, text, target in sorted(units, key=lambda unit: unit[0]):
        draft = _draft(len(drafts) + 1, marker, text, target, speaker_org, published_year)
        if draft.actor is None:
            continue  # no public actor: not a commitment
        if draft.subject is not None and draft.subject in seen:
            if target is not None:
                continue  # a target restated in the same article: its first statement counts
            draft = replace(draft, subject=None)
        seen.add(draft.subject or "")
        drafts.append(draft)
    return drafts


def measures_of_many(
    articles: list[tuple[int, str, str | None, int | None]],
) -> dict[int, tuple[str | None, int | None, list[MeasureDraft]]]:
    """extract_measures of many articles, each (id, body, speaker_org, published_year), by id
    with the speaker_org and year they were made with: what a worker computes for the
    measures stage."""
    return {
        key: (org, year, extract_measures(body, org, year)) for key, body, org, year in articles
    }


def _is_undertaking(item: Item) -> bool:
    """Whether an enumerated item states one undertaking rather than heading a section."""
    sentences = len(_SENTENCE_END.findall(item.text))
    return item.text.count("\n") <= 1 and sentences <= _MAX_ITEM_SENTENCES


def _sentences(body: str, covered: list[tuple[int, int]]) -> Iterator[tuple[int, str]]:
    """The sentences outside the undertakings' spans: (position, sentence). Both come in
    order, so the spans are walked once beside the sentences (looking through all of them for
    each sentence grew with the square of a page's length: 7 s at 2.7 M characters)."""
    spans = sorted(covered)
    next_span = 0
    for match in _SENTENCE.finditer(body):
        while next_span < len(spans) and spans[next_span][1] <= match.start():
            next_span += 1  # spans that end before this sentence end before every later one
        if any(start < match.end() for start, _ in spans[next_span : next_span + _OVERLAPPING]):
            continue
        sentence = match.group().strip()
        if sentence:
            yield match.start() + match.group().find(sentence), sentence


def _is_commitment(sentence: str, published_year: int | None) -> bool:
    """Whether a sentence outside lists promises something concrete.

    A promise is concrete when it has a figure, a deadline, names who acts, or names the policy
    it is about; "下一步我们将齐心协力抓落实" is a closing formula, "国家发展改革委将…到2025年…" a
    commitment. A lead-in ("北京市将重点推进以下任务：") introduces a list, whose items count.
    """
    if not FUTURE_SENTENCE.search(sentence) or sentence.endswith(("：", ":")):
        return False
    deadline = any(p.kind == "deadline" for p in find_periods(sentence, published_year))
    return bool(
        find_quantities(sentence) or deadline or named_actor(sentence) or _subject(sentence)
    )


def _subject(content: str) -> str | None:
    """The policy an undertaking is about, from its head clause, if it names one."""
    match = _SUBJECT.match(content)
    if match is None:
        return None
    subject = match.group("subject")
    if _NOT_SUBJECT.search(subject) or _VERB.search(subject):
        return None
    return subject


def _draft(
    ordinal: int,
    marker: str,
    text: str,
    target: Target | None,
    speaker_org: str | None,
    published_year: int | None,
) -> MeasureDraft:
    content = strip_marker(text)
    clause = find_clause(content, speaker_org)
    subject: str | None
    if target is not None:
        quantities = [
            q.__dict__ | {"kind": "target", "role": role} for q, role in target.quantities
        ]
        kind, subject = "target", target.key
    else:
        quantities = [
            q.__dict__ | {"kind": figure_kind(content, content.find(q.raw), published_year)}
            for q in find_quantities(content)
        ]
        kind = measure_kind(re.split(r"[。；;]", content, maxsplit=1)[0])
        subject = _subject(content) if kind == "commitment" else None
    periods = find_periods(content, published_year)
    if target is not None and target.horizon is not None and target.horizon not in periods:
        periods.append(target.horizon)  # the plan of its chapter: its deadline
    return MeasureDraft(
        ordinal=ordinal,
        marker=marker,
        text=text,
        masked_sha256=masked_hash(content),
        actor=clause.actor,
        action=clause.action,
        object=clause.object,
        quantities=quantities,
        periods=[p.__dict__ for p in periods],
        kind=kind,
        subject=subject,
    )


def mask(text: str) -> str:
    """The text with numbers masked and punctuation and spaces removed, for matching versions."""
    return _SPACE_PUNCT.sub("", _DIGITS.sub("#", text))


def masked_hash(text: str) -> str:
    """SHA-256 of the masked text."""
    return hashlib.sha256(mask(text).encode("utf-8")).hexdigest()
