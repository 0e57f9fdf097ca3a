"""Recording what happens: daily series, a sparse event log, and the chronicle of a replicate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from negotiation_sim.errors import ModelArgumentError
from negotiation_sim.outcomes import DAILY, EVENT_KINDS

#: Storage type of each kind of daily series: levels in single precision, the rest small ints.
_DTYPES = {
    "level": np.float32,
    "state": np.int8,
    "flag": np.int8,
    "count": np.int16,
    "share": np.int8,
    "days": np.int16,
}


def daily_bytes_per_replicate_day(names: tuple[str, ...] | None = None) -> int:
    """Bytes the daily record keeps per replicate and day (of every series, or of ``names``)."""
    return sum(np.dtype(_DTYPES[DAILY[name].kind]).itemsize for name in names or DAILY)


def recorded_series(names: object) -> tuple[str, ...]:
    """The daily series a model records: all of them (``True`` or ``None``), none (``False`` or
    an empty sequence), or the ones named, checked against `DAILY`."""
    if names is None or names is True:
        return tuple(DAILY)
    if names is False:
        return ()
    chosen = [names] if isinstance(names, str) else names
    try:
        chosen = tuple(dict.fromkeys(chosen))
    except TypeError:
        chosen = None
    if chosen is None or not all(isinstance(n, str) and n in DAILY for n in chosen):
        raise ModelArgumentError(
            "<model>",
            "record_daily",
            names,
            "allowed: True, False, or names of daily series: " + ", ".join(DAILY),
        )
    return chosen


class DailyRecord:
    """Daily series in preallocated arrays of shape (days, replicates), grown as needed.

    Values are copied into compact buffers (levels as float32, flags and states as int8) so a
    large batch neither keeps every day's state arrays alive nor fragments the heap. A model
    may record only some series (``record_daily=("launch_day", "icbm")``), as calibration does.
    """

    def __init__(self, series: tuple[str, ...], replicates: int, days: int) -> None:
        self.series = series
        self.enabled = bool(series)
        self.days = 0
        self._buffers = {
            name: np.empty((max(days, 1), replicates), dtype=_DTYPES[DAILY[name].kind])
            for name in series
        }

    @property
    def capacity(self) -> int:
        """Days the buffers hold before they grow."""
        return len(next(iter(self._buffers.values()))) if self._buffers else 0

    def append(self, values: dict[str, np.ndarray]) -> None:
        if not self.enabled:
            return
        if self.days == self.capacity:
            self._buffers = {
                name: np.concatenate([buffer, np.empty_like(buffer)])
                for name, buffer in self._buffers.items()
            }
        for name, buffer in self._buffers.items():
            buffer[self.days] = values[name]
        self.days += 1

    def get(self, name: str) -> np.ndarray:
        if name not in DAILY:
            raise KeyError(f"unknown daily series {name!r}; known: {', '.join(DAILY)}")
        if name not in self._buffers:
            raise RuntimeError(
                f"daily series {name!r} was not recorded: create the model with "
                f"record_daily=True or with {name!r} among the series it names"
            )
        view = self._buffers[name][: self.days]
        view.flags.writeable = False
        return view


class EventLog:
    """Events of every replicate, stored sparsely, one block per day.

    Each day the log asks every kind of `EVENT_KINDS` whether it happened (its ``happened``
    function, given its owner and the day) and, on days with events, the detail codes of the
    kinds that carry one; only the (kind, replicate, detail) triples that happened are kept.
    """

    def __init__(self, enabled: bool, replicates: int) -> None:
        self.enabled = enabled
        self.replicates = replicates
        self.kinds = tuple(EVENT_KINDS)
        self._declared = tuple(EVENT_KINDS.values())
        self._detailed = [(row, e) for row, e in enumerate(self._declared) if e.detail is not None]
        self._masks = np.zeros((len(self.kinds), replicates), dtype=bool)
        self._details = np.zeros((len(self.kinds), replicates))
        self._days: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add_day(self, day: int, owners: Mapping[str, object], today: object) -> None:
        """Keep the events of one day; ``owners`` maps each declaration's owner to the actor
        (or the model) its functions take."""
        if not self.enabled:
            return
        masks = self._masks
        for row, event in enumerate(self._declared):
            masks[row] = event.happened(owners[event.owner], today)
        kind, replicate = np.nonzero(masks)
        if kind.size:
            for row, event in self._detailed:
                self._details[row] = event.detail(owners[event.owner], today)
            self._days.append(
                (
                    day,
                    kind.astype(np.int16),
                    replicate.astype(np.int32),
                    self._details[kind, replicate],
                )
            )

    def frame(self, replicate: int, start: dt.date) -> pd.DataFrame:
        """The events of one replicate as a DataFrame of day, date, actor, kind, detail."""
        if not self.enabled:
            raise RuntimeError("events were not recorded: create the model with record_events=True")
        if not 0 <= replicate < self.replicates:
            raise IndexError(f"replicate {replicate} outside 0..{self.replicates - 1}")
        rows = []
        for day, kinds, replicates, details in self._days:
            for at in np.flatnonzero(replicates == replicate):
                kind = self.kinds[kinds[at]]
                reads = EVENT_KINDS[kind].reads
                text = reads(details[at]) if reads is not None else ""
                rows.append(
                    (day, start + dt.timedelta(days=day), EVENT_KINDS[kind].actor, kind, text)
                )
        return pd.DataFrame(rows, columns=["day", "date", "actor", "kind", "detail"])


def chronicle(
    events: pd.DataFrame, title: str, notes: dict[tuple[int, str], str] | None = None
) -> str:
    """A dated narrative of one replicate's events.

    ``notes`` maps (day, event kind) to the historical record behind a scripted move; such
    events are marked "[record: ...]" so a reader can tell history from the model's choices.
    """
    notes = notes or {}
    lines = [title, "=" * len(title)]
    for row in events.itertuples(index=False):
        text = EVENT_KINDS[row.kind].template.format(detail=row.detail)
        note = notes.get((row.day, row.kind))
        if note:
            text += f"  [record: {note}]"
        lines.append(f"{row.date.isoformat()} (day {row.day:>3})  {row.actor}: {text}")
    if len(lines) == 2:
        lines.append("Nothing happened.")
    return "\n".join(lines)
