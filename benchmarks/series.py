"""The development series of the accuracy benchmark and its M4-style split.

Twenty-one real series: the three bundled with sklstm (``sklstm.datasets``)
and eighteen from R's ``datasets`` package, copied into ``benchmarks/data``
(see its README for what each one is). Every series is returned on a regular
index: a ``DatetimeIndex`` with its frequency for calendar data, an integer
index for integer steps (minutes of ``WWWusage``, trading days of
``EuStockMarkets``, the years of ``treering``, many of which lie before the
first year a pandas Timestamp can hold).

The split is the M4 competition's: the last ``H`` points are held out, with
``H`` = 6 for yearly data, 8 quarterly, 18 monthly, 13 weekly, 14 daily and
10% of the length (at least 6) for everything else (integer steps,
sub-daily data). MASE is scaled by the in-sample seasonal-naive MAE with
``m`` = 1 for yearly and other data, 4 quarterly, 12 monthly, 52 weekly and
7 daily.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"

#: held-out points per kind of step (M4); None: 10% of the length, at least 6
HORIZONS = {"yearly": 6, "quarterly": 8, "monthly": 18, "weekly": 13, "daily": 14}
#: MASE's seasonal-naive lag per kind of step; 1 for every other kind
MASE_M = {"quarterly": 4, "monthly": 12, "weekly": 52, "daily": 7}
#: the season the statistical baselines get (``season_length``)
BASELINE_SEASON = {"quarterly": 4, "monthly": 12, "weekly": 52, "daily": 7,
                   "hourly": 24, "half-hourly": 48}


@dataclass(frozen=True)
class Spec:
    """Where a series lives and what kind of step it has."""

    name: str
    file: str  # a CSV in benchmarks/data, or "sklstm:<dataset>"
    column: str
    kind: str  # yearly, quarterly, monthly, weekly, daily, half-hourly, other
    freq: str | None = None  # pandas frequency of a calendar index


SPECS = [
    Spec("airline", "sklstm:airline", "passengers", "monthly"),
    Spec("electricity", "sklstm:electricity", "demand", "half-hourly"),
    Spec("co2", "sklstm:co2", "co2", "weekly"),
    Spec("USAccDeaths", "USAccDeaths.csv", "value", "monthly", "MS"),
    Spec("nottem", "nottem.csv", "value", "monthly", "MS"),
    Spec("ldeaths", "ldeaths.csv", "value", "monthly", "MS"),
    Spec("mdeaths", "mdeaths.csv", "value", "monthly", "MS"),
    Spec("fdeaths", "fdeaths.csv", "value", "monthly", "MS"),
    Spec("UKDriverDeaths", "UKDriverDeaths.csv", "value", "monthly", "MS"),
    Spec("Seatbelts", "Seatbelts.csv", "DriversKilled", "monthly", "MS"),
    Spec("UKgas", "UKgas.csv", "value", "quarterly", "QS-JAN"),
    Spec("JohnsonJohnson", "JohnsonJohnson.csv", "value", "quarterly", "QS-JAN"),
    Spec("austres", "austres.csv", "value", "quarterly", "QS-JAN"),
    Spec("presidents", "presidents.csv", "value", "quarterly", "QS-JAN"),
    Spec("LakeHuron", "LakeHuron.csv", "value", "yearly", "YS"),
    Spec("nhtemp", "nhtemp.csv", "value", "yearly", "YS"),
    Spec("discoveries", "discoveries.csv", "value", "yearly", "YS"),
    Spec("WWWusage", "WWWusage.csv", "value", "other"),
    Spec("BJsales", "BJsales.csv", "value", "other"),
    Spec("treering", "treering.csv", "value", "other"),
    Spec("EuStockMarkets", "EuStockMarkets.csv", "DAX", "other"),
]

#: a few short series of different kinds, for smoke runs
SMOKE = ["USAccDeaths", "austres", "nhtemp", "WWWusage"]


@dataclass
class Case:
    """One series, split into its training part and held-out tail."""

    name: str
    kind: str
    series: pd.Series

    @property
    def horizon(self) -> int:
        h = HORIZONS.get(self.kind)
        return h if h is not None else max(6, int(round(0.1 * len(self.series))))

    @property
    def mase_m(self) -> int:
        return MASE_M.get(self.kind, 1)

    @property
    def season(self) -> int:
        return BASELINE_SEASON.get(self.kind, 1)

    @property
    def train(self) -> pd.Series:
        return self.series.iloc[: len(self.series) - self.horizon]

    @property
    def test(self) -> pd.Series:
        return self.series.iloc[len(self.series) - self.horizon:]

    @property
    def non_negative(self) -> bool:
        return bool((self.train.dropna() >= 0).all())


def _read_csv(spec: Spec) -> pd.Series:
    frame = pd.read_csv(DATA / spec.file, index_col=0)
    values = frame[spec.column].astype("float64")
    if spec.freq is None:
        index = pd.Index(frame.index.to_numpy(dtype=np.int64), name=frame.index.name)
    else:
        stamps = pd.to_datetime(frame.index, format="%Y-%m-%d")
        index = pd.DatetimeIndex(stamps, freq=spec.freq, name=frame.index.name)
    return pd.Series(values.to_numpy(), index=index, name=spec.column)


def load(name: str) -> Case:
    """The named series as a :class:`Case`."""
    spec = next((s for s in SPECS if s.name == name), None)
    if spec is None:
        raise ValueError(f"unknown series {name!r}; known: {[s.name for s in SPECS]}")
    if spec.file.startswith("sklstm:"):
        from sklstm.datasets import load_dataset

        series = load_dataset(spec.file.split(":", 1)[1])[spec.column]
    else:
        series = _read_csv(spec)
    return Case(spec.name, spec.kind, series.rename(spec.column))


def names() -> list[str]:
    return [s.name for s in SPECS]
