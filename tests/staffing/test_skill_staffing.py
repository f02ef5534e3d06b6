"""Staffing with skills-based routing: requirements, goals and measures per skill set.

The reductions of issue 24: a center where every agent has every skill staffs exactly as
queue routing does; a one-skill center's analytic baseline is Erlang C (the textbook
formula, written out here) and its simulated service level per skill set matches it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chart_rules import chart_problems, legend_overlaps
from scenario_builders import HOUR, mmn_scenario

from sim.cli.main import main
from sim.model.simulate import simulate
from sim.reports.skill_set_charts import skill_set_chart
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.staffing.analytic import queue_requirements, skill_set_minimum
from sim.staffing.day_measures import MEASURE_INDEX, measure_day, queue_thresholds
from sim.staffing.plan import StaffingGoals, queue_goals, staff, with_group_staffing
from sim.staffing.search import DayEstimates
from sim.staffing.skill_sets import row_queue, session_rows, skill_sets, with_skill_set_goals

GOALS = StaffingGoals.parse("80/30s")
MODERN = Path(__file__).resolve().parents[2] / "scenarios" / "modern_center.yaml"
RATE_PER_S, SERVICE_S = 0.04, 200.0  # 8 Erlangs
SKILL_ROW = "skills french>=2"


def erlang_c_service_level(servers: int, rate: float, service_s: float,
                           threshold_s: float) -> float:
    """Textbook M/M/n: P(wait <= t) = 1 - C(n, a) exp(-(n - a) t / s)."""
    load = rate * service_s
    if servers <= load:
        return 0.0
    terms = [load**k / math.factorial(k) for k in range(servers)]
    last = load**servers / math.factorial(servers) * servers / (servers - load)
    wait_probability = last / (sum(terms) + last)
    return 1.0 - wait_probability * math.exp(-(servers - load) * threshold_s / service_s)


def erlang_c_servers(rate: float, service_s: float, threshold_s: float, target: float) -> int:
    servers = math.floor(rate * service_s) + 1
    while erlang_c_service_level(servers, rate, service_s, threshold_s) < target:
        servers += 1
    return servers


def skill_center(share: float, skilled_queues: list[str], every_agent_skilled: bool = False,
                 hours: int = 3) -> Scenario:
    """An M/M/n center: ``share`` of its sessions require french at level 2 or more.

    ``skilled`` (french 3) serves ``skilled_queues``; ``plain`` serves queue ``q`` with
    french only when ``every_agent_skilled``.
    """
    base = mmn_scenario(arrival_rate_per_s=RATE_PER_S, mean_service_s=SERVICE_S, agents=1,
                        capacity=1, horizon_s=hours * HOUR).model_dump()
    group = base["agent_groups"][0]
    if share > 0:
        base["channels"][0]["skills"] = [{"share": share, "skills": {"french": 2}}]
    base["queues"] = [{"name": "q"}, {"name": "spare"}]
    base["agent_groups"] = [
        {**group, "name": "plain", "agents": 0, "queues": ["q"],
         "skills": {"french": 3} if every_agent_skilled else {}},
        {**group, "name": "skilled", "agents": 0, "queues": skilled_queues,
         "skills": {"french": 3}},
    ]
    return Scenario.model_validate(base)


def test_the_modern_center_has_one_skill_set_served_by_the_bilingual_agents():
    scenario = load_scenario(MODERN)
    (spanish,) = skill_sets(scenario)
    assert (spanish.name, spanish.required, spanish.queue) == (
        "skills spanish>=2", (("spanish", 2),), "support")
    assert spanish.groups == ("bilingual_agents",) and not spanish.pooled
    goals = with_skill_set_goals(scenario, queue_goals(scenario, GOALS))
    # billing takes support's transfers only: a row of its own too (rules §8.2).
    assert list(goals) == ["support", "billing", "skills spanish>=2"]
    assert goals["skills spanish>=2"] == goals["support"]
    assert list(queue_thresholds(scenario)) == ["support", "billing", "skills spanish>=2"]


def test_a_skill_set_held_by_every_group_of_its_queue_is_pooled_with_the_queue():
    (french,) = skill_sets(skill_center(0.4, ["q"], every_agent_skilled=True))
    assert french.pooled and french.row == "q"
    (narrow,) = skill_sets(skill_center(0.4, ["q"]))
    assert not narrow.pooled and narrow.row == SKILL_ROW


def test_the_recorded_skill_requirements_are_the_sessions_the_skilled_agents_served():
    # The skilled group serves no queue the channel uses: it takes exactly the french
    # sessions, the plain group exactly the others.
    scenario = skill_center(0.3, ["spare"])
    agents = {"plain": 6, "skilled": 4}
    staffed = with_group_staffing(scenario, {name: [count] * 3 for name, count in
                                             agents.items()}, GOALS)
    for replication in range(2):
        result = simulate(staffed, seed=11, replication=replication)
        rows = session_rows(result.sessions, staffed)
        group_of = dict(zip(result.agents["agent_id"], result.agents["group"], strict=True))
        answered = (result.sessions["agent_id"] >= 0).to_numpy()
        served_by = result.sessions["agent_id"][answered].map(group_of).to_numpy()
        assert np.array_equal(rows[answered] == SKILL_ROW, served_by == "skilled")
        assert 0.2 < np.mean(rows == SKILL_ROW) < 0.4


def test_one_skill_center_analytic_baseline_is_erlang_c():
    # Every session needs french; only the skilled group has it: its Erlang C pool.
    scenario = skill_center(1.0, ["q"])
    table = queue_requirements(scenario, GOALS, queue_goals(scenario, GOALS), "tab",
                               ["plain", "skilled"])
    servers = erlang_c_servers(RATE_PER_S, SERVICE_S, 30.0, 0.8)
    french = table[table["queue"] == SKILL_ROW]
    assert french["agents"].tolist() == [servers] * 3
    assert set(french["group"]) == {"skilled"}
    assert np.allclose(french["arrivals"], RATE_PER_S * HOUR)
    queue = table[table["queue"] == "q"]  # nothing left routed by the queue
    assert queue["agents"].sum() == 0 and queue["arrivals"].sum() == 0


def test_one_skill_center_measures_erlang_c_in_the_skill_set_row():
    servers = erlang_c_servers(RATE_PER_S, SERVICE_S, 30.0, 0.8)
    scenario = skill_center(1.0, ["q"], hours=4)
    staffed = with_group_staffing(scenario, {"plain": [3] * 4, "skilled": [servers] * 4},
                                  GOALS)
    runs = [measure_day((staffed, 3, replication)) for replication in range(12)]
    estimates = DayEstimates.from_runs(runs)
    row = 1  # q, then the skill set, then "all"
    assert np.all(estimates.mean[0, MEASURE_INDEX["offered"]] == 0)  # nothing by the queue
    # After the first hour (the center starts empty), stationary M/M/n.
    mean = estimates.mean[row, MEASURE_INDEX["service_level"], 1:].mean()
    sd = np.std([run[row, MEASURE_INDEX["service_level"], 1:].mean() for run in runs], ddof=1)
    half = 2.2 * sd / math.sqrt(len(runs))  # t(11) 97.5%
    theory = erlang_c_service_level(servers, RATE_PER_S, SERVICE_S, 30.0)
    assert abs(mean - theory) <= half, (mean, half, theory)


def test_a_skill_set_expecting_sessions_keeps_one_agent_able_to_serve_it():
    scenario = skill_center(0.3, ["spare"])
    minimum = skill_set_minimum(scenario, ["plain", "skilled"])
    assert minimum.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert not skill_set_minimum(skill_center(0.3, ["q"], every_agent_skilled=True),
                                 ["plain", "skilled"]).any()


@pytest.mark.slow
def test_every_agent_with_every_skill_staffs_like_queue_routing():
    share = 0.4
    def run(scenario: Scenario):
        return staff(scenario, GOALS, replications=2, verification_replications=4, seed=7,
                     models=("tab",), curve=False)

    by_queue = run(skill_center(0.0, ["q"], every_agent_skilled=True))
    by_skills = run(skill_center(share, ["q"], every_agent_skilled=True))
    assert np.array_equal(by_skills.results["tab"].required, by_queue.results["tab"].required)
    pd.testing.assert_frame_equal(by_skills.analytic, by_queue.analytic)
    pd.testing.assert_frame_equal(by_skills.queue_table(), by_queue.queue_table())
    # Narrow the skill to one group: the skill set becomes a row of its own.
    narrow = run(skill_center(share, ["q"]))
    assert list(narrow.per_queue) == ["q", SKILL_ROW]
    assert SKILL_ROW in set(narrow.queue_table()["queue"])


@pytest.mark.slow
def test_staff_reports_the_requirement_per_skill_set(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["staff", str(MODERN), "--target", "80/60s", "--models", "tab",
                 "--replications", "2", "--verify-replications", "4", "--no-curve",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "\n  queue support: service level 80% within 60s\n" in printed
    assert "\n  skills spanish>=2: service level 80% within 60s\n" in printed
    channel = load_scenario(MODERN).channels[0]
    assert channel.arrivals is not None and channel.arrivals.volumes is not None
    assert channel.bot is not None  # the bot hands 1 - 30% resolved - 5% left to the queue
    volumes = np.array(channel.arrivals.volumes, dtype=float) * (
        1.0 - channel.bot.resolves - channel.bot.leaves)
    table = pd.read_csv(out / "staffing_skill_sets.csv")
    spanish = table[table["row"] == "skills spanish>=2"]
    support = table[table["row"] == "support"]
    assert set(spanish["groups"]) == {"bilingual_agents"}
    assert set(support["groups"]) == {"chat_agents;bilingual_agents"}
    # Every chat handed over is counted once: 15% in the skill set, the rest in the queue.
    assert np.allclose(spanish["arrivals"], 0.15 * volumes, atol=2e-3)
    assert np.allclose(spanish["arrivals"].to_numpy() + support["arrivals"].to_numpy(),
                       volumes, atol=2e-3)
    assert (spanish["erlang_agents"] >= 1).all()
    assert (spanish["able_agents_tab"] >= 1).all()
    queues = pd.read_csv(out / "staffing_queues.csv")
    rows = queues[queues["queue"] == "skills spanish>=2"]
    assert len(rows) == 20 and rows["service_level"].notna().any()
    summary = json.loads((out / "staffing.json").read_text())
    (entry,) = summary["skill_sets"]
    assert entry["groups"] == ["bilingual_agents"] and entry["channels"] == {"web_chat": 0.15}
    assert entry["erlang_peak_agents"] == spanish["erlang_agents"].max()
    assert "skills spanish>=2" in summary["queue_goals"]
    assert (out / "skill_sets.png").stat().st_size > 10_000


def test_the_skill_set_chart_has_a_panel_per_row_with_its_erlang_line():
    starts = np.arange(4) * 1800.0
    table = pd.concat([
        pd.DataFrame({"row": "support", "kind": "queue", "groups": "chat;bilingual",
                      "interval": range(4), "start_s": starts, "arrivals": [40, 60, 50, 20],
                      "erlang_agents": [4, 6, 5, 2], "able_agents_tab": [5, 7, 6, 3],
                      "able_agents_status": [5, 8, 6, 3]}),
        pd.DataFrame({"row": "skills spanish>=2", "kind": "skill set", "groups": "bilingual",
                      "interval": range(4), "start_s": starts, "arrivals": [6, 9, 8, 3],
                      "erlang_agents": [1, 2, 2, 1], "able_agents_tab": [2, 3, 2, 1],
                      "able_agents_status": [2, 3, 3, 1]})])
    figure = skill_set_chart(table, 1800.0, "Agents per interval for each queue and skill set")
    assert chart_problems(figure) == [] and legend_overlaps(figure) == []
    panels = [axes for axes in figure.axes if axes.get_title(loc="left")]
    assert [axes.get_title(loc="left") for axes in panels] == [
        "queue support (its own routing): served by chat, bilingual",
        "skills spanish>=2: served by bilingual"]
    erlang = [line for line in panels[1].get_lines() if "Erlang" in line.get_label()]
    assert erlang[0].get_ydata().tolist() == [1, 2, 2, 1, 1]


def test_the_same_skills_on_two_queues_are_two_skill_sets():
    group = {"capacity": 2, "behaviour": {"reply_time": "30s"}}
    scenario = Scenario.model_validate({
        "horizon": "2h",
        "channels": [
            {"name": "web", "type": "enhanced_web_chat", "queue": "sales",
             "arrivals": {"rate": "20/h"}, "skills": [{"share": 0.2, "skills": {"spanish": 2}}]},
            {"name": "app", "type": "enhanced_web_chat", "queue": "care",
             "arrivals": {"rate": "20/h"}, "skills": [{"share": 0.3, "skills": {"spanish": 2}}]}],
        "queues": [{"name": "sales"}, {"name": "care"}],
        "agent_groups": [
            {**group, "name": "sellers", "agents": 2, "queues": ["sales"]},
            {**group, "name": "carers", "agents": 2, "queues": ["care"]},
            {**group, "name": "bilingual", "agents": 1, "queues": ["sales"],
             "skills": {"spanish": 3}}],
    })
    found = {skill_set.name: skill_set for skill_set in skill_sets(scenario)}
    assert sorted(found) == ["skills spanish>=2 in care", "skills spanish>=2 in sales"]
    assert found["skills spanish>=2 in sales"].queue == "sales"
    assert found["skills spanish>=2 in care"].channels == (("app", 0),)
    assert row_queue(scenario, "skills spanish>=2 in care") == "care"
