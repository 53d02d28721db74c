"""Synthetic budget reports at scale, with their gold values (`budgetwh generate`).

A report starts as a budget (budget.py): a department of a real county or city, a year, its
budget units, spending by function and economic classification, projects, 三公 and
performance targets, every total computed from its parts in whole printing steps, so every
identity holds by construction. A publisher style (styles.py, after the five sample reports)
prints that budget as paragraphs and table grids; each amount cell carries the fact an
interpreter should read off it, which becomes the gold. The grids are printed as a text dump
(text.py: pipe markdown, tab-separated, one cell per line) or through the synth renderers
(XLSX, DOCX, HTML). Publisher-style errors (errors.py) change printed numbers after the fact
and are recorded in the gold, so accuracy is measured against what the report really says.
"""
