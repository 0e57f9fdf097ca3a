"""Shared helpers for the test suite."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import negotiation_sim as ns


def quiet_world(
    horizon: int = 365,
    initial: dict | None = None,
    params: dict | None = None,
    moves: list | None = None,
) -> ns.Scenario:
    """A scenario with no scripted history: defaults plus what a test sets."""
    return ns.scenario_from_dict(
        {
            "name": "test-world",
            "start": dt.date(2020, 1, 1),
            "horizon_days": horizon,
            "initial": initial or {},
            "params": params or {},
            "moves": moves or [],
        }
    )


def outcomes(scenario, replicates: int = 2000, seed: int = 11, days: int | None = None, **params):
    """Run ``scenario`` with parameter overrides (dotted names via dict) and return outcomes."""
    model = ns.run(
        scenario,
        replicates=replicates,
        seed=seed,
        days=days,
        params=params.pop("params", None),
        record_events=False,
    )
    return model.outcomes


@pytest.fixture
def rng():
    return np.random.default_rng(0)
