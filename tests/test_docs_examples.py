"""Every ```python block in README.md and docs/*.md runs, in order, per file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.mark.parametrize(
    "path", [p for p in DOCS if BLOCK.search(p.read_text())], ids=lambda p: p.name
)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # files an example writes land in a scratch folder
    namespace: dict = {}
    for number, block in enumerate(BLOCK.findall(path.read_text()), start=1):
        code = compile(block, f"{path.name} block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - the docs are ours; running them keeps them true
