"""Pyongyang: missile and nuclear tests, pauses, contact, and its answers to offers of talks.

Seeds: 000 (CNN, 2022): "testing missiles at a hurried clip", "validate and refine its weapons
systems"; 003 (Foreign Policy, 2017): "would not enter into talks ... if Washington sought to
make North Korea give up its nuclear weapons", "withdrew from those discussions ... to protest
U.N. sanctions".
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from negotiation_sim.actors.base import (
    BEHAVIOUR_CHANGE,
    CONTACT,
    DENUCLEARIZATION,
    NO_TALKS,
    ONE,
    SUMMIT,
    TALKS,
    TEST_PAUSE,
    ZERO,
    Actor,
    _frozen,
    decay,
)
from negotiation_sim.codes import MISSILE_CLASSES, SALVOS
from negotiation_sim.declarations import Channel, EventKind, Measure

SRBM, MRBM, IRBM, ICBM, HGV = range(len(MISSILE_CLASSES))
#: Contact channels Pyongyang itself knows, in code order; actors' channels follow (M10), and
#: "pledge" marks contact made by pledging a pause (`negotiation_sim.actors.CHANNELS`).
OWN_CHANNELS = ("direct", "UN", "intermediary", "pledge")
#: Cap on a daily hazard: a safeguard so that no parameter corner makes an event certain.
MAX_DAILY_HAZARD = 0.9
#: Development below this counts as complete: sums of shares are not exact in floating point.
_ROUNDING = 1e-9


def _channel_name(code: object) -> str:
    from negotiation_sim.actors import CHANNELS  # the registry assembles every actor's channels

    return CHANNELS.decode(code)


def _by_class(cls: int):
    return lambda py: py.missiles_by_class[cls]


class Pyongyang(Actor):
    """The DPRK leadership: tests, pauses, contact and talks."""

    key = "pyongyang"
    label = "Pyongyang"
    mechanisms = (
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
        "M6",
        "M7",
        "M8",
        "M9",
        "M10",
        "M11",
        "M14",
        "M17",
        "M19",
        "M20",
    )
    state_names = (
        "capability",
        "development",
        "trust",
        "willingness_us",
        "willingness_un",
        "days_since_test",
        "pledged",
        "momentum",
        "protest",
        "retaliation",
        "chill",
    )
    draws = (
        "launch",
        "class",
        "salvo",
        "nuclear",
        "pledge",
        "accept",
        *(f"contact.{name}" for name in OWN_CHANNELS[:3]),
        "walkout",
        "collapse",
        "summit",
        "contact_lapse",
        "progress",
    )
    controls = ("test_propensity", "accept_rate", "trust_weight")
    # Pyongyang passes messages "through a number of intermediaries, including the Russians
    # and Chinese envoy Song Tao" (003): yesterday's envoy or host opens this channel.
    channels = (
        Channel(
            "intermediary",
            lambda py: py.model.yesterday.cn_envoy | py.model.yesterday.ru_intermediary,
            willingness="us",
            mechanisms=("M10", "M11", "M12"),
        ),
    )
    outcome_measures = (
        Measure(
            "launch_days",
            "days",
            "count",
            "Days with at least one missile launch.",
            ("M6",),
            lambda py: py.launch_days,
        ),
        Measure("missiles", "", "count", "Missiles launched.", ("M6",), lambda py: py.missiles),
        Measure(
            "missiles_srbm", "", "count", "Short-range missiles launched.", ("M6",), _by_class(SRBM)
        ),
        Measure(
            "missiles_mrbm",
            "",
            "count",
            "Medium-range missiles launched.",
            ("M6",),
            _by_class(MRBM),
        ),
        Measure(
            "missiles_irbm",
            "",
            "count",
            "Intermediate-range missiles launched.",
            ("M6",),
            _by_class(IRBM),
        ),
        Measure(
            "missiles_hgv",
            "",
            "count",
            "Claimed hypersonic missiles launched.",
            ("M6",),
            _by_class(HGV),
        ),
        Measure("icbm_tests", "", "count", "ICBM flights.", ("M6", "M14"), _by_class(ICBM)),
        Measure(
            "nuclear_tests", "", "count", "Nuclear tests.", ("M6",), lambda py: py.nuclear_tests
        ),
        Measure(
            "longest_pause",
            "days",
            "days",
            "Longest run of days without a test, counting the pause the scenario starts in.",
            ("M2",),
            lambda py: py.longest_pause,
        ),
        Measure(
            "final_capability",
            "0-1",
            "level",
            "Capability on the last day.",
            ("M14",),
            lambda py: py.capability,
        ),
        Measure(
            "development_left",
            "systems",
            "level",
            "Systems' worth of development left on the last day, over every class.",
            ("M14",),
            lambda py: py.development,
        ),
        Measure(
            "final_trust",
            "0-1",
            "level",
            "Pyongyang's trust in Washington on the last day.",
            ("M2",),
            lambda py: py.trust,
        ),
    )
    daily_series = (
        Measure(
            "trust",
            "0-1",
            "level",
            "Pyongyang's trust in Washington.",
            ("M2", "M3", "M9", "M17"),
            lambda py: py.trust,
            panel="tension",
        ),
        Measure(
            "willingness_us",
            "0-1",
            "level",
            "Pyongyang's willingness to talk with Washington.",
            ("M5", "M7", "M9", "M14"),
            lambda py: py.willingness_us,
            panel="tension",
        ),
        Measure(
            "willingness_un",
            "0-1",
            "level",
            "Pyongyang's willingness to talk through the UN.",
            ("M10",),
            lambda py: py.willingness_un,
            panel="tension",
        ),
        Measure(
            "capability",
            "0-1",
            "level",
            "Maturity of Pyongyang's arsenal.",
            ("M14",),
            lambda py: py.capability,
            panel="capability",
        ),
        Measure(
            "development",
            "systems",
            "level",
            "Systems' worth of development left, over every class; tests complete it.",
            ("M14",),
            lambda py: py.development,
        ),
        Measure(
            "missiles", "", "count", "Missiles launched that day.", ("M6",), lambda py: py.salvo
        ),
        Measure(
            "launch_day", "", "flag", "1 on a day with a launch.", ("M6",), lambda py: py.launch
        ),
        Measure(
            "icbm", "", "count", "ICBM flights that day.", ("M6",), lambda py: py.model.today.icbm
        ),
        Measure(
            "nuclear", "", "flag", "1 on a day with a nuclear test.", ("M6",), lambda py: py.nuclear
        ),
    )
    event_kinds = (
        EventKind(
            "launch",
            "Pyongyang",
            "launches {detail}",
            ("M6",),
            lambda py, t: t.launch,
            lambda py, t: SALVOS.encode(t.missiles, t.cls),
            SALVOS.label,
        ),
        EventKind(
            "nuclear_test", "Pyongyang", "conducts a nuclear test", ("M6",), lambda py, t: t.nuclear
        ),
        EventKind(
            "pledge",
            "Pyongyang",
            "pledges a test pause in answer to Washington's offer",
            ("M2",),
            lambda py, t: t.pledge,
        ),
        EventKind(
            "contact",
            "Pyongyang",
            "makes contact through the {detail} channel",
            ("M10",),
            lambda py, t: t.contact,
            lambda py, t: py.channel,
            _channel_name,
        ),
        EventKind(
            "contact_lapse",
            "Pyongyang",
            "lets contact lapse",
            ("M10",),
            lambda py, t: (t.previous_state == CONTACT) & (t.talks_state == NO_TALKS),
        ),
        EventKind(
            "talks_start",
            "Pyongyang",
            "enters working-level talks",
            ("M1", "M17"),
            lambda py, t: t.talks_started,
        ),
        EventKind(
            "summit",
            "Pyongyang",
            "talks rise to a summit",
            ("M17",),
            lambda py, t: (t.previous_state == TALKS) & (t.talks_state == SUMMIT),
        ),
        EventKind(
            "walkout",
            "Pyongyang",
            "walks out of talks in protest at new sanctions",
            ("M20",),
            lambda py, t: t.walkout,
        ),
        EventKind(
            "talks_collapse",
            "Pyongyang",
            "talks break down",
            ("M7", "M17"),
            lambda py, t: t.talks_ended & ~t.walkout,
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        self.capability = self.full(initial["capability"])
        # M14: systems' worth of development left, by class (rows in MISSILE_CLASSES order).
        developing = [
            getattr(self.p, name)
            for name in (
                "developing_srbm",
                "developing_mrbm",
                "developing_irbm",
                "developing_icbm",
                "developing_hgv",
            )
        ]
        self.development_by_class = np.stack(
            [np.broadcast_to(np.asarray(value, float), (self.n,)) for value in developing]
        ).copy()
        self._count_unfinished()
        self.trust = self.full(initial["trust"])
        self.days_since_test = self.full(initial["days_since_test"], np.int64)
        self.pledged = self.full(initial["pause_pledged"], bool)
        self.momentum = self.full(0.0)
        self.protest = self.full(0.0)
        self.retaliation = self.full(0.0)
        self.chill = self.full(0.0)
        self.wait = self.full(0, np.int64)
        self.tested_major = self.full(False, bool)  # an ICBM flight or nuclear test yesterday
        # Counters: they only ever grow.
        self.launch_days = self.full(0, np.int64)
        self.missiles = self.full(0, np.int64)
        self.missiles_by_class = np.zeros((len(MISSILE_CLASSES), self.n), dtype=np.int64)
        self.nuclear_tests = self.full(0, np.int64)
        self.longest_pause = self.days_since_test.copy()
        self._constants()
        self.willingness_us, self.willingness_un = self.willingness()

    def _constants(self) -> None:
        """Quantities that depend on parameters only, computed once."""
        p, n = self.p, self.n
        self._keep = {
            name: decay(getattr(p, name))
            for name in ("momentum_days", "protest_days", "retaliation_days", "chill_days")
        }
        self._log_salvo = np.log(np.maximum(p.salvo, 1e-300))
        self._replicate = np.arange(n)
        half = 0.5 * (1.0 + p.icbm_weight)
        # M14: capability weight of one missile of each class (rows in MISSILE_CLASSES order).
        self._class_weight = np.stack(
            [np.broadcast_to(weight, (n,)) for weight in (1.0, 1.0, half, p.icbm_weight, half)]
        )
        self._gain_keep = np.broadcast_to(1.0 - p.capability_gain, (n,))
        self._progress = np.broadcast_to(np.asarray(p.development_per_test, float), (n,))
        self._nuclear = np.broadcast_to(p.nuclear_weight, (n,))
        self._paid = p.extortion * self.model.washington.p.inducement  # M7
        self._pays = self.model.washington.pays
        self._un_tension = p.un_tension_share * p.tension_weight
        self._zero = _frozen(np.zeros(n, dtype=np.int64))
        self._contact_draw: dict[str, str] = {}  # a channel's name to its draw's name
        self._pledged_by = _frozen(np.full(n, OWN_CHANNELS.index("pledge"), dtype=np.int64))
        self._nothing = _frozen(np.zeros(n))
        self._progress_draw = self._nothing  # read only for replicates that launched today
        self._terms_seen = None

    @property
    def development(self) -> np.ndarray:
        """Systems' worth of development left, over every class (M14)."""
        return self.development_by_class.sum(axis=0)

    def _count_unfinished(self) -> None:
        """Systems of each class not yet fielded, and in all (M14): a system half developed
        still needs testing as much as a new one, until its development is complete. Kept as
        state, recounted only when a test changes development."""
        self.unfinished_by_class = np.ceil(self.development_by_class - _ROUNDING)
        self.unfinished = self.unfinished_by_class.sum(axis=0)

    # --- what Pyongyang weighs ----------------------------------------------------------------
    def willingness(self) -> tuple[np.ndarray, np.ndarray]:
        """Willingness to talk with Washington and through the UN (M5, M7, M9, M10, M11, M14).

        Logistic in trust, economic pain, capability, Beijing's pressure, any inducement on
        offer and other actors' influence (hook ``pyongyang.willingness``), less tension and
        the chill threats leave. The UN channel needs no trust in
        Washington and feels only `un_tension_share` of the tension (M10: "open to continuing
        discussions with the United Nations").
        """
        p, m = self.p, self.model
        common = (
            p.willingness_bias
            + p.pain_weight * m.economic_pain
            + p.capability_weight * self.capability
            + p.pressure_weight * m.beijing.pressure
        )
        pull = m.influence("pyongyang.willingness")  # other actors' (e.g. Seoul's aid)
        if pull is not ZERO:
            common = common + pull
        us = common + p.trust_weight * self.trust
        if self._pays:  # M7: the inducement on offer (always 0 when Washington never pays)
            us = us + p.inducement_weight * m.washington.inducement_offer
        us = us - p.tension_weight * m.tension - p.chill_weight * self.chill
        un = common + p.un_openness - self._un_tension * m.tension
        return expit(us), expit(un)

    def _test_hazards(
        self, in_talks: np.ndarray, shows: tuple[np.ndarray, np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Daily hazards of a launch day and of a nuclear test (M2, M3, M6, M7, M11, M14, M16).

        Pyongyang tests for two reasons (seed 000: "validate and refine its weapons systems";
        "a demonstration of its capabilities", "increase pressure"). Development: each system
        not yet fielded needs tests (M14). Demonstration: a baseline, plus what provokes it:
        protest at new sanctions (M3, M4), retaliation for a broken pledge (M2) and, when
        Washington pays, the price tests raise before talks (M7). Momentum clusters both (M6);
        talks, a pledged pause and Beijing's pressure restrain both (M6, M2, M11). Outside
        provocation such as combined exercises (hook ``pyongyang.test_hazard``, M16) is a
        daily hazard of its own, answered as the threat lasts rather than clustered by
        momentum: clustered too, every answer would raise the next, and Seoul's answers to
        tests (M16) would make a run of answers that never ends.
        """
        p, m = self.p, self.model
        short, icbm, provoked = shows
        restraint = (
            np.where(in_talks, p.talks_restraint, ONE)  # M6
            * np.where(self.pledged, p.pause_restraint, ONE)  # M2
            * (ONE - p.pressure_restraint * m.beijing.pressure)
        )  # M11
        # M14: systems still to be tested, and demonstrations of fielded ones; M16 on top.
        need = self.unfinished + (short + icbm)
        clustered = ONE + self.momentum  # M6
        launch = (p.test_propensity * need * clustered + provoked) * restraint
        excite = ONE + self.momentum + self.protest + self.retaliation + provoked
        nuclear = np.minimum(p.nuclear_propensity * excite * restraint, MAX_DAILY_HAZARD)
        return np.minimum(launch, MAX_DAILY_HAZARD), nuclear

    def _demonstrations(self, in_talks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The need to demonstrate fielded systems, in systems' worth: short-range shows of the
        baseline, of protest (M3) and of tests that pay (M7); ICBM flights in retaliation (M2).
        Also the daily hazard of answers to outside provocation (M16): tests hurried, whose
        class `_missile_class` draws as any launch's."""
        provoked = self.model.influence("pyongyang.test_hazard")  # e.g. Seoul's exercises
        if provoked is ZERO:
            provoked = self._nothing
        short = self.p.demonstration_need + self.protest
        if self._pays:  # M7: when Washington pays, tests before talks raise the price
            short = short + self._paid * ~in_talks
        return short, self.retaliation, provoked

    def _missile_class(
        self, u: np.ndarray, shows: tuple[np.ndarray, np.ndarray, np.ndarray]
    ) -> np.ndarray:
        """Class of each launch day's missiles (M6, M14, M2, M16): each reason to test in
        proportion to its share of the day's hazard (`_test_hazards`): a system in development
        of its class, a short-range show or an ICBM flight in retaliation. An answer to
        provocation (M16) hurries these same tests, so it adds no weight of its own: in the
        record, 2017's exercises were answered with IRBM and MRBM flights as well as SRBMs.
        The other reasons share the hazard's propensity and momentum, so their weights are
        their systems' worth alone."""
        weights = self.unfinished_by_class.copy()
        weights[SRBM] += shows[0]
        weights[ICBM] += shows[1]
        cumulative = np.cumsum(weights, axis=0)
        below = u * cumulative[-1]
        # The first class whose cumulative weight exceeds the draw; with no weight at all
        # (nothing in development and nothing to show) a launch is a short-range one.
        cls = (below[None, :] >= cumulative[:-1]).sum(axis=0)
        return np.where(cumulative[-1] > 0, cls, SRBM)

    def _salvo(self, u: np.ndarray, cls: np.ndarray) -> np.ndarray:
        """Missiles on a launch day: one, plus a geometric number more for short-range classes.

        In the record, salvos are of SRBMs and MRBMs; IRBMs, ICBMs and hypersonic claims fly
        alone (dprk_launches_2017_2022.csv).
        """
        extra = np.minimum(np.floor(np.log(u) / self._log_salvo), self.p.max_salvo - 1)
        return np.where(cls <= MRBM, 1 + extra.astype(np.int64), 1)  # P(extra >= k) = salvo**k

    def _offer_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Days of pause the precondition requires, and what the terms leave of acceptance.

        They change only when Washington changes its terms, so they are recomputed then.
        """
        w = self.model.washington
        if self._terms_seen != w.terms_version:
            p, pre = self.p, w.precondition
            required = np.where(
                pre == TEST_PAUSE,
                w.pause_days,
                np.where(pre == BEHAVIOUR_CHANGE, w.behaviour_days, 0),
            )
            red_line = np.where(pre == DENUCLEARIZATION, p.red_line_leak, 1.0)  # M19
            mismatch = np.abs(p.summit_preference - w.level)  # M17
            self._terms = (required, p.accept_rate * (ONE - p.level_mismatch * mismatch) * red_line)
            self._terms_seen = w.terms_version
        return self._terms

    def _talks_acceptance(self, w_us: np.ndarray) -> np.ndarray:
        """Daily chance of accepting Washington's offer of working-level talks.

        M1: the precondition must be met (a long enough pause, or none), so every
        precondition only ever removes chances an offer without preconditions has; M8: only
        a credible offer; M17: a mismatch in the level of talks lowers acceptance; M19:
        denuclearization as the aim leaves only a leak.
        """
        w = self.model.washington
        required, terms = self._offer_terms()
        open_offer = (self.days_since_test >= required) & w.offer_active & (self.wait == 0)
        if not open_offer.any():
            return self._nothing
        return np.where(open_offer, terms * w_us * w.credibility, ZERO)

    # --- the day ------------------------------------------------------------------------------
    # Blocks guarded by ``.any()`` only skip work whose result every replicate would discard,
    # so a replicate's path never depends on the others in its batch.
    def step(self) -> None:
        """Decide today's tests and diplomacy from yesterday's world."""
        m = self.model
        state = m.talks_state
        in_talks = state >= TALKS
        self.willingness_us, self.willingness_un = w_us, w_un = self.willingness()

        shows = self._demonstrations(in_talks)
        launch_h, nuclear_h = self._test_hazards(in_talks, shows)
        self.launch = self.draw("launch") < launch_h
        self.nuclear = self.draw("nuclear") < nuclear_h
        if self.launch.any():
            self._progress_draw = self.draw("progress")  # M14: how far each test goes
            cls = self._missile_class(self.draw("class"), shows)
            self.cls = np.where(self.launch, cls, SRBM)
            self.salvo = np.where(self.launch, self._salvo(self.draw("salvo"), self.cls), 0)
        else:
            self.cls, self.salvo = self._zero, self._zero
        self._decide_diplomacy(state, in_talks, w_us, w_un)

    def _decide_diplomacy(self, state, in_talks, w_us, w_un) -> None:
        """Pledge a pause (M2), make contact (M10), accept talks (M1, M17, M19), leave them."""
        p, m = self.p, self.model
        w = m.washington
        self.pledge = self.contact = self.lapse = self.accept = self._no
        self.summit = self.walkout = self.collapse = self._no
        self.channel = self._zero
        # M2: answer a pause-for-talks offer by pledging the pause.
        asks_pause = w.offer_active & (
            (w.precondition == TEST_PAUSE) | (w.precondition == BEHAVIOUR_CHANGE)
        )
        if asks_pause.any():
            self.pledge = (
                asks_pause
                & ~self.pledged
                & (self.wait == 0)
                & ~in_talks
                & (self.draw("pledge") < p.pledge_rate * w_us * w.credibility)
            )
        idle = state == NO_TALKS
        if idle.any():  # M10: contact through whichever channel is open today.
            self._make_contact(idle, w_us, w_un)
        in_contact = state == CONTACT
        if in_contact.any():  # M1, M17, M19: enter talks; contact may lapse.
            self.accept = in_contact & (self.draw("accept") < self._talks_acceptance(w_us))
            self.lapse = in_contact & ~self.pledged & (self.draw("contact_lapse") < p.contact_lapse)
        if in_talks.any():  # M17 climb to a summit; M20 walk out; M7 bought talks are fragile.
            self.summit = (state == TALKS) & (
                self.draw("summit") < p.summit_rate * self.trust * (ONE + w.level)
            )
            self.walkout = in_talks & m.yesterday.new_sanctions & (self.draw("walkout") < p.walkout)
            self.collapse = in_talks & (
                self.draw("collapse") < p.collapse_rate + p.fragility * m.bought
            )

    def _make_contact(self, idle, w_us, w_un) -> None:
        """M10: contact through any channel open today; the first in code order names it.

        A channel closed in every replicate cannot be used, so its draw is not compared.
        """
        rate, willingness = self.p.contact_rate, {"us": w_us, "un": w_un}
        scaled: dict[str, np.ndarray] = {}  # the contact rate times a willingness, once a day
        codes, made = [], []
        for code, channel, owner in self.model.channels:
            openness = channel.openness(owner)
            if openness.any():
                which = channel.willingness
                if which not in scaled:
                    scaled[which] = rate * willingness[which]
                codes.append(code)
                name = self._contact_draw.get(channel.name)
                if name is None:
                    name = self._contact_draw[channel.name] = "contact." + channel.name
                made.append(self.draw(name) < scaled[which] * openness)
        contact = self.pledge | made[0] if made else self.pledge
        for by_channel in made[1:]:
            contact |= by_channel
        self.contact = idle & contact
        if self.contact.any():  # the first channel in code order names the contact
            channel = self._pledged_by
            for code, by_channel in zip(reversed(codes), reversed(made), strict=True):
                channel = np.where(by_channel, code, channel)
            self.channel = channel

    def advance(self) -> None:
        """Update capability, trust, impulses and counters from the resolved day."""
        p, t, keep = self.p, self.model.today, self._keep
        tested = t.tested
        self.days_since_test = np.where(tested, 0, self.days_since_test + 1)
        self.longest_pause = np.maximum(self.longest_pause, self.days_since_test)
        self.tested_major = t.major
        if tested.any():  # M14: tests advance capability, longer-range classes more.
            # Only the replicates that tested (a few in a hundred on a day) are computed.
            who = np.flatnonzero(tested)
            cls, missiles = t.cls[who], t.missiles[who]
            effort = missiles * self._class_weight[cls, who] + t.nuclear[who] * self._nuclear[who]
            capability = self.capability.copy()
            capability[who] = ONE - (ONE - capability[who]) * self._gain_keep[who] ** effort
            self.capability = capability
            self.missiles_by_class[cls, who] += missiles
            # M14: a launch day completes part of a system of its class: an exponential share
            # (tests fail or succeed, so how many a system needs varies) whose mean is
            # `development_per_test` times the class's weight (a longer-range flight is the
            # bigger step). A nuclear test alone flies no missile.
            flew, fc = who[t.launch[who]], cls[t.launch[who]]
            mean = self._progress[flew] * self._class_weight[fc, flew]
            step = -mean * np.log(self._progress_draw[flew])
            left = self.development_by_class[fc, flew] - step
            self.development_by_class[fc, flew] = np.maximum(left, 0.0)
            self._count_unfinished()
        # M6 clustering, M3/M4 protest, M2 retaliation, M9 chill: decaying impulses.
        self.momentum = self.momentum * keep["momentum_days"] + p.clustering * t.launch
        self.protest = self.protest * keep["protest_days"] + p.protest * t.new_sanctions
        self.retaliation = self.retaliation * keep["retaliation_days"] + p.retaliation * t.reneged
        self.chill = self.chill * keep["chill_days"] + t.threat
        # M2, M3, M9 cost trust; M17 talks build it.
        if (t.reneged | t.threat | t.new_sanctions).any():
            kept = (
                (ONE - p.renege_trust_hit * t.reneged)
                * (ONE - p.threat_trust_hit * t.threat)
                * (ONE - p.sanction_trust_hit * t.new_sanctions)
            )
            self.trust = self.trust * kept
        if t.in_talks.any():
            self.trust = self.trust + p.trust_gain * (ONE - self.trust) * t.in_talks
        # A pledge ends when it is broken (`Day.pledge_broken`) or talks begin.
        self.pledged = (self.pledged | t.pledge) & ~(t.pledge_broken | t.talks_started)
        self.wait = np.where(
            t.offer | t.mixed_signal, p.signal_wait_days, np.maximum(self.wait - 1, 0)
        )
        self.launch_days = self.launch_days + t.launch
        self.missiles = self.missiles + t.missiles
        self.nuclear_tests = self.nuclear_tests + t.nuclear
