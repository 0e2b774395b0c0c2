"""Choosing λ: grids, paths with warm starts, K-fold cross-validation, min and 1-SE rules.

Two engines: coordinate descent for linear models (:func:`linear_path`,
:func:`cross_validate_linear`) and warm-started proximal fits for networks
(:func:`regularization_path`, :func:`cross_validate`, :func:`network_lambda_max`), whose
one point, :func:`fit_point`, is also how a plain estimator trains, and the relaxed refit
of a path point (:func:`relax`).
"""

from netreg.path._network_data import Data, split_data
from netreg.path._records import selection_violations
from netreg.path.cv import cross_validate_linear, run_folds, summarize
from netreg.path.folds import make_folds
from netreg.path.grid import lambda_grid
from netreg.path.lambda_max import network_lambda_max
from netreg.path.linear import linear_lambda_max, linear_path
from netreg.path.network import rebuild, regularization_path
from netreg.path.network_cv import cross_validate, network_fold_errors
from netreg.path.one_se import choose_lambdas, cv_summary
from netreg.path.point import fit_point
from netreg.path.relax import RelaxedFit, relax
from netreg.path.results import CVResult, PathResult

__all__ = [
    "CVResult",
    "Data",
    "PathResult",
    "RelaxedFit",
    "choose_lambdas",
    "cross_validate",
    "cross_validate_linear",
    "cv_summary",
    "fit_point",
    "lambda_grid",
    "linear_lambda_max",
    "linear_path",
    "make_folds",
    "network_fold_errors",
    "network_lambda_max",
    "rebuild",
    "regularization_path",
    "relax",
    "run_folds",
    "selection_violations",
    "split_data",
    "summarize",
]
