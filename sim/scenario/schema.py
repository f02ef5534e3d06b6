"""The scenario schema: everything a user can say about a contact center, validated.

A :class:`Scenario` is a frozen pydantic model. Durations are stored in seconds and rates
per hour once validated, so the simulation never parses strings. Each modelling choice
of ``docs/omni-channel-rules.md`` is a field here, with the default that page gives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    Tag,
    model_validator,
)

from sim.scenario.clock import (
    SECONDS_PER_DAY,
    Clock,
    clock_of,
    is_clock_time,
    normalize_start,
    parse_time_point,
    validating_with,
)
from sim.scenario.units import (
    format_duration,
    parse_duration,
    parse_rate_per_hour,
    percent_sign_as_points,
    percent_sign_as_share,
)

MAX_DURATION_S = 366 * 86400.0
"""The longest duration a scenario holds (its longest horizon), in seconds."""

Seconds = Annotated[float, BeforeValidator(parse_duration)]
"""A duration; written as ``45s``, ``5m``, ``1.5h``, ``2d`` or a number of seconds."""

TimePoint = Annotated[float, BeforeValidator(parse_time_point)]
"""A moment of the run, stored as seconds from the start; written as a duration from the
start (``7h``, ``25200``), a clock time (``"07:00"``, on the start's day) or a date-time
(``"2026-03-02 07:00"``, with a dated ``start``)."""

StartTime = Annotated[str, BeforeValidator(normalize_start)]
"""When a run starts: ``"2026-03-02 08:00"`` (optionally with a zone or offset) or a clock
time ``"08:00"``; stored in one canonical text."""

PerHour = Annotated[float, BeforeValidator(parse_rate_per_hour)]
"""A rate; written as ``60/h``, ``2/m``, ``1440/d`` or a number per hour."""

Share = Annotated[float, BeforeValidator(percent_sign_as_share)]
"""A share or factor; written as ``80%`` or ``0.8`` (a bare number keeps its meaning)."""

PercentPoints = Annotated[float, BeforeValidator(percent_sign_as_points)]
"""A percentage of agent capacity; written as ``50%`` or ``50``."""


class Schema(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are frozen.

    Numbers are strict about booleans: ``agents: true`` is an error, not one agent.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name, listed in _number_fields(cls).items():
            value = data.get(name)
            items = list(enumerate(value)) if listed and isinstance(value, list) else []
            for loc, item in [((name,), value)] if not listed else [
                ((name, index), item) for index, item in items
            ]:
                if isinstance(item, bool):
                    raise ScenarioRuleError(
                        loc, f"found {str(item).lower()}; expected a number "
                        "(true and false are not numbers)"
                    )
        return data


_NUMBER_FIELDS: dict[type, dict[str, bool]] = {}


def _number_fields(model: type[BaseModel]) -> dict[str, bool]:
    """Fields of ``model`` holding a number (``False``) or a list of numbers (``True``)."""
    found = _NUMBER_FIELDS.get(model)
    if found is None:
        found = {}
        for name, info in model.model_fields.items():
            kind = _number_kind(info.annotation)
            if kind is not None:
                found[name] = kind
        _NUMBER_FIELDS[model] = found
    return found


def _number_kind(annotation: Any) -> bool | None:
    members = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(members) == 1:
        annotation = members[0]
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if annotation in (int, float):
        return False
    if get_origin(annotation) is list:
        inner = get_args(annotation)[0]
        while get_origin(inner) is Annotated:
            inner = get_args(inner)[0]
        return True if inner in (int, float) else None
    return None


# --------------------------------------------------------------------------- channels
STANDARD_CHANNEL_TYPES = ("standard_messenger", "standard_sms")
ChannelType = Literal[
    "standard_messenger",
    "standard_sms",
    "enhanced_web_chat",
    "enhanced_web_chat_v2",
    "enhanced_in_app_chat",
    "enhanced_whatsapp",
    "enhanced_messenger",
    "enhanced_sms",
    "enhanced_apple_messages",
    "enhanced_line",
    "bring_your_own_channel",
]


def channel_kind(channel_type: str) -> Literal["standard", "enhanced"]:
    """Return whether a channel type is standard or enhanced (rules §1)."""
    return "standard" if channel_type in STANDARD_CHANNEL_TYPES else "enhanced"


def channel_capacity_model(capacity_model: str, channel_type: str) -> str:
    """The capacity model a channel's work follows under the scenario's ``capacity_model``.

    Status-based capacity is set per service channel and exists for enhanced channels
    only; a standard channel stays tab-based in a status-based center (rules §1.5).
    """
    return "tab" if channel_kind(channel_type) == "standard" else capacity_model


# ---------------------------------------------------------------------- distributions
# Each distribution owns what is asked of it (as Ciw's distribution objects do): its mean
# (``expected``), a block of draws from a numpy generator (``draw``), the mean below and
# above a cap (``capped_means``) and its scipy form (``scipy``). Nothing else switches on a
# distribution's kind.
class Distribution(Schema):
    """What every distribution of a scenario can do (units: those of its values)."""

    def expected(self) -> float:
        """Its mean."""
        raise NotImplementedError

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent values drawn from ``rng``."""
        raise NotImplementedError

    def capped_means(self, cap: float) -> tuple[float, float]:
        """``(E[min(X, cap)], E[(X - cap)+])``: from the mean unless a subclass knows better."""
        mean = self.expected()
        return min(mean, cap), max(0.0, mean - cap)

    def scipy(self) -> Any:
        """The same distribution as a frozen ``scipy.stats`` distribution."""
        raise NotImplementedError


class Fixed(Distribution):
    """Always the same value."""

    kind: Literal["fixed"] = "fixed"
    value: Annotated[float, Field(ge=0)]
    """The value (seconds for durations, a count for counts)."""

    def expected(self) -> float:
        """The value."""
        return self.value

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """The value, ``size`` times (nothing is drawn)."""
        return np.full(size, self.value)

    def scipy(self) -> Any:
        """A uniform distribution of negligible width at the value."""
        from scipy import stats

        return stats.uniform(loc=self.value, scale=1e-12)


class Exponential(Distribution):
    """Exponential with the given mean."""

    kind: Literal["exponential"]
    mean: Annotated[float, Field(gt=0)]
    """Mean (seconds for durations)."""

    def expected(self) -> float:
        """The mean."""
        return self.mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Exponential draws."""
        return rng.exponential(self.mean, size)

    def capped_means(self, cap: float) -> tuple[float, float]:
        """Exact: the tail above ``cap`` has mean ``mean * exp(-cap / mean)``."""
        tail = self.mean * math.exp(-cap / self.mean)
        return self.mean - tail, tail

    def scipy(self) -> Any:
        """``scipy.stats.expon``."""
        from scipy import stats

        return stats.expon(scale=self.mean)


class LogNormal(Distribution):
    """Log-normal given by the mean and standard deviation of the value itself."""

    kind: Literal["lognormal"]
    mean: Annotated[float, Field(gt=0)]
    """Mean of the value (not of its logarithm)."""
    sd: Annotated[float, Field(gt=0)]
    """Standard deviation of the value."""

    def expected(self) -> float:
        """The mean."""
        return self.mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Log-normal draws with this mean and standard deviation."""
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2.0
        return rng.lognormal(mu, math.sqrt(sigma2), size)

    def scipy(self) -> Any:
        """``scipy.stats.lognorm`` with this mean and standard deviation."""
        from scipy import stats

        sigma = math.sqrt(math.log1p((self.sd / self.mean) ** 2))
        return stats.lognorm(sigma, scale=self.mean / math.exp(sigma**2 / 2))


class Gamma(Distribution):
    """Gamma given by mean and standard deviation."""

    kind: Literal["gamma"]
    mean: Annotated[float, Field(gt=0)]
    """Mean of the value."""
    sd: Annotated[float, Field(gt=0)]
    """Standard deviation of the value."""

    def expected(self) -> float:
        """The mean."""
        return self.mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Gamma draws with this mean and standard deviation."""
        return rng.gamma((self.mean / self.sd) ** 2, self.sd**2 / self.mean, size)

    def scipy(self) -> Any:
        """``scipy.stats.gamma`` with this mean and standard deviation."""
        from scipy import stats

        shape = (self.mean / self.sd) ** 2
        return stats.gamma(shape, scale=self.mean / shape)


class Uniform(Distribution):
    """Uniform on [low, high]."""

    kind: Literal["uniform"]
    low: Annotated[float, Field(ge=0)]
    """Lower bound."""
    high: Annotated[float, Field(ge=0)]
    """Upper bound, at least ``low``."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g}) must be at least low ({self.low:g})")
        return self

    def expected(self) -> float:
        """The midpoint."""
        return (self.low + self.high) / 2.0

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Uniform draws."""
        return rng.uniform(self.low, self.high, size)

    def scipy(self) -> Any:
        """``scipy.stats.uniform`` (of negligible width when low equals high)."""
        from scipy import stats

        return stats.uniform(loc=self.low, scale=max(self.high - self.low, 1e-12))


class Empirical(Distribution):
    """Draws from observed values, each with an optional weight."""

    kind: Literal["empirical"]
    values: Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=1)]
    """Observed values."""
    weights: list[Annotated[float, Field(ge=0)]] | None = None
    """Relative weights, one per value; equal weights when omitted."""

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries, values has {len(self.values)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def expected(self) -> float:
        """The weighted mean of the values."""
        return float(np.average(self.values, weights=self.weights))

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Values chosen with their weights."""
        values = np.asarray(self.values, dtype=float)
        if self.weights is None:
            return rng.choice(values, size)
        weights = np.asarray(self.weights, dtype=float)
        return rng.choice(values, size, p=weights / weights.sum())

    def scipy(self) -> Any:
        """``scipy.stats.rv_discrete`` on the values with their weights."""
        from scipy import stats

        weights = np.asarray(self.weights or [1.0] * len(self.values), dtype=float)
        return stats.rv_discrete(values=(np.asarray(self.values, dtype=float),
                                         weights / weights.sum()))


DistributionSpec = Annotated[
    Union[Fixed, Exponential, LogNormal, Gamma, Uniform, Empirical],
    Field(discriminator="kind"),
]


def _duration_distribution(value: object) -> object:
    """Turn a bare duration (``30s``) into a fixed distribution; parse durations inside."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"kind": "fixed", "value": parse_duration(value)}
    if isinstance(value, dict):
        converted = dict(value)
        for key in ("value", "mean", "sd", "low", "high"):
            if key in converted and isinstance(converted[key], str):
                converted[key] = parse_duration(converted[key])
        if isinstance(converted.get("values"), list):
            converted["values"] = [
                parse_duration(item) if isinstance(item, str) else item
                for item in converted["values"]
            ]
        return converted
    return value


def _at_most_a_year(spec: Any) -> Any:
    """Refuse a duration distribution with a parameter above :data:`MAX_DURATION_S`."""
    for key in ("value", "mean", "sd", "low", "high"):
        number = getattr(spec, key, None)
        if isinstance(number, (int, float)) and number > MAX_DURATION_S:
            raise ValueError(f"expected durations of at most 366d, found {key} {number:g} s")
    values = getattr(spec, "values", None)
    if isinstance(values, list) and values and max(values) > MAX_DURATION_S:
        raise ValueError(f"expected durations of at most 366d, found a value of "
                         f"{max(values):g} s")
    return spec


def _count_distribution(value: object) -> object:
    """Turn a bare number into a fixed count distribution."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"kind": "fixed", "value": value}
    return value


DurationDistribution = Annotated[DistributionSpec, BeforeValidator(_duration_distribution),
                                 AfterValidator(_at_most_a_year)]
"""A distribution of durations in seconds (none above 366 days); a bare duration means a
fixed value."""

CountDistribution = Annotated[DistributionSpec, BeforeValidator(_count_distribution)]
"""A distribution of counts (rounded, at least 1); a bare number means a fixed value."""


# --------------------------------------------------------------------------- arrivals
class ArrivalCsv(Schema):
    """An arrival CSV file and the columns to read; ``csv: file.csv`` is the short form.

    One row per profile interval, placed by its time column and sorted by it: a row off
    the interval grid, two rows for one interval or a missing interval is an error, and
    intervals before the first row have no arrivals. A Salesforce report export is read as
    it is: name its date-time and count columns; title lines above the header and the
    closing lines (blank rows, totals, the report's name) are skipped.
    """

    path: str
    """The file, relative to the scenario's folder."""
    time_column: str = "interval_start"
    """The column with each row's interval start: a duration from the scenario start
    (``8h``, ``28800``), a clock time (``08:00``, on the start's day) or a date-time
    (``2026-03-02 08:00``, ``3/2/2026 8:00 AM``; from the scenario's ``start``, else from
    midnight of the earliest date). A file without this column (when the default is kept)
    is taken in row order from the start."""
    count_column: str = "volume"
    """The column with the sessions expected (or counted) in each interval."""
    time_format: str | None = None
    """A ``strptime`` format for the date-times of ``time_column``, such as
    ``%d/%m/%Y %H:%M`` for a European Salesforce locale; when omitted, ISO 8601 or the US
    form of a Salesforce export (``3/2/2026 8:00 AM``)."""


def _csv_short_form(value: object) -> object:
    """``csv: file.csv`` as ``csv: {path: file.csv}``."""
    return {"path": value} if isinstance(value, str) else value


class ArrivalProfile(Schema):
    """Arrivals of one channel: a non-homogeneous Poisson process, constant per interval.

    Give exactly one of ``rate``, ``rates``, ``volumes``, ``csv`` or ``times``.
    """

    rate: PerHour | None = Field(default=None, gt=0)
    """One constant rate for the whole horizon (per hour)."""
    rates: list[Annotated[PerHour, Field(ge=0)]] | None = None
    """One rate per profile interval (per hour)."""
    volumes: list[Annotated[float, Field(ge=0)]] | None = None
    """Expected sessions per profile interval."""
    csv: Annotated[ArrivalCsv, BeforeValidator(_csv_short_form)] | None = None
    """A CSV file in the scenario's folder with a ``volume`` column and an optional
    ``interval_start`` column, one row per interval, or a mapping naming other columns; it is
    read as ``volumes``."""
    times: list[Annotated[TimePoint, Field(ge=0)]] | None = None
    """Exact arrival times (replaying a log; not scaled): durations from the start, clock
    times or date-times."""
    interval: Seconds | None = Field(default=None, gt=0, le=MAX_DURATION_S)
    """Length of one profile interval; the scenario's ``interval`` when omitted."""
    repeat: bool = False
    """Repeat the profile when it is shorter than the horizon (e.g. one day over a week)."""
    day_factors: list[Annotated[float, Field(gt=0)]] | None = Field(default=None, min_length=1)
    """A factor on every rate per simulated day: the first on the first 24 hours from the
    start, the second on the next, ... (cycled when shorter than the horizon), such as a
    week's weekday shape on a repeated one-day profile (``[1.2, 1, 1, 1, 1.1, 0.6, 0.4]``).
    Not with ``times``."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> ArrivalProfile:
        given = [
            name
            for name in ("rate", "rates", "volumes", "csv", "times")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"give exactly one of rate, rates, volumes, csv or times (found: {found})"
            )
        if self.day_factors is not None and self.times is not None:
            raise ValueError("day_factors scale a profile; exact times are not scaled "
                             "(give rate, rates, volumes or csv)")
        return self


class OutboundCampaign(Schema):
    """Business-initiated sessions: an agent writes first (rules §4 and §5)."""

    arrivals: ArrivalProfile
    """When the first messages are sent."""
    answer_probability: Share = Field(default=0.5, ge=0, le=1)
    """Share of customers who ever answer."""
    answer_delay: DurationDistribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=1800.0)
    )
    """Time from the first message to the customer's answer (seconds)."""


class CustomerBehaviour(Schema):
    """How the customers of one channel write, wait and fall silent."""

    exchanges: CountDistribution = Field(default_factory=lambda: Fixed(value=4))
    """Customer-agent message pairs in a conversation (rounded, at least 1)."""
    reply_time: DurationDistribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=60.0)
    )
    """Time the customer takes to answer an agent message (seconds)."""
    patience: DurationDistribution | None = None
    """Time a customer waits in the queue before abandoning; never abandons when omitted."""
    silent_probability: Share = Field(default=0.0, ge=0, le=1)
    """Chance that a conversation has a point where the customer stops answering."""
    return_probability: Share = Field(default=0.0, ge=0, le=1)
    """Chance that a silent customer comes back later."""
    return_delay: DurationDistribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=7200.0)
    )
    """Time from the unanswered agent message to the silent customer's return (seconds)."""
    silent_turn: Literal["any", "first"] = "any"
    """Where a silent customer stops answering: after ``any`` of the agent's messages but
    the last (equally likely), or after the ``first``: the customer who has left by the
    time an agent accepts, and never answers (a silent abandoner, rules §5.5)."""
    end_probability: Share = Field(default=0.0, ge=0, le=1)
    """Chance that the customer ends the conversation herself, instead of answering one of
    the agent's messages but the last (equally likely), after her usual reply time
    (outcome ``ended_by_customer``, ``EndedByType`` EndUser; rules §5.6)."""
    response_patience: DurationDistribution | None = None
    """Time a customer waits for the agent's next reply (after her own message, or after
    the first acceptance) before she leaves the conversation, which then ends (outcome
    ``left_unanswered``, rules §5.7); one draw per wait. Never leaves when omitted."""


SkillLevels = dict[str, Annotated[int, Field(ge=1, le=10)]]
"""Skills by name, each with a level from 1 to 10."""


class SkillRequirement(Schema):
    """Skills a share of a channel's sessions require (skills-based routing, rules §8.3).

    Such a session goes to an available agent who has every required skill at least at
    its level, in the routing model's order of the channel's queue (priority, routing
    model and push timeout are the queue's); queue membership plays no part.
    """

    share: Share = Field(gt=0, le=1)
    """Share of the channel's inbound sessions that require these skills."""
    skills: Annotated[SkillLevels, Field(min_length=1)]
    """Required skills and their minimum levels."""
    additional: SkillLevels = Field(default_factory=dict)
    """Additional skills, required too until ``drop_after`` has passed without an agent."""
    drop_after: Seconds | None = Field(default=None, gt=0)
    """Drop Additional Skills time-out (seconds from the request); never when omitted. A
    decline, a push time-out or an offline agent resets the skills and starts it over."""


class Bot(Schema):
    """A bot in front of the channel's queue (Einstein Bots, Agentforce; rules §8.1).

    Every inbound session starts with the bot; after its handling time the bot has
    resolved it (the session ends), its customer has left, or it hands the session to the
    queue (Transfer to Agent), whose wait starts then (``RequestDateTime``).
    """

    handling_time: DurationDistribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=120.0)
    )
    """Time from the customer's first message to the bot's resolution, the customer
    leaving or the hand-over (seconds)."""
    resolves: Share = Field(default=0.0, ge=0, le=1)
    """Share of sessions the bot resolves (containment; outcome ``resolved_by_bot``)."""
    leaves: Share = Field(default=0.0, ge=0, le=1)
    """Share of customers who leave during the bot (outcome ``left_in_bot``)."""

    @model_validator(mode="after")
    def _shares(self) -> Bot:
        if self.resolves + self.leaves > 1 + 1e-9:
            raise ValueError(f"resolves ({self.resolves:g}) and leaves ({self.leaves:g}) add "
                             "up to more than 1; the rest is handed to the queue")
        return self


class Channel(Schema):
    """One messaging channel, its queue, the size of its work and its customers."""

    name: str
    """A unique name, used in reports."""
    type: ChannelType
    """The Omni-Channel channel type; decides standard or enhanced (rules §1)."""
    queue: str
    """The queue its sessions are routed through."""
    capacity_weight: float | None = Field(default=None, gt=0)
    """Units of agent capacity one work item uses (``CapacityWeight``)."""
    capacity_percentage: PercentPoints | None = Field(default=None, gt=0, le=100)
    """Percent of agent capacity one work item uses (``CapacityPercentage``)."""
    paused_capacity_weight: float = Field(default=0.0, ge=0)
    """Capacity an Inactive session uses under status-based capacity (rules §4)."""
    auto_accept: bool = False
    """Work is accepted the moment it is pushed (no accept delay, no decline)."""
    arrivals: ArrivalProfile | None = None
    """Inbound sessions (the customer writes first); none when omitted."""
    outbound: OutboundCampaign | None = None
    """Business-initiated sessions; none when omitted."""
    customers: CustomerBehaviour = Field(default_factory=CustomerBehaviour)
    """How this channel's customers behave."""
    bot: Bot | None = None
    """A bot that takes every inbound session first (rules §8.1); none when omitted."""
    skills: list[SkillRequirement] = Field(default_factory=list)
    """Skills-based routing (rules §8.3): shares of the channel's inbound sessions and the
    skills each requires; the rest is routed by its queue. The shares add up to at most 1."""
    handle_time: DurationDistribution | None = None
    """The agent's handle time from accept to End Chat with one open session (seconds),
    instead of a conversation built from ``customers.exchanges`` and reply times: for a
    planner who knows "AHT 12 minutes". Slowed by concurrency as agent replies are, with
    the close-tab delay or ACW after End Chat on top. Use the message-level conversation
    when silent customers, returns, Inactive sessions or response times matter; with a
    handle time the conversation is one agent turn (the customer keys about messages and
    silence do not apply)."""

    @model_validator(mode="after")
    def _skill_shares(self) -> Channel:
        total = sum(requirement.share for requirement in self.skills)
        if total > 1 + 1e-9:
            raise ValueError(f"skills: the shares add up to {total:g}; at most 1 (the rest is "
                             "routed by the queue)")
        return self

    @model_validator(mode="after")
    def _one_size(self) -> Channel:
        if self.capacity_weight is not None and self.capacity_percentage is not None:
            raise ValueError("give capacity_weight or capacity_percentage, not both")
        return self

    @property
    def kind(self) -> Literal["standard", "enhanced"]:
        """``standard`` or ``enhanced``."""
        return channel_kind(self.type)

    @property
    def arrival_profiles(self) -> list[tuple[tuple[str, ...], ArrivalProfile]]:
        """Its inbound and outbound arrival profiles, each with its key path in the channel."""
        profiles: list[tuple[tuple[str, ...], ArrivalProfile | None]] = [
            (("arrivals",), self.arrivals)
        ]
        if self.outbound is not None:
            profiles.append((("outbound", "arrivals"), self.outbound.arrivals))
        return [(path, profile) for path, profile in profiles if profile is not None]


# ----------------------------------------------------------------------------- queues
class QueueServiceLevel(Schema):
    """A queue's own service-level goal: a share answered within a threshold."""

    threshold: Seconds = Field(gt=0, le=MAX_DURATION_S)
    """Speed-to-answer threshold (seconds)."""
    target: Share = Field(gt=0, lt=1)
    """Target share answered within the threshold."""


class Queue(Schema):
    """An Omni-Channel queue and its routing configuration."""

    name: str
    """A unique name."""
    priority: int = Field(default=1, ge=0)
    """Routing priority: lower numbers are routed first (rules §2)."""
    routing_model: Literal["most_available", "least_active"] = "most_available"
    """How an agent is chosen among those with room (rules §2)."""
    push_timeout: Seconds = Field(default=0.0, ge=0)
    """Seconds an agent has to accept a pushed item; 0 turns the timeout off."""
    service_level: QueueServiceLevel | None = None
    """This queue's own service-level goal for ``ccsim staff`` (its sessions measured
    against its threshold); the command line's ``--target`` when omitted."""
    max_asa: Seconds | None = Field(default=None, gt=0)
    """This queue's largest average speed of answer for ``ccsim staff`` (seconds)."""
    max_abandon: Share | None = Field(default=None, gt=0, lt=1)
    """This queue's largest share of offered sessions abandoned, for ``ccsim staff``."""
    transfer: Transfer | None = None
    """Agents of this queue transfer a share of its conversations to another queue
    (rules §8.2); none when omitted."""


class Transfer(Schema):
    """Agents pass a share of a queue's conversations to another queue (rules §8.2)."""

    share: Share = Field(ge=0, le=1)
    """Share of the queue's inbound conversations transferred, once each, instead of one of
    the agent's replies but the first (equally likely)."""
    to: str
    """The queue they are transferred to (another queue of the scenario)."""


Queue.model_rebuild()


# ----------------------------------------------------------------------------- agents
class Break(Schema):
    """A break inside a shift: the agent is away (no new work; open work continues)."""

    after: Seconds = Field(ge=0)
    """Time from the shift's start to the break (a duration, e.g. ``4h``)."""
    duration: Seconds = Field(gt=0)
    """Length of the break."""
    at: TimePoint | None = None
    """When the break starts, as a time point (``"12:30"``), instead of ``after``; the
    shift turns it into ``after`` (so it reads back as ``after``)."""
    window: str | None = None
    """A break window, two time points joined by ``-`` (``"15:30-17:00"``), instead of
    ``after`` or ``at``: the shift's agents take their breaks staggered across it (see
    ``spread``); the shift turns it into ``after`` (the window's start) and ``spread``."""
    spread: Seconds = Field(default=0.0, ge=0)
    """How far after ``after`` the last agent's break may start (seconds): the shift's
    agents are dealt round-robin to non-overlapping break slots spread over
    ``[after, after + spread]``, so no moment of the window loses more than its share of
    them. ``0``: every agent at ``after`` (the default)."""

    @model_validator(mode="after")
    def _at_read_by_shift(self) -> Break:
        if self.at is not None or self.window is not None:
            raise ValueError("a break's at or window is read by its shift; give after "
                             "outside a shift")
        return self

    def slot_starts(self) -> list[float]:
        """Start offsets from the shift's start (seconds) of the window's break slots.

        ``floor((spread + duration) / duration)`` non-overlapping slots spread evenly over
        ``[after, after + spread]``; one slot at ``after`` without a spread.
        """
        if self.spread <= 0:
            return [self.after]
        slots = max(1, math.floor((self.spread + self.duration) / self.duration + 1e-9))
        if slots == 1:
            return [self.after + self.spread / 2.0]
        return [self.after + self.spread * k / (slots - 1) for k in range(slots)]

    def agent_start(self, agent: int) -> float:
        """Offset from the shift's start (seconds) of one agent's break.

        ``agent`` counts the shift's agents from 0; the slots of :meth:`slot_starts` are
        dealt round-robin.
        """
        slots = self.slot_starts()
        return slots[agent % len(slots)]


class Shift(Schema):
    """A block of time during which some agents of a group are logged in."""

    start: TimePoint = Field(ge=0)
    """Login time: a duration from the start (``7h``), a clock time (``"07:00"``) or a
    date-time (``"2026-03-02 07:00"``)."""
    end: TimePoint = Field(gt=0)
    """Logout (or drain) time, written like ``start``; a time past midnight is written as a
    date-time or a duration from the start."""
    agents: int = Field(ge=0)
    """Number of agents working this shift."""
    breaks: list[Break] = Field(default_factory=list)
    """Breaks every agent of the shift takes (presence away, rules §6)."""
    days: int = Field(default=1, ge=1, le=366)
    """Work this shift on this many consecutive days, at the same times each day (its own
    agents each day); the group turns it into one shift per day (so it reads back as
    ``days: 1`` shifts)."""

    @model_validator(mode="before")
    @classmethod
    def _break_times(cls, data: Any) -> Any:
        """Turn each break's ``at`` (a time point) into ``after`` (from the shift start)."""
        if not isinstance(data, dict) or not isinstance(data.get("breaks"), list):
            return data
        for index, item in enumerate(data["breaks"]):
            if isinstance(item, dict) and all(item.get(key) is None
                                              for key in ("after", "at", "window")):
                raise ScenarioRuleError(
                    ("breaks", index),
                    "a break needs its start: give at (a time point, such as \"12:30\"), "
                    "after (a duration from the shift's start, such as 4h) or window (such "
                    "as \"15:30-17:00\"), and duration",
                )
            after = item.get("after") if isinstance(item, dict) else None
            if isinstance(after, str) and is_clock_time(after):
                raise ScenarioRuleError(
                    ("breaks", index, "after"),
                    f"found {after.strip()!r}, a clock time; after is a duration from the "
                    f"shift's start (such as 4h or 90m); for a clock time write "
                    f"at: \"{after.strip()}\"",
                )
        if not any(isinstance(item, dict) and (item.get("at") is not None
                                               or item.get("window") is not None)
                   for item in data["breaks"]):
            return data
        try:
            start = parse_time_point(data.get("start"))
        except ValueError:  # the start's own problem is reported on ``start``
            start = None
        breaks = []
        for index, item in enumerate(data["breaks"]):
            if isinstance(item, dict) and item.get("window") is not None:
                breaks.append(_window_break(item, index, start))
                continue
            if isinstance(item, dict) and item.get("at") is not None:
                if item.get("after") is not None:
                    raise ScenarioRuleError(
                        ("breaks", index, "at"), "give after or at, not both"
                    )
                try:
                    moment = parse_time_point(item["at"])
                except ValueError as error:
                    raise ScenarioRuleError(("breaks", index, "at"), str(error)) from None
                if not isinstance(moment, float) or not isinstance(start, float):
                    moment = start = 0.0  # nothing to add to the start's own problem
                if moment < start:
                    raise ScenarioRuleError(
                        ("breaks", index, "at"),
                        f"the break at {item['at']} is before the shift's start "
                        f"({data.get('start')})",
                    )
                item = {key: value for key, value in item.items() if key != "at"}
                item["after"] = moment - start
            breaks.append(item)
        return {**data, "breaks": breaks}

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end:g}s) must be after start ({self.start:g}s)")
        return self  # breaks past the shift's end: _check_breaks, in clock time


WINDOW_HELP = 'two time points joined by "-", such as "15:30-17:00"'


def _window_break(item: dict[str, Any], index: int, start: object) -> dict[str, Any]:
    """A break given as a ``window`` turned into ``after`` and ``spread`` (seconds).

    Raises:
        ScenarioRuleError: at ``breaks[index].window`` for a window that is not two time
            points, ends before it starts, is shorter than the break, begins before the
            shift, or comes with ``after`` or ``at``.
    """
    where = ("breaks", index, "window")
    if item.get("after") is not None or item.get("at") is not None:
        raise ScenarioRuleError(where, "give after, at or window, one of them")
    text = item["window"]
    parts = text.split("-") if isinstance(text, str) else []
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise ScenarioRuleError(where, f"expected {WINDOW_HELP}, found {text!r}")
    try:
        opens, closes = (parse_time_point(part.strip()) for part in parts)
    except ValueError as error:
        raise ScenarioRuleError(where, f"{error} (expected {WINDOW_HELP})") from None
    try:
        duration = parse_duration(item.get("duration"))
    except ValueError:  # the duration's own problem is reported on ``duration``
        duration = 0.0
    if not isinstance(opens, float) or not isinstance(closes, float):
        opens = closes = 0.0
    if not isinstance(start, float):
        start = opens
    if closes <= opens:
        raise ScenarioRuleError(where, f"the window {text} ends before it starts")
    if duration > closes - opens + 1e-9:
        raise ScenarioRuleError(
            where, f"the window {text} is shorter than the break's duration ({duration:g}s)")
    if opens < start:
        raise ScenarioRuleError(where, f"the window {text} opens before the shift's start")
    rest = {key: value for key, value in item.items() if key != "window"}
    return {**rest, "after": opens - start, "spread": max(0.0, closes - opens - duration)}


class AfterConversationWork(Schema):
    """After Conversation Work: capacity held after End Chat (rules §3)."""

    enabled: bool = False
    """Whether ACW caps the close-tab delay."""
    max: Seconds = Field(default=120.0, ge=10, le=3600)
    """The ACW maximum (10 s to 3,600 s)."""


class Outage(Schema):
    """A planned or observed disconnection of every agent of a group."""

    start: TimePoint = Field(ge=0)
    """When the agents drop offline: a duration from the start, a clock time or a
    date-time."""
    duration: Seconds = Field(gt=0)
    """How long they stay offline."""


class Disconnections(Schema):
    """Agents dropping offline and coming back (rules §3, §4 and §6)."""

    rate: PerHour = Field(default=0.0, ge=0)
    """Disconnections per online hour per agent."""
    duration: DurationDistribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=300.0)
    )
    """How long an agent stays offline (seconds)."""
    outages: list[Outage] = Field(default_factory=list)
    """Group-wide outages at fixed times (a network incident, a release) on top of the rate."""


class AgentBehaviour(Schema):
    """How the agents of a group accept, reply, end and close work."""

    accept_delay: DurationDistribution = Field(default_factory=lambda: Fixed(value=5.0))
    """Time from push to accept (seconds)."""
    decline_probability: Share = Field(default=0.0, ge=0, le=1)
    """Chance that a pushed item is declined."""
    decline_delay: DurationDistribution = Field(default_factory=lambda: Fixed(value=5.0))
    """Time from push to decline (seconds)."""
    away_after_decline: Seconds = Field(default=120.0, ge=0)
    """Time spent in a busy status after a decline or push timeout (rules §2)."""
    reply_time: DurationDistribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=45.0)
    )
    """Time an agent takes to answer a customer message, with one open session (seconds)."""
    concurrency_slowdown: Share = Field(default=0.0, ge=0, le=10)
    """Extra reply time per additional active session: 0.25 means 25% slower per session
    (at most 10, ten times slower per session)."""
    concurrency_efficiency: (
        Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=1)] | None
    ) = None
    """Instead of ``concurrency_slowdown``: the chats' worth of work an agent gets done with
    1, 2, 3, ... active sessions, as planners' concurrency factors give it
    (``[1, 1.7, 2.5, 2.9]``: two chats at once take 2 / 1.7 = 1.18 times as long each);
    beyond the list its last value holds. The first entry is 1."""
    close_tab_delay: DurationDistribution = Field(default_factory=lambda: Fixed(value=30.0))
    """Tab-based: time from End Chat to closing the tab (seconds; rules §3)."""
    after_conversation_work: AfterConversationWork = Field(
        default_factory=AfterConversationWork
    )
    """ACW settings; when enabled the close-tab delay is capped by its maximum."""
    inactivate_after: Seconds = Field(default=600.0, gt=0)
    """Customer silence after which the agent marks the session Inactive (rules §4)."""

    @model_validator(mode="after")
    def _one_slowdown(self) -> AgentBehaviour:
        efficiency = self.concurrency_efficiency
        if efficiency is not None:
            if self.concurrency_slowdown:
                raise ValueError("give concurrency_slowdown or concurrency_efficiency, not both")
            if efficiency[0] != 1:
                raise ValueError(f"concurrency_efficiency: the first entry (one chat) is 1, "
                                 f"found {efficiency[0]:g}")
            too_fast = [n for n, value in enumerate(efficiency, start=1) if value > n]
            if too_fast:
                raise ValueError(f"concurrency_efficiency: {too_fast[0]} chats at once do at "
                                 f"most {too_fast[0]} chats' worth of work, found "
                                 f"{efficiency[too_fast[0] - 1]:g}")
        return self


class AgentGroup(Schema):
    """Agents who share capacity, queues, shifts and behaviour."""

    name: str
    """A unique name."""
    agents: int = Field(default=0, ge=0)
    """Agents logged in for the whole horizon (used when neither shifts nor staffing given)."""
    shifts: list[Shift] | None = None
    """Shifts; agents log in at start and drain or log out at end."""
    staffing: list[Annotated[int, Field(ge=0)]] | None = None
    """Agents logged in per reporting interval (what ``ccsim staff`` produces)."""
    capacity: float | None = Field(default=None, gt=0)
    """Capacity in units (``PresenceUserConfig.Capacity``)."""
    capacity_percent: PercentPoints | None = Field(default=None, gt=0, le=100)
    """Capacity as a percentage (channels then give ``capacity_percentage``)."""
    queues: Annotated[list[str], Field(min_length=1)]
    """Queues this group serves."""
    skills: SkillLevels = Field(default_factory=dict)
    """The agents' skills and levels, for skills-based routing (rules §8.3)."""
    shift_end: Literal["drain", "logout"] = "drain"
    """At the end of a shift: finish open sessions then log out, or log out at once."""
    behaviour: AgentBehaviour = Field(default_factory=AgentBehaviour)
    """Accepting, replying, ending and closing."""
    disconnections: Disconnections = Field(default_factory=Disconnections)
    """Random offline periods."""

    @model_validator(mode="after")
    def _capacity_and_schedule(self) -> AgentGroup:
        if (self.capacity is None) == (self.capacity_percent is None):
            raise ValueError("give exactly one of capacity (units) or capacity_percent")
        if self.shifts is not None and self.staffing is not None:
            raise ValueError("give shifts or staffing, not both")
        if self.shifts is not None and any(shift.days > 1 for shift in self.shifts):
            return self.model_copy(update={"shifts": [shift.model_copy(update={
                "start": shift.start + day * SECONDS_PER_DAY,
                "end": shift.end + day * SECONDS_PER_DAY, "days": 1})
                for shift in self.shifts for day in range(shift.days)]})
        return self

    @property
    def capacity_units(self) -> float:
        """Capacity as a number (units, or percent points)."""
        if self.capacity is not None:
            return float(self.capacity)
        assert self.capacity_percent is not None, "the validator requires one of the two"
        return float(self.capacity_percent)


# --------------------------------------------------------------------- timeouts, misc
class Timeouts(Schema):
    """The periodic clean-up that ends idle sessions (rules §5)."""

    sweep_period: Seconds = Field(default=6 * 3600.0, gt=0)
    """Time between runs of the clean-up job; its phase is random per replication."""
    unanswered_standard: Seconds = Field(default=24 * 3600.0, gt=0)
    """Minimum age of an unanswered outbound session on a standard channel."""
    unanswered_enhanced: Seconds = Field(default=48 * 3600.0, gt=0)
    """Minimum age of an unanswered outbound session on an enhanced channel."""
    inactive: Seconds = Field(default=24 * 3600.0, gt=0)
    """Minimum time an Inactive session stays Inactive before it is ended."""


class Supervisor(Schema):
    """Bulk End Sessions from the list view (rules §6)."""

    enabled: bool = False
    """Whether a supervisor runs the bulk end."""
    period: Seconds = Field(default=3600.0, gt=0)
    """Time between two bulk ends."""
    idle_limit: Seconds = Field(default=4 * 3600.0, gt=0)
    """Sessions idle longer than this are ended, where the list view allows it."""
    action: Literal["bulk", "per_row"] = "bulk"
    """``bulk``: End Sessions on a selection (any channel; not an Inactive session under
    status-based capacity); ``per_row``: each row's End Session (standard channels only).
    Rules §6.4."""


class ServiceLevel(Schema):
    """The service-level goal: share of offered sessions accepted within a threshold."""

    threshold: Seconds = Field(default=60.0, gt=0, le=MAX_DURATION_S)
    """Speed-to-answer threshold (seconds)."""
    target: Share = Field(default=0.8, gt=0, le=1)
    """Target share answered within the threshold."""
    short_abandons: Literal["miss", "exclude"] = "miss"
    """Customers who abandon sooner than the threshold: ``miss`` counts them as missed (so
    the service level is the share of all offered sessions answered in time); ``exclude``
    leaves them out of the denominator, the convention of planners who do not hold the
    center responsible for customers who gave up that fast. Later abandons are misses
    either way."""


def _arrival_scale(value: object) -> object:
    """``120%`` as 1.2; a list of day multipliers as an empirical distribution of them."""
    if isinstance(value, bool):
        shown = str(value).lower()
        raise ValueError(f"expected a number (true and false are not numbers), found {shown}")
    if isinstance(value, list):
        return {"kind": "empirical", "values": [percent_sign_as_share(item) for item in value]}
    if isinstance(value, dict):
        return {key: percent_sign_as_share(item) for key, item in value.items()}
    return percent_sign_as_share(value)


def _factor_or_distribution(value: object) -> str:
    return "distribution" if isinstance(value, (dict, BaseModel)) else "factor"


ArrivalScale = Annotated[
    Union[Annotated[float, Field(gt=0), Tag("factor")],
          Annotated[DistributionSpec, Tag("distribution")]],
    Discriminator(_factor_or_distribution),
    BeforeValidator(_arrival_scale),
]
"""A factor on the arrival rates, or a distribution of it drawn once per day (replication)."""


class Scenario(Schema):
    """A whole contact center: channels, queues, agents, policies and run settings."""

    name: str = "scenario"
    """A title for reports."""
    description: str = ""
    """What question the scenario answers."""
    start: StartTime | None = None
    """When the run starts: a date-time (``"2026-03-02 08:00"``, ``"2026-03-02 08:00
    Europe/Paris"``, ``"2026-03-02T08:00+01:00"``) or a clock time (``"08:00"``). Quote it.
    Without it the run starts at 00:00 on day 1, undated. Reports show clock times from it;
    shifts, outages and arrival times may be written as clock times or date-times."""
    horizon: Seconds = Field(default=86400.0, ge=1, le=MAX_DURATION_S)
    """Simulated time (seconds, from one second to 366 days)."""
    warmup: Seconds = Field(default=0.0, ge=0)
    """Leading time left out of the figures (seconds)."""
    interval: Seconds = Field(default=1800.0, ge=60, le=MAX_DURATION_S)
    """Reporting interval (seconds, from a minute to 366 days, the longest horizon)."""
    capacity_model: Literal["tab", "status"] = "tab"
    """Tab-based or status-based capacity (rules §3 and §4)."""
    seed: int = Field(default=12345, ge=0, strict=True)
    """Root of the SeedSequence every random stream comes from."""
    arrival_scale: ArrivalScale = 1.0
    """Multiplies every arrival profile: a factor (``1.2``, ``120%``) for what-ifs, or the
    day-to-day volume: a distribution (``{kind: lognormal, mean: 1, sd: 10%}``) or a list
    of observed day multipliers (``[0.9, 1, 1.15]``), drawn once per replication;
    ``ccsim staff --days 90%`` then holds the goals on that share of such days."""
    service_level: ServiceLevel = Field(default_factory=ServiceLevel)
    """Service-level goal."""
    channels: Annotated[list[Channel], Field(min_length=1)]
    """Messaging channels."""
    queues: Annotated[list[Queue], Field(min_length=1)]
    """Queues."""
    agent_groups: Annotated[list[AgentGroup], Field(min_length=1)]
    """Agent groups."""
    timeouts: Timeouts = Field(default_factory=Timeouts)
    """Automatic ends of idle sessions."""
    supervisor: Supervisor = Field(default_factory=Supervisor)
    """Supervisor bulk end policy."""
    logout_sessions: Literal["end", "requeue"] = "end"
    """Tab-based: what a logout does to ongoing sessions (rules §3)."""
    allow_over_capacity: bool = True
    """Status-based: a session returning from Inactive may push its agent over capacity."""
    logged_out_owner: Literal["requeue", "keep"] = "requeue"
    """Status-based: a session whose agent has logged out when it next needs that agent.

    The customer answers an outbound session, writes again to an Inactive one or waits for
    the agent's reply (rules §4, 4.4). ``requeue`` sends it to Waiting to be routed;
    ``keep`` leaves it with the logged-out agent, stranded until that agent logs in again.
    An agent who is only offline keeps it either way (4.6).
    """

    @model_validator(mode="wrap")
    @classmethod
    def _with_clock(cls, data: Any, handler: ModelWrapValidatorHandler[Scenario]) -> Scenario:
        """Validate the time points of ``data`` against its own ``start``."""
        start = data.get("start") if isinstance(data, dict) else getattr(data, "start", None)
        try:
            clock = clock_of(normalize_start(start))
        except (ValueError, TypeError):
            clock = Clock()  # the start's own problem is reported on ``start``
        with validating_with(clock):
            return handler(data)

    @property
    def clock(self) -> Clock:
        """The run's wall clock (from ``start``; 00:00 undated without one)."""
        return clock_of(self.start)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        _check_unique(self)
        _check_references(self)
        _check_capacity(self)
        _check_schedule(self)
        _check_breaks(self)
        return self

    @property
    def n_intervals(self) -> int:
        """Reporting intervals in the horizon (the last one may be partial)."""
        return int(math.ceil(self.horizon / self.interval - 1e-9))

    def queues_reached(self) -> set[str]:
        """The queues sessions reach: a channel's, and the one its queue transfers to.

        A session is transferred once, from its channel's queue (rules §8.2), so a
        queue that only receives transfers is one step from a channel's.
        """
        by_name = {queue.name: queue for queue in self.queues}
        fed = {channel.queue for channel in self.channels}
        return fed | {transfer.to for name in fed
                      if (transfer := by_name[name].transfer) is not None}

    def tab_based_channels(self) -> list[str]:
        """Names of the channels that stay tab-based although the center is status-based.

        Standard channels (rules §1.5); empty under tab-based capacity.
        """
        return [
            channel.name
            for channel in self.channels
            if channel_capacity_model(self.capacity_model, channel.type) != self.capacity_model
        ]

    def derive(
        self,
        changes: Mapping[str, Any] | None = None,
        /,
        *,
        source: str = "derived scenario",
        **updates: Any,
    ) -> Scenario:
        """A copy with some values changed, validated like a scenario file.

        This is the one way to derive a scenario: ``model_copy(update=...)`` would skip
        every check (an agent group serving an unknown queue would run). Keys are the
        key paths of ``--set``: ``scenario.derive(capacity_model="status")``,
        ``scenario.derive({"agent_groups[0].agents": 12, "service_level.threshold": "30s"})``.
        Values are written as in the YAML file (``"80/h"``, ``"5m"``, a mapping) or are
        scenario sections (a ``Channel``, a list of ``AgentGroup``).

        Args:
            changes: ``{key path: value}``, for key paths that are not Python names.
            source: The name each problem line starts with.
            **updates: ``key=value`` for top-level keys; applied after ``changes``.

        Returns:
            The validated copy (this scenario is not modified).

        Raises:
            ScenarioError: One line per problem, ``<source>: <key.path>: <what is wrong>``;
                e.g. ``agent_groups[0].queues[0]: unknown queue 'x'; queues are [...]``.
        """
        from sim.scenario.loading import derive_scenario  # loading imports this module

        return derive_scenario(self, {**(changes or {}), **updates}, source)


class ScenarioRuleError(ValueError):
    """A cross-field rule is broken; ``loc`` is the key path of the offending value."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _check_unique(scenario: Scenario) -> None:
    for section in ("channels", "queues", "agent_groups"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(scenario, section)):
            if item.name in seen:
                raise ScenarioRuleError(
                    (section, index, "name"), f"duplicate name {item.name!r}"
                )
            seen.add(item.name)


def _check_references(scenario: Scenario) -> None:
    queue_names = [queue.name for queue in scenario.queues]
    for index, channel in enumerate(scenario.channels):
        if channel.queue not in queue_names:
            raise ScenarioRuleError(
                ("channels", index, "queue"),
                f"unknown queue {channel.queue!r}; queues are {queue_names}",
            )
        if channel.arrivals is None and channel.outbound is None:
            raise ScenarioRuleError(
                ("channels", index), "give arrivals, outbound or both"
            )
    for index, queue_spec in enumerate(scenario.queues):
        transfer = queue_spec.transfer
        if transfer is not None and (transfer.to not in queue_names
                                     or transfer.to == queue_spec.name):
            raise ScenarioRuleError(
                ("queues", index, "transfer", "to"),
                f"{transfer.to!r} is not another queue; queues are {queue_names}",
            )
    for index, group in enumerate(scenario.agent_groups):
        for queue_index, queue in enumerate(group.queues):
            if queue not in queue_names:
                raise ScenarioRuleError(
                    ("agent_groups", index, "queues", queue_index),
                    f"unknown queue {queue!r}; queues are {queue_names}",
                )


def _check_capacity(scenario: Scenario) -> None:
    percent_groups = [g.capacity_percent is not None for g in scenario.agent_groups]
    uses_percent = any(percent_groups)
    if uses_percent and not all(percent_groups):
        index = percent_groups.index(False)
        raise ScenarioRuleError(
            ("agent_groups", index, "capacity"),
            "mixing capacity (units) and capacity_percent across groups is not allowed",
        )
    for index, channel in enumerate(scenario.channels):
        if uses_percent and channel.capacity_percentage is None:
            raise ScenarioRuleError(
                ("channels", index, "capacity_percentage"),
                "agents use capacity_percent, so each channel needs capacity_percentage",
            )
        if not uses_percent and channel.capacity_percentage is not None:
            raise ScenarioRuleError(
                ("channels", index, "capacity_percentage"),
                "agents use capacity in units, so give capacity_weight instead",
            )
        size = work_size(channel)
        for group in scenario.agent_groups:
            if channel.queue in group.queues and size > group.capacity_units + 1e-9:
                key = "capacity_percentage" if uses_percent else "capacity_weight"
                raise ScenarioRuleError(
                    ("channels", index, key),
                    f"work size {size:g} exceeds the capacity {group.capacity_units:g} "
                    f"of agent group {group.name!r}, which serves queue {channel.queue!r}",
                )


def _check_schedule(scenario: Scenario) -> None:
    if scenario.warmup >= scenario.horizon:
        raise ScenarioRuleError(
            ("warmup",), f"warmup ({scenario.warmup:g}s) must be shorter than the horizon"
        )
    for index, channel in enumerate(scenario.channels):
        for path, profile in channel.arrival_profiles:
            loc: tuple[str | int, ...] = ("channels", index, *path)
            entries = profile.rates if profile.rates is not None else profile.volumes
            if entries is not None and not entries:
                raise ScenarioRuleError(
                    (*loc, "rates" if profile.rates is not None else "volumes"),
                    "found an empty list; expected at least one entry (one per profile interval)",
                )
            if entries is None or profile.repeat:
                continue
            length = profile.interval or scenario.interval
            covered = len(entries) * length
            if covered + 1e-6 < scenario.horizon:
                name = "rates" if profile.rates is not None else "volumes"
                with_day = scenario.clock.multi_day(scenario.horizon)
                start, end, last = (scenario.clock.label(moment, with_day=with_day)
                                    for moment in (0.0, covered, scenario.horizon))
                raise ScenarioRuleError(
                    (*loc, name),
                    f"{len(entries)} intervals of {format_duration(length)} cover {start} to "
                    f"{end} but the run lasts until {last} (horizon "
                    f"{format_duration(scenario.horizon)}); add entries up to {last} or set "
                    "repeat: true",
                )
    for index, group in enumerate(scenario.agent_groups):
        if group.staffing is not None and len(group.staffing) < scenario.n_intervals:
            raise ScenarioRuleError(
                ("agent_groups", index, "staffing"),
                f"has {len(group.staffing)} entries but the horizon has "
                f"{scenario.n_intervals} intervals",
            )


def _check_breaks(scenario: Scenario) -> None:
    """Every break ends by its shift's end; said in clock time, as the user wrote it."""
    with_day = scenario.clock.multi_day(max(scenario.horizon, 1.0))
    for group_index, group in enumerate(scenario.agent_groups):
        for shift_index, shift in enumerate(group.shifts or []):
            for index, item in enumerate(shift.breaks):
                start = shift.start + item.after + item.spread  # a window's last start
                if start + item.duration > shift.end + 1e-9:
                    label = scenario.clock.label
                    raise ScenarioRuleError(
                        ("agent_groups", group_index, "shifts", shift_index, "breaks", index),
                        f"the break at {label(start, with_day=with_day)} lasting "
                        f"{format_duration(item.duration)} ends at "
                        f"{label(start + item.duration, with_day=with_day)}, after the "
                        f"shift's end ({label(shift.end, with_day=with_day)}); start it "
                        "earlier or shorten it",
                    )


def work_size(channel: Channel) -> float:
    """Capacity one work item of ``channel`` uses (units or percent points; default 1)."""
    if channel.capacity_percentage is not None:
        return channel.capacity_percentage
    return channel.capacity_weight if channel.capacity_weight is not None else 1.0
