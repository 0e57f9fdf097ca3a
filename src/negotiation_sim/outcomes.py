"""What the model reports, as typed data: per-replicate outcomes, daily series, event kinds.

Sweeps, summaries, docs and the dashboard all read these tables, so a new outcome is declared
once here and computed once in `negotiation_sim.recording`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Measure:
    """An outcome column or a daily series: its name, unit, type and meaning."""

    name: str
    unit: str
    kind: str  # share (bool), count, days, level
    doc: str
    mechanisms: tuple[str, ...] = ()


def _table(*measures: Measure):
    return MappingProxyType({m.name: m for m in measures})


#: One row per replicate in ``model.outcomes``. Days count from the scenario's start (day 0).
OUTCOMES = _table(
    Measure("seed", "", "id", "The replicate's seed: rerun it alone with seeds=[seed]."),
    Measure(
        "talks_reached", "", "share", "Talks (working level or above) ever ran.", ("M1", "M17")
    ),
    Measure(
        "days_to_contact",
        "days",
        "days",
        "First day with contact through any channel; NaN when none (censored).",
        ("M10",),
    ),
    Measure(
        "days_to_talks",
        "days",
        "days",
        "First day of talks; NaN when none (censored).",
        ("M1", "M17"),
    ),
    Measure("talks_days", "days", "count", "Days spent in talks.", ("M17",)),
    Measure("talks_episodes", "", "count", "Times talks started.", ("M17",)),
    Measure(
        "talks_collapsed",
        "",
        "share",
        "Talks started and then collapsed or were walked out of.",
        ("M7", "M17", "M20"),
    ),
    Measure("walkouts", "", "count", "Walk-outs in protest at new sanctions.", ("M20",)),
    Measure("summit_reached", "", "share", "Talks rose to a summit.", ("M17",)),
    Measure("launch_days", "days", "count", "Days with at least one missile launch.", ("M6",)),
    Measure(
        "launch_days_before_talks",
        "days",
        "count",
        "Launch days before talks first started (all of them when talks never did).",
        ("M7",),
    ),
    Measure("missiles", "", "count", "Missiles launched.", ("M6",)),
    Measure("missiles_srbm", "", "count", "Short-range missiles launched.", ("M6",)),
    Measure("missiles_mrbm", "", "count", "Medium-range missiles launched.", ("M6",)),
    Measure("missiles_irbm", "", "count", "Intermediate-range missiles launched.", ("M6",)),
    Measure("missiles_hgv", "", "count", "Claimed hypersonic missiles launched.", ("M6",)),
    Measure("icbm_tests", "", "count", "ICBM flights.", ("M6", "M14")),
    Measure("nuclear_tests", "", "count", "Nuclear tests.", ("M6",)),
    Measure("us_sanctions_rounds", "", "count", "Unilateral US sanctions rounds.", ("M3",)),
    Measure(
        "offers",
        "",
        "count",
        "Offers of talks made or restated by Washington.",
        ("M1", "M13", "M14"),
    ),
    Measure("threats", "", "count", "Public threats by Washington.", ("M9",)),
    Measure(
        "un_resolutions", "", "count", "Security Council sanctions resolutions passed.", ("M4",)
    ),
    Measure(
        "un_vetoes", "", "count", "Sanctions drafts vetoed by Beijing or Moscow.", ("M4", "M12")
    ),
    Measure(
        "reneged", "", "share", "Washington sanctioned Pyongyang during a pledged pause.", ("M2",)
    ),
    Measure(
        "longest_pause",
        "days",
        "days",
        "Longest run of days without a test, counting the pause the scenario starts in.",
        ("M2",),
    ),
    Measure("crisis", "", "share", "A militarized crisis occurred.", ("M15",)),
    Measure("max_tension", "0-1", "level", "Peak tension.", ("M9", "M15")),
    Measure("final_capability", "0-1", "level", "Capability on the last day.", ("M14",)),
    Measure(
        "final_trust", "0-1", "level", "Pyongyang's trust in Washington on the last day.", ("M2",)
    ),
    Measure("final_economic_pain", "0-1", "level", "Economic pain on the last day.", ("M5",)),
)

#: Arrays of shape (days, replicates) from ``model.daily(name)``.
DAILY = _table(
    Measure("tension", "0-1", "level", "Tension on the peninsula.", ("M9", "M15", "M16")),
    Measure("trust", "0-1", "level", "Pyongyang's trust in Washington.", ("M2", "M3", "M9", "M17")),
    Measure(
        "willingness_us",
        "0-1",
        "level",
        "Pyongyang's willingness to talk with Washington.",
        ("M5", "M7", "M9", "M14"),
    ),
    Measure(
        "willingness_un",
        "0-1",
        "level",
        "Pyongyang's willingness to talk through the UN.",
        ("M10",),
    ),
    Measure("us_sanctions", "0-1", "level", "Unilateral US sanctions level.", ("M3",)),
    Measure("un_sanctions", "0-1", "level", "Security Council sanctions level.", ("M4",)),
    Measure("economic_pain", "0-1", "level", "Economic pain in Pyongyang.", ("M5",)),
    Measure("capability", "0-1", "level", "Maturity of Pyongyang's arsenal.", ("M14",)),
    Measure("credibility", "0-1", "level", "Credibility of Washington's offer.", ("M8",)),
    Measure("beijing_pressure", "0-1", "level", "Beijing's envoy pressure.", ("M11",)),
    Measure(
        "talks_state",
        "0-3",
        "state",
        "0 none, 1 contact, 2 working level, 3 summit.",
        ("M10", "M17"),
    ),
    Measure("missiles", "", "count", "Missiles launched that day.", ("M6",)),
    Measure("launch_day", "", "flag", "1 on a day with a launch.", ("M6",)),
    Measure("icbm", "", "count", "ICBM flights that day.", ("M6",)),
    Measure("nuclear", "", "flag", "1 on a day with a nuclear test.", ("M6",)),
    Measure("us_sanctions_round", "", "flag", "1 on a day with a US sanctions round.", ("M3",)),
    Measure("un_resolution", "", "flag", "1 on a day a resolution passes.", ("M4",)),
    Measure("un_veto", "", "flag", "1 on a day a draft is vetoed.", ("M4",)),
    Measure("crisis", "", "flag", "1 on a day a militarized crisis breaks out.", ("M15",)),
)


@dataclass(frozen=True)
class EventKind:
    """A kind of event in ``model.events()`` and how the chronicle tells it."""

    kind: str
    actor: str
    template: str
    mechanisms: tuple[str, ...]


EVENT_KINDS = MappingProxyType(
    {
        e.kind: e
        for e in (
            EventKind("launch", "Pyongyang", "launches {detail}", ("M6",)),
            EventKind("nuclear_test", "Pyongyang", "conducts a nuclear test", ("M6",)),
            EventKind(
                "pledge",
                "Pyongyang",
                "pledges a test pause in answer to Washington's offer",
                ("M2",),
            ),
            EventKind(
                "contact", "Pyongyang", "makes contact through the {detail} channel", ("M10",)
            ),
            EventKind("contact_lapse", "Pyongyang", "lets contact lapse", ("M10",)),
            EventKind("talks_start", "Pyongyang", "enters working-level talks", ("M1", "M17")),
            EventKind("summit", "Pyongyang", "talks rise to a summit", ("M17",)),
            EventKind(
                "walkout", "Pyongyang", "walks out of talks in protest at new sanctions", ("M20",)
            ),
            EventKind("talks_collapse", "Pyongyang", "talks break down", ("M7", "M17")),
            EventKind("talks_offer", "Washington", "offers talks ({detail})", ("M1", "M13")),
            EventKind("us_sanctions", "Washington", "imposes a new round of sanctions", ("M3",)),
            EventKind(
                "reneged", "Washington", "sanctions Pyongyang during its pledged pause", ("M2",)
            ),
            EventKind("threat", "Washington", "threatens Pyongyang", ("M9",)),
            EventKind("reassure", "Washington", "reassures its allies", ("M16",)),
            EventKind(
                "mixed_signal", "Washington", "a second voice contradicts the offer", ("M8",)
            ),
            EventKind("bless_un_envoy", "Washington", "blesses a UN envoy mission", ("M10",)),
            EventKind("back_channel", "Washington", "opens a back channel", ("M10",)),
            EventKind("envoy", "Beijing", "sends an envoy to Pyongyang ({detail})", ("M11",)),
            EventKind("enforcement", "Beijing", "sets sanctions enforcement to {detail}", ("M5",)),
            EventKind("intermediary", "Moscow", "hosts Pyongyang's envoys", ("M10", "M12")),
            EventKind(
                "russia_crisis",
                "Moscow",
                "a crisis with Russia draws Washington's attention",
                ("M12", "M13"),
            ),
            EventKind("envoy_proposal", "UN", "the Secretary-General proposes an envoy", ("M10",)),
            EventKind("un_envoy", "UN", "an envoy mission goes to Pyongyang", ("M10", "M15")),
            EventKind("draft", "UN", "a sanctions draft is tabled", ("M4",)),
            EventKind(
                "resolution_passed",
                "UN",
                "the Security Council passes a sanctions resolution",
                ("M4",),
            ),
            EventKind(
                "resolution_vetoed", "UN", "a sanctions draft is vetoed by {detail}", ("M4",)
            ),
            EventKind("crisis", "World", "a militarized crisis breaks out", ("M15",)),
        )
    }
)
