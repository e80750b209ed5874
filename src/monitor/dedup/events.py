"""Reports of one event: articles that share a date, a speaker, a venue and a topic.

Different outlets write one press conference up in different words, so body similarity cannot
find them. What they share is who spoke, where, when and about what; those features are scored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor import orgs, words

# Reports of an event appear on its day or within this many days of it.
MAX_DAYS_APART = 2
# Feature weights of the score. A shared speaker weighs most; a venue hosts several events a day,
# and policy reporting shares many words, so neither alone decides.
_WEIGHTS = {"speakers": 0.45, "venues": 0.2, "topics": 0.35}
# Score at or above which an article joins an event: a shared speaker with the venue (0.65) or
# with a seventh of the report's topic words does; a venue with generic shared words (国务院
# 新闻办公室 + 体系, 措施) does not.
JOIN_SCORE = 0.5
# Topic words alone score below JOIN_SCORE (0.35 against 0.5), so a report can only join an
# event it shares a speaker or a venue with: those are the only events scored (EventIndex.best).
# An event keeps at most this many topic words as reports join it, so that the words of a large
# event do not outnumber a new report's.
_EVENT_TOPICS = 30
_LEAD_CHARS = 400  # where a report names its venue
# A quoted official: a title (looked for alone first), a name, then a speech verb; the
# organisation before it is found by _speaker_mentions.
_TITLE = re.compile(orgs.OFFICIAL_TITLES)
_TITLE_NAME = re.compile(
    rf"(?P<title>{orgs.OFFICIAL_TITLES})"
    r"(?P<name>[\u4e00-\u9fa5]{2,3}?)(?=表示|介绍|说|指出|强调|称|透露|回答|答|在)"
)
_PREFIX_CHARS = 12
_PRESS_EVENT = re.compile(r"新闻发布会|发布会|记者会|吹风会|答记者问")
_VENUES = re.compile(r"国新办|国务院新闻办公室|国务院新闻办|国务院联防联控机制|外交部|商务部")


@dataclass(frozen=True)
class Speaker:
    """A person quoted at the event, with title and organisation."""

    name: str
    title: str
    org: str | None


@dataclass(frozen=True)
class EventFeatures:
    """What an article says about the event it reports."""

    month: int | None
    day: int | None
    year: int | None
    speakers: tuple[Speaker, ...]
    venues: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def speaker_org(self) -> str | None:
        """The organisation of the first quoted speaker that has one."""
        return next((s.org for s in self.speakers if s.org), None)

    def to_json(self) -> dict:
        """A JSON-serialisable form, for storage."""
        return {
            "month": self.month,
            "day": self.day,
            "year": self.year,
            "speakers": [s.__dict__ for s in self.speakers],
            "venues": list(self.venues),
            "topics": list(self.topics),
        }

    @classmethod
    def from_json(cls, data: dict) -> EventFeatures:
        """The inverse of to_json."""
        return cls(
            month=data.get("month"),
            day=data.get("day"),
            year=data.get("year"),
            speakers=tuple(Speaker(**s) for s in data.get("speakers", [])),
            venues=tuple(data.get("venues", [])),
            topics=tuple(data.get("topics", [])),
        )


def event_features(
    title: str,
    body: str,
    when: tuple[int | None, int, int] | None,
    topics: Sequence[str] | None = None,
    speaker: Speaker | None = None,
) -> EventFeatures:
    """Features of the event an article reports.

    Args:
        when: (year or None, month, day) of publication, if known.
        topics: the article's topic words (words.topic_words), if extraction found them.
        speaker: the speaker of a speech or report, named on a line of its own above the body.
    """
    lead = body[:_LEAD_CHARS]
    speakers: dict[str, Speaker] = {speaker.name: speaker} if speaker else {}
    for prefix, title, name in _speaker_mentions(body):
        if name not in speakers:
            speakers[name] = Speaker(name, title, orgs.trim_org(prefix))
    venues = (
        sorted({orgs.canonical(v) for v in _VENUES.findall(lead)})
        if _PRESS_EVENT.search(lead)
        else []
    )
    year, month, day = when if when else (None, None, None)
    return EventFeatures(
        month,
        day,
        year,
        tuple(speakers.values()),
        tuple(venues),
        tuple(topics) if topics is not None else words.topic_words(title, body),
    )


def _speaker_mentions(body: str) -> Iterator[tuple[str, str, str]]:
    """(organisation, title, name) of each quoted official, left to right, as the regex
    `([\u4e00-\u9fa5]{0,12}?)(title)(name)(?=verb)` finds them.

    That regex's lazy prefix makes the engine try a title after each of up to 13 prefixes at
    every character. Found from the titles, the matches are the same: the leftmost starts as far
    before the first title at or after the search position as 12 characters, the run of
    Chinese characters and that position allow, and the next search starts after it.

    A title is looked for with the titles alone, which the engine scans for by their first
    characters, and only where one starts is the name and verb after it tried: trying the whole
    pattern at every character took a quarter of the events stage (1.05 s against 0.10 s for
    10,000 benchmark bodies, the same mentions).
    """
    position = 0
    search_from = 0
    while (found := _TITLE.search(body, search_from)) is not None:
        title_at = found.start()
        search_from = title_at + 1  # titles overlap (副秘书长, 秘书长): every start is tried
        if title_at < position:
            continue
        match = _TITLE_NAME.match(body, title_at)
        if match is None:
            continue
        start = title_at
        while start > position and title_at - start < _PREFIX_CHARS:
            if not "\u4e00" <= body[start - 1] <= "\u9fa5":
                break
            start -= 1
        title, name = match.group("title"), match.group("name")
        yield body[start:title_at], title, name
        position = title_at + len(title) + len(name)


def score(a: EventFeatures, b: EventFeatures) -> float:
    """How likely report `a` describes event `b`, from 0 to 1; 0 when the dates are apart."""
    return _score(a, _Terms.of(a), b, _Terms.of(b))


@dataclass(frozen=True, slots=True)
class _Terms:
    """The speakers, venues and topic words of a report or an event as sets, made once for all
    the pairs it is scored in."""

    names: frozenset[str]
    venues: frozenset[str]
    topics: frozenset[str]
    topic_count: int  # the words of the report, as it lists them

    @classmethod
    def of(cls, features: EventFeatures) -> _Terms:
        names = frozenset(s.name for s in features.speakers)
        return cls(
            names, frozenset(features.venues), frozenset(features.topics), len(features.topics)
        )

    def may_join(self, other: _Terms) -> bool:
        """Whether the two share a speaker or a venue: without one no score reaches
        JOIN_SCORE."""
        return not (self.names.isdisjoint(other.names) and self.venues.isdisjoint(other.venues))


def _score(a: EventFeatures, terms_a: _Terms, b: EventFeatures, terms_b: _Terms) -> float:
    if not dates_close(a, b):
        return 0.0
    speakers = 1.0 if terms_a.names & terms_b.names else 0.0
    venues = 1.0 if terms_a.venues & terms_b.venues else 0.0
    # against the report's own words: an event's topic list grows as reports join it
    topics = len(terms_a.topics & terms_b.topics) / terms_a.topic_count if a.topics else 0.0
    return (
        _WEIGHTS["speakers"] * speakers + _WEIGHTS["venues"] * venues + _WEIGHTS["topics"] * topics
    )


def dates_close(a: EventFeatures, b: EventFeatures) -> bool:
    """Whether two dates are within MAX_DAYS_APART; a missing year matches on month and day."""
    if a.month is None or b.month is None or a.day is None or b.day is None:
        return False
    first = _ordinal(a.year or b.year or 2000, a.month, a.day)
    second = _ordinal(b.year or a.year or 2000, b.month, b.day)
    if first is None or second is None:
        return False
    return abs(first - second) <= MAX_DAYS_APART


@functools.lru_cache(maxsize=65536)
def _ordinal(year: int, month: int, day: int) -> int | None:
    try:
        return date(year, month, day).toordinal()
    except ValueError:
        return None


def merge(a: EventFeatures, b: EventFeatures) -> EventFeatures:
    """The features of an event after a new report joins it; the earliest full date wins."""
    dated = [f for f in (a, b) if f.year and f.month and f.day]
    first = min(dated, key=lambda f: (f.year, f.month, f.day)) if dated else a
    speakers = {s.name: s for s in (*b.speakers, *a.speakers)}
    return EventFeatures(
        first.month,
        first.day,
        first.year,
        tuple(speakers.values()),
        tuple(sorted({*a.venues, *b.venues})),
        tuple(dict.fromkeys((*a.topics, *b.topics)))[:_EVENT_TOPICS],
    )


class EventIndex:
    """Known events, by their days, each with its speakers and venues.

    Only events within MAX_DAYS_APART of a report can score above 0, and only those sharing a
    speaker or a venue with it can score JOIN_SCORE: every event of the days around the report
    that shares one is scored, and no other. The best event is the best of all known ones.
    """

    def __init__(self) -> None:
        self._features: dict[int, EventFeatures] = {}
        self._terms: dict[int, _Terms] = {}
        # the events of a month and day: of any year, and those without a year
        self._on_day: dict[tuple[int, int], set[int]] = {}
        self._yearless: dict[tuple[int, int], set[int]] = {}
        self._on_date: dict[tuple[int, int, int], set[int]] = {}  # of a known year

    def put(self, event_id: int, features: EventFeatures) -> None:
        """Add an event, or replace its features after a report joined it."""
        self.drop(event_id)
        self._features[event_id] = features
        self._terms[event_id] = _Terms.of(features)
        for days, key in self._day_keys(features):
            days.setdefault(key, set()).add(event_id)

    def drop(self, event_id: int) -> None:
        """Forget an event (it was merged away)."""
        self._terms.pop(event_id, None)
        features = self._features.pop(event_id, None)
        if features is not None:
            for days, key in self._day_keys(features):
                days[key].discard(event_id)

    def _day_keys(self, features: EventFeatures) -> Iterator[tuple[dict[Any, set[int]], Any]]:
        if features.month is None or features.day is None:
            return
        yield self._on_day, (features.month, features.day)
        if features.year is None:
            yield self._yearless, (features.month, features.day)
        else:
            yield self._on_date, (features.year, features.month, features.day)

    def features(self, event_id: int) -> EventFeatures:
        """The features an event has now."""
        return self._features[event_id]

    def best(self, features: EventFeatures) -> tuple[int, float] | None:
        """The event these features report, with its score, if one scores JOIN_SCORE or more."""
        terms = _Terms.of(features)
        if not terms.names and not terms.venues:
            return None
        best = (0.0, -1)
        for event_id in self._near(features):
            theirs = self._terms[event_id]
            if not terms.may_join(theirs):
                continue
            scored = (_score(features, terms, self._features[event_id], theirs), event_id)
            best = max(best, scored)
        return (best[1], best[0]) if best[0] >= JOIN_SCORE else None

    def _near(self, features: EventFeatures) -> set[int]:
        """The events whose dates can be close to the report's (dates_close): of the days
        around it in its year, and those without a year; of any year when the report has
        none. A store of years of reports holds the same days of every year, so this keeps
        the events a report is scored against as many in the sixth year as in the first."""
        if features.month is None or features.day is None:
            return set()
        if features.year is None:
            return _around(self._on_day, features.month, features.day)
        try:
            anchor = date(features.year, features.month, features.day).toordinal()
        except ValueError:
            return set()  # no event's date is close to a date that does not exist
        near = _around(self._yearless, features.month, features.day)
        for offset in range(-MAX_DAYS_APART, MAX_DAYS_APART + 1):
            day = date.fromordinal(anchor + offset)
            near |= self._on_date.get((day.year, day.month, day.day), set())
        return near


def _around(on_day: dict[tuple[int, int], set[int]], month: int, day: int) -> set[int]:
    """The events of on_day within MAX_DAYS_APART of a month and day in any year (one day more
    each way, for 29 February)."""
    try:
        anchor = date(2000, month, day).toordinal()  # a leap year
    except ValueError:
        return set()
    near: set[int] = set()
    for offset in range(-MAX_DAYS_APART - 1, MAX_DAYS_APART + 2):
        other = date.fromordinal(anchor + offset)
        near |= on_day.get((other.month, other.day), set())
    return near


def group_reports(reports: list[EventFeatures]) -> list[int]:
    """Group reports into events in order, as the events stage does: the event number of each."""
    index = EventIndex()
    labels: list[int] = []
    for features in reports:
        found = index.best(features)
        if found is None:
            event_id = len(set(labels))
            index.put(event_id, features)
        else:
            event_id = found[0]
            index.put(event_id, merge(index.features(event_id), features))
        labels.append(event_id)
    return labels
