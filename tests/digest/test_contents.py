"""What a digest reads: the changes still to deliver, their events, the runs since the last one."""

from __future__ import annotations

import gc

import pytest

from monitor.collector import FEWER_COLLECTIONS
from monitor.config import Recipient
from monitor.digest import outbox
from monitor.pipeline import run_pipeline
from monitor.store.queries import list_changes


def test_a_digest_reads_the_pending_changes_and_only_their_events(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        changes, events, health = outbox.digest_contents(session, None, None)
        assert [c["id"] for c in changes] == [
            c["id"] for c in list_changes(session, undelivered_only=True)
        ]
    assert len(changes) == 11
    assert {e["id"] for e in events} == {c["event_id"] for c in changes}
    (event,) = events
    assert {a["outlet"] for a in event["articles"]} == {"光明网", "人民网"}
    assert (health["runs"], health["completed"], health["failures"]) == (1, 1, 0)


def test_a_recipient_gets_only_the_changes_it_asks_for(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        changes, events, _ = outbox.digest_contents(
            session, Recipient("b@x.org", topics=("抗疫",)), None
        )
        assert len(changes) == 1 and "抗疫" in changes[0]["text"]
        changes, events, _ = outbox.digest_contents(
            session, Recipient("a@x.org", actors=("财政部",)), None
        )
        assert changes == [] and events == []


def test_the_reads_collect_cycles_less_often_and_give_the_threshold_back(
    db, seed_captures, monkeypatch
):
    run_pipeline(db, seed_captures, "test")
    before, seen = gc.get_threshold(), []

    def spying(session, **options):
        seen.append(gc.get_threshold())
        return list_changes(session, **options)

    monkeypatch.setattr(outbox, "list_changes", spying)
    with db.sessions() as session:
        outbox.digest_contents(session, None, None)
        with pytest.raises(RuntimeError), db.sessions() as broken:
            monkeypatch.setattr(outbox, "list_events", _failing)
            outbox.digest_contents(broken, None, None)
    assert seen == [FEWER_COLLECTIONS, FEWER_COLLECTIONS]
    assert gc.get_threshold() == before


def _failing(*args, **kwargs):
    raise RuntimeError("database went away")


def test_commitments_of_one_article_list_it_alike_each_in_its_own_dict(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        changes = list_changes(session)
    first, second = changes[:2]  # two commitments of one article
    assert first["commitment_id"] != second["commitment_id"]
    assert first["sources"] == second["sources"]
    (source,) = first["sources"]
    assert source["outlet"] in ("光明网", "人民网") and source["title"]
    source["outlet"] = "edited"
    assert second["sources"][0]["outlet"] in ("光明网", "人民网")
