"""What every actor shares: its parameters as a namespace and the two-phase day.

Mesa's simultaneous-activation convention: ``step`` decides from yesterday's state and writes
only the actor's own decision attributes; ``advance`` updates only the actor's own state from
its decisions and the day the model resolved (``model.today``). No actor reads another's state
inside ``advance``, so the order in which actors are called never matters.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

if TYPE_CHECKING:
    from negotiation_sim.model import NegotiationModel


# Numbers used in the daily rules, as 0-d arrays: numpy combines these with arrays without
# converting a Python number on every call, which the daily step makes hundreds of times.
ONE, ZERO = np.array(1.0), np.array(0.0)
#: Codes of the state of talks (M10, M17).
NO_TALKS, CONTACT, TALKS, SUMMIT = (np.array(code) for code in range(4))
#: Codes of Washington's preconditions, in the order of `parameters.PRECONDITIONS` (M1, M19).
NONE, TEST_PAUSE, BEHAVIOUR_CHANGE, DENUCLEARIZATION = (np.array(code) for code in range(4))


class Actor(mesa.Agent):
    """A state actor whose state is an array over the model's replicates."""

    #: Prefix of this actor's entries in the parameter registry.
    key: ClassVar[str] = ""
    #: Mechanism ids (M1–M20) whose rules this actor's decisions implement.
    mechanisms: ClassVar[tuple[str, ...]] = ()
    #: The names of the arrays that make up this actor's state, for display and inspection.
    state_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: NegotiationModel) -> None:
        super().__init__(model)
        self.p = SimpleNamespace(**model.parameters_of(self.key))
        self.n = model.replicates
        self._yes, self._no = _frozen(self.full(True, bool)), _frozen(self.full(False, bool))

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
