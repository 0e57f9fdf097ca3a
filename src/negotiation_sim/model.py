"""The negotiation model: five actors, one day per step, many replicates at once.

Each day every actor decides from yesterday's state (``step``), the model resolves the joint
outcome (votes, reneging, the state of talks), every actor updates its own state
(``advance``), and the model updates the world between them (tension, crisis, economic pain)
and records. All state is arrays over replicates; a single run is ``replicates=1``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from types import MappingProxyType, SimpleNamespace

import mesa
import numpy as np
import pandas as pd

from negotiation_sim import parameters as registry
from negotiation_sim.actors import Beijing, Moscow, Pyongyang, UnitedNations, Washington
from negotiation_sim.actors.base import CONTACT, NO_TALKS, ONE, SUMMIT, TALKS, ZERO, Actor
from negotiation_sim.actors.pyongyang import ICBM
from negotiation_sim.errors import ScenarioError, check_integer
from negotiation_sim.outcomes import OUTCOMES
from negotiation_sim.recording import (
    DailyRecord,
    EventLog,
    chronicle,
    daily_bytes_per_replicate_day,
)
from negotiation_sim.scenarios import Scenario, load_scenario
from negotiation_sim.streams import Slot, Streams, replicate_seeds

#: The most replicates one batched model takes (more: `negotiation_sim.sweeps`, in chunks).
MAX_REPLICATES = 100_000_000
#: Bytes of state per replicate, measured (benchmarks/bench_model.py); for the memory check.
STATE_BYTES_PER_REPLICATE = 2_200
#: Share of the machine's memory a model may plan to use before it refuses to start.
MEMORY_SHARE = 0.8

_CHOICES = {
    "washington.precondition": registry.PRECONDITIONS,
    "washington.talks_level": registry.TALKS_LEVELS,
}
_QUIET = ("back_channel", "cn_envoy", "ru_intermediary", "new_sanctions")
#: The events a scripted move shows up as, for the chronicle's notes.
_EVENTS_OF_MOVE = {
    ("washington", "talks_offer"): ("talks_offer",),
    ("washington", "precondition"): ("talks_offer", "mixed_signal"),
    ("washington", "us_sanctions"): ("us_sanctions",),
    ("washington", "threat"): ("threat",),
    ("washington", "mixed_signal"): ("mixed_signal",),
    ("washington", "back_channel"): ("back_channel",),
    ("washington", "reassure"): ("reassure",),
    ("washington", "bless_un_envoy"): ("bless_un_envoy",),
    ("beijing", "enforcement"): ("enforcement",),
    ("beijing", "envoy"): ("envoy",),
    ("moscow", "intermediary"): ("intermediary",),
    ("moscow", "distraction"): ("russia_crisis",),
    ("un", "envoy_proposal"): ("envoy_proposal",),
    ("un", "envoy"): ("un_envoy",),
}


class NegotiationModel(mesa.Model):
    """Diplomacy over North Korea's missile programme, batched over replicates.

    Args:
        scenario: a `Scenario`, a shipped scenario's name, or a path to a scenario file.
        replicates: number of replicates; their seeds derive from ``seed``.
        seed: the model seed (``None``: fresh entropy, recorded in ``model.seed``).
        seeds: run exactly these replicate seeds instead (overrides ``replicates``).
        params: parameter overrides (dotted names); scalars or one value per replicate.
        record_daily: keep daily series for ``daily()`` (turn off for large sweeps).
        record_events: keep the event log for ``events()`` and ``chronicle()``.
        actors: replacement classes by actor key, e.g. ``{"washington": MyWashington}``;
            each must subclass the actor it replaces (see `ACTORS`).
    """

    #: The actor class of each key, in the order they are built: Pyongyang reads the others'
    #: state when it first weighs talks, so it comes last.
    ACTORS: Mapping[str, type[Actor]] = MappingProxyType(
        {
            "washington": Washington,
            "beijing": Beijing,
            "moscow": Moscow,
            "un": UnitedNations,
            "pyongyang": Pyongyang,
        }
    )

    def __init__(
        self,
        scenario: Scenario | str = "pressure-2017",
        replicates: int = 1,
        seed: int | None = 0,
        *,
        seeds: Sequence[int] | None = None,
        params: Mapping[str, object] | None = None,
        record_daily: bool = True,
        record_events: bool = True,
        actors: Mapping[str, type[Actor]] | None = None,
    ) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        check_integer("<model>", "seed", seed, 0)  # any size: numpy's SeedSequence takes it
        super().__init__(rng=int(seed))
        self.seed = int(seed)
        self._negotiation_scenario = load_scenario(scenario)
        if params is not None:
            self._negotiation_scenario = self._negotiation_scenario.with_params(params)
        recorded_days = self.scenario.horizon_days if record_daily else 0
        self.seeds = _replicate_seeds(seed, replicates, seeds, recorded_days)
        self.replicates = self.seeds.size
        self.streams = Streams(self.seeds)
        self.start: dt.date = self.scenario.start
        self.horizon: int = self.scenario.horizon_days
        self.day = 0
        self._values = self._parameter_arrays()
        self._script = _index_moves(self.scenario)
        self.script_today: dict[str, dict[str, object]] = {}
        self._init_world()
        initial = self.scenario.initial_state()
        for key, actor_class in _actor_classes(actors).items():
            setattr(self, key, actor_class(self, initial))
        self._pain_share = self._pain_weights()
        # M15: hawkishness 0.5 is neutral; none halves the hazard, full hawkishness adds half.
        self._crisis_scale = self.world.crisis_hazard * (0.5 + self.washington.p.hawkishness)
        self.record = DailyRecord(record_daily, self.replicates, self.horizon)
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
            if isinstance(value, np.ndarray):
                if value.size != self.replicates:
                    raise ScenarioError(
                        self.scenario.path,
                        name,
                        value.tolist(),
                        f"allowed: a scalar or exactly {self.replicates} values, one per replicate",
                    )
                if name in _CHOICES:
                    value = np.array([_CHOICES[name].index(v) for v in value], dtype=np.int64)
            elif name in _CHOICES:
                value = _CHOICES[name].index(value)
            out[name] = value
        return out

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
        self._quiet = quiet = np.zeros(r, dtype=bool)  # shared: read-only
        quiet.flags.writeable = False
        self.yesterday = SimpleNamespace(**{name: quiet for name in _QUIET})

    # --- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        """Run one day in every replicate."""
        self.u = self.streams.day(self.day)
        self.script_today = self._script.get(self.day, {})
        self.agents.do("step")
        self.today = self._resolve()
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
        check_integer("<model>", "days", days, 0, self.scenario.max_days - self.day)
        if self.record.enabled and self.day + days > self.record.capacity:
            check_memory(self.replicates, self.day + days)
        return int(days)

    def _resolve(self) -> SimpleNamespace:
        """Combine the actors' decisions into the day's joint outcome."""
        py, us, un = self.pyongyang, self.washington, self.un
        state = self.talks_state
        passed = vetoed = self._quiet
        if un.vote.any():
            vetoed = un.vote & (self.beijing.veto | self.moscow.veto)  # M4
            passed = un.vote & ~vetoed
        # M2: sanctions on a Pyongyang keeping a pledged pause break Washington's word.
        reneged = us.sanction & py.pledged
        # Pyongyang's moves are each open in one state only (contact from none, acceptance or
        # lapse from contact, a summit from talks), so at most one applies per replicate.
        ended = (state >= TALKS) & (py.walkout | py.collapse)  # M20, M7
        up = py.contact | py.accept | py.summit  # M10 contact first, M1/M17 talks, M17 summit
        moved = up | py.lapse | ended
        new_state = state
        if moved.any():
            new_state = np.where(ended, NO_TALKS, state + up - (py.lapse & ~py.accept))
        in_talks = new_state >= TALKS
        tested = py.launch | py.nuclear
        icbm = py.salvo * (py.cls == ICBM)  # salvo is 0 on days without a launch
        return SimpleNamespace(
            launch=py.launch,
            nuclear=py.nuclear,
            cls=py.cls,
            missiles=py.salvo,
            icbm=icbm,
            tested=tested,
            major=(icbm > 0) | py.nuclear,
            pledge=py.pledge & ~(tested | reneged),
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
            new_sanctions=us.sanction | passed,
            reneged=reneged,
            cooperating=((py.pledged & ~reneged) | py.pledge | in_talks) & ~tested,
        )

    def _update_world(self) -> None:
        """Tension (M6, M9, M15, M16), crisis (M15), economic pain (M5) and talks."""
        w, t = self.world, self.today
        calm = w.tension_decay + w.talks_calm * t.in_talks
        tension = self.tension * (ONE - calm)
        if (t.tested | t.threat | t.reassure).any():
            jump = (
                w.tension_launch * t.launch
                + w.tension_major * t.major
                + w.tension_threat * t.threat
                + w.tension_reassurance * t.reassure
            )
            tension = tension + (ONE - tension) * np.minimum(jump, ONE)
        # M15: miscalculation grows with tension and hawks; an active UN channel damps it.
        relief = ONE - self.un.p.crisis_relief * self.un.channel_active
        t.crisis = self.u[Slot.WORLD_CRISIS] < self._crisis_scale * tension * tension * relief
        self.tension = np.where(t.crisis, ONE, tension)
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

    def _count_day(self, t: SimpleNamespace) -> None:
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
            self.summits = self.summits + ((t.previous_state < SUMMIT) & (t.talks_state == SUMMIT))
        elif t.in_talks.any():
            self.summits = self.summits + ((t.previous_state < SUMMIT) & (t.talks_state == SUMMIT))
        self.crises = self.crises + t.crisis
        self.max_tension = np.maximum(self.max_tension, self.tension)

    def _log_day(self) -> None:
        """Hand the day's events to the log: whether each kind of `EVENT_KINDS` happened."""
        if not self.log.enabled:
            return
        t, un, cn, ru = self.today, self.un, self.beijing, self.moscow
        self.log.add_day(
            self.day,
            {
                "launch": t.launch,
                "nuclear_test": t.nuclear,
                "pledge": t.pledge,
                "contact": t.contact,
                "contact_lapse": (t.previous_state == CONTACT) & (t.talks_state == NO_TALKS),
                "talks_start": t.talks_started,
                "summit": (t.previous_state == TALKS) & (t.talks_state == SUMMIT),
                "walkout": t.walkout,
                "talks_collapse": t.talks_ended & ~t.walkout,
                "talks_offer": t.offer,
                "us_sanctions": t.us_round,
                "reneged": t.reneged,
                "threat": t.threat,
                "reassure": t.reassure,
                "mixed_signal": t.mixed_signal,
                "bless_un_envoy": t.blessed,
                "back_channel": t.back_channel,
                "envoy": t.cn_envoy,
                "enforcement": cn.forced("enforcement", cn._no),
                "intermediary": t.ru_intermediary,
                "russia_crisis": ru.forced("distraction", ru._no),
                "envoy_proposal": un.proposal,
                "un_envoy": un.mission,
                "draft": un.draft,
                "resolution_passed": t.resolution_passed,
                "resolution_vetoed": t.resolution_vetoed,
                "crisis": t.crisis,
            },
            self._event_details,
        )

    def _event_details(self) -> dict[str, np.ndarray]:
        """Detail codes of the event kinds that carry one (see `recording.DETAIL_FORMATS`)."""
        t, cn = self.today, self.beijing
        return {
            "launch": t.missiles * 8 + t.cls,
            "contact": self.pyongyang.channel,
            "talks_offer": self.washington.precondition,
            "envoy": cn.envoy_success,
            "enforcement": cn.enforcement,
            "resolution_vetoed": cn.veto * 1 + self.moscow.veto * 2,
        }

    def _record_day(self) -> None:
        if self.record.enabled:
            self.record.append(self._daily_values())
        self.datacollector.collect(self)

    def _daily_values(self) -> dict[str, np.ndarray]:
        py, us, un, t = self.pyongyang, self.washington, self.un, self.today
        return {
            "tension": self.tension,
            "trust": py.trust,
            "willingness_us": py.willingness_us,
            "willingness_un": py.willingness_un,
            "us_sanctions": us.us_sanctions,
            "un_sanctions": un.un_sanctions,
            "economic_pain": self.economic_pain,
            "capability": py.capability,
            "credibility": us.credibility,
            "beijing_pressure": self.beijing.pressure,
            "talks_state": t.talks_state,
            "missiles": t.missiles,
            "launch_day": t.launch,
            "icbm": t.icbm,
            "nuclear": t.nuclear,
            "us_sanctions_round": t.us_round,
            "un_resolution": t.resolution_passed,
            "un_veto": t.resolution_vetoed,
            "crisis": t.crisis,
        }

    # --- results ------------------------------------------------------------------------------
    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per replicate: the outcomes of `negotiation_sim.outcomes.OUTCOMES`."""
        py, us, un = self.pyongyang, self.washington, self.un
        by_class = py.missiles_by_class

        def first(days: np.ndarray) -> np.ndarray:
            return np.where(days >= 0, days, np.nan)

        columns = {
            "seed": self.seeds,
            "talks_reached": self.first_talks >= 0,
            "days_to_contact": first(self.first_contact),
            "days_to_talks": first(self.first_talks),
            "talks_days": self.talks_days,
            "talks_episodes": self.talks_episodes,
            "talks_collapsed": self.collapses > 0,
            "walkouts": self.walkouts,
            "summit_reached": self.summits > 0,
            "launch_days": py.launch_days,
            "launch_days_before_talks": self.launches_before_talks,
            "missiles": py.missiles,
            "missiles_srbm": by_class[0],
            "missiles_mrbm": by_class[1],
            "missiles_irbm": by_class[2],
            "missiles_hgv": by_class[4],
            "icbm_tests": by_class[3],
            "nuclear_tests": py.nuclear_tests,
            "us_sanctions_rounds": us.rounds,
            "offers": us.offers,
            "threats": us.threats,
            "un_resolutions": un.resolutions,
            "un_vetoes": un.vetoes,
            "reneged": us.reneged,
            "longest_pause": py.longest_pause,
            "crisis": self.crises > 0,
            "max_tension": self.max_tension,
            "final_capability": py.capability,
            "final_trust": py.trust,
            "final_economic_pain": self.economic_pain,
        }
        assert list(columns) == list(OUTCOMES)
        return pd.DataFrame({k: np.array(v, copy=True) for k, v in columns.items()})

    def daily(self, name: str) -> np.ndarray:
        """A daily series as an array of shape (days run, replicates)."""
        return self.record.get(name)

    def events(self, replicate: int = 0) -> pd.DataFrame:
        """One replicate's events: day, date, actor, kind, detail."""
        return self.log.frame(self._replicate(replicate), self.start)

    def _replicate(self, replicate: object) -> int:
        """``replicate`` checked as an index into this model's replicates."""
        check_integer("<model>", "replicate", replicate, 0, self.replicates - 1)
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
            for kind in _EVENTS_OF_MOVE.get((move.actor, move.kind), ()):
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
            raise ScenarioError(
                "<model>", "actors", key, "allowed: one of " + ", ".join(NegotiationModel.ACTORS)
            )
        if not (isinstance(actor_class, type) and issubclass(actor_class, classes[key])):
            raise ScenarioError(
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
    seed: int, replicates: int, seeds: Sequence[int] | None, recorded_days: int
) -> np.ndarray:
    """The replicates' seeds, checked, after checking that so many replicates fit in memory."""
    if seeds is not None:
        values = list(np.asarray(seeds, dtype=object).reshape(-1)) if np.ndim(seeds) == 1 else None
        if not values or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**63
            for v in values
        ):
            raise ScenarioError(
                "<model>", "seeds", seeds, "allowed: a non-empty 1-D list of integers in [0, 2**63)"
            )
        check_memory(len(values), recorded_days)
        return np.array(values, dtype=np.int64)
    check_integer("<model>", "replicates", replicates, 1, MAX_REPLICATES)
    check_memory(int(replicates), recorded_days)
    return replicate_seeds(int(seed), int(replicates))


def check_memory(replicates: int, recorded_days: int) -> None:
    """Refuse, before allocating anything, a model whose state and daily record would not fit
    in `MEMORY_SHARE` of this machine's memory (where the system reports its size)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return
    per_replicate = STATE_BYTES_PER_REPLICATE + recorded_days * daily_bytes_per_replicate_day()
    needed = replicates * per_replicate
    if needed > MEMORY_SHARE * memory:
        raise ScenarioError(
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
