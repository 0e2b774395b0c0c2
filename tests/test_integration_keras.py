"""Keras 3 integration: the layers' regularizers as proximal steps (torch backend here, JAX in a subprocess).

Must be true: the Keras prox is netreg's ElasticNet prox (to 1e-6); a fit keeps Keras's
objective (same validation score) and gives exact zeros Keras never gives; under Keras's
Adam the prox takes Adam's own step, so a linear model lands on the lasso solution.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("these tests run Keras on its torch backend", allow_module_level=True)

import netreg as nr  # noqa: E402
from netreg.integrations.keras import ProxRegularizer, audit, penalty_of, prox  # noqa: E402


def _data(n: int = 200, p: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype("float32")
    y = (X[:, 0] - 2.0 * X[:, 1] + 0.1 * rng.standard_normal(n)).astype("float32")
    return X, y[:, None]


def _dense_net(regularizer, constraint=None, seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(
                16,
                "relu",
                kernel_regularizer=regularizer,
                kernel_constraint=constraint,
                name="hidden",
            ),
            keras.layers.Dense(1, kernel_regularizer=regularizer, name="out"),
        ],
        name="net",
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


@pytest.mark.parametrize("penalty", [nr.L1(0.3), nr.L2(0.2), nr.ElasticNet(0.3, 0.2)])
def test_the_keras_prox_is_netregs_prox(penalty):
    w = torch.randn(40, 5, dtype=torch.float64)
    l1, l2 = penalty.get_config().get("l1", 0.0), penalty.get_config().get("l2", 0.0)
    for step in (0.5, torch.rand(40, 5, dtype=torch.float64)):
        got = prox(keras.ops.convert_to_tensor(w), step, l1, l2)
        torch.testing.assert_close(torch.as_tensor(got), penalty.prox(w, step), rtol=0, atol=1e-6)


def test_keras_regularizers_read_as_the_same_penalty_value():
    w = np.random.default_rng(1).standard_normal((6, 3)).astype("float32")
    for regularizer in (
        keras.regularizers.L1(0.1),
        keras.regularizers.L2(0.2),
        keras.regularizers.L1L2(0.1, 0.2),
    ):
        penalty = penalty_of(regularizer)
        keras_value = float(regularizer(keras.ops.convert_to_tensor(w)))
        assert float(penalty.value(torch.from_numpy(w))) == pytest.approx(keras_value, rel=1e-6)


def test_fit_keeps_the_objective_and_gives_exact_zeros():
    X, y = _data()
    Xv, yv = _data(seed=1)
    regularizer = keras.regularizers.L1L2(l1=0.01, l2=0.001)
    scores, zeros = {}, {}
    for mode in ("keras", "prox"):
        model = _dense_net(regularizer, keras.constraints.MaxNorm(2.0))
        callbacks = [ProxRegularizer()] if mode == "prox" else []
        model.fit(X, y, epochs=30, batch_size=32, verbose=0, callbacks=callbacks, shuffle=False)
        scores[mode] = float(np.mean((model.predict(Xv, verbose=0) - yv) ** 2))
        kernel = keras.ops.convert_to_numpy(model.layers[0].kernel)
        zeros[mode] = int((kernel == 0).sum())
        assert np.linalg.norm(kernel, axis=0).max() <= 2.0 + 1e-5  # MaxNorm still holds
        assert model.layers[0].kernel.regularizer is not None  # put back after fit
    assert zeros["keras"] == 0 and zeros["prox"] > 40  # most of the 8 noise inputs' weights
    assert scores["prox"] == pytest.approx(scores["keras"], abs=0.05)
    assert scores["prox"] < 0.2


def test_under_adam_the_prox_takes_adams_step_and_finds_the_lasso():
    """Keras L1(l1) on an MSE loss is sklearn's Lasso(alpha=l1/2) (SEMANTICS.md)."""
    from sklearn.linear_model import Lasso

    X, y = _data(n=100, p=10)
    l1 = 0.2
    coef = Lasso(alpha=l1 / 2, tol=1e-8, max_iter=100_000).fit(X, y[:, 0]).coef_
    X_steps, y_steps = np.tile(X, (800, 1)), np.tile(y, (800, 1))  # 800 full-batch steps
    got = {}
    for step in ("auto", "lr"):
        keras.utils.set_random_seed(0)
        layer = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L1(l1))
        model = keras.Sequential([keras.Input((10,)), layer])
        model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
        callback = ProxRegularizer(step=step)
        model.fit(X_steps, y_steps, batch_size=100, shuffle=False, verbose=0, callbacks=[callback])
        got[step] = keras.ops.convert_to_numpy(layer.kernel)[:, 0]
    assert np.array_equal(got["auto"] == 0, coef == 0)  # the lasso's support, exactly
    np.testing.assert_allclose(got["auto"], coef, atol=2e-3)
    # the learning rate as the step under Adam: a fixed point of another objective
    assert np.abs(got["lr"] - coef).max() > 5e-2


def test_penalties_argument_replaces_a_layers_regularizer_and_audit_says_so():
    model = _dense_net(None)
    lines = audit(model, {"net/hidden/kernel": nr.L1(0.05)})
    by_name = {line["variable"]: line for line in lines}
    assert sorted(by_name) == [
        "net/hidden/bias",
        "net/hidden/kernel",
        "net/out/bias",
        "net/out/kernel",
    ]
    assert by_name["net/hidden/kernel"]["penalty"] == "L1(l1=0.05)"
    assert by_name["net/hidden/kernel"]["source"] == "penalties['net/hidden/kernel']"
    assert "not penalized" in next(
        line["note"] for line in lines if line["variable"].endswith("bias")
    )
    X, y = _data()
    model.fit(
        X, y, epochs=3, verbose=0, callbacks=[ProxRegularizer({"net/hidden/kernel": nr.L1(0.05)})]
    )
    assert int((keras.ops.convert_to_numpy(model.layers[0].kernel) == 0).sum()) > 0


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="step"):
        ProxRegularizer(step="adam")
    with pytest.raises(TypeError, match="group penalties"):
        ProxRegularizer({"*kernel": nr.GroupLasso(0.1)})
    with pytest.raises(TypeError, match="penalties must map"):
        ProxRegularizer([nr.L1(0.1)])
    model = _dense_net(None)
    with pytest.raises(ValueError, match=r"globs \['nothing\*'\] match no trainable variable"):
        model.fit(
            *_data(), epochs=1, verbose=0, callbacks=[ProxRegularizer({"nothing*": nr.L1(0.1)})]
        )
    with pytest.raises(ValueError, match="OrthogonalRegularizer"):
        penalty_of(keras.regularizers.OrthogonalRegularizer(0.1), "dense/kernel")
    # a layer whose regularizer has no prox is named, and no other layer loses its own
    model = _dense_net(keras.regularizers.L1(0.01))
    model.layers[1].kernel.regularizer = keras.regularizers.OrthogonalRegularizer(0.1)
    with pytest.raises(ValueError, match=r"net/out/kernel: .*OrthogonalRegularizer"):
        model.fit(*_data(), epochs=1, verbose=0, callbacks=[ProxRegularizer()])
    assert model.layers[0].kernel.regularizer is not None


JAX_SCRIPT = textwrap.dedent(
    """
    import numpy as np, keras, torch, netreg as nr
    from netreg.integrations.keras import ProxRegularizer, prox
    assert keras.backend.backend() == "jax"
    w = np.random.default_rng(0).standard_normal((8, 4))
    got = np.asarray(prox(keras.ops.convert_to_tensor(w), 0.5, 0.3, 0.2))
    want = nr.ElasticNet(0.3, 0.2).prox(torch.from_numpy(w), 0.5).numpy()
    assert np.abs(got - want).max() < 1e-6
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 10)).astype("float32"); y = X[:, :1] - 2 * X[:, 1:2]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(8, kernel_regularizer=keras.regularizers.L1(0.02)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(X, y, epochs=20, batch_size=50, verbose=0, callbacks=[ProxRegularizer()])
    print("zeros", int((np.asarray(model.layers[0].kernel.value) == 0).sum()))
    """
)


def test_the_same_callback_runs_on_the_jax_backend():
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, "-c", JAX_SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.split("zeros")[-1]) > 0


@pytest.mark.slow  # two 40-epoch fits of the seed network: a minute or two on 2 cores
def test_the_seed_network_example_keeps_the_score_and_gives_exact_zeros():
    example = Path(__file__).resolve().parents[1] / "examples" / "keras_dense_regularizer.py"
    env = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    keras_row, prox_row = done.stdout.strip().splitlines()[-2:]
    keras_mse, prox_mse = float(keras_row.split()[4]), float(prox_row.split()[2])
    assert abs(keras_mse - prox_mse) < 0.05
    assert [z.split("/")[0] for z in keras_row.split()[5:]] == ["0", "0", "0"]
    assert all(int(z.split("/")[0]) > 0 for z in prox_row.split()[3:])
