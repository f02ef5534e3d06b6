"""Chart of a parameter sweep: service level and ASA against the first grid key.

Built with the object API on the Agg backend (no pyplot state), like :mod:`sim.reports.run_charts`.
Every chart has a title, axis labels with units and a legend.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Mapping  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.experiments.sweep import cell_label, grid_keys, wide  # noqa: E402
from sim.scenario.user_text import chart_text  # noqa: E402

SIZE = (11.0, 4.8)
"""Figure size in inches (two panels)."""

KEY_UNITS = {
    "agents": "agents",
    "capacity": "capacity units",
    "capacity_percent": "% of capacity",
    "capacity_weight": "capacity units",
    "exchanges": "exchanges",
    "push_timeout": "s",
    "threshold": "s",
    "horizon": "s",
    "seed": "seed",
}
"""Units of grid keys, by the last name in the key path (durations are in seconds)."""


def sweep_chart(table: pd.DataFrame, target: float | None = None,
                threshold_s: float | None = None, title: str | None = None,
                labels: Mapping[str, str] | None = None) -> Figure:
    """Service level and average speed of answer per cell, with 95% CI error bars.

    The x axis is the first grid key (numeric values on a numeric axis, others as
    categories); one line per combination of the other keys.

    Args:
        table: a tidy sweep table (:attr:`sim.experiments.sweep.SweepResult.table`, or
            ``sweep.csv`` read back).
        target: service-level target (share 0-1), drawn as a line when given.
        threshold_s: service-level threshold (seconds), for the panel's label.
        title: the figure title; a generic one when omitted.
        labels: what to call grid keys on the axis and in the legend (``--label``), by
            key path; a key without one is shown as its key path.

    Returns:
        The figure.
    """
    keys = grid_keys(table)
    names = {key: (labels or {}).get(key, key) for key in keys}
    cells = wide(table, ["service_level", "asa_s"])
    x_key, others = keys[0], keys[1:]
    numeric = _is_numeric(cells[x_key])
    categories = list(dict.fromkeys(cells[x_key].map(str)))
    positions = (cells[x_key].astype(float).to_numpy() if numeric
                 else np.array([categories.index(str(v)) for v in cells[x_key]], dtype=float))
    cells = cells.assign(_x=positions)
    groups = ([("all cells", cells)] if not others else
              [(_series_label([names[key] for key in others], values), rows)
               for values, rows in cells.groupby(others, sort=False, dropna=False)])

    figure = Figure(figsize=SIZE, layout="constrained")
    level_axes, asa_axes = figure.subplots(1, 2)
    spacing = _spacing(positions)
    for number, (label, rows) in enumerate(groups):
        rows = rows.sort_values("_x")
        shift = (number - (len(groups) - 1) / 2) * spacing * 0.06  # dodge overlapping bars
        x = rows["_x"].to_numpy(dtype=float) + shift
        color = f"C{number % 10}"
        level_axes.errorbar(x, rows["service_level_mean"] * 100.0,
                            yerr=_errors(rows["service_level_ci95"]) * 100.0,
                            marker="o", capsize=4, color=color, label=label)
        asa_axes.errorbar(x, rows["asa_s_mean"], yerr=_errors(rows["asa_s_ci95"]),
                          marker="o", capsize=4, color=color, label=label)
    if target is not None:
        level_axes.axhline(target * 100.0, color="black", linestyle=":",
                           label=f"service-level target ({target:.0%})")
    within = f" within {threshold_s:g} s" if threshold_s is not None else ""
    level_axes.set_title(f"Service level (answered{within})")
    level_axes.set_ylabel("service level (% of sessions)")
    level_axes.set_ylim(0.0, 101.0)
    asa_axes.set_title("Average speed of answer")
    asa_axes.set_ylabel("average speed of answer (s)")
    asa_axes.set_ylim(bottom=0.0)
    for axes in (level_axes, asa_axes):
        _x_axis(axes, x_key, numeric, categories, positions, names[x_key])
        axes.grid(alpha=0.3)
        axes.legend(loc="best", fontsize="small",
                    title=chart_text(", ".join(names[key] for key in others)) if others else None,
                    title_fontsize="small")
    replications = int(cells["n"].max()) if len(cells) else 0
    # Long key paths and scenario names wrap to the figure's width instead of being cut.
    figure.suptitle(chart_text(title or f"Sweep over {', '.join(names.values())}: mean of "
                               f"{replications} "
                               "replications per cell, error bars 95% CI"), wrap=True)
    return figure


def _is_numeric(values: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(values)) and not pd.api.types.is_bool_dtype(values)


def _errors(values: pd.Series) -> np.ndarray:
    """CI half-widths with NaN (fewer than two replications) drawn as no bar."""
    return np.nan_to_num(values.to_numpy(dtype=float), nan=0.0)


def _spacing(positions: np.ndarray) -> float:
    distinct = np.unique(positions[~np.isnan(positions)])
    return float(np.min(np.diff(distinct))) if len(distinct) > 1 else 1.0


def _series_label(keys: list[str], values: object) -> str:
    """A line's legend entry: the value alone for one key, ``key=value, ...`` for more."""
    values = values if isinstance(values, tuple) else (values,)
    if len(keys) == 1:
        return chart_text(values[0])
    return chart_text(cell_label(dict(zip(keys, values, strict=True))))


def _x_axis(axes: Axes, key: str, numeric: bool, categories: list[str],
            positions: np.ndarray, name: str | None = None) -> None:
    """Ticks and label of the x axis; ``name`` is the key's label (default its key path)."""
    unit = KEY_UNITS.get(key.rsplit(".", 1)[-1].split("[")[0])
    unit = unit or ("scenario units" if numeric else "category")
    name = name or key
    # A label that already names its unit ("Agents on the day shift") is shown as it is.
    shown = name if name != key and unit.lower() in name.lower() else f"{name} ({unit})"
    if numeric:
        distinct = np.unique(positions[~np.isnan(positions)])
        if len(distinct) <= 15:
            axes.set_xticks(distinct, [f"{value:g}" for value in distinct])
        axes.set_xlabel(chart_text(shown))
        return
    axes.set_xticks(range(len(categories)), [chart_text(value) for value in categories])
    axes.set_xlim(-0.5, len(categories) - 0.5)
    axes.set_xlabel(chart_text(shown))
