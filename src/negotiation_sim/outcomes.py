"""What the model reports, as typed data: per-replicate outcomes, daily series, event kinds.

Each quantity is declared once, by its owner: the world's (talks, tension, crisis, economic
pain) here, every actor's in its own module (`Actor.outcome_measures`, `Actor.daily_series`,
`Actor.event_kinds`). The tables below gather them for sweeps, summaries, docs and the
dashboard; the model computes every column from its declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType

import numpy as np

from negotiation_sim.actors import ACTORS
from negotiation_sim.codes import TALKS_STATES
from negotiation_sim.declarations import EventKind, Measure

__all__ = ["DAILY", "EVENT_KINDS", "OUTCOMES", "EventKind", "Measure"]


def _first(days: np.ndarray) -> np.ndarray:
    return np.where(days >= 0, days, np.nan)


#: The world's outcomes (the model's own state); ``compute`` takes the model.
WORLD_OUTCOMES = (
    Measure(
        "seed",
        "",
        "id",
        "The replicate's seed: rerun it alone with seeds=[seed].",
        compute=lambda m: m.seeds,
    ),
    Measure(
        "talks_reached",
        "",
        "share",
        "Talks (working level or above) ever ran.",
        ("M1", "M17"),
        lambda m: m.first_talks >= 0,
    ),
    Measure(
        "days_to_contact",
        "days",
        "days",
        "First day with contact through any channel; NaN when none (censored).",
        ("M10",),
        lambda m: _first(m.first_contact),
        censored=True,
    ),
    Measure(
        "days_to_talks",
        "days",
        "days",
        "First day of talks; NaN when none (censored).",
        ("M1", "M17"),
        lambda m: _first(m.first_talks),
        censored=True,
    ),
    Measure(
        "talks_days", "days", "count", "Days spent in talks.", ("M17",), lambda m: m.talks_days
    ),
    Measure(
        "talks_episodes", "", "count", "Times talks started.", ("M17",), lambda m: m.talks_episodes
    ),
    Measure(
        "talks_collapsed",
        "",
        "share",
        "Talks started and then collapsed or were walked out of.",
        ("M7", "M17", "M20"),
        lambda m: m.collapses > 0,
    ),
    Measure(
        "walkouts",
        "",
        "count",
        "Walk-outs in protest at new sanctions.",
        ("M20",),
        lambda m: m.walkouts,
    ),
    Measure(
        "summit_reached", "", "share", "Talks rose to a summit.", ("M17",), lambda m: m.summits > 0
    ),
    Measure(
        "launch_days_before_talks",
        "days",
        "count",
        "Launch days before talks first started (all of them when talks never did).",
        ("M7",),
        lambda m: m.launches_before_talks,
    ),
    Measure(
        "crisis", "", "share", "A militarized crisis occurred.", ("M15",), lambda m: m.crises > 0
    ),
    Measure("max_tension", "0-1", "level", "Peak tension.", ("M9", "M15"), lambda m: m.max_tension),
    Measure(
        "final_economic_pain",
        "0-1",
        "level",
        "Economic pain on the last day.",
        ("M5",),
        lambda m: m.economic_pain,
    ),
)

#: The world's daily series; ``compute`` takes the model.
WORLD_DAILY = (
    Measure(
        "tension",
        "0-1",
        "level",
        "Tension on the peninsula.",
        ("M9", "M15", "M16"),
        lambda m: m.tension,
        panel="tension",
    ),
    Measure(
        "economic_pain",
        "0-1",
        "level",
        "Economic pain in Pyongyang.",
        ("M5",),
        lambda m: m.economic_pain,
        panel="sanctions",
    ),
    Measure(
        "talks_state",
        "0-3",
        "state",
        ", ".join(f"{code} {TALKS_STATES.label(code)}" for code in range(len(TALKS_STATES))) + ".",
        ("M10", "M17"),
        lambda m: m.today.talks_state,
    ),
    Measure(
        "crisis",
        "",
        "flag",
        "1 on a day a militarized crisis breaks out.",
        ("M15",),
        lambda m: m.today.crisis,
    ),
)

#: The world's event kinds; ``happened`` takes the model and the day.
WORLD_EVENTS = (
    EventKind(
        "crisis", "World", "a militarized crisis breaks out", ("M15",), lambda m, t: t.crisis
    ),
)


def _owned(owner: str, declared: Iterable) -> list:
    return [replace(d, owner=owner) for d in declared]


def _gather(name: str, world: Iterable, attribute: str) -> Mapping[str, object]:
    """The world's declarations and every actor's, by name; a name declared twice is an error."""
    entries = _owned("world", world)
    for actor in ACTORS:
        entries += _owned(actor.key, getattr(actor, attribute))
    table: dict[str, object] = {}
    for entry in entries:
        key = entry.kind if isinstance(entry, EventKind) else entry.name
        if key in table:
            raise ValueError(
                f"{name} {key!r} is declared by both {table[key].owner} and {entry.owner}"
            )
        table[key] = entry
    return MappingProxyType(table)


#: One row per replicate in ``model.outcomes``. Days count from the scenario's start (day 0).
OUTCOMES: Mapping[str, Measure] = _gather("outcome", WORLD_OUTCOMES, "outcome_measures")
#: Arrays of shape (days, replicates) from ``model.daily(name)``.
DAILY: Mapping[str, Measure] = _gather("daily series", WORLD_DAILY, "daily_series")
#: Kinds of event in ``model.events()`` and the chronicle.
EVENT_KINDS: Mapping[str, EventKind] = _gather("event kind", WORLD_EVENTS, "event_kinds")
