"""The simulator against queueing theory, on scenarios that reduce to M/M/n and M/M/n+M.

With auto-accept, one exchange, an exponential agent reply, the tab closed at End Chat,
no concurrency slowdown and work size 1, an agent with capacity c is c parallel servers of
one FCFS queue, so 5 agents x capacity 2 is M/M/10 (Erlang C); with exponential patience it
is M/M/10+M (Erlang A: the model abandons only before acceptance, and with auto-accept
acceptance is assignment).

How a comparison is judged: R independent replications each give one estimate (a share or
a mean over the sessions that arrived after the warm-up and well before the horizon); the
theoretical value must lie within the replication mean +/- a 95% Student-t half-width. The
half-width is inflated by ``CI_INFLATION`` and a tiny ``ABS_EPS`` is added because (a) a
plain 95% interval would miss the true value 5% of the time per figure and this file checks
seven figures, (b) the estimates carry a small initial-transient and end-of-horizon bias the
interval does not account for. With the inflation (1.3x) the per-figure miss probability of an
unbiased estimate is about 1.4% (R=16), while a model error of the size of a wrong server count, a
wrong service time or abandonment after acceptance moves a figure by many half-widths.
The seeds are fixed, so the run is deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import HOUR, mmn_scenario, t_half_width

from sim.erlang import erlang_a_metrics, erlang_c_metrics
from sim.model.simulate import simulate
from sim.results.figures import headline_figures

AGENTS = 5
CAPACITY = 2
SERVERS = AGENTS * CAPACITY
MEAN_SERVICE_S = 240.0  # 4 min agent reply = the whole service
THRESHOLD_S = 20.0
HORIZON_S = 3 * 24 * HOUR
WARMUP_S = 4 * HOUR
TAIL_S = 5 * MEAN_SERVICE_S  # leave out arrivals this close to the horizon
REPLICATIONS = 16
SEED = 20240611
CI_INFLATION = 1.3
ABS_EPS = 1e-4
WAITED_S = 1e-9

pytestmark = pytest.mark.slow  # every test here reads many simulated days


def window(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions that arrived after the warm-up and well before the horizon."""
    arrival = sessions["arrival_time"]
    return sessions[(arrival >= WARMUP_S) & (arrival < HORIZON_S - TAIL_S)]


def assert_covers(name: str, estimates: list[float], theory: float) -> None:
    mean, half = t_half_width(estimates)
    allowed = CI_INFLATION * half + ABS_EPS
    assert abs(mean - theory) <= allowed, (
        f"{name}: theory {theory:.6g} outside simulated {mean:.6g} +/- {allowed:.3g} "
        f"(95% t half-width {half:.3g}, R={len(estimates)})"
    )


# --------------------------------------------------------------------------- M/M/n
MMN_LOAD = 0.85 * SERVERS  # offered load in Erlangs: 85% utilisation
MMN_RATE = MMN_LOAD / MEAN_SERVICE_S  # per second


@pytest.fixture(scope="module")
def mmn_runs() -> list:
    scenario = mmn_scenario(
        arrival_rate_per_s=MMN_RATE,
        mean_service_s=MEAN_SERVICE_S,
        agents=AGENTS,
        capacity=CAPACITY,
        horizon_s=HORIZON_S,
    )
    return [simulate(scenario, seed=SEED, replication=r) for r in range(REPLICATIONS)]


def test_mmn_matches_erlang_c(mmn_runs: list) -> None:
    theory = erlang_c_metrics(SERVERS, MMN_RATE, MEAN_SERVICE_S, THRESHOLD_S)
    p_wait, mean_wait, service_level = [], [], []
    for result in mmn_runs:
        s = window(result.sessions)
        # nobody abandons and the window ends long before the horizon: all are accepted
        assert s["accept_time"].notna().all()
        assert s["outcome"].isin(["completed", "open_at_horizon"]).all()
        wait = s["wait_s"].to_numpy()
        p_wait.append(float(np.mean(wait > WAITED_S)))
        mean_wait.append(float(np.mean(wait)))
        service_level.append(float(np.mean(wait <= THRESHOLD_S)))
    assert_covers("P(wait > 0)", p_wait, theory.wait_probability)
    assert_covers("mean wait (s)", mean_wait, theory.mean_wait_s)
    assert_covers(f"P(wait <= {THRESHOLD_S:g}s)", service_level, theory.service_level)
    assert_wait_probability(mmn_runs, theory.wait_probability)


def assert_wait_probability(runs: list, theory: float) -> None:
    """The ``wait_probability`` figure (queued on arrival, all offered) is Erlang's P(wait)."""
    queued = [float(window(r.sessions)["queued_on_arrival"].mean()) for r in runs]
    assert_covers("P(queued on arrival)", queued, theory)
    figure = [headline_figures(r, warmup_s=WARMUP_S)["wait_probability"] for r in runs]
    assert_covers("wait_probability", figure, theory)


ACCEPT_DELAY_S = 5.0  # the default accept delay (a fixed 5 s)


@pytest.fixture(scope="module")
def accept_delay_runs() -> list:
    """M/M/n with the default accept delay: the server is held from the push, so the
    holding time is 5 s + an exponential reply of mean 235 s (mean 240 s, CV^2 0.96)."""
    scenario = mmn_scenario(
        arrival_rate_per_s=MMN_RATE,
        mean_service_s=MEAN_SERVICE_S - ACCEPT_DELAY_S,
        agents=AGENTS,
        capacity=CAPACITY,
        horizon_s=HORIZON_S,
        accept_delay=True,
    )
    return [simulate(scenario, seed=SEED + 2, replication=r) for r in range(REPLICATIONS)]


def test_wait_probability_with_accept_delay(accept_delay_runs: list) -> None:
    """With an accept delay every answered session has speed to answer >= 5 s, yet the
    probability of waiting (no agent with room on arrival) is still Erlang C's P(wait)."""
    theory = erlang_c_metrics(SERVERS, MMN_RATE, MEAN_SERVICE_S, THRESHOLD_S)
    for result in accept_delay_runs:
        s = window(result.sessions)
        assert (s["wait_s"] >= ACCEPT_DELAY_S - 1e-9).all()
    assert_wait_probability(accept_delay_runs, theory.wait_probability)


def test_mmn_service_time_is_the_reply(mmn_runs: list) -> None:
    """Conversation time (End Chat - accept) is the exponential reply: mean 4 min, CV 1."""
    early = [r.sessions[r.sessions["arrival_time"] < HORIZON_S / 2] for r in mmn_runs]
    assert all((s["outcome"] == "completed").all() for s in early)
    handle = np.concatenate([s["conversation_s"].to_numpy() for s in early])
    n = len(handle)
    # mean of n exponentials: standard error mean/sqrt(n); allow 4 standard errors
    assert abs(handle.mean() - MEAN_SERVICE_S) <= 4 * MEAN_SERVICE_S / math.sqrt(n)
    assert abs(handle.std() / handle.mean() - 1.0) < 0.05


def test_littles_law_busy_servers(mmn_runs: list) -> None:
    """Time-average busy servers = arrival rate x mean service time (Little's law)."""
    busy = []
    for result in mmn_runs:
        iv = result.intervals
        iv = iv[(iv["channel"] == "all") & (iv["start_s"] >= WARMUP_S)]
        capacity_online = iv["agents_online"] * CAPACITY  # work size 1: a unit is a server
        assert np.allclose(iv["agents_online"], AGENTS)
        busy.append(float((iv["occupancy"] * capacity_online).mean()))
    assert_covers("busy servers", busy, MMN_RATE * MEAN_SERVICE_S)


# --------------------------------------------------------------------------- M/M/n+M
MMNA_LOAD = 1.0 * SERVERS  # heavy load: abandonment matters
MMNA_RATE = MMNA_LOAD / MEAN_SERVICE_S
MEAN_PATIENCE_S = 180.0


@pytest.fixture(scope="module")
def erlang_a_runs() -> list:
    scenario = mmn_scenario(
        arrival_rate_per_s=MMNA_RATE,
        mean_service_s=MEAN_SERVICE_S,
        agents=AGENTS,
        capacity=CAPACITY,
        horizon_s=HORIZON_S,
        mean_patience_s=MEAN_PATIENCE_S,
    )
    return [simulate(scenario, seed=SEED + 1, replication=r) for r in range(REPLICATIONS)]


def test_mmn_with_patience_matches_erlang_a(erlang_a_runs: list) -> None:
    theory = erlang_a_metrics(SERVERS, MMNA_RATE, MEAN_SERVICE_S, MEAN_PATIENCE_S, THRESHOLD_S)
    p_abandon, p_wait, mean_wait, service_level = [], [], [], []
    for result in erlang_a_runs:
        s = window(result.sessions)
        abandoned = (s["outcome"] == "abandoned").to_numpy()
        assert s.loc[~abandoned, "accept_time"].notna().all()
        # wait of every arrival: until acceptance, or until the customer left
        wait = np.where(
            abandoned,
            (s["end_time"] - s["request_time"]).to_numpy(),
            s["wait_s"].to_numpy(),
        )
        assert not np.isnan(wait).any()
        p_abandon.append(float(abandoned.mean()))
        p_wait.append(float(np.mean(wait > WAITED_S)))
        mean_wait.append(float(np.mean(wait)))
        service_level.append(float(np.mean(~abandoned & (wait <= THRESHOLD_S))))
    assert_covers("P(abandon)", p_abandon, theory.abandon_probability)
    assert_covers("P(wait > 0)", p_wait, theory.wait_probability)
    assert_wait_probability(erlang_a_runs, theory.wait_probability)  # abandoners included
    assert_covers("mean wait, all arrivals (s)", mean_wait, theory.mean_wait_s)
    assert_covers(f"P(served within {THRESHOLD_S:g}s)", service_level, theory.service_level)


# ------------------------------------------------------------------ handle-time input
def test_handle_time_channel_with_concurrency_one_matches_erlang_c() -> None:
    # issue 22 item 3: a channel given by its handle time (accept -> End Chat) with one
    # chat per agent is M/M/n; the group's reply time (999 s here) plays no part in it.
    servers, mean_handle_s, horizon_s = 10, 240.0, 2 * 24 * HOUR
    rate = 0.85 * servers / mean_handle_s
    base = mmn_scenario(arrival_rate_per_s=rate, mean_service_s=999.0, agents=servers,
                        capacity=1, horizon_s=horizon_s)
    scenario = base.derive({
        "channels[0].handle_time": {"kind": "exponential", "mean": mean_handle_s},
        "channels[0].customers.exchanges": 6,  # replaced by the handle time
        "agent_groups[0].behaviour.concurrency_slowdown": 0,
        "agent_groups[0].behaviour.concurrency_efficiency": [1, 1.5],
    })
    theory = erlang_c_metrics(servers, rate, mean_handle_s, THRESHOLD_S)
    p_wait, mean_wait, handle = [], [], []
    for replication in range(10):
        sessions = simulate(scenario, seed=SEED, replication=replication).sessions
        window_rows = sessions[(sessions["arrival_time"] >= WARMUP_S)
                               & (sessions["arrival_time"] < horizon_s - TAIL_S)]
        wait = window_rows["wait_s"].to_numpy()
        p_wait.append(float(np.mean(wait > WAITED_S)))
        mean_wait.append(float(np.mean(wait)))
        handle.append(float(window_rows["handle_time_s"].mean()))
        assert (window_rows["agent_messages"] <= 1).all()  # one agent turn
    assert_covers("P(wait > 0)", p_wait, theory.wait_probability)
    assert_covers("mean wait (s)", mean_wait, theory.mean_wait_s)
    assert_covers("handle time (s)", handle, mean_handle_s)
