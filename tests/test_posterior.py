"""Parameter uncertainty: replicate i runs posterior draw i, in runs, comparisons, sweeps and
on the command line; the packaged posterior and its medians as the registry's defaults."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import quiet_world

import negotiation_sim as ns
from negotiation_sim import cli, posterior
from negotiation_sim import parameters as registry
from negotiation_sim.posterior import Posterior
from negotiation_sim.sweeps import SweepSpec

NAMES = ("pyongyang.salvo", "pyongyang.test_propensity")


def small_posterior(draws: int = 5) -> Posterior:
    """Draws with values one can recognise: salvo 0.1, 0.2, ... 0.8, 0.1, ...; propensity
    0.01, 0.02, ... 0.2, 0.01, ..."""
    rows = np.arange(draws)
    return Posterior(
        pd.DataFrame({NAMES[0]: 0.1 * (rows % 8 + 1), NAMES[1]: 0.01 * (rows % 20 + 1)})
    )


def values_of(model: ns.NegotiationModel, name: str) -> np.ndarray:
    actor, short = name.split(".")
    return np.broadcast_to(getattr(model.actors[actor].p, short), (model.replicates,))


def test_replicate_i_runs_draw_i():
    post = small_posterior(5)
    model = ns.NegotiationModel("pressure-2017", replicates=7, seed=1, uncertainty=post)
    rows = np.arange(7) % 5
    for name in NAMES:
        np.testing.assert_array_equal(values_of(model, name), post.draws[name].to_numpy()[rows])
    np.testing.assert_array_equal(model.posterior_rows, rows)
    chosen = ns.NegotiationModel(
        "pressure-2017", replicates=3, uncertainty=post, posterior_rows=[4, 0, 9]
    )
    np.testing.assert_allclose(values_of(chosen, NAMES[0]), [0.5, 0.1, 0.5])


def test_without_uncertainty_a_run_uses_the_registry_values():
    model = ns.NegotiationModel("pressure-2017", replicates=3)
    assert model.posterior is None and model.posterior_rows is None
    for name in NAMES:
        assert (values_of(model, name) == registry.REGISTRY[name].default).all()


def test_values_the_user_or_a_counterfactual_sets_are_not_drawn():
    post = small_posterior()
    model = ns.NegotiationModel(
        "pressure-2017", replicates=4, uncertainty=post, params={"pyongyang.salvo": 0.55}
    )
    assert (values_of(model, "pyongyang.salvo") == 0.55).all()
    np.testing.assert_allclose(values_of(model, NAMES[1]), [0.01, 0.02, 0.03, 0.04])
    changed = ns.load_scenario("pressure-2017").with_params({"pyongyang.test_propensity": 0.2})
    model = ns.NegotiationModel(changed, replicates=4, uncertainty=post)
    assert (values_of(model, NAMES[1]) == 0.2).all()
    np.testing.assert_allclose(values_of(model, NAMES[0]), [0.1, 0.2, 0.3, 0.4])


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"uncertainty": "posterior draws"}, "uncertainty.*'none'.*'posterior'"),
        ({"uncertainty": 3}, "uncertainty"),
        ({"posterior_rows": [0, 1]}, "posterior_rows.*only with uncertainty"),
        ({"uncertainty": small_posterior(), "posterior_rows": [0]}, "posterior_rows.*2 non"),
        ({"uncertainty": small_posterior(), "posterior_rows": [0, -1]}, "posterior_rows"),
    ],
)
def test_bad_uncertainty_arguments_are_named(options, match):
    with pytest.raises(ns.ScenarioError, match=match):
        ns.NegotiationModel("pressure-2017", replicates=2, **options)


def test_a_run_with_a_posterior_is_reproducible_and_differs_from_the_medians():
    post = small_posterior(40)
    a = ns.run("no-preconditions-2022", 40, seed=3, uncertainty=post, record_daily=False)
    b = ns.run("no-preconditions-2022", 40, seed=3, uncertainty=post, record_daily=False)
    plain = ns.run("no-preconditions-2022", 40, seed=3, record_daily=False)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes, check_exact=True)
    assert not a.outcomes.equals(plain.outcomes)


def test_parameter_uncertainty_widens_the_spread_of_outcomes():
    """Replicates that also differ in how often Pyongyang tests spread wider than replicates
    that differ only in their random numbers (same seeds, same median behaviour)."""
    rng = np.random.default_rng(0)
    steady = {"pyongyang.development_per_test": 0.0}
    wide = Posterior(pd.DataFrame({NAMES[1]: rng.uniform(0.005, 0.06, 1000)}))
    median = float(wide.draws[NAMES[1]].median())
    world = quiet_world(params={**steady, NAMES[1]: median})
    fixed = ns.run(world, 1000, seed=2, record_daily=False).outcomes["launch_days"]
    world = quiet_world(params=steady)
    drawn = ns.run(world, 1000, seed=2, uncertainty=wide, record_daily=False)
    spread = drawn.outcomes["launch_days"]
    assert spread.quantile(0.9) - spread.quantile(0.1) > 1.5 * (
        fixed.quantile(0.9) - fixed.quantile(0.1)
    )


def test_both_sides_of_a_comparison_draw_the_same():
    post = small_posterior(30)
    same = ns.compare(
        "pressure-2017", "pressure-2017", replicates=30, uncertainty=post, resamples=200
    )
    assert (same.table["difference"].fillna(0) == 0).all()
    assert same.uncertainty == "posterior (30 draws)"
    assert "behaviour from the posterior (30 draws)" in str(same.summary())
    plain = ns.compare("pressure-2017", "pressure-2017", replicates=30, resamples=200)
    assert plain.uncertainty == "none" and "posterior" not in str(plain.summary())
    with pytest.raises(ns.ScenarioError, match="uncertainty"):
        ns.compare("pressure-2017", "pressure-2017", replicates=4, uncertainty="wide")


def test_a_sweep_spec_names_its_uncertainty():
    with pytest.raises(ns.ScenarioError, match="uncertainty.*'posterior'"):
        SweepSpec("pressure-2017", {"washington.pressure": [0.1]}, uncertainty="all")
    plain = SweepSpec("pressure-2017", {"washington.pressure": [0.1]})
    assert plain.to_dict()["uncertainty"] == "none" and plain.to_dict()["posterior"] is None


def test_the_command_line_takes_uncertainty(capsys):
    assert cli.main(["run", "pressure-2017", "--replicates", "5", "--days", "10"]) == 0
    assert "posterior" not in capsys.readouterr().out.splitlines()[0]
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "pressure-2017", "--uncertainty", "lots"])
    assert exit_.value.code == 2


def test_posterior_intervals_and_rows():
    post = small_posterior(5)
    table = post.interval(0.9)
    assert list(table.columns) == ["low", "median", "high"]
    assert table.loc[NAMES[0], "median"] == pytest.approx(0.3)
    assert post.rows([0, 5, 7])[NAMES[0]].tolist() == pytest.approx([0.1, 0.1, 0.3])
    assert post == small_posterior(5) and post != small_posterior(6)
    assert "pyongyang.salvo" in posterior.posterior_text(post)


def test_the_packaged_posterior_and_the_defaults():
    """The package ships at least 1,000 draws with their provenance. The registry's defaults
    are the posterior's medians; the parameters the posterior holds fixed keep the joint point
    search's values, which the calibrated file keeps too."""
    from negotiation_sim.calibration import FREE
    from negotiation_sim.inference import POSTERIOR_FREE

    post = posterior.load_posterior()
    assert len(post) >= 1000 and set(post.names) == set(POSTERIOR_FREE)
    meta = post.provenance
    for key in ("library", "method", "priors", "seed", "simulations", "statistics", "draws"):
        assert meta.get(key), key
    assert meta["library"].startswith("elfi ") and len(meta["statistics"]) == 42
    assert len(meta["thresholds"]) == meta["rounds"] and meta["effective_sample_size"] > 0
    assert set(meta["fixed"]) | set(post.names) == set(FREE)
    for name, median in post.medians().items():
        entry = registry.REGISTRY[name]
        assert entry.calibrated and entry.default == pytest.approx(median, rel=1e-3), name
    searched = registry.SEARCH["values"]
    assert set(searched) == set(FREE)
    for name, value in meta["fixed"].items():  # the posterior ran with the defaults held
        assert registry.REGISTRY[name].default == pytest.approx(value), name
        assert searched[name] == pytest.approx(value), name
    assert posterior.packaged() is posterior.packaged()  # read once
