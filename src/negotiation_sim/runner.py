"""Running replicates: the one-call entry point over `NegotiationModel`."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from negotiation_sim.model import NegotiationModel
from negotiation_sim.scenarios import Scenario


def run(
    scenario: Scenario | str = "pressure-2017",
    replicates: int = 1,
    days: int | None = None,
    seed: int | None = 0,
    *,
    params: Mapping[str, object] | None = None,
    progress: bool = False,
    **options,
) -> NegotiationModel:
    """Build a model, run it for ``days`` (default: the scenario's horizon) and return it.

    ``days`` may exceed the horizon: the world runs on without further scripted moves.
    ``progress`` shows a tqdm bar on stderr that advances day by day, so a long run in a
    terminal shows it is alive; the model runs exactly the same days either way.
    ``params`` override registry parameters (scalars, or one value per replicate); they hold
    for the whole run, over any scripted move that would set the same quantity (see
    `Scenario.with_params`). Extra keyword options (``seeds``, ``record_daily``,
    ``record_events``, ``actors``) go to the model.
    """
    model = NegotiationModel(scenario, replicates=replicates, seed=seed, params=params, **options)
    if not progress:
        return model.run(days)
    return _run_with_progress(model, days)


def _run_with_progress(model: NegotiationModel, days: int | None) -> NegotiationModel:
    """`NegotiationModel.run` one day at a time, advancing a progress bar."""
    from tqdm.auto import tqdm

    days = model.days_to_run(days)
    with tqdm(
        total=int(days), unit="day", desc=model.scenario.name, file=sys.stderr, dynamic_ncols=True
    ) as bar:
        for _ in range(int(days)):
            model.step()
            bar.update()
    return model
