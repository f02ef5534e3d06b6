"""Calibration round trip: simulate a known center, export it, calibrate, recover the truth.

The truth is ``tests/calibration_helpers.TRUTH`` (two days, 546 abandonments in its
replication 0). Exact: capacity, work size, capacity model and staffing. Within their
intervals: arrivals per interval (exact Poisson CI), patience (censored fit, within 10%),
exchanges and reply times (within 5%). Also: the written YAML runs as it is with a comment
per fitted key; BOM, CRLF, TAB delimiters and offsets read as the plain export; unusable
rows are counted.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_helpers import DAY_STAFFING, TRUTH, export_truth
from scipy import stats

from sim.calibration.center import Calibration, calibrate
from sim.calibration.scenario_yaml import scenario_yaml
from sim.cli.main import main
from sim.salesforce import fields
from sim.salesforce.read import read_export
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("export")
    result = export_truth(folder)
    return folder, result.sessions


@pytest.fixture(scope="module")
def calibration(exported: tuple[Path, pd.DataFrame]) -> Calibration:
    return calibrate(read_export(exported[0]))


@pytest.mark.slow
def test_capacity_sizes_model_and_staffing_exact(calibration: Calibration) -> None:
    group = calibration.values["agent_groups"][0]
    channel = calibration.values["channels"][0]
    assert group["capacity"] == TRUTH.agent_groups[0].capacity
    assert channel["capacity_weight"] == TRUTH.channels[0].capacity_weight
    assert calibration.values["capacity_model"] == TRUTH.capacity_model
    assert group["queues"] == ["support"] and channel["queue"] == "support"
    assert channel["type"] == TRUTH.channels[0].type
    assert group["staffing"] == (DAY_STAFFING * 2)[: len(group["staffing"])]


@pytest.mark.slow
def test_arrival_rates_inside_their_poisson_ci(calibration: Calibration) -> None:
    fit = calibration.arrivals[("web_chat", "inbound")]
    truth = np.resize(np.asarray(TRUTH.channels[0].arrivals.volumes), len(fit.volumes))
    open_hours = truth > 0
    inside = (truth >= fit.low) & (truth <= fit.high)
    assert inside[open_hours].mean() >= 0.95, np.flatnonzero(~inside)
    assert (fit.volumes[~open_hours] == 0).all()
    # And as a whole: the counts agree with the truth (chi-square, 40 intervals).
    chi2 = (((fit.counts - truth) ** 2)[open_hours] / truth[open_hours]).sum()
    assert stats.chi2.sf(chi2, open_hours.sum()) > 0.001
    outbound = calibration.arrivals[("web_chat", "outbound")]
    assert outbound.total == int(np.asarray(outbound.counts).sum()) > 0


@pytest.mark.slow
def test_patience_mean_within_ten_percent_on_censored_data(
        calibration: Calibration, exported: tuple[Path, pd.DataFrame]) -> None:
    fit = calibration.fits[("channels", 0, "customers", "patience")]
    truth = TRUTH.channels[0].customers.patience.mean
    sessions = exported[1]
    abandoned = int((sessions["outcome"] == "abandoned").sum())
    assert abandoned >= 500
    assert int(fit.observed.sum()) == abandoned  # every abandonment an event, no more
    assert fit.censored == fit.n - abandoned  # answered and still waiting: censored
    assert abs(fit.mean - truth) <= 0.10 * truth
    assert fit.ci[0] <= truth <= fit.ci[1]
    # Abandoners alone would say much less: the censored fit is what recovers the truth.
    waits = fit.values[fit.observed]
    assert waits.mean() < 0.8 * truth


@pytest.mark.slow
def test_exchanges_and_reply_times_within_five_percent(calibration: Calibration) -> None:
    customers = calibration.values["channels"][0]["customers"]
    behaviour = calibration.values["agent_groups"][0]["behaviour"]
    truth_customers = TRUTH.channels[0].customers
    truth_behaviour = TRUTH.agent_groups[0].behaviour
    assert calibration.scenario is not None
    assert calibration.scenario.channels[0].customers.exchanges.expected() == pytest.approx(
        truth_customers.exchanges.mean, rel=0.05)
    assert customers["reply_time"]["mean"] == pytest.approx(truth_customers.reply_time.mean,
                                                            rel=0.05)
    assert behaviour["reply_time"]["mean"] == pytest.approx(truth_behaviour.reply_time.mean,
                                                            rel=0.05)
    slowdown = calibration.comments[("agent_groups", 0, "behaviour", "concurrency_slowdown")]
    assert "95% CI" in slowdown
    assert behaviour["concurrency_slowdown"] == pytest.approx(
        truth_behaviour.concurrency_slowdown, abs=0.03)


@pytest.mark.slow
def test_acceptance_outbound_and_acw(calibration: Calibration) -> None:
    behaviour = calibration.values["agent_groups"][0]["behaviour"]
    truth = TRUTH.agent_groups[0].behaviour
    accept = behaviour["accept_delay"]
    assert accept["kind"] == "uniform"
    assert accept["low"] == pytest.approx(3.0, abs=0.1)
    assert accept["high"] == pytest.approx(15.0, abs=0.1)
    assert behaviour["after_conversation_work"] == {"enabled": True, "max": 120.0}
    share_comment = calibration.comments[("agent_groups", 0, "behaviour",
                                          "decline_probability")]
    low, high = (float(x) for x in share_comment.split("95% CI ")[1].split("-"))
    assert low <= truth.decline_probability <= high
    outbound = calibration.values["channels"][0]["outbound"]
    comment = calibration.comments[("channels", 0, "outbound", "answer_probability")]
    low, high = (float(x) for x in comment.split("95% CI ")[1].split("-"))
    assert low <= TRUTH.channels[0].outbound.answer_probability <= high
    assert outbound["answer_delay"]["mean"] == pytest.approx(1200, rel=0.25)


@pytest.mark.slow
def test_yaml_runs_as_is_with_a_comment_per_fitted_key(calibration: Calibration,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "center.yaml"
    path.write_text(calibration.yaml("export"), encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded == calibration.scenario
    text = path.read_text(encoding="utf-8")
    for key_path, comment in calibration.comments.items():
        first_words = " ".join(comment.split()[:4])
        assert first_words in " ".join(text.split()), key_path
    assert text.count("n=") >= 8  # sample sizes in the comments


def test_yaml_writer_places_comments_above_keys() -> None:
    text = scenario_yaml({"a": 1, "b": {"c": [1, 2], "d": {"kind": "fixed", "value": 2}},
                          "e": [{"name": "x", "f": 3.5}]},
                         {("b", "d"): "about d", ("e", 0, "f"): "about f"}, ["head"])
    assert text.splitlines() == [
        "# head", "", "a: 1", "b:", "  c: [1, 2]", "  # about d",
        '  d: {kind: "fixed", value: 2}', "e:", '  - name: "x"', "    # about f", "    f: 3.5",
    ]


def _rewrite(source: Path, target: Path, separator: str, offset: str) -> None:
    """The export as TAB/BOM/CRLF with date-times at ``offset`` (same instants)."""
    target.mkdir()
    for path in source.glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in fields.DATETIME_COLUMNS.get(path.name, ()):
            values = pd.to_datetime(table[column].replace("", None), utc=True)
            table[column] = [
                "" if pd.isna(value) else value.tz_convert(offset).isoformat(
                    timespec="milliseconds") for value in values]
        table["Unused_Column__c"] = "x"
        text = table.to_csv(index=False, sep=separator, lineterminator="\r\n")
        (target / path.name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


@pytest.mark.slow
def test_bom_crlf_tab_and_offsets_read_as_the_plain_export(
        exported: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    plain = read_export(exported[0])
    _rewrite(exported[0], tmp_path / "tab", "\t", "+01:00")
    other = read_export(tmp_path / "tab", delimiter="TAB")
    for name in ("agent_work", "sessions", "presence", "entries"):
        left, right = getattr(plain, name), getattr(other, name)
        assert "Unused_Column__c" not in right.columns  # only the used columns kept
        pd.testing.assert_frame_equal(left, right, check_dtype=False)


@pytest.mark.slow
def test_unusable_rows_are_counted(exported: tuple[Path, pd.DataFrame],
                                   tmp_path: Path) -> None:
    folder = tmp_path / "with_unusable"
    shutil.copytree(exported[0], folder)
    work_path = folder / fields.AGENT_WORK_FILE
    work = pd.read_csv(work_path, dtype=str, keep_default_na=False)
    accepted = work[work["AcceptDateTime"] != ""].head(3).copy()
    accepted["Id"] = [f"0Bz9999999999{i}AAA" for i in range(3)]
    accepted["CloseDateTime"] = ""  # still open at the export's end
    stray = accepted.head(2).copy()
    stray["Id"] = ["0Bz8888888888AAAA", "0Bz8888888889AAAA"]
    stray["WorkItemId"] = "0Mw7777777777AAAA"  # no such session
    pd.concat([work, accepted, stray]).to_csv(work_path, index=False)
    entries_path = folder / fields.CONVERSATION_ENTRY_FILE
    with entries_path.open("a", encoding="utf-8") as handle:
        handle.write("0XE6666666666AAAA,0Mw000000000001CAA,Chatbot,"
                     "2026-03-02T08:00:01.000Z,99\n")
    calibration = calibrate(read_export(folder))
    assert "AgentWork.csv: 3 rows accepted but never closed (no handle time; open at the " \
        "export's end)" in calibration.unusable
    assert "AgentWork.csv: 2 rows for a WorkItemId that is no MessagingSession Id (left " \
        "out)" in calibration.unusable
    assert "ConversationEntry.csv: 1 rows from neither an agent nor a customer (bots, " \
        "system; left out)" in calibration.unusable
    header = calibration.yaml("x").splitlines()
    assert any(line.startswith("# Not used: AgentWork.csv: 3 rows") for line in header)


@pytest.mark.slow
def test_cli_writes_the_scenario_and_charts(exported: tuple[Path, pd.DataFrame],
                                            tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "my_center.yaml"
    charts = tmp_path / "charts"
    code = main(["calibrate", str(exported[0]), "--out", str(out), "--charts", str(charts)])
    assert code == 0, capsys.readouterr().err
    assert load_scenario(out).channels[0].name == "web_chat"
    assert sorted(p.name for p in charts.iterdir()) == sorted(
        ["calibration_fits.png", "calibration_patience.png", "calibration_arrivals.png"])
    assert "fitted keys" in capsys.readouterr().out


@pytest.mark.slow
def test_regression_without_conversation_entries(exported: tuple[Path, pd.DataFrame],
                                                 tmp_path: Path) -> None:
    folder = tmp_path / "no_entries"
    shutil.copytree(exported[0], folder)
    (folder / fields.CONVERSATION_ENTRY_FILE).unlink()
    calibration = calibrate(read_export(folder))
    customers = calibration.values["channels"][0]["customers"]
    behaviour = calibration.values["agent_groups"][0]["behaviour"]
    assert "regression" in calibration.comments[("channels", 0, "customers", "reply_time")]
    assert "no ConversationEntry.csv" in calibration.messages_source
    # One exchange = an agent reply and a customer reply: their sum per exchange is
    # recovered (the split between the two is rougher).
    per_exchange = customers["reply_time"]["mean"] + behaviour["reply_time"]["mean"]
    truth = TRUTH.channels[0].customers.reply_time.mean + TRUTH.agent_groups[
        0].behaviour.reply_time.mean
    assert math.isfinite(per_exchange)
    assert per_exchange == pytest.approx(truth, rel=0.25)


@pytest.mark.slow
def test_away_after_decline_from_the_busy_periods(calibration: Calibration) -> None:
    behaviour = calibration.values["agent_groups"][0]["behaviour"]
    assert behaviour["away_after_decline"] == TRUTH.agent_groups[0].behaviour.away_after_decline
    comment = calibration.comments[("agent_groups", 0, "behaviour", "away_after_decline")]
    assert comment.startswith("median of ")


@pytest.mark.slow
def test_time_zone_puts_the_intervals_on_local_clock_time(
        calibration: Calibration, exported: tuple[Path, pd.DataFrame]) -> None:
    paris = calibrate(read_export(exported[0]), zone="Europe/Paris")
    assert paris.values["start"] == "2026-03-02 00:00 Europe/Paris"
    assert calibration.values["start"] == "2026-03-02 00:00 UTC"
    utc_counts = calibration.arrivals[("web_chat", "inbound")].counts
    paris_counts = paris.arrivals[("web_chat", "inbound")].counts
    # 08:00 UTC is 09:00 in Paris in March (UTC+1): two half-hour intervals later.
    np.testing.assert_array_equal(paris_counts[2:2 + len(utc_counts)],
                                  utc_counts[: len(paris_counts) - 2])
    assert load_scenario_text(paris.yaml("x"), exported[0].parent).clock.zone_name == (
        "Europe/Paris")


def load_scenario_text(text: str, folder: Path) -> Scenario:
    path = folder / "paris.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "salesforce-export"


@pytest.mark.slow
def test_shipped_example_gives_back_the_web_chat_desk() -> None:
    desk = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" /
                         "web_chat_desk.yaml")
    calibration = calibrate(read_export(EXAMPLE))
    group = calibration.values["agent_groups"][0]
    assert group["name"] == desk.agent_groups[0].name
    assert group["capacity"] == desk.agent_groups[0].capacity
    assert calibration.values["capacity_model"] == desk.capacity_model
    assert max(group["staffing"]) == 7  # the example's shifts: 7 agents a day
    patience = calibration.fits[("channels", 0, "customers", "patience")]
    assert patience.mean == pytest.approx(desk.channels[0].customers.patience.mean, rel=0.10)
    assert int(patience.observed.sum()) >= 500


@pytest.mark.slow
def test_disconnections_and_outages_of_unstable_connections(tmp_path: Path) -> None:
    desk = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" /
                         "unstable_connections.yaml")
    export_truth(tmp_path, desk)
    calibration = calibrate(read_export(tmp_path))
    groups = {group["name"]: group for group in calibration.values["agent_groups"]}
    home = groups["home_agents"]["disconnections"]
    truth = desk.agent_groups[0].disconnections
    outage = truth.outages[0]
    start_of_day = desk.clock.origin.hour * 3600 + desk.clock.origin.minute * 60
    assert home["outages"] == [{"start": start_of_day + outage.start,
                                "duration": outage.duration}]
    comment = calibration.comments[("agent_groups", 0, "disconnections", "rate")]
    low, high = (float(x) for x in comment.split("95% CI ")[1].rstrip(")").split("-"))
    assert low <= truth.rate <= high
    assert "outages" not in groups["office_agents"]["disconnections"]
    assert groups["office_agents"]["disconnections"]["rate"] == pytest.approx(
        desk.agent_groups[1].disconnections.rate, abs=0.15)
