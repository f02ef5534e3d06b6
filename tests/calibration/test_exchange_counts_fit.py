"""Exchanges fitted as counts: the model's draws keep the data's quantiles.

The counts come from a known count distribution (one exchange plus a geometric number of
further ones, a long tail as real conversations have). The fitted distribution is drawn
and rounded as the model draws it (``max(1, round(x))``, sim.model.runtime); its 90th and
95th percentiles must lie inside the distribution-free 95% CI of the data's percentile (order
statistics), as must the true percentile. A log-normal with the counts' mean and sd (the
fit before) puts them a whole count below the truth (10 for 11, 13 for 14): the test tells
the two apart.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.calibration.distributions import DISTRIBUTION, fit_counts
from sim.scenario.schema import LogNormal

SUCCESS = 0.2
"""Geometric further exchanges: 1 + NB(1, 0.2), mean 5, p90 11, p95 14."""


def model_draws(spec: object, size: int = 200_000) -> np.ndarray:
    """Exchanges as the model makes them: draws rounded, at least 1."""
    distribution = DISTRIBUTION.validate_python(spec)
    return np.maximum(1, np.rint(distribution.draw(np.random.default_rng(11), size)))


def quantile_ci(data: np.ndarray, level: float) -> tuple[float, float]:
    """Distribution-free 95% CI of the ``level`` quantile: two order statistics."""
    ordered = np.sort(data)
    n = len(ordered)
    low = int(stats.binom.ppf(0.025, n, level))
    high = int(stats.binom.ppf(0.975, n, level))
    return float(ordered[max(low - 1, 0)]), float(ordered[min(high, n - 1)])


@pytest.mark.parametrize("level", [0.9, 0.95])
def test_fitted_count_distribution_keeps_the_upper_percentiles(level: float) -> None:
    data = 1 + np.random.default_rng(2026).negative_binomial(1, SUCCESS, 3000).astype(float)
    truth = 1 + float(stats.nbinom.ppf(level, 1, SUCCESS))
    low, high = quantile_ci(data, level)
    assert low <= truth <= high  # the CI is a fair yardstick for this sample

    fit = fit_counts(data)
    assert fit.kind == "empirical"
    assert fit.mean == pytest.approx(data.mean())
    fitted = float(np.quantile(model_draws(fit.spec), level))
    assert low <= fitted <= high

    before = LogNormal(kind="lognormal", mean=float(data.mean()), sd=float(data.std(ddof=1)))
    assert float(np.quantile(model_draws(before.model_dump()), level)) < truth


def test_one_count_seen_every_time_is_a_fixed_value() -> None:
    fit = fit_counts(np.full(40, 3.0))
    assert fit.spec == {"kind": "fixed", "value": 3.0}
    assert fit.ci == (3.0, 3.0)


def test_counts_written_as_whole_values_with_their_frequencies() -> None:
    fit = fit_counts(np.array([1, 2, 2, 3, 3, 3, 7.0]))
    assert fit.spec == {"kind": "empirical", "values": [1, 2, 3, 7], "weights": [1, 2, 3, 1]}
    assert "90th percentile" in fit.comment("exchanges")
