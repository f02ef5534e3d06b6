"""significant_costs: which model pays each capacity cost, by the paired CI (issue 12, 8)."""

from __future__ import annotations

import math

import pandas as pd

from sim.results.figures import COST_FIGURES, FIGURE_LABELS, FIGURE_UNITS, significant_costs


def _table(rows: dict[str, tuple[float, float, float, float]]) -> pd.DataFrame:
    """A comparison table from ``{figure: (tab_mean, status_mean, diff_mean, diff_ci95)}``."""
    return pd.DataFrame(
        [{"tab_mean": t, "tab_ci95": 0.0, "status_mean": s, "status_ci95": 0.0,
          "diff_mean": d, "diff_ci95": h, "n": 10} for t, s, d, h in rows.values()],
        index=pd.Index(list(rows), name="figure"),
    )


def test_costlier_model_where_the_ci_excludes_zero() -> None:
    table = _table({
        "wait_after_answer_s": (100.0, 900.0, 800.0, 50.0),   # status pays more
        "stranded_s": (0.0, 600.0, 600.0, 600.0),             # CI reaches 0: not called
        "over_capacity_s": (0.0, 300.0, 300.0, 0.0),          # same every replication
        "peak_concurrency": (3.0, 3.0, 0.0, 0.0),             # no difference
        "occupancy": (0.8, 0.7, -0.1, 0.02),                  # tab holds more capacity
        "handle_time_s": (500.0, 490.0, -10.0, math.nan),     # no CI: not called
        "asa_s": (30.0, 20.0, -10.0, 1.0),                    # not a cost figure
    })
    costs = significant_costs(table)
    assert list(costs.index) == list(COST_FIGURES)
    assert costs["significant"].to_dict() == {
        "wait_after_answer_s": True, "stranded_s": False, "over_capacity_s": True,
        "peak_concurrency": False, "occupancy": True, "handle_time_s": False,
    }
    assert costs["costlier"].to_dict() == {
        "wait_after_answer_s": "status", "stranded_s": "neither", "over_capacity_s": "status",
        "peak_concurrency": "neither", "occupancy": "tab", "handle_time_s": "neither",
    }
    assert costs.loc["occupancy", "tab"] == 0.8
    assert costs.loc["occupancy", "diff"] == -0.1
    assert costs.loc["wait_after_answer_s", "label"] == FIGURE_LABELS["wait_after_answer_s"]
    assert costs.loc["occupancy", "unit"] == FIGURE_UNITS["occupancy"]


def test_missing_figure_is_not_significant() -> None:
    costs = significant_costs(_table({"stranded_s": (0.0, 60.0, 60.0, 1.0)}),
                              figures=("stranded_s", "over_capacity_s"))
    assert costs["costlier"].tolist() == ["status", "neither"]
    assert math.isnan(costs.loc["over_capacity_s", "diff"])
