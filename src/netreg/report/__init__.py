"""Figures and self-contained HTML reports from plain numbers and strings.

A thin rendering layer: it reads results (numbers, names, dataclass fields) and draws them; it
computes nothing about models and imports no other netreg layer. Figures are matplotlib
``Figure`` objects made without pyplot; the HTML page inlines its CSS and images and escapes
every string it is given.

>>> from netreg.report import Report, cv_curve
>>> fig = cv_curve([0.01, 0.1, 1.0], [0.52, 0.48, 0.61], [0.02, 0.02, 0.03],
...                lambda_min=0.1, lambda_1se=0.1)
>>> html = Report("CV").add_figure("Cross-validation", fig).render()
"""

from netreg.report.anchors import slugify
from netreg.report.atomic import atomic_write_bytes, atomic_write_text
from netreg.report.bars import bar_comparison, sparsity_bars
from netreg.report.blocks import FigureLike, verdict_kind
from netreg.report.curves import coefficient_paths, cv_curve, learning_curves
from netreg.report.encode import figure_to_data_uri, figure_to_png, png_to_data_uri
from netreg.report.format import format_number, format_value
from netreg.report.histograms import weight_histograms
from netreg.report.html import Report, write_report

__all__ = [
    "FigureLike",
    "Report",
    "atomic_write_bytes",
    "atomic_write_text",
    "bar_comparison",
    "coefficient_paths",
    "cv_curve",
    "figure_to_data_uri",
    "figure_to_png",
    "format_number",
    "format_value",
    "learning_curves",
    "png_to_data_uri",
    "slugify",
    "sparsity_bars",
    "verdict_kind",
    "weight_histograms",
    "write_report",
]
