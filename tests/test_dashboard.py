"""The live dashboard: its model and controls here, and the page itself in a real browser.

The browser test serves the app with ``negotiation-sim viz`` on loopback and drives Debian's
Chromium through Playwright. Without Chromium it is skipped, unless
``NEGOTIATION_SIM_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

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
from negotiation_sim.app import (
    COMPONENTS,
    CONTROLS,
    ActorsPanel,
    DayPanel,
    LiveModel,
    ParameterHelp,
    controls,
)
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


def test_the_same_settings_replay_the_same_day_by_day():
    a, b = LiveModel("pressure-2017", seed=11), LiveModel("pressure-2017", seed=11)
    for _ in range(120):
        a.step()
        b.step()
    assert np.array_equal(a.simulation.daily("tension"), b.simulation.daily("tension"))
    assert a.latest_events() == b.latest_events()


def test_the_ensemble_runs_the_current_settings():
    calm = LiveModel("pressure-2017", seed=5, ensemble=300, **{"pyongyang.test_propensity": 0.005})
    busy = LiveModel("pressure-2017", seed=5, ensemble=300, **{"pyongyang.test_propensity": 0.08})
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
    for actor in (
        played.simulation.washington,
        played.simulation.pyongyang,
        played.simulation.beijing,
        played.simulation.moscow,
        played.simulation.un,
    ):
        assert f"<td>{type(actor).__name__}</td>" in table
        assert all(name in table for name in actor.state_names)


@pytest.mark.filterwarnings("ignore:Failed to validate hooks")
def test_the_controls_table_quotes_the_seeds(played):
    context = _render(ParameterHelp, played)
    (table,) = _html(context, "table")
    context.close()
    for name in CONTROLS:
        assert name in table
        assert escape(parameters.REGISTRY[name].quote) in table


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


def _set_slider(page, label: str, share: float) -> None:
    """Click a Vuetify slider at ``share`` of its track, as a user would."""
    row = page.locator(".v-input", has_text=label).first
    row.scroll_into_view_if_needed()
    track = row.locator(".v-slider").first
    box = track.bounding_box()
    page.mouse.click(box["x"] + share * box["width"], box["y"] + box["height"] / 2)


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
    _set_slider(page, "pyongyang.test_propensity", 0.3)
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
    _set_slider(page, "Render Interval", 0.1)
    page.get_by_role("button", name="▶").click()
    _days_run(page, "([6-9]\\d|\\d{3})", timeout=120_000)
    page.get_by_role("button", name="❚❚").click()
    page.locator(".day-panel").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    shot = Path(os.environ.get("NEGOTIATION_SIM_SCREENSHOT", tmp_path / "dashboard.png"))
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000

    # Another scenario: the page is rebuilt with its dates and its values in use.
    page.locator(".v-select", has_text="pressure-2017").first.click()
    page.get_by_role("option", name="no-preconditions-2022").click()
    page.locator(".day-panel").get_by_text("2022-01-01: 0 of 365 days run").wait_for(timeout=60_000)
    precondition = page.locator("tr", has_text="washington.precondition")
    assert precondition.locator("td").nth(1).inner_text() == "none"
    page.close()
    assert not problems, "\n".join(problems)
