"""A known desk over several weeks, for the forecast tests and benchmarks/forecast_holdout.py.

:func:`weekly_desk` is a small web-chat desk whose day volumes follow a known weekly
pattern, a trend and day-to-day noise (``arrivals.day_factors``, one per day), from Monday
2026-10-19; eight weeks end on Sunday 2026-12-13, the next being the week of 2026-12-14.
:func:`export_weeks` simulates it and writes its Omni-Channel export.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.model.simulate import simulate
from sim.salesforce.export import export_tables, write_export
from sim.scenario.schema import Scenario

FIRST_DAY = "2026-10-19"
"""A Monday."""

WEEK_PATTERN = (1.2, 1.05, 1.0, 1.0, 0.95, 0.5, 0.35)
"""Monday to Sunday: each day's volume over a mean weekday's."""

TREND_PER_DAY = 0.004
"""Growth of the volumes per day (0.4%, about 2.8% a week)."""

DAY_NOISE = 0.05
"""Relative sd of a day's expected volume around the pattern (log-normal)."""

SHAPE = np.array([0.0] * 16 + [40, 60, 80, 95, 100, 95, 85, 80, 80, 85, 95, 100, 95, 85, 70,
                               60, 50, 40, 30, 20] + [0.0] * 12) / 100
"""Share of the peak per 30-minute interval of a day (open 08:00-18:00)."""


def day_factors(weeks: int, seed: int) -> np.ndarray:
    """Every day's factor: the weekly pattern, times the trend, times the day's noise."""
    days = np.arange(7 * weeks)
    noise = np.random.default_rng(seed).lognormal(-DAY_NOISE**2 / 2, DAY_NOISE, len(days))
    return np.tile(WEEK_PATTERN, weeks) * (1 + TREND_PER_DAY * days) * noise


def weekly_desk(weeks: int = 8, peak: float = 16.0, seed: int = 5) -> Scenario:
    """The desk over ``weeks`` weeks, ``peak`` sessions in a weekday's busiest interval."""
    staffing = [0] * 16 + [6] * 20 + [0] * 12
    return Scenario.model_validate({
        "name": "Weekly desk",
        "start": f"{FIRST_DAY} 00:00",
        "horizon": f"{7 * weeks}d",
        "interval": "30m",
        "seed": seed,
        "channels": [{
            "name": "web_chat", "type": "enhanced_web_chat", "queue": "support",
            "arrivals": {"volumes": [round(float(v), 3) for v in SHAPE * peak],
                         "repeat": True,
                         "day_factors": [round(float(f), 4) for f in day_factors(weeks, seed)]},
            "customers": {"exchanges": 2, "reply_time": {"kind": "exponential", "mean": "30s"},
                          "patience": {"kind": "exponential", "mean": "10m"}},
        }],
        "queues": [{"name": "support"}],
        "agent_groups": [{
            "name": "chat_agents", "capacity": 3, "queues": ["support"],
            "staffing": staffing * 7 * weeks,
            "behaviour": {"reply_time": {"kind": "exponential", "mean": "30s"}},
        }],
    })


def export_weeks(folder: Path, scenario: Scenario) -> None:
    """Simulate ``scenario`` (replication 0) and write its export into ``folder``."""
    result = simulate(scenario, trace=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_export(export_tables(result), folder)
