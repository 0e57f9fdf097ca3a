"""Shared helpers for the test suite."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

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


#: The space of the small sweeps the tests write into spec files.
SPEC_SPACE = '"pyongyang.test_propensity" = { low = 0.01, high = 0.1 }'


def write_spec_file(path: Path, fields: dict) -> Path:
    """A sweep spec file: ``fields`` as TOML text values (``None`` leaves a key out); its
    ``space`` is the ``[space]`` table's text (default `SPEC_SPACE`; ``None``: no table)."""
    lines = [f"{k} = {v}" for k, v in fields.items() if k != "space" and v is not None]
    space = fields.get("space", SPEC_SPACE)
    if space is not None:
        lines += ["", "[space]", space]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``negotiation-sim ARGS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "negotiation_sim", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )
