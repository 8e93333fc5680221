"""The command's main job: fit the forecaster on all rows, backtest it and
the baselines over several held-out origins, forecast with intervals, write."""

from __future__ import annotations

import os
import textwrap
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

__all__ = ["covariate_text", "coverage_line", "forecaster", "run"]


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
        future=list(problem.future), n_jobs=n_jobs, random_state=args.seed, **kw,
    )


def run(args) -> int:
    """Everything after argument parsing; returns the exit status."""
    from sklstm.cli._holdout import coverage, final_intervals, run_holdout
    from sklstm.forecasting._seasonality import mase_season

    if getattr(args, "id", None) is not None:
        from sklstm.cli._args import check_options
        from sklstm.cli._panel import run_panel

        check_options(args)
        return run_panel(args)
    started = time.perf_counter()
    problem = load_problem(args)
    out = Path(args.out)
    check_out(out)
    h, series = problem.horizon, problem.series
    n_jobs = args.n_jobs or min(2, os.cpu_count() or 1)

    n_gaps = int(series.isna().sum())
    print(f"sklstm: {problem.name}, {len(series)} rows"
          + (f" ({n_gaps} gaps)" if n_gaps else "") + "; holding out the last "
          f"{h} ({fmt_time(series.index[-h])} .. {fmt_time(series.index[-1])})",
          flush=True)
    if problem.notes:
        print(f"  reading: {'; '.join(problem.notes)}")
    notes: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        covariates = problem.covariates
        final = forecaster(problem, args, n_jobs).fit(
            series, X=None if covariates is None else covariates.loc[series.index])
        for line in final.config_.lines():
            print(f"  {line}")
        if covariates is not None:
            print(f"  covariates: {covariate_text(problem)}")
        print(f"trained {len(final.members_)} network(s) on all rows, {n_jobs} "
              f"process(es) ({time.perf_counter() - started:.0f} s)", flush=True)
        # the backtest's workers run in parallel, one network at a time each
        holdout = run_holdout(problem, forecaster(problem, args, 1), args, n_jobs,
                              notes)
    train = series.iloc[: holdout.first_train]
    names = [c for c in holdout.frame.columns if c in MODEL_NAMES.values()]
    m = mase_season(train.index)
    metrics = pd.DataFrame({
        name: scores(holdout.frame["actual"], holdout.frame[name], train, m)
        for name in names
    }).T
    metrics.index.name = "model"
    covered = coverage(holdout)
    for name, (share, _) in covered.items():
        metrics[f"coverage_{name}"] = np.where(
            metrics.index == MODEL_NAMES["sklstm"], share, np.nan)
    origins = holdout.frame["origin"].unique()
    print()
    print(f"held-out forecasts of {h} steps from {holdout.n_windows} origin(s), "
          f"{holdout.step} row(s) apart ({fmt_time(origins[0])} .. "
          f"{fmt_time(origins[-1])}), each model refitted at each; MASE scaled "
          f"by the in-sample seasonal-naive MAE, m={m}:")
    print(format_table(metrics))
    print(coverage_line(covered, holdout.n_calibration))
    print()

    future = final_intervals(holdout, final.predict(X=problem.future_rows()),
                             series)

    written = write(out, future, holdout.frame, metrics, str(final.config_))
    if not args.no_plot:
        note = plot(out / "forecast.png", series, holdout.frame, future,
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
    if not np.isfinite(future["forecast"].to_numpy()).all():  # pragma: no cover
        raise RuntimeError("the forecast holds non-finite values")
    return 0


def covariate_text(problem: Problem) -> str:
    """Which covariates the forecaster takes, and how.

    >>> p = Problem(pd.Series([1.0]), "x", 1, future=("law",),
    ...             covariates=pd.DataFrame({"law": [0.0], "front": [1.0]}))
    >>> covariate_text(p)
    'known in advance law (a regression); known up to now front (network inputs)'
    """
    parts = []
    if problem.future:
        named = [str(c) for c in problem.future if c not in problem.calendar]
        if problem.calendar:
            kinds = list(dict.fromkeys(str(c).rsplit("_", 1)[0]
                                       for c in problem.calendar))
            named.append(f"{len(problem.calendar)} calendar terms "
                         f"({', '.join(kinds)})")
        parts.append(f"known in advance {', '.join(named)} (a regression)")
    if problem.past:
        parts.append(f"known up to now {', '.join(map(str, problem.past))} "
                     "(network inputs)")
    return "; ".join(parts)


def coverage_line(covered: dict, n_calibration: int) -> str:
    """How often the forecaster's held-out intervals held the actual.

    >>> print(coverage_line({"80": (0.8333, 54), "95": (0.963, 54)}, 3))
    intervals of the sklstm forecaster: 80% held 83% of 54 held-out values, 95%
    held 96% (calibrated on the errors of earlier origins, 3 before the first)
    """
    parts = [f"{name}% held {share:.0%}" if np.isfinite(share) else
             f"{name}% n/a" for name, (share, _) in covered.items()]
    n = max(count for _, count in covered.values())
    if n == 0:
        return (f"intervals of the {MODEL_NAMES['sklstm']}: n/a on the held-out "
                "part (no earlier origin to calibrate on)")
    first, *rest = parts
    text = (f"intervals of the {MODEL_NAMES['sklstm']}: {first} of {n} held-out "
            "values" + "".join(f", {p}" for p in rest)
            + " (calibrated on the errors of earlier origins, "
            f"{n_calibration} before the first)")
    return textwrap.fill(text, 79)
