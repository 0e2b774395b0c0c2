"""The ``netreg`` command: a typer app whose commands call netreg's public API."""

from __future__ import annotations

from typing import Annotated

import typer

from netreg.cli.compare_cmd import compare, demo, path
from netreg.cli.fit_cmd import fit, predict
from netreg.cli.more_cmd import advise, lab, prune

app = typer.Typer(
    name="netreg",
    help=(
        "Regularization of neural networks on tables: compare L1, L2, Elastic Net, group "
        "lasso, dropout and max-norm, each tuned by cross-validation."
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _settings(
    threads: Annotated[
        int,
        typer.Option(
            min=1,
            help=(
                "Torch threads per process. Small tabular networks run fastest on one thread; "
                "use --jobs to run folds in parallel processes."
            ),
        ),
    ] = 1,
) -> None:
    """Regularization of neural networks on tables."""
    import torch  # here, not at the top: `netreg --help` should not wait for torch

    torch.set_num_threads(threads)


app.command()(compare)
app.command()(path)
app.command()(demo)
app.command()(fit)
app.command()(predict)
app.command()(advise)
app.command()(lab)
app.command()(prune)


def main() -> None:
    """Entry point of the ``netreg`` console script."""
    app()
