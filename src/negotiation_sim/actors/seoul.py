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
  when it starts and, while it runs, excites Pyongyang's tests and chills its willingness;
- M13: an engaging Seoul presses Washington to offer talks more often.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from negotiation_sim.actors.base import ONE, Actor, decay
from negotiation_sim.codes import Codes
from negotiation_sim.declarations import Channel, EventKind, Measure, MoveKind
from negotiation_sim.parameters import REGISTRY

#: Seoul's stances in code order, as the registry's ``seoul.stance`` lists them.
STANCES = Codes("stance", REGISTRY["seoul.stance"].choices)
ENGAGEMENT, ALIGNMENT = STANCES.constants()


class Seoul(Actor):
    """The Republic of Korea's president and government."""

    key = "seoul"
    label = "Seoul"
    aliases = ("south_korea", "rok")
    mechanisms = ("M10", "M13", "M16")
    state_names = ("stance", "offer_days_left", "aid", "exercise_days_left")
    state_codes = MappingProxyType({"stance": STANCES})
    draws = ("talks_offer", "exercise")
    controls = ("stance", "exercise_provocation", "pull")
    channels = (
        Channel(
            "inter-Korean",
            lambda seoul: seoul.p.channel_openness * (seoul.offer_days_left > 0),
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
            "A combined exercise with Washington begins; it runs seoul.exercise_days.",
            events=("exercise",),
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        p = self.p
        self.stance = self.full(p.stance, np.int64)  # code into STANCES
        self.offer_days_left = self.full(0, np.int64)  # M10: the inter-Korean channel
        self.aid = self.full(0.0)  # M10: aid on offer, fading
        self.exercise_days_left = self.full(0, np.int64)  # M16
        self.offers = self.full(0, np.int64)
        self.exercises = self.full(0, np.int64)
        self._aid_keep = decay(p.aid_days)
        self.offer = self.aid_offer = self.exercise = self._no

    # --- influences on others' rules (read yesterday's state, or today's joint outcome) ----
    def exercise_tension(self) -> np.ndarray:
        """M16: an exercise starting today adds tension, as reassuring allies does."""
        return self.p.exercise_tension * self.exercise

    def willingness_shift(self) -> np.ndarray:
        """M10, M16: aid on offer raises Pyongyang's willingness; a running exercise chills it."""
        return self.p.aid_weight * self.aid - self.p.exercise_chill * (self.exercise_days_left > 0)

    def provocation(self) -> np.ndarray:
        """M16: Pyongyang reads a running exercise as a threat and tests more."""
        return self.p.exercise_provocation * (self.exercise_days_left > 0)

    def pull(self) -> np.ndarray:
        """M13: an engaging Seoul presses Washington to offer talks."""
        return self.p.pull * (self.stance == ENGAGEMENT)

    # --- the day ------------------------------------------------------------------------
    def step(self) -> None:
        """Offer inter-Korean talks (engaging), answer a test with a show of force (aligned);
        the record's moves come on top."""
        p = self.p
        engaging = self.stance == ENGAGEMENT
        self.offer = self.forced(
            "talks_offer",
            engaging
            & (self.offer_days_left == 0)
            & (self.draw("talks_offer") < p.talks_offer_rate),
        )
        tested = self.model.pyongyang.days_since_test == 0  # Pyongyang tested yesterday
        self.exercise = self.forced(
            "exercise",
            (self.stance == ALIGNMENT)
            & tested
            & (self.exercise_days_left == 0)
            & (self.draw("exercise") < p.exercise_rate),
        )
        self.aid_offer = self.forced("aid", self._no)

    def advance(self) -> None:
        """Open the channel, start the exercise, take up aid; a scripted stance applies."""
        p = self.p
        self.offer_days_left = np.where(
            self.offer, p.offer_days, np.maximum(self.offer_days_left - 1, 0)
        )
        self.exercise_days_left = np.where(
            self.exercise, p.exercise_days, np.maximum(self.exercise_days_left - 1, 0)
        )
        self.aid = np.where(self.aid_offer, ONE, self.aid * self._aid_keep)
        self.offers = self.offers + self.offer
        self.exercises = self.exercises + self.exercise
        if self.scripted("stance"):  # a held seoul.stance drops the move
            self.stance[:] = STANCES.code(self.script_move("stance").sets["seoul.stance"])
