"""Report files of a staffing search, and the staffed scenario (``--write-scenario``).

``staffing.csv``, ``staffing_queues.csv``, ``staffing.json`` and the charts; with skills-based
routing also ``staffing_skill_sets.csv`` and ``skill_sets.png`` (the requirement per skill set).
"""

from __future__ import annotations

from pathlib import Path

from sim.reports import staffing_charts
from sim.reports.files import atomic_write, write_csv, write_figure, write_json
from sim.reports.skill_set_charts import skill_set_chart
from sim.staffing.report import StaffingReport
from sim.staffing.skill_sets import skill_sets
from sim.staffing.staffed_scenario import scenario_yaml, staffed_scenario

STAFFING_FILES = ("staffing.csv", "staffing_queues.csv", "staffing.json", "required_agents.png",
                  "achieved_service_level.png", "service_level_curve.png", "shift_cover.png",
                  "staffing_skill_sets.csv", "skill_sets.png")
"""Every file :func:`write_staffing` may write (a new search replaces all of them)."""


def write_staffing(report: StaffingReport, out_dir: str | Path, charts: bool = True
                   ) -> dict[str, Path]:
    """Write ``staffing.csv``, ``staffing_queues.csv``, ``staffing.json`` and the charts.

    With skills-based routing also ``staffing_skill_sets.csv`` and ``skill_sets.png`` (the
    requirement per skill set).

    Every file is written to a temporary name in the same directory and renamed into
    place, so a reader never sees half a file.

    Returns:
        File kind -> path written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "csv": write_csv(out / "staffing.csv", report.table()),
        "queues_csv": write_csv(out / "staffing_queues.csv", report.queue_table()),
        "json": write_json(out / "staffing.json", report.summary()),
    }
    if skill_sets(report.scenario):  # the requirement per skill set (and per queue)
        table = report.skill_set_table()
        written["skill_sets_csv"] = write_csv(out / "staffing_skill_sets.csv", table)
        if charts:
            figure = skill_set_chart(
                table, report.scenario.interval, "Agents per interval for each queue and "
                f"skill set — {report.goals.describe()}", report.scenario.clock)
            written["skill_sets"] = write_figure(out / "skill_sets.png", figure)
            staffing_charts.close(figure)
    if charts:
        for name, figure in staffing_charts.staffing_figures(report).items():
            written[name] = write_figure(out / f"{name}.png", figure)
            staffing_charts.close(figure)
    return written


def write_staffed_scenario(report: StaffingReport, path: str | Path, seed: int | None = None
                           ) -> Path:
    """Write the answer as a scenario YAML that runs as is (written whole, atomically).

    The scenario's own capacity model when it was staffed, else the first staffed model.
    With a shift plan for every staffed group, each group's ``shifts`` are its plan (its
    own shifts and breaks, agents per shift from the covering) and running the file
    reproduces the shift plan's verification; else each staffed group's verified online
    agents per interval as its ``staffing`` list, reproducing the staffing verification.

    Args:
        report: the staffing.
        path: the YAML file to write.
        seed: the staffing's root seed (``--seed``), written as the scenario's seed.

    Returns:
        The path written.
    """
    scenario = report.scenario
    model = (scenario.capacity_model if scenario.capacity_model in report.results
             else next(iter(report.results)))
    result = report.results[model]
    staffed = staffed_scenario(scenario, report.goals, result, seed,
                               report.shift_scenarios.get(model))
    what = ("agent_groups[].shifts = the shift plan, breaks kept; its verification"
            if model in report.shift_scenarios else
            "agent_groups[].staffing = online agents per interval; schedule more for "
            "shrinkage; the verification")
    heading = (f"Written by ccsim staff from {scenario.name!r}: {model}-based capacity, goals "
               f"{report.goals.describe() or 'per queue'}.\n"
               f"Staffed groups: {', '.join(result.groups)} ({what}).\n"
               f"ccsim run with --replications {result.verification_replications} reproduces "
               "the verification's figures.")
    text = scenario_yaml(staffed, heading)
    return atomic_write(path, lambda target: target.write_text(text, encoding="utf-8"))
