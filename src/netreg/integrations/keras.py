"""netreg's penalties on a Keras 3 model: the layers' regularizers become proximal steps.

Keras adds ``kernel_regularizer=L1L2(l1, l2)`` to the loss as ``l1·Σ|w| + l2·Σw²``, the
value of netreg's :class:`~netreg.ElasticNet` (docs/SEMANTICS: the same penalty, added
to the same mean batch loss). Its subgradient never lands a weight on zero.
:class:`ProxRegularizer` keeps that objective and changes how it is minimized: at the
start of ``fit`` it takes each weight's regularizer out of the loss and, after every
optimizer step, applies the penalty's proximal operator to the weight instead, then the
weight's own Keras constraint again. The weights the L1 part has no use for end at
exactly zero; training on the rest is what Keras would do. At the end of ``fit`` the
regularizers are put back, so the model saves and evaluates as it was written.

The step of the prox is the step the optimizer just took (netreg's ``step="auto"``):

- Keras ``SGD``: the learning rate;
- Keras ``Adam`` / ``AdamW``: Adam's own per-coordinate step
  ``lr·√(1−β₂ᵗ)/(√v + ε)`` (Keras puts ε outside the bias correction), so the fixed
  points are the minimizers of ``loss + penalty``, as for netreg's torch optimizers.

``step="lr"`` uses the learning rate for every optimizer (cheaper; for L2 alone it is
decoupled weight decay). Everything is written with ``keras.ops``, so one code path runs
on the torch, JAX and TensorFlow backends.
"""

from __future__ import annotations

import fnmatch
import warnings
from collections.abc import Mapping
from typing import Any

import keras
from keras import ops

from netreg import penalties as P
from netreg._validation import check_choice
from netreg.choices import STEP_RULES
from netreg.penalties import L1, L2, ElasticNet, Penalty

ELEMENTWISE = (L1, L2, ElasticNet)
"""The penalties whose prox acts coordinate by coordinate: the ones Keras layers carry."""


def coefficients(penalty: Penalty) -> tuple[float, float]:
    """``(l1, l2)`` with ``penalty = l1·Σ|w| + l2·Σw²``, read from the penalty's config."""
    if not isinstance(penalty, ELEMENTWISE):
        names = [cls.__name__ for cls in ELEMENTWISE]
        raise TypeError(
            f"The Keras integration applies elementwise penalties ({', '.join(names)}); group "
            f"penalties need netreg's torch Plan. Received: penalty={penalty!r}"
        )
    config = penalty.get_config()
    return float(config.get("l1", 0.0)), float(config.get("l2", 0.0))


def prox(w: Any, step: Any, l1: float, l2: float) -> Any:
    """``ElasticNet(l1, l2).prox(w, step)`` for Keras tensors: ``soft(w, step·l1)/(1 + 2·step·l2)``.

    The proximal operator of :class:`netreg.ElasticNet` (L1 is ``l2 = 0``, L2 is
    ``l1 = 0``), written once with ``keras.ops``; ``step`` is a scalar or a tensor shaped
    like ``w``. The soft threshold is ``sign(w)·max(|w| − t, 0)``: exactly 0 where
    ``|w| ≤ t``.
    """
    shrunk = ops.sign(w) * ops.maximum(ops.abs(w) - step * l1, 0.0)
    return shrunk / (1.0 + 2.0 * step * l2) if l2 else shrunk


def penalty_of(regularizer: Any, where: str = "regularizer") -> Penalty:
    """The netreg penalty equal to a Keras ``L1`` / ``L2`` / ``L1L2`` regularizer (or a netreg one)."""
    if isinstance(regularizer, Penalty):
        return regularizer
    try:
        penalty = P.get(keras.regularizers.serialize(regularizer))
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{where}: the Keras integration reads L1, L2 and L1L2 regularizers; "
            f"{type(regularizer).__name__} has no proximal form in netreg. "
            f"Received: {where}={regularizer!r}"
        ) from err
    assert penalty is not None
    return penalty


def _variables(model: keras.Model) -> list[Any]:
    """Every trainable variable once (layers can share weights)."""
    seen: dict[int, Any] = {}
    for variable in model.trainable_variables:
        seen.setdefault(id(variable), variable)
    return list(seen.values())


def _matching(path: str, penalties: Mapping[str, Any]) -> str | None:
    """The last glob of ``penalties`` that matches ``path`` (later globs win), or None."""
    matches = [glob for glob in penalties if fnmatch.fnmatchcase(path, glob)]
    return matches[-1] if matches else None


def audit(
    model: keras.Model, penalties: Mapping[str, Penalty] | None = None
) -> list[dict[str, str]]:
    """What each trainable weight of ``model`` gets: one dict per variable.

    Keys: ``variable`` (its path), ``shape``, ``penalty`` (as netreg reads it, with
    Keras's strengths), ``source`` (the weight's Keras regularizer, or the glob of
    ``penalties`` that replaces it, as :class:`ProxRegularizer` would), ``constraint``
    and ``note``. Without the callback Keras adds the penalty to the loss; with it the
    penalty is a proximal step.
    """
    lines = []
    for variable in _variables(model):
        regularizer = getattr(variable, "regularizer", None)
        glob = _matching(variable.path, penalties or {})
        source = (penalties or {})[glob] if glob is not None else regularizer
        constraint = getattr(variable, "constraint", None)
        kind = "bias" if variable.path.endswith("bias") else "weight"
        lines.append(
            {
                "variable": variable.path,
                "shape": "×".join(str(s) for s in variable.shape) or "scalar",
                "penalty": penalty_of(source, variable.path).label() if source else "",
                "source": f"penalties[{glob!r}]"
                if glob is not None
                else ("regularizer" if source else ""),
                "constraint": type(constraint).__name__ if constraint is not None else "",
                "note": "" if source else f"not penalized: no regularizer on this {kind}",
            }
        )
    return lines


class ProxRegularizer(keras.callbacks.Callback):
    """During ``fit``: each weight's L1/L2/L1L2 regularizer as a proximal step (exact zeros).

    Parameters
    ----------
    penalties : mapping of str to Penalty, optional
        Extra ``{variable path glob: penalty}`` (``{"*/dense*/kernel": nr.L1(1e-3)}``),
        taking the place of the Keras regularizer of the weights they match.
    step : {"auto", "lr"}, default "auto"
        The step of the prox: the optimizer's own step per coordinate (``auto``) or the
        learning rate (``lr``); see the module docstring.

    Examples
    --------
    >>> import keras  # doctest: +SKIP
    >>> model.fit(x, y, callbacks=[ProxRegularizer()])  # doctest: +SKIP
    """

    def __init__(self, penalties: Mapping[str, Any] | None = None, *, step: str = "auto"):
        super().__init__()
        self.step = check_choice("step", step, STEP_RULES)
        if penalties is not None and not isinstance(penalties, Mapping):
            raise TypeError(
                "penalties must map variable path globs to netreg penalties, e.g. "
                f"{{'*/dense*/kernel': nr.L1(1e-3)}}. Received: penalties={penalties!r}"
            )
        self.penalties: dict[str, Penalty] = {}
        for glob, value in (penalties or {}).items():
            if not isinstance(glob, str):
                raise TypeError(f"penalties keys must be glob strings. Received: key={glob!r}")
            self.penalties[glob] = penalty_of(value, f"penalties[{glob!r}]")
            coefficients(self.penalties[glob])  # a group penalty is refused here, by name
        self.rows: list[tuple[Any, float, float]] = []
        self._moved: list[tuple[Any, Any]] = []  # (variable, its Keras regularizer)
        self._warned = False

    # -- fit ---------------------------------------------------------------------------
    def on_train_begin(self, logs: Any = None) -> None:
        variables = _variables(self.model)
        unused = [
            g for g in self.penalties if not any(_matching(v.path, {g: 0}) for v in variables)
        ]
        if unused:
            raise ValueError(
                f"penalties: the globs {unused} match no trainable variable; variables are "
                f"{[v.path for v in variables][:20]}. Received: penalties={list(self.penalties)}"
            )
        found = []  # all read (and any unreadable regularizer refused) before any is moved
        for variable in variables:
            regularizer = getattr(variable, "regularizer", None)
            glob = _matching(variable.path, self.penalties)
            if glob is None and regularizer is None:
                continue
            penalty = (
                self.penalties[glob] if glob is not None else penalty_of(regularizer, variable.path)
            )
            found.append((variable, regularizer, *coefficients(penalty)))
        self.rows = [(variable, l1, l2) for variable, _, l1, l2 in found]
        self._moved = [(variable, reg) for variable, reg, *_ in found if reg is not None]
        for variable, _ in self._moved:  # out of the loss: the prox takes its place
            variable.regularizer = None

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        sync = getattr(self.model, "jax_state_sync", None)
        if sync is not None:  # JAX keeps the state outside the variables during an epoch
            sync()
        optimizer = getattr(self.model.optimizer, "inner_optimizer", self.model.optimizer)
        for variable, l1, l2 in self.rows:
            step = self._step_of(optimizer, variable)
            variable.assign(prox(variable, step, l1, l2))
            if variable.constraint is not None:  # Keras projected before the prox
                variable.assign(variable.constraint(variable))

    def on_train_end(self, logs: Any = None) -> None:
        for variable, regularizer in self._moved:
            variable.regularizer = regularizer
        self.rows, self._moved = [], []
        # a traced train step (JAX, TF) saw no regularizer in the loss: trace again next fit
        self.model.train_function = None

    # -- steps -------------------------------------------------------------------------
    def _step_of(self, optimizer: Any, variable: Any) -> Any:
        lr = ops.cast(optimizer.learning_rate, variable.dtype)
        if self.step == "lr" or isinstance(optimizer, keras.optimizers.SGD):
            return lr
        if isinstance(optimizer, keras.optimizers.Adam):  # AdamW is an Adam
            return adam_step(optimizer, variable, lr)
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"ProxRegularizer knows the per-coordinate step of SGD, Adam and AdamW; with "
                f"{type(optimizer).__name__} the prox uses the learning rate (step='lr').",
                stacklevel=2,
            )
        return lr


def adam_step(optimizer: Any, variable: Any, lr: Any) -> Any:
    """The step Keras's Adam just took, per coordinate: ``lr·√(1−β₂ᵗ)/(√v + ε)``.

    Keras's update is ``w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)``, i.e. this step times
    the bias-corrected momentum ``m/(1−β₁ᵗ)``; ``t`` is ``optimizer.iterations`` after
    the step. Reads Keras's ``_velocities`` (``_velocity_hats`` under AMSGrad).
    """
    index = optimizer._get_variable_index(variable)
    v = (optimizer._velocity_hats if optimizer.amsgrad else optimizer._velocities)[index]
    t = ops.cast(optimizer.iterations, variable.dtype)
    root_c = ops.sqrt(1.0 - ops.power(ops.cast(optimizer.beta_2, variable.dtype), t))
    return lr * root_c / (ops.sqrt(v) + optimizer.epsilon)
