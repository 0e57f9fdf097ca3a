"""Categorical quantities and their integer codes, each defined once.

The model keeps categories as small integers in arrays over replicates; scenario files, events,
the chronicle, the dashboard and the docs use names. A `Codes` is both: the tuple of names (in
code order) that validation and docs read, and the encoder and decoder the model uses.

>>> from negotiation_sim.codes import PRECONDITIONS
>>> PRECONDITIONS.code("test_pause"), PRECONDITIONS.decode(3), PRECONDITIONS.label(1)
(1, 'denuclearization', 'test pause')
>>> PRECONDITIONS.encode(["none", "behaviour_change"]).tolist()
[0, 2]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

import numpy as np


class Codes(tuple):
    """The names of a categorical ``quantity`` in code order (code i is ``names[i]``)."""

    quantity: str

    def __new__(cls, quantity: str, names: Iterable[str]) -> Self:
        self = super().__new__(cls, tuple(names))
        if len(set(self)) != len(self):
            raise ValueError(f"{quantity}: names repeat in {tuple(self)!r}")
        self.quantity = quantity
        return self

    def __getnewargs__(self) -> tuple[str, tuple[str, ...]]:
        return self.quantity, tuple(self)

    def code(self, name: str) -> int:
        """The code of ``name``."""
        try:
            return self.index(name)
        except ValueError:
            raise KeyError(f"{self.quantity}: {name!r} is not one of {', '.join(self)}") from None

    def constants(self) -> tuple[np.ndarray, ...]:
        """Every code as a 0-d array, in order, for the daily rules (numpy combines those with
        arrays without converting a Python number on every call)."""
        return tuple(np.array(code) for code in range(len(self)))

    def encode(self, names: Iterable[str] | str) -> np.ndarray:
        """Names (one, or one per replicate) as an int64 array of codes."""
        if isinstance(names, str):
            return np.array(self.code(names), dtype=np.int64)
        return np.array([self.code(name) for name in names], dtype=np.int64)

    def decode(self, code: object) -> str:
        """The name of ``code`` (an integer, or a float holding one)."""
        return self[int(code)]

    def label(self, code: object) -> str:
        """The name of ``code`` as prose: underscores read as spaces."""
        return self.decode(code).replace("_", " ")

    def __repr__(self) -> str:
        return f"Codes({self.quantity!r}, {tuple(self)!r})"


#: Washington's preconditions for talks (M1), from least to most demanding.
PRECONDITIONS = Codes(
    "precondition", ("none", "test_pause", "behaviour_change", "denuclearization")
)
#: The level at which Washington offers talks (M17).
TALKS_LEVELS = Codes("talks level", ("working", "leader"))
#: The state of talks (M10, M17): the model's ``talks_state``.
TALKS_STATES = Codes("talks state", ("no_talks", "contact", "talks", "summit"))
#: Missile classes (the CNS database's classes; HGV for the hypersonic claims), M6.
MISSILE_CLASSES = Codes("missile class", ("SRBM", "MRBM", "IRBM", "ICBM", "HGV"))


class SalvoCodes:
    """A launch day's missiles and class in one number: ``missiles * 8 + class``."""

    def __init__(self, classes: Codes) -> None:
        self.classes = classes

    def encode(self, missiles: np.ndarray, cls: np.ndarray) -> np.ndarray:
        return missiles * 8 + cls

    def decode(self, code: object) -> tuple[int, str]:
        missiles, cls = divmod(int(code), 8)
        return missiles, self.classes.decode(cls)

    def label(self, code: object) -> str:
        """``"3 SRBMs"``."""
        missiles, name = self.decode(code)
        return f"{missiles} {name}" + ("s" if missiles > 1 else "")


#: Launch days' events carry their salvo this way.
SALVOS = SalvoCodes(MISSILE_CLASSES)
