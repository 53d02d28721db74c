"""How amounts and list numbers are printed: regex building blocks, each written once.

Readers (cell splitting, column detection), parsing (label cleaning, titles, the narrative)
and catalogs (name matching) all recognise the same two things in printed text: an amount
('16,390.41', '4464272.00') and a list number in front of a line or a label ('一、', '（二）',
'3.', '①'). Each is defined here as a plain pattern string, without anchors, so that a caller
composes it with what its context needs (`^…`, a repeated run with '其中', a following CJK
character, a capture group) and every caller matches the same forms. Where callers really
differ, the difference is a documented parameter, not another copy of the pattern.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------------------------


def amount_number(digit: str = r"\d", point: str = r"\.") -> str:
    """An unsigned amount: integer part with or without thousands separators, optional
    decimals ('16,390.41', '16390.41', '16390'). A grouping that breaks the 3-digit rhythm
    ('12,34') is not one number. `digit` and `point` widen the characters for text that is
    not NFKC-folded yet (the narrative keeps full-width '１２．５' as printed)."""
    return rf"(?:{digit}{{1,3}}(?:,{digit}{{3}})+|{digit}+)(?:{point}{digit}+)?"


# '16390.41', '1,234', '-12.5': the amount form parse_amount accepts after folding.
AMOUNT = amount_number()
# A number that can only be an amount, never a code, year or count: it has decimals or
# thousands separators ('24,458.43', '0.00'). Readers use it where a bare digit run ('2101501',
# '2024') would be ambiguous, e.g. an amount glued to the next cell's label.
DECIMAL_AMOUNT = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)"

# ---------------------------------------------------------------------------------------------
# List numbers
# ---------------------------------------------------------------------------------------------

# Chinese numerals of a list number ('一、' … '十二、', '一百、'; '〇'/'零' inside '一〇一').
CN_NUMERALS = "一二三四五六七八九十百零〇"
# What follows a bare list number: '一、' '1.' and the full-width '１．' of unfolded text.
LIST_MARKS = "、.．"
# Enclosed numbers: ①-⑳, ❶-❿, ➀-➓, ⓫-⓴. NFKC turns ① into a bare '1', so code that folds
# first removes these before folding.
CIRCLED_NUMBER = "[\u2460-\u2473\u2776-\u277f\u2780-\u2793\u24eb-\u24f4]"
# '第二部分' (or '第2部分'): the heading of a part of the report (narrative, tables, notes).
PART_HEADING = rf"第[{CN_NUMERALS}\d]+部分"
# '其中：' opens the sub-items of the row above; label cleaning strips it like a list number.
OF_WHICH = "其中[:：]?"


def list_number(arabic_digits: str = "+", marks: str = LIST_MARKS) -> str:
    """One list number as publishers print them before a heading or a row label: '一、',
    '二.', '（一）', '(12)', '3、', '4.', '①'. Unanchored: callers add '^', repeat it, or
    follow it with what must come next.

    - A bracketed number has 1 to 3 characters ('（二十三）', '(12)'): a longer one
      ('(2101501)') is a code or a year, not a list number.
    - An Arabic number is never followed by a digit, so '1.5' is a number, not item '1.'.
    - `arabic_digits` is the quantifier of the Arabic form: '+' for labels, '{1,2}' where a
      longer digit run in front of '、' or '.' is a classification code the caller must keep
      (narrative text: '2101501、' is a function code, not item 2101501).
    - `marks` are the characters allowed after a bare number; name matching on NFKC text
      also accepts ',' and ':' (the folded '，' and '：').
    """
    return (
        rf"(?:[{CN_NUMERALS}]+[{marks}]"
        rf"|[（(][{CN_NUMERALS}\d]{{1,3}}[)）]"
        rf"|\d{arabic_digits}[{marks}](?!\d)"
        rf"|{CIRCLED_NUMBER})"
    )


# The list number of a heading or a table label, as most callers match it.
LIST_NUMBER = list_number()
