"""One call to fit(): the epoch loop, its bookkeeping, and what a checkpoint holds."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor, nn

from netreg._interrupts import JobInterrupted
from netreg.regularizer import Regularizer
from netreg.train import _rng
from netreg.train._data import Batchable
from netreg.train.checkpoint import apply_checkpoint, read_checkpoint, save_checkpoint
from netreg.train.config import FitConfig
from netreg.train.early_stopping import EarlyStopping
from netreg.train.losses import data_loss
from netreg.train.predict import eval_mode
from netreg.train.progress import EpochProgress
from netreg.train.result import DIVERGENCE_FACTOR, Callback, DivergenceWarning, FitResult

# Fields that may differ between the run that wrote a checkpoint and the one resuming it.
RESUMABLE_CHANGES = frozenset({"max_epochs", "verbose"})


class _Run:
    """The state of one call to ``fit``: what a checkpoint saves and a resume restores."""

    def __init__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        train: Batchable,
        val: Batchable | None,
        reg: Regularizer | None,
        config: FitConfig,
        callbacks: Sequence[Callback],
        checkpoint: Path | None,
        device: torch.device,
    ):
        self.model, self.optimizer, self.train, self.val = model, optimizer, train, val
        self.reg, self.config, self.callbacks = reg, config, list(callbacks)
        self.checkpoint, self.device = checkpoint, device
        shuffle_seed, self.global_seed = _rng.child_seeds(config.seed)
        self.generator = torch.Generator().manual_seed(shuffle_seed)
        self.monitor = "val_loss" if config.early_stopping else "train_loss"
        self.stopper = EarlyStopping(
            config.patience, config.tol, restore_best=config.early_stopping
        )
        self.train_losses: list[float] = []
        self.val_losses: list[float] = []
        self.start_epoch = 0
        self.n_steps = 0
        self.stop_reason = "max_epochs"
        self.interrupted = False
        self.initial_loss: float | None = None
        self.batch_size = train.n if config.batch_size is None else min(config.batch_size, train.n)
        self.full_batch = self.batch_size == train.n
        self.has_loss_penalty = reg is not None and any(row.loss_penalties for row in reg.rows)
        self.prox_rows = [] if reg is None else [r for r in reg.rows if r.prox_penalty is not None]
        self.progress = EpochProgress(config.max_epochs, enabled=config.verbose)

    # -- the loop ------------------------------------------------------------------------
    def loop(self) -> None:
        self.model.train()
        self.progress.start(len(self.train_losses))
        try:
            for epoch in range(len(self.train_losses), self.config.max_epochs):
                if self.stopper.should_stop:  # a resumed run that had already stopped
                    self.stop_reason = "patience"
                    break
                stop = self._epoch(epoch)
                if stop is not None:
                    self.stop_reason = stop
                    break
        except JobInterrupted:
            raise  # the caller asked that Ctrl-C end the whole job (the CLI does)
        except KeyboardInterrupt:
            self.interrupted, self.stop_reason = True, "interrupted"

    def _epoch(self, epoch: int) -> str | None:
        train_loss = self._train_epoch()
        logs = {"train_loss": train_loss}
        if self.val is not None:
            val_loss = self._val_loss(self.val)
            self.val_losses.append(val_loss)
            logs["val_loss"] = val_loss
        self.train_losses.append(train_loss)
        self.stopper.update(logs[self.monitor], epoch, self.model)
        stop = self._divergence(epoch, train_loss)
        if stop is None and self.stopper.should_stop:
            stop = "patience"
        for callback in self.callbacks:
            if callback(epoch, dict(logs)) is True and stop is None:
                stop = "callback"
        if self.checkpoint is not None:
            self.save(self.checkpoint)
        self.progress.update(epoch, logs)
        return stop

    def _divergence(self, epoch: int, train_loss: float) -> str | None:
        """``non_finite_loss`` or ``diverged`` (with a DivergenceWarning), else None."""
        # The floor keeps a start at (almost) zero loss from flagging every later wiggle.
        limit = DIVERGENCE_FACTOR * max(abs(self.initial_loss or 0.0), 1e-3)
        if math.isfinite(train_loss) and (self.initial_loss is None or train_loss <= limit):
            return None
        reason = "non_finite_loss" if not math.isfinite(train_loss) else "diverged"
        warnings.warn(
            f"fit stopped at epoch {epoch}: the training loss is {train_loss:.3g}, against "
            f"{self.initial_loss:.3g} at the starting weights; training diverged. Lower lr.",
            DivergenceWarning,
            stacklevel=5,
        )
        return reason

    def _train_epoch(self) -> float:
        train, total = self.train, None
        if self.full_batch:
            total = self._step(train.X, train.y, train.weight)
            return float(total)
        order = torch.randperm(train.n, generator=self.generator)
        if train.X.device.type != "cpu":
            order = order.to(train.X.device)
        for index in order.split(self.batch_size):
            weight = None if train.weight is None else train.weight[index]
            objective = self._step(train.X[index], train.y[index], weight) * index.shape[0]
            total = objective if total is None else total + objective
        return float(total) / train.n if total is not None else math.nan

    def _step(self, X: Tensor, y: Tensor, weight: Tensor | None) -> Tensor:
        """One optimizer step; returns the objective at the weights before it (no graph)."""
        self.optimizer.zero_grad(set_to_none=True)
        loss = data_loss(self.config.loss, self.model(X), y, weight)
        if self.has_loss_penalty:
            loss = loss + self.reg.penalty()  # type: ignore[union-attr]  # has_loss_penalty: reg set
        loss.backward()
        objective = loss.detach()
        if self.prox_rows:
            objective = objective + self._prox_value()
        if self.initial_loss is None:  # the reference for divergence: the starting weights
            self.initial_loss = float(objective)
        self.optimizer.step()
        self.n_steps += 1
        return objective

    def _prox_value(self) -> Tensor:
        """The prox-mode penalties' value (the part of the objective not in the loss)."""
        assert self.reg is not None
        return self.reg.prox_value()

    def _val_loss(self, val: Batchable) -> float:
        with eval_mode(self.model):
            return float(data_loss(self.config.loss, self.model(val.X), val.y))

    # -- end -----------------------------------------------------------------------------
    def finish(self) -> FitResult:
        restored = self.stopper.restore(self.model)
        with eval_mode(self.model):
            train = self.train
            final_train = float(
                data_loss(self.config.loss, self.model(train.X), train.y, train.weight)
            )
            final_val = (
                None
                if self.val is None
                else float(data_loss(self.config.loss, self.model(self.val.X), self.val.y))
            )
            penalty = 0.0
            if self.reg is not None and self.has_loss_penalty:
                penalty += float(self.reg.penalty())
            if self.prox_rows:
                penalty += float(self._prox_value())
        epochs = len(self.train_losses)
        return FitResult(
            train_losses=list(self.train_losses),
            val_losses=list(self.val_losses),
            best_epoch=self.stopper.best_epoch,
            epochs_run=epochs,
            stopped_early=self.stop_reason != "max_epochs",
            stop_reason=self.stop_reason,
            monitor=self.monitor,
            restored_best=restored,
            final_train_loss=final_train,
            final_val_loss=final_val,
            final_penalty=penalty,
            n_steps=self.n_steps,
            start_epoch=self.start_epoch,
            interrupted=self.interrupted,
        )

    # -- checkpoints ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        extra = {
            "config": self.config.to_dict(),
            "epoch": len(self.train_losses),
            "initial_loss": self.initial_loss,
            "train_losses": self.train_losses,
            "val_losses": self.val_losses,
            "stopper": self.stopper.state_dict(),
            "rng": {
                "shuffle": self.generator.get_state(),
                "global": _rng.global_rng_state(self.device),
            },
        }
        save_checkpoint(path, self.model, self.optimizer, self.reg, extra)

    def load(self, path: Path) -> None:
        document, tensors = read_checkpoint(path)
        saved = document["extra"].get("config")
        if not isinstance(saved, dict):
            raise ValueError(
                f"{str(path)!r} was not written by fit(): it has no fit config. Received: checkpoint={str(path)!r}"
            )
        current = self.config.to_dict()
        changed = sorted(
            k
            for k in set(saved) | set(current)
            if k not in RESUMABLE_CHANGES and saved.get(k) != current.get(k)
        )
        if changed:
            pairs = ", ".join(f"{k}: {saved.get(k)!r} -> {current.get(k)!r}" for k in changed)
            raise ValueError(
                f"Cannot resume from {str(path)!r}: the config differs in {pairs} (only max_epochs "
                f"and verbose may change on resume). Received: config with {changed}"
            )
        extra = apply_checkpoint(path, document, tensors, self.model, self.optimizer, self.reg)
        self.train_losses = [float(v) for v in extra["train_losses"]]
        self.val_losses = [float(v) for v in extra["val_losses"]]
        self.stopper.load_state_dict(extra["stopper"])
        self.generator.set_state(extra["rng"]["shuffle"])
        _rng.set_global_rng_state(self.device, extra["rng"]["global"])
        self.start_epoch = len(self.train_losses)
        self.initial_loss = extra.get("initial_loss")
