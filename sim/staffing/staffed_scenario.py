"""The staffing answer written back as a scenario that runs as is.

:func:`staffed_scenario` is the scenario a verification simulated: every staffed group on
its shift plan (its shifts and breaks, agents per shift from the covering) when there is
one, else logged in per interval as required (``agent_groups[].staffing``: online agents,
after shrinkage is taken out), under the chosen capacity model, with the goals' service
level as the scenario's. :func:`scenario_yaml` writes a scenario as YAML the loader reads back to
an equal scenario (arrival CSVs are inlined as volumes, so the file stands alone).

Running it with the staffing's seed (``ccsim run staffed.yaml --replications N``, N the
verification's replications) reproduces the verification's figures: replication ``r`` of
the run is replication ``r`` of the verification (common random numbers).
"""

from __future__ import annotations

from typing import Any

import yaml

from sim.scenario.schema import Scenario
from sim.scenario.user_text import yaml_comment
from sim.staffing.goals import StaffingGoals
from sim.staffing.group_search import GroupStaffingResult
from sim.staffing.variants import with_group_staffing


def staffed_scenario(scenario: Scenario, goals: StaffingGoals,
                     result: GroupStaffingResult, seed: int | None = None,
                     shift_plan: Scenario | None = None) -> Scenario:
    """The scenario with the verified staffing of ``result`` (see the module docstring).

    Args:
        scenario: the scenario staffed.
        goals: the staffing's goals (their service level becomes the scenario's).
        result: one capacity model's staffing.
        seed: the staffing's root seed; the scenario's when omitted.
        shift_plan: the model's shift plan as a scenario
            (:func:`sim.staffing.shift_plan.with_shift_plans`): written instead of the
            per-interval staffing when given.
    """
    staffed = shift_plan if shift_plan is not None else with_group_staffing(
        scenario, dict(zip(result.groups, result.required, strict=True)), goals,
        result.capacity_model)
    changes: dict[str, Any] = {
        "name": f"{scenario.name} (staffed, {result.capacity_model}-based)",
        "description": (f"{scenario.description} Staffed by ccsim staff: per-interval "
                        f"online agents of {', '.join(result.groups)} meeting "
                        f"{goals.describe() or 'the queues goals'}.").strip(),
    }
    if seed is not None:
        changes["seed"] = seed
    return staffed.derive(changes, source="the staffed scenario")


def _flow_lists(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    """Lists of plain numbers in flow style (``[0, 2, 3]``), the others in blocks."""
    flow = all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


class _ScenarioDumper(yaml.SafeDumper):
    """SafeDumper with number lists in flow style."""


_ScenarioDumper.add_representer(list, _flow_lists)


def scenario_yaml(scenario: Scenario, heading: str = "") -> str:
    """The scenario as YAML (every value written out; ``heading`` as ``#`` comment lines).

    The values are written by PyYAML (which quotes and escapes any text so that it reads back
    as written); the heading's lines through :func:`yaml_comment`.
    """
    document = scenario.model_dump(mode="json")
    text = yaml.dump(document, Dumper=_ScenarioDumper, sort_keys=False, allow_unicode=True,
                     width=100)
    # Split at newlines only: any other line break in a name is escaped, never a new line.
    comments = "".join(f"# {yaml_comment(line)}\n" if line else "#\n"
                       for line in heading.split("\n") if heading)
    return comments + text
