"""Choosing λ: grids, paths with warm starts, K-fold cross-validation, min and 1-SE rules."""

from netreg.path.cv import cross_validate_linear, run_folds, summarize
from netreg.path.folds import make_folds
from netreg.path.grid import lambda_grid
from netreg.path.linear import linear_lambda_max, linear_path
from netreg.path.one_se import choose_lambdas, cv_summary
from netreg.path.results import CVResult, PathResult

__all__ = [
    "CVResult",
    "PathResult",
    "choose_lambdas",
    "cross_validate_linear",
    "cv_summary",
    "lambda_grid",
    "linear_lambda_max",
    "linear_path",
    "make_folds",
    "run_folds",
    "summarize",
]
