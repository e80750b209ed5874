"""Government bodies, their short forms and official titles: shared by event and measure rules."""

from __future__ import annotations

import re

# short form -> canonical name
ALIASES: dict[str, str] = {
    "国新办": "国务院新闻办公室",
    "国务院新闻办": "国务院新闻办公室",
    "发改委": "国家发展改革委",
    "国家发改委": "国家发展改革委",
    "国家发展和改革委员会": "国家发展改革委",
    "工信部": "工业和信息化部",
    "科学技术部": "科技部",
    "中科院": "中国科学院",
    "人社部": "人力资源社会保障部",
    "住建部": "住房城乡建设部",
    "央行": "中国人民银行",
    "北京市政府": "北京市",
    "北京市人民政府": "北京市",
}
ORGANISATIONS: frozenset[str] = frozenset(
    {
        *ALIASES.values(),
        "国务院",
        "党中央",
        "科技部",
        "财政部",
        "教育部",
        "商务部",
        "外交部",
        "农业农村部",
        "生态环境部",
        "自然资源部",
        "交通运输部",
        "水利部",
        "国家卫生健康委",
        "国家能源局",
        "国家统计局",
        "国家知识产权局",
        "中国工程院",
        "上海市",
        "天津市",
        "重庆市",
        "广东省",
        "河北省",
        "中关村管委会",
    }
)
_ORG_NAMES = sorted({*ORGANISATIONS, *ALIASES}, key=len, reverse=True)
ORG_PATTERN = "|".join(map(re.escape, _ORG_NAMES))
_ORG_RE = re.compile(ORG_PATTERN)
# Names of provinces and cities with 省/市, and bodies ending in 部/委/局/办/院 not listed above.
_GENERIC_ORG = re.compile(r"[\u4e00-\u9fa5]{2,8}?(?:部|委员会|委|局|办公室|院|省|市)$")

OFFICIAL_TITLES = (
    "副部长|部长|副主任|主任|副局长|局长|司长|副司长|副省长|省长|副市长|市长|副主席|主席|副总理|总理"
    "|副秘书长|秘书长|书记|副书记|行长|副行长|署长|院长|副院长|新闻发言人|发言人|负责人"
)


def canonical(name: str) -> str:
    """The canonical name of an organisation or venue (国新办 -> 国务院新闻办公室)."""
    return ALIASES.get(name, name)


def find_orgs(text: str) -> list[tuple[int, str]]:
    """Known organisations named in `text`: (position, canonical name), in order."""
    return [(match.start(), canonical(match.group())) for match in _ORG_RE.finditer(text)]


def trim_org(prefix: str) -> str | None:
    """The organisation at the end of `prefix` ("…发布会,科技部" -> 科技部), if there is one."""
    for name in _ORG_NAMES:
        if prefix.endswith(name):
            return canonical(name)
    match = _GENERIC_ORG.search(prefix[-10:])
    return match.group() if match else None
