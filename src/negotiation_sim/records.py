"""The historical record shipped with the package (sources in ``data/records/SOURCE.md``).

See ``data/records/SOURCE.md`` for provenance. Nothing here reads outside the package.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

_FOLDER = resources.files("negotiation_sim") / "data" / "records"


def launches() -> pd.DataFrame:
    """Launch days of 2017 and 2022: date (UTC), missile class, missiles (CNS database)."""
    with (_FOLDER / "dprk_launches_2017_2022.csv").open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, parse_dates=["date_utc"])
    return frame.rename(columns={"date_utc": "date"})


def timeline() -> pd.DataFrame:
    """Dated events of 2017 and 2022 with their actor, kind and use (input or outcome)."""
    with (_FOLDER / "timeline_2017_2022.csv").open(encoding="utf-8") as handle:
        return pd.read_csv(handle, parse_dates=["date"])


def observed_launch_days(year: int) -> pd.Series:
    """Missiles per launch day in ``year``, indexed by date (several classes on one day add)."""
    frame = launches()
    frame = frame[frame["date"].dt.year == year]
    return frame.groupby("date")["missiles"].sum()
