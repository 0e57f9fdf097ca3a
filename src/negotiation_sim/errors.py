"""Errors a user can cause, each naming where, what and what is allowed, and the checks that
raise them."""

from __future__ import annotations

import contextlib
import math
import os
import reprlib
from pathlib import Path

import numpy as np

# Values in messages are shortened: a message stays one readable line whatever the input
# (a 10,000-element list, an integer of 400 digits, arrays nested thousands deep).
_SHORT = reprlib.Repr(
    maxlevel=3, maxlist=8, maxtuple=8, maxdict=8, maxset=8, maxarray=8, maxstring=160,
    maxlong=40, maxother=160,
)  # fmt: skip


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
    return " ".join(text.splitlines())


class ScenarioError(ValueError):
    """A scenario file, parameter or value is not acceptable.

    The message names the file (or ``<parameters>`` for values given in code), the key, the
    offending value and what is allowed, so a user can fix it without reading the source.
    """

    def __init__(self, source: str, key: str, value: object, allowed: str) -> None:
        self.source, self.key, self.value, self.allowed = source, key, value, allowed
        super().__init__(f"{_clipped(source)}: {_clipped(key)} = {shown(value)}: {allowed}")


def _clipped(text: object, limit: int = 160) -> str:
    """A file name or key on one line: control characters escaped, the middle cut when it is
    absurdly long."""
    text = str(text)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 :]}"


def check_integer(
    source: str, key: str, value: object, minimum: int, maximum: int | None = None
) -> None:
    """Raise `ScenarioError` unless ``value`` is an integer (not a bool) in
    [``minimum``, ``maximum``]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ScenarioError(source, key, value, f"allowed: an integer {bound}")


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


def check_writable_file(source: str, key: str, path: str | Path) -> None:
    """Raise `ScenarioError` unless ``path`` names a file (new or existing, not a folder) in an
    existing folder this user may write: checked before a long job, not after it."""
    path, where = Path(path), str(path)
    folder = path.parent
    try:
        is_dir, folder_exists, exists = path.is_dir(), folder.is_dir(), path.exists()
    except (OSError, ValueError) as error:  # a name too long, a NUL byte, ...
        why = getattr(error, "strerror", None) or str(error)
        raise ScenarioError(source, key, where, f"allowed: a usable file path ({why})") from None
    if is_dir:
        raise ScenarioError(source, key, where, "allowed: a file path, not a folder")
    if not folder_exists:
        raise ScenarioError(
            source, key, where, f"allowed: a file in an existing folder ({folder} does not exist)"
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (exists and not os.access(path, os.W_OK)):
        raise ScenarioError(source, key, where, "allowed: a file this user may write")
