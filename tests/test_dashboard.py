"""The live dashboard: its model, controls, panels and page here, and in a real browser.

The page is rendered without a browser through Solara's test renderer; the browser test serves
the app with ``negotiation-sim viz`` on loopback and drives Debian's Chromium through
Playwright. Without Chromium it is skipped, unless ``NEGOTIATION_SIM_REQUIRE_BROWSER=1`` (set
by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html import escape
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("solara")
from negotiation_sim import parameters
from negotiation_sim.actors import ACTORS as REGISTERED_ACTORS
from negotiation_sim.app import (
    COMPONENTS,
    CONTROLS,
    SCENARIO_VARIABLE,
    SERIES_PANELS,
    ActorsPanel,
    DayPanel,
    LiveModel,
    Page,
    ParameterHelp,
    chronicle_text,
    controls,
    daily_table,
    ensemble_figure,
    panels_figure,
    panels_png,
    scenario_choices,
)
from negotiation_sim.outcomes import DAILY
from negotiation_sim.scenarios import list_scenarios, load_scenario

CHROMIUM = os.environ.get("NEGOTIATION_SIM_CHROMIUM", "/usr/bin/chromium")
#: Flags for a headless Chromium on a machine without a network beyond loopback.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- the model behind the page ----------------------------------------------------------------
@pytest.mark.parametrize("scenario", list_scenarios())
def test_controls_come_from_the_registry_and_the_scenario(scenario):
    params = controls(scenario)
    values = load_scenario(scenario).parameter_values()
    assert params["scenario_name"] == scenario
    for name in CONTROLS:
        entry, control = parameters.REGISTRY[name], params[name]
        assert name in control["label"] and (entry.unit in control["label"])
        assert control["value"] == values[name]
        if entry.kind in ("real", "integer"):
            assert control["min"] == entry.low and control["max"] == entry.high
            assert entry.low <= control["value"] <= entry.high
        if entry.kind == "choice":
            assert control["values"] == list(entry.choices)


def test_every_control_is_accepted_by_the_model():
    """What the controls send on reset builds a model (as SolaraViz does it)."""
    params = controls("no-preconditions-2022")
    kwargs = {name: (p["value"] if isinstance(p, dict) else p) for name, p in params.items()}
    model = LiveModel(**kwargs)
    assert model.simulation.scenario.name == "no-preconditions-2022"
    assert model.overrides["washington.precondition"] == "none"


def test_step_advances_one_day_and_stops_at_the_horizon():
    model = LiveModel("pressure-2017", seed=3)
    assert model.day == 0 and model.running
    model.step()
    assert model.day == 1
    for _ in range(model.simulation.horizon - 1):
        model.step()
    assert model.day == model.simulation.horizon and not model.running


def test_stepping_past_the_horizon_stays_at_the_horizon():
    """Play steps a render interval's days at once (as Mesa's loop does, checking `running`
    only afterwards): steps past the horizon do nothing."""
    short = dataclasses.replace(load_scenario("pressure-2017").without_moves(), horizon_days=20)
    model = LiveModel(short, seed=3)
    render_interval = 15
    while model.running:
        for _ in range(render_interval):
            model.step()
            assert model.day <= short.horizon_days
    assert model.day == short.horizon_days and not model.running
    assert model.simulation.daily("tension").shape[0] == short.horizon_days
    model.step()
    assert model.day == short.horizon_days and not model.running


def test_the_same_settings_replay_the_same_day_by_day():
    a, b = LiveModel("pressure-2017", seed=11), LiveModel("pressure-2017", seed=11)
    for _ in range(120):
        a.step()
        b.step()
    assert np.array_equal(a.simulation.daily("tension"), b.simulation.daily("tension"))
    assert a.latest_events() == b.latest_events()


def test_the_ensemble_runs_the_current_settings():
    steady = {"pyongyang.development_per_test": 0.0}  # the propensity alone sets the pace
    calm = LiveModel(
        "pressure-2017", seed=5, ensemble=300, **steady, **{"pyongyang.test_propensity": 0.005}
    )
    busy = LiveModel(
        "pressure-2017", seed=5, ensemble=300, **steady, **{"pyongyang.test_propensity": 0.08}
    )
    quiet, loud = calm.ensemble(), busy.ensemble()
    assert quiet.replicates == 300 and quiet.day == quiet.horizon
    assert calm.ensemble() is quiet  # run once per settings, then kept
    assert loud.outcomes["launch_days"].mean() > quiet.outcomes["launch_days"].mean() + 10


def test_latest_events_are_the_last_day_and_the_chronicle_tail():
    model = LiveModel("pressure-2017", seed=2)
    for _ in range(200):
        model.step()
    today, latest = model.latest_events()
    date = model.simulation.date(model.day - 1).isoformat()
    assert all(line.startswith(date) for line in today)
    assert 0 < len(latest) <= 14
    assert latest == model.simulation.chronicle(0).splitlines()[2:][-len(latest) :]


def test_the_scenario_from_the_environment_is_shown_first(monkeypatch, own_scenario):
    from negotiation_sim.app import initial_scenario

    monkeypatch.setenv(SCENARIO_VARIABLE, str(own_scenario))
    assert initial_scenario() == str(own_scenario)
    choices = scenario_choices("pressure-2017")
    assert choices[: len(list_scenarios())] == list_scenarios()
    assert str(own_scenario) in choices
    monkeypatch.delenv(SCENARIO_VARIABLE)
    assert initial_scenario() == "pressure-2017"
    assert scenario_choices("pressure-2017") == list_scenarios()


# --- exports --------------------------------------------------------------------------------------
def test_the_daily_table_is_the_traced_replicate_day_by_day(played):
    table = daily_table(played)
    sim = played.simulation
    assert len(table) == played.day
    assert table["date"].iloc[0] == sim.date(0).isoformat()
    assert table["date"].iloc[-1] == sim.date(played.day - 1).isoformat()
    for name in DAILY:
        assert np.array_equal(table[name].to_numpy(), sim.daily(name)[:, 0]), name


def test_the_chronicle_export_is_the_whole_chronicle(played):
    text = chronicle_text(played)
    assert text.rstrip("\n") == played.simulation.chronicle(0)
    assert "`" not in text


def test_the_panels_export_holds_every_figure_of_the_page(played):
    figure = panels_figure(played, "launch_day")
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[: len(SERIES_PANELS)] == list(SERIES_PANELS)
    assert "Ensemble" in titles[-1] and "Launch days" in titles[-1]
    assert panels_png(played)[:8] == b"\x89PNG\r\n\x1a\n"


# --- the panels, rendered without a browser ------------------------------------------------------
def _render(panel, model):
    """Render one panel as SolaraViz does; return its render context (closed by the caller)."""
    import reacton.core
    import solara

    element = (
        panel(model)
        if isinstance(panel, reacton.core.Component)
        else solara.component(panel)(model)
    )
    return solara.render(element, handle_error=False)[1]


def _html(context, tag: str) -> list[str]:
    import solara.widgets

    return [w.unsafe_innerHTML for w in context.find(solara.widgets.HTML, tag=tag).widgets]


@pytest.fixture
def own_scenario(tmp_path):
    """A user's scenario file: a counterfactual of a shipped scenario."""
    path = tmp_path / "own-pressure.toml"
    path.write_text(
        'name = "own-pressure"\n'
        'title = "My own pressure campaign"\n'
        'description = "The 2017 campaign with `un.draft_prob` lowered."\n'
        'base = "pressure-2017"\n\n'
        "[params]\n"
        '"un.draft_prob" = 0.5\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def played():
    model = LiveModel("pressure-2017", seed=2, ensemble=100)
    for _ in range(60):
        model.step()
    return model


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_every_panel_renders(played):
    import ipywidgets

    for panel in COMPONENTS:
        context = _render(panel, played)
        try:
            assert context.find(ipywidgets.Widget).widgets, panel
        finally:
            context.close()


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_day_panel_shows_the_day_and_its_events(played):
    context = _render(DayPanel, played)
    (heading,) = _html(context, "h3")
    (events,) = _html(context, "pre")
    context.close()
    assert heading == "2017-03-01 (day 59): 60 of 365 days run"
    today, _ = played.latest_events()
    assert events == ("\n".join(today) or "No events.")


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_actor_table_has_every_actor_and_its_state(played):
    context = _render(ActorsPanel, played)
    (table,) = _html(context, "table")
    context.close()
    assert len(played.simulation.actors) == len(REGISTERED_ACTORS) == 6
    for actor in played.simulation.actors.values():  # Seoul too: every registered actor
        assert f"<td>{type(actor).__name__}</td>" in table
        assert all(name in table for name in actor.state_names)
    assert "stance: <b>alignment</b>" in table  # Seoul's stance named, not a code


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_actor_table_names_its_codes():
    """Codes are shown by name: Washington's precondition, the state of talks, a vote day."""
    model = LiveModel("pressure-2017", seed=2)
    precondition = model.simulation.scenario.parameter_values()["washington.precondition"]
    table = _actor_table(model)
    assert f"precondition: <b>{precondition}</b>" in table
    assert "state: <b>no talks</b>" in table
    assert "vote_day: <b>none</b>" in table
    model.simulation.talks_state[0] = 1
    model.simulation.un.vote_day[0] = 40
    table = _actor_table(model)
    assert "state: <b>contact</b>" in table
    assert f"vote_day: <b>{model.simulation.date(40).isoformat()} (day 40)</b>" in table
    assert "`" not in table


def _actor_table(model) -> str:
    context = _render(ActorsPanel, model)
    (table,) = _html(context, "table")
    context.close()
    return table


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_controls_table_quotes_the_seeds(played):
    context = _render(ParameterHelp, played)
    (table,) = _html(context, "table")
    context.close()
    for name in CONTROLS:
        assert name in table
        assert escape(parameters.REGISTRY[name].quote) in table
    assert "`" not in table  # the registry's `names` are shown as code
    assert "<code>washington.pause_days</code>" in table
    for name in CONTROLS:  # each control's role, and where its quotation comes from
        entry = parameters.REGISTRY[name]
        source = "the record" if entry.source == parameters.RECORD else f"seed {entry.source[:3]}"
        assert f"<b>{entry.role}</b>" in table and f"({source})" in table
    assert "(the record)" in table  # Seoul's stance quotes the record, not a seed


def test_the_controls_are_every_policy_lever_first_then_context_then_behaviour():
    roles = [parameters.REGISTRY[name].role for name in CONTROLS]
    assert roles == sorted(roles, key=("policy", "context", "behaviour").index)
    assert {p.name for p in parameters.with_role("policy")} <= set(CONTROLS)
    assert {"context", "behaviour"} <= set(roles)
    assert len(set(CONTROLS)) == len(CONTROLS)


def test_the_fan_chart_is_legible_at_half_the_page(played):
    """Shown 640 px wide (half a laptop's page), every text of the fan chart is at least
    11 px tall: its size in points over the figure's width in inches decides that."""
    figure = ensemble_figure(played, "tension")
    width_inches = figure.get_size_inches()[0]
    texts = [
        text
        for text in figure.findobj(lambda artist: hasattr(artist, "get_fontsize"))
        if text.get_visible() and text.get_text()
    ]
    assert texts
    for text in texts:
        shown_px = text.get_fontsize() * 640 / (72 * width_inches)
        assert shown_px >= 11, (text.get_text(), shown_px)


# --- the whole page, rendered without a browser --------------------------------------------------
def _render_page():
    """Render the page in Solara's app layout (as ``solara run`` does); return its context."""
    import solara

    return solara.render(solara.AppLayout(children=[Page()]), handle_error=False)[1]


def _texts(context) -> list[str]:
    import ipyvuetify

    return [
        str(child)
        for widget in context.find(ipyvuetify.Html, tag="span").widgets
        for child in widget.children
        if isinstance(child, str)
    ]


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_page_has_no_page_tab_nor_time_readout():
    import ipyvuetify

    context = _render_page()
    try:
        assert not context.find(ipyvuetify.Tab).widgets
        assert not [text for text in _texts(context) if text.startswith("Time")]
        buttons = [w.children[-1] for w in context.find(ipyvuetify.Btn).widgets if w.children]
        assert {"Reset", "▶", "Step"} <= set(buttons)
        downloads = {"Daily series (CSV)", "Chronicle (text)", "Panels (PNG)"}
        assert downloads <= set(buttons)
    finally:
        context.close()


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_every_slider_shows_its_value_and_follows_it():
    import ipyvuetify

    context = _render_page()
    try:
        specs = controls("pressure-2017")
        for name in CONTROLS:
            spec = specs[name]
            if spec["type"] not in ("SliderInt", "SliderFloat"):
                continue
            row = context.find(meta_control=spec["label"])
            (label,) = row.find(ipyvuetify.Html, tag="span").widget.children
            assert label.startswith(f"{spec['label']}: ")
            assert float(label.rsplit(": ", 1)[1]) == pytest.approx(spec["value"])
        row = context.find(meta_control=specs["pyongyang.test_propensity"]["label"])
        row.find(ipyvuetify.Slider).widget.v_model = 0.1
        row = context.find(meta_control=specs["pyongyang.test_propensity"]["label"])
        assert row.find(ipyvuetify.Html, tag="span").widget.children[0].endswith(": 0.100")
    finally:
        context.close()


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_page_opens_the_scenario_named_by_viz(monkeypatch, own_scenario):
    import ipyvuetify

    monkeypatch.setenv(SCENARIO_VARIABLE, str(own_scenario))
    context = _render_page()
    try:
        picker = context.find(ipyvuetify.Select, label="scenario").widget
        assert picker.v_model == str(own_scenario)
        assert set(list_scenarios()) | {str(own_scenario)} == set(picker.items)
        texts = _texts(context)
        assert any(text.startswith("own-pressure: My own pressure campaign") for text in texts)
        assert "The 2017 campaign with un.draft_prob lowered." in texts  # no markdown quotes
        in_use = "".join(_html(context, "table"))
        assert "<td><b>un.draft_prob</b></td><td>0.500</td>" in in_use
    finally:
        context.close()


# --- the page in a browser ---------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_served(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the dashboard server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the dashboard did not answer at {url} within {seconds} s")


@pytest.fixture(scope="module")
def dashboard_url():
    port = _free_port()
    viz = shutil.which("negotiation-sim", path=str(Path(sys.executable).parent))
    command = ([viz] if viz else [sys.executable, "-m", "negotiation_sim.cli"]) + [
        "viz",
        "--port",
        str(port),
        "--no-browser",
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_served(url, server)
        yield url
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("NEGOTIATION_SIM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _chart(page):
    """The ensemble's fan chart: the image inside the ensemble panel."""
    chart = page.locator(".ensemble-panel img").first
    chart.scroll_into_view_if_needed()
    chart.wait_for(state="visible", timeout=60_000)
    return chart


def _days_run(page, days: int | str, timeout: float = 60_000) -> None:
    """Wait until the day panel says ``days`` (a number or a regular expression) days ran."""
    pattern = re.compile(rf"(?<!\d){days} of 365 days run")
    page.locator(".day-panel").get_by_text(pattern).wait_for(timeout=timeout)


def _slider(page, label: str):
    """The control of a slider: its label with its value, and its track."""
    return page.locator(".control", has_text=label).first


def _set_slider(page, label: str, share: float) -> None:
    """Click a Vuetify slider at ``share`` of its track, as a user would."""
    row = _slider(page, label)
    row.scroll_into_view_if_needed()
    track = row.locator(".v-slider").first
    box = track.bounding_box()
    page.mouse.click(box["x"] + share * box["width"], box["y"] + box["height"] / 2)


def _days_shown(page) -> int:
    heading = page.locator(".day-panel h3").inner_text()
    return int(re.search(r"(\d+) of 365 days run", heading).group(1))


def _download(page, label: str, path: Path) -> bytes:
    """Click a download button; return the file the browser received."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=label).click()
    download.value.save_as(path)
    return path.read_bytes()


def test_the_dashboard_in_a_real_browser(dashboard_url, browser, tmp_path):
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))

    page.goto(dashboard_url)
    _days_run(page, 0, timeout=90_000)
    assert page.get_by_text("pressure-2017").first.is_visible()

    # Step advances the day shown, one day per press.
    page.get_by_role("button", name="Step").click()
    _days_run(page, 1)
    page.get_by_role("button", name="Step").click()
    _days_run(page, 2)

    # Play runs on by itself until paused.
    page.get_by_role("button", name="▶").click()
    _days_run(page, "([5-9]|\\d\\d+)")
    page.get_by_role("button", name="❚❚").click()

    # A different parameter, then Reset: the ensemble's chart changes and the day is 0 again.
    in_use = page.locator("tr", has_text="pyongyang.test_propensity")
    value_before = in_use.inner_text()
    before = _chart(page).screenshot()
    label_before = _slider(page, "pyongyang.test_propensity").inner_text()
    _set_slider(page, "pyongyang.test_propensity", 0.3)
    # The slider's label shows its new value at once, before Reset puts it in use.
    page.wait_for_function(
        "(old) => !document.body.innerText.includes(old)", arg=label_before, timeout=30_000
    )
    assert re.fullmatch(
        r"pyongyang\.test_propensity \(1/day\): 0\.\d{3}",
        _slider(page, "pyongyang.test_propensity").inner_text().strip(),
    )
    page.get_by_role("button", name="Reset").click()
    _days_run(page, 0)
    page.wait_for_function(
        "(old) => !document.body.innerText.includes(old)", arg=value_before, timeout=30_000
    )
    deadline = time.monotonic() + 60
    after = _chart(page).screenshot()
    while after == before and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        after = _chart(page).screenshot()
    assert after != before, "the fan chart did not change after a new parameter and Reset"

    page.get_by_role("button", name="Step").click()
    _days_run(page, 1)
    # Mesa's render interval: several days per drawing, so playing on is quick.
    _set_slider(page, "Render interval", 0.1)
    page.get_by_role("button", name="▶").click()
    _days_run(page, "([6-9]\\d|\\d{3})", timeout=120_000)
    page.get_by_role("button", name="❚❚").click()
    page.locator(".day-panel").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    shot = Path(os.environ.get("NEGOTIATION_SIM_SCREENSHOT", tmp_path / "dashboard.png"))
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000

    # The table of values in use fits its panel, and no banner covers it.
    help_panel = page.locator(".parameter-help")
    help_panel.scroll_into_view_if_needed()
    fits = help_panel.evaluate(
        "(panel) => panel.querySelector('table').scrollWidth <= panel.clientWidth + 1"
        " && panel.getBoundingClientRect().right <= window.innerWidth"
    )
    assert fits, "the table of values in use is wider than its panel"
    assert page.get_by_text("This website runs on").count() == 0

    # Exports: the days run so far, as CSV; the chronicle; the panels as PNG.
    days = _days_shown(page)
    table = _download(page, "Daily series (CSV)", tmp_path / "daily.csv").decode()
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == days and set(DAILY) <= set(rows[0])
    text = _download(page, "Chronicle (text)", tmp_path / "chronicle.txt").decode()
    assert text.startswith("pressure-2017: replicate 0") and f"+ {days} days" in text
    png = _download(page, "Panels (PNG)", tmp_path / "panels.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"

    # Play with a large render interval stops at the horizon, and the controls come back.
    _set_slider(page, "Render interval", 0.99)
    page.wait_for_function(
        "() => /per Step\\): (9\\d|100)\\b/.test(document.body.innerText)", timeout=30_000
    )
    page.get_by_role("button", name="▶").click()
    _days_run(page, 365, timeout=120_000)
    page.get_by_text("The horizon is reached").wait_for(timeout=30_000)
    page.get_by_role("button", name="▶").wait_for(timeout=30_000)  # no longer ❚❚
    assert page.get_by_role("button", name="❚❚").count() == 0
    assert page.get_by_role("button", name="Step").is_disabled()
    assert _days_shown(page) == 365
    page.get_by_role("button", name="Reset").click()
    _days_run(page, 0)
    assert page.get_by_role("button", name="▶").is_enabled()

    # Another scenario: the page is rebuilt with its dates and its values in use.
    page.locator(".v-select", has_text="pressure-2017").first.click()
    page.get_by_role("option", name="no-preconditions-2022").click()
    page.locator(".day-panel").get_by_text("2022-01-01: 0 of 365 days run").wait_for(timeout=60_000)
    precondition = page.locator("tr", has_text="washington.precondition")
    assert precondition.locator("td").nth(1).inner_text() == "none"
    page.close()
    assert not problems, "\n".join(problems)
