"""What a calibration found, in words: the export, the fitted center, the backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.backtest import Backtest
from sim.calibration.center import Calibration
from sim.calibration.observed import MEASURE_LABELS


def calibration_text(calibration: Calibration) -> str:
    """The export's sessions and work items, the clock, capacity model and groups (Markdown)."""
    scenario = calibration.scenario
    if scenario is None:
        return "The calibration has no scenario."
    clock = calibration.clock
    groups = "; ".join(
        f"{g.name}: capacity {g.capacity_units:g}"
        + (f", observed staffing peaking at {max(g.staffing)} agents" if g.staffing else
           f", {g.agents} agents") for g in scenario.agent_groups)
    notes = "".join(f"\n- {note}" for note in calibration.notes)
    defaults = "".join(f"\n- {line}" for line in calibration.defaults)
    return (f"**{scenario.name}**: {len(calibration.sessions)} sessions and "
            f"{len(calibration.work)} work items from {clock.start_text}, "
            f"{clock.horizon_s / 3600:g} h in {clock.interval_s / 60:g}-minute intervals. "
            f"Capacity model found: **{scenario.capacity_model}-based**. Groups: {groups}. "
            f"Reply times from {calibration.messages_source}.\n\nNotes:{notes or ' none'}"
            f"\n\nDefaults kept (key = default: why):{defaults or ' none'}")


def fitted_table(calibration: Calibration) -> pd.DataFrame:
    """Every fitted key with the comment the scenario file carries (estimate, n, CI)."""
    return pd.DataFrame({"fitted": [".".join(map(str, path)) for path in calibration.comments],
                         "estimate": list(calibration.comments.values())}).set_index("fitted")


def backtest_table(result: Backtest) -> pd.DataFrame:
    """The backtest summary a planner reads: per measure, its error and share inside."""
    summary = result.summary.copy()
    summary.index = [MEASURE_LABELS.get(str(name), str(name)) for name in summary.index]
    summary["inside the band (%)"] = (summary["inside_share"] * 100.0).round(1)
    keep = ["unit", "mae", "inside the band (%)", "intervals", "relative_bias", "verdict"]
    summary = summary[[column for column in keep if column in summary.columns]]
    if "relative_bias" in summary.columns:
        summary["relative_bias"] = (summary["relative_bias"] * 100.0).round(1)
    return summary.rename(columns={
        "mae": "mean absolute error", "intervals": "intervals compared",
        "relative_bias": "horizon bias (% of observed)", "verdict": "horizon verdict"})


def backtest_bias_table(result: Backtest) -> pd.DataFrame:
    """Per measure and level (horizon, each day): the bias and its verdict.

    Observed and simulated figures, the bias and its 95% interval as % of the observed
    figure.
    """
    levels = result.levels
    if levels is None:
        return pd.DataFrame()
    table = levels.copy()
    table["measure"] = [MEASURE_LABELS.get(str(name), str(name)) for name in table["measure"]]
    with np.errstate(all="ignore"):
        scale = 100.0 / table["observed"].abs()
    table["bias (%)"] = (table["relative_bias"] * 100.0).round(1)
    table["95% interval (%)"] = [
        f"{low:+.1f} to {high:+.1f}" if np.isfinite(low) and np.isfinite(high) else "n/a"
        for low, high in zip(table["bias_low"] * scale, table["bias_high"] * scale,
                             strict=True)]
    return table.set_index(["measure", "level"])[
        ["observed", "simulated", "bias (%)", "95% interval (%)", "verdict"]]
