"""Calibration: targets from the record, the loss, the search, and the calibrated scenarios.

The band test runs the two historical scenarios with their shipped parameters on seeds the
search never saw, and asserts every target of the issue: observed counts inside the 10-90 %
predictive interval with the median within ±35 %, the Security Council's answers, no talks.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import calibration as cal
from negotiation_sim import parameters as registry
from negotiation_sim.errors import StoreError
from negotiation_sim.scenarios import load_scenario
from negotiation_sim.store import SweepStore

HISTORICAL = ("pressure-2017", "no-preconditions-2022")
DOCS = Path(__file__).resolve().parents[1] / "docs" / "calibration.md"
SCENARIOS = Path(ns.__file__).parent / "data" / "scenarios"


# --- targets -------------------------------------------------------------------------------
def test_targets_are_the_record():
    t2017 = {t.name: t for t in cal.targets("pressure-2017")}
    t2022 = {t.name: t for t in cal.targets("no-preconditions-2022")}
    assert (
        t2017["launch_days"].observed,
        t2017["missiles"].observed,
        t2017["icbm_tests"].observed,
    ) == (15, 21, 3)
    assert (t2022["launch_days"].observed, t2022["missiles"].observed) == (34, 69)
    assert t2022["icbm_tests"].rule == "at_least" and t2022["icbm_tests"].observed >= 3
    # All four 2017 major tests were answered within the window; 2022's first vote was a veto.
    assert t2017["resolution_after_major_test"].observed == 1.0
    assert t2022["first_vote_after_icbm_vetoed"].observed == 1.0
    assert t2017["talks_reached"].observed == t2022["talks_reached"].observed == 0.0
    assert t2017["talks_reached"].threshold == 0.2
    assert (t2017["nuclear_tests"].observed, t2022["nuclear_tests"].observed) == (1, 0)
    assert (t2017["un_vetoes"].observed, t2022["un_vetoes"].observed) == (0, 1)


def test_targets_need_a_recorded_year():
    scenario = load_scenario("pressure-2017")
    with pytest.raises(ns.ScenarioError, match="2017-01-01 or 2022-01-01"):
        cal.targets(
            ns.scenario_from_dict(
                {"name": "x", "start": scenario.start.replace(year=2019), "horizon_days": 365}
            )
        )


def _fake_model(**daily):
    replicates = next(iter(daily.values())).shape[1]
    return SimpleNamespace(daily=lambda name: daily[name], replicates=replicates)


def test_answered_major_tests_counts_answers_in_the_window_and_censors_late_tests():
    days, reps = 200, 4
    zeros = np.zeros((days, reps), dtype=np.int8)
    icbm, nuclear, passed = zeros.copy(), zeros.copy(), zeros.copy()
    icbm[5, 0], passed[20, 0] = 1, 1  # answered after 15 days
    nuclear[5, 1], passed[5 + cal.ANSWER_WINDOW + 1, 1] = 1, 1  # answered too late
    icbm[[10, 30], 2], passed[35, 2] = 1, 1  # one resolution answers both
    icbm[days - 10, 3] = 1  # censored: too near the end
    successes, cases = cal._answered_major_tests(
        _fake_model(icbm=icbm, nuclear=nuclear, un_resolution=passed)
    )
    assert successes.tolist() == [1, 0, 2, 0] and cases.tolist() == [1, 1, 2, 0]


def test_first_vote_after_the_first_icbm():
    days, reps = 100, 4
    zeros = np.zeros((days, reps), dtype=np.int8)
    icbm, veto, passed = zeros.copy(), zeros.copy(), zeros.copy()
    icbm[10, 0], veto[20, 0], passed[30, 0] = 1, 1, 1  # veto first: counts
    icbm[10, 1], passed[20, 1], veto[30, 1] = 1, 1, 1  # passed first: does not
    veto[5, 2], icbm[10, 2] = 1, 1  # the only vote came before: no case
    veto[30, 3] = 1  # no ICBM: no case
    vetoed, cases = cal._first_vote_after_icbm_vetoed(
        _fake_model(icbm=icbm, un_veto=veto, un_resolution=passed)
    )
    assert vetoed.tolist() == [1, 0, 0, 0] and cases.tolist() == [1, 1, 0, 0]


# --- the loss ------------------------------------------------------------------------------
COUNT = cal.Target("launch_days", 20.0, "interval", "", "")


def _count_stats(mean: float, rank: float) -> dict:
    return {"mean": np.array([mean]), "rank": np.array([rank])}


@given(st.floats(0, 200), st.floats(0, 1))
def test_count_loss_is_smallest_at_the_record(mean, rank):
    loss = cal.target_loss(COUNT, _count_stats(mean, rank))[0]
    assert loss >= cal.target_loss(COUNT, _count_stats(20.0, 0.5))[0] == 0.0


def test_count_loss_is_about_one_at_the_band_edges():
    edge = 20.5 * (1 + cal.MEDIAN_TOLERANCE) - 0.5
    assert cal.target_loss(COUNT, _count_stats(edge, 0.5))[0] == pytest.approx(1.0)
    assert cal.target_loss(COUNT, _count_stats(20.0, cal.INTERVAL[1]))[0] == pytest.approx(1.0)


@given(st.integers(0, 1000), st.integers(1, 1000))
def test_share_loss_is_zero_inside_and_grows_outside(successes, cases):
    successes = min(successes, cases)
    floor = cal.Target("x", 1.0, "share_min", "", "", threshold=0.9)
    ceiling = cal.Target("x", 0.0, "share_max", "", "", threshold=0.2)
    stats = {"successes": np.array([successes]), "cases": np.array([cases])}
    share = successes / cases
    aim_floor = 0.9 + cal.SHARE_MARGIN["share_min"]
    aim_ceiling = 0.2 - cal.SHARE_MARGIN["share_max"]
    assert (cal.target_loss(floor, stats)[0] == 0) == (share >= aim_floor)
    assert (cal.target_loss(ceiling, stats)[0] == 0) == (share <= aim_ceiling)


def test_the_search_finds_a_known_optimum():
    """Targets made from the model at a known test propensity: the search recovers it. Tests
    never complete development here, so the propensity alone sets the pace of testing."""
    truth = 0.05
    scenario = load_scenario("pressure-2017").with_params({"pyongyang.development_per_test": 0})
    made = ns.run(
        scenario,
        600,
        seed=3,
        params={"pyongyang.test_propensity": truth},
        record_daily=False,
        record_events=False,
    ).outcomes["launch_days"]
    target = cal.Target("launch_days", float(made.mean()), "interval", "", "")
    result = cal.calibrate(
        scenario,
        ("pyongyang.test_propensity",),
        targets_=[target],
        replicates=200,
        seed=4,
        maxiter=8,
        popsize=6,
        bounds={"pyongyang.test_propensity": (0.01, 0.12)},
    )
    assert result.params["pyongyang.test_propensity"] == pytest.approx(truth, rel=0.1)
    assert result.loss < 0.05 and result.evaluations > 0


def test_the_search_is_reproducible_the_same_on_every_backend_and_resumes(tmp_path, monkeypatch):
    """Seeded: the same search in this process and in worker processes (every candidate runs
    on the same replicate seeds wherever it runs); a killed search resumes from its store,
    reading back the losses already computed."""
    target = cal.Target("launch_days", 20.0, "interval", "", "")
    options = {"targets_": [target], "replicates": 50, "seed": 8, "maxiter": 2, "popsize": 5}
    free = ("pyongyang.test_propensity", "pyongyang.salvo")
    store = tmp_path / "search.sqlite"
    serial = cal.calibrate("pressure-2017", free, **options, backend="serial", store=store)
    pooled = cal.calibrate("pressure-2017", free, **options, backend="processes", workers=2)
    assert serial == pooled
    with SweepStore.open_read_only(store) as kept:
        assert len(kept.load()) == serial.evaluations  # every candidate's loss, as computed
    with pytest.raises(StoreError, match="resume"):
        cal.calibrate("pressure-2017", free, **options, backend="serial", store=store)

    def refuse(task, x):
        raise AssertionError("a stored loss was computed again")

    monkeypatch.setattr(cal, "_losses", refuse)
    resume = {"backend": "serial", "store": store, "resume": True}
    assert cal.calibrate("pressure-2017", free, **options, **resume) == serial
    with pytest.raises(StoreError):  # another search cannot resume this one
        cal.calibrate("pressure-2017", free, **{**options, "seed": 9}, **resume)


@pytest.mark.parametrize(
    ("free", "bounds", "match"),
    [
        (("washington.precondition",), None, "real-valued"),
        (("nobody.nothing",), None, "real-valued"),
        (("pyongyang.salvo",), {"pyongyang.salvo": (0.0, 0.95)}, r"inside \[0.0, 0.9\]"),
    ],
)
def test_the_search_stays_inside_the_registry(free, bounds, match):
    with pytest.raises(ns.ScenarioError, match=match):
        cal.calibrate("pressure-2017", free, bounds=bounds, maxiter=1)


# --- the shipped calibration ----------------------------------------------------------------
@pytest.mark.parametrize("name", HISTORICAL)
def test_historical_scenarios_reproduce_the_record(name):
    evaluation = cal.evaluate(name, replicates=2000, seed=99)
    missed = evaluation.table[~evaluation.table["passes"]]
    assert missed.empty, f"{name} misses targets:\n{missed.to_string()}"


def test_the_calibrated_behaviour_is_the_registrys_default_for_every_year():
    """One behaviour: the calibrated values are the registry's defaults, within range, with
    their provenance, and no historical scenario overrides them."""
    text = (Path(ns.__file__).parent / "data" / registry.CALIBRATED).read_text(encoding="utf-8")
    shipped = tomllib.loads(text)
    assert set(shipped["values"]) == set(cal.FREE)
    for key, value in shipped["values"].items():
        entry = registry.REGISTRY[key]
        assert entry.calibrated and entry.role == "behaviour" and entry.default == value
        assert entry.low <= value <= entry.high
    assert {"method", "seed", "scenarios", "points", "loss"} <= set(registry.SEARCH)
    assert registry.SEARCH["scenarios"] == list(HISTORICAL)
    assert registry.PROVENANCE["scenarios"] == list(HISTORICAL)
    for name in HISTORICAL:
        assert not set(cal.FREE) & set(load_scenario(name).params)


def test_write_calibrated_round_trips(tmp_path):
    result = cal.Calibration(
        HISTORICAL, {"pyongyang.salvo": 0.5, "un.draft_prob": 0.9}, 0.1, 1, 10, 20, [], "done"
    )
    path = cal.write_calibrated(result, tmp_path / "calibrated.toml")
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert written["values"] == result.params
    assert written["search"]["scenarios"] == list(HISTORICAL)
    assert (written["search"]["seed"], written["search"]["points"]) == (1, 20)


def test_the_joint_loss_is_the_sum_of_each_years_loss():
    """Joint calibration: one candidate point is scored on every year at once."""
    free = ("pyongyang.test_propensity", "pyongyang.salvo")
    seeds = cal.replicate_seeds(3, 40)
    point = np.array([[0.02, 0.05], [0.3, 0.6]])  # two candidate points
    scenarios = [load_scenario(n) for n in HISTORICAL]
    per_year = [cal._losses(([s], free, [cal.targets(s)], seeds), point) for s in scenarios]
    joint = cal._losses((scenarios, free, [cal.targets(s) for s in scenarios], seeds), point)
    np.testing.assert_allclose(joint, per_year[0] + per_year[1])


def test_report_states_the_shipped_posterior():
    """docs/calibration.md is regenerated whenever the posterior changes: it shows each
    parameter's shipped median, every statistic of both years and the figures."""
    from negotiation_sim import inference
    from negotiation_sim.posterior import load_posterior

    text = DOCS.read_text(encoding="utf-8")
    rerun = "rerun: python -m negotiation_sim.calibration report"
    for name, row in load_posterior().interval(0.9).iterrows():
        assert f"| `{name}` |" in text and f"| {row['median']:.3g} |" in text, rerun
    for name in HISTORICAL:
        for target in cal.targets(name):
            assert f"| {target.name} |" in text, rerun
        for stat in inference.statistics(name):
            assert f"| {stat.name} |" in text, rerun
        assert (DOCS.parent / f"calibration-{name}.png").stat().st_size > 10_000
    assert (DOCS.parent / "calibration-posterior.png").stat().st_size > 10_000
    for counterfactual in inference.HEADLINES:
        assert f"| `{counterfactual}` |" in text, rerun


def test_report_writes_tables_and_figures(tmp_path):
    path = tmp_path / "calibration.md"
    evaluations = cal.report(path, replicates=100, seed=5, scenarios=("pressure-2017",))
    text = path.read_text(encoding="utf-8")
    assert "| launch_days |" in text and "calibration-pressure-2017.png" in text
    assert (tmp_path / "calibration-pressure-2017.png").stat().st_size > 10_000
    assert evaluations[0].replicates == 100


@given(st.floats(0, 1))
def test_plausible_counts_cost_nothing_inside_the_interval(rank):
    rare = cal.Target("un_vetoes", 1.0, "plausible", "", "")
    loss = cal.target_loss(rare, {"rank": np.array([rank]), "mean": np.array([9.0])})[0]
    inside = cal.INTERVAL[0] <= rank <= cal.INTERVAL[1]
    assert (loss == 0) == inside
    assert cal.passes(rare, {"low": 0, "median": 5, "high": 2}) and not cal.passes(
        rare, {"low": 2, "median": 5, "high": 9}
    )


def test_command_line_searches_and_reports(tmp_path, capsys):
    cal.main(
        [
            "search",
            "--scenario",
            "pressure-2017",
            "--replicates",
            "20",
            "--maxiter",
            "1",
            "--popsize",
            "5",
        ]
    )
    searched = capsys.readouterr().out
    assert "pressure-2017: loss" in searched and "pyongyang.salvo = " in searched
    written = tmp_path / "calibration.md"
    cal.main(["search", "--scenario", "pressure-2017", "--replicates", "20", "--maxiter", "1",
              "--popsize", "5", "--write", str(tmp_path / "point.toml")])  # fmt: skip
    assert "written to" in capsys.readouterr().out and (tmp_path / "point.toml").is_file()
    cal.main(["report", str(written), "--replicates", "30"])
    assert f"report written to {written}" in capsys.readouterr().out and written.is_file()


def test_scenario_objects_are_evaluated_searched_and_reported_like_their_names(tmp_path):
    scenario = load_scenario("pressure-2017")
    by_name = cal.evaluate("pressure-2017", replicates=100, seed=2)
    by_value = cal.evaluate(scenario, replicates=100, seed=2)
    assert by_value.table.equals(by_name.table) and by_value.scenario == "pressure-2017"
    derived = scenario.with_params({"pyongyang.test_propensity": 0.01})
    assert not cal.evaluate(derived, replicates=100, seed=2).table.equals(by_name.table)
    target = cal.Target("launch_days", 20.0, "interval", "", "")
    options = {"targets_": [target], "replicates": 30, "seed": 8, "maxiter": 1, "popsize": 5}
    free = ("pyongyang.test_propensity",)
    assert cal.calibrate(scenario, free, **options) == cal.calibrate(
        "pressure-2017", free, **options
    )
    copy = load_scenario(scenario.save(tmp_path / "copy.toml"))
    path = tmp_path / "calibration.md"
    evaluations = cal.report(path, replicates=60, seed=5, scenarios=(copy,))
    text = path.read_text(encoding="utf-8")
    assert "## pressure-2017" in text and cal._free_text("pressure-2017") in text
    assert (tmp_path / "calibration-pressure-2017.png").is_file()
    assert evaluations[0].table.equals(cal.evaluate("pressure-2017", 60, 5).table)
