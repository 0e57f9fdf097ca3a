"""Sensitivity analysis: known answers on a small space, validation, reproducibility, output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from negotiation_sim.errors import ScenarioError
from negotiation_sim.scenarios import load_scenario
from negotiation_sim.sensitivity_analysis import Sensitivity, point_means, sensitivity
from negotiation_sim.sweeps import SweepResult, design_points

pytest.importorskip("SALib")

SCENARIO = "pressure-2017"
DRIVER = "pyongyang.test_propensity"
#: Moscow's share of trade only weighs enforcement of UN sanctions (M5); in the first 120 days
#: of pressure-2017 it cannot change a launch (checked: outputs identical across its range).
INERT = "moscow.trade_share"
SPACE = {DRIVER: {"low": 0.01, "high": 0.1}, INERT: {"low": 0.0, "high": 0.3}}
OUTPUTS = ("launch_days", "missiles")
DAYS = 120


def _run(method: str, n: int, outputs=OUTPUTS, **options) -> Sensitivity:
    return sensitivity(
        SCENARIO,
        outputs,
        method,
        n=n,
        replicates=8,
        seed=3,
        space=SPACE,
        days=DAYS,
        backend="serial",
        **options,
    )


@pytest.fixture(scope="module")
def sobol() -> Sensitivity:
    return _run("sobol", 32)


@pytest.fixture(scope="module")
def morris() -> Sensitivity:
    return _run("morris", 12)


def _index(result: Sensitivity, output: str, parameter: str, column: str) -> float:
    frame = result.indices.set_index(["output", "parameter"])
    return float(frame.loc[(output, parameter), column])


def test_sobol_finds_the_driver_and_not_the_inert_parameter(sobol):
    assert list(sobol.indices.columns) == [
        "output",
        "parameter",
        "S1",
        "S1_low",
        "S1_high",
        "ST",
        "ST_low",
        "ST_high",
    ]
    assert len(sobol.indices) == len(OUTPUTS) * len(SPACE)
    for output in OUTPUTS:
        driver = _index(sobol, output, DRIVER, "ST")
        inert = _index(sobol, output, INERT, "ST")
        assert driver > 0.5
        assert abs(inert) < 0.05
        assert driver - inert > 0.4
        assert _index(sobol, output, DRIVER, "ST_low") > _index(sobol, output, INERT, "ST_high")
        assert sobol.ranked(output)["parameter"][0] == DRIVER
    row = sobol.indices.iloc[0]
    assert row["S1_low"] <= row["S1"] <= row["S1_high"]
    assert row["ST_low"] <= row["ST"] <= row["ST_high"]


def test_morris_finds_the_driver_and_not_the_inert_parameter(morris):
    assert list(morris.indices.columns) == [
        "output",
        "parameter",
        "mu_star",
        "mu_star_low",
        "mu_star_high",
        "sigma",
    ]
    for output in OUTPUTS:
        assert _index(morris, output, DRIVER, "mu_star") > 5  # days or missiles per step
        assert (
            _index(morris, output, DRIVER, "mu_star")
            > 10 * _index(morris, output, INERT, "mu_star") + 1
        )
        assert morris.ranked(output)["parameter"][0] == DRIVER


def test_points_are_in_design_order_and_means_over_replicates(sobol):
    design = design_points(sobol.spec)
    per_point = sobol.per_point
    assert per_point.index.tolist() == list(range(len(design)))
    pd.testing.assert_frame_equal(per_point[list(SPACE)], design)
    means = sobol.results.outcomes.groupby("point")["launch_days"].mean()
    np.testing.assert_allclose(per_point["launch_days"], means.to_numpy())
    assert sobol.results.outcomes["point"].value_counts().eq(sobol.spec.replicates).all()
    pd.testing.assert_frame_equal(
        sobol.results.points, design, check_index_type=False, check_exact=True
    )
    assert sobol.spec.design == "sobol" and sobol.spec.points == 32
    assert sobol.problem["bounds"] == [[0.01, 0.1], [0.0, 0.3]]


def test_censored_days_use_the_restricted_mean_and_constant_outputs_give_nan():
    result = _run("sobol", 8, outputs=("days_to_talks", "launch_days"))
    values = result.per_point["days_to_talks"]
    assert values.notna().all() and (values <= DAYS).all()
    raw = result.results.outcomes["days_to_talks"]
    expected = raw.fillna(DAYS).groupby(result.results.outcomes["point"]).mean()
    np.testing.assert_allclose(values, expected.to_numpy())
    # No talks in 120 days of pressure-2017: every point sits at the horizon, a constant.
    assert values.nunique() == 1
    rows = result.indices[result.indices["output"] == "days_to_talks"]
    assert rows[["S1", "S1_low", "ST", "ST_high"]].isna().all().all()
    assert "constant" in result.notes["days_to_talks"]
    assert "constant" in result.summary()
    assert np.isfinite(_index(result, "launch_days", DRIVER, "ST"))
    fig = result.figure()
    assert all(ax.get_legend() is not None for ax in fig.axes if ax.get_visible())


def test_only_censored_outcomes_count_nan_as_the_days_run():
    # days_to_talks is censored (NaN: no talks yet); longest_pause is a duration, not filled.
    rows = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "days_to_talks": [np.nan, 10.0, 20.0, 30.0],
            "longest_pause": [np.nan, 10.0, 20.0, 30.0],
        }
    )
    design = pd.DataFrame({DRIVER: [0.01, 0.1]})
    means = point_means(rows, design, ["days_to_talks", "longest_pause"], DAYS)
    assert means["days_to_talks"].tolist() == [(DAYS + 10) / 2, 25.0]
    assert means["longest_pause"].tolist() == [10.0, 25.0]


def test_unknown_method_and_outputs_are_named():
    with pytest.raises(ScenarioError, match="method") as error:
        sensitivity(SCENARIO, method="fast", space=SPACE)
    assert error.value.key == "method" and error.value.value == "fast"
    assert "sobol or morris" in str(error.value)
    with pytest.raises(ScenarioError, match="launch_dayz") as error:
        sensitivity(SCENARIO, ["launch_days", "launch_dayz"], space=SPACE)
    assert error.value.key == "outputs" and "talks_reached" in error.value.allowed
    with pytest.raises(ScenarioError) as error:
        sensitivity(SCENARIO, ["seed"], space=SPACE)
    assert error.value.key == "outputs"
    with pytest.raises(ScenarioError) as error:
        sensitivity(SCENARIO, level=1.5, space=SPACE)
    assert error.value.key == "level"
    with pytest.raises(ScenarioError) as error:  # Sobol and Morris need ranges
        sensitivity(SCENARIO, space={DRIVER: [0.01, 0.1]})
    assert error.value.key == "space"


def test_same_seed_gives_identical_indices(sobol, tmp_path):
    again = _run("sobol", 32, store=tmp_path / "sobol.sqlite")
    pd.testing.assert_frame_equal(again.indices, sobol.indices)
    pd.testing.assert_frame_equal(again.per_point, sobol.per_point)
    other = sensitivity(
        SCENARIO,
        OUTPUTS,
        "sobol",
        n=32,
        replicates=8,
        seed=4,
        space=SPACE,
        days=DAYS,
        backend="serial",
    )
    assert not other.indices.equals(sobol.indices)


@pytest.mark.parametrize("which", ["sobol", "morris"])
def test_figure_is_labelled_and_saved(which, request, tmp_path):
    result = request.getfixturevalue(which)
    path = tmp_path / "figs" / f"{which}.png"
    fig = result.figure(path)
    drawn = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
    assert len(drawn) == len(OUTPUTS)
    assert fig.get_suptitle().startswith(f"{result.scenario}: {which} sensitivity")
    assert "Scenario(" not in fig.get_suptitle()
    for ax in drawn:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 2
        assert DRIVER in [t.get_text() for t in ax.get_yticklabels()]
    expected = "share of output variance" if which == "sobol" else "mu* (units of"
    assert all(expected in ax.get_xlabel() for ax in drawn)
    assert path.is_file() and path.stat().st_size > 10_000


def test_summary_names_the_run_every_output_and_the_top_parameter(sobol, morris):
    for result, key in ((sobol, "ST"), (morris, "mu*")):
        text = result.summary(top=5)
        header = text.splitlines()[0]
        for word in (SCENARIO, result.method, f"N = {result.n}", "8 replicates", "seed 3"):
            assert word in header
        for output in OUTPUTS:
            assert output in text
        assert DRIVER in text and key in text
        first = text.splitlines().index(
            next(line for line in text.splitlines() if line.startswith("launch_days"))
        )
        assert DRIVER in text.splitlines()[first + 1]


def test_a_scenario_object_is_analysed_like_its_name(sobol):
    scenario = load_scenario(SCENARIO)
    by_value = sensitivity(
        scenario, OUTPUTS, "sobol", n=32, replicates=8, seed=3, space=SPACE, days=DAYS,
        backend="serial",
    )  # fmt: skip
    pd.testing.assert_frame_equal(by_value.indices, sobol.indices)
    assert by_value.spec.scenario == scenario and by_value.scenario == SCENARIO
    assert isinstance(by_value.results, SweepResult) and by_value.results.equals(sobol.results)
    assert repr(by_value).startswith(f"Sensitivity({SCENARIO!r}")
    # A derived scenario is analysed by its content (it used to be opened as a path).
    derived = scenario.with_params({"pyongyang.developing_irbm": 2.0})
    other = sensitivity(
        derived, ["missiles_irbm"], "morris", n=4, replicates=4, seed=3, space=SPACE, days=DAYS,
        backend="serial",
    )  # fmt: skip
    assert other.spec.scenario == derived and other.scenario == SCENARIO
