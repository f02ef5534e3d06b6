"""Backtest: the calibrated center, run with the observed staffing, against its export.

The observed measures are those the simulation computes (checked exactly against the
exported run's own interval table); the calibrated scenario puts the observed service
level inside its simulated 95% band in at least 90% of the intervals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_helpers import TRUTH, export_truth

from sim.calibration.backtest import (
    LEVEL_COLUMNS,
    Backtest,
    backtest,
    band_coverage,
    observed_staffing,
    prediction_band,
)
from sim.calibration.center import Calibration, calibrate
from sim.calibration.observed import observed_intervals
from sim.cli.main import main
from sim.model.tables import Result
from sim.salesforce.read import read_export
from sim.scenario.loading import load_scenario

REPLICATIONS = 39


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    folder = tmp_path_factory.mktemp("export")
    return folder, export_truth(folder)


@pytest.fixture(scope="module")
def calibration(exported: tuple[Path, Result]) -> Calibration:
    return calibrate(read_export(exported[0]))


@pytest.fixture(scope="module")
def result(calibration: Calibration) -> Backtest:
    assert calibration.scenario is not None
    return backtest(calibration.scenario, calibration, replications=REPLICATIONS)


@pytest.mark.slow
def test_observed_measures_are_the_simulations_own(calibration: Calibration,
                                                   exported: tuple[Path, Result]) -> None:
    observed = observed_intervals(calibration.sessions, calibration.work,
                                  calibration.periods, calibration.clock,
                                  TRUTH.service_level.threshold)
    truth = exported[1].intervals
    truth = truth[truth["channel"] == "all"].set_index("interval").reindex(
        observed["interval"])
    np.testing.assert_array_equal(observed["offered"], truth["offered"])
    np.testing.assert_allclose(observed["service_level"], truth["service_level"],
                               equal_nan=True)
    # Date-times are exported to the millisecond: waits agree to about a millisecond.
    np.testing.assert_allclose(observed["asa_s"], truth["asa_s"], atol=2e-3, equal_nan=True)
    abandoned = truth["abandoned"] / truth["offered"].where(truth["offered"] > 0)
    np.testing.assert_allclose(observed["abandonment_rate"], abandoned, equal_nan=True)


@pytest.mark.slow
def test_observed_staffing_replaces_the_schedule(calibration: Calibration) -> None:
    changed, notes = observed_staffing(TRUTH.derive({"agent_groups[0].staffing": None,
                                                     "agent_groups[0].agents": 3}),
                                       calibration)
    assert changed.agent_groups[0].staffing == calibration.values["agent_groups"][0][
        "staffing"]
    assert notes[-1] == "agent group 'chat_agents': observed staffing of 9 users"


@pytest.mark.slow
def test_service_level_inside_the_band_in_nine_intervals_of_ten(result: Backtest) -> None:
    summary = result.summary
    assert list(summary.index) == ["offered", "service_level", "asa_s", "abandonment_rate",
                                   "occupancy", "handle_time_s"]
    assert summary.loc["service_level", "intervals"] >= 30
    assert summary.loc["service_level", "inside_share"] >= 0.90
    assert result.replications == REPLICATIONS


def test_prediction_band_from_order_statistics() -> None:
    values = np.arange(1.0, 40.0)  # 39 replications: their range
    assert prediction_band(values) == (1.0, 39.0)
    assert prediction_band(np.arange(1.0, 80.0)) == (2.0, 78.0)  # k = 2 of 79
    assert prediction_band(np.array([3.0, np.nan, 1.0])) == (1.0, 3.0)
    assert all(math.isnan(v) for v in prediction_band(np.array([np.nan])))


def test_band_coverage_is_what_the_order_statistics_hold() -> None:
    # (R + 1 - 2k) / (R + 1): the range of 39 holds a 40th run 38/40 = 95% of the time,
    # the range of 5 only 4/6; k = 2 of 79: 76/80.
    assert band_coverage(39) == 38 / 40
    assert band_coverage(5) == 4 / 6
    assert band_coverage(79) == 76 / 80
    # Against draws: one more uniform run falls inside the range of 5 in about 2/3 of trials.
    rng = np.random.default_rng(7)
    runs = rng.uniform(size=(20_000, 6))
    low, high = runs[:, :5].min(axis=1), runs[:, :5].max(axis=1)
    inside = np.mean((runs[:, 5] >= low) & (runs[:, 5] <= high))
    assert abs(inside - band_coverage(5)) < 0.015


@pytest.mark.slow
def test_summary_figures_follow_from_the_table(result: Backtest) -> None:
    for measure, rows in result.table.groupby("measure"):
        both = rows.dropna(subset=["observed", "sim_mean"])
        assert result.summary.loc[measure, "mae"] == pytest.approx(
            (both["observed"] - both["sim_mean"]).abs().mean())
        banded = rows.dropna(subset=["observed", "sim_low"])
        inside = (banded["observed"] >= banded["sim_low"] - 1e-9) & (
            banded["observed"] <= banded["sim_high"] + 1e-9)
        assert result.summary.loc[measure, "inside_share"] == pytest.approx(inside.mean())
        assert (rows["sim_low"] <= rows["sim_mean"] + 1e-9).all() or rows["sim_low"].isna(
        ).any()


@pytest.mark.slow
def test_cli_backtest_writes_its_reports(exported: tuple[Path, Result], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "center.yaml"
    assert main(["calibrate", str(exported[0]), "--out", str(scenario), "-q"]) == 0
    out = tmp_path / "bt"
    code = main(["backtest", str(exported[0]), str(scenario), "-r", "3", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["backtest.csv", "backtest_summary.csv", "backtest.json", "backtest.png"])
    document = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    assert document["replications"] == 3
    assert set(document["summary"]) == {"offered", "service_level", "asa_s",
                                        "abandonment_rate", "occupancy", "handle_time_s"}
    table = pd.read_csv(out / "backtest.csv")
    assert set(table["measure"]) == set(document["summary"])
    assert "service_level" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_backtest_needs_two_replications(exported: tuple[Path, Result], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "center.yaml"
    assert main(["calibrate", str(exported[0]), "--out", str(scenario), "-q"]) == 0
    code = main(["backtest", str(exported[0]), str(scenario), "-r", "1",
                 "--out", str(tmp_path / "bt")])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "ccsim: error: --replications must be at least 2 for a band")
    assert not (tmp_path / "bt").exists()


@pytest.mark.slow
def test_cli_backtest_and_calibrate_write_reports_to_share(
        exported: tuple[Path, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "center.yaml"
    assert main(["calibrate", str(exported[0]), "--out", str(scenario), "-q", "--xlsx"]) == 0
    calibrated = tmp_path / "out" / f"{exported[0].name}-calibration"  # the default folder
    assert {"report.xlsx", "calibration_fits.png"} <= {p.name for p in calibrated.iterdir()}
    answer = load_workbook(calibrated / "report.xlsx")["answer"]["A2"].value
    assert answer.startswith(f"calibration of {exported[0]}: ") and answer.endswith(
        f"scenario written to {scenario}")
    out = tmp_path / "bt"
    code = main(["backtest", str(exported[0]), str(scenario), "-r", "3", "--out", str(out),
                 "--xlsx", "--html"])
    assert code in (0, 3), capsys.readouterr().err  # 3: a measure off (a narrow band of 3)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("backtest: ") and "inside the simulated 95% band" in printed[0]
    assert {p.name for p in out.iterdir()} == {
        "backtest.csv", "backtest_summary.csv", "backtest.json", "backtest.png",
        "report.xlsx", "report.html"}
    book = load_workbook(out / "report.xlsx")
    assert book.sheetnames == ["answer", "summary", "intervals", "settings"]
    assert book["answer"]["A2"].value == printed[0]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<figure>") == 1 and printed[0] in page
    summary = pd.read_excel(out / "report.xlsx", sheet_name="summary")
    assert summary["figure"].tolist() == list(dict.fromkeys(pd.read_csv(
        out / "backtest_summary.csv")["measure"]))


@pytest.mark.slow
def test_levels_follow_from_the_table(result: Backtest) -> None:
    assert result.levels is not None
    days = sorted(set(result.levels["level"]) - {"horizon"})
    assert days == ["2026-03-02", "2026-03-03"]
    for measure, rows in result.table.groupby("measure"):
        levels = result.levels[result.levels["measure"] == measure].set_index("level")
        horizon = levels.loc["horizon"]
        assert horizon["mae"] == pytest.approx(result.summary.loc[measure, "mae"])
        defined = rows["observed"].notna()
        assert horizon["observed"] == pytest.approx(rows.loc[defined, "observed"].mean())
        assert horizon["bias_low"] <= horizon["bias"] <= horizon["bias_high"]
        first_day = rows["start_s"] < 86400
        assert levels.loc["2026-03-02", "observed"] == pytest.approx(
            rows.loc[defined & first_day, "observed"].mean())
        assert horizon["verdict"] == result.summary.loc[measure, "verdict"]


@pytest.mark.slow
def test_the_calibrated_center_passes_and_a_twenty_percent_error_fails(
        calibration: Calibration, result: Backtest) -> None:
    # The calibrated center: every measure's horizon figure is a likely run of the model.
    assert result.failed == []
    assert result.levels is not None
    horizon = result.levels[result.levels["level"] == "horizon"].set_index("measure")
    assert (horizon["relative_bias"].abs() < 0.10).all()
    # The same center with agents replying 20% slower: most intervals still inside their
    # band, but ASA and abandonment are clearly off over the horizon.
    assert calibration.scenario is not None
    reply = calibration.scenario.agent_groups[0].behaviour.reply_time
    slower = calibration.scenario.derive(
        {"agent_groups[0].behaviour.reply_time.mean": reply.mean * 1.2}, source="20% off")
    off = backtest(slower, calibration, replications=REPLICATIONS)
    assert off.summary.loc["asa_s", "inside_share"] >= 0.85
    assert {"asa_s", "abandonment_rate"} <= set(off.failed)
    assert off.summary.loc["asa_s", "relative_bias"] > 0.10
    assert off.summary.loc["asa_s", "bias_low"] > 0


@pytest.mark.slow
def test_cli_backtest_of_a_center_clearly_off_exits_3(
        exported: tuple[Path, Result], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "center.yaml"
    assert main(["calibrate", str(exported[0]), "--out", str(scenario), "-q"]) == 0
    text = scenario.read_text(encoding="utf-8")
    # Patience halved: far more abandonment than the export's.
    patience = load_scenario(scenario).channels[0].customers.patience
    assert patience is not None
    text = text.replace(f"mean: {patience.mean:.10g}", f"mean: {patience.mean / 2:.10g}", 1)
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "bt"
    assert main(["backtest", str(exported[0]), str(scenario), "-r", "19", "--out",
                 str(out)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("backtest failed: ") and "abandonment_rate" in err
    summary = pd.read_csv(out / "backtest_summary.csv")
    assert list(summary.columns) == list(LEVEL_COLUMNS)
    assert set(summary["level"]) == {"horizon", "2026-03-02", "2026-03-03"}
    failed = summary[(summary["level"] == "horizon") & (summary["verdict"] == "fail")]
    document = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    assert document["verdict"] == "fail"
    assert document["failed_measures"] == failed["measure"].tolist()


@pytest.mark.slow
def test_backtest_chart_follows_the_chart_rules_and_shows_the_verdict(
        result: Backtest, calibration: Calibration) -> None:
    from chart_rules import chart_problems, clock_tick_labels

    from sim.reports.backtest_charts import backtest_chart

    assert calibration.scenario is not None
    figure = backtest_chart(result, calibration.scenario.clock)
    assert chart_problems(figure) == []
    assert "passed" in figure.get_suptitle()
    assert clock_tick_labels(figure)[0].startswith("Mon 00:00")
    bias = figure.axes[-1]
    assert bias.get_ylabel() == "bias: simulated − observed (% of observed)"
    assert [tick.get_text() for tick in bias.get_xticklabels()][0] == (
        "offered inbound sessions")
