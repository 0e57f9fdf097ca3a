"""negotiation_sim: an agent-based model of the diplomacy around North Korea's missile programme.

Five Mesa actors (`Washington`, `Pyongyang`, `Beijing`, `Moscow`, `UnitedNations`) interact
day by day over preconditions for talks, sanctions and missile tests, following the mechanisms
M1–M20 of the model brief. Every replicate runs inside one batched model with its own
reproducible random stream.

>>> import negotiation_sim as ns
>>> model = ns.run("pressure-2017", replicates=100, seed=1)
>>> model.outcomes["launch_days"].size
100
"""

from negotiation_sim import parameters
from negotiation_sim.actors import Beijing, Moscow, Pyongyang, UnitedNations, Washington
from negotiation_sim.comparison import Comparison, compare
from negotiation_sim.errors import ScenarioError
from negotiation_sim.model import NegotiationModel
from negotiation_sim.outcomes import DAILY, EVENT_KINDS, OUTCOMES
from negotiation_sim.parameters import REGISTRY
from negotiation_sim.runner import run
from negotiation_sim.scenarios import Scenario, list_scenarios, load_scenario, scenario_from_dict
from negotiation_sim.sensitivity_analysis import Sensitivity, sensitivity
from negotiation_sim.sweeps import SweepFailed, SweepSpec, load_spec, load_sweep, sweep

__version__ = "0.1.0"

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
