"""A fitted section of a scenario: its YAML values and a comment per fitted key.

Key paths are tuples of names and list indexes, relative to the section
(``("customers", "patience")``); :meth:`Fitted.nest` moves a section into its place in the
whole scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.calibration.distributions import Fit

Path = tuple[str | int, ...]


@dataclass
class Fitted:
    """Scenario values with one comment per fitted key and the fits behind them.

    Attributes:
        values: the section as a YAML mapping.
        comments: key path to comment (estimate, sample size, CI).
        fits: key path to the distribution fit, for the charts.
        notes: what could not be fitted and was left at its default, or rows not used.
        relative_notes: notes naming a key path inside this section (placed by
            :meth:`merge`).
        defaults: key path to the reason its default was kept (nothing to fit it from,
            or it does not apply); every such key is listed in the output.
        warnings: values of the export not understood and how they were read.
    """

    values: dict[str, Any] = field(default_factory=dict)
    comments: dict[Path, str] = field(default_factory=dict)
    fits: dict[Path, Fit] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    relative_notes: list[str] = field(default_factory=list)
    defaults: dict[Path, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def set(self, path: Path, value: Any, comment: str | None = None) -> None:
        """Set the value at ``path`` (creating mappings on the way) with its comment."""
        target: Any = self.values
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
        if comment:
            self.comments[path] = comment

    def default(self, path: Path, reason: str) -> None:
        """Keep the default of ``path``, for ``reason`` (listed in the output)."""
        self.defaults[path] = reason

    def set_fit(self, path: Path, fit: Fit | None, default_note: str) -> None:
        """Set a distribution from ``fit``; without observations, keep the default.

        ``default_note`` says why (listed in the output).
        """
        if fit is None:
            self.default(path, default_note)
            return
        self.set(path, dict(fit.spec), fit.comment())
        self.fits[path] = fit

    def merge(self, other: Fitted, prefix: Path) -> None:
        """Take ``other``'s comments, fits and notes under ``prefix``.

        Its values are placed by the caller.
        """
        for path, comment in other.comments.items():
            self.comments[prefix + path] = comment
        for path, fit in other.fits.items():
            self.fits[prefix + path] = fit
        for path, reason in other.defaults.items():
            self.defaults[prefix + path] = reason
        self.notes.extend(other.notes)
        self.warnings.extend(other.warnings)
        section, index = prefix[0], prefix[1] if len(prefix) > 1 else None
        owner = other.values.get("name", index)
        self.notes.extend(f"{section}[{owner}].{note}" for note in other.relative_notes)
