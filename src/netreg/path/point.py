"""One point of a network path: train a model with its regularizer at one λ, in place.

A path is a sequence of these fits, each starting from the weights of the λ fitted before
it (:func:`~netreg.path.regularization_path`); a plain estimator's ``fit`` is one of
them, started from the initial weights (``NetRegRegressor.fit`` is the path at one α, as
scikit-learn's ``ElasticNet.fit`` is ``enet_path`` at one alpha). One function, so both
stop, back off and record the same way:

- early stopping on the validation OBJECTIVE (data loss + λ·penalty, as LassoNet does;
  the data loss alone would always prefer the weights before the penalty acted), with
  the best epoch's weights restored; without validation rows, ``config.max_epochs``;
- a fit that ends ABOVE its starting training objective took steps too long for the
  curvature it met (while the penalized layer shrinks the next one grows: a ReLU network
  computes the same function with ``W₁/c`` and ``c·W₂``, and the curvature seen by
  ``W₁`` grows as ``c²``), so it is redone from its starting weights at half the
  learning rate, up to ``BACKTRACK`` times.
"""

from __future__ import annotations

from torch import nn

from netreg.path._network_data import Data, backtracking_fit
from netreg.regularizer import Regularizer
from netreg.train import EarlyStopping, FitConfig, FitResult, fit

BACKTRACK = 4  # halvings of the learning rate when a fit raises the objective


class _ValidationObjective:
    """Callback: early stopping on val data loss + λ·penalty; ``restore`` loads the best epoch."""

    def __init__(self, model: nn.Module, reg: Regularizer | None, config: FitConfig):
        self.model, self.reg = model, reg
        self.stopper = EarlyStopping(config.patience, config.tol, restore_best=True)

    def __call__(self, epoch: int, logs: dict[str, float]) -> bool:
        objective = logs["val_loss"] + _penalty(self.reg)
        self.stopper.update(objective, epoch, self.model)
        return self.stopper.should_stop

    def restore(self) -> None:
        self.stopper.restore(self.model)


def _penalty(reg: Regularizer | None) -> float:
    return 0.0 if reg is None else float(reg.value())


def fit_point(
    model: nn.Module,
    reg: Regularizer | None,
    lam: float,
    data: Data,
    config: FitConfig,
    *,
    attempts: int = BACKTRACK,
) -> tuple[int, FitResult]:
    """Fit ``model`` at ``reg.scale = lam`` on ``data``; the epochs of every attempt, the last fit.

    ``reg`` (bound to ``model``, or None for no penalty) is left at scale ``lam``.
    ``config.early_stopping`` is ignored: stopping follows the validation objective when
    ``data`` has validation rows (see the module docstring).
    """
    if reg is not None:
        reg.scale = lam
    config = config.replace(early_stopping=False)
    last: list[FitResult] = []

    def once(attempt: FitConfig) -> int:
        watcher = _ValidationObjective(model, reg, attempt) if data.has_val else None
        result = fit(
            model,
            data.X,
            data.y,
            regularizer=reg,
            config=attempt,
            X_val=data.X_val,
            y_val=data.y_val,
            sample_weight=data.w,
            callbacks=() if watcher is None else (watcher,),
        )
        if watcher is not None:
            watcher.restore()
        last[:] = [result]
        return result.epochs_run

    epochs = backtracking_fit(model, data, config, once, lambda: _penalty(reg), attempts=attempts)
    return epochs, last[0]
