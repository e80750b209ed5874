"""Known Chinese news outlets: names, the websites among them, and their domains."""

from __future__ import annotations

import re

# name -> domains. Sites (names ending in 网, plus portals) publish pages; agencies and papers
# are what a page may name as the original source of a republished story.
OUTLET_DOMAINS: dict[str, tuple[str, ...]] = {
    "人民网": ("people.com.cn",),
    "光明网": ("gmw.cn",),
    "新华网": ("xinhuanet.com", "news.cn"),
    "中国新闻网": ("chinanews.com.cn", "chinanews.com"),
    "央视网": ("cctv.com",),
    "中国网": ("china.com.cn",),
    "中国经济网": ("ce.cn",),
    "中国日报网": ("chinadaily.com.cn",),
    "中国青年网": ("youth.cn",),
    "环球网": ("huanqiu.com",),
    "澎湃新闻": ("thepaper.cn",),
    "中国政府网": ("gov.cn",),
    "国务院新闻办公室网站": ("scio.gov.cn",),
    "新浪网": ("sina.com.cn",),
    "网易": ("163.com",),
    "腾讯网": ("qq.com",),
    "凤凰网": ("ifeng.com",),
    "观察者网": ("guancha.cn",),
    "和讯网": ("hexun.com",),
    "新华社": (),
    "人民日报": (),
    "光明日报": (),
    "经济日报": (),
    "中新社": (),
    "科技日报": (),
    "中央广播电视总台": (),
    "新京报": ("bjnews.com.cn",),
    "今日头条": ("toutiao.com",),
    "百家号": ("baijiahao.baidu.com",),
    "微信公众号": ("mp.weixin.qq.com",),
    "东方财富网": ("eastmoney.com",),
    "天天基金网": ("fund.eastmoney.com",),
    "CSDN": ("csdn.net",),
    "游民星空": ("gamersky.com",),
    "山西省人民政府": ("shanxi.gov.cn",),
}
SITES = frozenset(name for name, domains in OUTLET_DOMAINS.items() if domains)
# Longest first, so 中国新闻网 wins over 中国网 and 人民日报 is not read as 人民网.
OUTLET_PATTERN = "|".join(sorted(map(re.escape, OUTLET_DOMAINS), key=len, reverse=True))
_OUTLET_RE = re.compile(OUTLET_PATTERN)


def outlet_for_url(url: str | None) -> str | None:
    """The outlet whose domain serves `url`, if known."""
    if not url:
        return None
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    matches = [
        (len(domain), name)
        for name, domains in OUTLET_DOMAINS.items()
        for domain in domains
        if host == domain or host.endswith("." + domain)
    ]
    # the most specific domain wins: mp.weixin.qq.com is not 腾讯网's qq.com
    return max(matches)[1] if matches else None


def most_named_site(text: str) -> str | None:
    """The website named most often in `text` (page chrome names its own site), if any."""
    counts: dict[str, int] = {}
    for match in _OUTLET_RE.finditer(text):
        if match.group() in SITES:
            counts[match.group()] = counts.get(match.group(), 0) + 1
    return max(counts, key=lambda name: counts[name]) if counts else None
