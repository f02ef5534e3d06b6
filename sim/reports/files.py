"""Report files of a run or a comparison, each written atomically.

Every file is written to a temporary name in its target directory and then renamed over
the final name with :func:`os.replace`, so an interrupted run never leaves a half-written
file behind: a reader sees the old file or the new one. ``summary.json`` (and
``comparison.json``) is written last, so its presence means the set is complete.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.runner import Comparison, RunSet, status_variant
from sim.reports import run_charts as charts
from sim.results.breakdowns import (
    breakdown_document,
    group_interval_summary,
    group_totals,
    session_breakdown,
)
from sim.results.confidence import ci95_half_width
from sim.results.figures import (
    in_reported_units,
    measured_days,
    reported_unit,
)
from sim.scenario.schema import Scenario, work_size
from sim.scenario.user_text import spreadsheet_table

CI_COLUMNS = ("service_level", "asa_s")
"""Interval columns that get a 95% CI half-width column (``<name>_ci95``) in intervals.csv."""

PNG_DPI = 120
"""Resolution of the chart files (dots per inch)."""


def atomic_write(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Write a file through a temporary name in the same directory, then rename it.

    Args:
        path: the final file.
        writer: called with the temporary path; must create the file there (what it
            returns is ignored).

    Returns:
        The final path.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        writer(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def write_figure(path: str | Path, figure: Figure) -> Path:
    """Save a chart as PNG atomically."""
    return atomic_write(path, lambda temporary: figure.savefig(temporary, format="png",
                                                                dpi=PNG_DPI))


def write_json(path: str | Path, document: dict[str, Any]) -> Path:
    """Write a JSON document atomically; NaN and infinities become ``null``."""
    text = json.dumps(_plain(document), indent=2, allow_nan=False) + "\n"
    return atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_csv(path: str | Path, table: pd.DataFrame) -> Path:
    """Write a table as CSV atomically (no index column; text cells spreadsheet safe)."""
    safe = spreadsheet_table(table)
    return atomic_write(path, lambda temporary: safe.to_csv(temporary, index=False))


def write_sessions(out_dir: Path, sessions: pd.DataFrame) -> Path:
    """Write ``sessions.parquet`` when pyarrow is installed, else ``sessions.csv``."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return write_csv(out_dir / "sessions.csv", sessions)
    return atomic_write(
        out_dir / "sessions.parquet",
        lambda temporary: sessions.to_parquet(temporary, engine="pyarrow", index=False),
    )


# ---------------------------------------------------------------------------- run reports
def interval_summary(intervals: pd.DataFrame) -> pd.DataFrame:
    """Mean of every interval column over replications, per interval and channel.

    Args:
        intervals: interval tables of all replications (with a ``replication`` column).

    Returns:
        One row per interval and channel: the means, ``<name>_ci95`` half-widths for
        :data:`CI_COLUMNS`, and ``replications`` (how many were averaged).
    """
    keys = ["interval", "start_s", "channel"]
    values = [
        column
        for column in intervals.columns
        if column not in (*keys, "replication") and pd.api.types.is_numeric_dtype(intervals[column])
    ]
    grouped = intervals.groupby(keys, sort=False)
    table = grouped[values].mean().reset_index()
    for column in CI_COLUMNS:
        half = grouped[column].agg(ci95_half_width).reset_index(drop=True)
        table.insert(table.columns.get_loc(column) + 1, f"{column}_ci95", half.to_numpy())
    table["replications"] = grouped.size().to_numpy()
    return table


def with_clock(table: pd.DataFrame, scenario: Scenario, seconds_column: str = "start_s",
               prefix: str = "") -> pd.DataFrame:
    """``table`` with the clock columns of ``seconds_column`` right after it.

    The columns of :meth:`sim.scenario.clock.Clock.clock_columns` (``clock`` ``HH:MM``;
    ``datetime`` when the scenario's start has a date; ``weekday`` or ``day`` on a run of
    several days), each name after ``prefix`` (``arrival_clock``).
    """
    if seconds_column not in table.columns:
        return table
    columns = scenario.clock.clock_columns(table[seconds_column].to_numpy(dtype=float),
                                           scenario.horizon)
    out = table.copy()
    place = out.columns.get_loc(seconds_column) + 1
    for offset, (name, values) in enumerate(columns.items()):
        out.insert(place + offset, f"{prefix}{name}", values)
    return out


def run_interval_tables(runset: RunSet, scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``intervals.csv`` and ``groups.csv`` of a run: means over replications, clock columns."""
    intervals = with_clock(interval_summary(runset.intervals), scenario)
    groups = (with_clock(group_interval_summary(runset.groups), scenario)
              if not runset.groups.empty else pd.DataFrame())
    return intervals, groups


def breakdown_documents(runset: RunSet, scenario: Scenario) -> dict[str, Any]:
    """``channels``, ``queues`` (when sessions were kept) and ``groups`` of summary.json."""
    document: dict[str, Any] = {}
    if runset.sessions is not None and runset.replications:
        for by, key in (("channel", "channels"), ("queue", "queues")):
            document[key] = breakdown_document(
                session_breakdown(runset.sessions, scenario, by), by)
    if not runset.groups.empty:
        document["groups"] = breakdown_document(group_totals(runset.groups, scenario), "group")
    return document


def summary_document(runset: RunSet, scenario: Scenario) -> dict[str, Any]:
    """The content of ``summary.json``: settings, figures, and figures per part.

    Every headline figure's mean and CI, then (after the warm-up) the figures per channel
    and per queue (service level, ASA, abandonment, handle time, ...) and per agent group
    (agents online, occupancy, concurrency).
    """
    summary = in_reported_units(runset.summary(), measured_days(scenario), rename=True)
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "capacity_model": scenario.capacity_model,
        "tab_based_channels": scenario.tab_based_channels(),
        "replications": runset.replications,
        "requested_replications": runset.requested,
        "seed": runset.seed,
        "interrupted": runset.interrupted,
        "horizon_s": scenario.horizon,
        "warmup_s": scenario.warmup,
        "interval_s": scenario.interval,
        "service_level_threshold_s": scenario.service_level.threshold,
        "service_level_target": scenario.service_level.target,
        "figures": {
            name: {
                "mean": row["mean"],
                "ci95": row["ci95"],
                "sd": row["sd"],
                "n": int(row["n"]),
                "unit": unit,
            }
            for (name, row), unit in zip(summary.iterrows(), _units(runset.summary().index),
                                         strict=True)
        },
        **breakdown_documents(runset, scenario),
    }


def write_reports(runset: RunSet, out_dir: str | Path, scenario: Scenario | None = None
                  ) -> list[Path]:
    """Write the report files of a run into ``out_dir`` (created if missing).

    Files: ``intervals.csv``, ``groups.csv`` (per interval and agent group),
    ``sessions.parquet`` (or ``sessions.csv``; only when sessions were kept),
    ``agents.csv``, the charts ``arrivals_throughput.png``, ``wait_times.png`` (when
    sessions were kept), ``service_level.png`` and ``occupancy.png`` (one panel per group
    when there are several), and last ``summary.json``. Tables with an interval start
    or arrival time get clock columns next to it (:func:`with_clock`).

    Args:
        runset: the finished replications (see :func:`sim.experiments.runner.replicate`).
        out_dir: the output directory.
        scenario: the scenario for names and settings; the run set's when omitted.

    Returns:
        The paths written, in order.

    Raises:
        OSError: if the directory or a file cannot be written.
    """
    scenario = runset.scenario if scenario is None else scenario
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    intervals, groups = run_interval_tables(runset, scenario)
    written = [write_csv(folder / "intervals.csv", intervals)]
    if not groups.empty:
        written.append(write_csv(folder / "groups.csv", groups))
    if runset.sessions is not None:
        written.append(write_sessions(
            folder, with_clock(runset.sessions, scenario, "arrival_time", "arrival_")))
    written.append(write_csv(folder / "agents.csv", runset.agents))
    written.extend(_run_charts(folder, runset, scenario, intervals, groups))
    written.append(write_json(folder / "summary.json", summary_document(runset, scenario)))
    return written


def _run_charts(folder: Path, runset: RunSet, scenario: Scenario,
                intervals: pd.DataFrame, groups: pd.DataFrame) -> list[Path]:
    level = scenario.service_level
    clock = charts.ChartClock(scenario.clock, scenario.horizon)
    figures = {
        "arrivals_throughput.png": charts.arrivals_throughput_chart(
            intervals, scenario.interval, scenario.horizon, scenario.warmup, clock=clock
        ),
        "service_level.png": charts.service_level_chart(
            intervals, level.target, level.threshold, scenario.warmup, level.short_abandons,
            clock=clock,
        ),
        "occupancy.png": charts.occupancy_chart(
            intervals, scenario.warmup, clock=clock,
            groups=groups if len(scenario.agent_groups) > 1 else None),
    }
    if runset.sessions is not None:
        sessions = runset.sessions
        inbound = sessions[(sessions["direction"] == "inbound")
                           & (sessions["arrival_time"] >= scenario.warmup)]
        levels = np.array([figures_["service_level"] for figures_ in runset.figures], float)
        measured = levels[~np.isnan(levels)]
        figures["wait_times.png"] = charts.wait_distribution_chart(
            inbound["wait_s"], level.threshold, level.target,
            service_level=float(measured.mean()) if len(measured) else None,
            short_abandons=level.short_abandons,
        )
    return [write_figure(folder / name, figure) for name, figure in figures.items()]


# ---------------------------------------------------------------------- comparison reports
def sessions_per_agent(scenario: Scenario) -> float:
    """The most sessions one agent may hold at once (the bound of peak concurrency).

    An agent's capacity over the smallest work size of the channels it serves, the
    largest over groups; status-based capacity may exceed it (sessions back from Inactive).
    """
    best = 0.0
    for group in scenario.agent_groups:
        sizes = [work_size(channel) for channel in scenario.channels
                 if channel.queue in group.queues]
        if sizes:
            best = max(best, math.floor(group.capacity_units / min(sizes) + 1e-9))
    return best


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The content of ``comparison.json``: settings and, per figure, both models and diff."""
    scenario = comparison.tab.scenario
    table = in_reported_units(comparison.table, measured_days(scenario), rename=True)
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "baseline": "tab",
        "alternative": "status",
        "tab_based_channels": status_variant(scenario).tab_based_channels(),
        "difference": "status - tab, per replication (common random numbers)",
        "replications": comparison.replications,
        "requested_replications": comparison.tab.requested,
        "seed": comparison.tab.seed,
        "interrupted": comparison.interrupted,
        "figures": {
            name: {**{key: row[key] for key in row.index if key != "n"}, "n": int(row["n"]),
                   "unit": unit}
            for (name, row), unit in zip(table.iterrows(), _units(comparison.table.index),
                                         strict=True)
        },
    }


def write_comparison(comparison: Comparison, out_dir: str | Path) -> list[Path]:
    """Write ``comparison.csv``, the two comparison charts and ``comparison.json``.

    Args:
        comparison: the result of :func:`sim.experiments.runner.compare`.
        out_dir: the output directory (created if missing).

    Returns:
        The paths written, in order.

    Raises:
        OSError: if the directory or a file cannot be written.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    days = measured_days(comparison.tab.scenario)
    table = comparison.table.reset_index()
    # the unit of each figure, as in comparison.json and the printed table (shares are 0-1,
    # totals over a replication in hours per day)
    table.insert(1, "unit", _units(table["figure"]))
    table = in_reported_units(table, days, figure_column="figure", rename=True)
    written = [write_csv(folder / "comparison.csv", table)]
    level = comparison.tab.scenario.service_level
    if comparison.replications:
        written.append(write_figure(
            folder / "comparison_service_level.png",
            charts.compare_service_level_chart(
                interval_summary(comparison.tab.intervals),
                interval_summary(comparison.status.intervals),
                level.target,
                level.threshold,
                comparison.tab.scenario.warmup,
                level.short_abandons,
                clock=charts.ChartClock(comparison.tab.scenario.clock,
                                        comparison.tab.scenario.horizon),
            ),
        ))
        written.append(write_figure(
            folder / "comparison_differences.png",
            charts.compare_differences_chart(
                comparison.table, capacity=sessions_per_agent(comparison.tab.scenario),
                days=days),
        ))
    written.append(write_json(folder / "comparison.json", comparison_document(comparison)))
    return written


def _units(figures: Iterable[object]) -> list[str]:
    """The unit each figure is reported in (totals in hours per day)."""
    return [reported_unit(str(name)) for name in figures]


def _plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python, NaN and infinities to ``None``."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value
