"""What an actor (or the model's world) declares about itself, as typed data.

Each quantity is declared once, by the actor that owns it, together with how it is computed:
an outcome or a daily series (`Measure`), an event kind (`EventKind`), a scenario move kind
(`MoveKind`), a contact channel (`Channel`). The model, the recorders, the scenario reader, the
docs and the dashboard read these declarations; none restates them (see ``docs/extending.md``).

Functions in a declaration take the owner (an actor, or the model for the world's quantities)
and, for events, the day's joint outcome (`negotiation_sim.model.Day`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Kinds of `Measure`: how a value reads and how the daily record stores it.
MEASURE_KINDS = ("id", "share", "count", "days", "level", "state", "flag")


@dataclass(frozen=True)
class Measure:
    """An outcome column (one value per replicate at the end of a run) or a daily series (one
    value per replicate and day): its name, unit, type, meaning and computation."""

    name: str
    unit: str
    kind: str  # one of MEASURE_KINDS
    doc: str
    mechanisms: tuple[str, ...] = ()
    #: The value over replicates, from the owner (an actor, or the model).
    compute: Callable[[Any], np.ndarray] | None = None
    #: A time to an event that is NaN when the event never happened (right-censored at the
    #: end of the run): comparisons use survival methods, summaries count it at the horizon.
    censored: bool = False
    #: Which dashboard panel shows a daily series ("" for none).
    panel: str = ""
    #: Who owns it: an actor's key, or "world"; filled in when the tables are assembled.
    owner: str = ""

    def __post_init__(self) -> None:
        if self.kind not in MEASURE_KINDS:
            raise ValueError(f"measure {self.name!r}: kind {self.kind!r} not in {MEASURE_KINDS}")


@dataclass(frozen=True)
class EventKind:
    """A kind of event in ``model.events()``: who acts, how the chronicle tells it, when it
    happens and, for kinds that carry one, the detail code and how it reads."""

    kind: str
    actor: str  # as a reader names it: "Washington", "World"
    template: str  # "{detail}" stands for the detail's text
    mechanisms: tuple[str, ...]
    #: Whether the event happened today in each replicate, from the owner and the day.
    happened: Callable[[Any, Any], np.ndarray] | None = None
    #: Today's detail code in each replicate (None: the kind carries no detail).
    detail: Callable[[Any, Any], np.ndarray] | None = None
    #: How a detail code reads in the chronicle.
    reads: Callable[[object], str] | None = None
    owner: str = ""


@dataclass(frozen=True)
class MoveKind:
    """A move an outside actor may make on a scripted date (a scenario's ``[[moves]]``)."""

    actor: str
    kind: str
    mechanisms: tuple[str, ...]
    doc: str
    #: The registry parameter whose quantity the move's value sets from its date on (the
    #: value is validated by that parameter's entry); None: the move takes no value.
    sets: str | None = None
    #: Whether setting that quantity is all the move does (then a held parameter drops it).
    only_sets: bool = False
    #: The event kinds the move shows up as, for the chronicle's "[record: ...]" notes.
    events: tuple[str, ...] = ()
    #: For a move that lasts (an exercise): the registry parameter whose entry checks the
    #: move's ``days`` and whose value is its length when the move gives none. The days are
    #: this move's own (the record dates each exercise), not a quantity set from its date on.
    lasts: str | None = None


@dataclass(frozen=True)
class Channel:
    """A channel through which Pyongyang may make contact (M10), offered by an actor.

    ``openness`` gives, from the offering actor, how open the channel is today in each
    replicate (0 closed .. 1 open); Pyongyang makes contact through it with a daily chance of
    its contact rate times its willingness (``willingness``: "us" or "un", the trust-free
    one) times the openness.
    """

    name: str
    openness: Callable[[Any], np.ndarray]
    willingness: str = "un"
    mechanisms: tuple[str, ...] = ("M10",)
    owner: str = ""
