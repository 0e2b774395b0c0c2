"""Command-line options shared by several commands, each declared once.

An option is a typer ``Annotated`` alias; commands that share a whole set of options take it
as one dataclass parameter (:class:`RunOptions`, :class:`OutputOptions`), which :func:`option_groups` spreads into
the command's signature for typer and gathers back before the command runs. Valid names
(tasks, rules, budgets, backends, penalties) come from :mod:`netreg.choices`, so ``--help``
lists what the commands accept.

Options that a config file may also set default to None here, so that the command can tell
"not given" from a value and apply: command line, then ``--config``, then the default.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from netreg import choices


def one_of(what: str, valid: Iterable[str], default: str | None = None) -> str:
    """A help text that lists the valid names: ``what: a | b | c  [default: a]``."""
    text = f"{what}: {' | '.join(valid)}"
    return f"{text}  [default: {default}]" if default is not None else text


Data = Annotated[Path, typer.Argument(help="A CSV/TSV or Parquet file.", show_default=False)]
SavedModel = Annotated[Path, typer.Argument(help="A model written by `netreg fit --save`.")]
Target = Annotated[str | None, typer.Option("--target", "-t", help="The column to predict.")]
Task = Annotated[str | None, typer.Option(help=one_of("The task", choices.TASKS, "auto"))]
Impute = Annotated[
    str | None,
    typer.Option(
        help=one_of("What fills a missing numeric value (from the training rows)", choices.IMPUTE)
    ),
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
Rule = Annotated[str | None, typer.Option(help=one_of("How CV chooses", choices.RULES, "1se"))]
Budget = Annotated[
    str | None,
    typer.Option(help=one_of("Network size, epochs and grid lengths", choices.BUDGETS, "quick")),
]
Backend = Annotated[
    str | None, typer.Option(help=one_of("Where folds run", choices.CV_BACKENDS, "auto"))
]
Address = Annotated[
    str | None, typer.Option(help="Ray cluster address HOST:PORT (with --backend ray).")
]
Force = Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing output files.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no warnings.")]


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """The options of every command that trains on a table (``compare``, ``path``, ``fit``),
    as given on the command line; None where not given."""

    target: Target = None
    task: Task = None
    impute: Impute = None
    folds: Folds = None
    rule: Rule = None
    seed: Seed = None
    jobs: Jobs = None
    budget: Budget = None
    backend: Backend = None
    address: Address = None
    config: Config = None


@dataclasses.dataclass(frozen=True)
class OutputOptions:
    """Where a command that writes a report and a JSON file writes them, and how loudly."""

    report: ReportPath = None
    json_path: JsonPath = None
    force: Force = False
    quiet: Quiet = False

    def paths(self) -> dict[str, Path | None]:
        """The output paths by the option that names them (for ``check_outputs``)."""
        return {"--report": self.report, "--json": self.json_path}

    def written(self) -> dict[str, Path | None]:
        """The output paths by what they hold (for ``print_written``)."""
        return {"report": self.report, "JSON": self.json_path}


Command = TypeVar("Command", bound=Callable[..., Any])


def option_groups(command: Command) -> Command:
    """Let typer read the fields of ``command``'s dataclass parameters as options.

    typer builds a command's options from its signature, and has no way to share a set of
    options between commands (its maintainers point to a decorator). This is that
    decorator: the returned function's signature (``__signature__``, which
    :func:`inspect.signature` reads first) lists every field of a dataclass parameter in its
    place, and a call gathers those fields back into the dataclass.
    """
    hints = get_type_hints(command, include_extras=True)
    groups: dict[str, Any] = {}
    parameters: list[inspect.Parameter] = []
    for name, declared in inspect.signature(command).parameters.items():
        group = hints[name]
        if dataclasses.is_dataclass(group) and isinstance(group, type):
            groups[name] = group
            fields = get_type_hints(group, include_extras=True)
            parameters += [
                inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                  annotation=fields[f.name])
                for f in dataclasses.fields(group)
            ]  # fmt: skip
        else:
            parameters.append(
                declared.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=group)
            )

    @functools.wraps(command)
    def gathered(**given: Any) -> Any:
        for name, group in groups.items():
            given[name] = group(**{f.name: given.pop(f.name) for f in dataclasses.fields(group)})
        return command(**given)

    gathered.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    gathered.__annotations__ = {p.name: p.annotation for p in parameters}
    return gathered  # type: ignore[return-value]
