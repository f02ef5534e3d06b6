"""One replication of a scenario: ``simulate(scenario, seed) -> Result``."""

from __future__ import annotations

import numpy as np

from sim.model.center import ContactCenter, gc_paused
from sim.model.recorder import work_items_table
from sim.model.streams import RandomStreams
from sim.model.tables import (
    Result,
    agents_table,
    groups_table,
    intervals_table,
    response_records,
    responses_table,
    sessions_table,
    trace_table,
)
from sim.scenario.schema import Scenario


def replication_seed_sequence(seed: int, replication: int) -> np.random.SeedSequence:
    """The SeedSequence of replication ``replication`` of a run seeded by ``seed``.

    Equal to ``SeedSequence(seed).spawn(n)[replication]`` for any n > replication, so a
    replication gets the same streams whether it runs alone, serially or in parallel.
    """
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    replication: int = 0,
    trace: bool = False,
) -> Result:
    """Run one replication of ``scenario`` and return its tables.

    Args:
        scenario: a validated scenario (see :func:`sim.load_scenario`).
        seed: root seed; the scenario's ``seed`` when omitted.
        replication: which replication of that seed to run (0, 1, ...).
        trace: keep the event trace (slower; for tests and debugging).

    Returns:
        The run's sessions, agents, intervals and (optionally) trace tables.
    """
    root = scenario.seed if seed is None else seed
    streams = RandomStreams(replication_seed_sequence(root, replication))
    center = ContactCenter(scenario, streams, trace=trace)
    with gc_paused():
        center.run()
        log = center.conversations.responses
        answers = response_records(log.session_ids, log.asked_at, log.response_s)
        sessions = sessions_table(center.sessions, scenario.horizon, answers)
        responses = responses_table(answers, sessions)
        return Result(
            scenario=scenario,
            replication=replication,
            sessions=sessions,
            agents=agents_table(center.agents),
            intervals=intervals_table(scenario, sessions, center.levels, responses),
            groups=groups_table(scenario, center.levels),
            trace=trace_table(center.record.rows) if trace else None,
            work=work_items_table(center.record.work_items) if trace else None,
            events=next(center.env._eid),  # events scheduled; SimPy keeps no public counter
            responses=responses,
        )
