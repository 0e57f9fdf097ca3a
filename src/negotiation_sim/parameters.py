"""The parameter registry: every number a rule uses, as typed data in one place.

Each entry gives a dotted name (``actor.parameter``), its default, the range sweeps sample
and validation enforces, its unit, the mechanisms (M1–M20 of the model brief) it serves, the
seed article and short quotation that motivate it, and its role (`ROLES`): ``behaviour`` (how
an actor decides: one value for all years, calibrated), ``context`` (the world of a period, set
by a scenario from the record) or ``policy`` (a lever a user varies). Rules read parameters
only through this registry; docs, validation and sweeps read the same entries.

Seeds: ``000`` is ``seeds/000_86765be9c3ba85b9.txt`` (CNN, January 2022); ``003`` is
``seeds/003_184512813cdc3250.txt`` (Foreign Policy, December 2017).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import resources
from types import MappingProxyType

import numpy as np

# Choices are defined once, as codes: names in files and docs, integers in the model.
from negotiation_sim.codes import PRECONDITIONS, TALKS_LEVELS, Codes
from negotiation_sim.errors import ScenarioError, allowed_text, check_value

SEED_2022 = "000_86765be9c3ba85b9.txt"
SEED_2017 = "003_184512813cdc3250.txt"

#: The dated record of 2017 and 2022 (``data/records``), for quotations from its events.
RECORD = "timeline_2017_2022.csv"

#: What part a parameter plays, and what each part means. One model serves every year: its
#: `behaviour` is calibrated jointly over the historical scenarios; a scenario sets the
#: `context` of its period from the record; a user varies `policy` to ask "what if".
ROLE_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "behaviour": (
            "how an actor decides (propensities, weights, rates, thresholds, decay times) or a "
            "constant of the model world: one value for all years, calibrated jointly"
        ),
        "context": (
            "the world of a period (stances, relations, enforcement, trade shares, vetoes, "
            "what weapons exist): set by a scenario from the record, with a source"
        ),
        "policy": (
            "a lever a user varies to ask what if (precondition, pause days, inducement, "
            "coherence, pressure, honouring a pause, ...)"
        ),
    }
)
#: The roles a parameter may have, in the order docs list them.
ROLES: tuple[str, ...] = tuple(ROLE_MEANINGS)


@dataclass(frozen=True)
class Parameter:
    """One model parameter: what it is, where it may go, and why it exists."""

    name: str
    default: float | int | str | bool
    low: float | int | None
    high: float | int | None
    unit: str
    mechanisms: tuple[str, ...]
    source: str
    quote: str
    doc: str
    role: str  # one of ROLES: behaviour | context | policy
    kind: str = "real"  # real | integer | choice | flag
    choices: tuple[str, ...] = field(default=())
    #: Whether the default comes from the joint calibration (``data/calibrated.toml``).
    calibrated: bool = False

    def __post_init__(self) -> None:
        if self.kind == "choice" and not isinstance(self.choices, Codes):
            # The choices are codes: names in files and docs, integers in the model.
            object.__setattr__(self, "choices", Codes(self.name, self.choices))
        if self.role not in ROLES:
            raise ScenarioError(
                "<parameters>",
                f"{self.name}.role",
                self.role,
                "allowed: one of " + ", ".join(repr(r) for r in ROLES),
            )

    @property
    def actor(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def is_continuous(self) -> bool:
        return self.kind == "real"

    def range_text(self) -> str:
        """The values this parameter accepts, in words (the reference's range column): e.g.
        ``a finite number in [0.0, 1.0]``, ``one of 'working', 'leader'``."""
        return allowed_text(self.kind, self.low, self.high, self.choices)

    def allowed(self) -> str:
        """Say in words what values this parameter accepts, as error messages do: the
        `range_text` with the unit of a number."""
        return "allowed: " + allowed_text(self.kind, self.low, self.high, self.choices, self.unit)

    def validate(self, value: object, source: str = "<parameters>") -> object:
        """Return ``value`` normalised, or raise `ScenarioError` naming what is wrong.

        Scalars and one-dimensional sequences (lists, tuples, numpy arrays, pandas Series: one
        value per replicate) are accepted.
        """
        if not _is_sequence(value):
            return self._validate_scalar(value, source)
        values = _as_array(value)
        if values is None or values.ndim != 1 or values.size == 0:
            raise ScenarioError(
                source,
                self.name,
                value,
                "allowed: a scalar or a non-empty 1-D sequence; " + self.allowed(),
            )
        if self.kind in ("real", "integer") and values.dtype.kind in "iuf":
            return self._validate_numbers(values, source)
        checked = [self._validate_scalar(v, source) for v in values.tolist()]
        dtype = {"real": np.float64, "integer": np.int64, "flag": bool}.get(self.kind, object)
        return np.asarray(checked, dtype=dtype)

    def _validate_numbers(self, values: np.ndarray, source: str) -> np.ndarray:
        """A numeric array checked at once (sweeps pass one value per replicate)."""
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(values) | (values < self.low) | (values > self.high)
            if self.kind == "integer":
                bad |= values != np.round(values)
        if bad.any():
            raise ScenarioError(source, self.name, values[bad][0].item(), self.allowed())
        return values.astype(np.int64 if self.kind == "integer" else np.float64)

    def _validate_scalar(self, value: object, source: str) -> object:
        return check_value(
            source, self.name, value, self.kind, self.low, self.high, self.unit, self.choices
        )


def _number(kind, cast, name, default, low, high, unit, mechanisms, source, quote, doc, *, role):
    """A numeric entry: ``mechanisms`` as one space-separated string, numbers cast once."""
    return Parameter(
        name,
        cast(default),
        cast(low),
        cast(high),
        unit,
        tuple(mechanisms.split()),
        source,
        quote,
        doc,
        role=role,
        kind=kind,
    )


_real = partial(_number, "real", float)
_int = partial(_number, "integer", int)


_ENTRIES = (
    # --- Washington -------------------------------------------------------------------------
    Parameter(
        "washington.precondition",
        "test_pause",
        None,
        None,
        "category",
        ("M1", "M19"),
        SEED_2017,
        "only after they showed their seriousness by imposing a pause",
        "What Pyongyang must do before direct talks: nothing, a test pause of "
        "`washington.pause_days`, behaviour change (`washington.behaviour_days` without "
        "tests), or accept denuclearization as the aim.",
        kind="choice",
        choices=PRECONDITIONS,
        role="policy",
    ),
    _int(
        "washington.pause_days",
        60,
        7,
        180,
        "days",
        "M1 M2",
        SEED_2017,
        "halted all nuclear and missile tests for sixty days",
        "Length of the test pause that opens direct talks under `test_pause`.",
        role="policy",
    ),
    _int(
        "washington.behaviour_days",
        150,
        30,
        365,
        "days",
        "M1",
        SEED_2017,
        "the North would first have to change its behavior",
        "Days without tests Washington reads as behaviour change under `behaviour_change`.",
        role="policy",
    ),
    Parameter(
        "washington.talks_level",
        "working",
        None,
        None,
        "category",
        ("M17",),
        SEED_2022,
        "would begin at a level lower than a direct meeting between Biden and Kim",
        "The level at which Washington offers talks.",
        kind="choice",
        choices=TALKS_LEVELS,
        role="policy",
    ),
    _real(
        "washington.pressure",
        0.7,
        0,
        1,
        "share",
        "M3",
        SEED_2017,
        "not going to take their foot off the gas",
        "Pressure-mindedness: scales the chance of answering provocations with sanctions.",
        role="policy",
    ),
    _real(
        "washington.response_rate",
        0.15,
        0.01,
        1,
        "1/day",
        "M3 M13",
        SEED_2017,
        "a new round of sanctions",
        "Daily chance of a sanctions round while a provocation is unanswered, at full "
        "pressure and attention.",
        role="behaviour",
    ),
    _real(
        "washington.campaign",
        0.05,
        0,
        1,
        "share",
        "M3",
        SEED_2017,
        "the White House believes the sanctions are working",
        "Unprovoked rounds relative to provoked ones, scaled by the economic pain Washington "
        "sees (it keeps going while pressure seems to work).",
        role="behaviour",
    ),
    _real(
        "washington.sanction_step",
        0.08,
        0,
        0.5,
        "share of gap",
        "M3 M5",
        SEED_2017,
        "imposed a new round of sanctions",
        "Rise of the unilateral sanctions level per round, as a share of the distance to 1.",
        role="behaviour",
    ),
    _real(
        "washington.restraint",
        0.3,
        0,
        1,
        "share",
        "M2 M18",
        SEED_2017,
        "Instead of talks ... it got slapped with a fresh round of U.S. sanctions",
        "How far Washington holds sanctions while it believes Pyongyang is pausing or talking "
        "(1: never sanctions a pause it perceives).",
        role="behaviour",
    ),
    Parameter(
        "washington.honor_pause",
        False,
        None,
        None,
        "flag",
        ("M2",),
        SEED_2017,
        "reneged on a pledge made earlier this fall to to restart talks",
        "Washington withholds every sanctions round, its own and scheduled ones, while "
        "Pyongyang keeps a pledged pause or has gone `washington.pause_days` without "
        "testing.",
        kind="flag",
        role="policy",
    ),
    _real(
        "washington.coherence",
        0.5,
        0,
        1,
        "share",
        "M8",
        SEED_2017,
        "needs to get on the same song sheet",
        "Share of Washington's voices that agree; contradictions arise from the rest.",
        role="policy",
    ),
    _real(
        "washington.mixed_signal_rate",
        0.03,
        0,
        0.2,
        "1/day",
        "M8",
        SEED_2017,
        "sending mixed signals",
        "Daily rate of contradicting statements at zero coherence.",
        role="behaviour",
    ),
    _real(
        "washington.mixed_signal_hit",
        0.4,
        0,
        1,
        "share",
        "M8",
        SEED_2017,
        "only undermining Secretary Tillerson's effort",
        "Share of an offer's credibility lost per contradiction.",
        role="behaviour",
    ),
    _real(
        "washington.hawkishness",
        0.5,
        0,
        1,
        "share",
        "M9 M15",
        SEED_2017,
        "more inclined to potential military action",
        "Weight of officials favouring threats and military options.",
        role="policy",
    ),
    _real(
        "washington.threat_rate",
        0.01,
        0,
        0.1,
        "1/day",
        "M9",
        SEED_2017,
        'threatened to "totally destroy" North Korea',
        "Daily chance of a public threat at full hawkishness and full tension.",
        role="behaviour",
    ),
    _real(
        "washington.reassurance",
        0.5,
        0,
        1,
        "probability",
        "M16",
        SEED_2022,
        "emphasize American commitment to its allies in the region",
        "Chance that Washington answers a test by visibly reassuring its allies.",
        role="behaviour",
    ),
    _real(
        "washington.inducement",
        0.0,
        0,
        1,
        "share",
        "M7",
        SEED_2022,
        "are we willing to essentially pay them to come to the table?",
        "Readiness to pay for talks: 0 never pays; higher values let tests raise the offer.",
        role="policy",
    ),
    _real(
        "washington.inducement_step",
        0.1,
        0,
        0.5,
        "share of gap",
        "M7",
        SEED_2022,
        "to extract concessions from the United States",
        "How much one launch day raises the inducement on offer when Washington pays.",
        role="behaviour",
    ),
    _real(
        "washington.misread_noise",
        0.3,
        0,
        2,
        "sd",
        "M18",
        SEED_2022,
        "our track record of understanding those ahead of time is not always so great",
        "Noise in Washington's daily reading of whether Pyongyang is cooperating.",
        role="behaviour",
    ),
    _real(
        "washington.learning_rate",
        0.1,
        0.01,
        1,
        "share/day",
        "M18",
        SEED_2022,
        "officials are confident their messages are being received",
        "Weight Washington gives each day's reading when updating its belief.",
        role="behaviour",
    ),
    _real(
        "washington.distraction",
        0.0,
        0,
        0.9,
        "share",
        "M13",
        SEED_2022,
        "Biden is focused on another international crisis",
        "Share of Washington's attention taken by other business, before any Russian crisis.",
        role="context",
    ),
    _real(
        "washington.min_attention",
        0.05,
        0.01,
        0.5,
        "share",
        "M13",
        SEED_2022,
        "officials are eager for talks at a lower level",
        "Attention Washington keeps for Pyongyang however distracted it is.",
        role="behaviour",
    ),
    _real(
        "washington.initiative_rate",
        0.004,
        0,
        0.05,
        "1/day",
        "M13 M14",
        SEED_2017,
        "the administration's most direct overture for talks yet",
        "Daily rate of a new or restated offer of talks at full attention.",
        role="behaviour",
    ),
    _real(
        "washington.runway_urgency",
        1.0,
        0,
        3,
        "multiplier",
        "M14",
        SEED_2017,
        "unclear there's enough runway left",
        "How much Pyongyang's capability raises Washington's rate of initiatives.",
        role="behaviour",
    ),
    _real(
        "washington.un_blessing",
        0.7,
        0,
        1,
        "probability",
        "M10",
        SEED_2017,
        "gave enough encouragement for Guterres to dispatch Feltman",
        "Chance that Washington blesses a proposed UN envoy mission; it answers the day after "
        "the proposal, and a refusal ends that proposal.",
        role="policy",
    ),
    # --- Pyongyang --------------------------------------------------------------------------
    _real(
        "pyongyang.test_propensity",
        0.03,
        0.002,
        0.3,
        "1/day",
        "M6",
        SEED_2022,
        "testing missiles at a hurried clip",
        "Daily hazard of a launch day per system's worth of need to test (M14), before "
        "momentum and restraint.",
        role="behaviour",
    ),
    # M14: the systems in development in a period are context (what Pyongyang was building
    # then, from the record); how fast tests complete them and how much need remains once
    # they are fielded is behaviour.
    _real(
        "pyongyang.developing_srbm",
        1.0,
        0,
        10,
        "systems",
        "M6 M14",
        SEED_2022,
        "a variety of systems that have tended to be shorter range systems up until now",
        "Short-range systems in development at the start: their tests are still to come.",
        role="context",
    ),
    _real(
        "pyongyang.developing_mrbm",
        0.0,
        0,
        10,
        "systems",
        "M6 M14",
        SEED_2022,
        "shorter range systems up until now",
        "Medium-range systems in development at the start.",
        role="context",
    ),
    _real(
        "pyongyang.developing_irbm",
        0.0,
        0,
        10,
        "systems",
        "M6 M14",
        SEED_2022,
        "an intermediate range ballistic missile",
        "Intermediate-range systems in development at the start.",
        role="context",
    ),
    _real(
        "pyongyang.developing_icbm",
        0.0,
        0,
        10,
        "systems",
        "M6 M14",
        SEED_2017,
        "the latest milestones in long-range missile development",
        "ICBM systems in development at the start.",
        role="context",
    ),
    _real(
        "pyongyang.developing_hgv",
        0.0,
        0,
        10,
        "systems",
        "M6 M14",
        SEED_2022,
        "They've claimed a hypersonic glide vehicle",
        "Claimed hypersonic systems in development at the start.",
        role="context",
    ),
    _real(
        "pyongyang.development_per_test",
        0.2,
        0,
        1,
        "systems per launch day",
        "M14",
        SEED_2022,
        "validate and refine its weapons systems",
        "Share of one system's development that a launch day of its class completes; a system "
        "is fielded, and needs no more tests, when its share reaches zero (0: tests never "
        "complete anything).",
        role="behaviour",
    ),
    _real(
        "pyongyang.demonstration_need",
        0.5,
        0,
        5,
        "systems",
        "M6 M14",
        SEED_2022,
        "testing its latest systems as a demonstration of its capabilities",
        "Baseline need to demonstrate fielded systems, in systems' worth: short-range shows "
        "and drills that go on when nothing is in development.",
        role="behaviour",
    ),
    _real(
        "pyongyang.clustering",
        1.5,
        0,
        6,
        "multiplier",
        "M6",
        SEED_2022,
        "A string of provocations",
        "Rise of the launch hazard (as a multiple of baseline) after each launch day.",
        role="behaviour",
    ),
    _int(
        "pyongyang.momentum_days",
        10,
        1,
        60,
        "days",
        "M6",
        SEED_2022,
        "the latest round of launches",
        "Decay time of the momentum that clusters tests.",
        role="behaviour",
    ),
    _real(
        "pyongyang.salvo",
        0.3,
        0,
        0.9,
        "probability",
        "M6",
        SEED_2022,
        "the latest round of launches",
        "Chance that a short-range (SRBM or MRBM) launch day carries one more missile "
        "(geometric salvo size); the record's longer-range missiles fly alone.",
        role="behaviour",
    ),
    _real(
        "pyongyang.nuclear_propensity",
        0.001,
        0,
        0.02,
        "1/day",
        "M6",
        SEED_2017,
        "halted all nuclear and missile tests",
        "Baseline daily hazard of a nuclear test, a separate and rarer decision.",
        role="behaviour",
    ),
    _real(
        "pyongyang.talks_restraint",
        0.15,
        0,
        1,
        "multiplier",
        "M6 M17",
        SEED_2022,
        "the pre-steps to a negotiation",
        "Multiplier on test hazards while talks (working level or summit) run.",
        role="behaviour",
    ),
    _real(
        "pyongyang.pause_restraint",
        0.1,
        0,
        1,
        "multiplier",
        "M2",
        SEED_2017,
        "if it halted all nuclear and missile tests for sixty days",
        "Multiplier on test hazards while Pyongyang keeps a pledged pause.",
        role="behaviour",
    ),
    _real(
        "pyongyang.capability_gain",
        0.02,
        0,
        0.1,
        "per missile",
        "M14 M6",
        SEED_2022,
        "validate and refine its weapons systems",
        "Capability gained per short-range missile flown, as a share of the remaining gap.",
        role="behaviour",
    ),
    _real(
        "pyongyang.icbm_weight",
        3.0,
        1,
        10,
        "multiplier",
        "M14",
        SEED_2017,
        "the latest milestones in long-range missile development",
        "Capability gained by an ICBM flight relative to a short-range missile; IRBM and "
        "hypersonic flights count half-way between.",
        role="behaviour",
    ),
    _real(
        "pyongyang.nuclear_weight",
        6.0,
        1,
        20,
        "multiplier",
        "M14",
        SEED_2017,
        "halted all nuclear and missile tests",
        "Capability gained by a nuclear test relative to a short-range missile.",
        role="behaviour",
    ),
    _int(
        "pyongyang.max_salvo",
        10,
        1,
        20,
        "missiles",
        "M6",
        SEED_2022,
        "the latest round of launches",
        "Most missiles launched on one day.",
        role="behaviour",
    ),
    _real(
        "pyongyang.protest",
        1.0,
        0,
        5,
        "multiplier",
        "M3 M4 M6",
        SEED_2017,
        "to protest U.N. sanctions",
        "Need to demonstrate (systems' worth of short-range shows) a new sanctions measure "
        "adds, decaying over protest_days; it also multiplies the nuclear hazard by 1 + it.",
        role="behaviour",
    ),
    _int(
        "pyongyang.protest_days",
        14,
        1,
        90,
        "days",
        "M3 M4 M6",
        SEED_2017,
        "Before the month was over, North Korea launched",
        "Decay time of the protest impulse.",
        role="behaviour",
    ),
    _real(
        "pyongyang.retaliation",
        3.0,
        0,
        10,
        "multiplier",
        "M2",
        SEED_2017,
        "Instead of talks, North Korea says, it got slapped with a fresh round of U.S. sanctions",
        "Need to demonstrate with ICBM flights (systems' worth) after Washington reneges on a "
        "pause, decaying over retaliation_days; it also multiplies the nuclear hazard by 1 + it.",
        role="behaviour",
    ),
    _int(
        "pyongyang.retaliation_days",
        45,
        7,
        120,
        "days",
        "M2",
        SEED_2017,
        "launched its most powerful intercontinental ballistic missile ever",
        "Decay time of the retaliation impulse.",
        role="behaviour",
    ),
    _real(
        "pyongyang.extortion",
        1.5,
        0,
        5,
        "multiplier",
        "M7",
        SEED_2022,
        "could be designed to extract concessions from the United States",
        "Need to demonstrate (systems' worth of short-range shows) before talks per unit of "
        "Washington's readiness to pay: tests raise the price.",
        role="behaviour",
    ),
    _real(
        "pyongyang.willingness_bias",
        -5.5,
        -8,
        2,
        "logit",
        "M10",
        SEED_2017,
        "see little point in discussions with the United States",
        "Baseline log-odds of willingness to talk with Washington.",
        role="behaviour",
    ),
    _real(
        "pyongyang.trust_weight",
        3.0,
        0,
        10,
        "logit",
        "M2 M8",
        SEED_2017,
        "waiting to see how serious the United States really is",
        "Log-odds of willingness per unit of trust in Washington.",
        role="behaviour",
    ),
    _real(
        "pyongyang.pain_weight",
        2.0,
        0,
        10,
        "logit",
        "M5",
        SEED_2017,
        "They may be beginning to feel the pressure pinch",
        "Log-odds of willingness per unit of economic pain.",
        role="behaviour",
    ),
    _real(
        "pyongyang.capability_weight",
        2.0,
        0,
        10,
        "logit",
        "M14",
        SEED_2017,
        "North Korea may be ready to come to the table",
        "Log-odds of willingness per unit of capability (negotiating from strength).",
        role="behaviour",
    ),
    _real(
        "pyongyang.tension_weight",
        1.5,
        0,
        10,
        "logit",
        "M9 M15",
        SEED_2017,
        "calm the war of words between Trump and Kim",
        "Log-odds of willingness lost per unit of tension.",
        role="behaviour",
    ),
    _real(
        "pyongyang.chill_weight",
        2.0,
        0,
        10,
        "logit",
        "M9",
        SEED_2017,
        "interest in talks had already cooled",
        "Log-odds of willingness lost per unit of the chill that threats leave.",
        role="behaviour",
    ),
    _int(
        "pyongyang.chill_days",
        45,
        1,
        180,
        "days",
        "M9",
        SEED_2017,
        "interest in talks had already cooled",
        "Decay time of the chill after a threat.",
        role="behaviour",
    ),
    _real(
        "pyongyang.pressure_weight",
        2.0,
        0,
        10,
        "logit",
        "M11",
        SEED_2017,
        "getting more pressure from the Chinese",
        "Log-odds of willingness per unit of Beijing's envoy pressure.",
        role="behaviour",
    ),
    _real(
        "pyongyang.pressure_restraint",
        0.5,
        0,
        1,
        "share",
        "M11",
        SEED_2017,
        "getting more pressure from the Chinese",
        "How far full Beijing pressure lowers the test hazard.",
        role="behaviour",
    ),
    _real(
        "pyongyang.inducement_weight",
        3.0,
        0,
        10,
        "logit",
        "M7",
        SEED_2022,
        "pay them to come to the table",
        "Log-odds of willingness per unit of inducement on offer.",
        role="behaviour",
    ),
    _real(
        "pyongyang.un_openness",
        2.5,
        0,
        6,
        "logit",
        "M10 M19",
        SEED_2017,
        "open to continuing discussions with the United Nations",
        "Extra log-odds of talking through the UN, which needs no trust in Washington.",
        role="behaviour",
    ),
    _real(
        "pyongyang.un_tension_share",
        0.5,
        0,
        1,
        "share",
        "M10",
        SEED_2017,
        "envisioning it as a way to calm the war of words",
        "Share of the tension weight that the UN channel feels.",
        role="behaviour",
    ),
    _real(
        "pyongyang.contact_rate",
        0.15,
        0,
        1,
        "probability",
        "M10",
        SEED_2017,
        "messages ... through a number of intermediaries",
        "Chance per open channel-day that a willing Pyongyang makes contact.",
        role="behaviour",
    ),
    _real(
        "pyongyang.accept_rate",
        0.05,
        0,
        1,
        "probability",
        "M1 M17",
        SEED_2022,
        "still await a response from North Korea",
        "Daily chance that a fully willing Pyongyang accepts a valid offer of talks.",
        role="behaviour",
    ),
    _real(
        "pyongyang.pledge_rate",
        0.05,
        0,
        0.5,
        "probability",
        "M2",
        SEED_2017,
        "Yun's proposal ... a voluntary moratorium",
        "Daily chance that a fully willing Pyongyang pledges the pause an offer asks for.",
        role="behaviour",
    ),
    _int(
        "pyongyang.signal_wait_days",
        4,
        0,
        30,
        "days",
        "M8",
        SEED_2017,
        "wait a few days to see if this is a genuine signal",
        "Days Pyongyang waits after an offer or contradiction before acting on it.",
        role="behaviour",
    ),
    _real(
        "pyongyang.summit_preference",
        0.5,
        0,
        1,
        "share",
        "M17",
        SEED_2022,
        "the idea that this can only be done at that level, we reject",
        "Pyongyang's preference for leader-level talks (0: working level suits it).",
        role="behaviour",
    ),
    _real(
        "pyongyang.level_mismatch",
        0.6,
        0,
        1,
        "share",
        "M17",
        SEED_2022,
        "we reject. I think that that's not serious",
        "Share of acceptance lost per unit of mismatch in preferred level.",
        role="behaviour",
    ),
    _real(
        "pyongyang.red_line_leak",
        0.01,
        0,
        0.2,
        "share",
        "M19",
        SEED_2017,
        "would not enter into talks ... if Washington sought to make North Korea give up",
        "Share of acceptance left when Washington's stated aim is denuclearization.",
        role="behaviour",
    ),
    _real(
        "pyongyang.walkout",
        0.4,
        0,
        1,
        "probability",
        "M20",
        SEED_2017,
        "withdrew from those discussions in April 2009 to protest U.N. sanctions",
        "Chance of walking out of talks the day after new sanctions.",
        role="behaviour",
    ),
    _real(
        "pyongyang.collapse_rate",
        0.004,
        0,
        0.05,
        "1/day",
        "M17",
        SEED_2017,
        "it's unclear if there's a negotiating partner",
        "Baseline daily hazard that talks break down.",
        role="behaviour",
    ),
    _real(
        "pyongyang.fragility",
        0.03,
        0,
        0.2,
        "1/day",
        "M7",
        SEED_2022,
        "you can be pretty sure that they're not going to stay there",
        "Extra daily collapse hazard per unit of inducement that bought the talks.",
        role="behaviour",
    ),
    _real(
        "pyongyang.summit_rate",
        0.003,
        0,
        0.05,
        "1/day",
        "M17",
        SEED_2022,
        "a direct meeting between Biden and Kim",
        "Daily chance, at full trust, that working-level talks rise to a summit; doubled when "
        "Washington offers leader-level talks.",
        role="behaviour",
    ),
    _real(
        "pyongyang.contact_lapse",
        0.01,
        0,
        0.2,
        "1/day",
        "M10",
        SEED_2017,
        "put the whole issue of contacts with the Americans on hold",
        "Daily chance that contact without talks lapses.",
        role="behaviour",
    ),
    _real(
        "pyongyang.trust_gain",
        0.004,
        0,
        0.05,
        "1/day",
        "M17",
        SEED_2017,
        "to restart great-power talks",
        "Daily trust gained, as a share of the gap, while talks run.",
        role="behaviour",
    ),
    _real(
        "pyongyang.renege_trust_hit",
        0.6,
        0,
        1,
        "share",
        "M2",
        SEED_2017,
        "Washington reneged on a pledge",
        "Share of trust lost when Washington sanctions a pledged pause.",
        role="behaviour",
    ),
    _real(
        "pyongyang.threat_trust_hit",
        0.15,
        0,
        1,
        "share",
        "M9",
        SEED_2017,
        'threatened to "totally destroy" North Korea',
        "Share of trust lost per threat.",
        role="behaviour",
    ),
    _real(
        "pyongyang.sanction_trust_hit",
        0.05,
        0,
        1,
        "share",
        "M3",
        SEED_2017,
        "continued U.S. and U.N. sanctions",
        "Share of trust lost per new sanctions measure.",
        role="behaviour",
    ),
    # --- Beijing ----------------------------------------------------------------------------
    _real(
        "beijing.enforcement",
        0.5,
        0,
        1,
        "share",
        "M5 M11",
        SEED_2017,
        "tightening the screws",
        "How strictly Beijing enforces sanctions (the largest share of the pain).",
        role="context",
    ),
    _real(
        "beijing.trade_share",
        0.6,
        0,
        1,
        "share",
        "M5",
        SEED_2017,
        "getting more pressure from the Chinese",
        "Weight of Beijing's enforcement in how multilateral sanctions bite.",
        role="context",
    ),
    _real(
        "beijing.shield",
        0.05,
        0,
        1,
        "probability",
        "M4",
        SEED_2017,
        "continued U.S. and U.N. sanctions",
        "Chance that Beijing vetoes a sanctions draft.",
        role="context",
    ),
    _real(
        "beijing.envoy_rate",
        0.004,
        0,
        0.05,
        "1/day",
        "M11",
        SEED_2017,
        "Chinese envoy Song Tao, who visited Pyongyang in November",
        "Daily rate of envoy visits at full tension.",
        role="behaviour",
    ),
    _real(
        "beijing.envoy_success",
        0.4,
        0,
        1,
        "probability",
        "M11",
        SEED_2017,
        'a "failed" effort to start talks',
        "Chance that a visit presses home, at full enforcement.",
        role="behaviour",
    ),
    _real(
        "beijing.leverage",
        0.5,
        0,
        1,
        "share",
        "M11",
        SEED_2017,
        "they are undoubtedly getting more pressure from the Chinese",
        "How far a visit's success depends on enforcement: success chance is envoy_success "
        "times (1 - leverage + leverage * enforcement).",
        role="behaviour",
    ),
    _real(
        "beijing.pressure_strength",
        0.6,
        0,
        1,
        "share",
        "M11",
        SEED_2017,
        "getting more pressure from the Chinese",
        "Pressure a successful visit adds, scaled by enforcement.",
        role="behaviour",
    ),
    _int(
        "beijing.pressure_days",
        30,
        1,
        120,
        "days",
        "M11",
        SEED_2017,
        "getting more pressure from the Chinese",
        "Decay time of Beijing's envoy pressure.",
        role="behaviour",
    ),
    # --- Moscow -----------------------------------------------------------------------------
    _real(
        "moscow.us_relations",
        0.5,
        0,
        1,
        "share",
        "M12",
        SEED_2022,
        "the buildup of Russian troops along Ukraine's border",
        "State of US–Russia relations (1: good).",
        role="context",
    ),
    _real(
        "moscow.shield",
        0.05,
        0,
        1,
        "probability",
        "M4 M12",
        SEED_2017,
        "to protest U.N. sanctions",
        "Chance that Moscow vetoes a sanctions draft when relations are good.",
        role="context",
    ),
    _real(
        "moscow.rivalry_veto",
        0.3,
        0,
        1,
        "probability",
        "M12",
        SEED_2022,
        "another international crisis",
        "Extra veto chance per unit of worsening in US–Russia relations.",
        role="behaviour",
    ),
    _real(
        "moscow.enforcement",
        0.5,
        0,
        1,
        "share",
        "M5 M12",
        SEED_2017,
        "she met with Russian officials",
        "Moscow's enforcement when relations are good; it falls as they sour.",
        role="context",
    ),
    _real(
        "moscow.trade_share",
        0.1,
        0,
        1,
        "share",
        "M5 M12",
        SEED_2017,
        "she met with Russian officials",
        "Weight of Moscow's enforcement in how multilateral sanctions bite.",
        role="context",
    ),
    _real(
        "moscow.intermediary_rate",
        0.003,
        0,
        0.05,
        "1/day",
        "M10 M12",
        SEED_2017,
        'Choe "met with Russian officials"',
        "Daily rate of intermediary contacts hosted by Moscow.",
        role="behaviour",
    ),
    _real(
        "moscow.distraction_weight",
        0.5,
        0,
        0.9,
        "share",
        "M12 M13",
        SEED_2022,
        "Biden is focused on another international crisis",
        "Share of Washington's attention a Russian crisis takes.",
        role="behaviour",
    ),
    # --- United Nations ---------------------------------------------------------------------
    Parameter(
        "un.channel_open",
        True,
        None,
        None,
        "flag",
        ("M10", "M15"),
        SEED_2017,
        "open to continuing discussions with the United Nations",
        "Whether the UN channel to Pyongyang exists at all.",
        kind="flag",
        role="policy",
    ),
    _real(
        "un.proposal_rate",
        0.01,
        0,
        0.1,
        "1/day",
        "M10",
        SEED_2017,
        "the U.N. chief broached the idea of sending a personal envoy",
        "Daily rate at which the Secretary-General proposes an envoy while none is blessed.",
        role="behaviour",
    ),
    _real(
        "un.envoy_rate",
        0.005,
        0,
        0.05,
        "1/day",
        "M10",
        SEED_2017,
        "dispatch Feltman on a three-day trip to Pyongyang",
        "Daily rate of envoy missions once Washington has blessed them.",
        role="behaviour",
    ),
    _int(
        "un.envoy_days",
        21,
        1,
        90,
        "days",
        "M10 M15",
        SEED_2017,
        "a three-day trip to Pyongyang",
        "Days a mission keeps the UN channel active (the trip and its follow-up).",
        role="behaviour",
    ),
    _real(
        "un.crisis_relief",
        0.6,
        0,
        1,
        "share",
        "M15",
        SEED_2017,
        'to "prevent miscalculations" that could lead to war',
        "Share of crisis hazard removed while the UN channel is active.",
        role="behaviour",
    ),
    _real(
        "un.draft_prob",
        0.2,
        0,
        1,
        "1/day",
        "M4",
        SEED_2017,
        "continued U.S. and U.N. sanctions",
        "Daily chance, while a major test (ICBM or nuclear) is unanswered by a draft and no "
        "vote is pending, that a sanctions draft is tabled, before vetoes deter drafting "
        "(`un.veto_deterrence`).",
        role="behaviour",
    ),
    _real(
        "un.veto_deterrence",
        0.5,
        0,
        1,
        "share",
        "M4",
        RECORD,
        "draft UNSC sanctions resolution vetoed by China and Russia (13-2)",
        "Share of the chance of a draft that each veto earlier in the run removes: sponsors do "
        "not table drafts they expect to see vetoed (after 26 May 2022 no draft came to a vote).",
        role="behaviour",
    ),
    _real(
        "un.vote_delay_days",
        14,
        2,
        60,
        "days",
        "M4",
        SEED_2017,
        "to protest U.N. sanctions",
        "Mean days from a major test to the vote (uniform on half to one and a half times).",
        role="behaviour",
    ),
    _real(
        "un.resolution_step",
        0.1,
        0,
        0.5,
        "share of gap",
        "M4",
        SEED_2017,
        "continued U.S. and U.N. sanctions",
        "Rise of the multilateral sanctions level per resolution, as a share of the gap.",
        role="behaviour",
    ),
    # --- the world between them -------------------------------------------------------------
    _real(
        "world.us_reach",
        0.3,
        0,
        1,
        "share",
        "M3 M5",
        SEED_2017,
        "the Trump administration has done a pretty good job of tightening the screws",
        "How much unilateral US sanctions bite on their own.",
        role="context",
    ),
    _real(
        "world.other_enforcement",
        0.6,
        0,
        1,
        "share",
        "M5",
        SEED_2017,
        "continued U.S. and U.N. sanctions",
        "Enforcement by everyone other than Beijing and Moscow.",
        role="context",
    ),
    _real(
        "world.pain_rate",
        0.02,
        0.001,
        0.2,
        "1/day",
        "M5",
        SEED_2017,
        "beginning to feel the pressure pinch",
        "Daily share of the gap between pain and its sanctions-implied level that closes.",
        role="behaviour",
    ),
    _real(
        "world.tension_decay",
        0.02,
        0,
        0.2,
        "1/day",
        "M9 M15",
        SEED_2017,
        "calm the war of words",
        "Daily share of tension that fades.",
        role="behaviour",
    ),
    _real(
        "world.talks_calm",
        0.02,
        0,
        0.2,
        "1/day",
        "M15 M17",
        SEED_2017,
        'there could "only be a diplomatic solution"',
        "Extra daily share of tension that fades while talks run.",
        role="behaviour",
    ),
    _real(
        "world.tension_launch",
        0.06,
        0,
        0.5,
        "share of gap",
        "M6 M15",
        SEED_2022,
        "have unnerved US allies",
        "Tension a launch day adds.",
        role="behaviour",
    ),
    _real(
        "world.tension_major",
        0.2,
        0,
        0.8,
        "share of gap",
        "M6 M15",
        SEED_2017,
        "capable of traversing the American mainland",
        "Extra tension an ICBM flight or nuclear test adds.",
        role="behaviour",
    ),
    _real(
        "world.tension_threat",
        0.1,
        0,
        0.5,
        "share of gap",
        "M9",
        SEED_2017,
        "a highly provocative address",
        "Tension a threat adds.",
        role="behaviour",
    ),
    _real(
        "world.tension_reassurance",
        0.03,
        0,
        0.3,
        "share of gap",
        "M16",
        SEED_2022,
        "a possible sign of larger tests to come",
        "Tension that reassuring allies adds.",
        role="behaviour",
    ),
    _real(
        "world.crisis_hazard",
        0.002,
        0,
        0.02,
        "1/day",
        "M15",
        SEED_2017,
        'prevent miscalculations" that could lead to war',
        "Daily hazard of a militarized crisis at full tension and neutral hawkishness.",
        role="behaviour",
    ),
    # --- Seoul ------------------------------------------------------------------------------
    Parameter(
        "seoul.stance",
        "engagement",
        None,
        None,
        "category",
        ("M10", "M16"),
        RECORD,
        "Moon Jae-in inaugurated as President of South Korea; engagement policy",
        "Seoul's stance towards Pyongyang: `engagement` (offers of inter-Korean talks, and a "
        "pull on Washington's offers) or `alignment` (shows of force with Washington after "
        "Pyongyang's tests).",
        kind="choice",
        choices=("engagement", "alignment"),
        role="context",
    ),
    _real(
        "seoul.talks_offer_rate",
        0.005,
        0,
        0.05,
        "1/day",
        "M10",
        RECORD,
        "Moon's Berlin speech proposes dialogue with Pyongyang",
        "Daily chance that an engaging Seoul offers inter-Korean talks when none stands.",
        role="behaviour",
    ),
    _int(
        "seoul.offer_days",
        60,
        7,
        365,
        "days",
        "M10",
        RECORD,
        "Seoul proposes inter-Korean military talks and Red Cross talks",
        "Days an offer of inter-Korean talks stays open as a channel for contact.",
        role="behaviour",
    ),
    _real(
        "seoul.channel_openness",
        0.5,
        0,
        1,
        "share",
        "M10",
        SEED_2017,
        "restart great-power talks with North Korea",
        "How open the inter-Korean channel is while Seoul's offer stands, against the UN's "
        "(1: as open as a UN mission).",
        role="behaviour",
    ),
    _real(
        "seoul.aid_weight",
        0.3,
        0,
        2,
        "log-odds",
        "M10",
        RECORD,
        "Seoul approves 8 million dollars of humanitarian aid through UN agencies",
        "Added to Pyongyang's willingness to talk (log-odds) by aid fully on offer.",
        role="behaviour",
    ),
    _int(
        "seoul.aid_days",
        90,
        7,
        365,
        "days",
        "M10",
        RECORD,
        "Yoon's 'audacious initiative': economic aid in return for denuclearization steps",
        "Decay time of an offer of aid's pull on Pyongyang.",
        role="behaviour",
    ),
    _int(
        "seoul.exercise_days",
        11,
        1,
        90,
        "days",
        "M16",
        RECORD,
        "Ulchi Freedom Guardian combined exercise begins (21-31 August)",
        "Days a combined exercise with Washington runs.",
        role="behaviour",
    ),
    _real(
        "seoul.threat_days",
        14.0,
        1.0,
        60.0,
        "days",
        "M16",
        RECORD,
        "US-ROK naval drills with the carrier Ronald Reagan (26-29 September)",
        "Decay time of the threat Pyongyang reads in an exercise once it has ended (in 2022 "
        "its answers to the drills of 26-29 September went on to 9 October).",
        role="behaviour",
    ),
    _real(
        "seoul.exercise_tension",
        0.03,
        0,
        0.3,
        "share of gap",
        "M16",
        SEED_2022,
        "steps meant to emphasize American commitment to its allies in the region",
        "Tension the start of a combined exercise adds (as reassurance does, M16).",
        role="behaviour",
    ),
    _real(
        "seoul.exercise_provocation",
        0.1,
        0,
        1,
        "1/day",
        "M16",
        SEED_2022,
        "a possible sign of larger tests to come",
        "Daily hazard of Pyongyang's answer to an exercise at its whole threat (1 when it "
        "begins, fading over seoul.threat_days): a test of what it is testing anyway, added "
        "to its launch hazard and to the excitement of its nuclear hazard.",
        role="behaviour",
    ),
    _real(
        "seoul.exercise_chill",
        0.2,
        0,
        2,
        "log-odds",
        "M16",
        SEED_2022,
        "which have unnerved US allies after a stretch of relative quiet",
        "Subtracted from Pyongyang's willingness to talk (log-odds) while an exercise runs.",
        role="behaviour",
    ),
    _real(
        "seoul.exercise_rate",
        0.1,
        0,
        1,
        "1/test",
        "M16",
        RECORD,
        "US-ROK naval drills with the carrier Ronald Reagan (26-29 September)",
        "Chance that an aligned Seoul answers a Pyongyang test with a show-of-force exercise.",
        role="behaviour",
    ),
    _real(
        "seoul.pull",
        0.3,
        0,
        3,
        "share",
        "M13",
        SEED_2022,
        "according to South Korea's President Moon Jae-in",
        "Relative rise in Washington's own offers of talks while Seoul engages.",
        role="behaviour",
    ),
)

#: The jointly calibrated behaviour, in the package's ``data`` folder: one value per behaviour
#: parameter for every year, written by `negotiation_sim.calibration` with its provenance.
CALIBRATED = "calibrated.toml"


def _read_calibrated() -> tuple[dict[str, float], dict[str, object], dict[str, object]]:
    """The calibrated values, the posterior's provenance and the point search's, checked
    against the entries above."""
    path = resources.files("negotiation_sim").joinpath("data", CALIBRATED)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = {p.name: p for p in _ENTRIES}
    values = data.get("values", {})
    for name, value in values.items():
        entry = entries.get(name)
        if entry is None or entry.role != "behaviour" or not entry.is_continuous:
            raise ScenarioError(
                CALIBRATED, name, value, "allowed: names of real-valued behaviour parameters"
            )
        entry._validate_scalar(value, CALIBRATED)
    return values, data.get("provenance", {}), data.get("search", {})


#: `PROVENANCE`: how the posterior behind the calibrated values was made; `SEARCH`: how the
#: point estimate of the parameters without a posterior was found.
_CALIBRATED_VALUES, PROVENANCE, SEARCH = _read_calibrated()
_ENTRIES = tuple(
    replace(p, default=float(_CALIBRATED_VALUES[p.name]), calibrated=True)
    if p.name in _CALIBRATED_VALUES
    else p
    for p in _ENTRIES
)

#: The registry: dotted name -> `Parameter`, in declaration order.
REGISTRY: Mapping[str, Parameter] = MappingProxyType({p.name: p for p in _ENTRIES})


def get(name: str, source: str = "<parameters>", value: object = None) -> Parameter:
    """Return the registry entry for ``name`` or raise `ScenarioError` listing close names.

    ``value`` is the value the user gave, named in the error message.
    """
    try:
        return REGISTRY[name]
    except KeyError:
        prefix = str(name).split(".", 1)[0]
        near = [n for n in REGISTRY if n.startswith(prefix + ".")] or list(REGISTRY)
        raise ScenarioError(
            source,
            name,
            value,
            "unknown parameter; allowed: a registry name such as "
            + ", ".join(near[:12])
            + (" ..." if len(near) > 12 else ""),
        ) from None


def _is_sequence(value: object) -> bool:
    """Whether ``value`` holds one value per replicate: a list, tuple or array-like (numpy
    array, pandas Series), not a string or a numpy scalar."""
    if isinstance(value, (str, bytes, np.generic)):
        return False
    return isinstance(value, (list, tuple)) or (hasattr(value, "__array__") and np.ndim(value) > 0)


def _as_array(value: object) -> np.ndarray | None:
    """A per-replicate sequence as an array, or None when numpy cannot make one of it (ragged
    or absurdly nested lists)."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError, RecursionError):
        return None


def defaults() -> dict[str, object]:
    """Every parameter at its default."""
    return {p.name: p.default for p in _ENTRIES}


def validate(values: Mapping[str, object], source: str = "<parameters>") -> dict[str, object]:
    """Validate a mapping of dotted names to values; return it normalised."""
    if not isinstance(values, Mapping):
        raise ScenarioError(
            source,
            "params",
            values,
            "allowed: a mapping of registry names to values, e.g. {'beijing.enforcement': 0.9}",
        )
    return {
        name: get(name, source, value).validate(value, source) for name, value in values.items()
    }


def continuous() -> list[Parameter]:
    """The parameters a sensitivity analysis varies continuously."""
    return [p for p in _ENTRIES if p.is_continuous]


def with_role(role: str) -> list[Parameter]:
    """The parameters of one role (`ROLES`: ``"behaviour"``, ``"context"`` or ``"policy"``),
    in registry order."""
    if role not in ROLES:
        raise ScenarioError(
            "<parameters>", "role", role, "allowed: one of " + ", ".join(repr(r) for r in ROLES)
        )
    return [p for p in _ENTRIES if p.role == role]


def for_mechanism(mechanism: str) -> list[Parameter]:
    """The parameters serving one mechanism id, e.g. ``"M2"``."""
    return [p for p in _ENTRIES if mechanism in p.mechanisms]
