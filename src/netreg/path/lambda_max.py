"""λ_max for a network: the smallest λ at which every penalized group is zero (KKT).

For ``loss + λ·penalty`` a penalized parameter ``w`` can sit at zero exactly when the
gradient of the data loss there lies in ``λ·∂penalty(0)``; each penalty's
``alpha_max(grad, bias_grad)`` turns that into a number. netreg evaluates it at the
**null point**:

1. every parameter carrying a penalty that makes exact zeros (L1, Elastic Net, group
   lasso; not a pure L2, which only shrinks) is set to zero, with the unit biases that
   share its groups;
2. the other ("unpenalized") parameters keep their values, except the output layer's
   bias, which is moved to its optimum (the intercept of glmnet and scikit-learn:
   ``ȳ`` for squared errors, the log-odds / log-frequencies for the classification
   losses);
3. ``λ_max = max over rows of alpha_max(∂loss/∂w)``.

For a model without hidden layers this is exactly glmnet's and scikit-learn's λ_max
(tested against :func:`~netreg.path.linear_lambda_max`). For a plan on one layer (group
lasso on the inputs: feature selection; on the units of one hidden layer) it is the
exact KKT threshold: the null point is stationary for every λ ≥ λ_max and for no
smaller λ. With zero input weights the hidden layer sees only its biases, so the
gradient of input column ``j`` is ``g·x_jᵀ(ŷ − y)/n`` where ``g`` is the output's
sensitivity to the hidden units: it depends on the unpenalized parameters, which is
why the path computes λ_max at its dense fit.

**Penalized layers in series** (L1 on every layer of an MLP): with all of them at zero
every gradient vanishes (each is multiplied by another zero layer), so the null point
is stationary for every λ ≥ 0 and the joint rule returns 0, which says nothing. netreg
then uses the *blockwise* rule: for each penalized parameter in turn, zero it alone,
keep every other parameter, fit the intercept, and take the largest ``alpha_max``.
At that λ each parameter's zero is stationary given the others, and a warm-started
path from a dense fit collapses to all zeros (once one layer of a chain is zero, the
others get no gradient and the prox removes them).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from netreg._rows import Row
from netreg.path._network_data import ModelSource, instantiate, outputs, tensors
from netreg.plan import Plan
from netreg.regularizer import Regularizer
from netreg.train import FitConfig, align_target, as_config
from netreg.train.losses import data_loss

# The joint rule is "uninformative" when it is this small relative to the blockwise one.
_DEGENERATE = 1e-6


def network_lambda_max(
    model: ModelSource, X: Any, y: Any, plan: Plan, config: FitConfig = FitConfig()
) -> float:
    """The smallest λ (multiplier on every penalty of ``plan``) at which every penalized group is zero.

    The KKT rule at the null point, with the model's current unpenalized parameters (see
    the module docstring). ``model`` is copied, never changed.

    Parameters
    ----------
    model : nn.Module or zero-argument callable returning one
    X, y : array-like or Tensor
    plan : Plan
        Its penalties are the unit that λ multiplies (``reg.scale``).
    config : FitConfig
        ``loss`` and ``dtype`` are used.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, torch, netreg as nr
    >>> from netreg.path import linear_lambda_max, network_lambda_max
    >>> from netreg.train import FitConfig
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(50, 3)); y = X[:, 0] + 1.0
    >>> plan = nr.Plan({nr.select.weights(): nr.L1(1.0)})
    >>> lam = network_lambda_max(torch.nn.Linear(3, 1), X, y, plan, FitConfig(dtype="float64"))
    >>> bool(np.isclose(lam, linear_lambda_max(X, y)))
    True
    """
    config = as_config(config)
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a netreg Plan. Received: plan={type(plan).__name__}")
    work = instantiate(model, config.torch_dtype)
    reg = plan.bind(work)
    features, target = tensors(X, y, config.loss, config.torch_dtype)
    return kkt_lambda_max(work, reg, features, target, config.loss)[0]


def zeroable_rows(reg: Regularizer) -> list[Row]:
    """Rows with a penalty that makes exact zeros (anything but a purely smooth one)."""
    return [row for row in reg.rows if any(not p.is_smooth for p, _ in row.penalties)]


def kkt_lambda_max(
    model: nn.Module, reg: Regularizer, X: Tensor, y: Tensor, loss: str
) -> tuple[float, str]:
    """``(λ_max, rule)`` with ``rule`` in {"joint", "blockwise"}; ``model`` is left unchanged."""
    rows = zeroable_rows(reg)
    if not rows:
        raise ValueError(
            "The plan has no penalty that makes exact zeros (only smooth ones such as L2), so no "
            "λ makes every penalized group zero and there is no automatic grid: pass `lambdas`. "
            f"Received: plan={reg.plan!r}"
        )
    saved = {id(t): t.detach().clone() for t in _tensors_of(rows)}
    output_bias = find_output_bias(model, rows, X)
    saved_bias = None if output_bias is None else output_bias.detach().clone()
    try:
        joint = _lambda_at_zero(model, rows, rows, output_bias, X, y, loss)
        if len(rows) == 1:
            return joint, "joint"
        _restore(rows, saved, output_bias, saved_bias)
        blockwise = 0.0
        for row in rows:
            blockwise = max(
                blockwise, _lambda_at_zero(model, [row], [row], output_bias, X, y, loss)
            )
            _restore(rows, saved, output_bias, saved_bias)
        if joint > _DEGENERATE * blockwise:
            return joint, "joint"
        return blockwise, "blockwise"
    finally:
        _restore(rows, saved, output_bias, saved_bias)


def null_point_(model: nn.Module, reg: Regularizer, X: Tensor, y: Tensor, loss: str) -> None:
    """In place: every zeroable penalized parameter to zero, the output bias to its optimum."""
    rows = zeroable_rows(reg)
    output_bias = find_output_bias(model, rows, X)
    _zero_(rows)
    if output_bias is not None:
        fit_intercept_(model, output_bias, X, y, loss)


def _lambda_at_zero(
    model: nn.Module,
    zeroed: list[Row],
    measured: list[Row],
    output_bias: Tensor | None,
    X: Tensor,
    y: Tensor,
    loss: str,
) -> float:
    _zero_(zeroed)
    if output_bias is not None:
        fit_intercept_(model, output_bias, X, y, loss)
    wanted = [t for row in measured for t in (row.param, row.bias) if t is not None]
    with torch.enable_grad():
        out = model(X)
        value = data_loss(loss, out, align_target("y", y, out, loss))
        grads = torch.autograd.grad(value, wanted, allow_unused=True)
    by_id = {
        id(t): (torch.zeros_like(t) if g is None else g) for t, g in zip(wanted, grads, strict=True)
    }
    lam = 0.0
    for row in measured:
        grad = by_id[id(row.param)]
        bias_grad = None if row.bias is None else by_id[id(row.bias)]
        # Zero is optimal for the sum of the row's non-smooth penalties at least from the
        # smallest single threshold (the subdifferential of a sum contains each one's).
        row_lam = min(p.alpha_max(grad, bias_grad) for p, _ in row.penalties if not p.is_smooth)
        lam = max(lam, row_lam)
    if not math.isfinite(lam):
        raise ValueError(
            "A penalty of the plan has zero strength, so no multiplier makes its parameter zero: "
            f"give every penalty a positive strength. Received: lambda_max={lam}"
        )
    return lam


def find_output_bias(model: nn.Module, rows: list[Row], X: Tensor) -> Tensor | None:
    """The bias of the last Linear layer when shifting it shifts every output (an intercept).

    None when that bias is penalized, absent, or not additive on the output (a model whose
    last registered Linear is not its output layer).
    """
    penalized = {id(t) for t in _tensors_of(rows)}
    linear = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linear or linear[-1].bias is None or id(linear[-1].bias) in penalized:
        return None
    bias = linear[-1].bias
    probe = X[: min(len(X), 8)]
    before = outputs(model, probe)
    with torch.no_grad():
        bias.add_(1.0)
        after = outputs(model, probe)
        bias.sub_(1.0)
    if after.shape != before.shape or after.shape[-1] != bias.shape[0]:
        return None
    if not torch.allclose(after - before, torch.ones_like(after), atol=1e-4):
        return None
    return bias


def fit_intercept_(
    model: nn.Module, bias: Tensor, X: Tensor, y: Tensor, loss: str, max_iter: int = 100
) -> None:
    """Move ``bias`` (an additive output shift) to its optimum for the data loss, in place.

    One step is exact when the outputs are constant over the rows (the null point of a
    single penalized layer): ``ȳ`` for squared errors, the log-odds (``bce``) and the log
    class frequencies (``cross_entropy``). Otherwise the same updates iterate.
    """
    with torch.no_grad():
        for _ in range(max_iter):
            out = outputs(model, X)
            target = align_target("y", y, out, loss)
            delta = _intercept_step(out, target, loss)
            bias.add_(delta.to(bias.dtype))
            if float(delta.abs().max()) <= 1e-12 * (1.0 + float(bias.abs().max())):
                break


def _intercept_step(out: Tensor, target: Tensor, loss: str) -> Tensor:
    out2 = out.reshape(out.shape[0], -1)
    if loss in ("half_mse", "mse"):
        return (target.reshape(out2.shape) - out2).mean(0)
    if loss == "bce":
        p = torch.sigmoid(out2)
        gradient = (p - target.reshape(out2.shape)).mean(0)
        curvature = (p * (1 - p)).mean(0).clamp_min(1e-12)
        return -gradient / curvature
    # cross_entropy: match the mean predicted probabilities to the class frequencies
    n_classes = out2.shape[1]
    tiny = torch.finfo(out2.dtype).tiny
    freq = torch.bincount(target, minlength=n_classes).to(out2.dtype) / target.shape[0]
    mean_p = torch.softmax(out2, dim=1).mean(0)
    step = torch.log(freq.clamp_min(tiny)) - torch.log(mean_p.clamp_min(tiny))
    return (step - step.mean()).clamp(-30.0, 30.0)


def _tensors_of(rows: list[Row]) -> list[Tensor]:
    return [t for row in rows for t in (row.param, row.bias) if t is not None]


def _zero_(rows: list[Row]) -> None:
    with torch.no_grad():
        for tensor in _tensors_of(rows):
            tensor.zero_()


def _restore(
    rows: list[Row], saved: dict[int, Tensor], bias: Tensor | None, saved_bias: Tensor | None
) -> None:
    with torch.no_grad():
        for tensor in _tensors_of(rows):
            tensor.copy_(saved[id(tensor)])
        if bias is not None and saved_bias is not None:
            bias.copy_(saved_bias)
