"""The export's clock: from UTC timestamps to seconds from the scenario start, and intervals.

The calibrated scenario starts at midnight (UTC, or a given zone) of the export's first day
and runs to the end of the interval of its last observation; every observed time becomes
seconds from that start, as inside the model.
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

    The horizon ends with the interval of the export's last observation. Intervals count
    elapsed time from the start (a day with a daylight-saving change keeps 24 h of them).

    Attributes:
        start: midnight of the first day with an observation, in ``zone`` (or a given
            start).
        interval_s: reporting interval (seconds).
        horizon_s: whole intervals up to the last observation (seconds).
        zone: the time zone of the intervals' clock times (an IANA name or ``UTC``).
    """

    start: pd.Timestamp
    interval_s: float
    horizon_s: float
    zone: str = "UTC"

    @classmethod
    def spanning(cls, times: list[pd.Series], interval_s: float, zone: str = "UTC",
                 start: pd.Timestamp | None = None) -> ExportClock:
        """The clock covering every timestamp of ``times`` (UTC), intervals in ``zone``.

        Args:
            times: the export's date-times (UTC).
            interval_s: reporting interval (seconds).
            zone: IANA time zone of the clock (``Europe/Paris``); ``UTC`` by default.
            start: the start (a scenario's), instead of the first day's midnight.

        Raises:
            ValueError: for an unknown zone or no date-time at all.
        """
        values = pd.concat([series.dropna() for series in times])
        if values.empty:
            raise ValueError("the export has no date-times to place on a clock")
        try:
            local = values.dt.tz_convert(zone)
        except Exception:  # pytz/zoneinfo raise several types for an unknown name
            raise ValueError(f"--time-zone: unknown time zone {zone!r}; expected an IANA "
                             "name such as Europe/Paris, or UTC") from None
        first = start if start is not None else local.min().floor("D")
        span_s = (values.max() - first).total_seconds()
        intervals = max(1, math.floor(span_s / interval_s + 1e-9) + 1)
        return cls(start=first, interval_s=interval_s, horizon_s=intervals * interval_s,
                   zone=zone)

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

    @property
    def start_of_day_s(self) -> float:
        """The start's time of day (seconds after its midnight, in the zone)."""
        local = self.start.tz_convert(self.zone)
        return float((local - local.floor("D")).total_seconds())

    def slot_of_interval(self) -> np.ndarray:
        """The interval of the day (0 from midnight) of every interval of the horizon."""
        offset = int(round(self.start_of_day_s / self.interval_s))
        return (np.arange(self.n_intervals) + offset) % self.intervals_per_day

    def weekday_of_interval(self) -> np.ndarray:
        """The weekday (0 = Monday) of every interval of the horizon."""
        elapsed = self.start_of_day_s + np.arange(self.n_intervals) * self.interval_s
        day = (elapsed // DAY_S).astype(int)
        return (self.start.tz_convert(self.zone).day_of_week + day) % 7

    def scenario_clock(self) -> Clock:
        """The scenario's clock, from :attr:`start_text`."""
        return clock_of(self.start_text)

    @property
    def start_text(self) -> str:
        """The start as a scenario writes it (``2026-03-02 00:00 Europe/Paris``)."""
        return f"{self.start.tz_convert(self.zone):%Y-%m-%d %H:%M} {self.zone}"
