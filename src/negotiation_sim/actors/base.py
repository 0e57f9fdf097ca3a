"""What every actor shares: its declarations, its parameters, its named draws and the two-phase
day.

Mesa's simultaneous-activation convention: ``step`` decides from yesterday's state and writes
only the actor's own decision attributes; ``advance`` updates only the actor's own state from
its decisions and the day the model resolved (``model.today``, a frozen `Day`). No actor reads
another's state inside ``advance``, so the order in which actors are called never matters.

An actor declares, as class attributes, everything the rest of the package reads about it: its
draws, outcomes, daily series, event kinds, scripted move kinds, contact channels and its
influence on others' rules (see ``docs/extending.md``). The model, the recorders, scenario files,
the docs and the dashboard read these declarations; none lists actors by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, SimpleNamespace
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from negotiation_sim.codes import PRECONDITIONS, TALKS_STATES, Codes
from negotiation_sim.declarations import Channel, EventKind, Measure, MoveKind

if TYPE_CHECKING:
    from negotiation_sim.model import NegotiationModel


# Numbers used in the daily rules, as 0-d arrays: numpy combines these with arrays without
# converting a Python number on every call, which the daily step makes hundreds of times.
ONE, ZERO = np.array(1.0), np.array(0.0)
#: Codes of the state of talks (M10, M17).
NO_TALKS, CONTACT, TALKS, SUMMIT = TALKS_STATES.constants()
#: Codes of Washington's preconditions (M1, M19).
NONE, TEST_PAUSE, BEHAVIOUR_CHANGE, DENUCLEARIZATION = PRECONDITIONS.constants()

#: Rules an actor may influence from outside its own module, by name: the rule adds up every
#: actor's contribution (`Actor.influences`), so a new actor changes others' behaviour without
#: editing them.
HOOKS: Mapping[str, str] = MappingProxyType(
    {
        "tension": "A jump in tension today, in [0, 1], added to the day's others (M15, M16).",
        "pyongyang.willingness": (
            "Added to the log-odds of Pyongyang's willingness to talk, on both channels."
        ),
        "pyongyang.test_hazard": (
            "Added to Pyongyang's need to demonstrate fielded systems (systems' worth of "
            "short-range shows) and to the excitement of its nuclear hazard (M6)."
        ),
        "washington.initiative": (
            "Added to the relative rate of Washington's own offers of talks (M13)."
        ),
    }
)


class Actor(mesa.Agent):
    """A state actor whose state is an array over the model's replicates."""

    #: Prefix of this actor's entries in the parameter registry and of its draws' names.
    key: ClassVar[str] = ""
    #: The actor's name as a reader knows it ("Washington").
    label: ClassVar[str] = ""
    #: Other spellings accepted for the actor in scenario files ("united_nations").
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Mechanism ids (M1–M20) whose rules this actor's decisions implement (tested and
    #: documented: tests/test_declarations.py).
    mechanisms: ClassVar[tuple[str, ...]] = ()
    #: The names of the arrays that make up this actor's state, for display and inspection.
    state_names: ClassVar[tuple[str, ...]] = ()
    #: State variables whose numbers are codes, and their names.
    state_codes: ClassVar[Mapping[str, Codes]] = MappingProxyType({})
    #: Draws the actor makes every day (``self.draw(name)``), computed together; a draw not
    #: listed still works, computed on first use.
    draws: ClassVar[tuple[str, ...]] = ()
    #: Per-replicate outcomes at the end of a run; ``compute`` takes the actor.
    outcome_measures: ClassVar[tuple[Measure, ...]] = ()
    #: Daily series; ``compute`` takes the actor.
    daily_series: ClassVar[tuple[Measure, ...]] = ()
    #: Event kinds; ``happened`` and ``detail`` take the actor and the day.
    event_kinds: ClassVar[tuple[EventKind, ...]] = ()
    #: Move kinds a scenario may script for this actor on a date.
    move_kinds: ClassVar[tuple[MoveKind, ...]] = ()
    #: Channels this actor offers Pyongyang for contact (M10).
    channels: ClassVar[tuple[Channel, ...]] = ()
    #: This actor's contributions to others' rules: a `HOOKS` name to the name of a method
    #: returning an array over replicates for today.
    influences: ClassVar[Mapping[str, str]] = MappingProxyType({})
    #: Parameters (short names) the dashboard offers a control for.
    controls: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: NegotiationModel) -> None:
        super().__init__(model)
        self.p = SimpleNamespace(**model.parameters_of(self.key))
        self.n = model.replicates
        self._yes, self._no = _frozen(self.full(True, bool)), _frozen(self.full(False, bool))
        self._streams = model.streams
        self._draw_names: dict[str, str] = {}

    def draw(self, name: str) -> np.ndarray:
        """Today's uniform in (0, 1) of this actor's draw ``name``, one per replicate.

        The values are a pure function of (replicate seed, day, ``"<key>.<name>"``): a draw
        added anywhere (here, in a subclass, in a new actor) leaves every other draw unchanged.
        """
        full = self._draw_names.get(name)
        if full is None:
            full = self._draw_names[name] = f"{self.key}.{name}"
        return self._streams.draw(full)

    def scripted(self, kind: str) -> bool:
        """Whether the scenario scripts a move of this kind for this actor today."""
        return kind in self.model.script_today.get(self.key, {})

    def forced(self, kind: str, decision: np.ndarray) -> np.ndarray:
        """The actor's own ``decision``, or yes in every replicate when the scenario scripts
        a move of this kind today (history overrides choice)."""
        return self._yes if kind in self.model.script_today.get(self.key, ()) else decision

    def script_move(self, kind: str):
        return self.model.script_today[self.key][kind]

    def full(self, value, dtype=np.float64) -> np.ndarray:
        """An array over replicates holding ``value`` (a scalar or per-replicate array)."""
        return np.broadcast_to(np.asarray(value, dtype=dtype), (self.n,)).copy()

    def state(self, replicate: int = 0) -> dict[str, float]:
        """This actor's state in one replicate, for display."""
        return {
            name: np.asarray(getattr(self, name))
            .reshape(-1)[replicate if np.ndim(getattr(self, name)) else 0]
            .item()
            for name in self.state_names
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(replicates={self.n})"


def _frozen(array: np.ndarray) -> np.ndarray:
    """Make a shared constant array read-only, so no rule can change it by accident."""
    array.flags.writeable = False
    return array


def decay(days) -> np.ndarray | float:
    """Share of an impulse left after one day, for an exponential decay time in days."""
    return np.exp(-1.0 / np.asarray(days, dtype=np.float64))
