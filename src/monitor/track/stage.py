"""The tracking stage: each new measure followed as a version of a commitment, a batch at a time.

A batch reads what it looks up in a few queries, decides each version's outcome (decide), and
writes what it made at its end; a version older than its commitment's latest replays the
commitment's history (replay).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from monitor import track
from monitor.outcomes import Outcome
from monitor.run import RunContext, StageResult, keep_statistics, pending_batches, stage
from monitor.store import Database
from monitor.store.bulk import NewIds, bulk_update, insert_rows
from monitor.store.models import (
    Article,
    Capture,
    Change,
    Commitment,
    EventArticle,
    Measure,
    Observation,
    PendingMeasure,
)
from monitor.track.decide import Decision
from monitor.track.index import RecentCommitments
from monitor.track.replay import replay_commitment
from monitor.track.rows import (
    COMMITMENT_COLUMNS,
    BatchCommitment,
    Version,
    change_row,
    make_latest,
    read_versions,
)

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
    recent = RecentCommitments()
    with db.sessions() as session:
        recent.begin(session)
    new_ids = NewIds(Commitment)
    batches = context.batches("track", list(pending_batches(db, pending, TRACK_BATCH_SIZE)))
    for number, ids in enumerate(batches, 1):
        with db.transaction() as session:
            keep_statistics(session, number, _TRACKING_TABLES)
            versions = {version.id: version for version in read_versions(session, ids)}
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


def _read_commitments(
    session: Session, keys: Iterable[int] | Iterable[str], by: str = "id"
) -> list[BatchCommitment]:
    """Commitments by id, or by identity (the first made of each, should there be two)."""
    table = Commitment.__table__.c
    query = select(*(table[name] for name in COMMITMENT_COLUMNS)).where(table[by].in_(keys))
    return [BatchCommitment(*row) for row in session.execute(query.order_by(table.id)).tuples()]


# All of a batch's updated commitments in one executemany (the ORM's flush sends one
# statement a group of rows that changed the same columns).
_UPDATE_COMMITMENT = bulk_update(Commitment, *COMMITMENT_COLUMNS[1:])


class _TrackBatch:
    """What tracking a batch of measures looks up, read in a few queries and kept current as the
    batch creates and updates commitments: a measure costs no query of its own, and what the
    batch adds is written at its end, its new commitments, updated commitments, observations and
    changes in one statement each."""

    def __init__(
        self,
        session: Session,
        versions: list[Version],
        recent: RecentCommitments,
        new_ids: NewIds,
    ):
        self.session = session
        self.recent = recent
        self.new_ids = new_ids
        self.observations: list[dict] = []  # rows to insert
        self.changes: list[dict] = []
        recent.load(session, {v.actor for v in versions})
        self.made: list[BatchCommitment] = []  # new commitments, not yet inserted
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
            self.versions.update((v.id, v) for v in read_versions(self.session, ids))

    def _commitment(self, commitment_id: int) -> BatchCommitment:
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

    def track(self, version: Version, run_id: int | None) -> str:
        """Record a measure as a version of its commitment; return the outcome to count."""
        fields = track.commitment_fields(
            version.text, version.actor, version.quantities, version.periods
        )
        commitment = self.find(version)
        if version.copy:
            # another outlet's copy: a source of what it matches, whatever text version it is
            if commitment is not None:
                self.observations.append(_observation(version, commitment.id, Outcome.COPY))
            return str(Outcome.COPY)
        if commitment is None:
            outcome = track.decide(None, fields, track.is_target(version.identity))
            self._record(self._make(version, fields), version, outcome, run_id)
            return outcome.counted
        self.exact.setdefault(version.masked_sha256, commitment)
        actor, text = commitment.actor, commitment.text
        try:
            return self._version(commitment, version, fields, run_id)
        finally:
            if (commitment.actor, commitment.text) != (actor, text):
                self.recent.changed(commitment, actor)

    def _make(self, version: Version, fields: dict) -> BatchCommitment:
        """Make the commitment a version is the first of: the batch finds it from then on, and
        inserts it at its end."""
        commitment = BatchCommitment(
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
        return commitment

    def _version(
        self, commitment: BatchCommitment, version: Version, fields: dict, run_id: int | None
    ) -> str:
        self._load_versions({commitment.latest_measure_id})  # a replay may have changed it
        latest = self.versions[commitment.latest_measure_id]
        if version.key < latest.key:
            self.observations.append(_observation(version, commitment.id, Outcome.PENDING))
            self.write()  # the replay reads the commitment's observations and changes
            stored = self.session.get_one(Commitment, commitment.id, populate_existing=True)
            replay_commitment(self.session, stored, run_id)
            self.session.flush()
            commitment.settled(stored)
            return "backfilled"
        outcome = track.decide(commitment.fields, fields, track.is_target(commitment.identity))
        self._record(commitment, version, outcome, run_id)
        make_latest(commitment, version, fields)
        commitment.dirty = True
        return outcome.counted

    def _record(
        self,
        commitment: BatchCommitment,
        version: Version,
        outcome: Decision,
        run_id: int | None,
    ) -> None:
        """Record what a version means for its commitment: its observation, and the change it
        made unless it said the same again."""
        self.observations.append(_observation(version, commitment.id, outcome.kind))
        if outcome.kind.change is not None:  # NEW or CHANGED: a change to report
            change = change_row(
                version.id,
                commitment.id,
                outcome.kind.change,
                outcome.before,
                outcome.after,
                run_id,
            )
            self.changes.append(change)

    def find(self, version: Version) -> BatchCommitment | None:
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

    def _reworded(self, version: Version) -> BatchCommitment | None:
        """The target a version restates with its indicator worded another way, if one: of the
        same unit, not stated by the version's own article, the most alike (the latest of
        equals)."""
        stated = self.stated.get(version.article_id, set())
        unit = version.quantities[0].get("unit") if version.quantities else None
        found: list[tuple[float, int, BatchCommitment]] = []
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
        .where(
            Measure.kind == "target", Measure.actor.in_(actors), Observation.outcome != Outcome.COPY
        )
        .distinct()
    )
    for actor, subject, commitment_id in session.execute(worded):
        found.setdefault(track.identity("target", actor, subject) or "", commitment_id)
    return found


def _observation(version: Version, commitment_id: int, outcome: Outcome) -> dict:
    """The row of an observation of a version."""
    return {
        "commitment_id": commitment_id,
        "measure_id": version.id,
        "published_at": version.published_at,
        "outcome": outcome,
    }
