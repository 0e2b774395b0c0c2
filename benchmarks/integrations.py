"""Overhead per training step of netreg's integrations, each against its framework without netreg.

Run: ``python benchmarks/integrations.py [--steps N]``. For each framework the same model
trains with and without netreg, alternately, ``--repeats`` times, each run in a fresh
interpreter; a run's step time is the
median interval between consecutive batch-end callbacks (setup excluded), and the table
shows the fastest run of each (the one least disturbed by other processes). The plain
torch loop with and without ``reg.attach`` is netreg's own hook, for reference. Prints
a markdown table (docs/integrations.md holds one run's).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable

os.environ.setdefault("KERAS_BACKEND", "torch")

import torch
from torch import nn

import netreg as nr

WIDTH, BATCH, INPUTS = 256, 64, 32


def _intervals(times: list[float]) -> float:
    gaps = [b - a for a, b in itertools.pairwise(times[2:])]  # the first steps warm up
    return statistics.median(gaps)


def _data(steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(steps * BATCH, INPUTS, generator=g)
    return X, X[:, :1] - 2 * X[:, 1:2]


def _mlp() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(INPUTS, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, 1)
    )


def _plan() -> nr.Plan:
    return nr.Plan({nr.select.weights(nn.Linear): nr.L1(1e-4)})


def torch_loop(steps: int, netreg: bool) -> float:
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    if netreg:
        _plan().bind(model).attach(opt)
    X, y = _data(steps)
    times = []
    for i in range(steps):
        xb, yb = X[i * BATCH : (i + 1) * BATCH], y[i * BATCH : (i + 1) * BATCH]
        opt.zero_grad()
        nn.functional.mse_loss(model(xb), yb).backward()
        opt.step()
        times.append(time.perf_counter())
    return _intervals(times)


def lightning(steps: int, netreg: bool) -> float:
    import lightning.pytorch as pl

    from netreg.integrations.lightning import NetRegCallback

    class Timer(pl.Callback):
        def __init__(self) -> None:
            self.times: list[float] = []

        def on_train_batch_end(self, *args: object) -> None:
            self.times.append(time.perf_counter())

    class Module(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = _mlp()

        def training_step(self, batch: list[torch.Tensor], i: int) -> torch.Tensor:
            return nn.functional.mse_loss(self.net(batch[0]), batch[1])

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    timer = Timer()
    callbacks = [NetRegCallback(_plan()), timer] if netreg else [timer]
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(*_data(steps)), batch_size=BATCH
    )
    trainer = pl.Trainer(
        accelerator="cpu", max_epochs=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, callbacks=callbacks,
    )  # fmt: skip
    trainer.fit(Module(), loader)
    return _intervals(timer.times)


def transformers(steps: int, netreg: bool) -> float:
    import transformers as hf

    from netreg.integrations.transformers import NetRegTrainerCallback

    class Timer(hf.TrainerCallback):
        def __init__(self) -> None:
            self.times: list[float] = []

        def on_step_end(self, *args: object, **kwargs: object) -> None:
            self.times.append(time.perf_counter())

    config = hf.BertConfig(vocab_size=100, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256, max_position_embeddings=32, num_labels=2)  # fmt: skip
    torch.manual_seed(0)
    model = hf.BertForSequenceClassification(config)
    ids = torch.randint(0, 100, (steps * 16, 16), generator=torch.Generator().manual_seed(0))
    data = [{"input_ids": row, "labels": int(row[0] % 2)} for row in ids]
    timer = Timer()
    plan = nr.Plan({nr.select.name("*intermediate.dense.weight"): nr.GroupLasso(1e-3)})
    callbacks = [NetRegTrainerCallback(plan), timer] if netreg else [timer]
    with tempfile.TemporaryDirectory() as out:
        args = hf.TrainingArguments(out, per_device_train_batch_size=16, max_steps=steps, report_to=[], save_strategy="no", use_cpu=True, disable_tqdm=True, logging_strategy="no")  # fmt: skip
        hf.Trainer(model=model, args=args, train_dataset=data, callbacks=callbacks).train()
    return _intervals(timer.times)


def keras(steps: int, netreg: bool) -> float:
    import keras as K

    from netreg.integrations.keras import ProxRegularizer

    class Timer(K.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_train_batch_end(self, batch: int, logs: object = None) -> None:
            self.times.append(time.perf_counter())

    K.utils.set_random_seed(0)
    regularizer = K.regularizers.L1(1e-4)
    layers = [K.layers.Dense(WIDTH, "relu", kernel_regularizer=regularizer) for _ in range(2)]
    model = K.Sequential(
        [K.Input((INPUTS,)), *layers, K.layers.Dense(1, kernel_regularizer=regularizer)]
    )
    model.compile(optimizer=K.optimizers.Adam(1e-3), loss="mse")
    timer = Timer()
    X, y = _data(steps)
    callbacks = [ProxRegularizer(), timer] if netreg else [timer]
    model.fit(X.numpy(), y.numpy(), batch_size=BATCH, epochs=1, verbose=0, shuffle=False, callbacks=callbacks)  # fmt: skip
    return _intervals(timer.times)


RUNS: dict[str, tuple[Callable[[int, bool], float], str]] = {
    "torch loop (netreg's own hook)": (torch_loop, "L1 prox, Adam's step"),
    "Lightning Trainer": (lightning, "L1 prox via NetRegCallback"),
    "HF Trainer, BERT 2×64": (transformers, "GroupLasso on FFN units"),
    "Keras 3 (torch backend)": (keras, "L1 regularizer: Keras's loss vs netreg's prox"),
}


def _measure(name: str, netreg: bool, steps: int) -> float:
    """One run in a fresh interpreter: what one configuration leaves behind (thread pools,
    caches) must not slow the next one."""
    command = [sys.executable, __file__, "--one", name, "--steps", str(steps)]
    done = subprocess.run(command + (["--netreg"] if netreg else []), capture_output=True, text=True, check=True)  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--one", choices=list(RUNS), help="run one configuration and print its step time"
    )
    parser.add_argument("--netreg", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    if args.one:
        print(RUNS[args.one][0](args.steps, args.netreg))
        return
    print(f"torch {torch.__version__}, 1 thread, {args.steps} steps, best of {args.repeats} runs\n")
    print("| framework | netreg does | without (ms/step) | with netreg (ms/step) | overhead |")
    print("|---|---|---:|---:|---:|")
    for name, (_, what) in RUNS.items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeats):
            for netreg in (False, True):  # side by side, alternating
                times[netreg].append(_measure(name, netreg, args.steps))
        base, with_ = (min(times[k]) * 1e3 for k in (False, True))
        print(f"| {name} | {what} | {base:.2f} | {with_:.2f} | {with_ / base:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
