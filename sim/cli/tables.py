"""The console output of ``ccsim run``, ``compare`` and ``sweep``: progress bar and tables.

Every table is a rich table; user text (scenario names, grid values) is shown through
:func:`sim.scenario.user_text.printable`, never read as rich markup. Shares are printed as
percentages, totals over a replication in hours per day.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.scenario.user_text import printable

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from sim.experiments.runner import RunSet
    from sim.experiments.sweep import SweepResult
    from sim.scenario.schema import Scenario


@contextmanager
def progress_bar(quiet: bool, total: int, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (``None`` when quiet)."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(what, total=total)
    with bar:
        yield lambda done, _total: bar.update(task, completed=done)


def print_summary(scenario: Scenario, summary: pd.DataFrame, replications: int, seed: int,
                   interrupted: bool, written: list[Path],
                   breakdowns: Sequence[Table] = (), verdict: Sequence[str] = ()) -> None:
    """The verdict, then a table of the figures by label (zero figures named in a note)."""
    from sim.results.figures import FIGURE_LABELS, in_reported_units, measured_days

    _print_verdict(verdict)
    table = _titled_table(f"{scenario.name}: {scenario.capacity_model}-based capacity, "
                          f"{_replications(replications)}, seed {seed}", interrupted)
    table.add_column("figure", overflow="fold")
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("± 95% CI", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    shown = in_reported_units(summary, measured_days(scenario))
    zero = []
    for name, row in shown.iterrows():
        key = str(name)
        if _is_zero(row, ("mean",)):
            zero.append(FIGURE_LABELS.get(key, key))
            continue
        table.add_row(FIGURE_LABELS.get(key, key), _number(row["mean"], key),
                      _number(row["ci95"], key), _unit(key))
    _print_table(table, _zero_note(zero), written, breakdowns)


def _print_verdict(lines: Sequence[str]) -> None:
    """The command's answer, before any table."""
    for line in lines:
        print(printable(line))


def _is_zero(row: pd.Series, columns: Sequence[str]) -> bool:
    """Every one of ``columns`` is exactly zero (a figure with nothing to show)."""
    return all(float(row[column]) == 0.0 for column in columns)


def _zero_note(labels: list[str]) -> list[str]:
    """A line naming the figures left out of a table for being zero, if any."""
    if not labels:
        return []
    return [f"zero in every replication, so not shown: {', '.join(labels)}"]


CHANNEL_TABLE_FIGURES = {
    "offered": "offered",
    "service_level": "SL %",
    "asa_s": "ASA s",
    "abandonment_rate": "abandoned %",
    "handle_time_s": "handle s",
}
"""Figures of the printed per-channel table, with short headers (summary.json has more)."""

GROUP_TABLE_FIGURES = {
    "agents_online": "online",
    "agents_available": "available",
    "agents_on_break": "on break",
    "occupancy": "occup. %",
    "concurrency": "sessions/agent",
}
"""Figures of the printed per-group table (means after the warm-up, over the group's own
shift hours)."""


def breakdown_tables(runset: RunSet, scenario: Scenario) -> list[Table]:
    """The per-channel and per-group tables printed after the headline figures."""
    from sim.results.breakdowns import group_totals, session_breakdown, wide

    tables = []
    if runset.sessions is not None and len(scenario.channels) > 1:
        rows = wide(session_breakdown(runset.sessions, scenario, "channel"), "channel")
        tables.append(_means_table("per channel (mean after the warm-up)", "channel", rows,
                                   CHANNEL_TABLE_FIGURES))
    if not runset.groups.empty and len(scenario.agent_groups) > 1:
        rows = wide(group_totals(runset.groups, scenario), "group")
        tables.append(_means_table("per agent group (mean over its shift hours after the "
                                   "warm-up)", "group", rows, GROUP_TABLE_FIGURES))
    return tables


def _means_table(title: str, key: str, rows: pd.DataFrame, figures: dict[str, str]) -> Table:
    """A small table: one row per ``key`` value, each figure's mean (shares in percent)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title))
    table.add_column(key, overflow="fold")
    for header in figures.values():
        table.add_column(header, justify="right", no_wrap=True)
    for _, row in rows.iterrows():
        table.add_row(Text(printable(str(row[key]))),
                      *[_number(row[name], name) for name in figures])
    return table


def print_comparison(scenario: Scenario, comparison: pd.DataFrame, replications: int,
                      seed: int, interrupted: bool, written: list[Path],
                      verdict: Sequence[str] = (), grid: pd.DataFrame | None = None) -> None:
    """The verdict, then both models and the difference by figure label (zeros folded).

    Then the mixed center's note, and the what-if table when ``grid`` is given.
    """
    from sim.experiments.runner import mixed_center_note
    from sim.results.figures import FIGURE_LABELS, in_reported_units, measured_days

    _print_verdict(verdict)
    table = _titled_table(f"{scenario.name}: status- vs tab-based capacity, same customers, "
                          f"{_replications(replications)}, seed {seed}", interrupted)
    # The difference and its CI share a column, as in the sweep table, and the unit goes
    # with the label, so that the table fits an 80-column terminal.
    for column in ("figure (unit)", "tab", "status", "status - tab\n± 95% CI"):
        table.add_column(column, justify="left" if column.startswith("figure") else "right",
                         no_wrap=not column.startswith("figure"), overflow="fold")
    shown = in_reported_units(comparison, measured_days(scenario))
    zero = []
    for name, row in shown.iterrows():
        key = str(name)
        if _is_zero(row, ("tab_mean", "status_mean", "diff_mean")):
            zero.append(FIGURE_LABELS.get(key, key))
            continue
        difference = (f"{_number(row['diff_mean'], key, signed=True)} "
                      f"±{_number(row['diff_ci95'], key)}")
        table.add_row(f"{FIGURE_LABELS.get(key, key)} ({_unit(key)})",
                      _number(row["tab_mean"], key), _number(row["status_mean"], key),
                      difference)
    note = mixed_center_note(scenario)
    notes = [*_zero_note(zero), *([f"Note: {note}."] if note else [])]
    more = [] if grid is None else [_what_if_table(grid, replications)]
    _print_table(table, notes, written, more)


def _what_if_table(grid: pd.DataFrame, replications: int) -> Table:
    """Status - tab ± 95% CI by each criterion at each what-if value, and who is better."""
    table = _titled_table(f"What-if: status - tab ± 95% CI ({_replications(replications)} "
                          "per point; the better model where the CI says so)", False)
    from sim.analysis.whatif import knob_named

    decided = grid[grid["preferred"] != ""]
    criteria = dict(zip(decided["measure"], decided["unit"], strict=False))
    table.add_column("setting", no_wrap=True)
    for name, unit in criteria.items():
        table.add_column(f"{name} ({unit})", justify="right", no_wrap=False)
    for (knob, _), rows in grid.groupby(["knob", "value"], sort=False):
        setting = knob_named(str(knob))
        by_measure = rows.set_index("measure")
        cells = []
        for name in criteria:
            row = by_measure.loc[name]
            verdict = f" {row['preferred']}" if row["preferred"] in ("tab", "status") else ""
            cells.append(f"{row['diff']:+.3g} ±{row['ci95']:.2g}{verdict}")
        table.add_row(f"{knob} {setting.text(float(rows['value'].iloc[0]))}", *cells)
    return table


SWEEP_TABLE_FIGURES = {
    "service_level": "SL",
    "asa_s": "ASA",
    "abandonment_rate": "abandoned",
    "occupancy": "occupancy",
}
"""Figures in the printed sweep table, with short headers (sweep.csv has them all)."""


def print_sweep(sweep: SweepResult, written: list[Path],
                labels: dict[str, str] | None = None) -> None:
    """A row per cell: the grid values, then each figure's mean ± 95% CI half-width."""
    from rich.text import Text

    from sim.experiments.sweep import wide

    keys = sweep.grid
    rows = wide(sweep.table, SWEEP_TABLE_FIGURES)
    replications = sweep.replications
    result = _titled_table(f"{sweep.plan.scenario.name}: {len(sweep.plan.cells)} cells x "
                           f"{_replications(replications)}, seed {sweep.seed}",
                           sweep.interrupted, fit_title=False)
    texts_by_row = [[f"{_number(row[f'{name}_mean'], name)} ±{_number(row[f'{name}_ci95'], name)}"
              for name in SWEEP_TABLE_FIGURES] for _, row in rows.iterrows()]
    short = {key: key.rsplit(".", 1)[-1] for key in keys}
    if len(set(short.values())) < len(short):
        short = {key: key for key in keys}
    short.update({key: label for key, label in (labels or {}).items() if key in short})
    for key in keys:
        # capacity_model as "capacity model", a line per word where they fit: a header
        # breaks between words, never inside one ("capacity_mo del"), and the table keeps
        # to 80 columns
        words = printable(short[key]).replace("_", " ").split() or [""]
        header = textwrap.fill(" ".join(words), width=max(map(len, words)))
        result.add_column(Text(header), overflow="fold")
    renamed = [f"{name} = {key}" for key, name in short.items() if name != key]
    for number, (name, header) in enumerate(SWEEP_TABLE_FIGURES.items()):
        unit = _unit(name)
        width = max([len(f"{header} {unit}")] + [len(texts[number]) for texts in texts_by_row])
        result.add_column(f"{header} {unit}", justify="right", no_wrap=True, min_width=width)
    complete = bool((rows["n"] == replications).all())
    if not complete:
        result.add_column("n", justify="right")
    # Column by column: a row of mixed columns would turn whole grid values into floats.
    key_texts = rows[keys].astype(str).to_numpy().tolist()
    counts = rows["n"].astype(int).astype(str).tolist()
    for values, texts, count in zip(key_texts, texts_by_row, counts, strict=True):
        result.add_row(*[Text(printable(value)) for value in values], *texts,
                       *([] if complete else [count]))
    _print_table(result, ["; ".join([*renamed, "± is the 95% CI half-width; every figure is "
                                               "in sweep.csv"])], written)


def _replications(count: int) -> str:
    return f"{count} replication{'s' if count != 1 else ''}"


def _titled_table(title: str, interrupted: bool, fit_title: bool = True) -> Table:
    """A rich table titled ``title`` (marked when interrupted), as wide as it when asked."""
    from rich.table import Table
    from rich.text import Text

    title = printable(title)  # user text: a Text, never read as rich markup
    return Table(title=Text(title + (" (INTERRUPTED)" if interrupted else "")),
                 min_width=len(title) if fit_title else None)


def _print_table(table: Table, notes: list[str], written: list[Path],
                 more: Sequence[Table] = ()) -> None:
    """Print ``table``, the ``more`` tables, the ``notes`` lines, and where the files went."""
    from rich.console import Console
    from rich.text import Text

    console = Console()
    console.print(table)
    for extra in more:
        console.print(extra)
    for line in notes:
        console.print(Text(printable(line)))
    console.print(Text(printable(f"reports written to {written[0].parent}/ "
                                 f"({len(written)} files)")))


def _number(value: Any, figure: str, signed: bool = False) -> str:
    """A figure for the table: shares as percent, counts whole, others to 3 digits."""
    number = float(value)
    if number != number:  # NaN: nothing to measure, or too few replications for a CI
        return "-"
    if _is_share(figure):
        number *= 100.0
    if abs(number) < 1e-9:  # float noise of equal values, e.g. a CI of identical pairs
        number = 0.0
    sign = "+" if signed and abs(number) > 0 else ""
    if abs(number) >= 1e6:  # e.g. stranded seconds over a campaign: keep the column narrow
        return f"{number:{sign}.3g}"
    if abs(number) >= 100 or number == round(number):
        return f"{number:{sign},.0f}"
    if abs(number) >= 1:
        return f"{number:{sign}.2f}"
    return f"{number:{sign}.3g}"


def _is_share(figure: str) -> bool:
    """Shares (0-1) are printed as percentages."""
    from sim.results.figures import FIGURE_UNITS

    return FIGURE_UNITS.get(figure) == "share"


def _unit(figure: str) -> str:
    """The unit a figure is printed in (``%`` for shares, hours per day for totals)."""
    from sim.results.figures import reported_unit

    return "%" if _is_share(figure) else reported_unit(figure)
