"""Bad exports: one line each naming the file, the row and the column; exit 2; nothing written.

A small hand-written export (two sessions, two work items, one agent) is valid; each test
breaks it in one way and checks the exact problem line of ``ccsim calibrate``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main
from sim.salesforce.read import ExportError, read_export
from sim.scenario.loading import load_scenario

AGENT_WORK = (
    "Id,WorkItemId,UserId,ServiceChannelId,OriginalQueueId,RequestDateTime,AssignedDateTime,"
    "AcceptDateTime,DeclineDateTime,PushTimeoutDateTime,CancelDateTime,CloseDateTime,"
    "SpeedToAnswer,HandleTime,ActiveTime,AfterConversationActualTime,CapacityWeight,"
    "CapacityPercentage,CapacityModel,Status\n"
    "0Bz1,0Mw1,005A,0N91,00G1,2026-03-02T08:00:00.000Z,2026-03-02T08:00:01.000Z,"
    "2026-03-02T08:00:06.000Z,,,,2026-03-02T08:10:00.000Z,6,594,564,30,1,,TabBased,Closed\n"
    "0Bz2,0Mw2,005A,0N91,00G1,2026-03-02T08:05:00.000Z,2026-03-02T08:05:01.000Z,,"
    "2026-03-02T08:05:06.000Z,,,,,,,,1,,TabBased,Declined\n"
)
MESSAGING_SESSION = (
    "Id,ChannelType,MessagingChannelId,Origin,Status,StartTime,AcceptTime,EndTime,EndedByType,"
    "AgentMessageCount,EndUserMessageCount,OwnerId\n"
    "0Mw1,EmbeddedMessaging,0Mj1,InboundInitiated,Ended,2026-03-02T08:00:00.000Z,"
    "2026-03-02T08:00:06.000Z,2026-03-02T08:09:30.000Z,Agent,3,3,005A\n"
    "0Mw2,EmbeddedMessaging,0Mj1,InboundInitiated,Ended,2026-03-02T08:05:00.000Z,,"
    "2026-03-02T08:07:00.000Z,EndUser,0,1,00G1\n"
)
PRESENCE = (
    "Id,UserId,ServicePresenceStatusId,StatusStartDate,StatusEndDate,StatusDuration,IsAway,"
    "ConfiguredCapacity,AtCapacityDuration,IdleDuration\n"
    "0Hn1,005A,0N51,2026-03-02T07:55:00.000Z,2026-03-02T12:00:00.000Z,14700,false,3,0,100\n"
)
STATUSES = "Id,DeveloperName,MasterLabel\n0N51,Available_Messaging,Available - Messaging\n"
FILES = {"AgentWork.csv": AGENT_WORK, "MessagingSession.csv": MESSAGING_SESSION,
         "UserServicePresence.csv": PRESENCE, "ServicePresenceStatus.csv": STATUSES}


def _export(tmp_path: Path, **changes: str | bytes) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in FILES.items():
        content = changes.get(name.removesuffix(".csv"), text)
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def _refused(tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run calibrate; check exit 2 and that nothing was written; return the problem lines."""
    out = tmp_path / "out" / "center.yaml"
    charts = tmp_path / "charts"
    code = main(["calibrate", str(folder), "--out", str(out), "--charts", str(charts)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert not out.exists() and not out.parent.exists() and not charts.exists()
    return [line.replace(str(folder) + "/", "") for line in lines]


def test_the_base_export_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path)
    export = read_export(folder)
    assert list(export.agent_work["row"]) == [2, 3]
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q"]) == 0, (
        capsys.readouterr().err)
    assert out.exists()


def test_missing_required_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, AgentWork=AGENT_WORK.replace(",Status\n", ",State\n", 1))
    assert _refused(tmp_path, folder, capsys) == [
        "AgentWork.csv:1:Status: missing required column; the header needs the field API "
        "names Id, WorkItemId, UserId, ServiceChannelId, OriginalQueueId or OriginalGroupId, "
        "RequestDateTime, AssignedDateTime, AcceptDateTime, CloseDateTime, CapacityModel, "
        "Status"]


def test_unparseable_date_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION.replace(
        "2026-03-02T08:07:00.000Z", "3/2/2026 8:07 AM"))
    assert _refused(tmp_path, folder, capsys) == [
        "MessagingSession.csv:3:EndTime: found '3/2/2026 8:07 AM'; expected an ISO 8601 "
        "date-time such as 2026-03-02T08:00:00.000Z (a report's date-times such as "
        "11/2/2026 8:00 AM: give --date-format us, or day-first)"]


def test_report_date_needs_its_option_and_then_reads(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION.replace(
        "2026-03-02T08:07:00.000Z", "3/2/2026 8:07 AM"))
    export = read_export(folder, date_format="us")
    assert export.sessions["EndTime"].iloc[1] == pd.Timestamp("2026-03-02T08:07:00Z")
    new_york = read_export(folder, date_format="us", report_zone="America/New_York")
    assert new_york.sessions["EndTime"].iloc[1] == pd.Timestamp("2026-03-02T13:07:00Z")
    # A day-first reading of the same text is 3 February: before its StartTime.
    with pytest.raises(ExportError, match="EndTime must not precede StartTime"):
        read_export(folder, date_format="day-first")


def test_impossible_date_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION.replace(
        "2026-03-02T08:07:00.000Z", "2026-02-30T08:07:00.000Z"))
    assert _refused(tmp_path, folder, capsys) == [
        "MessagingSession.csv:3:EndTime: found '2026-02-30T08:07:00.000Z'; expected an ISO "
        "8601 date-time such as 2026-03-02T08:00:00.000Z"]


def test_naive_date_time_mixed_with_offsets_in_a_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION.replace(
        "2026-03-02T08:05:00.000Z", "2026-03-02T08:05:00.000"))
    assert _refused(tmp_path, folder, capsys) == [
        "MessagingSession.csv:3:StartTime: date-time '2026-03-02T08:05:00.000' has no offset "
        "but row 2 has one ('2026-03-02T08:00:00.000Z'); expected Z or an offset on every "
        "date-time"]


def test_naive_file_mixed_with_offsets_in_another(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, UserServicePresence=PRESENCE.replace(".000Z", ""))
    assert _refused(tmp_path, folder, capsys) == [
        "UserServicePresence.csv:2:StatusStartDate: date-times without offset but "
        "AgentWork.csv row 2 RequestDateTime has one; expected Z or an offset on every "
        "date-time"]


def test_close_before_accept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, AgentWork=AGENT_WORK.replace(
        "2026-03-02T08:10:00.000Z", "2026-03-02T08:00:03.000Z"))
    assert _refused(tmp_path, folder, capsys) == [
        "AgentWork.csv:2:CloseDateTime: 2026-03-02T08:00:03Z is before AcceptDateTime "
        "2026-03-02T08:00:06Z; CloseDateTime must not precede AcceptDateTime"]


def test_duplicate_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION.replace("\n0Mw2,", "\n0Mw1,"))
    assert _refused(tmp_path, folder, capsys) == [
        "MessagingSession.csv:3:Id: duplicate Id '0Mw1' (first at row 2); each Id must "
        "appear once"]


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, UserServicePresence="")
    assert _refused(tmp_path, folder, capsys) == [
        "UserServicePresence.csv: empty file; expected a header of field API names and one "
        "row per record"]


def test_not_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession='{"records": [{"Id": "0Mw1"}]}\n')
    assert _refused(tmp_path, folder, capsys) == [
        'MessagingSession.csv:1: not a MessagingSession.csv export with COMMA delimiters: the '
        'header ({"records": [{"Id": "0Mw1"}]}) has none of the field API names Id, '
        "ChannelType, Origin, Status, StartTime, AcceptTime, EndTime, AgentMessageCount, "
        "EndUserMessageCount"]


def test_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, AgentWork=b"PK\x03\x04\x00\x00binary zip")
    assert _refused(tmp_path, folder, capsys) == [
        "AgentWork.csv:1: not CSV (binary data); expected a UTF-8 CSV export"]


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION.replace(
        "EndUser,0,1", "EndUser,0,1").encode("utf-8").replace(b"00G1", b"00G\xe9"))
    assert _refused(tmp_path, folder, capsys) == [
        "MessagingSession.csv:3: not UTF-8 text; expected a UTF-8 CSV (with or without BOM)"]


def test_ragged_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, MessagingSession=MESSAGING_SESSION + "0Mw3,Text,0Mj1\n")
    assert _refused(tmp_path, folder, capsys) == [
        "MessagingSession.csv:4: not CSV: 3 fields where the header has 12 (with COMMA "
        "delimiters)"]


def test_wrong_delimiter_says_which(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, ServicePresenceStatus=STATUSES.replace(",", ";"))
    assert _refused(tmp_path, folder, capsys) == [
        "ServicePresenceStatus.csv:1: not a ServicePresenceStatus.csv export with COMMA "
        "delimiters: the header (Id;DeveloperName;MasterLabel) has none of the field API "
        "names Id, DeveloperName; give --delimiter SEMICOLON"]


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path)
    (folder / "UserServicePresence.csv").unlink()
    assert _refused(tmp_path, folder, capsys) == [
        "UserServicePresence.csv: missing; an export needs AgentWork.csv, "
        "MessagingSession.csv, UserServicePresence.csv, ServicePresenceStatus.csv (without "
        "presence: give --schedule FILE or --staffing-from-work)"]


def test_bad_number_and_several_problems_at_once(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(
        tmp_path,
        AgentWork=AGENT_WORK.replace(",1,,TabBased,Closed", ",one,,TabBased,Closed"),
        MessagingSession=MESSAGING_SESSION.replace("\n0Mw2,", "\n0Mw1,"),
    )
    assert _refused(tmp_path, folder, capsys) == [
        "AgentWork.csv:2:CapacityWeight: found 'one'; expected a number",
        "MessagingSession.csv:3:Id: duplicate Id '0Mw1' (first at row 2); each Id must "
        "appear once"]


def test_read_export_raises_one_problem_per_line(tmp_path: Path) -> None:
    folder = _export(tmp_path, UserServicePresence="")
    with pytest.raises(ExportError) as caught:
        read_export(folder)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(str(folder / "UserServicePresence.csv"))


REQUIRED_ONLY = {
    "AgentWork.csv": ["Id", "WorkItemId", "UserId", "ServiceChannelId", "OriginalQueueId",
                      "RequestDateTime", "AssignedDateTime", "AcceptDateTime", "CloseDateTime",
                      "CapacityModel", "Status"],
    "UserServicePresence.csv": ["UserId", "ServicePresenceStatusId", "StatusStartDate",
                                "ConfiguredCapacity"],
}


@pytest.mark.parametrize("name", ["AgentWork", "MessagingSession", "UserServicePresence",
                                  "ServicePresenceStatus"])
def test_header_only_file_is_refused(name: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, **{name: FILES[f"{name}.csv"].splitlines()[0] + "\n"})
    assert _refused(tmp_path, folder, capsys) == [
        f"{name}.csv: a header and no rows; expected one row per record (did the query's "
        "filter match nothing?)"]


def test_work_of_no_known_session_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, AgentWork=AGENT_WORK.replace(",0Mw", ",0Mx"))
    assert _refused(tmp_path, folder, capsys) == [
        "ccsim: error: AgentWork.csv: none of its 2 work items has a WorkItemId "
        "among the 2 MessagingSession Ids; expected the work of the same sessions (15- and "
        "18-character Ids are matched)"]


def test_required_columns_only_calibrate(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path)
    for name, columns in REQUIRED_ONLY.items():
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        table[columns].to_csv(folder / name, index=False)
    out = tmp_path / "lean.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q"]) == 0, (
        capsys.readouterr().err)
    assert out.exists()


def test_capacity_in_percent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path, AgentWork=AGENT_WORK.replace(",1,,TabBased", ",,40,TabBased"),
                     UserServicePresence=PRESENCE.replace(",false,3,", ",false,100,"))
    out = tmp_path / "center.yaml"
    assert main(["calibrate", str(folder), "--out", str(out), "-q"]) == 0, (
        capsys.readouterr().err)
    scenario = load_scenario(out)
    assert scenario.channels[0].capacity_percentage == 40
    assert scenario.agent_groups[0].capacity_percent == 100
