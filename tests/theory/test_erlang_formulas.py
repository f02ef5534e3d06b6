"""Tests of sim.erlang against independent formulas, a Markov chain and a Monte Carlo run."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
from scipy import linalg, stats

from sim import erlang
from sim.erlang import (
    ErlangAMetrics,
    erlang_a_metrics,
    erlang_a_servers,
    erlang_b,
    erlang_c_mean_wait,
    erlang_c_metrics,
    erlang_c_servers_for_asa,
    erlang_c_servers_for_service_level,
    erlang_c_service_level,
    erlang_c_wait_probability,
)

MEAN_SERVICE = 180.0
MU = 1.0 / MEAN_SERVICE


# --------------------------------------------------------------------------- references
def erlang_b_direct(n: int, a: float) -> float:
    """Erlang B by the textbook sum (fine for small n)."""
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def erlang_c_direct(n: int, a: float) -> float:
    """Erlang C by the textbook sum (fine for small n, a < n)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def birth_death_pi(n: int, lam: float, mu: float, theta: float, size: int) -> np.ndarray:
    """Stationary law of the M/M/n+M chain on states 0..n+size, by the product formula."""
    death = [min(j, n) * mu + max(j - n, 0) * theta for j in range(1, n + size + 1)]
    log_w = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(death))))
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def service_level_by_expm(n: int, lam: float, mu: float, theta: float, t: float) -> float:
    """P(served and W <= t) from the transient law of an absorbing chain (scipy.linalg.expm).

    Transient states are the tagged customer's queue position m = 1..size (m - 1 ahead of
    him); position m moves to m - 1 at rate n mu + (m - 1) theta (position 0 = in service,
    absorbing), and he leaves (abandons) at rate theta from every position.
    """
    size = 150
    pi = birth_death_pi(n, lam, mu, theta, size)
    q = np.zeros((size + 1, size + 1))  # index 0: served; index m: position m
    for m in range(1, size + 1):
        q[m, m - 1] = n * mu + (m - 1) * theta
        q[m, m] = -(n * mu + (m - 1) * theta + theta)
    start = np.zeros(size + 1)
    start[1:] = pi[n : n + size]  # finding n + k in system puts him at position k + 1
    reached = (start @ linalg.expm(q * t))[0]
    return float(pi[:n].sum() + reached)


def simulate_mmn_m(
    n: int,
    lam: float,
    mean_service: float,
    mean_patience: float,
    t: float,
    customers: int,
    seed: int,
) -> dict[str, float]:
    """Tiny FCFS M/M/n+M simulation tracking the times at which servers become free.

    A customer's offered wait is the earliest server-free time minus his arrival; he is
    served if that is within his patience (and then occupies that server), else abandons.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / lam, customers)).tolist()
    service = rng.exponential(mean_service, customers).tolist()
    patience = rng.exponential(mean_patience, customers).tolist()
    free = [0.0] * n
    offered = np.empty(customers)
    waited = np.empty(customers)
    served = np.empty(customers, dtype=bool)
    for i in range(customers):
        a = arrivals[i]
        v = max(0.0, free[0] - a)
        offered[i] = v
        if v <= patience[i]:
            heapq.heapreplace(free, a + v + service[i])
            served[i], waited[i] = True, v
        else:
            served[i], waited[i] = False, patience[i]
    burn = customers // 20
    o, s, w = offered[burn:], served[burn:], waited[burn:]
    return {
        "wait_probability": float(np.mean(o > 0)),
        "abandon_probability": float(1 - np.mean(s)),
        "mean_wait_s": float(np.mean(w)),
        "service_level": float(np.mean(s & (w <= t))),
        "mean_wait_served_s": float(np.mean(w[s])),
    }


# --------------------------------------------------------------------------- Erlang B
@pytest.mark.parametrize("n", [1, 2, 5, 10, 25])
@pytest.mark.parametrize("a", [0.1, 1.0, 4.5, 10.0, 30.0])
def test_erlang_b_matches_direct_sum(n: int, a: float) -> None:
    assert erlang_b(n, a) == pytest.approx(erlang_b_direct(n, a), rel=1e-12)


def test_erlang_b_edges() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(np.int64(3), 2) == pytest.approx(erlang_b_direct(3, 2.0))


@pytest.mark.parametrize(("n", "a"), [(1500, 1450.0), (2000, 2000.0), (2000, 1800.0), (500, 50.0)])
def test_erlang_b_large_matches_poisson_ratio(n: int, a: float) -> None:
    # B = P(N = n) / P(N <= n) for N ~ Poisson(a): an independent large-n reference.
    expected = math.exp(stats.poisson.logpmf(n, a) - stats.poisson.logcdf(n, a))
    assert erlang_b(n, a) == pytest.approx(expected, rel=1e-9)


# --------------------------------------------------------------------------- Erlang C
@pytest.mark.parametrize("lam", [0.001, 0.003, 0.005])
def test_mm1(lam: float) -> None:
    rho = lam / MU
    assert erlang_c_wait_probability(1, lam, MEAN_SERVICE) == pytest.approx(rho, rel=1e-12)
    assert erlang_c_mean_wait(1, lam, MEAN_SERVICE) == pytest.approx(rho / (MU - lam), rel=1e-12)
    sl = erlang_c_service_level(1, lam, MEAN_SERVICE, 30.0)
    assert sl == pytest.approx(1 - rho * math.exp(-(MU - lam) * 30.0), rel=1e-12)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.99])
def test_mm2_closed_form(rho: float) -> None:
    lam = 2 * MU * rho
    c = 2 * rho**2 / (1 + rho)
    lq = 2 * rho**3 / (1 - rho**2)
    m = erlang_c_metrics(2, lam, MEAN_SERVICE, threshold_s=45.0)
    assert m.wait_probability == pytest.approx(c, rel=1e-12)
    assert m.mean_wait_s == pytest.approx(lq / lam, rel=1e-12)
    assert m.service_level == pytest.approx(1 - c * math.exp(-(2 * MU - lam) * 45.0), rel=1e-12)
    assert m.occupancy == pytest.approx(rho)


@pytest.mark.parametrize(("n", "a"), [(3, 2.5), (10, 8.0), (20, 19.5), (40, 12.0)])
def test_erlang_c_matches_direct_sum_and_b_relation(n: int, a: float) -> None:
    b = erlang_b_direct(n, a)
    c = erlang_c_wait_probability(n, a / MEAN_SERVICE, MEAN_SERVICE)
    assert c == pytest.approx(erlang_c_direct(n, a), rel=1e-11)
    assert c == pytest.approx(n * b / (n - a * (1 - b)), rel=1e-11)


def test_erlang_c_unstable_and_empty() -> None:
    m = erlang_c_metrics(10, 10 * MU, MEAN_SERVICE, 20.0)
    assert (m.wait_probability, m.mean_wait_s, m.service_level, m.occupancy) == (
        1.0,
        math.inf,
        0.0,
        1.0,
    )
    assert erlang_c_wait_probability(5, 7 * MU, MEAN_SERVICE) == 1.0
    assert erlang_c_mean_wait(5, 7 * MU, MEAN_SERVICE) == math.inf
    assert erlang_c_service_level(5, 7 * MU, MEAN_SERVICE, 10.0) == 0.0
    assert erlang_c_wait_probability(5, 0.0, MEAN_SERVICE) == 0.0
    assert erlang_c_mean_wait(5, 0.0, MEAN_SERVICE) == 0.0
    assert erlang_c_service_level(5, 0.0, MEAN_SERVICE, 0.0) == 1.0


def test_erlang_c_large_n_matches_poisson_reference() -> None:
    n, a = 1500, 1450.0
    rho = a / n
    top = math.exp(stats.poisson.logpmf(n, a)) / (1 - rho)
    expected = top / (math.exp(stats.poisson.logcdf(n - 1, a)) + top)
    m = erlang_c_metrics(n, a * MU, MEAN_SERVICE, 20.0)
    assert m.wait_probability == pytest.approx(expected, rel=1e-9)
    for value in (m.wait_probability, m.service_level, m.occupancy):
        assert 0.0 <= value <= 1.0
    assert math.isfinite(m.mean_wait_s) and m.mean_wait_s > 0


@pytest.mark.parametrize("a", [5.0, 50.0, 400.0])
def test_erlang_c_monotone_in_servers(a: float) -> None:
    lam = a * MU
    ns = range(math.floor(a) + 1, math.floor(a) + 40)
    c = [erlang_c_wait_probability(n, lam, MEAN_SERVICE) for n in ns]
    w = [erlang_c_mean_wait(n, lam, MEAN_SERVICE) for n in ns]
    sl = [erlang_c_service_level(n, lam, MEAN_SERVICE, 20.0) for n in ns]
    assert all(x > y for x, y in zip(c, c[1:], strict=False) if y > 1e-300)
    assert all(x > y for x, y in zip(w, w[1:], strict=False) if y > 1e-300)
    assert all(x <= y for x, y in zip(sl, sl[1:], strict=False))


# --------------------------------------------------------------------------- Erlang A
@pytest.mark.parametrize(
    ("n", "a", "t", "patience"),
    [(1, 0.7, 10.0, 1e9), (2, 1.5, 30.0, 1e9), (10, 8.0, 20.0, 1e9), (100, 99.0, 20.0, 1e12)],
)
def test_erlang_a_tends_to_erlang_c_with_infinite_patience(
    n: int, a: float, t: float, patience: float
) -> None:
    # (The rho = 0.99 case also needs a queue of thousands of states to be summed.)
    lam = a * MU
    ea = erlang_a_metrics(n, lam, MEAN_SERVICE, patience, t)
    ec = erlang_c_metrics(n, lam, MEAN_SERVICE, t)
    assert ea.wait_probability == pytest.approx(ec.wait_probability, rel=1e-5)
    assert ea.mean_wait_s == pytest.approx(ec.mean_wait_s, rel=1e-5)
    assert ea.mean_wait_served_s == pytest.approx(ec.mean_wait_s, rel=1e-5)
    assert ea.service_level == pytest.approx(ec.service_level, rel=1e-5)
    assert ea.abandon_probability < 1e-5
    # mean_patience_s = inf is exactly Erlang C.
    exact = erlang_a_metrics(n, lam, MEAN_SERVICE, math.inf, t)
    assert exact.wait_probability == ec.wait_probability
    assert exact.service_level == ec.service_level
    assert exact.abandon_probability == 0.0


@pytest.mark.parametrize(("n", "a"), [(1, 0.5), (5, 4.0), (10, 12.0), (50, 45.0), (300, 320.0)])
def test_erlang_a_patience_equal_service_is_poisson(n: int, a: float) -> None:
    # theta == mu: every customer in the system leaves at rate mu, so N ~ Poisson(a).
    lam = a * MU
    m = erlang_a_metrics(n, lam, MEAN_SERVICE, MEAN_SERVICE, 0.0)
    k = np.arange(n, n + 2000)
    pmf = stats.poisson.pmf(k, a)
    expected_queue = float(np.dot(k - n, pmf))
    assert m.wait_probability == pytest.approx(stats.poisson.sf(n - 1, a), rel=1e-10)
    assert m.abandon_probability == pytest.approx(expected_queue / a, rel=1e-10)
    assert m.mean_wait_s == pytest.approx(expected_queue / lam, rel=1e-10)
    assert m.service_level == pytest.approx(stats.poisson.cdf(n - 1, a), rel=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n", "a", "patience", "t"),
    [(1, 0.9, 60.0, 20.0), (3, 3.0, 30.0, 30.0), (8, 10.0, 300.0, 60.0), (5, 4.0, 1000.0, 5.0)],
)
def test_erlang_a_against_birth_death_chain(n: int, a: float, patience: float, t: float) -> None:
    lam, theta = a * MU, 1 / patience
    m = erlang_a_metrics(n, lam, MEAN_SERVICE, patience, t)
    pi = birth_death_pi(n, lam, MU, theta, 400)
    queue = np.maximum(np.arange(pi.size) - n, 0)
    assert m.wait_probability == pytest.approx(pi[n:].sum(), rel=1e-10)
    # Little's law on the queue and abandonment flow: lam P(Ab) = theta E[Q].
    assert m.abandon_probability == pytest.approx(theta * np.dot(queue, pi) / lam, rel=1e-10)
    assert m.mean_wait_s == pytest.approx(np.dot(queue, pi) / lam, rel=1e-10)
    # Throughput: served rate equals busy servers times mu.
    busy = np.dot(np.minimum(np.arange(pi.size), n), pi)
    assert m.occupancy == pytest.approx(busy / n, rel=1e-10)
    assert m.service_level == pytest.approx(service_level_by_expm(n, lam, MU, theta, t), abs=1e-9)
    assert erlang_a_metrics(n, lam, MEAN_SERVICE, patience, 0.0).service_level == pytest.approx(
        pi[:n].sum(), rel=1e-10
    )
    served = 1 - m.abandon_probability
    assert erlang_a_metrics(n, lam, MEAN_SERVICE, patience, 1e7).service_level == pytest.approx(
        served, rel=1e-9
    )


def test_erlang_a_monte_carlo() -> None:
    n, lam, patience, t = 10, 10 * MU, 120.0, 20.0
    m = erlang_a_metrics(n, lam, MEAN_SERVICE, patience, t)
    sim = simulate_mmn_m(n, lam, MEAN_SERVICE, patience, t, 200_000, seed=7)
    assert sim["wait_probability"] == pytest.approx(m.wait_probability, abs=0.02)
    assert sim["abandon_probability"] == pytest.approx(m.abandon_probability, abs=0.015)
    assert sim["service_level"] == pytest.approx(m.service_level, abs=0.02)
    assert sim["mean_wait_s"] == pytest.approx(m.mean_wait_s, rel=0.05)
    assert sim["mean_wait_served_s"] == pytest.approx(m.mean_wait_served_s, rel=0.05)


@pytest.mark.parametrize(("a", "patience"), [(8.0, 60.0), (40.0, 600.0), (200.0, 90.0)])
def test_erlang_a_monotone_in_servers(a: float, patience: float) -> None:
    lam = a * MU
    ms = [erlang_a_metrics(n, lam, MEAN_SERVICE, patience, 20.0) for n in range(1, int(a) + 25)]
    for attr in ("wait_probability", "abandon_probability", "mean_wait_s", "mean_wait_served_s"):
        values = [getattr(m, attr) for m in ms]
        assert all(x >= y for x, y in zip(values, values[1:], strict=False)), attr
    sl = [m.service_level for m in ms]
    assert all(x <= y for x, y in zip(sl, sl[1:], strict=False))


def test_erlang_a_large_n_stable() -> None:
    for n, a, patience in [(1500, 1450.0, 300.0), (2000, 2000.0, 120.0), (1500, 1600.0, 1e6)]:
        m = erlang_a_metrics(n, a * MU, MEAN_SERVICE, patience, 20.0)
        for value in (m.wait_probability, m.abandon_probability, m.service_level, m.occupancy):
            assert 0.0 <= value <= 1.0
        assert math.isfinite(m.mean_wait_s) and math.isfinite(m.mean_wait_served_s)
    # Heavily overloaded with very long patience: fluid limit P(Ab) -> 1 - n mu / lam.
    m = erlang_a_metrics(1500, 1600 * MU, MEAN_SERVICE, 1e9, 20.0)
    assert m.abandon_probability == pytest.approx(1 - 1500 / 1600, rel=1e-6)
    assert m.wait_probability == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("n", "a", "patience", "t"),
    [(10, 10.0, 120.0, 20.0), (10, 15.0, 1e5, 60.0), (50, 45.0, 1e7, 20.0), (3, 1.0, 30.0, 5.0)],
)
def test_erlang_a_series_and_integral_agree(n: int, a: float, patience: float, t: float) -> None:
    # The integral form is the fallback used when the series would need too many states.
    lam, theta = a * MU, 1 / patience
    log_inv_b = erlang._log_inverse_erlang_b(n, a)
    series = erlang._erlang_a_series(n, lam, MU, theta, t, log_inv_b)
    assert series is not None
    integral = erlang._erlang_a_integral(n, lam, MU, theta, t, log_inv_b)
    assert integral == pytest.approx(series, rel=1e-8)


def test_erlang_a_edges() -> None:
    assert erlang_a_metrics(5, 0.0, MEAN_SERVICE, 60.0, 20.0) == ErlangAMetrics(
        0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 20.0
    )
    m = erlang_a_metrics(0, MU, MEAN_SERVICE, 60.0, 20.0)
    assert (m.wait_probability, m.abandon_probability, m.mean_wait_s, m.service_level) == (
        1.0,
        1.0,
        60.0,
        0.0,
    )
    unstable = erlang_a_metrics(3, 4 * MU, MEAN_SERVICE, math.inf, 20.0)
    assert unstable.mean_wait_s == math.inf and unstable.service_level == 0.0


# --------------------------------------------------------------------------- staffing
@pytest.mark.parametrize(
    ("a", "t", "target"),
    [(0.5, 20.0, 0.8), (8.0, 20.0, 0.8), (100.0, 30.0, 0.9), (1450.0, 20.0, 0.8)],
)
def test_erlang_c_servers_for_service_level_is_minimal(a: float, t: float, target: float) -> None:
    lam = a * MU
    n = erlang_c_servers_for_service_level(lam, MEAN_SERVICE, t, target)
    assert erlang_c_service_level(n, lam, MEAN_SERVICE, t) >= target
    assert erlang_c_service_level(n - 1, lam, MEAN_SERVICE, t) < target
    assert n > a


@pytest.mark.parametrize(("a", "asa"), [(0.5, 5.0), (8.0, 20.0), (300.0, 10.0), (1450.0, 2.0)])
def test_erlang_c_servers_for_asa_is_minimal(a: float, asa: float) -> None:
    lam = a * MU
    n = erlang_c_servers_for_asa(lam, MEAN_SERVICE, asa)
    assert erlang_c_mean_wait(n, lam, MEAN_SERVICE) <= asa
    assert erlang_c_mean_wait(n - 1, lam, MEAN_SERVICE) > asa


def test_erlang_c_staffing_matches_brute_force_with_direct_sums() -> None:
    # 360 contacts per 30 min, 240 s handle time (48 Erlangs), 80% answered within 20 s.
    lam, aht, t, target = 360 / 1800, 240.0, 20.0, 0.8
    a = lam * aht
    n = math.floor(a) + 1
    while 1 - erlang_c_direct(n, a) * math.exp(-(n / aht - lam) * t) < target:
        n += 1
    assert erlang_c_servers_for_service_level(lam, aht, t, target) == n


GOALS = [
    {"threshold_s": 20.0, "target": 0.8},
    {"max_asa_s": 15.0},
    {"max_abandon": 0.03},
    {"threshold_s": 30.0, "target": 0.9, "max_abandon": 0.01, "max_asa_s": 20.0},
]


def _meets(m: ErlangAMetrics, goals: dict[str, float]) -> bool:
    ok = True
    if "target" in goals:
        ok &= m.service_level >= goals["target"]
    if "max_asa_s" in goals:
        ok &= m.mean_wait_served_s <= goals["max_asa_s"]
    if "max_abandon" in goals:
        ok &= m.abandon_probability <= goals["max_abandon"]
    return ok


@pytest.mark.parametrize("goals", GOALS)
@pytest.mark.parametrize(("a", "patience"), [(3.0, 60.0), (25.0, 300.0), (900.0, 120.0)])
def test_erlang_a_servers_is_minimal(goals: dict[str, float], a: float, patience: float) -> None:
    lam = a * MU
    n = erlang_a_servers(lam, MEAN_SERVICE, patience, **goals)
    t = goals.get("threshold_s", 0.0)
    assert _meets(erlang_a_metrics(n, lam, MEAN_SERVICE, patience, t), goals)
    if n > 1:
        assert not _meets(erlang_a_metrics(n - 1, lam, MEAN_SERVICE, patience, t), goals)


def test_erlang_a_staffing_needs_no_more_than_erlang_c() -> None:
    lam = 100 * MU
    c = erlang_c_servers_for_service_level(lam, MEAN_SERVICE, 20.0, 0.8)
    a = erlang_a_servers(lam, MEAN_SERVICE, 120.0, threshold_s=20.0, target=0.8)
    assert a <= c
    inf = erlang_a_servers(lam, MEAN_SERVICE, math.inf, threshold_s=20.0, target=0.8)
    assert inf == c


def test_staffing_zero_arrivals() -> None:
    assert erlang_c_servers_for_service_level(0.0, MEAN_SERVICE, 20.0, 0.8) == 0
    assert erlang_c_servers_for_asa(0.0, MEAN_SERVICE, 20.0) == 0
    assert erlang_a_servers(0.0, MEAN_SERVICE, 60.0, max_abandon=0.05) == 0


# --------------------------------------------------------------------------- validation
def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        erlang_b(-1, 1.0)
    with pytest.raises(TypeError):
        erlang_b(2.5, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        erlang_b(2, -1.0)
    with pytest.raises(ValueError):
        erlang_c_wait_probability(2, 0.1, 0.0)
    with pytest.raises(ValueError):
        erlang_c_service_level(2, 0.1, 10.0, -1.0)
    with pytest.raises(ValueError):
        erlang_a_metrics(2, 0.1, 10.0, 0.0)
    with pytest.raises(ValueError):
        erlang_a_metrics(2, math.nan, 10.0, 5.0)
    with pytest.raises(ValueError):
        erlang_c_servers_for_service_level(0.1, 10.0, 20.0, 1.0)
    with pytest.raises(ValueError):
        erlang_a_servers(0.1, 10.0, 60.0)
    with pytest.raises(ValueError):
        erlang_a_servers(0.1, 10.0, 60.0, threshold_s=20.0)
    with pytest.raises(ValueError):
        erlang_a_servers(0.1, 10.0, 60.0, max_abandon=0.0)
