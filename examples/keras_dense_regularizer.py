"""The seed texts' Keras example, trained as Keras does it and with netreg's proximal steps.

The texts regularize a Dense network by passing ``kernel_regularizer=L1L2(...)`` to each
layer. This script trains that network on the diabetes data twice from the same start:
once as written (Keras adds the penalty to the loss), once with
``netreg.integrations.keras.ProxRegularizer`` (the same penalty, applied by proximal steps
after each Adam step). It prints the audit, then for each run the validation MSE and the
exact zeros in each kernel: the same objective and about the same score, and exact zeros
where Keras has none.

Run: ``python examples/keras_dense_regularizer.py`` (Keras 3; torch backend unless
``KERAS_BACKEND`` says otherwise).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from netreg.integrations.keras import ProxRegularizer, audit


def network() -> keras.Model:
    """The texts' network: Dense layers, each with kernel_regularizer=L1L2(l1, l2)."""
    keras.utils.set_random_seed(0)
    regularizer = keras.regularizers.L1L2(l1=0.005, l2=0.001)
    model = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(32, activation="relu", kernel_regularizer=regularizer),
            keras.layers.Dense(32, activation="relu", kernel_regularizer=regularizer),
            keras.layers.Dense(1, kernel_regularizer=regularizer),
        ],
        name="texts",
    )
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="mse")
    return model


def main() -> None:
    X, y = load_diabetes(return_X_y=True)
    X = ((X - X.mean(0)) / X.std(0)).astype("float32")
    y = ((y - y.mean()) / y.std()).astype("float32")
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)

    print("what each weight gets:")
    for line in audit(network()):
        print(f"  {line['variable']:<22} {line['shape']:<6} {line['penalty'] or line['note']}")
    print(f"\n{'run':<22} {'val MSE':>8}   exact zeros per kernel")
    for run, callbacks in (
        ("Keras (penalty in loss)", []),
        ("netreg (proximal)", [ProxRegularizer()]),
    ):
        model = network()
        model.fit(X_train, y_train, epochs=40, batch_size=32, verbose=0, callbacks=callbacks)
        mse = float(np.mean((model.predict(X_val, verbose=0)[:, 0] - y_val) ** 2))
        kernels = [keras.ops.convert_to_numpy(layer.kernel) for layer in model.layers]
        zeros = [f"{int((k == 0).sum())}/{k.size}" for k in kernels]
        print(f"{run:<22} {mse:8.3f}   {'  '.join(zeros)}")


if __name__ == "__main__":
    main()
