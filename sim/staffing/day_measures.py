"""One simulated day of a staffing search, reduced to per-queue, per-interval measures.

Worker processes import this module to run :func:`measure_day` (the search) and
:func:`measure_run` (the service-level curve: the center's measures only), so it imports
only numpy, pandas and the simulator (no scipy or matplotlib): its start-up time counts.

The measures come from the sessions table (queue, arrival time, wait, outcome), binned by
the interval each session arrived in, one row per queue sessions reach (a queue that
only receives transfers counts each transferred session from its transfer) and a last row
``"all"`` with the center's figures. Each queue's service level is measured against its
own threshold (``queues[].service_level.threshold``, else the scenario's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.entities import Outcome
from sim.model.simulate import simulate
from sim.model.tables import Result, offered_mask
from sim.results.figures import intervals_with_service_level, service_level_counted
from sim.scenario.schema import Scenario
from sim.staffing.skill_sets import measured_rows, row_queue, session_rows

DAY_MEASURES = ("service_level", "asa_s", "abandon_rate", "offered", "answered",
                "occupancy", "busy_units_s", "response_s")
"""Measures per row (queue, then ``"all"``) and interval.

``service_level`` is the share of offered inbound sessions answered within the row's
threshold (the scenario's short-abandon convention); ``asa_s`` the mean wait of answered
sessions (seconds); ``abandon_rate`` abandoned / offered; ``offered`` and ``answered``
counts by arrival interval. ``occupancy`` (capacity in use / capacity online) and
``busy_units_s`` (capacity x seconds in use) are the center's, NaN in the queue rows.
``response_s`` is the mean agent response time to a customer message (seconds; rules §7)
by the interval the customer wrote in; ``inf`` where customers were offered and none was
answered (no response came at all).
"""

MEASURE_INDEX = {name: index for index, name in enumerate(DAY_MEASURES)}

DayTask = tuple[Scenario, int, int]
"""(scenario, seed, replication) of one simulated day."""


def measured_queues(scenario: Scenario) -> list[str]:
    """The queues sessions reach (``Scenario.queues_reached``), in the scenario's order.

    The first rows of :func:`measure_day`.
    """
    used = scenario.queues_reached()
    return [queue.name for queue in scenario.queues if queue.name in used]


def transfer_entries(sessions: pd.DataFrame, scenario: Scenario) -> tuple[pd.DataFrame,
                                                                          np.ndarray]:
    """The transferred sessions as arrivals in the queue they were transferred to.

    Each transferred session (rules §8.2) is one more request in that queue: it arrives
    and requests at its ``transfer_time``, waits ``transfer_wait_s``, and counts as
    abandoned when it ended before an agent there took it. Returns the rows, shaped as the
    sessions table for :func:`service_level_counted`, and each row's queue.
    """
    transferred = sessions[sessions["transfers"].to_numpy() > 0]
    target = {queue.name: queue.transfer.to for queue in scenario.queues
              if queue.transfer is not None}
    to = transferred["queue"].map(target).to_numpy(dtype=object)
    wait = transferred["transfer_wait_s"].to_numpy(dtype=float)
    left = np.isnan(wait) & (transferred["outcome"].to_numpy() != Outcome.OPEN_AT_HORIZON)
    outcome = transferred["outcome"].astype(object).to_numpy().copy()
    outcome[left] = Outcome.ABANDONED
    entries = pd.DataFrame({
        "arrival_time": transferred["transfer_time"].to_numpy(dtype=float),
        "request_time": transferred["transfer_time"].to_numpy(dtype=float),
        "end_time": transferred["end_time"].to_numpy(dtype=float),
        "wait_s": wait,
        "outcome": outcome,
    })
    return entries, to


def queue_thresholds(scenario: Scenario) -> dict[str, float]:
    """Each measured row's service-level threshold (seconds): its queue's.

    The rows are the measured queues, then the skill sets with a row of their own
    (:func:`sim.staffing.skill_sets.measured_rows`), each with its queue's threshold.
    """
    own = {queue.name: queue.service_level.threshold for queue in scenario.queues
           if queue.service_level is not None}
    return {name: own.get(row_queue(scenario, name), scenario.service_level.threshold)
            for name in measured_rows(scenario, measured_queues(scenario))}


def measure_day(task: DayTask) -> np.ndarray:
    """Simulate one replication; its measures, shape ``[queue + 1, measure, interval]``.

    Top-level so that process pools can pickle it.
    """
    scenario, seed, replication = task
    return day_measures(simulate(scenario, seed=seed, replication=replication))


def day_measures(result: Result) -> np.ndarray:
    """The measures of one run (see :data:`DAY_MEASURES`), ``[queue + 1, measure, interval]``.

    Each session counts in its queue's row or its skill set's
    (:func:`sim.staffing.skill_sets.session_rows`).
    """
    scenario = result.scenario
    n = scenario.n_intervals
    sessions = result.sessions
    offered = offered_mask(sessions)
    inbound = sessions[offered]
    bins = np.minimum((inbound["arrival_time"].to_numpy(dtype=float)
                       // scenario.interval).astype(int), n - 1)
    row_of = session_rows(sessions, scenario)
    queue = row_of[np.asarray(offered)]
    original = np.ones(len(inbound), dtype=bool)
    if (sessions["transfers"].to_numpy() > 0).any():
        entries, to = transfer_entries(sessions, scenario)
        inbound = pd.concat([inbound[list(entries.columns)], entries], ignore_index=True)
        queue = np.r_[queue, to]
        original = np.r_[original, np.zeros(len(entries), dtype=bool)]
        bins = np.minimum((inbound["arrival_time"].to_numpy(dtype=float)
                           // scenario.interval).astype(int), n - 1)
    wait = inbound["wait_s"].to_numpy(dtype=float)
    answered = ~np.isnan(wait)
    abandoned = inbound["outcome"].to_numpy() == Outcome.ABANDONED
    thresholds = queue_thresholds(scenario)
    rows = []
    for name in [*thresholds, "all"]:
        mine = original.copy() if name == "all" else queue == name
        threshold = thresholds.get(name, scenario.service_level.threshold)
        within, counted = service_level_counted(inbound, scenario.horizon, threshold,
                                                scenario.service_level.short_abandons)
        if name == "all" and len(set(thresholds.values())) > 1:
            within = np.zeros(len(inbound), dtype=bool)  # each session by its own queue's
            for queue_name, own in thresholds.items():
                hit, _ = service_level_counted(inbound, scenario.horizon, own,
                                               scenario.service_level.short_abandons)
                within |= hit & (queue == queue_name)

        def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(bins[mask], weights=None if weights is None else weights[mask],
                               minlength=n)[:n].astype(float)

        offered = count(mine)
        n_answered = count(mine & answered)
        decided = count(mine & counted)
        rows.append(np.vstack([
            _share(count(mine & within), decided),
            _share(count(mine & answered, np.where(answered, wait, 0.0)), n_answered),
            _share(count(mine & abandoned), offered),
            offered,
            n_answered,
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, np.nan),
        ]))
    responses = result.responses
    response_queue = row_of[responses["session_id"].to_numpy(dtype=int)]
    asked = np.minimum((responses["asked_time"].to_numpy(dtype=float)
                        // scenario.interval).astype(int), n - 1)
    seconds = responses["response_s"].to_numpy(dtype=float)
    for row, name in zip(rows, [*thresholds, "all"], strict=True):
        mine = (np.ones(len(responses), dtype=bool) if name == "all"
                else response_queue == name)
        response = _share(
            np.bincount(asked[mine], weights=seconds[mine], minlength=n)[:n].astype(float),
            np.bincount(asked[mine], minlength=n)[:n].astype(float))
        # Customers offered and none answered: no response came at all, the goal is missed.
        unanswered = (row[MEASURE_INDEX["offered"]] > 0) & (row[MEASURE_INDEX["answered"]] == 0)
        row[MEASURE_INDEX["response_s"]] = np.where(np.isnan(response) & unanswered, np.inf,
                                                    response)
    center = result.intervals[result.intervals["channel"] == "all"].sort_values("interval")
    rows[-1][MEASURE_INDEX["occupancy"]] = center["occupancy"].to_numpy(dtype=float)
    rows[-1][MEASURE_INDEX["busy_units_s"]] = center["busy_capacity_s"].to_numpy(dtype=float)
    return np.stack(rows)


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.full(len(numerator), np.nan),
                     where=denominator > 0)


MEASURES = ("service_level", "asa_s", "abandon_rate", "occupancy", "agents_online",
            "offered", "answered", "busy_units_s")
"""Per-interval measures of :func:`measure_run`, over all channels (the ``'all'`` rows).

``busy_units_s`` is capacity in use x seconds (the intervals table's ``busy_capacity_s``).
"""


def measure_run(task: DayTask) -> np.ndarray:
    """Simulate one replication and return its measures, shape ``[measure, interval]``.

    Top-level so that process pools can pickle it.
    """
    scenario, seed, replication = task
    result = simulate(scenario, seed=seed, replication=replication)
    intervals = intervals_with_service_level(result)  # the scenario's short-abandon rule
    rows = intervals[intervals["channel"] == "all"].sort_values("interval")
    offered = rows["offered"].to_numpy(dtype=float)
    abandon = np.divide(rows["abandoned"].to_numpy(dtype=float), offered,
                        out=np.full(len(offered), np.nan), where=offered > 0)
    return np.vstack([
        rows["service_level"].to_numpy(dtype=float),
        rows["asa_s"].to_numpy(dtype=float),
        abandon,
        rows["occupancy"].to_numpy(dtype=float),
        rows["agents_online"].to_numpy(dtype=float),
        offered,
        rows["answered"].to_numpy(dtype=float),
        rows["busy_capacity_s"].to_numpy(dtype=float),
    ])
