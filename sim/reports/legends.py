"""Legends that cover no data: one legend for a figure's axes, below the plots.

A legend inside the axes sits where the data may be (an evening's low occupancy under a
"lower right" legend, a peak under an "upper left" one); :func:`legend_below` gathers the
entries of the given axes (their twins included by the caller), drops repeated labels and
puts one legend under the figure, outside every plot. The figure must use the
constrained layout, which makes room for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure


def legend_below(figure: Figure, axes_list: Sequence[Axes], handles: Sequence[Any] = (),
                 ncols: int | None = None, fontsize: str | float = "small") -> None:
    """One legend of ``axes_list`` (and ``handles``) under the figure's plots.

    Args:
        figure: a figure with ``layout="constrained"``.
        axes_list: the axes whose labelled artists go in, in this order.
        handles: more artists (such as a warm-up span) added after those.
        ncols: legend columns; up to four, as many as entries fit, when omitted.
        fontsize: the entries' font size.
    """
    entries: dict[str, Any] = {}
    for axes in axes_list:
        for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    for handle in handles:
        label = handle.get_label()
        if label and not label.startswith("_"):
            entries.setdefault(label, handle)
    if not entries:
        return
    figure.legend(list(entries.values()), list(entries), loc="outside lower center",
                  ncols=ncols or _columns(list(entries), figure, fontsize), fontsize=fontsize)


def _columns(labels: list[str], figure: Figure, fontsize: str | float) -> int:
    """Up to four columns, fewer when a row of labels would be wider than the figure."""
    per_inch = 11.0 if fontsize in ("small", "x-small", 7, 8) else 9.5  # characters
    room = figure.get_figwidth() * per_inch
    columns = min(4, len(labels))
    while columns > 1:
        rows = [labels[start:start + columns] for start in range(0, len(labels), columns)]
        widths = [max(len(labels[index]) for index in range(column, len(labels), columns))
                  for column in range(columns)]
        if sum(width + 6 for width in widths) <= room and rows:
            break
        columns -= 1
    return columns
