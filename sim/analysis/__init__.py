"""Analysis behind the notebooks: what each capacity model costs and where the choice flips.

The notebooks in ``notebooks/`` are a few lines per cell; what they compute lives here,
tested and typed:

* :mod:`sim.analysis.setting` — the scenario's groups, channels and setting in words;
* :mod:`sim.analysis.preference` — which model a paired difference favours;
* :mod:`sim.analysis.headline` — the comparison's headline table as a planner reads it;
* :mod:`sim.analysis.breakdown_comparison` — both models per channel and per agent group;
* :mod:`sim.analysis.traced` — the comparison's replications re-run with the event trace;
* :mod:`sim.analysis.offline` — waits of answered customers caused by agents going offline;
* :mod:`sim.analysis.silent` — capacity held by silent customers and their returns;
* :mod:`sim.analysis.whatif` — the what-if grid (disconnections, close-tab delay, silent
  customers) and the points where the preferred model flips;
* :mod:`sim.analysis.conclusion` — the comparison's conclusion, written from the figures;
* :mod:`sim.analysis.containment` — agents needed per capacity model as a bot resolves more;
* :mod:`sim.analysis.staffing_summary` — the staffing notebook's tables and conclusion;
* :mod:`sim.analysis.calibration_summary` — what a calibration and its backtest found;
* :mod:`sim.analysis.recommendation` — from data to decision: the capacity model and the
  headcount per group the figures favour;
* :mod:`sim.analysis.compare_charts`, :mod:`sim.analysis.hours_chart` — the notebooks'
  own charts (time axes in clock time); :class:`sim.analysis.png.Png` shows one in a
  notebook.

The report charts the notebooks draw as well (the comparison's differences and service
level per interval, the staffing, calibration and backtest charts) and the calibration's
entry points (:func:`read_export`, :func:`calibrate`, :func:`backtest`) are re-exported
here, so a notebook imports from ``sim`` and ``sim.analysis`` only.
"""

from sim.analysis.breakdown_comparison import channel_comparison, group_comparison
from sim.analysis.calibration_summary import (
    backtest_bias_table,
    backtest_table,
    calibration_text,
    fitted_table,
)
from sim.analysis.compare_charts import (
    all_channels,
    occupancy_concurrency_chart,
    offline_chart,
    service_level_per_interval_chart,
    silent_chart,
    speed_to_answer_chart,
    throughput_chart,
    whatif_chart,
)
from sim.analysis.conclusion import ComparisonFindings, comparison_conclusion, cost_table
from sim.analysis.containment import containment_chart, containment_staffing, with_containment
from sim.analysis.headline import headline_table
from sim.analysis.hours_chart import agent_hours_chart
from sim.analysis.offline import offline_effect, offline_per_interval
from sim.analysis.png import Png
from sim.analysis.preference import MODEL_NAMES, preferred
from sim.analysis.recommendation import GroupHeadcount, Recommendation, recommend
from sim.analysis.setting import channel_table, group_table, setting_text
from sim.analysis.silent import silent_effect, silent_table
from sim.analysis.staffing_summary import (
    curve_crossings,
    staffing_conclusion,
    staffing_hours_table,
    staffing_setting_text,
    staffing_view,
)
from sim.analysis.traced import answered_waits, traced_runs
from sim.analysis.whatif import (
    CRITERIA,
    KNOBS,
    Flip,
    Knob,
    customer_wait,
    flip_points,
    paired_customer_wait,
    whatif_grid,
    whatif_point,
)
from sim.calibration.backtest import backtest
from sim.calibration.center import calibrate
from sim.reports.backtest_charts import backtest_chart
from sim.reports.calibration_charts import arrival_profile_chart, fits_chart, patience_chart
from sim.reports.run_charts import compare_differences_chart, compare_service_level_chart
from sim.reports.staffing_charts import (
    achieved_service_level_chart,
    required_agents_chart,
    service_level_curve_chart,
)
from sim.salesforce.read import read_export

__all__ = [
    "CRITERIA",
    "KNOBS",
    "containment_chart",
    "containment_staffing",
    "with_containment",
    "MODEL_NAMES",
    "ComparisonFindings",
    "Flip",
    "GroupHeadcount",
    "Knob",
    "Png",
    "Recommendation",
    "achieved_service_level_chart",
    "agent_hours_chart",
    "all_channels",
    "answered_waits",
    "arrival_profile_chart",
    "backtest",
    "backtest_chart",
    "backtest_bias_table",
    "backtest_table",
    "calibrate",
    "calibration_text",
    "channel_comparison",
    "channel_table",
    "compare_differences_chart",
    "compare_service_level_chart",
    "comparison_conclusion",
    "cost_table",
    "curve_crossings",
    "customer_wait",
    "fits_chart",
    "fitted_table",
    "flip_points",
    "group_comparison",
    "group_table",
    "headline_table",
    "occupancy_concurrency_chart",
    "offline_chart",
    "offline_effect",
    "offline_per_interval",
    "paired_customer_wait",
    "patience_chart",
    "preferred",
    "read_export",
    "recommend",
    "required_agents_chart",
    "service_level_curve_chart",
    "service_level_per_interval_chart",
    "setting_text",
    "silent_chart",
    "silent_effect",
    "silent_table",
    "speed_to_answer_chart",
    "staffing_conclusion",
    "staffing_hours_table",
    "staffing_setting_text",
    "staffing_view",
    "throughput_chart",
    "traced_runs",
    "whatif_chart",
    "whatif_grid",
    "whatif_point",
]
