"""The ``sklstm`` command: tune the default pipeline, compare it, write a forecast.

Run ``sklstm --help`` for the options. With no arguments it forecasts the
last 24 months of the bundled airline series. The steps:

1. read the series (a bundled data set or ``--csv``), hold out its last
   ``--horizon`` steps;
2. tune :func:`~sklstm.pipeline.make_lstm_pipeline` with ``GridSearchCV`` over
   a ``TimeSeriesSplit`` of the rest, printing one line per fold;
3. forecast the held-out steps with the tuned pipeline and three baselines
   (seasonal naive, ridge on lag features, the naive LSTM recipe) and print
   MAE, RMSE, MASE and sMAPE;
4. refit the tuned pipeline on all the data, forecast the next ``--horizon``
   steps, and write CSV files and a plot to ``--out``.

A problem with the input is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sklstm._csv import InputError, read_series, season_length

__all__ = ["main"]

#: Defaults per bundled data set: horizon, lookback, seasonal periods, LSTM
#: settings that keep the run short.
PRESETS = {
    "airline": dict(horizon=24, lookback=12, periods=[12], lstm={}),
    # the last six weeks (of twelve) keep the run to a few minutes
    "electricity": dict(
        horizon=48, lookback=24, periods=[48, 336],
        lstm=dict(batch_size=64, max_epochs=40), history=48 * 7 * 6,
    ),
    # the last twenty years
    "co2": dict(
        horizon=52, lookback=13, periods=[52],
        lstm=dict(batch_size=64, max_epochs=40), history=52 * 20,
    ),
}

MODEL_NAMES = {
    "sklstm": "sklstm pipeline (tuned)",
    "ridge": "Ridge on lag features",
    "snaive": "seasonal naive",
    "naive_lstm": "naive LSTM recipe",
}


class _Usage(InputError):
    """A bad combination of options."""


@dataclass
class Problem:
    """The series and the settings of one run."""

    series: pd.Series
    name: str
    horizon: int
    lookback: int
    season: int
    periods: list
    lstm: dict = field(default_factory=dict)


# ---------------------------------------------------------------- arguments
def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    from sklstm.datasets import DATASETS

    parser = argparse.ArgumentParser(
        prog="sklstm",
        description=(
            "Forecast a time series with sklstm's default LSTM pipeline: tune it\n"
            "on the past, compare it on a held-out tail with a seasonal-naive\n"
            "forecast, a ridge regression on lags and the naive LSTM recipe, and\n"
            "write the forecast (CSV, PNG). With no arguments, runs on the\n"
            "bundled airline-passengers series."
        ),
        epilog=(
            "examples:\n"
            "  sklstm\n"
            "  sklstm --dataset co2 --out co2-run\n"
            "  sklstm --csv sales.csv --target units --time date --horizon 12\n"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset", choices=sorted(DATASETS), default=None,
        help="a bundled series (default: airline, unless --csv is given)",
    )
    data.add_argument("--csv", metavar="PATH", help="read the series from a CSV file")
    data.add_argument("--target", metavar="COL", help="the CSV column to forecast")
    data.add_argument(
        "--time", metavar="COL",
        help="the CSV column of time stamps (default: the first column if it holds "
        "dates, else row numbers)",
    )
    model = parser.add_argument_group("forecast")
    model.add_argument(
        "--horizon", type=int, metavar="H",
        help="steps to forecast; also the length of the held-out tail "
        "(default: 24 for airline, 48 for electricity, 52 for co2, one season "
        "for a CSV)",
    )
    model.add_argument(
        "--lookback", type=int, metavar="L",
        help="rows per LSTM window (default: about one season)",
    )
    model.add_argument(
        "--season", type=int, metavar="M",
        help="seasonal period in rows (default: from the time step, e.g. 12 for "
        "monthly data, 7 for daily, 24 for hourly)",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "--out", metavar="DIR", default="sklstm-output",
        help="where to write forecast.csv, holdout.csv, metrics.csv and "
        "forecast.png (default: ./sklstm-output)",
    )
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run.add_argument(
        "--n-jobs", type=int, default=None, metavar="N",
        help="parallel fits in the grid search (default: up to 2)",
    )
    run.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    # small and fast settings, for tests and smoke runs
    run.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    return parser


def _positive(value, option: str) -> None:
    if value is not None and value < 1:
        raise _Usage(f"{option} must be a positive integer, got {value}.")


def load_problem(args) -> Problem:
    """The series and settings the options ask for; InputError when they are bad."""
    from sklstm.datasets import DATASETS, load_dataset

    for option in ("horizon", "lookback", "season"):
        _positive(getattr(args, option), f"--{option}")
    if args.csv is not None:
        if args.dataset is not None:
            raise _Usage("pass either --dataset or --csv, not both.")
        if not args.target:
            raise _Usage("--csv needs --target COL, the column to forecast.")
        series = read_series(args.csv, args.target, args.time)
        name = f"{Path(args.csv).name}:{args.target}"
        season = args.season or season_length(series.index)
        preset = {}
        periods = [season] if season > 1 else []
    else:
        if args.target or args.time:
            raise _Usage("--target and --time go with --csv.")
        key = args.dataset or "airline"
        _, column, default_season = DATASETS[key]
        preset = PRESETS.get(key, {})
        series = load_dataset(key)[column]
        if preset.get("history"):
            series = series.iloc[-(preset["history"] + preset["horizon"]):]
        name = f"{key}:{column}"
        season = args.season or default_season
        periods = [season] if args.season else list(preset.get("periods", [season]))
    horizon = args.horizon or preset.get("horizon") or (season if season > 1 else 12)
    lookback = args.lookback or preset.get("lookback") or max(min(season, 48), 6)
    problem = Problem(
        series=series.astype("float64"), name=name, horizon=horizon,
        lookback=lookback, season=season, periods=periods,
        lstm=dict(preset.get("lstm", {})),
    )
    _check_length(problem)
    return problem


N_SPLITS = 3
MIN_WINDOWS = 8


def _cv_plan(n_supervised: int, horizon: int, lookback: int):
    """``(test_size, gap)`` of the TimeSeriesSplit, or None when too short."""
    gap = horizon - 1
    room = n_supervised - gap - lookback - MIN_WINDOWS
    if room < N_SPLITS:
        return None
    return max(1, min(horizon, room // N_SPLITS)), gap


def _check_length(problem: Problem) -> None:
    n, h, lb = len(problem.series), problem.horizon, problem.lookback
    needed = 3 * h + lb + MIN_WINDOWS + N_SPLITS - 1
    if n < needed:
        raise InputError(
            f"{problem.name} has {n} rows, too few for --horizon {h} and --lookback "
            f"{lb}: they need at least {needed} ({h} held out, {h} lost to the "
            f"targets, {h - 1} between tuning folds, and room for {N_SPLITS} folds of "
            f"windows of {lb}); lower --horizon or --lookback, or pass more history."
        )
    train = problem.series.iloc[:-h]
    if train.notna().sum() < 2 * problem.season or train.iloc[-1:].isna().all():
        raise InputError(
            f"{problem.name}: the training part (all but the last {h} rows) has too "
            "few observed values; pass more history."
        )


# ---------------------------------------------------------------- models
class ProgressScorer:
    """Negative MAE of a fitted model on a test fold, printed as one line."""

    def __init__(self, keys, total):
        self.keys = keys
        self.total = total

    def __call__(self, estimator, X, y):
        from sklstm.metrics import mae

        score = mae(np.asarray(y), np.asarray(estimator.predict(X)))
        params = estimator.get_params()
        shown = ", ".join(f"{k.rsplit('__', 1)[-1]}={_shown(params[k])}"
                          for k in self.keys)
        span = f"{_fmt_time(X.index[0])}..{_fmt_time(X.index[-1])}"
        print(f"  [cv] {shown:40s} test rows {span:24s} MAE {score:10.4g}",
              flush=True)
        return -score


def _shown(value) -> str:
    """A grid value as the progress lines print it (estimators by class name)."""
    if value == "passthrough":
        return "off"
    if hasattr(value, "get_params"):
        return type(value).__name__
    return str(value)


def _fmt_time(label) -> str:
    if isinstance(label, pd.Timestamp):
        if label == label.normalize():
            return label.strftime("%Y-%m-%d")
        return label.strftime("%Y-%m-%d %H:%M")
    return str(label)


def _grid(problem: Problem, quick: bool) -> dict:
    """The search: the outlier filter in or out, and the training length.

    ``benchmarks/accuracy.py`` found these two to matter most on the bundled
    series: the Hampel filter helps some 24-step forecasts and hurts
    one-step ones, and the best epoch count differs between series, while
    halving ``hidden_size`` lost everywhere.
    """
    from sklstm.pipeline import LSTM_PARAMS
    from sklstm.preprocessing import MedianOutlierFilter

    if quick:
        return {LSTM_PARAMS + "hidden_size": [4, 8]}
    epochs = problem.lstm.get("max_epochs", 75)
    return {
        "clean": ["passthrough", MedianOutlierFilter(window=7)],
        LSTM_PARAMS + "max_epochs": sorted({max(epochs // 2, 1), epochs}),
    }


def _pipeline(problem: Problem, positive: bool, non_negative: bool, seed: int,
              quick: bool):
    from sklstm.pipeline import make_lstm_pipeline

    lstm = dict(problem.lstm)
    if quick:
        lstm.update(max_epochs=2, hidden_size=8, batch_size=64)
    return make_lstm_pipeline(
        problem.series.name,
        lookback=problem.lookback,
        seasonal_periods=problem.periods or None,
        target_change="relative" if positive else "absolute",
        non_negative=non_negative,
        random_state=seed,
        **lstm,
    )


def _naive_lstm(problem: Problem, seed: int, quick: bool, clip: bool):
    from sklstm.pipeline import make_naive_lstm

    model = make_naive_lstm(
        problem.lookback, random_state=seed,
        max_epochs=2 if quick else 200, hidden_size=8 if quick else 50,
    )
    if not clip:
        model.set_params(non_negative=None)
    return model


def _supervised(frame, target, horizon):
    from sklstm import make_supervised

    filled = frame.interpolate(limit_direction="both")
    X, Y = make_supervised(filled, target, horizon=list(range(1, horizon + 1)))
    return X, Y


def _forecast(model, history, horizon, target):
    from sklstm import forecast

    return forecast(model, history, horizon=horizon, target=target)


def _scores(actual: pd.Series, predicted: pd.Series, train: pd.Series, season: int):
    from sklstm.metrics import mae, mase, rmse, smape

    ok = actual.notna().to_numpy()
    t, p = actual.to_numpy()[ok], predicted.to_numpy()[ok]
    m = season if train.notna().sum() > season else 1
    return {
        "MAE": mae(t, p),
        "RMSE": rmse(t, p),
        "MASE": mase(t, p, train.to_numpy(), m=m),
        "sMAPE": smape(t, p),
    }


# ---------------------------------------------------------------- report
def format_table(metrics: pd.DataFrame) -> str:
    """The comparison table, best MAE first, with the change against the naive LSTM.

    >>> m = pd.DataFrame({"MAE": [10.0, 40.0], "RMSE": [12.0, 50.0],
    ...                   "MASE": [0.5, 2.0], "sMAPE": [3.0, 9.0]},
    ...                  index=["sklstm pipeline (tuned)", "naive LSTM recipe"])
    >>> print(format_table(m))
    model                          MAE       RMSE   MASE  sMAPE %  MAE vs naive LSTM
    sklstm pipeline (tuned)         10         12   0.50     3.00      75% lower
    naive LSTM recipe               40         50   2.00     9.00       baseline
    """
    metrics = metrics.sort_values("MAE")
    ref = metrics["MAE"].get(MODEL_NAMES["naive_lstm"])
    lines = [f"{'model':26s} {'MAE':>8s} {'RMSE':>10s} {'MASE':>6s} {'sMAPE %':>8s}"
             f"  MAE vs naive LSTM"]
    for name, row in metrics.iterrows():
        if name == MODEL_NAMES["naive_lstm"] or ref is None:
            change = "baseline" if ref is not None else ""
        elif ref > 0:
            pct = 100.0 * (ref - row["MAE"]) / ref
            change = f"{abs(pct):.0f}% {'lower' if pct >= 0 else 'higher'}"
        else:
            change = ""
        lines.append(
            f"{name:26s} {row['MAE']:8.4g} {row['RMSE']:10.4g} {row['MASE']:6.2f} "
            f"{row['sMAPE']:8.2f}  {change:>17s}"
        )
    return "\n".join(lines)


def _plot(path: Path, history, holdout, predictions, future, problem) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return (
            "matplotlib is not installed, so no plot was written "
            "(pip install 'sklstm[plot]')."
        )
    shown = max(6 * problem.horizon, 4 * problem.season)
    past = history.iloc[-shown:]
    fig, ax = plt.subplots(figsize=(10, 5.4), layout="constrained")
    ax.plot(past.index, past.to_numpy(), color="0.25", lw=1.2, label="history")
    ax.plot(holdout.index, holdout.to_numpy(), color="black", lw=1.6, marker=".",
            label="held-out actual")
    styles = {
        MODEL_NAMES["snaive"]: dict(color="tab:gray", ls=":"),
        MODEL_NAMES["ridge"]: dict(color="tab:green", ls="--"),
        MODEL_NAMES["naive_lstm"]: dict(color="tab:red", ls="--"),
        MODEL_NAMES["sklstm"]: dict(color="tab:blue", lw=2.2),
    }
    for name, style in styles.items():
        if name in predictions:
            pred = predictions[name]
            ax.plot(pred.index, pred.to_numpy(), label=f"{name} (held-out)",
                    **{"lw": 1.2, **style})
    ax.plot(future.index, future.to_numpy(), color="tab:blue", lw=2.2, alpha=0.55,
            label="sklstm forecast (refit on all data)")
    ax.axvline(holdout.index[0], color="0.6", lw=0.8)
    ax.set_title(f"{problem.name}: {problem.horizon}-step forecast")
    ax.set_ylabel(str(history.name))
    fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


# ---------------------------------------------------------------- main job
def run(args) -> int:
    """Everything after argument parsing; returns the exit status."""
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from sklstm.pipeline import make_ridge_baseline, seasonal_naive_forecast

    started = time.perf_counter()
    problem = load_problem(args)
    out = Path(args.out)
    series, h, target = problem.series, problem.horizon, str(problem.series.name)
    series = series.rename(target)
    train, holdout = series.iloc[:-h], series.iloc[-h:]
    observed = train.dropna()
    positive = bool((observed > 0).all())
    non_negative = bool((observed >= 0).all())
    frame = train.to_frame()
    n_gaps = int(train.isna().sum())

    print(f"sklstm: {problem.name}, {len(series)} rows"
          + (f" ({n_gaps} gaps in the training part)" if n_gaps else "")
          + f"; holding out the last {h} ({_fmt_time(holdout.index[0])} .. "
          f"{_fmt_time(holdout.index[-1])})")
    print(f"  season {problem.season}, lookback {problem.lookback}, "
          f"{'multiplicative (relative changes)' if positive else 'additive'}"
          f", outputs {'kept >= 0' if non_negative else 'unbounded'}")

    X, Y = _supervised(frame, target, h)
    X = frame.iloc[: len(X)]  # gaps stay in X: the pipeline's Interpolator fills them
    plan = _cv_plan(len(X), h, problem.lookback)
    if plan is None:  # _check_length makes this unreachable for valid input
        raise InputError(f"{problem.name} is too short to tune on.")
    test_size, gap = plan
    n_splits = 2 if args.quick else N_SPLITS
    cv = TimeSeriesSplit(n_splits=n_splits, test_size=test_size, gap=gap)
    grid = _grid(problem, args.quick)
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    n_jobs = args.n_jobs or min(2, os.cpu_count() or 1)
    print(f"tuning: {n_candidates} candidates x {n_splits} time-ordered folds = "
          f"{n_candidates * n_splits} fits (n_jobs={n_jobs})", flush=True)
    model = _pipeline(problem, positive, non_negative, args.seed, args.quick)
    search = GridSearchCV(
        model, grid, cv=cv, n_jobs=n_jobs, refit=True, error_score="raise",
        scoring=ProgressScorer(list(grid), n_candidates * n_splits),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(X, Y)
    best = {k.rsplit("__", 1)[-1]: _shown(v) for k, v in search.best_params_.items()}
    print(f"best: {', '.join(f'{k}={v}' for k, v in best.items())} "
          f"(mean CV MAE {-search.best_score_:.4g})", flush=True)

    filled = frame.interpolate(limit_direction="both")
    predictions = {
        MODEL_NAMES["sklstm"]: _forecast(search.best_estimator_, frame, h, target),
        MODEL_NAMES["snaive"]: seasonal_naive_forecast(train, h, problem.season),
    }
    Xf = filled.iloc[: len(X)]
    ridge = make_ridge_baseline(max(problem.season, problem.lookback)).fit(Xf, Y)
    predictions[MODEL_NAMES["ridge"]] = _forecast(ridge, filled, h, target)
    print("fitting the naive LSTM recipe ...", flush=True)
    naive = _naive_lstm(problem, args.seed, args.quick, non_negative).fit(Xf, Y)
    predictions[MODEL_NAMES["naive_lstm"]] = _forecast(naive, filled, h, target)
    for name in predictions:
        predictions[name].index = holdout.index

    metrics = pd.DataFrame(
        {name: _scores(holdout, pred, train, problem.season)
         for name, pred in predictions.items()}
    ).T
    metrics.index.name = "model"
    print()
    print(f"held-out forecast of the last {h} steps "
          f"(MASE scaled by the in-sample seasonal-naive MAE, m={problem.season}):")
    print(format_table(metrics))
    print()

    print("refitting the tuned pipeline on all rows for the forecast ...", flush=True)
    whole = series.to_frame()
    Xa, Ya = _supervised(whole, target, h)
    final = search.best_estimator_.fit(whole.iloc[: len(Xa)], Ya)
    future = _forecast(final, whole, h, target)

    out.mkdir(parents=True, exist_ok=True)
    future.rename("forecast").rename_axis("time").to_csv(out / "forecast.csv")
    table = pd.DataFrame({"actual": holdout, **predictions})
    table.rename_axis("time").to_csv(out / "holdout.csv")
    metrics.sort_values("MAE").to_csv(out / "metrics.csv")
    written = ["forecast.csv", "holdout.csv", "metrics.csv"]
    if not args.no_plot:
        note = _plot(out / "forecast.png", train, holdout, predictions, future, problem)
        if note:
            print(f"note: {note}")
        else:
            written.append("forecast.png")
    print(f"wrote {', '.join(written)} to {out}/ "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


def main(argv=None) -> int:
    """Entry point of the ``sklstm`` command and of ``python -m sklstm``."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except InputError as exc:
        print(f"sklstm: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sklstm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
