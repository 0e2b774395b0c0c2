"""``advise_frame``: advice straight from a table, through netreg's own checks and encoding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from netreg.advisor.advice import Advice
from netreg.advisor.run import advise
from netreg.data import TableEncoder, prepare_table


def advise_frame(
    df: pd.DataFrame,
    target: str,
    *,
    task: str = "auto",
    impute: str | None = None,
    budget_seconds: float | None = None,
    check: bool = False,
    seed: int = 0,
    **kwargs: Any,
) -> Advice:
    """Advise on a table: :func:`netreg.data.prepare_table`, one-hot + standardize, then :func:`advise`.

    The one-hot columns of each categorical variable form a group, so the advice can recommend
    group lasso to keep or drop whole variables. Warnings from preparing the table (dropped
    constant columns, imputation) are kept in :attr:`Advice.notes`.

    Parameters
    ----------
    df : pandas.DataFrame
        Features and target.
    target : str
        The target column.
    task, impute :
        As in :func:`netreg.data.prepare_table`.
    budget_seconds, check, seed, **kwargs :
        As in :func:`advise`.

    Examples
    --------
    >>> from netreg.data import load_dataset
    >>> advice = advise_frame(load_dataset("diabetes"), "target")
    >>> advice.recommendation.family in {"l1", "l2", "elasticnet", "group", "none"}
    True
    """
    prepared = prepare_table(df, target, task=task, impute=impute, min_rows=10)
    encoder = TableEncoder(categorical=prepared.categorical, impute=prepared.impute)
    X = encoder.fit_transform(prepared.X_frame)
    y: Any = prepared.y
    if prepared.task == "classification" and prepared.classes is not None:
        y = np.asarray(prepared.classes, dtype=object)[prepared.y]
    advice = advise(
        X,
        y,
        feature_names=encoder.output_names,
        groups=encoder.input_of_output,
        task=prepared.task,
        budget_seconds=budget_seconds,
        check=check,
        seed=seed,
        **kwargs,
    )
    advice.notes[:0] = [prepared.task_reason, *prepared.warnings]
    return advice
