"""Bytes to text, and bad input turned into reasons."""

import pytest

from monitor.extract import Rejection, extract_article
from monitor.extract.article import CaptureInput
from monitor.extract.decode import decode_bytes

TEXT = "国务院新闻办公室举行新闻发布会，介绍有关情况。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb2312", "gb18030"])
def test_decodes_chinese_encodings(encoding):
    assert decode_bytes(TEXT.encode(encoding)) == TEXT


def test_a_clean_decode_lost_nothing_and_a_lossy_one_says_what():
    assert decode_bytes(TEXT.encode("gbk")).lost is None
    page = (TEXT * 400).encode("utf-8")
    lossy = decode_bytes(page[:3000] + b"\xff" + page[3000:] + b"\x07")
    assert lossy.lost == (
        "1 undecodable byte replaced with U+FFFD (utf-8-sig), the first at byte 3,000;"
        " 1 NUL or control character dropped"
    )


def test_bytes_win_over_a_wrong_declaration():
    page = f'<html><head><meta charset="gb2312"></head><body>{TEXT}</body></html>'
    assert TEXT in decode_bytes(page.encode("utf-8"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty capture"),
        (b"  \n\t ", "empty capture"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        (bytes(range(128, 256)) * 4, "undecodable"),
    ],
)
def test_bad_bytes_give_a_reason(data, reason):
    result = decode_bytes(data)
    assert isinstance(result, Rejection)
    assert reason in result.reason


def test_a_dump_without_prose_is_rejected_with_a_reason():
    result = extract_article(CaptureInput("首页\n新闻\n登录\n".encode(), "text/plain", "x.txt"))
    assert isinstance(result, Rejection)
    assert "no article body" in result.reason


def test_layout_table_rows_become_cells_and_breadcrumbs_are_chrome():
    from monitor.extract.html import _cells
    from monitor.extract.text import is_boilerplate

    row = (
        "| 现在位置： 首页 >> 东区新闻 >> 正文 | "
        + "大良街道党工委委员到众创金融街调研。" * 3
        + " |"
    )
    breadcrumb, text = _cells(row)
    assert breadcrumb.startswith("现在位置") and text.startswith("大良街道")
    assert is_boilerplate(breadcrumb) and not is_boilerplate(text)
    assert _cells("|  |  |") == []


def test_a_page_shell_without_article_text_is_rejected():
    shell = "<html><body><div>首页 | 简 | 繁 | EN | 登录</div><script>load()</script></body></html>"
    result = extract_article(CaptureInput(shell.encode(), "text/html", "https://www.gov.cn/x"))
    assert isinstance(result, Rejection)
