"""The report's figures: each function takes plain numbers and returns a matplotlib Figure.

The figures are made without pyplot (see :mod:`netreg.report._canvas`), so they are safe in
threads, worker processes and notebooks alike. Degenerate inputs (nothing to plot, a single λ,
all-zero weights, NaN) never raise: what can be drawn is drawn, and an empty panel says
"no data". Inputs that contradict each other (two arrays of different lengths) raise
``ValueError`` naming them. Pass the result to :func:`netreg.report.figure_to_data_uri` or
:meth:`netreg.report.Report.add_figure`.
"""

from netreg.report.bars import bar_comparison, sparsity_bars
from netreg.report.curves import coefficient_paths, cv_curve, learning_curves
from netreg.report.histograms import weight_histograms

__all__ = [
    "bar_comparison",
    "coefficient_paths",
    "cv_curve",
    "learning_curves",
    "sparsity_bars",
    "weight_histograms",
]
