"""The digest email, sent through a real SMTP server on loopback and read back with the
standard email parser."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from monitor.config import Recipient, SmtpSettings, load_settings
from monitor.digest.outbox import resend_digests, send_digests
from monitor.errors import DigestError
from monitor.pipeline import run_pipeline
from monitor.sources import RawCapture
from monitor.store.queries import list_changes
from tests.conftest import GLOBAL_SEED, ROOT
from tests.digest.conftest import free_port

DAY = date(2021, 1, 20)
ANALYST = "analyst@example.org"


def _settings(port: int, **smtp):
    base = load_settings(ROOT / "config" / "monitor.toml", env={})
    return dataclasses.replace(
        base,
        recipients=(Recipient(ANALYST),),
        smtp=SmtpSettings(
            host="127.0.0.1", port=port, sender="monitor@example.org", timeout=5, **smtp
        ),
    )


def _parts(message):
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_seed_digest_headers_parts_and_grouping(db, seed_captures, smtp_server):
    run_pipeline(db, seed_captures, "test")
    (delivery,) = send_digests(db, _settings(smtp_server.port), DAY)
    assert (delivery.status, delivery.changes) == ("sent", 11)
    (message,) = smtp_server.inbox.messages
    assert message["Subject"] == "[policy-monitor] 20 Jan 2021: 0 changed, 11 new"
    assert message["From"] == "monitor@example.org" and message["To"] == ANALYST
    assert smtp_server.inbox.recipients == [[ANALYST]]
    text, html = _parts(message)
    assert text.count("## ") == 1 and "## 科技部:多措并举支持北京国际科技创新中心的建设" in text
    assert html.count('color:#8a1c1c;">') == 1  # one event heading
    for part in (text, html):
        assert "支持北京科技抗疫" in part and "以全方位科技开放合作构建影响力" in part
        assert "光明网" in part and "人民网" in part
        assert "近600个项目" in part and "十三五" in part
        assert "000_42e4a6355bcb619a.txt" in part  # the capture each source came from
    assert html.count(">NEW<") == 11
    assert "1 run since the last digest" in text


def test_changed_figure_shows_before_and_after_with_dates(db, seed_captures, smtp_server):
    run_pipeline(db, seed_captures, "test")
    send_digests(db, _settings(smtp_server.port), DAY)
    later = GLOBAL_SEED.read_text(encoding="utf-8").replace("170多亿元", "190多亿元")
    later = later.replace("来源:光明网2021-01-20 13:38", "来源:光明网2021-01-25 09:00")
    run_pipeline(db, [RawCapture("test", "later.txt", later.encode(), "text/plain")], "test")
    (delivery,) = send_digests(db, _settings(smtp_server.port), date(2021, 1, 25))
    assert delivery.changes == 1
    message = smtp_server.inbox.messages[-1]
    assert message["Subject"] == "[policy-monitor] 25 Jan 2021: 1 changed, 0 new"
    text, html = _parts(message)
    assert "figure 2: 170多亿元 -> 190多亿元" in text
    assert "(2021-01-20 -> 2021-01-25)" in text
    assert 'text-decoration:line-through;">170多亿元</td>' in html
    assert 'font-weight:bold;">190多亿元</td>' in html


def test_a_failed_send_leaves_the_backlog_for_the_next_digest(db, seed_captures, smtp_server):
    run_pipeline(db, seed_captures, "test")
    (failed,) = send_digests(db, _settings(free_port()), DAY)  # nobody listens there
    assert failed.status == "failed" and "cannot send the digest" in failed.reason
    (sent,) = send_digests(db, _settings(smtp_server.port), date(2021, 1, 21))
    assert (sent.status, sent.changes) == ("sent", 11)
    (again,) = send_digests(db, _settings(smtp_server.port), date(2021, 1, 21))
    assert again.status == "skipped"
    assert len(smtp_server.inbox.messages) == 1


def test_each_change_reaches_each_recipient_once(db, seed_captures, smtp_server):
    run_pipeline(db, seed_captures, "test")
    settings = dataclasses.replace(
        _settings(smtp_server.port),
        recipients=(Recipient(ANALYST), Recipient("desk@example.org", actors=("科技部",))),
    )
    first = send_digests(db, settings, DAY)
    assert [(d.recipient, d.changes) for d in first] == [(ANALYST, 11), ("desk@example.org", 11)]
    second = send_digests(db, settings, DAY)
    assert {d.status for d in second} == {"skipped"}
    assert len(smtp_server.inbox.messages) == 2


def test_recipient_filters_by_actor_and_topic(db, seed_captures, smtp_server):
    run_pipeline(db, seed_captures, "test")
    settings = dataclasses.replace(
        _settings(smtp_server.port),
        recipients=(
            Recipient("a@example.org", actors=("财政部",)),
            Recipient("b@example.org", topics=("抗疫",)),
        ),
    )
    deliveries = {d.recipient: d for d in send_digests(db, settings, DAY)}
    assert deliveries["b@example.org"].changes == 1
    assert deliveries["a@example.org"].changes == 0  # a quiet-day email with the run health


def test_resend_sends_the_same_email_again(db, seed_captures, smtp_server):
    run_pipeline(db, seed_captures, "test")
    send_digests(db, _settings(smtp_server.port), DAY)
    (resent,) = resend_digests(db, _settings(smtp_server.port), DAY)
    assert (resent.status, resent.changes) == ("resent", 11)
    first, second = smtp_server.inbox.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert second["Subject"] == first["Subject"].replace(
        "[policy-monitor]", "[policy-monitor] (resent)"
    )
    with pytest.raises(DigestError, match="no digest was sent on 2021-01-19"):
        resend_digests(db, _settings(smtp_server.port), date(2021, 1, 19))


@pytest.mark.parametrize("quiet_day", ["send", "skip"])
def test_quiet_day(db, seed_captures, smtp_server, quiet_day):
    run_pipeline(db, seed_captures, "test")
    settings = dataclasses.replace(_settings(smtp_server.port), quiet_day=quiet_day)
    send_digests(db, settings, DAY)
    run_pipeline(db, seed_captures, "test")  # a run that finds nothing new
    (delivery,) = send_digests(db, settings, date(2021, 1, 21))
    if quiet_day == "skip":
        assert delivery.status == "skipped" and len(smtp_server.inbox.messages) == 1
        return
    assert delivery.status == "sent"
    message = smtp_server.inbox.messages[-1]
    assert message["Subject"] == "[policy-monitor] 21 Jan 2021: 0 changed, 0 new"
    text, _ = _parts(message)
    assert "No new or changed commitments since the last digest." in text
    assert "1 run since the last digest (1 completed)" in text


def test_hostile_article_text_is_escaped_and_never_reaches_headers(db, smtp_server):
    hostile = (
        "首页\n\n<script>alert(1)</script>科技部发布\nBcc: victim@example.org\n\n"
        "来源:光明网2021-01-20 13:38\n\n"
        "光明网讯(记者 杨亚楠)1月20日,科技部副部长李萌表示,将推进以下工作。\n\n"
        "第一,支持<img src=x onerror=alert(2)>北京建设国家实验室,投入资金100亿元。\n\n"
        "第二,支持北京建设<a href='javascript:alert(3)'>人才平台</a>。\n\n"
        "[ 责编:陶媛 ]\n"
    )
    run_pipeline(db, [RawCapture("test", "hostile.txt", hostile.encode(), "text/plain")], "test")
    send_digests(db, _settings(smtp_server.port), DAY)
    (message,) = smtp_server.inbox.messages
    assert message["Bcc"] is None
    assert smtp_server.inbox.recipients == [[ANALYST]]
    _, html = _parts(message)
    assert "<img src=x" not in html and "<script>" not in html and "<a href='javascript" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_starttls_with_login(db, seed_captures, starttls_server):
    run_pipeline(db, seed_captures, "test")
    settings = _settings(
        starttls_server.port,
        security="starttls",
        username="monitor",
        password="s3cret-pass",
        ca_file=starttls_server.ca_file,
    )
    (delivery,) = send_digests(db, settings, DAY)
    assert delivery.status == "sent", delivery.reason
    assert len(starttls_server.inbox.messages) == 1


def test_a_refused_login_fails_without_showing_the_password(db, seed_captures, starttls_server):
    run_pipeline(db, seed_captures, "test")
    settings = _settings(
        starttls_server.port,
        security="starttls",
        username="monitor",
        password="wrong-pass-123",
        ca_file=starttls_server.ca_file,
    )
    (delivery,) = send_digests(db, settings, DAY)
    assert delivery.status == "failed"
    assert "wrong-pass-123" not in delivery.reason and "SMTPAuthenticationError" in delivery.reason
    assert "wrong-pass-123" not in repr(settings)


def test_ssl_from_the_first_byte(db, seed_captures, ssl_server):
    run_pipeline(db, seed_captures, "test")
    settings = _settings(ssl_server.port, security="ssl", ca_file=ssl_server.ca_file)
    (delivery,) = send_digests(db, settings, DAY)
    assert delivery.status == "sent", delivery.reason
    assert len(ssl_server.inbox.messages) == 1


def test_a_backfill_after_a_digest_rewrites_history_and_sends_no_old_news(db, smtp_server):
    from tests.test_tracking import _later_with_new_figure, _seeds

    run_pipeline(db, [_later_with_new_figure()], "test")  # the later report arrives first
    send_digests(db, _settings(smtp_server.port), date(2021, 1, 25))
    run_pipeline(db, _seeds(), "test")  # then the older ones are backfilled
    (delivery,) = send_digests(db, _settings(smtp_server.port), date(2021, 1, 26))
    text, _ = _parts(smtp_server.inbox.messages[-1])
    assert delivery.changes == 5  # 人民网's five commitments are news; 光明网's past is history
    assert "CHANGED" not in text


def test_a_backlog_shows_its_changed_commitments_first_and_counts_the_rest(
    db, seed_captures, smtp_server
):
    run_pipeline(db, seed_captures, "test")
    later = GLOBAL_SEED.read_text(encoding="utf-8").replace("170多亿元", "190多亿元")
    later = later.replace("来源:光明网2021-01-20 13:38", "来源:光明网2021-01-25 09:00")
    run_pipeline(db, [RawCapture("test", "later.txt", later.encode(), "text/plain")], "test")
    settings = dataclasses.replace(_settings(smtp_server.port), digest_max_items=3)
    (delivery,) = send_digests(db, settings, DAY)
    assert (delivery.status, delivery.changes) == ("sent", 12)  # it carries them all
    message = smtp_server.inbox.messages[-1]
    assert message["Subject"] == "[policy-monitor] 20 Jan 2021: 1 changed, 11 new"
    text, html = _parts(message)
    assert "figure 2: 170多亿元 -> 190多亿元" in text  # the changed one is among the three
    assert html.count(">NEW<") + html.count(">CHANGED<") == 3
    assert "## Not shown here: 9 more changes (9 new, 0 changed) in 1 event" in text
    assert f"monitor changes --digest {delivery.digest_id}" in text
    assert "9 new, 0 changed · 科技部:多措并举支持北京国际科技创新中心的建设" in text
    assert "Not shown here: 9 more changes" in html
    with db.sessions() as session:
        carried = list_changes(session, digest_id=delivery.digest_id)
        assert len(carried) == 12 and not list_changes(session, undelivered_only=True)
    (again,) = send_digests(db, settings, DAY)
    assert again.status == "skipped"  # nothing is left pending


def test_a_digest_within_its_limit_says_nothing_of_changes_not_shown(
    db, seed_captures, smtp_server
):
    run_pipeline(db, seed_captures, "test")
    settings = dataclasses.replace(_settings(smtp_server.port), digest_max_items=11)
    send_digests(db, settings, DAY)
    text, html = _parts(smtp_server.inbox.messages[-1])
    assert html.count(">NEW<") == 11
    assert "Not shown here" not in text and "Not shown here" not in html


def test_a_commitment_new_and_changed_since_the_last_digest_is_one_entry(
    db, seed_captures, smtp_server
):
    run_pipeline(db, seed_captures, "test")
    later = GLOBAL_SEED.read_text(encoding="utf-8").replace("170多亿元", "190多亿元")
    later = later.replace("来源:光明网2021-01-20 13:38", "来源:光明网2021-01-25 09:00")
    run_pipeline(db, [RawCapture("test", "later.txt", later.encode(), "text/plain")], "test")
    (delivery,) = send_digests(db, _settings(smtp_server.port), DAY)
    assert delivery.changes == 12  # 11 NEW and the CHANGED of one of them
    message = smtp_server.inbox.messages[-1]
    assert message["Subject"] == "[policy-monitor] 20 Jan 2021: 1 changed, 11 new"
    text, html = _parts(message)
    entries = [line for line in text.splitlines() if " · commitment " in line]
    assert len(entries) == 11  # one a commitment
    (changed,) = [line for line in entries if "[CHANGED]" in line]
    assert changed.startswith("[NEW] [CHANGED]")  # new to the reader, and changed since
    assert text.index(changed) < text.index("figure 2: 170多亿元 -> 190多亿元")
    assert "190多亿元" in text.split(changed)[1].split("Changed (")[0]  # its state now
    assert html.count(">NEW<") == 11 and html.count(">CHANGED<") == 1
