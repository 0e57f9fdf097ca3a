"""Seoul: South Korea's president and government, the sixth party of the six-party talks.

Seeds: 000 (CNN, 2022): "a possible sign of larger tests to come, according to South Korea's
President Moon Jae-in"; "steps meant to emphasize American commitment to its allies in the
region"; 003 (Foreign Policy, 2017): "restart great-power talks with North Korea". The record
(``timeline_2017_2022.csv``) dates Seoul's moves: presidents' stances, offers of inter-Korean
talks and aid, and combined exercises with the United States.

Seoul acts on others only through declared channels and influences, so no other actor's code
names it:

- M10: an offer of inter-Korean talks opens a channel Pyongyang may use for contact (willing
  as it is towards the UN: the channel needs no trust in Washington); aid on offer raises
  Pyongyang's willingness to talk;
- M16: a combined exercise with Washington, which Pyongyang reads as a threat, adds tension
  when it starts, chills Pyongyang's willingness while it runs, and provokes answers (tests)
  from its start for as long as its threat lasts, fading;
- M13: an engaging Seoul presses Washington to offer talks more often.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from negotiation_sim.actors.base import ONE, ZERO, Actor, decay
from negotiation_sim.declarations import Channel, EventKind, Measure, MoveKind
from negotiation_sim.parameters import REGISTRY

#: Seoul's stances in code order, as the registry's ``seoul.stance`` lists them.
STANCES = REGISTRY["seoul.stance"].choices
ENGAGEMENT, ALIGNMENT = STANCES.constants()


class Seoul(Actor):
    """The Republic of Korea's president and government."""

    key = "seoul"
    label = "Seoul"
    aliases = ("south_korea", "rok")
    mechanisms = ("M10", "M13", "M16")
    state_names = ("stance", "offer_days_left", "aid", "exercise_days_left", "threat")
    state_codes = MappingProxyType({"stance": STANCES})
    draws = ("talks_offer", "exercise")
    controls = ("stance", "exercise_provocation", "pull")
    channels = (
        Channel(
            "inter-Korean",
            lambda seoul: seoul.channel_openness(),
            willingness="un",
        ),
    )
    influences = MappingProxyType(
        {
            "tension": "exercise_tension",
            "pyongyang.willingness": "willingness_shift",
            "pyongyang.test_hazard": "provocation",
            "washington.initiative": "pull",
        }
    )
    outcome_measures = (
        Measure(
            "inter_korean_offers",
            "",
            "count",
            "Offers of inter-Korean talks made by Seoul.",
            ("M10",),
            lambda seoul: seoul.offers,
        ),
        Measure(
            "exercises",
            "",
            "count",
            "Combined exercises of Seoul and Washington begun.",
            ("M16",),
            lambda seoul: seoul.exercises,
        ),
    )
    daily_series = (
        Measure(
            "seoul_aid",
            "0-1",
            "level",
            "Seoul's aid on offer, as it pulls on Pyongyang.",
            ("M10",),
            lambda seoul: seoul.aid,
            panel="sanctions",
        ),
        Measure(
            "exercise_under_way",
            "",
            "flag",
            "1 on a day a combined exercise runs.",
            ("M16",),
            lambda seoul: seoul.exercise_days_left > 0,
        ),
        Measure(
            "exercise_threat",
            "exercises",
            "level",
            "The threat Pyongyang reads in the exercises begun: each adds 1, fading over "
            "seoul.threat_days.",
            ("M16",),
            lambda seoul: seoul.threat,
            panel="tension",
        ),
    )
    event_kinds = (
        EventKind(
            "stance",
            "Seoul",
            "takes a stance of {detail} towards Pyongyang",
            ("M10", "M16"),
            lambda seoul, t: seoul.forced("stance", seoul._no),
            lambda seoul, t: seoul.stance,
            STANCES.decode,
        ),
        EventKind(
            "inter_korean_offer",
            "Seoul",
            "offers inter-Korean talks",
            ("M10",),
            lambda seoul, t: seoul.offer,
        ),
        EventKind(
            "aid", "Seoul", "offers aid to Pyongyang", ("M10",), lambda seoul, t: seoul.aid_offer
        ),
        EventKind(
            "exercise",
            "Seoul",
            "begins a combined exercise with Washington",
            ("M16",),
            lambda seoul, t: seoul.exercise,
        ),
    )
    move_kinds = (
        MoveKind(
            "seoul",
            "stance",
            ("M10", "M16"),
            "A new president's stance (value: engagement or alignment).",
            sets="seoul.stance",
            only_sets=True,
            events=("stance",),
        ),
        MoveKind(
            "seoul",
            "talks_offer",
            ("M10",),
            "An offer of inter-Korean talks: the channel opens for seoul.offer_days.",
            events=("inter_korean_offer",),
        ),
        MoveKind("seoul", "aid", ("M10",), "An offer of aid to Pyongyang.", events=("aid",)),
        MoveKind(
            "seoul",
            "exercise",
            ("M16",),
            "A combined exercise with Washington begins; it runs its recorded `days` (else "
            "seoul.exercise_days).",
            events=("exercise",),
            lasts="seoul.exercise_days",
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        p = self.p
        self.stance = self.full(p.stance, np.int64)  # code into STANCES
        self.offer_days_left = self.full(0, np.int64)  # M10: the inter-Korean channel
        self.aid = self.full(0.0)  # M10: aid on offer, fading
        self.exercise_days_left = self.full(0, np.int64)  # M16
        self.threat = self.full(0.0)  # M16: each exercise begun adds 1; it fades
        self.offers = self.full(0, np.int64)
        self.exercises = self.full(0, np.int64)
        self._aid_keep = decay(p.aid_days)
        self._threat_keep = decay(p.threat_days)
        self.offer = self.aid_offer = self.exercise = self._no
        self._offering = self._exercising = self._no  # an offer stands; an exercise runs
        self._standing = {"offer": False, "exercise": False, "threat": False, "aid": False}
        self._stance_changed()

    # --- influences on others' rules (read yesterday's state, or today's joint outcome) ----
    # Each returns 0 when nothing is on in any replicate, so a quiet Seoul costs the others
    # nothing; `_standing` keeps what yesterday left on.
    def exercise_tension(self) -> np.ndarray:
        """M16: an exercise starting today adds tension, as reassuring allies does."""
        return self.p.exercise_tension * self.exercise if self.exercise.any() else ZERO

    def willingness_shift(self) -> np.ndarray:
        """M10, M16: aid on offer raises Pyongyang's willingness; a running exercise chills it."""
        shift = self.p.aid_weight * self.aid if self._standing["aid"] else ZERO
        if self._standing["exercise"]:
            shift = shift - self.p.exercise_chill * self._exercising
        return shift

    def provocation(self) -> np.ndarray:
        """M16: Pyongyang reads an exercise as a threat and answers with tests, while it runs
        and, fading, after it ends."""
        if not self._standing["threat"]:
            return ZERO
        return self.p.exercise_provocation * self.threat

    def channel_openness(self) -> np.ndarray:
        """M10: the inter-Korean channel is open while an offer of talks stands."""
        if not self._standing["offer"]:
            return ZERO
        return self.p.channel_openness * self._offering

    def pull(self) -> np.ndarray:
        """M13: an engaging Seoul presses Washington to offer talks."""
        return self._pull

    # --- the day ------------------------------------------------------------------------
    def step(self) -> None:
        """Offer inter-Korean talks (engaging), answer a test with a show of force (aligned);
        the record's moves come on top."""
        p = self.p
        offer = exercise = self._no
        if self._any_engaging:
            offer = (
                self._engaging & ~self._offering & (self.draw("talks_offer") < p.talks_offer_rate)
            )
        if self._any_aligned:
            tested = self.model.pyongyang.days_since_test == 0  # Pyongyang tested yesterday
            exercise = (
                self._aligned
                & tested
                & ~self._exercising
                & (self.draw("exercise") < p.exercise_rate)
            )
        self.offer = self.forced("talks_offer", offer)
        self.exercise = self.forced("exercise", exercise)
        self.aid_offer = self.forced("aid", self._no)

    # Blocks guarded by what stands only skip updates that would leave every replicate as it is.
    def advance(self) -> None:
        """Open the channel, start the exercise, take up aid; a scripted stance applies."""
        p, standing = self.p, self._standing
        if standing["offer"] or self.offer.any():
            self.offer_days_left = np.where(
                self.offer, p.offer_days, np.maximum(self.offer_days_left - 1, 0)
            )
            self.offers = self.offers + self.offer
            self._offering = self.offer_days_left > 0
            standing["offer"] = bool(self._offering.any())
        if standing["exercise"] or self.exercise.any():
            self.exercise_days_left = np.where(
                self.exercise, self._exercise_length(), np.maximum(self.exercise_days_left - 1, 0)
            )
            self.exercises = self.exercises + self.exercise
            self._exercising = self.exercise_days_left > 0
            standing["exercise"] = bool(self._exercising.any())
        if standing["threat"] or self.exercise.any():
            # M16: each exercise begun is a threat Pyongyang answers, fading after.
            self.threat = self.threat * self._threat_keep + self.exercise
            standing["threat"] = True  # it fades but never quite to nothing
        if standing["aid"] or self.aid_offer.any():
            self.aid = np.where(self.aid_offer, ONE, self.aid * self._aid_keep)
            standing["aid"] = True  # aid fades but never quite to nothing
        if self.scripted("stance"):  # a held seoul.stance drops the move
            self.stance[:] = STANCES.code(self.script_move("stance").sets["seoul.stance"])
            self._stance_changed()

    def _exercise_length(self) -> np.ndarray | int:
        """Days an exercise begun today runs: the record's days for a scripted one (an
        exercise scripted today runs in every replicate), else seoul.exercise_days."""
        if self.scripted("exercise") and self.script_move("exercise").days is not None:
            return self.script_move("exercise").days
        return self.p.exercise_days

    def _stance_changed(self) -> None:
        """What follows from the stance alone, recomputed only when it changes."""
        self._engaging, self._aligned = self.stance == ENGAGEMENT, self.stance == ALIGNMENT
        self._any_engaging, self._any_aligned = self._engaging.any(), self._aligned.any()
        pull = self.p.pull * self._engaging
        self._pull = pull if pull.any() else ZERO
