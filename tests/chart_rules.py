"""The chart rules every notebook and report chart follows, as a check on a Figure.

Every chart has a title, both axes labelled with a unit in brackets (categorical axes,
whose ticks are words, need only a label) and a legend.
"""

from __future__ import annotations

import re

import numpy as np
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


def legend_overlaps(figure: Figure, samples: int = 24) -> list[str]:
    """Legends that cover data: a drawn line, point or bar of their axes (twins included).

    Each line is sampled along its segments (``samples`` points per segment, in data
    coordinates, so a step line crossing a legend counts even with no vertex under it);
    bars are their rectangles. Figure legends placed outside the axes cover nothing.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    problems = []
    for axes in figure.axes:
        legend = axes.get_legend()
        if legend is None or not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        for other in axes.get_shared_x_axes().get_siblings(axes):
            for line in other.get_lines():
                if not line.get_visible() or len(line.get_xydata()) == 0:
                    continue
                points = np.asarray(line.get_xydata(), dtype=float)
                if len(points) > 1:
                    steps = np.linspace(0.0, 1.0, samples, endpoint=False)
                    points = np.concatenate([
                        start + np.outer(steps, end - start)
                        for start, end in zip(points[:-1], points[1:], strict=True)
                    ] + [points[-1:]])
                points = points[np.isfinite(points).all(axis=1)]
                shown = line.get_transform().transform(points)
                inside = ((shown[:, 0] > box.x0) & (shown[:, 0] < box.x1)
                          & (shown[:, 1] > box.y0) & (shown[:, 1] < box.y1))
                if inside.any():
                    problems.append(f"the legend of {axes.get_title()!r} covers "
                                    f"{line.get_label()!r}")
            for container in other.containers:
                for patch in getattr(container, "patches", []):
                    if patch.get_height() and box.overlaps(patch.get_window_extent(renderer)):
                        problems.append(f"the legend of {axes.get_title()!r} covers a bar "
                                        f"of {container.get_label()!r}")
                        break
    return problems
