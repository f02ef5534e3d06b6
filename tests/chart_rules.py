"""The chart rules every notebook and report chart follows, as a check on a Figure.

Every chart has a title, both axes labelled with a unit in brackets (categorical axes,
whose ticks are words, need only a label) and a legend.
"""

from __future__ import annotations

import re

from matplotlib.figure import Figure


def chart_problems(figure: Figure) -> list[str]:
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


def clock_tick_labels(figure: Figure) -> list[str]:
    """The x tick labels of every axes whose label says it is a clock-time axis."""
    return [tick.get_text() for axes in figure.axes if "HH:MM" in axes.get_xlabel()
            for tick in axes.get_xticklabels()]
