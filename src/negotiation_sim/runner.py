"""Running replicates: the one-call entry point over `NegotiationModel`."""

from __future__ import annotations

from collections.abc import Mapping

from negotiation_sim.model import NegotiationModel
from negotiation_sim.scenarios import Scenario


def run(scenario: Scenario | str = "pressure-2017", replicates: int = 1,
        days: int | None = None, seed: int | None = 0, *,
        params: Mapping[str, object] | None = None, **options) -> NegotiationModel:
    """Build a model, run it for ``days`` (default: the scenario's horizon) and return it.

    ``days`` may exceed the horizon: the world runs on without further scripted moves.
    Extra keyword options (``seeds``, ``record_daily``, ``record_events``) go to the model.
    """
    model = NegotiationModel(scenario, replicates=replicates, seed=seed, params=params,
                             **options)
    return model.run(days)
