# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tab-based or status-based capacity? A side-by-side comparison
#
# This notebook runs one bundled scenario under **tab-based** and **status-based** capacity
# on **the same customers** (common random numbers: replication *r* of both models uses the
# same random streams, so the same customers arrive, write, fall silent and return in the
# same way) and compares what planners look at:
#
# 1. the headline figures with the **paired difference (status − tab) and its 95% CI**;
# 2. the distribution of speed to answer;
# 3. service level and throughput per interval against the target;
# 4. occupancy and concurrency;
# 5. agents going **offline**: rerouted work under tab-based vs stranded customers under
#    status-based capacity;
# 6. **unresponsive customers**: capacity held while they are silent, their returns,
#    timeouts;
# 7. a **what-if**: more and longer disconnections, a longer close-tab delay, more silent
#    customers, customers less patient for a reply — where does the preferred model flip,
#    by service level, by ASA, by the customers' total waiting time (including stranded
#    and re-queued time) and by the customers lost?
#
# It ends with a conclusion written from the numbers computed above. The computations are
# in `sim.analysis` (tested in `tests/reports/test_notebook_analysis.py`); each cell below
# only calls them.
# The rules the simulator follows are in
# [docs/omni-channel-rules.md](../docs/omni-channel-rules.md).
#
# *Parameters* are in the next cell (tagged `parameters`): change the scenario, the
# replications or the seed and run all cells.

# %% tags=["parameters"]
SCENARIO = "../scenarios/unstable_connections.yaml"  # or "../scenarios/web_chat_desk.yaml"
REPLICATIONS = 10  # replications per capacity model (the same customers in both)
SEED = 7  # root seed; replication r uses the same streams under both models
WHATIF_REPLICATIONS = 6  # replications per capacity model and what-if setting
WHATIF_VALUES = 4  # values per what-if knob: 4 (all of them) or 2 (lowest, highest)
JOBS = 1  # worker processes for the replications (1 = in this kernel)

# %%
import time

import pandas as pd
from IPython.display import Markdown, display

from sim import analysis, compare, interval_summary, load_scenario, make_executor
from sim.analysis import Png

STARTED = time.perf_counter()
executor = make_executor(JOBS)
pd.set_option("display.max_rows", 60)

# %%
scenario = load_scenario(SCENARIO)
level = scenario.service_level
display(Markdown(analysis.setting_text(scenario, REPLICATIONS, SEED)))
display(analysis.group_table(scenario))
display(analysis.channel_table(scenario))

# %% [markdown]
# Both models run the same replications. `compare()` keeps each replication's figures,
# intervals and agents; the session-level views below re-run the same replications with
# the event trace (`traced_runs` checks they give the very same figures).

# %%
comparison = compare(scenario, REPLICATIONS, seed=SEED, executor=executor)
intervals = {"tab": interval_summary(comparison.tab.intervals),
             "status": interval_summary(comparison.status.intervals)}
results = analysis.traced_runs(comparison)
print(f"{comparison.replications} paired replications per model; traced re-runs identical.")

# %% [markdown]
# ## 1. Headline figures: the difference and its 95% confidence interval
#
# One row per headline figure: the mean of each model over the replications with its 95%
# CI half-width, and the mean **paired** difference *status − tab* with its CI (shares in
# %, their differences in percentage points, pp). "clear" means the CI of the difference
# excludes zero. Rows that are zero under both models are left out.

# %%
headline, zero = analysis.headline_table(comparison.table)
display(headline)
print("zero under both models (not shown):", ", ".join(zero) or "none")
Png(analysis.compare_differences_chart(comparison.table))

# %% [markdown]
# The same comparison **per channel** (the sessions each channel offered) and **per agent
# group** (the capacity each team had online): a gain of the center can hide a channel
# that pays for it, or a team that runs hot while the other idles. Differences are paired
# replication by replication, as above.

# %%
display(analysis.channel_comparison(results, scenario))
display(analysis.group_comparison(results, scenario))

# %% [markdown]
# ## 2. Speed to answer
#
# Speed to answer (accept − request) of every answered inbound session of all replications
# (after the warm-up), under both models: the cumulative share answered within *x* seconds
# (the service level is where it crosses the threshold) and the histogram per replication.

# %%
waits = {model: analysis.answered_waits(runs) for model, runs in results.items()}
Png(analysis.speed_to_answer_chart(waits, level.threshold, level.target, REPLICATIONS))

# %% [markdown]
# ## 3. Service level and throughput per interval
#
# Means over replications per reporting interval (the band is the 95% CI of the service
# level), with the target; then arrivals and sessions completed, in clock time.

# %%
display(Png(analysis.service_level_per_interval_chart(intervals, scenario)))
Png(analysis.throughput_chart(intervals, scenario))

# %% [markdown]
# ## 4. Occupancy and concurrency
#
# Occupancy is capacity in use over the capacity of online agents; concurrency is open
# work items per online agent. Tab-based capacity keeps a slot until the tab closes;
# status-based frees it at End Chat or when the customer is marked Inactive, but a
# returning customer comes back to the same agent even when that agent is full.

# %%
Png(analysis.occupancy_concurrency_chart(intervals, scenario))

# %% [markdown]
# ## 5. Agents going offline: requeued vs stranded customers
#
# When an agent drops offline, **tab-based** capacity ends the work item (Unavailable) and
# sends the session back to the queue: another agent picks it up and the customer waits
# again (`requeued_wait_s`). **Status-based** capacity leaves the session with the offline
# agent: the customer's messages wait until the agent is back (`stranded_s`). Both are
# waits *after* the first answer, which speed to answer does not see.

# %%
offline = {model: analysis.offline_effect(runs) for model, runs in results.items()}
display(pd.concat(offline, names=["model"]).round(2))
per_interval = {model: analysis.offline_per_interval(runs, scenario)
                for model, runs in results.items()}
online = analysis.all_channels(intervals["tab"])["agents_online"].to_numpy(dtype=float)
Png(analysis.offline_chart(per_interval, online, scenario))

# %% [markdown]
# ## 6. Unresponsive customers: capacity held, returns and timeouts
#
# A customer who stops answering holds the agent's capacity until the agent marks the
# session Inactive (after `inactivate_after` of silence). Under tab-based capacity the
# slot stays held until the agent then closes the tab; under status-based it is freed at
# once. A returning customer goes to the queue under tab-based capacity, and back to the
# same agent under status-based, even over capacity or while that agent is offline.

# %%
silent = analysis.silent_table(results)
display(silent.round(1))
Png(analysis.silent_chart(silent))

# %% [markdown]
# Inactive sessions are ended by the clean-up job only after 24 h Inactive, so within a
# working day nothing times out. To see the timeouts, a quick run with a shortened
# clean-up (the same keys as `ccsim run --set`):

# %%
short = scenario.derive({"timeouts.inactive": "1h", "timeouts.sweep_period": "15m"})
timeouts = compare(short, WHATIF_REPLICATIONS, seed=SEED, executor=executor).table
display(timeouts.loc[["timed_out", "open_at_horizon", "completed", "over_capacity_s"],
                     ["tab_mean", "status_mean", "diff_mean", "diff_ci95"]].round(2))

# %% [markdown]
# ## 7. What-if: where does the preferred model flip?
#
# Besides **service level** (higher is better) and **ASA** (lower is better) the what-if
# judges the models by the **customer wait per offered session** (lower is better): the
# mean queue time of all offered inbound sessions plus the waits after the first answer
# (requeued, after a return, stranded) per offered session, and by the **lost customers**
# (lower is better): those who abandoned the queue or left waiting for a reply. The knobs
# replace the scenario's setting for every group or channel (`sim.analysis.KNOBS`):
#
# - **disconnections**: every agent drops offline 0, 1, 3 or 6 times per online hour, for
#   10 min on average;
# - **close-tab delay** after End Chat: at once, or exponential with mean 2, 5 or 10 min
#   (the ACW maximum raised to 15 min where ACW is on);
# - **silent customers**: 0%, 15% or 40% of customers stop answering mid-conversation;
# - **response patience**: customers leave a conversation when the agent's next reply takes
#   longer than their patience (exponential, mean 2, 10, 30 or 120 min; rules §5.7). Nobody
#   knows this value for their center, so read the answer along it: a stranded status-based
#   customer who gives up counts in **lost customers** (abandoned + left unanswered).
#
# A model is **preferred** when the paired difference has a 95% CI excluding zero; the
# preference **flips** where one model is preferred at one value and the other at another.
# First the main comparison by the same criterion:

# %%
display(analysis.paired_customer_wait(comparison).round(2))
grid = analysis.whatif_grid(scenario, WHATIF_REPLICATIONS, SEED, values=WHATIF_VALUES,
                   executor=executor)
display(grid.pivot_table(index=["knob", "x"], columns="measure", values="diff", sort=False)
        .round(2))
Png(analysis.whatif_chart(grid, WHATIF_REPLICATIONS))

# %% [markdown]
# ## Conclusion
#
# Written from the numbers above (re-run the notebook and it rewrites itself): first what
# each model costs (mean per replication; status − tab ± 95% CI).

# %%
findings = analysis.ComparisonFindings(
    scenario=scenario, table=comparison.table, replications=comparison.replications,
    seed=SEED, offline=offline, silent=silent, timeouts=timeouts,
    customer_wait=analysis.paired_customer_wait(comparison), grid=grid,
    whatif_replications=WHATIF_REPLICATIONS)
display(analysis.cost_table(comparison.table, scenario))
display(Markdown(analysis.comparison_conclusion(findings)))
print(f"notebook run time: {time.perf_counter() - STARTED:.1f} s")
