"""netreg in a Hugging Face ``Trainer``: a callback that attaches the plan to its optimizer.

::

    plan = nr.Plan({nr.select.name("*intermediate.dense.weight"): nr.GroupLasso(1e-3)})
    trainer = Trainer(model, args, train_dataset=..., callbacks=[NetRegTrainerCallback(plan)])

At ``on_train_begin`` the plan is bound to the model (inside any DDP wrapper) and
attached to the optimizer the Trainer built, so each optimizer step (once per gradient
accumulation cycle) is followed by the prox-mode penalties and the constraints, with the
optimizer's own step. Every log adds ``netreg/penalty`` and ``netreg/zeros/<parameter>``
(the share of exact zeros).

netreg's defaults already fit transformer blocks: LayerNorm weights, embeddings and
biases are left out unless a selector asks for them (``select.norms()``,
``select.embeddings()``, ``select.biases()``). Two things are specific to Transformers:

- GPT-2's ``Conv1D`` stores its weight as (in, out), the transpose of ``nn.Linear``, so
  netreg's ``groups="units"`` and unit-axis constraints (dim 0) would act on its
  *inputs*: they are refused; ``groups="inputs"`` groups a Conv1D's output units.
- The Trainer computes the loss itself, so loss-mode penalties are refused unless
  ``loss_mode=True`` says that a ``compute_loss`` override adds ``callback.penalty()``.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor
from transformers import TrainerCallback
from transformers.pytorch_utils import Conv1D

from netreg._validation import check_choice
from netreg.choices import STEP_RULES
from netreg.distributed import unwrap
from netreg.integrations._common import check_flag, check_plan, metrics
from netreg.plan import Plan
from netreg.regularizer import Regularizer


class NetRegTrainerCallback(TrainerCallback):
    """Applies ``plan``'s proximal steps and constraints after each optimizer step of a Trainer.

    Parameters
    ----------
    plan : Plan
        What to regularize; bound to the Trainer's model at ``on_train_begin``.
    step : {"auto", "lr"}, default "auto"
        The step of the proximal operators (see :meth:`netreg.Regularizer.attach`).
    loss_mode : bool, default False
        Accept loss-mode penalties (L2 under ``mode="auto"``): you add
        ``callback.penalty()`` to the loss in your ``Trainer.compute_loss``.
    """

    def __init__(self, plan: Plan, *, step: str = "auto", loss_mode: bool = False):
        self.plan = check_plan("NetRegTrainerCallback", plan)
        self.step = check_choice("step", step, STEP_RULES)
        self.loss_mode = check_flag("loss_mode", loss_mode)
        self.regularizer: Regularizer | None = None
        self._attachment: Any = None

    def bind(self, model: Any) -> Regularizer:
        """Bind the plan to ``model`` (once) and check it suits Transformers' layers."""
        if self.regularizer is None:
            regularizer = self.plan.bind(unwrap(model))
            check_rows(regularizer, loss_mode=self.loss_mode)
            self.regularizer = regularizer
        return self.regularizer

    def penalty(self) -> Tensor:
        """The loss-mode penalties, for a ``compute_loss`` override (with ``loss_mode=True``)."""
        if self.regularizer is None:
            raise RuntimeError("penalty() is available once training has begun (on_train_begin).")
        return self.regularizer.penalty()

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        model, optimizer = kwargs.get("model"), kwargs.get("optimizer")
        if model is None or optimizer is None:
            raise RuntimeError(
                "NetRegTrainerCallback needs the Trainer's model and optimizer at on_train_begin. "
                f"Received: model={type(model).__name__}, optimizer={type(optimizer).__name__}"
            )
        regularizer = self.bind(model)
        if self._attachment is not None:
            self._attachment.remove()
        # Accelerate wraps the torch optimizer; the hook belongs on the one that steps.
        self._attachment = regularizer.attach(
            getattr(optimizer, "optimizer", optimizer), step=self.step
        )

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._attachment is not None:
            self._attachment.remove()
            self._attachment = None

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        """Add the penalty and the zero shares to this log and to ``state.log_history``."""
        if self.regularizer is None or logs is None:
            return
        values = metrics(self.regularizer)
        logs.update(values)
        if state.log_history:  # the Trainer appended its own copy of these logs already
            state.log_history[-1].update(values)


def check_rows(regularizer: Regularizer, *, loss_mode: bool) -> None:
    """Refuse what would be wrong in a Trainer: unit groups on Conv1D, unseen loss-mode penalties."""
    problems = []
    for row in regularizer.rows:
        if isinstance(row.module, Conv1D):
            for penalty, _ in row.penalties:
                if getattr(penalty, "groups", None) == "units":
                    problems.append(
                        f"{row.name}: {penalty!r} on a Conv1D, whose weight is (in, out), would "
                        "group its inputs; use groups='inputs' to group its output units"
                    )
            for constraint in row.constraints:
                if constraint.get_config().get("axis") == "units":
                    problems.append(
                        f"{row.name}: {constraint!r} on a Conv1D would bound its inputs' norms; "
                        "give it axis='inputs' to bound each output unit"
                    )
        if not loss_mode and row.loss_penalties:
            problems.append(
                f"{row.name}: {[p for p, m in row.penalties if m == 'loss']} in mode='loss' never "
                "reaches the Trainer's loss; use Plan(..., mode='prox') or add callback.penalty() "
                "in compute_loss and pass loss_mode=True"
            )
    if problems:
        raise ValueError(
            "This plan does not fit the Trainer's model:\n  - " + "\n  - ".join(problems)
        )
