"""The United Nations: envoy missions, a channel Pyongyang still uses, resolutions and votes.

Seed 003 (Foreign Policy, 2017): Pyongyang "is open to continuing discussions with the United
Nations"; Trump "gave enough encouragement for Guterres to dispatch Feltman"; channels to
"prevent miscalculations" that could lead to war.
"""

from __future__ import annotations

import numpy as np

from negotiation_sim.actors.base import ONE, Actor
from negotiation_sim.streams import Slot


class UnitedNations(Actor):
    """The Secretary-General and the Security Council."""

    key = "un"
    mechanisms = ("M4", "M10", "M15")
    state_names = (
        "channel_open",
        "channel_active",
        "mission_days_left",
        "proposal_pending",
        "vote_day",
        "un_sanctions",
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        self.channel_open = self.full(self.p.channel_open, bool)
        self.proposal_pending = self.full(False, bool)
        self.mission_days_left = self.full(0, np.int64)
        self.vote_day = self.full(-1, np.int64)  # day of the scheduled vote, -1 when none
        self.un_sanctions = self.full(initial["un_sanctions"])
        self.resolutions = self.full(0, np.int64)
        self.vetoes = self.full(0, np.int64)

    @property
    def channel_active(self) -> np.ndarray:
        """M10, M15: an envoy mission is under way through an open channel."""
        return self.channel_open & (self.mission_days_left > 0)

    def step(self) -> None:
        """Propose an envoy, send a blessed one, table a draft after a major test, call votes."""
        p, m, u = self.p, self.model, self.model.u
        blessed = m.washington.blessed
        self.proposal = self.channel_open & self.forced(
            "envoy_proposal", ~blessed & (u[Slot.UN_PROPOSAL] < p.proposal_rate)
        )
        ready = self.channel_open & blessed & (self.mission_days_left == 0)
        self.mission = ready & self.forced("envoy", u[Slot.UN_ENVOY] < p.envoy_rate)
        # M4: a major test brings a draft; the vote comes some days later.
        self.draft = self._no
        major = m.pyongyang.tested_major
        if major.any():
            self.draft = major & (self.vote_day < 0) & (u[Slot.UN_DRAFT] < p.draft_prob)
            self.delay = np.rint(p.vote_delay_days * (0.5 + u[Slot.UN_DELAY])).astype(np.int64)
        self.vote = self.vote_day == m.day

    # Blocks guarded by ``.any()`` skip only updates that would leave every replicate as it is.
    def advance(self) -> None:
        """Count votes' results, raise UN sanctions after a passed resolution, run missions."""
        p, t, day = self.p, self.model.today, self.model.day
        if self.vote.any():
            self.un_sanctions = (
                self.un_sanctions
                + p.resolution_step * (ONE - self.un_sanctions) * t.resolution_passed
            )
            self.resolutions = self.resolutions + t.resolution_passed
            self.vetoes = self.vetoes + t.resolution_vetoed
            self.vote_day = np.where(self.vote, -1, self.vote_day)
        if self.draft is not self._no:
            self.vote_day = np.where(self.draft, day + np.maximum(self.delay, 1), self.vote_day)
        self.mission_days_left = np.where(
            self.mission, p.envoy_days, np.maximum(self.mission_days_left - 1, 0)
        )
        # Washington answers a proposal the day after it is made; a refusal ends it (M10).
        self.proposal_pending = self.proposal & ~t.blessed
