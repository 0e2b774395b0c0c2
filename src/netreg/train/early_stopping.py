"""EarlyStopping: patience on a monitored loss, with the best weights kept aside.

The rule is scikit-learn's: an epoch improves when its value is below
``best − tol``; after ``patience`` epochs in a row without improvement, training
stops. With ``restore_best=True`` the model's state (parameters and buffers) at
the best epoch is copied aside at every improvement and put back by ``restore``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from netreg._validation import check_float, check_int


class EarlyStopping:
    """Patience bookkeeping for one monitored value (lower is better).

    Parameters
    ----------
    patience : int >= 1 or None
        Epochs without improvement before ``should_stop``; None never stops.
    tol : float >= 0
        Minimum decrease that counts as an improvement.
    restore_best : bool
        Keep a copy of the model's state at the best epoch.

    Examples
    --------
    >>> from netreg.train import EarlyStopping
    >>> stopper = EarlyStopping(patience=2, tol=0.0)
    >>> [stopper.update(v, epoch) for epoch, v in enumerate([3.0, 2.0, 2.5, 2.0])]
    [True, True, False, False]
    >>> stopper.should_stop, stopper.best_epoch
    (True, 1)
    """

    def __init__(self, patience: int | None = 10, tol: float = 1e-4, *, restore_best: bool = False):
        self.patience = None if patience is None else check_int("patience", patience, low=1)
        self.tol = check_float("tol", tol, low=0.0)
        self.restore_best = bool(restore_best)
        self.best = math.inf
        self.best_epoch = -1
        self.wait = 0
        self.best_state: dict[str, Tensor] | None = None

    def update(self, value: float, epoch: int, model: nn.Module | None = None) -> bool:
        """Record epoch ``epoch``'s ``value``; True when it improved on the best.

        A NaN never improves. With ``restore_best`` the ``model`` is required and its
        state is copied at each improvement.
        """
        improved = value < self.best - self.tol  # False for NaN
        if improved:
            self.best, self.best_epoch, self.wait = float(value), int(epoch), 0
            if self.restore_best:
                if model is None:
                    raise ValueError(
                        "EarlyStopping(restore_best=True).update needs the model. Received: model=None"
                    )
                self._snapshot(model)
        else:
            self.wait += 1
        return improved

    @property
    def should_stop(self) -> bool:
        """True once ``patience`` epochs in a row have not improved."""
        return self.patience is not None and self.wait >= self.patience

    def restore(self, model: nn.Module) -> bool:
        """Load the best state into ``model``; False when there is none to load."""
        if not self.restore_best or self.best_state is None:
            return False
        model.load_state_dict(self.best_state)
        return True

    def _snapshot(self, model: nn.Module) -> None:
        state = model.state_dict()
        with torch.no_grad():
            if self.best_state is None or self.best_state.keys() != state.keys():
                self.best_state = {k: v.detach().clone() for k, v in state.items()}
            else:
                # Reuse the buffers: no allocation per improvement.
                for key, value in state.items():
                    self.best_state[key].copy_(value)

    # -- checkpoints ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Best value, its epoch, the patience counter and (if kept) the best weights."""
        return {
            "best": None if math.isinf(self.best) else self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "best_state": self.best_state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.best = math.inf if state["best"] is None else float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        best_state = state.get("best_state")
        self.best_state = (
            None if best_state is None else {k: v.clone() for k, v in best_state.items()}
        )
