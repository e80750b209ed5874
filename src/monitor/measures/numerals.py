"""Chinese and Arabic numerals to numbers (cn2an), with the marker forms lists use."""

from __future__ import annotations

import cn2an

_SMALL = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def parse_number(text: str) -> float | None:
    """The value of an Arabic or Chinese numeral ("600", "1.5", "两", "二十一", "一千二百")."""
    try:
        return float(text)
    except ValueError:
        pass
    if text in _SMALL:
        return float(_SMALL[text])
    try:
        return float(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except (ValueError, KeyError):
        return None


def ordinal(text: str) -> int | None:
    """The integer of a list marker's numeral ("三" -> 3, "12" -> 12)."""
    value = parse_number(text)
    return int(value) if value is not None and value == int(value) and value > 0 else None
