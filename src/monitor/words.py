"""Chinese word segmentation (jieba): keywords and parts of speech."""

from __future__ import annotations

import logging
from functools import cache

import jieba

jieba.setLogLevel(logging.WARNING)


@cache
def _ready() -> None:
    # Loading the dictionaries costs about 1.5 s, so it waits for the first use: the read-only
    # commands never pay it.
    jieba.initialize()


def keywords(text: str, count: int) -> list[str]:
    """The `count` most characteristic words of `text` (TF-IDF against jieba's corpus)."""
    _ready()
    import jieba.analyse

    return list(jieba.analyse.extract_tags(text, topK=count))


def leading_noun(text: str) -> str:
    """The noun phrase `text` starts with ("部门共同谋划" -> "部门"), or ""."""
    _ready()
    import jieba.posseg

    noun = ""
    for token in jieba.posseg.lcut(text):
        if not token.flag.startswith(("n", "vn")) and noun:
            break
        noun += token.word
    return noun
