"""Report files of a staffing search: ``staffing.csv``, ``staffing.json`` and its charts."""

from __future__ import annotations

from pathlib import Path

from sim.reports import staffing_charts
from sim.reports.files import write_csv, write_figure, write_json
from sim.staffing.plan import StaffingReport

STAFFING_FILES = ("staffing.csv", "staffing.json", "required_agents.png",
                  "achieved_service_level.png", "service_level_curve.png", "shift_cover.png")
"""Every file :func:`write_staffing` may write (a new search replaces all of them)."""


def write_staffing(report: StaffingReport, out_dir: str | Path, charts: bool = True
                   ) -> dict[str, Path]:
    """Write ``staffing.csv``, ``staffing.json`` and the PNG charts into ``out_dir``.

    Every file is written to a temporary name in the same directory and renamed into
    place, so a reader never sees half a file.

    Returns:
        File kind -> path written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "csv": write_csv(out / "staffing.csv", report.table()),
        "json": write_json(out / "staffing.json", report.summary()),
    }
    if charts:
        for name, figure in staffing_charts.staffing_figures(report).items():
            written[name] = write_figure(out / f"{name}.png", figure)
            staffing_charts.close(figure)
    return written
