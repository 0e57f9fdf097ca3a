"""The EMA Workbench connector: a model built from the registry's roles and the outcome
declarations, and a batched evaluator that gives EMA's sequential evaluator's numbers."""

from __future__ import annotations

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from negotiation_sim import exploratory  # after the check: it needs the extra
from negotiation_sim import parameters as registry
from negotiation_sim.errors import ScenarioError
from negotiation_sim.inference import POSTERIOR_FREE

SMALL = {
    "levers": ["washington.pressure", "washington.precondition", "washington.honor_pause"],
    "uncertainties": ["pyongyang.test_propensity", "pyongyang.developing_srbm"],
    "replicates": 8,
    "seed": 3,
}
DESIGN = {
    "scenarios": 4,
    "policies": 3,
    "uncertainty_sampling_kwargs": {"rng": 1},
    "lever_sampling_kwargs": {"rng": 2},
}


def test_levers_are_policy_and_uncertainties_behaviour_by_default():
    model = exploratory.ema_model("no-preconditions-2022")
    levers = {p.variable_name[0] for p in model.levers}
    assert levers == {e.name for e in registry.with_role("policy")}
    assert {p.variable_name[0] for p in model.uncertainties} == set(POSTERIOR_FREE)
    for parameter in [*model.levers, *model.uncertainties]:
        entry = registry.REGISTRY[parameter.variable_name[0]]
        assert parameter.name.isidentifier() and parameter.name == exploratory.ema_name(entry.name)
        if entry.kind in ("real", "integer"):
            assert (parameter.lower_bound, parameter.upper_bound) == (entry.low, entry.high)


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"levers": ["pyongyang.salvo"]}, "levers"),
        ({"uncertainties": ["washington.pressure"]}, "uncertainties"),
        ({"levers": ["washington.presure"]}, "washington.presure"),
        ({"outcomes": ["seed"]}, "outcomes"),
    ],
)
def test_bad_levers_uncertainties_and_outcomes_are_named(options, key):
    with pytest.raises(ScenarioError, match=key):
        exploratory.ema_model("no-preconditions-2022", **options)


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_the_batched_evaluator_equals_emas_sequential_one(backend):
    """The same design through EMA's SequentialEvaluator (one call per experiment) and the
    batched evaluator (the whole design as batched models, in chunks): the same experiments
    and bit for bit the same outcomes."""
    model = exploratory.ema_model("no-preconditions-2022", **SMALL)
    with ema.SequentialEvaluator(model) as evaluator:
        one, one_outcomes = evaluator.perform_experiments(**DESIGN)
    with exploratory.BatchedEvaluator(model, backend=backend, workers=2) as evaluator:
        batched, batched_outcomes = evaluator.perform_experiments(**DESIGN)
    columns = [p.name for p in [*model.uncertainties, *model.levers]]
    assert one[columns].astype(object).equals(batched[columns].astype(object))
    assert set(one_outcomes) == set(batched_outcomes) == {"talks_reached", "crisis", "launch_days"}
    for name, values in one_outcomes.items():
        assert np.array_equal(values, batched_outcomes[name]), name
    assert len(set(one_outcomes["launch_days"])) > 1  # the design moved the outcome
