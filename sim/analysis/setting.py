"""What a notebook says about the scenario it runs: its groups, channels and setting."""

from __future__ import annotations

import pandas as pd

from sim.scenario.schema import Scenario


def group_table(scenario: Scenario) -> pd.DataFrame:
    """One row per agent group: agents, capacity, disconnections, close-tab delay, ACW."""
    return pd.DataFrame([{
        "group": group.name,
        "agents": group.agents,
        "capacity (units)": group.capacity_units,
        "disconnections (per agent-hour)": group.disconnections.rate,
        "outages": len(group.disconnections.outages),
        "close-tab delay": group.behaviour.close_tab_delay.model_dump(),
        "ACW max (s)": (group.behaviour.after_conversation_work.max
                        if group.behaviour.after_conversation_work.enabled else None),
        "inactivate after (s)": group.behaviour.inactivate_after,
    } for group in scenario.agent_groups]).set_index("group")


def channel_table(scenario: Scenario) -> pd.DataFrame:
    """One row per channel: its type and the shares of silent and returning customers."""
    return pd.DataFrame([{
        "channel": channel.name, "type": channel.type,
        "silent share": channel.customers.silent_probability,
        "return share": channel.customers.return_probability,
    } for channel in scenario.channels]).set_index("channel")


def setting_text(scenario: Scenario, replications: int, seed: int) -> str:
    """The scenario, its day in clock time, the service-level goal and the runs (Markdown)."""
    clock, level = scenario.clock, scenario.service_level
    return (f"**{scenario.name}**: {scenario.description}\n\n"
            f"From {clock.hhmm(0)} to {clock.hhmm(scenario.horizon)} "
            f"({scenario.horizon / 3600:g} h) in {scenario.n_intervals} intervals of "
            f"{scenario.interval / 60:g} min, warm-up {scenario.warmup / 60:g} min; "
            f"service-level goal {level.target:.0%} within {level.threshold:g} s; "
            f"{replications} replications per capacity model, seed {seed}.")
