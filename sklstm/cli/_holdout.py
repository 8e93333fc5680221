"""The command's held-out comparison: a backtest over several origins.

The last ``windows`` forecast origins, ``step`` rows apart (the last one
``horizon`` rows before the end, so its forecast ends with the data), are
the evaluated ones: every model is refitted at each and forecasts the next
``horizon`` steps. Before them lie *calibration* origins, at the same
spacing, forecast by one model fitted at the first of them (a refit is the
expensive part; the forecaster forecasts from newer data without one). The
errors of every origin already observed at an evaluated origin calibrate
its conformal intervals (pooled over the steps, see
:func:`~sklstm.forecasting.conformal_intervals`); the errors of all origins
calibrate the intervals of the final forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

__all__ = ["LEVELS", "METHOD", "Holdout", "plan_origins", "run_holdout"]

#: interval levels the command reports
LEVELS = (0.8, 0.95)
#: how the intervals are calibrated (benchmarks/interval_accuracy.py)
METHOD = "pooled"


@dataclass
class Holdout:
    """What the held-out backtest produced."""

    frame: pd.DataFrame  # origin, h, time, actual, one column per model, bounds
    positions: np.ndarray  # rows of the evaluated origins
    n_calibration: int  # origins before them that only calibrate
    step: int
    errors: pd.DataFrame  # actual - forecast of the forecaster, origin x step

    @property
    def n_windows(self) -> int:
        return len(self.positions)

    @property
    def first_train(self) -> int:
        """Rows before the first evaluated origin's forecast."""
        return int(self.positions[0]) + 1


def plan_origins(n_rows: int, horizon: int, windows: int, min_train: int
                 ) -> tuple[int, int, int]:
    """``(n_calibration, n_windows, step)`` for a series of ``n_rows``.

    The step is ``ceil(horizon / windows)``, so the evaluated forecasts reach
    back ``horizon + (windows - 1) * step`` rows, under twice the horizon.
    Where the first origin would leave fewer than ``min_train`` rows, fewer
    windows are evaluated; calibration origins take what is left, up to the
    pooled method's need for the 95% level.

    >>> plan_origins(144, 18, 3, 20)
    (3, 3, 6)
    >>> plan_origins(40, 18, 3, 20)
    (0, 1, 6)
    """
    from sklstm.forecasting._backtest import pooled_calibration
    from sklstm.forecasting._intervals import min_calibration

    step = max(1, -(-horizon // windows))
    last = n_rows - 1 - horizon  # the last origin's row
    room = (last - (min_train - 1)) // step  # origins that fit before it
    n_windows = max(1, min(windows, room + 1))
    want = pooled_calibration(min_calibration(max(LEVELS)), horizon, step)
    n_cal = max(0, min(want, room + 1 - n_windows))
    return n_cal, n_windows, step


class _SeasonalNaive(BaseEstimator):
    """The seasonal-naive forecast as a forecaster (``fit(y)``,
    ``predict(horizon)``) for the backtest."""

    def __init__(self, season: int = 1) -> None:
        self.season = season

    def fit(self, y: pd.Series):
        self.y_ = y
        return self

    def predict(self, horizon: int) -> np.ndarray:
        from sklstm.pipeline import seasonal_naive_forecast

        m = self.season if self.y_.notna().sum() >= self.season else 1
        return seasonal_naive_forecast(self.y_, horizon, m).to_numpy()


class _FilledDirect(BaseEstimator):
    """A direct multi-step regressor as a forecaster: gaps of the training
    series filled linearly, fitted on ``make_supervised`` for steps
    ``1..horizon``, forecast from the end of the filled series."""

    def __init__(self, estimator=None, horizon: int = 1) -> None:
        self.estimator = estimator
        self.horizon = horizon

    def fit(self, y: pd.Series):
        from sklearn.base import clone

        from sklstm.forecasting import make_supervised

        self.filled_ = y.interpolate(limit_direction="both").to_frame()
        target = self.filled_.columns[0]
        X, Y = make_supervised(self.filled_, target,
                               horizon=list(range(1, self.horizon + 1)))
        self.estimator_ = clone(self.estimator).fit(self.filled_.iloc[: len(X)], Y)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        from sklstm.forecasting import forecast

        return forecast(self.estimator_, self.filled_, horizon=horizon,
                        target=self.filled_.columns[0]).to_numpy()


def _baseline_models(problem, args, first_train: int, notes: list) -> dict:
    """The baselines, unfitted, keyed by their display names."""
    from sklstm.cli._report import MODEL_NAMES
    from sklstm.forecasting._seasonality import season_length
    from sklstm.pipeline import make_naive_lstm, make_ridge_baseline

    h = problem.horizon
    train = problem.series.iloc[:first_train]
    season = season_length(train.index)
    models = {MODEL_NAMES["snaive"]: _SeasonalNaive(season)}
    lags = max(season, 12)
    if first_train - h <= lags:
        notes.append(f"the ridge on lag features needs {lags + h + 1} training "
                     "rows; it is left out")
    else:
        models[MODEL_NAMES["ridge"]] = _FilledDirect(make_ridge_baseline(lags), h)
    lookback = max(min(season, 48), 6)
    if first_train - h < lookback:
        notes.append(f"the naive LSTM recipe needs {lookback + h} training rows; "
                     "it is left out")
        return models
    naive = make_naive_lstm(
        lookback, random_state=args.seed,
        max_epochs=2 if args.quick else 200, hidden_size=8 if args.quick else 50,
        **({"batch_size": 256} if args.quick else {}),
    )
    if (train.dropna() < 0).any():
        naive.set_params(non_negative=None)
    models[MODEL_NAMES["naive_lstm"]] = _FilledDirect(naive, h)
    return models


def run_holdout(problem, model, args, n_jobs: int, notes: list) -> Holdout:
    """Backtest ``model`` (an unfitted LSTMForecaster) and the baselines."""
    from sklstm.cli._report import MODEL_NAMES
    from sklstm.forecasting import backtest
    from sklstm.forecasting._backtest import _lower_bounds, rolling_intervals
    from sklstm.forecasting._config import min_length
    from sklstm.forecasting._intervals import interval_columns

    series, h = problem.series, problem.horizon
    n_cal, n_windows, step = plan_origins(len(series), h, args.windows or 3,
                                          min_length())
    total = n_cal + n_windows
    refit = [i == 0 or i >= n_cal for i in range(total)]
    print(f"backtesting the forecaster: {n_windows} held-out origin(s), {step} "
          f"row(s) apart, after {n_cal} calibration origin(s); "
          f"{sum(refit)} fits ...", flush=True)
    covariates = {} if problem.covariates is None else dict(
        target=problem.target, future=list(problem.future) or None)
    frame = backtest(model, problem.data(), h, n_windows=total, step=step,
                     refit=refit, n_jobs=n_jobs, **covariates)
    positions = series.index.get_indexer(frame["origin"].unique())
    forecasts = frame["forecast"].to_numpy().reshape(total, h)
    actuals = frame["actual"].to_numpy().reshape(total, h)
    values, _, _ = rolling_intervals(
        positions, forecasts, actuals, list(LEVELS),
        _lower_bounds(series.to_numpy(), positions, "auto"), first=n_cal,
        method=METHOD,
    )
    errors = pd.DataFrame(actuals - forecasts, index=frame["origin"].unique(),
                          columns=pd.RangeIndex(1, h + 1, name="h"))
    evaluated = frame.iloc[n_cal * h:].reset_index(drop=True)
    out = evaluated[["origin", "h", "time", "actual"]].copy()
    flat = values[n_cal:].reshape(-1, values.shape[-1])
    out[MODEL_NAMES["sklstm"]] = flat[:, 0]
    bounds = pd.DataFrame(flat[:, 1:], columns=interval_columns(list(LEVELS)))

    first_train = int(positions[n_cal]) + 1
    for name, baseline in _baseline_models(problem, args, first_train,
                                           notes).items():
        print(f"backtesting the {name} ...", flush=True)
        result = backtest(baseline, series, h, n_windows=n_windows, step=step,
                          n_jobs=n_jobs)
        out[name] = result["forecast"].to_numpy()
    out = pd.concat([out, bounds], axis=1)
    if n_cal == 0 and n_windows > 0:
        notes.append("the series is too short for calibration origins: the first "
                     "held-out forecast has no interval")
    return Holdout(frame=out, positions=positions[n_cal:], n_calibration=n_cal,
                   step=step, errors=errors)


def coverage(holdout: Holdout) -> dict:
    """Fraction of held-out actuals inside each level's interval, and how many
    were checked, e.g. ``{"80": (0.83, 54), "95": (0.96, 54)}``."""
    from sklstm.cli._report import MODEL_NAMES
    from sklstm.forecasting import backtest_metrics
    from sklstm.forecasting._intervals import level_name

    frame = holdout.frame.rename(columns={MODEL_NAMES["sklstm"]: "forecast"})
    shares = backtest_metrics(frame).loc["all"]
    observed = frame["actual"].notna()
    out = {}
    for level in LEVELS:
        name = level_name(level)
        checked = int((observed & frame[f"lower_{name}"].notna()
                       & frame[f"upper_{name}"].notna()).sum())
        out[name] = (float(shares[f"coverage_{name}"]), checked)
    return out


def final_intervals(holdout: Holdout, future: pd.Series, series: pd.Series
                    ) -> pd.DataFrame:
    """The final forecast with intervals calibrated on every origin's errors."""
    import warnings

    from sklstm.forecasting import CalibrationWarning, conformal_intervals

    observed = series.dropna()
    bound = 0.0 if len(observed) and (observed >= 0).all() else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        return conformal_intervals(holdout.errors, future, list(LEVELS),
                                   lower_bound=bound, method=METHOD)
