"""Chinese news metadata rules."""

from datetime import date

import pytest

from monitor.extract import meta


@pytest.mark.parametrize(
    ("lead", "outlet", "place", "month", "day"),
    [
        ("人民网北京1月20日电 （赵竹青）20日上午", "人民网", "北京", 1, 20),
        ("新华社北京1月20日电（记者 张三）国务院", "新华社", "北京", 1, 20),
        ("光明网讯(记者 杨亚楠)1月20日,国新办", "光明网", None, 1, 20),
    ],
)
def test_datelines(lead, outlet, place, month, day):
    assert meta.find_dateline(lead) == meta.Dateline(outlet, place, month, day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来源:光明网2021-01-20 13:38", "2021-01-20T13:38"),
        ("2021年01月20日 09:05 来源：人民网", "2021-01-20T09:05"),
        ("发布时间：2021/1/20", "2021-01-20"),
        ("2021-02-30 无效日期 2021-03-01", "2021-03-01"),
    ],
)
def test_full_dates(text, expected):
    assert meta.find_full_date(text).text == expected


@pytest.mark.parametrize(
    ("month", "day", "reference", "year"),
    [
        (1, 20, date(2021, 1, 21), 2021),
        (12, 30, date(2021, 1, 2), 2020),
        (1, 2, date(2020, 12, 30), 2021),
    ],
)
def test_year_is_the_one_nearest_the_reference(month, day, reference, year):
    assert meta.year_for(month, day, reference) == year


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("光明网讯(记者 杨亚楠)1月20日", "杨亚楠"),
        ("人民网北京1月20日电 （赵竹青）20日", "赵竹青"),
        ("新华社北京1月20日电（记者 张三、李四）", "张三、李四"),
    ],
)
def test_reporters(text, names):
    assert meta.find_reporter(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[ 责编:陶媛 ]", "陶媛"),
        ("(责编：赵竹青、章斐然)", "赵竹青、章斐然"),
        ("责任编辑：王五", "王五"),
    ],
)
def test_editors(text, names):
    assert meta.find_editor(text) == names


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        ("正在阅读:科技部:多措并举", "科技部:多措并举"),
        ("国务院常务会议部署工作-新华网", "国务院常务会议部署工作"),
    ],
)
def test_titles_lose_prompts_and_site_suffixes(title, clean):
    assert meta.clean_title(title) == clean


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://news.sina.com.cn/c/2019-11-25/doc-1.shtml", "新浪网"),
        ("https://mp.weixin.qq.com/s/abc", "微信公众号"),  # not 腾讯网's qq.com
        ("https://new.qq.com/omn/1.html", "腾讯网"),
        ("https://fund.eastmoney.com/a.html", "天天基金网"),
        ("http://www.shanxi.gov.cn/yw/1.shtml", "山西省人民政府"),  # not 中国政府网's gov.cn
        ("https://example.org/", None),
    ],
)
def test_the_most_specific_domain_names_the_outlet(url, outlet):
    from monitor.extract.outlets import outlet_for_url

    assert outlet_for_url(url) == outlet


@pytest.mark.parametrize(
    ("title", "head", "site"),
    [
        (
            "阿里发布最强AI芯片：性能“吊打”同行-EDN 电子技术设计",
            "阿里发布最强AI芯片：性能“吊打”同行",
            "EDN 电子技术设计",
        ),
        (
            "天宫一号与神舟九号载人交会对接任务新闻发布会_中国载人航天官方网站",
            "天宫一号与神舟九号载人交会对接任务新闻发布会",
            "中国载人航天官方网站",
        ),
        ("中华人民共和国监察法-纪检", "中华人民共和国监察法-纪检", None),  # a section
        (
            "棱镜|数据业大整顿：爬虫与现金贷共生共荣",
            "棱镜|数据业大整顿：爬虫与现金贷共生共荣",
            None,
        ),
    ],
)
def test_site_suffix_of_a_title(title, head, site):
    assert meta.split_site_suffix(title) == (head, site)


@pytest.mark.parametrize(
    ("sitename", "site"),
    [
        ("网易版权所有", "网易"),
        ("微信公众平台", "微信公众号"),
        ("news.sina.com.cn", None),
        (None, None),
    ],
)
def test_site_name_metadata(sitename, site):
    assert meta.site_name(sitename) == site


@pytest.mark.parametrize(
    ("title", "head", "site"),
    [
        (
            "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作 东区办事处_中山网",
            "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作",
            "中山网",
        ),
        (
            "【不忘初心 牢记使命】我院举办2019年专业技能大赛 湖南省中医药研究院附属医院",
            "【不忘初心 牢记使命】我院举办2019年专业技能大赛",
            "湖南省中医药研究院附属医院",
        ),
        ("新闻动态--中国地理学会官网", "新闻动态", "中国地理学会"),
        ("正在阅读：科技部发布会", "科技部发布会", None),
    ],
)
def test_a_title_splits_into_headline_and_site(title, head, site):
    assert meta.split_title(title) == (head, site)


@pytest.mark.parametrize(
    ("line", "closes"),
    [
        ("网友评论仅供其表达个人看法，并不表明网易立场。", True),
        ("- 相关文章", True),
        ("特别声明", True),
        ("关闭不达标煤矿300家，淘汰落后产能。", False),  # prose that starts like a button
        ("网友评论称，这项政策来得及时。", False),
    ],
)
def test_closing_markers_are_whole_lines_or_notices(line, closes):
    from monitor.extract.text import ends_article

    assert ends_article(line) is closes
