"""The negotiation model: the registered actors, one day per step, many replicates at once.

Each day every actor decides from yesterday's state (``step``), the model resolves the joint
outcome (votes, reneging, the state of talks), every actor updates its own state
(``advance``), and the model updates the world between them (tension, crisis, economic pain)
and records. All state is arrays over replicates; a single run is ``replicates=1``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType, SimpleNamespace

import mesa
import numpy as np
import pandas as pd

from negotiation_sim import parameters as registry
from negotiation_sim import posterior
from negotiation_sim.actors import ACTORS, CHANNELS, HOOKS
from negotiation_sim.actors.base import CONTACT, NO_TALKS, ONE, SUMMIT, TALKS, ZERO, Actor
from negotiation_sim.actors.pyongyang import ICBM
from negotiation_sim.errors import ModelArgumentError, ScenarioError, check_integer
from negotiation_sim.outcomes import DAILY, OUTCOMES
from negotiation_sim.recording import (
    DailyRecord,
    EventLog,
    chronicle,
    daily_bytes_per_replicate_day,
    recorded_series,
)
from negotiation_sim.scenarios import Scenario, load_scenario
from negotiation_sim.streams import Streams, replicate_seeds

#: The most replicates one batched model takes (more: `negotiation_sim.sweeps`, in chunks).
MAX_REPLICATES = 100_000_000
#: Bytes of state per replicate, measured (benchmarks/bench_model.py); for the memory check.
STATE_BYTES_PER_REPLICATE = 2_300
#: Share of the machine's memory a model may plan to use before it refuses to start.
MEMORY_SHARE = 0.8
#: The world's own draws (the actors declare theirs).
WORLD_DRAWS = ("world.crisis",)


@dataclass(frozen=True, slots=True)
class Day:
    """The day's joint outcome in every replicate: what the actors' decisions came to.

    Built once a day by the model (`NegotiationModel.resolve`) from the actors' decisions;
    actors read it in ``advance`` (``model.today``) and in tomorrow's ``step``
    (``model.yesterday``). Arrays over replicates.
    """

    launch: np.ndarray  # Pyongyang launched missiles (M6)
    nuclear: np.ndarray  # ... or tested a nuclear device (M6)
    cls: np.ndarray  # the launch's missile class (`codes.MISSILE_CLASSES`)
    missiles: np.ndarray  # missiles launched (0 without a launch)
    icbm: np.ndarray  # ICBM flights
    tested: np.ndarray  # any test
    major: np.ndarray  # an ICBM flight or a nuclear test (M4)
    pledge_broken: np.ndarray  # a test or Washington's sanctions end a pledged pause (M2)
    pledge: np.ndarray  # a pause pledged today and not broken today (M2)
    contact: np.ndarray  # Pyongyang made contact (M10)
    previous_state: np.ndarray  # the state of talks before today (`codes.TALKS_STATES`)
    talks_state: np.ndarray  # ... and after
    in_talks: np.ndarray
    talks_started: np.ndarray
    talks_ended: np.ndarray  # collapsed or walked out of (M7, M17, M20)
    walkout: np.ndarray  # in protest at new sanctions (M20)
    us_round: np.ndarray  # a US sanctions round (M3)
    threat: np.ndarray  # M9
    reassure: np.ndarray  # M16
    offer: np.ndarray  # Washington offered or restated talks (M1)
    mixed_signal: np.ndarray  # M8
    blessed: np.ndarray  # Washington blessed a UN envoy (M10)
    back_channel: np.ndarray  # M10
    cn_envoy: np.ndarray  # M11
    ru_intermediary: np.ndarray  # M10, M12
    resolution_passed: np.ndarray  # M4
    resolution_vetoed: np.ndarray  # M4
    vetoers: np.ndarray  # who vetoed: Beijing 1 + Moscow 2 (`actors.united_nations.VETOERS`)
    new_sanctions: np.ndarray  # a US round or a passed resolution (M3, M4, M20)
    reneged: np.ndarray  # sanctions during a pledged pause (M2)
    cooperating: np.ndarray  # what Washington would see if it read Pyongyang right (M18)
    crisis: np.ndarray  # a militarized crisis broke out (M15)

    @classmethod
    def quiet(cls, replicates: int) -> Day:
        """A day on which nothing happened: the "yesterday" of the first day."""
        nothing = np.zeros(replicates, dtype=bool)
        nothing.flags.writeable = False
        return cls(**{f.name: nothing for f in fields(cls)})


class NegotiationModel(mesa.Model):
    """Diplomacy over North Korea's missile programme, batched over replicates.

    Args:
        scenario: a `Scenario`, a shipped scenario's name, or a path to a scenario file.
        replicates: number of replicates; their seeds derive from ``seed``.
        seed: the model seed (``None``: fresh entropy, recorded in ``model.seed``).
        seeds: run exactly these replicate seeds instead (overrides ``replicates``).
        params: parameter overrides (dotted names); scalars or one value per replicate.
        record_daily: keep daily series for ``daily()``: all (True), none (False, for large
            sweeps) or only the named ones (a sequence of names of `DAILY`).
        record_events: keep the event log for ``events()`` and ``chronicle()``.
        actors: replacement classes by actor key, e.g. ``{"washington": MyWashington}``;
            each must subclass the actor it replaces (see `ACTORS`).
        uncertainty: ``"none"`` runs the registry's behaviour (the posterior medians);
            ``"posterior"`` gives replicate i the packaged posterior's draw i (modulo its
            size), so results carry parameter uncertainty; a `Posterior` gives its own
            draws. Parameters set by ``params`` or by the scenario keep their values.
        posterior_rows: the posterior draw of each replicate (default: 0, 1, 2, ...), as a
            sweep gives every point the same draws.
    """

    #: The actor class of each key, in the order they are built: Pyongyang reads the others'
    #: state when it first weighs talks, so it comes last.
    ACTORS: Mapping[str, type[Actor]] = MappingProxyType({a.key: a for a in ACTORS})

    def __init__(
        self,
        scenario: Scenario | str = "pressure-2017",
        replicates: int = 1,
        seed: int | None = 0,
        *,
        seeds: Sequence[int] | None = None,
        params: Mapping[str, object] | None = None,
        record_daily: bool | Sequence[str] = True,
        record_events: bool = True,
        actors: Mapping[str, type[Actor]] | None = None,
        uncertainty: object = "none",
        posterior_rows: Sequence[int] | None = None,
    ) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        # Any size: numpy's SeedSequence takes it.
        check_integer("<model>", "seed", seed, 0, error=ModelArgumentError)
        super().__init__(rng=int(seed))
        self.seed = int(seed)
        self._negotiation_scenario = load_scenario(scenario)
        series = recorded_series(record_daily)
        recorded_days = self.scenario.horizon_days if series else 0
        self.seeds = _replicate_seeds(seed, replicates, seeds, recorded_days, series)
        self.replicates = self.seeds.size
        self.posterior = posterior.resolve(uncertainty)
        self.posterior_rows = self._posterior_rows(posterior_rows)
        if params is not None:
            self._negotiation_scenario = self._negotiation_scenario.with_params(params)
        drawn = self._posterior_values()
        if drawn:
            self._negotiation_scenario = self._negotiation_scenario.with_params(drawn)
        classes = _actor_classes(actors)
        self.streams = Streams(
            self.seeds, [*WORLD_DRAWS, *(f"{c.key}.{d}" for c in classes.values() for d in c.draws)]
        )
        self.start: dt.date = self.scenario.start
        self.horizon: int = self.scenario.horizon_days
        self.day = 0
        self._values = self._parameter_arrays()
        self._script = _index_moves(self.scenario)
        self.script_today: dict[str, dict[str, object]] = {}
        self._init_world()
        initial = self.scenario.initial_state()
        self._influences: dict[str, list[Callable[[], np.ndarray]]] = {h: [] for h in HOOKS}
        self.channels: list[tuple[int, object, Actor]] = []
        #: The actors by key, in the order they are built (`NegotiationModel.ACTORS`).
        self.actors: dict[str, Actor] = {}
        for key, actor_class in classes.items():
            actor = self.actors[key] = actor_class(self, initial)
            setattr(self, key, actor)
            self._register(actor)
        self._pain_share = self._pain_weights()
        # M15: hawkishness 0.5 is neutral; none halves the hazard, full hawkishness adds half.
        self._crisis_scale = self.world.crisis_hazard * (0.5 + self.washington.p.hawkishness)
        #: The owner of each declared quantity: the model ("world") and every actor by key.
        self._owners = {"world": self, **self.actors}
        self.record = DailyRecord(series, self.replicates, self.horizon)
        self._recorded = tuple((name, DAILY[name]) for name in series)
        self.log = EventLog(record_events, self.replicates)
        # Mesa's DataCollector keeps the replicate mean of a few series, day by day.
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "tension": lambda m: _mean(m.tension),
                "talks_share": lambda m: _mean(m.talks_state >= 2),
                "launch_days": lambda m: _mean(m.pyongyang.launch_days),
                "un_resolutions": lambda m: _mean(m.un.resolutions),
            }
        )
        self.running = True

    # Mesa's Model keeps its own `scenario`; ours is the negotiation scenario.
    @property
    def scenario(self) -> Scenario:
        return self._negotiation_scenario

    @scenario.setter
    def scenario(self, value) -> None:
        if isinstance(value, Scenario):
            self._negotiation_scenario = value

    # --- set-up -------------------------------------------------------------------------------
    def _parameter_arrays(self) -> dict[str, object]:
        """Every parameter as a scalar or an array over replicates; choices as codes."""
        out = {}
        for name, value in self.scenario.parameter_values().items():
            if isinstance(value, np.ndarray) and value.size != self.replicates:
                raise ScenarioError(
                    self.scenario.path,
                    name,
                    value.tolist(),
                    f"allowed: a scalar or exactly {self.replicates} values, one per replicate",
                )
            entry = registry.REGISTRY[name]
            if entry.kind == "choice":
                value = entry.choices.encode(value if isinstance(value, str) else value.tolist())
            out[name] = value
        return out

    def _register(self, actor: Actor) -> None:
        """Wire an actor's declared channels and influences into the rules that read them."""
        for hook, method in actor.influences.items():
            if hook not in HOOKS:
                raise ModelArgumentError(
                    "<model>",
                    f"{type(actor).__name__}.influences",
                    hook,
                    "allowed: one of " + ", ".join(HOOKS),
                )
            self._influences[hook].append(getattr(actor, method))
        for channel in actor.channels:
            self.channels.append((CHANNELS.code(channel.name), channel, actor))
        self.channels.sort(key=lambda entry: entry[0])

    def influence(self, hook: str) -> np.ndarray:
        """The sum of every actor's contribution to ``hook`` today: `ZERO` itself when none
        contributes (callers skip adding it), else an array over replicates or a 0-d array."""
        total = ZERO
        for contribution in self._influences[hook]:
            part = contribution()
            if part is not ZERO:
                total = part if total is ZERO else total + part
        return total

    def parameters_of(self, actor: str) -> dict[str, object]:
        """One actor's parameters by short name (``pause_days`` for ``washington.pause_days``).

        Scalars come as 0-d numpy arrays (numpy combines those with arrays faster than it does
        Python numbers); per-replicate values as arrays over replicates.
        """
        prefix = actor + "."
        return {
            n[len(prefix) :]: np.asarray(v) for n, v in self._values.items() if n.startswith(prefix)
        }

    def _init_world(self) -> None:
        initial = self.scenario.initial_state()
        r = self.replicates
        self.world = SimpleNamespace(**self.parameters_of("world"))
        self.tension = np.full(r, initial["tension"])
        self.economic_pain = np.full(r, initial["economic_pain"])
        self.talks_state = np.full(r, initial["talks_state"], dtype=np.int64)
        self.bought = np.zeros(r)  # M7: inducement that bought the running talks
        in_talks = self.talks_state >= 2
        self.first_contact = np.where(self.talks_state >= 1, 0, -1)
        self.first_talks = np.where(in_talks, 0, -1)
        self.launches_before_talks = np.zeros(r, dtype=np.int64)
        self.talks_days = np.zeros(r, dtype=np.int64)
        self.talks_episodes = in_talks.astype(np.int64)
        self.collapses = np.zeros(r, dtype=np.int64)
        self.walkouts = np.zeros(r, dtype=np.int64)
        self.summits = (self.talks_state == 3).astype(np.int64)
        self.crises = np.zeros(r, dtype=np.int64)
        self.max_tension = self.tension.copy()
        self.yesterday = Day.quiet(r)
        self._quiet = self.yesterday.launch  # shared: read-only
        self._no_vetoer = np.zeros(r, dtype=np.int64)

    # --- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        """Run one day in every replicate."""
        self.streams.start_day(self.day)
        self.script_today = self._script.get(self.day, {})
        self.agents.do("step")
        self.today = self.resolve()
        self.agents.do("advance")
        self._update_world()
        self._log_day()
        self._record_day()
        self.yesterday = self.today
        self.day += 1
        self.running = self.day < self.horizon

    def run(self, days: int | None = None) -> NegotiationModel:
        """Run ``days`` more days (default: to the scenario's horizon); return the model.

        A model runs at most `scenarios.MAX_DAYS` days in all (fewer when the calendar ends
        first); more is a `ScenarioError` before any day runs.
        """
        for _ in range(self.days_to_run(days)):
            self.step()
        return self

    def days_to_run(self, days: int | None) -> int:
        """``days`` checked (default: the days left to the horizon) before any day runs."""
        days = max(self.horizon - self.day, 0) if days is None else days
        check_integer(
            "<model>", "days", days, 0, self.scenario.max_days - self.day, error=ModelArgumentError
        )
        if self.record.enabled and self.day + days > self.record.capacity:
            check_memory(self.replicates, self.day + days, self.record.series)
        return int(days)

    def resolve(self) -> Day:
        """Combine the actors' decisions into the day's joint outcome, with the tension it
        brings and any crisis."""
        py, us, un = self.pyongyang, self.washington, self.un
        state = self.talks_state
        passed = vetoed = self._quiet
        vetoers = self._no_vetoer
        if un.vote.any():
            cn_veto, ru_veto = self.beijing.veto, self.moscow.veto
            vetoed = un.vote & (cn_veto | ru_veto)  # M4
            passed = un.vote & ~vetoed
            vetoers = cn_veto * 1 + ru_veto * 2
        # M2: sanctions on a Pyongyang keeping a pledged pause break Washington's word.
        reneged = us.sanction & py.pledged
        tested = py.launch | py.nuclear
        broken = tested | reneged  # what ends a pledged pause (M2)
        # Pyongyang's moves are each open in one state only (contact from none, acceptance or
        # lapse from contact, a summit from talks), so at most one applies per replicate.
        ended = (state >= TALKS) & (py.walkout | py.collapse)  # M20, M7
        up = py.contact | py.accept | py.summit  # M10 contact first, M1/M17 talks, M17 summit
        moved = up | py.lapse | ended
        new_state = state
        if moved.any():
            new_state = np.where(ended, NO_TALKS, state + up - (py.lapse & ~py.accept))
        in_talks = new_state >= TALKS
        icbm = py.salvo * (py.cls == ICBM)  # salvo is 0 on days without a launch
        major = (icbm > 0) | py.nuclear
        crisis = self._tension_and_crisis(
            in_talks, tested, py.launch, major, us.threat, us.reassure
        )
        return Day(
            launch=py.launch,
            nuclear=py.nuclear,
            cls=py.cls,
            missiles=py.salvo,
            icbm=icbm,
            tested=tested,
            major=major,
            pledge_broken=broken,
            pledge=py.pledge & ~broken,
            contact=py.contact,
            previous_state=state,
            talks_state=new_state,
            in_talks=in_talks,
            talks_started=(state < TALKS) & in_talks,
            talks_ended=ended,
            walkout=ended & py.walkout,
            us_round=us.sanction,
            threat=us.threat,
            reassure=us.reassure,
            offer=us.offer,
            mixed_signal=us.mixed_signal,
            blessed=us.bless,
            back_channel=us.back_channel,
            cn_envoy=self.beijing.envoy,
            ru_intermediary=self.moscow.intermediary,
            resolution_passed=passed,
            resolution_vetoed=vetoed,
            vetoers=vetoers,
            new_sanctions=us.sanction | passed,
            reneged=reneged,
            cooperating=((py.pledged & ~reneged) | py.pledge | in_talks) & ~tested,
            crisis=crisis,
        )

    def _tension_and_crisis(self, in_talks, tested, launch, major, threat, reassure) -> np.ndarray:
        """Whether a militarized crisis breaks out today (M15), after today's jump in tension
        (M6, M9, M16, and other actors' through the ``tension`` hook); the tension it leaves
        is set by `_update_world`."""
        w = self.world
        calm = w.tension_decay + w.talks_calm * in_talks
        jump = self.influence("tension")  # e.g. Seoul's exercises (M16)
        if (tested | threat | reassure).any():
            own = (
                w.tension_launch * launch
                + w.tension_major * major
                + w.tension_threat * threat
                + w.tension_reassurance * reassure
            )
            jump = own if jump is ZERO else jump + own
        tension = self.tension * (ONE - calm)
        if jump is not ZERO:
            tension = tension + (ONE - tension) * np.minimum(jump, ONE)
        # M15: miscalculation grows with tension and hawks; an envoy mission under way as the
        # day begins (through an open channel) damps it.
        relief = ONE - self.un.p.crisis_relief * self.un.channel_active
        crisis = self.streams.draw("world.crisis") < (
            self._crisis_scale * tension * tension * relief
        )
        self._tension_today = np.where(crisis, ONE, tension)
        return crisis

    def _update_world(self) -> None:
        """Tension (M6, M9, M15, M16), economic pain (M5), what bought talks (M7), counters."""
        w, t = self.world, self.today
        self.tension = self._tension_today
        self.economic_pain = self.economic_pain + w.pain_rate * (
            self._pain_target() - self.economic_pain
        )
        self.bought = np.where(
            t.talks_started, self.washington.inducement_offer, self.bought * t.in_talks
        )
        self._count_day(t)
        self.talks_state = t.talks_state

    def _pain_weights(self) -> tuple:
        """M5: shares of multilateral enforcement: Beijing, Moscow, and everyone else's part."""
        china, russia = self.beijing.p.trade_share, self.moscow.p.trade_share
        rest = np.maximum(ONE - china - russia, ZERO)
        scale = np.maximum(china + russia + rest, ONE)
        return china / scale, russia / scale, rest * self.world.other_enforcement / scale

    def _pain_target(self) -> np.ndarray:
        """M5: the pain sanctions imply, weighted by who enforces them (Beijing above all)."""
        china, russia, others = self._pain_share
        enforcement = (
            china * self.beijing.enforcement + russia * self.moscow.effective_enforcement + others
        )
        target = (
            self.world.us_reach * self.washington.us_sanctions + self.un.un_sanctions * enforcement
        )
        return np.minimum(target, ONE)

    def _count_day(self, t: Day) -> None:
        day = self.day
        # Contact (state 0 to 1) and talks (to 2) begin only on days with these events.
        if t.launch.any():
            self.launches_before_talks = self.launches_before_talks + (
                t.launch & (self.first_talks < 0) & ~t.talks_started
            )
        if t.contact.any():
            self.first_contact = np.where(
                (self.first_contact < 0) & (t.talks_state >= CONTACT), day, self.first_contact
            )
        if t.talks_started.any():
            self.first_talks = np.where((self.first_talks < 0) & t.in_talks, day, self.first_talks)
        self.talks_days = self.talks_days + t.in_talks
        if t.talks_started.any() or t.talks_ended.any():
            self.talks_episodes = self.talks_episodes + t.talks_started
            self.collapses = self.collapses + t.talks_ended
            self.walkouts = self.walkouts + t.walkout
        if t.in_talks.any():  # a summit is reached only in talks
            self.summits = self.summits + ((t.previous_state < SUMMIT) & (t.talks_state == SUMMIT))
        self.crises = self.crises + t.crisis
        self.max_tension = np.maximum(self.max_tension, self.tension)

    def _log_day(self) -> None:
        """Hand the day's events to the log: whether each kind of `EVENT_KINDS` happened."""
        if self.log.enabled:
            self.log.add_day(self.day, self._owners, self.today)

    def _record_day(self) -> None:
        if self.record.enabled:
            self.record.append(
                {name: m.compute(self._owners[m.owner]) for name, m in self._recorded}
            )
        self.datacollector.collect(self)

    # --- parameter uncertainty ------------------------------------------------------------
    def _posterior_rows(self, rows: Sequence[int] | None) -> np.ndarray | None:
        """Which posterior draw each replicate runs (default: replicate i runs draw i)."""
        if self.posterior is None:
            if rows is not None:
                raise ModelArgumentError(
                    "<model>", "posterior_rows", rows, "allowed: only with uncertainty='posterior'"
                )
            return None
        if rows is None:
            return np.arange(self.replicates) % len(self.posterior)
        values = np.asarray(rows)
        if (
            values.shape != (self.replicates,)
            or values.dtype.kind not in "iu"
            or (values < 0).any()
        ):
            raise ModelArgumentError(
                "<model>",
                "posterior_rows",
                rows,
                f"allowed: {self.replicates} non-negative integers, one per replicate",
            )
        return values % len(self.posterior)

    def _posterior_values(self) -> dict[str, object]:
        """Each replicate's posterior draw of the behaviour parameters, except those the user
        (``params``) or a counterfactual scenario sets: they are the question asked, and stay
        as set."""
        if self.posterior is None:
            return {}
        chosen = set(self._negotiation_scenario.params)
        values = self.posterior.rows(self.posterior_rows)
        return {name: value for name, value in values.items() if name not in chosen}

    # --- results ------------------------------------------------------------------------------
    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per replicate: the outcomes of `negotiation_sim.outcomes.OUTCOMES`."""
        return pd.DataFrame(
            {
                name: np.array(np.broadcast_to(m.compute(self._owners[m.owner]), self.seeds.shape))
                for name, m in OUTCOMES.items()
            }
        )

    def daily(self, name: str) -> np.ndarray:
        """A daily series as an array of shape (days run, replicates)."""
        return self.record.get(name)

    def events(self, replicate: int = 0) -> pd.DataFrame:
        """One replicate's events: day, date, actor, kind, detail."""
        return self.log.frame(self._replicate(replicate), self.start)

    def _replicate(self, replicate: object) -> int:
        """``replicate`` checked as an index into this model's replicates."""
        check_integer(
            "<model>", "replicate", replicate, 0, self.replicates - 1, error=ModelArgumentError
        )
        return int(replicate)

    def chronicle(self, replicate: int = 0) -> str:
        """A readable, dated narrative of one replicate."""
        replicate = self._replicate(replicate)
        title = (
            f"{self.scenario.name}: replicate {replicate} (seed {self.seeds[replicate]}), "
            f"{self.start.isoformat()} + {self.day} days"
        )
        return chronicle(self.events(replicate), title, self.scripted_notes())

    def scripted_notes(self) -> dict[tuple[int, str], str]:
        """The scenario's note for each (day, event kind) its scripted moves produce."""
        notes = {}
        for move in self.scenario.applied_moves():
            for kind in move.spec.events:
                notes[(move.day, kind)] = move.note
        return notes

    def date(self, day: int | None = None) -> dt.date:
        """The calendar date of ``day`` (default: the next day to run)."""
        return self.start + dt.timedelta(days=self.day if day is None else int(day))

    def __repr__(self) -> str:
        return (
            f"NegotiationModel({self.scenario.name!r}, replicates={self.replicates}, "
            f"seed={self.seed}, day={self.day})"
        )


def _actor_classes(replacements: Mapping[str, type[Actor]] | None) -> dict[str, type[Actor]]:
    """`NegotiationModel.ACTORS` with ``replacements`` checked and swapped in."""
    classes = dict(NegotiationModel.ACTORS)
    for key, actor_class in (replacements or {}).items():
        if key not in classes:
            raise ModelArgumentError(
                "<model>", "actors", key, "allowed: one of " + ", ".join(NegotiationModel.ACTORS)
            )
        if not (isinstance(actor_class, type) and issubclass(actor_class, classes[key])):
            raise ModelArgumentError(
                "<model>",
                f"actors.{key}",
                actor_class,
                f"allowed: a subclass of {classes[key].__name__}",
            )
        classes[key] = actor_class
    return classes


def _mean(values: np.ndarray) -> float:
    return float(values.sum()) / values.size


def _replicate_seeds(
    seed: int,
    replicates: int,
    seeds: Sequence[int] | None,
    recorded_days: int,
    series: tuple[str, ...] | None = None,
) -> np.ndarray:
    """The replicates' seeds, checked, after checking that so many replicates fit in memory."""
    if seeds is not None:
        values = list(np.asarray(seeds, dtype=object).reshape(-1)) if np.ndim(seeds) == 1 else None
        if not values or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**63
            for v in values
        ):
            raise ModelArgumentError(
                "<model>", "seeds", seeds, "allowed: a non-empty 1-D list of integers in [0, 2**63)"
            )
        check_memory(len(values), recorded_days, series)
        return np.array(values, dtype=np.int64)
    check_integer("<model>", "replicates", replicates, 1, MAX_REPLICATES, error=ModelArgumentError)
    check_memory(int(replicates), recorded_days, series)
    return replicate_seeds(int(seed), int(replicates))


def check_memory(
    replicates: int, recorded_days: int, series: tuple[str, ...] | None = None
) -> None:
    """Refuse, before allocating anything, a model whose state and daily record would not fit
    in `MEMORY_SHARE` of this machine's memory (where the system reports its size)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return
    per_replicate = STATE_BYTES_PER_REPLICATE + recorded_days * daily_bytes_per_replicate_day(
        series
    )
    needed = replicates * per_replicate
    if needed > MEMORY_SHARE * memory:
        raise ModelArgumentError(
            "<model>",
            "replicates",
            replicates,
            f"allowed: a model that fits in memory: {replicates:,} replicates"
            + (f" with {recorded_days:,} recorded days" if recorded_days else "")
            + f" need about {needed / 2**30:,.1f} GiB of this machine's {memory / 2**30:,.1f} "
            "GiB; run fewer replicates, record_daily=False, or a sweep (which runs in chunks)",
        )


def _index_moves(scenario: Scenario) -> dict[int, dict[str, dict[str, object]]]:
    """Scripted moves as they apply (held parameters left to the user) by day, actor, kind."""
    script: dict[int, dict[str, dict[str, object]]] = defaultdict(dict)
    for move in scenario.applied_moves():
        script[move.day].setdefault(move.actor, {})[move.kind] = move
    return dict(script)
