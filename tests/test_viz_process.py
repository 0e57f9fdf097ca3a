"""``negotiation-sim viz`` as a process: the scenario it opens, and how it stops.

A process manager, a notebook or a test stops the command with SIGTERM, a closed terminal with
SIGHUP, a user with Ctrl-C (SIGINT). Each must stop the Solara server the command started:
nothing left answering on the port, no process left behind. These tests start the real
command and check the port and the processes (with psutil when installed, else /proc).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("solara")
from negotiation_sim import app, cli
from negotiation_sim.scenarios import list_scenarios

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and /proc")

_VIZ = shutil.which("negotiation-sim", path=str(Path(sys.executable).parent))
CLI = [_VIZ] if _VIZ else [sys.executable, "-m", "negotiation_sim"]
SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]


@pytest.fixture
def own_scenario(tmp_path):
    path = tmp_path / "own-pressure.toml"
    path.write_text(
        'name = "own-pressure"\nbase = "pressure-2017"\n\n[params]\n"un.draft_prob" = 0.5\n',
        encoding="utf-8",
    )
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- processes, with psutil or /proc ------------------------------------------------------------
def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs."""
    try:
        import psutil
    except ImportError:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        found, frontier = [], [pid]
        while frontier:
            children = [child for child, parent in parents.items() if parent in frontier]
            found += children
            frontier = children
        return found
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        import psutil
    except ImportError:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def _kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# --- --scenario ---------------------------------------------------------------------------------
def test_viz_hands_the_server_a_scenario_file_or_name(monkeypatch, own_scenario):
    calls = []
    monkeypatch.setattr(app, "serve", lambda **options: calls.append(options) or 0)
    monkeypatch.chdir(own_scenario.parent)
    port = str(_free_port())
    assert cli.main(["viz", "--scenario", own_scenario.name, "--port", port, "--no-browser"]) == 0
    assert calls[-1]["scenario"] == str(own_scenario.resolve())  # wherever the server starts
    shipped = list_scenarios()[-1]
    assert cli.main(["viz", "--scenario", shipped, "--port", port, "--no-browser"]) == 0
    assert calls[-1]["scenario"] == shipped


def test_viz_with_a_bad_scenario_exits_2_before_serving(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(app, "serve", lambda **options: pytest.fail("served"))
    missing = tmp_path / "missing.toml"
    assert cli.main(["viz", "--scenario", str(missing)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(missing) in err
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "broken"\nbase = "pressure-2017"\n[params]\n"nonsense.x" = 1\n')
    assert cli.main(["viz", "--scenario", str(broken)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# --- stopping -----------------------------------------------------------------------------------
def test_each_stop_signal_stops_viz_and_its_server(own_scenario, tmp_path):
    """One command per signal, started together to share the wait for Solara to start."""
    commands = {}
    for signum in SIGNALS:
        port = _free_port()
        errors = tmp_path / f"{signum.name}.stderr"
        with errors.open("w") as stderr:
            viz = subprocess.Popen(
                [*CLI, "viz", "--no-browser", "--port", str(port), "--scenario", str(own_scenario)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # the signal reaches the command alone, as `kill` does
            )
        commands[signum] = (viz, port, errors)
    family: dict[signal.Signals, list[int]] = {}
    try:
        deadline = time.monotonic() + 120
        for signum, (viz, port, errors) in commands.items():
            while not _answers(port):
                assert viz.poll() is None, (signum.name, errors.read_text())
                assert time.monotonic() < deadline, f"{signum.name}: the dashboard never answered"
                time.sleep(0.2)
            family[signum] = _descendants(viz.pid)
            assert family[signum], "viz serves through a child process"
            if Path("/proc").is_dir():  # the server was handed the scenario file
                server_environment = _environment(family[signum][0])
                assert server_environment[app.SCENARIO_VARIABLE] == str(own_scenario)
        for signum, (viz, _, _) in commands.items():
            viz.send_signal(signum)
        for signum, (viz, port, errors) in commands.items():
            status = viz.wait(timeout=app.STOP_TIMEOUT + 20)
            assert status == 128 + signum, signum.name  # 130 for Ctrl-C
            assert "Traceback" not in errors.read_text(), signum.name
            assert not _answers(port), f"{signum.name}: the port still answers"
            left = [pid for pid in family[signum] if _alive(pid)]
            assert not left, f"{signum.name}: processes outlived viz: {left}"
    finally:
        for viz, _, _ in commands.values():
            if viz.poll() is None:
                viz.kill()
                viz.wait()
        for pids in family.values():
            _kill_all(pids)


def test_a_server_that_ignores_sigterm_is_killed(tmp_path):
    """After `STOP_TIMEOUT` seconds the server's whole group is killed, its own children too."""
    pids = tmp_path / "pids"
    stubborn = textwrap.dedent(
        f"""
        import os, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(pids)!r}, "w").write(f"{{os.getpid()}} {{child.pid}}")
        time.sleep(600)
        """
    )
    runner = textwrap.dedent(
        f"""
        import sys
        from negotiation_sim import app
        app._server_command = lambda *options: [sys.executable, "-c", {stubborn!r}]
        app.STOP_TIMEOUT = 1.0
        sys.exit(app.serve())
        """
    )
    serve = subprocess.Popen([sys.executable, "-c", runner], start_new_session=True)
    started: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (pids.exists() and len(pids.read_text().split()) == 2):
            assert serve.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        started = [int(pid) for pid in pids.read_text().split()]
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 128 + signal.SIGTERM
        time.sleep(0.2)  # the grandchild is reaped by init once killed
        assert not [pid for pid in started if _alive(pid)]
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        _kill_all(started)
