"""A forecast, not a replay: ``ccsim calibrate --for-week`` and the held-out week.

The forecast is judged on weeks whose truth is known: eight weeks of arrivals drawn from a
weekly pattern with a trend and day-to-day noise (tests/forecast_helpers.py), the last held
out. It must beat the replays a scenario without a forecast would make (each weekday's mean
over the history; last week's day) and its 95% interval must hold the held-out days at a
rate consistent with 95% for the days tried. The command line is run on an eight-week
export of the simulated desk, as docs/calibration.md shows it, and on bad input.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chart_rules import chart_problems, legend_overlaps
from cli_helpers import one_error_line
from forecast_helpers import SHAPE, day_factors, export_weeks, weekly_desk
from scipy import stats

from sim.calibration.arrivals import fit_arrivals
from sim.calibration.forecast import forecast_days
from sim.calibration.target_week import ChannelForecast
from sim.calibration.timeline import ExportClock
from sim.cli.main import main
from sim.reports.calibration_charts import forecast_chart
from sim.scenario.arrival_rates import interval_rates_per_second
from sim.scenario.loading import load_scenario

pytestmark = pytest.mark.slow  # multi-week exports calibrated and forecast

MONDAY = pd.Timestamp("2026-10-19", tz="UTC")
PEAK = 20.0
"""Sessions in a Monday-like weekday's busiest interval (about 300 sessions that day)."""

TRIALS = 16
"""Held-out weeks tried (112 days)."""


def held_out_week(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven weeks' fitted day volumes and the eighth week's actual sessions per day."""
    rng = np.random.default_rng(seed)
    rates = np.concatenate([SHAPE * PEAK * factor for factor in day_factors(8, seed)])
    counts = rng.poisson(rates)
    history = counts[: 49 * 48]
    times = np.concatenate([index * 1800.0 + rng.uniform(0, 1800, count)
                            for index, count in enumerate(history)])
    clock = ExportClock(start=MONDAY, interval_s=1800.0, horizon_s=49 * 86400.0)
    fit = fit_arrivals(times, clock)
    actual = counts[49 * 48:].reshape(7, 48).sum(axis=1).astype(float)
    return fit.day_volumes[fit.whole_days()], actual


def test_the_forecast_beats_the_replays_and_its_interval_holds_the_held_out_days() -> None:
    forecast_error, pooled_error, last_week_error, inside, width = [], [], [], [], []
    for seed in range(TRIALS):
        history, actual = held_out_week(100 + seed)
        forecast = forecast_days(history, 7)
        forecast_error.append(np.mean(np.abs(forecast.mean - actual) / actual))
        weekday_means = history.reshape(7, 7).mean(axis=0)
        pooled_error.append(np.mean(np.abs(weekday_means - actual) / actual))
        last_week_error.append(np.mean(np.abs(history[-7:] - actual) / actual))
        inside.extend((actual >= forecast.low) & (actual <= forecast.high))
        width.extend((forecast.high - forecast.low) / forecast.mean)
    # Measured: forecast 7.5%, weekday means 10.6%, last week 9.3% (median over weeks).
    assert np.median(forecast_error) < 0.85 * np.median(pooled_error)
    assert np.median(forecast_error) < 0.85 * np.median(last_week_error)
    assert np.mean(np.less(forecast_error, pooled_error)) >= 0.6
    # 95% of 112 days: a miss count outside the binomial's central 99% fails (8 missed).
    misses = len(inside) - int(np.sum(inside))
    low, high = stats.binom.ppf([0.005, 0.995], len(inside), 0.05)
    assert low <= misses <= high, (misses, len(inside))
    # Not by being wide: a day's sd is 7-11% of its volume, the interval about 4 sd.
    assert float(np.median(width)) < 0.5


def test_forecast_chart_has_its_labels_and_a_legend_over_no_data() -> None:
    history, actual = held_out_week(7)
    item = ChannelForecast("web_chat", "inbound", pd.date_range(MONDAY, periods=49),
                           pd.date_range("2026-12-07", periods=7, tz="UTC"),
                           forecast_days(history, 7))
    figure = forecast_chart([item], "UTC", {("web_chat", "inbound"): actual})
    assert chart_problems(figure) == [] and legend_overlaps(figure) == []
    (ax,) = figure.axes
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "observed (fitted day volume)", "95% prediction interval", "forecast",
        "held-out actual"]
    assert ax.get_xticklabels()[0].get_text().startswith("Mon ")


def test_too_little_history_is_refused() -> None:
    with pytest.raises(ValueError, match="needs at least 14"):
        forecast_days(np.full(13, 100.0), 7)


# ------------------------------------------------------------------- the command line
@pytest.fixture(scope="module")
def eight_weeks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The weekly desk's export: eight weeks, Monday 2026-10-19 to Sunday 2026-12-13."""
    folder = tmp_path_factory.mktemp("weeks") / "weeks-export"
    export_weeks(folder, weekly_desk(8))
    return folder


def test_readme_for_week_example(eight_weeks: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("weeks-export").symlink_to(eight_weeks)
    # docs/calibration.md, run as it is written there:
    page = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"
    readme = page.read_text(encoding="utf-8")
    (line,) = [text.strip() for text in readme.splitlines()
               if text.strip().startswith("ccsim calibrate weeks-export --for-week")]
    words = shlex.split(line)
    assert words[:4] == ["ccsim", "calibrate", "weeks-export", "--for-week"]
    assert main(words[1:]) == 0
    printed = capsys.readouterr().out
    assert "forecast.png" in printed and "forecast for the week from 2026-12-14" in printed
    assert (tmp_path / "out" / "forecast" / "forecast.png").stat().st_size > 10_000
    scenario = load_scenario(tmp_path / "next_week.yaml")
    assert scenario.clock.origin is not None
    assert str(scenario.clock.origin)[:10] == "2026-12-14" and scenario.horizon == 7 * 86400
    scale = scenario.arrival_scale
    assert not isinstance(scale, (int, float))
    assert scale.kind == "lognormal" and scale.expected() == pytest.approx(1.0)
    assert 0 < scale.sd < 0.3
    # The week's arrivals: a Monday above a Sunday as the pattern has it, ~1.2 / 0.35.
    _, rates = interval_rates_per_second(scenario.channels[0].arrivals, 1800.0,
                                         scenario.horizon)
    days = (rates * 1800.0).reshape(7, 48).sum(axis=1)
    truth = SHAPE.sum() * 16.0 * np.asarray([1.2, 1.05, 1.0, 1.0, 0.95, 0.5, 0.35]) * 1.22
    assert days == pytest.approx(truth, rel=0.2)
    # The last observed week's staffing, by weekday and time: 6 agents 08:00-18:00.
    staffing = scenario.agent_groups[0].staffing
    assert staffing == ([0] * 16 + [6] * 20 + [0] * 12) * 7


@pytest.mark.parametrize(("week", "expected"), [
    ("2026-12-10", "--for-week 2026-12-10: the export's data run to 2026-12-13"),
    ("next monday", "--for-week 'next monday': expected a date such as 2026-12-14"),
    ("2026-12-14 08:00", "expected a date such as 2026-12-14"),
])
def test_bad_weeks_get_one_line_and_nothing_written(
        eight_weeks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], week: str,
        expected: str) -> None:
    out = tmp_path / "week.yaml"
    code = main(["calibrate", str(eight_weeks), "--for-week", week, "--out", str(out)])
    assert expected in one_error_line(code, capsys.readouterr().err)
    assert not out.exists()


def test_one_week_of_history_is_refused_for_a_forecast_and_said_without(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "one-week"
    export_weeks(folder, weekly_desk(1))
    out = tmp_path / "week.yaml"
    code = main(["calibrate", str(folder), "--for-week", "2026-10-26", "--out", str(out)])
    line = one_error_line(code, capsys.readouterr().err)
    assert "holds 7 whole days of web_chat inbound sessions" in line
    assert "needs at least 14 (two weeks)" in line and "without --for-week" in line
    assert not out.exists()
    assert main(["calibrate", str(folder), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert ("arrivals: one intraday shape pooled over all days times each weekday's mean day "
            "volume") in printed
    assert "needs 14 whole days, the export has 7" in printed
