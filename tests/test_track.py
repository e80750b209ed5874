"""Deciding NEW, CHANGED and reaffirmed from commitment fields."""

from monitor.track import best_match, commitment_fields, compare

TEXT = "第一,支持北京打造战略科技力量。科技部支持北京近600个项目,财政资金达170多亿元。"
QUANTITY = {"raw": "170多亿元", "value": 1.7e10, "unit": "元", "qualifier": "over"}


def _fields(text=TEXT, quantities=(QUANTITY,), periods=()):
    return commitment_fields(text, "科技部", list(quantities), list(periods))


def test_same_fields_are_reaffirmed():
    assert compare(_fields(), _fields()).kind == "reaffirmed"


def test_changed_figure_reports_only_that_field():
    new_quantity = QUANTITY | {"raw": "190多亿元", "value": 1.9e10}
    outcome = compare(_fields(), _fields(TEXT.replace("170", "190"), [new_quantity]))
    assert outcome.kind == "CHANGED"
    assert outcome.before == {"quantities[0]": QUANTITY}
    assert outcome.after == {"quantities[0]": new_quantity}


def test_materially_different_wording_is_a_change_of_text():
    reworded = TEXT.replace("打造战略科技力量", "建设具有全球影响力的科技创新高地")
    outcome = compare(_fields(), _fields(reworded))
    assert outcome.kind == "CHANGED"
    assert set(outcome.after) == {"text"}


def test_a_different_item_does_not_match():
    candidates = [(1, TEXT), (2, "第三,支持北京科技抗疫。我们建立了部市合作机制。")]
    assert best_match(TEXT.replace("170", "190"), candidates) == 1
    assert best_match("第四,支持北京建设国际人才引进的平台。", candidates) is None
