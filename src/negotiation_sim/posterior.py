"""The posterior over the behaviour every year shares: draws, their provenance, and how a run
uses them.

`Posterior` is an equally weighted sample of behaviour parameters (one row per draw), shipped in
the package (``data/posterior.csv``, its provenance in ``data/calibrated.toml``, whose values,
the posterior medians, are the registry's defaults). `negotiation_sim.inference` makes it.
A model run with ``uncertainty="posterior"`` gives replicate i the draw i (modulo the number of
draws), so intervals over replicates carry what we do not know about the parameters as well
as the randomness of a year.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from negotiation_sim import parameters as registry
from negotiation_sim.errors import ModelArgumentError, ScenarioError

#: The packaged posterior: one row per draw, one column per calibrated parameter.
POSTERIOR = "posterior.csv"
#: What ``uncertainty=`` accepts (besides a `Posterior`): ``"none"`` runs the registry's
#: values (the posterior medians); ``"posterior"`` gives each replicate its own draw.
UNCERTAINTIES = ("none", "posterior")


@dataclass(frozen=True)
class Posterior:
    """An equally weighted sample of the behaviour parameters, with its provenance."""

    draws: pd.DataFrame
    provenance: Mapping[str, object] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.draws.columns)

    def __len__(self) -> int:
        return len(self.draws)

    def medians(self) -> dict[str, float]:
        return {name: float(self.draws[name].median()) for name in self.names}

    def interval(self, level: float = 0.9) -> pd.DataFrame:
        """Each parameter's central credible interval and median."""
        tail = (1 - level) / 2
        return self.draws.quantile([tail, 0.5, 1 - tail]).T.set_axis(
            ["low", "median", "high"], axis=1
        )

    def rows(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The parameter values of the given draws (indices taken modulo the number of draws),
        one array per parameter."""
        rows = np.asarray(rows, dtype=np.int64) % len(self)
        return {name: self.draws[name].to_numpy()[rows] for name in self.names}

    def fingerprint(self) -> str:
        """A SHA-256 hex digest of the draws: sweeps store it to refuse mixing posteriors."""
        return self._digest

    @functools.cached_property
    def _digest(self) -> str:  # a sweep's spec asks for it at every comparison: compute once
        text = self.draws.to_csv(index=False, float_format="%.17g")
        return hashlib.sha256(text.encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Posterior):
            return NotImplemented
        return self.fingerprint() == other.fingerprint()

    def __hash__(self) -> int:
        return hash(self.fingerprint())


@functools.cache
def packaged() -> Posterior:
    """The posterior shipped in the package (read once)."""
    return load_posterior()


def resolve(uncertainty: object, source: str = "<model>") -> Posterior | None:
    """``uncertainty=`` as a posterior to draw from, or None for the registry's values.

    Accepts ``"none"`` (or None), ``"posterior"`` (the packaged posterior) or a `Posterior`.
    """
    if uncertainty is None or uncertainty == "none":
        return None
    if isinstance(uncertainty, Posterior):
        return uncertainty
    if uncertainty == "posterior":
        return packaged()
    raise ModelArgumentError(
        source,
        "uncertainty",
        uncertainty,
        "allowed: 'none' (the posterior medians), 'posterior' (replicate i runs posterior "
        "draw i) or a Posterior",
    )


def load_posterior(path: str | Path | None = None) -> Posterior:
    """The posterior shipped in the package (or one written by `write_posterior` at ``path``)."""
    if path is None:
        data = resources.files("negotiation_sim").joinpath("data")
        table, meta = data.joinpath(POSTERIOR), data.joinpath(registry.CALIBRATED)
        text, meta_text = table.read_text(encoding="utf-8"), meta.read_text(encoding="utf-8")
        source = POSTERIOR
    else:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            meta_text = path.with_suffix(".toml").read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError(
                str(path), "posterior", str(path), f"allowed: a posterior file ({error.strerror})"
            ) from None
        source = str(path)
    draws = pd.read_csv(StringIO(text))
    for name in draws.columns:
        entry = registry.REGISTRY.get(name)
        if entry is None or entry.role != "behaviour":
            raise ScenarioError(source, name, "a column", "allowed: behaviour parameters")
        entry.validate(draws[name].to_numpy(), source)
    return Posterior(draws, tomllib.loads(meta_text).get("provenance", {}))


def write_posterior(
    posterior: Posterior,
    path: str | Path | None = None,
    *,
    defaults: bool = True,
    search: Mapping[str, Mapping] | None = None,
) -> Path:
    """Write the draws (CSV) and, beside them, the calibrated values with the provenance (TOML):
    the posterior's medians, or with ``defaults=False`` the point search's values unchanged.
    Without ``path``: into the package, where the registry reads them.

    ``search`` (a calibrated behaviour file's tables ``search`` and ``values``, as
    `calibration.write_calibrated` writes them) gives the point search's values of the
    parameters the posterior does not cover; by default the packaged file's."""
    if path is None:
        folder = Path(__file__).parent / "data"
        table, meta = folder / POSTERIOR, folder / registry.CALIBRATED
    else:
        table = Path(path)
        meta = table.with_suffix(".toml")
    posterior.draws.to_csv(table, index=False, float_format="%.6g")
    meta.write_text(_calibrated_toml(posterior, defaults, search), encoding="utf-8")
    return table


def _plain(value: object) -> object:
    """A provenance value as TOML holds it: numpy scalars as Python numbers, recursively."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _calibrated_toml(posterior: Posterior, defaults: bool, search: Mapping | None) -> str:
    """The calibrated behaviour file: the posterior's provenance, the point search's (by
    default the packaged file's), and the values: the posterior's medians, and the search's
    values of the calibrated parameters the posterior does not cover."""
    import tomlkit

    if search is None:
        packaged_file = resources.files("negotiation_sim").joinpath("data", registry.CALIBRATED)
        search = tomllib.loads(packaged_file.read_text(encoding="utf-8"))
    source = (
        [
            f"the medians of the posterior in {POSTERIOR} (negotiation_sim.inference), and the",
            "point estimate of the joint search (negotiation_sim.calibration) for the",
            "parameters the record says too little about to have a posterior.",
        ]
        if defaults
        else [
            "the point estimate of the joint search (negotiation_sim.calibration). The",
            f"posterior in {POSTERIOR} (negotiation_sim.inference; its provenance below) is",
            'what `uncertainty="posterior"` draws from; its medians are not the defaults.',
        ]
    )
    document = tomlkit.document()
    for line in (
        "The jointly calibrated behaviour: one value of each parameter below for every year:",
        *source,
        "The registry's defaults. Written by `negotiation-sim calibrate`; do not edit by hand.",
    ):
        document.add(tomlkit.comment(line))
    document["provenance"] = _plain(posterior.provenance)
    # The search's own values, kept beside the medians that may replace them: a search file
    # holds them in [values], a packaged file in [search.values].
    found = search.get("search", {}).get("values") or search.get("values", {})
    found = {name: float(f"{value:.4g}") for name, value in found.items()}
    if search.get("search"):
        document["search"] = _plain({**search["search"], "values": found})
    values = {**found, **(posterior.medians() if defaults else {})}
    if values:
        document["values"] = {name: float(f"{value:.4g}") for name, value in values.items()}
    return tomlkit.dumps(document)


def posterior_text(post: Posterior) -> str:
    """Each parameter's median and 90 % credible interval, as a plain-text table."""
    from negotiation_sim.analysis import text_table

    rows = [
        (name, f"{row['median']:.4g}", f"{row['low']:.4g} - {row['high']:.4g}")
        for name, row in post.interval(0.9).iterrows()
    ]
    return text_table(("parameter", "median", "90 % credible interval"), rows)
