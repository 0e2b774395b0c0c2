"""``netreg fit`` (train one network, save it) and ``netreg predict`` (load it, predict)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated

import typer

from netreg import choices
from netreg._interrupts import publishing
from netreg.cli import options as opt
from netreg.cli.config import pick
from netreg.cli.errors import UsageError, handles_user_errors
from netreg.cli.io import check_outputs, json_text, load_table, train_on_table, warn, write_outputs
from netreg.cli.render import print_written, stdout_console, table
from netreg.cli.settings import run_settings


@handles_user_errors
@opt.option_groups
def fit(
    data: opt.Data,
    run: opt.RunOptions,
    penalty: Annotated[
        str | None,
        typer.Option(help=opt.one_of("The penalty", choices.PENALTIES, "none")),
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(help="Penalty strength; omitted: chosen by CV (--folds, --rule)."),
    ] = None,
    l1_ratio: Annotated[float | None, typer.Option(help="Elastic Net mix  [default: 0.5]")] = None,
    dropout: Annotated[float | None, typer.Option(help="Dropout rate  [default: 0]")] = None,
    max_norm: Annotated[
        float | None, typer.Option(help="Max-norm bound c on hidden units' incoming weights.")
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(help="Write weights + JSON config here (a .safetensors file)."),
    ] = None,
    test_size: Annotated[
        float | None,
        typer.Option(help="Hold out this fraction and report its metrics  [default: 0]"),
    ] = None,
    json_path: opt.JsonPath = None,
    force: opt.Force = False,
    quiet: opt.Quiet = False,
) -> None:
    """Train one regularized network on a table and save it (safetensors, never pickle)."""
    from netreg.compare import fit_table, save_model

    settings = run_settings(run, test_size=test_size, default_test_size=0.0)
    cfg = settings.config
    outputs = check_outputs({"--save": save, "--json": json_path}, force=force)
    prepared = load_table(
        data, settings.target, task=settings.task, impute=settings.impute,
        min_rows=2, quiet=quiet,
    )  # fmt: skip
    fitted, diverged = train_on_table(
        fit_table,
        prepared,
        settings.training(),
        target=prepared.target,
        penalty=pick(penalty, cfg.fit.penalty, default="none"),
        alpha=pick(alpha, cfg.fit.alpha),
        l1_ratio=pick(l1_ratio, cfg.fit.l1_ratio, default=0.5),
        dropout=pick(dropout, cfg.fit.dropout, default=0.0),
        max_norm=pick(max_norm, cfg.fit.max_norm),
    )
    if diverged:  # a blown-up model is never published (docs/faults.md)
        raise UsageError(
            f"{diverged[0]} Nothing was written; set a smaller [model] lr in --config."
        )
    with publishing() as written:  # both files, or (after a Ctrl-C) neither
        if json_path is not None:
            document = {**fitted.to_dict(), "source": os.fspath(data)}
            write_outputs([(outputs["--json"], json_text(document))], force=force)
        if save is not None:
            written.append(str(save_model(outputs["--save"], fitted, force=force)))
    console = stdout_console()
    pm = fitted.primary_metric
    rows = [
        [
            "training rows",
            fitted.train.get(pm),
            *[fitted.train[k] for k in sorted(fitted.train) if k != pm],
        ]
    ]
    if fitted.test:
        rows.append(
            [
                "test rows",
                fitted.test.get(pm),
                *[fitted.test[k] for k in sorted(fitted.test) if k != pm],
            ]
        )
    others = [k for k in sorted(fitted.train) if k != pm]
    console.print(
        table(
            f"netreg fit — {fitted.task}, penalty {fitted.params['penalty']}",
            ["rows", pm, *others],
            rows,
        ),
        markup=False,
        highlight=False,
    )
    p = fitted.params
    how = p.get("alpha_chosen_by", "given")
    console.print(
        f"alpha = {p['alpha']:.4g} ({how}); nonzero weights {fitted.nonzero_weights} / "
        f"{fitted.total_weights}; inputs kept {len(fitted.selected_inputs)} / "
        f"{len(fitted.encoder.feature_names)}: {', '.join(fitted.selected_inputs) or '—'}",
        markup=False,
        highlight=False,
    )
    print_written(console, {"model": outputs.get("--save"), "JSON": outputs.get("--json")})


@handles_user_errors
def predict(
    model: opt.SavedModel,
    data: opt.Data,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write predictions (CSV) here.")
    ] = None,
    force: opt.Force = False,
) -> None:
    """Predict with a saved model; the file is read with safetensors only, never unpickled."""
    from netreg.compare import load_model
    from netreg.data import InputCheck, read_chunks, read_columns
    from netreg.data.load import CHUNK_CELLS
    from netreg.report.atomic import staged_file

    outputs = check_outputs({"--out": out}, force=force)
    if out is not None and outputs["--out"].suffix.lower() != ".csv":
        raise UsageError(f"--out must be a .csv file. Received: out={os.fspath(out)!r}")
    loaded = load_model(model)
    names = read_columns(data)
    loaded.check_columns(names)  # from the header, before the data is read
    rows = loaded.chunk_rows(len(names), CHUNK_CELLS)
    check = InputCheck(loaded.encoder)  # gathers column warnings over all the chunks
    with contextlib.ExitStack() as stack:
        if out is not None:  # the whole output goes to a temporary file, published at the end
            handle, publish = stack.enter_context(staged_file(outputs["--out"], force=force))
        n_rows = 0
        for chunk in read_chunks(data, rows=rows):  # memory does not grow with the file
            text = loaded.predict_frame(chunk, check).to_csv(index=False, header=n_rows == 0)
            n_rows += len(chunk)
            if out is None:
                typer.echo(text, nl=False)
            else:
                handle.write(text.encode("utf-8"))
        warn(check.messages())
        if out is None:
            return
        with publishing() as written:  # refused after a Ctrl-C, not cut short by one
            written.append(str(publish()))
    stdout_console().print(
        f"Wrote {n_rows} predictions to {outputs['--out']}", markup=False, highlight=False
    )
