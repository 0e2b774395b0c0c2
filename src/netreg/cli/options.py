"""Command-line options shared by several commands (typer ``Annotated`` aliases).

Options that a config file may also set default to None here, so that the command can tell
"not given" from a value and apply: command line, then ``--config``, then the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Data = Annotated[Path, typer.Argument(help="A CSV/TSV or Parquet file.", show_default=False)]
Target = Annotated[str | None, typer.Option("--target", "-t", help="The column to predict.")]
Task = Annotated[
    str | None,
    typer.Option(help="auto | regression | classification  [default: auto]"),
]
Impute = Annotated[
    str | None,
    typer.Option(help="Fill missing numeric features with the training mean | median."),
]
Config = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML or YAML file of options (see docs/cli.md)."),
]
ReportPath = Annotated[Path | None, typer.Option("--report", help="Write the HTML report here.")]
JsonPath = Annotated[Path | None, typer.Option("--json", help="Write the JSON results here.")]
Seed = Annotated[
    int | None, typer.Option(help="Seed of the split, folds and networks  [default: 0]")
]
Jobs = Annotated[
    int | None, typer.Option("--jobs", "-j", help="Folds run in parallel  [default: 1]")
]
TestSize = Annotated[
    float | None, typer.Option(help="Fraction of rows held out for testing  [default: 0.2]")
]
Folds = Annotated[int | None, typer.Option(help="Cross-validation folds  [default: 5]")]
Rule = Annotated[str | None, typer.Option(help="1se | min: how CV chooses  [default: 1se]")]
Budget = Annotated[
    str | None,
    typer.Option(help="quick | full: network size, epochs and grid lengths  [default: quick]"),
]
Backend = Annotated[
    str | None,
    typer.Option(help="Where folds run: auto | serial | process | ray  [default: auto]"),
]
Address = Annotated[
    str | None, typer.Option(help="Ray cluster address HOST:PORT (with --backend ray).")
]
Force = Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing output files.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no warnings.")]
