"""netreg in a Lightning ``Trainer``: one callback binds the plan, attaches it, logs and checkpoints.

::

    reg = NetRegCallback(nr.Plan({nr.select.weights(nn.Linear): nr.L1(1e-3)}))
    trainer = L.Trainer(callbacks=[reg])

    class Module(L.LightningModule):
        def training_step(self, batch, i):
            x, y = batch
            return F.mse_loss(self(x), y) + penalty(self)   # the loss-mode penalties

- ``setup``: the plan is bound to the LightningModule (its own parameters, which DDP
  trains as they are, so names read as in a single process);
- ``on_fit_start``: the regularizer is attached to every optimizer that
  ``configure_optimizers`` returned: prox-mode penalties and constraints after each
  ``optimizer.step()``, with the optimizer's own step (netreg's ``attach``). Return
  :class:`netreg.optim.ProxAdamW` to have L1, Elastic Net and unit group lasso applied
  inside AdamW's update; ``fused=True`` insists on it;
- every ``log_every_n_steps`` steps: ``netreg/penalty`` (the whole penalty, loss and
  prox parts) and ``netreg/zeros/<parameter>`` (the share of exact zeros) to the logger;
- checkpoints carry the regularizer's ``state_dict`` (scale, step count, the rows it was
  bound to), restored on resume.

Under ``strategy="ddp"`` every rank adds the same penalty to its mean batch loss and
DDP averages the gradients, so the penalty counts once; the proximal steps run on
identical weights on every rank (see :mod:`netreg.distributed`).
"""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl
from torch import Tensor

from netreg._validation import check_choice, check_int
from netreg.choices import STEP_RULES
from netreg.integrations._common import check_flag, check_plan, metrics
from netreg.optim import ProxAdamW
from netreg.plan import Plan
from netreg.regularizer import Regularizer


class NetRegCallback(pl.Callback):
    """Binds ``plan`` to the LightningModule and keeps it attached for the whole fit.

    Parameters
    ----------
    plan : Plan
        What to regularize; bound to the LightningModule at ``setup``.
    step : {"auto", "lr"}, default "auto"
        The step of the proximal operators (:meth:`netreg.Regularizer.attach`'s rule).
    fused : bool, default False
        Require every optimizer to be :class:`netreg.optim.ProxAdamW` (the prox inside
        the update, about one pass over the weights) and refuse any other.
    log_every_n_steps : int, optional
        How often to log the penalty and the zero shares; the Trainer's own setting when
        omitted, 0 to log nothing.
    """

    def __init__(
        self,
        plan: Plan,
        *,
        step: str = "auto",
        fused: bool = False,
        log_every_n_steps: int | None = None,
    ):
        self.plan = check_plan("NetRegCallback", plan)
        self.step = check_choice("step", step, STEP_RULES)
        self.fused = check_flag("fused", fused)
        self.log_every_n_steps = (
            None
            if log_every_n_steps is None
            else check_int("log_every_n_steps", log_every_n_steps, low=0)
        )
        self.regularizer: Regularizer | None = None
        self._pending: dict[str, Any] | None = None
        self._attachments: list[Any] = []

    # -- binding and attaching --------------------------------------------------------------
    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        if self.regularizer is None:
            self.regularizer = self.plan.bind(pl_module)
        if self._pending is not None:
            self.regularizer.load_state_dict(self._pending)
            self._pending = None

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        regularizer = self._bound()
        if not trainer.optimizers:
            raise ValueError(
                "NetRegCallback found no optimizer: configure_optimizers must return at least "
                "one for the proximal steps and constraints to follow. Received: optimizers=[]"
            )
        if self.fused:
            others = [type(o).__name__ for o in trainer.optimizers if not isinstance(o, ProxAdamW)]
            if others:
                raise TypeError(
                    "fused=True needs configure_optimizers to return netreg.optim.ProxAdamW "
                    f"(AdamW's arguments). Received: optimizers={others}"
                )
        self._detach()
        self._attachments = [regularizer.attach(o, step=self.step) for o in trainer.optimizers]

    def teardown(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._detach()

    def _detach(self) -> None:
        for attachment in self._attachments:
            attachment.remove()
        self._attachments = []

    def _bound(self) -> Regularizer:
        if self.regularizer is None:
            raise RuntimeError(
                "The plan is bound at the Trainer's setup; call penalty() from training_step "
                "of a module that trains with this callback."
            )
        return self.regularizer

    # -- the loss-mode penalty and logging ----------------------------------------------
    def penalty(self) -> Tensor:
        """The loss-mode penalties, to add to the mean batch loss in ``training_step``."""
        return self._bound().penalty()

    def on_train_batch_end(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any, batch: Any, i: int
    ) -> None:
        every = self.log_every_n_steps
        every = getattr(trainer, "log_every_n_steps", 50) if every is None else every
        if not every or trainer.global_step % every:
            return
        pl_module.log_dict(metrics(self._bound()), on_step=True, on_epoch=False, sync_dist=False)

    # -- checkpoints -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return self.regularizer.state_dict() if self.regularizer is not None else {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not state_dict:
            return
        if self.regularizer is None:  # restored before setup: applied once bound
            self._pending = state_dict
        else:
            self.regularizer.load_state_dict(state_dict)


def callback_of(module: pl.LightningModule) -> NetRegCallback:
    """The :class:`NetRegCallback` of the Trainer that fits ``module``."""
    try:
        callbacks = getattr(module.trainer, "callbacks", [])
    except RuntimeError:  # Lightning's "not attached to a Trainer"
        callbacks = []
    found = [c for c in callbacks if isinstance(c, NetRegCallback)]
    if len(found) != 1:
        raise RuntimeError(
            "penalty(module) needs exactly one NetRegCallback in the Trainer fitting this module. "
            f"Received: {len(found)} NetRegCallback(s)"
        )
    return found[0]


def penalty(module: pl.LightningModule) -> Tensor:
    """``loss + penalty(self)`` in ``training_step``: the loss-mode penalties of the plan."""
    return callback_of(module).penalty()
