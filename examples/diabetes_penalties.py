"""Train one small MLP on scikit-learn's diabetes data under five regularizers.

For each: the validation R², the exact zeros in the weights, and the audit of what was
penalized and how. This is the "three lines in your own loop" usage of netreg:

    reg = nr.Plan({nr.select.weights(nn.Linear): nr.L1(1e-3)}).bind(model)
    reg.attach(optimizer)                # prox step after every optimizer.step()
    loss = data_loss + reg.penalty()     # the smooth, loss-mode part

Run: python examples/diabetes_penalties.py
"""

from __future__ import annotations

import torch
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn

import netreg as nr
from netreg import select

PLANS = {
    "none": None,
    "L1": {select.weights(nn.Linear): nr.L1(2e-3)},
    "L2": {select.weights(nn.Linear): nr.L2(2e-2)},
    "ElasticNet": {select.weights(nn.Linear): nr.ElasticNet(l1=1e-3, l2=5e-4)},
    "GroupLasso": {
        select.input_layer(): nr.GroupLasso(3e-3, groups="inputs"),  # drops input features
        select.name("2.weight"): nr.GroupLasso(3e-3, groups="units"),  # drops hidden neurons
    },
}


def load() -> tuple[torch.Tensor, ...]:
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0)
    mean, std = X_tr.mean(0), X_tr.std(0)
    y_mean, y_std = y_tr.mean(), y_tr.std()
    as_t = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return (
        as_t((X_tr - mean) / std),
        as_t((y_tr - y_mean) / y_std),
        as_t((X_va - mean) / std),
        as_t((y_va - y_mean) / y_std),
    )


def train(
    rules: dict | None, data: tuple[torch.Tensor, ...]
) -> tuple[float, nr.Regularizer | None]:
    X_tr, y_tr, X_va, y_va = data
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    reg = nr.Plan(rules).bind(model) if rules else None
    if reg is not None:
        reg.attach(optimizer)
    g = torch.Generator().manual_seed(0)
    for _ in range(300):
        for idx in torch.randperm(len(X_tr), generator=g).split(64):
            optimizer.zero_grad()
            loss = 0.5 * ((model(X_tr[idx]).squeeze(-1) - y_tr[idx]) ** 2).mean()
            if reg is not None:
                loss = loss + reg.penalty()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        r2 = r2_score(y_va.numpy(), model(X_va).squeeze(-1).numpy())
    return r2, reg


def main() -> None:
    data = load()
    print("netreg demo: a 10→32→16→1 MLP on the diabetes data (Adam, 300 epochs)\n")
    summary = []
    for name, rules in PLANS.items():
        r2, reg = train(rules, data)
        rows = reg.sparsity() if reg else []
        zeros = sum(r.zeros for r in rows)
        total = sum(r.numel for r in rows)
        groups = ", ".join(
            f"{r.name}: {r.zero_groups}/{r.groups} groups zero" for r in rows if r.groups
        )
        summary.append((name, r2, zeros, total, groups))
        print(f"=== {name}: validation R² = {r2:.3f}, exact zeros = {zeros}/{total} {groups}")
        if reg is not None:
            reg.describe()
    print("\nSummary")
    print(f"{'penalty':<12}{'val R²':>8}{'exact zeros':>16}")
    for name, r2, zeros, total, _ in summary:
        print(f"{name:<12}{r2:>8.3f}{f'{zeros}/{total}':>16}")


if __name__ == "__main__":
    main()
