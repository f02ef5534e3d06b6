"""The comparison's headline figures as a planner reads them: both means, the difference."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sim.results.figures import FIGURE_UNITS


def mean_with_ci(mean: float, half: float, unit: str, signed: bool = False) -> str:
    """``mean ± half`` as text, four significant digits; shares in % (differences in pp).

    Args:
        mean: the value (a share as 0-1 when ``unit`` is ``"share"``).
        half: its 95% CI half-width (left out when NaN).
        unit: the figure's unit (:data:`sim.results.figures.FIGURE_UNITS`).
        signed: write a ``+`` before positive values (differences).
    """
    if unit == "share":
        mean, half = mean * 100.0, half * 100.0
    spread = f" ± {half:.3g}" if math.isfinite(half) else ""
    return f"{mean:{'+' if signed else ''}.4g}{spread}"


def headline_table(table: pd.DataFrame, units: Mapping[str, str] = FIGURE_UNITS
                   ) -> tuple[pd.DataFrame, list[str]]:
    """One row per headline figure that is not zero under both models.

    Args:
        table: :attr:`sim.experiments.runner.Comparison.table` (or any
            :func:`sim.results.figures.paired_comparison`).
        units: each figure's unit (``"share"`` is shown in %).

    Returns:
        The display table (unit, both means ± CI, the difference status - tab ± CI and
        ``clear``: the CI of the difference excludes zero) and the figures left out
        because they are zero under both models.
    """
    rows, zero = [], []
    for figure, row in table.iterrows():
        unit = units.get(str(figure), "")
        if row[["tab_mean", "status_mean", "diff_mean"]].abs().max() == 0:
            zero.append(str(figure))
            continue
        half = float(row["diff_ci95"])
        clear = math.isfinite(half) and abs(float(row["diff_mean"])) > half
        rows.append({
            "figure": figure,
            "unit": "%" if unit == "share" else unit,
            "tab-based (mean ± CI)": mean_with_ci(row["tab_mean"], row["tab_ci95"], unit),
            "status-based (mean ± CI)": mean_with_ci(row["status_mean"], row["status_ci95"],
                                                     unit),
            "status − tab (mean ± CI)": mean_with_ci(row["diff_mean"], half, unit, True)
            + (" pp" if unit == "share" else ""),
            "clear": "yes" if clear else "no",
        })
    return pd.DataFrame(rows).set_index("figure"), zero
