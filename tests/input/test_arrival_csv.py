"""Arrival CSV files mean what they say: each row is placed by its ``interval_start``.

One test per rule (sorted, gap, duplicate, off-grid, a late first row, the Salesforce
report export shape), each asserting the exact problem line ``<file>:<line>: ...``.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.experiments.runner import run_figures
from sim.scenario.loading import ScenarioError, load_scenario
from sim.scenario.reference import EXAMPLE

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _desk(tmp_path: Path, csv_text: str, csv: str = "arrivals.csv",
          name: str = "arrivals.csv") -> Path:
    """The reference's minimal desk (8 h of 30-minute intervals) reading a CSV profile."""
    (tmp_path / name).write_text(csv_text, encoding="utf-8")
    path = tmp_path / "desk.yaml"
    path.write_text(EXAMPLE.replace("{rate: 30/h}", f"{{csv: {csv}}}"), encoding="utf-8")
    return path


def _rows(starts: list[str], volume: int = 3) -> str:
    return "interval_start,volume\n" + "".join(f"{start},{volume}\n" for start in starts)


def _half_hours(first: int = 0, last: int = 16) -> list[str]:
    return [f"{slot // 2:02d}:{slot % 2 * 30:02d}" for slot in range(first, last)]


def _problem(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [line] = info.value.problems
    return line


def _volumes(path: Path) -> list[float]:
    arrivals = load_scenario(path).channels[0].arrivals
    assert arrivals is not None and arrivals.volumes is not None
    return arrivals.volumes


# ------------------------------------------------------------------------------- sorted
def test_shuffled_rows_give_the_same_run_as_sorted(tmp_path: Path) -> None:
    sorted_folder, shuffled_folder = tmp_path / "sorted", tmp_path / "shuffled"
    for folder in (sorted_folder, shuffled_folder):
        folder.mkdir()
        shutil.copy(SCENARIOS / "multichannel_center.yaml", folder)
        shutil.copy(SCENARIOS / "multichannel_whatsapp.csv", folder)
    csv_path = shuffled_folder / "multichannel_whatsapp.csv"
    header, *rows = csv_path.read_text(encoding="utf-8").splitlines()
    random.Random(3).shuffle(rows)
    assert rows[0] != "00:00,4"
    csv_path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    overrides = ["horizon=6h"]
    in_order = load_scenario(sorted_folder / "multichannel_center.yaml", overrides)
    shuffled = load_scenario(shuffled_folder / "multichannel_center.yaml", overrides)
    assert shuffled == in_order
    assert run_figures((shuffled, 7, 0)) == run_figures((in_order, 7, 0))


def test_the_bundled_file_is_read_in_its_order(tmp_path: Path) -> None:
    """Its interval_start column is the row order: honouring it changes nothing."""
    scenario = load_scenario(SCENARIOS / "multichannel_center.yaml")
    whatsapp = scenario.channels[1].arrivals
    assert whatsapp is not None and whatsapp.volumes is not None
    lines = (SCENARIOS / "multichannel_whatsapp.csv").read_text(encoding="utf-8").splitlines()
    assert whatsapp.volumes == [float(line.split(",")[1]) for line in lines[1:]]


def test_durations_in_any_unit(tmp_path: Path) -> None:
    path = _desk(tmp_path, "interval_start,volume\n1h,3\n0,1\n30m,2\n5400,4\n2:00:00,5\n",
                 csv="arrivals.csv, repeat: true")
    assert _volumes(path)[:5] == [1.0, 2.0, 3.0, 4.0, 5.0]


# -------------------------------------------------------------------------- the rules
@pytest.mark.parametrize(("starts", "problem"), [
    pytest.param(
        _half_hours(0, 4) + _half_hours(6, 16),  # no 02:00, no 02:30
        "6: no row for 02:00 to 03:00 (2 intervals of 30m) before this row; expected one row "
        "per interval, 0 where no sessions came",
        id="a gap",
    ),
    pytest.param(
        _half_hours(0, 9) + ["03:00"] + _half_hours(9, 16),
        "11: a second row for the interval at 03:00 (the first is at line 8); expected one "
        "row per interval",
        id="a duplicate",
    ),
    pytest.param(
        _half_hours(0, 3) + ["01:40"] + _half_hours(4, 16),
        "5: the interval at 01:40 is off the profile's 30m grid; expected interval starts "
        "00:00, 00:30, 01:00 and so on (set the profile's interval to the file's if it is not "
        "30m)",
        id="a row off the grid",
    ),
    pytest.param(
        _half_hours(0, 2) + ["noon"] + _half_hours(3, 16),
        "4: the time in column interval_start is not valid; expected a duration from the "
        "scenario start such as 08:00, 8h or 28800, or a date-time such as 2026-03-02 08:00",
        id="a time that does not parse",
    ),
])
def test_a_broken_grid_is_refused(tmp_path: Path, starts: list[str], problem: str) -> None:
    path = _desk(tmp_path, _rows(starts))
    assert _problem(path) == (
        f"{path}: channels[0].arrivals.csv: {tmp_path / 'arrivals.csv'}:{problem}"
    )


def test_intervals_before_the_first_row_have_no_arrivals(tmp_path: Path) -> None:
    path = _desk(tmp_path, _rows(_half_hours(4, 16)))  # from 02:00
    assert _volumes(path) == [0.0] * 4 + [3.0] * 12


def test_the_cli_refuses_a_gap_with_exit_code_2(tmp_path: Path, capsys) -> None:
    path = _desk(tmp_path, _rows(["00:00", "01:00"]))
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}: channels[0].arrivals.csv: {tmp_path / 'arrivals.csv'}:3: no row for 00:30 "
        "to 01:00 (1 interval of 30m) before this row; expected one row per interval, 0 where "
        "no sessions came"
    )


# ----------------------------------------------------------------- a report export
EXPORT = """\
"WhatsApp sessions by half hour"
"Filtered By: Channel equals WhatsApp"

"Created Date","Channel","Record Count"
"3/2/2026 9:00 AM","WhatsApp","14"
"3/2/2026 8:00 AM","WhatsApp","12"
"3/2/2026 8:30 AM","WhatsApp","13"
"3/2/2026 9:30 AM","WhatsApp","15"
""
"Grand Totals (54 records)","","54"
""
"WhatsApp sessions by half hour"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
"Confidential Information - Do Not Distribute"
"Generated By:  Jane Planner  3/3/2026 9:12 AM"
"Acme Support"
"""

EXPORT_CSV = '{path: export.csv, time_column: "Created Date", count_column: "Record Count"}'


def test_a_salesforce_report_export(tmp_path: Path) -> None:
    path = _desk(tmp_path, EXPORT, csv=EXPORT_CSV, name="export.csv")
    assert _volumes(path) == [0.0] * 16 + [12.0, 13.0, 14.0, 15.0]


def test_an_export_in_a_european_locale(tmp_path: Path) -> None:
    csv_text = EXPORT_CSV.replace("}", ', time_format: "%d/%m/%Y %H:%M"}')
    text = "Created Date,Record Count\n02/03/2026 08:30,13\n02/03/2026 08:00,12\n"
    path = _desk(tmp_path, text, csv=csv_text, name="export.csv")
    assert _volumes(path) == [0.0] * 16 + [12.0, 13.0]


@pytest.mark.parametrize(("find", "replace", "problem"), [
    pytest.param(
        '"3/2/2026 8:30 AM"', '"Subtotal"',
        "7: a row without a time in column Created Date comes before the row at line 8; "
        "expected rows for intervals, with only a report's closing lines (blank, totals, its "
        "name) after the last one",
        id="a row without a time before the end",
    ),
    pytest.param(
        '"3/2/2026 8:30 AM"', '"3/2/2026 25:30"',
        "7: the time in column Created Date is not valid; expected a duration from the "
        "scenario start such as 08:00, 8h or 28800, or a date-time such as 2026-03-02 08:00",
        id="a row with a bad time",
    ),
    pytest.param(
        '"Created Date"', '"Opened Date"',
        "4: the header has no column named Created Date; expected the time column the "
        "scenario names beside Record Count",
        id="a named time column must be there",
    ),
])
def test_a_bad_export_is_refused(tmp_path: Path, find: str, replace: str, problem: str) -> None:
    path = _desk(tmp_path, EXPORT.replace(find, replace), csv=EXPORT_CSV, name="export.csv")
    assert _problem(path) == (
        f"{path}: channels[0].arrivals.csv: {tmp_path / 'export.csv'}:{problem}"
    )


def test_an_unknown_csv_key_is_refused(tmp_path: Path) -> None:
    path = _desk(tmp_path, EXPORT, csv="{path: export.csv, count_colum: Record Count}",
                 name="export.csv")
    assert _problem(path) == (
        f"{path}: channels[0].arrivals.csv.count_colum: unknown key (did you mean count_column?); "
        "allowed keys are path, time_column, count_column, time_format"
    )
