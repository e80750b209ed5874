"""Copy links and event membership."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Row, Select, delete, func, select, update
from sqlalchemy.orm import Session, contains_eager, defer, joinedload

from monitor.clock import CHINA_TZ
from monitor.dedup import events as ev
from monitor.dedup.copies import CopyIndex, find_copy, screen
from monitor.dedup.signatures import (
    NUM_PERM,
    Signature,
    as_signature,
    shingle_codes,
    shingled_many,
    to_bytes,
)
from monitor.extract.meta import year_for
from monitor.extract.parallel import in_workers
from monitor.run import RunContext, StageResult, keep_statistics, pending_batches, stage
from monitor.store import Database
from monitor.store.bulk import NewIds, bulk_update, insert_rows, mark_done
from monitor.store.models import (
    Article,
    Capture,
    Commitment,
    CopyLink,
    Event,
    EventArticle,
    Measure,
    Observation,
)


@stage
def find_copies_pending(db: Database, context: RunContext) -> StageResult:
    """Link each new article to the article it is a near-identical copy of, if any."""
    result = StageResult("copies")
    index = _load_copy_index(db, context.redis_url)
    pending = _in_content_order(select(Article.id).where(Article.dedup_done.is_(False)))
    batches = list(pending_batches(db, pending))
    # shingled and signed in the extraction workers, a few batches ahead of the one compared
    computed = in_workers(
        shingled_many, _bodies(db, batches), len(batches), context.extract_workers
    )
    for ids, shingled in zip(context.batches("copies", batches), computed, strict=True):
        with db.transaction() as session:
            # the bodies were read for the workers: here only if one changed since
            query = _in_content_order(select(Article).where(Article.id.in_(ids)))
            # of the captures only what orders copies: their raw pages (a capture's bulk) were
            # read with every article, 33,333 of them at 100k besides the batches'
            capture = contains_eager(Article.capture).load_only(Capture.sha256)
            articles = list(session.scalars(query.options(capture, defer(Article.body))))
            if any(shingled.get(a.id, ("",))[0] != a.body_sha256 for a in articles):
                shingled = shingled_many([(a.id, a.body_sha256, a.body) for a in articles])
            codes = [shingled[a.id][1] for a in articles]
            matrix = np.array([shingled[a.id][2] for a in articles], dtype=np.uint32)
            matrix = matrix.reshape(len(articles), NUM_PERM)
            signatures = [as_signature(values) for values in matrix]
            index.prefetch(matrix)
            stored = _StoredArticles(session)
            for article, own, values in zip(articles, codes, matrix, strict=True):
                stored.know(article, own, values)
            # the candidates of the whole batch: their signatures in one query, and the bodies of
            # those the signatures leave possible in another; each article asks the index again
            # below, as the batch's own articles join it
            proposed = [index.candidates(sig) for sig in signatures]
            stored.load_signatures(set().union(*proposed))
            stored.load_bodies(
                set().union(
                    *(
                        stored.screen(values, len(own), candidates)
                        for own, values, candidates in zip(codes, matrix, proposed, strict=True)
                    )
                )
            )
            links: list[dict[str, Any]] = []
            for article, own, values, sig in zip(articles, codes, matrix, signatures, strict=True):
                article.signature, article.dedup_done = to_bytes(sig), True
                article.shingle_count = len(own)
                candidates = stored.screen(values, len(own), index.candidates(sig))
                match = find_copy(own, candidates, stored.shingles)
                if match is None:
                    index.add(article.id, sig)
                    continue
                original = session.get_one(Article, match.canonical_id)
                if _published_before(article, original):
                    _write_links(session, links)  # the links the promotion moves
                    _promote(session, index, article, sig, original.id)
                    article, original = original, article
                links.append(
                    {
                        "article_id": article.id,
                        "canonical_id": original.id,
                        "similarity": round(match.similarity, 4),
                        "method": match.method,
                    }
                )
                result.add("copies")
            _write_links(session, links)
    return result


def _write_links(session: Session, links: list[dict[str, Any]]) -> None:
    """Insert the copy links made so far in one statement."""
    if links:
        insert_rows(session, CopyLink, links)
        links.clear()


def _bodies(db: Database, batches: list[list[int]]) -> Iterator[list[tuple[int, str, str]]]:
    """The bodies (id, body hash, body) the workers shingle, read a batch at a time (an
    article re-extracted since is shingled again in its transaction)."""
    for ids in batches:
        with db.sessions() as session:
            query = select(Article.id, Article.body_sha256, Article.body).where(Article.id.in_(ids))
            bodies = [(i, sha, body) for i, sha, body in session.execute(query)]
        yield bodies  # the session closed: none is left open while the batch waits


def _in_content_order(query: Select[Any]) -> Select[Any]:
    """Articles in the order of their captures' content hashes: the same whatever order they
    were captured, stored or extracted in (extraction batches may commit in any order)."""
    return query.join(Capture, Capture.id == Article.capture_id).order_by(Capture.sha256)


def _published_before(article: Article, other: Article) -> bool:
    # publication first; two copies published at the same minute are ordered by content hash
    if article.published_at is None or other.published_at is None:
        return False
    return (article.published_at, article.capture.sha256) < (
        other.published_at,
        other.capture.sha256,
    )


def _promote(
    session: Session, index: CopyIndex, article: Article, sig: Signature, previous: int
) -> None:
    """Make an earlier-published copy the canonical article in place of `previous`.

    The canonical article is the earliest published, whatever order the captures came in.
    """
    session.execute(
        update(CopyLink).where(CopyLink.canonical_id == previous).values(canonical_id=article.id)
    )
    index.remove(previous)
    index.add(article.id, sig)


class _StoredArticles:
    """What the copies stage compares candidates by, read once per batch: their signatures and
    shingle counts, which screen them, and the shingle codes of the bodies of those left."""

    _CHUNK = 500  # ids per query

    def __init__(self, session: Session) -> None:
        self.session = session
        self.values: dict[int, np.ndarray] = {}  # signature values
        self.counts: dict[int, int | None] = {}  # shingle counts (None: stored before counts)
        self.codes: dict[int, np.ndarray] = {}
        # held so that the session's identity map (weak references) keeps them: a candidate
        # found to be the original is then at hand, with its capture, without a query
        self.articles: list[Article] = []

    def know(self, article: Article, codes: np.ndarray, values: np.ndarray) -> None:
        """An article of the batch, whose codes and signature are computed already."""
        self.codes[article.id], self.values[article.id] = codes, values
        self.counts[article.id] = len(codes)

    def load_signatures(self, article_ids: set[int]) -> None:
        """Read the signatures and shingle counts of the articles not known yet."""
        # a lookup an id: `article_ids - self.values.keys()` walks every signature known
        missing = sorted(i for i in article_ids if i not in self.values)
        for start in range(0, len(missing), self._CHUNK):
            query = select(Article.id, Article.signature, Article.shingle_count).where(
                Article.id.in_(missing[start : start + self._CHUNK])
            )
            for article_id, data, count in self.session.execute(query):
                self.values[article_id] = np.frombuffer(data, dtype="<u4")
                self.counts[article_id] = count

    def screen(self, values: np.ndarray, count: int, candidates: list[int]) -> list[int]:
        """The candidates a text may be a copy of (copies.screen)."""
        self.load_signatures(set(candidates))
        return screen(values, count, candidates, self.values.__getitem__, self.counts.get)

    def load_bodies(self, article_ids: set[int]) -> None:
        """Read the articles not known yet (with their captures) and shingle their bodies."""
        missing = sorted(i for i in article_ids if i not in self.codes)
        for start in range(0, len(missing), self._CHUNK):
            query = (
                select(Article)
                .where(Article.id.in_(missing[start : start + self._CHUNK]))
                .options(joinedload(Article.capture).load_only(Capture.sha256))
            )
            for article in self.session.scalars(query):
                self.codes[article.id] = shingle_codes(article.body)
                self.articles.append(article)

    def shingles(self, article_id: int) -> np.ndarray:
        """The shingle codes of an article's body."""
        if article_id not in self.codes:
            self.load_bodies({article_id})
        return self.codes[article_id]


def _load_copy_index(db: Database, redis_url: str | None) -> CopyIndex:
    """The index of canonical articles: rebuilt from stored signatures, or Redis's if current."""
    url = db.engine.url.render_as_string(hide_password=True)
    index = CopyIndex(redis_url, hashlib.sha256(url.encode()).hexdigest()[:16])
    canonical = (
        select(Article.id, Article.signature)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
        .where(Article.dedup_done.is_(True), CopyLink.id.is_(None), Article.signature.is_not(None))
    )
    with db.sessions() as session:
        expected = session.scalar(select(func.count()).select_from(canonical.subquery())) or 0
        if redis_url and len(index) == expected:
            return index  # another worker or an earlier run left it current
        index.clear()
        rows = session.execute(canonical)
        index.add_stored((article_id, data) for article_id, data in rows if data)
    return index


@stage
def group_events_pending(db: Database, context: RunContext) -> StageResult:
    """Put each new article into the event it reports, creating the event if it is the first."""
    result = StageResult("events")
    pending = _in_content_order(
        select(Article.id).where(Article.dedup_done.is_(True), Article.event_done.is_(False))
    )
    touched: set[int] = set()
    index, loaded = ev.EventIndex(), set[str]()
    new_ids = NewIds(Event)
    batches = context.batches("events", list(pending_batches(db, pending)))
    for number, ids in enumerate(batches, 1):
        with db.transaction() as session:
            keep_statistics(session, number, _EVENT_TABLES)
            if session.get_bind().dialect.name == "sqlite":
                # flagged first: the transaction then holds SQLite's write lock (NewIds); on
                # PostgreSQL each article's flag goes with its features, in one new version
                # of its row instead of two
                flagged = update(Article).where(Article.id.in_(ids)).values(event_done=True)
                mark_done(session, flagged)
            new_ids.begin()
            batch = _EventBatch(session, ids, index, loaded, new_ids)
            # columns, not ORM objects: loading them, and flushing each one's new features,
            # took 13.5 s of the stage's 68 s at 100k on SQLite
            for article in session.execute(
                _in_content_order(
                    select(
                        Article.id,
                        Article.title,
                        Article.body,
                        Article.features,
                        Article.published_at,
                        Article.date_text,
                    ).where(Article.id.in_(ids))
                )
            ):
                # the batch's rows are written together at its end (or before copies move), not
                # by the autoflush of each lookup
                with session.no_autoflush:
                    event_id, score = batch.assign(article)
                batch.members.append(
                    {"event_id": event_id, "article_id": article.id, "score": score}
                )
                batch.touched.add(event_id)
                if batch.copies_elsewhere(article.id, event_id):
                    batch.write()
                    left, gone = _rehome_copies(session, article.id, event_id)
                    for event in gone:
                        index.drop(event)
                    # the events the copies left are settled again, on their remaining members
                    batch.touched = (batch.touched | left) - gone
            batch.write()
            _adopt_commitments(session, ids)
            _settle_events(session, batch.touched)
            touched |= batch.touched
    result.add("events", len(touched))
    return result


# What the events stage looks up among the rows it and the copies stage fill: copies of its
# articles, their events, the events of their days, and the members of the events joined.
_EVENT_TABLES = (
    "copies (article_id, canonical_id)",
    "event_articles (article_id, event_id)",
    "events (id, month_day)",
)
# The features of a batch's articles, and their flag, in one executemany.
_SET_FEATURES = bulk_update(Article, "features", "event_done")


class _EventBatch:
    """What the events stage looks up once per batch: which articles are copies of which, the
    events of their originals, and which have copies of their own."""

    def __init__(
        self,
        session: Session,
        ids: list[int],
        index: ev.EventIndex,
        loaded: set[str],
        new_ids: NewIds,
    ) -> None:
        self.session, self.index, self.loaded, self.new_ids = session, index, loaded, new_ids
        self.touched: set[int] = set()
        # what the batch writes at its end: new events, memberships, and the features of
        # events joined
        self.events: list[dict[str, Any]] = []
        self.members: list[dict[str, Any]] = []
        self.features_of: dict[int, dict[str, Any]] = {}
        self.article_features: list[dict[str, Any]] = []
        links = session.execute(
            select(CopyLink.article_id, CopyLink.canonical_id).where(CopyLink.article_id.in_(ids))
        )
        self.original_of = dict(links.tuples().all())
        self.event_of = dict(
            session.execute(
                select(EventArticle.article_id, EventArticle.event_id).where(
                    EventArticle.article_id.in_(set(self.original_of.values()))
                )
            )
            .tuples()
            .all()
        )
        # the copies of the batch's articles, and where those already placed are
        self.copies_of: dict[int, list[int]] = {}
        links = session.execute(
            select(CopyLink.canonical_id, CopyLink.article_id).where(CopyLink.canonical_id.in_(ids))
        )
        for canonical_id, copy_id in links:
            self.copies_of.setdefault(canonical_id, []).append(copy_id)
        copies = {c for found in self.copies_of.values() for c in found}
        self.event_of.update(
            session.execute(
                select(EventArticle.article_id, EventArticle.event_id).where(
                    EventArticle.article_id.in_(copies)
                )
            )
            .tuples()
            .all()
        )

    def copies_elsewhere(self, article_id: int, event_id: int) -> bool:
        """Whether copies of the article sit in another event than its own, which they then
        move to (_rehome_copies); copies not placed yet will follow it when they are."""
        copies = self.copies_of.get(article_id, [])
        elsewhere = any(self.event_of.get(c, event_id) != event_id for c in copies)
        for copy_id in copies:
            if copy_id in self.event_of:
                self.event_of[copy_id] = event_id
        return elsewhere

    def assign(self, article: Row[Any]) -> tuple[int, float]:
        """The event of an article (created if new), with its score."""
        event_id, score = self._find(article)
        self.event_of[article.id] = event_id
        return event_id, score

    def _find(self, article: Row[Any]) -> tuple[int, float]:
        found = article.features or {}  # found at extraction: topic words, a speaker line
        speaker = found.get("speaker")
        features = ev.event_features(
            article.title,
            article.body,
            _when(article),
            found.get("topics"),
            ev.Speaker(*speaker) if speaker else None,
        )
        self.article_features.append(
            {"row_id": article.id, "features": features.to_json(), "event_done": True}
        )
        original = self.original_of.get(article.id)
        if original is not None and original in self.event_of:
            return self.event_of[original], 1.0  # a copy goes where its original went
        self._load_events(features)
        found = self.index.best(features)
        if found is not None:
            merged = ev.merge(self.index.features(found[0]), features)
            self.features_of[found[0]] = merged.to_json()
            self.index.put(found[0], merged)
            return found[0], round(found[1], 4)
        # its id now, for the batch's memberships; the row waits for write(), with the others
        event_id = self.new_ids.take(self.session)
        known = features.month and features.day
        self.events.append(
            {
                "id": event_id,
                "day": _day(features),
                "month_day": f"{features.month:02d}-{features.day:02d}" if known else "",
                "title": article.title,
                "features": features.to_json(),
            }
        )
        self.index.put(event_id, features)
        return event_id, 1.0

    def write(self) -> None:
        """Write what the batch has made so far: memberships in one statement, the features of
        the events joined in another, and the articles' changes. New events go first, for the
        memberships that point at them."""
        if self.events:
            insert_rows(self.session, Event, self.events)
            self.events.clear()
        if self.members:
            insert_rows(self.session, EventArticle, self.members)
            self.members.clear()
        if self.features_of:
            rows = [{"id": i, "features": f} for i, f in self.features_of.items()]
            self.session.execute(update(Event), rows)
            self.features_of.clear()
        if self.article_features:
            self.session.execute(_SET_FEATURES, self.article_features)
            self.article_features.clear()
        self.session.flush()

    def _load_events(self, features: ev.EventFeatures) -> None:
        """Put the stored events of the days around an article's date into the index, once."""
        if features.month is None or features.day is None:
            return
        anchor = date(features.year or 2000, features.month, features.day)
        days = {
            date.fromordinal(anchor.toordinal() + offset).strftime("%m-%d")
            for offset in range(-ev.MAX_DAYS_APART, ev.MAX_DAYS_APART + 1)
        } - self.loaded
        if days:
            stored = self.session.execute(
                select(Event.id, Event.features).where(Event.month_day.in_(days))
            )
            for event_id, data in stored:
                self.index.put(event_id, ev.EventFeatures.from_json(data))
            self.loaded |= days


def _adopt_commitments(session: Session, article_ids: list[int]) -> None:
    """Give events the commitments of their articles that lost theirs (reprocessed articles)."""
    orphans = session.execute(
        select(Commitment.id, EventArticle.event_id)
        .join(Observation, Observation.commitment_id == Commitment.id)
        .join(Measure, Measure.id == Observation.measure_id)
        .join(EventArticle, EventArticle.article_id == Measure.article_id)
        .where(Measure.article_id.in_(article_ids), Commitment.event_id.is_(None))
    )
    for commitment_id, event_id in dict(orphans.tuples().all()).items():
        session.execute(
            update(Commitment)
            .where(Commitment.id == commitment_id, Commitment.event_id.is_(None))
            .values(event_id=event_id)
            .execution_options(synchronize_session=False)
        )


def _rehome_copies(session: Session, canonical_id: int, event_id: int) -> tuple[set[int], set[int]]:
    """Move the copies of a canonical article into its event; drop events left empty. Return
    the events the copies left that still have members, and those dropped.

    A copy goes where its original goes. When an earlier-published copy became the canonical
    article after its copies were placed, they follow it here.
    """
    copies = select(CopyLink.article_id).where(CopyLink.canonical_id == canonical_id)
    old_events = set(
        session.scalars(
            select(EventArticle.event_id).where(
                EventArticle.article_id.in_(copies), EventArticle.event_id != event_id
            )
        )
    )
    if not old_events:
        return set(), set()
    session.execute(
        update(EventArticle)
        .where(EventArticle.article_id.in_(copies))
        .values(event_id=event_id)
        .execution_options(synchronize_session=False)
    )
    gone = set()
    for old in old_events:
        if session.scalar(select(EventArticle.id).where(EventArticle.event_id == old).limit(1)):
            continue
        session.execute(
            update(Commitment).where(Commitment.event_id == old).values(event_id=event_id)
        )
        session.execute(delete(Event).where(Event.id == old))
        gone.add(old)
    return old_events - gone, gone


def _settle_events(session: Session, event_ids: set[int]) -> None:
    """Give each event the earliest full date of its members, the headline of its earliest
    titled member, and that year to undated members."""
    members: dict[int, list[Any]] = {event_id: [] for event_id in event_ids}
    rows = session.execute(
        select(
            EventArticle.event_id,
            Article.id,
            Article.title,
            Article.title_derived,
            Article.published_at,
            Article.date_text,
            Capture.sha256,
        )
        .join(Article, Article.id == EventArticle.article_id)
        .join(Capture, Capture.id == Article.capture_id)
        .where(EventArticle.event_id.in_(event_ids))
    )
    for row in rows:
        members[row.event_id].append(row)
    for event in session.scalars(select(Event).where(Event.id.in_(event_ids))):
        features = ev.EventFeatures.from_json(event.features)
        event.day = _day(features) or event.day
        if event.day is None:
            continue
        event.title = _headline(members[event.id]) or event.title
        for member in members[event.id]:
            if member.published_at is None and (member.date_text or "").startswith("--"):
                month, day = int(member.date_text[2:4]), int(member.date_text[5:7])
                year = year_for(month, day, event.day)
                article = session.get_one(Article, member.id)
                article.published_at = _china_midnight(date(year, month, day))
                article.date_source = "event"


def _headline(members: list[Any]) -> str | None:
    """The headline of the earliest published member with a headline of its own; failing
    that, the earliest member's title made from its opening."""
    titled = [m for m in members if m.published_at and not m.title_derived]
    first = min(
        titled or members,
        key=lambda m: (m.published_at is None, m.published_at or _NEVER, m.sha256),
        default=None,
    )
    return first.title if first else None


_NEVER = datetime.max.replace(tzinfo=CHINA_TZ)


def _when(article: Article | Row[Any]) -> tuple[int | None, int, int] | None:
    if article.published_at is not None:
        local = article.published_at.astimezone(CHINA_TZ)
        return local.year, local.month, local.day
    if article.date_text and article.date_text.startswith("--"):
        return None, int(article.date_text[2:4]), int(article.date_text[5:7])
    return None


def _day(features: ev.EventFeatures) -> date | None:
    if features.year and features.month and features.day:
        return date(features.year, features.month, features.day)
    return None


def _china_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)
