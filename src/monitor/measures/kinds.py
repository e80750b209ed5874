"""Commitment, achievement or statement: what a measure or a figure in it says."""

from __future__ import annotations

import re

# Modal and time words that make a sentence outside a list a promise: 将 (not 将近), 要 (not in
# 要求/重要/主要/需要), 力争, 下一步, a deadline year. Every branch begins with its word, what
# comes before it looked behind at once it is found: a pattern that begins with an assertion is
# tried at every character (five times as long over the sentences of a body).
FUTURE_SENTENCE = re.compile(
    r"将(?<!即将)(?![近来])|即将|要(?<![需重主必首纪只提]要)(?![求点素闻件害])|力争|争取|拟|下一步"
    r"|到20\d{2}年|年底前"
)
# Words that make a clause a promise of future action.
_FUTURE = re.compile(
    r"将|要|力争|争取|计划|拟|下一步|继续|加快|推动|推进|支持|构建|打造|到20\d{2}年|年底前|着力|着重"
)
# Words that make a clause a report of what was done.
_PAST = re.compile(r"已经|已|了|期间|累计|完成|实现|取得|达到|建成")
_SENTENCE = re.compile(r"[^。！？；;]+[。！？；;]?")


def measure_kind(head: str) -> str:
    """The kind of a measure from its head clause: commitment, achievement or statement."""
    if _FUTURE.search(head):
        return "commitment"
    if _PAST.search(head):
        return "achievement"
    return "statement"


def figure_kind(text: str, position: int, published_year: int | None) -> str:
    """The kind of a figure at `position`: achievement (reported result), target or context.

    A figure of a plan period that ended before publication ("十三五"期间…, published 2021)
    is an achievement even when its sentence reads as a plan.
    """
    sentence = next(
        (m.group() for m in _SENTENCE.finditer(text) if m.start() <= position < m.end()), ""
    )
    ended_plan = re.search(r"十三五|十二五|十一五", sentence) and (published_year or 0) >= 2021
    if ended_plan or _PAST.search(sentence):
        return "achievement"
    if _FUTURE.search(sentence):
        return "target"
    return "context"
