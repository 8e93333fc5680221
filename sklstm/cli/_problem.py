"""The series the options ask for, its held-out tail, and the forecaster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sklstm._csv import InputError, read_data
from sklstm.cli._args import UsageError, check_options

__all__ = ["Problem", "load_problem"]


@dataclass
class Problem:
    """The series and the settings of one run."""

    series: pd.Series  # float, named after the target, regular index
    name: str  # how messages call it: "airline:passengers", "sales.csv:units"
    horizon: int
    notes: tuple = ()  # what the CSV reader assumed (delimiter, dates, zone)
    # covariates from the series' first row to its end plus the horizon (the
    # future-known columns have values there, the past-only ones NaN)
    covariates: pd.DataFrame | None = None
    future: tuple = ()  # the columns known in advance
    calendar: tuple = ()  # the generated calendar terms among them

    @property
    def target(self) -> str:
        return str(self.series.name)

    @property
    def train(self) -> pd.Series:
        return self.series.iloc[: len(self.series) - self.horizon]

    @property
    def holdout(self) -> pd.Series:
        return self.series.iloc[len(self.series) - self.horizon:]

    @property
    def past(self) -> list:
        """The covariates known only up to now."""
        if self.covariates is None:
            return []
        return [c for c in self.covariates.columns if c not in self.future]

    def data(self) -> pd.Series | pd.DataFrame:
        """The series, with its covariates on its rows when there are any."""
        if self.covariates is None:
            return self.series
        return pd.concat([self.series, self.covariates.loc[self.series.index]],
                         axis=1)

    def future_rows(self) -> pd.DataFrame | None:
        """The covariates at the forecast steps."""
        if self.covariates is None:
            return None
        return self.covariates.iloc[len(self.series):]


def load_problem(args) -> Problem:
    """The series and settings the options ask for; InputError when they are bad."""
    from sklstm.datasets import DATASETS, load_dataset
    from sklstm.forecasting._seasonality import default_horizon

    check_options(args)
    covariates = None
    features = list(getattr(args, "features", []) or [])
    future = list(getattr(args, "future", []) or [])
    if args.csv is not None:
        options = {**{c: "--features" for c in features},
                   **{c: "--future" for c in future}}
        series, covariates = read_data(args.csv, args.target, args.time,
                                       getattr(args, "date_format", None), options)
        if not options:
            covariates = None
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
    horizon = int(horizon)
    covariates = _forecast_rows(series, covariates, future, horizon)
    args.calendar = getattr(args, "calendar", False)
    if args.calendar:
        terms = _calendar(series, horizon)
        covariates = terms if covariates is None else pd.concat(
            [covariates, terms], axis=1)
        future = [*future, *terms.columns]
    problem = Problem(series=series, name=name, horizon=horizon, notes=notes,
                      covariates=covariates, future=tuple(future),
                      calendar=tuple(terms.columns) if args.calendar else ())
    _check_length(problem)
    return problem


def _forecast_rows(series, covariates, future: list, horizon: int):
    """The covariates up to the end of the forecast; an error when a
    future-known column lacks a value at a forecast step."""
    if covariates is None:
        return None
    from sklstm.forecasting import future_index

    steps = future_index(series.index, list(range(1, horizon + 1)))
    rows = covariates.reindex(series.index.append(steps))
    for column in future:
        missing = steps[rows.loc[steps, column].isna().to_numpy()]
        if len(missing):
            have = len(steps) - len(missing)
            raise InputError(
                f"--future {column!r} has values for {have} of the {horizon} "
                f"forecast steps after the last --target value "
                f"({fmt(series.index[-1])}); it lacks {fmt(missing[0])}"
                + (f" .. {fmt(missing[-1])}" if len(missing) > 1 else "")
                + ". Add those rows to the file with the column's planned values "
                "(the target left empty), or lower --horizon."
            )
    past = [c for c in rows.columns if c not in future]
    rows.loc[steps, past] = np.nan  # unknown after the last target value
    return rows


def _calendar(series: pd.Series, horizon: int) -> pd.DataFrame:
    """Calendar terms of the series' rows and of the forecast steps."""
    from sklstm.forecasting import future_index
    from sklstm.preprocessing import calendar_features

    if not isinstance(series.index, pd.DatetimeIndex):
        raise UsageError(
            "--calendar needs time stamps (dates), but the series is indexed by "
            "row numbers; pass --time with the date column, or drop --calendar."
        )
    steps = future_index(series.index, list(range(1, horizon + 1)))
    return calendar_features(series.index.append(steps))


def fmt(label) -> str:
    from sklstm.cli._report import fmt_time

    return fmt_time(label)


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
