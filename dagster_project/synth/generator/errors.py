"""Publisher-style errors, injected after a report is laid out and recorded in its gold.

Real reports carry mistakes the warehouse must surface rather than hide (the samples have a
款 that does not add up in 兴隆 and a narrative figure that differs from its table in 东昌府).
Three kinds are injected, each one changing one printed number:

* `total_off_by_a_digit`: a 类 subtotal (or, in a table of leaf codes only, the 合计 row) of the
  一般公共预算支出表 printed with one digit wrong;
* `kuan_does_not_add_up`: a 款 subtotal of that table that is not the sum of its 项;
* `narrative_differs`: the 项目支出 figure in the narrative differs from the tables.

The line items of the gold keep what is printed (extraction must read the wrong number as
printed); the error record says where it is and what the right value was, and the warehouse's
data-quality mart is expected to flag the disclosure.
"""

from __future__ import annotations

import random
from dataclasses import replace

from dagster_project.synth.blocks import Paragraph
from dagster_project.synth.generator.budget import Budget
from dagster_project.synth.generator.styles import Report, money
from dagster_project.synth.generator.tables import Amount, Table

KINDS = ("total_off_by_a_digit", "kuan_does_not_add_up", "narrative_differs")


def _off_by_a_digit(rng: random.Random, fen: int, step: int) -> int:
    """The same number with one printed digit changed, never one of the last two: a change of
    0.01 or 0.1 in a 万元 table is within what rounding explains (DESIGN.md: 50 yuan per term),
    a publisher's typo there is invisible by design, and the gold must be decidable."""
    digits = len(str(fen // step))
    place = step * 10 ** (rng.randrange(2, digits) if digits > 2 else 2)
    delta = rng.randint(1, 9) * place
    return fen - delta if fen - delta > 0 and rng.random() < 0.5 else fen + delta


def _function_table(report: Report) -> Table | None:
    for item in report.items:
        if isinstance(item, Table) and item.kind == "general_budget_expenditure" and item.printed and any(
            isinstance(c, Amount) and c.code and len(c.code) == 7 for row in item.body for c in row
        ):
            return item
    return None


def _change_cell(table: Table, rng: random.Random, step: int, want) -> dict | None:
    """Change the first 'total' amount of a random row that `want(cell)` accepts."""
    rows = [r for r in table.body if any(isinstance(c, Amount) and c.measure == "total" and c.fen and want(c) for c in r)]
    if not rows:
        return None
    row = rng.choice(rows)
    col = next(i for i, c in enumerate(row) if isinstance(c, Amount) and c.measure == "total" and c.fen and want(c))
    cell = row[col]
    new = _off_by_a_digit(rng, cell.fen, step)
    row[col] = replace(cell, fen=new)
    return {"table_kind": table.kind, "table_title": table.title, "code": cell.code,
            "printed_yuan": f"{new / 100:.2f}", "correct_yuan": f"{cell.fen / 100:.2f}"}


def inject(report: Report, budget: Budget, rng: random.Random) -> dict | None:
    """One error of a kind this report can carry; None when it can carry none."""
    table = _function_table(report)
    kinds = list(KINDS)
    if table is None:
        kinds.remove("total_off_by_a_digit")
        kinds.remove("kuan_does_not_add_up")
    elif not any(isinstance(c, Amount) and c.code and len(c.code) == 5 for r in table.body for c in r):
        kinds.remove("kuan_does_not_add_up")
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "narrative_differs":
            target = money(report.number, budget.project)
            for i, item in enumerate(report.items):
                if isinstance(item, Paragraph) and "项目支出" + target in item.text:
                    wrong_fen = _off_by_a_digit(rng, budget.project, budget.step)
                    wrong = money(report.number, wrong_fen)
                    report.items[i] = Paragraph(item.text.replace("项目支出" + target, "项目支出" + wrong))
                    return {"kind": kind, "where": "narrative 项目支出", "printed_yuan": f"{wrong_fen / 100:.2f}",
                            "correct_yuan": f"{budget.project / 100:.2f}"}
            continue
        assert table is not None
        if kind == "total_off_by_a_digit":
            has_classes = any(isinstance(c, Amount) and c.code and len(c.code) == 3 for r in table.body for c in r)
            change = _change_cell(table, rng, budget.step,
                                  (lambda c: c.code is not None and len(c.code) == 3) if has_classes
                                  else (lambda c: c.code is None))
        else:
            change = _change_cell(table, rng, budget.step, lambda c: c.code is not None and len(c.code) == 5)
        if change:
            return {"kind": kind, **change}
    return None
