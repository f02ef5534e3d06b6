"""Show a matplotlib figure in a notebook as a PNG, without pyplot."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

PNG_DPI = 100
"""Resolution of the PNG a notebook shows (dots per inch)."""


class Png:
    """A figure that a notebook displays as a PNG (Jupyter calls :meth:`_repr_png_`).

    The charts are object-API figures on the Agg backend, so a notebook shows them
    through this wrapper: ``Png(speed_to_answer_chart(...))`` as a cell's last line. The
    PNG is rendered once, then the figure's canvas memory is released.
    """

    def __init__(self, figure: Figure, dpi: int = PNG_DPI) -> None:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        figure.clear()
        self.data = buffer.getvalue()

    def _repr_png_(self) -> bytes:
        """The PNG bytes (Jupyter's rich display hook)."""
        return self.data
