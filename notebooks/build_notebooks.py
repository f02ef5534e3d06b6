"""Build the analysis notebooks from the cell sources below, execute them, save with outputs.

Usage (from the repository root, with the package and the ``notebooks`` extra installed)::

    python notebooks/build_notebooks.py                 # build + execute both notebooks
    python notebooks/build_notebooks.py compare_capacity_models   # only the named one(s)
    python notebooks/build_notebooks.py --no-execute    # write them without outputs

The notebooks are generated: edit the cell sources here, not the ``.ipynb`` files, then run
this script and commit the executed notebooks it writes next to it
(``notebooks/compare_capacity_models.ipynb``, ``notebooks/staffing_charts.ipynb``), so they
read well on opening. Each is executed with nbclient on the ``python3`` kernel of the
running interpreter, with the working directory ``notebooks/`` (scenario paths in the
parameter cells are relative to it) and a per-cell timeout.

Both notebooks start with a code cell tagged ``parameters`` (scenario path, replications,
seed) that a test or papermill can override; ``tests/test_notebooks.py`` runs them small.
Every chart goes through ``show()``, which checks the CLI's chart rules (a title, axis
labels with units in brackets, a legend) and fails the run if one is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK_DIR = Path(__file__).resolve().parent
CELL_TIMEOUT_S = 600
"""Per-cell execution timeout (seconds)."""

KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

# ------------------------------------------------------------------------ shared cells
CHART_HELPERS = r'''
# Chart rules of the CLI: every chart has a title, axis labels with units (in brackets) and
# a legend. show() checks them and then displays the figure as a PNG (the sim chart helpers
# build object-API figures on the Agg backend, so they are rendered explicitly here).
import io
import re

from IPython.display import Image, Markdown, display

CHECKED_FIGURES: list[str] = []


def chart_problems(figure) -> list[str]:
    """What breaks the chart rules in ``figure`` (an empty list when it follows them)."""
    problems = []
    drawn = [axes for axes in figure.axes if axes.get_visible() and axes.has_data()]
    titles = [axes.get_title() for axes in figure.axes] + [figure.get_suptitle()]
    if not any(title.strip() for title in titles):
        problems.append("no title")
    if not drawn:
        problems.append("nothing drawn")
    has_figure_legend = bool(figure.legends)
    for axes in drawn:
        siblings = axes.get_shared_x_axes().get_siblings(axes)  # a twin axis shares x
        for name, axis, labels in (
            ("x", axes.xaxis, [sibling.get_xlabel() for sibling in siblings]),
            ("y", axes.yaxis, [axes.get_ylabel()]),
        ):
            label = next((text for text in labels if text.strip()), "")
            ticks = [tick.get_text() for tick in axis.get_ticklabels()]
            categorical = any(re.search(r"[A-Za-z_]{2}", tick) for tick in ticks)
            if not label:
                problems.append(f"{name} axis without a label in {axes.get_title()!r}")
            elif not categorical and not re.search(r"\(.+\)", label):
                problems.append(f"{name} label {label!r} has no unit in brackets")
        if not has_figure_legend and not any(s.get_legend() is not None for s in siblings):
            problems.append(f"no legend in {axes.get_title() or figure.get_suptitle()!r}")
    return problems


def show(figure, name: str) -> None:
    """Check the chart rules, then display ``figure`` as a PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    problems = chart_problems(figure)
    if problems:
        raise AssertionError(f"chart {name!r} breaks the chart rules: {problems}")
    CHECKED_FIGURES.append(name)
    display(Image(data=buffer.getvalue(), format="png"))
    figure.clear()  # release the canvas memory (object-API figures need no pyplot close)
'''

CHECK_SUMMARY = r'''
print(f"{len(CHECKED_FIGURES)} charts checked (title, axis labels with units, legend): "
      + ", ".join(CHECKED_FIGURES))
print(f"notebook run time: {time.perf_counter() - STARTED:.1f} s")
'''

# -------------------------------------------------------------- compare_capacity_models
COMPARE_INTRO = r'''
# Tab-based or status-based capacity? A side-by-side comparison

This notebook runs one bundled scenario under **tab-based** and **status-based** capacity on
**the same customers** (common random numbers: replication *r* of both models uses the same
random streams, so the same customers arrive, write, fall silent and return in the same way)
and compares what planners look at:

1. the headline figures with the **paired difference (status − tab) and its 95% CI**;
2. the distribution of speed to answer;
3. service level and throughput per interval against the target;
4. occupancy and concurrency;
5. agents going **offline**: rerouted work under tab-based vs stranded customers under
   status-based capacity;
6. **unresponsive customers**: capacity held while they are silent, their returns, timeouts;
7. a **what-if**: more and longer disconnections, a longer close-tab delay, more silent
   customers — where does the preferred model flip, by service level, by ASA and by the
   customers' total waiting time (including stranded and re-queued time)?

It ends with a conclusion written from the numbers computed above. The rules the simulator
follows are in [docs/omni-channel-rules.md](../docs/omni-channel-rules.md); the scenario
file's header says what it is for.

*Parameters* are in the next cell (tagged `parameters`): change the scenario, the
replications or the seed and run all cells. With the defaults it runs in about a minute.
'''

COMPARE_PARAMETERS = r'''
SCENARIO = "../scenarios/unstable_connections.yaml"  # or "../scenarios/web_chat_desk.yaml"
REPLICATIONS = 10         # replications per capacity model (the same customers in both)
SEED = 7                  # root seed; replication r uses the same streams under both models
WHATIF_REPLICATIONS = 6   # replications per capacity model and what-if setting
WHATIF_VALUES = 4         # values per what-if knob: 4 (all of them) or 2 (lowest, highest)
JOBS = 1                  # worker processes for the replications (1 = in this kernel)
'''

COMPARE_SETUP = r'''
import time

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import Scenario, load_scenario, simulate
from sim.reports.run_charts import COLORS, compare_differences_chart, compare_service_level_chart
from sim.results.figures import FIGURE_UNITS, headline_figures  # not exported from sim/__init__.py
from sim.reports.files import interval_summary  # not exported from sim/__init__.py
from sim.experiments.executors import make_executor
from sim.experiments.runner import compare

STARTED = time.perf_counter()
MODELS = ("tab", "status")
NAMES = {"tab": "tab-based", "status": "status-based"}
executor = make_executor(JOBS)
pd.set_option("display.max_rows", 60)
'''

COMPARE_LOAD = r'''
scenario = load_scenario(SCENARIO)
threshold_s = scenario.service_level.threshold
target = scenario.service_level.target
hours = scenario.horizon / 3600.0
groups = pd.DataFrame([
    {
        "group": group.name,
        "agents": group.agents,
        "capacity (units)": group.capacity_units,
        "disconnections (per agent-hour)": group.disconnections.rate,
        "outages": len(group.disconnections.outages),
        "close-tab delay": group.behaviour.close_tab_delay.model_dump(),
        "ACW max (s)": (group.behaviour.after_conversation_work.max
                        if group.behaviour.after_conversation_work.enabled else None),
        "inactivate after (s)": group.behaviour.inactivate_after,
    }
    for group in scenario.agent_groups
])
channels = pd.DataFrame([
    {"channel": channel.name, "type": channel.type,
     "silent share": channel.customers.silent_probability,
     "return share": channel.customers.return_probability}
    for channel in scenario.channels
])
display(Markdown(
    f"**{scenario.name}**: {scenario.description}\n\n"
    f"Horizon {hours:g} h in {scenario.n_intervals} intervals of "
    f"{scenario.interval / 60:g} min; service-level goal {target:.0%} within "
    f"{threshold_s:g} s; {REPLICATIONS} replications per model, seed {SEED}."))
display(groups)
display(channels)
'''

COMPARE_RUN = r'''
comparison = compare(scenario, REPLICATIONS, seed=SEED, executor=executor)
runs = {"tab": comparison.tab, "status": comparison.status}
intervals = {model: interval_summary(runs[model].intervals) for model in MODELS}

# compare() keeps the figures, intervals and agents of every replication but not the
# sessions. Re-run the same replications with the event trace for the session-level views:
# the seed and replication index fix the random streams, so these are the very same runs.
results = {
    model: [simulate(runs[model].scenario, seed=SEED, replication=r, trace=True)
            for r in range(REPLICATIONS)]
    for model in MODELS
}
for model in MODELS:
    for r, result in enumerate(results[model]):
        again = headline_figures(result)
        expected = runs[model].figures[r]
        assert all(np.isclose(again[k], expected[k], equal_nan=True) for k in expected), (
            f"traced re-run of {model} replication {r} differs from compare()")
print(f"{comparison.replications} paired replications per model; traced re-runs identical.")
'''

COMPARE_TABLE_MD = r'''
## 1. Headline figures: the difference and its 95% confidence interval

One row per headline figure: the mean of each model over the replications with its 95% CI
half-width, and the mean **paired** difference *status − tab* with its CI (shares are shown
in % and their differences in percentage points, pp). "clear" means the CI of the
difference excludes zero. Rows that are zero under both models are left out.
'''

COMPARE_TABLE = r'''
table = comparison.table


def cell(mean: float, half: float, unit: str, signed: bool = False) -> str:
    """A mean and its CI half-width as text (shares in %)."""
    if unit == "share":
        mean, half = mean * 100.0, half * 100.0
    sign = "+" if signed else ""
    spread = f" ± {half:.3g}" if np.isfinite(half) else ""
    return f"{mean:{sign}.4g}{spread}"


rows, silent_rows = [], []
for figure, row in table.iterrows():
    unit = FIGURE_UNITS.get(figure, "")
    if row[["tab_mean", "status_mean", "diff_mean"]].abs().max() == 0:
        silent_rows.append(figure)
        continue
    clear = bool(np.isfinite(row["diff_ci95"]) and abs(row["diff_mean"]) > row["diff_ci95"])
    rows.append({
        "figure": figure,
        "unit": {"share": "%"}.get(unit, unit),
        "tab-based (mean ± CI)": cell(row["tab_mean"], row["tab_ci95"], unit),
        "status-based (mean ± CI)": cell(row["status_mean"], row["status_ci95"], unit),
        "status − tab (mean ± CI)": cell(row["diff_mean"], row["diff_ci95"], unit, True)
        + (" pp" if unit == "share" else ""),
        "clear": "yes" if clear else "no",
    })
display(pd.DataFrame(rows).set_index("figure"))
print("zero under both models (not shown):", ", ".join(silent_rows) or "none")
show(compare_differences_chart(table), "paired differences")
'''

COMPARE_WAIT_MD = r'''
## 2. Speed to answer

Speed to answer (accept − request) of every answered inbound session of all replications
(after the warm-up), under both models: the cumulative share answered within *x* seconds
(the service level is where it crosses the threshold) and the histogram per replication.
'''

COMPARE_WAIT = r'''
def answered_waits(model: str) -> np.ndarray:
    """Speed to answer of answered inbound sessions after the warm-up (s)."""
    waits = []
    for result in results[model]:
        sessions = result.sessions
        inbound = sessions[(sessions["direction"] == "inbound")
                           & (sessions["arrival_time"] >= scenario.warmup)]
        waits.append(inbound["wait_s"].dropna().to_numpy(dtype=float))
    return np.concatenate(waits)


waits = {model: answered_waits(model) for model in MODELS}
upper = max(2.0 * threshold_s, max(float(np.quantile(w, 0.99)) for w in waits.values()))
figure = Figure(figsize=(12, 4.8), layout="constrained")
ecdf, histogram = figure.subplots(1, 2)
for model in MODELS:
    values = np.sort(waits[model])
    within = np.mean(values <= threshold_s + 1e-9)
    ecdf.step(values, np.arange(1, len(values) + 1) / len(values) * 100.0, where="post",
              color=COLORS[model], linewidth=2,
              label=f"{NAMES[model]}: {within:.1%} of answered within {threshold_s:g} s")
    histogram.hist(values[values <= upper], bins=40, range=(0.0, upper), histtype="step",
                   linewidth=2, color=COLORS[model],
                   weights=np.full((values <= upper).sum(), 1.0 / REPLICATIONS),
                   label=f"{NAMES[model]} (n={len(values) / REPLICATIONS:.0f} per replication)")
for axes in (ecdf, histogram):
    axes.axvline(threshold_s, color="black", linestyle="--",
                 label=f"service-level threshold ({threshold_s:g} s)")
    axes.set_xlim(0.0, upper)
    axes.set_xlabel("speed to answer (s)")
ecdf.axhline(target * 100.0, color="#2ca02c", linestyle=":", label=f"target ({target:.0%})")
ecdf.set_ylim(0.0, 101.0)
ecdf.set_ylabel("answered inbound sessions (%)")
ecdf.set_title("Cumulative share answered within x (ECDF)")
ecdf.legend(loc="lower right")
histogram.set_ylabel("sessions per replication (count)")
histogram.set_title(f"Histogram (waits above {upper:.0f} s not shown)")
histogram.legend(loc="upper right")
figure.suptitle("Speed to answer by capacity model (all replications, same customers)")
show(figure, "speed to answer")
'''

COMPARE_INTERVALS_MD = r'''
## 3. Service level and throughput per interval

Means over replications per reporting interval (the band is the 95% CI of the service
level), with the target.
'''

COMPARE_INTERVALS = r'''
show(compare_service_level_chart(intervals["tab"], intervals["status"], target, threshold_s,
                                 scenario.warmup), "service level per interval")


def all_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The all-channel rows of an interval table, in time order."""
    return table[table["channel"] == "all"].sort_values("start_s")


figure = Figure(figsize=(9, 4.8), layout="constrained")
axes = figure.subplots()
base = all_rows(intervals["tab"])
edges = np.append(base["start_s"].to_numpy(), scenario.horizon) / 3600.0
length_h = np.diff(edges)
offered = base["offered"].to_numpy(dtype=float) / length_h
axes.stairs(offered, edges, fill=True, alpha=0.2, color="#7f7f7f",
            label="inbound arrivals (same in both)")
for model, width in (("tab", 3.5), ("status", 1.5)):
    rows = all_rows(intervals[model])
    axes.stairs(rows["throughput_per_h"].to_numpy(dtype=float), edges, color=COLORS[model],
                linewidth=width, label=f"throughput, {NAMES[model]}")
axes.set_title("Arrivals and throughput (sessions completed) per interval")
axes.set_xlabel("time since start (h)")
axes.set_ylabel("sessions per hour (sessions/h)")
axes.legend(loc="upper right")
show(figure, "throughput per interval")
'''

COMPARE_OCCUPANCY_MD = r'''
## 4. Occupancy and concurrency

Occupancy is capacity in use over the capacity of online agents; concurrency is open work
items per online agent. Tab-based capacity keeps a slot until the tab closes; status-based
frees it at End Chat or when the customer is marked Inactive, but a returning customer comes
back to the same agent even when that agent is full (over capacity).
'''

COMPARE_OCCUPANCY = r'''
figure = Figure(figsize=(12, 4.8), layout="constrained")
occupancy, concurrency = figure.subplots(1, 2)
for model in MODELS:
    rows = all_rows(intervals[model])
    occupancy.stairs(rows["occupancy"].to_numpy(dtype=float) * 100.0, edges,
                     color=COLORS[model], linewidth=2, label=NAMES[model])
    concurrency.stairs(rows["concurrency"].to_numpy(dtype=float), edges, color=COLORS[model],
                       linewidth=2, label=NAMES[model])
capacities = sorted({group.capacity_units for group in scenario.agent_groups})
for capacity in capacities:
    concurrency.axhline(capacity, color="black", linestyle="--",
                        label=f"capacity per agent ({capacity:g} units)")
occupancy.set_ylim(0.0, 105.0)
occupancy.set_title("Occupancy per interval")
occupancy.set_ylabel("occupancy (% of online capacity)")
concurrency.set_title("Concurrency per interval")
concurrency.set_ylabel("open work items per online agent (sessions/agent)")
concurrency.set_ylim(bottom=0.0)
for axes in (occupancy, concurrency):
    axes.set_xlabel("time since start (h)")
    axes.legend(loc="lower center")
figure.suptitle("Occupancy and concurrency by capacity model (mean over replications)")
show(figure, "occupancy and concurrency")
'''

COMPARE_OFFLINE_MD = r'''
## 5. Agents going offline: reroutes vs stranded customers

When an agent drops offline, **tab-based** capacity ends the work item (Unavailable) and
sends the session back to Waiting: another agent picks it up (a reroute) and the customer
waits in the queue again. **Status-based** capacity leaves the session with the offline
agent: the customer's messages wait until the agent is back (stranded time). Both are
waits of customers *after* they were first answered, which speed to answer does not see.
They are measured from the event trace of every replication: the queue wait after an
Unavailable work item (from the item's end to the next accept) and the stranded time.
'''

COMPARE_OFFLINE = r'''
interval_s = scenario.interval


def after_offline(result) -> pd.DataFrame:
    """Customer waits caused by offline agents, one row per affected session and cause."""
    trace = result.trace
    trace = trace[trace["session_id"] >= 0]
    by_session = trace.groupby("session_id", sort=False).indices
    events, times = trace["event"].to_numpy(), trace["time"].to_numpy(dtype=float)
    statuses = trace["status"].to_numpy()
    rows = []
    for session in trace.loc[trace["event"] == "unavailable", "session_id"].unique():
        index = by_session[session]
        kinds, at = events[index], times[index]
        for i in np.flatnonzero(kinds == "unavailable"):
            # Only an Active session goes back to Waiting. A pushed item not yet accepted
            # (that wait is in speed to answer) or an ended chat whose tab was still open
            # costs the customer nothing.
            if statuses[index[i]] != "Active":
                continue
            later = np.flatnonzero(kinds[i + 1:] == "accepted")
            end = at[i + 1 + later[0]] if len(later) else scenario.horizon
            rows.append({"session_id": session, "cause": "requeued (Unavailable)",
                         "time": at[i], "wait_s": end - at[i]})
    stranded = result.sessions[result.sessions["stranded_s"] > 0]
    first = trace[trace["event"] == "stranded"].groupby("session_id")["time"].min()
    pairs = zip(stranded["session_id"], stranded["stranded_s"], strict=True)
    rows += [{"session_id": s, "cause": "stranded with offline agent", "time": first[s],
              "wait_s": w} for s, w in pairs]
    return pd.DataFrame(rows, columns=["session_id", "cause", "time", "wait_s"])


offline_rows = []
per_interval, causes = {}, {}
for model in MODELS:
    hits = [after_offline(result) for result in results[model]]
    waits_by_interval = np.zeros(scenario.n_intervals)
    for r, (hit, result) in enumerate(zip(hits, results[model], strict=True)):
        index = np.minimum((hit["time"] // interval_s).astype(int), scenario.n_intervals - 1)
        np.add.at(waits_by_interval, index.to_numpy(), hit["wait_s"].to_numpy() / 60.0)
        answered = result.sessions["accept_time"].notna().sum()
        agents = result.agents
        for cause in ("requeued (Unavailable)", "stranded with offline agent"):
            chosen = hit[hit["cause"] == cause]
            offline_rows.append({
                "model": NAMES[model], "replication": r, "cause": cause,
                "offline events": agents["offline_events"].sum(),
                "sessions affected": chosen["session_id"].nunique(),
                "customer wait (min)": chosen["wait_s"].sum() / 60.0,
                "wait per answered session (s)": chosen["wait_s"].sum() / answered,
                "reroutes per session": result.sessions["reroutes"].mean(),
            })
    per_interval[model] = waits_by_interval / REPLICATIONS
    causes[model] = sorted({cause for hit in hits for cause in hit["cause"]})
offline = (pd.DataFrame(offline_rows)
           .groupby(["model", "cause"], sort=False).mean(numeric_only=True)
           .drop(columns="replication"))
offline = offline[offline["sessions affected"] > 0]
display(offline.round(2))

figure = Figure(figsize=(10, 4.8), layout="constrained")
axes = figure.subplots()
centres = (edges[:-1] + edges[1:]) / 2.0
width = interval_s / 3600.0 * 0.4
for shift, model in ((-0.5, "tab"), (0.5, "status")):
    axes.bar(centres + shift * width, per_interval[model], width=width, color=COLORS[model],
             label=f"{NAMES[model]}: " + (" + ".join(causes[model]) or "none"))
axes.set_xlabel("time since start (h)")
axes.set_ylabel("customer wait caused (min per interval)")
online = axes.twinx()
online.stairs(all_rows(intervals["tab"])["agents_online"].to_numpy(dtype=float), edges,
              color="#7f7f7f", linestyle="--", label="agents online (right axis)")
online.set_ylabel("agents online (agents)")
online.set_ylim(bottom=0.0)
handles = axes.get_legend_handles_labels()
more = online.get_legend_handles_labels()
axes.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
axes.set_title("Waits of answered customers caused by offline agents (mean per replication)")
show(figure, "offline agents")
'''

COMPARE_SILENT_MD = r'''
## 6. Unresponsive customers: capacity held, returns and timeouts

A customer who stops answering holds the agent's capacity until the agent marks the session
Inactive (after `inactivate_after` of silence). Under tab-based capacity the slot is held
until the agent then closes the tab; under status-based it is freed at once (paused weight
0). When the customer comes back, tab-based sends the session to the queue (any agent, a
new wait); status-based sends it to the same agent, even over capacity or while offline.
'''

COMPARE_SILENT = r'''
def silent_effect(result) -> dict[str, float]:
    """Capacity held by silent customers and what happened when they came back."""
    trace = result.trace
    trace = trace[trace["session_id"] >= 0]
    held_silent = held_inactive = return_wait = 0.0
    silent_sessions = set()
    returns = 0
    by_session = trace.groupby("session_id", sort=False).indices
    events, times = trace["event"].to_numpy(), trace["time"].to_numpy(dtype=float)
    touched = trace.loc[trace["event"].isin(["inactive", "customer_returned"]), "session_id"]
    for session in touched.unique():
        index = by_session[session]
        kinds, at = events[index], times[index]
        for i in np.flatnonzero(kinds == "inactive"):
            silent_sessions.add(session)
            spoke = np.flatnonzero(kinds[:i] == "agent_message")
            held_silent += at[i] - (at[spoke[-1]] if len(spoke) else at[i])
            closed = np.flatnonzero(kinds[i + 1:] == "tab_closed")
            if len(closed):
                held_inactive += at[i + 1 + closed[0]] - at[i]
        for i in np.flatnonzero(kinds == "customer_returned"):
            returns += 1
            rest = kinds[i + 1:]
            accepted = np.flatnonzero(rest == "accepted")
            replied = np.flatnonzero(rest == "agent_message")
            if len(accepted) and (not len(replied) or accepted[0] < replied[0]):
                return_wait += at[i + 1 + accepted[0]] - at[i]
    outcomes = result.sessions.loc[result.sessions["session_id"].isin(silent_sessions),
                                   "outcome"].astype(str).value_counts()
    return {
        "silent sessions": len(silent_sessions),
        "held while silent (capacity-min)": held_silent / 60.0,
        "held while Inactive until tab close (capacity-min)": held_inactive / 60.0,
        "returns": returns,
        "queue wait after return (min)": return_wait / 60.0,
        "over-capacity time (min)": result.agents["over_capacity_s"].sum() / 60.0,
        "silent: completed": outcomes.get("completed", 0),
        "silent: still open at horizon": outcomes.get("open_at_horizon", 0),
        "silent: timed out": outcomes.get("timed_out", 0),
    }


silent = pd.DataFrame({
    NAMES[model]: pd.DataFrame([silent_effect(result) for result in results[model]]).mean()
    for model in MODELS
})
display(silent.round(1))

figure = Figure(figsize=(12, 4.8), layout="constrained")
held, after = figure.subplots(1, 2)
labels = [NAMES[model] for model in MODELS]
positions = np.arange(len(MODELS))
before = silent.loc["held while silent (capacity-min)", labels].to_numpy(dtype=float)
inactive = silent.loc["held while Inactive until tab close (capacity-min)", labels].to_numpy(
    dtype=float)
held.bar(positions, before, color="#9467bd", label="silent, before marked Inactive")
held.bar(positions, inactive, bottom=before, color="#8c564b",
         label="Inactive, until the tab is closed")
held.set_xticks(positions, labels=labels)
held.set_xlabel("capacity model")
held.set_ylabel("capacity held (capacity-minutes per replication)")
held.set_title("Capacity held by silent customers")
held.legend(loc="lower center")
wait_after = silent.loc["queue wait after return (min)", labels].to_numpy(dtype=float)
over = silent.loc["over-capacity time (min)", labels].to_numpy(dtype=float)
after.bar(positions - 0.2, wait_after, width=0.4, color="#17becf",
          label="returned customers' queue wait")
after.bar(positions + 0.2, over, width=0.4, color="#d62728",
          label="agents over capacity (returns to the same agent)")
after.set_xticks(positions, labels=labels)
after.set_xlabel("capacity model")
after.set_ylabel("time (minutes per replication)")
after.set_title("When silent customers come back")
after.legend(loc="upper center")
figure.suptitle("Unresponsive customers by capacity model (mean over replications)")
show(figure, "silent customers")
'''

COMPARE_TIMEOUTS_MD = r'''
Inactive sessions are ended by the clean-up job only after 24 h Inactive (plus up to one
6 h sweep), so within a working day nothing times out: silent customers who never return
stay open at the horizon. To see the timeouts, the cell below shortens the clean-up for a
quick run (`timeouts.inactive=1h`, `timeouts.sweep_period=15m`, the same keys as
`ccsim run --set`).
'''

COMPARE_TIMEOUTS = r'''
short = load_scenario(SCENARIO, ["timeouts.inactive=1h", "timeouts.sweep_period=15m"])
cleanup = compare(short, WHATIF_REPLICATIONS, seed=SEED, executor=executor).table
timeouts = cleanup.loc[["timed_out", "open_at_horizon", "completed", "over_capacity_s"],
                       ["tab_mean", "status_mean", "diff_mean", "diff_ci95"]]
timeouts.columns = ["tab-based", "status-based", "status − tab", "± 95% CI"]
display(timeouts.round(2))
'''

COMPARE_WHATIF_MD = r'''
## 7. What-if: where does the preferred model flip?

Speed to answer only sees the wait *before* the first answer. The trade-off between the
models is in the waits *after* it: status-based capacity strands a customer with an offline
agent, tab-based capacity sends the customer back to the queue. So besides **service
level** (higher is better) and **ASA** (lower is better) the what-if judges the models by
the **customer waiting time per offered session**, in seconds (lower is better):

> customer wait (s per offered session) = ( Σ first queue wait + Σ re-queue wait +
> Σ stranded time ) / offered inbound sessions

over the inbound sessions that arrive after the warm-up, per replication, where

- **first queue wait**: request → first accept (the speed to answer) for answered sessions;
  request → abandonment for abandoned ones; request → horizon for those still waiting;
- **re-queue wait**: after being answered, from an Unavailable work item of an Active
  session (tab-based: the agent went offline) or from a silent customer's return to the
  next accept, when the session goes back to the queue (until the session's end or the
  horizon if it is never accepted again);
- **stranded time**: `sessions.stranded_s`, the time a customer's messages wait for an
  offline agent (status-based).

Waits for an online agent's replies are not counted (they are handling time, the same rule
in both models). The knobs (each replaces the scenario's setting for every group or
channel; everything else stays as in the file, including the scheduled outage):

- **disconnections**: every agent drops offline 0, 1, 3 or 6 times per online hour, each
  drop lasting 10 min on average (exponential), i.e. `agent_groups[i].disconnections.rate`
  and `agent_groups[i].disconnections.duration`;
- **close-tab delay** after End Chat (it holds a tab-based slot): 0 s, then exponential
  with mean 2, 5 and 10 min; the After Conversation Work maximum is raised to 15 min where
  ACW is on, so the longer delays are not cut at the ACW cap;
- **silent customers**: the share of customers who stop answering mid-conversation, 0%,
  15% and 40%.

A model is **preferred** by a criterion when the paired difference (status − tab, same
customers) has a 95% CI excluding zero; otherwise neither. The preference **flips** along
a knob when one model is preferred at one value and the other at another.
'''

COMPARE_WHATIF = r'''
from sim.results.figures import paired_difference  # not exported from sim/__init__.py
from sim.experiments.runner import status_variant  # the status-based copy compare() runs

DISCONNECTION_RATES = (0.0, 1.0, 3.0, 6.0)  # per agent per online hour
DISCONNECTION_MEAN_S = 600.0                # mean offline time per drop (s)
CLOSE_TAB_MEANS_S = (0.0, 120.0, 300.0, 600.0)
ACW_MAX_S = 900.0
SILENT_SHARES = (0.0, 0.15, 0.4)


def customer_wait(result, variant: Scenario) -> dict[str, float]:
    """Customer waiting time per offered inbound session (s), in total and by part."""
    horizon = variant.horizon
    sessions = result.sessions
    inbound = sessions[(sessions["direction"] == "inbound")
                       & (sessions["arrival_time"] >= variant.warmup)]
    ends = inbound["end_time"].fillna(horizon).clip(upper=horizon)
    first = float((inbound["accept_time"].fillna(ends) - inbound["request_time"]).sum())
    # Waits after the first answer, by cause, as the sessions table reports them.
    requeue = float((inbound["requeued_wait_s"] + inbound["return_wait_s"]).sum())
    stranded = float(inbound["stranded_s"].sum())
    offered = max(len(inbound), 1)
    return {"customer_wait_s": (first + requeue + stranded) / offered,
            "first_wait_s": first / offered, "requeue_wait_s": requeue / offered,
            "stranded_wait_s": stranded / offered}


def agent_weights(data: dict) -> np.ndarray:
    """Agents per group, for an agent-weighted mean (equal weights if none)."""
    weights = np.array([group["agents"] for group in data["agent_groups"]], dtype=float)
    return weights if weights.sum() > 0 else np.ones(len(weights))


def with_disconnections(data: dict, rate: float) -> float:
    """Every agent drops `rate` times per online hour for 10 min on average."""
    for group in data["agent_groups"]:
        group["disconnections"]["rate"] = rate
        group["disconnections"]["duration"] = {"kind": "exponential",
                                               "mean": DISCONNECTION_MEAN_S}
    return rate


def with_close_tab_delay(data: dict, mean_s: float) -> float:
    """Set every group's close-tab delay (0: at once; else exponential mean, seconds)."""
    for group in data["agent_groups"]:
        group["behaviour"]["close_tab_delay"] = (
            {"kind": "fixed", "value": 0.0} if mean_s == 0
            else {"kind": "exponential", "mean": mean_s})
        acw = group["behaviour"]["after_conversation_work"]
        if acw["enabled"]:
            acw["max"] = max(acw["max"], ACW_MAX_S)
    return mean_s / 60.0


def with_silent_share(data: dict, share: float) -> float:
    """Set every channel's share of customers who fall silent."""
    for channel in data["channels"]:
        channel["customers"]["silent_probability"] = share
    return share * 100.0


KNOBS = {
    "disconnections": (with_disconnections, DISCONNECTION_RATES,
                       "disconnections (per agent per online hour)", "/h"),
    "close-tab delay": (with_close_tab_delay, CLOSE_TAB_MEANS_S,
                        "mean close-tab delay (min)", " min"),
    "silent customers": (with_silent_share, SILENT_SHARES,
                         "share of silent customers (%)", "%"),
}
CRITERIA = {  # name: (figure, scale, unit, higher is better, axis label)
    "SL": ("service_level", 100.0, "pp", True, "service level difference (pp)"),
    "ASA": ("asa_s", 1.0, "s", False, "ASA difference (s)"),
    "customer wait": ("customer_wait_s", 1.0, "s", False,
                      "customer wait difference (s per offered session)"),
}


def preferred(diff: float, half: float, higher_is_better: bool) -> str:
    """The better model when the paired CI excludes zero, else 'neither'."""
    if not np.isfinite(half) or abs(diff) <= half:
        return "neither"
    return "status" if (diff > 0) == higher_is_better else "tab"


def paired_runs(variant: Scenario) -> pd.DataFrame:
    """Both models on the same customers: figure table like compare(), with customer wait.

    The replications run here, in this kernel, with simulate(); seed and replication fix
    the streams as in compare().
    """
    models = {"tab": variant.derive(capacity_model="tab"),
              "status": status_variant(variant)}
    figures = {}
    for model, chosen in models.items():
        figures[model] = []
        for r in range(WHATIF_REPLICATIONS):
            result = simulate(chosen, seed=SEED, replication=r)
            figures[model].append({**headline_figures(result), **customer_wait(result, chosen)})
    means = {model: pd.DataFrame(rows).mean() for model, rows in figures.items()}
    difference = paired_difference(figures["tab"], figures["status"])
    return pd.DataFrame({"tab_mean": means["tab"], "status_mean": means["status"],
                         "diff_mean": difference["mean"], "diff_ci95": difference["ci95"]})


# The main comparison's replications under the same criterion (traced runs of section 1).
base_wait = {model: [customer_wait(result, runs[model].scenario) for result in results[model]]
             for model in MODELS}
base_wait_diff = paired_difference(base_wait["tab"], base_wait["status"])
base_wait_table = pd.DataFrame({
    NAMES[model]: pd.DataFrame(base_wait[model]).mean() for model in MODELS
}).assign(**{"status − tab": base_wait_diff["mean"], "± 95% CI": base_wait_diff["ci95"]})
display(Markdown(f"Customer wait in the main comparison ({REPLICATIONS} paired replications,"
                 " s per offered session):"))
display(base_wait_table.round(2))

whatif_rows = []
for knob, (apply, values, _, _) in KNOBS.items():
    for value in values if WHATIF_VALUES > 2 else (values[0], values[-1]):
        data = scenario.model_dump()
        x = apply(data, value)
        point = paired_runs(Scenario.model_validate(data))
        row = {"knob": knob, "value": value, "x": x}
        for name, (key, scale, unit, higher, _) in CRITERIA.items():
            figure = point.loc[key]
            row.update({
                f"{name} tab": figure["tab_mean"] * scale,
                f"{name} status": figure["status_mean"] * scale,
                f"{name} diff ({unit})": figure["diff_mean"] * scale,
                f"{name} diff ci95 ({unit})": figure["diff_ci95"] * scale,
                f"preferred by {name}": preferred(figure["diff_mean"], figure["diff_ci95"],
                                                  higher),
            })
        for part in ("first_wait_s", "requeue_wait_s", "stranded_wait_s"):
            row[f"{part} tab"] = point.loc[part, "tab_mean"]
            row[f"{part} status"] = point.loc[part, "status_mean"]
        whatif_rows.append(row)
whatif = pd.DataFrame(whatif_rows)
shown = [column for column in whatif.columns
         if column not in ("x",) and not column.endswith("_s tab")
         and not column.endswith("_s status")]
display(whatif[shown].round(2).set_index(["knob", "value"]))
display(Markdown("Parts of the customer wait (s per offered session): first queue wait, "
                 "re-queue wait, stranded time, tab-based / status-based:"))
display(whatif.set_index(["knob", "value"])[
    [f"{part} {model}" for part in ("first_wait_s", "requeue_wait_s", "stranded_wait_s")
     for model in MODELS]].round(1))

figure = Figure(figsize=(14, 10.5), layout="constrained")
grid = figure.subplots(len(CRITERIA), len(KNOBS))
for column, (knob, (_, _, xlabel, _)) in enumerate(KNOBS.items()):
    rows = whatif[whatif["knob"] == knob]
    for line, (name, (_, _, unit, higher, ylabel)) in enumerate(CRITERIA.items()):
        axes = grid[line, column]
        axes.errorbar(rows["x"], rows[f"{name} diff ({unit})"],
                      yerr=rows[f"{name} diff ci95 ({unit})"], marker="o", capsize=4,
                      color="#9467bd", label="status − tab, mean ± 95% CI")
        axes.axhline(0.0, color="black", linewidth=0.8, label="no difference")
        better = "status better above 0" if higher else "status better below 0"
        axes.set_title(f"{knob}: {name} ({better})", fontsize=10)
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.legend(loc="best", fontsize=8)
figure.suptitle("What-if: status-based minus tab-based capacity as each knob changes "
                f"({WHATIF_REPLICATIONS} paired replications per point)")
show(figure, "what-if")
'''

COMPARE_CONCLUSION_MD = r'''
## Conclusion

Written from the numbers above (re-run the notebook and it rewrites itself).
'''

COMPARE_CONCLUSION = r'''
# not exported from sim/__init__.py:
from sim.results.figures import FIGURE_BETTER, FIGURE_LABELS, significant_costs


def figure_text(name: str, scale: float = 1.0, unit: str = "") -> str:
    """Both means and the paired difference of a headline figure, as text."""
    row = table.loc[name]
    return (f"{row['tab_mean'] * scale:.3g}{unit} tab-based vs {row['status_mean'] * scale:.3g}"
            f"{unit} status-based (difference {row['diff_mean'] * scale:+.3g}"
            f" ± {row['diff_ci95'] * scale:.2g}{' pp' if unit == '%' else unit})")


def verdict(name: str, higher_is_better: bool) -> str:
    """Which model the paired difference of a figure favours, in words."""
    row = table.loc[name]
    choice = preferred(row["diff_mean"], row["diff_ci95"], higher_is_better)
    return {"neither": "no clear winner", "tab": "tab-based is better",
            "status": "status-based is better"}[choice]


def at(knob: str, x: float) -> str:
    """A knob value with its unit, as text."""
    return f"{x:.3g}{KNOBS[knob][3]}"


def flip_points(knob: str, criterion: str) -> list[tuple[str, float, str, float]]:
    """Consecutive clear preferences that differ: (model, at x, other model, at x)."""
    rows = whatif[whatif["knob"] == knob]
    decided = [(c, x) for c, x in zip(rows[f"preferred by {criterion}"], rows["x"],
                                      strict=True) if c != "neither"]
    return [(a[0], a[1], b[0], b[1]) for a, b in zip(decided, decided[1:], strict=False)
            if a[0] != b[0]]


def flips(knob: str, criterion: str) -> str:
    """The preferred model along a what-if knob, and where it flips, in words."""
    rows = whatif[whatif["knob"] == knob]
    unit = CRITERIA[criterion][2]
    steps = [f"{c} at {at(knob, x)}"
             f" ({d:+.3g} ± {h:.2g} {unit})"
             for c, x, d, h in zip(rows[f"preferred by {criterion}"], rows["x"],
                                   rows[f"{criterion} diff ({unit})"],
                                   rows[f"{criterion} diff ci95 ({unit})"], strict=True)]
    changes = flip_points(knob, criterion)
    if changes:
        head = "; ".join(f"**flips** from {a}-based (at {at(knob, xa)}) to {b}-based "
                         f"(at {at(knob, xb)})" for a, xa, b, xb in changes)
    elif len(set(rows[f"preferred by {criterion}"]) - {"neither"}) == 1:
        head = "no flip (one model or no clear winner)"
    else:
        head = "no flip, no clear winner"
    return f"{head}: " + ", ".join(steps)


def offline_wait(model: str) -> float:
    """Waits after the first answer caused by offline agents, s per answered session."""
    name = NAMES[model]
    if name not in offline.index.get_level_values("model"):
        return 0.0
    return float(offline.xs(name, level="model")["wait per answered session (s)"].sum())


def held(model: str) -> float:
    """Capacity-minutes silent customers hold per replication under a model."""
    column = silent[NAMES[model]]
    return float(column["held while silent (capacity-min)"]
                 + column["held while Inactive until tab close (capacity-min)"])


held_silent_tab = float(silent.loc["held while silent (capacity-min)", NAMES["tab"]])
after_answer = ("status-based customers wait longer after being answered"
                if offline_wait("status") > offline_wait("tab")
                else "status-based customers also wait less after being answered")
base_wait_mean = {model: pd.DataFrame(base_wait[model])["customer_wait_s"].mean()
                  for model in MODELS}
base_wait_choice = preferred(base_wait_diff.loc["customer_wait_s", "mean"],
                             base_wait_diff.loc["customer_wait_s", "ci95"], False)

# What each model costs: the headline figures that carry it, with their paired CI.
costs = significant_costs(table)
capacity = max(group.capacity_units for group in scenario.agent_groups)
TOTALS = ("wait_after_answer_s", "stranded_s", "over_capacity_s")  # s per replication


def shown(name: str) -> tuple[float, str, str]:
    """Scale, unit and difference unit a cost figure is shown in (totals in minutes)."""
    unit = costs.loc[name, "unit"]
    if unit == "share":
        return 100.0, "%", " pp"
    if name in TOTALS:
        return 1.0 / 60.0, "min per replication", " min"
    if name == "peak_concurrency":
        return 1.0, f"sessions (capacity {capacity:g})", " sessions"
    return 1.0, unit, f" {unit}"


display(Markdown("**What each model costs** (mean per replication; the difference "
                 "status − tab ± 95% CI; significant: the CI excludes 0):"))
display(pd.DataFrame([{
    "figure": row["label"],
    "unit": shown(name)[1],
    "tab-based": f"{row['tab'] * shown(name)[0]:.4g}",
    "status-based": f"{row['status'] * shown(name)[0]:.4g}",
    "status − tab": (f"{row['diff'] * shown(name)[0]:+.4g}"
                     f" ± {row['ci95'] * shown(name)[0]:.2g}"),
    "significant": "yes" if row["significant"] else "no",
    "higher under": NAMES.get(row["costlier"], "—"),
} for name, row in costs.iterrows()]).set_index("figure"))


def cost_text(name: str, model: str) -> str:
    """How much more of a cost figure a model has than the other (± CI), as text."""
    row = costs.loc[name]
    scale, _, unit = shown(name)
    more = row["diff"] * scale * (1.0 if model == "status" else -1.0)
    return f"{row['label']} {more:+.3g} ± {row['ci95'] * scale:.2g}{unit}"


def paid(model: str) -> str:
    """The costs a model pays significantly more of, in words."""
    names = costs.index[costs["costlier"] == model]
    return "; ".join(cost_text(name, model) for name in names) or "none"


SERVICE = {"service_level": True, "asa_s": False, "abandonment_rate": False}
service = {name: preferred(table.loc[name, "diff_mean"], table.loc[name, "diff_ci95"], higher)
           for name, higher in SERVICE.items()}
serves = {model: [FIGURE_LABELS[name] for name, choice in service.items() if choice == model]
          for model in MODELS}
losses = {model: [name for name in costs.index[costs["costlier"] == model]
                  if FIGURE_BETTER.get(name) == "lower"] for model in MODELS}
peaks = {model: table.loc["peak_concurrency", f"{model}_mean"] for model in MODELS}
above = [NAMES[model] for model in MODELS if peaks[model] > capacity + 1e-9]
peak_text = (f"the busiest agent holds {peaks['tab']:.3g} sessions tab-based and "
             f"{peaks['status']:.3g} status-based at once, against a capacity of {capacity:g}: "
             + (" and ".join(above) + " goes over it" if above else "neither goes over it"))
other = {"tab": "status", "status": "tab"}
weighed = []
for model in MODELS:
    if serves[model] and not losses[model]:
        weighed.append(f"{NAMES[model]} is better on {', '.join(serves[model])} and pays no "
                       "customer or over-capacity cost more: it is the better model here.")
    elif serves[model]:
        weighed.append(
            f"{NAMES[model]} is better on {', '.join(serves[model])}, but pays for it in "
            + ", ".join(FIGURE_LABELS[name] for name in losses[model])
            + f": a trade-off, not a win; {NAMES[other[model]]} is the choice when those "
            "costs matter more than the speed to answer.")
if not weighed:
    pay = [NAMES[model] for model in MODELS if losses[model]]
    weighed.append("Neither model is clearly better on service level, ASA or abandonment; "
                   + {0: "nor in customer or over-capacity cost: no clear difference.",
                      1: f"{' and '.join(pay)} pays more in customer or over-capacity cost, "
                         "so the other is preferable."}.get(
                       len(pay), "both pay costs of their own, as listed above."))
lines = [
    f"**{scenario.name}**, {comparison.replications} paired replications (same customers "
    f"under both models), seed {SEED}.",
    "",
    f"- **Service level** (within {threshold_s:g} s, target {target:.0%}): "
    f"{figure_text('service_level', 100, '%')}: {verdict('service_level', True)}.",
    f"- **Average speed to answer**: {figure_text('asa_s', 1, ' s')}: "
    f"{verdict('asa_s', False)}; 90th percentile {figure_text('wait_p90_s', 1, ' s')}.",
    f"- **Abandonment**: {figure_text('abandonment_rate', 100, '%')}; "
    f"**throughput** {figure_text('throughput_per_h', 1, ' sessions/h')}.",
    f"- **Occupancy** {figure_text('occupancy', 100, '%')} and **concurrency** "
    f"{figure_text('avg_concurrency', 1, ' sessions/agent')}: the same work holds less "
    "capacity under " + ("status-based" if table.loc["occupancy", "diff_mean"] < 0
                         else "tab-based") + " capacity.",
    f"- **Offline agents**: tab-based reroutes {table.loc['reroutes', 'tab_mean']:.3f} "
    f"work items per session and its answered customers wait "
    f"{offline_wait('tab'):.1f} s per answered session in the queue again; status-based "
    f"strands {table.loc['stranded_sessions', 'status_mean']:.0f} sessions per day for "
    f"{table.loc['stranded_s', 'status_mean'] / 60:.0f} min in total, "
    f"{offline_wait('status'):.1f} s per answered session: {after_answer} "
    f"(speed to answer: {verdict('asa_s', False)}).",
    f"- **Customer wait** (first queue wait + re-queue wait + stranded time, per offered "
    f"session): {base_wait_mean['tab']:.1f} s tab-based vs {base_wait_mean['status']:.1f} s "
    f"status-based (difference {base_wait_diff.loc['customer_wait_s', 'mean']:+.1f} ± "
    f"{base_wait_diff.loc['customer_wait_s', 'ci95']:.2g} s): "
    + {"neither": "no clear winner", "tab": "tab-based is better",
       "status": "status-based is better"}[base_wait_choice] + ".",
    "- **Costs paid significantly more under tab-based** (tab − status ± CI): "
    f"{paid('tab')}.",
    "- **Costs paid significantly more under status-based** (status − tab ± CI): "
    f"{paid('status')}.",
    "- **Costs not significantly different**: "
    + (", ".join(costs.loc[~costs["significant"], "label"]) or "none") + ".",
    f"- **Peak concurrency**: {peak_text}.",
    f"- **Silent customers** hold {held('tab'):.0f} capacity-minutes per day under "
    f"tab-based and {held('status'):.0f} under status-based capacity before the slot is "
    f"freed (of which {held('tab') - held_silent_tab:.0f} min tab-based waiting for the "
    f"tab to close); under status-based, returning "
    f"customers put agents over capacity for "
    f"{silent.loc['over-capacity time (min)', 'status-based']:.0f} min per day. With a "
    f"shortened clean-up, {timeouts.loc['timed_out', 'tab-based']:.0f} (tab) and "
    f"{timeouts.loc['timed_out', 'status-based']:.0f} (status) Inactive sessions time out.",
    "",
    "**Weighing it up** (service level, ASA and abandonment against the costs above): "
    + " ".join(weighed),
    "",
    "**What-if** (preferred model per knob value, status − tab difference ± 95% CI):",
]
for knob in KNOBS:
    for criterion in CRITERIA:
        lines.append(f"- {knob}, by {criterion}: {flips(knob, criterion)}.")
found = [(knob, criterion, change) for knob in KNOBS for criterion in CRITERIA
         for change in flip_points(knob, criterion)]
lines.append("")
if found:
    lines.append("**Where the preference flips**: " + "; ".join(
        f"{knob} by {criterion}, from {a}-based at {at(knob, xa)} to {b}-based at "
        f"{at(knob, xb)}" for knob, criterion, (a, xa, b, xb) in found) + ".")
else:
    closest = whatif.assign(margin=(whatif["customer wait diff (s)"].abs()
                                    - whatif["customer wait diff ci95 (s)"]))
    near = closest.loc[closest["margin"].idxmin()]
    lines.append("**No flip** within a criterion at the values tried; the closest approach "
                 f"by customer wait is {near['knob']} at {at(near['knob'], near['x'])}: "
                 f"{near['customer wait diff (s)']:+.3g} ± "
                 f"{near['customer wait diff ci95 (s)']:.2g} s (all points listed above).")
disagree = whatif[(whatif["preferred by customer wait"] != "neither")
                  & (whatif["preferred by SL"] != "neither")
                  & (whatif["preferred by customer wait"] != whatif["preferred by SL"])]
if len(disagree):
    lines.append("The criteria disagree at " + ", ".join(
        f"{knob} {at(knob, x)}" for knob, x in zip(disagree["knob"], disagree["x"],
                                                   strict=True))
        + ": service level prefers one model, the customers' total waiting time the other"
        " (speed to answer does not see stranded or re-queued time).")
lines += ["", "Caveat: "
          f"{WHATIF_REPLICATIONS} replications per what-if point and {comparison.replications}"
          " for the main comparison; differences whose CI includes zero are not called."]
display(Markdown("\n".join(lines)))
'''

# ------------------------------------------------------------------------ staffing_charts
STAFFING_INTRO = r'''
# Staffing for a day: tab-based vs status-based capacity against the Erlang baseline

How many agents does each interval need to meet the service-level goal, under each capacity
model? This notebook runs `sim.staffing.plan.staff()` on a bundled scenario:

- an **Erlang baseline** per interval (Erlang C, or Erlang A when customers abandon), with
  every agent counted as `capacity / work size` servers;
- a **simulation-based staffing** per interval for each capacity model (the iterative
  staffing algorithm of Feldman, Mandelbaum, Massey & Whitt, 2008), verified with
  confidence intervals, on the same customers for both models.

It shows the staffing chart for the day, the achieved service level at that staffing, the
service level against agents for the busiest interval, and the agent-hours status-based
capacity saves (or costs). Staffing needs a scenario with **one agent group** serving every
queue: `web_chat_desk.yaml` is one (10 agents of capacity 3 on one web-chat queue).

*Parameters* are in the next cell (tagged `parameters`). With the defaults it runs in under
a minute.
'''

STAFFING_PARAMETERS = r'''
SCENARIO = "../scenarios/web_chat_desk.yaml"  # needs a single agent group
TARGET = "80/60s"          # service-level goal: 80% answered within 60 s
SHRINKAGE = "0%"           # share of scheduled time agents are not available
REPLICATIONS = 4           # replications per search iteration (at least 2)
MAX_ITERATIONS = 10        # search iterations at most
CURVE_REPLICATIONS = 3     # replications per point of the service level vs agents curve
SEED = 2024                # root seed (the same customers under both models)
JOBS = 1                   # worker processes (1 = in this kernel)
'''

STAFFING_SETUP = r'''
import time

import numpy as np
from matplotlib.figure import Figure

from sim import load_scenario
from sim.experiments.executors import make_executor
from sim.staffing.plan import StaffingGoals, staff
from sim.reports.staffing_charts import (
    COLORS,
    LABELS,
    achieved_service_level_chart,
    required_agents_chart,
    service_level_curve_chart,
)

STARTED = time.perf_counter()
executor = make_executor(JOBS)
'''

STAFFING_LOAD = r'''
scenario = load_scenario(SCENARIO)
if len(scenario.agent_groups) != 1:
    raise ValueError(
        f"{SCENARIO} has {len(scenario.agent_groups)} agent groups; staffing needs one group "
        "serving every queue (for example ../scenarios/web_chat_desk.yaml)")
goals = StaffingGoals.parse(target=TARGET, shrinkage=SHRINKAGE)
group = scenario.agent_groups[0]
display(Markdown(
    f"**{scenario.name}**: {scenario.description}\n\n"
    f"Goal: {goals.describe()}. The scenario staffs {group.agents} agents of capacity "
    f"{group.capacity_units:g}; the staffing below replaces that with a number of agents "
    f"per {scenario.interval / 60:g}-minute interval ({scenario.n_intervals} intervals)."))
'''

STAFFING_RUN = r'''
progress: list[str] = []
report = staff(scenario, goals, replications=REPLICATIONS, seed=SEED, executor=executor,
               max_iterations=MAX_ITERATIONS, curve_replications=CURVE_REPLICATIONS,
               log=progress.append)
print("\n".join(progress[-4:]))
staffing = report.table()
models = list(report.results)
columns = ["start", "arrivals", "analytic_scheduled"]
for model in models:
    columns += [f"scheduled_{model}", f"service_level_{model}", f"meets_{model}"]
display(staffing[columns].set_index("start"))
if report.skipped:
    print("skipped:", report.skipped)
'''

STAFFING_CHARTS_MD = r'''
## The staffing chart for the day

Scheduled agents per interval under each capacity model (solid) against the Erlang baseline
(dashed), with the expected arrivals behind. Then the service level each staffing achieves
in the verification run, with its 95% CI.
'''

STAFFING_CHARTS = r'''
interval_s = scenario.interval
show(required_agents_chart(staffing, interval_s), "required agents")
show(achieved_service_level_chart(staffing, interval_s, goals.service_level),
     "achieved service level")
'''

STAFFING_CURVE_MD = r'''
## Service level against agents (busiest interval)

The busiest interval's arrival rate held constant (a stationary picture, few replications
per point), simulated under both models, with the Erlang formula for comparison. Where a
curve crosses the target is the staffing that interval would need on its own.
'''

STAFFING_CURVE = r'''
curve = report.curve
threshold_s = goals.threshold_s or scenario.service_level.threshold
show(service_level_curve_chart(curve, goals.service_level, threshold_s),
     "service level vs agents")
crossing = {
    model: (int(rows.loc[rows["service_level"] >= goals.service_level, "agents"].min())
            if (rows["service_level"] >= goals.service_level).any() else None)
    for model, rows in curve.groupby("model", sort=False)
}
display(curve.pivot(index="agents", columns="model", values="service_level").mul(100).round(1)
        .rename_axis(columns="service level (%) by model"))
'''

STAFFING_HOURS_MD = r'''
## Agent-hours saved

Scheduled agent-hours over the day for the Erlang baseline and each capacity model, and the
agents status-based capacity needs fewer (or more) than tab-based in each interval.
'''

STAFFING_HOURS = r'''
hours = report.agent_hours()
analytic_hours = float(report.analytic["scheduled_agents"].sum() * interval_s / 3600.0)
names = ["erlang"] + models
values = [analytic_hours] + [hours[model] for model in models]
figure = Figure(figsize=(12, 4.8), layout="constrained")
bars, saved = figure.subplots(1, 2)
positions = np.arange(len(names))
for position, name, value in zip(positions, names, values, strict=True):
    bars.bar(position, value, color=COLORS[name], label=f"{LABELS[name]}: {value:g} h")
    bars.annotate(f"{value:g}", (position, value), ha="center", va="bottom")
bars.set_xticks(positions, labels=[LABELS[name] for name in names])
bars.set_xlabel("staffing method")
bars.set_ylabel("scheduled agent-hours (h per day)")
bars.set_title("Scheduled agent-hours over the day")
bars.legend(loc="lower right")
edges = np.append(staffing["start_s"].to_numpy(dtype=float),
                  staffing["start_s"].iloc[-1] + interval_s) / 3600.0
if "tab" in models and "status" in models:
    fewer = (staffing["scheduled_tab"] - staffing["scheduled_status"]).to_numpy(dtype=float)
    saved.stairs(fewer, edges, fill=True, alpha=0.5, color=COLORS["status"],
                 label="agents fewer with status-based (negative: more)")
for model in models:
    versus = (staffing["analytic_scheduled"] - staffing[f"scheduled_{model}"]).to_numpy(float)
    saved.stairs(versus, edges, color=COLORS[model], linewidth=2,
                 label=f"Erlang minus {LABELS[model]}")
saved.axhline(0.0, color="black", linewidth=0.8)
saved.set_xlabel("time from start (h)")
saved.set_ylabel("difference in scheduled agents (agents)")
saved.set_title("Agent differences per interval")
saved.legend(loc="lower left", fontsize=8)
figure.suptitle("Agent-hours by staffing method")
show(figure, "agent-hours")
'''

STAFFING_CONCLUSION_MD = r'''
## Conclusion

Written from the numbers above.
'''

STAFFING_CONCLUSION = r'''
summary = report.summary()
lines = [f"**{scenario.name}**, goal {goals.describe()}, {REPLICATIONS} replications per "
         f"search iteration (verification with {2 * REPLICATIONS}).", ""]
for model in models:
    result = report.results[model]
    meets = bool(result.verification["meets"].all())
    peak = int(result.scheduled.max())
    lines.append(
        f"- **{LABELS[model]}** needs {hours[model]:g} agent-hours "
        f"(peak {peak} agents at {staffing.loc[int(np.argmax(result.scheduled)), 'start']}); "
        + ("every interval meets the goal in the verification run" if meets else
           f"{int((~result.verification['meets']).sum())} interval(s) still miss the goal")
        + ("" if result.converged else " (the search had not settled: more iterations or "
           "replications would firm it up)") + ".")
lines.append(f"- The **Erlang baseline** asks for {analytic_hours:g} agent-hours; the "
             "simulation " + ", ".join(
                 f"{'adds' if hours[m] > analytic_hours else 'saves'} "
                 f"{abs(hours[m] - analytic_hours):g} h under {LABELS[m]}" for m in models)
             + " (Erlang ignores silent and returning customers, offline agents and the "
             "backlog carried between intervals).")
difference = report.agent_hours_difference()
if difference is not None:
    change = "saves" if difference < 0 else "costs"
    lines.append(f"- **Status-based capacity {change} {abs(difference):g} agent-hours** per "
                 f"day against tab-based ({abs(difference) / hours['tab']:.1%}).")
busiest = curve.attrs.get("interval")
lines.append(f"- In the busiest interval ({staffing.loc[busiest, 'start']}) held stationary, "
             "the target is first reached at " + ", ".join(
                 f"{crossing[m]} agents ({LABELS[m]})" if crossing[m] is not None else
                 f"no agent count tried ({LABELS[m]})" for m in crossing) + ".")
display(Markdown("\n".join(lines)))
'''


# ----------------------------------------------------------------------------- building
def _code(source: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell(source.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _markdown(source: str) -> nbformat.NotebookNode:
    return new_markdown_cell(source.strip("\n"))


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNEL)
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def compare_capacity_models() -> nbformat.NotebookNode:
    """The capacity-model comparison notebook (without outputs)."""
    return _notebook([
        _markdown(COMPARE_INTRO),
        _code(COMPARE_PARAMETERS, tags=["parameters"]),
        _code(COMPARE_SETUP),
        _code(CHART_HELPERS),
        _code(COMPARE_LOAD),
        _code(COMPARE_RUN),
        _markdown(COMPARE_TABLE_MD),
        _code(COMPARE_TABLE),
        _markdown(COMPARE_WAIT_MD),
        _code(COMPARE_WAIT),
        _markdown(COMPARE_INTERVALS_MD),
        _code(COMPARE_INTERVALS),
        _markdown(COMPARE_OCCUPANCY_MD),
        _code(COMPARE_OCCUPANCY),
        _markdown(COMPARE_OFFLINE_MD),
        _code(COMPARE_OFFLINE),
        _markdown(COMPARE_SILENT_MD),
        _code(COMPARE_SILENT),
        _markdown(COMPARE_TIMEOUTS_MD),
        _code(COMPARE_TIMEOUTS),
        _markdown(COMPARE_WHATIF_MD),
        _code(COMPARE_WHATIF),
        _markdown(COMPARE_CONCLUSION_MD),
        _code(COMPARE_CONCLUSION),
        _code(CHECK_SUMMARY),
    ])


def staffing_charts() -> nbformat.NotebookNode:
    """The staffing notebook (without outputs)."""
    return _notebook([
        _markdown(STAFFING_INTRO),
        _code(STAFFING_PARAMETERS, tags=["parameters"]),
        _code(STAFFING_SETUP),
        _code(CHART_HELPERS),
        _code(STAFFING_LOAD),
        _code(STAFFING_RUN),
        _markdown(STAFFING_CHARTS_MD),
        _code(STAFFING_CHARTS),
        _markdown(STAFFING_CURVE_MD),
        _code(STAFFING_CURVE),
        _markdown(STAFFING_HOURS_MD),
        _code(STAFFING_HOURS),
        _markdown(STAFFING_CONCLUSION_MD),
        _code(STAFFING_CONCLUSION),
        _code(CHECK_SUMMARY),
    ])


NOTEBOOKS: dict[str, Callable[[], nbformat.NotebookNode]] = {
    "compare_capacity_models": compare_capacity_models,
    "staffing_charts": staffing_charts,
}
"""Notebook name (file stem in ``notebooks/``) -> builder."""


def execute(notebook: nbformat.NotebookNode, cwd: Path = NOTEBOOK_DIR,
            timeout_s: int = CELL_TIMEOUT_S) -> nbformat.NotebookNode:
    """Execute ``notebook`` in place with nbclient (kernel ``python3``, working dir ``cwd``).

    Raises:
        nbclient.exceptions.CellExecutionError: if a cell fails.
    """
    from nbclient import NotebookClient

    client = NotebookClient(notebook, timeout=timeout_s, kernel_name="python3",
                            record_timing=False, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return notebook


def main(argv: list[str] | None = None) -> int:
    """Build (and execute) the named notebooks, or all of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"notebooks to build (default: all of {', '.join(NOTEBOOKS)})")
    parser.add_argument("--no-execute", action="store_true",
                        help="write the notebooks without running them (no outputs)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(NOTEBOOKS))
    if unknown:
        parser.error(f"unknown notebook(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(NOTEBOOKS)}")
    for name in args.names or list(NOTEBOOKS):
        notebook = NOTEBOOKS[name]()
        started = time.perf_counter()
        if not args.no_execute:
            execute(notebook)
        path = NOTEBOOK_DIR / f"{name}.ipynb"
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        took = "" if args.no_execute else f" (executed in {time.perf_counter() - started:.0f} s)"
        print(f"wrote {path.relative_to(NOTEBOOK_DIR.parent)}{took}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
