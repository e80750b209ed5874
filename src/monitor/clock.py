"""Time as the product speaks of it: China Standard Time (UTC+8, no daylight saving), in which
articles are dated, digests are for a day and listings print their times."""

from __future__ import annotations

from datetime import timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
