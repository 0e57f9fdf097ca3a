"""Every script in examples/ runs (with few replicates) and writes what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NEGOTIATION_SIM_EXAMPLE_REPLICATES": "200", "MPLBACKEND": "Agg"}
    figure = tmp_path / "figure.png"
    done = subprocess.run([sys.executable, str(script), "--out", str(figure)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "200 replicates" in done.stdout
    assert figure.stat().st_size > 10_000
