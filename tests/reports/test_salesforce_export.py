"""The Omni-Channel export of a traced run (``ccsim run --salesforce-export``).

Each file must be a faithful record of the run: every routing one AgentWork row with the
status Omni-Channel writes, the sessions' waits, handle times and messages as the sessions
table has them, presence rows that add up to the agents' online and at-capacity time, and
CSV files that read back unchanged.
"""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import ccsim, desk_yaml, one_error_line, write

import sim
from sim.salesforce import fields
from sim.salesforce.export import export_tables, presence_periods, write_export
from sim.salesforce.fields import (
    FILE_COLUMNS,
    AgentWorkStatus,
    salesforce_id,
    with_checksum,
)
from sim.salesforce.read import read_export

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
EXAMPLE = ROOT / "examples" / "salesforce-export"

CASES = [
    ("web_chat_desk.yaml", "tab"),
    ("web_chat_desk.yaml", "status"),
    ("outbound_campaign_enhanced.yaml", "status"),
    ("unstable_connections.yaml", "tab"),
    ("unstable_connections.yaml", "status"),
    ("multichannel_center.yaml", "status"),
]
ROUNDING_S = 0.5 + 1e-3  # whole seconds from times kept to the millisecond
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@cache
def traced(name: str, model: str) -> tuple[sim.Result, dict[str, pd.DataFrame]]:
    scenario = sim.load_scenario(SCENARIOS / name, [f"capacity_model={model}", "warmup=0"])
    result = sim.simulate(scenario, trace=True)
    return result, export_tables(result)


def sessions_with_ids(result: sim.Result, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    sessions = result.sessions.copy()
    sessions["Id"] = tables[fields.MESSAGING_SESSION_FILE]["Id"].to_numpy()
    return sessions.set_index("Id")


def seconds(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier).dt.total_seconds()).to_numpy(dtype=float)


# ------------------------------------------------------------------------------------ Ids
def test_ids_carry_the_salesforce_case_checksum() -> None:
    assert with_checksum("0015000000Gv7qJ") == "0015000000Gv7qJAAR"  # the documented example
    assert salesforce_id("0Mw", 1) == "0Mw000000000001CAA"
    assert salesforce_id("005", 42) == "005000000000042AAA"
    with pytest.raises(ValueError):
        salesforce_id("0M", 1)
    with pytest.raises(ValueError):
        salesforce_id("0Mw", 10**12)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "model"), CASES)
def test_every_file_has_its_columns_and_unique_ids(name: str, model: str) -> None:
    result, tables = traced(name, model)
    assert list(tables) == list(FILE_COLUMNS)
    for file_name, table in tables.items():
        assert tuple(table.columns) == FILE_COLUMNS[file_name], file_name
        if "Id" in table:
            ids = table["Id"]
            assert ids.is_unique, file_name
            assert ids.str.len().eq(18).all(), file_name
    work = tables[fields.AGENT_WORK_FILE]
    sessions = set(tables[fields.MESSAGING_SESSION_FILE]["Id"])
    users = set(tables[fields.USERS_FILE]["UserId"])
    assert set(work["WorkItemId"]) <= sessions
    assert set(work["UserId"]) <= users
    assert set(work["OriginalQueueId"]) <= set(tables[fields.QUEUE_FILE]["Id"])
    presence = tables[fields.USER_SERVICE_PRESENCE_FILE]
    assert set(presence["UserId"]) <= users
    assert set(presence["ServicePresenceStatusId"]) <= set(
        tables[fields.SERVICE_PRESENCE_STATUS_FILE]["Id"])
    assert set(tables[fields.CONVERSATION_ENTRY_FILE]["ConversationId"]) <= sessions
    groups = tables[fields.USERS_FILE].set_index("UserId")["Group"]
    assert sorted(groups.unique()) == sorted(g.name for g in result.scenario.agent_groups)


# ----------------------------------------------------------------------------- AgentWork
@pytest.mark.slow
@pytest.mark.parametrize(("name", "model"), CASES)
def test_one_agent_work_row_per_routing(name: str, model: str) -> None:
    result, tables = traced(name, model)
    work = tables[fields.AGENT_WORK_FILE]
    assert result.work is not None
    assert len(work) == len(result.work)
    assert set(work["Status"]) <= set(vars(AgentWorkStatus).values())
    sessions = sessions_with_ids(result, tables)
    refused = work["Status"].isin(
        [AgentWorkStatus.DECLINED, AgentWorkStatus.DECLINED_ON_PUSH_TIMEOUT])
    # A decline or push timeout sends the session back to Waiting: it is routed again.
    refusals = work[refused].groupby("WorkItemId").size()
    requeues = work[work["Status"] == AgentWorkStatus.UNAVAILABLE].groupby("WorkItemId").size()
    reroutes = sessions["reroutes"]
    assert (refusals.reindex(reroutes.index, fill_value=0) <= reroutes).all()
    assert (refusals.reindex(reroutes.index, fill_value=0)
            + requeues.reindex(reroutes.index, fill_value=0) >= reroutes).all()
    # After each refusal the session gets a new row, unless it ended before another push.
    for session_id, rows in work.sort_values("AssignedDateTime").groupby("WorkItemId"):
        statuses = rows["Status"].tolist()
        for position, status in enumerate(statuses[:-1]):
            if status in (AgentWorkStatus.DECLINED, AgentWorkStatus.DECLINED_ON_PUSH_TIMEOUT):
                later = rows.iloc[position + 1]
                assert later["AssignedDateTime"] >= rows.iloc[position]["DeclineDateTime"] or (
                    later["AssignedDateTime"] >= rows.iloc[position]["PushTimeoutDateTime"])
        if statuses[-1] in (AgentWorkStatus.DECLINED, AgentWorkStatus.DECLINED_ON_PUSH_TIMEOUT):
            assert sessions.at[session_id, "outcome"] in ("abandoned", "open_at_horizon",
                                                         "timed_out")


def test_declines_on_the_desk_are_exactly_its_reroutes() -> None:
    result, tables = traced("web_chat_desk.yaml", "tab")  # no disconnections, no logouts
    work = tables[fields.AGENT_WORK_FILE]
    sessions = sessions_with_ids(result, tables)
    refusals = work[work["Status"].isin(
        [AgentWorkStatus.DECLINED, AgentWorkStatus.DECLINED_ON_PUSH_TIMEOUT])]
    assert len(refusals) > 10
    counted = refusals.groupby("WorkItemId").size().reindex(sessions.index, fill_value=0)
    assert (counted == sessions["reroutes"]).all()


@pytest.mark.parametrize(("name", "model"), CASES)
def test_answered_sessions_have_an_accepted_row_and_abandoned_ones_none(
    name: str, model: str
) -> None:
    result, tables = traced(name, model)
    work = tables[fields.AGENT_WORK_FILE]
    sessions = sessions_with_ids(result, tables)
    accepted = work[work["AcceptDateTime"].notna()]
    answered = sessions[sessions["accept_time"].notna()]
    assert set(accepted["WorkItemId"]) == set(answered.index)
    first = accepted.sort_values("AcceptDateTime").groupby("WorkItemId").first()
    speed = first.loc[answered.index, "SpeedToAnswer"].to_numpy(dtype=float)
    assert np.abs(speed - answered["wait_s"].to_numpy()).max() <= ROUNDING_S
    abandoned = sessions[sessions["outcome"] == "abandoned"]
    assert not accepted["WorkItemId"].isin(abandoned.index).any()
    messaging = tables[fields.MESSAGING_SESSION_FILE].set_index("Id")
    assert (messaging.loc[abandoned.index, "EndedByType"] == "EndUser").all()
    assert (messaging.loc[abandoned.index, "Status"] == "Ended").all()
    open_ = sessions[sessions["outcome"] == "open_at_horizon"].index
    assert messaging.loc[open_, "EndedByType"].isna().all()
    assert messaging.loc[open_, "EndTime"].isna().all()
    assert (messaging.loc[open_, "Status"] != "Ended").all()
    ended = sessions[sessions["outcome"] != "open_at_horizon"].index
    assert (messaging.loc[ended, "Status"] == "Ended").all()
    assert messaging.loc[ended, "EndedByType"].notna().all()


@pytest.mark.parametrize(("name", "model"), CASES)
def test_completed_sessions_close_with_their_handle_time_and_acw(name: str, model: str) -> None:
    result, tables = traced(name, model)
    work = tables[fields.AGENT_WORK_FILE]
    sessions = sessions_with_ids(result, tables)
    # completed and released (a wrap-up still under way at the horizon has no close yet)
    completed = sessions[(sessions["outcome"] == "completed") & sessions["release_time"].notna()]
    assert len(completed) > 100
    closing = work[work["CloseDateTime"].notna()].sort_values("CloseDateTime")
    last = closing.groupby("WorkItemId").last().loc[completed.index]
    handle = last["HandleTime"].to_numpy(dtype=float)
    assert np.abs(handle - completed["handle_time_s"].to_numpy()).max() <= ROUNDING_S
    acw = last["AfterConversationActualTime"].to_numpy(dtype=float)
    assert np.abs(acw - completed["acw_s"].to_numpy()).max() <= ROUNDING_S
    acw_groups = {g.name for g in result.scenario.agent_groups
                  if g.behaviour.after_conversation_work.enabled}
    group_of = result.agents.set_index("agent_id")["group"]
    wraps_up = group_of.reindex(completed["agent_id"]).isin(acw_groups).to_numpy()
    if model == "status":
        assert (acw[~wraps_up] == 0).all()  # End Chat releases the work at once (rules §4.1)
        assert wraps_up.any() == bool(acw_groups)
        if wraps_up.any():  # a wrap-up (ACW) after End Chat (rules §4.9)
            assert (acw[wraps_up] > 0).mean() > 0.9
    else:
        assert (acw > 0).mean() > 0.9  # the tab closes after End Chat (rules §3)
    assert (work.loc[work["Status"] == AgentWorkStatus.CLOSED, "CloseDateTime"].notna()).all()


@pytest.mark.parametrize(("name", "model"), CASES)
def test_agent_work_durations_are_their_date_time_differences(name: str, model: str) -> None:
    _, tables = traced(name, model)
    work = tables[fields.AGENT_WORK_FILE]
    accepted = work[work["AcceptDateTime"].notna()]
    speed = seconds(accepted["AcceptDateTime"], accepted["RequestDateTime"])
    assert np.abs(accepted["SpeedToAnswer"].to_numpy(dtype=float) - speed).max() <= ROUNDING_S
    closed = accepted[accepted["CloseDateTime"].notna()]
    handle = seconds(closed["CloseDateTime"], closed["AcceptDateTime"])
    assert np.abs(closed["HandleTime"].to_numpy(dtype=float) - handle).max() <= ROUNDING_S
    active = closed["ActiveTime"].to_numpy(dtype=float)
    acw = closed["AfterConversationActualTime"].fillna(0).to_numpy(dtype=float)
    assert np.abs(active + acw - handle).max() <= 2 * ROUNDING_S
    assert (work["RequestDateTime"] <= work["AssignedDateTime"]).all()
    assert (accepted["AssignedDateTime"] <= accepted["AcceptDateTime"]).all()
    by_status = {
        AgentWorkStatus.DECLINED: "DeclineDateTime",
        AgentWorkStatus.DECLINED_ON_PUSH_TIMEOUT: "PushTimeoutDateTime",
        AgentWorkStatus.CANCELED: "CancelDateTime",
    }
    for status, column in by_status.items():
        rows = work[work["Status"] == status]
        assert rows[column].notna().all() and rows["AcceptDateTime"].isna().all(), status
        assert work.loc[work["Status"] != status, column].isna().all(), status
    opened = work[work["Status"].isin([AgentWorkStatus.OPENED, AgentWorkStatus.ASSIGNED])]
    assert opened["CloseDateTime"].isna().all()  # still open at the horizon
    model_name = "TabBased" if model == "tab" else "StatusBased"
    assert (work["CapacityModel"] == model_name).all()


def test_capacity_percentage_or_weight_as_the_channel_says(tmp_path: Path) -> None:
    yaml = desk_yaml(agents=2, capacity=100).replace("capacity: 100,", "capacity_percent: 100,")
    yaml = yaml.replace("queue: support\n", "queue: support\n    capacity_percentage: 40\n", 1)
    scenario = sim.load_scenario(write(tmp_path, yaml))
    tables = export_tables(sim.simulate(scenario, trace=True))
    work = tables[fields.AGENT_WORK_FILE]
    assert (work["CapacityPercentage"] == 40).all() and work["CapacityWeight"].isna().all()
    presence = tables[fields.USER_SERVICE_PRESENCE_FILE]
    assert (presence["ConfiguredCapacity"] == 100).all()
    _, desk = traced("web_chat_desk.yaml", "tab")
    desk_work = desk[fields.AGENT_WORK_FILE]
    assert (desk_work["CapacityWeight"] == 1).all() and desk_work["CapacityPercentage"].isna().all()


# ------------------------------------------------------------------- sessions and messages
@pytest.mark.parametrize(("name", "model"), CASES)
def test_conversation_entries_are_the_sessions_messages(name: str, model: str) -> None:
    result, tables = traced(name, model)
    sessions = sessions_with_ids(result, tables)
    entries = tables[fields.CONVERSATION_ENTRY_FILE]
    counts = entries.groupby(["ConversationId", "ActorType"]).size().unstack(fill_value=0)
    counts = counts.reindex(sessions.index, fill_value=0)
    assert (counts["EndUser"] == sessions["customer_messages"]).all()
    assert (counts["Agent"] == sessions["agent_messages"]).all()
    for _, seq in entries.groupby("ConversationId")["Seq"]:
        assert seq.tolist() == list(range(1, len(seq) + 1))
    messaging = tables[fields.MESSAGING_SESSION_FILE].set_index("Id")
    assert (messaging["AgentMessageCount"] == sessions["agent_messages"]).all()
    assert (messaging["EndUserMessageCount"] == sessions["customer_messages"]).all()
    start = messaging.loc[entries["ConversationId"], "StartTime"].to_numpy()
    assert (entries["EntryTime"].to_numpy() >= start).all()


def test_origin_and_owner_follow_who_started_and_who_took_the_session() -> None:
    result, tables = traced("outbound_campaign_enhanced.yaml", "status")
    sessions = sessions_with_ids(result, tables)
    messaging = tables[fields.MESSAGING_SESSION_FILE].set_index("Id")
    outbound = sessions["direction"] == "outbound"
    assert outbound.any() and (~outbound).any()
    assert (messaging.loc[outbound[outbound].index, "Origin"] == "TriggeredOutbound").all()
    assert (messaging.loc[outbound[~outbound].index, "Origin"] == "InboundInitiated").all()
    entries = tables[fields.CONVERSATION_ENTRY_FILE]
    first = entries[entries["Seq"] == 1].set_index("ConversationId")["ActorType"]
    assert (first.loc[outbound[outbound].index] == "Agent").all()  # the business writes first
    assert (first.loc[outbound[~outbound].index] == "EndUser").all()
    users = tables[fields.USERS_FILE]["UserId"]
    taken = sessions["agent_id"] >= 0
    assert messaging.loc[taken[taken].index, "OwnerId"].isin(set(users)).all()
    queues = set(tables[fields.QUEUE_FILE]["Id"])
    assert messaging.loc[taken[~taken].index, "OwnerId"].isin(queues).all()
    assert (messaging["ChannelType"] == "WhatsApp").any() or (
        messaging["ChannelType"].isin(set(fields.CHANNEL_TYPES.values())).all())


# ------------------------------------------------------------------------------- presence
@pytest.mark.parametrize(("name", "model"), CASES)
def test_presence_rows_add_up_to_the_agents_online_and_at_capacity_time(
    name: str, model: str
) -> None:
    result, tables = traced(name, model)
    periods = presence_periods(result)
    agents = result.agents.set_index("agent_id")
    horizon = result.scenario.horizon
    online = (periods["end_time"].fillna(horizon) - periods["start_time"]).groupby(
        periods["agent_id"]).sum().reindex(agents.index, fill_value=0.0)
    np.testing.assert_allclose(online, agents["online_s"], atol=1e-6)
    at_capacity = periods.groupby("agent_id")["at_capacity_s"].sum().reindex(
        agents.index, fill_value=0.0)
    np.testing.assert_allclose(at_capacity, agents["at_capacity_s"], atol=1e-6)
    assert agents["at_capacity_s"].sum() > 0
    length = periods["end_time"].fillna(horizon) - periods["start_time"]
    assert (periods["idle_s"] <= length + 1e-9).all()
    assert (periods["at_capacity_s"] + periods["idle_s"] <= length + 1e-9).all()
    presence = tables[fields.USER_SERVICE_PRESENCE_FILE]
    closed = presence["StatusEndDate"].notna()
    duration = seconds(presence.loc[closed, "StatusEndDate"],
                       presence.loc[closed, "StatusStartDate"])
    assert np.abs(presence.loc[closed, "StatusDuration"].to_numpy(dtype=float)
                  - duration).max() <= ROUNDING_S
    assert presence.loc[~closed, ["StatusDuration", "AtCapacityDuration",
                                  "IdleDuration"]].isna().all().all()
    statuses = tables[fields.SERVICE_PRESENCE_STATUS_FILE].set_index("Id")["DeveloperName"]
    names = presence["ServicePresenceStatusId"].map(statuses)
    assert (presence["IsAway"] == names.isin(list(fields.AWAY_STATUSES))).all()
    # One user's rows follow each other without overlapping.
    for _, rows in presence.groupby("UserId"):
        ends = rows["StatusEndDate"].iloc[:-1].to_numpy()
        assert (rows["StatusStartDate"].iloc[1:].to_numpy() >= ends).all()


def test_decline_makes_the_agent_busy_for_its_away_time() -> None:
    _, tables = traced("web_chat_desk.yaml", "tab")
    presence = tables[fields.USER_SERVICE_PRESENCE_FILE]
    busy = presence[presence["IsAway"] & presence["StatusEndDate"].notna()]
    assert len(busy) > 0
    scenario = sim.load_scenario(SCENARIOS / "web_chat_desk.yaml")
    away_s = scenario.agent_groups[0].behaviour.away_after_decline
    assert (busy["StatusDuration"] <= away_s).all()
    assert (busy["StatusDuration"] == away_s).mean() > 0.5


# ---------------------------------------------------------------------------------- files
@pytest.mark.slow
def test_csv_files_read_back_unchanged(tmp_path: Path) -> None:
    _, tables = traced("multichannel_center.yaml", "status")
    written = write_export(tables, tmp_path)
    assert sorted(path.name for path in written) == sorted(FILE_COLUMNS)
    for name, table in tables.items():
        raw = (tmp_path / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
        text = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
        assert tuple(text.columns) == FILE_COLUMNS[name]
        for column in fields.DATETIME_COLUMNS.get(name, ()):
            given = text[column][text[column] != ""]
            assert given.str.match(ISO_UTC).all(), (name, column)
            parsed = pd.to_datetime(text[column].replace("", None), utc=True, format="ISO8601")
            assert parsed.equals(table[column].dt.as_unit("ns")) or (
                (parsed.isna() == table[column].isna()).all()
                and (parsed.dropna().to_numpy() == table[column].dropna().to_numpy()).all()
            ), (name, column)
        numbers = pd.read_csv(tmp_path / name)
        for column in table.columns:
            if column in fields.DATETIME_COLUMNS.get(name, ()):
                continue
            if table[column].dtype == bool:
                assert set(text[column]) <= {"true", "false"}
                assert (text[column].eq("true") == table[column]).all()
            elif pd.api.types.is_numeric_dtype(table[column]):
                np.testing.assert_allclose(numbers[column].to_numpy(dtype=float),
                                           table[column].to_numpy(dtype=float), equal_nan=True)
            else:
                assert (text[column] == table[column].fillna("").astype(str)).all(), column
    export = read_export(tmp_path)
    assert len(export.agent_work) == len(tables[fields.AGENT_WORK_FILE])
    assert export.notes == []  # every date-time has its zone


@pytest.mark.slow
def test_same_seed_same_export() -> None:
    scenario = sim.load_scenario(SCENARIOS / "web_chat_desk.yaml", ["horizon=3h"])
    first = export_tables(sim.simulate(scenario, trace=True))
    second = export_tables(sim.simulate(scenario, trace=True))
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_untraced_result_is_refused() -> None:
    scenario = sim.load_scenario(SCENARIOS / "web_chat_desk.yaml", ["horizon=1h"])
    with pytest.raises(ValueError, match="trace=True"):
        export_tables(sim.simulate(scenario))


# ------------------------------------------------------------------------- command line
@pytest.mark.slow
def test_run_writes_the_export_of_replication_zero(tmp_path: Path) -> None:
    path = write(tmp_path, desk_yaml(horizon="3h", rate="40/h",
                                     customers="{patience: {kind: exponential, mean: 2m}}"))
    done = ccsim("run", path, "-r", "2", "-q", "--out", tmp_path / "out",
                 "--salesforce-export", tmp_path / "export", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == sorted(FILE_COLUMNS)
    sessions = pd.read_parquet(tmp_path / "out" / "sessions.parquet")
    first = sessions[sessions["replication"] == 0] if "replication" in sessions else sessions
    exported = pd.read_csv(tmp_path / "export" / fields.MESSAGING_SESSION_FILE)
    assert len(exported) == len(first)
    assert (exported["Status"] == "Ended").sum() == (first["outcome"] != "open_at_horizon").sum()


@pytest.mark.slow
def test_export_inside_the_report_folder_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, desk_yaml(horizon="1h"))
    done = ccsim("run", path, "-r", "1", "-q", "--out", tmp_path / "out",
                 "--salesforce-export", tmp_path / "out" / "sf", cwd=tmp_path)
    line = one_error_line(done.returncode, done.stderr)
    assert "--salesforce-export" in line and "--out" in line
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- example
def example_command() -> list[str]:
    """The ``ccsim`` arguments the README of the example gives (one shell command)."""
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(ccsim run .*?)\n```", readme, re.DOTALL)
    assert block is not None, "the README shows the command in a ```sh block"
    return shlex.split(block.group(1).replace("\\\n", " "))[1:]


@pytest.mark.slow
def test_example_is_what_its_command_writes(tmp_path: Path) -> None:
    arguments = example_command()
    export_at = arguments.index("--salesforce-export") + 1
    out_at = arguments.index("--out") + 1
    arguments[export_at] = str(tmp_path / "export")
    arguments[out_at] = str(tmp_path / "out")
    done = ccsim(*arguments, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    for name in FILE_COLUMNS:
        assert (tmp_path / "export" / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def test_example_is_small_and_holds_enough_abandonments() -> None:
    size = sum((EXAMPLE / name).stat().st_size for name in FILE_COLUMNS)
    assert size < 6_000_000
    export = read_export(EXAMPLE)
    sessions = export.sessions
    assert (sessions["EndedByType"] == "EndUser").sum() >= 500
    days = sessions["StartTime"].dt.normalize().nunique()
    assert days >= 3


@pytest.mark.parametrize(("start", "first"), [
    (None, "2026-03-02T00:00:00.000Z"),  # undated: the export's Monday, UTC
    ('"08:00"', "2026-03-02T08:00:00.000Z"),
    ('"2026-05-04 09:30"', "2026-05-04T09:30:00.000Z"),  # no zone: taken as UTC
    ('"2026-05-04 09:30 Europe/Paris"', "2026-05-04T07:30:00.000Z"),
])
def test_date_times_count_from_the_scenario_start(
    tmp_path: Path, start: str | None, first: str
) -> None:
    yaml = desk_yaml(horizon="1h") + (f"start: {start}\n" if start else "")
    scenario = sim.load_scenario(write(tmp_path, yaml))
    tables = export_tables(sim.simulate(scenario, trace=True))
    presence = tables[fields.USER_SERVICE_PRESENCE_FILE]
    write_export(tables, tmp_path)
    text = pd.read_csv(tmp_path / fields.USER_SERVICE_PRESENCE_FILE, dtype=str)
    assert text["StatusStartDate"].min() == first
    assert str(presence["StatusStartDate"].dt.tz) == "UTC"


def test_agent_type_tells_bot_and_agent_handling_apart() -> None:
    # rules §8.1: MessagingSession.AgentType Bot / BotToAgent / Agent
    scenario = sim.load_scenario(SCENARIOS / "modern_center.yaml", ["horizon=3h"])
    result = sim.simulate(scenario, trace=True)
    sessions = result.sessions
    agent_type = export_tables(result)[fields.MESSAGING_SESSION_FILE]["AgentType"]
    by_bot = sessions["outcome"].isin(["resolved_by_bot", "left_in_bot"]).to_numpy()
    handed = (sessions["bot_s"].notna() & sessions["request_time"].notna()).to_numpy()
    assert (agent_type[by_bot] == "Bot").all() and by_bot.any()
    assert (agent_type[handed] == "BotToAgent").all() and handed.any()
    assert set(agent_type[~by_bot & ~handed]) <= {"Agent", "Bot"}  # still with the bot: Bot
