"""Bayesian calibration: the record as statistics, the batched simulator, ABC-SMC through ELFI
(seeded, resumable), and a cheap recovery check on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import negotiation_sim as ns
from negotiation_sim import calibration, cli, inference
from negotiation_sim import parameters as registry
from negotiation_sim.errors import StoreError

HISTORICAL = inference.HISTORICAL


def test_statistics_are_the_record():
    y2017 = {s.name: s for s in inference.statistics("pressure-2017")}
    y2022 = {s.name: s for s in inference.statistics("no-preconditions-2022")}
    months = [f"launch_days_{m}" for m in ("jan", "feb", "mar", "apr", "may", "jun")]
    months += [f"launch_days_{m}" for m in ("jul", "aug", "sep", "oct", "nov", "dec")]
    assert sum(y2017[m].observed for m in months) == 15
    assert sum(y2022[m].observed for m in months) == 34
    assert y2017["launch_days_jul"].observed == 2 and y2022["launch_days_jan"].observed == 6
    short, irbm, icbm = (f"missiles_{k}" for k in ("short", "irbm", "icbm"))
    assert sum(y2017[k].observed for k in (short, irbm, icbm)) == 21
    assert sum(y2022[k].observed for k in (short, irbm, icbm)) == 69
    assert (y2017[icbm].observed, y2017[icbm].floor) == (3, False)
    assert (y2022[icbm].observed, y2022[icbm].floor) == (3, True)  # "Unknown" after 16 March
    assert (y2017["nuclear_tests"].observed, y2022["nuclear_tests"].observed) == (1, 0)
    assert (y2017["un_resolutions"].observed, y2022["un_resolutions"].observed) == (4, 0)
    assert (y2017["un_vetoes"].observed, y2022["un_vetoes"].observed) == (0, 1)
    assert y2017["talks_reached"].observed == y2022["talks_reached"].observed == 0
    # The three major tests of 2017 before November were each answered; 2022's never were.
    assert y2017["major_tests_answered"].observed == 3
    assert y2022["major_tests_answered"].observed == 0
    # 2022's ICBM flights of 24 March and 25 May went unanswered (the veto of 26 May).
    assert y2017["major_tests_unanswered"].observed == 0
    assert y2022["major_tests_unanswered"].observed == 2
    assert all(s.source for s in (*y2017.values(), *y2022.values()))


def test_statistics_need_a_recorded_year():
    scenario = ns.load_scenario("pressure-2017")
    other = ns.scenario_from_dict(
        {"name": "x", "start": scenario.start.replace(year=2019), "horizon_days": 365}
    )
    with pytest.raises(ns.ScenarioError, match="2017-01-01 or 2022-01-01"):
        inference.statistics(other)


def test_measured_statistics_add_up_to_the_outcomes():
    model = ns.run("no-preconditions-2022", 50, seed=4, record_events=False)
    stats = [
        inference.Statistic(s.name, s.scenario, s.observed, s.doc, s.source)
        for s in inference.statistics("no-preconditions-2022")
    ]
    values = pd.DataFrame(inference.measure(model, stats), columns=[s.name for s in stats])
    out = model.outcomes
    months = [c for c in values.columns if c.startswith("launch_days_")]
    np.testing.assert_array_equal(values[months].sum(axis=1), out["launch_days"])
    by_class = values[["missiles_short", "missiles_irbm", "missiles_icbm"]].sum(axis=1)
    np.testing.assert_array_equal(by_class, out["missiles"])
    np.testing.assert_array_equal(values["missiles_icbm"], out["icbm_tests"])
    # A floor statistic is clipped at the record: at least as many matches it.
    floored = inference.measure(model, inference.statistics("no-preconditions-2022"))
    icbm = [s.name for s in stats].index("missiles_icbm")
    np.testing.assert_array_equal(floored[:, icbm], np.minimum(out["icbm_tests"], 3))
    # Answered and unanswered major tests are all of them (those the window can see).
    answered, unanswered = (values[f"major_tests_{k}"] for k in ("answered", "unanswered"))
    assert (answered + unanswered == calibration._answered_major_tests(model)[1]).all()


def test_the_simulator_runs_draw_i_with_seed_i_in_both_years():
    seeds = ns.replicate_seeds(9, 6) if hasattr(ns, "replicate_seeds") else np.arange(6) + 10
    values = {"pyongyang.salvo": np.linspace(0.1, 0.8, 6)}
    stats = inference.simulate(values, np.asarray(seeds))
    widths = [len(inference.statistics(s)) for s in HISTORICAL]
    assert stats.shape == (6, sum(widths))
    # Draw 3 alone gives the same statistics: each draw is a replicate of its own.
    alone = inference.simulate({"pyongyang.salvo": np.array([values["pyongyang.salvo"][3]])},
                               np.asarray(seeds)[3:4])  # fmt: skip
    np.testing.assert_array_equal(alone[0], stats[3])


SMALL = {"draws": 60, "rounds": 2, "batch_size": 120, "seed": 7, "pilot": 240}


def test_abc_is_seeded_the_same_on_every_backend_and_resumes_from_its_store(tmp_path):
    """The same posterior in worker processes and in this process (each draw has its own
    seed), and a resumed run reads its batches back from the store."""
    store = tmp_path / "abc.sqlite"
    first = inference.abc(**SMALL, store=store, backend="processes", workers=2)
    again = inference.abc(**SMALL, backend="serial")
    pd.testing.assert_frame_equal(first.draws, again.draws)
    resumed = inference.abc(**SMALL, store=store, resume=True, backend="serial")
    pd.testing.assert_frame_equal(first.draws, resumed.draws)
    assert first.provenance["simulations"] == resumed.provenance["simulations"] > 0
    with pytest.raises(StoreError, match="resume"):
        inference.abc(**SMALL, store=store)
    other = {**SMALL, "seed": 8}
    with pytest.raises(StoreError):
        inference.abc(**other, store=store, resume=True)
    # Every draw lies inside its prior, the registry's range.
    for name in first.names:
        entry = registry.REGISTRY[name]
        assert first.draws[name].between(entry.low, entry.high).all()
    meta = first.provenance
    assert meta["library"].startswith("elfi ") and len(meta["statistics"]) == 42
    assert len(meta["thresholds"]) == SMALL["rounds"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"free": ("washington.pressure",)}, "behaviour"),
        ({"free": ("pyongyang.max_salvo",)}, "real-valued"),
        ({"quantile": 1.0}, "quantile"),
        ({"draws": 1}, "draws"),
        ({"target": np.zeros(3)}, "target"),
        ({"backend": "threads"}, "backend"),
    ],
)
def test_abc_refuses_bad_arguments(options, match):
    with pytest.raises(ns.ScenarioError, match=match):
        inference.abc(**{**SMALL, **options})


def test_recovery_of_known_behaviour_on_synthetic_data():
    """Simulate 'the record' from known behaviour, calibrate on it with a small budget: the
    known values lie inside their 90 % credible intervals, and the data narrow the
    posterior of the parameters the record speaks to most below their prior range.

    Two parameters only (the others fixed at their known values), so a CI-sized budget
    suffices; `benchmarks/recovery.py` runs the full check over many repetitions."""
    free = ("pyongyang.test_propensity", "pyongyang.salvo")
    truth = {"pyongyang.test_propensity": 0.03, "pyongyang.salvo": 0.5}
    seeds = np.random.default_rng(11).integers(0, 2**62, size=1)
    synthetic = inference.simulate({k: np.array([v]) for k, v in truth.items()}, seeds)[0]
    post = inference.abc(
        free=free, target=synthetic, draws=300, rounds=4, batch_size=1000, seed=3, pilot=3000
    )
    table = post.interval(0.9)
    for name, value in truth.items():
        entry = registry.REGISTRY[name]
        low, high = table.loc[name, "low"], table.loc[name, "high"]
        assert low <= value <= high, (name, value, low, high)
        assert high - low < 0.6 * (entry.high - entry.low), (name, low, high)


def test_the_calibrate_command_writes_posterior_and_report_and_resumes(tmp_path, capsys):
    """`negotiation-sim calibrate`: the posterior with its provenance, the report with its
    figures, a store that a rerun with --resume reads back to the same posterior; a bad
    option is one line and exit status 2."""
    out = tmp_path / "calibration"
    args = ["calibrate", "--out", str(out), "--draws", "30", "--rounds", "1"]
    args += ["--batch-size", "60", "--pilot", "60", "--replicates", "20", "--backend", "serial"]
    assert cli.main(args) == 0
    for name in ("posterior.csv", "posterior.toml", "calibration.md", "abc.sqlite"):
        assert (out / name).is_file(), name
    assert list(out.glob("calibration-*.png"))
    first = (out / "posterior.csv").read_text(encoding="utf-8")
    assert cli.main([*args, "--resume"]) == 0
    assert (out / "posterior.csv").read_text(encoding="utf-8") == first
    capsys.readouterr()
    assert cli.main([*args, "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--workers" in err


def test_calibrate_install_reports_on_the_installed_values(tmp_path, monkeypatch):
    """With --install the registry this interpreter imported is stale, so the report is
    written by a fresh one (the installation itself is redirected away from the package)."""
    from negotiation_sim import posterior

    installed, commands = [], []
    real_write = posterior.write_posterior

    def write(post, path=None, **kwargs):
        if path is None:  # the package's own files: record, do not touch
            installed.append(post)
            return tmp_path / "installed.csv"
        return real_write(post, path, **kwargs)

    monkeypatch.setattr(posterior, "write_posterior", write)
    real_run = cli.subprocess.run

    def run(command, **kwargs):  # others (joblib counting cores) still run their commands
        if "negotiation_sim.calibration" not in command:
            return real_run(command, **kwargs)
        commands.append(command)

    monkeypatch.setattr(cli.subprocess, "run", run)
    out = tmp_path / "calibration"
    args = ["calibrate", "--out", str(out), "--draws", "30", "--rounds", "1", "--install"]
    args += ["--batch-size", "60", "--pilot", "60", "--replicates", "20", "--backend", "serial"]
    assert cli.main(args) == 0
    assert len(installed) == 1 and (out / "posterior.csv").is_file()
    (command,) = commands
    assert command[1:5] == [
        "-m",
        "negotiation_sim.calibration",
        "report",
        str(out / "calibration.md"),
    ]
    assert not (out / "calibration.md").exists()  # not written by this stale interpreter
