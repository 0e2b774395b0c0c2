"""Bundled data sets that load offline, and a synthetic sparse-signal generator.

Every frame returned here carries ``df.attrs["target"]`` (the target column) and
``df.attrs["task"]`` (``"regression"`` or ``"classification"``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import numpy as np
import pandas as pd

from netreg._validation import check_choice, check_float, check_int


def _sklearn(loader_name: str, task: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from sklearn import datasets

        bunch = getattr(datasets, loader_name)(as_frame=True)
        df = bunch.frame.copy()
        df.attrs.update(target="target", task=task, source=f"sklearn.datasets.{loader_name}")
        return df

    return load


def load_prostate() -> pd.DataFrame:
    """The prostate cancer data (Stamey et al., 1989) as used in ESL and by Zou & Hastie (2005).

    97 rows: eight predictors (lcavol, lweight, age, lbph, svi, lcp, gleason, pgg45), the
    response ``lpsa``, and a boolean ``train`` column marking the 67 training rows (the other 30
    are the test rows). ``train`` is not a feature: drop it before fitting
    (``df.attrs["split"] == "train"``).
    """
    text = resources.files("netreg.data").joinpath("embedded", "prostate.tsv")
    with resources.as_file(text) as path:
        df = pd.read_csv(path, sep="\t", index_col=0)
    df.index.name = None
    df["train"] = df["train"].astype(bool)
    df.attrs.update(target="lpsa", task="regression", split="train", source="embedded/prostate.tsv")
    return df


def sparse_signal(
    n: int = 300,
    p: int = 50,
    k: int = 5,
    noise: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A linear regression problem where only ``k`` of ``p`` features carry signal.

    ``X`` has independent standard normal entries; ``k`` columns chosen at random get
    coefficients ``±U(1, 2)`` (random signs), the others 0; ``y = X β + noise · ε`` with
    ``ε ~ N(0, 1)``.

    Parameters
    ----------
    n : int, default 300
        Rows, ``>= 1``.
    p : int, default 50
        Features ``x0 … x{p-1}``, ``>= 1``.
    k : int, default 5
        Informative features, ``0 <= k <= p``.
    noise : float, default 1.0
        Standard deviation of the noise, ``>= 0``.
    seed : int, default 0
        Seed of a :func:`numpy.random.default_rng`; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        Columns ``x0 … x{p-1}`` and ``y``. ``df.attrs["informative"]`` lists the informative
        column names (sorted by index) and ``df.attrs["coef"]`` the ``p`` true coefficients.

    Examples
    --------
    >>> df = sparse_signal(n=100, p=10, k=2, seed=1)
    >>> df.shape, len(df.attrs["informative"])
    ((100, 11), 2)
    """
    n = check_int("n", n, low=1)
    p = check_int("p", p, low=1)
    k = check_int("k", k, low=0, high=p)
    noise = check_float("noise", noise, low=0.0)
    seed = check_int("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    support = np.sort(rng.choice(p, size=k, replace=False))
    coef = np.zeros(p)
    coef[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(1.0, 2.0, size=k)
    y = X @ coef + noise * rng.standard_normal(n)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["y"] = y
    df.attrs.update(
        target="y",
        task="regression",
        informative=[f"x{j}" for j in support],
        coef=coef.tolist(),
        source="netreg.data.sparse_signal",
    )
    return df


_LOADERS: dict[str, Callable[[], pd.DataFrame]] = {
    "breast_cancer": _sklearn("load_breast_cancer", "classification"),
    "diabetes": _sklearn("load_diabetes", "regression"),
    "digits": _sklearn("load_digits", "classification"),
    "prostate": load_prostate,
    "sparse_signal": sparse_signal,
}


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`, sorted.

    Examples
    --------
    >>> list_datasets()
    ['breast_cancer', 'diabetes', 'digits', 'prostate', 'sparse_signal']
    """
    return sorted(_LOADERS)


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled data set by name, offline, as a fresh DataFrame.

    ========================  ===============  ======================================
    name                      task             target column
    ========================  ===============  ======================================
    ``"diabetes"``            regression       ``target`` (sklearn ``load_diabetes``)
    ``"breast_cancer"``       classification   ``target`` (0 malignant, 1 benign)
    ``"digits"``              classification   ``target`` (0–9, 8×8 pixels)
    ``"prostate"``            regression       ``lpsa``; ``train`` marks the 67/30 split
    ``"sparse_signal"``       regression       ``y``; :func:`sparse_signal` defaults
    ========================  ===============  ======================================

    Raises
    ------
    ValueError
        ``name`` is not one of :func:`list_datasets`.

    Examples
    --------
    >>> df = load_dataset("diabetes")
    >>> df.shape, df.attrs["target"]
    ((442, 11), 'target')
    """
    check_choice("name", name, list_datasets())
    return _LOADERS[name]()
