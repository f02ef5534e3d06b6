"""Per channel: arrivals, work size, customers and outbound campaigns, fitted.

Patience, exchanges, replies and silence are fitted from the session, work and message
facts (seconds).

Exchanges and reply times come from ``ConversationEntry`` when the export has it; without
it, from the message counts and the conversation time (accept to end) by a regression of
the conversation time on the exchanges, which is said in the comment.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibration.arrivals import ArrivalFit, fit_arrivals
from sim.calibration.distributions import Fit, fit_censored, fit_durations, fit_share
from sim.calibration.fitted import Fitted
from sim.calibration.timeline import ExportClock
from sim.calibration.vocabulary import STANDARD_VARIANTS, Vocabulary
from sim.results.confidence import ci95_half_width

DEFAULT_INACTIVATE_AFTER_S = 600.0
"""The scenario's default ``inactivate_after``: a customer silent longer is Inactive."""


def fit_channel(
    name: str,
    sessions: pd.DataFrame,
    work: pd.DataFrame,
    messages: pd.DataFrame | None,
    clock: ExportClock,
    inactivate_after_s: float = DEFAULT_INACTIVATE_AFTER_S,
    vocabulary: Vocabulary | None = None,
) -> tuple[Fitted, dict[str, ArrivalFit]]:
    """The scenario mapping of one channel and its arrival fits (``inbound``, ``outbound``).

    Args:
        name: the channel's name in the scenario.
        sessions: this channel's session facts.
        work: this channel's work-item facts.
        messages: this channel's message facts, or ``None``.
        clock: the export's clock.
        inactivate_after_s: customer silence after which a session counts as silent.
        vocabulary: the org's channel-type names (``--channel-type``); an unknown
            ``ChannelType`` is read as ``bring_your_own_channel`` with a warning.
    """
    fitted = Fitted()
    first = sessions.iloc[0]
    fitted.set(("name",), name)
    known = (vocabulary or Vocabulary()).scenario_channel_type(
        first["channel_type"], first["channel_kind"], name)
    kind = known or "bring_your_own_channel"
    if known is None:
        fitted.warnings.append(
            f"MessagingSession.csv: ChannelType {first['channel_type']!r} of channel {name} "
            f"({len(sessions)} sessions) is not known: read as bring_your_own_channel (its "
            "timeouts and standard/enhanced rules); map it with --channel-type "
            f"{first['channel_type']}=TYPE")
    ambiguous = kind in STANDARD_VARIANTS and first["channel_kind"] is None
    fitted.set(("type",), kind, f"from ChannelType {first['channel_type']!r}" + (
        f"; the export does not say standard or enhanced: enhanced assumed (write "
        f"{STANDARD_VARIANTS[kind]} for a standard channel, always tab-based)"
        if ambiguous else ""))
    queue = work["queue"].mode()
    fitted.set(("queue",), str(queue.iloc[0]) if len(queue) else "queue",
               "OriginalQueueId of its work items")
    _work_size(fitted, work)
    arrivals: dict[str, ArrivalFit] = {}
    inbound = sessions[sessions["inbound"]]
    outbound = sessions[~sessions["inbound"]]
    if len(inbound):
        arrivals["inbound"] = fit = fit_arrivals(inbound["start_s"].to_numpy(), clock)
        fitted.set(("arrivals", "volumes"), [round(float(v), 3) for v in fit.volumes],
                   fit.comment())
        fitted.set(("arrivals", "repeat"), True)
    if len(outbound):
        arrivals["outbound"] = fit = fit_arrivals(outbound["start_s"].to_numpy(), clock)
        fitted.set(("outbound", "arrivals", "volumes"),
                   [round(float(v), 3) for v in fit.volumes], fit.comment())
        fitted.set(("outbound", "arrivals", "repeat"), True)
        _outbound(fitted, outbound, messages)
    _patience(fitted, inbound, clock)
    _conversations(fitted, sessions, work, messages, inactivate_after_s)
    return fitted, arrivals


def _work_size(fitted: Fitted, work: pd.DataFrame) -> None:
    for column, key in (("percentage", "capacity_percentage"), ("weight", "capacity_weight")):
        values = work[column].dropna()
        if len(values):
            mode = float(values.mode().iloc[0])
            share = float((values == mode).mean())
            field = "CapacityPercentage" if column == "percentage" else "CapacityWeight"
            fitted.set((key,), mode, f"{field} {mode:g} on {share:.1%} of {len(values)} work "
                       "items")
            return
    fitted.notes.append(f"channels[{fitted.values['name']}]: no CapacityWeight nor "
                        "CapacityPercentage; work size 1 assumed")


def _patience(fitted: Fitted, inbound: pd.DataFrame, clock: ExportClock) -> None:
    """Patience from abandoned (event) and answered or still waiting (censored) sessions."""
    answered = ~np.isnan(inbound["accept_s"].to_numpy())
    ended = ~np.isnan(inbound["end_s"].to_numpy())
    abandoned = ~answered & ended & (inbound["ended_by"].to_numpy() != "agent")
    waiting = ~answered & ~ended
    waits = np.where(
        answered, inbound["accept_s"] - inbound["start_s"],
        np.where(abandoned, inbound["end_s"] - inbound["start_s"],
                 np.where(waiting, clock.horizon_s - inbound["start_s"], np.nan)))
    use = answered | abandoned | waiting
    fit = fit_censored(waits[use], abandoned[use],
                       label="; abandoned = event, answered or still waiting = censored")
    if fit is None:
        fitted.default(("customers", "patience"), f"no abandonment among {int(use.sum())} "
                       "inbound sessions: customers never abandon")
        return
    fitted.set(("customers", "patience"), dict(fit.spec), fit.comment())
    fitted.fits[("customers", "patience")] = fit


def _outbound(fitted: Fitted, outbound: pd.DataFrame, messages: pd.DataFrame | None) -> None:
    counts = outbound["customer_messages"].to_numpy(dtype=float)
    blank = np.isnan(counts)
    # Without EndUserMessageCount (enhanced Messaging), an answer is a routing to an agent.
    answered = np.where(blank, np.isfinite(outbound["first_request_s"].to_numpy()), counts > 0)
    share, (low, high) = fit_share(int(answered.sum()), len(outbound))
    fitted.set(("outbound", "answer_probability"), round(share, 4),
               f"{int(answered.sum())} of {len(outbound)} outbound sessions answered; "
               f"95% CI {low:.3f}-{high:.3f}" + (
                   f" ({int(blank.sum())} without EndUserMessageCount: answered when routed "
                   "to an agent)" if blank.any() else ""))
    if messages is not None:
        first_answer = messages[~messages["agent"]].groupby("session")["time_s"].min()
        answer_s = first_answer.reindex(outbound["session"]).to_numpy()
        source = "first customer ConversationEntry"
    else:
        answer_s = outbound["first_request_s"].to_numpy()
        source = "first AgentWork RequestDateTime"
    delay = (answer_s - outbound["start_s"].to_numpy())[answered]
    fitted.set_fit(("outbound", "answer_delay"),
                   _labelled(fit_durations(delay), f"; {source} minus StartTime"),
                   "no answered outbound session")


MIN_COUNTED = 3
"""Whole conversations with a message count needed to fit exchanges from the counts."""

MESSAGE_KEYS: tuple[tuple[str, ...], ...] = (
    ("customers", "exchanges"), ("customers", "reply_time"),
    ("customers", "silent_probability"), ("customers", "return_probability"),
    ("customers", "return_delay"), ("agent_reply_time",),
)
"""Keys of the message-level conversation (not used when a channel has a handle time)."""


def _conversations(fitted: Fitted, sessions: pd.DataFrame, work: pd.DataFrame,
                   messages: pd.DataFrame | None, inactivate_after_s: float) -> None:
    """Exchanges, reply times, silence and returns, after-conversation work.

    Without ``ConversationEntry.csv`` and without message counts (blank in enhanced
    Messaging sessions), the channel gets a handle time instead (:func:`_handle_time`).
    """
    # Inbound conversations the agent ended, with one accepted work item: the whole
    # conversation with one agent (an outbound one starts with the campaign's message and
    # the customer's answer, fitted apart).
    whole = sessions[sessions["inbound"] & (sessions["ended_by"] == "agent")
                     & (sessions["accepted_items"] == 1)]
    counts = whole["agent_messages"].to_numpy(dtype=float)
    counts = counts[counts >= 1]
    if messages is None and len(counts) < MIN_COUNTED:
        blank = int(np.isnan(sessions["agent_messages"].to_numpy(dtype=float)).sum())
        _handle_time(fitted, sessions, work, blank)
        _after_conversation(fitted, work, sessions)
        _customer_ends(fitted, sessions)
        return
    if len(counts):
        fit = _count_fit(counts)
        fitted.set(("customers", "exchanges"), dict(fit.spec), fit.comment("exchanges")
                   + "; AgentMessageCount of sessions the agent ended")
        fitted.fits[("customers", "exchanges")] = fit
    else:
        fitted.default(("customers", "exchanges"), "no inbound conversation ended by the "
                       "agent with one agent has a message count")
    if messages is not None:
        _replies_from_entries(fitted, sessions, whole, work, messages,
                              inactivate_after_s)
    else:
        _replies_from_counts(fitted, whole)
        for path in (("customers", "silent_probability"), ("customers", "return_probability"),
                     ("customers", "return_delay")):
            fitted.default(path, "silence and returns need the message times of "
                           "ConversationEntry.csv")
    _after_conversation(fitted, work, sessions)
    _customer_ends(fitted, sessions)


def handle_durations(sessions: pd.DataFrame, work: pd.DataFrame
                     ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Accept to End Chat of every ended conversation with one accepted work item (s).

    From ``EndTime − AcceptTime`` of the session, else the work's ``ActiveTime``, else its
    ``HandleTime − AfterConversationActualTime``. Returns the conversations (``session``,
    ``accept_s``, ``duration_s``) and how many came from each source.
    """
    ended = sessions[sessions["inbound"] & (sessions["accepted_items"] == 1)
                     & sessions["ended_by"].isin(["agent", "customer"])]
    held = work[np.isfinite(work["accept_s"]) & work["session"].isin(ended["session"])]
    item = held.groupby("session").last()
    chosen = ended.set_index("session")
    from_session = (chosen["end_s"] - chosen["accept_s"]).to_numpy()
    active = item["active_s"].reindex(chosen.index).to_numpy()
    handle = (item["handle_s"] - item["acw_s"].fillna(0)).reindex(chosen.index).to_numpy()
    accept = np.where(np.isfinite(chosen["accept_s"].to_numpy()), chosen["accept_s"],
                      item["accept_s"].reindex(chosen.index).to_numpy())
    duration = np.where(np.isfinite(from_session), from_session,
                        np.where(np.isfinite(active), active, handle))
    sources = {
        "EndTime minus AcceptTime": int(np.isfinite(from_session).sum()),
        "ActiveTime": int((~np.isfinite(from_session) & np.isfinite(active)).sum()),
        "HandleTime minus AfterConversationActualTime": int(
            (~np.isfinite(from_session) & ~np.isfinite(active) & np.isfinite(handle)).sum()),
    }
    table = pd.DataFrame({"session": chosen.index.to_numpy(), "accept_s": accept,
                          "duration_s": duration})
    keep = np.isfinite(table["duration_s"]) & (table["duration_s"] >= 0) & np.isfinite(
        table["accept_s"])
    return table[keep].reset_index(drop=True), sources


def _handle_time(fitted: Fitted, sessions: pd.DataFrame, work: pd.DataFrame,
                 blank_counts: int) -> None:
    """The channel's handle time (accept to End Chat with one open session) and slowdown.

    The observed time of each conversation is its handle time slowed by the agent's open
    sessions at its accept, ``base * (1 + s (open - 1))`` as the model slows a turn: ``s``
    by regression, the base times fitted as a distribution.
    """
    why = (f"no ConversationEntry.csv and no message counts ({blank_counts} sessions with a "
           "blank AgentMessageCount: not calculated in enhanced Messaging)")
    for path in MESSAGE_KEYS:
        fitted.default(path, f"does not apply: the channel is fitted by its handle time, {why}")
    conversations, sources = handle_durations(sessions, work)
    if not len(conversations):
        fitted.default(("concurrency_slowdown",), "no ended conversation with one agent")
        fitted.default(("handle_time",), "no ended conversation with one agent; "
                       "the message-level defaults are kept instead")
        return
    starts = pd.DataFrame({"session": conversations["session"],
                           "from_s": conversations["accept_s"]})
    concurrency = concurrency_at(starts, work, sessions)
    duration = conversations["duration_s"].to_numpy()
    slowdown, slowdown_ci = _slowdown(duration, concurrency)
    if np.ptp(concurrency) == 0:
        fitted.default(("concurrency_slowdown",), f"every one of {len(duration)} "
                       f"conversations began with {int(concurrency[0])} open session(s): no "
                       "spread to regress on")
    else:
        fitted.set(("concurrency_slowdown",), round(slowdown, 4),
                   f"handle time per extra open session, regression of {len(duration)} "
                   f"conversations on the agent's open sessions at the accept: {slowdown:.3f} "
                   f"(95% CI {slowdown_ci[0]:.3f}-{slowdown_ci[1]:.3f})")
    base = duration / (1 + slowdown * (concurrency - 1))
    used = ", ".join(f"{source} ({count})" for source, count in sources.items() if count)
    fitted.set_fit(("handle_time",),
                   _labelled(fit_durations(base), f"; {why}: accept to End Chat of ended "
                             f"conversations with one agent, from {used}, with one open "
                             "session"),
                   "no conversation duration")


def _customer_ends(fitted: Fitted, sessions: pd.DataFrame) -> None:
    """Customers who end the conversation or leave unanswered: counted, not fitted."""
    talking = sessions[sessions["inbound"] & np.isfinite(sessions["accept_s"].to_numpy())
                       & (sessions["ended_by"] != "")]
    by_customer = int((talking["ended_by"] == "customer").sum())
    reason = (f"{by_customer} of {len(talking)} answered inbound sessions were ended by the "
              "customer (EndedByType EndUser); the export does not tell one who ended from "
              "one who left waiting for a reply")
    fitted.default(("customers", "end_probability"), reason)
    fitted.default(("customers", "response_patience"), reason)


def _count_fit(counts: np.ndarray) -> Fit:
    """Exchanges: a log-normal with the counts' mean and sd (the model rounds it)."""
    mean = float(counts.mean())
    n = len(counts)
    sd = float(counts.std(ddof=1)) if n > 1 else 0.0
    half = ci95_half_width(counts) if n > 1 else 0.0
    spec: dict[str, float | str] = (
        {"kind": "lognormal", "mean": float(f"{mean:.4g}"), "sd": float(f"{sd:.4g}")}
        if sd > 0 else {"kind": "fixed", "value": mean}
    )
    return Fit(spec, mean, n, (mean - half, mean + half),
               method=f"{spec['kind']} with the counts' mean and sd", values=counts,
               observed=np.ones(n, dtype=bool))


def message_gaps(messages: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Every reply as a gap (s): who replied, when the wait for it began and how long it was.

    An agent's reply follows a customer's message, the first one the accept (the customer's
    first message was written before the wait in the queue); a customer's reply follows an
    agent's message. Columns: ``session``, ``agent`` (an agent's reply), ``from_s``,
    ``gap_s``.
    """
    accept_of = sessions.set_index("session")["accept_s"]
    session = messages["session"].to_numpy()
    agent = messages["agent"].to_numpy(dtype=bool)
    time_s = messages["time_s"].to_numpy()
    same = np.r_[False, session[1:] == session[:-1]]
    previous = np.r_[np.nan, time_s[:-1]]
    previous_agent = np.r_[False, agent[:-1]]
    agent_rank = pd.Series(agent.astype(int)).groupby(session).cumsum().to_numpy()
    first_agent = agent & (agent_rank == 1)
    start = np.where(same & (agent != previous_agent), previous, np.nan)
    start = np.where(first_agent, accept_of.reindex(session).to_numpy(), start)
    gaps = pd.DataFrame({"session": session, "agent": agent, "from_s": start,
                         "gap_s": time_s - start})
    return gaps[np.isfinite(gaps["gap_s"]) & (gaps["gap_s"] >= 0)].reset_index(drop=True)


def concurrency_at(gaps: pd.DataFrame, work: pd.DataFrame, sessions: pd.DataFrame
                   ) -> np.ndarray:
    """Open accepted sessions of the replying agent when each agent reply began.

    A work item counts from its accept to its session's end (or its close, if earlier).
    """
    held = work[np.isfinite(work["accept_s"])]
    end_of = sessions.set_index("session")["end_s"]
    ends = np.fmin(end_of.reindex(held["session"]).to_numpy(),
                   held["close_s"].to_numpy())
    ends = np.where(np.isnan(ends), np.inf, ends)
    user_of = held.groupby("session")["user"].last()
    users = user_of.reindex(gaps["session"]).to_numpy()
    counts = np.zeros(len(gaps))
    for user in pd.unique(held["user"]):
        mine = (held["user"] == user).to_numpy()
        starts = np.sort(held["accept_s"].to_numpy()[mine])
        stops = np.sort(ends[mine])
        at = users == user
        times = gaps["from_s"].to_numpy()[at]
        counts[at] = (np.searchsorted(starts, times, side="right")
                      - np.searchsorted(stops, times, side="right"))
    return np.maximum(counts, 1)


def _replies_from_entries(fitted: Fitted, sessions: pd.DataFrame, whole: pd.DataFrame,
                          work: pd.DataFrame, messages: pd.DataFrame,
                          inactivate_after_s: float) -> None:
    """Reply times from the gaps between messages; silence from long customer gaps."""
    source = "; gaps between ConversationEntry times"
    gaps = message_gaps(messages, sessions)
    in_whole = gaps["session"].isin(whole["session"]).to_numpy()
    agent_gaps = gaps[gaps["agent"].to_numpy() & in_whole]
    concurrency = concurrency_at(agent_gaps, work, sessions)
    slowdown, slowdown_ci = _slowdown(agent_gaps["gap_s"].to_numpy(), concurrency)
    fitted.set(("concurrency_slowdown",), round(slowdown, 4),
               f"reply time per extra open session, regression of {len(agent_gaps)} agent "
               f"replies on the agent's open sessions: {slowdown:.3f} (95% CI "
               f"{slowdown_ci[0]:.3f}-{slowdown_ci[1]:.3f})")
    base = agent_gaps["gap_s"].to_numpy() / (1 + slowdown * (concurrency - 1))
    fitted.set_fit(("agent_reply_time",),
                   _labelled(fit_durations(base), source + ", with one open session"),
                   "no agent reply observed")
    customer = gaps.loc[~gaps["agent"].to_numpy() & in_whole, "gap_s"].to_numpy()
    short = customer[customer <= inactivate_after_s]
    fitted.set_fit(("customers", "reply_time"),
                   _labelled(fit_durations(short), f"{source}, up to {inactivate_after_s:g} s"),
                   "no customer reply observed")
    _silence(fitted, sessions, messages, gaps, inactivate_after_s)


def _slowdown(gap_s: np.ndarray, concurrency: np.ndarray) -> tuple[float, tuple[float, float]]:
    """``gap = base * (1 + s * (open - 1))``: s from the regression of gaps on open - 1."""
    if len(gap_s) < 3 or np.ptp(concurrency) == 0:
        return 0.0, (0.0, 0.0)
    result = stats.linregress(concurrency - 1, gap_s)
    if result.intercept <= 0:
        return 0.0, (0.0, 0.0)
    slowdown = max(0.0, float(result.slope / result.intercept))
    half = 1.96 * float(result.stderr) / float(result.intercept)
    return slowdown, (float(result.slope / result.intercept) - half,
                      float(result.slope / result.intercept) + half)


def _silence(fitted: Fitted, sessions: pd.DataFrame, messages: pd.DataFrame,
             gaps: pd.DataFrame, inactivate_after_s: float) -> None:
    """Silent customers of inbound sessions: those who came back, and those who did not.

    Came back: a customer gap past the inactivation delay. Did not (as far as the export
    shows): no answer to the agent's last message of an accepted session the agent did not
    end, for longer than the delay.
    """
    customer = gaps[~gaps["agent"].to_numpy() & gaps["session"].isin(
        sessions.loc[sessions["inbound"], "session"]).to_numpy()]
    long_gaps = customer[customer["gap_s"] > inactivate_after_s]
    returned = set(long_gaps["session"])
    talking = sessions[np.isfinite(sessions["accept_s"].to_numpy()) & sessions["inbound"]]
    last = messages.groupby("session").agg(last_agent=("agent", "last"),
                                           last_s=("time_s", "max"))
    last = last.reindex(talking["session"])
    horizon = float(np.nanmax(np.r_[sessions["end_s"].to_numpy(), messages["time_s"]]))
    quiet_until = np.where(np.isfinite(talking["end_s"].to_numpy()),
                           talking["end_s"].to_numpy(), horizon)
    never = (last["last_agent"].fillna(False).to_numpy(dtype=bool)
             & (talking["ended_by"].to_numpy() != "agent")
             & (quiet_until - last["last_s"].to_numpy() > inactivate_after_s)
             & ~talking["session"].isin(returned).to_numpy())
    n_returned = len(returned & set(talking["session"]))
    n_silent = n_returned + int(never.sum())
    exchanges = fitted.fits.get(("customers", "exchanges"))
    more_than_one = float((exchanges.values > 1.5).mean()) if exchanges is not None else 1.0
    share, (low, high) = fit_share(n_silent, len(talking))
    probability = min(1.0, share / more_than_one) if more_than_one > 0 else 0.0
    fitted.set(("customers", "silent_probability"), round(probability, 4),
               f"{n_silent} of {len(talking)} answered sessions went silent (95% CI "
               f"{low:.3f}-{high:.3f}), over the {more_than_one:.1%} with more than one "
               "exchange")
    if n_silent:
        back, (blow, bhigh) = fit_share(n_returned, n_silent)
        fitted.set(("customers", "return_probability"), round(back, 4),
                   f"{n_returned} of {n_silent} silent customers came back; 95% CI "
                   f"{blow:.3f}-{bhigh:.3f}")
        fitted.set_fit(("customers", "return_delay"),
                       _labelled(fit_durations(long_gaps["gap_s"].to_numpy()),
                                 "; customer gaps past the inactivation delay"),
                       "no return observed")
    else:
        for path in (("customers", "return_probability"), ("customers", "return_delay")):
            fitted.default(path, f"no silent customer among {len(talking)} answered sessions")


def _replies_from_counts(fitted: Fitted, whole: pd.DataFrame) -> None:
    """Without ConversationEntry: conversation time = a * exchanges + c * (exchanges - 1).

    The regression of the conversation time (accept to end) on the exchanges gives the
    agent's mean reply (a) and the customer's (c): slope a + c, intercept -c. Both are
    written as exponential distributions with those means.
    """
    counts = whole["agent_messages"].to_numpy(dtype=float)
    duration = (whole["end_s"] - whole["accept_s"]).to_numpy()
    keep = np.isfinite(duration) & (counts >= 1)
    counts, duration = counts[keep], duration[keep]
    if len(counts) < 3 or np.ptp(counts) == 0:
        reason = ("no ConversationEntry.csv and too few whole conversations (ended by the "
                  "agent, with one agent) of different message counts to separate agent and "
                  "customer replies")
        fitted.default(("customers", "reply_time"), reason)
        fitted.default(("agent_reply_time",), reason)
        fitted.default(("concurrency_slowdown",), reason)
        return
    result = stats.linregress(counts, duration)
    customer = max(1.0, -float(result.intercept))
    agent = max(1.0, float(result.slope) - customer)
    n = len(counts)
    for path, mean, error in (
        (("customers", "reply_time"), customer, float(result.intercept_stderr)),
        (("agent_reply_time",), agent, math.hypot(result.stderr, result.intercept_stderr)),
    ):
        fitted.set(path, {"kind": "exponential", "mean": float(f"{mean:.4g}")},
                   f"exponential, mean {mean:.4g} s, 95% CI {mean - 1.96 * error:.4g}-"
                   f"{mean + 1.96 * error:.4g} s, n={n}; no ConversationEntry.csv: from a "
                   "regression of conversation time (AcceptTime to EndTime) on "
                   "AgentMessageCount")
    fitted.default(("concurrency_slowdown",), "no ConversationEntry.csv: the reply times "
                   "come from whole conversations, not from replies at a known concurrency")


def _after_conversation(fitted: Fitted, work: pd.DataFrame, sessions: pd.DataFrame) -> None:
    """End Chat to close: AfterConversationActualTime of the closed work of agent ends.

    Values piled at one maximum are the ACW cap: they are censored, the cap is written.
    """
    agent_ended = sessions.loc[sessions["ended_by"] == "agent", "session"]
    closed = work[work["session"].isin(agent_ended) & np.isfinite(work["close_s"])
                  & np.isfinite(work["acw_s"])]
    closed = closed.sort_values("close_s").groupby("session").last()
    acw = closed["acw_s"].to_numpy()
    acw = acw[acw >= 0]
    if not len(acw):
        fitted.default(("close_tab_delay",), "no AfterConversationActualTime of a closed work "
                       "item of a session the agent ended")
        return
    top = float(acw.max())
    at_top = np.abs(acw - top) <= 0.5
    if top >= 10 and at_top.mean() >= 0.02 and np.ptp(acw) > 0:
        fit = fit_censored(acw, ~at_top, label=f"; {int(at_top.sum())} at the ACW maximum "
                           f"{top:g} s are censored")
        fitted.set(("after_conversation_work",), {"enabled": True, "max": round(top, 3)},
                   f"{at_top.mean():.1%} of {len(acw)} AfterConversationActualTime values "
                   f"at {top:g} s: the ACW maximum")
    else:
        fit = fit_durations(acw, label="; AfterConversationActualTime")
        fitted.default(("after_conversation_work",), f"no pile of the {len(acw)} "
                       "AfterConversationActualTime values at one maximum: no ACW cap seen")
    fitted.set_fit(("close_tab_delay",), fit, "no after-conversation time observed")


def _labelled(fit: Fit | None, label: str) -> Fit | None:
    if fit is None:
        return None
    return dataclasses.replace(fit, method=fit.method + label)
