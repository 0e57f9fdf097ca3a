"""negotiation_sim: an agent-based model of the diplomacy around North Korea's missile programme.

Mesa actors (`Washington`, `Pyongyang`, `Beijing`, `Moscow`, `UnitedNations`, and any other
registered in `negotiation_sim.actors.ACTORS`; each is also ``negotiation_sim.<ClassName>``) interact
day by day over preconditions for talks, sanctions and missile tests, following the mechanisms
M1–M20 of the model brief. Every replicate runs inside one batched model with its own
reproducible random stream.

>>> import negotiation_sim as ns
>>> model = ns.run("pressure-2017", replicates=100, seed=1)
>>> model.outcomes["launch_days"].size
100

The names below are imported when first used, so ``import negotiation_sim`` and the command
line start quickly (and Ctrl-C during start-up is caught by the command line, not shown as a
traceback from inside an import).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.3.0"

#: Each public name and the module that defines it.
_EXPORTS = {
    "DAILY": "outcomes",
    "EVENT_KINDS": "outcomes",
    "OUTCOMES": "outcomes",
    "REGISTRY": "parameters",
    "Beijing": "actors",
    "Comparison": "comparison",
    "ModelArgumentError": "errors",
    "Moscow": "actors",
    "NegotiationModel": "model",
    "NegotiationSimError": "errors",
    "PortError": "errors",
    "Posterior": "posterior",
    "Pyongyang": "actors",
    "Scenario": "scenarios",
    "ScenarioError": "errors",
    "Sensitivity": "sensitivity_analysis",
    "Seoul": "actors",
    "StoreError": "errors",
    "ChunksFailed": "backends",
    "SweepFailed": "sweeps",
    "SweepResult": "sweeps",
    "SweepSpec": "sweeps",
    "UnitedNations": "actors",
    "Washington": "actors",
    "compare": "comparison",
    "list_scenarios": "scenarios",
    "load_posterior": "posterior",
    "load_scenario": "scenarios",
    "load_spec": "sweeps",
    "load_sweep": "sweeps",
    "run": "runner",
    "scenario_from_dict": "scenarios",
    "sensitivity": "sensitivity_analysis",
    "sweep": "sweeps",
}
__all__ = [
    "DAILY",
    "EVENT_KINDS",
    "OUTCOMES",
    "REGISTRY",
    "Beijing",
    "ChunksFailed",
    "Comparison",
    "ModelArgumentError",
    "Moscow",
    "NegotiationModel",
    "NegotiationSimError",
    "PortError",
    "Posterior",
    "Pyongyang",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "Seoul",
    "StoreError",
    "SweepFailed",
    "SweepResult",
    "SweepSpec",
    "UnitedNations",
    "Washington",
    "compare",
    "list_scenarios",
    "load_posterior",
    "load_scenario",
    "load_spec",
    "load_sweep",
    "parameters",
    "posterior",
    "run",
    "scenario_from_dict",
    "sensitivity",
    "sweep",
]


def __getattr__(name: str) -> object:
    if name in ("parameters", "posterior"):
        return importlib.import_module(f"negotiation_sim.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        value = _registered_actor(name)
    else:
        value = getattr(importlib.import_module(f"negotiation_sim.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def _registered_actor(name: str) -> object:
    """An actor class registered in `negotiation_sim.actors.ACTORS`, by its class name."""
    if name[:1].isupper():
        for actor in importlib.import_module("negotiation_sim.actors").ACTORS:
            if actor.__name__ == name:
                return actor
    raise AttributeError(f"module 'negotiation_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    actors = importlib.import_module("negotiation_sim.actors").ACTORS
    return sorted({*globals(), *__all__, *(actor.__name__ for actor in actors)})


if TYPE_CHECKING:  # for type checkers and editors: the names as if imported eagerly
    from negotiation_sim import parameters, posterior
    from negotiation_sim.actors import (
        Beijing,
        Moscow,
        Pyongyang,
        Seoul,
        UnitedNations,
        Washington,
    )
    from negotiation_sim.backends import ChunksFailed
    from negotiation_sim.comparison import Comparison, compare
    from negotiation_sim.errors import (
        ModelArgumentError,
        NegotiationSimError,
        PortError,
        ScenarioError,
        StoreError,
    )
    from negotiation_sim.model import NegotiationModel
    from negotiation_sim.outcomes import DAILY, EVENT_KINDS, OUTCOMES
    from negotiation_sim.parameters import REGISTRY
    from negotiation_sim.posterior import Posterior, load_posterior
    from negotiation_sim.runner import run
    from negotiation_sim.scenarios import (
        Scenario,
        list_scenarios,
        load_scenario,
        scenario_from_dict,
    )
    from negotiation_sim.sensitivity_analysis import Sensitivity, sensitivity
    from negotiation_sim.sweeps import (
        SweepFailed,
        SweepResult,
        SweepSpec,
        load_spec,
        load_sweep,
        sweep,
    )
