"""HTML extraction rules on small pages: what story_paragraphs keeps and drops, edge pages."""

from __future__ import annotations

import trafilatura
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from monitor.extract.article import CaptureInput, Rejection, extract_article
from monitor.extract.dom import find_container, parse_page
from monitor.extract.html import _options, _page_metadata, story_paragraphs

_STORY = (
    "科技部将加快推进国家实验室建设，完善新型举国体制，今年安排重点项目近600个，"
    "带动地方和社会投入170多亿元。"
)


def _page(body: str, title: str = "科技部：加快推进国家实验室建设") -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/t">科技</a></div>'
        f'<div class="article">{body}</div>'
        '<div class="related"><h3>相关阅读</h3><ul><li><a href="/1">另一条新闻的标题在这里</a></li>'
        "</ul></div></body></html>"
    ).encode()


def _extract(page: bytes):
    return extract_article(CaptureInput(page, "text/html", "pages/test.html"))


def test_prose_that_starts_like_a_button_or_a_date_stays():
    body = (
        f"<p>{_STORY}</p>"
        "<p>关闭不达标的落后产能项目30个，腾出能耗指标支持新兴产业。</p>"
        "<p>2021年1月20日国务院新闻办公室举行发布会介绍有关情况</p>"
        "<p>网友评论称，这些举措回应了企业关切。</p>"
    )
    draft = _extract(_page(body))
    assert "关闭不达标的落后产能项目30个" in draft.body
    assert "2021年1月20日国务院新闻办公室举行发布会" in draft.body
    assert "网友评论称" in draft.body
    assert "另一条新闻的标题" not in draft.body


def test_date_lines_editor_lines_and_closing_notices_go():
    paragraphs = [
        "2019-08-13 14:07来源：澎湃新闻·澎湃号·政务",
        _STORY,
        "编辑 刘晓阳 校对 李铭",
        "网友评论仅供其表达个人看法，并不表明网易立场。",
        "这一段在评论区里。",
    ]
    tree = parse_page(_page("".join(f"<p>{p}</p>" for p in paragraphs)).decode())
    assert story_paragraphs(paragraphs, find_container(tree)) == [_STORY]


def test_a_page_whose_only_paragraph_is_its_headline_has_no_article():
    headline = "科技部关于加快推进国家实验室建设和完善新型举国体制有关工作安排的通知全文发布"
    draft = _extract(_page(f"<p>{headline * 2}</p>", title=headline * 2))
    assert isinstance(draft, Rejection)


_META_PAGE = (
    '<html lang="zh"><head><title>科技部：加快推进国家实验室建设_新闻中心_光明网</title>'
    '<meta property="og:site_name" content="光明网">'
    '<link rel="canonical" href="https://news.gmw.cn/2021-01/20/content_1.htm">'
    '<script type="application/ld+json">{"@type": "NewsArticle",'
    ' "headline": "科技部：加快推进国家实验室建设", "datePublished": "2021-01-20T15:30:00+08:00"}'
    "</script></head><body><h1>科技部：加快推进国家实验室建设</h1>"
    f'<div class="article"><p>{_STORY}</p></div></body></html>'
)


def test_page_metadata_is_trafilaturas_own_for_the_fields_used():
    for page in (_META_PAGE, _page(f"<p>{_STORY}</p>").decode()):
        url = "https://news.gmw.cn/x.htm"
        options = Extractor(output_format="python", fast=True, url=url)
        full = trafilatura.bare_extraction(page, url=url, with_metadata=True, fast=True)
        ours = _page_metadata(load_html(page), url, options)
        assert (ours.title, ours.url, ours.date, ours.sitename) == (
            full.title,
            full.url,
            full.date,
            full.sitename,
        )


def test_a_pages_options_are_trafilaturas_own_for_its_address_and_leave_no_trace():
    def made(url: str | None) -> Extractor:
        return Extractor(
            output_format="python", fast=True, comments=False, tables=True, dedup=False, url=url
        )

    def differ(ours: Extractor, theirs: Extractor) -> list[str]:
        return [s for s in Extractor.__slots__ if getattr(ours, s) != getattr(theirs, s)]

    extract_article(CaptureInput(_page(f"<p>{_STORY}</p>"), "text/html", "https://a.example/1"))
    for url in ("https://news.gmw.cn/2021-01/20/x.htm", None, "https://a.example/1"):
        assert differ(_options(url), made(url)) == []


def test_the_headline_is_what_the_title_and_a_heading_agree_on():
    from monitor.extract import meta

    headline = "国家发展改革委部署加快推进重大项目建设"
    # a heading with a widget's words after the headline, a title with the site after it
    assert meta.agreed_headline(f"{headline}_新闻中心", [f"{headline}分享到：微信"]) == headline
    assert meta.agreed_headline(f"正在浏览：{headline}", [headline]) == headline
    # a heading that is the site's name, shared by the title's end, is no headline
    assert (
        meta.agreed_headline(
            f"{headline}_中华人民共和国国家发展和改革委员会", ["中华人民共和国国家发展和改革委员会"]
        )
        is None
    )
    # the title cut short: a subtitle heading of its own completes it
    subtitle = "今年安排中央预算内投资6100亿元"
    full = f"{headline} {subtitle}"
    assert meta.agreed_headline(headline, [full, headline, subtitle]) == full
    assert meta.split_title(f"{headline} - 要闻 - 某某日报网") == (headline, "某某日报网")


def test_the_date_shown_with_the_story_is_labelled_or_under_the_headline():
    from monitor.extract import meta

    headline = "国家发展改革委部署加快推进重大项目建设"
    clock = "2023年10月11日 星期三\n首页\n新闻中心\n"
    assert meta.find_shown_date(f"{clock}{headline}\n发布日期：2021-01-20\n", headline).day == 20
    assert meta.find_shown_date(f"{clock}{headline}\n2021-01-19 10:00\n", headline).day == 19
    boxed = meta.find_shown_date(f"{clock}{headline}\n21\n2024年02月\n分享", headline)
    assert (boxed.year, boxed.month, boxed.day) == (2024, 2, 21)


def test_a_box_of_links_inside_a_story_does_not_end_it_and_reprint_notices_go():
    story = [_STORY, "延伸阅读：另一条新闻的标题在这里", _STORY.replace("科技部", "工信部")] + [
        _STORY.replace("科技部", name) for name in ("财政部", "商务部", "教育部")
    ]
    body = "".join(f"<p>{p}</p>" for p in story) + "<p>本文为原创稿件，未经书面授权请勿转载。</p>"
    draft = _extract(_page(body))
    assert "工信部将加快推进" in draft.body and "商务部将加快推进" in draft.body
    assert "请勿转载" not in draft.body


def test_a_caption_is_kept_and_a_credit_alone_goes():
    caption = "图为国家实验室建设现场。新华社记者 李明 摄"
    body = f"<p>{_STORY}</p><p>{caption}</p><p>新华社记者 李明 摄</p><p>{_STORY}</p>"
    draft = _extract(_page(body))
    assert caption in draft.body and draft.body.count("李明 摄") == 1
