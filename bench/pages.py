"""Generated HTML captures that look like real outlet pages.

Each page is a portal template (navigation, headline, 来源/date line, share widget, related
list, footer) around a body of seed paragraphs drawn at random, with the figures and dates
varied so commitments recur with changes. Every third capture re-captures an earlier page
with new boilerplate (a planted copy).
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from monitor.sources import RawCapture

ROOT = Path(__file__).resolve().parent.parent
_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{outlet}</title>
<meta property="og:url" content="https://{host}/2021-{m:02d}/{d:02d}/content_{n}.htm"></head>
<body><div class="nav"><a href="/">首页</a> <a href="/tech">科技</a> <a href="/eco">经济</a>
<a href="/pol">时政</a></div><div class="main"><h1>{title}</h1>
<div class="info">来源：{outlet} 2021-{m:02d}-{d:02d} 10:{mi:02d} 责编：陶媛</div>
<div class="article-content" id="article">{body}</div>
<div class="share">分享到：微信 微博</div></div>
<div class="related"><h3>相关阅读</h3><ul>{teasers}</ul></div>
<div class="footer">版权所有 {outlet} Copyright 2021</div></body></html>"""
_OUTLETS = (
    ("光明网", "tech.gmw.cn"),
    ("人民网", "finance.people.com.cn"),
    ("新华网", "www.news.cn"),
)


@cache
def seed_paragraphs() -> tuple[str, ...]:
    """The prose paragraphs of the seed pages."""
    return tuple(
        line.strip()
        for path in sorted((ROOT / "seeds").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 60 and "。" in line
    )


def _vary(paragraph: str, figures: dict[str, str]) -> str:
    for old, new in figures.items():
        paragraph = paragraph.replace(old, new)
    return paragraph


def generate_pages(count: int, seed: int = 7, start: int = 0) -> list[RawCapture]:
    """`count` HTML captures numbered from `start`: two thirds distinct pages, one third
    re-captures of earlier ones with new boilerplate."""
    rng = random.Random(seed + start)
    paragraphs = seed_paragraphs()
    captures: list[RawCapture] = []
    for number in range(start, start + count):
        if number % 3 == 2 and captures:
            original = rng.choice(captures).data.decode("utf-8")
            html = original.replace("相关阅读", f"相关阅读 {number}").replace(
                "分享到", f"热点{number} 分享到"
            )
        else:
            figures = {"600": str(500 + number % 400), "170": str(100 + number % 97)}
            body = "".join(
                "<p>" + _vary(p, figures) + "</p>"
                for p in rng.sample(paragraphs, k=min(6, len(paragraphs)))
            )
            teasers = "".join(
                f'<li><a href="/n/{number}/{k}">{rng.choice(paragraphs)[:24]}</a>'
                f" <span>2021-03-{k + 1:02d}</span></li>"
                for k in range(8)
            )
            outlet, host = _OUTLETS[number % len(_OUTLETS)]
            month, day = 1 + number % 12, 1 + number % 28
            html = _PAGE.format(
                title=f"科技部发布会第{number}号",
                outlet=outlet,
                host=host,
                m=month,
                d=day,
                n=number,
                mi=number % 60,
                body=body,
                teasers=teasers,
            )
        captures.append(
            RawCapture("bench", f"bench/{number}.html", html.encode("utf-8"), "text/html")
        )
    return captures
