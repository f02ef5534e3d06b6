"""Reports to share: ``report.xlsx`` and ``report.html`` for run, compare, staff and sweep.

Each command's results become one :class:`SharedReport` (a title, the scenario's
description, run settings, a summary table and named tables), which
:func:`write_shared` writes as a workbook (:mod:`sim.reports.workbook`) and/or a web page
(:mod:`sim.reports.html_report`) into the folder the command stages its files in (so both
are swapped in with the rest, see :mod:`sim.reports.output_folder`). The page embeds the
charts the command wrote.

The builders: :func:`run_report`, :func:`comparison_report`, :func:`staffing_report`,
:func:`sweep_report`. A new table is one more entry in a builder's ``tables``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiments.runner import mixed_center_note
from sim.reports.files import run_interval_tables
from sim.reports.verdict import (
    backtest_verdict,
    comparison_verdict,
    runset_verdict,
    staffing_verdict,
)
from sim.results.breakdowns import (
    group_totals,
    part_keys,
    session_breakdown,
    summarize_parts,
    wide,
)
from sim.results.figures import FIGURE_LABELS, in_reported_units, measured_days, reported_unit
from sim.results.report_tables import channel_totals, group_table
from sim.scenario.units import format_duration

if TYPE_CHECKING:
    from sim.calibration.backtest import Backtest
    from sim.calibration.center import Calibration
    from sim.experiments.runner import Comparison, RunSet
    from sim.experiments.sweep import SweepResult
    from sim.scenario.schema import Scenario
    from sim.staffing.report import StaffingReport

XLSX_NAME = "report.xlsx"
HTML_NAME = "report.html"
SHARED_FILES = (XLSX_NAME, HTML_NAME)
"""The files of :func:`write_shared`; every command owns them (see docs/reports.md)."""

CHART_CAPTIONS = {
    "arrivals_throughput.png": "Arrivals and throughput per interval",
    "wait_times.png": "Speed to answer",
    "service_level.png": "Service level per interval against the target",
    "occupancy.png": "Occupancy and agents online per interval",
    "comparison_service_level.png": "Service level per interval, tab- and status-based",
    "comparison_differences.png": "Differences, status − tab, with 95% CIs",
    "required_agents.png": "Required agents per interval",
    "achieved_service_level.png": "Service level achieved by the staffing",
    "service_level_curve.png": "Service level against agents in the busiest interval",
    "shift_cover.png": "Shift plan against the required agents",
    "sweep.png": "Service level and ASA over the grid",
    "backtest.png": "Observed against simulated per interval, with the 95% band",
}
"""Captions of the charts on the page (by file name; others get their file name)."""


@dataclass(frozen=True)
class ShareOptions:
    """Which shared reports to write, and the command line to show in them.

    Attributes:
        xlsx: write ``report.xlsx``.
        html: write ``report.html``.
        command: the command that was run (shown in the settings).
    """

    xlsx: bool = False
    html: bool = False
    command: str = ""

    @property
    def wanted(self) -> bool:
        """Any shared report asked for."""
        return self.xlsx or self.html


@dataclass
class SharedReport:
    """One command's results as a summary table and named tables.

    Attributes:
        title: the report's title (user text: the scenario's name and the command).
        description: the scenario's description.
        settings: what was run, in display order.
        summary: the headline figures (``figure``, ``label``, ``unit``, numbers).
        tables: sheet/heading name -> table, in order.
        notes: table name (or ``"summary"``) -> one sentence on what it holds.
        open_tables: tables shown open on the page.
        verdict: the command's answer in a line or two, shown first.
    """

    title: str
    description: str
    settings: dict[str, Any]
    summary: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    open_tables: tuple[str, ...] = ()
    verdict: tuple[str, ...] = ()


def write_shared(folder: str | Path, report: SharedReport, options: ShareOptions,
                 charts: Iterable[Path] = ()) -> list[Path]:
    """Write ``report.xlsx`` and/or ``report.html`` into ``folder`` (each atomically).

    Args:
        folder: the folder (a command's staging folder).
        report: what to write.
        options: which files; ``options.command`` goes into the settings.
        charts: PNG files to embed in the page (others in the list are ignored).

    Returns:
        The paths written (none when neither was asked for).
    """
    out = Path(folder)
    settings = {**report.settings, **_provenance(options.command)}
    written = []
    if options.xlsx:
        from sim.reports.workbook import write_workbook

        written.append(write_workbook(out / XLSX_NAME, report.summary, report.tables,
                                      settings, verdict=report.verdict))
    if options.html:
        from sim.reports.html_report import write_html

        pictures = [(CHART_CAPTIONS.get(path.name, path.stem), path)
                    for path in map(Path, charts) if path.suffix.lower() == ".png"]
        written.append(write_html(out / HTML_NAME, title=report.title,
                                  description=report.description, settings=settings,
                                  summary=report.summary, tables=report.tables,
                                  charts=pictures, notes=report.notes,
                                  open_tables=report.open_tables,
                                  verdict=report.verdict))
    return written


def _provenance(command: str) -> dict[str, Any]:
    return {
        "command": command,
        "ccsim version": ccsim_version(),
        "written at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def ccsim_version() -> str:
    """The installed version of ccsim (``unknown`` when not installed as a package)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ccsim")
    except PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- builders
def scenario_settings(scenario: Scenario) -> dict[str, Any]:
    """The scenario's settings shown in every report."""
    level = scenario.service_level
    return {
        "scenario": scenario.name,
        "horizon": format_duration(scenario.horizon),
        "warm-up": format_duration(scenario.warmup),
        "interval": format_duration(scenario.interval),
        "service level goal": f"{level.target:.0%} within {level.threshold:g} s",
        "channels": ", ".join(channel.name for channel in scenario.channels),
        "agent groups": ", ".join(group.name for group in scenario.agent_groups),
    }


def figure_table(summary: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """``figure``, ``label``, ``unit``, then the columns of a per-figure table.

    Figures are in the units reports show them in (totals over a replication in hours
    per day, named ``..._h_per_day``; :func:`sim.results.figures.in_reported_units`).
    """
    table = summary.reset_index()
    table = table.rename(columns={table.columns[0]: "figure"})
    names = table["figure"].astype(str)
    table.insert(1, "label", [FIGURE_LABELS.get(name, name) for name in names])
    table.insert(2, "unit", [reported_unit(name) for name in names])
    table = in_reported_units(table, measured_days(scenario), figure_column="figure",
                              rename=True)
    if "n" in table:
        table["n"] = table["n"].astype(int)
    return table


def _run_tables(runset: RunSet, scenario: Scenario) -> dict[str, pd.DataFrame]:
    intervals, groups = run_interval_tables(runset, scenario)
    channels = channel_totals(runset.intervals, scenario.warmup)
    tables = {"intervals": intervals, "channels": channels}
    # compare keeps no sessions, only each replication's figures per channel
    breakdown = (session_breakdown(runset.sessions, scenario, "channel")
                 if runset.sessions is not None else
                 summarize_parts(runset.channels, "channel", part_keys(scenario, "channel"))
                 if not runset.channels.empty else None)
    if breakdown is not None:
        figures = wide(breakdown, "channel")
        tables["channels"] = channels.merge(
            figures.drop(columns=[c for c in figures.columns
                                  if c in channels.columns and c != "channel"]),
            on="channel", how="left")
        tables["channels"]["replications"] = tables["channels"].pop("replications")  # last
    if runset.sessions is not None:
        tables["queues"] = wide(session_breakdown(runset.sessions, scenario, "queue"), "queue")
    tables["groups"] = group_sheet(runset, scenario)
    if not groups.empty:
        tables["group intervals"] = groups
    tables["agents"] = runset.agents
    return tables


def group_sheet(runset: RunSet, scenario: Scenario) -> pd.DataFrame:
    """One row per agent group, from the agents table and the per-group intervals.

    Agents, capacity, sessions handled and over-capacity time from the agents table;
    agents online, online and busy capacity, occupancy and concurrency (with 95%
    half-widths) from the per-group intervals after the warm-up.
    """
    agents = group_table(runset.agents)[["group", "agents", "capacity", "sessions_handled",
                                         "over_capacity_s", "replications"]]
    if runset.groups.empty:
        return agents
    totals = wide(group_totals(runset.groups, scenario), "group")
    return agents.drop(columns="replications").merge(totals, on="group", how="left").assign(
        replications=agents["replications"].to_numpy())


RUN_NOTES = {
    "summary": "Means over replications with 95% confidence half-widths; the warm-up is "
               "left out. Shares are shown as percent.",
    "intervals": "Per interval and channel (and all), means over replications "
                 "(intervals.csv).",
    "channels": "Sessions and figures per channel (service level, ASA, abandonment, "
                "handle time) after the warm-up, means over replications with 95% "
                "half-widths.",
    "queues": "The same figures per queue.",
    "groups": "Per agent group after the warm-up: agents online, occupancy (busy capacity "
              "time over online capacity time; weighted by capacity they add up to the "
              "center's) and concurrency, means over replications with 95% half-widths.",
    "group intervals": "Per interval and agent group, means over replications (groups.csv).",
    "agents": "One row per agent and replication (agents.csv).",
}


def run_report(runset: RunSet, scenario: Scenario | None = None) -> SharedReport:
    """The shared report of ``ccsim run``."""
    scenario = runset.scenario if scenario is None else scenario
    settings = {
        **scenario_settings(scenario),
        "capacity model": f"{scenario.capacity_model}-based"
        + (f"; {mixed_center_note(scenario)}" if scenario.tab_based_channels() else ""),
        "replications": _replications(runset.replications, runset.requested),
        "seed": runset.seed,
        "interrupted": "yes" if runset.interrupted else "no",
    }
    return _scenario_report(
        scenario, f"run ({scenario.capacity_model}-based capacity)", settings,
        summary=figure_table(runset.summary()[["mean", "ci95", "sd", "n"]], scenario),
        tables=_run_tables(runset, scenario),
        notes=RUN_NOTES,
        open_tables=("channels", "groups"),
        verdict=runset_verdict(runset, scenario),
    )


def comparison_report(comparison: Comparison) -> SharedReport:
    """The shared report of ``ccsim compare``: each table for both models."""
    scenario = comparison.tab.scenario
    tables: dict[str, list[pd.DataFrame]] = {}
    for model, runset in (("tab", comparison.tab), ("status", comparison.status)):
        for name, table in _run_tables(runset, runset.scenario).items():
            tables.setdefault(name, []).append(table.assign(capacity_model=model)[
                ["capacity_model", *table.columns]])
    settings = {
        **scenario_settings(scenario),
        "capacity model": "tab-based and status-based, same customers"
        + (f"; {note}" if (note := mixed_center_note(scenario)) else ""),
        "difference": "status − tab, per replication (common random numbers)",
        "replications": _replications(comparison.replications, comparison.tab.requested),
        "seed": comparison.tab.seed,
        "interrupted": "yes" if comparison.interrupted else "no",
    }
    notes = {**RUN_NOTES, "summary": "Means over replications under each capacity model, the "
             "paired difference (status − tab) and 95% confidence half-widths; shares as "
             "percent."}
    return _scenario_report(
        scenario, "tab- vs status-based capacity", settings,
        summary=figure_table(comparison.table, scenario),
        tables={name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()},
        notes=notes,
        open_tables=("channels", "groups"),
        verdict=comparison_verdict(comparison.table, scenario),
    )


STAFFING_FIGURES = {
    "agent_hours": ("scheduled agent-hours", "h"),
    "online_agent_hours": ("online agent-hours", "h"),
    "peak_agents": ("peak scheduled agents", "agents"),
    "all_intervals_meet": ("every interval meets the goals", ""),
    "converged": ("search converged", ""),
    "iterations": ("search iterations", "iterations"),
    "replications": ("replications per search iteration", "runs"),
    "verification_replications": ("replications of the verification", "runs"),
    "binding_interval": ("binding interval", "interval"),
}
"""Rows of the staffing summary: key of ``StaffingReport.summary()`` -> label, unit."""


def staffing_report(report: StaffingReport) -> SharedReport:
    """The shared report of ``ccsim staff``: the requirement and the shift plan."""
    scenario = report.scenario
    document = report.summary()
    models = list(report.results)
    rows = []
    for key, (label, unit) in STAFFING_FIGURES.items():
        values = document.get(key) or {}
        row: dict[str, Any] = {"figure": key, "label": label, "unit": unit}
        for model in models:
            row[model] = _plain_value(values.get(model))
        rows.append(row)
    summary = pd.DataFrame(rows, columns=["figure", "label", "unit", *models])
    if "tab" in models and "status" in models:
        summary["status - tab"] = [
            row["status"] - row["tab"] if key in ("agent_hours", "online_agent_hours",
                                                  "peak_agents") else None
            for key, (_, row) in zip(STAFFING_FIGURES, summary.iterrows(), strict=True)]
    tables = {"requirement": report.table()}
    shifts = shift_plan(report)
    if not shifts.empty:
        tables["shifts"] = shifts
    if report.curve is not None:
        tables["curve"] = report.curve
    # the goals staffed to, not the scenario's service-level goal beside them (two goals
    # on one page read as a contradiction)
    shown = {key: value for key, value in scenario_settings(scenario).items()
             if key != "service level goal"}
    settings = {
        **shown,
        "goals": report.goals.describe() or "the queues' own goals",
        "staffed group": report.group,
        "fixed groups": ", ".join(document["fixed_groups"]) or "none",
        "capacity models": ", ".join(models),
        "skipped": "; ".join(f"{model}: {why}" for model, why in report.skipped.items())
                   or "none",
        "Erlang baseline agent-hours": f"{document['analytic_agent_hours']:.1f}",
        "simulated": f"{report.simulated_days:.1f} days in {report.simulated_runs} runs, "
                     f"{report.runtime_s:.1f} s",
    }
    return _scenario_report(
        scenario, f"staffing of {report.group}", settings, summary, tables,
        notes={
            "summary": "Per capacity model, from the verification run.",
            "requirement": "Per interval: arrivals, the Erlang baseline, required and "
                           "scheduled agents per model and the verified figures with 95% "
                           "confidence half-widths (staffing.csv).",
            "shifts": "Agents per shift template (start and length) for each model.",
            "curve": "Service level against agents in the busiest interval, held "
                     "stationary.",
        },
        open_tables=("shifts",),
        verdict=staffing_verdict(report),
    )


def shift_plan(report: StaffingReport) -> pd.DataFrame:
    """One row per shift template: ``start``, ``start_s``, ``length_h``, agents per model.

    With shift plans of several groups, a ``group`` column first.
    """
    interval = report.scenario.interval
    frames = []
    for group, templates in report.group_templates.items():
        plans = {model: plans[group] for model, plans in report.group_shifts.items()
                 if group in plans}
        if not templates or not plans:
            continue
        table = pd.DataFrame({
            "group": group,
            "start": [report.clock(start * interval) for start, _ in templates],
            "start_s": [start * interval for start, _ in templates],
            "length_h": [length * interval / 3600.0 for _, length in templates],
        })
        for model, counts in plans.items():
            table[f"agents_{model}"] = list(counts)
        frames.append(table)
    if not frames:
        return pd.DataFrame()
    return (pd.concat(frames, ignore_index=True) if len(frames) > 1
            else frames[0].drop(columns="group"))


def sweep_report(result: SweepResult, document: Mapping[str, Any],
                 labels: Mapping[str, str]) -> SharedReport:
    """The shared report of ``ccsim sweep``: the tidy table and one row per cell."""
    from sim.experiments.sweep import wide

    table, scenario, skipped = result.table, result.plan.scenario, result.skipped
    days = measured_days(scenario)
    summary = table.reset_index(drop=True).copy()
    names = summary["figure"].astype(str)
    place = summary.columns.get_loc("figure") + 1
    summary.insert(place, "label", [FIGURE_LABELS.get(name, name) for name in names])
    if "unit" not in summary:  # the sweep table has one
        summary.insert(place + 1, "unit", [reported_unit(name) for name in names])
    summary = in_reported_units(summary, days, values=["mean", "sd", "ci95"],
                                figure_column="figure", rename=True)
    # the grid keys under the names --label gave them
    summary = summary.rename(columns=dict(labels))
    cells = wide(in_reported_units(table, days, values=["mean", "sd", "ci95"],
                                   figure_column="figure", rename=True))
    tables = {"cells": cells.rename(columns=dict(labels))}
    if skipped:
        tables["skipped"] = pd.DataFrame(skipped)
    grid = document.get("grid", {})
    settings = {
        **scenario_settings(scenario),
        "grid": "; ".join(f"{labels.get(key, key)} = {', '.join(map(str, values))}"
                          for key, values in grid.items()),
        "cells": f"{len(document.get('cells_run', []))} of {document.get('cells')} ran"
                 + (f", {document.get('skipped')} skipped" if document.get("skipped") else ""),
        "replications": f"{document.get('replications')} per cell",
        "seed": document.get("seed"),
        "interrupted": "yes" if document.get("interrupted") else "no",
    }
    return _scenario_report(
        scenario, "sweep", settings, summary, tables,
        notes={
            "summary": "One row per cell and figure: mean, sd, 95% confidence half-width "
                       "and replications (sweep.csv).",
            "cells": "One row per cell: every figure's mean and 95% half-width.",
            "skipped": "Grid cells left out, and why.",
        },
        open_tables=("cells",),
    )


def calibration_report(calibration: Calibration, export: str, scenario_file: str
                       ) -> SharedReport:
    """The shared report of ``ccsim calibrate``: every fitted key and what was assumed."""
    scenario = calibration.scenario
    name = scenario.name if scenario is not None else export
    summary = pd.DataFrame({
        "fitted key": [".".join(map(str, path)) for path in calibration.comments],
        "estimate": [str(text) for text in calibration.comments.values()],
    })
    model = f"{scenario.capacity_model}-based" if scenario is not None else "unknown"
    verdict = [f"calibration of {export}: {len(calibration.comments)} keys fitted from "
               f"{len(calibration.sessions):,} sessions and {len(calibration.work):,} work "
               f"items, capacity model found {model}; scenario written to {scenario_file}"]
    if calibration.notes:
        verdict.append(f"{len(calibration.notes)} assumption"
                       f"{'s' if len(calibration.notes) != 1 else ''} noted (see the notes)")
    tables = {"notes": pd.DataFrame({"note": calibration.notes or ["none"]})}
    if calibration.unusable:
        tables["not used"] = pd.DataFrame({"rows not used": calibration.unusable})
    settings = {
        "export": export,
        "scenario file": scenario_file,
        "start": calibration.clock.start_text,
        "horizon": format_duration(calibration.clock.horizon_s),
        "interval": format_duration(calibration.clock.interval_s),
        "reply times from": calibration.messages_source,
    }
    return SharedReport(
        title=f"{name}: calibration from {export}",
        description=scenario.description if scenario is not None else "",
        settings=settings, summary=summary, tables=tables,
        notes={"summary": "Every key fitted from the export, with its estimate, sample size "
                          "and confidence interval (as the scenario file's comments).",
               "notes": "Defaults kept and assumptions made.",
               "not used": "Valid rows that could not be used, per file and reason."},
        open_tables=("notes",), verdict=tuple(verdict))


def backtest_report(result: Backtest, export: str) -> SharedReport:
    """The shared report of ``ccsim backtest``: per measure, then per interval."""
    from sim.calibration.observed import MEASURE_LABELS

    scenario = result.scenario
    table = result.summary.rename_axis("figure").reset_index()
    share = (table["unit"] == "share").to_numpy()
    # the error in the measure's unit (shares in percentage points), the share inside the
    # band in percent: plain columns, whatever the row's unit
    summary = pd.DataFrame({
        "figure": table["figure"],
        "label": [MEASURE_LABELS.get(str(name), str(name)) for name in table["figure"]],
        "mean absolute error": table["mae"].to_numpy(dtype=float) * np.where(share, 100.0, 1.0),
        "error unit": np.where(share, "points", table["unit"].astype(str)),
        "inside the band (%)": table["inside_share"].to_numpy(dtype=float) * 100.0,
        "intervals": table["intervals"].astype(int),
    })
    settings = {
        **scenario_settings(scenario),
        "export": export,
        "replications": result.replications,
        "notes": "; ".join(result.notes) or "none",
    }
    table = result.table.copy()
    from sim.reports.files import with_clock

    return _scenario_report(
        scenario, "backtest against the export", settings, summary,
        {"intervals": with_clock(table, scenario)},
        notes={"summary": "Per measure: the mean absolute error of the simulated mean "
                          "against the observed value (shares in points) and the share of "
                          "intervals whose observed value lies inside the band.",
               "intervals": "Per interval and measure: observed, simulated mean and band "
                            "(backtest.csv)."},
        open_tables=(), verdict=backtest_verdict(result))


def _scenario_report(scenario: Scenario, what: str, settings: dict[str, Any],
                     summary: pd.DataFrame, tables: dict[str, pd.DataFrame],
                     notes: Mapping[str, str], open_tables: tuple[str, ...],
                     verdict: Iterable[str] = ()) -> SharedReport:
    """A command's report on ``scenario``: titled "name: what", with its description."""
    return SharedReport(title=f"{scenario.name}: {what}", description=scenario.description,
                        settings=settings, summary=summary, tables=tables, notes=dict(notes),
                        open_tables=open_tables, verdict=tuple(verdict))


def _replications(done: int, requested: int) -> str:
    return str(done) if done == requested else f"{done} of {requested}"


def _plain_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
