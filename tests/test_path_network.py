"""The network path engine: λ_max by KKT, direction, warm starts, records, rebuild."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

import netreg as nr
from netreg.path import (
    PathResult,
    linear_lambda_max,
    network_lambda_max,
    rebuild,
    regularization_path,
)
from netreg.path.lambda_max import null_point_
from netreg.train import FitConfig, evaluate, fit, mlp

FAST = FitConfig(optimizer="sgd", lr=0.1, momentum=0.9, batch_size=None, max_epochs=60, patience=5)


def group_inputs() -> nr.Plan:
    return nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})


@pytest.fixture(scope="module")
def nonlinear() -> tuple[np.ndarray, np.ndarray]:
    """Three informative inputs (one through tanh, one squared) and three of noise."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    y = np.tanh(2 * X[:, 0]) + X[:, 1] - 0.5 * X[:, 2] ** 2 + 0.1 * rng.normal(size=240)
    return X, y - y.mean()


# -- λ_max ---------------------------------------------------------------------------------
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_lambda_max_of_a_linear_model_is_glmnets(diabetes64, l1_ratio):
    X, y = diabetes64
    y = y + 3.0  # the intercept must be fitted, not assumed zero
    plan = nr.Plan({nr.select.weights(): nr.ElasticNet.from_sklearn(1.0, l1_ratio)})
    ours = network_lambda_max(nn.Linear(10, 1), X, y, plan, FitConfig(dtype="float64"))
    assert ours == pytest.approx(linear_lambda_max(X.numpy(), y.numpy(), l1_ratio), rel=1e-10)


def test_lambda_max_of_logistic_models_uses_the_fitted_intercept(diabetes64):
    X, y = diabetes64
    labels = (y > 0.5).to(torch.float64)  # imbalanced: ȳ ≠ ½, so the intercept matters
    config = FitConfig(dtype="float64", loss="bce")
    plan = nr.Plan({nr.select.weights(): nr.L1(1.0)})
    expected = float((X.T @ (labels - labels.mean())).abs().max()) / len(labels)
    assert network_lambda_max(nn.Linear(10, 1), X, labels, plan, config) == pytest.approx(
        expected, rel=1e-9
    )
    classes = torch.bucketize(y, torch.tensor([-0.5, 0.7], dtype=torch.float64))
    onehot = torch.nn.functional.one_hot(classes, 3).to(torch.float64)
    expected = float((X.T @ (onehot - onehot.mean(0))).abs().max()) / len(classes)
    config = FitConfig(dtype="float64", loss="cross_entropy")
    assert network_lambda_max(nn.Linear(10, 3), X, classes, plan, config) == pytest.approx(
        expected, rel=1e-8
    )


@pytest.mark.parametrize(
    ("activation", "plan"),
    [
        ("relu", group_inputs()),
        ("tanh", nr.Plan({nr.select.name("0.weight"): nr.GroupLasso(1.0, groups="units")})),
    ],
    ids=["relu-input-groups", "tanh-unit-groups"],
)
def test_kkt_lambda_max_keeps_the_null_point_and_half_of_it_does_not(nonlinear, activation, plan):
    """From the null point, a proximal fit at 1.01·λ_max stays at zero; at 0.5·λ_max it leaves."""
    X, y = nonlinear
    dense = mlp(6, (16,), activation=activation, seed=0)
    fit(dense, X, y, config=FAST)
    lam = network_lambda_max(dense, X, y, plan)
    assert lam > 0
    ista = FitConfig(optimizer="sgd", lr=0.05, batch_size=None, max_epochs=40, patience=None)
    for factor, stays_zero in ((1.01, True), (0.5, False)):
        model = copy.deepcopy(dense)
        reg = plan.bind(model)
        null_point_(
            model,
            reg,
            torch.as_tensor(X, dtype=torch.float32),
            torch.as_tensor(y, dtype=torch.float32),
            "half_mse",
        )
        reg.scale = factor * lam
        fit(model, X, y, regularizer=reg, config=ista)
        penalized = model[0].weight.detach()
        assert bool((penalized == 0).all()) is stays_zero, factor


def test_layers_in_series_use_the_blockwise_rule_and_the_path_still_ends_at_zero(nonlinear):
    X, y = nonlinear
    plan = nr.Plan({nr.select.weights(nn.Linear): nr.L1(1.0)})
    path = regularization_path(mlp(6, (8, 4), seed=0), X, y, plan, n_lambdas=6, config=FAST)
    assert path.lambda_max_rule == "blockwise"
    assert path.lambda_max > 0
    assert path.nonzero[0] == 0 and path.nonzero[-1] > 0


def test_relu_unit_groups_have_no_kkt_threshold_and_the_grid_is_anchored(nonlinear):
    """A ReLU unit zeroed with its bias is dead (relu'(0) = 0): the KKT λ_max is 0."""
    X, y = nonlinear
    plan = nr.Plan({nr.select.name("0.weight"): nr.GroupLasso(1.0, groups="units")})
    path = regularization_path(mlp(6, (8,), seed=0), X, y, plan, n_lambdas=5, config=FAST)
    assert path.lambda_max == 0.0
    assert "anchored" in path.lambda_max_rule
    assert path.nonzero_groups[0] == 0 and path.nonzero_groups[-1] > 0


# -- the path ------------------------------------------------------------------------------
def test_path_goes_from_dense_to_all_zero_groups_nearly_monotonically(nonlinear):
    X, y = nonlinear
    path = regularization_path(
        mlp(6, (16,), seed=0), X, y, group_inputs(), n_lambdas=12, config=FAST
    )
    assert np.all(np.diff(path.lambdas) < 0)
    assert path.selected_inputs[0] == [] and path.nonzero[0] == 0
    assert path.lambda_zero is not None and path.lambda_zero >= path.lambda_max
    assert len(path.selected_inputs[-1]) == 6
    assert path.nonmonotone_steps <= 1
    # the informative inputs are the last to go
    last_kept = next(s for s in path.selected_inputs if s)
    assert set(last_kept) <= {0, 1, 2}
    assert path.direction == "dense_to_sparse" and path.metric == "mse"


def test_dense_to_sparse_fits_better_than_sparse_to_dense(nonlinear):
    """The chosen direction: from the null point every ReLU unit sees one rank-one gradient."""
    X, y = nonlinear
    model = mlp(6, (16,), seed=0)
    dense = regularization_path(model, X, y, group_inputs(), n_lambdas=10, config=FAST)
    up = regularization_path(
        model, X, y, group_inputs(), lambdas=dense.lambdas, config=FAST, direction="sparse_to_dense"
    )
    assert up.direction == "sparse_to_dense"
    assert np.nanmin(dense.val_loss) < 0.8 * np.nanmin(up.val_loss)


def test_warm_starts_cost_a_fraction_of_cold_fits_and_fit_as_well(nonlinear):
    X, y = nonlinear
    model = mlp(6, (16,), seed=0)
    grid = np.geomspace(0.5, 0.005, 8)
    warm = regularization_path(model, X, y, group_inputs(), lambdas=grid, config=FAST)
    cold = regularization_path(
        model, X, y, group_inputs(), lambdas=grid, config=FAST, warm_start=False
    )
    assert warm.epochs.sum() < 0.3 * cold.epochs.sum()
    assert np.mean(warm.val_loss) <= 1.1 * np.mean(cold.val_loss)


def test_records_match_the_rebuilt_models_and_the_input_model_is_untouched(nonlinear):
    X, y = nonlinear
    model = mlp(6, (8,), seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    X_val, y_val = X[:60], y[:60]
    path = regularization_path(
        model,
        X[60:],
        y[60:],
        group_inputs(),
        lambdas=[0.3, 0.05, 0.005],
        config=FAST,
        X_val=X_val,
        y_val=y_val,
    )
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert path.states is not None and len(path.states) == 3
    for i in range(3):
        rebuilt = rebuild(model, path, i)
        assert evaluate(rebuilt, X_val, y_val, "half_mse") == pytest.approx(
            path.val_loss[i], rel=1e-6
        )
        weight = rebuilt[0].weight.detach()
        assert int((weight != 0).sum()) == path.nonzero[i]
        assert path.selected_inputs[i] == np.flatnonzero(path.input_norms[i] > 0).tolist()
        assert path.nonzero_groups[i] == len(path.selected_inputs[i])
    assert path.to_dict()["lambdas"] == pytest.approx([0.3, 0.05, 0.005])


def test_a_factory_and_a_module_give_bit_identical_paths(nonlinear):
    X, y = nonlinear
    grid = [0.2, 0.02]
    one = regularization_path(mlp(6, (8,), seed=3), X, y, group_inputs(), lambdas=grid, config=FAST)
    two = regularization_path(
        lambda: mlp(6, (8,), seed=3), X, y, group_inputs(), lambdas=grid, config=FAST
    )
    assert one.states is not None and two.states is not None
    for a, b in zip(one.states, two.states, strict=True):
        assert all(torch.equal(a[k], b[k]) for k in a)


def test_classification_paths_record_accuracy(nonlinear):
    X, y = nonlinear
    labels = (y > 0).astype(np.float64)
    config = FAST.replace(loss="bce")
    path = regularization_path(
        mlp(6, (8,), seed=0), X, labels, group_inputs(), lambdas=[0.1, 0.01], config=config
    )
    assert path.metric == "accuracy"
    assert np.all((path.val_metric >= 0) & (path.val_metric <= 1))
    assert path.val_metric[-1] > 0.7


def test_progress_bars_do_not_change_the_result(nonlinear):
    X, y = nonlinear
    quiet = regularization_path(
        mlp(6, (4,), seed=0), X, y, group_inputs(), lambdas=[0.1], config=FAST
    )
    loud = regularization_path(
        mlp(6, (4,), seed=0), X, y, group_inputs(), lambdas=[0.1], config=FAST, progress=True
    )
    assert np.array_equal(quiet.val_loss, loud.val_loss)


# -- errors --------------------------------------------------------------------------------
def test_bad_arguments_are_refused_with_the_value(nonlinear):
    X, y = nonlinear
    model = mlp(6, (4,), seed=0)
    with pytest.raises(ValueError, match="lambdas"):
        regularization_path(model, X, y, group_inputs(), lambdas=[-1.0], config=FAST)
    ridge = nr.Plan({nr.select.weights(): nr.L2(1.0)})
    with pytest.raises(ValueError, match="pass `lambdas`"):
        regularization_path(model, X, y, ridge, config=FAST)
    with pytest.raises(ValueError, match="direction"):
        regularization_path(model, X, y, group_inputs(), direction="up", config=FAST)
    with pytest.raises(TypeError, match="model="):
        regularization_path(3, X, y, group_inputs(), config=FAST)
    with pytest.raises(ValueError, match="val_fraction"):
        regularization_path(model, X, y, group_inputs(), val_fraction=1.0, config=FAST)
    path = regularization_path(model, X, y, group_inputs(), lambdas=[0.1], config=FAST)
    with pytest.raises(ValueError, match="index"):
        rebuild(model, path, 5)
    with pytest.raises(ValueError, match="states=None"):
        rebuild(model, PathResult(lambdas=np.array([1.0])), 0)
