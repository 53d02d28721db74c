from decimal import Decimal

import re

import pytest

from dagster_project.parsing.cells import parse_amount
from dagster_project.text.cells import clean_cell, display_label
from dagster_project.text.patterns import (
    AMOUNT,
    DECIMAL_AMOUNT,
    LIST_NUMBER,
    PART_HEADING,
    amount_number,
    list_number,
)


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


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一、基本支出", "一、"),
        ("十二.其他", "十二."),
        ("一百、x", "一百、"),
        ("（二十三）项目支出", "（二十三）"),
        ("(12)差旅费", "(12)"),
        ("3、办公费", "3、"),
        ("4．印刷费", "4．"),
        ("①公务用车购置费", "①"),
        ("❶工资", "❶"),
    ],
)
def test_list_numbers_as_publishers_print_them(text, number):
    match = re.match(LIST_NUMBER, text)
    assert match is not None and match.group(0) == number


@pytest.mark.parametrize(
    "text",
    [
        "1.5万元",  # a decimal, not item 1
        "(2101501)行政运行",  # a code in brackets: more than 3 characters
        "（2024）年",  # a year in brackets
        "合计",
        "2101501行政运行",
    ],
)
def test_not_list_numbers(text):
    assert re.match(LIST_NUMBER, text) is None


def test_list_number_parameters():
    # narrative text: a long digit run before '、' is a function code the caller must keep
    assert re.match(list_number(arabic_digits="{1,2}"), "12、x") is not None
    assert re.match(list_number(arabic_digits="{1,2}"), "2101501、行政运行") is None
    assert re.match(LIST_NUMBER, "2101501、行政运行") is not None
    # name matching on NFKC text: the folded '，' and '：' end a number too
    assert re.match(list_number(marks="、.．,:"), "一,工资") is not None
    assert re.match(LIST_NUMBER, "一,工资") is None
    assert re.match(PART_HEADING, "第二部分 部门预算表").group(0) == "第二部分"


@pytest.mark.parametrize(
    ("text", "amount", "decimal_amount"),
    [
        ("16,390.41", True, True),
        ("4464272.00", True, True),
        ("0.00", True, True),
        ("16390", True, False),  # a bare digit run: an amount, a code or a year
        ("2024", True, False),
        ("12,34", False, False),  # a grouping that breaks the 3-digit rhythm
        ("1,2345.6", False, False),
    ],
)
def test_amount_patterns(text, amount, decimal_amount):
    assert bool(re.fullmatch(AMOUNT, text)) is amount
    assert bool(re.fullmatch(DECIMAL_AMOUNT, text)) is decimal_amount


def test_amount_pattern_for_unfolded_text():
    full_width = amount_number(digit="[0-9０-９]", point="[.．]")
    assert re.fullmatch(full_width, "１２，３４５．６") is None  # a full-width comma is not folded here
    assert re.fullmatch(full_width, "１２,３４５．６") is not None
    assert re.fullmatch(AMOUNT.replace(r"\d", "[0-9]"), "１２３") is None
