"""Exports in the shapes real orgs produce calibrate as the plain one, or are refused.

Built from the bundled export (``tests/real_exports.py``): 15-character Ids, upper-case
headers and older spellings, report date-times. Calibrate never exits 0 without the data
it needs, and never keeps a default silently.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from calibration_helpers import TRUTH_VALUES, export_truth
from real_exports import EXAMPLE, copy_example, report_dates, rewrite, short_ids

from sim.calibration.center import Calibration, calibrate
from sim.calibration.channels import handle_durations
from sim.cli.main import main
from sim.salesforce import fields
from sim.salesforce.read import read_export
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario


@pytest.fixture(scope="module")
def plain() -> Calibration:
    return calibrate(read_export(EXAMPLE))


@pytest.mark.slow
def test_fifteen_character_ids_join_as_the_eighteen(plain: Calibration,
                                                    tmp_path: Path) -> None:
    folder = copy_example(tmp_path / "report")
    rewrite(folder, "AgentWork.csv",
            lambda t: short_ids(t, ("Id", "WorkItemId", "UserId", "OriginalQueueId")))
    rewrite(folder, "UserServicePresence.csv", lambda t: short_ids(t, ("UserId",)))
    export = read_export(folder)
    assert export.agent_work["WorkItemId"].str.len().eq(18).all()
    calibration = calibrate(export)
    assert len(calibration.work) == len(plain.work) == 2867
    assert calibration.values == plain.values
    assert ("AgentWork.csv: 15-character Ids read as their 18-character form in Id (2867), "
            "OriginalQueueId (2867), UserId (2867), WorkItemId (2867)") in calibration.notes


@pytest.mark.slow
def test_upper_case_and_old_spellings_read_as_the_field_names(plain: Calibration,
                                                              tmp_path: Path) -> None:
    folder = copy_example(tmp_path / "upper")
    rewrite(folder, "AgentWork.csv", lambda t: t.rename(columns={
        "AcceptDateTime": "AcceptDatetime", "DeclineDateTime": "DeclineDatetime",
        "Status": "STATUS", "UserId": "userid"}))
    rewrite(folder, "MessagingSession.csv", lambda t: t.rename(columns=str.upper))
    calibration = calibrate(read_export(folder))
    assert calibration.values == plain.values
    assert ("AgentWork.csv: header userid read as UserId, AcceptDatetime read as "
            "AcceptDateTime, DeclineDatetime read as DeclineDateTime, STATUS read as Status"
            ) in calibration.notes


@pytest.mark.slow
def test_two_columns_for_one_field_are_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_example(tmp_path / "twice")
    rewrite(folder, "AgentWork.csv", lambda t: t.assign(STATUS=t["Status"]))
    assert main(["calibrate", str(folder), "--out", str(tmp_path / "x.yaml")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{folder}/AgentWork.csv:1:STATUS: the header has both 'Status' and 'STATUS'; "
        "expected one column per field")


@pytest.mark.slow
def test_report_dates_with_the_option(plain: Calibration, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_example(tmp_path / "dates", keep_entries=False)
    for name, columns in fields.DATETIME_COLUMNS.items():
        if (folder / name).exists():
            rewrite(folder, name, lambda t, c=columns: report_dates(t, c))
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q"]) == 2
    assert "give --date-format us" in capsys.readouterr().err
    assert main(["calibrate", str(folder), "--out", str(out), "--date-format", "us"]) == 0
    printed = capsys.readouterr().out
    assert "note: AgentWork.csv: date-times in the us report form read as clock times in UTC" \
        in printed
    calibration = calibrate(read_export(folder, date_format="us"))
    # Whole seconds (the report drops the milliseconds): the same intervals and shifts.
    assert len(calibration.work) == len(plain.work)
    for key in ("start", "horizon", "capacity_model"):
        assert calibration.values[key] == plain.values[key]
    assert (calibration.values["agent_groups"][0]["staffing"]
            == plain.values["agent_groups"][0]["staffing"])
    assert (calibration.arrivals[("web_chat", "inbound")].counts.tolist()
            == plain.arrivals[("web_chat", "inbound")].counts.tolist())


def test_report_date_on_a_skipped_clock_time_is_refused(tmp_path: Path) -> None:
    folder = copy_example(tmp_path / "dst", keep_entries=False)
    rewrite(folder, "MessagingSession.csv", lambda t: t.assign(
        StartTime=t["StartTime"].where(t.index != 0, "3/29/2026 2:30:00 AM")))
    from sim.salesforce.read import ExportError

    with pytest.raises(ExportError, match=r"MessagingSession.csv:2:StartTime: found "
                       r"'3/29/2026 2:30:00 AM'; expected ISO 8601 or the us report form"):
        read_export(folder, date_format="us", report_zone="Europe/Paris")


def test_every_needed_table_must_have_rows(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_example(tmp_path / "empty")
    rewrite(folder, "AgentWork.csv", lambda t: t.iloc[:0])
    rewrite(folder, "UserServicePresence.csv", lambda t: t.iloc[:0])
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"{folder}/{name}: a header and no rows; expected one row per record (did the "
        "query's filter match nothing?)" for name in ("AgentWork.csv",
                                                       "UserServicePresence.csv")]
    assert not out.exists()


def test_plain_example_reads_without_notes(plain: Calibration) -> None:
    # The bundled export is in the shape ccsim writes: nothing renamed, normalised or
    # re-read, so the notes above come from the rewrites alone.
    assert not [note for note in plain.notes if "read as" in note]
    assert pd.Series(plain.values["agent_groups"][0]["staffing"]).max() == 7


# ------------------------------------------------------------ enhanced: blank message counts
HANDLE_TRUTH_MEAN_S = 480.0
HANDLE_TRUTH_SLOWDOWN = 0.3


@pytest.fixture(scope="module")
def enhanced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Calibration]:
    """A handle-time desk (AHT 8 min with one chat, slowdown 0.3), exported as an enhanced
    org's: no ConversationEntry.csv, AgentMessageCount and EndUserMessageCount blank."""
    values = copy.deepcopy(TRUTH_VALUES)
    channel = values["channels"][0]
    del channel["outbound"]
    channel["customers"] = {"patience": {"kind": "exponential", "mean": "3m"}}
    channel["handle_time"] = {"kind": "lognormal", "mean": "8m", "sd": "4m"}
    behaviour = values["agent_groups"][0]["behaviour"]
    behaviour["concurrency_slowdown"] = HANDLE_TRUTH_SLOWDOWN
    del behaviour["reply_time"]
    folder = tmp_path_factory.mktemp("enhanced") / "salesforce-export"
    export_truth(folder, Scenario.model_validate(values))
    (folder / "ConversationEntry.csv").unlink()
    rewrite(folder, "MessagingSession.csv",
            lambda t: t.assign(AgentMessageCount="", EndUserMessageCount=""))
    return folder, calibrate(read_export(folder))


@pytest.mark.slow
def test_blank_message_counts_fit_the_handle_time(enhanced: tuple[Path, Calibration]) -> None:
    _, calibration = enhanced
    fit = calibration.fits[("channels", 0, "handle_time")]
    assert fit.ci[0] <= HANDLE_TRUTH_MEAN_S <= fit.ci[1]
    assert fit.mean == pytest.approx(HANDLE_TRUTH_MEAN_S, rel=0.05)
    assert fit.n > 2000
    behaviour = calibration.values["agent_groups"][0]["behaviour"]
    assert behaviour["concurrency_slowdown"] == pytest.approx(HANDLE_TRUTH_SLOWDOWN, abs=0.05)
    comment = calibration.comments[("agent_groups", 0, "behaviour", "concurrency_slowdown")]
    low, high = (float(x) for x in comment.split("95% CI ")[1].rstrip(")").split("-"))
    assert low <= HANDLE_TRUTH_SLOWDOWN <= high
    assert "reply_time" not in behaviour
    assert "exchanges" not in calibration.values["channels"][0]["customers"]
    assert "AgentMessageCount: not calculated in enhanced Messaging" in (
        calibration.comments[("channels", 0, "handle_time")])


@pytest.mark.slow
def test_blank_message_counts_list_every_defaulted_key(
        enhanced: tuple[Path, Calibration], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder, calibration = enhanced
    listed = {line.split(" = ")[0]: line for line in calibration.defaults}
    for key in ("channels[web_chat].customers.exchanges",
                "channels[web_chat].customers.reply_time",
                "channels[web_chat].customers.silent_probability",
                "agent_groups[chat_agents].behaviour.reply_time"):
        assert "does not apply: the channel is fitted by its handle time" in listed[key]
    assert listed["channels[web_chat].customers.exchanges"].startswith(
        "channels[web_chat].customers.exchanges = {kind: fixed, value: 4}: ")
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    for line in calibration.defaults:
        assert f"  default kept: {line}" in printed
    assert text.count("# Default kept: ") == len(calibration.defaults)
    assert load_scenario(out).channels[0].handle_time is not None


def test_handle_durations_take_the_session_then_active_then_handle_time() -> None:
    sessions = pd.DataFrame({
        "session": ["a", "b", "c"], "inbound": True, "accepted_items": 1,
        "ended_by": ["agent", "customer", "agent"], "accept_s": [10.0, 20.0, float("nan")],
        "end_s": [110.0, 220.0, 500.0]})
    work = pd.DataFrame({
        "session": ["a", "b", "c"], "accept_s": [10.0, 20.0, 30.0],
        "active_s": [90.0, float("nan"), float("nan")], "handle_s": [150.0, 260.0, 400.0],
        "acw_s": [20.0, 30.0, 40.0]})
    table, sources = handle_durations(sessions, work)
    assert table["duration_s"].tolist() == [100.0, 200.0, 360.0]
    assert table["accept_s"].tolist() == [10.0, 20.0, 30.0]
    assert sources == {"EndTime minus AcceptTime": 2, "ActiveTime": 0,
                       "HandleTime minus AfterConversationActualTime": 1}


# ------------------------------------------------------------ the org's own words
def _renamed_statuses(tmp_path: Path) -> Path:
    folder = copy_example(tmp_path, keep_entries=False)
    rewrite(folder, "ServicePresenceStatus.csv", lambda t: t.assign(
        DeveloperName=t["DeveloperName"].replace({"Finishing_Shift": "Wrap_Up",
                                                  "Busy": "Lunch"})))
    return folder


@pytest.mark.slow
def test_unknown_status_is_warned_about_and_mapped_by_option(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _renamed_statuses(tmp_path)
    plain = calibrate(read_export(copy_example(tmp_path / "plain", keep_entries=False)))
    unmapped = calibrate(read_export(folder))
    assert unmapped.warnings == [
        "UserServicePresence.csv: status Lunch (59 rows) is not known: read by its IsAway; "
        "map it with --status Lunch=available|away|break|draining",
        "UserServicePresence.csv: status Wrap_Up (21 rows) is not known: read by its IsAway; "
        "map it with --status Wrap_Up=available|away|break|draining"]
    # Wrap_Up read as a plain away status: every shift runs on through its draining end
    # (and that away time reads as a break at each shift's end: shifts with breaks).
    plain_staffing = plain.values["agent_groups"][0]["staffing"]

    def shift_seconds(calibration: Calibration) -> float:
        shifts = calibration.periods.shifts
        return float((shifts["end_s"] - shifts["start_s"]).sum())

    assert shift_seconds(unmapped) > shift_seconds(plain)
    assert any("breaks" in shift for shift in unmapped.values["agent_groups"][0]["shifts"])
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q", "--status",
                 "Wrap_Up=draining", "--status", "lunch=away"]) == 0
    assert capsys.readouterr().err == ""
    assert load_scenario(out).agent_groups[0].staffing == plain_staffing
    assert main(["calibrate", str(folder), "--out", str(out), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [f"warning: {line}"
                                                    for line in unmapped.warnings]
    assert out.read_text(encoding="utf-8").count("# Warning: UserServicePresence.csv") == 2


@pytest.mark.slow
def test_unknown_channel_type_is_warned_about_and_mapped_by_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_example(tmp_path, keep_entries=False)
    rewrite(folder, "MessagingSession.csv",
            lambda t: t.assign(ChannelType="Acme_Web_Widget"))
    unmapped = calibrate(read_export(folder))
    assert unmapped.values["channels"][0]["type"] == "bring_your_own_channel"
    assert unmapped.warnings == [
        "MessagingSession.csv: ChannelType 'Acme_Web_Widget' of channel web_chat (3231 "
        "sessions) is not known: read as bring_your_own_channel (its timeouts and "
        "standard/enhanced rules); map it with --channel-type Acme_Web_Widget=TYPE"]
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("field,value,means\nchannel_type,Acme_Web_Widget,enhanced_web_chat\n"
                       "status,Wrap_Up,draining\n", encoding="utf-8")
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q", "--mapping",
                 str(mapping)]) == 0
    assert capsys.readouterr().err == ""
    assert load_scenario(out).channels[0].type == "enhanced_web_chat"


@pytest.mark.parametrize(("arguments", "line"), [
    (["--status", "Wrap_Up=gone"], "ccsim: error: --status 'Wrap_Up=gone': expected "
     "NAME=MEANING with MEANING one of available, away, break, draining"),
    (["--channel-type", "Acme"], "ccsim: error: --channel-type 'Acme': expected NAME=MEANING "
     "with MEANING one of standard_messenger, standard_sms, enhanced_web_chat, "
     "enhanced_web_chat_v2, enhanced_in_app_chat, enhanced_whatsapp, enhanced_messenger, "
     "enhanced_sms, enhanced_apple_messages, enhanced_line, bring_your_own_channel"),
])
def test_bad_mapping_option_is_one_line(arguments: list[str], line: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(EXAMPLE), "--out", str(out), *arguments]) == 2
    assert capsys.readouterr().err.strip() == line
    assert not out.exists()


def test_bad_mapping_file_names_its_line(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("field,value,means\nstatus,Wrap_Up,draining\nqueue,x,y\n",
                       encoding="utf-8")
    assert main(["calibrate", str(EXAMPLE), "--out", str(tmp_path / "c.yaml"), "--mapping",
                 str(mapping)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"ccsim: error: {mapping}:3: expected status or channel_type, the org's name and its "
        "meaning (three fields)")


# ------------------------------------------------------------ no presence
def _schedule_of(calibration: Calibration, by_group: bool) -> pd.DataFrame:
    """The calibration's own shifts as a WFM schedule (agent or group rows)."""
    shifts = calibration.periods.shifts
    start = calibration.clock.start
    times = {column: [(start + pd.Timedelta(seconds=float(value))).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ") for value in shifts[f"{column}_s"]] for column in
        ("start", "end")}
    who = ({"group": "chat_agents"} if by_group else
           {"agent": [user[:15] for user in shifts["user"]]})
    return pd.DataFrame({**who, **times})


def _without_presence(tmp_path: Path) -> Path:
    folder = copy_example(tmp_path, keep_entries=False)
    (folder / "UserServicePresence.csv").unlink()
    (folder / "ServicePresenceStatus.csv").unlink()
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("by_group", [False, True])
def test_no_presence_with_a_schedule_gives_the_same_staffing(
        by_group: bool, plain: Calibration, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = _without_presence(tmp_path)
    schedule = tmp_path / "schedule.csv"
    _schedule_of(plain, by_group).to_csv(schedule, index=False)
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{folder}/UserServicePresence.csv: missing; an export needs AgentWork.csv, "
        "MessagingSession.csv, UserServicePresence.csv, ServicePresenceStatus.csv (without "
        "presence: give --schedule FILE or --staffing-from-work)")
    assert not out.exists()
    assert main(["calibrate", str(folder), "--out", str(out), "-q", "--schedule",
                 str(schedule)]) == 0
    group = load_scenario(out).agent_groups[0]
    assert group.name == "chat_agents"
    assert group.staffing == plain.values["agent_groups"][0]["staffing"]
    # Without ConfiguredCapacity, the capacity is the most work held at once: a warning.
    assert group.capacity == plain.values["agent_groups"][0]["capacity"] == 3
    assert "warning: agent_groups[chat_agents].capacity: no ConfiguredCapacity" in (
        capsys.readouterr().err)
    text = out.read_text(encoding="utf-8")
    assert ("agent_groups[chat_agents].disconnections.rate = 0: staffing from the schedule "
            "file, not UserServicePresence.csv: no offline gap is seen") in " ".join(
                line.lstrip("# ") for line in text.splitlines())


@pytest.mark.slow
def test_no_presence_staffing_from_work_is_low_and_says_so(
        plain: Calibration, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _without_presence(tmp_path)
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q",
                 "--staffing-from-work"]) == 0
    err = capsys.readouterr().err
    assert "warning: no UserServicePresence.csv: staffing inferred from work activity" in err
    inferred = load_scenario(out).agent_groups[0].staffing
    observed = plain.values["agent_groups"][0]["staffing"]
    assert inferred is not None and len(inferred) == len(observed)
    # Never more agents than were on shift; fewer agent-hours (idle edges unseen).
    assert all(a <= b + 1 for a, b in zip(inferred, observed, strict=True))
    assert 0.5 * sum(observed) < sum(inferred) < sum(observed)


@pytest.mark.parametrize(("text", "line"), [
    ("agent,start\n", "{path}:1: expected the columns agent or group, start, end (and "
     "optionally activity); found agent, start"),
    ("agent,start,end\n", "{path}: a header and no rows; expected one row per shift"),
    ("agent,start,end\n005A,2026-03-02T08:00Z,8am\n", "{path}:2:end: found '8am'; expected "
     "an ISO 8601 date-time such as 2026-03-02T08:00 or 2026-03-02 08:00Z"),
    ("group,start,end,activity\ng,2026-03-02T08:00Z,2026-03-02T09:00Z,lunch\n",
     "{path}:2:activity: found 'lunch'; expected shift or break"),
    ("group,start,end\ng,2026-03-02T08:00Z,2026-03-02T07:00Z\n",
     "{path}:2:end: not after start; expected a shift or break that ends after it starts"),
])
def test_bad_schedule_is_one_line(text: str, line: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    schedule = tmp_path / "schedule.csv"
    schedule.write_text(text, encoding="utf-8")
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(EXAMPLE), "--out", str(out), "--schedule",
                 str(schedule)]) == 2
    assert capsys.readouterr().err.strip() == "ccsim: error: " + line.format(path=schedule)
    assert not out.exists()


@pytest.mark.slow
def test_backtest_without_presence_uses_the_schedule(plain: Calibration, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = _without_presence(tmp_path)
    schedule = tmp_path / "schedule.csv"
    _schedule_of(plain, by_group=False).to_csv(schedule, index=False)
    scenario = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(scenario), "-q", "--schedule",
                 str(schedule)]) == 0
    out = tmp_path / "bt"
    code = main(["backtest", str(folder), str(scenario), "-r", "2", "-q", "--out", str(out),
                 "--schedule", str(schedule)])
    assert code in (0, 3), capsys.readouterr().err
    summary = pd.read_csv(out / "backtest_summary.csv", keep_default_na=False)
    horizon = summary[summary["level"] == "horizon"].set_index("measure")
    # No ConfiguredCapacity without presence: occupancy is not observed, and says so.
    assert horizon.loc["occupancy", "verdict"] == "n/a"
    assert horizon.loc["offered", "verdict"] == "pass"
