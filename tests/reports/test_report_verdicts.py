"""Reports that give the answer: their own folder per command, the verdict first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import desk_yaml, write

from sim.cli.main import main
from sim.reports.verdict import comparison_verdict, run_verdict
from sim.results.figures import in_reported_units, measured_days, reported_unit

DESK = desk_yaml("answer desk", horizon="3h", rate="40/h",
                 customers="{exchanges: 3, patience: {kind: exponential, mean: 2m}}",
                 ).replace("interval: 30m\n", "warmup: 30m\ninterval: 30m\n")


@pytest.mark.slow
def test_run_then_compare_keep_both_reports(tmp_path: Path, monkeypatch, capsys) -> None:
    scenario = write(tmp_path, DESK)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario), "-r", "2", "--quiet", "--html", "--xlsx"]) == 0
    run_folder = tmp_path / "out" / "desk"
    run_files = {path.name: path.read_bytes() for path in run_folder.iterdir()}
    assert {"summary.json", "report.html", "report.xlsx"} <= set(run_files)

    assert main(["compare", str(scenario), "-r", "2", "--quiet", "--html", "--xlsx"]) == 0
    compare_folder = tmp_path / "out" / "desk-compare"
    assert {path.name: path.read_bytes() for path in run_folder.iterdir()} == run_files
    compared = {path.name for path in compare_folder.iterdir()}
    assert {"comparison.json", "comparison.csv", "report.html", "report.xlsx"} <= compared
    assert "summary.json" not in compared
    assert json.loads((compare_folder / "comparison.json").read_text())["replications"] == 2
    assert "tab- vs status-based" in (compare_folder / "report.html").read_text()
    assert "run (tab-based capacity)" in (run_folder / "report.html").read_text()


DATED_DESK = DESK.replace("name: answer desk\n", 'name: answer desk\nstart: "2026-03-02 08:00"\n')


def desk_scenario(tmp_path: Path, text: str = DATED_DESK):
    from sim.scenario.loading import load_scenario

    return load_scenario(write(tmp_path, text))


def test_run_verdict_names_the_goal_and_the_missed_intervals(tmp_path: Path) -> None:
    scenario = desk_scenario(tmp_path)  # 80% in 60 s (the default), warm-up 30 min
    summary = pd.DataFrame(
        {"mean": [0.904, 14.06, 20.5, 0.05, 0.8], "ci95": [0.030, 1.0, 2.0, 0.01, 0.02]},
        index=["service_level", "asa_s", "mean_queue_time_s", "abandonment_rate",
               "occupancy"])
    intervals = pd.DataFrame({
        "channel": ["all"] * 6 + ["web"] * 6,
        "start_s": [1800.0 * i for i in range(6)] * 2,
        "service_level": [0.1, 0.95, 0.79, 0.9, float("nan"), 0.85] + [0.0] * 6,
    })
    lines = run_verdict(summary, intervals, scenario)
    # the warm-up interval (08:00) and the one without sessions are not counted
    assert lines == [
        "goal 80% in 60 s: met overall (90.4% ± 3.0), missed in 1 of 4 intervals (09:00)",
        "ASA 14.1 s (answered sessions only), mean wait of all offered 20.5 s (an Erlang "
        "calculator's ASA); abandoned 5.0%; occupancy 80.0%",
    ]
    unclear = summary.assign(mean=summary["mean"].where(summary.index != "service_level",
                                                        0.78))
    assert run_verdict(unclear, intervals, scenario)[0].startswith(
        "goal 80% in 60 s: missed on the mean overall, not clearly (78.0% ± 3.0; the 95% CI "
        "reaches 80%), missed in 1 of 4 intervals")
    low = summary.assign(mean=summary["mean"].where(summary.index != "service_level", 0.5))
    assert run_verdict(low, intervals, scenario)[0].startswith(
        "goal 80% in 60 s: missed overall (50.0% ± 3.0)")


def test_comparison_verdict_names_only_clear_differences(tmp_path: Path) -> None:
    scenario = desk_scenario(tmp_path)
    table = pd.DataFrame({
        "tab_mean": [0.80, 20.0, 0.05, 100.0, 3600.0],
        "status_mean": [0.83, 19.0, 0.06, 120.0, 0.0],
        "diff_mean": [0.031, -1.0, 0.01, 20.0, -3600.0],
        "diff_ci95": [0.010, 2.0, 0.004, 5.0, 100.0],
    }, index=["service_level", "asa_s", "abandonment_rate", "completed", "stranded_s"])
    assert comparison_verdict(table, scenario) == [
        "status-based vs tab-based capacity, same customers: better on service level "
        "(+3.1 pp) and time stranded with an offline agent (-1 h/day); worse on abandonment "
        "rate (+1.0 pp)",
        "no clear difference on 1 other figure (the 95% CI includes 0); status − tab in "
        "brackets",
    ]
    same = table.assign(diff_mean=0.0)
    assert comparison_verdict(same, scenario) == [
        "tab- and status-based capacity: no figure differs clearly (every 95% CI of the "
        "paired difference includes 0)"]


def test_totals_are_reported_in_hours_per_day(tmp_path: Path) -> None:
    table = pd.DataFrame({"mean": [7200.0, 14.0], "ci95": [360.0, 1.0], "n": [5, 5]},
                         index=pd.Index(["stranded_s", "asa_s"], name="figure"))
    two_days = in_reported_units(table, 2.0, rename=True)
    assert two_days.index.tolist() == ["stranded_h_per_day", "asa_s"]
    assert two_days["mean"].tolist() == [1.0, 14.0] and two_days["ci95"].tolist() == [0.05, 1.0]
    assert two_days["n"].tolist() == [5, 5]
    scenario = desk_scenario(tmp_path)
    assert measured_days(scenario) == 1.0  # a 2.5-hour run is its one day
    assert reported_unit("stranded_s") == "h/day" and reported_unit("asa_s") == "s"


@pytest.mark.slow
def test_every_command_opens_with_its_answer(tmp_path: Path, monkeypatch, capsys) -> None:
    from openpyxl import load_workbook

    scenario = write(tmp_path, DATED_DESK)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario), "-r", "2", "--html", "--xlsx"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("goal 80% in 60 s: ")
    assert printed[1].startswith("ASA ") and "mean wait of all offered" in printed[1]
    assert "asa_s" not in "\n".join(printed)  # labels, not identifiers
    assert main(["compare", str(scenario), "-r", "2", "--html", "--xlsx"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(("status-based vs tab-based capacity, same customers: ",
                                  "tab- and status-based capacity: no figure differs"))
    assert main(["staff", str(scenario), "--target", "80/60s", "-r", "2", "--max-iterations",
                 "2", "--verify-replications", "2", "--no-curve", "--html", "--xlsx"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("staffing team: tab-based ")
    assert " scheduled agent-hours, peak " in printed[0] and "status − tab" in printed[0]
    assert printed[1].startswith("goals service level 80% within 60s: tab-based: ")
    for folder, first in (("desk", "goal 80% in 60 s: "),
                          ("desk-compare", ""), ("desk-staffing", "staffing team: ")):
        page = (tmp_path / "out" / folder / "report.html").read_text()
        body = page[page.index("</h1>"):]
        assert body.startswith('</h1>\n<div class="verdict"><p>' + first), folder
        book = load_workbook(tmp_path / "out" / folder / "report.xlsx")
        assert book.sheetnames[0] == "answer"
        assert str(book["answer"]["A2"].value).startswith(first)
        assert book["answer"]["A2"].value in page or "&" in book["answer"]["A2"].value


@pytest.mark.slow
def test_workbook_has_dates_times_formats_and_filters(tmp_path: Path, monkeypatch) -> None:
    from openpyxl import load_workbook

    scenario = write(tmp_path, DATED_DESK)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "-r", "2", "-q", "--xlsx", "--out", str(out)]) == 0
    book = load_workbook(out / "report.xlsx")
    sheet = book["intervals"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    moment = sheet.cell(row=2, column=headers["datetime"])
    assert moment.is_date and moment.value == dt.datetime(2026, 3, 2, 8, 0)
    assert moment.number_format == "yyyy-mm-dd hh:mm"
    clock = sheet.cell(row=3, column=headers["clock (HH:MM)"])
    assert clock.is_date and clock.value == dt.time(8, 30) and clock.number_format == "hh:mm"
    level = sheet.cell(row=2, column=headers["service_level (share)"])
    assert level.number_format == "0.0%" and 0 <= level.value <= 1
    assert sheet.cell(row=2, column=headers["asa_s (s)"]).number_format == "#,##0.0"
    assert "busy_capacity_h (capacity × h)" in headers  # not capacity × seconds
    for name in ("intervals", "channels", "agents", "summary"):
        assert book[name].auto_filter.ref == book[name].dimensions, name
        assert book[name].freeze_panes == "A2", name
    summary = {row[0].value: row for row in book["summary"].iter_rows(min_row=2)}
    assert summary["service_level"][3].number_format == "0.0%"
    assert summary["abandonment_rate"][4].number_format == "0.0%"  # its CI too
    assert summary["at_capacity_h_per_day"][2].value == "h/day"
    document = json.loads((out / "summary.json").read_text())
    assert document["figures"]["at_capacity_h_per_day"]["unit"] == "h/day"
    assert summary["at_capacity_h_per_day"][3].value == pytest.approx(
        document["figures"]["at_capacity_h_per_day"]["mean"])
