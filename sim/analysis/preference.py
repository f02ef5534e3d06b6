"""Which capacity model a paired difference (status - tab) favours."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

Choice = Literal["tab", "status", "neither"]
"""A preferred capacity model, or ``"neither"`` when the difference is not clear."""

MODELS: tuple[str, str] = ("tab", "status")
"""The capacity models, baseline first."""

MODEL_NAMES = {"tab": "tab-based", "status": "status-based"}
"""Readable name of each capacity model."""

CHOICE_TEXT = {"neither": "no clear winner", "tab": "tab-based is better",
               "status": "status-based is better"}
"""A choice in words."""


def preferred(diff: float, half: float, higher_is_better: bool) -> Choice:
    """The better model when the 95% CI of ``status - tab`` excludes zero, else neither.

    Args:
        diff: mean paired difference, status-based minus tab-based.
        half: its 95% CI half-width (NaN with fewer than two pairs: never clear).
        higher_is_better: whether more of the figure is better (service level) or less
            (ASA, waits).
    """
    if not (math.isfinite(diff) and math.isfinite(half)) or abs(diff) <= half:
        return "neither"
    return "status" if (diff > 0) == higher_is_better else "tab"


def number(frame: pd.DataFrame, row: str, column: str) -> float:
    """One cell of a table as a float (NaN stays NaN)."""
    return float(np.asarray(frame.loc[row, column], dtype=np.float64))
