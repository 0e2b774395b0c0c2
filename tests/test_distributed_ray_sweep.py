"""A K-fold CV sweep on a local Ray with 2 workers chooses what the in-process run chooses
(issue "Scale out", must-be-true 2).

The folds of a Lasso path are the tasks, as netreg's cross-validation will hand them to
``map_tasks``: each task fits scikit-learn's Lasso along the whole α grid (warm starts,
large α first) on its training part and returns the validation error at every α.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso, LassoCV
from sklearn.model_selection import KFold

from netreg._parallel import map_items as map_tasks
from netreg._ray import ray_session

pytest.importorskip("ray")

N_FOLDS = 5


@pytest.fixture(scope="module")
def local_ray():
    with ray_session(None, num_cpus=2) as ray:
        yield ray


def _problem():
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = y - y.mean()
    alpha_max = np.abs(X.T @ y).max() / len(y)  # scikit-learn's λ_max for the Lasso
    alphas = alpha_max * np.logspace(0, -3, 30)
    folds = list(KFold(N_FOLDS, shuffle=True, random_state=0).split(X))
    return X, y, alphas, folds


def fold_errors(task):
    """Validation MSE along the α grid for one fold (a module-level function: Ray imports it)."""
    X, y, alphas, train, valid = task
    model = Lasso(alpha=alphas[0], warm_start=True, max_iter=10_000, tol=1e-10)
    errors = []
    for alpha in alphas:  # decreasing: each fit starts from the previous solution
        model.set_params(alpha=alpha)
        model.fit(X[train], y[train])
        errors.append(float(np.mean((model.predict(X[valid]) - y[valid]) ** 2)))
    return np.array(errors)


def cross_validate(backend, **kwargs):
    X, y, alphas, folds = _problem()
    tasks = [(X, y, alphas, train, valid) for train, valid in folds]
    errors = np.vstack(
        map_tasks(fold_errors, tasks, backend=backend, description="folds", **kwargs)
    )
    mean = errors.mean(axis=0)
    return alphas[int(np.argmin(mean))], errors


def test_ray_cv_sweep_chooses_the_in_process_alpha(local_ray):
    alpha_serial, errors_serial = cross_validate("serial")
    alpha_ray, errors_ray = cross_validate("ray", n_jobs=2)
    assert alpha_ray == alpha_serial
    np.testing.assert_allclose(errors_ray, errors_serial, rtol=1e-10, atol=0)
    # the choice is a real one: inside the grid, not an end point
    _, _, alphas, folds = _problem()
    assert alphas[-1] < alpha_serial < alphas[0]
    # and it is scikit-learn's own: LassoCV on the same folds and grid picks the same α
    X, y, _, _ = _problem()
    reference = LassoCV(alphas=alphas, cv=folds, max_iter=10_000, tol=1e-10).fit(X, y)
    assert reference.alpha_ == pytest.approx(alpha_serial, rel=1e-12)


def test_netregs_own_cross_validation_on_ray_chooses_what_serial_chooses(local_ray):
    """Must-be-true 2 of the scale-out issue, through netreg's public CV (the linear engine)."""
    from sklearn.datasets import load_diabetes

    from netreg.path import cross_validate_linear

    X, y = load_diabetes(return_X_y=True)
    serial = cross_validate_linear(X, y, l1_ratio=0.7, n_lambdas=15, folds=4, seed=1)
    on_ray = cross_validate_linear(
        X, y, l1_ratio=0.7, n_lambdas=15, folds=4, seed=1, backend="ray", n_jobs=2
    )
    np.testing.assert_array_equal(serial.fold_errors, on_ray.fold_errors)
    assert (serial.lambda_min, serial.lambda_1se) == (on_ray.lambda_min, on_ray.lambda_1se)
