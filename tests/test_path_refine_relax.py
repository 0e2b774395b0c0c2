"""The network path's refinement (every support size), step halving, and the relaxed refit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from torch import nn

import netreg as nr
from netreg.path import PathResult, RelaxedFit, regularization_path, relax
from netreg.path._network_data import Data, backtracking_fit
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


def jumps(path: PathResult) -> int:
    counts = [len(s) for s in path.selected_inputs]
    return sum(abs(a - b) > 1 for a, b in itertools.pairwise(counts))


# -- refinement ----------------------------------------------------------------------------
def test_refinement_fills_skipped_support_sizes_and_only_adds_records(nonlinear):
    X, y = nonlinear
    model = mlp(6, (16,), seed=0)
    grid = [2.0, 0.2, 0.02, 0.002]  # coarse: neighbouring λ skip support sizes
    coarse = regularization_path(model, X, y, group_inputs(), lambdas=grid, config=FAST)
    fine = regularization_path(model, X, y, group_inputs(), lambdas=grid, config=FAST, refine=4)
    assert jumps(coarse) > 0
    assert len(fine.lambdas) > len(coarse.lambdas) and jumps(fine) < jumps(coarse)
    assert np.all(np.diff(fine.lambdas) < 0)
    sizes = {len(s) for s in fine.selected_inputs}
    assert len(sizes) > len({len(s) for s in coarse.selected_inputs})
    # the grid's own fits are the same: refinement fits start from stored states
    assert coarse.states is not None and fine.states is not None
    for lam, state in zip(coarse.lambdas, coarse.states, strict=True):
        i = int(np.flatnonzero(fine.lambdas == lam)[0])
        assert all(torch.equal(state[k], fine.states[i][k]) for k in state)


def test_refinement_is_on_for_the_automatic_grid_and_off_for_a_given_one(nonlinear):
    X, y = nonlinear
    model = mlp(6, (8,), seed=0)
    auto = regularization_path(model, X, y, group_inputs(), n_lambdas=5, config=FAST)
    plain = regularization_path(model, X, y, group_inputs(), n_lambdas=5, config=FAST, refine=0)
    assert len(auto.lambdas) > len(plain.lambdas)
    assert jumps(auto) <= jumps(plain)
    given = regularization_path(model, X, y, group_inputs(), lambdas=plain.lambdas, config=FAST)
    assert np.array_equal(given.lambdas, plain.lambdas)


@pytest.mark.parametrize("bad", [-1, 11, 1.5, "3"])
def test_a_bad_refine_is_refused_with_the_value(nonlinear, bad):
    X, y = nonlinear
    with pytest.raises((TypeError, ValueError), match="refine"):
        regularization_path(mlp(6, (4,), seed=0), X, y, group_inputs(), refine=bad, config=FAST)


# -- step halving --------------------------------------------------------------------------
def test_a_fit_that_raises_the_objective_is_redone_with_half_the_step():
    """lr = 3/L diverges on a least-squares problem; halving twice makes it a descent."""
    rng = np.random.default_rng(1)
    X = torch.as_tensor(rng.normal(size=(100, 3)) * np.array([1.0, 3.0, 0.3]))
    y = X @ torch.tensor([1.0, -1.0, 2.0], dtype=torch.float64)
    L = float(torch.linalg.eigvalsh(X.T @ X / len(X)).max())  # half_mse's Lipschitz constant
    config = FitConfig(
        optimizer="sgd", lr=3.0 / L, batch_size=None, max_epochs=20, patience=None, dtype="float64"
    )
    data = Data(X, y)
    results = {}
    for attempts in (0, 4):
        model = nn.Linear(3, 1).double()
        torch.nn.init.zeros_(model.weight)
        torch.nn.init.zeros_(model.bias)
        before = evaluate(model, X, y, "half_mse")

        def once(cfg: FitConfig, model: nn.Module = model) -> int:
            return fit(model, X, y, config=cfg).epochs_run

        epochs = backtracking_fit(model, data, config, once, attempts=attempts)
        results[attempts] = (evaluate(model, X, y, "half_mse"), before, epochs)
    assert results[0][0] > results[0][1]  # diverged
    assert results[4][0] < results[4][1]  # descended at a shorter step
    assert results[4][2] > 20  # more than one attempt ran


# -- the relaxed refit ---------------------------------------------------------------------
def test_relax_keeps_the_support_removes_the_shrinkage_and_uses_the_paths_split(nonlinear):
    X, y = nonlinear
    model = mlp(6, (16,), seed=0)
    X_val, y_val = X[:60], y[:60]
    path = regularization_path(
        model, X[60:], y[60:], group_inputs(), n_lambdas=10, config=FAST, X_val=X_val, y_val=y_val
    )
    i = next(i for i, s in enumerate(path.selected_inputs) if len(s) == 2)
    relaxed = relax(model, path, i, X[60:], y[60:], config=FAST, X_val=X_val, y_val=y_val)
    assert isinstance(relaxed, RelaxedFit)
    assert relaxed.selected_inputs == path.selected_inputs[i]
    assert relaxed.index == i and relaxed.lambda_ == path.lambdas[i]
    weight = relaxed.model[0].weight.detach()
    dropped = [j for j in range(6) if j not in relaxed.selected_inputs]
    assert bool((weight[:, dropped] == 0).all())
    assert bool((weight[:, relaxed.selected_inputs].norm(dim=0) > 0).all())
    assert relaxed.path_val_loss == path.val_loss[i]
    assert relaxed.val_loss == pytest.approx(evaluate(relaxed.model, X_val, y_val, "half_mse"))
    assert relaxed.val_loss < path.val_loss[i]
    assert relaxed.train_loss < path.train_loss[i]
    assert relaxed.epochs >= 1


def test_relaxing_a_linear_model_is_least_squares_on_the_support(diabetes64):
    """glmnet's relaxed lasso at γ = 0: OLS on the lasso's active set."""
    X, y = diabetes64
    plan = nr.Plan({nr.select.weights(): nr.L1(1.0)})
    config = FitConfig(
        optimizer="sgd", lr=0.5, batch_size=None, max_epochs=3000, patience=None, dtype="float64"
    )
    model = nn.Linear(10, 1).double()
    path = regularization_path(
        model, X, y, plan, lambdas=[0.05], config=config.replace(max_epochs=300), val_fraction=0
    )
    support = path.selected_inputs[0]
    assert 0 < len(support) < 10
    relaxed = relax(model, path, 0, X, y, config=config, val_fraction=0)
    ols = LinearRegression().fit(X[:, support].numpy(), y.numpy())
    coef = relaxed.model.weight.detach().reshape(-1).numpy()
    np.testing.assert_allclose(coef[support], ols.coef_, rtol=1e-4, atol=1e-6)
    assert np.all(np.delete(coef, support) == 0)
    assert np.isnan(relaxed.val_loss)


def test_relax_refits_a_support_chosen_elsewhere_from_any_point(nonlinear):
    X, y = nonlinear
    model = mlp(6, (8,), seed=0)
    path = regularization_path(model, X, y, group_inputs(), n_lambdas=5, config=FAST)
    relaxed = relax(model, path, -1, X, y, inputs=[4, 1], config=FAST)
    assert relaxed.selected_inputs == [1, 4]
    norms = relaxed.model[0].weight.detach().norm(dim=0)
    assert norms.nonzero().reshape(-1).tolist() == [1, 4]
    # a column that is zero at the starting point is trained from zero
    zero_at = next(i for i, s in enumerate(path.selected_inputs) if 0 < len(s) < 6)
    other = next(j for j in range(6) if j not in path.selected_inputs[zero_at])
    woken = relax(model, path, zero_at, X, y, inputs=[other], config=FAST)
    assert float(woken.model[0].weight.detach()[:, other].norm()) > 0


def test_relax_refuses_bad_arguments_with_the_value(nonlinear):
    X, y = nonlinear
    model = mlp(6, (4,), seed=0)
    path = regularization_path(model, X, y, group_inputs(), lambdas=[0.1], config=FAST)
    with pytest.raises(ValueError, match=r"inputs.*Received: inputs=\[6\]"):
        relax(model, path, 0, X, y, inputs=[6], config=FAST)
    with pytest.raises(ValueError, match="inputs"):
        relax(model, path, 0, X, y, inputs=["a"], config=FAST)
    with pytest.raises(ValueError, match="index"):
        relax(model, path, 3, X, y, config=FAST)
    with pytest.raises(ValueError, match="states=None"):
        relax(model, PathResult(lambdas=np.array([1.0])), 0, X, y)


# -- the relaxed blend (glmnet's gamma) ----------------------------------------------------
@pytest.fixture(scope="module")
def split_path(nonlinear):
    X, y = nonlinear
    model = mlp(6, (16,), seed=0)
    X_val, y_val = X[:60], y[:60]
    path = regularization_path(
        model, X[60:], y[60:], group_inputs(), n_lambdas=10, config=FAST, X_val=X_val, y_val=y_val
    )
    i = next(i for i, s in enumerate(path.selected_inputs) if len(s) == 2)
    return model, path, i, (X[60:], y[60:], X_val, y_val)


def test_gamma_one_is_the_path_point_and_zero_the_plain_refit(split_path):
    model, path, i, (X, y, X_val, y_val) = split_path
    kept = relax(model, path, i, X, y, config=FAST, X_val=X_val, y_val=y_val, gamma=1)
    point = nr.path.rebuild(model, path, i)
    for name, value in point.state_dict().items():
        assert torch.equal(kept.model.state_dict()[name], value)
    assert kept.gamma == 1.0 and kept.val_loss == pytest.approx(path.val_loss[i])
    refit = relax(model, path, i, X, y, config=FAST, X_val=X_val, y_val=y_val, gamma=0)
    assert refit.gamma == 0.0 and refit.gamma_val_losses == {0.0: refit.val_loss}


def test_gamma_is_chosen_on_validation_and_the_blend_is_linear_in_the_weights(split_path):
    model, path, i, (X, y, X_val, y_val) = split_path
    chosen = relax(model, path, i, X, y, config=FAST, X_val=X_val, y_val=y_val)
    assert sorted(chosen.gamma_val_losses) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert chosen.gamma_val_losses[chosen.gamma] == min(chosen.gamma_val_losses.values())
    assert chosen.val_loss == pytest.approx(chosen.gamma_val_losses[chosen.gamma])
    # the kept weights are exactly γ·θ_λ + (1 − γ)·θ_refit
    refit = relax(model, path, i, X, y, config=FAST, X_val=X_val, y_val=y_val, gamma=0)
    point = nr.path.rebuild(model, path, i).state_dict()
    g = chosen.gamma
    for name, value in chosen.model.state_dict().items():
        expected = g * point[name] + (1 - g) * refit.model.state_dict()[name]
        torch.testing.assert_close(value, expected, rtol=0, atol=1e-6)
    dropped = [j for j in range(6) if j not in chosen.selected_inputs]
    assert bool((chosen.model[0].weight.detach()[:, dropped] == 0).all())


def test_gamma_without_validation_rows_defaults_to_the_plain_refit(nonlinear):
    X, y = nonlinear
    model = mlp(6, (8,), seed=0)
    path = regularization_path(model, X, y, group_inputs(), lambdas=[0.05], config=FAST)
    relaxed = relax(model, path, 0, X, y, config=FAST, val_fraction=0)
    assert relaxed.gamma == 0.0 and relaxed.gamma_val_losses == {}
    with pytest.raises(ValueError, match=r"validation rows.*Received: gamma=\[0, 1\]"):
        relax(model, path, 0, X, y, config=FAST, val_fraction=0, gamma=[0, 1])


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), [0.5, 2.0], [], True])
def test_a_bad_gamma_is_refused_with_the_value(nonlinear, bad):
    X, y = nonlinear
    model = mlp(6, (4,), seed=0)
    path = regularization_path(model, X, y, group_inputs(), lambdas=[0.1], config=FAST)
    with pytest.raises((TypeError, ValueError), match="gamma"):
        relax(model, path, 0, X, y, config=FAST, gamma=bad)
