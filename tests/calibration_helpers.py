"""A known center, simulated and exported, for the calibration and backtest tests.

:data:`TRUTH` is a tailored two-day desk (one enhanced web chat with an outbound campaign,
one group on staffing per interval) with enough abandonment (exponential patience, a busy
desk) for a patience fit on hundreds of events; :func:`export_truth` runs it traced and
writes its Omni-Channel export with ``sim.salesforce.export``.
"""

from __future__ import annotations

from pathlib import Path

from sim.model.simulate import simulate
from sim.model.tables import Result
from sim.salesforce.export import export_tables, write_export
from sim.scenario.schema import Scenario

DAY_VOLUMES = [0.0] * 16 + [40, 60, 80, 95, 100, 95, 85, 80, 80, 85, 95, 100, 95, 85, 70, 60,
                            50, 40, 30, 20] + [0.0] * 12
"""Inbound sessions expected per 30-minute interval of a day (08:00-18:00)."""

OUTBOUND_VOLUMES = [0.0] * 18 + [10.0] * 10 + [0.0] * 20
"""Outbound sessions sent per 30-minute interval (09:00-14:00)."""

DAY_STAFFING = [0] * 16 + [9] * 20 + [0] * 12
"""Agents logged in per 30-minute interval (08:00-18:00)."""

TRUTH_VALUES = {
    "name": "Round trip desk",
    "horizon": "2d",
    "interval": "30m",
    "capacity_model": "tab",
    "seed": 12,
    "service_level": {"threshold": "60s", "target": 0.8},
    "channels": [{
        "name": "web_chat",
        "type": "enhanced_web_chat",
        "queue": "support",
        "capacity_weight": 1,
        "arrivals": {"volumes": DAY_VOLUMES, "repeat": True},
        "outbound": {
            "arrivals": {"volumes": OUTBOUND_VOLUMES, "repeat": True},
            "answer_probability": 0.6,
            "answer_delay": {"kind": "exponential", "mean": "20m"},
        },
        "customers": {
            "exchanges": {"kind": "lognormal", "mean": 6, "sd": 3},
            "reply_time": {"kind": "exponential", "mean": "50s"},
            "patience": {"kind": "exponential", "mean": "3m"},
            "silent_probability": 0.1,
            "return_probability": 0.3,
            "return_delay": {"kind": "exponential", "mean": "20m"},
        },
    }],
    "queues": [{"name": "support", "push_timeout": "60s"}],
    "agent_groups": [{
        "name": "chat_agents",
        "capacity": 3,
        "queues": ["support"],
        "staffing": DAY_STAFFING * 2,
        "behaviour": {
            "accept_delay": {"kind": "uniform", "low": "3s", "high": "15s"},
            "decline_probability": 0.03,
            "reply_time": {"kind": "lognormal", "mean": "40s", "sd": "25s"},
            "concurrency_slowdown": 0.15,
            "close_tab_delay": {"kind": "exponential", "mean": "40s"},
            "after_conversation_work": {"enabled": True, "max": "2m"},
        },
    }],
}
"""The known center whose export the tests calibrate."""

TRUTH = Scenario.model_validate(TRUTH_VALUES)


def export_truth(folder: Path, scenario: Scenario = TRUTH) -> Result:
    """Simulate ``scenario`` (traced, replication 0) and write its export into ``folder``."""
    result = simulate(scenario, trace=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_export(export_tables(result), folder)
    return result


BOT = {"handling_time": {"kind": "lognormal", "mean": "90s", "sd": "60s"},
       "resolves": 0.2, "leaves": 0.05}
"""The bot stage in front of :func:`prequeue_truth`'s queue (rules §8.1)."""

SHIFTS_WITH_BREAKS = [
    {"start": "08:00", "end": "16:00", "agents": 5,
     "breaks": [{"after": "2h", "duration": "15m"},
                {"window": "11:30-12:30", "duration": "30m", "spread": "30m"}]},
    {"start": "10:00", "end": "18:00", "agents": 5,
     "breaks": [{"window": "13:00-14:00", "duration": "30m", "spread": "30m"},
                {"after": "6h", "duration": "15m"}]},
]
"""Two overlapping shifts whose agents take a short break and a staggered lunch."""


PLAIN_DELAY = {"handling_time": BOT["handling_time"], "resolves": 0.0, "leaves": 0.0}
"""A flow before the queue: the bot stage's time, nobody resolved nor lost in it."""


def prequeue_truth(days: int, seed: int = 12, bot: dict[str, object] | None = None
                   ) -> Scenario:
    """:data:`TRUTH` with a bot in front of its queue and shifts with breaks, ``days`` long.

    ``bot`` replaces :data:`BOT` (:data:`PLAIN_DELAY`: a flow that only delays routing).
    """
    values = {**TRUTH_VALUES, "name": "Round trip desk with a bot and breaks",
              "horizon": f"{days}d", "seed": seed}
    values["channels"] = [{**TRUTH_VALUES["channels"][0],  # type: ignore[index]
                           "bot": BOT if bot is None else bot}]
    group = {key: value for key, value in TRUTH_VALUES["agent_groups"][0].items()  # type: ignore[index]
             if key != "staffing"}
    group["shifts"] = [{**shift, "days": days} for shift in SHIFTS_WITH_BREAKS]
    values["agent_groups"] = [group]
    return Scenario.model_validate(values)
