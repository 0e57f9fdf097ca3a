"""The five actors, one module each."""

from negotiation_sim.actors.base import Actor
from negotiation_sim.actors.beijing import Beijing
from negotiation_sim.actors.moscow import Moscow
from negotiation_sim.actors.pyongyang import Pyongyang
from negotiation_sim.actors.united_nations import UnitedNations
from negotiation_sim.actors.washington import Washington

__all__ = ["Actor", "Beijing", "Moscow", "Pyongyang", "UnitedNations", "Washington"]
