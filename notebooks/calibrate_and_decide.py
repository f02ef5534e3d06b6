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
# # From data to decision: calibrate, backtest, compare, staff
#
# This notebook starts from an Omni-Channel export (the shipped example,
# [examples/salesforce-export](../examples/salesforce-export/README.md): three days of a
# web-chat desk) and ends with a recommendation computed from the figures:
#
# 1. **calibrate** a scenario to the export (arrivals per weekday and interval, work size,
#    patience, reply times, the capacity model in use, the observed staffing);
# 2. **backtest** it: the calibrated center run with the observed staffing, per interval
#    against what happened (simulated mean and 95% prediction band);
# 3. **compare** tab-based and status-based capacity on the calibrated center;
# 4. **staff** it under both models for the service-level goal;
# 5. **recommend** the capacity model and the headcount per group.
#
# Each step is the command line's (`ccsim calibrate`, `ccsim backtest`, `ccsim compare`,
# `ccsim staff`) as a function; the summaries and the recommendation come from
# `sim.analysis` (tested in `tests/reports/test_notebook_analysis.py`).

# %% tags=["parameters"]
EXPORT = "../examples/salesforce-export"  # folder of the export's CSV files
TARGET = "80/60s"  # service-level goal: 80% answered within 60 s
BACKTEST_REPLICATIONS = 39  # 39: the range of the replications is a 95% prediction band
REPLICATIONS = 10  # replications per capacity model in the comparison
STAFF_REPLICATIONS = 4  # replications per staffing search iteration (at least 2)
MAX_ITERATIONS = 10  # staffing search iterations at most
SEED = 2024  # root seed (the same customers under both models)
JOBS = 1  # worker processes (1 = in this kernel)

# %%
import time

import pandas as pd
from IPython.display import Markdown, display

from sim import StaffingGoals, analysis, compare, make_executor, staff
from sim.analysis import Png

STARTED = time.perf_counter()
executor = make_executor(JOBS)
goals = StaffingGoals.parse(target=TARGET)
pd.set_option("display.max_colwidth", 120)

# %% [markdown]
# ## 1. Calibrate
#
# The export is read and checked, then every key of the scenario is fitted from it (a
# comment per key in the scenario file says the estimate, its sample size and CI). The
# chart shows the fitted arrivals per interval by weekday against the observed counts.

# %%
export = analysis.read_export(EXPORT)
calibration = analysis.calibrate(export, threshold_s=goals.threshold_s, target=goals.service_level)
scenario = calibration.scenario
display(Markdown(analysis.calibration_text(calibration)))
display(analysis.fitted_table(calibration))
Png(analysis.arrival_profile_chart(calibration))

# %% [markdown]
# ## 2. Backtest
#
# The calibrated center with the staffing observed in the export, per interval: observed
# (dots) against the simulated mean and its 95% band. A well calibrated center has about
# 95% of the observed intervals inside the band. A band per interval is wide, so each
# measure is also compared over the whole horizon and each day: the bias of the simulated
# mean and its 95% interval. A measure whose horizon figure is outside the band and off
# by 10% or more fails the backtest (the chart's last panel and title).

# %%
checked = analysis.backtest(scenario, calibration, BACKTEST_REPLICATIONS, seed=SEED,
                            executor=executor)
display(analysis.backtest_table(checked).round(3))
display(analysis.backtest_bias_table(checked).round(3))
Png(analysis.backtest_chart(checked, scenario.clock))

# %% [markdown]
# ## 3. Compare the capacity models on the calibrated center
#
# The backtest's scenario (the observed staffing) under both models on the same customers:
# the paired differences status − tab with their 95% CIs.

# %%
center = checked.scenario
comparison = compare(center, REPLICATIONS, seed=SEED, executor=executor)
display(analysis.headline_table(comparison.table)[0])
Png(analysis.compare_differences_chart(comparison.table))

# %% [markdown]
# ## 4. Staff the calibrated center under both models
#
# Agents per interval and group for the goal, verified with confidence intervals, against
# the Erlang baseline.

# %%
report = staff(center, goals, replications=STAFF_REPLICATIONS, seed=SEED, executor=executor,
               max_iterations=MAX_ITERATIONS, curve=False)
display(analysis.staffing_hours_table(report).round(1))
title = f"Required agents per interval: {report.group} — {goals.describe()}"
Png(analysis.required_agents_chart(report.table(), center.interval, title=title,
                                   clock=center.clock))

# %% [markdown]
# ## 5. Recommendation
#
# Computed from the figures above: the capacity model the customers wait less under in
# total (else the higher service level, else the model in use), and the headcount per
# group under it against what the export shows.

# %%
choice = analysis.recommend(comparison, report, current=scenario.capacity_model)
display(Markdown(choice.text()))
display(Markdown(analysis.staffing_conclusion(report)))
print(f"notebook run time: {time.perf_counter() - STARTED:.1f} s")
