"""Scenario loading: every class of bad input gives an exact, one-line problem."""

from __future__ import annotations

import copy
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sim.scenario.loading import (
    ScenarioError,
    apply_overrides,
    load_raw,
    load_scenario,
    parse_key_path,
    scenario_warnings,
)
from sim.scenario.reference import EXAMPLE, RULES_PAGE, RULES_SECTIONS, render_reference
from sim.scenario.schema import Exponential, Fixed, Scenario
from sim.scenario.yaml_input import HAVE_LIBYAML

BASE = EXAMPLE  # the reference page's minimal scenario


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def with_changes(tmp_path: Path, *overrides: str) -> list[str]:
    """Problems of BASE edited by overrides (only used for values that must fail)."""
    return problems_of(write(tmp_path, BASE), overrides)


# ------------------------------------------------------------------------------ good input
def test_minimal_scenario_loads_with_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    assert len(BASE.splitlines()) == 10
    assert scenario.horizon == 8 * 3600
    assert scenario.channels[0].arrivals.rate == 30
    assert scenario.capacity_model == "tab"
    assert scenario.interval == 1800
    assert scenario.channels[0].customers.exchanges == Fixed(value=4)
    assert scenario.agent_groups[0].behaviour.reply_time == Exponential(
        kind="exponential", mean=45.0
    )
    assert scenario.timeouts.sweep_period == 6 * 3600
    assert scenario_warnings(scenario) == []


def test_reference_example_is_the_minimal_scenario(tmp_path: Path) -> None:
    assert EXAMPLE == BASE
    assert load_scenario(write(tmp_path, EXAMPLE)).name == "scenario"


# -------------------------------------------------------------------------- unknown keys
def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "horizn: 2h\n")
    assert problems_of(path) == [
        f"{path}: horizn: unknown key (did you mean horizon?); allowed keys are name, "
        "description, start, horizon, warmup, interval, capacity_model, seed, arrival_scale, "
        "service_level, channels, queues, agent_groups, timeouts, supervisor, "
        "logout_sessions, allow_over_capacity, logged_out_owner"
    ]


def test_unknown_nested_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("capacity: 3", "capcity: 3"))
    assert problems_of(path) == [
        f"{path}: agent_groups[0].capcity: unknown key (did you mean capacity?); allowed keys "
        "are name, agents, shifts, staffing, capacity, capacity_percent, queues, skills, "
        "shift_end, "
        "behaviour, disconnections",
    ]


def test_unknown_key_inside_a_distribution(tmp_path: Path) -> None:
    problems = with_changes(
        tmp_path, "agent_groups[0].behaviour={reply_time: {kind: exponential, mean: 1m, sd: 2}}"
    )
    assert problems == [
        f"{tmp_path / 'x.yaml'}: agent_groups[0].behaviour.reply_time.sd: unknown key; "
        "allowed keys are kind, mean (from --set agent_groups[0].behaviour={reply_time: "
        "{kind: exponential, mean: 1m, sd: 2}})"
    ]


# ------------------------------------------------------------------- numbers and durations
@pytest.mark.parametrize(
    ("override", "line"),
    [
        (
            "agent_groups[0].capacity=-3",
            "agent_groups[0].capacity: found -3; expected a number greater than 0",
        ),
        (
            "agent_groups[0].capacity=0",
            "agent_groups[0].capacity: found 0; expected a number greater than 0",
        ),
        ("horizon=0", "horizon: found 0; expected a number greater than or equal to 1"),
        (
            "horizon=-2h",
            "horizon: found '-2h'; expected a number greater than or equal to 1",
        ),
        ("horizon=1e-6", "horizon: found '1e-6'; expected a number greater than or equal to 1"),
        ("interval=1e15", "interval: found '1e15'; expected a duration less than or equal to 366d"),
        (
            "queues[0].push_timeout=-1",
            "queues[0].push_timeout: found -1; expected a number greater than or equal to 0",
        ),
        (
            "agent_groups[0].behaviour={accept_delay: -5}",
            "agent_groups[0].behaviour.accept_delay: found -5; "
            "expected a number greater than or equal to 0",
        ),
        (
            "channels[0].arrivals.rate=0/h",
            "channels[0].arrivals.rate: found '0/h'; expected a number greater than 0",
        ),
        (
            "channels[0].arrivals.rate=-80",
            "channels[0].arrivals.rate: found -80; expected a number greater than 0",
        ),
        (
            "channels[0].arrivals.rate=80 per hour",
            "channels[0].arrivals.rate: found '80 per hour'; expected a rate such as 60/h, "
            "2/m or 1440/d (a bare number means per hour)",
        ),
        (
            "horizon=5 minutes",
            "horizon: found '5 minutes'; expected a duration such as 45s, 5m, 1.5h or 2d "
            "(a bare number means seconds)",
        ),
        (
            "channels[0].customers={patience: 5 minutes}",
            "channels[0].customers.patience: found '5 minutes'; expected a duration such as "
            "45s, 5m, 1.5h or 2d (a bare number means seconds)",
        ),
        (
            "agent_groups[0].agents=many",
            "agent_groups[0].agents: found 'many'; expected a whole number",
        ),
    ],
)
def test_bad_numbers_and_durations(tmp_path: Path, override: str, line: str) -> None:
    problems = with_changes(tmp_path, override)
    assert problems == [f"{tmp_path / 'x.yaml'}: {line} (from --set {override})"]


def test_bad_distribution_kind(tmp_path: Path) -> None:
    customers = "    customers: {reply_time: {kind: normal, mean: 1m}, return_delay: {mean: 3}}\n"
    path = write(tmp_path, BASE.replace("queues:\n", customers + "queues:\n", 1))
    kinds = "'fixed', 'exponential', 'lognormal', 'gamma', 'uniform', 'empirical'"
    assert problems_of(path) == [
        f"{path}: channels[0].customers.reply_time: found kind 'normal'; allowed kinds: {kinds}",
        f"{path}: channels[0].customers.return_delay: found {{'mean': 3}}; "
        f"a distribution needs kind: one of {kinds}",
    ]


def test_key_that_is_not_text(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "1: 2\n")
    assert problems_of(path) == [f"{path}: 1: found a key that is not text; keys must be names"]


# ----------------------------------------------------------------------- literals and rules
def test_wrong_literal(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "capacity_model: tabs\n")
    assert problems_of(path) == [f"{path}: capacity_model: found 'tabs'; allowed: 'tab', 'status'"]


def test_status_capacity_with_a_standard_channel(tmp_path: Path) -> None:
    """A standard channel stays tab-based in a status-based center (rules §1.5)."""
    path = write(
        tmp_path,
        BASE.replace("enhanced_web_chat", "standard_sms") + "capacity_model: status\n",
    )
    scenario = load_scenario(path)
    assert scenario.capacity_model == "status"
    assert scenario.tab_based_channels() == [scenario.channels[0].name]
    assert scenario.derive(capacity_model="tab").tab_based_channels() == []


def test_unknown_queue_reference(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("queues: [support]", "queues: [suport]"))
    assert problems_of(path) == [
        f"{path}: agent_groups[0].queues[0]: unknown queue 'suport'; queues are ['support']"
    ]


def test_missing_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("    queue: support\n", ""))
    assert problems_of(path) == [f"{path}: channels[0].queue: required key is missing"]


def test_arrival_volumes_must_cover_the_horizon(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("{rate: 30/h}", "{volumes: [10, 20], interval: 1h}"))
    assert problems_of(path) == [
        f"{path}: channels[0].arrivals.volumes: 2 intervals of 1h cover 00:00 to 02:00 but "
        "the run lasts until 08:00 (horizon 8h); add entries up to 08:00 or set repeat: true"
    ]
    repeated = BASE.replace("{rate: 30/h}", "{volumes: [10, 20], interval: 1h, repeat: true}")
    assert load_scenario(write(tmp_path, repeated)).channels[0].arrivals.repeat


# ------------------------------------------------------------------------- file problems
def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems_of(path) == [f"{path}: (file): file not found; expected a YAML scenario file"]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "horizon: 8h\nchannels: [1\n")
    problem = ("did not find expected ',' or ']'" if HAVE_LIBYAML  # libyaml's words
               else "expected ',' or ']', but got '<stream end>'")
    assert problems_of(path) == [
        f"{path}: (file): line 3, column 1: YAML syntax error: {problem} (while parsing a flow "
        "sequence); expected valid YAML"
    ]


@pytest.mark.parametrize(
    ("text", "found"), [("- 1\n", "a list ([1])"), ("", "an empty file"), ("3\n", "a int (3)")]
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}: (top level): found {found}; expected a mapping of keys such as channels, "
        "queues and agent_groups"
    ]


# --------------------------------------------------------------------------- CSV arrivals
def csv_scenario(tmp_path: Path, rows: str, name: str = "volumes.csv") -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "volumes.csv").write_text(rows, encoding="utf-8")
    text = BASE.replace("{rate: 30/h}", f"{{csv: data/{name}, interval: 4h}}")
    return write(tmp_path, text.replace("horizon: 8h", "horizon: 8h\ninterval: 4h"))


def test_csv_arrivals_become_volumes(tmp_path: Path) -> None:
    path = csv_scenario(tmp_path, "interval_start,volume\n00:00,12\n04:00,7.5\n")
    arrivals = load_scenario(path).channels[0].arrivals
    assert arrivals.volumes == [12.0, 7.5]
    assert arrivals.csv is None


def test_csv_outbound_arrivals(tmp_path: Path) -> None:
    (tmp_path / "out.csv").write_text("volume\n1\n2\n", encoding="utf-8")
    path = write(tmp_path, BASE + "interval: 4h\n")
    scenario = load_scenario(path, ["channels[0].outbound={arrivals: {csv: out.csv}}"])
    assert scenario.channels[0].outbound.arrivals.volumes == [1.0, 2.0]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "interval_start,count\n0,1\n",
            "{csv} has 2 columns, none named volume; expected a volume column (and optionally "
            "interval_start), one row per interval",
        ),
        (
            "volume\n3\n-1\n",
            "{csv}:3: the value in column volume is not valid; expected a number "
            "greater than or equal to 0",
        ),
        (
            "volume\nlots\n",
            "{csv}:2: the value in column volume is not valid; expected a number "
            "greater than or equal to 0",
        ),
        ("volume\n", "{csv} has no rows; expected one volume per interval"),
    ],
)
def test_bad_csv_arrivals(tmp_path: Path, rows: str, message: str) -> None:
    path = csv_scenario(tmp_path, rows)
    csv = tmp_path / "data" / "volumes.csv"
    assert problems_of(path)[0] == (f"{path}: channels[0].arrivals.csv: " + message.format(csv=csv))


def test_missing_csv_file(tmp_path: Path) -> None:
    path = csv_scenario(tmp_path, "volume\n1\n", name="other.csv")
    assert problems_of(path) == [
        f"{path}: channels[0].arrivals.csv: file {tmp_path / 'data' / 'other.csv'} not found; "
        "expected a CSV file relative to the scenario's folder"
    ]


# ------------------------------------------------------------------------------ overrides
def test_overrides_change_values(tmp_path: Path) -> None:
    scenario = load_scenario(
        write(tmp_path, BASE),
        [
            "agent_groups[0].capacity=4",
            "capacity_model=status",
            "channels[0].arrivals.rate=80/h",
            "agent_groups.0.agents=7",
            "timeouts.inactive=2h",
            "agent_groups[0].queues=[support]",
        ],
    )
    assert scenario.agent_groups[0].capacity == 4
    assert scenario.agent_groups[0].agents == 7
    assert scenario.capacity_model == "status"
    assert scenario.channels[0].arrivals.rate == 80
    assert scenario.timeouts.inactive == 7200


def test_override_of_an_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    assert problems_of(path, ("agent_groups[0].capcity=4",)) == [
        f"{path}: agent_groups[0].capcity: unknown key (did you mean capacity?); allowed keys "
        "are name, agents, shifts, staffing, capacity, capacity_percent, queues, skills, "
        "shift_end, "
        "behaviour, disconnections (from --set agent_groups[0].capcity=4)"
    ]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "capacity_model",
            "malformed override; expected key.path=value, e.g. capacity_model=status",
        ),
        ("=4", "malformed override; expected key.path=value, e.g. capacity_model=status"),
        (
            "agent_groups[x].capacity=4",
            "malformed key path 'agent_groups[x].capacity'; "
            "expected names and indexes such as agent_groups[0].capacity",
        ),
        (
            "horizon=[1",
            "cannot read value '[1'; expected a YAML scalar or list, e.g. 4, 80/h, [1, 2]",
        ),
        (
            "agent_groups[3].capacity=4",
            "agent_groups[3] does not exist; agent_groups has 1 entries (indexes start at 0)",
        ),
        (
            "agent_group[0].capacity=4",
            "agent_group does not exist; keys at the top level are "
            "horizon, channels, queues, agent_groups",
        ),
        ("horizon.value=4", "horizon.value does not exist; horizon is not a mapping ('8h')"),
    ],
)
def test_bad_overrides(tmp_path: Path, override: str, message: str) -> None:
    path = write(tmp_path, BASE)
    assert problems_of(path, (override,)) == [f"{path}: --set {override}: {message}"]


def test_apply_overrides_leaves_the_input_alone(tmp_path: Path) -> None:
    raw = load_raw(write(tmp_path, BASE))
    before = copy.deepcopy(raw)
    changed = apply_overrides(raw, ["queues[0].priority=2"])
    assert raw == before
    assert changed["queues"][0] == {"name": "support", "priority": 2}


def test_parse_key_path() -> None:
    assert parse_key_path("a[0][1].b") == ["a", 0, 1, "b"]
    assert parse_key_path("a.0.b") == ["a", 0, "b"]


# ------------------------------------------------------------------------------- derive
def test_derive_validates_like_a_file(tmp_path: Path) -> None:
    """A derived scenario with a rule broken fails, naming the key."""
    scenario = load_scenario(write(tmp_path, BASE))
    with pytest.raises(ScenarioError) as info:
        scenario.derive(warmup="100h")
    assert info.value.problems == [
        "derived scenario: warmup: warmup (360000s) must be shorter than the horizon"
    ]
    # the idiom it replaces accepts the same copy without a word
    assert scenario.model_copy(update={"warmup": 360000.0}).warmup == 360000.0


def test_derive_takes_key_paths_and_sections(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    derived = scenario.derive(
        {"agent_groups[0].agents": 12, "channels[0].arrivals.rate": "80/h",
         "service_level.threshold": "30s"},
        capacity_model="status",
        timeouts=scenario.timeouts.model_copy(update={"inactive": 60.0}),
    )
    assert (derived.agent_groups[0].agents, derived.channels[0].arrivals.rate) == (12, 80.0)
    assert (derived.service_level.threshold, derived.service_level.target) == (
        30.0, scenario.service_level.target)
    assert (derived.capacity_model, derived.timeouts.inactive) == ("status", 60.0)
    assert scenario.agent_groups[0].agents != 12  # the original is untouched
    with pytest.raises(ScenarioError) as info:
        scenario.derive({"agent_groups[3].agents": 1, "warmup": "2d"}, source="what-if")
    assert info.value.problems == [
        "what-if: agent_groups[3].agents: agent_groups[3] does not exist; agent_groups has "
        "1 entries (indexes start at 0)"
    ]
    with pytest.raises(ScenarioError, match=r"^what-if: agent_groups\[0\]\.agents: found -1; "):
        scenario.derive({"agent_groups[0].agents": -1}, source="what-if")


# ------------------------------------------------------------------------------- warnings
IGNORED_AGENTS = "agent_groups[0].agents: 5 is ignored; the group's shifts set who is online"


def test_warnings(tmp_path: Path) -> None:
    text = BASE
    scenario = load_scenario(
        write(tmp_path, text),
        [
            "queues=[{name: support}, {name: spare}, {name: orphan}]",
            "channels[0].queue=orphan",
            "agent_groups[0]={name: team, capacity: 3, queues: [support, spare], "
            "shifts: [{start: 1h, end: 8h, agents: 2}]}",
        ],
    )
    assert scenario_warnings(scenario) == [
        "queues[0]: no channel routes to queue 'support'",
        "queues[1]: no channel routes to queue 'spare'",
        "queues[2]: no agent group serves queue 'orphan'; its sessions will never be answered",
    ]
    late = load_scenario(
        write(tmp_path, text),
        ["agent_groups[0].shifts=[{start: 1h, end: 8h, agents: 2}]"],
    )
    assert scenario_warnings(late) == [
        IGNORED_AGENTS,
        "channels[0].arrivals: sessions arrive from 0s to 1h while no agent serving queue "
        "'support' is online"
    ]
    replayed = load_scenario(
        write(tmp_path, text),
        [
            "agent_groups[0].shifts=[{start: 1h, end: 8h, agents: 2}]",
            "channels[0].arrivals={times: [10m, 2h, 30m]}",
        ],
    )
    assert scenario_warnings(replayed) == [
        IGNORED_AGENTS,
        "channels[0].arrivals: a session arrives at 10m (and 1 more) while no agent serving "
        "queue 'support' is online"
    ]


# -------------------------------------------------------------- never another exception
def test_infinite_horizon_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    problems = problems_of(path, ("horizon=.inf", "agent_groups[0].staffing=[1]"))
    assert len(problems) == 1 and problems[0].startswith(f"{path}: ")


WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)


def leaf_paths(node: object, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in leaf_paths(value, (*path, key))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in leaf_paths(value, (*path, i))]
    return [path]


def mapping_paths(node: object, path: tuple = ()) -> list[tuple]:
    found = [path] if isinstance(node, dict) else []
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in children:
        found += mapping_paths(value, (*path, key))
    return found


RICH = yaml.safe_load(BASE) | {
    "interval": "1h",
    "timeouts": {"inactive": "20h"},
    "service_level": {"threshold": 60, "target": 0.8},
}
RICH["channels"][0]["customers"] = {"patience": {"kind": "uniform", "low": 5, "high": 60}}
RICH["channels"][0]["outbound"] = {"arrivals": {"rates": [1, 2] * 4}}
RICH["agent_groups"][0]["shifts"] = [{"start": "0s", "end": "8h", "agents": 3}]
RICH["agent_groups"][0]["behaviour"] = {"reply_time": "1m", "accept_delay": 3}


@pytest.mark.slow
@given(data=st.data())
def test_corrupted_scenarios_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    raw = copy.deepcopy(RICH)
    Scenario.model_validate(raw)  # the uncorrupted scenario is valid
    if data.draw(st.booleans(), label="replace a leaf"):
        path = data.draw(st.sampled_from(leaf_paths(raw)), label="leaf")
    else:
        path = (
            *data.draw(st.sampled_from(mapping_paths(raw)), label="mapping"),
            data.draw(KEYS, label="new key"),
        )
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(WRONG_VALUES, label="value")
    folder = tmp_path_factory.mktemp("corrupt")
    file = folder / "corrupt.yaml"
    file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    try:
        load_scenario(file)
    except ScenarioError as error:
        assert error.problems
        assert all(line.startswith(f"{file}: ") for line in error.problems)


# ------------------------------------------------------------------------------ reference
def test_reference_page_is_up_to_date() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "scenario-reference.md"
    assert page.read_text(encoding="utf-8") == render_reference(), (
        "regenerate with: python -m sim.scenario.reference > docs/scenario-reference.md"
    )


def test_rule_links_point_at_sections_of_the_rules_page() -> None:
    # Code cites "rules §N"; the reference turns that into a link to the section's anchor.
    rules = (Path(__file__).resolve().parents[2] / "docs" / RULES_PAGE).read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line[3:].lower()).replace(" ", "-")
        for line in rules.splitlines()
        if line.startswith("## ")
    }
    assert set(RULES_SECTIONS.values()) <= anchors
    page = render_reference()
    assert "§" in page
    for number, anchor in re.findall(r"\[§(\d)\]\(omni-channel-rules\.md#([a-z0-9-]+)\)", page):
        assert RULES_SECTIONS[number] == anchor
    assert not re.search(r"rules §\d", page)  # every citation became a link


def test_reference_documents_every_key() -> None:
    page = render_reference()
    for model in Scenario.model_fields["channels"].annotation.__args__:
        for name in model.model_fields:
            assert f"| `{name}` |" in page
    assert "| `capacity_model` | one of `tab`, `status` |" in page


def test_agents_beside_a_schedule_are_reported_as_ignored(tmp_path: Path) -> None:
    staffing = ["horizon=1h", "agent_groups[0].staffing=[2, 3]"]
    staffed = load_scenario(write(tmp_path, BASE), staffing)
    assert scenario_warnings(staffed)[0] == (
        "agent_groups[0].agents: 5 is ignored; the group's staffing set who is online"
    )
    cleared = load_scenario(write(tmp_path, BASE), [*staffing, "agent_groups[0].agents=0"])
    assert not any("ignored" in line for line in scenario_warnings(cleared))
