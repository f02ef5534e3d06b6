"""Backtest: the calibrated center run with the observed staffing, against what happened.

Each agent group of the scenario gets the staffing per interval observed in the export's
presence, or its observed shifts with their breaks where its agents take breaks (groups
matched by name, as :func:`sim.calibration.agents.user_groups` names
them). Replications run through :func:`sim.experiments.runner.replicate`; per interval,
the simulated mean and the 95% band (a distribution-free prediction band from the order
statistics of the replications, :func:`prediction_band`: where a single observed interval
should fall; 39 replications make it their range) are set against the observed value of
each measure of :data:`sim.calibration.observed.MEASURES`. Summary per measure: the mean
absolute error of the simulated mean and the share of intervals whose observed value is
inside the band.

A band per interval is wide: a model off by a quarter still puts most intervals inside.
So each measure is also compared over the whole horizon and each day (:func:`level_bias`):
the figure (the mean over the compared intervals) observed, and in every replication; the
bias is the simulated mean minus the observed, its 95% interval the prediction band of one
replication's figure minus the observed. A measure whose horizon figure is outside that
band and off by :data:`FAIL_RELATIVE_BIAS` or more fails, and so does the backtest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration.agents import break_periods, staffing_per_interval
from sim.calibration.center import Calibration
from sim.calibration.observed import MEASURES, observed_intervals
from sim.calibration.shifts import fit_shifts
from sim.calibration.timeline import ExportClock
from sim.experiments.executors import Executor
from sim.experiments.runner import Progress, RunSet, replicate
from sim.scenario.schema import Scenario

FAIL_RELATIVE_BIAS = 0.10
"""A measure fails when its observed horizon figure is outside the simulated band and the
simulated mean is off by this share of it or more."""

LEVEL_COLUMNS = ("measure", "level", "unit", "intervals", "mae", "inside_share", "observed",
                 "simulated", "bias", "bias_low", "bias_high", "relative_bias", "verdict")
"""Columns of :attr:`Backtest.levels` (``backtest_summary.csv``)."""


@dataclass
class Backtest:
    """Observed against simulated, per interval and measure.

    Attributes:
        scenario: the scenario run (the calibrated one with the observed staffing).
        table: one row per interval and measure: ``interval``, ``start_s``, ``measure``,
            ``unit``, ``observed``, ``sim_mean``, ``sim_low``, ``sim_high``, ``inside``.
        summary: one row per measure: ``unit``, ``mae``, ``inside_share``, ``intervals``
            (compared: observed and simulated both defined).
        replications: replications run.
        notes: what was matched or assumed.
        levels: one row per measure and level (``horizon``, then each day by its date):
            the columns of :data:`LEVEL_COLUMNS` (:func:`level_bias`).
    """

    scenario: Scenario
    table: pd.DataFrame
    summary: pd.DataFrame
    replications: int
    notes: list[str]
    levels: pd.DataFrame | None = None

    @property
    def failed(self) -> list[str]:
        """The measures whose horizon figure fails (empty: the backtest passes)."""
        if self.levels is None:
            return []
        horizon = self.levels[(self.levels["level"] == "horizon")
                              & (self.levels["verdict"] == "fail")]
        return [str(measure) for measure in horizon["measure"]]


def observed_staffing(scenario: Scenario, calibration: Calibration) -> tuple[Scenario, list[str]]:
    """The scenario with each group's staffing as observed in the export's presence."""
    notes: list[str] = []
    changes: dict[str, object] = {}
    clock = calibration.clock
    if abs(scenario.horizon - clock.horizon_s) > 1e-6:
        changes["horizon"] = clock.horizon_s
        notes.append(f"horizon set to the export's {clock.days} day(s)")
    known = {str(name) for name in calibration.groups}
    for index, group in enumerate(scenario.agent_groups):
        users = [str(u) for u in calibration.groups.index[calibration.groups == group.name]]
        if group.name not in known and len(scenario.agent_groups) == 1:
            users = [str(u) for u in calibration.groups.index]
        if not users:
            notes.append(f"agent group {group.name!r}: no user of the export in it; its "
                         "schedule is kept")
            continue
        shifts = calibration.periods.shifts
        shifts = shifts[shifts["user"].isin(users)]
        table, work = calibration.periods.table, calibration.work
        breaks = break_periods(table[table["user"].isin(users)],
                               work[work["user"].isin(users)])
        entries = fit_shifts(shifts, breaks) if len(breaks) else []
        if any("breaks" in entry for entry in entries):  # which a staffing cannot hold
            changes[f"agent_groups[{index}].shifts"] = entries
            changes[f"agent_groups[{index}].staffing"] = None
            notes.append(f"agent group {group.name!r}: observed shifts and breaks of "
                         f"{len(users)} users")
            continue
        staffing = staffing_per_interval(shifts, clock)
        changes[f"agent_groups[{index}].staffing"] = [int(round(v)) for v in staffing]
        changes[f"agent_groups[{index}].shifts"] = None
        notes.append(f"agent group {group.name!r}: observed staffing of {len(users)} users")
    return scenario.derive(changes, source="backtest scenario"), notes


def backtest(
    scenario: Scenario,
    calibration: Calibration,
    replications: int = 39,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Backtest:
    """Run the scenario with the observed staffing and compare it with the export.

    Args:
        scenario: the calibrated scenario (its interval sets the comparison's intervals).
        calibration: the export's calibration at the scenario's interval (its facts and
            clock are what is observed).
        replications: replications to run (at least 2; 39 for a 95% band).
        seed: root seed; the scenario's when omitted.
        executor: where replications run.
        progress: called after each replication.
    """
    run_scenario, notes = observed_staffing(scenario, calibration)
    runs = replicate(run_scenario, replications, seed=seed, executor=executor,
                     keep_sessions=True, progress=progress)
    observed = observed_intervals(calibration.sessions, calibration.work, calibration.periods,
                                  calibration.clock, scenario.service_level.threshold)
    simulated = simulated_intervals(runs)
    rows = []
    levels = []
    for measure, unit in MEASURES.items():
        values = simulated.pivot(index="interval", columns="replication", values=measure)
        values = values.reindex(observed["interval"])
        matrix = values.to_numpy(dtype=float)
        mean = _row_means(matrix)
        low, high = _band(matrix)
        obs = observed[measure].to_numpy(dtype=float)
        inside = np.where(np.isfinite(obs) & np.isfinite(low),
                          (obs >= low - 1e-9) & (obs <= high + 1e-9), np.nan)
        rows.append(pd.DataFrame({
            "interval": observed["interval"], "start_s": observed["start_s"],
            "measure": measure, "unit": unit, "observed": obs, "sim_mean": mean,
            "sim_low": low, "sim_high": high, "inside": inside,
        }))
        levels.extend(level_bias(measure, unit, obs, matrix, rows[-1],
                                 day_labels(calibration.clock, observed["start_s"].to_numpy())))
    table = pd.concat(rows, ignore_index=True)
    level_table = pd.DataFrame(levels, columns=list(LEVEL_COLUMNS))
    summary = summarize(table)
    horizon = level_table[level_table["level"] == "horizon"].set_index("measure")
    for column in ("observed", "simulated", "bias", "bias_low", "bias_high", "relative_bias",
                   "verdict"):
        summary[column] = horizon[column].reindex(summary.index)
    return Backtest(scenario=run_scenario, table=table, summary=summary,
                    replications=runs.replications, notes=notes, levels=level_table)


def day_labels(clock: ExportClock, start_s: np.ndarray) -> np.ndarray:
    """The date (in the clock's zone) of each interval start, ``2026-03-02``."""
    moments = clock.start + pd.to_timedelta(start_s, unit="s")
    return np.asarray(moments.tz_convert(clock.zone).strftime("%Y-%m-%d"))


def level_bias(measure: str, unit: str, observed: np.ndarray, matrix: np.ndarray,
               rows: pd.DataFrame, days: np.ndarray) -> list[dict[str, object]]:
    """Bias of one measure over the horizon and each day, with its 95% interval.

    Args:
        measure: the measure's name.
        unit: its unit.
        observed: its observed value per interval.
        matrix: its simulated value per interval (rows) and replication (columns).
        rows: the measure's rows of the backtest table (for the MAE and band share).
        days: the date of each interval.

    A level's figure is the mean over its intervals where the observed value is defined
    (in each replication, over those it defines too).
    """
    result: list[dict[str, object]] = []
    for level in ["horizon", *dict.fromkeys(days.tolist())]:
        at = np.ones(len(observed), dtype=bool) if level == "horizon" else days == level
        at &= np.isfinite(observed)
        mine = rows[at]
        both = mine["observed"].notna() & mine["sim_mean"].notna()
        banded = mine["inside"].notna()
        entry: dict[str, object] = {
            "measure": measure, "level": level, "unit": unit, "intervals": int(banded.sum()),
            "mae": float((mine.loc[both, "observed"] - mine.loc[both, "sim_mean"]).abs().mean())
            if both.any() else math.nan,
            "inside_share": float(mine.loc[banded, "inside"].mean()) if banded.any()
            else math.nan,
        }
        figures = _figures(matrix[at])
        if not at.any() or not np.isfinite(figures).any():
            result.append({**entry, "observed": math.nan, "simulated": math.nan,
                           "bias": math.nan, "bias_low": math.nan, "bias_high": math.nan,
                           "relative_bias": math.nan, "verdict": "n/a"})
            continue
        seen = float(observed[at].mean())
        simulated = float(np.nanmean(figures))
        low, high = prediction_band(figures)
        relative = (simulated - seen) / seen if seen != 0 else math.nan
        outside = seen < low - 1e-9 or seen > high + 1e-9
        off = abs(relative) >= FAIL_RELATIVE_BIAS if math.isfinite(relative) else outside
        result.append({**entry, "observed": seen, "simulated": simulated,
                       "bias": simulated - seen, "bias_low": low - seen,
                       "bias_high": high - seen, "relative_bias": relative,
                       "verdict": "fail" if outside and off else "pass"})
    return result


def _figures(matrix: np.ndarray) -> np.ndarray:
    """Each replication's mean over the intervals it defines (NaN where none)."""
    defined = np.isfinite(matrix)
    count = defined.sum(axis=0)
    total = np.where(defined, matrix, 0.0).sum(axis=0)
    return np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)


def simulated_intervals(runs: RunSet) -> pd.DataFrame:
    """Every measure per replication and interval (inbound sessions of every channel)."""
    scenario = runs.scenario
    intervals = runs.intervals[runs.intervals["channel"] == "all"]
    table = intervals[["replication", "interval", "offered", "service_level", "asa_s",
                       "occupancy"]].copy()
    with np.errstate(all="ignore"):
        table["abandonment_rate"] = np.where(
            intervals["offered"] > 0, intervals["abandoned"] / intervals["offered"], np.nan)
    sessions = runs.sessions
    assert sessions is not None  # kept by backtest
    done = sessions[(sessions["direction"] == "inbound") & sessions["handle_time_s"].notna()]
    bins = np.minimum((done["arrival_time"].to_numpy() // scenario.interval).astype(int),
                      scenario.n_intervals - 1)
    handle = (pd.DataFrame({"replication": done["replication"].to_numpy(), "interval": bins,
                            "handle_time_s": done["handle_time_s"].to_numpy()})
              .groupby(["replication", "interval"])["handle_time_s"].mean())
    table = table.set_index(["replication", "interval"])
    table["handle_time_s"] = handle.reindex(table.index)
    return table.reset_index()


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Per measure: mean absolute error of the simulated mean, share of intervals inside."""
    rows = {}
    for measure, rows_of in table.groupby("measure", sort=False):
        both = rows_of["observed"].notna() & rows_of["sim_mean"].notna()
        banded = rows_of["inside"].notna()
        rows[measure] = {
            "unit": rows_of["unit"].iloc[0],
            "mae": float((rows_of.loc[both, "observed"] - rows_of.loc[both, "sim_mean"])
                         .abs().mean()) if both.any() else np.nan,
            "inside_share": float(rows_of.loc[banded, "inside"].mean()) if banded.any()
            else np.nan,
            "intervals": int(banded.sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _row_means(matrix: np.ndarray) -> np.ndarray:
    """Mean per row over the defined values (NaN where none)."""
    defined = np.isfinite(matrix)
    count = defined.sum(axis=1)
    total = np.where(defined, matrix, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)


def band_order(replications: int) -> int:
    """The order k of :func:`prediction_band`: from the k-th smallest to the k-th largest."""
    return max(1, int(math.floor(0.025 * (replications + 1) + 1e-9)))


def band_coverage(replications: int) -> float:
    """The probability that :func:`prediction_band` of ``replications`` holds one more run."""
    return (replications + 1 - 2 * band_order(replications)) / (replications + 1)


def prediction_band(values: np.ndarray) -> tuple[float, float]:
    """A distribution-free 95% prediction band of one more replication from ``values``.

    The k-th smallest and k-th largest of R replications hold a new one with probability
    (R + 1 - 2k) / (R + 1); k = floor(0.025 (R + 1)) keeps that at 95% or more (39
    replications: their range). With fewer, the range, holding (R - 1) / (R + 1).
    """
    ordered = np.sort(values[np.isfinite(values)])
    if not len(ordered):
        return math.nan, math.nan
    k = band_order(len(ordered))
    return float(ordered[k - 1]), float(ordered[len(ordered) - k])


def _band(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The prediction band per row (NaN where no replication has a value)."""
    bands = [prediction_band(row) for row in matrix]
    if not bands:
        return np.empty(0), np.empty(0)
    low, high = zip(*bands, strict=True)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)
