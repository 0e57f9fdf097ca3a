"""Moscow: intermediary, lax enforcer, potential veto, and a rival that draws Washington's eye.

Seeds: 003 (Foreign Policy, 2017): Choe "met with Russian officials, and informed them that her
government was not prepared to restart nuclear talks"; 000 (CNN, 2022): "the buildup of Russian
troops along Ukraine's border".
"""

from __future__ import annotations

import numpy as np

from negotiation_sim.actors.base import ONE, ZERO, Actor
from negotiation_sim.declarations import EventKind, MoveKind


class Moscow(Actor):
    """The Russian Federation."""

    key = "moscow"
    label = "Moscow"
    mechanisms = ("M4", "M5", "M10", "M12", "M13")
    state_names = ("us_relations", "crisis", "effective_enforcement")
    draws = ("intermediary", "veto")
    controls = ("shield", "rivalry_veto")
    event_kinds = (
        EventKind(
            "intermediary",
            "Moscow",
            "hosts Pyongyang's envoys",
            ("M10", "M12"),
            lambda ru, t: t.ru_intermediary,
        ),
        EventKind(
            "russia_crisis",
            "Moscow",
            "a crisis with Russia draws Washington's attention",
            ("M12", "M13"),
            lambda ru, t: ru.forced("distraction", ru._no),
        ),
    )
    move_kinds = (
        MoveKind(
            "moscow",
            "intermediary",
            ("M10", "M12"),
            "Moscow hosts Pyongyang's envoys.",
            events=("intermediary",),
        ),
        MoveKind(
            "moscow",
            "distraction",
            ("M12", "M13"),
            "A crisis with Russia begins (value: US-Russia relations after it, 0..1).",
            sets="moscow.us_relations",
            events=("russia_crisis",),
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        self.us_relations = self.full(self.p.us_relations)
        self.crisis = self.full(initial["russia_crisis"], bool)
        self._veto_chance = self._veto()
        self.version = 0  # counts changes of crisis or relations, for readers' caches

    def _veto(self) -> np.ndarray:
        """M4, M12: veto chance, rising as relations with Washington sour."""
        p = self.p
        return np.clip(p.shield + p.rivalry_veto * (ONE - self.us_relations), ZERO, ONE)

    @property
    def effective_enforcement(self) -> np.ndarray:
        """M12: Moscow enforces less as relations with Washington sour."""
        return self.p.enforcement * self.us_relations

    def step(self) -> None:
        """Host Pyongyang's envoys now and then; decide a veto should a vote come (M4, M12)."""
        p = self.p
        self.intermediary = self.forced(
            "intermediary", self.draw("intermediary") < p.intermediary_rate
        )
        self.veto = self.draw("veto") < self._veto_chance

    def advance(self) -> None:
        """A scripted crisis with Washington sets relations and starts the distraction."""
        if self.scripted("distraction"):
            self.crisis[:] = True
            relations = self.script_move("distraction").sets.get("moscow.us_relations")
            if relations is not None:  # M12; None: the user holds moscow.us_relations
                self.us_relations[:] = relations
            self._veto_chance = self._veto()
            self.version += 1
