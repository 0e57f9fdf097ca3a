"""negotiation_sim: an agent-based model of the diplomacy around North Korea's missile programme.

Five Mesa actors (`Washington`, `Pyongyang`, `Beijing`, `Moscow`, `UnitedNations`) interact
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

__version__ = "0.1.0"

#: Each public name and the module that defines it.
_EXPORTS = {
    "DAILY": "outcomes",
    "EVENT_KINDS": "outcomes",
    "OUTCOMES": "outcomes",
    "REGISTRY": "parameters",
    "Beijing": "actors",
    "Comparison": "comparison",
    "Moscow": "actors",
    "NegotiationModel": "model",
    "Pyongyang": "actors",
    "Scenario": "scenarios",
    "ScenarioError": "errors",
    "Sensitivity": "sensitivity_analysis",
    "SweepFailed": "sweeps",
    "SweepResult": "sweeps",
    "SweepSpec": "sweeps",
    "UnitedNations": "actors",
    "Washington": "actors",
    "compare": "comparison",
    "list_scenarios": "scenarios",
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
    "Comparison",
    "Moscow",
    "NegotiationModel",
    "Pyongyang",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "SweepFailed",
    "SweepResult",
    "SweepSpec",
    "UnitedNations",
    "Washington",
    "compare",
    "list_scenarios",
    "load_scenario",
    "load_spec",
    "load_sweep",
    "parameters",
    "run",
    "scenario_from_dict",
    "sensitivity",
    "sweep",
]


def __getattr__(name: str) -> object:
    if name == "parameters":
        return importlib.import_module("negotiation_sim.parameters")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'negotiation_sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"negotiation_sim.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and editors: the names as if imported eagerly
    from negotiation_sim import parameters
    from negotiation_sim.actors import Beijing, Moscow, Pyongyang, UnitedNations, Washington
    from negotiation_sim.comparison import Comparison, compare
    from negotiation_sim.errors import ScenarioError
    from negotiation_sim.model import NegotiationModel
    from negotiation_sim.outcomes import DAILY, EVENT_KINDS, OUTCOMES
    from negotiation_sim.parameters import REGISTRY
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
