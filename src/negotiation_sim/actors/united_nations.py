"""The United Nations: envoy missions, a channel Pyongyang still uses, resolutions and votes.

Seed 003 (Foreign Policy, 2017): Pyongyang "is open to continuing discussions with the United
Nations"; Trump "gave enough encouragement for Guterres to dispatch Feltman"; channels to
"prevent miscalculations" that could lead to war.
"""

from __future__ import annotations

import numpy as np

from negotiation_sim.actors.base import ONE, Actor
from negotiation_sim.codes import Codes
from negotiation_sim.declarations import Channel, EventKind, Measure, MoveKind

#: Who vetoed a draft, as the detail code ``Beijing * 1 + Moscow * 2`` (M4, M12).
VETOERS = Codes("vetoer", ("nobody", "Beijing", "Moscow", "Beijing and Moscow"))


class UnitedNations(Actor):
    """The Secretary-General and the Security Council."""

    key = "un"
    label = "UN"
    aliases = ("united_nations", "unitednations")
    mechanisms = ("M4", "M10", "M15")
    state_names = (
        "channel_open",
        "channel_active",
        "mission_days_left",
        "unanswered",
        "proposal_pending",
        "vote_day",
        "un_sanctions",
    )
    draws = ("proposal", "envoy", "draft", "vote_delay")
    controls = ("channel_open", "draft_prob")
    # M10: "open to continuing discussions with the United Nations" (003): a mission under way
    # through an open channel; it needs no trust in Washington.
    channels = (Channel("UN", lambda un: un.channel_active, willingness="un"),)
    outcome_measures = (
        Measure(
            "un_resolutions",
            "",
            "count",
            "Security Council sanctions resolutions passed.",
            ("M4",),
            lambda un: un.resolutions,
        ),
        Measure(
            "un_vetoes",
            "",
            "count",
            "Sanctions drafts vetoed by Beijing or Moscow.",
            ("M4", "M12"),
            lambda un: un.vetoes,
        ),
    )
    daily_series = (
        Measure(
            "un_sanctions",
            "0-1",
            "level",
            "Security Council sanctions level.",
            ("M4",),
            lambda un: un.un_sanctions,
            panel="sanctions",
        ),
        Measure(
            "un_resolution",
            "",
            "flag",
            "1 on a day a resolution passes.",
            ("M4",),
            lambda un: un.model.today.resolution_passed,
        ),
        Measure(
            "un_veto",
            "",
            "flag",
            "1 on a day a draft is vetoed.",
            ("M4",),
            lambda un: un.model.today.resolution_vetoed,
        ),
    )
    event_kinds = (
        EventKind(
            "envoy_proposal",
            "UN",
            "the Secretary-General proposes an envoy",
            ("M10",),
            lambda un, t: un.proposal,
        ),
        EventKind(
            "un_envoy",
            "UN",
            "an envoy mission goes to Pyongyang",
            ("M10", "M15"),
            lambda un, t: un.mission,
        ),
        EventKind("draft", "UN", "a sanctions draft is tabled", ("M4",), lambda un, t: un.draft),
        EventKind(
            "resolution_passed",
            "UN",
            "the Security Council passes a sanctions resolution",
            ("M4",),
            lambda un, t: t.resolution_passed,
        ),
        EventKind(
            "resolution_vetoed",
            "UN",
            "a sanctions draft is vetoed by {detail}",
            ("M4",),
            lambda un, t: t.resolution_vetoed,
            lambda un, t: t.vetoers,
            VETOERS.decode,
        ),
    )
    move_kinds = (
        MoveKind(
            "un",
            "envoy_proposal",
            ("M10",),
            "The Secretary-General proposes an envoy.",
            events=("envoy_proposal",),
        ),
        MoveKind(
            "un",
            "envoy",
            ("M10", "M15"),
            "A UN envoy mission (goes ahead only if the channel is open and Washington blessed).",
            events=("un_envoy",),
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        self.channel_open = self.full(self.p.channel_open, bool)
        self.proposal_pending = self.full(False, bool)
        self.mission_days_left = self.full(0, np.int64)
        self.vote_day = self.full(-1, np.int64)  # day of the scheduled vote, -1 when none
        self.unanswered = self.full(False, bool)  # M4: a major test no draft has answered yet
        self.un_sanctions = self.full(initial["un_sanctions"])
        self.resolutions = self.full(0, np.int64)
        self.vetoes = self.full(0, np.int64)

    @property
    def channel_active(self) -> np.ndarray:
        """M10, M15: an envoy mission is under way through an open channel."""
        return self.channel_open & (self.mission_days_left > 0)

    def step(self) -> None:
        """Propose an envoy, send a blessed one, table a draft after a major test unless vetoes
        deter it, call votes."""
        p, m = self.p, self.model
        blessed = m.washington.blessed
        self.proposal = self.channel_open & self.forced(
            "envoy_proposal", ~blessed & (self.draw("proposal") < p.proposal_rate)
        )
        ready = self.channel_open & blessed & (self.mission_days_left == 0)
        self.mission = ready & self.forced("envoy", self.draw("envoy") < p.envoy_rate)
        # M4: a major test brings a draft, after days of deliberation (each day a chance, as
        # long as the test is unanswered and no vote is pending); the vote comes days later.
        self.draft = self._no
        self._waiting = self.unanswered | m.pyongyang.tested_major
        if self._waiting.any():
            # M4: a veto earlier in the run deters sponsors from tabling another draft.
            drafting = p.draft_prob * (ONE - p.veto_deterrence) ** self.vetoes
            self.draft = self._waiting & (self.vote_day < 0) & (self.draw("draft") < drafting)
            self.delay = np.rint(p.vote_delay_days * (0.5 + self.draw("vote_delay"))).astype(
                np.int64
            )
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
            self.unanswered = self._waiting & ~self.draft
        self.mission_days_left = np.where(
            self.mission, p.envoy_days, np.maximum(self.mission_days_left - 1, 0)
        )
        # Washington answers a proposal the day after it is made; a refusal ends it (M10).
        self.proposal_pending = self.proposal & ~t.blessed
