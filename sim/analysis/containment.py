"""If the bot resolves more, how many agents? Staffing as the bot's containment grows.

Each point sets the share every channel's bot resolves (``channels[].bot.resolves``,
rules §8.1) and staffs the scenario under both capacity models on the same customers
(:func:`sim.staffing.plan.staff`); the table and chart give the agent-hours and the peak
each model needs, so a planner reads both "how many agents" and "does the capacity model
still matter" off one picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.executors import Executor
from sim.reports.run_charts import COLORS
from sim.scenario.schema import Scenario
from sim.staffing.plan import StaffingGoals, staff

CONTAINMENT_SHARES = (0.0, 0.2, 0.4, 0.6)
"""The bot containments tried by default (shares of the bot's sessions it resolves)."""


def with_containment(scenario: Scenario, share: float) -> Scenario:
    """``scenario`` with every channel's bot resolving ``share`` of its sessions.

    Raises:
        ValueError: the scenario has no bot.
    """
    changes = {f"channels[{index}].bot.resolves": share
               for index, channel in enumerate(scenario.channels) if channel.bot is not None}
    if not changes:
        raise ValueError(f"{scenario.name}: no channel has a bot (channels[].bot)")
    return scenario.derive(changes, source=f"bot containment {share:.0%}")


def containment_staffing(scenario: Scenario, goals: StaffingGoals,
                         shares: Sequence[float] = CONTAINMENT_SHARES, replications: int = 4,
                         seed: int | None = None, executor: Executor | None = None,
                         max_iterations: int = 20) -> pd.DataFrame:
    """Agent-hours and peak agents per capacity model at each bot containment.

    Returns:
        One row per share and model: ``containment`` (share), ``model``,
        ``agent_hours`` (scheduled, the whole horizon) and ``peak_agents``.
    """
    rows = []
    for share in shares:
        report = staff(with_containment(scenario, share), goals, replications=replications,
                       seed=seed, executor=executor, curve=False,
                       max_iterations=max_iterations)
        peaks = report.summary()["peak_agents"]
        for model, hours in report.agent_hours().items():
            rows.append({"containment": share, "model": model, "agent_hours": hours,
                         "peak_agents": peaks[model]})
    return pd.DataFrame(rows)


def containment_chart(table: pd.DataFrame, goals: StaffingGoals) -> Figure:
    """Agent-hours needed against the bot's containment, a line per capacity model."""
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axes = figure.subplots()
    for model, rows in table.groupby("model", sort=False):
        axes.plot(rows["containment"] * 100.0, rows["agent_hours"], marker="o",
                  color=COLORS.get(str(model)), label=f"{model}-based capacity")
    axes.set_xlabel("bot containment (% of the bot's sessions it resolves)")
    axes.set_ylabel("scheduled agent-hours (h)")
    axes.set_ylim(bottom=0.0)
    axes.set_title(f"Agents needed as the bot resolves more ({goals.describe()})",
                   fontsize=10, wrap=True)
    axes.legend(loc="upper right")
    axes.grid(alpha=0.3)
    return figure
