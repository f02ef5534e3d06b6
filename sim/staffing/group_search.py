"""Simulation-based staffing of several agent groups at once, with a verified minimum.

After the iterative staffing algorithm of Feldman, Mandelbaum, Massey & Whitt (Management
Science 54(2), 2008), for several groups and per-queue goals. The staffing is a matrix
``[group, interval]`` of online agents. Each capacity model runs through three phases:

1. **Raise.** From :data:`START_SHARE` of the analytic start
   (:func:`sim.staffing.analytic.queue_requirements`; raising is cheap, the day alone),
   simulate the day (half the replications) and, wherever a queue misses a goal, raise an
   owner group of the queue in that interval (:func:`sim.staffing.analytic.queue_owners`:
   the specialists serving it among the groups whose shifts can work the interval; of
   several, the one with the fewest agents there): one agent, or a share of its agents as
   large as the relative shortfall (at most :data:`MAX_SHORTFALL_STEP`), until every queue
   meets its goals in every interval. A group never gets agents outside its hours; a goal
   missed where no group serving the queue works is left out there and named.
2. **Lower.** With the full replications, the day and, per staffed group, a *probe*: the
   day with one agent of that group fewer in every even interval it staffs (then, in the
   second round, every odd one). An interval's neighbours keep their agents in its probe,
   so the probe measures "one agent fewer in this interval" (and two intervals away,
   which makes it slightly pessimistic). Where a probe still meets every queue's goals in
   the interval and the next, the group loses that agent (one group per interval: the one
   with the largest margin). A day that then misses, clearly or next to an interval just
   lowered, gets the lowered neighbours back for good (else the owner group is raised).
3. **Verify.** The final staffing and all its probes (even and odd, every group) with the
   verification replications (twice as many by default). With ``extend_unclear``, probes
   whose 95% CI still straddles a goal get twice the replications once, so more decisions
   "one agent fewer breaks a goal" are clear. A verified day that misses a goal (point
   estimate) is raised and verified again, at most :data:`REPAIR_ROUNDS` times.

No raise goes above a ceiling (:data:`CEILING_FACTOR`, :data:`CEILING_EXTRA`): a queue's
goal missed with its owner group at the ceiling is marked *out of reach* in that interval
and no longer raised; the verification still reports it missed.

**On a share of days** (``goals.days``, ``--days 90%``) every margin above is that of the
day deciding whether the goals hold on that share of the replications
(:class:`sim.staffing.search.GoalCheck`): raising, lowering, the verification and its
probes alike; the raise phase then uses the full replications.

Every configuration uses replications ``0, 1, ...`` of one seed (common random numbers:
the same customers at every staffing and under both capacity models), and runs are
cached by (capacity model, staffing, replication), so a configuration is never simulated
twice. Serial or parallel, a seed gives the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario
from sim.staffing.analytic import queue_owners, skill_set_minimum
from sim.staffing.day_measures import MEASURE_INDEX, DayTask, measure_day
from sim.staffing.goals import StaffingGoals
from sim.staffing.search import GOAL_MEASURE, GOAL_TEXT, GOALS, DayEstimates, GoalCheck, Log, Runner
from sim.staffing.variants import with_group_staffing

REPAIR_ROUNDS = 6
"""Verification rounds that may raise a missing interval or lower a holding one."""

START_SHARE = 0.75
"""The search starts from this share of the analytic staffing (rounded down)."""

LOWER_ROUNDS = 2
"""Lowering iterations: the even intervals, then the odd ones (each lowers every interval
of its parity its probe allows)."""

MAX_SHORTFALL_STEP = 0.5
"""A raise adds at most this share of an interval's agents at once."""

CEILING_FACTOR = 3
CEILING_EXTRA = 10
"""No group is raised above ``max(CEILING_FACTOR x analytic, analytic + CEILING_EXTRA)``
agents in an interval. A goal still missed there is one more agents cannot meet (e.g. an
abandonment cap below the share of customers whose patience is shorter than an agent's
accept delay): it is reported as out of reach, not chased to thousands of agents."""

GroupRunKey = tuple[str, str, tuple[tuple[int, ...], ...], int, int]
"""('day', capacity model, staffing per group, seed, replication): one run's identity."""


@dataclass
class ProbeOutcome:
    """One agent fewer of one group, per interval, from its probe.

    Attributes:
        margin: ``[group, interval]`` smallest margin over the interval and its
            neighbours (point estimate; ``inf`` where the group has nobody to remove).
        low: the same at the pessimistic end of the 95% CIs.
        high: the same at the optimistic end.
        replications: ``[group, interval]`` replications behind each probe.
        queue: ``[group, interval]`` the row (queue, or ``"all"``) of the smallest margin
            in the interval itself.
    """

    margin: np.ndarray
    low: np.ndarray
    high: np.ndarray
    replications: np.ndarray
    queue: np.ndarray


class GroupSearch:
    """The staffing search of one capacity model (see the module docstring)."""

    def __init__(self, model: str, scenario: Scenario, goals: StaffingGoals,
                 check: GoalCheck, groups: list[str], start: np.ndarray,
                 replications: int, verification_replications: int,
                 max_iterations: int, extend_unclear: bool = False,
                 hours: np.ndarray | None = None) -> None:
        self.model = model
        self.scenario = scenario
        self.goals = goals
        self.check = check
        self.groups = groups
        # Raising is cheap (the day alone) and lowering is not (the day and its probes):
        # the search starts below the analytic staffing and raises where a queue misses.
        n = np.asarray(start).shape[1]
        self.hours = (np.ones((len(groups), n), dtype=bool) if hours is None
                      else np.asarray(hours, dtype=bool))
        # A skill set expecting sessions keeps one agent able to serve it (not lowered).
        self.minimum = skill_set_minimum(scenario, groups, self.hours)
        self.first = np.maximum(np.floor(START_SHARE * np.asarray(start)).astype(int),
                                self.minimum)
        self.staffing = self.first.copy()
        self.full = replications
        # A share of days needs its days: raising on half of them would ask every one
        # of those to meet the goals (no day may miss), an overshoot lowering cannot undo.
        self.early = replications if check.days is not None else max(
            2, math.ceil(replications / 2))
        self.verify_reps = verification_replications
        self.max_probe_reps = 2 * verification_replications
        self.max_iterations = max_iterations
        self.phase = "raise"
        self.iterations = 0
        self.repairs = 0
        self.lower_rounds = 0
        self.extended = not extend_unclear
        self.base_only = False
        self.converged = False
        self.kept = np.zeros(self.staffing.shape, dtype=bool)
        self.lowered = np.zeros(self.staffing.shape, dtype=bool)
        self.probe_reps = np.zeros(self.staffing.shape, dtype=int)
        self.owners = self._owners(scenario, list(check.queues), groups, self.hours)
        analytic = np.asarray(start, dtype=int)
        self.ceiling = np.maximum(CEILING_FACTOR * analytic, analytic + CEILING_EXTRA)
        self.out_of_reach = np.zeros((len(check.queues) + 1, len(GOALS), analytic.shape[1]),
                                     dtype=bool)
        self.off_hours = np.zeros((len(check.queues) + 1, n), dtype=bool)
        self.estimates: DayEstimates | None = None
        self.probe: ProbeOutcome | None = None
        self.probe_estimates: dict[tuple[int, int], DayEstimates] = {}
        self._layout: list[tuple[str, int, int, int]] = []

    @staticmethod
    def _owners(scenario: Scenario, queues: list[str], groups: list[str], hours: np.ndarray
                ) -> list[np.ndarray]:
        """Per row (queue or skill set, then ``"all"``): ``[group, interval]`` miss raisers.

        The row's owners of the analytic start (:func:`queue_owners`: specialists that
        can work the interval); the generalists working it for ``"all"``.
        """
        rows = [queue_owners(scenario, queue, groups, hours) > 0 for queue in queues]
        return [*rows, queue_owners(scenario, None, groups, hours) > 0]

    def owner(self, row: int, interval: int) -> int:
        """The group raised when ``row`` misses in ``interval``.

        Of its owners there, the one with the fewest agents (the first on a tie); -1 when
        no owner works then.
        """
        owners = np.flatnonzero(self.owners[row][:, interval])
        if not owners.size:
            return -1
        return int(owners[np.argmin(self.staffing[owners, interval])])

    # ---------------------------------------------------------------- requests
    @property
    def done(self) -> bool:
        """The search and its verification are over."""
        return self.phase == "done"

    def _config(self, staffing: np.ndarray, seed: int, count: int
                ) -> list[tuple[GroupRunKey, DayTask]]:
        scenario = with_group_staffing(
            self.scenario, dict(zip(self.groups, staffing, strict=True)), self.goals)
        key = tuple(tuple(int(value) for value in row) for row in staffing)
        return [(("day", self.model, key, seed, r), (scenario, seed, r)) for r in range(count)]

    def _probe_staffing(self, group: int, parity: int) -> np.ndarray:
        fewer = self.staffing.copy()
        mask = (np.arange(fewer.shape[1]) % 2 == parity) & (fewer[group] > 0)
        fewer[group, mask] -= 1
        return fewer

    def requests(self, seed: int) -> list[tuple[GroupRunKey, DayTask]]:
        """The runs of the next step: the day, and (after the raise phase) the probes."""
        base = self.early if self.phase == "raise" else (
            self.full if self.phase == "lower" else self.verify_reps)
        self._layout = [("base", -1, -1, base)]
        requests = self._config(self.staffing, seed, base)
        if self.phase in ("lower", "verify") and not self.base_only:
            parities = (self.lower_rounds % 2,) if self.phase == "lower" else (0, 1)
            for group in range(len(self.groups)):
                for parity in parities:
                    mask = np.arange(self.staffing.shape[1]) % 2 == parity
                    if not (self.staffing[group, mask] > 0).any():
                        continue
                    wanted = max(base, int(self.probe_reps[group, mask].max(initial=0)))
                    self._layout.append(("probe", group, parity, wanted))
                    requests += self._config(self._probe_staffing(group, parity), seed,
                                             wanted)
        return requests

    # ------------------------------------------------------------------ update
    def update(self, runs: list[np.ndarray]) -> str:
        """Take the runs :meth:`requests` asked for; returns one progress line."""
        self.iterations += 1
        offset = 0
        probes: dict[tuple[int, int], DayEstimates] = {}
        for kind, group, parity, count in self._layout:
            estimates = DayEstimates.from_runs(runs[offset:offset + count])
            offset += count
            if kind == "base":
                self.estimates = estimates
            else:
                probes[(group, parity)] = estimates
        assert self.estimates is not None
        margins = self.check.margins(self.estimates, waived=self.out_of_reach)
        missing = margins < -1e-12
        if self.phase == "raise":
            return self._raise(margins, missing)
        if self.phase == "lower":
            # While lowering, a miss is acted on when it is clear (the whole CI misses) or
            # next to an interval just lowered: a near miss of a few replications is noise
            # the verification's replications settle.
            clear = self.check.margins(self.estimates, 1, self.out_of_reach) < -1e-12
            near = np.zeros(missing.shape[1], dtype=bool)
            for interval in np.flatnonzero(self.lowered.any(axis=0)):
                near[max(0, interval - 1):interval + 2] = True
            missing = missing & (clear | near[None, :])
        if self.base_only:  # a repaired day: the day first, then its probes
            if missing.any():
                return self._repair(margins, missing)
            self.base_only = False
            return f"{self.model}: the repaired day meets every goal; probing it"
        self.probe_estimates = probes
        self.probe = self._probe_outcome(probes)
        if missing.any():
            return self._repair(margins, missing)
        if self.phase == "lower":
            return self._lower()
        return self._verify()

    def _raise(self, margins: np.ndarray, missing: np.ndarray) -> str:
        if not missing.any():
            self.phase = "lower"
            return f"{self.model}: every queue meets its goals; probing one agent fewer"
        step = np.zeros(self.staffing.shape, dtype=int)
        at_ceiling = np.zeros(self.staffing.shape, dtype=bool)
        for row, interval in zip(*np.nonzero(missing), strict=True):
            group = self.owner(row, interval)
            if group < 0:  # no group serving the queue works then: out of its hours
                self._waive(row, interval, hours=True)
                continue
            room = int(self.ceiling[group, interval] - self.staffing[group, interval])
            if room <= 0:  # what it misses is out of reach: staff for the other goals
                self._waive(row, interval)
                # Every owner sharing the row restarts there, not only the one at the ceiling.
                at_ceiling[self.owners[row][:, interval], interval] = True
                continue
            shortfall = min(MAX_SHORTFALL_STEP, -float(margins[row, interval]))
            size = min(room, max(1, math.ceil(self.staffing[group, interval] * shortfall)))
            step[group, interval] = max(step[group, interval], size)
        restart = at_ceiling & (step == 0)
        self.staffing = np.where(restart, self.first, self.staffing + step)
        if self.iterations >= self.max_iterations:
            self.phase = "lower"
        return (f"{self.model}: raised {int((step > 0).sum())} group-interval(s) where a "
                f"queue missed its goals" + (f"; {int(restart.sum())} out of reach, restarted"
                                             if restart.any() else ""))

    def _waive(self, row: int, interval: int, hours: bool = False) -> None:
        """Leave out the goals ``row`` misses in ``interval``.

        With its owner at the ceiling, or (``hours``) with no group serving it at work.
        """
        assert self.estimates is not None
        missed = self.check.goal_margins(self.estimates)[row, :, interval] < -1e-12
        self.out_of_reach[row, :, interval] |= missed
        if hours:
            self.off_hours[row, interval] = True

    def _repair(self, margins: np.ndarray, missing: np.ndarray) -> str:
        """The day misses: restore the lowered neighbours, else raise the owners."""
        if self.phase == "verify" and self.repairs >= REPAIR_ROUNDS:
            if self.base_only:  # probe the staffing as it is, then stop
                self.base_only = False
            else:
                self.phase = "done"  # the estimates stay those of the staffing reported
            return (f"{self.model}: {int(missing.any(axis=0).sum())} interval(s) still "
                    "miss after the repair rounds")
        restored = np.zeros(self.staffing.shape, dtype=bool)
        raised = np.zeros(self.staffing.shape, dtype=bool)
        intervals = self.staffing.shape[1]
        for row, interval in zip(*np.nonzero(missing), strict=True):
            near = slice(max(0, interval - 1), min(intervals, interval + 2))
            owner = self.owner(row, interval)
            if self.lowered[:, near].any():
                restored[:, near] |= self.lowered[:, near]
            elif owner < 0:
                self._waive(row, interval, hours=True)
            elif self.staffing[owner, interval] >= self.ceiling[owner, interval]:
                self._waive(row, interval)
            else:
                raised[owner, interval] = True
        self.staffing = self.staffing + restored + raised
        self.kept |= restored
        self.lowered[:] = False
        self.base_only = True  # the repaired day alone first: probes of a missing day are lost
        if self.phase == "verify":
            self.repairs += 1  # part of the verification: the lowering had settled
        elif self.iterations >= self.max_iterations:
            self.phase, self.base_only = "verify", True
            self.converged = False  # stopped by the iteration limit, not by the probes
        return (f"{self.model}: {int(missing.any(axis=0).sum())} interval(s) missed; "
                f"restored {int(restored.sum())}, raised {int(raised.sum())}")

    def _lowerable(self) -> np.ndarray:
        """``[group, interval]``: one agent fewer holds every goal (point estimate)."""
        assert self.probe is not None
        return (self.probe.margin >= 0) & (self.staffing > self.minimum) & ~self.kept

    def _lower_once(self, parity: int) -> int:
        """Lower, per interval of ``parity``, the group whose probe has the largest margin.

        One parity at a time: neighbouring intervals never lose an agent together (their
        probes did not try that).
        """
        assert self.probe is not None
        allowed = self._lowerable() & (np.arange(self.staffing.shape[1]) % 2 == parity)
        margin = np.where(allowed, self.probe.margin, -math.inf)
        best = np.argmax(margin, axis=0)
        chosen = np.zeros(self.staffing.shape, dtype=bool)
        columns = np.flatnonzero(allowed.any(axis=0))
        chosen[best[columns], columns] = True
        self.staffing = self.staffing - chosen
        self.lowered = chosen
        return int(chosen.sum())

    def _lower(self) -> str:
        parity = self.lower_rounds % 2
        self.lower_rounds += 1
        count = self._lower_once(parity)
        self.base_only = count > 0  # the lowered day alone first
        if self.iterations >= self.max_iterations or self.lower_rounds >= LOWER_ROUNDS:
            self.converged = self.lower_rounds >= LOWER_ROUNDS
            self.phase, self.base_only = "verify", True
        return f"{self.model}: lowered {count} group-interval(s)"

    def _verify(self) -> str:
        assert self.probe is not None
        unclear = ((self.probe.low < 0) & (self.probe.high >= 0) & (self.staffing > 0)
                   & (self.probe.replications < self.max_probe_reps))
        if unclear.any() and not self.extended:
            self.extended = True
            self.probe_reps = np.where(unclear, np.minimum(
                2 * self.probe.replications, self.max_probe_reps), self.probe_reps)
            return (f"{self.model}: {int(unclear.sum())} one-fewer decision(s) unclear; "
                    "more replications")
        self.phase = "done"
        self.lowered[:] = False
        return f"{self.model}: verified"

    def _probe_outcome(self, probes: dict[tuple[int, int], DayEstimates]) -> ProbeOutcome:
        """Per group and interval, one agent fewer in its probe (see :class:`ProbeOutcome`)."""
        shape = self.staffing.shape
        outcome = ProbeOutcome(np.full(shape, math.inf), np.full(shape, math.inf),
                               np.full(shape, math.inf), np.zeros(shape, dtype=int),
                               np.full(shape, -1))
        intervals = np.arange(shape[1])
        for (group, parity), estimates in probes.items():
            mask = (intervals % 2 == parity) & (self.staffing[group] > 0)
            rows = self.check.margins(estimates, waived=self.out_of_reach)
            for name, side in (("margin", 0), ("low", -1), ("high", 1)):
                per_interval = (rows if side == 0
                                else self.check.margins(estimates, side, self.out_of_reach)
                                ).min(axis=0)
                # The interval and the next (where the probe keeps the agents): sessions
                # still waiting when the interval ends are the next interval's load.
                around = np.minimum(per_interval, np.append(per_interval[1:], math.inf))
                getattr(outcome, name)[group, mask] = around[mask]
            outcome.replications[group, mask] = estimates.replications
            outcome.queue[group, mask] = np.argmin(rows, axis=0)[mask]
        return outcome


@dataclass
class GroupStaffingResult:
    """Simulation-based staffing of every staffed group under one capacity model.

    Attributes:
        capacity_model: ``'tab'`` or ``'status'``.
        groups: the staffed groups, in the rows' order.
        queues: the measured queues (rows of the estimates, then ``"all"``).
        goals: the run's goals (shrinkage, occupancy cap and the defaults of the queues).
        check: every queue's goals.
        interval_s: reporting interval (seconds).
        analytic: ``[group, interval]`` the analytic start.
        required: ``[group, interval]`` online agents chosen and verified.
        estimates: the verification run at ``required``.
        probe: one agent fewer per group and interval, from the verification's probes.
        probe_estimates: (group, parity) -> the verification's probe runs.
        out_of_reach: ``[queue row, goal, interval]`` goals (:data:`GOALS`) missed with the
            owner group at the raise ceiling (:data:`CEILING_FACTOR`), or with no staffed
            group serving the queue at work (``off_hours``): more agents do not meet them,
            so the search left them out there.
        iterations: search steps (batches) of this model.
        converged: the lowering phase ran its rounds (:data:`LOWER_ROUNDS`) before the
            iteration limit; the verification's repairs do not undo it.
        replications: replications per search iteration.
        verification_replications: replications of the verification run.
        hours: ``[group, interval]`` where each group can work (its shifts; staffed only
            there).
        off_hours: ``[queue row, interval]`` a goal missed where no staffed group serving
            the queue can work.
    """

    capacity_model: str
    groups: list[str]
    queues: list[str]
    goals: StaffingGoals
    check: GoalCheck
    interval_s: float
    analytic: np.ndarray
    required: np.ndarray
    estimates: DayEstimates
    probe: ProbeOutcome
    probe_estimates: dict[tuple[int, int], DayEstimates] = field(default_factory=dict)
    out_of_reach: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=bool))
    iterations: int = 0
    converged: bool = False
    replications: int = 0
    verification_replications: int = 0
    hours: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    off_hours: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))

    @property
    def scheduled(self) -> np.ndarray:
        """``[group, interval]`` agents to schedule: ``required`` with shrinkage."""
        return self.goals.scheduled(self.required)

    @property
    def agent_hours(self) -> float:
        """Scheduled agent-hours over the horizon, every staffed group."""
        return float(np.sum(self.scheduled) * self.interval_s / 3600.0)

    @property
    def online_agent_hours(self) -> float:
        """Online (required, before shrinkage) agent-hours, every staffed group."""
        return float(np.sum(self.required) * self.interval_s / 3600.0)

    def group_agent_hours(self) -> dict[str, float]:
        """Scheduled agent-hours per staffed group."""
        return {name: float(row.sum() * self.interval_s / 3600.0)
                for name, row in zip(self.groups, self.scheduled, strict=True)}

    def meets(self) -> np.ndarray:
        """Per interval: every queue meets its goals in the verification (point estimates)."""
        return np.asarray(self.check.meets(self.estimates).all(axis=0))

    def out_of_reach_lines(self, clock: Callable[[float], str]) -> list[str]:
        """One line per queue and goal out of reach: the goal, the figure, the intervals.

        Args:
            clock: seconds from the start -> the clock time shown.
        """
        lines = []
        rows = [*self.queues, "all"]
        off_hours = (self.off_hours if self.off_hours.size
                     else np.zeros(self.out_of_reach.shape[::2], dtype=bool))
        for row in np.flatnonzero(off_hours.any(axis=1)):
            times = ", ".join(clock(i * self.interval_s) for i in np.flatnonzero(off_hours[row]))
            lines.append(f"queue {rows[row]}: goals missed at {times}, where no staffed group "
                         "serving it has a shift: add a shift there (or a group serving it)")
        for row, goal in zip(*np.nonzero(self.out_of_reach.any(axis=2)), strict=True):
            intervals = np.flatnonzero(self.out_of_reach[row, goal] & ~off_hours[row])
            if not intervals.size:
                continue
            name = GOALS[goal]
            values = self.estimates.mean[row, MEASURE_INDEX[GOAL_MEASURE[name]], intervals]
            worst = np.nanmin(values) if name == "service_level" else np.nanmax(values)
            shown = (f"{worst:.0f} s" if name in ("max_asa", "max_response")
                     else f"{worst:.1%}")
            times = ", ".join(clock(i * self.interval_s) for i in intervals)
            lines.append(f"queue {rows[row]}: {GOAL_TEXT[name]} goal out of reach at {times} "
                         f"({CEILING_FACTOR} x the analytic staffing missed it too; "
                         f"verification: {shown}): more agents do not help, so the search "
                         "left that goal out there")
        return lines
    @property
    def days(self) -> float | None:
        """The share of days the goals must hold on (``None``: on the mean)."""
        return self.check.days

    def share_of_days(self) -> np.ndarray:
        """Per interval: the share of the verification's days meeting every queue's goals."""
        return self.check.share_of_days(self.estimates)

    def within_noise(self) -> np.ndarray:
        """Per interval: the verification's answer is within noise.

        The 95% CI of some queue's goal margin straddles the goal (its pessimistic end
        misses, its optimistic end meets): more replications could turn a meet into a
        miss or back. On the mean only (with ``days`` the share of days decides).
        """
        low = self.check.margins(self.estimates, -1).min(axis=0)
        high = self.check.margins(self.estimates, 1).min(axis=0)
        return np.asarray((low < -1e-12) & (high >= -1e-12))

    def breaks_with_one_fewer(self) -> np.ndarray:
        """``[group, interval]``: one agent fewer misses a goal (point estimate).

        False where the group has nobody to remove.
        """
        return np.asarray((self.probe.margin < 0) & (self.required > 0))

    def queue_table(self) -> pd.DataFrame:
        """Per interval and queue (then ``"all"``): the verification's figures and CIs.

        On a share of days also ``days_met``: the share of the verification's days on which
        the row met its goals (``margin`` and ``meets`` are then the deciding day's).
        """
        mean, half = self.estimates.mean, self.estimates.ci95
        margins = self.check.margins(self.estimates)
        daily = self.check.daily_margins(self.estimates) if self.days is not None else None
        frames = []
        rows = [*self.queues, "all"]
        intervals = mean.shape[2]
        for row, name in enumerate(rows):
            frame = pd.DataFrame({"interval": np.arange(intervals), "queue": name})
            for measure in ("service_level", "asa_s", "abandon_rate", "response_s", "occupancy"):
                if name != "all" and measure == "occupancy":
                    continue
                frame[measure] = mean[row, MEASURE_INDEX[measure]]
                frame[f"{measure}_ci95"] = half[row, MEASURE_INDEX[measure]]
            frame["offered"] = mean[row, MEASURE_INDEX["offered"]]
            frame["margin"] = margins[row]
            frame["meets"] = margins[row] >= -1e-12
            frame["out_of_reach"] = self.out_of_reach[row].any(axis=0)
            low = self.check.margins(self.estimates, -1)[row]
            high = self.check.margins(self.estimates, 1)[row]
            frame["within_noise"] = (low < -1e-12) & (high >= -1e-12)
            if daily is not None:
                frame["days_met"] = (daily[:, row].min(axis=1) >= -1e-12).mean(axis=0)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def run_group_searches(
    variants: dict[str, Scenario],
    goals: StaffingGoals,
    check: GoalCheck,
    groups: list[str],
    starts: dict[str, np.ndarray],
    replications: int,
    verification_replications: int,
    seed: int,
    runner: Runner,
    max_iterations: int,
    log: Log | None = None,
    extend_unclear: bool = False,
    hours: np.ndarray | None = None,
) -> dict[str, GroupStaffingResult]:
    """Search and verify every capacity model in lockstep (one executor batch per step).

    Args:
        variants: capacity model -> the scenario under it.
        goals: the run's goals.
        check: every queue's goals.
        groups: the staffed groups.
        starts: capacity model -> ``[group, interval]`` analytic start.
        replications: replications per lowering iteration (half while raising).
        verification_replications: replications of the verification run.
        seed: root seed.
        runner: where runs happen (and their cache and counters).
        max_iterations: raise and lower steps at most, per model.
        log: receives progress lines.
        extend_unclear: give probes whose CI straddles a goal twice the replications.
        hours: ``[group, interval]`` where each group can work (everywhere when omitted):
            a group gets no agents outside its hours.

    Returns:
        The result per capacity model.
    """
    searches = {model: GroupSearch(model, scenario, goals, check, groups, starts[model],
                                   replications, verification_replications, max_iterations,
                                   extend_unclear, hours)
                for model, scenario in variants.items()}
    while True:
        active = [search for search in searches.values() if not search.done]
        if not active:
            break
        requests = [search.requests(seed) for search in active]
        runs = runner.run([request for chunk in requests for request in chunk],
                          measure_day)
        offset = 0
        for search, chunk in zip(active, requests, strict=True):
            line = search.update(runs[offset:offset + len(chunk)])
            offset += len(chunk)
            if log:
                log(f"{line} ({int(search.staffing.sum())} agent-intervals; "
                    f"{runner.days:.0f} days simulated)")
    results = {}
    for model, search in searches.items():
        assert search.estimates is not None and search.probe is not None
        results[model] = GroupStaffingResult(
            capacity_model=model, groups=list(groups), queues=list(check.queues),
            goals=goals, check=check, interval_s=variants[model].interval,
            analytic=np.asarray(starts[model]), required=search.staffing.copy(),
            estimates=search.estimates, probe=search.probe,
            probe_estimates=search.probe_estimates, out_of_reach=search.out_of_reach.copy(),
            iterations=search.iterations,
            converged=search.converged, replications=replications,
            verification_replications=verification_replications,
            hours=search.hours.copy(), off_hours=search.off_hours.copy(),
        )
    return results


def requirement_rows(result: GroupStaffingResult, starts_s: Sequence[float]
                     ) -> pd.DataFrame:
    """The long requirement table of one model: one row per interval and staffed group.

    Columns: ``interval``, ``start_s``, ``group``, ``analytic``, ``required``,
    ``scheduled``, ``one_fewer_margin`` with ``one_fewer_margin_low`` / ``_high`` (the
    95% CI ends: see :mod:`sim.staffing.search` for what a margin is),
    ``one_fewer_queue`` (the queue, or ``all``, of the smallest margin),
    ``one_fewer_replications``, ``one_fewer_breaks`` (the point estimate misses a goal)
    and ``decision_clear`` (the whole CI is on one side).
    """
    rows = [*result.queues, "all"]
    frames = []
    probe = result.probe
    for position, name in enumerate(result.groups):
        staffed = result.required[position] > 0
        queue = [rows[index] if index >= 0 and has else ""
                 for index, has in zip(probe.queue[position], staffed, strict=True)]
        frames.append(pd.DataFrame({
            "interval": np.arange(len(starts_s)),
            "start_s": np.asarray(starts_s, dtype=float),
            "group": name,
            "analytic": result.analytic[position],
            "required": result.required[position],
            "scheduled": result.scheduled[position],
            "one_fewer_margin": np.where(staffed, probe.margin[position], np.nan),
            "one_fewer_margin_low": np.where(staffed, probe.low[position], np.nan),
            "one_fewer_margin_high": np.where(staffed, probe.high[position], np.nan),
            "one_fewer_queue": queue,
            "one_fewer_replications": np.where(staffed, probe.replications[position], 0),
            "one_fewer_breaks": result.breaks_with_one_fewer()[position],
            "decision_clear": staffed & ((probe.high[position] < 0)
                                         | (probe.low[position] >= 0)),
        }))
    return pd.concat(frames, ignore_index=True)
