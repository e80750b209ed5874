"""From a raw capture to an ArticleDraft, or a Rejection saying why there is none."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from monitor import words
from monitor.extract import meta
from monitor.extract.decode import Rejection, decode_bytes
from monitor.extract.outlets import most_named_site, outlet_for_url
from monitor.extract.text import (
    Body,
    find_body,
    is_boilerplate,
    pair_share,
    split_lines,
    squeeze,
)

# Title candidates are looked for this many lines above the body.
_TITLE_WINDOW = 15
# A title shares at least this share of its character pairs with the article's opening.
MIN_TITLE_OVERLAP = 0.5
_DERIVED_TITLE_CHARS = 40
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ArticleDraft:
    """An extracted article, before it is stored."""

    title: str
    title_derived: bool
    body: str
    outlet: str | None
    original_source: str | None
    published: meta.PublishDate | None
    reporter: str | None
    editor: str | None
    extractor: str
    url: str | None = None
    # topic words of the headline and opening (words.topic_words), for grouping into events;
    # found here because extraction runs in parallel worker processes
    topics: tuple[str, ...] = ()
    # (name, title, organisation) of the speaker line of a speech or report (国务院总理 李克强)
    speaker: tuple[str, str, str | None] | None = None
    decode_lost: str | None = None  # what decoding the capture lost (decode.Decoded.lost)

    @property
    def published_at(self) -> datetime | None:
        """The publication moment, when the year is known."""
        return self.published.to_datetime() if self.published else None


@dataclass(frozen=True)
class CaptureInput:
    """What the extractor needs to know of a capture besides its bytes."""

    data: bytes
    media_type: str
    origin: str
    captured_at: datetime | None = None
    outlet_hint: str | None = None


def extract_article(capture: CaptureInput) -> ArticleDraft | Rejection:
    """Extract the article of one capture; plain-text dumps and HTML pages are understood."""
    text = decode_bytes(capture.data, _charset(capture.media_type))
    if isinstance(text, Rejection):
        return text
    if capture.media_type.startswith("text/html") or _looks_like_html(text):
        from monitor.extract.html import extract_html

        draft = extract_html(str(text), capture)
    else:
        draft = extract_text_dump(str(text), capture)
    if text.lost and isinstance(draft, ArticleDraft):
        draft = replace(draft, decode_lost=text.lost)
    return draft


def extract_text_dump(text: str, capture: CaptureInput) -> ArticleDraft | Rejection:
    """Extract the article of a plain-text page dump."""
    lines = split_lines(text)
    body = find_body(lines)
    if body is None:
        return Rejection("no article body: no block of prose found")
    header = "\n".join(lines[max(0, body.start_line - _TITLE_WINDOW) : body.start_line])
    footer = "\n".join(lines[body.end_line + 1 :])
    chrome = "\n".join([*lines[: body.start_line], footer])
    title, derived = _pick_title(lines, body)
    return assemble(
        ArticleParts(
            body=body.text,
            title=title,
            title_derived=derived,
            header=header,
            footer=footer,
            chrome=chrome,
            extractor="text-dump",
        ),
        capture,
    )


@dataclass(frozen=True)
class ArticleParts:
    """What an extractor found on the page, before metadata is resolved."""

    body: str
    title: str
    title_derived: bool
    header: str
    footer: str
    chrome: str
    extractor: str
    page_date: meta.PublishDate | None = None
    page_outlet: str | None = None


def assemble(parts: ArticleParts, capture: CaptureInput) -> ArticleDraft:
    """Resolve outlet, original source, date, reporter and editor from the parts of a page."""
    lead = parts.body[:300]
    dateline = meta.find_dateline(lead)
    source_line = meta.find_source_line(parts.header) or meta.find_source_line(parts.footer)
    outlet = (
        capture.outlet_hint
        or outlet_for_url(capture.origin)
        or parts.page_outlet
        or most_named_site(parts.chrome)
        or (dateline.outlet if dateline else None)
        or source_line
    )
    original = next(
        (name for name in (source_line, dateline.outlet if dateline else None) if name),
        None,
    )
    if original is not None and outlet is not None and _same_outlet(original, outlet):
        original = None
    return ArticleDraft(
        title=parts.title,
        title_derived=parts.title_derived,
        body=parts.body,
        outlet=outlet,
        original_source=original,
        published=_publish_date(parts, dateline, capture),
        reporter=meta.find_reporter(lead),
        editor=meta.find_editor(parts.footer) or meta.find_editor(parts.body[-200:]),
        extractor=parts.extractor,
        url=capture.origin if re.match(r"https?://", capture.origin) else None,
        topics=words.topic_words(parts.title, parts.body),
        speaker=meta.find_speaker_line(parts.header),
    )


def _publish_date(
    parts: ArticleParts, dateline: meta.Dateline | None, capture: CaptureInput
) -> meta.PublishDate | None:
    # Only the page header and the story's own dateline speak of the article: dates further down
    # belong to teaser lists and related links.
    shown = meta.find_shown_date(parts.header, parts.title)
    found = parts.page_date or shown
    if shown is not None and found is not None and _days_apart(shown, found) > 1:
        # the page's metadata (or its guess) and the date shown above the story disagree by
        # more than a time zone: the date the reader sees beside the headline is the article's
        found = shown
    if found is not None:
        return found
    if dateline is None or dateline.month is None or dateline.day is None:
        return None
    if capture.captured_at is not None:
        year = meta.year_for(dateline.month, dateline.day, capture.captured_at.date())
        return meta.PublishDate(dateline.month, dateline.day, year)
    return meta.PublishDate(dateline.month, dateline.day)


def _days_apart(one: meta.PublishDate, other: meta.PublishDate) -> int:
    if not (one.year and other.year):
        return 0
    try:
        return abs(
            (date(one.year, one.month, one.day) - date(other.year, other.month, other.day)).days
        )
    except ValueError:
        return 0


def _same_outlet(a: str, b: str) -> bool:
    # 人民网 publishes 人民日报's stories as its own, 新华网 those of 新华社.
    families = ({"人民网", "人民日报"}, {"新华网", "新华社"}, {"光明网", "光明日报"})
    return a == b or any(a in family and b in family for family in families)


def _pick_title(lines: list[str], body: Body) -> tuple[str, bool]:
    opening = squeeze("".join(body.paragraphs[:2]))
    best, best_score = "", 0.0
    for line in lines[max(0, body.start_line - _TITLE_WINDOW) : body.start_line]:
        candidate = meta.clean_title(line)
        cjk = len(_CJK.findall(candidate))
        if cjk < 6 or len(candidate) > 80 or candidate.endswith("。") or is_boilerplate(line):
            continue
        if candidate.rstrip().endswith("摄"):
            continue  # a photo's caption with its credit
        if "来源" in candidate:
            continue
        score = pair_share(candidate, opening)
        if score > best_score:
            best, best_score = candidate, score
    if best_score >= MIN_TITLE_OVERLAP:
        return best, False
    document_title = _document_title(
        lines[max(0, body.start_line - _TITLE_WINDOW) : body.start_line]
    )
    if document_title:
        return document_title, False
    return derive_title(body.paragraphs[0]), True


def _document_title(header: list[str]) -> str | None:
    """The title of a document dump (a report, a speech): the line above its dateline, when
    the header holds a line that is only a date (`2023年政府工作报告` / `2023年3月5日`)."""
    for index, line in enumerate(header):
        if not meta.is_date_line(line):
            continue
        above = [other for other in header[:index] if other]
        if not above:
            return None
        candidate = meta.clean_title(above[-1])
        cjk = len(_CJK.findall(candidate))
        closed = candidate.endswith(("。", "！", "？"))
        if cjk >= 4 and len(candidate) <= 80 and not closed and not is_boilerplate(candidate):
            return candidate
        return None
    return None


def derive_title(lead: str) -> str:
    """A title made from the story's first sentence, its dateline and byline removed."""
    text = re.sub(r"^.{0,30}?(?:日电|讯)\s*(?:[(（][^)）]{0,20}[)）])?\s*", "", lead)
    text = re.sub(r"^\d{1,2}日(?:上午|下午|晚间|晚|早)?[，,]", "", text)
    sentence = re.split(r"[。！？]", text, maxsplit=1)[0]
    if len(sentence) <= _DERIVED_TITLE_CHARS:
        return sentence
    cut = max(sentence.rfind(mark, 0, _DERIVED_TITLE_CHARS) for mark in "，,；;")
    return sentence[: cut if cut > 10 else _DERIVED_TITLE_CHARS] + "…"


def _charset(media_type: str) -> str | None:
    """The charset parameter of a Content-Type ("text/html; charset=GBK" -> "GBK")."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", media_type, re.I)
    return match.group(1) if match else None


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head
