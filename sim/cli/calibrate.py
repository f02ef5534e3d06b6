"""The ``ccsim calibrate`` and ``ccsim backtest`` subcommands.

Registered from :mod:`sim.cli.main` with ``add_calibration_commands(subparsers)``.
``calibrate EXPORT_DIR --out my_center.yaml`` fits a scenario to an Omni-Channel export and
writes it (atomically: a temporary file renamed into place), with its charts in
``--charts DIR``; ``backtest EXPORT_DIR my_center.yaml`` runs it with the observed staffing
and writes the comparison to ``--out DIR`` (a :class:`~sim.reports.output_folder.ReportFolder`).
A bad export prints one line per problem (file, row, column) and exits 2, writing nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import (
    add_safety_options,
    add_share_options,
    check_output_file,
    check_work,
    load_checked,
    positive_int,
    say,
    seed_number,
    share_options,
    usable_jobs,
)
from sim.salesforce.read import DATE_FORMATS, DELIMITERS, EXPORT_FILES
from sim.scenario.units import format_duration, parse_duration
from sim.scenario.user_text import printable

if TYPE_CHECKING:
    import pandas as pd

    from sim.calibration.center import Calibration
    from sim.reports.shared_report import SharedReport, ShareOptions

CALIBRATION_CHARTS = ("calibration_fits.png", "calibration_patience.png",
                      "calibration_arrivals.png")
"""Every file ``ccsim calibrate --charts`` writes."""

FORECAST_CHART = "forecast.png"
"""The chart ``ccsim calibrate --for-week --charts`` adds: day volumes and their forecast."""

BACKTEST_FILES = ("backtest.csv", "backtest_summary.csv", "backtest.json", "backtest.png")
"""Every file ``ccsim backtest`` writes."""

EXIT_BAD_INPUT = 2
EXIT_BACKTEST_FAILED = 3
"""``ccsim backtest``: the reports are written, and a measure is clearly off."""


def add_calibration_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` and ``backtest`` to the CLI's subparsers."""
    calibrate = subparsers.add_parser(
        "calibrate", help="fit a scenario to an Omni-Channel export",
        description="Read an Omni-Channel export (AgentWork, MessagingSession, "
        "UserServicePresence, ServicePresenceStatus and optionally ConversationEntry and "
        "users.csv, as Data Loader or a Bulk API 2.0 query writes them) and write a scenario "
        "that reproduces the center, with a comment per fitted key (estimate, sample size, "
        "95% CI). A bad export gets one line per problem and exit code 2.",
    )
    calibrate.add_argument("export", metavar="EXPORT_DIR", type=Path,
                           help="folder of the export CSV files")
    calibrate.add_argument("--out", type=Path, metavar="FILE",
                           help="scenario file to write (default: out/<export folder>.yaml)")
    _export_options(calibrate)
    calibrate.add_argument("--interval", default="30m", metavar="TIME",
                           help="reporting interval of the scenario (default: 30m; divides "
                           "a day)")
    calibrate.add_argument("--target", default="80/60s", metavar="SL/THRESHOLD",
                           help="service-level goal to write, not in the exports "
                           "(default: 80/60s)")
    calibrate.add_argument("--inactivate-after", default="10m", metavar="TIME",
                           help="customer silence after which agents mark a session Inactive "
                           "(the org's practice; not in the exports; default: 10m)")
    calibrate.add_argument("--max-gap", default="30m", metavar="TIME",
                           help="offline gaps inside a shift up to this long are "
                           "disconnections, longer ones end the shift (default: 30m)")
    calibrate.add_argument("--time-zone", default="UTC", metavar="ZONE",
                           help="time zone of the scenario's clock, an IANA name such as "
                           "Europe/Paris: arrivals are fitted by weekday and time of day "
                           "there (default: UTC, as the export's date-times)")
    calibrate.add_argument("--status", action="append", default=[], metavar="NAME=ROLE",
                           help="what an org's presence status means: available, away, "
                           "break or draining (e.g. Wrap_Up=draining); repeatable; an unknown "
                           "status is read by its IsAway, with a warning")
    calibrate.add_argument("--channel-type", action="append", default=[], metavar="VALUE=TYPE",
                           help="the scenario channel type of an org's ChannelType value "
                           "(e.g. MyChat=enhanced_web_chat); repeatable; an unknown one is "
                           "read as bring_your_own_channel, with a warning")
    calibrate.add_argument("--mapping", type=Path, metavar="FILE",
                           help="a CSV file of such names: header field,value,means; field "
                           "status or channel_type (the options above win over it)")
    _staffing_options(calibrate)
    calibrate.add_argument("--for-week", metavar="DATE",
                           help="date the scenario to the seven days from DATE (such as "
                           "2026-12-14, on or after the export's end): day volumes forecast "
                           "by Holt-Winters from two weeks of history or more, their "
                           "uncertainty as arrival_scale, the last observed week's staffing")
    calibrate.add_argument("--charts", type=Path, metavar="DIR",
                           help="also write PNG charts of each fit against the data to DIR "
                           "(with --xlsx or --html, the reports too; default then: "
                           "out/<export folder>-calibration)")
    calibrate.add_argument("--quiet", "-q", action="store_true",
                           help="print nothing but problems")
    add_share_options(calibrate)
    calibrate.set_defaults(handler=run_calibrate)

    backtest = subparsers.add_parser(
        "backtest", help="run a calibrated scenario against the export it came from",
        description="Run the scenario with the staffing observed in the export's presence "
        "and compare, per interval, observed against simulated (mean and 95% prediction "
        "band) for "
        "offered, service level, ASA, abandonment, occupancy and handle time; writes "
        "backtest.csv, backtest_summary.csv (mean absolute error, share of intervals inside "
        "the band), backtest.json and backtest.png.",
    )
    backtest.add_argument("export", metavar="EXPORT_DIR", type=Path,
                          help="folder of the export CSV files")
    backtest.add_argument("scenario", metavar="SCENARIO", type=Path,
                          help="the calibrated scenario (ccsim calibrate --out)")
    backtest.add_argument("--out", type=Path, metavar="DIR",
                          help="output directory (default: out/<scenario file name>-backtest)")
    backtest.add_argument("--replications", "-r", type=positive_int, default=39, metavar="N",
                          help="replications (default: 39, whose range is a 95%% prediction "
                          "band for one more; at least 2)")
    backtest.add_argument("--seed", type=seed_number, metavar="S",
                          help="root random seed (default: the scenario's seed)")
    backtest.add_argument("--jobs", "-j", type=positive_int, default=1, metavar="N",
                          help="worker processes (default: 1); results are identical")
    _export_options(backtest)
    _staffing_options(backtest)
    backtest.add_argument("--max-gap", default="30m", metavar="TIME",
                          help="offline gaps inside a shift up to this long are "
                          "disconnections (default: 30m)")
    backtest.add_argument("--quiet", "-q", action="store_true",
                          help="no progress or summary table")
    add_share_options(backtest)
    add_safety_options(backtest)
    backtest.set_defaults(handler=run_backtest)


def _export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delimiter", default="COMMA", type=str.upper,
                        choices=list(DELIMITERS), metavar="NAME",
                        help="column delimiter of the CSV files, as Bulk API names it: "
                        + ", ".join(DELIMITERS) + " (default: COMMA)")
    parser.add_argument("--date-format", default="iso", choices=list(DATE_FORMATS),
                        metavar="FORM",
                        help="date-times besides ISO 8601: us (a report's 11/2/2026 8:00 AM, "
                        "month first) or day-first (2/11/2026 08:00); read as clock times in "
                        "--time-zone (default: iso, ISO 8601 only)")


def _staffing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schedule", type=Path, metavar="FILE",
                        help="the agents' shifts from a WFM schedule CSV (columns agent or "
                        "group, start, end, optionally activity shift|break) instead of "
                        "UserServicePresence.csv")
    parser.add_argument("--staffing-from-work", action="store_true",
                        help="without UserServicePresence.csv or --schedule: infer the "
                        "shifts from the agents' work (with a warning: idle time at a "
                        "shift's edges is not seen)")


MAX_DURATION_S = 366 * 86400.0
"""The longest duration an option takes (the longest horizon of a scenario)."""


def _duration(option: str, text: str, minimum_s: float = 0.0) -> float:
    """A duration option in seconds: finite, above ``minimum_s`` (or 0), at most 366 days."""
    try:
        value = parse_duration(text)
    except ValueError:
        raise ValueError(f"{option} {text!r}: expected a duration such as 30m") from None
    low = f"at least {format_duration(minimum_s)}" if minimum_s else "above 0"
    if not (math.isfinite(value) and (value >= minimum_s if minimum_s else value > 0)
            and value <= MAX_DURATION_S):
        raise ValueError(f"{option} {text!r}: expected a duration {low} and at most "
                         f"{format_duration(MAX_DURATION_S)}")
    return value


def _read(args: argparse.Namespace, interval_s: float, threshold_s: float, target: float,
          inactivate_after_s: float = 600.0, zone: str = "UTC",
          start: pd.Timestamp | None = None, report_zone: str | None = None,
          for_week: pd.Timestamp | None = None) -> Calibration | None:
    """The export read and calibrated; ``None`` (problems printed) for a bad export.

    Report-form date-times are read in ``report_zone`` (default: ``zone``).
    """
    from sim.calibration.center import calibrate
    from sim.calibration.vocabulary import vocabulary_from
    from sim.salesforce.read import ExportError, read_export

    vocabulary = vocabulary_from(getattr(args, "status", ()), getattr(args, "channel_type", ()),
                                 getattr(args, "mapping", None))
    schedule_file = getattr(args, "schedule", None)
    from_work = bool(getattr(args, "staffing_from_work", False))
    if schedule_file is not None and from_work:
        raise ValueError("--schedule and --staffing-from-work: give one; the schedule's "
                         "shifts are the better staffing")
    schedule = None
    if schedule_file is not None:
        from sim.calibration.schedule import read_schedule

        schedule = read_schedule(schedule_file, zone)

    try:
        export = read_export(args.export, args.delimiter, args.date_format,
                             report_zone=report_zone or zone,
                             need_presence=schedule is None and not from_work)
    except ExportError as error:
        for line in error.problems:
            say(line)
        return None
    return calibrate(export, interval_s=interval_s, threshold_s=threshold_s, target=target,
                     max_gap_s=_duration("--max-gap", args.max_gap),
                     inactivate_after_s=inactivate_after_s, zone=zone, start=start,
                     vocabulary=vocabulary, schedule=schedule, staffing_from_work=from_work,
                     for_week=for_week)


def run_calibrate(args: argparse.Namespace) -> int:
    """Run ``ccsim calibrate``; returns the exit status."""
    from sim.staffing.goals import parse_service_level

    interval_s = _duration("--interval", args.interval, minimum_s=60.0)
    allowed = ("expected a service level such as 80/60s (a target above 0 and up to 100%, "
               "a threshold above 0 and up to 366d)")
    try:
        target, threshold_s = parse_service_level(args.target)
    except ValueError:
        raise ValueError(f"--target {args.target!r}: {allowed}") from None
    if not (0 < target <= 1 and 0 < threshold_s <= MAX_DURATION_S):
        raise ValueError(f"--target {args.target!r}: {allowed}")
    inactivate_s = _duration("--inactivate-after", args.inactivate_after)
    out = args.out or Path("out") / f"{args.export.resolve().name or 'export'}.yaml"
    check_output_file(out, "--out", [args.export / spec.name for spec in EXPORT_FILES])
    for_week = None
    if args.for_week is not None:
        from sim.calibration.target_week import week_start

        for_week = week_start(args.for_week, _zone(args.time_zone))
    calibration = _read(args, interval_s, threshold_s, target, inactivate_s, args.time_zone,
                        for_week=for_week)
    if calibration is None:
        return EXIT_BAD_INPUT
    text = calibration.yaml(str(args.export))
    share = share_options(args)
    if share.wanted and args.charts is None:
        args.charts = Path("out") / f"{args.export.resolve().name or 'export'}-calibration"
    if args.charts is not None:
        report = None
        if share.wanted:
            from sim.reports.shared_report import calibration_report

            report = calibration_report(calibration, str(args.export), str(out))
        _write_charts(calibration, args.charts, report, share)
    _write_atomically(out, text)
    for line in calibration.warnings:
        say(f"warning: {line}")
    if not args.quiet:
        print(f"wrote {out}: {len(calibration.comments)} fitted keys from "
              f"{len(calibration.sessions)} sessions and {len(calibration.work)} work items")
        for line in calibration.notes:
            print(f"  note: {line}")
        for line in calibration.defaults:
            print(f"  default kept: {line}")
        for line in calibration.unusable:
            print(f"  not used: {line}")
        if args.charts is not None:
            shared = [name for name, wanted in (("report.xlsx", share.xlsx),
                                                ("report.html", share.html)) if wanted]
            drawn = [*CALIBRATION_CHARTS, *([FORECAST_CHART] if calibration.forecasts else [])]
            print(f"charts in {args.charts}: {', '.join([*drawn, *shared])}")
    return 0


def _write_charts(calibration: Calibration, folder: Path, report: SharedReport | None = None,
                  share: ShareOptions | None = None) -> None:
    """The calibration charts into ``folder`` and, when asked, report.xlsx/report.html."""
    from sim.reports.calibration_charts import (
        arrival_profile_chart,
        fits_chart,
        patience_chart,
    )
    from sim.reports.output_folder import ReportFolder
    from sim.reports.shared_report import SHARED_FILES, write_shared

    charts = zip(CALIBRATION_CHARTS, (fits_chart, patience_chart, arrival_profile_chart),
                 strict=True)
    with ReportFolder(folder, owned=(*CALIBRATION_CHARTS, FORECAST_CHART,
                                     *SHARED_FILES)) as staged:
        written = []
        for name, draw in charts:
            path = staged.path / name
            draw(calibration).savefig(path, dpi=110)
            written.append(path)
        if calibration.forecasts:
            from sim.reports.calibration_charts import forecast_chart

            path = staged.path / FORECAST_CHART
            forecast_chart(calibration.forecasts, calibration.clock.zone).savefig(path, dpi=110)
            written.append(path)
        if report is not None and share is not None:
            written += write_shared(staged.path, report, share, list(written))
        staged.hold_interrupts()
        staged.commit(written)


def _zone(name: str) -> str:
    """``name`` if it is a time zone pandas knows (the export's reading says so otherwise)."""
    import pandas as pd

    try:
        pd.Timestamp("2026-01-01").tz_localize(name)
    except Exception:  # pytz/zoneinfo raise several types for an unknown name
        raise ValueError(f"--time-zone: unknown time zone {name!r}; expected an IANA name "
                         "such as Europe/Paris, or UTC") from None
    return name


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_backtest(args: argparse.Namespace) -> int:
    """Run ``ccsim backtest``; returns the exit status."""
    from sim.calibration.backtest import backtest
    from sim.experiments.executors import make_executor
    from sim.reports.backtest_charts import backtest_chart
    from sim.reports.output_folder import ReportFolder, default_out_dir
    from sim.scenario.user_text import spreadsheet_table

    if args.replications < 2:
        raise ValueError("--replications must be at least 2 for a band")
    scenario = load_checked(args.scenario, [], args.quiet)
    import pandas as pd

    start = None
    if scenario.clock.dated:  # observed intervals from the scenario's own start
        start = pd.Timestamp(scenario.clock.origin)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    calibration = _read(args, scenario.interval, scenario.service_level.threshold,
                        scenario.service_level.target, start=start,
                        report_zone=scenario.clock.zone_name or "UTC")
    if calibration is None:
        return EXIT_BAD_INPUT
    check_work([(str(args.scenario), scenario)], args.replications, source=str(args.scenario),
               force=args.force, keep_sessions=True)
    out = args.out or default_out_dir(args.scenario, "-backtest")
    from sim.reports.shared_report import SHARED_FILES, backtest_report, write_shared

    share = share_options(args)
    with ReportFolder(out, owned=(*BACKTEST_FILES, *SHARED_FILES)) as folder:
        executor = make_executor(jobs=usable_jobs(args.jobs, args.quiet))
        result = backtest(scenario, calibration, replications=args.replications,
                          seed=args.seed, executor=executor)
        folder.hold_interrupts()
        staged = folder.path
        spreadsheet_table(result.table).to_csv(staged / "backtest.csv", index=False)
        assert result.levels is not None
        spreadsheet_table(result.levels).to_csv(staged / "backtest_summary.csv", index=False)
        document = {
            "scenario": scenario.name,
            "export": str(args.export),
            "replications": result.replications,
            "verdict": "fail" if result.failed else "pass",
            "failed_measures": result.failed,
            "notes": result.notes,
            "summary": {measure: {key: (None if value != value else value)
                                  for key, value in row.items()}
                        for measure, row in result.summary.to_dict(orient="index").items()},
            "levels": [{key: (None if value != value else value) for key, value in row.items()}
                       for row in result.levels.to_dict(orient="records")],
        }
        (staged / "backtest.json").write_text(json.dumps(document, indent=2) + "\n",
                                              encoding="utf-8")
        backtest_chart(result, scenario.clock).savefig(
            staged / "backtest.png", dpi=110)
        files = [staged / name for name in BACKTEST_FILES]
        if share.wanted:
            files += write_shared(staged, backtest_report(result, str(args.export)), share,
                                  [staged / "backtest.png"])
        written = folder.commit(files)
    if not args.quiet:
        from sim.reports.verdict import backtest_verdict

        for line in backtest_verdict(result):  # the answer first
            print(printable(line))
        print(f"backtest of {scenario.name} against {args.export} ({result.replications} "
              "replications):")
        print(f"  {'measure':<18} {'unit':<9} {'MAE':>10} {'inside band':>12} {'intervals':>10}"
              f" {'horizon bias':>13} {'95% interval':>20}  verdict")
        for measure, row in result.summary.iterrows():
            print(f"  {measure:<18} {row['unit']:<9} {row['mae']:>10.4g} "
                  f"{row['inside_share']:>12.0%} {int(row['intervals']):>10} "
                  f"{row['relative_bias']:>+13.1%} "
                  f"{_interval_text(row['bias_low'], row['bias_high'], row['observed']):>20}"
                  f"  {row['verdict']}")
        for note in result.notes:
            print(f"  note: {note}")
        print(f"wrote {', '.join(str(path) for path in written)}")
    if result.failed:
        say(f"backtest failed: {', '.join(result.failed)} off over the horizon (observed "
            "outside the simulated 95% band and the mean off by 10% or more); see "
            f"{out / 'backtest_summary.csv'}")
        return EXIT_BACKTEST_FAILED
    return 0


def _interval_text(low: float, high: float, observed: float) -> str:
    """A bias interval relative to the observed figure: ``-4.1% to +12.0%``."""
    if not (observed and low == low and high == high):
        return "n/a"
    return f"{low / observed:+.1%} to {high / observed:+.1%}"
