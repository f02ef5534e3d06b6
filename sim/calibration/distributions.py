"""Fitting the scenario's distributions to observed durations, with sample sizes and CIs.

Durations are seconds. :func:`fit_durations` fits complete observations (every value seen);
:func:`fit_censored` fits right-censored ones (a value only known to be larger than the time
observed, as the patience of a customer who was answered) by maximum likelihood on
:class:`scipy.stats.CensoredData`; :func:`kaplan_meier` gives the nonparametric survival
curve of the same data. Each fit is one of the scenario's distribution kinds (fixed,
uniform, exponential, lognormal, gamma), chosen by AIC.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from sim.results.confidence import ci95_half_width
from sim.scenario.schema import DistributionSpec

DISTRIBUTION: TypeAdapter[Any] = TypeAdapter(DistributionSpec)
"""Reads a scenario distribution mapping (``{"kind": "gamma", ...}``) into its object."""

Z95 = 1.959963984540054
"""The 97.5% point of the standard normal."""


@dataclass(frozen=True)
class Fit:
    """A fitted distribution of durations (seconds) or counts.

    Attributes:
        spec: the scenario's distribution mapping (``{"kind": "lognormal", "mean": ...,
            "sd": ...}``), in seconds.
        mean: mean of the fitted distribution.
        n: observations (censored ones included).
        ci: 95% confidence interval of the mean (of the sample mean when ``sample_mean``
            is given, of the fitted mean otherwise).
        censored: observations only known to exceed their value.
        method: how it was fitted, for the comment.
        sample_mean: the observations' mean, for complete data.
        values: the observations (for charts).
        observed: ``True`` for complete observations, ``False`` for censored ones.
    """

    spec: dict[str, float | str]
    mean: float
    n: int
    ci: tuple[float, float]
    censored: int = 0
    method: str = ""
    sample_mean: float | None = None
    values: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    observed: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool), repr=False)

    @property
    def kind(self) -> str:
        """The distribution kind (fixed, uniform, exponential, lognormal, gamma)."""
        return str(self.spec["kind"])

    def comment(self, unit: str = "s") -> str:
        """``<kind> fit: mean 40.2 s, 95% CI 39.6-40.8 s, n=6123 (...)`` for the YAML."""
        low, high = self.ci
        text = f"{self.method or self.kind}: mean {_g(self.mean)} {unit}"
        if self.sample_mean is not None and _g(self.sample_mean) != _g(self.mean):
            text += f"; sample mean {_g(self.sample_mean)} {unit}"
        text += f", 95% CI {_g(low)}-{_g(high)} {unit}, n={self.n}"
        if self.censored:
            text += f" ({self.censored} censored)"
        return text

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """The fitted distribution function at ``x`` (seconds)."""
        return frozen(self.spec).cdf(x)


def frozen(spec: dict[str, float | str]) -> Any:
    """A scipy frozen distribution for a scenario distribution mapping.

    Raises:
        ValueError: the mapping is not a valid distribution.
    """
    try:
        distribution = DISTRIBUTION.validate_python(spec)
    except ValidationError as error:
        raise ValueError(f"not a distribution: {spec!r}") from error
    return distribution.scipy()


def fit_durations(values: np.ndarray | list[float], label: str = "") -> Fit | None:
    """Fit complete observations; ``None`` when there are none.

    Candidates: fixed (every value equal), uniform, exponential, lognormal and gamma (the
    last two on positive values), by maximum likelihood, the lowest AIC kept. The CI is
    that of the sample mean (t interval), valid whatever the family.
    """
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    n = len(data)
    if n == 0:
        return None
    mean = float(data.mean())
    half = ci95_half_width(data) if n > 1 else 0.0
    ci = (mean - half, mean + half)
    observed = np.ones(n, dtype=bool)
    if data.max() - data.min() <= 1e-6 * max(1.0, abs(mean)):
        return Fit({"kind": "fixed", "value": _r(mean)}, mean, n, (mean, mean),
                   method="fixed (all equal)", values=data, observed=observed)
    candidates: list[tuple[float, dict[str, float | str]]] = []
    low, high = float(data.min()), float(data.max())
    candidates.append((4 + 2 * n * math.log(high - low),
                       {"kind": "uniform", "low": _r(low), "high": _r(high)}))
    if (data >= 0).all() and mean > 0:
        candidates.append((2 + 2 * (n * math.log(mean) + n),
                           {"kind": "exponential", "mean": _r(mean)}))
    if (data > 0).all() and n > 2:
        logs = np.log(data)
        mu, sigma = float(logs.mean()), float(logs.std())
        if sigma > 0:
            loglik = float(stats.lognorm.logpdf(data, sigma, scale=math.exp(mu)).sum())
            candidates.append((4 - 2 * loglik, _lognormal_spec(sigma, math.exp(mu))))
        shape, _, scale = stats.gamma.fit(data, floc=0)
        loglik = float(stats.gamma.logpdf(data, shape, scale=scale).sum())
        candidates.append((4 - 2 * loglik, _gamma_spec(shape, scale)))
    aic, spec = min(candidates, key=lambda item: item[0])
    return Fit(spec, _spec_mean(spec), n, ci,
               method=f"{spec['kind']} (lowest AIC of {len(candidates)}){label}",
               sample_mean=mean, values=data, observed=observed)


def fit_counts(counts: np.ndarray) -> Fit:
    """Counts (exchanges) as counts: the observed values with their frequencies.

    Written as an ``empirical`` distribution of the whole counts weighted by how often
    each was seen, so that the model's draws (rounded, at least 1) have the data's
    quantiles (a log-normal with the counts' mean and sd, drawn and rounded by the model,
    put their 90th percentile 11-14% low). One count seen every time is a fixed value.
    The CI is the sample mean's (t interval).
    """
    whole = np.rint(counts).astype(int)
    mean = float(whole.mean())
    n = len(whole)
    sd = float(whole.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n) if n > 1 else 0.0
    values, frequency = np.unique(whole, return_counts=True)
    spec: dict[str, Any] = (  # the weights: how many conversations had each count
        {"kind": "empirical", "values": [int(v) for v in values],
         "weights": [int(f) for f in frequency]}
        if len(values) > 1 else {"kind": "fixed", "value": float(values[0])}
    )
    method = (f"the counts' frequencies ({len(values)} values, 90th percentile "
              f"{float(np.quantile(whole, 0.9)):g})" if len(values) > 1 else "fixed (all equal)")
    return Fit(spec, mean, n, (mean - half, mean + half), method=method,
               values=whole.astype(float), observed=np.ones(n, dtype=bool))


def fit_censored(values: np.ndarray, observed: np.ndarray, label: str = "") -> Fit | None:
    """Fit right-censored durations by maximum likelihood; ``None`` without any event.

    Args:
        values: seconds; for a censored observation, the time it is known to exceed.
        observed: ``True`` where the value itself was seen (an abandonment), ``False``
            where it is censored (a customer answered after waiting that long).
        label: added to the comment.

    Candidates: exponential, lognormal and gamma on :class:`scipy.stats.CensoredData`,
    the lowest AIC kept; the CI of the mean is the delta method on the observed
    information (numerical Hessian of the log-likelihood).
    """
    times = np.asarray(values, dtype=float)
    events = np.asarray(observed, dtype=bool)
    keep = np.isfinite(times) & ((times > 0) | events)
    times, events = np.maximum(times[keep], 1e-3), events[keep]
    if not events.any():
        return None
    data = stats.CensoredData.right_censored(times, ~events)
    exact, censored = times[events], times[~events]

    def loglik(dist: stats.rv_continuous, *params: float) -> float:
        return float(dist.logpdf(exact, *params).sum() + dist.logsf(censored, *params).sum())

    fits: list[tuple[float, dict[str, float | str], Callable[[np.ndarray], float],
                     Callable[[np.ndarray], float], np.ndarray]] = []
    exposure = float(times.sum())
    scale = exposure / events.sum()
    fits.append((2 - 2 * loglik(stats.expon, 0, scale), {"kind": "exponential", "mean": _r(scale)},
                 lambda p: loglik(stats.expon, 0, math.exp(p[0])),
                 lambda p: math.exp(p[0]), np.array([math.log(scale)])))
    if events.sum() >= 3:
        sigma, _, lscale = stats.lognorm.fit(data, floc=0)
        fits.append((4 - 2 * loglik(stats.lognorm, sigma, 0, lscale),
                     _lognormal_spec(sigma, lscale),
                     lambda p: loglik(stats.lognorm, math.exp(p[0]), 0, math.exp(p[1])),
                     lambda p: math.exp(p[1] + math.exp(p[0]) ** 2 / 2),
                     np.log([sigma, lscale])))
        shape, _, gscale = stats.gamma.fit(data, floc=0)
        fits.append((4 - 2 * loglik(stats.gamma, shape, 0, gscale), _gamma_spec(shape, gscale),
                     lambda p: loglik(stats.gamma, math.exp(p[0]), 0, math.exp(p[1])),
                     lambda p: math.exp(p[0] + p[1]), np.log([shape, gscale])))
    _, spec, objective, mean_of, point = min(fits, key=lambda item: item[0])
    mean = _spec_mean(spec)
    half = Z95 * _delta_sd(objective, mean_of, point)
    return Fit(spec, mean, len(times), (mean - half, mean + half),
               censored=int((~events).sum()),
               method=f"{spec['kind']} on censored data (lowest AIC of {len(fits)}){label}",
               values=times, observed=events)


def kaplan_meier(values: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier survival curve: event times (s) and the share surviving past each."""
    data = stats.CensoredData.right_censored(
        np.asarray(values, dtype=float), ~np.asarray(observed, dtype=bool)
    )
    result = stats.ecdf(data)
    return result.sf.quantiles, result.sf.probabilities


def fit_share(successes: int, trials: int) -> tuple[float, tuple[float, float]]:
    """A share and its 95% Wilson interval (0 and (0, 0) without trials)."""
    if trials <= 0:
        return 0.0, (0.0, 0.0)
    result = stats.binomtest(successes, trials).proportion_ci(method="wilson")
    return successes / trials, (float(result.low), float(result.high))


def poisson_ci(count: int | np.ndarray, exposure: float | np.ndarray = 1.0
               ) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% interval of a Poisson mean from ``count`` events in ``exposure``."""
    counts = np.asarray(count, dtype=float)
    low = np.where(counts > 0, stats.chi2.ppf(0.025, 2 * counts) / 2, 0.0)
    high = stats.chi2.ppf(0.975, 2 * counts + 2) / 2
    return low / exposure, high / exposure


def _delta_sd(objective: Callable[[np.ndarray], float], mean_of: Callable[[np.ndarray], float],
              point: np.ndarray, step: float = 1e-3) -> float:
    """Standard deviation of ``mean_of`` at the maximum of the log-likelihood ``objective``."""
    size = len(point)
    hessian = np.zeros((size, size))
    base = objective(point)
    for i in range(size):
        for j in range(i, size):
            e_i, e_j = np.eye(size)[i] * step, np.eye(size)[j] * step
            if i == j:
                value = (objective(point + e_i) - 2 * base + objective(point - e_i)) / step**2
            else:
                value = (objective(point + e_i + e_j) - objective(point + e_i - e_j)
                         - objective(point - e_i + e_j) + objective(point - e_i - e_j)) / (
                    4 * step**2)
            hessian[i, j] = hessian[j, i] = value
    try:
        covariance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return math.nan
    gradient = np.array([
        (mean_of(point + np.eye(size)[i] * step) - mean_of(point - np.eye(size)[i] * step))
        / (2 * step)
        for i in range(size)
    ])
    variance = float(gradient @ covariance @ gradient)
    return math.sqrt(variance) if variance > 0 else math.nan


def _lognormal_spec(sigma: float, scale: float) -> dict[str, float | str]:
    mean = scale * math.exp(sigma**2 / 2)
    return {"kind": "lognormal", "mean": _r(mean), "sd": _r(mean * math.sqrt(math.expm1(sigma**2)))}


def _gamma_spec(shape: float, scale: float) -> dict[str, float | str]:
    return {"kind": "gamma", "mean": _r(shape * scale), "sd": _r(math.sqrt(shape) * scale)}


def _spec_mean(spec: dict[str, float | str]) -> float:
    return float(DISTRIBUTION.validate_python(spec).expected())


def _r(value: float) -> float:
    """Four significant digits: what a YAML file needs, and stable to read."""
    return float(f"{value:.4g}")


def _g(value: float) -> str:
    return "nan" if not math.isfinite(value) else f"{value:.4g}"
