"""Choose input features with a network's group-lasso path, then relax the chosen model.

The diabetes data with ten columns of pure noise appended: the path drops inputs one by
one as λ grows (dense to sparse, warm starts); for each number of inputs k we keep the
path point of the lowest validation loss, and ``relax`` refits it without the penalty on
its inputs, blended with the point as glmnet's relaxed fit (γ chosen on the same
validation rows). Printed: the inputs kept and the test MSE before and after relaxing.

Run: python examples/select_features_path.py      (about 5 seconds on 2 cores)
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import netreg as nr
from netreg.path import rebuild, regularization_path, relax
from netreg.train import FitConfig, mlp, predict

CONFIG = FitConfig(optimizer="sgd", lr=0.1, momentum=0.9, batch_size=None, max_epochs=100)


def load(seed: int = 0) -> tuple[np.ndarray, ...]:
    """Standardized train / validation / test rows; columns 10-19 are noise."""
    rng = np.random.default_rng(seed)
    X, y = load_diabetes(return_X_y=True)
    X = np.hstack([X, rng.normal(size=(len(X), 10))])
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=seed)
    mu, sd, y_mu, y_sd = X_tr.mean(0), X_tr.std(0), y_tr.mean(), y_tr.std()
    X_tr, X_te, y_tr, y_te = (
        (X_tr - mu) / sd,
        (X_te - mu) / sd,
        (y_tr - y_mu) / y_sd,
        (y_te - y_mu) / y_sd,
    )
    X_fit, X_val, y_fit, y_val = train_test_split(X_tr, y_tr, test_size=0.2, random_state=seed)
    return X_fit, X_val, X_te, y_fit, y_val, y_te


def main() -> None:
    X_fit, X_val, X_te, y_fit, y_val, y_te = load()
    model = mlp(X_fit.shape[1], (32,), seed=0)
    # λ multiplies the plan: group lasso on the columns of the input layer (one group per input)
    plan = nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})
    path = regularization_path(model, X_fit, y_fit, plan, config=CONFIG, X_val=X_val, y_val=y_val)

    def test_mse(fitted) -> float:
        return float(np.mean((predict(fitted, X_te, task="regression") - y_te) ** 2))

    print(f"{len(path.lambdas)} λ from {path.lambdas.min():.2g} to {path.lambdas.max():.2g}")
    print(f"{'k':>2}  {'inputs kept':<28} {'test MSE':>8}  {'relaxed':>7}  γ")
    sizes = sorted({len(s) for s in path.selected_inputs if 0 < len(s) <= 8})
    for k in sizes:
        points = [i for i, s in enumerate(path.selected_inputs) if len(s) == k]
        i = min(points, key=lambda j: path.val_loss[j])  # the best point for k, on validation
        relaxed = relax(model, path, i, X_fit, y_fit, config=CONFIG, X_val=X_val, y_val=y_val)
        kept = ",".join(str(j) for j in path.selected_inputs[i])
        print(
            f"{k:>2}  {kept:<28} {test_mse(rebuild(model, path, i)):8.3f}  "
            f"{test_mse(relaxed.model):7.3f}  {relaxed.gamma:g}"
        )
    print("columns 10-19 are noise; a lower test MSE is better")


if __name__ == "__main__":
    main()
