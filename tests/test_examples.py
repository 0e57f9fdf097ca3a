"""Every script in examples/ runs (with few replicates) and writes what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Runnable examples; files starting with "_" are helpers they share.
EXAMPLES = sorted(
    p for p in (Path(__file__).parents[1] / "examples").glob("*.py") if not p.name.startswith("_")
)


def test_there_is_an_example_per_question():
    names = {p.stem for p in EXAMPLES}
    assert {
        "quickstart",
        "preconditions",
        "reneging_2017",
        "paying_for_talks",
        "un_channel",
    } <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NEGOTIATION_SIM_EXAMPLE_REPLICATES": "200", "MPLBACKEND": "Agg"}
    figure = tmp_path / "figure.png"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(figure)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "200 replicates" in done.stdout
    assert figure.stat().st_size > 10_000
