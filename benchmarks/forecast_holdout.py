"""The week forecast against a held-out week: per-day error, interval coverage and a chart.

Simulates the weekly desk of ``tests/forecast_helpers.py`` (a known weekly pattern, a trend
of 0.4% a day and 5% day-to-day noise) for eight weeks from Monday 2026-10-19 and exports
it; the export's last week (from 2026-12-07) is held out: the first seven weeks are
calibrated with ``--for-week 2026-12-07`` (the Python API of ``ccsim calibrate``) and the
forecast is compared, day by day, with the sessions the held-out week had, and with the
replays a calibration without a forecast would make (each weekday's mean over the history;
the last week's day). Prints the table and writes the chart::

    .venv/bin/python benchmarks/forecast_holdout.py [--out out/forecast_holdout.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from forecast_helpers import export_weeks, weekly_desk  # noqa: E402

from sim.calibration.center import calibrate  # noqa: E402
from sim.reports.calibration_charts import forecast_chart  # noqa: E402
from sim.salesforce.read import read_export  # noqa: E402

HELD_OUT = pd.Timestamp("2026-12-07", tz="UTC")
"""The first day of the week held out (a Monday)."""

TIME_COLUMNS = {"MessagingSession.csv": "StartTime", "AgentWork.csv": "RequestDateTime",
                "UserServicePresence.csv": "StatusStartDate",
                "ConversationEntry.csv": "EntryTime"}
"""The column that places each row of a file in time (rows from HELD_OUT on are cut)."""


def history_export(full: Path, history: Path) -> pd.DataFrame:
    """Copy ``full`` into ``history`` without its rows from :data:`HELD_OUT` on.

    Returns the held-out week's sessions (the MessagingSession rows cut).
    """
    history.mkdir(parents=True)
    held_out = pd.DataFrame()
    for path in sorted(full.glob("*.csv")):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        column = TIME_COLUMNS.get(path.name)
        if column is not None:
            times = pd.to_datetime(table[column], utc=True, format="ISO8601")
            if path.name == "MessagingSession.csv":
                held_out = table[times >= HELD_OUT].assign(start=times[times >= HELD_OUT])
            table = table[times < HELD_OUT]
        table.to_csv(history / path.name, index=False)
    return held_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out/forecast_holdout.png"))
    args = parser.parse_args()
    started = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        full, history = Path(folder) / "full", Path(folder) / "history"
        export_weeks(full, weekly_desk(8))
        held_out = history_export(full, history)
        simulated = time.process_time()
        calibration = calibrate(read_export(history), for_week=HELD_OUT)
    fitted = time.process_time()
    item = calibration.forecasts[0]
    forecast = item.forecast
    actual = (held_out["start"].dt.floor("D").value_counts()
              .reindex(item.forecast_days, fill_value=0).to_numpy(dtype=float))
    weekday_means = forecast.history[-49:].reshape(7, 7).mean(axis=0)
    last_week = forecast.history[-7:]
    inside = (actual >= forecast.low) & (actual <= forecast.high)
    print(f"forecast of the week from {HELD_OUT:%Y-%m-%d} from {len(forecast.history)} days "
          f"({forecast.method})")
    print(f"{'day':<12} {'actual':>7} {'forecast':>9} {'95% interval':>15} {'error':>7} "
          f"{'inside':>7} {'weekday mean':>13} {'last week':>10}")
    for index, day in enumerate(item.forecast_days):
        print(f"{day:%a %Y-%m-%d} {actual[index]:>5.0f} {forecast.mean[index]:>9.0f} "
              f"{forecast.low[index]:>7.0f}-{forecast.high[index]:<7.0f} "
              f"{(forecast.mean[index] - actual[index]) / actual[index]:>+7.1%} "
              f"{'yes' if inside[index] else 'NO':>7} {weekday_means[index]:>13.0f} "
              f"{last_week[index]:>10.0f}")

    def mape(values: np.ndarray) -> float:
        return float(np.mean(np.abs(values - actual) / actual))

    print(f"mean absolute error per day: forecast {mape(forecast.mean):.1%}, each weekday's "
          f"mean {mape(weekday_means):.1%}, last week {mape(last_week):.1%}; "
          f"{int(inside.sum())} of 7 days inside the 95% interval; arrival_scale "
          f"{calibration.values.get('arrival_scale')}")
    print(f"CPU: simulate and export {simulated - started:.1f} s, calibrate and forecast "
          f"{fitted - simulated:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    forecast_chart(calibration.forecasts, "UTC",
                   {(item.channel, item.direction): actual}).savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
