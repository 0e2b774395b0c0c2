"""``netreg advise``, ``netreg lab`` and ``netreg prune``: thin wrappers over their layers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from netreg._interrupts import publishing
from netreg.cli import options as opt
from netreg.cli.errors import UsageError, handles_user_errors
from netreg.cli.io import check_outputs, json_text, warn, write_outputs
from netreg.cli.render import print_written, stdout_console, table

LAB_SCHEMA = "netreg.lab"
LAB_SCHEMA_VERSION = 1


@handles_user_errors
def advise(
    data: opt.Data,
    target: opt.Target = None,
    task: opt.Task = None,
    impute: opt.Impute = None,
    check: Annotated[
        bool, typer.Option(help="Also cross-validate the candidate families and compare.")
    ] = False,
    budget_seconds: Annotated[
        float | None, typer.Option(help="Time available for tuning; sizes the validation plan.")
    ] = None,
    seed: opt.Seed = None,
    json_path: opt.JsonPath = None,
    force: opt.Force = False,
) -> None:
    """Which regularizer suits this table, where to start λ, and why."""
    from netreg.advisor import advise_frame
    from netreg.data import read_table

    if not target:
        raise UsageError("No target column: pass --target COLUMN.")
    if budget_seconds is not None and budget_seconds <= 0:
        raise UsageError(f"--budget-seconds must be > 0. Received: budget_seconds={budget_seconds}")
    outputs = check_outputs({"--json": json_path}, force=force)
    advice = advise_frame(
        read_table(data),
        target,
        task=task or "auto",
        impute=impute,
        budget_seconds=budget_seconds,
        check=check,
        seed=seed or 0,
    )
    if json_path is not None:
        document = {"source": os.fspath(data), "target": target, **advice.to_dict()}
        write_outputs([(outputs["--json"], json_text(document))], force=force)
    typer.echo(advice.render_text(), nl=False)
    if json_path is not None:
        typer.echo(f"Wrote the JSON to {outputs['--json']}")


@handles_user_errors
@opt.option_groups
def lab(
    claims: Annotated[
        list[str] | None, typer.Argument(help="Claim ids to run (all by default).")
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the claims and stop.")] = False,
    full: Annotated[bool, typer.Option(help="The larger experiments (slower).")] = False,
    seed: opt.Seed = None,
    *,
    out: opt.OutputOptions,
) -> None:
    """Reproduce the claims of the seed texts, each with numbers, a figure and a verdict."""
    from netreg.lab import list_claims, run_claims
    from netreg.lab.report import build_lab_report

    console = stdout_console()
    if list_only:
        rows: list[list[object]] = [
            [spec.id, spec.title, ", ".join(spec.seeds)] for spec in list_claims()
        ]
        console.print(table("netreg lab — claims", ["id", "title", "seeds"], rows), markup=False)
        return
    outputs = check_outputs(out.paths(), force=out.force)
    results = run_claims(claims or None, full=full, seed=seed or 0, progress=not out.quiet)
    payloads = []
    if "--report" in outputs:
        payloads.append((outputs["--report"], build_lab_report(results, full=full).render()))
    if "--json" in outputs:
        document = {
            "schema": LAB_SCHEMA,
            "version": LAB_SCHEMA_VERSION,
            "full": full,
            "claims": [r.to_dict() for r in results],
        }
        payloads.append((outputs["--json"], json_text(document)))
    write_outputs(payloads, force=out.force)
    rows = [[r.id, r.verdict, r.seconds] for r in results]
    console.print(table("netreg lab", ["claim", "verdict", "seconds"], rows), markup=False)
    print_written(console, {"report": outputs.get("--report"), "JSON": outputs.get("--json")})


@handles_user_errors
def prune(
    model: opt.SavedModel,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the pruned model into.")
    ],
    force: opt.Force = False,
) -> None:
    """Remove the exactly-zero units and inputs of a saved model: same outputs, fewer weights."""
    from netreg.compare import load_model
    from netreg.pruning import prune as prune_model
    from netreg.pruning import save_pruned

    target = out.expanduser().resolve()
    if not target.parent.is_dir():
        raise FileNotFoundError(
            f"Cannot write {target}: the folder {target.parent} does not exist. Received: out={os.fspath(out)!r}"
        )
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists; use --force to overwrite it.")
    loaded = load_model(model)
    names = loaded.encoder.output_names
    small, result = prune_model(loaded.model, input_names=names)
    with publishing() as written:  # refused after a Ctrl-C; not cut short by one
        save_pruned(small, target, result=result, overwrite=force)
        written.append(str(target))
    if result.inputs_kept is not None and len(result.inputs_kept) < len(names):
        kept = [names[j] for j in result.inputs_kept]
        warn(
            [
                f"The pruned model reads {len(kept)} of {len(names)} encoded inputs: {', '.join(kept)}."
            ]
        )
    console = stdout_console()
    console.print(result.summary(), markup=False, highlight=False)
    console.print(f"Wrote the pruned model to {target}", markup=False, highlight=False)
