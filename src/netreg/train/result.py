"""FitResult: what fit() did, as plain python values; and the Callback signature."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

#: An epoch whose training objective exceeds this many times the objective at the starting
#: weights has diverged: no step size recovers from there (a run that learns only goes down).
DIVERGENCE_FACTOR = 1e4


class DivergenceWarning(RuntimeWarning):
    """fit() stopped because the training loss became NaN/infinite or exploded."""


Callback = Callable[[int, dict[str, float]], Any]
"""``callback(epoch, logs)`` after each epoch; ``logs`` has ``train_loss`` (and
``val_loss``). Returning True stops training (``stop_reason="callback"``)."""


@dataclass
class FitResult:
    """What :func:`fit` did. Histories hold python floats, one per epoch.

    Attributes
    ----------
    train_losses : list of float
        Per epoch, the training objective seen by the steps: the row-weighted mean
        over the epoch's batches of data loss + every penalty (loss-mode and
        prox-mode, times ``regularizer.scale``), each taken before its step.
    val_losses : list of float
        Per epoch, the validation data loss after the epoch (empty without ``X_val``).
    best_epoch : int
        Index into the histories of the best monitored value (-1 if none ran).
    epochs_run : int
        Epochs completed in total, including those before a resume.
    stopped_early : bool
        Stopped before ``max_epochs`` for any reason in ``stop_reason``.
    stop_reason : str
        ``"max_epochs"``, ``"patience"``, ``"callback"``, ``"non_finite_loss"``,
        ``"diverged"`` (the training objective rose above :data:`DIVERGENCE_FACTOR` times
        its value at the starting weights) or ``"interrupted"`` (a Ctrl-C; the weights are
        those reached, and code that publishes results must not treat them as a finished
        fit). Both divergence reasons also issue a :class:`DivergenceWarning`.
    monitor : str
        ``"val_loss"`` (early stopping) or ``"train_loss"``.
    restored_best : bool
        The weights are those of ``best_epoch`` (early stopping), not the last ones.
    fit_seconds : float
        Wall time of this call.
    final_train_loss, final_val_loss : float, float or None
        Data loss (no penalty) of the returned weights on all training rows
        (weighted by ``sample_weight``) and on the validation rows.
    final_penalty : float
        Every penalty of the returned weights; ``final_train_loss + final_penalty``
        is the objective.
    n_steps : int
        Optimizer steps taken in this call.
    start_epoch : int
        Epochs already done when this call started (non-zero after a resume).
    interrupted : bool
        A KeyboardInterrupt stopped training; the result is still complete.
    """

    train_losses: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    best_epoch: int = -1
    epochs_run: int = 0
    stopped_early: bool = False
    stop_reason: str = "max_epochs"
    monitor: str = "train_loss"
    restored_best: bool = False
    fit_seconds: float = 0.0
    final_train_loss: float = math.nan
    final_val_loss: float | None = None
    final_penalty: float = 0.0
    n_steps: int = 0
    start_epoch: int = 0
    interrupted: bool = False

    @property
    def diverged(self) -> bool:
        """Training blew up (``non_finite_loss`` or ``diverged``): the weights are unusable."""
        return self.stop_reason in ("non_finite_loss", "diverged")

    @property
    def final_objective(self) -> float:
        """``final_train_loss + final_penalty``."""
        return self.final_train_loss + self.final_penalty

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values."""
        return asdict(self)
