"""HTML pages: trafilatura finds the body; our Chinese rules read the metadata around it."""

from __future__ import annotations

import re

import trafilatura
from lxml import html as lxml_html
from lxml.etree import ParserError

from monitor.extract import meta
from monitor.extract.article import (
    ArticleDraft,
    ArticleParts,
    CaptureInput,
    Rejection,
    assemble,
    derive_title,
)
from monitor.extract.outlets import outlet_for_url
from monitor.extract.text import is_boilerplate

# A body shorter than this many characters is a teaser or an error page, not an article.
_MIN_BODY_CHARS = 50


def extract_html(html: str, capture: CaptureInput) -> ArticleDraft | Rejection:
    """Extract the article of an HTML page."""
    url = capture.origin if re.match(r"https?://", capture.origin) else None
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
    except (ValueError, TypeError, ParserError) as exc:
        return Rejection(f"malformed HTML: {exc}")
    text = getattr(document, "text", None) if document is not None else None
    if not text or len(text.strip()) < _MIN_BODY_CHARS:
        return Rejection("no article body: the page holds no article text")
    paragraphs = [
        cell for line in text.split("\n") for cell in _cells(line) if not is_boilerplate(cell)
    ]
    if sum(len(p) for p in paragraphs) < _MIN_BODY_CHARS:
        return Rejection("no article body: only page chrome around it")
    page_text = _visible_text(html)
    body_at = page_text.find(paragraphs[0][:20]) if paragraphs else -1
    header = page_text[max(0, body_at - 600) : body_at] if body_at >= 0 else ""
    title = meta.clean_title(getattr(document, "title", None) or "")
    page_date = meta.find_full_date(getattr(document, "date", None) or "") or None
    # the page's own address (og:url, canonical link) names its site, whatever the body mentions
    page_outlet = outlet_for_url(getattr(document, "url", None))
    return assemble(
        ArticleParts(
            body="\n".join(paragraphs),
            title=title or derive_title(paragraphs[0]),
            title_derived=not title,
            header=header,
            footer=page_text[body_at + len(text) :] if body_at >= 0 else "",
            chrome=page_text,
            extractor="trafilatura",
            page_date=page_date,
            page_outlet=page_outlet,
        ),
        capture,
    )


def _cells(line: str) -> list[str]:
    """A line of trafilatura's text, with a table row ("| a | b |", layout tables on older
    government sites) split into its non-empty cells."""
    line = line.strip()
    if not line.startswith("|"):
        return [line] if line else []
    cells = (cell.strip().replace("\\|", "|") for cell in line.strip("|").split(" | "))
    return [cell for cell in cells if cell]


def _visible_text(html: str) -> str:
    try:
        tree = lxml_html.fromstring(html)
    except (ParserError, ValueError):
        return ""
    for node in tree.xpath("//script|//style|//noscript"):
        node.drop_tree()
    return "\n".join(part.strip() for part in tree.itertext() if part.strip())
