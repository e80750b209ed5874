"""HTML pages: trafilatura finds the body; our Chinese rules read the metadata around it."""

from __future__ import annotations

import copy
import functools
import re
from contextlib import suppress
from datetime import date

import trafilatura
from lxml.etree import ParserError
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
    find_date,
)
from trafilatura.settings import Document, Extractor
from trafilatura.utils import load_html

from monitor.extract import meta
from monitor.extract.article import (
    MIN_TITLE_OVERLAP,
    ArticleDraft,
    ArticleParts,
    CaptureInput,
    Rejection,
    assemble,
    derive_title,
)
from monitor.extract.dom import Container, find_container, parse_page, visible_text
from monitor.extract.outlets import outlet_for_url
from monitor.extract.text import (
    ends_article,
    is_boilerplate,
    pair_share,
    shared_pairs,
    squeeze,
)

# A body shorter than this many characters is a teaser or an error page, not an article.
_MIN_BODY_CHARS = 50
# trafilatura found the story when its paragraphs inside the article container hold at least
# this share of the container's text; otherwise it took the wrong block.
_MIN_CONTAINER_SHARE = 0.6
# ... unless one of its paragraphs is this many times the container's longest: it ran the
# story's paragraphs together with the headline and the timestamp.
_MERGED = 1.5
_MAX_STRAY_CHARS = 6
# A paragraph longer than this is the story's text, not its headline or a label
_MAX_HEADLINE_CHARS = 40
# Paragraphs of prose after a closing marker that show the story goes on past it
_STORY_GOES_ON = 3
# A page title sharing less than this share of its character pairs with the story's opening
# names the site or section, not the story; a heading replacing it shares at least
# MIN_TITLE_OVERLAP.
_GENERIC_TITLE_OVERLAP = 0.34
_MIN_TITLE_CHARS = 6
_MAX_TAIL = 30  # a heading may run this much longer than the title it completes
_MAX_HEADLINE = 80
_TITLE_CONTEXT = 1500
_SEPARATORS = "-_|｜— "
# What a title may name after its headline: a section or a site, a few words without sentence
# punctuation (a subtitle after a bar, "奋马扬鞭争春色，“虎”力全开向未来", is the headline's)
_NAMES_A_PLACE = re.compile(r"[^，。！？、“”\"'：:,!?]{1,16}")
_LIST_MARK = re.compile(r"^[-•·]\s+")
# A date line of the page's own (2019-08-13 14:07 来源：澎湃新闻), not a sentence of the story.
_META_LINE = re.compile(
    r"^\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*"
    r"(?:更新|发布|发表)?\s*(?:(?:来源|作者|编辑|发布|浏览|阅读)[^。，！？]{0,40})?$"
)
_NO_WORDS = re.compile(r"^[\W_]*$")
_BACK_LINK = re.compile(r"返回[\u4e00-\u9fa5]{1,8}(?:[，,]\s*查看更多|>>|＞＞|»)\s*$")
_SENTENCE = re.compile(r"[。！？，：]")


def extract_html(html: str, capture: CaptureInput) -> ArticleDraft | Rejection:
    """Extract the article of an HTML page."""
    url = capture.origin if re.match(r"https?://", capture.origin) else None
    options = _options(url)
    try:
        # one parse, as bare_extraction with metadata does: the metadata is read from the
        # tree, then the body from a copy of it (bare_extraction copies a tree it is given)
        parsed = load_html(html)
        if parsed is None:
            return Rejection("malformed HTML: no document tree")
        document = _page_metadata(parsed, url, options)
        body = trafilatura.bare_extraction(parsed, options=options)
        text = getattr(body, "text", None)  # a Document (trafilatura types it Document | dict)
        if not text or len(text.strip()) < _MIN_BODY_CHARS:
            return Rejection("no article body: the page holds no article text")
    except (ValueError, TypeError, ParserError) as exc:
        return Rejection(f"malformed HTML: {exc}")
    tree = parse_page(html)  # one parse serves the page's text and its article container
    page_text = visible_text(tree)
    container = find_container(tree)
    paragraphs = story_paragraphs(
        [cell for line in text.split("\n") for cell in _cells(line)], container
    )
    # trafilatura finds no title in some old pages whose <title> stands in a malformed head
    own_title = tree.findtext(".//title") if tree is not None else None
    own_title = " ".join((own_title or "").split())
    raw_title = getattr(document, "title", None) or own_title
    headline, title_site = meta.split_title(raw_title)
    if own_title.startswith(raw_title) and len(own_title) > len(raw_title):
        raw_title = own_title  # trafilatura cut it at a separator: what follows is weighed here
        headline = meta.split_title(raw_title)[0]
    headings = container.headings if container else ()
    # the page's <title> and a heading agree on the headline: what they share; else it is
    # picked from the title and the headings by how they read against the story
    others = (*((raw_title,) if raw_title != own_title else ()), *headings)
    agreed = meta.agreed_headline(own_title, others)
    title = meta.without_byline(agreed or pick_title(headline, headings, paragraphs))
    repeated = {squeeze(title), squeeze(raw_title)}  # the headline standing in the body
    paragraphs = [p for p in paragraphs if squeeze(p) not in repeated]
    if sum(len(p) for p in paragraphs) < _MIN_BODY_CHARS:
        return Rejection("no article body: only page chrome around it")
    # the story's first paragraph of prose, found in the page: a headline or an issuer line
    # before it may stand in the page's navigation too
    anchor = next((p for p in paragraphs if len(p) > _MAX_HEADLINE_CHARS), paragraphs[0])
    body_at = _find_squeezed(page_text, anchor[:20])
    header = page_text[max(0, body_at - 600) : body_at] if body_at >= 0 else ""
    page_date = meta.find_full_date(getattr(document, "date", None) or "") or None
    # the page's own address (og:url, canonical link), its site-name metadata or its title's
    # suffix names its site, whatever outlets the body mentions
    page_outlet = (
        outlet_for_url(getattr(document, "url", None))
        or meta.site_name(getattr(document, "sitename", None))
        or title_site
    )
    return assemble(
        ArticleParts(
            body="\n".join(paragraphs),
            title=title or derive_title(paragraphs[0]),
            title_derived=not title,
            header=header,
            footer=_after(page_text, paragraphs[-1]),
            chrome=page_text,
            extractor="trafilatura",
            page_date=page_date,
            page_outlet=page_outlet,
        ),
        capture,
    )


def _options(url: str | None) -> Extractor:
    """trafilatura's options for a page: its own extractor without its fallbacks (fast: the real
    pages come out the same). Copied from one made once a day (it reads its settings from a
    ConfigParser, 3% of the time of extracting a page; the latest date it accepts is today's),
    as trafilatura copies them itself; only the page's address is its own."""
    options = copy.copy(_day_options(date.today().isoformat()))
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")  # as it does
    return options


@functools.lru_cache(maxsize=1)
def _day_options(day: str) -> Extractor:  # the day is the cache's key
    return Extractor(output_format="python", fast=True, comments=False, tables=True, dedup=False)


def _page_metadata(tree: HtmlElement, url: str | None, options: Extractor) -> Document:
    """trafilatura's title, URL, date and site name of a parsed page, as its extract_metadata
    finds them, without the author, categories, tags and licence, which nothing here uses and
    which took 85% of its time (0.91 s against 0.12 s for 1,000 benchmark pages)."""
    found = examine_meta(tree)
    with suppress(Exception):  # its JSON-LD reader has bugs of its own; trafilatura goes on
        found = extract_meta_json(tree, found)
    found.title = found.title or extract_title(tree)
    found.url = found.url or extract_url(tree, url)
    found.date = find_date(tree, **(options.date_params | {"url": found.url}))
    found.sitename = found.sitename or extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url and (host := META_URL.match(found.url)):
        found.sitename = host[1]
    found.clean_and_trim()
    return found


def story_paragraphs(paragraphs: list[str], container: Container | None) -> list[str]:
    """trafilatura's paragraphs cut down to the story, or the container's when it missed it.

    What lies outside the page's article container (teaser lists, comment threads, "推荐"
    blocks trafilatura appended) goes, then link lists, share prompts, editor lines and
    everything from a closing marker (相关阅读, 网友评论仅供…, 推荐新闻…) on.
    """
    paragraphs = [_LIST_MARK.sub("", p) for p in paragraphs]  # trafilatura's "- " list items
    if container is not None:
        inside = [p for p in paragraphs if container.holds(p)]
        own = sum(len(p) for p in container.paragraphs)
        longest = max((len(p) for p in container.paragraphs), default=0)
        merged = any(len(p) > _MERGED * longest for p in inside)  # paragraphs run together
        if sum(len(p) for p in inside) >= _MIN_CONTAINER_SHARE * own and not merged:
            paragraphs = inside
        else:
            paragraphs = list(container.paragraphs)
    story: list[str] = []
    prose = told = False  # a sentence seen; a paragraph longer than a headline seen
    for index, paragraph in enumerate(paragraphs):
        paragraph = _BACK_LINK.sub("", paragraph).strip()
        if _NO_WORDS.match(paragraph) or _META_LINE.match(paragraph):
            continue
        if told and ends_article(paragraph):
            if not _story_goes_on(paragraphs[index + 1 :], container):
                break  # before the story's text, a comment link or a "推荐" label is furniture
            continue  # a box of links inside the story (延伸阅读), which goes on after it
        if is_boilerplate(paragraph) or (container and container.is_link_text(paragraph)):
            continue
        if not prose and len(paragraph) <= _MAX_STRAY_CHARS and not _SENTENCE.search(paragraph):
            continue  # a widget's label ("消息", "字号") before the story starts
        prose = prose or bool(_SENTENCE.search(paragraph))
        told = told or (prose and len(paragraph) > _MAX_HEADLINE_CHARS)
        story.append(paragraph)
    return story


def _story_goes_on(rest: list[str], container: Container | None) -> bool:
    """Whether the story goes on after a closing marker: paragraphs of its prose follow, not
    links (a box of related links set inside a long story)."""
    prose = [
        p
        for p in rest
        if len(p) > _MAX_HEADLINE_CHARS
        and _SENTENCE.search(p)
        and not is_boilerplate(p)
        and not (container and container.is_link_text(p))
    ]
    return len(prose) >= _STORY_GOES_ON


def pick_title(title: str, headings: tuple[str, ...], paragraphs: list[str]) -> str:
    """The headline: the page title, unless a heading on the page is the same headline whole
    (the title cut short, or with a section appended: "中华人民共和国监察法-纪检"), or the title
    names only the site or section ("山西省人民政府网站", "新闻动态") and a heading tells the
    story: then the heading sharing the most character pairs with the story's opening."""
    if len(title) >= _MIN_TITLE_CHARS:
        lead = tuple(paragraphs[:1]) if paragraphs and len(paragraphs[0]) <= _MAX_HEADLINE else ()
        for heading in headings + lead:
            if heading.startswith(title) and len(title) < len(heading) <= len(title) + _MAX_TAIL:
                return meta.split_title(heading)[0]  # not the site's name it may carry
            rest = title[len(heading) :] if title.startswith(heading) else ""
            if (
                rest
                and rest[0] in _SEPARATORS
                and _NAMES_A_PLACE.fullmatch(rest.strip(_SEPARATORS))
            ):
                return heading  # the title names the section or site after the headline
    opening = squeeze("".join(paragraphs)[:_TITLE_CONTEXT])
    if pair_share(title, opening) >= _GENERIC_TITLE_OVERLAP or not _NAMES_A_PLACE.fullmatch(title):
        return title  # it tells the story, or says something: no site or section name does
    stories = [
        heading
        for heading in headings
        if pair_share(heading, opening) >= MIN_TITLE_OVERLAP
        and not heading.lstrip("（(").startswith("原标题")
    ]
    return max(stories, key=lambda h: shared_pairs(h, opening), default=title)


def _find_squeezed(text: str, part: str) -> int:
    """Where `part` starts in `text`, whitespace aside (a paragraph whose text nodes the page
    text has on lines of their own, or with other spaces); -1 if it is not there."""
    at = text.find(part)
    if at >= 0:
        return at
    wanted = squeeze(part)
    if not wanted:
        return -1
    kept = [(index, char) for index, char in enumerate(text) if not char.isspace()]
    found = "".join(char for _, char in kept).find(wanted)
    return kept[found][0] if found >= 0 else -1


def _after(page_text: str, last_paragraph: str) -> str:
    """The page's text after the story's last paragraph (editor lines, footers)."""
    at = page_text.find(last_paragraph[-20:])
    return page_text[at + len(last_paragraph[-20:]) :] if at >= 0 else ""


def _cells(line: str) -> list[str]:
    """A line of trafilatura's text, with a table row ("| a | b |", layout tables on older
    government sites) split into its non-empty cells."""
    line = line.strip()
    if not line.startswith("|"):
        return [line] if line else []
    cells = (cell.strip().replace("\\|", "|") for cell in line.strip("|").split(" | "))
    return [cell for cell in cells if cell]
