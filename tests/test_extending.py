"""Extending an actor: subclass it, override one decision, hand the class to the model."""

from __future__ import annotations

import numpy as np
import pytest

import negotiation_sim as ns
from negotiation_sim.actors.base import TALKS


class PatientWashington(ns.Washington):
    """Holds every unscripted sanctions round while talks run."""

    def sanction_chance(self):
        return np.where(self.model.talks_state >= TALKS, 0.0, super().sanction_chance())


def _sanctions_during_talks(model) -> int:
    """Sanctions rounds on days that began in talks (the scenario's scripted rounds aside)."""
    rounds, state = model.daily("us_sanctions_round"), model.daily("talks_state")
    scripted = [m.day for m in model.scenario.moves if m.kind == "us_sanctions"]
    began_in_talks = np.zeros_like(rounds, dtype=bool)
    began_in_talks[1:] = state[:-1] >= TALKS
    began_in_talks[scripted] = False
    return int((rounds & began_in_talks).sum())


def test_the_override_replaces_the_decision():
    standard = ns.run("pay-to-talk-2022", 600, seed=3, record_events=False)
    patient = ns.run(
        "pay-to-talk-2022",
        600,
        seed=3,
        record_events=False,
        actors={"washington": PatientWashington},
    )
    assert isinstance(patient.washington, PatientWashington)
    assert _sanctions_during_talks(standard) > 20  # the standard Washington does sanction
    assert _sanctions_during_talks(patient) == 0


def test_compare_measures_what_the_subclass_changes():
    comparison = ns.compare(
        "pay-to-talk-2022",
        "pay-to-talk-2022",
        1000,
        seed=1,
        actors_b={"washington": PatientWashington},
        resamples=300,
    )
    walkouts = comparison.table.loc["walkouts"]
    assert walkouts["mean_high"] < 0  # M20: fewer walk-outs in protest at new sanctions
    assert comparison.table.loc["talks_days", "mean_low"] > 0


def test_a_subclass_that_overrides_nothing_changes_nothing():
    class SameWashington(ns.Washington):
        pass

    base = ns.run("pressure-2017", 200, seed=8, record_daily=False, record_events=False)
    same = ns.run(
        "pressure-2017",
        200,
        seed=8,
        record_daily=False,
        record_events=False,
        actors={"washington": SameWashington},
    )
    assert base.outcomes.equals(same.outcomes)


@pytest.mark.parametrize(
    "actors, key",
    [
        ({"congress": PatientWashington}, "actors"),
        ({"beijing": PatientWashington}, "actors.beijing"),
        ({"washington": object}, "actors.washington"),
        ({"washington": "PatientWashington"}, "actors.washington"),
    ],
)
def test_bad_replacements_are_named(actors, key):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel("pressure-2017", actors=actors)
    assert caught.value.key == key and "allowed" in str(caught.value)
