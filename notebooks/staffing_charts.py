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
# # Staffing for a day: tab-based vs status-based capacity against the Erlang baseline
#
# How many agents does each interval need to meet the service-level goal, under each
# capacity model? This notebook runs `staff()` on a bundled scenario:
#
# - an **Erlang baseline** per interval (Erlang C, or Erlang A when customers abandon),
#   with every agent counted as `capacity / work size` servers;
# - a **simulation-based staffing** per interval and agent group for each capacity model
#   (the iterative staffing algorithm of Feldman, Mandelbaum, Massey & Whitt, 2008),
#   verified with confidence intervals, on the same customers for both models.
#
# It shows the staffing chart for the day (one panel per staffed group), the achieved
# service level at that staffing, the service level against agents for the busiest
# interval, and the agent-hours status-based capacity saves (or costs). The tables,
# charts and conclusion come from `sim.analysis` and `sim.reports` (tested there).
#
# *Parameters* are in the next cell (tagged `parameters`). `web_chat_desk.yaml` staffs one
# group; `unstable_connections.yaml` staffs two (`home_agents`, `office_agents`).

# %% tags=["parameters"]
SCENARIO = "../scenarios/web_chat_desk.yaml"  # or "../scenarios/unstable_connections.yaml"
GROUPS = None  # agent groups to staff (a list of names); None: those with shifts or staffing
TARGET = "80/60s"  # service-level goal: 80% answered within 60 s
SHRINKAGE = "0%"  # share of scheduled time agents are not available
REPLICATIONS = 4  # replications per search iteration (at least 2)
MAX_ITERATIONS = 10  # search iterations at most
CURVE_REPLICATIONS = 3  # replications per point of the service level vs agents curve
SEED = 2024  # root seed (the same customers under both models)
BOT_SCENARIO = "../scenarios/modern_center.yaml"  # a desk with a bot in front
CONTAINMENTS = [0.0, 0.2, 0.4, 0.6]  # shares of the bot's sessions it resolves
JOBS = 1  # worker processes (1 = in this kernel)

# %%
import time

from IPython.display import Markdown, display

from sim import StaffingGoals, analysis, load_scenario, make_executor, staff
from sim.analysis import Png

STARTED = time.perf_counter()
executor = make_executor(JOBS)

# %%
scenario = load_scenario(SCENARIO)
goals = StaffingGoals.parse(target=TARGET, shrinkage=SHRINKAGE)
display(Markdown(analysis.staffing_setting_text(scenario, goals, GROUPS)))

# %%
progress: list[str] = []
report = staff(scenario, goals, replications=REPLICATIONS, seed=SEED, executor=executor,
               max_iterations=MAX_ITERATIONS, curve_replications=CURVE_REPLICATIONS,
               groups=GROUPS, log=progress.append)
print("\n".join(progress[-4:]))
analysis.staffing_view(report)

# %% [markdown]
# ## The staffing chart for the day
#
# Scheduled agents per interval under each capacity model (solid) against the Erlang
# baseline (dashed), with the expected arrivals behind, one panel per staffed group. Then
# the service level each staffing achieves in the verification run, with its 95% CI.

# %%
table, clock = report.table(), scenario.clock
title = f"Required agents per interval: {report.group} — {goals.describe()}"
display(Png(analysis.required_agents_chart(table, scenario.interval, title=title, clock=clock)))
Png(analysis.achieved_service_level_chart(table, scenario.interval, goals.service_level,
                                          threshold_s=goals.threshold_s, clock=clock))

# %% [markdown]
# ## Service level against agents (busiest interval)
#
# The busiest interval's arrival rate held constant (a stationary picture), simulated under
# both models, with the Erlang formula for comparison. Where a curve crosses the target is
# the staffing that interval would need on its own.

# %%
curve = report.curve
display(Png(analysis.service_level_curve_chart(curve, goals.service_level,
                                               goals.threshold_s, clock=clock)))
curve.pivot(index="agents", columns="model", values="service_level").mul(100).round(1)

# %% [markdown]
# ## Agent-hours saved
#
# Scheduled agent-hours over the day per staffed group for the Erlang baseline and each
# capacity model, and the agents status-based capacity needs fewer (or more) than
# tab-based in each interval.

# %%
display(analysis.staffing_hours_table(report).round(1))
Png(analysis.agent_hours_chart(report))

# %% [markdown]
# ## If the bot resolves more: how many agents, and does the capacity model still matter?
#
# A desk with a bot in front (`BOT_SCENARIO`): the bot answers every chat first and hands
# the rest to the agents. Each containment (the share of the bot's sessions it resolves)
# is staffed under both models on the same customers, to the same goal.

# %%
bot_desk = load_scenario(BOT_SCENARIO)
containment = analysis.containment_staffing(bot_desk, goals, CONTAINMENTS, REPLICATIONS, SEED,
                                            executor, max_iterations=MAX_ITERATIONS)
display(containment.pivot(index="containment", columns="model", values="agent_hours"))
Png(analysis.containment_chart(containment, goals))

# %% [markdown]
# ## Conclusion
#
# Written from the numbers above (peaks and intervals in clock time).

# %%
display(Markdown(analysis.staffing_conclusion(report)))
print(f"notebook run time: {time.perf_counter() - STARTED:.1f} s")
