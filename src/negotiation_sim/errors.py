"""Errors a user can cause, each naming where, what and what is allowed."""

from __future__ import annotations

import numpy as np


class ScenarioError(ValueError):
    """A scenario file, parameter or value is not acceptable.

    The message names the file (or ``<parameters>`` for values given in code), the key, the
    offending value and what is allowed, so a user can fix it without reading the source.
    """

    def __init__(self, source: str, key: str, value: object, allowed: str) -> None:
        self.source, self.key, self.value, self.allowed = source, key, value, allowed
        super().__init__(f"{source}: {key} = {value!r}: {allowed}")


def check_integer(source: str, key: str, value: object, minimum: int) -> None:
    """Raise `ScenarioError` unless ``value`` is an integer (not a bool) of at least
    ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ScenarioError(source, key, value, f"allowed: an integer >= {minimum}")
