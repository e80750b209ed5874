"""The page's article container, found from the DOM by its prose.

Chinese news pages put the story in one container among navigation, teaser lists, comment
threads and "推荐" blocks. Every block of prose scores for its parent (and half for its
grandparent) by its length and its commas, as Readability does, with Chinese punctuation
counted; link-heavy containers and those whose class or id reads like chrome lose. The
winner's text tells which of trafilatura's paragraphs belong to the story, and gives the
paragraphs when trafilatura picked the wrong block.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from monitor.extract.text import squeeze

_DROP = "//script|//style|//noscript|//iframe|//select|//textarea|//button|//svg"
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "td",
        "section",
        "article",
        "li",
        "pre",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dd",
        "main",
        "center",
    ]
)
# Inline children whose text is part of a block's own prose (links are not).
_INLINE = frozenset(
    [
        "span",
        "strong",
        "b",
        "em",
        "i",
        "font",
        "u",
        "sub",
        "sup",
        "small",
        "big",
        "label",
        "code",
        "cite",
        "q",
        "abbr",
        "mark",
        "ins",
        "del",
        "s",
        "time",
    ]
)
_CONTAINER_TAGS = frozenset(
    ["div", "td", "section", "article", "main", "center", "body", "blockquote"]
)
_COMMA = re.compile(r"[，,、；;。！？]")
# A block shorter than this many characters adds nothing to its container's score.
_MIN_BLOCK_CHARS = 20
_POSITIVE = re.compile(r"article|content|body|text|main|detail|post|story|entry|zw|news_?txt", re.I)
_NEGATIVE = re.compile(
    r"comment|footer|foot|sidebar|side|related|recommend|hot|rank|share|nav|menu|banner|"
    r"advert|\bad\b|breadcrumb|tool|login|copyright|reply|tags?\b|list",
    re.I,
)
_CLASS_WEIGHT = 25.0
_HEADINGS = (
    "//h1|//h2|//h3|//h4|//h5|//h6"
    '|//*[contains(@class, "title") or contains(@id, "title") or contains(@class, "headline")]'
)
_MIN_HEADING, _MAX_HEADING = 6, 80
# Link density is weighed for this many of the best-scored containers.
_CANDIDATES = 5
# Containers whose tag and class recur this often on the page are list items.
_REPEATED = 3
_REPEATED_FACTOR = 0.25


@dataclass(frozen=True)
class Container:
    """The article container of a page: its paragraphs and its links' texts."""

    paragraphs: tuple[str, ...]
    text: str  # whitespace-free, for containment checks
    link_texts: frozenset[str]
    headings: tuple[str, ...] = ()  # the page's headline candidates (h1…h6, "title" classes)

    def holds(self, paragraph: str) -> bool:
        """Whether a paragraph (of another extractor) stands inside this container."""
        flat = squeeze(paragraph)
        if not flat:
            return False
        if flat in self.text:
            return True
        # trafilatura may join or trim inline pieces: test the paragraph's pieces instead
        pieces = [flat[i : i + 12] for i in range(0, len(flat), 12) if len(flat[i : i + 12]) >= 6]
        return bool(pieces) and sum(piece in self.text for piece in pieces) >= 0.8 * len(pieces)

    def is_link_text(self, paragraph: str) -> bool:
        """Whether a paragraph is mostly the text of links (a teaser list, a tag cloud)."""
        flat = squeeze(paragraph)
        if not flat:
            return False
        if flat in self.link_texts:
            return True  # a menu entry ("推荐", "科技")
        covered = sum(len(link) for link in self.link_texts if len(link) >= 4 and link in flat)
        return covered >= 0.7 * len(flat)


def parse_page(html: str) -> _Element | None:
    """The page's tree without scripts, styles, frames and form controls; None if unparsable."""
    try:
        tree = lxml_html.fromstring(html)
    except (ParserError, ValueError):
        return None
    for node in tree.xpath(_DROP):
        node.drop_tree()
    return tree


def visible_text(tree: _Element | None) -> str:
    """The page's text, one text node a line."""
    if tree is None:
        return ""
    return "\n".join(part.strip() for part in tree.itertext() if part.strip())


def find_container(tree: _Element | None) -> Container | None:
    """The article container of a parsed page (`parse_page`), or None when it holds no prose."""
    if tree is None:
        return None
    scores: dict[_Element, float] = {}
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCK_TAGS:
            continue
        own = squeeze(_own_text(element))
        if element.tag == "li" or len(own) < _MIN_BLOCK_CHARS:
            continue
        score = 1.0 + len(_COMMA.findall(own)) + min(len(own) / 100.0, 3.0)
        parent = element.getparent()
        for share, target in (
            (1.0, parent),
            (0.5, parent.getparent() if parent is not None else None),
        ):
            if target is not None and target.tag in _CONTAINER_TAGS:
                scores[target] = scores.get(target, _class_weight(target)) + share * score
        if element.tag in _CONTAINER_TAGS:
            scores[element] = scores.get(element, _class_weight(element)) + score
    if not scores:
        return None
    # a class that many elements share marks a list item (a comment, a teaser), not the story
    shapes = Counter((node.tag, node.get("class")) for node in tree.iter() if node.get("class"))
    for node in scores:
        if shapes[(node.tag, node.get("class"))] >= _REPEATED:
            scores[node] *= _REPEATED_FACTOR
    leaders = sorted(scores, key=scores.__getitem__, reverse=True)[:_CANDIDATES]
    best = max(leaders, key=lambda node: scores[node] * (1.0 - _link_density(node)))
    links = frozenset(text for anchor in tree.iter("a") if (text := squeeze(anchor.text_content())))
    paragraphs = tuple(text for block in _blocks(best) if (text := " ".join(block.split())))
    return Container(paragraphs, squeeze(best.text_content()), links, _headings(tree))


def _headings(tree: _Element) -> tuple[str, ...]:
    found: list[str] = []
    for node in tree.xpath(_HEADINGS):
        text = " ".join(node.text_content().split())
        if _MIN_HEADING <= len(text) <= _MAX_HEADING and text not in found:
            found.append(text)
    return tuple(found)


def _own_text(element: _Element) -> str:
    """The text of an element outside its nested block elements and its links."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in _INLINE:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _blocks(element: _Element) -> list[str]:
    """The element's text in block order: one string a block element, <br> breaking lines."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "".join(current).strip()
        if text:
            lines.append(text)
        current.clear()

    def walk(node: _Element) -> None:
        current.append(node.text or "")
        for child in node:
            if not isinstance(child.tag, str):
                current.append(child.tail or "")
                continue
            if child.tag == "br":
                flush()
            elif child.tag in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)
            current.append(child.tail or "")

    walk(element)
    flush()
    return lines


def _class_weight(element: _Element) -> float:
    names = f"{element.get('class', '')} {element.get('id', '')}"
    weight = 0.0
    if _NEGATIVE.search(names):
        weight -= _CLASS_WEIGHT
    if _POSITIVE.search(names):
        weight += _CLASS_WEIGHT
    return weight


def _link_density(element: _Element) -> float:
    total = len(squeeze(element.text_content()))
    if not total:
        return 1.0
    linked = sum(len(squeeze(anchor.text_content())) for anchor in element.iter("a"))
    return min(linked / total, 1.0)
