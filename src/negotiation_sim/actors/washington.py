"""Washington: offers and their preconditions, sanctions, rhetoric, reassurance, inducements.

Seeds: 003 (Foreign Policy, 2017): "only after they showed their seriousness by imposing a
pause", "sending mixed signals", "not going to take their foot off the gas"; 000 (CNN, 2022):
"without any preconditions", "are we willing to essentially pay them to come to the table?",
"our track record of understanding those ahead of time is not always so great".
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
from scipy.special import ndtri

from negotiation_sim.actors.base import ONE, ZERO, Actor
from negotiation_sim.codes import PRECONDITIONS
from negotiation_sim.declarations import Channel, EventKind, Measure, MoveKind


class Washington(Actor):
    """The US administration, State Department and White House voices together."""

    key = "washington"
    label = "Washington"
    mechanisms = (
        "M1",
        "M2",
        "M3",
        "M7",
        "M8",
        "M9",
        "M10",
        "M13",
        "M14",
        "M16",
        "M18",
        "M19",
    )
    state_names = (
        "offer_active",
        "precondition",
        "credibility",
        "belief",
        "attention",
        "pending",
        "us_sanctions",
        "inducement_offer",
        "blessed",
        "reneged",
    )
    state_codes = MappingProxyType({"precondition": PRECONDITIONS})
    draws = (
        "sanction",
        "threat",
        "reassure",
        "initiative",
        "mixed_signal",
        "bless",
        "misread_noise",
    )
    controls = ("precondition", "pressure", "coherence", "hawkishness", "inducement", "honor_pause")
    # M10: a standing offer, or yesterday's back channel, opens direct contact; a contradicted
    # offer is less credible.
    channels = (
        Channel(
            "direct",
            lambda us: (us.offer_active | us.model.yesterday.back_channel) * us.credibility,
            willingness="us",
            mechanisms=("M10", "M8"),
        ),
    )
    outcome_measures = (
        Measure(
            "us_sanctions_rounds",
            "",
            "count",
            "Unilateral US sanctions rounds.",
            ("M3",),
            lambda us: us.rounds,
        ),
        Measure(
            "offers",
            "",
            "count",
            "Offers of talks made or restated by Washington.",
            ("M1", "M13", "M14"),
            lambda us: us.offers,
        ),
        Measure(
            "threats", "", "count", "Public threats by Washington.", ("M9",), lambda us: us.threats
        ),
        Measure(
            "reneged",
            "",
            "share",
            "Washington sanctioned Pyongyang during a pledged pause.",
            ("M2",),
            lambda us: us.reneged,
        ),
    )
    daily_series = (
        Measure(
            "us_sanctions",
            "0-1",
            "level",
            "Unilateral US sanctions level.",
            ("M3",),
            lambda us: us.us_sanctions,
            panel="sanctions",
        ),
        Measure(
            "credibility",
            "0-1",
            "level",
            "Credibility of Washington's offer.",
            ("M8",),
            lambda us: us.credibility,
            panel="capability",
        ),
        Measure(
            "us_sanctions_round",
            "",
            "flag",
            "1 on a day with a US sanctions round.",
            ("M3",),
            lambda us: us.sanction,
        ),
    )
    event_kinds = (
        EventKind(
            "talks_offer",
            "Washington",
            "offers talks ({detail})",
            ("M1", "M13"),
            lambda us, t: t.offer,
            lambda us, t: us.precondition,
            lambda code: "precondition: " + PRECONDITIONS.label(code),
        ),
        EventKind(
            "us_sanctions",
            "Washington",
            "imposes a new round of sanctions",
            ("M3",),
            lambda us, t: t.us_round,
        ),
        EventKind(
            "reneged",
            "Washington",
            "sanctions Pyongyang during its pledged pause",
            ("M2",),
            lambda us, t: t.reneged,
        ),
        EventKind("threat", "Washington", "threatens Pyongyang", ("M9",), lambda us, t: t.threat),
        EventKind(
            "reassure", "Washington", "reassures its allies", ("M16",), lambda us, t: t.reassure
        ),
        EventKind(
            "mixed_signal",
            "Washington",
            "a second voice contradicts the offer",
            ("M8",),
            lambda us, t: t.mixed_signal,
        ),
        EventKind(
            "bless_un_envoy",
            "Washington",
            "blesses a UN envoy mission",
            ("M10",),
            lambda us, t: t.blessed,
        ),
        EventKind(
            "back_channel",
            "Washington",
            "opens a back channel",
            ("M10",),
            lambda us, t: t.back_channel,
        ),
    )
    move_kinds = (
        MoveKind(
            "washington",
            "talks_offer",
            ("M1", "M8"),
            "Offer or restate talks; the offer's credibility is renewed.",
            events=("talks_offer",),
        ),
        MoveKind(
            "washington",
            "precondition",
            ("M1", "M8"),
            "Set the precondition (value: one of washington.precondition's choices; "
            "optional days: the pause or behaviour-change length). It stands as an offer, "
            "unless it tightens a standing offer: then it is a mixed signal.",
            sets="washington.precondition",
            events=("talks_offer", "mixed_signal"),
        ),
        MoveKind(
            "washington",
            "us_sanctions",
            ("M3", "M2", "M20"),
            "A unilateral sanctions round.",
            events=("us_sanctions",),
        ),
        MoveKind("washington", "threat", ("M9",), "A public threat.", events=("threat",)),
        MoveKind(
            "washington",
            "mixed_signal",
            ("M8",),
            "A voice contradicting the standing offer.",
            events=("mixed_signal",),
        ),
        MoveKind(
            "washington",
            "back_channel",
            ("M10",),
            "A direct contact opportunity.",
            events=("back_channel",),
        ),
        MoveKind(
            "washington",
            "reassure",
            ("M16",),
            "A show of commitment to allies.",
            events=("reassure",),
        ),
        MoveKind(
            "washington",
            "bless_un_envoy",
            ("M10",),
            "Washington blesses a UN envoy.",
            events=("bless_un_envoy",),
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        p = self.p
        self.offer_active = self.full(initial["offer_active"], bool)
        self.precondition = self.full(p.precondition, np.int64)  # code into PRECONDITIONS
        self.pause_days = self.full(p.pause_days, np.int64)
        self.behaviour_days = self.full(p.behaviour_days, np.int64)
        self.level = self.full(p.talks_level, np.float64)  # 0 working level, 1 leaders (M17)
        self.terms_version = 0  # counts changes of precondition or level, for readers' caches
        self.credibility = self.full(1.0)
        self.belief = self.full(0.0)  # M18: believed chance that Pyongyang is cooperating
        self.pending = self.full(0, np.int64)  # M3: provocations not yet answered
        self.us_sanctions = self.full(initial["us_sanctions"])
        self.inducement_offer = self.full(0.0)  # M7
        self.blessed = self.full(initial["un_envoy_blessed"], bool)
        self.reneged = self.full(False, bool)
        self.rounds = self.full(0, np.int64)
        self.offers = self.full(0, np.int64)
        self.threats = self.full(0, np.int64)
        self.attention = self.full(1.0)
        # Parameter products used every day, computed once.
        self._sanction_scale = p.response_rate * p.pressure
        self._threat_scale = p.threat_rate * p.hawkishness
        self._mixed_chance = p.mixed_signal_rate * (1.0 - p.coherence)
        #: M7: whether Washington ever pays for talks in any replicate.
        self.pays = bool(np.any(p.inducement > 0))
        #: M2: whether Washington honours pauses in any replicate.
        self.honors_pause = bool(np.any(p.honor_pause))
        self._attention_seen = None

    def _attention(self) -> np.ndarray:
        """M13, M12: share of attention left after other business and any Russian crisis."""
        moscow = self.model.moscow
        if self._attention_seen != moscow.version:  # it changes only with Moscow's crisis
            left = ONE - self.p.distraction - moscow.p.distraction_weight * moscow.crisis
            self._attention_cache = np.maximum(np.minimum(left, ONE), self.p.min_attention)
            self._attention_seen = moscow.version
        return self._attention_cache

    def _tightened(self) -> np.ndarray:
        """M8: a scripted, stricter precondition on a standing offer contradicts the offer.

        ("The White House ... appeared to pour cold water on the idea", seed 003.)
        """
        named = self.script_move("precondition").sets.get("washington.precondition")
        if named is None:  # the user holds the precondition: the move only restates the offer
            return self._no
        return self.offer_active & (PRECONDITIONS.index(named) > self.precondition)

    def sanction_chance(self) -> np.ndarray:
        """M3, M13, M18, M2: answer provocations; hold while it believes Pyongyang cooperates."""
        p, m = self.p, self.model
        drive = np.where(self.pending > 0, ONE, p.campaign * m.economic_pain)
        believed = np.maximum(np.minimum(self.belief, ONE), ZERO)
        return self._sanction_scale * self.attention * drive * (ONE - p.restraint * believed)

    def step(self) -> None:
        """Decide today's moves from yesterday's world; scripted moves are added on top."""
        p, m = self.p, self.model
        pyongyang = m.pyongyang
        self.attention = self._attention()
        self.sanction = self.forced("us_sanctions", self.draw("sanction") < self.sanction_chance())
        if self.honors_pause:  # M2: keep the word given for a pause, even against the schedule
            pausing = pyongyang.pledged | (pyongyang.days_since_test >= self.pause_days)
            self.sanction = self.sanction & ~(pausing & self.p.honor_pause)
        self.threat = self.forced("threat", self.draw("threat") < self._threat_scale * m.tension)
        tested = pyongyang.days_since_test == 0
        self.reassure = self._no
        if tested.any():  # M16: answer a test by reassuring allies
            self.reassure = tested & (self.draw("reassure") < p.reassurance * self.attention)
        self.reassure = self.forced("reassure", self.reassure)
        urgency = ONE + p.runway_urgency * pyongyang.capability  # M14
        pressed = m.influence("washington.initiative")  # allies pressing for talks (M13)
        if pressed is not ZERO:
            urgency = urgency + pressed
        initiative = p.initiative_rate * self.attention * urgency  # M13
        self.offer = self.forced("talks_offer", self.draw("initiative") < initiative)
        self.mixed_signal = self.forced(
            "mixed_signal",
            self.offer_active  # M8
            & (self.draw("mixed_signal") < self._mixed_chance),
        )
        if self.scripted("precondition"):  # an offer, or a contradiction if it tightens (M8)
            tightened = self._tightened()
            self.offer = self.offer | ~tightened
            self.mixed_signal = self.mixed_signal | tightened
        self.bless = self._no
        if m.un.proposal_pending.any():  # M10: answer yesterday's proposal, yes or no.
            self.bless = m.un.proposal_pending & (self.draw("bless") < p.un_blessing)
        self.bless = self.forced("bless_un_envoy", self.bless)
        self.back_channel = self.forced("back_channel", self._no)
        self.noise = p.misread_noise * ndtri(self.draw("misread_noise"))  # M18

    def advance(self) -> None:
        """Update offers, sanctions, belief and the inducement from the resolved day."""
        p, t = self.p, self.model.today
        if self.scripted("precondition"):
            # M1: the terms the move sets, less those the user holds (see scenarios' docstring).
            terms = self.script_move("precondition").sets
            if "washington.precondition" in terms:
                code = PRECONDITIONS.index(terms["washington.precondition"])
                self.precondition = self.full(code, np.int64)
            if "washington.pause_days" in terms:
                self.pause_days = self.full(terms["washington.pause_days"], np.int64)
            if "washington.behaviour_days" in terms:
                self.behaviour_days = self.full(terms["washington.behaviour_days"], np.int64)
            self.terms_version += 1
        self.pending = np.where(self.sanction, 0, self.pending + t.tested)
        if self.sanction.any():
            self.us_sanctions = (
                self.us_sanctions + p.sanction_step * (ONE - self.us_sanctions) * self.sanction
            )
            self.rounds = self.rounds + self.sanction
        self.offers = self.offers + self.offer
        self.threats = self.threats + self.threat
        self.offer_active = self.offer_active | self.offer
        # An offer renews credibility; a contradiction the same day still takes its share.
        renewed = np.where(self.offer, ONE, self.credibility)
        self.credibility = renewed * (ONE - p.mixed_signal_hit * self.mixed_signal)
        # M7: when Washington pays, every launch day before talks raises what it offers.
        if self.pays:
            raise_offer = p.inducement * p.inducement_step * t.launch * ~t.in_talks
            self.inducement_offer = self.inducement_offer + raise_offer * (
                ONE - self.inducement_offer
            )
        # M18: a noisy daily reading of whether Pyongyang is pausing or talking.
        self.belief = self.belief + p.learning_rate * (t.cooperating + self.noise - self.belief)
        self.blessed = self.blessed | self.bless
        self.reneged = self.reneged | t.reneged
