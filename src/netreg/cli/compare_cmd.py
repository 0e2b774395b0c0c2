"""``netreg compare``, ``netreg path`` and ``netreg demo``: train, print, write report and JSON."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from netreg import choices
from netreg.cli import options as opt
from netreg.cli.config import pick
from netreg.cli.errors import handles_user_errors
from netreg.cli.io import check_outputs, json_text, load_table, train_on_table, warn, write_outputs
from netreg.cli.render import print_comparison, print_written, stdout_console, table
from netreg.cli.settings import RunSettings, data_facts, run_settings

if TYPE_CHECKING:
    from netreg.compare import CompareResult
    from netreg.data import PreparedTable

# The library (torch, pandas) is imported inside the commands, so that `--help` is instant.

DEMO_DATASET = "diabetes"
DEMO_REPORT = "netreg-demo.html"
DEMO_JSON = "netreg-demo.json"


def run_and_write(
    prepared: PreparedTable,
    settings: RunSettings,
    methods: list[str],
    *,
    source: str,
    out: opt.OutputOptions,
    title: str | None = None,
) -> CompareResult:
    """Compare ``methods`` on a prepared table, then write the report and the JSON, if asked.

    Both documents are complete in memory before either file is touched.
    """
    from netreg.compare import build_report, compare_methods

    result, diverged = train_on_table(
        compare_methods, prepared, settings.training(),
        methods=methods, progress=not out.quiet, data=data_facts(source, prepared),
    )  # fmt: skip
    if diverged:  # such fits score badly and are not chosen, but never silently
        warn([f"{len(diverged)} fit(s) diverged and were stopped (first: {diverged[0]}) "
              "Set a smaller [model] lr in --config."])  # fmt: skip
    payloads = []
    if out.report is not None:
        payloads.append((out.report, build_report(result, title=title).render()))
    if out.json_path is not None:
        payloads.append((out.json_path, json_text(result.to_dict())))
    write_outputs(payloads, force=out.force)
    return result


def open_run(
    data: Path, settings: RunSettings, out: opt.OutputOptions
) -> tuple[PreparedTable, opt.OutputOptions]:
    """Check the output paths (before any training), then read the table.

    Returns the table and ``out`` with its paths resolved.
    """
    resolved = check_outputs(out.paths(), force=out.force)
    prepared = load_table(
        data, settings.target, task=settings.task, impute=settings.impute, quiet=out.quiet
    )
    out = dataclasses.replace(
        out, report=resolved.get("--report"), json_path=resolved.get("--json")
    )
    return prepared, out


def _methods(given: str | None, configured: list[str] | None) -> list[str]:
    from netreg.compare import METHODS, resolve_methods

    if given is not None:
        return [m.name for m in resolve_methods(given)]
    return [m.name for m in resolve_methods(configured or list(METHODS))]


@handles_user_errors
@opt.option_groups
def compare(
    data: opt.Data,
    run: opt.RunOptions,
    methods: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated subset of: {', '.join(choices.COMPARE_METHODS)}  [default: all]"
        ),
    ] = None,
    test_size: opt.TestSize = None,
    *,
    out: opt.OutputOptions,
) -> None:
    """Train none, L1, L2, Elastic Net, group lasso, dropout and max-norm + dropout, each
    tuned by CV, and compare them on held-out rows."""
    settings = run_settings(run, test_size=test_size)
    chosen = _methods(methods, settings.config.compare.methods)
    prepared, out = open_run(data, settings, out)
    result = run_and_write(prepared, settings, chosen, source=os.fspath(data), out=out)
    console = stdout_console()
    print_comparison(result, console)
    print_written(console, out.written())


@handles_user_errors
@opt.option_groups
def path(
    data: opt.Data,
    run: opt.RunOptions,
    penalty: Annotated[
        str,
        typer.Option(
            help="l1 | l2 | elasticnet | group (α path) or dropout | maxnorm (rate grid)."
        ),
    ] = "l1",
    test_size: opt.TestSize = None,
    *,
    out: opt.OutputOptions,
) -> None:
    """Cross-validate one penalty along its λ path: print the CV curve, plot it and the
    weight paths."""
    from netreg.compare import resolve_methods

    settings = run_settings(run, test_size=test_size)
    (method,) = resolve_methods([penalty])
    if method.search == "none":
        raise ValueError(
            "`penalty` must have a strength to choose: l1, l2, elasticnet, group, dropout or "
            f"maxnorm. Received: penalty={penalty!r}"
        )
    prepared, out = open_run(data, settings, out)
    result = run_and_write(
        prepared, settings, [method.name], source=os.fspath(data), out=out,
        title=f"netreg path: {method.label} on {os.fspath(data)}",
    )  # fmt: skip
    _print_path(result)
    print_written(stdout_console(), out.written())


def _print_path(result: CompareResult) -> None:
    (m,) = result.methods
    cv = m.cv
    parameter = "α" if m.search == "alpha" else "dropout rate"
    norms = m.path_input_norms
    path_alphas = list(m.path_lambdas) if m.path_lambdas is not None else []
    rows = []
    for i, value in enumerate(cv.lambdas):
        marks = " ".join(
            mark for mark, j in (("min", cv.index_min), ("1se", cv.index_1se)) if i == j
        )
        kept = "—"
        if norms is not None and value in path_alphas:
            kept = str(int((norms[path_alphas.index(value)] > 0).sum()))
        rows.append(
            [
                float(value),
                float(cv.mean[i] * m.cv_scale),
                float(cv.se[i] * m.cv_scale),
                kept,
                marks,
            ]
        )
    console = stdout_console()
    console.print(
        table(
            f"{m.label}: CV {result.primary_metric} along the {parameter} grid",
            [parameter, f"CV {result.primary_metric}", "SE", "inputs kept", "choice"],
            rows,
        ),
        markup=False,
        highlight=False,
    )
    console.print(
        f"Chosen {parameter}: {m.strength_text()} ({result.settings['rule']} rule); test "
        f"{result.primary_metric} {m.test[result.primary_metric]:.4g}; "
        f"{len(m.selected_inputs)} of {len(result.input_columns)} inputs kept.",
        markup=False,
        highlight=False,
    )


@handles_user_errors
def demo(
    jobs: opt.Jobs = None,
    quiet: opt.Quiet = False,
) -> None:
    """Compare every method on the bundled diabetes data (no arguments; about a minute).

    Writes netreg-demo.html and netreg-demo.json in the current folder, replacing earlier
    demo outputs.
    """
    from netreg.compare import METHODS
    from netreg.data import load_dataset, prepare_table

    start = time.perf_counter()
    df = load_dataset(DEMO_DATASET)
    target = str(df.attrs.get("target", "target"))
    settings = run_settings(opt.RunOptions(target=target, jobs=jobs, task="regression"))
    out = opt.OutputOptions(
        report=Path(DEMO_REPORT).resolve(), json_path=Path(DEMO_JSON).resolve(), force=True,
        quiet=quiet,
    )  # fmt: skip
    check_outputs(out.paths(), force=True)
    prepared = prepare_table(df, target, task="regression", min_rows=settings.folds)
    if not quiet:
        warn(prepared.warnings)
    result = run_and_write(
        prepared, settings, list(METHODS),
        source=f"{DEMO_DATASET} (scikit-learn's diabetes data: 442 patients, 10 measurements, "
        f"disease progression after one year)",
        out=out, title="netreg demo: seven regularizers on the diabetes data",
    )  # fmt: skip
    console = stdout_console()
    print_comparison(result, console)
    print_written(console, out.written())
    console.print(
        f"Open {out.report} in a browser to see the CV curves, weight paths and learning curves "
        f"({time.perf_counter() - start:.0f} s).",
        markup=False,
        highlight=False,
    )


__all__ = ["compare", "demo", "path", "pick", "run_and_write"]
