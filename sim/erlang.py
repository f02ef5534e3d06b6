"""Queueing-theory formulas (Erlang B, C and A) for staffing and for validating the simulator.

Every duration is in **seconds** and every rate is **per second**. ``offered_load`` is in
Erlangs (arrival rate times mean service time). The formulas are written to stay accurate for
a few thousand servers and a few thousand Erlangs: Erlang B is computed with the classical
recursion carried out in log space, and nothing ever evaluates a factorial or a large power.

Models
------
* **Erlang B** (M/M/n/n): blocking probability of a loss system.
* **Erlang C** (M/M/n): infinitely patient customers, first come first served.
* **Erlang A** (M/M/n+M, "Palm's queue"): customers abandon after an exponential patience
  with mean ``mean_patience_s`` (Mandelbaum & Zeltyn, *The Palm/Erlang-A queue, with
  applications to call centers*, 2005; Garnett, Mandelbaum & Reiman, 2002).

Erlang A method
---------------
Write ``lam`` for the arrival rate, ``mu = 1 / mean_service_s``, ``theta = 1 / mean_patience_s``
and ``n`` for the servers. The number in system is a birth-death chain with birth rate ``lam``
and death rate ``min(j, n) * mu + max(j - n, 0) * theta``. Its stationary distribution is
``pi_j`` for ``j < n`` from the Erlang B recursion, and for the queue states
``pi_{n+k} = pi_n * prod_{j=1..k} lam / (n*mu + j*theta)``; the queue product is summed in log
space and truncated once the remaining tail is below ``1e-15`` of the total (a rigorous
geometric bound is checked). By PASTA an arrival sees ``pi``. An arrival that finds ``n + k``
in system (``k >= 0`` waiting) has ``k`` customers ahead; while ``i`` are ahead, the next
"queue departure" ahead of him happens at rate ``n*mu + i*theta`` (a service completion pulls
the head of the queue into service, or one of the ``i`` abandons). His *offered* wait ``V``
(time to reach a server if he were infinitely patient) is therefore the sum of independent
exponentials with rates ``n*mu + i*theta``, ``i = k, ..., 0``. His own patience ``tau ~
Exp(theta)`` is independent of ``V``, so he is served iff ``tau > V`` and

* ``P(served | k) = E[exp(-theta V)] = prod_i (n*mu + i*theta) / (n*mu + (i+1)*theta)
  = n*mu / (n*mu + (k+1)*theta)`` (the product telescopes);
* ``E[min(V, tau) | k] = (1 - P(served | k)) / theta = (k+1) / (n*mu + (k+1)*theta)``;
* ``P(served, V <= t | k) = E[exp(-theta V) 1{V <= t}]``. Tilting by ``exp(-theta V)`` turns
  every phase rate ``r`` into ``r + theta``, so this equals ``P(served | k) *
  P(S <= t)`` with ``S`` the sum of exponentials with rates ``n*mu + j*theta``,
  ``j = 1, ..., k+1``. Those rates form an arithmetic progression, and ``exp(-theta S)``
  has a Beta(``n*mu/theta + 1``, ``k + 1``) law (compare Mellin transforms), hence
  ``P(S <= t) = I_{1 - exp(-theta t)}(k + 1, n*mu/theta + 1)``, the regularized incomplete
  beta function (:func:`scipy.special.betainc`). As ``theta -> 0`` it tends to the Erlang
  (gamma) distribution function of Erlang C;
* ``E[V 1{served} | k] = P(served | k) * sum_{j=1..k+1} 1 / (n*mu + j*theta)``.

The metrics are these conditional quantities averaged over ``pi``. Summing the series gives the
equivalent integral form used when the queue would need more than
:data:`_MAX_QUEUE_STATES` states (very long patience together with overload): conditionally on
waiting, ``V`` has the defective density ``pi_n * n*mu * exp(g(s))`` with
``g(s) = (lam/theta) * (1 - exp(-theta s)) - n*mu*s``, which is integrated with
:func:`scipy.integrate.quad` around its single maximum.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

__all__ = [
    "ErlangAMetrics",
    "ErlangCMetrics",
    "erlang_a_metrics",
    "erlang_a_servers",
    "erlang_b",
    "erlang_c_mean_wait",
    "erlang_c_metrics",
    "erlang_c_servers_for_asa",
    "erlang_c_servers_for_service_level",
    "erlang_c_service_level",
    "erlang_c_wait_probability",
]

_MAX_QUEUE_STATES = 500_000
"""Largest truncated queue the Erlang A series is summed over before switching to integrals."""

_LOG_TAIL = math.log(1e-15)
"""The truncated Erlang A queue tail must be below this fraction (log) of the total mass."""

_MAX_SERVERS_SEARCHED = 10_000_000
"""Staffing searches give up (``ValueError``) beyond this many servers."""


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ErlangCMetrics:
    """Steady-state measures of an M/M/n (Erlang C) queue.

    Attributes:
        wait_probability: P(W > 0), the probability an arrival finds all servers busy.
        mean_wait_s: Mean time in queue in seconds over all arrivals (``inf`` if unstable).
        service_level: P(W <= threshold_s) (0.0 if unstable).
        occupancy: Fraction of server time busy, ``offered_load / servers`` capped at 1.
        threshold_s: The service-level threshold in seconds the metrics were computed for.
    """

    wait_probability: float
    mean_wait_s: float
    service_level: float
    occupancy: float
    threshold_s: float


@dataclass(frozen=True)
class ErlangAMetrics:
    """Steady-state measures of an M/M/n+M (Erlang A) queue.

    Attributes:
        wait_probability: P(W > 0), the probability an arrival finds all servers busy.
        abandon_probability: Probability an arrival abandons before reaching a server.
        mean_wait_s: Mean time in queue in seconds over **all** arrivals; an abandoning
            customer's wait counts until he abandons. Equals ``abandon_probability *
            mean_patience_s``.
        service_level: P(served and W <= threshold_s); customers who abandon are misses
            whatever their wait.
        mean_wait_served_s: Mean wait in seconds of the customers who are served (the
            contact-center "average speed of answer"); NaN when nobody is served.
        occupancy: Fraction of server time busy, ``arrival_rate * (1 - abandon_probability)
            * mean_service_s / servers``.
        threshold_s: The service-level threshold in seconds the metrics were computed for.
    """

    wait_probability: float
    abandon_probability: float
    mean_wait_s: float
    service_level: float
    mean_wait_served_s: float
    occupancy: float
    threshold_s: float


# --------------------------------------------------------------------------- validation
def _check_servers(servers: int) -> int:
    if isinstance(servers, bool):
        raise TypeError("servers must be an integer, not a bool")
    try:
        n = operator.index(servers)
    except TypeError:
        raise TypeError(f"servers must be an integer, got {servers!r}") from None
    if n < 0:
        raise ValueError(f"servers must be >= 0, got {n}")
    return n


def _check_nonneg(name: str, value: float, *, allow_inf: bool = False) -> float:
    v = float(value)
    if math.isnan(v) or v < 0 or (math.isinf(v) and not allow_inf):
        kind = "a non-negative number" if allow_inf else "a finite non-negative number"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return v


def _check_positive(name: str, value: float, *, allow_inf: bool = False) -> float:
    v = _check_nonneg(name, value, allow_inf=allow_inf)
    if v == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def _check_fraction(name: str, value: float) -> float:
    v = float(value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return v


def _logaddexp(a: float, b: float) -> float:
    """Return ``log(exp(a) + exp(b))`` without overflow."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


# --------------------------------------------------------------------------- Erlang B
def _log_inverse_erlang_b(servers: int, offered_load: float) -> float:
    """Return ``log(1 / B(servers, offered_load))`` (``inf`` when the load is zero).

    Uses ``1/B(k) = 1 + (k / a) / B(k - 1)`` with ``B(0) = 1``, evaluated in log space so
    it neither overflows nor underflows for any ``servers``.
    """
    if servers == 0:
        return 0.0
    if offered_load == 0.0:
        return math.inf
    log_a = math.log(offered_load)
    log_r = 0.0
    for k in range(1, servers + 1):
        log_r = _logaddexp(0.0, math.log(k) - log_a + log_r)
    return log_r


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of an M/M/n/n loss system (Erlang B formula).

    Computed with the stable recursion ``B(k) = a B(k-1) / (k + a B(k-1))`` in log space,
    in ``O(servers)`` time and accurate for thousands of servers.

    Args:
        servers: Number of servers ``n`` (>= 0).
        offered_load: Offered load ``a`` in Erlangs (arrival rate per second times mean
            service time in seconds), >= 0.

    Returns:
        The probability an arrival finds all ``n`` servers busy and is lost, in [0, 1].
    """
    n = _check_servers(servers)
    a = _check_nonneg("offered_load", offered_load)
    return math.exp(-_log_inverse_erlang_b(n, a))


# --------------------------------------------------------------------------- Erlang C
def _erlang_c_from_b(n: int, a: float, b: float) -> float:
    """Erlang C probability of waiting from the Erlang B value, for ``0 < a < n``."""
    return n * b / (n - a * (1.0 - b))


def _check_c_args(
    servers: int, arrival_rate: float, mean_service_s: float
) -> tuple[int, float, float]:
    n = _check_servers(servers)
    lam = _check_nonneg("arrival_rate", arrival_rate)
    s = _check_positive("mean_service_s", mean_service_s)
    return n, lam, s


def _erlang_c_core(n: int, lam: float, mean_service_s: float) -> tuple[float, float]:
    """Return ``(C, n*mu - lam)``; ``C`` is 1.0 and the drift <= 0 when unstable."""
    mu = 1.0 / mean_service_s
    a = lam * mean_service_s
    drift = n * mu - lam
    if lam == 0.0:
        return 0.0, drift
    if a >= n:
        return 1.0, drift
    b = math.exp(-_log_inverse_erlang_b(n, a))
    return min(1.0, _erlang_c_from_b(n, a, b)), drift


def erlang_c_wait_probability(servers: int, arrival_rate: float, mean_service_s: float) -> float:
    """Probability that an arrival waits, P(W > 0), in an M/M/n queue (Erlang C formula).

    Computed as ``C = n B / (n - a (1 - B))`` from the stable Erlang B value.

    Args:
        servers: Number of servers ``n`` (>= 0).
        arrival_rate: Poisson arrival rate ``lambda`` per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).

    Returns:
        P(W > 0) in [0, 1]; 1.0 when the offered load ``lambda * mean_service_s`` is at
        least ``servers`` (the queue is unstable), and 0.0 when there are no arrivals.
    """
    n, lam, s = _check_c_args(servers, arrival_rate, mean_service_s)
    return _erlang_c_core(n, lam, s)[0]


def erlang_c_mean_wait(servers: int, arrival_rate: float, mean_service_s: float) -> float:
    """Mean time in queue of an M/M/n queue, ``C / (n mu - lambda)``, in seconds.

    Args:
        servers: Number of servers ``n`` (>= 0).
        arrival_rate: Poisson arrival rate ``lambda`` per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).

    Returns:
        The mean wait in seconds over all arrivals (including those who do not wait);
        ``inf`` when the queue is unstable (offered load >= servers).
    """
    n, lam, s = _check_c_args(servers, arrival_rate, mean_service_s)
    c, drift = _erlang_c_core(n, lam, s)
    if lam == 0.0:
        return 0.0
    if drift <= 0:
        return math.inf
    return c / drift


def erlang_c_service_level(
    servers: int, arrival_rate: float, mean_service_s: float, threshold_s: float
) -> float:
    """Service level of an M/M/n queue: P(W <= t) = 1 - C exp(-(n mu - lambda) t).

    Args:
        servers: Number of servers ``n`` (>= 0).
        arrival_rate: Poisson arrival rate ``lambda`` per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).
        threshold_s: Service-level threshold ``t`` in seconds (>= 0, may be ``inf``).

    Returns:
        The probability an arrival waits at most ``threshold_s`` seconds; 0.0 when the queue
        is unstable.
    """
    n, lam, s = _check_c_args(servers, arrival_rate, mean_service_s)
    t = _check_nonneg("threshold_s", threshold_s, allow_inf=True)
    return _erlang_c_service_level(n, lam, s, t)


def _erlang_c_service_level(n: int, lam: float, s: float, t: float) -> float:
    c, drift = _erlang_c_core(n, lam, s)
    if lam == 0.0:
        return 1.0
    if drift <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - c * math.exp(-drift * t)))


def erlang_c_metrics(
    servers: int, arrival_rate: float, mean_service_s: float, threshold_s: float = 0.0
) -> ErlangCMetrics:
    """All steady-state Erlang C (M/M/n) measures at once.

    Args:
        servers: Number of servers ``n`` (>= 0).
        arrival_rate: Poisson arrival rate ``lambda`` per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).
        threshold_s: Service-level threshold in seconds (>= 0).

    Returns:
        An :class:`ErlangCMetrics`; when unstable the wait probability is 1, the mean wait
        ``inf``, the service level 0 and the occupancy 1.
    """
    n, lam, s = _check_c_args(servers, arrival_rate, mean_service_s)
    t = _check_nonneg("threshold_s", threshold_s, allow_inf=True)
    c, drift = _erlang_c_core(n, lam, s)
    a = lam * s
    if lam == 0.0:
        return ErlangCMetrics(0.0, 0.0, 1.0, 0.0, t)
    if drift <= 0:
        return ErlangCMetrics(1.0, math.inf, 0.0, 1.0, t)
    sl = min(1.0, max(0.0, 1.0 - c * math.exp(-drift * t)))
    return ErlangCMetrics(c, c / drift, sl, a / n, t)


# --------------------------------------------------------------------------- Erlang A
def _erlang_a_series(
    n: int, lam: float, mu: float, theta: float, t: float, log_inv_b: float
) -> tuple[float, float, float, float, float] | None:
    """Erlang A by summing the truncated birth-death chain (see the module docstring).

    Returns ``(p_wait, p_abandon, mean_wait, service_level, e_wait_served)`` where the last
    one is ``E[W 1{served}]``, or ``None`` when the queue needs more than
    :data:`_MAX_QUEUE_STATES` states.
    """
    nmu = n * mu
    # The ratio lam / (n mu + k theta) drops below 1 after k_peak.
    k_peak = max(0.0, (lam - nmu) / theta)
    size = int(min(_MAX_QUEUE_STATES, 2 * k_peak + 256))
    log_lam = math.log(lam)
    while True:
        j = np.arange(1, size + 1, dtype=float)
        log_ratio = log_lam - np.log(nmu + j * theta)  # log(pi_{n+j} / pi_{n+j-1})
        log_w = np.concatenate(([0.0], np.cumsum(log_ratio)))  # log(pi_{n+k} / pi_n)
        m = float(log_w.max())
        log_total = m + math.log(float(np.exp(log_w - m).sum()))
        last_ratio = float(log_ratio[-1])
        if last_ratio < 0.0:
            # The tail beyond the last state is at most w_K r / (1 - r) (ratios decrease).
            log_tail = float(log_w[-1]) + last_ratio - math.log(-math.expm1(last_ratio))
            if log_tail - log_total < _LOG_TAIL:
                break
        if size >= _MAX_QUEUE_STATES:
            return None
        size = min(_MAX_QUEUE_STATES, 4 * size)

    # pi_n = 1 / (1/B - 1 + sum_k w_k); everything below is relative to it, in log space.
    log_idle = log_inv_b + math.log(-math.expm1(-log_inv_b)) if log_inv_b > 0 else -math.inf
    log_norm = _logaddexp(log_idle, log_total)  # log(1 / pi_n)
    p = np.exp(log_w - log_norm)  # pi_{n+k}, k = 0..size
    p_wait = math.exp(log_total - log_norm)
    p_no_wait = math.exp(log_idle - log_norm) if log_idle > -math.inf else 0.0

    k1 = np.arange(1, size + 2, dtype=float)  # k + 1
    p_served_k = nmu / (nmu + k1 * theta)
    mean_wait = float(np.dot(p, k1 / (nmu + k1 * theta)))
    p_abandon = theta * mean_wait  # sum_k pi_{n+k} (k+1) theta / (n mu + (k+1) theta)
    e_wait_served = float(np.dot(p, p_served_k * np.cumsum(1.0 / (nmu + k1 * theta))))
    if t > 0 and nmu > 0:
        z = -math.expm1(-theta * t)
        reach = special.betainc(k1, nmu / theta + 1.0, z)
        sl = p_no_wait + float(np.dot(p, p_served_k * reach))
    else:
        sl = p_no_wait
    return p_wait, p_abandon, mean_wait, sl, e_wait_served


def _exp_minus_linear(u: float) -> float:
    """Return ``exp(-u) - 1 + u`` without cancellation for small ``|u|``."""
    if abs(u) > 0.5:
        return math.exp(-u) - 1.0 + u
    term = u * u / 2.0
    total = 0.0
    k = 2
    while abs(term) > 1e-18 * abs(total) or total == 0.0:
        total += term
        k += 1
        term *= -u / k
        if term == 0.0:
            break
    return total


def _quad_concave(
    log_f: Callable[[float], float], lo: float, peak: float, hi: float, scale: float
) -> float:
    """Integrate ``exp(log_f)`` over ``[lo, hi]`` where ``log_f`` peaks at ``peak`` with 0."""
    total = 0.0
    pieces = [lo]
    for x in (peak - 5 * scale, peak, peak + 5 * scale):
        if pieces[-1] < x < hi:
            pieces.append(x)
    pieces.append(hi)
    for a, b in zip(pieces[:-1], pieces[1:], strict=True):
        if b > a:
            val, _ = integrate.quad(
                lambda s: math.exp(log_f(s)), a, b, epsabs=0.0, epsrel=1e-11, limit=500
            )
            total += val
    return total


def _erlang_a_integral(
    n: int, lam: float, mu: float, theta: float, t: float, log_inv_b: float
) -> tuple[float, float, float, float, float]:
    """Erlang A through the offered-wait density (see the module docstring).

    Conditionally on waiting, the offered wait has density ``pi_n n mu exp(g(s))`` with the
    concave ``g(s) = (lam / theta)(1 - exp(-theta s)) - n mu s``, evaluated relative to its
    maximum in a cancellation-free form. Returns the same tuple as
    :func:`_erlang_a_series`. Requires ``n >= 1``.
    """
    nmu = n * mu
    if lam > nmu:
        # Interior maximum at exp(-theta * peak) = n mu / lam, where g''= -n mu theta.
        peak = math.log(lam / nmu) / theta
        x = (lam - nmu) / nmu
        g_max = nmu * (x - math.log1p(x)) / theta
        scale = 1.0 / math.sqrt(nmu * theta)

        def rel(s: float) -> float:
            return -(nmu / theta) * _exp_minus_linear(theta * (s - peak))

    else:
        peak = 0.0
        g_max = 0.0
        scale = 1.0 / max(math.sqrt(lam * theta), nmu - lam)

        def rel(s: float) -> float:
            return (lam - nmu) * s - (lam / theta) * _exp_minus_linear(theta * s)

    # Window outside of which exp(g - g_max) < e^-100 (g is concave).
    drop = 100.0
    hi = peak + scale
    while rel(hi) > -drop:
        hi = peak + 2 * (hi - peak)
    lo = 0.0
    if peak > 0 and rel(0.0) < -drop:
        lo = max(0.0, peak - scale)
        while lo > 0 and rel(lo) > -drop:
            lo = max(0.0, peak - 2 * (peak - lo))

    i_all = _quad_concave(rel, lo, peak, hi, scale)
    i_abandon = _quad_concave(
        lambda s: rel(s) + math.log(-math.expm1(-theta * s)) if s > 0 else -math.inf,
        lo,
        peak,
        hi,
        scale,
    )
    i_wait_served = _quad_concave(
        lambda s: rel(s) - theta * s + math.log(s) if s > 0 else -math.inf, lo, peak, hi, scale
    )
    t_hi = min(t, hi)
    i_sl = _quad_concave(lambda s: rel(s) - theta * s, lo, peak, t_hi, scale) if t_hi > lo else 0.0

    log_scale = math.log(nmu) + g_max  # integrals above are relative to nmu * exp(g_max)
    log_total = log_scale + math.log(i_all)
    log_idle = log_inv_b + math.log(-math.expm1(-log_inv_b)) if log_inv_b > 0 else -math.inf
    log_norm = _logaddexp(log_idle, log_total)
    factor = math.exp(log_scale - log_norm)
    p_wait = math.exp(log_total - log_norm)
    p_no_wait = math.exp(log_idle - log_norm) if log_idle > -math.inf else 0.0
    p_abandon = factor * i_abandon
    return (
        p_wait,
        p_abandon,
        p_abandon / theta,
        p_no_wait + factor * i_sl,
        factor * i_wait_served,
    )


def erlang_a_metrics(
    servers: int,
    arrival_rate: float,
    mean_service_s: float,
    mean_patience_s: float,
    threshold_s: float = 0.0,
) -> ErlangAMetrics:
    """Exact steady-state measures of the M/M/n+M (Erlang A) queue.

    Customers arrive as a Poisson process, are served first come first served by ``n``
    servers with exponential service times, and abandon the queue after an exponential
    patience with mean ``mean_patience_s``. The stationary birth-death distribution is
    summed exactly (truncated where the neglected tail is below 1e-15), and for a customer
    who finds ``k`` others waiting the chance of being served, his mean wait and his chance
    of being served within ``threshold_s`` are closed forms; the latter is
    ``n mu / (n mu + (k+1) theta) * I_{1 - exp(-theta t)}(k + 1, n mu / theta + 1)`` with
    ``I`` the regularized incomplete beta function. The derivation (phases ahead of the
    tagged customer have rates ``n mu + i theta``; tilting by his own patience) is in the
    module docstring.

    Args:
        servers: Number of servers ``n`` (>= 0).
        arrival_rate: Poisson arrival rate ``lambda`` per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).
        mean_patience_s: Mean (exponential) patience in seconds (> 0); ``inf`` gives
            Erlang C.
        threshold_s: Service-level threshold ``t`` in seconds (>= 0).

    Returns:
        An :class:`ErlangAMetrics`. With infinite patience and load >= servers the queue is
        unstable: wait probability 1, mean waits ``inf``, service level 0.
    """
    n, lam, s = _check_c_args(servers, arrival_rate, mean_service_s)
    patience = _check_positive("mean_patience_s", mean_patience_s, allow_inf=True)
    t = _check_nonneg("threshold_s", threshold_s, allow_inf=True)
    mu = 1.0 / s
    theta = 1.0 / patience

    if lam == 0.0:
        return ErlangAMetrics(0.0, 0.0, 0.0, 1.0, 0.0, 0.0, t)
    if theta == 0.0:  # Erlang C
        c = erlang_c_metrics(n, lam, s, t)
        return ErlangAMetrics(
            c.wait_probability,
            0.0,
            c.mean_wait_s,
            c.service_level,
            c.mean_wait_s,
            c.occupancy,
            t,
        )
    if n == 0:  # everybody waits until abandoning
        return ErlangAMetrics(1.0, 1.0, patience, 0.0, math.nan, 0.0, t)

    log_inv_b = _log_inverse_erlang_b(n, lam * s)
    result = _erlang_a_series(n, lam, mu, theta, t, log_inv_b)
    if result is None:
        result = _erlang_a_integral(n, lam, mu, theta, t, log_inv_b)
    p_wait, p_abandon, mean_wait, sl, e_wait_served = result
    p_abandon = min(1.0, p_abandon)
    p_served = 1.0 - p_abandon
    served_wait = e_wait_served / p_served if p_served > 0 else math.nan
    return ErlangAMetrics(
        wait_probability=min(1.0, max(0.0, p_wait)),
        abandon_probability=p_abandon,
        mean_wait_s=mean_wait,
        service_level=min(1.0, max(0.0, sl)),
        mean_wait_served_s=served_wait,
        occupancy=min(1.0, lam * p_served * s / n),
        threshold_s=t,
    )


# --------------------------------------------------------------------------- staffing
def _fewest(meets: Callable[[int], bool], lowest: int) -> int:
    """Smallest ``n >= lowest`` with ``meets(n)``, for a ``meets`` monotone in ``n``."""
    if meets(lowest):
        return lowest
    lo, hi = lowest, max(lowest + 1, 2 * lowest)  # meets(lo) is False
    while not meets(hi):
        lo = hi
        hi *= 2
        if hi > _MAX_SERVERS_SEARCHED:
            raise ValueError("the goals cannot be met with a reasonable number of servers")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


def erlang_c_servers_for_service_level(
    arrival_rate: float, mean_service_s: float, threshold_s: float, target: float
) -> int:
    """Fewest servers for which an M/M/n queue answers ``target`` of arrivals in time.

    Args:
        arrival_rate: Poisson arrival rate per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).
        threshold_s: Service-level threshold in seconds (>= 0).
        target: Required P(W <= threshold_s), strictly between 0 and 1.

    Returns:
        The smallest ``n`` (always more than the offered load, so the queue is stable) with
        ``erlang_c_service_level(n, ...) >= target``; 0 when there are no arrivals.
    """
    lam = _check_nonneg("arrival_rate", arrival_rate)
    s = _check_positive("mean_service_s", mean_service_s)
    t = _check_nonneg("threshold_s", threshold_s)
    goal = _check_fraction("target", target)
    if lam == 0.0:
        return 0
    lowest = math.floor(lam * s) + 1
    return _fewest(lambda n: _erlang_c_service_level(n, lam, s, t) >= goal, lowest)


def erlang_c_servers_for_asa(arrival_rate: float, mean_service_s: float, max_asa_s: float) -> int:
    """Fewest servers for which the M/M/n mean wait (average speed of answer) is small enough.

    Args:
        arrival_rate: Poisson arrival rate per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).
        max_asa_s: Largest acceptable mean wait in seconds (> 0).

    Returns:
        The smallest ``n`` with ``erlang_c_mean_wait(n, ...) <= max_asa_s``; 0 when there are
        no arrivals.
    """
    lam = _check_nonneg("arrival_rate", arrival_rate)
    s = _check_positive("mean_service_s", mean_service_s)
    asa = _check_positive("max_asa_s", max_asa_s)
    if lam == 0.0:
        return 0
    lowest = math.floor(lam * s) + 1
    return _fewest(lambda n: erlang_c_mean_wait(n, lam, s) <= asa, lowest)


def erlang_a_servers(
    arrival_rate: float,
    mean_service_s: float,
    mean_patience_s: float,
    *,
    threshold_s: float | None = None,
    target: float | None = None,
    max_asa_s: float | None = None,
    max_abandon: float | None = None,
) -> int:
    """Fewest servers for which an M/M/n+M (Erlang A) queue meets every given goal.

    Goals (give at least one): a service level (``threshold_s`` and ``target`` together:
    P(served and W <= threshold_s) >= target, abandons counting as misses); an average
    speed of answer ``max_asa_s`` (mean wait of the **served** customers,
    :attr:`ErlangAMetrics.mean_wait_served_s`); an abandonment rate ``max_abandon``. Each
    measure improves with more servers, so the answer is found by bisection and ``n - 1``
    servers miss at least one goal.

    Args:
        arrival_rate: Poisson arrival rate per second (>= 0).
        mean_service_s: Mean (exponential) service time in seconds (> 0).
        mean_patience_s: Mean (exponential) patience in seconds (> 0, may be ``inf``).
        threshold_s: Service-level threshold in seconds (>= 0); requires ``target``.
        target: Required service level, strictly between 0 and 1; requires ``threshold_s``.
        max_asa_s: Largest acceptable mean wait of served customers in seconds (> 0).
        max_abandon: Largest acceptable abandonment probability, strictly between 0 and 1.

    Returns:
        The smallest number of servers meeting all the goals; 0 when there are no arrivals.

    Raises:
        ValueError: If no goal is given, only one of ``threshold_s``/``target`` is given, or
            an argument is out of range.
    """
    lam = _check_nonneg("arrival_rate", arrival_rate)
    s = _check_positive("mean_service_s", mean_service_s)
    patience = _check_positive("mean_patience_s", mean_patience_s, allow_inf=True)
    if (threshold_s is None) != (target is None):
        raise ValueError("threshold_s and target must be given together")
    if threshold_s is None and max_asa_s is None and max_abandon is None:
        raise ValueError("give at least one goal: threshold_s+target, max_asa_s, max_abandon")
    t = _check_nonneg("threshold_s", threshold_s) if threshold_s is not None else 0.0
    goal = _check_fraction("target", target) if target is not None else None
    asa = _check_positive("max_asa_s", max_asa_s) if max_asa_s is not None else None
    ab = _check_fraction("max_abandon", max_abandon) if max_abandon is not None else None
    if lam == 0.0:
        return 0

    def meets(n: int) -> bool:
        m = erlang_a_metrics(n, lam, s, patience, t)
        if goal is not None and not m.service_level >= goal:
            return False
        if asa is not None and not m.mean_wait_served_s <= asa:
            return False
        return ab is None or m.abandon_probability <= ab

    lowest = 1 if math.isfinite(patience) else math.floor(lam * s) + 1
    return _fewest(meets, lowest)
