"""Calibrating a whole center from an export: the scenario that reproduces it.

:func:`calibrate` reads nothing itself: it takes a checked :class:`~sim.salesforce.read.Export`
and returns a :class:`Calibration` with the scenario mapping (valid as it is), a comment per
fitted key, the fits (for the charts) and what could not be used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.agents import (
    DEFAULT_MAX_GAP_S,
    PresencePeriods,
    fit_group,
    presence_periods,
    user_groups,
)
from sim.calibration.arrivals import ArrivalFit
from sim.calibration.channels import DEFAULT_INACTIVATE_AFTER_S, fit_channel
from sim.calibration.defaults import defaulted_keys
from sim.calibration.distributions import fit_share
from sim.calibration.facts import Unusable, message_facts, session_facts, work_facts
from sim.calibration.fitted import Fitted, Path
from sim.calibration.forecast import MIN_HISTORY_DAYS
from sim.calibration.prequeue import queue_entries
from sim.calibration.scenario_yaml import scenario_yaml
from sim.calibration.schedule import activity_periods, schedule_periods
from sim.calibration.target_week import ChannelForecast, forecast_week
from sim.calibration.timeline import DAY_S, ExportClock
from sim.calibration.vocabulary import CAPACITY_MODELS, PUSH_TIMEOUT, Vocabulary
from sim.salesforce.read import Export
from sim.scenario.schema import Scenario

GROUP_BEHAVIOUR_KEYS = {
    "agent_reply_time": ("behaviour", "reply_time"),
    "concurrency_slowdown": ("behaviour", "concurrency_slowdown"),
    "close_tab_delay": ("behaviour", "close_tab_delay"),
    "after_conversation_work": ("behaviour", "after_conversation_work"),
}
"""Keys fitted per channel that belong to the behaviour of the groups serving it."""


@dataclass
class Calibration:
    """A calibrated center.

    Attributes:
        values: the scenario as a YAML mapping (validated: it runs as it is).
        comments: key path to comment (estimate, sample size, CI).
        fits: key path to distribution fit (for the charts).
        arrivals: ``(channel, "inbound" | "outbound")`` to the arrival fit.
        clock: the export's clock (start, interval, horizon).
        notes: defaults kept and assumptions made.
        unusable: valid rows that could not be used, one line per file and reason.
        sessions: the session facts (for the backtest and the charts).
        work: the work-item facts.
        periods: the presence periods.
        groups: each user's agent group.
        messages_source: where reply times came from (``ConversationEntry`` or counts).
        defaults: every expected key left at its default, with its default and the reason
            (``channels[web].customers.exchanges = {kind: fixed, value: 4}: ...``).
        warnings: values of the export not understood (unknown presence statuses and
            channel types) and how they were read.
        forecasts: with a target week (``--for-week``), each channel's day volumes
            observed and forecast; empty otherwise.
    """

    values: dict[str, Any]
    comments: dict[Path, str]
    fits: dict[Path, Any]
    arrivals: dict[tuple[str, str], ArrivalFit]
    clock: ExportClock
    notes: list[str]
    unusable: list[str]
    sessions: pd.DataFrame
    work: pd.DataFrame
    periods: PresencePeriods
    groups: pd.Series
    messages_source: str = ""
    scenario: Scenario | None = field(default=None, repr=False)
    defaults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    forecasts: list[ChannelForecast] = field(default_factory=list)

    def yaml(self, source: str) -> str:
        """The scenario file text, with a header naming ``source`` and the notes."""
        export_span = (f"{self.clock.start_text} "
                       f"({self.clock.start.tz_convert(self.clock.zone):%A}) and covers "
                       f"{self.clock.horizon_s / 3600:g} h in "
                       f"{self.clock.interval_s / 60:g}-minute intervals")
        clock_line = (f"Clock: the scenario starts at {export_span}." if not self.forecasts
                      else f"Clock: the forecast week from {self.values['start']}; the "
                      f"export starts at {export_span}.")
        header = [
            f"Calibrated by ccsim calibrate from the Omni-Channel export {source}.",
            clock_line,
            f"Reply times: {self.messages_source}.",
            *[f"Warning: {line}" for line in self.warnings],
            *[f"Note: {note}" for note in self.notes],
            *[f"Default kept: {line}" for line in self.defaults],
            *[f"Not used: {line}" for line in self.unusable],
        ]
        return scenario_yaml(self.values, self.comments, header)


def calibrate(
    export: Export,
    interval_s: float = 1800.0,
    threshold_s: float = 60.0,
    target: float = 0.8,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    inactivate_after_s: float = DEFAULT_INACTIVATE_AFTER_S,
    zone: str = "UTC",
    start: pd.Timestamp | None = None,
    vocabulary: Vocabulary | None = None,
    schedule: pd.DataFrame | None = None,
    staffing_from_work: bool = False,
    for_week: pd.Timestamp | None = None,
) -> Calibration:
    """Fit a scenario to an export.

    Args:
        export: the checked export tables.
        interval_s: reporting interval of the scenario (seconds; divides a day).
        threshold_s: service-level threshold to write (not in the exports).
        target: service-level target to write.
        max_gap_s: offline gaps inside a shift up to this long are disconnections.
        inactivate_after_s: customer silence that counts as going silent (seconds).
        zone: IANA time zone of the scenario's clock (intervals by weekday and time of day
            in it); ``UTC`` by default.
        start: the scenario's start, instead of midnight of the export's first day (a
            backtest of a scenario with a ``start``).
        vocabulary: the org's presence-status and channel-type names.
        schedule: a read schedule file (:func:`~sim.calibration.schedule.read_schedule`):
            the shifts instead of the presence.
        staffing_from_work: without presence or schedule, infer the shifts from the work
            activity (with a warning).
        for_week: midnight (in ``zone``) of the first day of a week to forecast: the
            scenario is dated to it (:func:`~sim.calibration.target_week.forecast_week`).

    Raises:
        ValueError: when the export holds no messaging session or no presence, or the
            week to forecast is before the data end or has too little history.
    """
    if DAY_S % interval_s:
        raise ValueError(f"--interval: {interval_s:g} s does not divide a day")
    if export.sessions.empty:
        raise ValueError(f"{export.directory}: MessagingSession.csv has no session to fit")
    if export.presence.empty and schedule is None and not staffing_from_work:
        raise ValueError(f"{export.directory}: UserServicePresence.csv has no presence row; "
                         "no agent to fit (give --schedule FILE or --staffing-from-work)")
    unusable = Unusable()
    observed_times = [export.sessions["StartTime"], export.sessions["EndTime"],
                      export.presence["StatusStartDate"]]
    if "StatusEndDate" in export.presence.columns:
        observed_times.append(export.presence["StatusEndDate"])
    if export.entries is not None:
        observed_times.append(export.entries["EntryTime"])
    clock = ExportClock.spanning(observed_times, interval_s, zone, start)
    sessions = queue_entries(session_facts(export, clock, unusable), clock.horizon_s)
    work = work_facts(export, clock, sessions, unusable)
    if work.empty:
        raise ValueError(
            f"{export.directory / 'AgentWork.csv'}: none of its {len(export.agent_work)} work "
            f"items has a WorkItemId among the {len(sessions)} MessagingSession Ids; expected "
            "the work of the same sessions (15- and 18-character Ids are matched)")
    messages = message_facts(export, clock, sessions, unusable)
    scenario: Fitted = Fitted()
    scenario.set(("name",), f"Calibrated from {export.directory.name}")
    scenario.set(("description",), f"Fitted by ccsim calibrate to the Omni-Channel export "
                 f"{export.directory.name}: {len(sessions)} sessions, {len(work)} work items.")
    scenario.set(("start",), clock.start_text, "midnight of the export's first day")
    scenario.set(("horizon",), f"{clock.horizon_s / 3600:g}h", "to the end of the interval "
                 "of the export's last observation")
    scenario.set(("interval",), f"{interval_s / 60:g}m")
    _capacity_model(scenario, work)
    scenario.set(("service_level",), {"threshold": threshold_s, "target": target},
                 "not in the exports: the goal given to ccsim calibrate")
    channels, arrivals, behaviour_of_queue = _channels(scenario, sessions, work, messages,
                                                       clock, inactivate_after_s, vocabulary)
    queues = _queues(scenario, work, channels)
    scheduled: dict[str, str] = {}
    if schedule is not None:
        periods, scheduled = schedule_periods(schedule, clock, max_gap_s)
        if not export.presence.empty:
            scenario.notes.append(f"UserServicePresence.csv: {len(export.presence)} rows not "
                                  "used for the staffing: the schedule file gives the shifts")
    elif export.presence.empty:
        periods = activity_periods(work, max_gap_s)
    else:
        periods = presence_periods(export, clock, unusable, max_gap_s, vocabulary)
    scenario.warnings.extend(periods.warnings)
    if len(set(scheduled.values())) == 1:  # one group: every unscheduled agent is in it
        only = next(iter(scheduled.values()))
        scheduled.update({str(user): only for user in work["user"].dropna().unique()
                          if user not in scheduled})
    groups = user_groups(export, work, periods, scheduled)
    if periods.still_online:
        scenario.notes.append(f"UserServicePresence.csv: {periods.still_online} rows without "
                              "StatusEndDate (online at the export's end) counted to the end")
    _groups(scenario, groups, periods, work, clock, behaviour_of_queue, queues,
            inactivate_after_s)
    forecasts = []
    if for_week is not None:
        forecasts = forecast_week(scenario, arrivals, clock, for_week)
    else:
        scenario.notes.append(_arrivals_note(arrivals))
    calibration = Calibration(
        values=scenario.values, comments=scenario.comments, fits=scenario.fits,
        arrivals=arrivals, clock=clock, notes=scenario.notes + export.notes,
        unusable=unusable.lines(), sessions=sessions, work=work, periods=periods,
        groups=groups,
        messages_source=_messages_source(messages is not None, channels),
    )
    calibration.scenario = Scenario.model_validate(scenario.values)
    calibration.warnings = scenario.warnings
    calibration.defaults = defaulted_keys(scenario.values, calibration.scenario,
                                          scenario.defaults)
    calibration.forecasts = forecasts
    return calibration


def _arrivals_note(arrivals: dict[tuple[str, str], ArrivalFit]) -> str:
    """What the arrivals are without a forecast: pooled, and why no week is forecast."""
    whole = min((len(fit.day_volumes[fit.whole_days()]) for fit in arrivals.values()),
                default=0)
    shapes = ("one intraday shape per weekday" if any(fit.per_weekday for fit in
                                                      arrivals.values())
              else "one intraday shape pooled over all days")
    forecast = ("give --for-week DATE to forecast a week to come" if whole >= MIN_HISTORY_DAYS
                else f"a forecast of a week to come (--for-week) needs {MIN_HISTORY_DAYS} "
                f"whole days, the export has {whole}")
    return (f"arrivals: {shapes} times each weekday's mean day volume (the pooled day "
            f"factors), on the export's own days; {forecast}")


def _messages_source(entries: bool, channels: list[dict[str, Any]]) -> str:
    """Where the conversations' times came from, for the file's header."""
    if entries:
        return "gaps between ConversationEntry times"
    timed = [str(channel["name"]) for channel in channels if "handle_time" in channel]
    counted = [str(channel["name"]) for channel in channels if "handle_time" not in channel]
    parts = []
    if counted:
        parts.append("no ConversationEntry.csv: a regression of conversation time on message "
                     f"counts ({', '.join(counted)})")
    if timed:
        parts.append("no ConversationEntry.csv and blank message counts (enhanced Messaging): "
                     f"a handle time from accept to End Chat ({', '.join(timed)})")
    return "; ".join(parts)


def _capacity_model(scenario: Fitted, work: pd.DataFrame) -> None:
    models = work["capacity_model"].map(CAPACITY_MODELS).dropna()
    if not len(models):
        scenario.set(("capacity_model",), "tab")
        scenario.notes.append("capacity_model: no CapacityModel value known; tab assumed")
        return
    mode = str(models.mode().iloc[0])
    scenario.set(("capacity_model",), mode, f"CapacityModel of {(models == mode).mean():.1%} "
                 f"of {len(models)} work items")


def _channels(scenario: Fitted, sessions: pd.DataFrame, work: pd.DataFrame,
              messages: pd.DataFrame | None, clock: ExportClock, inactivate_after_s: float,
              vocabulary: Vocabulary | None
              ) -> tuple[list[dict[str, Any]], dict[tuple[str, str], ArrivalFit],
                         dict[str, dict[str, Any]]]:
    channels: list[dict[str, Any]] = []
    arrivals: dict[tuple[str, str], ArrivalFit] = {}
    behaviour_of_queue: dict[str, dict[str, Any]] = {}
    volume_of_queue: dict[str, int] = {}
    names = sorted(sessions["channel"].unique(), key=str)
    for index, channel in enumerate(names):
        mine = sessions[sessions["channel"] == channel]
        name = _slug(str(channel))
        fitted, fits = fit_channel(
            name, mine, work[work["channel"] == channel],
            messages[messages["session"].isin(mine["session"])] if messages is not None
            else None, clock, inactivate_after_s, vocabulary)
        behaviour = {key: fitted.values.pop(key) for key in GROUP_BEHAVIOUR_KEYS
                     if key in fitted.values}
        queue = fitted.values["queue"]
        if len(mine) > volume_of_queue.get(queue, -1):
            volume_of_queue[queue] = len(mine)
            behaviour_of_queue[queue] = {
                "values": behaviour,
                "comments": {path: text for path, text in fitted.comments.items()
                             if path[0] in GROUP_BEHAVIOUR_KEYS},
                "fits": {path: fit for path, fit in fitted.fits.items()
                         if path[0] in GROUP_BEHAVIOUR_KEYS},
                "defaults": {path: reason for path, reason in fitted.defaults.items()
                             if path[0] in GROUP_BEHAVIOUR_KEYS},
            }
        for key in GROUP_BEHAVIOUR_KEYS:
            fitted.comments = {p: t for p, t in fitted.comments.items() if p[0] != key}
            fitted.fits = {p: f for p, f in fitted.fits.items() if p[0] != key}
            fitted.defaults = {p: r for p, r in fitted.defaults.items() if p[0] != key}
        scenario.merge(fitted, ("channels", index))
        channels.append(fitted.values)
        for direction, fit in fits.items():
            arrivals[(name, direction)] = fit
    scenario.set(("channels",), channels)
    return channels, arrivals, behaviour_of_queue


def _queues(scenario: Fitted, work: pd.DataFrame, channels: list[dict[str, Any]]) -> list[str]:
    names = list(dict.fromkeys(str(channel["queue"]) for channel in channels))
    queues = []
    for index, name in enumerate(names):
        mine = work[work["queue"] == name]
        pushed = mine[np.isfinite(mine["assigned_s"])]
        timed_out = pushed[pushed["status"] == PUSH_TIMEOUT]
        entry: dict[str, Any] = {"name": name}
        share, (low, high) = fit_share(len(timed_out), len(pushed))
        if len(timed_out):
            waited = (timed_out["timeout_s"] - timed_out["assigned_s"]).to_numpy()
            entry["push_timeout"] = float(round(float(np.median(waited)), 1))
            scenario.comments[("queues", index, "push_timeout")] = (
                f"median PushTimeoutDateTime minus AssignedDateTime of {len(timed_out)} push "
                f"timeouts ({share:.2%} of {len(pushed)} pushes, 95% CI {low:.4f}-{high:.4f})")
        else:
            scenario.default(("queues", index, "push_timeout"), f"no push timeout among "
                             f"{len(pushed)} pushes")
        queues.append(entry)
    scenario.set(("queues",), queues)
    return names


def _groups(scenario: Fitted, groups: pd.Series, periods: PresencePeriods, work: pd.DataFrame,
            clock: ExportClock, behaviour_of_queue: dict[str, dict[str, Any]],
            queues: list[str], inactivate_after_s: float) -> None:
    entries = []
    for index, name in enumerate(dict.fromkeys(groups)):
        users = [str(user) for user in groups.index[groups == name]]
        fitted = fit_group(_slug(str(name)), users, periods, work, clock)
        fitted.set(("behaviour", "inactivate_after"), inactivate_after_s,
                   "not in the exports: the silence after which calibration counted a "
                   "customer silent (ccsim calibrate --inactivate-after)")
        served = [queue for queue in fitted.values["queues"] if queue in queues] or queues[:1]
        fitted.values["queues"] = served
        source = next((behaviour_of_queue[q] for q in served if q in behaviour_of_queue), None)
        if source is not None:
            for key, value in source["values"].items():
                fitted.set(GROUP_BEHAVIOUR_KEYS[key], value)
            for path, text in source["comments"].items():
                fitted.comments[GROUP_BEHAVIOUR_KEYS[path[0]] + path[1:]] = text
            for path, fit in source["fits"].items():
                fitted.fits[GROUP_BEHAVIOUR_KEYS[path[0]] + path[1:]] = fit
            for path, reason in source["defaults"].items():
                fitted.defaults[GROUP_BEHAVIOUR_KEYS[path[0]] + path[1:]] = reason
        scenario.merge(fitted, ("agent_groups", index))
        entries.append(fitted.values)
    if any("capacity_percentage" in channel for channel in scenario.values["channels"]):
        # Work sized in percent: the presence's ConfiguredCapacity is a percentage too.
        for index, entry in enumerate(entries):
            entry["capacity_percent"] = entry.pop("capacity")
            comment = scenario.comments.pop(("agent_groups", index, "capacity"), None)
            if comment:
                scenario.comments[("agent_groups", index, "capacity_percent")] = comment
    scenario.set(("agent_groups",), entries)


def _slug(text: str) -> str:
    """A scenario name from an export name or Id: letters, digits and underscores."""
    return re.sub(r"[^0-9A-Za-z_]+", "_", text).strip("_") or "unnamed"
