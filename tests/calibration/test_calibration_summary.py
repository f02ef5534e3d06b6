"""sim.analysis for the calibration notebook: what the calibration and backtest found.

The shipped example export (three days of the web-chat desk) is calibrated and
backtested with a few replications.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import analysis

EXPORT = Path(__file__).resolve().parents[2] / "examples" / "salesforce-export"


@pytest.fixture(scope="module")
def calibration():
    return analysis.calibrate(analysis.read_export(EXPORT), threshold_s=60.0, target=0.8)


@pytest.mark.slow
def test_calibration_text_names_what_was_fitted(calibration) -> None:
    text = analysis.calibration_text(calibration)
    assert f"{len(calibration.sessions)} sessions and {len(calibration.work)} work items" in text
    assert f"**{calibration.scenario.capacity_model}-based**" in text
    peak = max(calibration.scenario.agent_groups[0].staffing)
    assert f"observed staffing peaking at {peak} agents" in text
    table = analysis.fitted_table(calibration)
    assert len(table) == len(calibration.comments)
    assert "capacity_model" in table.index


@pytest.mark.slow
def test_backtest_table_reads_the_summary(calibration) -> None:
    checked = analysis.backtest(calibration.scenario, calibration, 3, seed=1)
    table = analysis.backtest_table(checked)
    assert len(table) == len(checked.summary)
    assert table["inside the band (%)"].tolist() == pytest.approx(
        (checked.summary["inside_share"] * 100).round(1).tolist(), nan_ok=True)
    assert table.loc["service level", "intervals compared"] == checked.summary.loc[
        "service_level", "intervals"]
    assert table.loc["ASA (answered sessions)", "horizon verdict"] == checked.summary.loc[
        "asa_s", "verdict"]
    bias = analysis.backtest_bias_table(checked)
    assert len(bias) == len(checked.levels)
    row = checked.levels.iloc[3]
    assert bias.iloc[3]["bias (%)"] == pytest.approx(round(row["relative_bias"] * 100, 1))
