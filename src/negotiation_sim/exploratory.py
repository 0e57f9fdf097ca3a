"""Exploratory modelling through EMA Workbench (the ``exploratory`` extra).

`ema_model` builds an EMA Workbench model from a scenario: levers from the registry's
``policy`` parameters, uncertainties from chosen ``behaviour`` (and ``context``) parameters,
outcomes from the model's outcome declarations, each summarised over the replicates of one
experiment (a share, a median). EMA 3 wants names that are Python identifiers, so each
parameter's EMA name is its dotted name with ``__`` for the dot; its ``variable_name`` is the
dotted name the function receives.

One experiment is one point of a sweep: ``replicates`` replicates on the seeds
``replicate_seeds(seed, replicates)``, the same at every point (common random numbers), so a
batched evaluator that runs many experiments as one batched model gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd

try:
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )
    from ema_workbench.em_framework.evaluators import BaseEvaluator
except ImportError as error:  # pragma: no cover - the extra is part of the test environment
    raise ImportError(
        "negotiation_sim.exploratory needs EMA Workbench: pip install "
        "'negotiation-sim[exploratory]'"
    ) from error

from negotiation_sim import parameters as registry
from negotiation_sim.backends import open_backend
from negotiation_sim.errors import ScenarioError
from negotiation_sim.inference import POSTERIOR_FREE
from negotiation_sim.outcomes import OUTCOMES
from negotiation_sim.scenarios import Scenario, load_scenario
from negotiation_sim.sweeps import run_points

__all__ = ["BatchedEvaluator", "Experiments", "ema_model", "ema_name"]

#: How an outcome of one replicate is summarised over an experiment's replicates, by its
#: declared kind: shares become the share of replicates, counts and levels their median.
SUMMARIES: Mapping[str, Callable[[np.ndarray], float]] = {
    "share": lambda v: float(np.mean(v)),
    "count": lambda v: float(np.median(v)),
    "level": lambda v: float(np.median(v)),
    "days": lambda v: float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan"),
}


def ema_name(name: str) -> str:
    """The EMA name of a registry parameter or outcome: a Python identifier."""
    return name.replace(".", "__")


def ema_parameter(entry: registry.Parameter, low=None, high=None):
    """The EMA parameter of a registry entry, over its range (or ``low``-``high``)."""
    name, variable = ema_name(entry.name), entry.name
    low = entry.low if low is None else low
    high = entry.high if high is None else high
    if entry.kind == "real":
        return RealParameter(name, low, high, variable_name=variable)
    if entry.kind == "integer":
        return IntegerParameter(name, int(low), int(high), variable_name=variable)
    if entry.kind == "flag":
        return BooleanParameter(name, variable_name=variable)
    return CategoricalParameter(name, list(entry.choices), variable_name=variable)


def _entry(name: str, key: str, roles: tuple[str, ...]) -> registry.Parameter:
    """The registry entry of a lever or an uncertainty, whose role must fit (EMA's levers are
    the registry's policy; its uncertainties, behaviour and context)."""
    entry = registry.get(name, "<exploratory>")
    if entry.role not in roles:
        raise ScenarioError(
            "<exploratory>",
            key,
            name,
            f"allowed: parameters of role {' or '.join(roles)} ({name} is {entry.role})",
        )
    return entry


class Experiments:
    """The model's function: one experiment per call (EMA's sequential evaluators), or a
    whole design at once (`BatchedEvaluator`), with the same numbers."""

    def __init__(self, scenario, replicates, seed, outcomes, days):
        self.task = {"scenario": scenario, "seed": seed, "replicates": replicates, "days": days}
        self.outcomes = outcomes

    def __call__(self, **values: object) -> dict[str, float]:
        return self.design(pd.DataFrame({k: [v] for k, v in values.items()})).iloc[0].to_dict()

    def design(self, points: pd.DataFrame, backend=None) -> pd.DataFrame:
        """Every point of ``points`` (dotted names), summarised; on ``backend`` in chunks."""
        if backend is None:
            return summarise(run_points(self.task, points), self.outcomes)
        chunks = [
            points.iloc[rows]
            for rows in np.array_split(np.arange(len(points)), backend.chunk_count(len(points)))
        ]
        rows = pd.concat(backend.map_ordered(partial(run_points, self.task), chunks))
        return summarise(rows, self.outcomes)


class BatchedEvaluator(BaseEvaluator):
    """An EMA evaluator that runs a whole design as batched models, in chunks, on the
    package's backends (serial, processes, Dask), with the numbers of EMA's own evaluators."""

    def __init__(self, msis, backend=None, workers=None, scheduler=None):
        super().__init__(msis)
        self._backend = open_backend(backend, workers, scheduler, "<exploratory>")

    def initialize(self):
        self._backend.__enter__()

    def finalize(self):
        self._backend.__exit__(None, None, None)

    def evaluate_experiments(self, experiments, callback, **kwargs):
        experiments = list(experiments)
        (model,) = self._msis
        names = {p.name: p.variable_name[0] for p in [*model.uncertainties, *model.levers]}
        points = pd.DataFrame(
            [
                {names[k]: v for k, v in {**e.scenario, **e.policy}.items() if k in names}
                for e in experiments
            ]
        )
        table = model.function.design(points, self._backend)
        for experiment, (_, row) in zip(experiments, table.iterrows(), strict=True):
            callback(experiment, {ema_name(k): v for k, v in row.items()})


def summarise(rows: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Each point's outcomes summarised over its replicates, one row per point."""
    grouped = rows.groupby("point", sort=False)
    return pd.DataFrame(
        {
            name: grouped[name].agg(
                lambda v, kind=OUTCOMES[name].kind: SUMMARIES[kind](v.to_numpy(float))
            )
            for name in outcomes
        }
    )


def ema_model(
    scenario: str | Scenario,
    *,
    levers: Sequence[str] | None = None,
    uncertainties: Sequence[str] | None = None,
    outcomes: Sequence[str] = ("talks_reached", "crisis", "launch_days"),
    replicates: int = 20,
    seed: int = 0,
    days: int | None = None,
    name: str = "negotiation_sim",
):
    """An EMA Workbench `Model` of ``scenario``: ``levers`` (default: every policy
    parameter), ``uncertainties`` (default: the posterior's behaviour parameters over their
    registry ranges), ``outcomes`` summarised over ``replicates`` replicates."""
    scenario = load_scenario(scenario)
    levers = [e.name for e in registry.with_role("policy")] if levers is None else list(levers)
    uncertainties = list(POSTERIOR_FREE) if uncertainties is None else list(uncertainties)
    function = Experiments(scenario, replicates, seed, tuple(outcomes), days)
    model = Model(name, function=function)
    model.levers = [ema_parameter(_entry(n, "levers", ("policy",))) for n in levers]
    model.uncertainties = [
        ema_parameter(_entry(n, "uncertainties", ("behaviour", "context"))) for n in uncertainties
    ]
    unknown = [n for n in outcomes if n not in OUTCOMES or OUTCOMES[n].kind not in SUMMARIES]
    if unknown:
        allowed = [n for n, m in OUTCOMES.items() if m.kind in SUMMARIES]
        raise ScenarioError(
            "<exploratory>", "outcomes", unknown[0], "allowed: " + ", ".join(allowed)
        )
    model.outcomes = [ScalarOutcome(ema_name(n), variable_name=n) for n in outcomes]
    return model
