"""Report files of a parameter sweep: sweep.png, skipped.csv, sweep.csv and sweep.json."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.sweep import SweepResult
from sim.reports.files import write_csv, write_figure, write_json
from sim.reports.sweep_charts import sweep_chart
from sim.results.figures import in_reported_units, measured_days

SWEEP_FILES = ("sweep.png", "skipped.csv", "sweep.csv", "sweep.json", "report.xlsx",
               "report.html")
"""Every file ``ccsim sweep`` may write."""


def sweep_document(result: SweepResult, labels: Mapping[str, str]) -> dict[str, Any]:
    """The content of ``sweep.json``: the grid, the cells that ran, whether interrupted.

    Args:
        result: the sweep.
        labels: what ``--label`` called the grid keys, by key path.
    """
    table, plan = result.table, result.plan
    replications = result.replications
    # a cell's runs: the most any figure counted (a bot's figures count none without a bot)
    ran = table.groupby("cell")["n"].max()
    return {
        "scenario": plan.scenario.name,
        "grid": {key: [value if isinstance(value, (bool, int, float, str)) or value is None
                       else str(value) for value in values]
                 for key, values in plan.grid.items()},
        "replications": replications,
        "seed": result.seed,
        "interrupted": result.interrupted,
        "cells": len(plan.cells),
        "cells_run": [int(cell) for cell in ran.index.tolist()],
        "cells_complete": [int(cell) for cell in ran.index[ran >= replications]],
        "skipped": len(plan.skipped),
        "labels": dict(labels),
    }


def write_sweep(result: SweepResult, out_dir: str | Path, document: Mapping[str, Any],
                labels: Mapping[str, str]) -> list[Path]:
    """sweep.png, skipped.csv (if any cell was skipped), sweep.csv, then sweep.json last.

    Args:
        result: the sweep.
        out_dir: the output directory (created if missing).
        document: the content of ``sweep.json`` (:func:`sweep_document`).
        labels: what ``--label`` called the grid keys, by key path.

    Returns:
        The paths written, in order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table, plan, scenario = result.table, result.plan, result.plan.scenario
    level = scenario.service_level
    names = [labels.get(key, key) for key in plan.grid]
    chart = sweep_chart(table, target=level.target, threshold_s=level.threshold,
                        title=f"{scenario.name}: service level and ASA by "
                        f"{', '.join(names)} (mean of {result.replications} "
                        "replications, 95% CI)", labels=labels)
    written = [write_figure(out / "sweep.png", chart)]
    if plan.skipped:
        written.append(write_csv(out / "skipped.csv", pd.DataFrame(plan.skipped)))
    written.append(write_csv(out / "sweep.csv", in_reported_units(
        table, measured_days(scenario), values=["mean", "sd", "ci95"], figure_column="figure",
        rename=True)))
    written.append(write_json(out / "sweep.json", dict(document)))
    return written
