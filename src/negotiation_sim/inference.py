"""Bayesian calibration of the behaviour every year shares: a posterior, not a point.

The record of 2017 and 2022 becomes a vector of summary statistics (`Statistic`, read from
the packaged record with its source): launch days by month, missiles by class, ICBM flights,
the nuclear test, the Security Council's answers to major tests, its resolutions and vetoes,
and whether talks took place,
for each year. A batched simulator runs one replicate per parameter draw of both historical
years at once, so a batch of thousands of draws is one pair of batched models.

The sampler is ELFI's ABC-SMC with an adaptive distance (Prangle 2017): ELFI hands the
simulator whole batches of parameter draws, which is what a batched model wants, and
rescales the statistics round by round, so counts of launch days and a share of talks weigh
alike without hand-set weights. The result, `Posterior`, is an equally weighted sample of the
behaviour parameters (the weighted SMC population resampled with a seeded generator) with its
provenance; `write_posterior` ships it in the package, and its medians become the registry's
defaults.

Needs the ``calibrate`` extra (``pip install negotiation-sim[calibrate]``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from negotiation_sim import calibration, records
from negotiation_sim import parameters as registry
from negotiation_sim.backends import Backend, open_backend
from negotiation_sim.calibration import ANSWER_WINDOW, FREE, HISTORICAL
from negotiation_sim.errors import ScenarioError, check_integer
from negotiation_sim.model import NegotiationModel
from negotiation_sim.posterior import Posterior, load_posterior, write_posterior
from negotiation_sim.scenarios import Scenario, load_scenario
from negotiation_sim.store import BatchLog

__all__ = [
    "Posterior",
    "Statistic",
    "abc",
    "load_posterior",
    "measure",
    "simulate",
    "statistics",
    "write_posterior",
]

#: How the record's classes are read as the model's (CNS database classes, `records`): the
#: database classes the claimed hypersonic flights of 2022 as MRBMs and counts SLBMs and
#: its "Unknown" launches with the short-range ones (most are salvos of short-range missiles).
RECORD_CLASS_GROUP = {
    "SRBM": "short",
    "MRBM": "short",
    "SLBM": "short",
    "Unknown": "short",
    "IRBM": "irbm",
    "ICBM": "icbm",
}
#: The model's classes in the same groups.
MODEL_CLASS_GROUP = {
    "missiles_srbm": "short",
    "missiles_mrbm": "short",
    "missiles_hgv": "short",
    "missiles_irbm": "irbm",
    "icbm_tests": "icbm",
}
#: The behaviour parameters the posterior covers: those the record speaks to. In a pilot of
#: 20,000 draws of every parameter of `calibration.FREE` from its prior (seed 2024), the
#: semi-automatic summary of each of these explained at least a fifth of its variation on
#: held-out draws (R² 0.21-0.92); for the others (the ICBM weight, how long an exercise's
#: threat lasts, how readily an aligned Seoul answers a test, Moscow's rivalry veto) it
#: explained 4-16 %, so one record of two years cannot tell their values apart. Those stay
#: at the joint point estimate of `calibration.calibrate` (docs/ODD.md, 7.11).
POSTERIOR_FREE: tuple[str, ...] = (
    "pyongyang.test_propensity",
    "pyongyang.development_per_test",
    "pyongyang.demonstration_need",
    "pyongyang.salvo",
    "pyongyang.accept_rate",
    "pyongyang.protest",
    "seoul.exercise_provocation",
    "un.draft_prob",
    "un.veto_deterrence",
)
#: Daily series the statistics read.
SERIES = ("launch_day", "icbm", "nuclear", "un_resolution")


@dataclass(frozen=True)
class Statistic:
    """One summary statistic of one year's record: what it counts, its observed value, its
    source, and whether the record only bounds it from below (``floor``: the record's
    "Unknown" class may hide more ICBM flights after the year's first one)."""

    name: str
    scenario: str
    observed: float
    doc: str
    source: str
    floor: bool = False

    @property
    def label(self) -> str:
        return f"{self.scenario}: {self.name}"


# --- the record as statistics ---------------------------------------------------------------
def statistics(scenario: Scenario | str) -> tuple[Statistic, ...]:
    """The record's summary statistics of a historical year (a scenario from 1 January)."""
    scenario = load_scenario(scenario)
    year = scenario.start.year
    if scenario.start != dt.date(year, 1, 1) or year not in (2017, 2022):
        raise ScenarioError(
            scenario.path,
            "start",
            scenario.start.isoformat(),
            "allowed: 2017-01-01 or 2022-01-01 (the years the record covers)",
        )
    name = scenario.name
    launches = records.launches()
    launches = launches[launches["date"].dt.year == year]
    timeline = records.timeline()
    timeline = timeline[timeline["date"].dt.year == year]
    cns = "dprk_launches_2017_2022.csv (CNS database)"
    days = launches.drop_duplicates("date")
    found = [
        Statistic(
            f"launch_days_{calendar.month_abbr[month].lower()}",
            name,
            float((days["date"].dt.month == month).sum()),
            f"Days with a launch in {calendar.month_name[month]} {year}.",
            cns,
        )
        for month in range(1, 13)
    ]
    group = launches["missile_class"].map(RECORD_CLASS_GROUP)
    first_icbm = launches.loc[launches["missile_class"] == "ICBM", "date"].min()
    hidden = ((launches["missile_class"] == "Unknown") & (launches["date"] > first_icbm)).any()
    for key, doc in (
        ("short", "Short-range missiles (SRBM, MRBM, SLBM and Unknown; the model's HGV)"),
        ("irbm", "Intermediate-range missiles"),
        ("icbm", "ICBM flights"),
    ):
        found.append(
            Statistic(
                f"missiles_{key}",
                name,
                float(launches.loc[group == key, "missiles"].sum()),
                f"{doc} in {year}" + (" (at least)." if key == "icbm" and hidden else "."),
                cns,
                floor=bool(key == "icbm" and hidden),
            )
        )
    where = "timeline_2017_2022.csv"
    window = pd.Timedelta(days=ANSWER_WINDOW)
    # As the model counts them: tests early enough for the window to end within the year.
    major = calibration._major_test_dates(launches, timeline)
    major = major[major < pd.Timestamp(year, 12, 31) - window]
    passed = timeline.loc[timeline["kind"] == "un_sanctions", "date"]
    answered = sum(bool(((passed > t) & (passed <= t + window)).any()) for t in major)
    counted = f"(tests in the last {ANSWER_WINDOW} days of the year are not counted)"
    for stat, value, how in (
        ("major_tests_answered", answered, "answered by"),
        # The share target's own statistic: in 2017 every major test had its resolution.
        ("major_tests_unanswered", len(major) - answered, "without"),
    ):
        found.append(
            Statistic(
                stat,
                name,
                float(value),
                f"Major tests (ICBM flights and nuclear tests) of {year} {how} a sanctions "
                f"resolution within {ANSWER_WINDOW} days {counted}.",
                f"{cns}; {where}",
            )
        )
    for stat, kind, doc in (
        ("nuclear_tests", "nuclear_test", "Nuclear tests"),
        ("un_resolutions", "un_sanctions", "Security Council sanctions resolutions passed"),
        ("un_vetoes", "un_sanctions_vetoed", "Sanctions drafts vetoed"),
        ("talks_reached", "talks", "Whether talks took place (1) or not (0)"),
    ):
        count = float((timeline["kind"] == kind).sum())
        found.append(
            Statistic(
                stat,
                name,
                min(count, 1.0) if stat == "talks_reached" else count,
                f"{doc} in {year}.",
                where,
            )
        )
    return tuple(found)


def observed(stats: Sequence[Statistic]) -> np.ndarray:
    """The observed values, in order."""
    return np.array([s.observed for s in stats])


# --- simulating the statistics ------------------------------------------------------------------
def measure(model: NegotiationModel, stats: Sequence[Statistic]) -> np.ndarray:
    """The statistics of one year's run, per replicate: shape (replicates, statistics).

    A floor statistic is read as ``min(simulated, observed)``: a simulation with at least as
    many ICBM flights as the record shows matches it (the record only bounds it from below).
    """
    out = model.outcomes
    launch_day = model.daily("launch_day")
    months = np.array(
        [(model.start + dt.timedelta(days=d)).month for d in range(launch_day.shape[0])]
    )
    by_group = {
        key: sum(out[c].to_numpy(float) for c, g in MODEL_CLASS_GROUP.items() if g == key)
        for key in ("short", "irbm", "icbm")
    }
    columns = []
    for stat in stats:
        if stat.name.startswith("launch_days_"):
            month = list(calendar.month_abbr).index(stat.name[-3:].title())
            value = launch_day[months == month].sum(axis=0, dtype=np.int64).astype(float)
        elif stat.name.startswith("missiles_"):
            value = by_group[stat.name.removeprefix("missiles_")]
        elif stat.name == "talks_reached":
            value = out["talks_reached"].to_numpy(float)
        elif stat.name.startswith("major_tests_"):
            answered, major = calibration._answered_major_tests(model)
            value = answered if stat.name == "major_tests_answered" else major - answered
        else:
            value = out[stat.name].to_numpy(float)
        columns.append(np.minimum(value, stat.observed) if stat.floor else value)
    return np.column_stack(columns)


def simulate(
    values: Mapping[str, np.ndarray],
    seeds: np.ndarray,
    scenarios: Sequence[Scenario | str] = HISTORICAL,
    stats: Sequence[Sequence[Statistic]] | None = None,
) -> np.ndarray:
    """Run replicate i of every year with parameters ``values[name][i]`` and seed
    ``seeds[i]``; return the statistics of all years side by side, shape (draws, statistics).
    """
    loaded = [load_scenario(s) for s in scenarios]
    stats = stats or [statistics(s) for s in loaded]
    blocks = []
    for scenario, year_stats in zip(loaded, stats, strict=True):
        model = NegotiationModel(
            scenario,
            seeds=seeds,
            params=dict(values),
            record_daily=SERIES,
            record_events=False,
        ).run()
        blocks.append(measure(model, year_stats))
    return np.hstack(blocks)


def simulate_on(
    backend: Backend,
    values: Mapping[str, np.ndarray],
    seeds: np.ndarray,
    scenarios: Sequence[Scenario],
    stats: Sequence[Sequence[Statistic]],
) -> np.ndarray:
    """`simulate` on a backend, the draws split into one chunk per worker. Each draw is a
    replicate with its own seed, so the statistics are the same on every backend."""
    chunks = [
        ({name: np.asarray(v)[rows] for name, v in values.items()}, seeds[rows])
        for rows in np.array_split(np.arange(seeds.size), backend.chunk_count(seeds.size))
    ]
    work = partial(_simulate_chunk, (tuple(scenarios), tuple(map(tuple, stats))))
    return np.vstack(backend.map_ordered(work, chunks))


def _simulate_chunk(years: tuple, chunk: tuple) -> np.ndarray:
    """One chunk of `simulate_on`, in a worker."""
    return simulate(chunk[0], chunk[1], *years)


# --- ABC-SMC through ELFI -----------------------------------------------------------------------
def abc(
    *,
    free: Sequence[str] = POSTERIOR_FREE,
    scenarios: Sequence[Scenario | str] = HISTORICAL,
    target: np.ndarray | None = None,
    draws: int = 1000,
    rounds: int = 6,
    quantile: float = 0.5,
    batch_size: int = 2000,
    seed: int = 0,
    pilot: int = 20000,
    store: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    fixed: Mapping[str, object] | None = None,
    backend: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Posterior:
    """ABC-SMC with an adaptive distance (ELFI) over ``free`` behaviour parameters, uniform
    priors on their registry ranges, against the record of ``scenarios`` (or ``target``, a
    vector of statistics, as in a recovery check). Returns ``draws`` equally weighted draws.

    The statistics are many and noisy (40 for the two years, 24 of them monthly counts), and
    ABC compares them through a distance in which each would weigh alike. So ABC compares
    semi-automatic summaries instead (Fearnhead and Prangle 2012): a pilot of ``pilot`` draws
    from the prior is simulated, a gradient-boosted regression (scikit-learn) of each parameter
    (its logarithm where the prior is log-uniform) on the statistics (``log1p``) is fitted, and
    its predictions, one per parameter, are the summaries. Every statistic counts, each as much
    as it says about some parameter; each regression's R² on a held-out fifth of the pilot is
    kept in the provenance.

    Seeded: the same arguments give the same posterior. ``fixed`` holds other parameters at
    given values in every simulation. ``store`` keeps every batch of simulations in an SQLite
    file as it is made (`negotiation_sim.store.SweepStore`); ``resume=True`` replays a killed
    run from its seed, taking the batches already stored instead of simulating them again.
    ``progress`` shows a bar of simulations done. ``backend``, ``workers`` and ``scheduler``
    say where the simulations run, as for `negotiation_sim.sweep` (serial, processes or
    Dask; by default processes on a multi-core machine): the posterior is the same on each.
    """
    import elfi

    check_integer("<abc>", "draws", draws, 2)
    check_integer("<abc>", "rounds", rounds, 1)
    check_integer("<abc>", "batch_size", batch_size, 1)
    check_integer("<abc>", "seed", seed, 0, 2**32 - 1)
    check_integer("<abc>", "pilot", pilot, 10)
    if isinstance(quantile, bool) or not isinstance(quantile, float | int) or not 0 < quantile < 1:
        raise ScenarioError("<abc>", "quantile", quantile, "allowed: a number in (0, 1)")
    loaded = [load_scenario(s) for s in scenarios]
    stats = [statistics(s) for s in loaded]
    flat = [s for year in stats for s in year]
    target = observed(flat) if target is None else np.asarray(target, dtype=float)
    if target.shape != (len(flat),):
        raise ScenarioError(
            "<abc>", "target", target.shape, f"allowed: {len(flat)} statistics, as `statistics`"
        )
    entries = [registry.get(name, "<abc>") for name in free]
    for entry in entries:
        if not entry.is_continuous or entry.role != "behaviour":
            raise ScenarioError(
                "<abc>", "free", entry.name, "allowed: real-valued behaviour parameters"
            )
    settings = {
        "free": list(free),
        "scenarios": [s.fingerprint() for s in loaded],
        "statistics": [s.label for s in flat],
        "target": target.tolist(),
        "fixed": {k: np.asarray(v).tolist() for k, v in (fixed or {}).items()},
        "draws": int(draws),
        "rounds": int(rounds),
        "quantile": float(quantile),
        "batch_size": int(batch_size),
        "seed": int(seed),
        "pilot": int(pilot),
    }
    runner = open_backend(backend, workers, scheduler, "<abc>")  # checked; started when used
    batches = BatchLog(
        store, "abc", settings, [s.label for s in flat], resume=resume, progress=progress
    )

    def run(chosen: dict[str, np.ndarray], seeds: np.ndarray) -> np.ndarray:
        """A batch of draws: taken from the store when it holds them, else simulated."""
        stored = batches.take(chosen, seeds)
        if stored is not None:
            return stored
        given = dict(chosen)
        for name, value in (fixed or {}).items():
            given[name] = np.broadcast_to(value, seeds.shape)
        made = simulate_on(runner, given, seeds, loaded, stats)
        batches.keep(chosen, seeds, made)
        return made

    def simulator(*values, batch_size=1, random_state=None):
        random_state = random_state or np.random.RandomState(seed)
        seeds = random_state.randint(0, 2**63 - 1, size=batch_size, dtype=np.int64)
        chosen = {
            e.name: np.broadcast_to(np.asarray(v, float).reshape(-1), (batch_size,))
            for e, v in zip(entries, values, strict=True)
        }
        return run(chosen, seeds)

    with runner, batches:  # closed at the end; stopped at once after an error or Ctrl-C
        project, fit = _semi_automatic(entries, pilot, batch_size, seed, run, _totals(flat))
        model = elfi.new_model()
        priors = [elfi.Prior(*prior(e), model=model, name=e.name) for e in entries]
        record = elfi.Simulator(simulator, *priors, observed=target[None, :], name="record")
        summary = elfi.Summary(project, record, name="summaries")
        distance = elfi.AdaptiveDistance(summary, name="distance")
        sampler = elfi.AdaptiveDistanceSMC(distance, batch_size=batch_size, seed=seed)
        result = sampler.sample(draws, rounds, quantile=quantile, bar=False)
    weights = np.asarray(result.weights, dtype=float)
    weights = weights / weights.sum()
    picked = np.random.default_rng(seed).choice(len(weights), size=draws, p=weights)
    table = pd.DataFrame({e.name: np.asarray(result.samples[e.name])[picked] for e in entries})
    provenance = {
        "library": f"elfi {elfi.__version__}",
        "method": "ABC-SMC with an adaptive distance (Prangle 2017): elfi.AdaptiveDistanceSMC",
        "priors": "; ".join(f"{e.name} {prior_text(e)}" for e in entries),
        "seed": int(seed),
        "scenarios": [s.name for s in loaded],
        "statistics": [s.label for s in flat],
        "free": list(free),
        "fixed": {k: float(np.asarray(v).reshape(-1)[0]) for k, v in (fixed or {}).items()},
        "draws": int(draws),
        "rounds": int(rounds),
        "quantile": float(quantile),
        "batch_size": int(batch_size),
        "simulations": int(batches.count),
        "thresholds": [float(p.threshold) for p in result.populations],
        "acceptance_rates": [float(p.accept_rate) for p in result.populations],
        "effective_sample_size": float(1.0 / np.sum(weights**2)),
        "summaries": "semi-automatic (Fearnhead and Prangle 2012): a gradient-boosted "
        "regression of each parameter on log1p of the statistics, fitted on a pilot of prior "
        "draws (R² on a held-out fifth of the pilot), and log1p of each year's launch days "
        "and missiles",
        "pilot": int(pilot),
        "r_squared": {e.name: round(float(r), 4) for e, r in zip(entries, fit, strict=True)},
        "resampled": "the last population resampled by its weights (numpy, seeded)",
    }
    return Posterior(table, provenance)


def _totals(flat: Sequence[Statistic]) -> np.ndarray:
    """The matrix that sums statistics into each year's launch days and missiles: the totals
    the historical bands check (`calibration.targets`), shape (statistics, 2 * years)."""
    years = list(dict.fromkeys(s.scenario for s in flat))
    columns = []
    for year in years:
        for prefix in ("launch_days_", "missiles_"):
            columns.append([float(s.scenario == year and s.name.startswith(prefix)) for s in flat])
    return np.array(columns).T


def _semi_automatic(entries, pilot, batch_size, seed, run, totals):
    """Fit the semi-automatic summaries on a pilot of prior draws (simulated in batches
    through ``run``, so they are stored and resumed like the others): one gradient-boosted
    regression (scikit-learn's HistGradientBoostingRegressor, seeded) per parameter, fitted on
    four fifths of the pilot. Returns the projection ELFI applies to statistics, and each
    parameter's R² on the fifth held out."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    rng = np.random.default_rng([seed, 1])  # the pilot's own stream, apart from ELFI's
    draws = {e.name: _prior_rvs(e, pilot, rng) for e in entries}
    seeds = rng.integers(0, 2**63 - 1, size=pilot, dtype=np.int64)
    blocks = [
        run({n: v[i : i + batch_size] for n, v in draws.items()}, seeds[i : i + batch_size])
        for i in range(0, pilot, batch_size)
    ]
    features = np.log1p(np.vstack(blocks))
    fitted = pilot - pilot // 5
    models, r_squared = [], []
    for entry in entries:
        target = _to_regression_scale(entry, draws[entry.name])
        model = HistGradientBoostingRegressor(random_state=seed).fit(
            features[:fitted], target[:fitted]
        )
        held = target[fitted:]
        residual = ((held - model.predict(features[fitted:])) ** 2).sum()
        r_squared.append(1 - residual / max(((held - held.mean()) ** 2).sum(), 1e-300))
        models.append(model)

    def project(values: np.ndarray) -> np.ndarray:
        values = np.atleast_2d(values)
        x = np.log1p(values)
        # The regressions' predictions, and each year's totals: what the summaries say about
        # each parameter, and the launch days and missiles a posterior must also match (a
        # regression fitted on the whole prior blurs them where the posterior lies).
        return np.column_stack([*(model.predict(x) for model in models), np.log1p(values @ totals)])

    return project, np.array(r_squared)


def _prior_rvs(entry: registry.Parameter, size: int, rng: np.random.Generator) -> np.ndarray:
    distribution, *arguments = prior(entry)
    return distribution(*arguments).rvs(size=size, random_state=rng)


def _to_regression_scale(entry: registry.Parameter, values: np.ndarray) -> np.ndarray:
    """The scale a parameter is regressed on: logarithmic under a log-uniform prior."""
    return np.log(values) if prior(entry)[0].name == "loguniform" else values


#: The prior of each calibrated parameter where it is not uniform on the registry's range:
#: (low, high) of a log-uniform prior, and why. Rates and daily chances whose order of
#: magnitude is unknown are as likely to be 0.005 as 0.05 before the data speak.
LOG_UNIFORM: Mapping[str, tuple[float, float, str]] = {
    "pyongyang.test_propensity": (0.002, 0.3, "a daily hazard: its order of magnitude"),
    "pyongyang.accept_rate": (0.001, 1.0, "a daily chance: its order of magnitude"),
    "pyongyang.protest": (0.01, 5.0, "a multiplier: its order of magnitude"),
    "seoul.exercise_provocation": (0.005, 1.0, "a daily hazard: its order of magnitude"),
    "un.draft_prob": (0.005, 1.0, "a daily chance: its order of magnitude"),
}


def prior(entry: registry.Parameter) -> tuple:
    """A behaviour parameter's prior, as ELFI takes it: a scipy distribution and its
    arguments. Log-uniform for the parameters `LOG_UNIFORM` names, else uniform on the
    registry's range."""
    import scipy.stats

    if entry.name in LOG_UNIFORM:
        low, high, _ = LOG_UNIFORM[entry.name]
        return (scipy.stats.loguniform, low, high)
    return (scipy.stats.uniform, entry.low, entry.high - entry.low)


def prior_text(entry: registry.Parameter) -> str:
    if entry.name in LOG_UNIFORM:
        low, high, _ = LOG_UNIFORM[entry.name]
        return f"log-uniform on [{low:g}, {high:g}]"
    return f"uniform on [{entry.low:g}, {entry.high:g}]"


# --- checking the posterior against the record -----------------------------------------------
def predictive_check(
    post: Posterior,
    scenario: Scenario | str,
    replicates: int = 2000,
    seed: int = 1,
    interval: tuple[float, float] = (0.1, 0.9),
) -> tuple[pd.DataFrame, NegotiationModel]:
    """Posterior predictive check of one year: replicate i runs draw i, and each statistic's
    observed value is set against the simulated median and ``interval`` (floors unclipped).

    Returns the table (one row per statistic: observed, median, low, high, inside) and the
    model (for figures)."""
    scenario = load_scenario(scenario)
    stats = statistics(scenario)
    model = NegotiationModel(
        scenario,
        replicates=replicates,
        seed=seed,
        uncertainty=post,
        record_daily=SERIES,
        record_events=False,
    ).run()
    raw = [replace(s, floor=False) for s in stats]  # the simulated counts as they are
    values = measure(model, raw)
    low, mid, high = np.quantile(values, [interval[0], 0.5, interval[1]], axis=0)
    table = pd.DataFrame(
        {
            "observed": [s.observed for s in stats],
            "median": mid,
            "low": low,
            "high": high,
            "floor": [s.floor for s in stats],
        },
        index=pd.Index([s.name for s in stats], name="statistic"),
    )
    reached = table["high"] >= table["observed"]
    inside = (table["low"] <= table["observed"]) & reached
    table["inside"] = np.where(table["floor"], reached, inside)
    return table, model


def posterior_figure(post: Posterior, path: str | Path | None = None):
    """The posterior's marginals (diagonal) and pairs, each axis spanning the parameter's prior
    (log10 for a log-uniform prior)."""
    from pandas.plotting import scatter_matrix

    from negotiation_sim.figures import _figure, _save

    k = len(post.names)
    fig = _figure(1, 1, (2.0 * k, 2.0 * k))
    axes = fig.subplots(k, k)
    shown, limits = {}, []
    for name in post.names:
        entry = registry.REGISTRY[name]
        short = name.split(".", 1)[1]
        if name in LOG_UNIFORM:
            low, high, _ = LOG_UNIFORM[name]
            shown[f"log10 {short}"] = np.log10(post.draws[name])
            limits.append((np.log10(low), np.log10(high)))
        else:
            shown[short] = post.draws[name]
            limits.append((entry.low, entry.high))
    scatter_matrix(
        pd.DataFrame(shown), ax=axes, alpha=0.3, s=4, diagonal="hist", hist_kwds={"bins": 30}
    )
    for i in range(k):
        for j in range(k):
            axes[i, j].set_xlim(*limits[j])
            if i != j:
                axes[i, j].set_ylim(*limits[i])
    fig.suptitle(
        f"Posterior of the behaviour shared by both years: {len(post)} draws "
        "(each axis spans the parameter's prior)"
    )
    return _save(fig, path)


def report(
    path: str | Path = "docs/calibration.md",
    post: Posterior | None = None,
    replicates: int = 2000,
    seed: int = 1,
    scenarios: Sequence[Scenario | str] = HISTORICAL,
) -> Path:
    """Write the calibration report: the posterior (provenance, diagnostics, each parameter's
    median and 90 % credible interval, a figure of marginals and pairs) and, per year, the
    record's targets at the posterior medians (the historical bands) and the posterior
    predictive check, statistic by statistic, with a figure of monthly launch days. Fresh
    seeds, not the calibration's. Figures are saved beside the report."""
    post = post or load_posterior()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = "calibration-posterior.png"
    posterior_figure(post, path.parent / figure)
    meta = post.provenance
    lines = [
        _REPORT_HEAD.format(replicates=replicates, seed=seed),
        "## The posterior",
        "",
        _provenance_text(meta),
        "",
        _posterior_table(post),
        "",
        f"![Posterior marginals and pairs]({figure})",
        "",
        (
            "The calibrated parameters the record says too little about (their summaries' R² in a "
            "pilot over all of them was below 0.2) stay at the joint point search's values "
            "(`negotiation_sim.calibration.calibrate`), in every simulation of the posterior too:"
        ),
        "",
        _fixed_table(post),
        "",
    ]
    for item in scenarios:
        scenario = load_scenario(item)
        name = scenario.name
        bands = calibration.evaluate(scenario, replicates, seed)
        at_medians = calibration.evaluate(
            scenario,
            replicates,
            seed,
            params={**post.provenance.get("fixed", {}), **post.medians()},
        )
        missed = at_medians.table.index[~at_medians.table["passes"]].tolist()
        table, model = predictive_check(post, scenario, replicates, seed)
        figure = f"calibration-{name}.png"
        from negotiation_sim.figures import monthly_launch_days

        monthly_launch_days(model, path.parent / figure)
        lines += [
            f"## {name}",
            "",
            "### The record's targets at the registry's defaults",
            "",
            (
                f"The behaviour at the registry's defaults, {replicates} replicates: the bands "
                "of the historical calibration. " + _medians_text(post, missed)
            ),
            "",
            calibration._table_markdown(bands.table),
            "",
            "### Posterior predictive check",
            "",
            (
                f"{replicates} replicates, replicate i running posterior draw i. Observed value, "
                'simulated median and 10-90 % interval; a floor (the record\'s "Unknown" class '
                "may hide more ICBM flights) is reproduced when the 90 % quantile reaches it."
            ),
            "",
            _check_markdown(table),
            "",
            f"![Launch days per month under the posterior, {name}]({figure})",
            "",
        ]
    effects = counterfactual_effects(post, replicates, seed)
    lines += [
        "## Counterfactuals under the posterior",
        "",
        (
            "Each shipped counterfactual's headline effect against its base on common random "
            f"numbers ({replicates} replicates a side, seed {seed}): first with the behaviour at "
            "the registry's defaults, where the interval reflects only the randomness of a year; "
            "then with replicate i of both sides drawing posterior draw i, where it also carries "
            "what we do not know about the behaviour. Shares and their differences are fractions; "
            "`days_to_contact` is a restricted mean in days."
        ),
        "",
        _effects_markdown(effects),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


_REPORT_HEAD = """# Calibration

Generated by `negotiation-sim calibrate --report docs/calibration.md` (or
`python -m negotiation_sim.calibration report`): {replicates} replicates per year, seed {seed},
seeds the calibration never used. Do not edit by hand.

One model explains both years. The behaviour parameters the record pins down are calibrated
jointly against 2017 and 2022 at once; the scenario files set only the context of their year
(what Pyongyang was developing, who would veto, Seoul's stance, the dated moves) and
Washington's policy. The record is the CNS North Korea Missile Test Database and a dated
timeline (`negotiation_sim/data/records`, sources in its `SOURCE.md`).

The calibration is Bayesian where the record allows: ABC-SMC with an adaptive distance
(Prangle 2017) in ELFI, whose samplers hand the simulator whole batches of parameter draws, so
one batch of thousands of draws is one batched model per year. The summary statistics are the
record's launch days by month, missiles by class (short-range, IRBM, ICBM), the nuclear test,
the Security Council's answers to major tests, its resolutions and vetoes, and talks, for each
year; ABC compares
semi-automatic summaries of them (one gradient-boosted regression per parameter, Fearnhead
and Prangle 2012). `uncertainty="posterior"` runs replicate i with draw i
(`data/posterior.csv`); the calibrated parameters the record says too little about keep the
joint point search's values there too. The registry's defaults (`data/calibrated.toml`) are the
posterior's medians (each year's section says whether they are, and how the record's targets
fare at them). A count target is reproduced when the observed value lies in the
model's 10-90 % predictive interval and the median within ±35 % of it; rare events (nuclear
tests, vetoes) need only the interval; shares come with 95 % Wilson intervals.
"""


def _provenance_text(meta: Mapping[str, object]) -> str:
    if not meta.get("library"):
        return "No posterior has been computed yet."
    rates = ", ".join(f"{r:.3g}" for r in meta.get("acceptance_rates", []))
    thresholds = ", ".join(f"{t:.3g}" for t in meta.get("thresholds", []))
    return (
        f"{meta['library']}, {meta['method']}; {meta.get('summaries', 'raw statistics')}, "
        f"pilot of {meta.get('pilot', 0):,} prior draws. Seed {meta['seed']}, "
        f"{meta['simulations']:,} simulations of both years in batches of "
        f"{meta['batch_size']:,}, {meta['rounds']} rounds keeping {meta['draws']:,} draws "
        f"(quantile {meta['quantile']}). Thresholds by round: {thresholds}. Acceptance rates: "
        f"{rates}. Effective sample size of the last population: "
        f"{meta['effective_sample_size']:.0f}; it is resampled by its weights into "
        f"{meta['draws']:,} equally weighted draws. Wall time {meta.get('seconds', 0):.0f} s "
        f"({meta.get('simulations_per_second', 0):,.0f} simulations per second)."
    )


def _posterior_table(post: Posterior) -> str:
    rows = [
        "| parameter | unit | prior | median | 90 % credible interval | R² of its summary |",
        "|---|---|---|---|---|---|",
    ]
    fit = post.provenance.get("r_squared", {})
    for name, row in post.interval(0.9).iterrows():
        entry = registry.REGISTRY[name]
        r_squared = f"{fit[name]:.2f}" if name in fit else "–"
        rows.append(
            f"| `{name}` | {entry.unit} | {prior_text(entry)} | {row['median']:.3g} | "
            f"{row['low']:.3g}-{row['high']:.3g} | {r_squared} |"
        )
    return "\n".join(rows)


def _medians_text(post: Posterior, missed: Sequence[str]) -> str:
    """Whether the registry's defaults are the posterior's medians, and how the medians fare."""
    defaults = {n: registry.REGISTRY[n].default for n in post.names}
    same = all(np.isclose(defaults[n], m, rtol=1e-3) for n, m in post.medians().items())
    where = (
        "These are the posterior's medians"
        if same
        else ("These are the joint point search's values, not yet the posterior's medians")
    )
    fare = (
        "at the medians every target is reproduced too."
        if not missed
        else "at the medians these targets are missed: " + ", ".join(missed) + "."
    )
    return f"{where}; {fare}"


def _fixed_table(post: Posterior) -> str:
    """The calibrated parameters the posterior held fixed, at the values it held them (its
    provenance's; the registry's defaults for a posterior without that record)."""
    search = registry.SEARCH
    fixed = post.provenance.get("fixed", {})
    rows = ["| parameter | value | unit |", "|---|---|---|"]
    for name in FREE:
        if name not in post.names:
            entry = registry.REGISTRY[name]
            rows.append(f"| `{name}` | {fixed.get(name, entry.default):.4g} | {entry.unit} |")
    if search:
        rows += [
            "",
            (
                f"Point search: {search.get('method', '')}, seed {search.get('seed', '')}, "
                f"{search.get('replicates_per_point', '')} replicates per point, "
                f"{search.get('points', '')} points, loss {search.get('loss', '')}."
            ),
        ]
    return "\n".join(rows)


def _check_markdown(table: pd.DataFrame) -> str:
    rows = [
        "| statistic | observed | median | 10-90 % | reproduced |",
        "|---|---|---|---|---|",
    ]
    for name, row in table.iterrows():
        floor = " (at least)" if row["floor"] else ""
        rows.append(
            f"| {name} | {row['observed']:g}{floor} | {row['median']:g} | "
            f"{row['low']:g}-{row['high']:g} | {'yes' if row['inside'] else '**no**'} |"
        )
    return "\n".join(rows)


#: Each shipped counterfactual's headline outcome: the question it asks of its base.
HEADLINES: Mapping[str, str] = {
    "moratorium-honored-2017": "talks_reached",
    "coherent-washington-2017": "talks_reached",
    "un-channel-closed-2017": "days_to_contact",
    "pay-to-talk-2022": "talks_reached",
    "china-enforces-2022": "final_economic_pain",
    "denuclearization-first-2022": "talks_reached",
}


def counterfactual_effects(
    post: Posterior | None = None, replicates: int = 2000, seed: int = 1
) -> pd.DataFrame:
    """Each shipped counterfactual's headline effect against its base, on common random
    numbers, twice: with the registry's defaults (random numbers alone) and with replicate i
    drawing posterior draw i on both sides (parameter uncertainty too). One row per
    counterfactual: the outcome, and each run's difference with its 95 % interval."""
    from negotiation_sim.comparison import compare

    post = post or load_posterior()
    rows = []
    for name, outcome in HEADLINES.items():
        base = load_scenario(name).base
        row = {"counterfactual": name, "base": base, "outcome": outcome}
        for label, uncertainty in (("defaults", "none"), ("posterior", post)):
            table = compare(
                base, name, replicates, seed, uncertainty=uncertainty, resamples=1000
            ).table.loc[outcome]
            row |= {
                f"{label}": table["difference"],
                f"{label}_low": table["low"],
                f"{label}_high": table["high"],
            }
        rows.append(row)
    return pd.DataFrame(rows).set_index("counterfactual")


def _effects_markdown(effects: pd.DataFrame) -> str:
    rows = [
        (
            "| counterfactual | base | outcome | registry's defaults: b - a [95 %] "
            "| under the posterior: b - a [95 %] |"
        ),
        "|---|---|---|---|---|",
    ]
    for name, row in effects.iterrows():
        cells = [
            f"{row[k]:+.3g} [{row[k + '_low']:+.3g}, {row[k + '_high']:+.3g}]"
            for k in ("defaults", "posterior")
        ]
        rows.append(f"| `{name}` | `{row['base']}` | {row['outcome']} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)
