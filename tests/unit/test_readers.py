"""Readers: encodings and the four text layouts, on small inline texts and the samples."""

from __future__ import annotations

import pytest

from dagster_project.readers.base import ReaderError
from dagster_project.readers.decoding import decode_text
from dagster_project.readers.registry import reader_for
from dagster_project.readers.text import parse_text

from tests.conftest import RAW

SAMPLE_TEXT = "2024年收支总表\n单位：万元\n项目\t预算数\n合计\t1,867.77\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le"])
def test_decoding_round_trips(encoding):
    text, _ = decode_text(SAMPLE_TEXT.encode(encoding))
    assert text.lstrip("\ufeff") == SAMPLE_TEXT


def test_binary_garbage_is_rejected():
    with pytest.raises(ReaderError, match="not a text file"):
        decode_text(bytes(range(256)) * 40)


def test_empty_file_is_rejected():
    with pytest.raises(ReaderError, match="empty"):
        reader_for(b"")


def test_pdf_is_recognised_by_content_not_name():
    data = b"%PDF-1.7\n%binary"
    reader = reader_for(data)
    assert reader.format == "PDF"
    with pytest.raises(ReaderError, match="corrupt PDF"):
        reader.read(data)


def test_pipe_table_with_context():
    tables, narrative = parse_text("前言\n部门综合预算收入总表\n单位：元\n| 单位编码 | 合计 |\n|---|---|\n| 231001 | 1,004,051.00 |\n")
    (table,) = tables
    assert table.rows == (("单位编码", "合计"), ("231001", "1,004,051.00"))
    assert table.context[-2:] == ("部门综合预算收入总表", "单位：元")
    assert table.row_lines == (4, 6)
    assert narrative[0] == "前言"


def test_one_cell_per_line_rows_and_span_alignment():
    text = "表\n\t序号\n\t功能分类科目\n\t合计\n\n\t\n\t科目编码\n\t科目名称\n\t\n\n\t1\n\t208\n\t社会保障和就业支出\n\t53.84\n"
    (table,) = parse_text(text)[0]
    assert table.rows[0] == ("序号", "功能分类科目", "", "合计")
    assert table.rows[2] == ("1", "208", "社会保障和就业支出", "53.84")


def test_tab_rows_keep_blank_cells():
    (table,) = parse_text("x\n类\t款\t项\t科目名称\t合计\n210\t\t\t卫生健康支出\t13,841.32\n\t15\t\t医疗保障管理事务\t585.64\n")[0]
    assert table.rows[2] == ("", "15", "", "医疗保障管理事务", "585.64")


def test_samples_table_layouts():
    layouts = {}
    for path in sorted(RAW.glob("*.txt")):
        result = reader_for(path.read_bytes()).read(path.read_bytes())
        layouts[path.name[:3]] = {t.layout for t in result.tables}
    assert "pipe" in layouts["000"]
    assert "tab" in layouts["001"] and "tab" in layouts["004"]
    assert "cell_per_line" in layouts["003"]


def test_sniff_survives_a_cut_inside_a_multibyte_character():
    """A long UTF-8 report whose 65,536th byte falls inside a character is still text."""
    from dagster_project.readers.text import TextReader

    line = "本部门2024年预算收入446.43万元。\n".encode()
    body = line * (70000 // len(line))
    pad = next(k for k in range(3) if 0x80 <= (b"x" * k + body)[65536] < 0xC0)  # a continuation byte
    data = b"x" * pad + body
    assert len(data[:65536].decode("utf-8", errors="ignore").encode()) < 65536  # the cut splits one
    assert TextReader().sniff(data)
