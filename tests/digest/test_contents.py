"""What a digest reads: the changes still to deliver, their events, the runs since the last one."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from monitor.collector import FEWER_COLLECTIONS
from monitor.config import Recipient
from monitor.digest import outbox
from monitor.digest.render import render_digest, split_changes
from monitor.pipeline import run_pipeline
from monitor.store.queries import event_summaries, list_changes, list_events, run_health


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


def test_a_recipients_topic_is_found_in_the_titles_of_the_reports(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        changes, _, _ = outbox.digest_contents(
            session, Recipient("c@x.org", topics=("多措并举",)), None
        )
        reported = [
            c["id"]
            for c in list_changes(session)
            if any("多措并举" in s["title"] for s in c["sources"])
        ]
    assert "多措并举" not in "".join(c["text"] for c in changes)  # only 人民网's title has it
    assert [c["id"] for c in changes] == reported and len(reported) == 6


def test_beyond_the_limit_only_the_changes_shown_are_read_in_full(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        changes, events, health = outbox.digest_contents(session, None, None, max_items=4)
        every = list_changes(session, undelivered_only=True)
        every_event = list_events(session, {c["event_id"] for c in every})
        health_now = run_health(session, None)
    assert [c["id"] for c in changes] == [c["id"] for c in every]  # it carries them all
    shown, rest = split_changes(changes, 4)
    assert shown == split_changes(every, 4)[0]  # full rows, chosen as from full rows
    assert rest and all("sources" not in c for c in rest)
    by_id = {c["id"]: c for c in every}
    keys = ("kind", "commitment_id", "event_id", "published_at", "actor", "text")
    assert all(c[key] == by_id[c["id"]][key] for c in rest for key in keys)
    # the email reads as if every change had been read in full
    full = render_digest(date(2021, 1, 20), every, every_event, health_now, 4, digest_id=9)
    read = render_digest(date(2021, 1, 20), changes, events, health, 4, digest_id=9)
    assert (read.subject, read.text, read.html) == (full.subject, full.text, full.html)
    assert "Not shown here: 7 more changes" in read.text


def test_counted_events_are_named_by_title_and_date(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        (every,) = list_events(session)
        _, events, _ = outbox.digest_contents(session, None, None, max_items=1)
        (event,) = events  # the shown change's: in full
        (summary,) = event_summaries(session, [every["id"], None])
    assert event == every
    assert summary == every | {"speakers": [], "venues": [], "articles": []}


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


def test_changes_by_id_come_oldest_first_across_chunks_and_within_the_limit(
    db, seed_captures, monkeypatch
):
    from monitor.store import queries

    run_pipeline(db, seed_captures, "test")
    monkeypatch.setattr(queries, "_IN_CHUNK", 2)  # the ids bound in several statements
    with db.sessions() as session:
        every = [c["id"] for c in list_changes(session)]
        wanted = every[1:8]
        assert [c["id"] for c in list_changes(session, change_ids=wanted[::-1])] == wanted
        limited = list_changes(session, change_ids=wanted, limit=3)
        assert [c["id"] for c in limited] == wanted[:3]
