"""Commitments over time, on SQLite and PostgreSQL: changed, reaffirmed, syndicated, backfilled."""

from sqlalchemy import select

from monitor.pipeline import run_pipeline
from monitor.sources import RawCapture
from monitor.store.models import (
    Article,
    Base,
    Capture,
    Change,
    Commitment,
    Event,
    EventArticle,
    Measure,
    Observation,
)
from monitor.store.queries import commitment_history, list_changes, list_commitments
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED

GUANGMING = GLOBAL_SEED.read_text(encoding="utf-8")
PEOPLE = PEOPLE_SEED.read_text(encoding="utf-8")


def _capture(text: str, origin: str) -> RawCapture:
    return RawCapture("test", origin, text.encode("utf-8"), "text/plain")


def _seeds() -> list[RawCapture]:
    return [_capture(GUANGMING, "gmw.txt"), _capture(PEOPLE, "people.txt")]


def _later_with_new_figure() -> RawCapture:
    text = GUANGMING.replace("170多亿元", "190多亿元").replace(
        "来源:光明网2021-01-20 13:38", "来源:光明网2021-01-25 09:00"
    )
    return _capture(text, "gmw-later.txt")


def test_syndicated_copy_adds_a_source_and_flags_nothing(db):
    run_pipeline(db, _seeds(), "test")
    body_start = GUANGMING.index("  光明网讯")
    body_end = GUANGMING.index("[ 责编:陶媛 ]")
    syndicated = (
        "中国新闻网\n首页 > 财经\n\n科技部:多措并举支持北京国际科技创新中心的建设\n\n"
        "2021年01月20日 14:05　来源：光明网\n\n"
        + GUANGMING[body_start:body_end]
        + "\n【编辑:王五】\n中国新闻网版权所有\n"
    )
    counts = run_pipeline(db, [_capture(syndicated, "chinanews.txt")], "test")
    assert counts["copies"] == 1
    assert counts.get("NEW", 0) == counts.get("CHANGED", 0) == 0
    with db.sessions() as session:
        article = session.scalars(
            select(Article).join(Capture).where(Capture.origin == "chinanews.txt")
        ).one()
        commitments = list_commitments(session)
    assert (article.outlet, article.original_source) == ("中国新闻网", "光明网")
    assert len(commitments) == 11
    first = next(c for c in commitments if c["text"].startswith("第一,"))
    assert first["outlets"] == ["中国新闻网", "光明网"]
    assert (first["versions"], first["reports"]) == (1, 2)


def test_later_report_in_the_same_words_is_reaffirmed(db):
    run_pipeline(db, _seeds(), "test")
    later = (
        "首页 > 正文\n\n科技部召开部市会商会议\n\n来源:光明网2021-03-02 10:00\n\n"
        "光明网讯(记者 杨亚楠)3月2日,科技部与北京市召开部市会商会议,"
        "科技部副部长李萌介绍了下一步工作。\n\n"
        "第一,支持北京建设世界主要科学中心和创新高地,推动基础研究取得突破。\n\n"
        "第二,支持北京科技抗疫。我们建立了部市合作机制,"
        "开展疫苗研发、药物研发等领域的研发和能力建设。\n\n"
        "[ 责编:陶媛 ]\n"
    )
    counts = run_pipeline(db, [_capture(later, "gmw-march.txt")], "test")
    assert counts.get("copies", 0) == 0
    assert counts.get("reaffirmed") == 1
    assert counts.get("NEW") == 1
    assert counts.get("CHANGED", 0) == 0
    with db.sessions() as session:
        events = session.scalars(select(Event)).all()
        (again,) = [c for c in list_commitments(session) if "科技抗疫" in c["text"]]
    assert len(events) == 2  # the March meeting is another event
    assert (again["versions"], again["reports"]) == (1, 2)


def test_commitment_history_lists_every_report_in_publication_order(db):
    run_pipeline(db, _seeds(), "test")
    run_pipeline(db, [_later_with_new_figure()], "test")
    with db.sessions() as session:
        (first,) = [c for c in list_commitments(session) if c["text"].startswith("第一,")]
        history = commitment_history(session, first["id"])
    assert [v["outcome"] for v in history["history"]] == ["new", "changed"]
    assert [v["source"]["origin"] for v in history["history"]] == ["gmw.txt", "gmw-later.txt"]
    assert [c["kind"] for c in history["changes"]] == ["NEW", "CHANGED"]
    assert history["fields"]["quantities"][1]["raw"] == "190多亿元"


def _state(db) -> dict:
    """The stored outcome of ingestion, independent of row ids."""
    with db.sessions() as session:
        origin = dict(
            session.execute(
                select(Measure.id, Capture.origin)
                .join(Article, Article.id == Measure.article_id)
                .join(Capture, Capture.id == Article.capture_id)
            ).all()
        )
        text = dict(session.execute(select(Measure.id, Measure.text)).all())
        article_origin = dict(
            session.execute(
                select(Article.id, Capture.origin).join(Capture, Capture.id == Article.capture_id)
            ).all()
        )
        changes = sorted(
            (c.kind, origin[c.measure_id], text[c.measure_id], repr(c.before), repr(c.after))
            for c in session.scalars(select(Change))
        )
        observations = sorted(
            (origin[o.measure_id], text[o.measure_id], o.outcome)
            for o in session.scalars(select(Observation))
        )
        commitments = sorted(
            (c.text, repr(c.fields), str(c.first_published_at), str(c.last_published_at))
            for c in session.scalars(select(Commitment))
        )
        members = {}
        for event_id, article_id in session.execute(
            select(EventArticle.event_id, EventArticle.article_id)
        ):
            members.setdefault(event_id, set()).add(article_origin[article_id])
        events = sorted(
            (str(e.day), e.title, tuple(sorted(members[e.id])))
            for e in session.scalars(select(Event))
        )
        published = sorted(
            (article_origin[a.id], str(a.published_at)) for a in session.scalars(select(Article))
        )
    return {
        "changes": changes,
        "observations": observations,
        "commitments": commitments,
        "events": events,
        "published": published,
    }


def test_ingest_order_does_not_change_the_final_state(db):
    run_pipeline(db, _seeds(), "forward")
    run_pipeline(db, [_later_with_new_figure()], "forward")
    forward = _state(db)

    # the same database, emptied, takes the captures in the other order
    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    reverse_db = db
    run_pipeline(reverse_db, [_later_with_new_figure()], "reverse")
    run_pipeline(reverse_db, _seeds(), "reverse")
    reverse = _state(reverse_db)
    # the same commitments and histories; the changes differ only in that a change pending for
    # the digest is never withdrawn by a capture that arrives later
    assert {k: v for k, v in reverse.items() if k != "changes"} == {
        k: v for k, v in forward.items() if k != "changes"
    }

    with reverse_db.sessions() as session:
        news = list_changes(session, undelivered_only=True)
    # the backfilled past is history, not a CHANGED flag on the present
    assert {c["kind"] for c in news} == {"NEW"}
    assert all(c["published_at"].startswith(("2021-01-25", "2021-01-20")) for c in news)


def test_a_reworded_version_is_found_after_its_actor_was_dropped_from_memory(db, monkeypatch):
    from monitor.track import index, stage

    run_pipeline(db, _seeds(), "test")
    # one measure a batch, and one text kept: every batch reads its actor's commitments again
    monkeypatch.setattr(stage, "TRACK_BATCH_SIZE", 1)
    monkeypatch.setattr(index, "_KEPT_TEXTS", 1)
    later = (
        "首页 > 正文\n\n科技部召开部市会商会议\n\n来源:光明网2021-03-02 10:00\n\n"
        "光明网讯(记者 杨亚楠)3月2日,科技部与北京市召开部市会商会议,"
        "科技部副部长李萌介绍了下一步工作。\n\n"
        "第一,支持北京建设世界主要科学中心和创新高地,推动基础研究取得突破。\n\n"
        "第二,支持北京建设世界主要科学中心和创新高地,推动基础研究取得重大突破。\n\n"
        "[ 责编:陶媛 ]\n"
    )
    counts = run_pipeline(db, [_capture(later, "gmw-march.txt")], "test")
    assert counts.get("NEW") == 1  # the second item is a version of the first's commitment
    with db.sessions() as session:
        assert len(list_commitments(session)) == 12


def test_a_batch_writes_its_commitments_in_one_insert_and_one_update(db, monkeypatch):
    from sqlalchemy import event as sa_event

    from monitor.store.bulk import insert_rows
    from monitor.track import stage

    run_pipeline(db, _seeds(), "test")
    statements: list[str] = []

    def record(conn, cursor, sql, *args):
        if sql.startswith("UPDATE commitments"):
            statements.append("UPDATE")

    def counted(session, model, rows):  # an INSERT, or on PostgreSQL a COPY
        if model is Commitment:
            statements.append("INSERT")
        insert_rows(session, model, rows)

    monkeypatch.setattr(stage, "insert_rows", counted)
    sa_event.listen(db.engine, "before_cursor_execute", record)
    later = _later_with_new_figure()
    more = _capture(
        GUANGMING.replace("来源:光明网2021-01-20 13:38", "来源:光明网2021-01-26 09:00").replace(
            "第一,", "第一,新增一项:支持北京建设国家实验室体系。第二,"
        ),
        "gmw-more.txt",
    )
    counts = run_pipeline(db, [later, more], "test")
    sa_event.remove(db.engine, "before_cursor_execute", record)
    assert counts.get("CHANGED") and counts.get("NEW")
    # one tracking batch: the new commitments in one statement, the updated ones in another
    assert sorted(statements) == ["INSERT", "UPDATE"]
    with db.sessions() as session:
        ids = session.scalars(select(Commitment.id).order_by(Commitment.id)).all()
        latest = session.execute(
            select(Commitment.id, Commitment.latest_measure_id, Commitment.fields)
        ).all()
        observed = set(session.scalars(select(Observation.commitment_id)))
    assert len(ids) == len(set(ids)) and observed == set(ids)
    # each commitment says what its latest version says
    with db.sessions() as session:
        for commitment_id, measure_id, fields in latest:
            measure = session.get(Measure, measure_id)
            assert fields["text"] == measure.text, commitment_id


def test_new_commitment_ids_ascend_as_made_and_postgres_keeps_the_rest_of_its_block(db):
    from monitor.store.bulk import ID_BLOCK, NewIds

    ids = NewIds(Commitment)
    with db.transaction() as session:
        ids.begin()
        first = [ids.take(session) for _ in range(3)]
    with db.transaction() as session:
        ids.begin()
        second = [ids.take(session) for _ in range(2)]
    assert first == sorted(first) and second == sorted(second)
    if db.engine.dialect.name == "postgresql":
        assert second[0] > first[-1]  # the block's leftovers, not another block
        assert len(ids.free) == ID_BLOCK - 5
    else:  # nothing was stored: SQLite gives the ids after the largest stored again
        assert first == [1, 2, 3] and second == [1, 2]


def test_a_first_ingest_finds_recurring_texts_without_reading_observations(db, monkeypatch):
    from sqlalchemy import event as sa_event

    from monitor.track import index, stage

    # one measure a batch: a recurring text's earlier versions are in batches already written
    monkeypatch.setattr(stage, "TRACK_BATCH_SIZE", 1)
    lookups: list[str] = []

    def record(conn, cursor, sql, *args):
        if "FROM observations" in sql and "observations.measure_id IN" in sql:
            lookups.append(sql)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    run_pipeline(db, [*_seeds(), _later_with_new_figure()], "first")
    sa_event.remove(db.engine, "before_cursor_execute", record)
    assert lookups == []  # the store had no observation: the run knew every one it made
    first = _state(db)

    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    # the same ingest reading every text's first commitment from the store
    monkeypatch.setattr(index.RecentCommitments, "begin", lambda self, session: None)
    sa_event.listen(db.engine, "before_cursor_execute", record)
    run_pipeline(db, [*_seeds(), _later_with_new_figure()], "read")
    sa_event.remove(db.engine, "before_cursor_execute", record)
    assert lookups  # it did read them
    assert _state(db) == first
    assert any(kind == "CHANGED" for kind, *_ in first["changes"])
