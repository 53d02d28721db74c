"""Printed text as every layer reads it: the leaf under readers, parsing and catalogs.

Readers turn files into cells of text; parsing reads budgets out of those cells; catalogs match
printed names. All three need the same notion of what a cell says (`cells`: layout noise out,
the matching form of a word) and the same patterns for how amounts and list numbers are
printed (`patterns`). Kept here, below all of them, so that each rule is written once and no
layer has to import another to use it. This package imports nothing from dagster_project.
"""
