"""Beijing: sanctions enforcement, envoy pressure on Pyongyang, its Security Council vote.

Seed 003 (Foreign Policy, 2017): "getting more pressure from the Chinese", "Chinese envoy
Song Tao, who visited Pyongyang in November in what one well-placed diplomat characterized as a
'failed' effort to start talks".
"""

from __future__ import annotations

from negotiation_sim.actors.base import ONE, Actor, decay
from negotiation_sim.declarations import EventKind, Measure, MoveKind


class Beijing(Actor):
    """The People's Republic of China."""

    key = "beijing"
    label = "Beijing"
    mechanisms = ("M4", "M5", "M10", "M11")
    state_names = ("enforcement", "pressure")
    draws = ("envoy", "envoy_success", "veto")
    controls = ("enforcement", "shield")
    daily_series = (
        Measure(
            "beijing_pressure",
            "0-1",
            "level",
            "Beijing's envoy pressure.",
            ("M11",),
            lambda cn: cn.pressure,
            panel="capability",
        ),
    )
    event_kinds = (
        EventKind(
            "envoy",
            "Beijing",
            "sends an envoy to Pyongyang ({detail})",
            ("M11",),
            lambda cn, t: t.cn_envoy,
            lambda cn, t: cn.envoy_success,
            lambda ok: "it presses home" if ok else "it fails",
        ),
        EventKind(
            "enforcement",
            "Beijing",
            "sets sanctions enforcement to {detail}",
            ("M5",),
            lambda cn, t: cn.forced("enforcement", cn._no),
            lambda cn, t: cn.enforcement,
            lambda value: f"{float(value):.2f}",
        ),
    )
    move_kinds = (
        MoveKind(
            "beijing",
            "enforcement",
            ("M5",),
            "Set Beijing's enforcement (value 0..1).",
            sets="beijing.enforcement",
            only_sets=True,
            events=("enforcement",),
        ),
        MoveKind(
            "beijing",
            "envoy",
            ("M11", "M10"),
            "A Chinese envoy visits Pyongyang.",
            events=("envoy",),
        ),
    )

    def __init__(self, model, initial) -> None:
        super().__init__(model)
        self.enforcement = self.full(self.p.enforcement)
        self.pressure = self.full(0.0)  # M11: envoy pressure Pyongyang feels, in [0, 1)
        self._keep = decay(self.p.pressure_days)

    def step(self) -> None:
        """Send an envoy (more often when tension is high); decide a veto should a vote come."""
        p, m = self.p, self.model
        self.envoy = self.forced("envoy", self.draw("envoy") < p.envoy_rate * m.tension)
        # M11: a visit can fail; it presses home more often when enforcement gives leverage.
        self.envoy_success = self._no
        if self.envoy.any():
            leverage = ONE - p.leverage + p.leverage * self.enforcement
            self.envoy_success = self.envoy & (
                self.draw("envoy_success") < p.envoy_success * leverage
            )
        self.veto = self.draw("veto") < p.shield  # M4

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
