"""Measures of articles, and commitments followed over time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased, defer

from monitor import track
from monitor.dedup import events as ev
from monitor.extract.meta import CHINA_TZ
from monitor.extract.parallel import in_workers
from monitor.measures import extract_measures, measures_of_many
from monitor.stages import (
    NewIds,
    RunContext,
    StageResult,
    bulk_update,
    insert_rows,
    keep_statistics,
    mark_done,
    pending_batches,
    stage,
)
from monitor.store import Database
from monitor.store.models import (
    Article,
    Capture,
    Change,
    Commitment,
    CopyLink,
    DigestItem,
    EventArticle,
    Measure,
    Observation,
    PendingMeasure,
)


@stage
def extract_measures_pending(db: Database, context: RunContext) -> StageResult:
    """Extract the measures of every article placed in an event."""
    result = StageResult("measures")
    pending = (
        select(Article.id)
        .where(Article.event_done.is_(True), Article.measures_done.is_(False))
        .order_by(Article.id)
    )
    batches = list(pending_batches(db, pending))
    # the drafts are made in the extraction workers, a few batches ahead of the one stored
    inputs = _measure_inputs(db, batches)
    computed = in_workers(measures_of_many, inputs, len(batches), context.extract_workers)
    new_ids = NewIds(Measure)
    for number, (ids, drafted) in enumerate(zip(batches, computed, strict=True), 1):
        with db.transaction() as session:
            # the measures the articles have already are looked up by article
            keep_statistics(session, number, ("measures (article_id)",))
            # flagged first: the transaction then holds SQLite's write lock (NewIds)
            mark_done(
                session, update(Article).where(Article.id.in_(ids)).values(measures_done=True)
            )
            new_ids.begin()
            # the bodies were read for the workers: here only if an article changed since
            query = select(Article).where(Article.id.in_(ids)).options(defer(Article.body))
            articles = list(session.scalars(query))
            # the measures a re-extracted article already has, for the whole batch at once: an
            # article of its own costs no query, and the batch's new ones go in one statement
            existing: dict[int, dict[str, Measure]] = defaultdict(dict)
            for measure in session.scalars(select(Measure).where(Measure.article_id.in_(ids))):
                existing[measure.article_id][measure.text] = measure
            new: list[dict] = []
            for article in articles:
                speaker_org, year = _measure_context(article.features, article.published_at)
                made_with = drafted.get(article.id)
                if made_with is not None and made_with[:2] == (speaker_org, year):
                    drafts = made_with[2]
                else:  # changed since it was read
                    drafts = extract_measures(article.body, speaker_org, year)
                had = existing.get(article.id, {})
                new += _store_measures(session, article, drafts, had, context)
            if new:
                for row in new:
                    row["id"] = new_ids.take(session)
                insert_rows(session, Measure, new)
                _await_tracking(session, [row["id"] for row in new])
            result.add("measures", len(new))
    return result


def _await_tracking(session: Session, measure_ids: list[int]) -> None:
    """Queue new measures for tracking, in one statement a batch: on PostgreSQL the ids as one
    array (the 77,712 measures of 10k captures: 0.2–0.3 s, against 0.8–0.9 s as lists of binds
    and 1.8–2.2 s as an executemany of rows)."""
    if session.get_bind().dialect.name == "postgresql":
        ids = bindparam("ids", measure_ids, type_=ARRAY(Integer))
        rows = select(func.unnest(ids))
    else:
        rows = select(Measure.id).where(Measure.id.in_(measure_ids))
    session.execute(insert(PendingMeasure).from_select(["measure_id"], rows))


def _measure_context(
    features: dict | None, published_at: datetime | None
) -> tuple[str | None, int | None]:
    """What an article's measures depend on besides its body: the organisation of its quoted
    speaker, and its year of publication."""
    speaker_org = ev.EventFeatures.from_json(features or {}).speaker_org
    return speaker_org, published_at.astimezone(CHINA_TZ).year if published_at else None


def _measure_inputs(
    db: Database, batches: list[list[int]]
) -> Iterator[list[tuple[int, str, str | None, int | None]]]:
    """What the workers make each batch's drafts from, read a batch at a time."""
    for ids in batches:
        with db.sessions() as session:
            rows = session.execute(
                select(Article.id, Article.body, Article.features, Article.published_at).where(
                    Article.id.in_(ids)
                )
            )
            inputs = [(i, body, *_measure_context(f, at)) for i, body, f, at in rows]
        yield inputs  # the session closed: none is left open while the batch waits


def _store_measures(
    session: Session,
    article: Article,
    drafts: list,
    existing: dict[str, Measure],
    context: RunContext,
) -> list[dict]:
    """Settle an article's measures (`existing`: those it has, by text); return the rows of the
    new ones, for the caller to insert.

    A re-extracted article keeps the measures whose text it still has (and what tracking made of
    them): only the new ones are tracked, and the ones it lost are retracted.
    """
    kept = {d.text for d in drafts} & set(existing)
    if existing:  # a first extraction has nothing to retract or renumber, and waits for one flush
        retract_measures(
            session, [m.id for text, m in existing.items() if text not in kept], context
        )
        for measure in (existing[text] for text in kept):
            measure.ordinal = -measure.ordinal  # free the ordinals for the new numbering
        session.flush()
    added = []
    for draft in drafts:
        if draft.text in kept:
            existing[draft.text].ordinal = draft.ordinal
        else:
            added.append({"article_id": article.id, **draft.__dict__})
    return added


def retract_measures(session: Session, measure_ids: list[int], context: RunContext) -> None:
    """Take back measures and what tracking made of them; their commitments are settled again:
    dropped when no version is left, else their history replayed without them."""
    if not measure_ids:
        return
    commitments = set(
        session.scalars(
            select(Observation.commitment_id).where(Observation.measure_id.in_(measure_ids))
        )
    )
    changes = select(Change.id).where(Change.measure_id.in_(measure_ids))
    session.execute(delete(DigestItem).where(DigestItem.change_id.in_(changes)))
    session.execute(delete(Change).where(Change.measure_id.in_(measure_ids)))
    session.execute(delete(Observation).where(Observation.measure_id.in_(measure_ids)))
    session.flush()
    for commitment_id in commitments:
        commitment = session.get_one(Commitment, commitment_id)
        left = session.scalar(
            select(Observation.id).where(Observation.commitment_id == commitment_id).limit(1)
        )
        if left is not None:
            replay_commitment(session, commitment, context.run_id)
            continue
        stale = select(Change.id).where(Change.commitment_id == commitment_id)
        session.execute(delete(DigestItem).where(DigestItem.change_id.in_(stale)))
        session.execute(delete(Change).where(Change.commitment_id == commitment_id))
        session.delete(commitment)
    session.flush()  # commitments point at their latest measure: settle them, then delete
    session.execute(delete(PendingMeasure).where(PendingMeasure.measure_id.in_(measure_ids)))
    session.execute(delete(Measure).where(Measure.id.in_(measure_ids)))


# Measures are small, and every batch reads its actors' recent commitments: a batch holds about
# the measures of a batch of articles.
TRACK_BATCH_SIZE = 1000


@stage
def track_pending(db: Database, context: RunContext) -> StageResult:
    """Follow each new measure as a version of a commitment; flag NEW and CHANGED ones."""
    result = StageResult("track")
    pending = (
        select(Measure.id)
        .join(PendingMeasure, PendingMeasure.measure_id == Measure.id)
        .join(Article, Article.id == Measure.article_id)
        .join(Capture, Capture.id == Article.capture_id)
        .order_by(
            Article.published_at.is_(None), Article.published_at, Capture.sha256, Measure.ordinal
        )
    )
    # Kept across batches: only this stage makes or changes commitments.
    recent = _RecentCommitments()
    with db.sessions() as session:
        recent.begin(session)
    new_ids = NewIds(Commitment)
    for number, ids in enumerate(pending_batches(db, pending, TRACK_BATCH_SIZE), 1):
        with db.transaction() as session:
            keep_statistics(session, number, _TRACKING_TABLES)
            versions = {version.id: version for version in _read_versions(session, ids)}
            # done first: the transaction then holds SQLite's write lock (NewIds)
            session.execute(delete(PendingMeasure).where(PendingMeasure.measure_id.in_(ids)))
            new_ids.begin()
            batch = _TrackBatch(session, list(versions.values()), recent, new_ids)
            for measure_id in ids:
                result.add(batch.track(versions[measure_id], context.run_id))
            batch.write()
            recent.saved()
    return result


# What tracking reads and fills, whose statistics it keeps current: the columns its lookups
# filter and join on (sampling the texts and JSON too took 180 ms for measures at 10k).
_TRACKING_TABLES = (
    "measures (id, masked_sha256)",
    "pending_measures",
    "observations (measure_id, commitment_id)",
    "commitments (id, actor)",
)
# A reworded version is looked for among this many of its actor's most recent commitments.
_CANDIDATES = 500
# Texts kept in memory across batches, over all actors (about 8 KB each with their index):
# beyond it, the actors least recently seen are dropped, and read again if they come back.
_KEPT_TEXTS = 25_000
# Masked texts whose first commitment is kept across batches (about 150 bytes each).
_KEPT_HASHES = 500_000
# Ids bound in one lookup of the observations of many measures.
_IDS_A_QUERY = 1000


@dataclass(slots=True, eq=False)
class _Version:
    """A measure as tracking reads it: a version of a commitment, with what orders it."""

    id: int
    article_id: int
    actor: str | None
    text: str
    masked_sha256: str
    quantities: list
    periods: list
    published_at: datetime | None
    key: tuple[datetime, int, int]  # _order: the version's place in publication order
    identity: str | None  # track.identity: what the version measures, when it says
    copy: bool  # of an article syndicated by another outlet: it adds a source, flags nothing


def _read_versions(session: Session, ids: Iterable[int] | Select) -> list[_Version]:
    """Measures as versions, in one query: columns, not ORM objects (a batch reads a thousand,
    and the objects with their articles and captures cost more than the rest of tracking)."""
    canonical = aliased(Article)
    query = (
        select(
            Measure.id,
            Measure.article_id,
            Measure.actor,
            Measure.text,
            Measure.masked_sha256,
            Measure.quantities,
            Measure.periods,
            Article.published_at,
            Article.capture_id,
            Measure.ordinal,
            Measure.kind,
            Measure.subject,
            Article.outlet,
            canonical.outlet.label("original_outlet"),
        )
        .join(Article, Article.id == Measure.article_id)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
        .outerjoin(canonical, canonical.id == CopyLink.canonical_id)
        .where(Measure.id.in_(ids))
    )
    return [
        _Version(
            row.id,
            row.article_id,
            row.actor,
            row.text,
            row.masked_sha256,
            row.quantities,
            row.periods,
            row.published_at,
            _order(row.published_at, row.capture_id, row.ordinal),
            track.identity(row.kind, row.actor, row.subject),
            row.original_outlet is not None and row.original_outlet != row.outlet,
        )
        for row in session.execute(query)
    ]


_COMMITMENT_COLUMNS = (
    "id",
    "masked_sha256",
    "event_id",
    "actor",
    "text",
    "fields",
    "first_published_at",
    "last_published_at",
    "latest_measure_id",
    "identity",
)


@dataclass(slots=True, eq=False)
class _Commitment:
    """A commitment as tracking keeps it in a batch: its columns, written at the batch's end
    (inserted if the batch made it, else updated if `dirty`)."""

    id: int
    masked_sha256: str
    event_id: int | None
    actor: str | None
    text: str
    fields: dict
    first_published_at: datetime | None
    last_published_at: datetime | None
    latest_measure_id: int
    identity: str | None
    dirty: bool = False

    def row(self) -> dict:
        return {name: getattr(self, name) for name in _COMMITMENT_COLUMNS}

    def settled(self, commitment: Commitment) -> None:
        """Take the columns of the same commitment as the ORM left them (after a replay)."""
        for name in _COMMITMENT_COLUMNS:
            setattr(self, name, getattr(commitment, name))
        self.dirty = False


def _not_target(identity: Any) -> ColumnElement[bool]:
    """The SQL condition that a commitment is no quantified target (track.is_target)."""
    return or_(identity.is_(None), ~identity.startswith(track.TARGET_PREFIX))


def _read_commitments(
    session: Session, keys: Iterable[int] | Iterable[str], by: str = "id"
) -> list[_Commitment]:
    """Commitments by id, or by identity (the first made of each, should there be two)."""
    table = Commitment.__table__.c
    query = select(*(table[name] for name in _COMMITMENT_COLUMNS)).where(table[by].in_(keys))
    return [_Commitment(*row) for row in session.execute(query.order_by(table.id)).tuples()]


# All of a batch's updated commitments in one executemany (the ORM's flush sends one
# statement a group of rows that changed the same columns).
_UPDATE_COMMITMENT = bulk_update(Commitment, *_COMMITMENT_COLUMNS[1:])


class _RecentCommitments:
    """The texts of each actor's most recent commitments, which a reworded or re-figured version
    is matched against: each actor's are read once per stage run, and kept current as batches
    make and update commitments. Keyed and ranked by commitment id: the most recent has the
    largest, and a batch's new commitments have theirs before they are inserted."""

    def __init__(self) -> None:
        self.of_actor: dict[str | None, track.Candidates[int]] = {}
        self.kept = _KEPT_TEXTS
        self.seen: dict[str | None, int] = {}  # the batch each actor was last seen in
        self.batches = 0
        # masked text: the first commitment a version with it was made a version of, as stored;
        # a hash absent from it is read again (or was never seen)
        self.first_of: dict[str, int] = {}
        # whether first_of holds every stored observation's text: when the store had none as
        # the run began, until first_of overflows
        self.complete = False

    def begin(self, session: Session) -> None:
        """Start a stage run: with no observation stored yet (a first ingest), every one is
        this run's, and first_of knows them all without reading any. Read, a new text was
        looked up among every measure with it, the later versions not tracked yet included
        (29k rows a batch at 100k captures: 32 s of the stage on PostgreSQL)."""
        self.complete = session.scalar(select(Observation.id).limit(1)) is None

    def load(self, session: Session, actors: set[str | None]) -> None:
        """Read the recent commitments of the actors not read before."""
        self.batches += 1
        self.seen.update(dict.fromkeys(actors, self.batches))
        actors = actors - self.of_actor.keys()
        if not actors:
            return
        named = [actor for actor in actors if actor is not None]
        of_actors: ColumnElement[bool] = Commitment.actor.in_(named)
        if None in actors:
            of_actors = or_(of_actors, Commitment.actor.is_(None))
        ranked = (
            select(
                Commitment.id,
                Commitment.actor,
                Commitment.text,
                func.row_number()
                .over(partition_by=Commitment.actor, order_by=Commitment.id.desc())
                .label("rank"),
            )
            .where(of_actors, _not_target(Commitment.identity))
            .subquery()
        )
        query = select(ranked.c.id, ranked.c.actor, ranked.c.text).where(
            ranked.c.rank <= _CANDIDATES
        )
        for actor in actors:
            self.of_actor[actor] = track.Candidates(_CANDIDATES)
        for commitment_id, actor, text in session.execute(query):
            self.of_actor[actor].add(commitment_id, text, commitment_id)

    def first_commitments(self, session: Session, hashes: set[str]) -> dict[str, int]:
        """The first commitment each masked text was a version of, of those that were one: any
        version with the same masked text, not only the latest, identifies the commitment.

        Each hash is read once per stage run and kept current as batches add versions: read
        again in each batch, a recurring text was looked up among every stored measure that
        has it, a lookup that grew with the store (0.3 s a batch at 100k on SQLite)."""
        # a lookup a hash: `hashes - self.first_of.keys()` walks every key kept (up to
        # _KEPT_HASHES), which took 13 s of 250 at 100k on SQLite
        unknown = {sha for sha in hashes if sha not in self.first_of}
        if unknown and not self.complete:
            # the measures with those texts, then their observations, each by its own index:
            # as one join, PostgreSQL planned a scan of every observation once the hashes
            # matched many measures (70 ms a batch, 41 s of 268 at 100k captures)
            with_hash = select(Measure.id, Measure.masked_sha256).where(
                Measure.masked_sha256.in_(unknown)
            )
            hash_of = dict(session.execute(with_hash).tuples().all())
            measure_ids = sorted(hash_of)
            for start in range(0, len(measure_ids), _IDS_A_QUERY):
                observed = select(Observation.measure_id, Observation.commitment_id).where(
                    Observation.measure_id.in_(measure_ids[start : start + _IDS_A_QUERY])
                )
                for measure_id, commitment_id in session.execute(observed).tuples():
                    self.observed(hash_of[measure_id], commitment_id)
        return {sha: self.first_of[sha] for sha in hashes if sha in self.first_of}

    def observed(self, masked_sha256: str, commitment_id: int) -> None:
        """A version with this masked text was stored for that commitment."""
        known = self.first_of.get(masked_sha256)
        if known is None or commitment_id < known:
            self.first_of[masked_sha256] = commitment_id

    def match(self, version: _Version) -> int | None:
        """The id of the commitment of the version's actor whose text it is a version of."""
        return self.of_actor[version.actor].best_match(version.text)

    def add(self, commitment: _Commitment) -> None:
        """A commitment the batch made; a target is recognised by its identity alone."""
        if track.is_target(commitment.identity):
            return
        self.of_actor[commitment.actor].add(commitment.id, commitment.text, commitment.id)

    def changed(self, commitment: _Commitment, actor: str | None) -> None:
        """A new version changed the commitment's text, or who makes it (before: `actor`)."""
        if actor in self.of_actor:
            self.of_actor[actor].discard(commitment.id)
        if commitment.actor in self.of_actor and not track.is_target(commitment.identity):
            self.of_actor[commitment.actor].add(commitment.id, commitment.text, commitment.id)

    def saved(self) -> None:
        """The batch is written: forget what is beyond the limits."""
        if len(self.first_of) > _KEPT_HASHES:
            self.first_of.clear()  # read again as batches need them
            self.complete = False
        total = sum(len(index) for index in self.of_actor.values())
        for actor in sorted(self.of_actor, key=self.seen.__getitem__):
            if total <= self.kept:
                break
            total -= len(self.of_actor.pop(actor))


class _TrackBatch:
    """What tracking a batch of measures looks up, read in a few queries and kept current as the
    batch creates and updates commitments: a measure costs no query of its own, and what the
    batch adds is written at its end, its new commitments, updated commitments, observations and
    changes in one statement each."""

    def __init__(
        self,
        session: Session,
        versions: list[_Version],
        recent: _RecentCommitments,
        new_ids: NewIds,
    ):
        self.session = session
        self.recent = recent
        self.new_ids = new_ids
        self.observations: list[dict] = []  # rows to insert
        self.changes: list[dict] = []
        recent.load(session, {v.actor for v in versions})
        self.made: list[_Commitment] = []  # new commitments, not yet inserted
        exact = recent.first_commitments(session, {v.masked_sha256 for v in versions})
        # the commitments the batch has read or made, by id
        self.commitments = {c.id: c for c in _read_commitments(session, set(exact.values()))}
        self.exact = {sha: self.commitments[cid] for sha, cid in exact.items()}
        # the commitments of the identities the batch's versions have, by identity
        identities = {v.identity for v in versions if v.identity is not None}
        # one object per commitment: what the batch changes in it is what it writes
        self.by_identity = {
            c.identity: self.commitments.setdefault(c.id, c)
            for c in reversed(_read_commitments(session, identities, by="identity"))
        }
        # the targets of the batch's actors, by identity: a restated target may word its
        # indicator another way (track.same_indicator)
        actors = {v.actor for v in versions if track.is_target(v.identity)}
        self.targets = _read_targets(session, actors)
        # the identities each article states: none of them is another's other wording
        self.stated: dict[int, set[str]] = {}
        for version in versions:
            if version.identity is not None:
                self.stated.setdefault(version.article_id, set()).add(version.identity)
        # the batch's versions, and the latest versions of the commitments they match exactly
        self.versions = {v.id: v for v in versions}
        self._load_versions({c.latest_measure_id for c in self.commitments.values()})
        events = select(EventArticle.article_id, EventArticle.event_id).where(
            EventArticle.article_id.in_({v.article_id for v in versions})
        )
        self.event_of = {article_id: event_id for article_id, event_id in session.execute(events)}

    def _load_versions(self, ids: set[int]) -> None:
        """Read measures as versions, in one query."""
        # a lookup an id: subtracting the dict's keys from the set would walk every version
        # read so far, and this is asked once a version
        ids = {i for i in ids if i not in self.versions}
        if ids:
            self.versions.update((v.id, v) for v in _read_versions(self.session, ids))

    def _commitment(self, commitment_id: int) -> _Commitment:
        """A commitment by id: as the batch has it, else read."""
        commitment = self.commitments.get(commitment_id)
        if commitment is None:
            [commitment] = _read_commitments(self.session, [commitment_id])
            self.commitments[commitment_id] = commitment
        return commitment

    def write(self) -> None:
        """Write what the batch made and changed: commitments first, which the rest point at."""
        if self.made:
            insert_rows(self.session, Commitment, [c.row() for c in self.made])
            for commitment in self.made:
                commitment.dirty = False
            self.made.clear()
        updated = [c for c in self.commitments.values() if c.dirty]
        if updated:
            rows = [c.row() | {"row_id": c.id} for c in updated]
            self.session.execute(_UPDATE_COMMITMENT, rows)
            for commitment in updated:
                commitment.dirty = False
        for row in self.observations:
            self.recent.observed(
                self.versions[row["measure_id"]].masked_sha256, row["commitment_id"]
            )
        for model, rows in ((Observation, self.observations), (Change, self.changes)):
            if rows:
                insert_rows(self.session, model, rows)
                rows.clear()

    def track(self, version: _Version, run_id: int | None) -> str:
        """Record a measure as a version of its commitment; return the outcome to count."""
        fields = track.commitment_fields(
            version.text, version.actor, version.quantities, version.periods
        )
        commitment = self.find(version)
        if version.copy:
            # another outlet's copy: a source of what it matches, whatever text version it is
            if commitment is not None:
                self.observations.append(_observation(version, commitment.id, "copy"))
            return "copy"
        if commitment is None:
            commitment = _Commitment(
                id=self.new_ids.take(self.session),
                masked_sha256=version.masked_sha256,
                event_id=self.event_of.get(version.article_id),
                actor=version.actor,
                text=version.text,
                fields=fields,
                first_published_at=version.published_at,
                last_published_at=version.published_at,
                latest_measure_id=version.id,
                identity=version.identity,
            )
            self.commitments[commitment.id] = commitment
            if version.identity is not None:
                self.by_identity[version.identity] = commitment
                if track.is_target(version.identity):
                    self.targets[version.identity] = commitment.id
            self.made.append(commitment)
            self.recent.add(commitment)
            self.exact.setdefault(version.masked_sha256, commitment)
            self.observations.append(_observation(version, commitment.id, "new"))
            self.changes.append(_change(version.id, commitment.id, "NEW", None, fields, run_id))
            return "NEW"
        self.exact.setdefault(version.masked_sha256, commitment)
        actor, text = commitment.actor, commitment.text
        try:
            return self._version(commitment, version, fields, run_id)
        finally:
            if (commitment.actor, commitment.text) != (actor, text):
                self.recent.changed(commitment, actor)

    def _version(
        self, commitment: _Commitment, version: _Version, fields: dict, run_id: int | None
    ) -> str:
        self._load_versions({commitment.latest_measure_id})  # a replay may have changed it
        latest = self.versions[commitment.latest_measure_id]
        if version.key < latest.key:
            self.observations.append(_observation(version, commitment.id, "pending"))
            self.write()  # the replay reads the commitment's observations and changes
            stored = self.session.get_one(Commitment, commitment.id, populate_existing=True)
            replay_commitment(self.session, stored, run_id)
            self.session.flush()
            commitment.settled(stored)
            return "backfilled"
        outcome = track.compare(commitment.fields, fields, track.is_target(commitment.identity))
        self.observations.append(_observation(version, commitment.id, outcome.kind.lower()))
        if outcome.kind == "CHANGED":
            change = _change(
                version.id, commitment.id, "CHANGED", outcome.before, outcome.after, run_id
            )
            self.changes.append(change)
        _make_latest(commitment, version, fields)
        commitment.dirty = True
        return outcome.kind

    def find(self, version: _Version) -> _Commitment | None:
        """The commitment a version is of: one that had its masked text, else the closest of
        its actor's (a reworded or re-figured version keeps who makes it). A target is what it
        measures, whatever its wording: 国内生产总值增长6.5%左右 and 城镇调查失业率5.5%左右 mask
        alike."""
        if version.identity is not None and track.is_target(version.identity):
            same = self.by_identity.get(version.identity)
            if same is None and version.identity in self.targets:  # an earlier wording
                same = self._commitment(self.targets[version.identity])
            return same if same is not None else self._reworded(version)
        exact = self.exact.get(version.masked_sha256)
        if exact is not None:
            return exact
        if version.identity is not None:
            same = self.by_identity.get(version.identity)
            if same is not None:
                return same
        matched = self.recent.match(version)
        return None if matched is None else self._commitment(matched)

    def _reworded(self, version: _Version) -> _Commitment | None:
        """The target a version restates with its indicator worded another way, if one: of the
        same unit, not stated by the version's own article, the most alike (the latest of
        equals)."""
        stated = self.stated.get(version.article_id, set())
        unit = version.quantities[0].get("unit") if version.quantities else None
        found: list[tuple[float, int, _Commitment]] = []
        for identity, commitment_id in self.targets.items():
            if identity in stated or not track.same_indicator(identity, version.identity or ""):
                continue
            commitment = self._commitment(commitment_id)
            quantities = commitment.fields.get("quantities") or [{}]
            if quantities[0].get("unit") == unit:
                unlike = -track.likeness(identity, version.identity or "")
                found.append((unlike, -commitment.id, commitment))
        if not found:
            return None
        commitment = min(found, key=lambda entry: entry[:2])[2]
        self.by_identity[version.identity or ""] = commitment
        self.targets[version.identity or ""] = commitment.id
        return commitment


def _read_targets(session: Session, actors: set[str | None]) -> dict[str, int]:
    """The identities of the actors' targets, every wording their versions had: identity:
    commitment id. A restatement is matched against them all, so that the versions a target
    ends with do not depend on the order they came in (铁路投资, 铁路建设投资, 铁路投资 again)."""
    if not actors:
        return {}
    table = Commitment.__table__.c
    prefixes = [track.identity("target", actor, "") or "" for actor in actors]
    query = select(table.identity, table.id).where(
        or_(*(table.identity.startswith(prefix, autoescape=True) for prefix in prefixes))
    )
    found = {identity: cid for identity, cid in session.execute(query.order_by(table.id))}
    worded = (
        select(Measure.actor, Measure.subject, Observation.commitment_id)
        .join(Observation, Observation.measure_id == Measure.id)
        .where(Measure.kind == "target", Measure.actor.in_(actors), Observation.outcome != "copy")
        .distinct()
    )
    for actor, subject, commitment_id in session.execute(worded):
        found.setdefault(track.identity("target", actor, subject) or "", commitment_id)
    return found


def replay_commitment(session: Session, commitment: Commitment, run_id: int | None) -> None:
    """Redo a commitment's history in publication order after an older version arrived.

    The outcomes and changes become what they would be had the versions arrived in order;
    changes that differ from those already stored are rewritten with history=True, since the
    present state of the commitment, which analysts were told of, did not change.
    """
    session.flush()
    own = (Observation.commitment_id == commitment.id, Observation.outcome != "copy")
    observed = select(Observation.measure_id).where(*own)
    versions = sorted(_read_versions(session, observed), key=lambda version: version.key)
    observations = {o.measure_id: o for o in session.scalars(select(Observation).where(*own))}
    wanted: dict[int, tuple[str, dict | None, dict]] = {}
    previous: dict | None = None
    for version in versions:
        fields = track.commitment_fields(
            version.text, version.actor, version.quantities, version.periods
        )
        if previous is None:
            observations[version.id].outcome = "new"
            wanted[version.id] = ("NEW", None, fields)
        else:
            outcome = track.compare(previous, fields, track.is_target(commitment.identity))
            observations[version.id].outcome = outcome.kind.lower()
            if outcome.kind == "CHANGED":
                wanted[version.id] = ("CHANGED", outcome.before, outcome.after)
        previous = fields
    kept = set()
    for change in session.scalars(select(Change).where(Change.commitment_id == commitment.id)):
        # what analysts have been told, or are yet to be told, stands: a later capture never
        # withdraws a change; only history the replay wrote itself is rewritten
        if not change.history or wanted.get(change.measure_id) == (
            change.kind,
            change.before,
            change.after,
        ):
            kept.add(change.measure_id)
        else:
            # A digest that carried it keeps its stored message; only the link goes.
            session.execute(delete(DigestItem).where(DigestItem.change_id == change.id))
            session.delete(change)
    session.flush()  # deletions first: a rewritten change reuses its (commitment, measure) key
    for version in versions:
        if version.id in wanted and version.id not in kept:
            kind, before, after = wanted[version.id]
            row = _change(version.id, commitment.id, kind, before, after, run_id)
            session.add(Change(**row, history=True))
    commitment.first_published_at = versions[0].published_at
    commitment.event_id = session.scalar(
        select(EventArticle.event_id).where(EventArticle.article_id == versions[0].article_id)
    )
    assert previous is not None
    _make_latest(commitment, versions[-1], previous)


def _make_latest(commitment: Commitment | _Commitment, version: _Version, fields: dict) -> None:
    """The version is the commitment's latest: the commitment says what it says."""
    commitment.text, commitment.fields, commitment.actor = version.text, fields, version.actor
    commitment.masked_sha256, commitment.latest_measure_id = version.masked_sha256, version.id
    commitment.last_published_at = version.published_at or commitment.last_published_at
    # known by its latest wording (铁路投资, then 铁路建设投资)
    commitment.identity = version.identity or commitment.identity


def _order(published_at: datetime | None, capture_id: int, ordinal: int) -> tuple:
    """Order of versions: publication time (unknown last), then the order the captures were
    stored in, then position. Captures of one publication time are re-captures of one article
    (a correction, a page with new furniture): the later capture is the later version."""
    return (published_at or datetime.max.replace(tzinfo=UTC), capture_id, ordinal)


def _observation(version: _Version, commitment_id: int, outcome: str) -> dict:
    """The row of an observation of a version."""
    return {
        "commitment_id": commitment_id,
        "measure_id": version.id,
        "published_at": version.published_at,
        "outcome": outcome,
    }


def _change(
    measure_id: int,
    commitment_id: int,
    kind: str,
    before: dict | None,
    after: dict,
    run_id: int | None,
) -> dict:
    """The row of a change a version made."""
    return {
        "commitment_id": commitment_id,
        "measure_id": measure_id,
        "kind": kind,
        "before": before,
        "after": after,
        "run_id": run_id,
    }
