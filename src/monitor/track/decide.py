"""What a new version means for its commitment: NEW, CHANGED or reaffirmed.

A version that no commitment was found for is NEW. One whose figures, periods or wording differ
from its commitment's is CHANGED; one that says the same again is reaffirmed. A quantified target
is known by what it measures (its identity), whatever its wording, and compared by its figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from monitor.measures.targets import PLAN_KEY
from monitor.outcomes import Outcome
from monitor.track.similar import similarity

# Masked texts less similar than this have materially different wording.
SAME_WORDING = 0.95
_COMPARED_QUANTITY_KEYS = ("raw", "value", "unit", "qualifier", "upper", "role")
# what a figure or a period says: its keys but the words it is written in ("raw")
# (not its role: 再降低10% and 降低10% set one figure)
_MEANING_KEYS = ("value", "unit", "qualifier", "upper", "kind", "start", "end")
_COMPARED_PERIOD_KEYS = ("raw", "kind", "start", "end")


@dataclass(frozen=True)
class Decision:
    """What a new version means for its commitment (new, changed or reaffirmed), with the
    fields that changed before and after."""

    kind: Outcome
    before: dict[str, Any] | None
    after: dict[str, Any]

    @property
    def counted(self) -> str:
        """What a run counts it as: NEW, CHANGED or reaffirmed."""
        change = self.kind.change
        return str(change) if change is not None else str(self.kind)


def identity(kind: str, actor: str | None, subject: str | None) -> str | None:
    """What a version of a commitment measures or is about, when it says: a target by its
    actor and indicator, an undertaking by its actor and the policy it names."""
    if subject is None or kind not in ("target", "commitment"):
        return None
    return f"{kind}|{actor or ''}|{subject}"


TARGET_PREFIX = "target|"


def is_target(identity: str | None) -> bool:
    """Whether an identity is a quantified target's."""
    return identity is not None and identity.startswith(TARGET_PREFIX)


# One indicator worded two ways keeps its first and last characters and at most this many
# characters put in between (铁路投资 / 铁路建设投资, 地方专项债券 / 地方政府专项债券), and
# no more than half as many as it kept.
_MAX_INSERTED = 4
_MIN_INDICATOR = 4
# Names of at least this many characters are one indicator when they share at least this share
# of the shorter one's characters in order, and their last word
_LONG_INDICATOR = 8
_LONG_KEPT = 0.8
# Things named side by side, one figure set for them all
_LISTED = re.compile(r"[和及与、]")


def same_indicator(one: str, other: str) -> bool:
    """Whether two target identities name one indicator worded two ways: the shorter one's
    characters stand in the longer one in order, with the same first and last, a few words put
    in between; or two long names that keep most of their words and the last; or one thing of
    a list the figure is set for (分级诊疗试点 / 分级诊疗试点和家庭签约服务). Words put in the
    middle of a short name may name a part of it (中央本级支出 / 中央本级基础研究支出): no more
    than half as many as it keeps. A word in front changes what is measured (财政赤字 /
    中央财政赤字), and one word for another (铁路投资 / 公路投资, 城镇调查失业率 / 城镇登记
    失业率) is another indicator."""
    head_one, _, short = one.rpartition("|")
    head_other, _, long = other.rpartition("|")
    if head_one != head_other or short == long:
        return False
    if short.startswith(PLAN_KEY) != long.startswith(PLAN_KEY):
        return False  # a five-year plan's target and the year's
    short, long = short.removeprefix(PLAN_KEY), long.removeprefix(PLAN_KEY)
    if len(short) > len(long):
        short, long = long, short
    if (
        len(short) >= _LONG_INDICATOR
        and short[-2:] == long[-2:]
        and _common(short, long) >= _LONG_KEPT * len(short)
    ):
        return True  # a long name keeps most of its words: 国有大型商业银行小微企业贷款 /
        # 大型商业银行普惠小微企业贷款, 城乡居民医保财政补助 / 居民基本医保人均财政补助
    if len(short) < _MIN_INDICATOR:
        return False
    if short in _LISTED.split(long):
        return True  # one of the things a figure is set for (分级诊疗试点和家庭签约服务)
    if len(long) - len(short) > min(_MAX_INSERTED, len(short) // 2):
        # 中央本级支出 / 中央本级基础研究支出: a part of it
        return False
    if short[0] != long[0] or short[-1] != long[-1]:
        return False
    rest = iter(long)
    return all(char in rest for char in short)


def likeness(one: str, other: str) -> float:
    """How alike two identities' indicators are: the share of the longer one's characters the
    two hold in order."""
    one, other = one.rpartition("|")[2], other.rpartition("|")[2]
    return _common(one, other) / max(len(one), len(other), 1)


def _common(one: str, other: str) -> int:
    """The length of the longest sequence of characters both hold in order."""
    previous = [0] * (len(other) + 1)
    for char in one:
        current = [0]
        for index, theirs in enumerate(other):
            current.append(
                previous[index] + 1 if char == theirs else max(previous[index + 1], current[index])
            )
        previous = current
    return previous[-1]


def commitment_fields(text: str, actor: str | None, quantities: list, periods: list) -> dict:
    """The fields of a commitment version that a change is reported on."""
    return {
        "text": text,
        "actor": actor,
        "quantities": [{k: q.get(k) for k in _COMPARED_QUANTITY_KEYS} for q in quantities],
        "periods": [{k: p.get(k) for k in _COMPARED_PERIOD_KEYS} for p in periods],
    }


def decide(previous: dict[str, Any] | None, current: dict[str, Any], target: bool) -> Decision:
    """What a version means for its commitment: NEW when it has none before it, else what
    comparing their fields finds (compare), CHANGED or reaffirmed.

    Args:
        previous: the commitment's fields as they stand (commitment_fields); None when no
            commitment was found for the version, or it is the first of a replayed history.
        current: the version's fields.
        target: whether the commitment is a quantified target (is_target).
    """
    if previous is None:
        return Decision(Outcome.NEW, None, current)
    return compare(previous, current, target)


def compare(previous: dict[str, Any], current: dict[str, Any], target: bool = False) -> Decision:
    """Compare a commitment's fields with a new version's: changed fields before and after.

    A target is its figure: its value, unit, qualifier and range, and its deadline; the
    words around the figure and the year it is set for (今年) may change, it is the same target.
    Where both versions give the target's value, an increment beside it (比去年增加2000亿元)
    follows from last year's figure and is no change of its own.
    """
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in ("quantities", "periods"):
        old, new = previous.get(key, []), current.get(key, [])
        if target and key == "periods":
            old, new = _deadlines(old), _deadlines(new)
        elif target and _values(old) and _values(new):
            old, new = _values(old), _values(new)
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else None
            b = new[index] if index < len(new) else None
            if _meaning(a) != _meaning(b) if target else a != b:
                before[f"{key}[{index}]"], after[f"{key}[{index}]"] = a, b
    if previous.get("actor") != current.get("actor") and current.get("actor"):
        before["actor"], after["actor"] = previous.get("actor"), current.get("actor")
    wording = similarity(previous.get("text", ""), current.get("text", ""))
    if not target and wording < SAME_WORDING:
        before["text"], after["text"] = previous.get("text"), current.get("text")
    if not after:
        return Decision(Outcome.REAFFIRMED, None, current)
    if target and not any(key.startswith("quantities") for key in after):
        # the same figure for another plan or deadline: the figure says which target it is
        old, new = previous.get("quantities") or [None], current.get("quantities") or [None]
        before["quantities[0]"], after["quantities[0]"] = old[0], new[0]
    return Decision(Outcome.CHANGED, before, after)


def _values(quantities: list[dict]) -> list[dict]:
    return [q for q in quantities if q.get("role") == "value"]


def _deadlines(periods: list[dict]) -> list[dict]:
    return [p for p in periods if p.get("kind") in ("deadline", "plan")]


def _meaning(value: dict | None) -> tuple | None:
    """What a figure or period says, whatever its wording (6.5%左右 and 6.5％左右)."""
    if value is None:
        return None
    return tuple(value.get(k) for k in _MEANING_KEYS)
