"""Chinese news metadata: datelines, publish dates, bylines, editors, source lines, titles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from monitor import orgs
from monitor.clock import CHINA_TZ
from monitor.extract.outlets import OUTLET_PATTERN

_NAME = r"[\u4e00-\u9fa5·]{2,5}"
_NAMES = rf"{_NAME}(?:[、，, ]+{_NAME})*"
_FULL_DATE = re.compile(
    r"(?P<y>20\d{2}|19\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
# A date as a calendar box: the day on its own line, then the year and month, or after them
_BOXED_DATE = re.compile(
    r"(?:^|\n)\s*(?P<d>\d{1,2})\s*\n\s*(?P<y>20\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?\s*(?=\n|$)"
    r"|(?:^|\n)\s*(?P<y2>20\d{2})\s*[-/.年]\s*(?P<m2>\d{1,2})\s*月?\s*\n\s*(?P<d2>\d{1,2})\s*日?\s*(?=\n|$)"
)
# A label before the date a page gives its story: 发布日期：, 发布时间:, 时间：
_DATE_LABEL = re.compile(r"(?:发布|发表|更新|成文|印发|上传)?(?:日期|时间)\s*[:：]\s*$")
_LABEL_REACH = 12
# 人民网北京1月20日电 / 新华社北京1月20日电 / 光明网讯 / 本报讯
_DATELINE = re.compile(
    rf"^\s*(?P<outlet>{OUTLET_PATTERN}|[\u4e00-\u9fa5]{{2,6}}?(?:网|社|报|台))"
    r"(?:讯|(?P<place>[\u4e00-\u9fa5]{1,8}?)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:电|讯))"
)
_MONTH_DAY = re.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_REPORTER = (
    re.compile(rf"[(（]\s*记者\s*(?P<names>{_NAMES})\s*[)）]"),
    re.compile(rf"(?:日电|讯)\s*[(（]\s*(?P<names>{_NAMES})\s*[)）]"),
    re.compile(rf"记者\s*(?P<names>{_NAMES})\s*(?:报道|摄)"),
)
_EDITOR = re.compile(rf"(?:责编|责任编辑|编辑)\s*[:：]\s*(?P<names>{_NAMES})")
_SOURCE_LINE = re.compile(
    r"来源\s*[:：]\s*(?P<source>[\u4e00-\u9fa5A-Za-z]{2,20}?)(?=\s|\d|[|｜]|$)"
)
_MIN_HEADLINE = 8
# A speaker line standing alone above a speech or report: 国务院总理 李克强, 科技部部长 王志刚.
_SPEAKER_LINE = re.compile(
    rf"^(?P<org>[\u4e00-\u9fa5]{{2,12}}?)(?P<title>{orgs.OFFICIAL_TITLES})\s*"
    r"(?P<name>[\u4e00-\u9fa5·]{2,4})$",
    re.M,
)
# A line that is only a date: the dateline of a document (2017年3月5日).
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
# What stands before a headline in some pages' titles and headings: a reading prompt
_READING_PROMPT = re.compile(r"^\s*(?:正在阅读|正在浏览|当前位置|您的位置)\s*[:：]\s*")
_TITLE_SEPARATORS = " -_|｜—:："
# A headline a page's title and a heading agree on is at least this share of each
_AGREED_SHARE = 0.6
_SITE_SUFFIX = re.compile(
    r"^(?P<head>.+?\S)\s*(?:[_|｜]|\s[-—]+\s|-+(?=[A-Za-z\u4e00-\u9fa5]))\s*"
    r"(?P<site>[^-_|｜—，。！？：:“”、,!?]{2,20})$"
)
_INSTITUTION_SUFFIX = re.compile(
    r"^(?P<head>.+\S)\s+(?P<site>[\u4e00-\u9fa5]{2,16}"
    r"(?:医院|大学|学院|学校|政府|办事处|委员会|研究院|研究所|学会|协会|管理局|厅|局))$"
)
_UNDERSCORED = re.compile(r"^(?P<head>[^_]+?\S)\s*_+\s*(?P<site>[^\s_，。！？：:、,!?]{2,12})$")
_CHANNEL = re.compile(
    r"^(?P<head>.+?\S)(?:\s*[_|｜]+\s*|\s+[-—]+\s+)[^\s_|｜，。！？：:、,!?]{1,8}$"
)
_SPACED_SUFFIX = re.compile(
    r"^(?P<head>.+?\S)\s+[-—|｜]+\s+(?P<site>[^\s\-_|｜—，。！？：:“”、,!?]{2,10})$"
)
_SITE_WORD = re.compile(r"网|站|报|社|台|官方|新闻|平台|频道|门户|头条|号$|[A-Za-z]{2,}")
_SITE_ALIASES = {"微信公众平台": "微信公众号", "网易新闻": "网易", "新浪新闻": "新浪网"}
_TITLE_SUFFIX = re.compile(
    rf"\s*[-_|｜—]+\s*(?P<site>{OUTLET_PATTERN}|[\u4e00-\u9fa5]{{2,8}}网)\s*$"
)


@dataclass(frozen=True)
class Dateline:
    """The opening of a news story: who wrote it, where, and on which day of which month."""

    outlet: str
    place: str | None
    month: int | None
    day: int | None


@dataclass(frozen=True)
class PublishDate:
    """A publication date: full when the page gives the year, else month and day only."""

    month: int
    day: int
    year: int | None = None
    hour: int | None = None
    minute: int | None = None

    @property
    def text(self) -> str:
        """ISO 8601, with `--MM-DD` when the year is unknown."""
        head = f"{self.year:04d}" if self.year else "-"
        text = f"{head}-{self.month:02d}-{self.day:02d}"
        if self.hour is not None and self.minute is not None:
            text += f"T{self.hour:02d}:{self.minute:02d}"
        return text

    def to_datetime(self) -> datetime | None:
        """The moment in China time, or None while the year is unknown."""
        if self.year is None:
            return None
        return datetime(
            self.year, self.month, self.day, self.hour or 0, self.minute or 0, tzinfo=CHINA_TZ
        )


def find_dateline(lead: str) -> Dateline | None:
    """Parse the dateline at the start of a story's first paragraph."""
    match = _DATELINE.match(lead)
    if not match:
        return None
    month, day = match.group("m"), match.group("d")
    if month is None:
        # 光明网讯(记者 杨亚楠)1月20日,…: the day follows the byline
        later = _MONTH_DAY.search(lead[: match.end() + 40])
        month, day = (later.group("m"), later.group("d")) if later else (None, None)
    return Dateline(
        outlet=match.group("outlet"),
        place=match.group("place"),
        month=int(month) if month else None,
        day=int(day) if day else None,
    )


def find_full_date(text: str) -> PublishDate | None:
    """The first valid full date (with year) in `text`, with its time if given."""
    return next(_full_dates(text), (None, None))[0]


def find_shown_date(header: str, title: str = "") -> PublishDate | None:
    """The date a page shows with its story, in the text above the story: one labelled as its
    publication (发布日期：, 时间：); else the first after the headline (the byline under it;
    a clock or calendar at the top of the page shows today, and teasers other days); else the
    first."""
    dates = sorted([*_full_dates(header), *_boxed_dates(header)], key=lambda found: found[1])
    for found, start in dates:
        if _DATE_LABEL.search(header, max(0, start - _LABEL_REACH), start):
            return found
    headline = header.rfind(title) if len(title) >= _MIN_HEADLINE else -1
    if headline >= 0:
        after = [found for found, start in dates if start >= headline + len(title)]
        if after:
            return after[0]
    return dates[0][0] if dates else None


def _boxed_dates(text: str) -> Iterator[tuple[PublishDate, int]]:
    """Dates laid out as a calendar box, the day on a line of its own beside the year and
    month (21 / 2024年02月, 2024-02 / 21), with where each starts."""
    for match in _BOXED_DATE.finditer(text):
        y, m, d = (int(match.group(k) or match.group(k + "2")) for k in ("y", "m", "d"))
        try:
            date(y, m, d)
        except ValueError:
            continue
        yield PublishDate(m, d, y), match.start()


def _full_dates(text: str) -> Iterator[tuple[PublishDate, int]]:
    """Every valid full date of `text`, with where it starts."""
    for match in _FULL_DATE.finditer(text):
        y, m, d = int(match.group("y")), int(match.group("m")), int(match.group("d"))
        try:
            date(y, m, d)
        except ValueError:
            continue
        hour = int(match.group("H")) if match.group("H") else None
        minute = int(match.group("M")) if match.group("M") else None
        if hour is not None and not (0 <= hour < 24 and minute is not None and minute < 60):
            hour = minute = None
        yield PublishDate(m, d, y, hour, minute), match.start()


def year_for(month: int, day: int, reference: date) -> int:
    """The year that puts month-day nearest to `reference` (a report rarely predates by months)."""
    best = reference.year
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            gap = abs((date(year, month, day) - reference).days)
        except ValueError:
            continue
        try:
            best_gap = abs((date(best, month, day) - reference).days)
        except ValueError:
            best_gap = 10**6
        if gap < best_gap:
            best = year
    return best


def find_speaker_line(header: str) -> tuple[str, str, str | None] | None:
    """(name, title, organisation) of a speaker line above a speech or report, if any."""
    match = _SPEAKER_LINE.search(header)
    if match is None:
        return None
    return match.group("name"), match.group("title"), orgs.trim_org(match.group("org"))


def is_date_line(line: str) -> bool:
    """Whether a line holds a full date and nothing else (a document's dateline)."""
    return bool(_DATE_LINE.match(line))


def find_reporter(lead: str) -> str | None:
    """Reporter names from the byline near the start of the body, joined with 、."""
    for pattern in _REPORTER:
        match = pattern.search(lead[:200])
        if match:
            return _join_names(match.group("names"))
    return None


def find_editor(text: str) -> str | None:
    """Editor names from a 责编/责任编辑 line, joined with 、."""
    match = _EDITOR.search(text)
    return _join_names(match.group("names")) if match else None


def find_source_line(text: str) -> str | None:
    """The outlet a 来源: line names, if any."""
    match = _SOURCE_LINE.search(text)
    return match.group("source") if match else None


def clean_title(title: str) -> str:
    """Strip reading prompts and "-新华网"-style site suffixes from a page title."""
    return split_title(title)[0]


# A heading that runs on into the article's byline: its source, author or date
_BYLINE = re.compile(
    r"\s+(?:(?:来源|作者|发布时间|发布日期|发表时间|时间|日期|浏览次数)\s*[:：]"
    r"|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}).*$"
)


def without_byline(title: str) -> str:
    """A headline without the byline a page's heading ran on into ("标题 来源：新华社 作者：
    2023-12-01 14:43" -> "标题"); a title that is only a byline stays as it is."""
    cut = _BYLINE.sub("", title).strip()
    return cut or title


def agreed_headline(page_title: str, headings: Iterable[str]) -> str | None:
    """The headline a page's <title> and one of its headings agree on, if they do: the longest
    start of the title that stands in the heading. Whatever either adds around it, the site's
    name after the title, a share button's or a reading widget's words in the heading ("分享到",
    "播报文章", "正在浏览："), is not the headline. It counts when it is most of both: of the
    heading (not a site's name or a section in both) and of the title's headline."""
    title = " ".join(_READING_PROMPT.sub("", page_title or "").split())
    headline = split_title(title)[0]
    if len(headline) < _MIN_HEADLINE:
        return None
    best = ""
    for heading in headings:
        heading = " ".join(heading.split())
        low, high = 0, min(len(title), len(heading))
        while low < high:  # the longest start of the title in the heading (a start's start is)
            middle = (low + high + 1) // 2
            low, high = (middle, high) if title[:middle] in heading else (low, middle - 1)
        shared = title[:low].rstrip(_TITLE_SEPARATORS)
        if shared.startswith(headline):
            shared = headline  # not the site's name a heading repeats after it
        if (
            len(shared) > len(best)
            and len(shared) >= _AGREED_SHARE * len(heading)
            and len(shared) >= _AGREED_SHARE * len(headline)
        ):
            best = shared
    if len(best) < _MIN_HEADLINE:
        return None
    return _with_subtitle(best, [" ".join(h.split()) for h in headings])


def _with_subtitle(headline: str, headings: list[str]) -> str:
    """A headline with the subtitle a heading of the page puts after it, when that subtitle is
    a heading of its own ("…正式启动" and "成功举办…推介会" in one title block): not a widget's
    words after it."""
    for heading in headings:
        rest = heading[len(headline) :].strip() if heading.startswith(headline) else ""
        if rest and rest != headline and rest in headings:
            return heading
    return headline


def split_title(title: str) -> tuple[str, str | None]:
    """A page title's headline and the site it names, outermost suffix first:
    "标题 东区办事处_中山网" -> ("标题", "中山网"); reading prompts (正在阅读：) go."""
    title = _READING_PROMPT.sub("", title.strip())
    known = _TITLE_SUFFIX.search(title)
    if known:
        title = title[: known.start()].strip()
    title, site = split_site_suffix(title)
    if known or site:
        title = _without_channels(title)
    else:
        title, site = _underscored_site(title)
    title, institution = split_institution_suffix(title)
    named = (known.group("site") if known else None) or site or institution
    return title, site_name(named)


def _underscored_site(title: str) -> tuple[str, str | None]:
    """A headline and the name after its last underscore ("标题_振兴东北") or after a spaced
    dash or bar ("标题 - 要闻云南"): a headline has no underscore of its own, and a dash set
    off by spaces before a few words is a site's title template naming the site or section."""
    match = _UNDERSCORED.match(title) or _SPACED_SUFFIX.match(title)
    if not match or len(match.group("head")) < _MIN_HEADLINE:
        return title, None
    return match.group("head"), match.group("site")


def _without_channels(title: str) -> str:
    """A headline without the channels a site's name came after ("标题__商贸_产业资讯" of
    "…_新浪网", "标题_新浪房产"): short segments after "_" or "|", the site's path."""
    while True:
        match = _CHANNEL.match(title)
        if not match or len(match.group("head")) < _MIN_HEADLINE:
            return title
        title = match.group("head")


def split_institution_suffix(title: str) -> tuple[str, str | None]:
    """A headline and the institution appended after a space ("… 湖南省中医药研究院附属医院")."""
    match = _INSTITUTION_SUFFIX.match(title)
    if not match or len(match.group("head")) < _MIN_HEADLINE:
        return title, None
    return match.group("head").strip(), match.group("site")


def split_site_suffix(title: str) -> tuple[str, str | None]:
    """A page title and the site name appended to it: "标题-EDN 电子技术设计" -> ("标题", "EDN …").

    The suffix counts as a site name when it is short, carries no sentence punctuation, reads
    like a site (网, 站, 报, 社, 台, 官方, 新闻, 平台, 号… or a Latin brand; "-纪检" is a
    section, not a site) and follows a headline of at least eight characters.
    """
    match = _SITE_SUFFIX.match(title)
    if (
        not match
        or len(match.group("head")) < _MIN_HEADLINE
        or not _SITE_WORD.search(match.group("site"))
    ):
        return title, None
    return match.group("head").strip(), match.group("site").strip()


def site_name(sitename: str | None) -> str | None:
    """A site's name from a page's site-name metadata ("网易版权所有" -> "网易"), if it is one."""
    if not sitename or "." in sitename:
        return None  # a bare host name says less than the URL rules do
    name = re.sub(r"(?:版权所有|官方网站|官网)$", "", sitename.strip())
    return _SITE_ALIASES.get(name, name) or None


def _join_names(names: str) -> str:
    parts = [part for part in re.split(r"[、，, ]+", names) if part and part != "记者"]
    return "、".join(parts)
