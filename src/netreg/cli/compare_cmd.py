"""``netreg compare``, ``netreg path`` and ``netreg demo``: train, print, write report and JSON."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from netreg.cli import options as opt
from netreg.cli.config import load_config, pick
from netreg.cli.errors import handles_user_errors
from netreg.cli.io import (
    check_outputs,
    divergences,
    json_text,
    load_table,
    warn,
    write_outputs,
)
from netreg.cli.render import print_comparison, stdout_console, table
from netreg.cli.settings import RunSettings, data_facts, run_settings
from netreg.compare import (
    METHODS,
    CompareResult,
    build_report,
    compare_methods,
    resolve_methods,
)
from netreg.data import PreparedTable, load_dataset, prepare_table

DEMO_DATASET = "diabetes"
DEMO_REPORT = "netreg-demo.html"
DEMO_JSON = "netreg-demo.json"


def run_and_write(
    prepared: PreparedTable,
    settings: RunSettings,
    methods: list[str],
    *,
    source: str,
    report: Path | None,
    json_path: Path | None,
    force: bool,
    quiet: bool,
    title: str | None = None,
) -> CompareResult:
    """Compare ``methods`` on a prepared table, then write the report and the JSON, if asked.

    Both documents are complete in memory before either file is touched.
    """
    with divergences() as diverged:
        result = compare_methods(
            prepared.X_frame,
            prepared.y,
            task=prepared.task,
            categorical=prepared.categorical,
            impute=prepared.impute,
            classes=prepared.classes,
            methods=methods,
            folds=settings.folds,
            rule=settings.rule,
            test_size=settings.test_size,
            seed=settings.seed,
            n_jobs=settings.jobs,
            backend=settings.backend,
            address=settings.address,
            progress=not quiet,
            budget=settings.budget,
            data=data_facts(source, prepared),
        )
    if diverged:  # such fits score badly and are not chosen, but never silently
        warn([f"{len(diverged)} fit(s) diverged and were stopped (first: {diverged[0]}) "
              "Set a smaller [model] lr in --config."])  # fmt: skip
    payloads = []
    if report is not None:
        payloads.append((report, build_report(result, title=title).render()))
    if json_path is not None:
        payloads.append((json_path, json_text(result.to_dict())))
    write_outputs(payloads, force=force)
    return result


def _methods(given: str | None, configured: list[str] | None) -> list[str]:
    if given is not None:
        return [m.name for m in resolve_methods(given)]
    return [m.name for m in resolve_methods(configured or list(METHODS))]


def _written(console: object, report: Path | None, json_path: Path | None) -> None:
    for label, path in (("report", report), ("JSON", json_path)):
        if path is not None:
            console.print(f"Wrote the {label} to {path}", markup=False, highlight=False)  # type: ignore[attr-defined]


@handles_user_errors
def compare(
    data: opt.Data,
    target: opt.Target = None,
    task: opt.Task = None,
    impute: opt.Impute = None,
    methods: Annotated[
        str | None,
        typer.Option(help=f"Comma-separated subset of: {', '.join(METHODS)}  [default: all]"),
    ] = None,
    folds: opt.Folds = None,
    rule: opt.Rule = None,
    test_size: opt.TestSize = None,
    seed: opt.Seed = None,
    jobs: opt.Jobs = None,
    budget: opt.Budget = None,
    backend: opt.Backend = None,
    address: opt.Address = None,
    config: opt.Config = None,
    report: opt.ReportPath = None,
    json_path: opt.JsonPath = None,
    force: opt.Force = False,
    quiet: opt.Quiet = False,
) -> None:
    """Train none, L1, L2, Elastic Net, group lasso, dropout and max-norm + dropout, each
    tuned by CV, and compare them on held-out rows."""
    cfg = load_config(config)
    settings = run_settings(
        cfg, target=target, task=task, impute=impute, folds=folds, rule=rule,
        test_size=test_size, seed=seed, jobs=jobs, backend=backend, address=address, budget=budget,
    )  # fmt: skip
    chosen = _methods(methods, cfg.compare.methods)
    outputs = check_outputs({"--report": report, "--json": json_path}, force=force)
    prepared = load_table(
        data, settings.target, task=settings.task, impute=settings.impute,
        min_rows=2, quiet=quiet,
    )  # fmt: skip
    result = run_and_write(
        prepared, settings, chosen, source=os.fspath(data), report=outputs.get("--report"),
        json_path=outputs.get("--json"), force=force, quiet=quiet,
    )  # fmt: skip
    console = stdout_console()
    print_comparison(result, console)
    _written(console, outputs.get("--report"), outputs.get("--json"))


@handles_user_errors
def path(
    data: opt.Data,
    target: opt.Target = None,
    penalty: Annotated[
        str,
        typer.Option(
            help="l1 | l2 | elasticnet | group (α path) or dropout | maxnorm (rate grid)."
        ),
    ] = "l1",
    task: opt.Task = None,
    impute: opt.Impute = None,
    folds: opt.Folds = None,
    rule: opt.Rule = None,
    test_size: opt.TestSize = None,
    seed: opt.Seed = None,
    jobs: opt.Jobs = None,
    budget: opt.Budget = None,
    backend: opt.Backend = None,
    address: opt.Address = None,
    config: opt.Config = None,
    report: opt.ReportPath = None,
    json_path: opt.JsonPath = None,
    force: opt.Force = False,
    quiet: opt.Quiet = False,
) -> None:
    """Cross-validate one penalty along its λ path: print the CV curve, plot it and the
    weight paths."""
    cfg = load_config(config)
    settings = run_settings(
        cfg, target=target, task=task, impute=impute, folds=folds, rule=rule,
        test_size=test_size, seed=seed, jobs=jobs, backend=backend, address=address, budget=budget,
    )  # fmt: skip
    (method,) = resolve_methods([penalty])
    if method.search == "none":
        raise ValueError(
            "`penalty` must have a strength to choose: l1, l2, elasticnet, group, dropout or "
            f"maxnorm. Received: penalty={penalty!r}"
        )
    outputs = check_outputs({"--report": report, "--json": json_path}, force=force)
    prepared = load_table(
        data, settings.target, task=settings.task, impute=settings.impute,
        min_rows=2, quiet=quiet,
    )  # fmt: skip
    result = run_and_write(
        prepared, settings, [method.name], source=os.fspath(data),
        report=outputs.get("--report"), json_path=outputs.get("--json"), force=force,
        quiet=quiet, title=f"netreg path: {method.label} on {os.fspath(data)}",
    )  # fmt: skip
    _print_path(result)
    _written(stdout_console(), outputs.get("--report"), outputs.get("--json"))


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
    start = time.perf_counter()
    df = load_dataset(DEMO_DATASET)
    target = str(df.attrs.get("target", "target"))
    settings = run_settings(load_config(None), target=target, jobs=jobs, task="regression")
    report, json_path = Path(DEMO_REPORT).resolve(), Path(DEMO_JSON).resolve()
    check_outputs({"report": report, "json": json_path}, force=True)
    prepared = prepare_table(df, target, task="regression", min_rows=settings.folds)
    if not quiet:
        warn(prepared.warnings)
    result = run_and_write(
        prepared, settings, list(METHODS),
        source=f"{DEMO_DATASET} (scikit-learn's diabetes data: 442 patients, 10 measurements, "
        f"disease progression after one year)",
        report=report, json_path=json_path, force=True, quiet=quiet,
        title="netreg demo: seven regularizers on the diabetes data",
    )  # fmt: skip
    console = stdout_console()
    print_comparison(result, console)
    _written(console, report, json_path)
    console.print(
        f"Open {report} in a browser to see the CV curves, weight paths and learning curves "
        f"({time.perf_counter() - start:.0f} s).",
        markup=False,
        highlight=False,
    )


__all__ = ["compare", "demo", "path", "pick", "run_and_write"]
