"""The export's clock: from UTC timestamps to seconds from the scenario start, and intervals.

The calibrated scenario starts at midnight (UTC) of the export's first day and runs for
whole days; every observed time becomes seconds from that start, as inside the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.scenario.clock import Clock, clock_of

DAY_S = 86400.0
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class ExportClock:
    """Start, interval and horizon of the calibrated scenario.

    The horizon ends with the interval of the export's last observation.

    Attributes:
        start: midnight UTC of the first day with an observation.
        interval_s: reporting interval (seconds).
        horizon_s: whole intervals up to the last observation (seconds).
    """

    start: pd.Timestamp
    interval_s: float
    horizon_s: float

    @classmethod
    def spanning(cls, times: list[pd.Series], interval_s: float) -> ExportClock:
        """The clock covering every timestamp of ``times`` in whole days."""
        values = pd.concat([series.dropna() for series in times])
        if values.empty:
            raise ValueError("the export has no date-times to place on a clock")
        start = values.min().floor("D")
        span_s = (values.max() - start).total_seconds()
        intervals = max(1, math.floor(span_s / interval_s + 1e-9) + 1)
        return cls(start=start, interval_s=interval_s, horizon_s=intervals * interval_s)

    @property
    def n_intervals(self) -> int:
        """Reporting intervals in the horizon."""
        return int(math.ceil(self.horizon_s / self.interval_s - 1e-9))

    @property
    def intervals_per_day(self) -> int:
        """Reporting intervals in a day (the interval divides a day)."""
        return int(round(DAY_S / self.interval_s))

    @property
    def days(self) -> int:
        """Days the horizon reaches into (the last may be partial)."""
        return int(math.ceil(self.horizon_s / DAY_S - 1e-9))

    def seconds(self, times: pd.Series) -> np.ndarray:
        """Seconds from the start (NaN where the time is missing)."""
        delta = times - self.start
        return delta.dt.total_seconds().to_numpy(dtype=float)

    def interval_of(self, seconds: np.ndarray) -> np.ndarray:
        """The interval index of each time (seconds), clipped to the horizon."""
        index = np.floor(np.asarray(seconds, dtype=float) / self.interval_s)
        return np.clip(np.nan_to_num(index, nan=-1), -1, self.n_intervals - 1).astype(int)

    def weekday_of_interval(self) -> np.ndarray:
        """The weekday (0 = Monday) of every interval of the horizon."""
        day = (np.arange(self.n_intervals) * self.interval_s // DAY_S).astype(int)
        return (self.start.day_of_week + day) % 7

    def clock_labels(self) -> list[str]:
        """``Mon 08:30`` for every interval of the horizon."""
        labels = []
        for index, weekday in enumerate(self.weekday_of_interval()):
            seconds = (index * self.interval_s) % DAY_S
            labels.append(f"{WEEKDAYS[weekday]} {int(seconds // 3600):02d}:"
                          f"{int(seconds % 3600 // 60):02d}")
        return labels

    def scenario_clock(self) -> Clock:
        """The scenario's clock: the start written as ``YYYY-MM-DD 00:00 UTC``."""
        return clock_of(self.start_text)

    @property
    def start_text(self) -> str:
        """The start as a scenario writes it."""
        return f"{self.start:%Y-%m-%d %H:%M} UTC"
