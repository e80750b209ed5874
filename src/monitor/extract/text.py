"""Plain-text page dumps: find the article's block among navigation, teasers, polls and footers.

A dump is the visible text of a page, one block element a line. The article is the longest run
of prose lines; page chrome is short lines (navigation, buttons) or prose cut apart by
timestamps (teaser lists). Known boilerplate headings end the article wherever they stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = re.compile(r"[\u4e00-\u9fff]")
# A prose line: at least this many CJK characters and sentence punctuation.
_MIN_PROSE_CJK = 8
_SENTENCE_END = re.compile(r"[。！？!?；;：:”」』)）]\s*$")
_SENTENCE_MARK = re.compile(r"[。！？!?]")
_MIN_PROSE_WITH_MARK = 20
# A heading inside an article ("一、总体要求") may stand between two prose lines.
_MAX_HEADING_CHARS = 30
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# What ends a line that ends its sentence, what may open a line that continues one, and what
# leaves a sentence open at a line's end (an opening quote or bracket).
_CLOSING = "。！？!?；;：:…”」』）)】》>"
_CONTINUATION_START = "，,、。；;：:”’」』）)】》%％"
_OPENING = "“‘「『（(【《—"
# A sentence's piece on a line of its own: a linked word or a figure (习近平, 十三五, 2.5); a
# line of that length that closes no sentence and follows prose.
_MAX_FRAGMENT_CHARS = 12
_LIST_START = re.compile(
    r"[(（]?[一二三四五六七八九十\d]{1,3}[)）、.．]|第[一二三四五六七八九十]+|•"
)
_TIMESTAMP = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}:\d{2}")
# Lines that end the article, and lines that are never part of it: editor lines, list and
# comment headings standing alone (a paragraph that merely starts with "关闭" or "网友评论"
# is prose), share prompts, notices.
_STOP = re.compile(
    r"^[\[【(（]?\s*(?:责编|责任编辑)\s*[:：]"
    r"|^(?:相关阅读|推荐阅读|相关新闻|延伸阅读|热点推荐|猜你喜欢|精彩(?:视频|图片)?推荐|更多精彩|相关稿件"
    r"|热门(?:视频|图片)?推荐"
    r"|阅读剩余全文|加载更多|分享到|分享让更多人看到|您此时的心情|版权所有|Copyright|©)"
    r"|^(?:[-•·]\s*)?(?:推荐新闻|热点新闻|相关文章|最新报道|热门文章|相关热门文章|相关资讯|热门评论"
    r"|网友评论|最新评论|发表评论|我要评论|查看更多|点击查看|【纠错】|纠错|打印|关闭|特别声明)"
    r"\s*[:：]?\s*(?:[(（]\d*[)）])?$"
    r"|^本文为.{0,12}原创(?:文章|内容)|网友评论仅供其表达个人看法|^(?:相关|更多)(?:资讯|内容)请关注"
    # a short label over a list of recommendations or rankings: 本周雅虎推荐:, 24小时排行榜
    r"|^[^。，！？]{0,10}(?:推荐|排行榜?)\s*[:：]?\s*$"
    r"|^\s*[【\[]?\s*免责声明\s*[】\]]?\s*[:：]?",
    re.I,
)
_CHROME = re.compile(
    r"请稍候|请刷新|点击右上角|分享功能|扫一扫|二维码|返回顶部|打印本页|关闭窗口|字号[:：]|^\s*[|｜>›»]"
    r"|^(?:首页|上一页|下一页|登录|注册|退出|字号)$"
    # a pager: 第1页/共3页 << 上一页 | 下一页 >>
    r"|^第\s*\d+\s*页\s*[/／]\s*共\s*\d+\s*页"
    # a photographer's credit on its own (新华社记者 李梦馨 摄); a caption, a sentence with the
    # credit after it, is the story's (captions are kept as body, on every page)
    r"|^[^。！？]{0,30}摄\s*$"
    r"|^(?:编辑|责编|校对|审核|监制|实习编辑)(?:\s*[:：|｜]\s*|\s+)[\u4e00-\u9fa5]{2,4}"
    r"(?:\s+(?:编辑|校对|审核|监制)(?:\s*[:：|｜]\s*|\s+)[\u4e00-\u9fa5]{2,4})*\s*$"
    r"|^(?:现在位置|当前位置|您的位置|您现在的位置|所在位置)\s*[:：]"
    # a short line sending the reader to an app or an account: 去 App 商店搜…, 下载…客户端,
    # 关注…公众号, 长按识别二维码
    r"|^.{0,30}(?:App\s*商店|应用商店|下载.{0,8}(?:App|APP|客户端)|搜索?.{0,12}(?:App|APP|客户端)"
    r"|关注.{0,12}(?:公众号|微信号|官方微博)|长按.{0,6}二维码).{0,30}$"
    # a reprint notice: 未经书面授权请勿转载, 转载时务请注明出处, 禁止转载
    r"|^.{0,40}(?:未经.{0,8}授权.{0,10}(?:不得|请勿|禁止|严禁)|(?:请勿|禁止|不得|严禁)(?:擅自)?转载"
    r"|转载.{0,8}(?:请|须|需)(?:注明|标明)).{0,40}$"
    # a credit line in brackets on its own: 【编辑:刘欢】, (责任编辑：王五), [来源：新华社]
    r"|^[【\[(（]\s*(?:编辑|责编|责任编辑|作者|来源|记者|校对|审核|监制|实习编辑|实习生|通讯员"
    r"|编审|审校)\s*[:：][^】\]）)]{0,40}[】\])）]\s*$"
)


@dataclass(frozen=True)
class Body:
    """The article's paragraphs and the line span they came from."""

    paragraphs: tuple[str, ...]
    start_line: int
    end_line: int

    @property
    def text(self) -> str:
        """Paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)


def split_lines(text: str) -> list[str]:
    """Lines with page indentation stripped (any Unicode space, and zero-width characters), and
    sentences broken over lines joined again.

    Dumps of wiki and portal pages break a sentence where a linked word, a subscript or an inline
    element sat (`…正式明确` / `习近平` / `总书记的核心地位…`, `细颗粒物（PM` / `2.5` / `）浓度…`),
    and leave a line of zero-width spaces where an element had no text. A line that only holds
    such characters is no paragraph break; a short open fragment after a line of prose, and the
    lines that follow while the sentence stays open, are that prose line's continuation.
    """
    lines: list[str] = []
    joining = False  # the last line ends a sentence broken over lines, still open
    glue = False  # a line of zero-width characters stood since the last line
    blank = True  # a blank line stood since the last line
    for raw in text.split("\n"):
        line = raw.strip().strip(_ZERO_WIDTH).strip()
        if not line:
            if raw.strip() and lines and _is_open(lines[-1]):
                glue = True  # only zero-width characters: inline, not a paragraph break
            else:
                blank, joining, glue = True, False, False
                lines.append("")
            continue
        previous = lines[-1] if lines and not blank else ""
        if previous and (glue or _continues(previous, line, joining)):
            lines[-1] = previous + line
            joining = _is_open(lines[-1])
        else:
            lines.append(line)
            joining = False
        blank, glue = False, False
    return lines


def _is_open(line: str) -> bool:
    """Whether a line stops inside a sentence: no closing punctuation at its end."""
    return bool(line) and line[-1] not in _CLOSING


def _continues(previous: str, line: str, joining: bool) -> bool:
    """Whether `line` continues the sentence `previous` left open, the two lines adjacent."""
    if line[0] in _CONTINUATION_START:
        return True
    if not _is_open(previous):
        return _is_fragment(line) and bool(_SENTENCE_MARK.search(previous))
    if joining or previous[-1] in _OPENING:
        return True
    if previous[-1].isascii() and previous[-1].isalpha() and line[0].isascii():
        return True  # a word and its subscript (PM / 2.5)
    return _is_fragment(line) and bool(_SENTENCE_MARK.search(previous))


def _is_fragment(line: str) -> bool:
    """A piece of a sentence standing alone: short, open, no date, time or list marker."""
    return (
        len(line) <= _MAX_FRAGMENT_CHARS
        and _is_open(line)
        and not _TIMESTAMP.search(line)
        and not _LIST_START.match(line)
        and not is_boilerplate(line)
    )


def find_body(lines: list[str]) -> Body | None:
    """The longest block of article prose, or None when the dump holds no article."""
    best: tuple[int, int, int] | None = None  # (cjk chars, start, end)
    start: int | None = None
    chars = 0
    last_prose = -1
    for index, line in enumerate([*lines, "\x00stop"]):
        kind = _classify(line)
        if kind == "prose":
            if start is None:
                start, chars = index, 0
            chars += len(_CJK.findall(line))
            last_prose = index
            continue
        if kind in ("blank", "heading") and start is not None and _prose_follows(lines, index):
            continue
        if start is not None and (best is None or chars > best[0]):
            best = (chars, start, last_prose)
        start = None
    if best is None:
        return None
    _, first, last = best
    paragraphs = tuple(
        line for line in lines[first : last + 1] if line and _classify(line) in ("prose", "heading")
    )
    return Body(paragraphs, first, last)


def squeeze(text: str) -> str:
    """Text without any whitespace, for comparing what two extractors saw (str.split's
    whitespace is the regular expressions' \\s; splitting took a quarter of the time of
    substituting, and extraction squeezes every paragraph and link of a page)."""
    return "".join(text.split())


def char_pairs(text: str) -> set[str]:
    """The text's adjacent character pairs, white space dropped."""
    text = squeeze(text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def shared_pairs(candidate: str, story: str) -> int:
    """How many of a candidate title's character pairs stand in `story` (squeezed): a pair is
    one of the story's pairs when it stands in it, so the story's own pairs are not made (a
    1,500-character opening's took a twentieth of the time of extracting a page)."""
    return sum(pair in story for pair in char_pairs(candidate))


def pair_share(candidate: str, story: str) -> float:
    """The share of a candidate title's character pairs found in `story` (squeezed)."""
    own = len(char_pairs(candidate))
    return shared_pairs(candidate, story) / own if own else 0.0


def is_boilerplate(line: str) -> bool:
    """Whether a line is page chrome (share prompts, captions, editor lines, list headings)."""
    return bool(_STOP.search(line) or _CHROME.search(line))


def ends_article(line: str) -> bool:
    """Whether a line closes the article: a related-news heading, a comment-policy notice."""
    return bool(_STOP.search(line))


def _prose_follows(lines: list[str], index: int) -> bool:
    """Whether the next non-blank line after a gap is prose, within two lines of headings."""
    headings = 0
    for line in lines[index + 1 :]:
        kind = _classify(line)
        if kind == "blank":
            continue
        if kind == "prose":
            return True
        headings += 1
        if kind != "heading" or headings > 1:
            return False
    return False


def _classify(line: str) -> str:
    if not line:
        return "blank"
    if is_boilerplate(line):
        return "chrome"
    cjk = len(_CJK.findall(line))
    if cjk >= _MIN_PROSE_CJK and (
        _SENTENCE_END.search(line)
        or (len(line) >= _MIN_PROSE_WITH_MARK and _SENTENCE_MARK.search(line))
    ):
        return "prose"
    if cjk >= 4 and len(line) <= _MAX_HEADING_CHARS and not _TIMESTAMP.search(line):
        return "heading"
    return "chrome"
