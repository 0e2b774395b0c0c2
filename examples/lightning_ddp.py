"""A LightningModule regularized by netreg's callback, trained on 2 CPU processes (DDP, gloo).

Run: ``python examples/lightning_ddp.py [weights.pt]``. Lightning starts the second rank by
running this script again; each rank trains on half of every global batch of 16
(in order: Lightning's own distributed sampler would shuffle). The
plan puts L1 (a proximal step) and MaxNorm on the first layer and L2 in the loss on the
last, through ``NetRegCallback`` and one line in ``training_step``. Rank 0 prints the
share of exact zeros and saves the weights, which equal a single-process run on the
global batches (tests/test_integration_lightning.py checks it).
"""

from __future__ import annotations

import sys

import lightning.pytorch as pl
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

import netreg as nr
from netreg.integrations.lightning import NetRegCallback, penalty

GLOBAL_BATCH = 16


def plan(l2: float = 0.05) -> nr.Plan:
    return nr.Plan(
        {
            nr.select.name("net.0.weight"): [nr.L1(0.05), nr.MaxNorm(0.5)],
            nr.select.name("net.2.weight"): nr.L2(l2),
        }
    )


class Regression(pl.LightningModule):
    def __init__(self, lr: float = 0.1, optimizer: str = "sgd"):
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 1)).double()
        self.lr, self.optimizer = lr, optimizer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], index: int) -> torch.Tensor:
        x, y = batch
        return F.mse_loss(self(x), y) + penalty(self)  # the plan's loss-mode part

    def configure_optimizers(self) -> torch.optim.Optimizer:
        if self.optimizer == "sgd":
            return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9)
        if self.optimizer == "adam":
            return torch.optim.Adam(self.parameters(), lr=self.lr)
        return nr.optim.ProxAdamW(self.parameters(), lr=self.lr, weight_decay=0.0)

    def train_dataloader(self) -> DataLoader:
        """Rank r takes samples r, r+R, ... of each global batch, in order (no shuffling)."""
        ranks, dataset = self.trainer.world_size, data()
        sampler = DistributedSampler(dataset, ranks, self.trainer.global_rank, shuffle=False)
        return DataLoader(dataset, batch_size=GLOBAL_BATCH // ranks, sampler=sampler)


def data(steps: int = 10) -> TensorDataset:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(steps * GLOBAL_BATCH, 6, generator=g, dtype=torch.float64)
    y = X[:, 0] - 2.0 * X[:, 1] + 0.3 * torch.randn(len(X), generator=g, dtype=torch.float64)
    return TensorDataset(X, y)


def trainer(devices: int = 1, **kwargs) -> pl.Trainer:
    options = dict(
        accelerator="cpu",
        devices=devices,
        max_epochs=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    if devices > 1:  # train_dataloader shards the data without Lightning's shuffling sampler
        options.update(strategy="ddp", use_distributed_sampler=False)
    options.update(kwargs)
    return pl.Trainer(**options)


def main(out: str | None) -> None:
    callback = NetRegCallback(plan())
    fit = trainer(devices=2, callbacks=[callback])
    module = Regression()
    fit.fit(module)
    if fit.global_rank == 0:
        weight = module.net[0].weight
        print(f"exact zeros in net.0.weight: {int((weight == 0).sum())} of {weight.numel()}")
        if out:
            torch.save({n: p.detach().clone() for n, p in module.named_parameters()}, out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
