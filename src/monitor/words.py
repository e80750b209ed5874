"""Chinese word segmentation (jieba): keywords and parts of speech."""

from __future__ import annotations

import logging
import re
from functools import cache

import jieba

jieba.setLogLevel(logging.WARNING)


@cache
def load() -> None:
    """Load the dictionaries (the first use does, if this was not called)."""
    # Loading the dictionaries costs about 1.5 s, so it waits for the first use: the read-only
    # commands never pay it.
    jieba.initialize()


def keywords(text: str, count: int) -> list[str]:
    """The `count` most characteristic words of `text` (TF-IDF against jieba's corpus)."""
    load()
    import jieba.analyse

    return list(jieba.analyse.extract_tags(text, topK=count))


# Topic words of an article: its most characteristic words among the headline and the opening,
# where a report says what it is about.
TOPIC_COUNT = 12
TOPIC_LEAD_CHARS = 400
_NUMBER = re.compile(r"[\d.]+")


def topic_words(title: str, body: str) -> tuple[str, ...]:
    """The article's topic words (jieba TF-IDF keywords of its headline and opening)."""
    text = title + "。" + body[:TOPIC_LEAD_CHARS]
    return tuple(w for w in keywords(text, TOPIC_COUNT) if not _NUMBER.fullmatch(w))


# Adverbs and verbs that start a predicate after a noun ("部门共同谋划"), never part of it.
_NOT_BRIDGES = frozenset({"共同", "一起", "联合", "同时", "进一步", "全面", "加快", "推动", "支持"})


def leading_noun(text: str) -> str:
    """The noun phrase `text` starts with ("部门共同谋划" -> "部门"), or "".

    Nouns and distinguishing words (国家级) join; one short verb or adverb may bridge a
    modifier to its head noun (国家级创新平台, 专精特新企业).
    """
    load()
    import jieba.posseg

    tokens = jieba.posseg.lcut(text)
    phrase = ""
    for index, token in enumerate(tokens):
        if token.flag.startswith("n") or token.flag in ("vn", "j", "b"):
            phrase += token.word
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        bridges = (
            phrase
            and len(phrase) <= 3
            and token.flag in ("v", "d")
            and token.word not in _NOT_BRIDGES
            and following is not None
            and following.flag.startswith("n")
        )
        if not bridges:
            break
        phrase += token.word
    return phrase
