"""Reports to share: ``--xlsx`` (report.xlsx) and ``--html`` (report.html) on every command.

The workbook is read back with pandas (every sheet, its headers and units); the page is
checked for external references (none), embedded charts (every PNG of the folder) and
escaped user text (a scenario named ``<script>...``).
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from cli_helpers import ccsim, write

from sim.cli.main import main
from sim.reports.html_report import render_html
from sim.reports.workbook import header_with_unit, write_workbook
from sim.results.figures import FIGURE_LABELS, FIGURES, reported_name, reported_unit
from sim.results.report_tables import channel_totals, column_unit, group_table

HOSTILE_NAME = "<script>alert('x')</script> desk & co"

def _chat(name: str, kind: str, queue: str, rate: str, patience: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "queue": queue, "arrivals": {"rate": rate},
            "customers": {"exchanges": 3, "patience": {"kind": "exponential", "mean": patience}}}


def _team(name: str, agents: int, capacity: int, queue: str) -> dict[str, Any]:
    return {"name": name, "agents": agents, "capacity": capacity, "queues": [queue]}


SCENARIO = yaml.safe_dump({
    "name": HOSTILE_NAME,
    "description": "A <b>small</b> desk: two teams, one queue each. <img src=http://evil/x.png>",
    "horizon": "2h",
    "interval": "30m",
    "channels": [_chat("web", "enhanced_web_chat", "support", "30/h", "2m"),
                 _chat("whatsapp", "enhanced_whatsapp", "messaging", "20/h", "5m")],
    "queues": [{"name": "support"}, {"name": "messaging"}],
    "agent_groups": [_team("chat_team", 3, 2, "support"),
                     _team("messaging_team", 2, 3, "messaging")],
}, sort_keys=False)

REPORTED_UNITS = {reported_name(name): reported_unit(name) for name in FIGURES}
"""Each figure as report files name it (totals ``..._h_per_day``) and its unit there."""

RUN_SHEETS = ["answer", "summary", "intervals", "channels", "queues", "groups", "group intervals",
              "agents", "settings"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("share"), SCENARIO)


@pytest.fixture(scope="module")
def run_out(scenario: Path) -> Path:
    out = scenario.parent / "run"
    assert main(["run", str(scenario), "-r", "2", "-q", "--xlsx", "--html",
                 "--out", str(out)]) == 0
    return out


def in_hours(column: str) -> str:
    """A CSV column's name in the workbook: capacity time in capacity × hours."""
    return re.sub(r"_s(?=_ci95$|$)", "_h", column) if column_unit(column) == "capacity × s" \
        else column


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    sheets = pd.read_excel(path, sheet_name=None)
    for name, sheet in sheets.items():
        assert len(sheet.columns) > 0, name
        assert not any(str(column).startswith("Unnamed") for column in sheet.columns), name
    return sheets


def settings_of(sheets: dict[str, pd.DataFrame]) -> dict[str, str]:
    settings = sheets["settings"]
    assert list(settings.columns) == ["setting", "value"]
    return dict(zip(settings["setting"], settings["value"].astype(str), strict=True))


DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
URL_ATTRIBUTES = {"src", "href", "action", "poster", "data", "srcset", "formaction",
                  "background", "cite", "xlink:href"}


class Markup(HTMLParser):
    """The page's tags (their source text and attributes) and its style sheets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.sources: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self.sources.append(self.get_starttag_text() or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def check_page(path: Path) -> str:
    """No external reference, every PNG of the folder embedded."""
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    markup = Markup()
    markup.feed(page)
    assert {tag for tag, _ in markup.tags}.isdisjoint(
        {"script", "link", "iframe", "object", "embed", "base", "form", "svg", "video",
         "audio", "source"})
    for tag, attributes in markup.tags:
        for name, value in attributes:
            if name in URL_ATTRIBUTES:
                assert (value or "").startswith(("data:", "#")), (tag, name, value)
    # the markup itself (tags without their data: images, style sheets) has no reference
    code = DATA_URI.sub("", "\n".join(markup.sources + markup.styles))
    for reference in ("http://", "https://", "//", "url(", "@import"):
        assert reference not in code, reference
    # and nowhere on the page is a src=/href= that is not a data: image or a #fragment
    for attribute in re.findall(r"""<[^>]*\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page,
                                flags=re.IGNORECASE):
        assert attribute.startswith(("data:", "#")), attribute
    charts = sorted(path.parent.glob("*.png"))
    assert charts
    assert len(DATA_URI.findall(page)) == len(charts)
    for chart in charts:
        assert base64.b64encode(chart.read_bytes()).decode("ascii") in page, chart.name
    return page


def check_escaped(page: str) -> None:
    assert "<script>" not in page and "<b>small</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; desk &amp; co" in page
    assert "&lt;b&gt;small&lt;/b&gt;" in page
    assert "<img src=http" not in page


# ---------------------------------------------------------------------------------- run
@pytest.mark.slow
def test_run_workbook_has_every_sheet_with_headers_and_units(run_out: Path) -> None:
    sheets = read_workbook(run_out / "report.xlsx")
    assert list(sheets) == RUN_SHEETS
    summary = sheets["summary"]
    assert list(summary.columns) == ["figure", "label", "unit", "mean", "ci95", "sd", "n"]
    assert summary["figure"].tolist() == list(REPORTED_UNITS)
    units = dict(zip(summary["figure"], summary["unit"].fillna(""), strict=True))
    assert units == REPORTED_UNITS
    assert units["stranded_h_per_day"] == "h/day"
    assert summary["label"].tolist() == [FIGURE_LABELS[name] for name in FIGURES]
    # every figure was measured in both replications, but those of a bot the desk lacks
    without_bot = ~summary["figure"].isin(["containment_rate", "bot_time_s"])
    assert (summary.loc[without_bot, "n"] == 2).all()
    assert (summary.loc[~without_bot, "n"] == 0).all()
    # the numbers are those of summary.json
    import json

    document = json.loads((run_out / "summary.json").read_text())
    for _, row in summary.iterrows():
        expected = document["figures"][row["figure"]]["mean"]
        assert (expected is None and np.isnan(row["mean"])) or row["mean"] == pytest.approx(
            expected)

    # other sheets: the unit in the header, "name (unit)"
    intervals = sheets["intervals"]
    csv = pd.read_csv(run_out / "intervals.csv")
    assert list(intervals.columns) == [header_with_unit(in_hours(column))
                                       for column in csv.columns]
    for header in ("channel", "start_s (s)", "offered (sessions)", "service_level (share)",
                   "service_level_ci95 (share)", "asa_s (s)", "occupancy (share)",
                   "agents_online (agents)", "throughput_per_h (sessions/h)"):
        assert header in intervals.columns, header
    assert len(intervals) == len(csv)
    assert intervals["service_level (share)"].dropna().between(0, 1).all()  # a share, 0-1

    channels = sheets["channels"]
    assert channels["channel"].tolist() == ["web", "whatsapp", "all"]
    assert "offered (sessions)" in channels.columns
    by_channel = channels.set_index("channel")["offered (sessions)"]
    assert by_channel["all"] == pytest.approx(by_channel["web"] + by_channel["whatsapp"])
    assert by_channel["all"] == pytest.approx(units and document["figures"]["offered"]["mean"])

    # per-channel figures: the "all" row is the headline figure
    for figure in ("service_level", "asa_s", "abandonment_rate", "handle_time_s"):
        header = header_with_unit(figure)
        assert header in channels.columns and f"{figure}_ci95 ({column_unit(figure)})" in \
            channels.columns, figure
        center = channels.set_index("channel").loc["all", header]
        assert center == pytest.approx(document["figures"][figure]["mean"]), figure
        assert center == pytest.approx(document["channels"]["all"][figure]["mean"]), figure
    assert sheets["queues"]["queue"].tolist() == ["support", "messaging", "all"]

    groups = sheets["groups"]
    assert groups["group"].tolist() == ["chat_team", "messaging_team"]
    assert {"agents", "capacity (capacity units)", "agents_online (agents)",
            "capacity_online_h (capacity × h)", "occupancy (share)",
            "occupancy_ci95 (share)", "concurrency (sessions/agent)",
            "sessions_handled (sessions)"} <= set(groups.columns)
    assert groups["agents"].tolist() == [3, 2]
    assert groups["occupancy (share)"].between(0, 1).all()
    # weighted by online capacity, the groups' occupancies are the center's
    weights = groups["capacity_online_h (capacity × h)"]
    assert (groups["occupancy (share)"] * weights).sum() / weights.sum() == pytest.approx(
        document["figures"]["occupancy"]["mean"], rel=0.02)
    group_intervals = sheets["group intervals"]
    csv_groups = pd.read_csv(run_out / "groups.csv")
    assert list(group_intervals.columns) == [header_with_unit(in_hours(c))
                                             for c in csv_groups.columns]
    assert {"clock (HH:MM)", "busy_capacity_h (capacity × h)",
            "capacity_online_h (capacity × h)"} <= set(group_intervals.columns)
    assert group_intervals["capacity_online_h (capacity × h)"].to_numpy() == pytest.approx(
        csv_groups["capacity_online_s"].to_numpy() / 3600.0)
    assert len(group_intervals) == 2 * len(csv) // 3  # two groups, two channels and all

    agents = sheets["agents"]
    assert len(agents) == len(pd.read_csv(run_out / "agents.csv"))
    assert {"replication", "agent_id", "group", "online_s (s)", "occupancy (share)"} <= set(
        agents.columns)

    settings = settings_of(sheets)
    assert settings["scenario"] == HOSTILE_NAME  # text, as written
    assert settings["replications"] == "2" and settings["capacity model"] == "tab-based"
    assert "--xlsx" in settings["command"] and settings["command"].startswith("ccsim run")
    assert settings["ccsim version"] and settings["written at"]


@pytest.mark.slow
def test_run_workbook_is_formatted(run_out: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(run_out / "report.xlsx")
    assert book.sheetnames == RUN_SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.column_dimensions["A"].width >= 8
    groups = book["groups"]
    headers = [cell.value for cell in groups[1]]
    occupancy = headers.index("occupancy (share)") + 1
    assert groups.cell(row=2, column=occupancy).number_format == "0.0%"
    summary = book["summary"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=2)}
    assert rows["service_level"][3].number_format == "0.0%"
    assert rows["asa_s"][3].number_format == "#,##0.0"  # seconds
    assert rows["stranded_h_per_day"][3].number_format == "#,##0.00"  # hours per day


@pytest.mark.slow
def test_run_page_is_self_contained_and_escaped(run_out: Path) -> None:
    page = check_page(run_out / "report.html")
    check_escaped(page)
    assert page.count("<figure>") == 4  # arrivals, service level, occupancy, wait times
    for text in ("Run settings", "Headline figures", "service level", "chat_team",
                 "messaging_team", "occupancy (%)", "Content-Security-Policy"):
        assert text in page, text
    assert "ccsim run " in page and "--html" in page


# ------------------------------------------------------------------------------ compare
@pytest.mark.slow
def test_compare_workbook_and_page(scenario: Path) -> None:
    out = scenario.parent / "compare"
    assert main(["compare", str(scenario), "-r", "2", "-q", "--xlsx", "--html",
                 "--out", str(out)]) == 0
    sheets = read_workbook(out / "report.xlsx")
    # compare keeps no session table, so it has no per-queue figures
    assert list(sheets) == [name for name in RUN_SHEETS if name != "queues"]
    assert sheets["answer"]["answer"][0].startswith("status-based vs tab-based capacity") or \
        sheets["answer"]["answer"][0].startswith("tab- and status-based capacity: no figure")
    summary = sheets["summary"]
    assert list(summary.columns) == ["figure", "label", "unit", "tab_mean", "tab_ci95",
                                     "status_mean", "status_ci95", "diff_mean", "diff_ci95",
                                     "n"]
    csv = pd.read_csv(out / "comparison.csv")
    assert summary["unit"].fillna("").tolist() == csv["unit"].fillna("").tolist()
    assert np.allclose(summary["diff_mean"], csv["diff_mean"], equal_nan=True)
    for name in ("intervals", "channels", "groups", "group intervals", "agents"):
        table = sheets[name]
        assert table.columns[0] == "capacity_model", name
        assert table["capacity_model"].unique().tolist() == ["tab", "status"], name
    assert "occupancy (share)" in sheets["groups"].columns
    # per channel, as in the run workbook: service level, ASA, abandonment; "all" is the
    # headline figure of each model
    channels = sheets["channels"].set_index(["capacity_model", "channel"])
    document = json.loads((out / "comparison.json").read_text())
    for figure in ("service_level", "asa_s", "abandonment_rate"):
        header = header_with_unit(figure)
        assert {header, f"{figure}_ci95 ({column_unit(figure)})"} <= set(channels.columns)
        for model in ("tab", "status"):
            assert channels.loc[(model, "all"), header] == pytest.approx(
                document["figures"][figure][f"{model}_mean"]), (figure, model)
        assert np.isfinite(channels.loc[("status", "web"), header]), figure
    assert settings_of(sheets)["command"].startswith("ccsim compare")
    page = check_page(out / "report.html")
    check_escaped(page)
    assert page.count("<figure>") == 2


# -------------------------------------------------------------------------------- staff
@pytest.mark.slow
def test_staff_workbook_has_the_requirement_and_the_shift_plan(scenario: Path) -> None:
    out = scenario.parent / "staff"
    assert main(["staff", str(scenario), "--target", "80/60s", "-r", "2",
                 "--max-iterations", "2", "--verify-replications", "2", "--no-curve", "-q",
                 "--group", "chat_team", "--set", "agent_groups[0].queues=[support, messaging]",
                 "--shift", "0h/1h", "--shift", "1h/1h", "--xlsx", "--html",
                 "--out", str(out)]) == 0
    sheets = read_workbook(out / "report.xlsx")
    assert list(sheets) == ["answer", "summary", "requirement", "shifts", "settings"]
    assert sheets["answer"]["answer"][0].startswith("staffing chat_team: tab-based ")
    summary = sheets["summary"]
    assert list(summary.columns) == ["figure", "label", "unit", "tab", "status",
                                     "status - tab"]
    hours = summary.set_index("figure").loc["agent_hours"]
    assert hours["unit"] == "h"
    assert hours["status - tab"] == pytest.approx(hours["status"] - hours["tab"])
    requirement = sheets["requirement"]
    staffing = pd.read_csv(out / "staffing.csv")
    assert len(requirement) == len(staffing)
    for header in ("start (HH:MM)", "arrivals (sessions)", "required_tab (agents)",
                   "scheduled_status (agents)", "service_level_tab (share)",
                   "asa_s_status_ci95 (s)", "meets_tab"):
        assert header in requirement.columns, header
    shifts = sheets["shifts"]
    assert list(shifts.columns) == ["start (HH:MM)", "start_s (s)", "length_h (h)",
                                    "agents_tab (agents)", "agents_status (agents)"]
    assert [str(value) for value in shifts["start (HH:MM)"]] == ["00:00:00", "01:00:00"]
    assert shifts["length_h (h)"].tolist() == [1.0, 1.0]
    settings = settings_of(sheets)
    assert settings["staffed group"] == "chat_team" and "80%" in settings["goals"]
    page = check_page(out / "report.html")
    check_escaped(page)


# -------------------------------------------------------------------------------- sweep
@pytest.mark.slow
def test_sweep_workbook_and_page(scenario: Path) -> None:
    out = scenario.parent / "sweep"
    assert main(["sweep", str(scenario), "--grid", "agent_groups[0].agents=2,3", "-r", "2",
                 "-q", "--label", "agent_groups[0].agents=Chat agents", "--xlsx", "--html",
                 "--out", str(out)]) == 0
    sheets = read_workbook(out / "report.xlsx")
    assert list(sheets) == ["summary", "cells", "settings"]
    summary = sheets["summary"]
    # the grid key under its --label
    assert list(summary.columns) == ["cell", "Chat agents", "figure", "label",
                                     "unit", "mean", "sd", "ci95", "n"]
    assert len(summary) == 2 * len(FIGURES)
    units = dict(zip(summary["figure"], summary["unit"].fillna(""), strict=False))
    assert units == REPORTED_UNITS
    cells = sheets["cells"]
    assert cells["Chat agents"].tolist() == [2, 3]
    assert {"service_level_mean (share)", "asa_s_ci95 (s)", "n (runs)"} <= set(cells.columns)
    assert "Chat agents" in settings_of(sheets)["grid"]
    page = check_page(out / "report.html")
    check_escaped(page)
    assert page.count("<figure>") == 1


# ------------------------------------------------------------------ files and ownership
@pytest.mark.slow
def test_without_the_flags_no_shared_report_and_an_old_one_is_removed(
        scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert main(["run", str(scenario), "-r", "1", "-q", "--xlsx", "--html",
                 "--out", str(out)]) == 0
    assert (out / "report.xlsx").is_file() and (out / "report.html").is_file()
    assert not list(out.glob(".*.tmp"))
    assert main(["run", str(scenario), "-r", "1", "-q", "--out", str(out)]) == 0
    assert not (out / "report.xlsx").exists() and not (out / "report.html").exists()
    assert (out / "summary.json").is_file()


@pytest.mark.slow
def test_flags_are_documented_in_help(tmp_path: Path) -> None:
    for command in ("run", "compare", "staff", "sweep"):
        result = ccsim(command, "--help", cwd=tmp_path)
        assert result.returncode == 0
        assert "--xlsx" in result.stdout and "report.xlsx" in result.stdout, command
        assert "--html" in result.stdout and "report.html" in result.stdout, command


# ------------------------------------------------------------------------------- units
def test_workbook_keeps_text_as_text(tmp_path: Path) -> None:
    table = pd.DataFrame({"group": ["=1+1", "@SUM(A1)", "bell\x07", "+cmd|' /C calc'!A0"],
                          "occupancy": [0.5, 0.25, np.nan, 1.0]})
    path = write_workbook(tmp_path / "book.xlsx",
                          pd.DataFrame({"figure": ["occupancy"], "label": ["occupancy"],
                                        "unit": ["share"], "mean": [0.5]}),
                          {"groups": table, "a/b[c]:d*e?": table},
                          {"scenario": "=HYPERLINK(\"http://x\")"})
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["summary", "groups", "a_b_c__d_e_", "settings"]
    groups = sheets["groups"]
    assert groups["group"].tolist() == ["=1+1", "@SUM(A1)", "bell\\x07",
                                        "+cmd|' /C calc'!A0"]
    assert list(groups.columns) == ["group", "occupancy (share)"]
    assert sheets["settings"]["value"].tolist() == ["=HYPERLINK(\"http://x\")"]
    from openpyxl import load_workbook

    book = load_workbook(path)
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows()
               for cell in row)


def test_page_escapes_tables_and_settings() -> None:
    table = pd.DataFrame({"group": ["<script>x</script>", "a&b"], "occupancy": [0.5, 0.25]})
    page = render_html(title="<t>", description="<d>\nline two",
                       settings={"<k>": "<v>"}, summary=pd.DataFrame(
                           {"figure": ["occupancy"], "label": ["<l>"], "unit": ["share"],
                            "mean": [0.5]}),
                       tables={"<g>": table}, charts=[])
    assert "<script>" not in page and "<t>" not in page and "<d>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "a&amp;b" in page
    assert "&lt;k&gt;" in page and "&lt;v&gt;" in page and "&lt;l&gt;" in page
    assert "50" in page and "occupancy (%)" in page  # shares as percent


def test_column_units() -> None:
    assert column_unit("asa_s") == "s"
    assert column_unit("asa_s_ci95") == "s"
    assert column_unit("service_level_status_ci95") == "share"
    assert column_unit("required_tab") == "agents"
    assert column_unit("occupancy_mean") == "share"
    assert column_unit("busy_capacity_s") == "capacity × s"
    assert column_unit("channel") == "" and column_unit("cell") == ""
    assert header_with_unit("channel") == "channel"
    assert header_with_unit("agents") == "agents"  # not "agents (agents)"
    assert header_with_unit("online_h") == "online_h (h)"


def test_group_table_adds_up_to_the_center() -> None:
    agents = pd.DataFrame({
        "replication": [0, 0, 0, 1, 1, 1],
        "agent_id": [0, 1, 2, 0, 1, 2],
        "group": ["a", "a", "b", "a", "a", "b"],
        "capacity": [2.0, 2.0, 3.0, 2.0, 2.0, 3.0],
        "online_s": [3600.0, 1800.0, 3600.0, 3600.0, 3600.0, 0.0],
        "busy_capacity_s": [3600.0, 1800.0, 5400.0, 7200.0, 3600.0, 0.0],
        "sessions_handled": [4, 2, 6, 8, 4, 0],
        "over_capacity_s": [0.0] * 6,
    })
    table = group_table(agents).set_index("group")
    assert table.loc["a", "agents"] == 2 and table.loc["b", "agents"] == 1
    assert table.loc["a", "occupancy"] == pytest.approx((0.5 + 0.75) / 2)
    assert table.loc["b", "occupancy"] == pytest.approx(0.5)  # no online time: left out
    assert table.loc["a", "online_h"] == pytest.approx(1.75)
    assert table.loc["a", "sessions_handled"] == pytest.approx(9)
    # weighted by capacity time, the groups' occupancies are the center's (replication 0)
    first = agents[agents["replication"] == 0]
    groups = group_table(first)
    weights = groups["busy_capacity_h"] / groups["occupancy"]
    center = first["busy_capacity_s"].sum() / (first["capacity"] * first["online_s"]).sum()
    assert (groups["occupancy"] * weights).sum() / weights.sum() == pytest.approx(center)


def test_channel_totals_leave_out_the_warmup() -> None:
    intervals = pd.DataFrame({
        "replication": [0, 0, 0, 0, 1, 1, 1, 1],
        "interval": [0, 0, 1, 1, 0, 0, 1, 1],
        "start_s": [0.0, 0.0, 1800.0, 1800.0] * 2,
        "channel": ["web", "all"] * 4,
        "offered": [5, 5, 3, 3, 7, 7, 1, 1],
        "answered": [4, 4, 3, 3, 6, 6, 1, 1],
    })
    table = channel_totals(intervals, warmup_s=1800.0)
    assert table["channel"].tolist() == ["web", "all"]
    assert table["offered"].tolist() == [2.0, 2.0]
    assert channel_totals(intervals)["offered"].tolist() == [8.0, 8.0]
