"""The command's main job: fit the forecaster and the baselines on the past,
compare them on the held-out tail, refit, forecast, write."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sklstm.cli._problem import Problem, load_problem
from sklstm.cli._report import (
    MODEL_NAMES,
    check_out,
    fmt_time,
    format_table,
    plot,
    scores,
    write,
)

__all__ = ["forecaster", "run"]


def forecaster(problem: Problem, args, n_jobs: int):
    """The :class:`~sklstm.LSTMForecaster` the options describe."""
    from sklstm import LSTMForecaster

    season = None if args.no_season else (args.season or "auto")
    kw = dict(n_members=args.members)
    if args.quick:
        kw = dict(n_members=min(args.members, 2), max_epochs=2, hidden_size=8,
                  batch_size=256)
    return LSTMForecaster(
        horizon=problem.horizon, season=season, lookback=args.lookback or "auto",
        n_jobs=n_jobs, random_state=args.seed, **kw,
    )


def _baselines(problem: Problem, args, notes: list) -> dict:
    """Held-out forecasts of the three baselines, each from the training part."""
    from sklstm import forecast, make_supervised
    from sklstm.forecasting._seasonality import season_length
    from sklstm.pipeline import (
        make_naive_lstm,
        make_ridge_baseline,
        seasonal_naive_forecast,
    )

    h, target, train = problem.horizon, problem.target, problem.train
    season = season_length(train.index)
    out = {MODEL_NAMES["snaive"]: seasonal_naive_forecast(
        train, h, season if train.notna().sum() >= season else 1)}
    filled = train.interpolate(limit_direction="both").to_frame()
    X, Y = make_supervised(filled, target, horizon=list(range(1, h + 1)))
    X = filled.iloc[: len(X)]
    ridge = make_ridge_baseline(max(season, 12)).fit(X, Y)
    out[MODEL_NAMES["ridge"]] = forecast(ridge, filled, horizon=h, target=target)
    lookback = max(min(season, 48), 6)
    if len(X) < lookback:
        notes.append(f"the naive LSTM recipe needs {lookback + h} training rows; "
                     "it is left out")
        return out
    print("fitting the naive LSTM recipe ...", flush=True)
    naive = make_naive_lstm(
        lookback, random_state=args.seed,
        max_epochs=2 if args.quick else 200, hidden_size=8 if args.quick else 50,
        **({"batch_size": 256} if args.quick else {}),
    )
    if (train.dropna() < 0).any():
        naive.set_params(non_negative=None)
    naive.fit(X, Y)
    out[MODEL_NAMES["naive_lstm"]] = forecast(naive, filled, horizon=h, target=target)
    return out


def run(args) -> int:
    """Everything after argument parsing; returns the exit status."""
    from sklstm.forecasting._seasonality import mase_season

    started = time.perf_counter()
    problem = load_problem(args)
    out = Path(args.out)
    check_out(out)
    h, train, holdout = problem.horizon, problem.train, problem.holdout
    n_gaps = int(train.isna().sum())
    n_jobs = args.n_jobs or min(2, os.cpu_count() or 1)

    print(f"sklstm: {problem.name}, {len(problem.series)} rows"
          + (f" ({n_gaps} gaps in the training part)" if n_gaps else "")
          + f"; holding out the last {h} ({fmt_time(holdout.index[0])} .. "
          f"{fmt_time(holdout.index[-1])})")
    if problem.notes:
        print(f"  reading: {'; '.join(problem.notes)}")
    model = forecaster(problem, args, n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(train)
        for line in model.config_.lines():
            print(f"  {line}")
        print(f"trained {len(model.members_)} network(s) on {n_jobs} process(es) "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        predictions = {MODEL_NAMES["sklstm"]: model.predict()}
        notes: list = []
        predictions.update(_baselines(problem, args, notes))
    for name in predictions:
        predictions[name].index = holdout.index

    m = mase_season(train.index)
    metrics = pd.DataFrame(
        {name: scores(holdout, pred, train, m) for name, pred in predictions.items()}
    ).T
    metrics.index.name = "model"
    print()
    print(f"held-out forecast of the last {h} steps "
          f"(MASE scaled by the in-sample seasonal-naive MAE, m={m}):")
    print(format_table(metrics))
    print()

    print("refitting the forecaster on all rows for the forecast ...", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        final = forecaster(problem, args, n_jobs).fit(problem.series)
    future = final.predict()

    written = write(out, future, holdout, predictions, metrics, str(final.config_))
    if not args.no_plot:
        note = plot(out / "forecast.png", train, holdout, predictions, future,
                    f"{problem.name}: {h}-step forecast",
                    max(int(round(max(final.config_.periods, default=1))), 1))
        if note:
            notes.append(note)
        else:
            written.append("forecast.png")
    for note in notes:
        print(f"note: {note}")
    print(f"wrote {', '.join(written)} to {out}/ "
          f"({time.perf_counter() - started:.0f} s)")
    if not np.isfinite(future.to_numpy()).all():  # pragma: no cover - a bug
        raise RuntimeError("the forecast holds non-finite values")
    return 0
