"""Scenarios the benchmark runs, built as plain dicts and validated into ``sim.Scenario``.

- ``mmn_scenario``: the simulator reduced to M/M/n (tab-based, auto-accept, capacity 1,
  one exchange, exponential agent reply = service, instant tab close, no patience);
- ``busy_day_scenario``: a busy messaging day (capacity 3, 8 exchanges, silent customers,
  disconnections, a daily arrival curve peaking near 90% occupancy);
- ``week_scenario``: the same day repeated over a week for a bigger center.
"""

from __future__ import annotations

import math

from sim.scenario.schema import Scenario

DAY_S = 86400.0
INTERVAL_S = 1800.0

# Busy-day behaviour (seconds).
EXCHANGES = 8
CUSTOMER_REPLY_S = 60.0
AGENT_REPLY_S = 45.0
ACCEPT_DELAY_S = 5.0
CLOSE_TAB_S = 30.0
CAPACITY = 3
PEAK_OCCUPANCY = 0.9
# Capacity held by one tab-based session: push->accept, 8 agent replies, 7 customer
# replies, then the close-tab delay (silent customers hold less).
HOLD_S = (
    ACCEPT_DELAY_S + EXCHANGES * AGENT_REPLY_S + (EXCHANGES - 1) * CUSTOMER_REPLY_S + CLOSE_TAB_S
)


def mmn_scenario(servers: int, rho: float, service_mean_s: float, horizon_s: float) -> Scenario:
    """The simulator's M/M/n: ``servers`` agents of capacity 1, load ``rho`` per server."""
    rate_per_h = rho * servers / service_mean_s * 3600.0
    return Scenario.model_validate(
        {
            "name": "bench-mmn",
            "horizon": horizon_s,
            "interval": 3600.0,
            "capacity_model": "tab",
            "channels": [
                {
                    "name": "web",
                    "type": "enhanced_web_chat",
                    "queue": "q",
                    "auto_accept": True,
                    "arrivals": {"rate": rate_per_h},
                    "customers": {"exchanges": 1},
                }
            ],
            "queues": [{"name": "q"}],
            "agent_groups": [
                {
                    "name": "agents",
                    "agents": servers,
                    "capacity": 1,
                    "queues": ["q"],
                    "behaviour": {
                        "accept_delay": 0.0,
                        "reply_time": {"kind": "exponential", "mean": service_mean_s},
                        "close_tab_delay": 0.0,
                    },
                }
            ],
        }
    )


def day_curve(intervals: int = 48) -> list[float]:
    """Relative arrival rate per half hour: 0.45 at midnight rising to 1.0 at noon."""
    return [
        0.45 + 0.55 * math.sin(math.pi * (i + 0.5) / intervals) ** 2 for i in range(intervals)
    ]


def busy_center(
    agents: int,
    capacity_model: str,
    horizon_s: float = DAY_S,
    name: str = "bench-busy-day",
) -> Scenario:
    """A busy messaging center of ``agents`` agents (capacity 3) over ``horizon_s``.

    The peak arrival rate puts the tab-based load at ``PEAK_OCCUPANCY`` of the capacity;
    the daily curve averages ~0.72 of the peak.
    """
    peak_per_s = PEAK_OCCUPANCY * agents * CAPACITY / HOLD_S
    rates_per_h = [round(peak_per_s * 3600.0 * f, 3) for f in day_curve()]
    return Scenario.model_validate(
        {
            "name": name,
            "horizon": horizon_s,
            "interval": INTERVAL_S,
            "capacity_model": capacity_model,
            "channels": [
                {
                    "name": "web",
                    "type": "enhanced_web_chat",
                    "queue": "support",
                    "arrivals": {"rates": rates_per_h, "repeat": True},
                    "customers": {
                        "exchanges": EXCHANGES,
                        "reply_time": {"kind": "exponential", "mean": CUSTOMER_REPLY_S},
                        "patience": {"kind": "exponential", "mean": 1800.0},
                        "silent_probability": 0.1,
                        "return_probability": 0.4,
                        "return_delay": {"kind": "exponential", "mean": 1200.0},
                    },
                }
            ],
            "queues": [{"name": "support"}],
            "agent_groups": [
                {
                    "name": "agents",
                    "agents": agents,
                    "capacity": CAPACITY,
                    "queues": ["support"],
                    "behaviour": {
                        "accept_delay": ACCEPT_DELAY_S,
                        "reply_time": {"kind": "exponential", "mean": AGENT_REPLY_S},
                        "close_tab_delay": CLOSE_TAB_S,
                    },
                    "disconnections": {
                        "rate": 0.2,  # per online hour per agent
                        "duration": {"kind": "exponential", "mean": 180.0},
                    },
                }
            ],
        }
    )


def busy_day_scenario(agents: int, capacity_model: str) -> Scenario:
    """One busy day."""
    return busy_center(agents, capacity_model)


def week_scenario(agents: int, capacity_model: str = "tab", days: int = 7) -> Scenario:
    """The busy day repeated ``days`` times for ``agents`` agents."""
    return busy_center(agents, capacity_model, horizon_s=days * DAY_S, name="bench-week")
