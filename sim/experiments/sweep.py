"""Parameter sweeps: every combination of a grid of scenario values, replicated, in one batch.

A *grid* maps override key paths (as for ``--set``: ``agent_groups[0].agents``,
``capacity_model``, ``channels[0].arrivals.rate``) to the values to try. Every
combination is a *cell*; each cell's scenario is the base scenario with the cell's values
applied and re-validated by :meth:`Scenario.derive <sim.scenario.schema.Scenario.derive>`.

Invalid cells (for example status-based capacity on a standard channel) fail early, before
anything runs: :func:`plan_sweep` raises a :class:`~sim.scenario.loading.ScenarioError` with
one line per invalid cell, naming the cell and the problem. With ``skip_invalid=True`` they are
left out instead and listed, with the reason, in :attr:`SweepResult.skipped`.

Every cell runs replications ``0 .. n-1`` of the same root seed, so all cells see the same
customers (common random numbers) and differences between cells are not sampling noise of
different arrivals. All cells x replications are submitted to the executor as one batch;
workers return only the headline figures of each run (no session or interval tables).

The result is a **tidy** table: one row per cell and figure, with columns ``cell``, one
column per grid key (named by its key path), ``figure``, ``unit``, ``mean``, ``sd``,
``ci95`` (half-width of the 95% confidence interval of the mean) and ``n`` (replications
with a value); :class:`SweepResult` holds it with how it was run. :func:`wide` turns it
into one row per cell with ``<figure>_mean`` and ``<figure>_ci95`` columns.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from sim.experiments.executors import Executor
from sim.experiments.runner import Progress, run_batch, run_figures
from sim.results.figures import FIGURE_UNITS, FIGURES, summarize
from sim.scenario.loading import (
    ScenarioError,
    apply_overrides,
    format_path,
    parse_key_path,
)
from sim.scenario.sanity import scenario_warnings
from sim.scenario.schema import Scenario

GRID_EXAMPLE = "agent_groups[0].agents=8,10,12"
"""An example ``--grid`` argument, for messages."""

TABLE_COLUMNS = ("figure", "unit", "mean", "sd", "ci95", "n")
"""Columns of the tidy table after ``cell`` and the grid keys."""


# ------------------------------------------------------------------------------- the grid
def parse_grid(specs: Sequence[str]) -> dict[str, list[Any]]:
    """Parse ``--grid`` arguments into a grid.

    Each spec is ``KEY.PATH=V1,V2,...``; values are read as YAML (``8`` is a number,
    ``tab`` text, ``80/h`` a rate, ``[1, 2]`` a list: commas inside brackets, braces or
    quotes do not split). Key paths are normalised (``agent_groups.0.agents`` becomes
    ``agent_groups[0].agents``).

    Args:
        specs: the ``--grid`` arguments, in order (the first key is the chart's x axis).

    Returns:
        ``{key path: [values]}`` in the order given.

    Raises:
        ValueError: naming the spec, for a missing ``=``, a malformed key path, an empty
            or unreadable value, a repeated value, or a key given twice.
    """
    grid: dict[str, list[Any]] = {}
    if not specs:
        raise ValueError(f"a sweep needs at least one --grid KEY=V1,V2,..., e.g. {GRID_EXAMPLE}")
    for spec in specs:
        key, sep, text = spec.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--grid {spec}: malformed; expected KEY=V1,V2,..., "
                             f"e.g. {GRID_EXAMPLE}")
        try:
            path = format_path(parse_key_path(key))
        except ValueError as error:
            raise ValueError(f"--grid {spec}: {error}; expected names and indexes such as "
                             "agent_groups[0].agents") from None
        if path in grid:
            raise ValueError(f"--grid {spec}: key {path} is already in the grid; "
                             "give each key once with all its values")
        values = [_value(spec, part) for part in _split_values(spec, text)]
        shown = [_show(value) for value in values]
        repeated = sorted({value for value in shown if shown.count(value) > 1})
        if repeated:
            raise ValueError(f"--grid {spec}: value {repeated[0]} is given twice; "
                             "expected distinct values")
        grid[path] = values
    return grid


def parse_labels(specs: Sequence[str], grid: Mapping[str, Any]) -> dict[str, str]:
    """Parse ``--label KEY.PATH=TEXT`` arguments: what the chart and table call a grid key.

    Args:
        specs: the ``--label`` arguments, e.g. ``agent_groups[0].agents=Day-shift agents``.
        grid: the grid they name keys of (:func:`parse_grid`).

    Returns:
        ``{key path: label}`` for the keys given (the others keep their key path).

    Raises:
        ValueError: naming the spec, for a missing ``=``, an empty label, a key that is not
            in the grid, or a key labelled twice.
    """
    labels: dict[str, str] = {}
    for spec in specs:
        key, sep, text = spec.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise ValueError(f"--label {spec}: malformed; expected KEY.PATH=TEXT, e.g. "
                             "'agent_groups[0].agents=Agents on the day shift'")
        try:
            path = format_path(parse_key_path(key))
        except ValueError as error:
            raise ValueError(f"--label {spec}: {error}; expected a --grid key") from None
        if path not in grid:
            raise ValueError(f"--label {spec}: {path} is not a --grid key; expected one of "
                             f"{', '.join(grid)}")
        if path in labels:
            raise ValueError(f"--label {spec}: key {path} is already labelled; give each "
                             "key one label")
        labels[path] = " ".join(text.split())
    return labels


def _split_values(spec: str, text: str) -> list[str]:
    """Split on commas outside brackets, braces and quotes."""
    parts: list[str] = []
    depth, quote, current = 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth < 0:
                break
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    if depth != 0 or quote:
        raise ValueError(f"--grid {spec}: unbalanced brackets or quotes; "
                         f"expected KEY=V1,V2,..., e.g. {GRID_EXAMPLE}")
    parts.append(current)
    if any(not part.strip() for part in parts):
        raise ValueError(f"--grid {spec}: empty value; expected KEY=V1,V2,... with no "
                         f"empty entries, e.g. {GRID_EXAMPLE}")
    return [part.strip() for part in parts]


def _value(spec: str, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise ValueError(f"--grid {spec}: cannot read value {text!r}; expected a YAML "
                         "scalar or list, e.g. 4, tab, 80/h, [1, 2]") from None


def _show(value: Any) -> str:
    """A grid value as text: for labels, and as YAML (JSON) in an override."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def _override(key: str, value: Any) -> str:
    """``key=value`` with the value as JSON, which YAML reads back exactly."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        text = str(value)
    return f"{key}={text}"


# ------------------------------------------------------------------------------ the plan
@dataclass(frozen=True)
class Cell:
    """One combination of grid values and its validated scenario.

    Attributes:
        index: position in the grid (first key slowest, as :func:`itertools.product`).
        values: ``{key path: value}``.
        scenario: the base scenario with the values applied.
    """

    index: int
    values: dict[str, Any]
    scenario: Scenario

    @property
    def label(self) -> str:
        """``key=value, key=value``."""
        return cell_label(self.values)


def cell_label(values: Mapping[str, Any]) -> str:
    """A cell's values as ``key=value, key=value``."""
    return ", ".join(f"{key}={_show(value)}" for key, value in values.items())


@dataclass
class SweepPlan:
    """The valid cells of a grid, ready to run.

    Attributes:
        scenario: the base scenario.
        grid: ``{key path: values}``.
        cells: the valid cells, in grid order.
        skipped: invalid cells left out: ``{"cell": index, <key>: value..., "reason": text}``.
    """

    scenario: Scenario
    grid: dict[str, list[Any]]
    cells: list[Cell]
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def cell_warnings(self) -> dict[str, list[int]]:
        """Sanity warnings the grid values add to the base scenario's, with their cells.

        A value that the scenario then ignores (agents of a group that has shifts) or that
        leaves a queue unstaffed shows here; the base scenario's own warnings do not.
        """
        known = set(scenario_warnings(self.scenario))
        added: dict[str, list[int]] = {}
        for cell in self.cells:
            for warning in scenario_warnings(cell.scenario):
                if warning not in known:
                    added.setdefault(warning, []).append(cell.index)
        return added


def plan_sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    *,
    skip_invalid: bool = False,
    source: str | None = None,
) -> SweepPlan:
    """Build and validate the scenario of every grid cell, without running anything.

    Args:
        scenario: the validated base scenario.
        grid: ``{key path: values}`` (see :func:`parse_grid`); at least one key, each with
            at least one value.
        skip_invalid: leave invalid cells out (listed in ``skipped``) instead of failing.
        source: the name problem lines start with (the scenario file); the scenario's
            name when omitted.

    Returns:
        The plan.

    Raises:
        ScenarioError: a grid key that does not exist in the scenario (one line per key,
            naming it), or invalid cells when ``skip_invalid`` is false (one line per
            problem, naming the cell); also if every cell is invalid.
        ValueError: for an empty grid or a key without values.
    """
    name = source if source is not None else scenario.name
    keys = [format_path(parse_key_path(key)) for key in grid]
    values = [list(grid[key]) for key in grid]
    if not keys:
        raise ValueError(f"a sweep needs at least one grid key, e.g. {GRID_EXAMPLE}")
    for key, options in zip(keys, values, strict=True):
        if not options:
            raise ValueError(f"grid key {key} has no values; expected at least one")
    raw = scenario.model_dump()
    _check_keys(raw, keys, values, name)

    cells: list[Cell] = []
    skipped: list[dict[str, Any]] = []
    problems: list[str] = []
    invalid = 0
    combos = list(itertools.product(*values))
    for index, combo in enumerate(combos):
        assignment = dict(zip(keys, combo, strict=True))
        where = f"{name} [grid cell {index}: {cell_label(assignment)}]"
        try:
            cells.append(Cell(index, assignment, _cell_scenario(scenario, assignment, where)))
        except ScenarioError as error:
            if not skip_invalid:
                problems.extend(error.problems)
                invalid += 1
                continue
            reason = "; ".join(line.removeprefix(f"{where}: ") for line in error.problems)
            skipped.append({"cell": index, **assignment, "reason": reason})
    if problems:
        if invalid == len(combos):
            problems.append(f"{name}: every grid cell is invalid; check the grid keys and "
                            "values")
        else:
            problems.append(f"{name}: {invalid} of {len(combos)} grid cells are invalid; "
                            "change the grid, or skip invalid cells (--skip-invalid)")
        raise ScenarioError(problems)
    if not cells:
        raise ScenarioError([f"{name}: every one of the {len(combos)} grid cells is invalid; "
                             f"first: {skipped[0]['reason']}"])
    return SweepPlan(scenario, {k: list(v) for k, v in zip(keys, values, strict=True)},
                     cells, skipped)


def _check_keys(raw: dict[str, Any], keys: list[str], values: list[list[Any]],
                name: str) -> None:
    """Every grid key must exist in the scenario (or be a section the schema knows)."""
    problems: list[str] = []
    for key, options in zip(keys, values, strict=True):
        override = _override(key, options[0])
        try:
            apply_overrides(raw, [override], name)
        except ScenarioError as error:
            prefix = f"{name}: --set {override}: "
            problems.extend(f"{name}: --grid {key}: {line.removeprefix(prefix)}"
                            for line in error.problems)
    if problems:
        raise ScenarioError(problems)


def _cell_scenario(scenario: Scenario, assignment: dict[str, Any], where: str) -> Scenario:
    return scenario.derive(assignment, source=where)


# ------------------------------------------------------------------------------- running
@dataclass
class SweepResult:
    """A sweep that ran: its tidy table and how it was run.

    Attributes:
        plan: the cells that were to run (grid, base scenario, invalid cells left out).
        table: the tidy table (see the module docstring); cells without a finished run are
            left out.
        replications: replications requested per cell.
        seed: the root seed of every cell.
        interrupted: Ctrl-C stopped the runs; cells keep the replications that finished.
    """

    plan: SweepPlan
    table: pd.DataFrame
    replications: int
    seed: int
    interrupted: bool = False

    @property
    def grid(self) -> list[str]:
        """The grid keys (key paths), the first being the chart's x axis."""
        return list(self.plan.grid)

    @property
    def skipped(self) -> list[dict[str, Any]]:
        """Invalid cells left out: ``{"cell": index, <key>: value..., "reason": text}``."""
        return list(self.plan.skipped)


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    replications: int,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    *,
    skip_invalid: bool = False,
    figures: Sequence[str] | None = None,
    source: str | None = None,
) -> SweepResult:
    """Run every cell of a grid, replicated, and summarise each figure per cell.

    Args:
        scenario: the validated base scenario.
        grid: ``{key path: values}``, e.g. ``{"agent_groups[0].agents": [8, 10],
            "capacity_model": ["tab", "status"]}`` (see :func:`parse_grid`).
        replications: replications per cell (at least 1; 2 or more for a CI).
        seed: root seed of every cell; each cell's own ``seed`` when omitted (so a grid
            over ``seed`` works).
        executor: where to run (:func:`sim.experiments.executors.make_executor`); serial
            when omitted.
        progress: called as ``progress(done, total)``, ``total = cells * replications``.
        skip_invalid: leave invalid cells out instead of failing (see :func:`plan_sweep`).
        figures: figures to keep (default: all, in report order).
        source: the name problem lines start with (the scenario file).

    Returns:
        The tidy table (see the module docstring) with the grid, the replications
        requested, the seed, whether Ctrl-C stopped the runs (cells keep the replications
        that finished, cells with none are left out) and the invalid cells left out.

    Raises:
        ScenarioError: for a grid key that does not exist or invalid cells (see
            :func:`plan_sweep`).
        ValueError: if ``replications`` is less than 1, or for an unknown figure.
    """
    plan = plan_sweep(scenario, grid, skip_invalid=skip_invalid, source=source)
    return run_sweep(plan, replications, seed, executor, progress, figures=figures)


def run_sweep(
    plan: SweepPlan,
    replications: int,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    *,
    figures: Sequence[str] | None = None,
) -> SweepResult:
    """Run a :class:`SweepPlan`; see :func:`sweep` for the arguments and the result."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    names = list(FIGURES if figures is None else figures)
    unknown = [name for name in names if name not in FIGURE_UNITS]
    if unknown:
        raise ValueError(f"unknown figure {unknown[0]!r}; expected one of {', '.join(FIGURES)}")
    tasks = [
        (cell.scenario, cell.scenario.seed if seed is None else seed, replication)
        for cell in plan.cells
        for replication in range(replications)
    ]
    results, interrupted = run_batch(run_figures, tasks, executor, progress)

    keys = list(plan.grid)
    rows: list[dict[str, Any]] = []
    for number, cell in enumerate(plan.cells):
        runs = [results[i] for i in range(number * replications, (number + 1) * replications)
                if i in results]
        if not runs:
            continue
        summary = summarize(runs)
        for name in names:
            row = summary.loc[name]
            rows.append({"cell": cell.index, **cell.values, "figure": name,
                         "unit": FIGURE_UNITS[name], "mean": row["mean"], "sd": row["sd"],
                         "ci95": row["ci95"], "n": int(row["n"])})
    table = pd.DataFrame(rows, columns=["cell", *keys, *TABLE_COLUMNS])
    return SweepResult(plan, table, replications,
                       seed=plan.scenario.seed if seed is None else seed,
                       interrupted=interrupted)


# ------------------------------------------------------------------------------ reshaping
def grid_keys(table: pd.DataFrame) -> list[str]:
    """The grid key columns of a sweep table (between ``cell`` and ``figure``)."""
    columns = list(table.columns)
    return columns[columns.index("cell") + 1 : columns.index("figure")]


def wide(table: pd.DataFrame, figures: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per cell: ``cell``, the grid keys, ``n``, ``<figure>_mean``, ``<figure>_ci95``.

    Args:
        table: a tidy sweep table (:attr:`SweepResult.table`, or ``sweep.csv`` read back).
        figures: figures to keep, in this order (default: all in the table, in its order);
            a mapping gives its keys.

    Returns:
        The wide table, in cell order; ``n`` is the replications of the cell.
    """
    keys = grid_keys(table)
    names = list(figures) if figures is not None else list(dict.fromkeys(table["figure"]))
    cells = table.drop_duplicates("cell")[["cell", *keys]].reset_index(drop=True)
    replications = table.groupby("cell")["n"].max()
    cells["n"] = cells["cell"].map(replications).astype(int)
    for name in names:
        rows = table[table["figure"] == name].set_index("cell")
        cells[f"{name}_mean"] = cells["cell"].map(rows["mean"])
        cells[f"{name}_ci95"] = cells["cell"].map(rows["ci95"])
    return cells
