"""Scenario builders and run helpers shared by the theory, conservation and determinism tests.

Nothing here changes the model: :func:`run_recorded` runs the real :func:`sim.simulate`
with a thin subclass of :class:`sim.model.center.ContactCenter` that only *records* every work
item (AgentWork) it creates and closes, and every conversation plan it draws, so the tests
can check invariants the result tables do not show.
"""

from __future__ import annotations

import importlib
import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.center import ContactCenter
from sim.model.simulate import simulate
from sim.model.tables import Result
from sim.scenario.schema import Scenario

simulate_module = importlib.import_module("sim.model.simulate")

HOUR = 3600.0


# --------------------------------------------------------------------------- M/M/n
def mmn_scenario(
    *,
    arrival_rate_per_s: float,
    mean_service_s: float,
    agents: int,
    capacity: int,
    horizon_s: float,
    mean_patience_s: float | None = None,
    interval_s: float = HOUR,
    accept_delay: bool = False,
    warmup_s: float = 0.0,
) -> Scenario:
    """A center that reduces to M/M/(agents x capacity) (+M with patience).

    One enhanced channel with auto-accept (acceptance = assignment, no accept delay, no
    declines), one exchange (the work is a single agent reply, exponential), the tab closed
    at End Chat (close_tab_delay 0), no slowdown with concurrency, work size 1 and agents
    with ``capacity`` units: every unit is one server of a FCFS queue.

    With ``accept_delay`` the items are pushed and accepted after the default accept delay
    (a fixed 5 s, no declines): the server is held from the push, so the holding time is
    the accept delay plus the reply.
    """
    behaviour: dict[str, Any] = {
        "reply_time": {"kind": "exponential", "mean": mean_service_s},
        "close_tab_delay": "0s",
        "concurrency_slowdown": 0,
    }
    customers: dict[str, Any] = {"exchanges": 1}
    if mean_patience_s is not None:
        customers["patience"] = {"kind": "exponential", "mean": mean_patience_s}
    return Scenario.model_validate(
        {
            "name": "mmn",
            "horizon": horizon_s,
            "warmup": warmup_s,
            "interval": interval_s,
            "capacity_model": "tab",
            "channels": [
                {
                    "name": "web",
                    "type": "enhanced_web_chat",
                    "queue": "q",
                    "auto_accept": not accept_delay,
                    "capacity_weight": 1,
                    "arrivals": {"rate": arrival_rate_per_s * HOUR},
                    "customers": customers,
                }
            ],
            "queues": [{"name": "q"}],
            "agent_groups": [
                {
                    "name": "team",
                    "agents": agents,
                    "capacity": capacity,
                    "queues": ["q"],
                    "behaviour": behaviour,
                }
            ],
        }
    )


# --------------------------------------------------------------------------- rich scenario
def rich_scenario_dict(
    capacity_model: str = "tab",
    *,
    allow_over_capacity: bool = True,
    percent: bool = False,
    logout_sessions: str = "end",
    logged_out_owner: str = "requeue",
    horizon: str = "1d",
) -> dict[str, Any]:
    """A busy center exercising most rules: two channels (one with outbound sessions most
    customers never answer), silent and returning customers, patience, declines and push
    timeouts, disconnections, shifts ending by drain and by logout, short clean-up timeouts
    and (tab-based, standard channel) a supervisor ending sessions row by row.
    """
    second_type = "standard_sms" if capacity_model == "tab" else "enhanced_sms"

    def size(units: float, pct: float) -> dict[str, float]:
        return {"capacity_percentage": pct} if percent else {"capacity_weight": units}

    def cap(units: float) -> dict[str, float]:
        return {"capacity_percent": 100} if percent else {"capacity": units}

    return {
        "name": f"rich-{capacity_model}",
        "horizon": horizon,
        "interval": "30m",
        "capacity_model": capacity_model,
        "allow_over_capacity": allow_over_capacity,
        "logout_sessions": logout_sessions,
        "logged_out_owner": logged_out_owner,
        "service_level": {"threshold": "60s"},
        "timeouts": {
            "sweep_period": "1h",
            "unanswered_standard": "3h",
            "unanswered_enhanced": "5h",
            "inactive": "4h",
        },
        "supervisor": {"enabled": True, "period": "1h", "idle_limit": "2h", "action": "per_row"},
        "channels": [
            {
                "name": "web",
                "type": "enhanced_web_chat",
                "queue": "chat",
                **size(1, 25),
                "paused_capacity_weight": 0.5 if not percent else 0,
                "arrivals": {"rates": [20, 40, 60, 50, 30, 20], "interval": "4h"},
                "customers": {
                    "exchanges": {"kind": "uniform", "low": 1, "high": 6},
                    "reply_time": {"kind": "exponential", "mean": "90s"},
                    "patience": {"kind": "exponential", "mean": "4m"},
                    "silent_probability": 0.3,
                    "return_probability": 0.5,
                    "return_delay": {"kind": "exponential", "mean": "40m"},
                },
            },
            {
                "name": "sms",
                "type": second_type,
                "queue": "text",
                **size(2, 40),
                "arrivals": {"rate": "8/h"},
                "outbound": {
                    "arrivals": {"rate": "15/h"},
                    "answer_probability": 0.3,
                    "answer_delay": {"kind": "exponential", "mean": "30m"},
                },
                "customers": {
                    "exchanges": 3,
                    "reply_time": {"kind": "exponential", "mean": "3m"},
                    "silent_probability": 0.4,
                    "return_probability": 0.4,
                    "return_delay": {"kind": "exponential", "mean": "1h"},
                },
            },
        ],
        "queues": [
            {"name": "chat", "priority": 1, "routing_model": "most_available"},
            {"name": "text", "priority": 2, "routing_model": "least_active", "push_timeout": "20s"},
        ],
        "agent_groups": [
            {
                "name": "day",
                **cap(3),
                "queues": ["chat", "text"],
                "shift_end": "drain",
                "shifts": [
                    {"start": "0h", "end": "9h", "agents": 3},
                    {"start": "7h", "end": "17h", "agents": 4},
                    {"start": "15h", "end": "1d", "agents": 3},
                ],
                "behaviour": {
                    "accept_delay": {"kind": "uniform", "low": "2s", "high": "30s"},
                    "decline_probability": 0.1,
                    "away_after_decline": "1m",
                    "reply_time": {"kind": "exponential", "mean": "1m"},
                    "concurrency_slowdown": 0.2,
                    "close_tab_delay": {"kind": "exponential", "mean": "40s"},
                    "after_conversation_work": {"enabled": True, "max": "60s"},
                    "inactivate_after": "5m",
                },
                "disconnections": {
                    "rate": "0.3/h",
                    "duration": {"kind": "exponential", "mean": "4m"},
                },
            },
            {
                "name": "texters",
                **cap(2),
                "queues": ["text"],
                "shift_end": "logout",
                "shifts": [
                    {"start": "2h", "end": "12h", "agents": 2},
                    {"start": "12h", "end": "22h", "agents": 2},
                ],
                "behaviour": {
                    "accept_delay": {"kind": "exponential", "mean": "12s"},
                    "decline_probability": 0.15,
                    "reply_time": {"kind": "exponential", "mean": "2m"},
                    "close_tab_delay": "20s",
                    "inactivate_after": "8m",
                },
                "disconnections": {"rate": "0.5/h", "duration": "3m"},
            },
        ],
    }


def rich_scenario(capacity_model: str = "tab", **kwargs: Any) -> Scenario:
    """:func:`rich_scenario_dict` validated."""
    return Scenario.model_validate(rich_scenario_dict(capacity_model, **kwargs))


# --------------------------------------------------------------------------- recording runs
@dataclass
class Recorded:
    """A run's result plus what the recording center saw."""

    result: Result
    items: pd.DataFrame
    """One row per work item: item_id, session_id, agent_id, size, assign_time, accept_time
    (NaN if never opened), close_time,
    status (the final AgentWork status, or ``open`` when still open at the horizon)."""
    plans: list[Any]
    """The conversation plan of each session, by session id."""


@contextmanager
def _recording_center() -> Any:
    log: dict[str, Any] = {}

    class RecordingCenter(ContactCenter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.items_seen: list[Any] = []
            self.plans_seen: list[Any] = []
            log["center"] = self
            # Instance attributes shadow the methods: the collaborators look them up per call.
            work_items, customers = self.work_items, self.customers
            new_item, new_session = work_items.new_item, customers.new_session

            def recording_new_item(session: Any, agent: Any, now: float) -> Any:
                item = new_item(session, agent, now)
                self.items_seen.append(item)
                return item

            def recording_new_session(channel: Any, direction: str, now: float) -> Any:
                # The plan is dropped when the session ends: keep it for the tests.
                session = new_session(channel, direction, now)
                self.plans_seen.append(session.plan)
                return session

            work_items.new_item = recording_new_item  # type: ignore[method-assign]
            customers.new_session = recording_new_session  # type: ignore[method-assign]

    with mock.patch.object(simulate_module, "ContactCenter", RecordingCenter):
        yield log


def run_recorded(
    scenario: Scenario, seed: int | None = None, replication: int = 0, trace: bool = True
) -> Recorded:
    """Run :func:`sim.model.simulate.simulate` and also return every work item and plan."""
    with _recording_center() as log:
        result = simulate(scenario, seed=seed, replication=replication, trace=trace)
    center = log["center"]
    rows = [
        (
            item.item_id,
            item.session.session_id,
            item.agent.agent_id,
            item.size,
            item.assign_time,
            item.accept_time,
            item.close_time,
            item.status if not math.isnan(item.close_time) else "open",
        )
        for item in center.items_seen
    ]
    items = pd.DataFrame.from_records(
        rows,
        columns=[
            "item_id",
            "session_id",
            "agent_id",
            "size",
            "assign_time",
            "accept_time",
            "close_time",
            "status",
        ],
    )
    items = items.astype(
        {
            "item_id": "int64",
            "session_id": "int64",
            "agent_id": "int64",
            "size": "float64",
            "assign_time": "float64",
            "accept_time": "float64",
            "close_time": "float64",
            "status": "object",
        }
    )
    plans = list(center.plans_seen)
    return Recorded(result, items, plans)


# --------------------------------------------------------------------------- statistics
def t_half_width(values: np.ndarray | list[float], confidence: float = 0.95) -> tuple[float, float]:
    """Mean and Student-t confidence half-width of independent replication estimates."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    half = stats.t.ppf(0.5 + confidence / 2.0, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return float(x.mean()), float(half)


def tiny_desk(
    name: str,
    horizon: str,
    rate: str,
    exchanges: int,
    patience_s: float,
    agents: int,
    capacity: float,
    seed: int | None = None,
    group: str = "team",
) -> dict[str, Any]:
    """A one-channel, one-queue, one-group web-chat desk as a raw scenario dict."""
    raw: dict[str, Any] = {
        "name": name,
        "horizon": horizon,
        "interval": "30m",
        "channels": [
            {
                "name": "web",
                "type": "enhanced_web_chat",
                "queue": "q",
                "arrivals": {"rate": rate},
                "customers": {
                    "exchanges": exchanges,
                    "patience": {"kind": "exponential", "mean": patience_s},
                },
            }
        ],
        "queues": [{"name": "q"}],
        "agent_groups": [
            {"name": group, "agents": agents, "capacity": capacity, "queues": ["q"]}
        ],
    }
    if seed is not None:
        raw["seed"] = seed
    return raw


# --------------------------------------------------------------------------- one agent
ONE_AGENT_DESK: dict = {
    "horizon": "4h",
    "interval": "30m",
    "channels": [
        {
            "name": "web",
            "type": "enhanced_web_chat",
            "queue": "q",
            "auto_accept": True,
            "arrivals": {"times": [100]},
            "customers": {"exchanges": 2, "reply_time": "60s"},
        }
    ],
    "queues": [{"name": "q"}],
    "agent_groups": [
        {
            "name": "a",
            "agents": 1,
            "capacity": 1,
            "queues": ["q"],
            "behaviour": {"reply_time": "30s", "close_tab_delay": "20s"},
        }
    ],
}
"""One agent of capacity 1, one auto-accepted customer at 100 s, two exchanges: the
starting point of the exact-trace tests (deep-copy before changing it)."""
