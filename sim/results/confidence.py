"""Student-t 95% confidence half-widths of means: the one place the t quantile is taken.

:func:`t_half_width` is the formula, ``t(0.975, n-1) * sd / sqrt(n)``, element-wise;
:func:`ci95_half_width` applies it to one sample (replications of a figure, observed
values), :func:`pooled_ci95` to stacked replications of a table of measures, cell by cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

T_QUANTILE = 0.975
"""The t quantile taken: that of a two-sided 95% interval."""


def t_half_width(sd: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Half-width of the 95% CI of a mean, element-wise: ``t(0.975, n-1) * sd / sqrt(n)``.

    Args:
        sd: sample standard deviations (ddof 1), in the unit of the values.
        count: how many values each standard deviation is of.

    Returns:
        The half-widths, in the unit of ``sd``; NaN where ``count`` is below 2.
    """
    from scipy import stats  # slow to import; only needed once there is something to sum up

    count = np.asarray(count)
    t = stats.t.ppf(T_QUANTILE, np.maximum(count - 1, 1))
    half = t * np.asarray(sd, dtype=float) / np.sqrt(np.maximum(count, 1))
    return np.where(count > 1, half, math.nan)


def ci95_half_width(values: Sequence[float] | np.ndarray) -> float:
    """Half-width of the 95% confidence interval of a mean (t distribution, n-1 dof).

    Args:
        values: one value per replication (or observation); NaN values are left out.

    Returns:
        ``t(0.975, n-1) * sd / sqrt(n)``, or NaN when fewer than two values.
    """
    clean = np.asarray(values, dtype=float)
    clean = clean[~np.isnan(clean)]
    n = len(clean)
    if n < 2:
        return math.nan
    return float(t_half_width(np.asarray(clean.std(ddof=1)), np.asarray(n)))


def pooled_ci95(stacked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and 95% CI half-width of every cell over replications (the first axis).

    NaN cells (no value in that replication) are left out of their cell. A cell with a
    single value, or with an infinite mean (e.g. no response came at all), has half-width 0.

    Args:
        stacked: ``[replication, ...]`` values.

    Returns:
        ``(mean, half)``, each shaped like one replication; the mean is NaN where no
        replication had a value.
    """
    valid = ~np.isnan(stacked)
    count = valid.sum(axis=0)
    total = np.where(valid, stacked, 0.0).sum(axis=0)
    mean = np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)
    finite = np.isfinite(mean)
    deviation = np.where(valid & finite, stacked - np.where(finite, mean, 0.0), 0.0)
    squares = (deviation**2).sum(axis=0)
    sd = np.sqrt(np.divide(squares, count - 1, out=np.zeros(total.shape), where=count > 1))
    half = np.where((count > 1) & finite, t_half_width(sd, count), 0.0)
    return mean, half
