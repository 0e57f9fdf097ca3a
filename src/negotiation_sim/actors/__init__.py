"""The actors, one module each, and the one list that registers them.

Adding an actor: write its module (a subclass of `Actor` with its declarations), add its
parameters to the registry, and add it to `ACTORS` below; see ``docs/extending.md``.
"""

from collections.abc import Mapping
from importlib import import_module
from types import MappingProxyType

from negotiation_sim.actors.base import HOOKS, Actor
from negotiation_sim.actors.pyongyang import OWN_CHANNELS
from negotiation_sim.codes import Codes


def _registered(*paths: str) -> tuple[type[Actor], ...]:
    """The actor classes named ``module.Class`` under this package."""
    classes = []
    for path in paths:
        module, name = path.rsplit(".", 1)
        classes.append(getattr(import_module(f"{__name__}.{module}"), name))
    return tuple(classes)


#: Every actor, in the order the model builds them: one line each registers them. Pyongyang
#: reads the others' state when it first weighs talks, so it comes last.
ACTORS: tuple[type[Actor], ...] = _registered(
    "washington.Washington",
    "beijing.Beijing",
    "moscow.Moscow",
    "united_nations.UnitedNations",
    "seoul.Seoul",
    "pyongyang.Pyongyang",
)

#: Each actor class by its key.
BY_KEY: Mapping[str, type[Actor]] = MappingProxyType({a.key: a for a in ACTORS})

#: Contact channels (M10) in code order: Pyongyang's own, then those other actors offer.
CHANNELS = Codes(
    "channel",
    OWN_CHANNELS + tuple(c.name for a in ACTORS for c in a.channels if c.name not in OWN_CHANNELS),
)


globals().update({a.__name__: a for a in ACTORS})
__all__ = ["ACTORS", "BY_KEY", "CHANNELS", "HOOKS", "Actor", *(a.__name__ for a in ACTORS)]  # noqa: PLE0604
