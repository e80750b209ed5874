"""Enumerated items: 第一/第二…, 一是/二是…, (一)(二)…, 一、二、…, 1. 2. …, 首先/其次/最后.

A list is a run of markers of one family numbered 1, 2, 3… in order. An item runs from its
marker to the next item's marker. The last item ends with its sentence when the whole list
stands in one paragraph (一是…；二是…；三是…。), else with its paragraph; a last item that is
only a heading ("（三）强化保障") takes the paragraph after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.measures.numerals import ordinal

_CN = "一二三四五六七八九十"
# Each family: marker pattern (group "n" is the numeral), and where a marker may stand: at a
# paragraph's start, or (the string) after one of those characters, spaces or tabs between.
_FAMILIES: dict[str, tuple[re.Pattern[str], str]] = {
    "第N": (re.compile(rf"(?P<m>第(?P<n>[{_CN}]{{1,3}})[，,、：:])"), "。；;！？"),
    "N是": (re.compile(rf"(?P<m>(?P<n>[{_CN}]{{1,3}})是)"), "。；;，,：:！？"),
    "(N)": (re.compile(rf"^[ \t]*(?P<m>[(（](?P<n>[{_CN}]{{1,3}})[)）])", re.M), ""),
    "N、": (re.compile(rf"^[ \t]*(?P<m>(?P<n>[{_CN}]{{1,3}})、)", re.M), ""),
    "1.": (re.compile(r"^[ \t]*(?P<m>(?P<n>\d{1,2})(?:[.．、](?!\d)|[)）]))", re.M), ""),
    "(1)": (re.compile(r"(?P<m>[(（](?P<n>\d{1,2})[)）])"), "。；;：:"),
    "首先": (re.compile(r"(?P<m>(?P<n>首先|其次|再次|最后)[，,])"), "。；;！？"),
}
_SEQUENCE_WORDS = {"首先": 1, "其次": 2, "再次": 3}
_HEADING_FAMILIES = ("(N)", "N、", "1.", "(1)")
_SENTENCE_END = re.compile(r"[。！？!?]")


_LEADING_MARKER = re.compile(
    rf"^\s*(?:第[{_CN}]{{1,3}}[，,、：:]|[{_CN}]{{1,3}}是|[(（][{_CN}]{{1,3}}[)）]|[{_CN}]{{1,3}}、"
    r"|\d{1,2}(?:[.．、](?!\d)|[)）])|[(（]\d{1,2}[)）]|(?:首先|其次|再次|最后)[，,])\s*"
)


def strip_marker(text: str) -> str:
    """An item's text without its list marker: its position in a list is not its content."""
    return _LEADING_MARKER.sub("", text, count=1)


@dataclass(frozen=True)
class Item:
    """One enumerated item of a list."""

    ordinal: int
    marker: str
    family: str
    start: int
    end: int
    text: str


def find_items(body: str) -> list[Item]:
    """The items of every top-level list in `body`, in order of appearance."""
    lists = [items for family in _FAMILIES for items in _lists_of(family, body) if len(items) >= 2]
    # Keep the widest lists; a list inside another list's item is a sub-list of that item.
    lists.sort(key=lambda items: items[-1].end - items[0].start, reverse=True)
    chosen: list[list[Item]] = []
    for items in lists:
        if not any(_overlaps(items, other) for other in chosen):
            chosen.append(items)
    return sorted((item for items in chosen for item in items), key=lambda item: item.start)


def _lists_of(family: str, body: str) -> list[list[Item]]:
    """Every run of this family's markers numbered 1, 2, 3…; a new 1 starts another list."""
    runs: list[list[tuple[int, str, int]]] = []
    marks: list[tuple[int, str, int]] = []
    pattern, after = _FAMILIES[family]
    for match in pattern.finditer(body):
        if after and not _marker_may_stand(body, match.start(), after):
            continue
        numeral = match.group("n")
        number = _SEQUENCE_WORDS.get(numeral) if family == "首先" else ordinal(numeral)
        if family == "首先" and numeral == "最后":
            number = len(marks) + 1 if marks else None
        if number == len(marks) + 1:
            marks.append((number, match.group("m"), match.start("m")))
        elif number == 1:
            runs.append(marks)
            marks = [(number, match.group("m"), match.start("m"))]
    runs.append(marks)
    return [_items(family, body, run) for run in runs if len(run) >= 2]


def _marker_may_stand(body: str, start: int, after: str) -> bool:
    """Whether a marker at `start` begins a paragraph or follows one of the characters `after`,
    spaces or tabs between. Checked here, not by a lookbehind of the pattern: a pattern that
    begins with an assertion is tried at every character of the body (a fifth of the time of
    extracting measures), one that begins with its marker only where the marker's first
    character is. A marker that fails the check holds no marker that passes it (its later
    characters follow a numeral or a bracket), so the search goes on after it."""
    while start and body[start - 1] in " \t":
        start -= 1
    return not start or body[start - 1] == "\n" or body[start - 1] in after


def _items(family: str, body: str, marks: list[tuple[int, str, int]]) -> list[Item]:
    items = []
    for index, (number, marker, start) in enumerate(marks):
        if index + 1 < len(marks):
            end = marks[index + 1][2]
        else:
            end = _last_item_end(body, family, marks, start)
        items.append(Item(number, marker, family, start, end, body[start:end].strip()))
    return items


def _last_item_end(body: str, family: str, marks: list[tuple[int, str, int]], start: int) -> int:
    paragraph_end = _paragraph_end(body, start)
    if len(marks) > 1 and "\n" not in body[marks[0][2] : start]:
        sentence = _SENTENCE_END.search(body, start, paragraph_end)
        return sentence.end() if sentence else paragraph_end
    heading = body[start:paragraph_end]
    if family in _HEADING_FAMILIES and not _SENTENCE_END.search(heading):
        return (
            _paragraph_end(body, paragraph_end + 1) if paragraph_end < len(body) else paragraph_end
        )
    return paragraph_end


def _paragraph_end(body: str, position: int) -> int:
    newline = body.find("\n", position)
    return len(body) if newline < 0 else newline


def _overlaps(a: list[Item], b: list[Item]) -> bool:
    return a[0].start < b[-1].end and b[0].start < a[-1].end
