"""A labelled set of measure-bearing passages modelled on Chinese government reporting.

Each case is a passage (paragraphs joined by newlines, as extracted bodies are), the exact texts
of the measures it holds, and every quantity those measures carry as (raw, value, unit,
qualifier). Passages without measures are there to catch false measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Case:
    """One labelled passage."""

    name: str
    paragraphs: tuple[str, ...]
    measures: tuple[str, ...]
    quantities: tuple[tuple[str, float, str, str | None], ...] = field(default=())
    # each passage is a government body's text: where it names no speaker, its issuer acts
    speaker_org: str | None = "国务院"
    year: int = 2021

    @property
    def text(self) -> str:
        """The passage as an extracted body: paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)


def _seed_case(name: str, path: str, prefixes: tuple[str, ...], quantities) -> Case:
    """A seed article: each of its list items is one whole paragraph."""
    from monitor.extract import extract_article
    from monitor.extract.article import CaptureInput

    file = ROOT / "seeds" / path
    draft = extract_article(CaptureInput(file.read_bytes(), "text/plain", str(file)))
    paragraphs = tuple(draft.body.split("\n"))
    measures = tuple(p for p in paragraphs if p.startswith(prefixes))
    assert len(measures) == len(prefixes), name
    return Case(name, paragraphs, measures, quantities, "科技部")


CASES: tuple[Case, ...] = (
    Case(
        "first-to-third with figures",
        (
            "国家发展改革委有关负责人介绍，下一步将重点做好三方面工作。",
            "第一，加快推进重大项目建设，今年安排中央预算内投资6100亿元，支持约2000个项目。",
            "第二，扩大有效投资，力争民间投资增长5%以上。",
            "第三，持续优化营商环境，年底前出台配套政策。",
        ),
        (
            "第一，加快推进重大项目建设，今年安排中央预算内投资6100亿元，支持约2000个项目。",
            "第二，扩大有效投资，力争民间投资增长5%以上。",
            "第三，持续优化营商环境，年底前出台配套政策。",
        ),
        (
            ("6100亿元", 6.1e11, "元", None),
            ("约2000个项目", 2000, "项目", "about"),
            ("5%以上", 5, "%", "at_least"),
        ),
        "国家发展改革委",
    ),
    Case(
        "yi-shi inline list in one sentence",
        (
            "会议强调，要重点抓好三项工作：一是稳就业，新增城镇就业1100万人以上；二是保民生，"
            "提高基本养老金；三是防风险，守住不发生系统性风险的底线。会议还研究了其他事项。",
        ),
        (
            "一是稳就业，新增城镇就业1100万人以上；",
            "二是保民生，提高基本养老金；",
            "三是防风险，守住不发生系统性风险的底线。",
        ),
        (("1100万人以上", 1.1e7, "人", "at_least"),),
    ),
    Case(
        "yi-shi one per paragraph",
        (
            "教育部部长表示，今年将着力推进以下工作。",
            "一是推进义务教育优质均衡发展，新建改扩建2万所学校。",
            "二是加快建设高质量职业教育体系，支持建设200所高水平高职学校。",
            "三是深化新时代教育评价改革。",
        ),
        (
            "一是推进义务教育优质均衡发展，新建改扩建2万所学校。",
            "二是加快建设高质量职业教育体系，支持建设200所高水平高职学校。",
            "三是深化新时代教育评价改革。",
        ),
        (("2万所学校", 2e4, "学校", None), ("200所高水平高职学校", 200, "高水平高职学校", None)),
        "教育部",
    ),
    Case(
        "parenthesised headings with content paragraphs",
        (
            "《方案》提出了以下重点任务。",
            "（一）强化科技创新策源功能",
            "建设一批国家重点实验室，到2025年全社会研发投入强度达到4%左右。",
            "（二）提升产业创新能力",
            "培育100家创新型领军企业。",
            "（三）优化创新生态",
            "完善知识产权保护体系。",
        ),
        (
            "（一）强化科技创新策源功能\n建设一批国家重点实验室，到2025年全社会研发投入强度达到4%左右。",
            "（二）提升产业创新能力\n培育100家创新型领军企业。",
            "（三）优化创新生态\n完善知识产权保护体系。",
        ),
        (("4%左右", 4, "%", "about"), ("100家创新型领军企业", 100, "创新型领军企业", None)),
    ),
    Case(
        "chinese numbered headings",
        (
            "一、总体要求",
            "坚持稳中求进工作总基调，到2025年基本建成现代化经济体系。",
            "二、主要任务",
            "实施乡村振兴战略，建设高标准农田1亿亩。",
        ),
        (
            "一、总体要求\n坚持稳中求进工作总基调，到2025年基本建成现代化经济体系。",
            "二、主要任务\n实施乡村振兴战略，建设高标准农田1亿亩。",
        ),
        (("1亿亩", 1e8, "亩", None),),
    ),
    Case(
        "arabic numbered list",
        (
            "通知明确了三项措施：",
            "1. 对小微企业减按50%征收所得税。",
            "2. 延续实施普惠金融支持政策。",
            "3. 全年新增减税降费超过1万亿元。",
        ),
        (
            "1. 对小微企业减按50%征收所得税。",
            "2. 延续实施普惠金融支持政策。",
            "3. 全年新增减税降费超过1万亿元。",
        ),
        (("50%", 50, "%", None), ("超过1万亿元", 1e12, "元", "over")),
    ),
    Case(
        "first-then-finally",
        (
            "首先，要加强组织领导，成立工作专班。其次，要完善资金保障，安排专项资金3亿元。"
            "最后，要强化督查考核。",
        ),
        (
            "首先，要加强组织领导，成立工作专班。",
            "其次，要完善资金保障，安排专项资金3亿元。",
            "最后，要强化督查考核。",
        ),
        (("3亿元", 3e8, "元", None),),
    ),
    Case(
        "commitment sentence with a deadline",
        (
            "生态环境部新闻发言人表示，生态环境部将加快推进重点区域大气污染治理，"
            "到2025年地级及以上城市细颗粒物浓度下降10%。",
            "发布会上还通报了近期典型案例。",
        ),
        ("到2025年地级及以上城市细颗粒物浓度下降10%",),
        (("10%", 10, "%", None),),
        "生态环境部",
    ),
    Case(
        "closing formula is not a measure",
        (
            "“下一步我们将齐心协力抓落实，力争开好局、起好步。”他说。",
            "本次发布会由国务院新闻办公室主持。",
        ),
        (),
    ),
    Case(
        "pure news without measures",
        (
            "1月20日，国务院新闻办公室举行新闻发布会，介绍有关情况并答记者问。",
            "发布会上，相关负责人回答了记者提问，并通报了去年工作情况。",
        ),
        (),
    ),
    Case(
        "achievements in a list",
        (
            "“十三五”时期，我国科技实力显著增强。",
            "第一，研发投入持续增长，全社会研发经费支出达2.44万亿元。",
            "第二，创新成果不断涌现，建成了一批重大科技基础设施。",
        ),
        (
            "第一，研发投入持续增长，全社会研发经费支出达2.44万亿元。",
            "第二，创新成果不断涌现，建成了一批重大科技基础设施。",
        ),
        (("2.44万亿元", 2.44e12, "元", None),),
    ),
    Case(
        "two separate lists",
        (
            "在稳增长方面，一是扩大消费，二是稳定投资。",
            "在惠民生方面，一是稳定就业，二是完善社保，三是提高医疗保障水平。",
        ),
        (
            "一是扩大消费，",
            "二是稳定投资。",
            "一是稳定就业，",
            "二是完善社保，",
            "三是提高医疗保障水平。",
        ),
    ),
    Case(
        "ordinal word is not a marker",
        (
            "我国建成了全国第一个国家级数据交易所，第一批试点已经启动。",
            "这是第一次在全国范围内开展此类试点。",
        ),
        (),
    ),
    Case(
        "chinese numeral quantities",
        (
            "会议部署了以下工作：一是新建二十个国家级示范区；二是培育三百家专精特新企业；"
            "三是建设两个国家级创新平台。",
        ),
        (
            "一是新建二十个国家级示范区；",
            "二是培育三百家专精特新企业；",
            "三是建设两个国家级创新平台。",
        ),
        (
            ("二十个国家级示范区", 20, "国家级示范区", None),
            ("三百家专精特新企业", 300, "专精特新企业", None),
            ("两个国家级创新平台", 2, "国家级创新平台", None),
        ),
    ),
    Case(
        "qualifiers",
        (
            "第一，累计支持近800个项目，带动社会投资逾500亿元。",
            "第二，新增就业岗位不少于10万个。",
            "第三，培训人员约3.2万人次。",
        ),
        (
            "第一，累计支持近800个项目，带动社会投资逾500亿元。",
            "第二，新增就业岗位不少于10万个。",
            "第三，培训人员约3.2万人次。",
        ),
        (
            ("近800个项目", 800, "项目", "nearly"),
            ("逾500亿元", 5e10, "元", "over"),
            ("不少于10万个", 1e5, "个", "at_least"),
            ("约3.2万人次", 3.2e4, "人次", "about"),
        ),
    ),
    Case(
        "multi-sentence items across paragraphs",
        (
            "李克强指出，要抓好四方面工作。",
            "一是保持宏观政策连续性。积极的财政政策要提质增效。稳健的货币政策要灵活精准。",
            "二是深化改革开放。推进要素市场化配置改革。",
            "三是加强生态环境保护。",
            "四是切实保障和改善民生。",
            "他强调，各地区各部门要狠抓落实。",
        ),
        (
            "一是保持宏观政策连续性。积极的财政政策要提质增效。稳健的货币政策要灵活精准。",
            "二是深化改革开放。推进要素市场化配置改革。",
            "三是加强生态环境保护。",
            "四是切实保障和改善民生。",
        ),
    ),
    Case(
        "year-end deadline sentence",
        (
            "工业和信息化部将在年底前完成5G网络重点场景覆盖。",
            "记者了解到，相关工作正在推进中。",
        ),
        ("工业和信息化部将在年底前完成5G网络重点场景覆盖。",),
        (),
        "工业和信息化部",
    ),
    Case(
        "a list of five with plan period",
        (
            "“十四五”期间，北京市将重点推进以下任务：",
            "一是建设国际科技创新中心；",
            "二是建设全球数字经济标杆城市；",
            "三是打造国际消费中心城市；",
            "四是推进京津冀协同发展；",
            "五是建设绿色低碳城市。",
        ),
        (
            "一是建设国际科技创新中心；",
            "二是建设全球数字经济标杆城市；",
            "三是打造国际消费中心城市；",
            "四是推进京津冀协同发展；",
            "五是建设绿色低碳城市。",
        ),
    ),
    Case(
        "sentence with a figure and explicit actor",
        ("财政部表示，财政部将安排专项资金200亿元支持中小企业数字化转型。",),
        ("财政部将安排专项资金200亿元支持中小企业数字化转型",),
        (("200亿元", 2e10, "元", None),),
        "财政部",
    ),
    Case(
        "requirement word is not a promise",
        ("会议听取了有关工作情况汇报，重要性不言而喻，主要内容包括四个方面的要求。",),
        (),
    ),
    Case(
        "numbered list with full-width digits and periods",
        (
            "实施方案包括：",
            "1．完善基础设施，新建充电桩50万个。",
            "2．优化公共服务。",
        ),
        (
            "1．完善基础设施，新建充电桩50万个。",
            "2．优化公共服务。",
        ),
        (("50万个", 5e5, "个", None),),
    ),
    Case(
        "decimal numbers are not list markers",
        (
            "去年经济增长2.3%，今年预期目标为6%以上。",
            "3.5亿元资金已经下达。",
        ),
        (),
    ),
    Case(
        "list after a colon lead-in with a closing paragraph",
        (
            "国家卫生健康委提出三点要求：",
            "第一，做好疫苗接种工作，确保60岁以上人群接种率达到90%。",
            "第二，加强重点场所防控。",
            "第三，强化医疗救治能力，每个地级市至少建成1家传染病医院。",
            "会议由国家卫生健康委主持召开。",
        ),
        (
            "第一，做好疫苗接种工作，确保60岁以上人群接种率达到90%。",
            "第二，加强重点场所防控。",
            "第三，强化医疗救治能力，每个地级市至少建成1家传染病医院。",
        ),
        (("90%", 90, "%", None), ("至少建成1家传染病医院", 1, "传染病医院", "at_least")),
    ),
    Case(
        "people's bank figures",
        ("中国人民银行将继续实施稳健的货币政策，年内再提供1000亿元再贷款额度。",),
        ("中国人民银行将继续实施稳健的货币政策，年内再提供1000亿元再贷款额度。",),
        (("1000亿元", 1e11, "元", None),),
        "中国人民银行",
    ),
    Case(
        "list items with sub-points kept in their item",
        (
            "第一，推进科技自立自强。一是加强基础研究，二是攻关关键核心技术。",
            "第二，推进产业升级。",
        ),
        (
            "第一，推进科技自立自强。一是加强基础研究，二是攻关关键核心技术。",
            "第二，推进产业升级。",
        ),
    ),
    Case(
        "thousands and hundreds in chinese",
        ("今年将新建一千二百个村级服务站，培训五百名基层干部。",),
        ("今年将新建一千二百个村级服务站，培训五百名基层干部。",),
        (
            ("一千二百个村级服务站", 1200, "村级服务站", None),
            ("五百名基层干部", 500, "基层干部", None),
        ),
    ),
    Case(
        "period without promise is not a measure",
        ("“十三五”期间，全市累计完成投资3000亿元，建成项目500个。",),
        (),
    ),
    Case(
        "second-level list inside paragraph headings",
        (
            "（一）加快数字化发展",
            "加快建设数字经济、数字社会、数字政府。",
            "（二）完善治理体系",
            "健全数据要素市场规则，力争到2025年数据要素市场体系初步建立。",
        ),
        (
            "（一）加快数字化发展\n加快建设数字经济、数字社会、数字政府。",
            "（二）完善治理体系\n健全数据要素市场规则，力争到2025年数据要素市场体系初步建立。",
        ),
    ),
    Case(
        "percent and multiple quantities in one item",
        ("一是提高研发费用加计扣除比例至100%；二是将制造业增值税留抵退税比例提高到60%。",),
        (
            "一是提高研发费用加计扣除比例至100%；",
            "二是将制造业增值税留抵退税比例提高到60%。",
        ),
        (("100%", 100, "%", None), ("60%", 60, "%", None)),
    ),
    Case(
        "commerce ministry plan sentence",
        ("商务部新闻发言人表示，商务部将会同有关部门出台20条措施稳外贸稳外资。",),
        ("商务部将会同有关部门出台20条措施稳外贸稳外资",),
        (("20条措施", 20, "措施", None),),
        "商务部",
    ),
    Case(
        "beijing city with deadline",
        (
            "北京市将加快建设国际科技创新中心，到2025年基本形成国际科技创新中心。",
            "北京市政府有关负责人出席发布会。",
        ),
        ("北京市将加快建设国际科技创新中心，到2025年基本形成国际科技创新中心。",),
        (),
        "北京市",
    ),
    Case(
        "an item continuing over two paragraphs",
        (
            "会议明确了两方面工作。",
            "第一，加强统筹协调。",
            "建立部际联席会议制度，每季度召开一次会议。",
            "第二，强化资金保障，中央财政安排补助资金80亿元。",
        ),
        (
            "第一，加强统筹协调。\n建立部际联席会议制度，每季度召开一次会议。",
            "第二，强化资金保障，中央财政安排补助资金80亿元。",
        ),
        (("80亿元", 8e9, "元", None),),
    ),
    Case(
        "parenthesised arabic numerals",
        ("具体措施包括：（1）推进老旧小区改造，全年改造5.3万个小区；（2）发展保障性租赁住房。",),
        (
            "（1）推进老旧小区改造，全年改造5.3万个小区；",
            "（2）发展保障性租赁住房。",
        ),
        (("5.3万个小区", 5.3e4, "小区", None),),
    ),
    Case(
        "energy target with a capacity unit",
        (
            "国家能源局将推动新能源高质量发展，力争到2030年风电、太阳能发电总装机容量达到12亿千瓦以上。",
        ),
        ("力争到2030年风电、太阳能发电总装机容量达到12亿千瓦以上",),
        (("12亿千瓦以上", 1.2e9, "千瓦", "at_least"),),
        "国家能源局",
    ),
    Case(
        "arabic numerals with a comma mark",
        (
            "1、加快培育新兴产业，新增高新技术企业超过2万家；",
            "2、推动传统产业改造升级；",
            "3、发展现代服务业。",
        ),
        (
            "1、加快培育新兴产业，新增高新技术企业超过2万家；",
            "2、推动传统产业改造升级；",
            "3、发展现代服务业。",
        ),
        (("超过2万家", 2e4, "家", "over"),),
    ),
    Case(
        "achievements reported as a list",
        (
            "过去一年，全省重点工作取得明显成效：一是完成固定资产投资1.5万亿元；"
            "二是新增城镇就业68万人；三是建成5G基站4.2万个。",
        ),
        (
            "一是完成固定资产投资1.5万亿元；",
            "二是新增城镇就业68万人；",
            "三是建成5G基站4.2万个。",
        ),
        (
            ("1.5万亿元", 1.5e12, "元", None),
            ("68万人", 6.8e5, "人", None),
            ("4.2万个", 4.2e4, "个", None),
        ),
    ),
)


def all_cases() -> tuple[Case, ...]:
    """The labelled passages plus the two seed articles."""
    guangming = _seed_case(
        "seed 光明网",
        "000_42e4a6355bcb619a.txt",
        tuple(f"第{n}," for n in "一二三四五六"),
        (
            ("近600个项目", 600, "项目", "nearly"),
            ("170多亿元", 1.7e10, "元", "over"),
            ("1980个项目", 1980, "项目", None),
            ("400多亿元", 4e10, "元", "over"),
            ("两个专项行动计划", 2, "专项行动计划", None),
        ),
    )
    people = _seed_case(
        "seed 人民网",
        "001_72ddc1701e8a334b.txt",
        tuple(f"{n}是以" for n in "一二三四五"),
        (),
    )
    return (*CASES, guangming, people)
