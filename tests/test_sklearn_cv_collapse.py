"""The CV estimators keep the path's model at ``alpha_``: no cold refit to collapse.

On ``sparse_signal(n=300, p=50, k=5, seed=2)`` with a group penalty on the inputs, a fit at
the chosen (strong) alpha started from random weights switches every input off before the
signal is learned and keeps the null model (test R² about 0); the warm path reaches the same
alpha from its dense neighbour with the five true inputs kept. The CV estimator must be the
latter. (Run against a cold refit at ``alpha_``, this test fails.)
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from netreg.data import sparse_signal
from netreg.sklearn import NetRegRegressorCV


def test_group_lasso_cv_keeps_the_warm_path_model_where_a_cold_refit_collapses():
    table = sparse_signal(n=300, p=50, k=5, seed=2)
    X, y = table.drop(columns="y").to_numpy(), table["y"].to_numpy()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    mean, std = X_train.mean(0), X_train.std(0)
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_test = (y_train - y_mean) / y_std, (y_test - y_mean) / y_std
    est = NetRegRegressorCV(
        hidden=(16,),
        penalty="group",
        lr=3e-2,
        batch_size=None,
        max_epochs=60,
        patience=10,
        alphas=[0.1, 0.01],
        cv=2,
        rule="1se",
    ).fit(X_train, y_train)
    assert est.alpha_ == 0.1  # the strong alpha, where a cold fit keeps no input
    index = int(np.flatnonzero(est.path_.lambdas == est.alpha_)[0])
    assert est.selected_features_.tolist() == est.path_.selected_inputs[index]
    assert 0 < len(est.selected_features_) <= 10
    assert est.score(X_test, y_test) > 0.6
