from decimal import Decimal

import pytest

from dagster_project.parsing.cells import clean_cell, display_label, parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,464,272.00", Decimal("4464272.00")),
        ("16,390.41", Decimal("16390.41")),
        ("１２３．４５", Decimal("123.45")),
        ("0.00", Decimal("0.00")),
        ("(1,234.50)", Decimal("-1234.50")),
        ("-12.5", Decimal("-12.5")),
        ("552.00万元", Decimal("552.00")),
        ("298.3", Decimal("298.3")),
    ],
)
def test_amounts_are_exact_decimals(text, expected):
    value = parse_amount(text)
    assert value == expected and isinstance(value, Decimal)


@pytest.mark.parametrize("text", ["", "-", "—", "——", "/", "*", "合计", "≥95%", "2024年", "12,34"])
def test_non_amounts(text):
    assert parse_amount(text) is None


def test_cleaning_markers_radicals_and_cjk_spaces():
    assert clean_cell("[bookmark: _Toc67565880]2.宣传印刷费") == "2.宣传印刷费"
    assert clean_cell("部\u2ed4") == "部门"
    assert clean_cell("(cid:12)合计") == "合计"
    assert display_label("合 计") == "合计"
    assert display_label("项  目") == "项目"
