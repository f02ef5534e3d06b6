"""Checks on rendered charts shared by the chart tests."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text


def assert_inside_figure(figure: Figure, *texts: Text) -> None:
    """Fail unless every one of ``texts``, drawn, lies wholly inside ``figure``.

    The figure is drawn once for all of them (a draw costs about half a CPU second).
    """
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    for text in texts:
        box = text.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height, (
            f"{text.get_text()!r} at {box.bounds} outside the {width:.0f}x{height:.0f} figure"
        )
