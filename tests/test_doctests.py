"""Every ``>>>`` example in the package's docstrings runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import negotiation_sim

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(negotiation_sim.__path__, "negotiation_sim.")
)
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", ["negotiation_sim", *MODULES])
def test_docstring_examples(name):
    if name == "negotiation_sim.app":
        pytest.importorskip("solara")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=OPTIONS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_there_are_examples_to_run():
    attempted = sum(
        doctest.testmod(importlib.import_module(name), optionflags=OPTIONS).attempted
        for name in ["negotiation_sim", "negotiation_sim.comparison"]
    )
    assert attempted >= 3
