"""Train a regularized MLP with DistributedDataParallel: group lasso on the input layer (drops
whole input features), a max-norm constraint on it, and L2 in the loss on the output layer.

    torchrun --nproc_per_node=2 examples/ddp_train.py           # 2 processes on this machine
    torchrun --nnodes=2 --nproc_per_node=4 --rdzv-backend=c10d \\
             --rdzv-endpoint=HOST:29400 examples/ddp_train.py   # 2 machines, 4 GPUs each
    python examples/ddp_train.py                                 # one process, same result

gloo on CPU, nccl on GPU. The three netreg lines are those of a single process; what
changes under DDP is only where the plan is bound (the inner module) and the data each
rank sees (its share of every global batch):

    reg = netreg.distributed.bind_distributed(plan, ddp)   # plan.bind(ddp.module), checked
    reg.attach(optimizer)                                  # prox + projection after each step
    loss = mean_loss_of_my_share + reg.penalty()           # every rank adds the penalty once

DDP averages gradients over ranks, so the penalty's gradient counts once, and every rank
applies the same prox to the same weights: the ranks stay identical (checked at the end).
"""

from __future__ import annotations

import argparse
import gc
import os

import torch
import torch.distributed as dist
from sklearn.datasets import load_diabetes
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

import netreg as nr
from netreg import select
from netreg.distributed import bind_distributed


def setup() -> tuple[int, int, torch.device]:
    """Join the process group torchrun describes (RANK, WORLD_SIZE, ...); alone without it."""
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cpu")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    return dist.get_rank(), dist.get_world_size(), device


def data(device: torch.device) -> tuple[TensorDataset, tuple[torch.Tensor, torch.Tensor]]:
    X, y = load_diabetes(return_X_y=True)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    train, valid = order[:352], order[352:]
    mean, std, y_mean, y_std = X[train].mean(0), X[train].std(0), y[train].mean(), y[train].std()
    X, y = ((X - mean) / std).to(device), ((y - y_mean) / y_std).to(device)
    return TensorDataset(X[train], y[train]), (X[valid], y[valid])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--global-batch", type=int, default=32)
    parser.add_argument("--lam", type=float, default=0.1, help="group lasso strength on the inputs")
    parser.add_argument(
        "--max-norm", type=float, default=0.3, help="bound on each hidden unit's weight norm"
    )
    args = parser.parse_args()

    rank, world, device = setup()
    if args.global_batch % world:
        raise SystemExit(f"--global-batch must be divisible by the number of processes ({world})")
    train(args, rank, world, device)
    if world > 1:
        # The DDP wrapper is gone with train()'s frame; collect it before the process group:
        # destroying the group under a live DDP reducer can abort gloo at exit (torch 2.13).
        gc.collect()
        dist.destroy_process_group()


def train(args: argparse.Namespace, rank: int, world: int, device: torch.device) -> None:
    train_set, (X_valid, y_valid) = data(device)

    torch.manual_seed(0)  # the same initial weights on every rank (DDP also broadcasts rank 0's)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1)).to(device)
    ddp = (
        DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
        if world > 1
        else model
    )

    plan = nr.Plan(
        {
            select.input_layer(): [
                nr.GroupLasso(args.lam, groups="inputs"),
                nr.MaxNorm(args.max_norm),
            ],
            select.name("2.weight"): nr.L2(1e-3),
        }
    )
    reg = bind_distributed(plan, ddp)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
    reg.attach(optimizer)
    if rank == 0:
        reg.describe()

    # Each rank takes its share of every global batch: world × local = global batch.
    sampler = DistributedSampler(
        train_set, num_replicas=world, rank=rank, shuffle=True, seed=0, drop_last=True
    )
    loader = DataLoader(
        train_set, batch_size=args.global_batch // world, sampler=sampler, drop_last=True
    )
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total = torch.zeros(2, device=device)
        for X, y in loader:
            optimizer.zero_grad()
            mse = ((ddp(X).squeeze(-1) - y) ** 2).mean()
            (mse + reg.penalty()).backward()
            optimizer.step()
            total += torch.stack(
                [mse.detach() * len(y), torch.tensor(float(len(y)), device=device)]
            )
        if world > 1:
            dist.all_reduce(total)
        if rank == 0 and (epoch + 1) % 20 == 0:
            print(f"epoch {epoch + 1:3d}  train mse {float(total[0] / total[1]):.4f}")

    with torch.no_grad():
        r2 = 1 - float(
            ((model(X_valid).squeeze(-1) - y_valid) ** 2).mean() / y_valid.var(unbiased=False)
        )
        kept = model[0].weight.abs().sum(0) != 0
        spread = torch.zeros(1, device=device)
        if world > 1:  # the largest difference of any weight from rank 0's
            for p in model.parameters():
                ref = p.detach().clone()
                dist.broadcast(ref, src=0)
                spread = torch.maximum(spread, (p - ref).abs().max().reshape(1))
            dist.all_reduce(spread, op=dist.ReduceOp.MAX)
    if rank == 0:
        print(f"processes: {world}  validation R²: {r2:.3f}")
        print(
            f"input features kept: {int(kept.sum())} of {kept.numel()} {kept.nonzero().flatten().tolist()}"
        )
        print(
            f"max unit norm of the input layer: {float(model[0].weight.detach().norm(dim=1).max()):.4f} (≤ {args.max_norm:g})"
        )
        print(f"largest weight difference between ranks: {float(spread):.1e}")


if __name__ == "__main__":
    main()
