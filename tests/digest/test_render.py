"""The digest's rendering of long lists: changes beyond the limit counted by event, and a
commitment's sources beyond the first ten counted, in both parts."""

from datetime import date

from monitor.digest.render import render_digest


def _source(number: int) -> dict:
    return {
        "outlet": f"报社{number}",
        "title": f"报道{number}",
        "published_at": f"2021-01-{number + 1:02d}T08:00:00+00:00",
        "copy_of": None,
        "url": f"http://example.org/{number}.html",
        "origin": f"http://example.org/{number}.html",
        "original_source": None,
    }


def _change(number: int, kind: str, commitment_id: int, event_id: int, sources: int) -> dict:
    return {
        "id": number,
        "kind": kind,
        "commitment_id": commitment_id,
        "event_id": event_id,
        "actor": "科技部",
        "text": f"第{number}项举措",
        "quantities": [],
        "periods": [],
        "before": {"text": "旧"} if kind == "CHANGED" else None,
        "after": {"text": "新"},
        "published_at": f"2021-01-{number:02d}T08:00:00+00:00",
        "before_published_at": None,
        "sources": [_source(n) for n in range(sources)],
    }


EVENTS = [
    {"id": 1, "title": "发布会甲", "date": "2021-01-20", "articles": []},
    {"id": 2, "title": "发布会乙", "date": "2021-01-21", "articles": []},
]


def test_a_commitments_sources_beyond_ten_are_counted_and_named():
    digest = render_digest(date(2021, 1, 20), [_change(1, "NEW", 7, 1, 12)], EVENTS)
    for part in (digest.text, digest.html):
        assert "报社9" in part and "报社10" not in part
        assert "and 2 more sources" in part and "monitor commitment 7" in part


def test_beyond_the_limit_changed_ones_come_first_and_the_rest_are_counted_by_event():
    changes = [_change(n, "NEW", n, 1 + n % 2, 1) for n in range(1, 7)]
    changes.append(_change(7, "CHANGED", 1, 2, 1))
    digest = render_digest(date(2021, 1, 20), changes, EVENTS, max_items=3)
    assert digest.subject == "[policy-monitor] 20 Jan 2021: 1 changed, 6 new"
    assert digest.text.count("[CHANGED]") == 1 and digest.text.count("[NEW]") == 2
    assert "第6项举措" in digest.text and "第5项举措" in digest.text  # the newest NEW ones
    assert "第1项举措" not in digest.text
    assert "Not shown here: 4 more changes (4 new, 0 changed) in 2 events" in digest.text
    assert "2 new, 0 changed · 发布会甲 (2021-01-20)" in digest.text
    assert "monitor changes --pending" in digest.text  # no stored digest to name
    assert "Not shown here: 4 more changes" in digest.html


def test_changed_commitments_and_their_events_come_first_and_figures_say_what_they_are():
    new = _change(1, "NEW", 1, 2, 1)  # the newer event, but nothing in it changed
    new["quantities"] = [{"raw": "6100亿元", "kind": "target", "role": "value"}]
    changed = _change(2, "CHANGED", 2, 1, 1)
    changed["quantities"] = [{"raw": "再增加30元", "kind": "target", "role": "increment"}]
    done = _change(3, "NEW", 3, 1, 1)
    done["quantities"] = [{"raw": "1186万人", "kind": "achievement"}]
    digest = render_digest(date(2021, 1, 20), [new, done, changed], EVENTS)
    for part in (digest.text, digest.html):
        assert part.index("发布会甲") < part.index("发布会乙")  # the event with a change first
        assert part.index("第2项举措") < part.index("第3项举措")  # the changed one first in it
        assert "6100亿元 (target)" in part and "再增加30元 (change on an earlier figure)" in part
        assert "1186万人 (already achieved)" in part
