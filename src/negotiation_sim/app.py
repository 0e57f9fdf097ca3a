"""The live dashboard: one traced replicate played day by day, and an ensemble behind it.

Start it with ``negotiation-sim viz`` (``--scenario FILE`` opens a scenario file of one's own)
or ``solara run negotiation_sim.app``. Pick a scenario, set parameters with controls generated
from the registry, then step, play and reset: the page shows the traced replicate's daily
series, its events in a chronicle panel and each actor's state, and a fan chart over an
ensemble of replicates run with the same settings. It exports the traced replicate's daily
series (CSV), its chronicle (text) and the panels (PNG).

Following Mesa's convention the app only shows: `LiveModel` (a ``mesa.Model``) runs a
`NegotiationModel` and keeps what the panels read; the panels draw it. The page is laid out
here rather than by Mesa's ``SolaraViz``, whose fixed frame adds a "Page 0" tab and a "Time"
readout, shows sliders without their values and leaves play greyed out once a model stops;
its controls (Reset, play/pause, Step, play and render intervals) work as SolaraViz's do.
Needs the ``viz`` extra.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from html import escape
from types import MappingProxyType

import mesa
import numpy as np
import pandas as pd
import solara
import solara.lab
from matplotlib.figure import Figure

from negotiation_sim import parameters
from negotiation_sim.actors import ACTORS
from negotiation_sim.codes import TALKS_STATES
from negotiation_sim.figures import fan_chart, fan_panel
from negotiation_sim.model import NegotiationModel
from negotiation_sim.outcomes import DAILY
from negotiation_sim.recording import chronicle
from negotiation_sim.scenarios import list_scenarios, load_scenario

#: The scenario shown first, unless `SCENARIO_VARIABLE` names another.
DEFAULT_SCENARIO = "pressure-2017"
#: The environment variable through which ``negotiation-sim viz --scenario`` hands the server
#: the scenario to show first: a shipped name or a path to a scenario file.
SCENARIO_VARIABLE = "NEGOTIATION_SIM_SCENARIO"


#: Parameters with a control on the page: the levers the seeds argue about, as each actor
#: declares them (`Actor.controls`). Every other parameter keeps the scenario's value.
def _controls() -> tuple[str, ...]:
    """Every policy lever (`parameters.ROLES`), then the other parameters actors declare a
    control for (`Actor.controls`), by role: the levers first, then the period's context,
    then behaviour."""
    declared = [f"{actor.key}.{name}" for actor in ACTORS for name in actor.controls]
    levers = [p.name for p in parameters.with_role("policy")]
    names = dict.fromkeys([*levers, *declared])
    return tuple(
        sorted(names, key=lambda name: ROLES_ON_PAGE.index(parameters.REGISTRY[name].role))
    )


#: The order of roles on the page: what a user varies first.
ROLES_ON_PAGE = ("policy", "context", "behaviour")
CONTROLS = _controls()
#: The traced replicate's panels: a title and the daily series drawn together, as each series
#: declares its panel (`Measure.panel`).
PANEL_TITLES = MappingProxyType(
    {
        "tension": "Tension, trust and willingness to talk",
        "sanctions": "Sanctions, aid and economic pain",
        "capability": "Capability, credibility and pressure",
    }
)
SERIES_PANELS = MappingProxyType(
    {
        title: tuple(name for name, measure in DAILY.items() if measure.panel == panel)
        for panel, title in PANEL_TITLES.items()
    }
)
#: How many of the latest events the chronicle panel lists.
CHRONICLE_LINES = 14
#: Milliseconds between drawings while playing, at first.
PLAY_INTERVAL = 150
#: The fan chart's size in inches: at half the page's width its text stays legible.
ENSEMBLE_FIGURE_SIZE = (7.0, 4.4)
#: The title in the app bar.
TITLE = "negotiation_sim: diplomacy over North Korea's missiles"


class LiveModel(mesa.Model):
    """What the dashboard runs: one replicate stepped day by day, and an ensemble on demand.

    The traced replicate stops at the scenario's horizon: ``running`` turns False there and
    `step` does nothing past it, so play ends however many days a drawing covers.

    Args:
        scenario_name: a shipped scenario's name or a path to a scenario file.
        seed: the model seed of both the traced replicate and the ensemble.
        ensemble: replicates in the ensemble behind the fan chart.
        scenario: Mesa's own scenario object, which Mesa's visualization passes on reset;
            kept by Mesa.
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
        self.running = self.day < self.simulation.horizon

    def step(self) -> None:
        """One day of the traced replicate; nothing once the horizon is reached."""
        if self.day < self.simulation.horizon:
            self.simulation.step()
        self.running = self.day < self.simulation.horizon

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


# --- scenarios and controls ---------------------------------------------------------------------
def initial_scenario() -> str:
    """The scenario shown first: the one named in `SCENARIO_VARIABLE`, else the default."""
    return os.environ.get(SCENARIO_VARIABLE) or DEFAULT_SCENARIO


def scenario_choices(current: str) -> list[str]:
    """The picker's scenarios: the shipped ones, then the user's file (and ``current``)."""
    shipped = list_scenarios()
    own = [name for name in dict.fromkeys((initial_scenario(), current)) if name not in shipped]
    return [*shipped, *own]


def controls(scenario_name: str) -> dict[str, object]:
    """The model's parameters as Mesa's visualization describes them: the scenario (fixed),
    seed, ensemble size, and one control per parameter of `CONTROLS`, its range from the
    registry and its value the scenario's."""
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
    """An input for one registry entry: a slider, a select or a checkbox."""
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


def control_values(specs: dict[str, object]) -> dict[str, object]:
    """The model's keyword arguments as `controls` starts them: each control's value."""
    return {name: spec["value"] if isinstance(spec, dict) else spec for name, spec in specs.items()}


def _decimals(step: float) -> int:
    """Decimals that tell two neighbouring slider positions apart."""
    return max(0, math.ceil(-math.log10(step))) if step > 0 else 3


def slider_value(spec: dict[str, object], value: float) -> float | int:
    """A slider's value as shown and used: rounded to the decimals its step needs, so what
    the label says is what the model runs."""
    if spec["type"] == "SliderInt":
        return round(value)
    rounded = round(float(value), _decimals(spec["step"]))
    return min(max(rounded, spec["min"]), spec["max"])


def slider_text(spec: dict[str, object], value: float) -> str:
    """A slider's value as its label shows it (a scenario's value off the slider's grid in
    full)."""
    if spec["type"] == "SliderInt":
        return str(round(value))
    text = f"{float(value):.{_decimals(spec['step'])}f}"
    return text if float(text) == float(value) else f"{float(value):.6g}"


# --- exports ------------------------------------------------------------------------------------
def daily_table(model: LiveModel) -> pd.DataFrame:
    """The traced replicate's daily series so far: one row per day run, one column per series."""
    sim = model.simulation
    days = sim.day  # read once: play may add a day meanwhile, and the days run are complete
    table = pd.DataFrame(
        {"date": [sim.date(day).isoformat() for day in range(days)], "day": np.arange(days)}
    )
    for name in DAILY:
        table[name] = sim.daily(name)[:days, 0]
    return table


def daily_csv(model: LiveModel) -> str:
    """`daily_table` as CSV."""
    return daily_table(model).to_csv(index=False)


def chronicle_text(model: LiveModel) -> str:
    """The traced replicate's whole chronicle so far."""
    return model.simulation.chronicle(0) + "\n"


def panels_figure(model: LiveModel, series: str = "tension") -> Figure:
    """The page's figures in one: the three daily-series panels and the ensemble's fan chart
    of ``series``."""
    sim = model.simulation
    fig = Figure(figsize=(14, 9), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (title, names) in zip(axes, SERIES_PANELS.items(), strict=False):
        _draw_series(ax, sim, title, names)
    ensemble = model.ensemble()
    fan_panel(axes[-1], ensemble, series)
    axes[-1].set_title(f"Ensemble of {ensemble.replicates}: {axes[-1].get_title()}")
    fig.suptitle(
        f"{sim.scenario.name}: replicate seed {sim.seeds[0]}, {sim.day} of {sim.horizon} days "
        f"from {sim.start.isoformat()} (model seed {sim.seed})"
    )
    return fig


def panels_png(model: LiveModel, series: str = "tension") -> bytes:
    """`panels_figure` as PNG."""
    buffer = io.BytesIO()
    panels_figure(model, series).savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _export_name(model: LiveModel, what: str) -> str:
    sim = model.simulation
    return f"{sim.scenario.name}_seed{sim.seed}_day{sim.day}_{what}"


# --- panels -------------------------------------------------------------------------------------
def series_figure(sim: NegotiationModel, title: str, names: tuple[str, ...]):
    """One panel of the traced replicate's daily series, dated, with talks days shaded.

    A fixed layout, not matplotlib's constrained one: it is drawn again every day of play and
    costs a third of the time.
    """
    fig = Figure(figsize=(6.4, 3.4))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.2, top=0.9)
    _draw_series(fig.subplots(), sim, title, names)
    return fig


def _draw_series(ax, sim: NegotiationModel, title: str, names: tuple[str, ...]) -> None:
    days = sim.day  # read once: play may add a day meanwhile, and the days run are complete
    dates = np.datetime64(sim.start, "D") + np.arange(days)
    if days:
        for name in names:
            ax.plot(
                dates,
                sim.daily(name)[:days, 0],
                lw=1.4,
                marker="o",
                markevery=[-1],
                ms=3,
                label=name.replace("_", " "),
            )
        talks = sim.daily("talks_state")[:days, 0] >= 2
        ax.fill_between(dates, 0, 1, where=talks, color="0.85", lw=0, label="in talks")
        ax.legend(fontsize=8, loc="upper left", ncols=2)
    ax.set(
        title=title,
        xlabel="date",
        ylabel="level (0-1)",
        ylim=(0, 1),
        xlim=(sim.date(0), sim.date(max(sim.horizon - 1, 1))),
    )
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)


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
    state = TALKS_STATES.label(sim.talks_state[0])
    with solara.Column(classes=["day-panel"]):
        solara.HTML(tag="h3", unsafe_innerHTML=escape(heading))
        solara.Text(f"{sim.scenario.name}: {_plain(sim.scenario.title)}. State of talks: {state}.")
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


#: Actor state variables whose numbers are days of the run, and how to name them (codes are
#: named by the actor's `state_codes`).
_STATE_NAMES: dict[str, Callable[[object, NegotiationModel], str]] = {
    "vote_day": lambda day, sim: (
        "none" if day < 0 else f"{sim.date(int(day)).isoformat()} (day {int(day)})"
    ),
}


def _state_row(actor, sim: NegotiationModel, name: str, value: object) -> tuple[str, str]:
    """One state variable as a name and a value to read: codes named, days dated."""
    if name in actor.state_codes:
        return name, actor.state_codes[name].decode(value)
    if name in _STATE_NAMES:
        return name, _STATE_NAMES[name](value, sim)
    return name, _shown(value)


def actor_rows(sim: NegotiationModel) -> list[tuple[str, list[tuple[str, str]]]]:
    """The actors table's rows: the talks, then each actor with its state as names and values
    to read (codes named, -1 for "no day" shown as none)."""
    rows = [
        (
            "Talks",
            [
                ("state", TALKS_STATES.label(sim.talks_state[0])),
                ("days in talks", str(int(sim.talks_days[0]))),
            ],
        )
    ]
    for actor in sim.actors.values():
        rows.append(
            (
                type(actor).__name__,
                [_state_row(actor, sim, n, v) for n, v in actor.state(0).items()],
            )
        )
    return rows


def ActorsPanel(model: LiveModel):
    """Each actor's state in the traced replicate."""
    rows = ["<tr><th>actor</th><th>state</th></tr>"]
    for actor, state in actor_rows(model.simulation):
        cells = "; ".join(f"{escape(name)}: <b>{escape(value)}</b>" for name, value in state)
        rows.append(f"<tr><td>{escape(actor)}</td><td>{cells}</td></tr>")
    solara.HTML(
        tag="table",
        unsafe_innerHTML='<colgroup><col style="width: 24%"><col></colgroup>' + "".join(rows),
        classes=["actors"],
    )


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


_CODE = re.compile(r"`([^`]*)`")


def _plain(text: str) -> str:
    """Text from the registry or a scenario file without its markdown code quotes."""
    return _CODE.sub(r"\1", text)


def _markup(text: str) -> str:
    """Text from the registry as HTML: escaped, with `name` shown as code."""
    return _CODE.sub(r"<code>\1</code>", escape(text))


#: The series of the ensemble's fan chart, as chosen on the page (per browser session).
ensemble_series = solara.reactive("tension")


def ensemble_figure(model: LiveModel, series: str) -> Figure:
    """The ensemble's fan chart of ``series``, sized to be read at half the page's width."""
    return fan_chart(model.ensemble(), series, size=ENSEMBLE_FIGURE_SIZE)


@solara.component
def EnsemblePanel(model: LiveModel):
    """A fan chart over the ensemble for the current settings; the series is chosen here."""
    series = ensemble_series.value
    figure = solara.use_memo(lambda: ensemble_figure(model, series), [model, series])
    with solara.Column(classes=["ensemble-panel"]):
        solara.Select(
            "ensemble series", value=series, values=list(DAILY), on_value=ensemble_series.set
        )
        solara.FigureMatplotlib(figure, format="png", dependencies=[id(model), series])


def _source(entry: parameters.Parameter) -> str:
    """Where a parameter's quotation comes from, as a reader names it."""
    if entry.source == parameters.RECORD:
        return "the record"
    return f"seed {entry.source[:3]}"  # 000 or 003


def ParameterHelp(model: LiveModel):
    """The controls' values in use, with range, unit, mechanisms and the seed's words."""
    header = "<th>parameter</th><th>in use</th><th>role; meaning, range, mechanisms, source</th>"
    rows = [f"<tr>{header}</tr>"]
    values = model.simulation.scenario.parameter_values()
    for name in CONTROLS:
        entry = parameters.REGISTRY[name]
        rows.append(
            f"<tr><td><b>{name}</b></td><td>{escape(_shown(values[name]))}</td>"
            f"<td><b>{entry.role}</b>; {_markup(entry.doc)} "
            f"{_markup(entry.allowed().removeprefix('allowed: '))}"
            f"; {', '.join(entry.mechanisms)}. <i>&ldquo;{escape(entry.quote)}&rdquo;"
            f"</i> ({_source(entry)})</td></tr>"
        )
    columns = '<colgroup><col style="width: 24%"><col style="width: 14%"><col></colgroup>'
    with solara.Column(classes=["parameter-help"]):
        solara.HTML(tag="b", unsafe_innerHTML="The controls: values in use since the last reset")
        solara.HTML(tag="table", unsafe_innerHTML=columns + "".join(rows))


COMPONENTS = [
    DayPanel,
    *(_series_panel(title, names) for title, names in SERIES_PANELS.items()),
    EnsemblePanel,
    ChroniclePanel,
    ActorsPanel,
    ParameterHelp,
]


# --- the page -----------------------------------------------------------------------------------
#: The page's own styles: tables that wrap inside their panel, figures scaled to it, and room
#: below for Solara's banner when the app is served by ``solara run`` rather than ``viz``.
CSS = """
.dashboard { padding-bottom: 56px; }
.dashboard .panel img { max-width: 100%; height: auto; }
.parameter-help { overflow-x: auto; max-width: 100%; }
.parameter-help table, table.actors { width: 100%; table-layout: fixed; border-collapse: collapse; }
.parameter-help th, .parameter-help td, table.actors th, table.actors td {
    overflow-wrap: break-word; vertical-align: top; text-align: left; padding: 4px 8px;
    border-bottom: 1px solid rgba(128, 128, 128, 0.3);
}
.control { margin-bottom: 4px; }
.control .v-input { margin-top: 0; padding-top: 0; }
.control-label { font-size: 14px; }
"""


@solara.component
def LabelledSlider(
    label: str,
    value: float,
    on_value: Callable[[float], None],
    low: float,
    high: float,
    step: float,
    shown: str,
    integer: bool = False,
):
    """A slider with its label and current value on a line above the track."""
    slider = solara.SliderInt if integer else solara.SliderFloat
    with solara.Column(classes=["control"], gap="0px").meta(control=label):
        solara.Text(f"{label}: {shown}", classes=["control-label"])
        slider("", value=value, min=low, max=high, step=step, on_value=on_value, thumb_label=False)


@solara.component
def ParameterInputs(specs: dict[str, object], settings: solara.Reactive[dict]):
    """One input per adjustable parameter of ``specs`` (as `controls` makes them), writing
    into ``settings``; sliders show their value."""
    for name, spec in specs.items():
        if not isinstance(spec, dict):
            continue
        value = settings.value[name]

        def set_value(new, name=name, spec=spec):
            if spec["type"] in ("SliderInt", "SliderFloat"):
                new = slider_value(spec, new)
            settings.set({**settings.value, name: new})

        if spec["type"] in ("SliderInt", "SliderFloat"):
            LabelledSlider(
                spec["label"],
                value,
                set_value,
                spec["min"],
                spec["max"],
                spec["step"],
                slider_text(spec, value),
                integer=spec["type"] == "SliderInt",
            )
        elif spec["type"] == "Select":
            solara.Select(spec["label"], value=value, values=spec["values"], on_value=set_value)
        else:
            solara.Checkbox(label=spec["label"], value=value, on_value=set_value)


@solara.component
def ExportButtons(model: LiveModel):
    """Downloads of the traced replicate: its daily series, its chronicle, the panels."""
    series = ensemble_series.value
    # Built once per model and read when clicked: a download asked for during play is not
    # dropped by the next day's drawing, and holds the days run by then.
    csv = solara.use_memo(lambda: functools.partial(daily_csv, model), [model])
    text = solara.use_memo(lambda: functools.partial(chronicle_text, model), [model])
    png = solara.use_memo(lambda: functools.partial(panels_png, model, series), [model, series])
    with solara.Column(classes=["export"]):
        solara.FileDownload(
            csv, _export_name(model, "daily.csv"), label="Daily series (CSV)", mime_type="text/csv"
        )
        solara.FileDownload(
            text,
            _export_name(model, "chronicle.txt"),
            label="Chronicle (text)",
            mime_type="text/plain",
        )
        solara.FileDownload(
            png, _export_name(model, "panels.png"), label="Panels (PNG)", mime_type="image/png"
        )


@solara.component
def Dashboard(scenario: str, on_scenario: Callable[[str], None]):
    """The page for one scenario: controls and inputs in the sidebar, the panels beside.

    Step and play advance the traced replicate by the render interval's days per drawing, as
    in Mesa's SolaraViz; play stops by itself at the horizon, where the play button comes
    back and a note says to Reset.
    """
    specs = solara.use_memo(lambda: controls(scenario), [scenario])
    first = solara.use_memo(lambda: LiveModel(scenario), [scenario])
    model = solara.use_reactive(first)
    settings = solara.use_reactive(control_values(specs))
    drawings = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    play_interval = solara.use_reactive(PLAY_INTERVAL)
    render_interval = solara.use_reactive(1)
    error = solara.use_reactive(None)
    # One stepper at a time, and only the latest play loop runs: a loop left over from an
    # earlier press of play sees a newer generation and stops.
    stepping = solara.use_memo(threading.Lock, [])
    generation = solara.use_ref(0)

    def advance(days: int) -> None:
        live = model.value
        with stepping:
            for _ in range(days):
                if not live.running:
                    break
                live.step()
        drawings.set(drawings.value + 1)

    def play() -> None:
        generation.current += 1
        mine, live = generation.current, model.value
        try:
            while playing.value and live.running and generation.current == mine:
                time.sleep(play_interval.value / 1000)
                if playing.value and generation.current == mine:
                    advance(render_interval.value)
        except Exception as failure:  # noqa: BLE001 - shown on the page, as Mesa does
            error.set(f"error in step: {failure}")
        if generation.current == mine and model.value is live:
            playing.set(False)  # at the horizon: the play button comes back

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def step_once() -> None:
        if not playing.value:
            try:
                advance(render_interval.value)
            except Exception as failure:  # noqa: BLE001 - shown on the page, as Mesa does
                error.set(f"error in step: {failure}")

    def reset() -> None:
        playing.set(False)
        generation.current += 1
        with stepping:
            model.set(LiveModel(**settings.value))
        error.set(None)

    live = model.value
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
        solara.lab.ThemeToggle()
    with solara.Sidebar(), solara.Column():
        with solara.Card("Scenario"):
            solara.Select(
                "scenario", value=scenario, values=scenario_choices(scenario), on_value=on_scenario
            )
            solara.Text(_plain(live.simulation.scenario.description))
        with solara.Card("Controls"):
            LabelledSlider(
                "Play interval (ms)",
                play_interval.value,
                play_interval.set,
                10,
                500,
                10,
                str(play_interval.value),
                integer=True,
            )
            LabelledSlider(
                "Render interval (days per drawing and per Step)",
                render_interval.value,
                render_interval.set,
                1,
                100,
                1,
                str(render_interval.value),
                integer=True,
            )
            with solara.Row(justify="space-between"):
                solara.Button("Reset", color="primary", on_click=reset)
                solara.Button(
                    "❚❚" if playing.value else "▶",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=not live.running,
                )
                solara.Button(
                    "Step",
                    color="primary",
                    on_click=step_once,
                    disabled=playing.value or not live.running,
                )
            if not live.running:
                solara.Text(
                    f"The horizon is reached ({live.day} of {live.simulation.horizon} days): "
                    "Reset to run again.",
                    classes=["horizon-note"],
                )
            if error.value:
                solara.Error(error.value)
        with solara.Card("Model parameters"):
            solara.Text("Changes apply on Reset.")
            ParameterInputs(specs, settings)
        with solara.Card("Export"):
            ExportButtons(live)
    with solara.Column(classes=["dashboard"]):
        widths = [6] * (len(COMPONENTS) - 1) + [12]  # the wide table of values gets a row
        with solara.ColumnsResponsive(12, large=widths):
            for panel in COMPONENTS:
                with solara.Card(classes=["panel"]):
                    PanelView(panel, live, drawings.value)


@solara.component
def PanelView(panel, model: LiveModel, drawing: int):
    """One panel of `COMPONENTS`, drawn again for every new ``drawing`` (as Mesa's
    SolaraViz wraps its components)."""
    panel(model)


@solara.component
def Page():
    """The page: a scenario picker, and the dashboard for the scenario picked, built anew when
    it changes so that every control starts from that scenario's values."""
    scenario, set_scenario = solara.use_state(initial_scenario())
    Dashboard(scenario, set_scenario).key(scenario)


page = Page


# --- serving ------------------------------------------------------------------------------------
#: Signals that stop the dashboard: Ctrl-C, a process manager's stop, a closed terminal.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: Seconds the server has to exit after being asked to before it is killed.
STOP_TIMEOUT = 10.0
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = False,
    scenario: str | None = None,
) -> int:
    """Serve the dashboard with Solara until stopped; return an exit status.

    The server (``solara run``) is a child process in its own process group, so whatever stops
    this process stops the server too and nothing is left serving: on SIGINT, SIGTERM or
    SIGHUP the group gets SIGTERM, then SIGKILL if it is still there after `STOP_TIMEOUT`
    seconds, and `serve` returns once it is gone. (Signals are only handled when called from
    the main thread; elsewhere the caller's handlers stay.)

    Returns 128 + the number of the signal that stopped it (130 for Ctrl-C's SIGINT, 143 for
    SIGTERM, 129 for SIGHUP: the shell's status for a command ended by that signal, so a
    caller can tell a stop from a server that failed), or the server's own status when it
    ended by itself. ``scenario`` (a shipped name or a path to a scenario file) is shown first;
    it reaches the server in `SCENARIO_VARIABLE`.
    """
    command = _server_command(host, port, open_browser)
    # Solara's "This website runs on Solara" banner covers the panels' bottom right corner.
    environment = {**os.environ, "SOLARA_THEME_SHOW_BANNER": "False"}
    if scenario is not None:
        environment[SCENARIO_VARIABLE] = str(scenario)
    stops: list[int] = []
    server: subprocess.Popen | None = None

    def stop(signum, _frame) -> None:
        stops.append(signum)
        if server is not None:
            _signal_group(server, signal.SIGTERM)

    previous = _handle(STOP_SIGNALS, stop)
    try:
        server = subprocess.Popen(command, env=environment, start_new_session=True)
        if stops:  # stopped while starting
            _signal_group(server, signal.SIGTERM)
        status = _wait(server, stops)
    finally:
        if server is not None and server.poll() is None:  # an error here: leave nothing behind
            _signal_group(server, _KILL)
            server.wait()
        if server is not None:  # anything the server started and left in its group
            _signal_group(server, _KILL)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 + stops[0] if stops else status


def _server_command(host: str, port: int, open_browser: bool) -> list[str]:
    return [
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


def _handle(signums, handler) -> dict:
    """Install ``handler`` for ``signums``; return the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, handler) for signum in signums}


def _wait(server: subprocess.Popen, stops: list[int]) -> int:
    """The server's exit status; after a stop, killed if it outlives `STOP_TIMEOUT`."""
    deadline = None
    while True:
        try:
            return server.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            if stops and deadline is None:
                deadline = time.monotonic() + STOP_TIMEOUT
            elif deadline is not None and time.monotonic() > deadline:
                _signal_group(server, _KILL)


def _signal_group(server: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the server's process group (the server alone where there are none)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(server.pid, signum)
        elif server.poll() is None:  # no process groups (Windows): the server alone
            server.terminate()
    except (ProcessLookupError, PermissionError):
        pass  # already gone


__all__ = [
    "COMPONENTS",
    "CONTROLS",
    "SCENARIO_VARIABLE",
    "LiveModel",
    "Page",
    "chronicle_text",
    "controls",
    "daily_csv",
    "daily_table",
    "ensemble_figure",
    "initial_scenario",
    "panels_figure",
    "panels_png",
    "scenario_choices",
    "serve",
]
