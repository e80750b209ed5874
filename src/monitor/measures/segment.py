"""Enumerated items: 第一/第二…, 一是/二是…, (一)(二)…, 一、二、…, 1. 2. …, 首先/其次/最后.

A list is a run of markers of one family numbered 1, 2, 3… in order. An item runs from its
marker to the next item's marker; the last item ends with its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.measures.numerals import ordinal

_CN = "一二三四五六七八九十"
# Each family: marker pattern (group "n" is the numeral) anchored at a paragraph or sentence start.
_FAMILIES: dict[str, re.Pattern[str]] = {
    "第N": re.compile(
        rf"(?:^|(?<=[。；;！？]))[ \t]*(?P<m>第(?P<n>[{_CN}]{{1,3}})[，,、：:])", re.M
    ),
    "N是": re.compile(rf"(?:^|(?<=[。；;，,：:！？]))[ \t]*(?P<m>(?P<n>[{_CN}]{{1,3}})是)", re.M),
    "(N)": re.compile(rf"^[ \t]*(?P<m>[(（](?P<n>[{_CN}]{{1,3}})[)）])", re.M),
    "N、": re.compile(rf"^[ \t]*(?P<m>(?P<n>[{_CN}]{{1,3}})、)", re.M),
    "1.": re.compile(r"^[ \t]*(?P<m>(?P<n>\d{1,2})(?:[.．、](?!\d)|[)）]))", re.M),
    "首先": re.compile(r"(?:^|(?<=[。；;！？]))[ \t]*(?P<m>(?P<n>首先|其次|再次|最后)[，,])", re.M),
}
_SEQUENCE_WORDS = {"首先": 1, "其次": 2, "再次": 3}


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
    lists = [items for family in _FAMILIES if len(items := _list_of(family, body)) >= 2]
    # Keep the widest lists; a list inside another list's item is a sub-list of that item.
    lists.sort(key=lambda items: items[-1].end - items[0].start, reverse=True)
    chosen: list[list[Item]] = []
    for items in lists:
        if not any(_overlaps(items, other) for other in chosen):
            chosen.append(items)
    return sorted((item for items in chosen for item in items), key=lambda item: item.start)


def _list_of(family: str, body: str) -> list[Item]:
    marks: list[tuple[int, str, int]] = []
    for match in _FAMILIES[family].finditer(body):
        numeral = match.group("n")
        number = _SEQUENCE_WORDS.get(numeral) if family == "首先" else ordinal(numeral)
        if family == "首先" and numeral == "最后":
            number = len(marks) + 1 if marks else None
        if number == len(marks) + 1:
            marks.append((number, match.group("m"), match.start("m")))
        elif number == 1:
            marks = [(number, match.group("m"), match.start("m"))]
    items = []
    for index, (number, marker, start) in enumerate(marks):
        if index + 1 < len(marks):
            end = marks[index + 1][2]
        else:
            newline = body.find("\n", start)
            end = len(body) if newline < 0 else newline
        text = body[start:end].strip()
        items.append(Item(number, marker, family, start, end, text))
    return items


def _overlaps(a: list[Item], b: list[Item]) -> bool:
    return a[0].start < b[-1].end and b[0].start < a[-1].end
