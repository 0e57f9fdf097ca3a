"""Errors a user can cause, each naming where, what and what is allowed, and the checks that
raise them.

Every error the package raises on purpose is a `NegotiationSimError`::

    NegotiationSimError
    ├── ScenarioError (also a ValueError): a scenario file, parameter, option or value
    │   ├── ModelArgumentError: a bad argument to the model itself (seed, replicates, days, ...)
    │   ├── StoreError: a results store of another format, sweep or version, or reused
    │   └── PortError: the dashboard's port cannot be used
    └── negotiation_sim.backends.ChunksFailed (also a RuntimeError): chunks of a long job
        │   failed twice
        └── negotiation_sim.sweeps.SweepFailed: chunks of a sweep failed twice

The `ScenarioError` family shares one message shape (file, key, value, what is allowed), so
the command line reports each as one line with exit status 2.
"""

from __future__ import annotations

import contextlib
import math
import os
import reprlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Values in messages are shortened: a message stays one readable line whatever the input
# (a 10,000-element list, an integer of 400 digits, arrays nested thousands deep).
_SHORT = reprlib.Repr(
    maxlevel=3, maxlist=8, maxtuple=8, maxdict=8, maxset=8, maxarray=8, maxstring=160,
    maxlong=40, maxother=160,
)  # fmt: skip


#: The longest a value is shown in a message, in characters.
MAX_SHOWN = 400


def shown(value: object) -> str:
    """``repr(value)``, shortened to one line for a message."""
    if hasattr(value, "__array__") and not isinstance(value, np.generic):  # pandas, numpy
        with contextlib.suppress(Exception):  # an array numpy cannot take is shown by its repr
            flat = np.asarray(value).ravel()
            value = flat.tolist() if flat.size <= 8 else [*flat[:8].tolist(), "..."]
    try:
        text = _SHORT.repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails still gets a message
        text = f"<{type(value).__name__}>"
    text = " ".join(text.splitlines())
    # reprlib bounds each level, not the whole: nested tables of long strings still add up.
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


class NegotiationSimError(Exception):
    """The base of every error negotiation_sim raises on purpose: ``except
    NegotiationSimError`` catches them all, and nothing else."""


class ScenarioError(NegotiationSimError, ValueError):
    """A scenario file, parameter or value is not acceptable.

    The message names the file (or ``<parameters>`` for values given in code), the key, the
    offending value and what is allowed, so a user can fix it without reading the source.
    """

    def __init__(self, source: str, key: str, value: object, allowed: str) -> None:
        self.source, self.key, self.value, self.allowed = source, key, value, allowed
        super().__init__(f"{_clipped(source)}: {_clipped(key)} = {shown(value)}: {allowed}")


class ModelArgumentError(ScenarioError):
    """A bad argument to the model itself (``<model>``): its seed, replicates, seeds, days, a
    replicate index, or more replicates than memory holds."""


class StoreError(ScenarioError):
    """A results store that cannot be used as asked: not a store, of another format, written
    by another version or for another sweep, or holding a point already. The source is the
    store's file."""


class PortError(ScenarioError):
    """The dashboard's port cannot be used: out of range, or taken on that host."""


def _clipped(text: object, limit: int = 160) -> str:
    """A file name or key on one line: control characters escaped, the middle cut when it is
    absurdly long."""
    text = str(text)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 :]}"


def check_integer(
    source: str,
    key: str,
    value: object,
    minimum: int,
    maximum: int | None = None,
    error: type[ScenarioError] = ScenarioError,
) -> None:
    """Raise ``error`` (`ScenarioError` or a subclass) unless ``value`` is an integer (not a
    bool) in [``minimum``, ``maximum``]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise error(source, key, value, f"allowed: an integer {bound}")


def finite(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a finite real number.

    Bools are not numbers here; an integer too large for a float is not finite.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def allowed_text(
    kind: str,
    low: float | None = None,
    high: float | None = None,
    choices: Sequence[str] = (),
    unit: str | None = None,
) -> str:
    """What a value of ``kind`` (real | integer | choice | flag) may be, in words: the text
    error messages show after ``allowed:`` and the reference tables show as the range. A
    ``unit`` follows a range of numbers.

    >>> allowed_text("integer", 7, 180, unit="days")
    'an integer in [7, 180] (days)'
    >>> allowed_text("choice", choices=("working", "leader"))
    "one of 'working', 'leader'"
    """
    if kind == "choice":
        return "one of " + ", ".join(repr(c) for c in choices)
    if kind == "flag":
        return "true or false"
    what = "an integer" if kind == "integer" else "a finite number"
    return f"{what} in [{low}, {high}]" + (f" ({unit})" if unit else "")


def check_value(
    source: str,
    key: str,
    value: object,
    kind: str,
    low: float | None = None,
    high: float | None = None,
    unit: str | None = None,
    choices: Sequence[str] = (),
) -> object:
    """``value`` as a plain Python value of ``kind`` (real | integer | choice | flag), or
    `ScenarioError` saying what is allowed (`allowed_text`).

    Reals are finite numbers in [``low``, ``high``] (returned as float); integers the same with
    no fractional part (returned as int; 3.0 is 3); flags bools; choices one of ``choices``.
    Bools are not numbers, and numpy scalars count as their Python values.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if kind == "choice":
        accepted = isinstance(value, str) and value in choices
    elif kind == "flag":
        accepted = isinstance(value, bool)
    else:
        number = finite(value)  # None for non-numbers, infinities and integers past a float
        accepted = (
            number is not None
            and (kind != "integer" or number.is_integer())
            and low <= number <= high
        )
        if accepted:
            value = int(number) if kind == "integer" else number
    if not accepted:
        allowed = allowed_text(kind, low, high, choices, unit)
        raise ScenarioError(source, key, value, f"allowed: {allowed}")
    return value


def check_writable_file(
    source: str, key: str, path: str | Path, error: type[ScenarioError] = ScenarioError
) -> None:
    """Raise ``error`` (`ScenarioError` or a subclass) unless ``path`` names a file (new or
    existing, not a folder) in an existing folder this user may write: checked before a long
    job, not after it."""
    path, where = Path(path), str(path)
    folder = path.parent
    try:
        is_dir, folder_exists, exists = path.is_dir(), folder.is_dir(), path.exists()
    except (OSError, ValueError) as problem:  # a name too long, a NUL byte, ...
        why = getattr(problem, "strerror", None) or str(problem)
        raise error(source, key, where, f"allowed: a usable file path ({why})") from None
    if is_dir:
        raise error(source, key, where, "allowed: a file path, not a folder")
    if not folder_exists:
        raise error(
            source, key, where, f"allowed: a file in an existing folder ({folder} does not exist)"
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (exists and not os.access(path, os.W_OK)):
        raise error(source, key, where, "allowed: a file this user may write")
