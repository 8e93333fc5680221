"""The series the options ask for, its held-out tail, and the forecaster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sklstm._csv import InputError, read_series
from sklstm.cli._args import UsageError, check_options

__all__ = ["Problem", "load_problem"]


@dataclass
class Problem:
    """The series and the settings of one run."""

    series: pd.Series  # float, named after the target, regular index
    name: str  # how messages call it: "airline:passengers", "sales.csv:units"
    horizon: int
    notes: tuple = ()  # what the CSV reader assumed (delimiter, dates, zone)

    @property
    def target(self) -> str:
        return str(self.series.name)

    @property
    def train(self) -> pd.Series:
        return self.series.iloc[: len(self.series) - self.horizon]

    @property
    def holdout(self) -> pd.Series:
        return self.series.iloc[len(self.series) - self.horizon:]


def load_problem(args) -> Problem:
    """The series and settings the options ask for; InputError when they are bad."""
    from sklstm.datasets import DATASETS, load_dataset
    from sklstm.forecasting._seasonality import default_horizon

    check_options(args)
    if args.csv is not None:
        series = read_series(args.csv, args.target, args.time,
                             getattr(args, "date_format", None))
        name = f"{Path(args.csv).name}:{args.target}"
    else:
        key = args.dataset or "airline"
        _, column, _ = DATASETS[key]
        series = load_dataset(key)[column]
        name = f"{key}:{column}"
    # one rule for bundled and user data: the M4 horizon of the time step
    horizon = args.horizon or default_horizon(series.index)
    notes = tuple(series.attrs.get("notes", ()))
    series = series.astype("float64").rename(str(series.name))
    problem = Problem(series=series, name=name, horizon=int(horizon), notes=notes)
    _check_length(problem)
    return problem


def _check_length(problem: Problem) -> None:
    from sklstm.forecasting._config import min_length

    n, h = len(problem.series), problem.horizon
    need = min_length()
    train = problem.train
    if n - h < need:
        raise UsageError(
            f"{problem.name} has {n} rows, too few for --horizon {h}: the "
            f"forecaster needs {need} rows before the {h} held out, so at least "
            f"{need + h}; lower --horizon or pass more history."
        )
    observed = int(train.notna().sum())
    if observed < need:
        raise InputError(
            f"{problem.name}: the training part (all but the last {h} rows) has "
            f"{observed} observed values, fewer than the {need} the forecaster "
            "needs; pass more history or lower --horizon."
        )
