"""The live dashboard: Mesa's SolaraViz over one traced replicate and an ensemble.

Start it with ``negotiation-sim viz`` (or ``solara run negotiation_sim.app``). Pick a scenario,
set parameters with controls generated from the registry, then step, play and reset: the page
shows the traced replicate's daily series, its events in a chronicle panel and each actor's
state, and a fan chart over an ensemble of replicates run with the same settings.

Following Mesa's convention the app only shows: `LiveModel` runs a `NegotiationModel` and
keeps what the panels read; the panels draw it. Needs the ``viz`` extra.
"""

from __future__ import annotations

import subprocess
import sys
from html import escape
from types import MappingProxyType

import mesa
import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from negotiation_sim import parameters
from negotiation_sim.figures import fan_chart
from negotiation_sim.model import NegotiationModel
from negotiation_sim.outcomes import DAILY
from negotiation_sim.recording import chronicle
from negotiation_sim.scenarios import list_scenarios, load_scenario

#: The scenario shown first.
DEFAULT_SCENARIO = "pressure-2017"
#: Parameters with a control on the page: the levers the seeds argue about, by actor. Every
#: other parameter keeps the scenario's value.
CONTROLS = (
    "washington.precondition",
    "washington.pressure",
    "washington.coherence",
    "washington.hawkishness",
    "washington.inducement",
    "washington.honor_pause",
    "pyongyang.test_propensity",
    "pyongyang.accept_rate",
    "pyongyang.trust_weight",
    "beijing.enforcement",
    "beijing.shield",
    "moscow.shield",
    "moscow.rivalry_veto",
    "un.channel_open",
    "un.draft_prob",
)
#: The traced replicate's panels: a title and the daily series drawn together.
SERIES_PANELS = MappingProxyType(
    {
        "Tension, trust and willingness to talk": (
            "tension",
            "trust",
            "willingness_us",
            "willingness_un",
        ),
        "Sanctions and economic pain": ("us_sanctions", "un_sanctions", "economic_pain"),
        "Capability, credibility and Beijing's pressure": (
            "capability",
            "credibility",
            "beijing_pressure",
        ),
    }
)
#: Names of the codes of the state of talks (M10, M17).
TALKS_STATES = ("no talks", "contact", "talks", "summit")
#: How many of the latest events the chronicle panel lists.
CHRONICLE_LINES = 14


class LiveModel(mesa.Model):
    """What the dashboard runs: one replicate stepped day by day, and an ensemble on demand.

    Args:
        scenario_name: a shipped scenario's name or a path to a scenario file.
        seed: the model seed of both the traced replicate and the ensemble.
        ensemble: replicates in the ensemble behind the fan chart.
        scenario: Mesa's own scenario object, which SolaraViz passes on reset; kept by Mesa.
        **params: parameter overrides by dotted name, as the controls send them.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: int = 0,
        ensemble: int = 200,
        scenario=None,
        **params,
    ) -> None:
        super().__init__(scenario=scenario)
        self.overrides = dict(params)
        self.ensemble_size = int(ensemble)
        self.simulation = NegotiationModel(
            scenario_name, replicates=1, seed=int(seed), params=self.overrides
        )
        self._ensemble: NegotiationModel | None = None
        self.running = self.simulation.running

    def step(self) -> None:
        """One day of the traced replicate."""
        self.simulation.step()
        self.running = self.simulation.running

    @property
    def day(self) -> int:
        """Days run so far."""
        return self.simulation.day

    def ensemble(self) -> NegotiationModel:
        """The ensemble for the current settings, run to the horizon once and kept."""
        if self._ensemble is None:
            sim = self.simulation
            self._ensemble = NegotiationModel(
                sim.scenario, replicates=self.ensemble_size, seed=sim.seed, record_events=False
            ).run()
        return self._ensemble

    def latest_events(self, lines: int = CHRONICLE_LINES) -> tuple[list[str], list[str]]:
        """The chronicle lines of the last day run, and the latest ``lines`` of all."""
        sim = self.simulation
        events = sim.events(0)
        today = events[events["day"] == sim.day - 1]
        return _lines(today, sim)[-lines:], _lines(events, sim)[-lines:]


def _lines(events, sim: NegotiationModel) -> list[str]:
    """Chronicle lines of ``events`` without the title (none when there are no events)."""
    if events.empty:
        return []
    return chronicle(events, "", sim.scripted_notes()).splitlines()[2:]


def controls(scenario_name: str) -> dict[str, object]:
    """SolaraViz's model parameters: the scenario (fixed), seed, ensemble size, and one
    control per parameter of `CONTROLS`, its range from the registry and its value the
    scenario's."""
    values = load_scenario(scenario_name).parameter_values()
    params = {
        "scenario_name": scenario_name,
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 999, "step": 1, "label": "seed"},
        "ensemble": {
            "type": "SliderInt",
            "value": 200,
            "min": 50,
            "max": 2000,
            "step": 50,
            "label": "ensemble replicates (fan chart)",
        },
    }
    for name in CONTROLS:
        params[name] = control(parameters.REGISTRY[name], values[name])
    return params


def control(entry: parameters.Parameter, value: object) -> dict[str, object]:
    """A SolaraViz input for one registry entry: a slider, a select or a checkbox."""
    label = f"{entry.name} ({entry.unit})" if entry.unit else entry.name
    if entry.kind == "choice":
        return {"type": "Select", "value": value, "values": list(entry.choices), "label": label}
    if entry.kind == "flag":
        return {"type": "Checkbox", "value": bool(value), "label": label}
    if entry.kind == "integer":
        return {
            "type": "SliderInt",
            "value": int(value),
            "min": entry.low,
            "max": entry.high,
            "step": 1,
            "label": label,
        }
    return {
        "type": "SliderFloat",
        "value": float(value),
        "min": entry.low,
        "max": entry.high,
        "step": (entry.high - entry.low) / 100,
        "label": label,
    }


# --- panels -------------------------------------------------------------------------------------
def series_figure(sim: NegotiationModel, title: str, names: tuple[str, ...]):
    """One panel of the traced replicate's daily series, dated, with talks days shaded.

    A fixed layout, not matplotlib's constrained one: it is drawn again every day of play and
    costs a third of the time.
    """
    fig = Figure(figsize=(6.4, 3.4))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.2, top=0.9)
    ax = fig.subplots()
    days = sim.day
    dates = np.datetime64(sim.start, "D") + np.arange(days)
    if days:
        for name in names:
            ax.plot(
                dates,
                sim.daily(name)[:, 0],
                lw=1.4,
                marker="o",
                markevery=[-1],
                ms=3,
                label=name.replace("_", " "),
            )
        talks = sim.daily("talks_state")[:, 0] >= 2
        ax.fill_between(dates, 0, 1, where=talks, color="0.85", lw=0, label="in talks")
        ax.legend(fontsize=7, loc="upper left", ncols=2)
    ax.set(
        title=title,
        xlabel="date",
        ylabel="level (0-1)",
        ylim=(0, 1),
        xlim=(sim.date(0), sim.date(max(sim.horizon - 1, 1))),
    )
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    return fig


def _series_panel(title: str, names: tuple[str, ...]):
    def SeriesPanel(model: LiveModel):
        solara.FigureMatplotlib(series_figure(model.simulation, title, names), format="png")

    SeriesPanel.__name__ = title
    return SeriesPanel


def DayPanel(model: LiveModel):
    """The day shown, the state of talks, and the events of that day."""
    sim = model.simulation
    shown = sim.day - 1
    if shown < 0:
        heading = f"{sim.date(0).isoformat()}: 0 of {sim.horizon} days run"
        today = []
    else:
        heading = (
            f"{sim.date(shown).isoformat()} (day {shown}): {sim.day} of {sim.horizon} days run"
        )
        today, _ = model.latest_events()
    state = TALKS_STATES[int(sim.talks_state[0])]
    with solara.Column(classes=["day-panel"]):
        solara.HTML(tag="h3", unsafe_innerHTML=escape(heading))
        solara.Text(f"{sim.scenario.name}: {sim.scenario.title}. State of talks: {state}.")
        solara.HTML(tag="b", unsafe_innerHTML="Events of the day")
        _preformatted(today, "No events.")


def ChroniclePanel(model: LiveModel):
    """The latest lines of the traced replicate's chronicle; scripted history is marked."""
    sim = model.simulation
    _, lines = model.latest_events() if sim.day else ([], [])
    with solara.Column():
        solara.HTML(
            tag="b",
            unsafe_innerHTML=f"Chronicle (replicate seed {sim.seeds[0]}; "
            f"latest {CHRONICLE_LINES} events; [record: ...] marks scripted history)",
        )
        _preformatted(lines, "Nothing yet: press Step or play.")


def ActorsPanel(model: LiveModel):
    """Each actor's state in the traced replicate."""
    sim = model.simulation
    rows = ["<tr><th>actor</th><th>state</th></tr>"]
    for actor in (sim.washington, sim.pyongyang, sim.beijing, sim.moscow, sim.un):
        state = ", ".join(f"{name} {_shown(value)}" for name, value in actor.state(0).items())
        rows.append(f"<tr><td>{type(actor).__name__}</td><td>{escape(state)}</td></tr>")
    solara.HTML(tag="table", unsafe_innerHTML="".join(rows), classes=["actors"])


def _preformatted(lines: list[str], empty: str) -> None:
    """Chronicle lines, wrapped at the panel's edge rather than cut off."""
    solara.HTML(
        tag="pre",
        unsafe_innerHTML=escape("\n".join(lines) or empty),
        style="white-space: pre-wrap; font-size: 12px",
    )


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@solara.component
def EnsemblePanel(model: LiveModel):
    """A fan chart over the ensemble for the current settings; the series is chosen here."""
    series, set_series = solara.use_state("tension")
    figure = solara.use_memo(lambda: fan_chart(model.ensemble(), series), [model, series])
    with solara.Column(classes=["ensemble-panel"]):
        solara.Select("ensemble series", value=series, values=list(DAILY), on_value=set_series)
        solara.FigureMatplotlib(figure, format="png", dependencies=[id(model), series])


def ParameterHelp(model: LiveModel):
    """The controls' values in use, with range, unit, mechanisms and the seed's words."""
    rows = ["<tr><th>parameter</th><th>in use</th><th>meaning, range, mechanisms, seed</th></tr>"]
    values = model.simulation.scenario.parameter_values()
    for name in CONTROLS:
        entry = parameters.REGISTRY[name]
        rows.append(
            f"<tr><td><b>{name}</b></td><td>{escape(_shown(values[name]))}</td>"
            f"<td>{escape(entry.doc)} {escape(entry.allowed().removeprefix('allowed: '))}"
            f"; {', '.join(entry.mechanisms)}. <i>&ldquo;{escape(entry.quote)}&rdquo;"
            f"</i> (seed {entry.source[:3]})</td></tr>"
        )
    with solara.Column():
        solara.HTML(tag="b", unsafe_innerHTML="The controls: values in use since the last reset")
        solara.HTML(tag="table", unsafe_innerHTML="".join(rows))


COMPONENTS = [
    DayPanel,
    *(_series_panel(title, names) for title, names in SERIES_PANELS.items()),
    EnsemblePanel,
    ChroniclePanel,
    ActorsPanel,
    ParameterHelp,
]


@solara.component
def Page():
    """The page: a scenario picker above Mesa's SolaraViz, rebuilt when the scenario changes
    so that every control starts from that scenario's values."""
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    model = solara.use_memo(lambda: LiveModel(scenario), [scenario])
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("scenario", value=scenario, values=list_scenarios(), on_value=set_scenario)
        solara.Text(load_scenario(scenario).description)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=controls(scenario),
        name="negotiation_sim: diplomacy over North Korea's missiles",
        play_interval=150,
    ).key(scenario)


page = Page


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> int:
    """Serve the dashboard with Solara until interrupted; return the server's exit status."""
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "negotiation_sim.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
    ]
    return subprocess.call(command)


__all__ = ["COMPONENTS", "CONTROLS", "LiveModel", "Page", "controls", "serve"]
