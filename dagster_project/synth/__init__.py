"""Synthetic documents: a report as an ordered list of blocks, and renderers that print those
blocks in the formats publishers use (text dumps, PDF, XLSX, DOCX, HTML).

Tests render the sample reports into every supported format at test time and check that the
readers give back the same line items (format invariance); the scale generator renders
reports with known figures into the same formats.
"""
