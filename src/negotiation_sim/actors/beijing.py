"""Beijing: sanctions enforcement, envoy pressure on Pyongyang, its Security Council vote.

Seed 003 (Foreign Policy, 2017): "getting more pressure from the Chinese", "Chinese envoy
Song Tao, who visited Pyongyang in November in what one well-placed diplomat characterized as a
'failed' effort to start talks".
"""

from __future__ import annotations

from negotiation_sim.actors.base import ONE, Actor, decay
from negotiation_sim.streams import Slot


class Beijing(Actor):
    """The People's Republic of China."""

    key = "beijing"
    mechanisms = ("M4", "M5", "M10", "M11")
    state_names = ("enforcement", "pressure")

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        self.enforcement = self.full(self.p.enforcement)
        self.pressure = self.full(0.0)  # M11: envoy pressure Pyongyang feels, in [0, 1)
        self._keep = decay(self.p.pressure_days)

    def step(self) -> None:
        """Send an envoy (more often when tension is high); decide a veto should a vote come."""
        p, m, u = self.p, self.model, self.model.u
        self.envoy = self.forced("envoy", u[Slot.CN_ENVOY] < p.envoy_rate * m.tension)
        # M11: a visit can fail; it presses home more often when enforcement gives leverage.
        self.envoy_success = self._no
        if self.envoy.any():
            leverage = ONE - p.leverage + p.leverage * self.enforcement
            self.envoy_success = self.envoy & (
                u[Slot.CN_ENVOY_SUCCESS] < p.envoy_success * leverage
            )
        self.veto = u[Slot.CN_VETO] < p.shield  # M4

    def advance(self) -> None:
        """Envoy pressure builds with successful visits (scaled by enforcement) and fades."""
        p = self.p
        kept = self.pressure * self._keep
        if self.envoy_success.any():
            push = p.pressure_strength * self.enforcement * self.envoy_success
            kept = kept + push * (ONE - kept)
        self.pressure = kept
        if self.scripted("enforcement"):  # M5; a held beijing.enforcement drops the move
            self.enforcement[:] = self.script_move("enforcement").sets["beijing.enforcement"]
