"""Accuracy on real series: the naive LSTM recipe against sklstm's default pipeline.

Run: ``python benchmarks/accuracy.py [--quick] [--seeds 0 1 2] [--out PATH]``.

Protocol, for every bundled data set (``sklstm.datasets``): the series, the
held-out tail, the lookback and the seasonal periods are those of the
``sklstm`` command's presets (``sklstm.cli.PRESETS``: airline holds out the
last 24 months, electricity the last 48 half-hours of its last six weeks, co2
the last 52 weeks of its last twenty years). Each model is fitted once on the
rows before the tail, on one-step targets, and then forecasts every step of
the tail one step ahead from the actual values before it (it is not refitted;
each forecast is a ``predict`` on the history up to its origin, so no later
value leaks in through gap filling or the centred outlier window).

Models:

- seasonal naive: the value one season before (the data set's season);
- naive: the previous value;
- Ridge on lag features: ``make_ridge_baseline(max(season, lookback))``;
- naive LSTM recipe: ``make_naive_lstm`` as the command builds it (standard
  scaling, hidden 50, 200 epochs, no early stopping, clipped at zero);
- sklstm pipeline (default): ``make_lstm_pipeline`` with its default
  parameters and the preset's lookback, seasonal periods and training
  settings, untuned.

The two neural models are trained with each seed of ``--seeds``; their rows
show the mean over seeds and, in brackets, the min-max range. Metrics: MAE,
RMSE, MASE (scaled by the in-sample seasonal-naive MAE), sMAPE (%), and the
share of negative predictions; "s per seed" is the time to fit and
forecast. The summary ranks the models by MASE on each
data set (mean over seeds) and averages the ranks.

Not included yet: the Keras recipe, statsforecast references, the tuned
pipeline, multi-step (direct) forecasts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sklstm.cli import (
    PRESETS,
    _naive_lstm,
    _pipeline,
    _scores,
    _supervised,
    load_problem,
)

MODELS = {
    "snaive": "seasonal naive",
    "naive": "naive",
    "ridge": "Ridge on lag features",
    "naive_lstm": "naive LSTM recipe",
    "sklstm": "sklstm pipeline (default)",
}
NEURAL = ("naive_lstm", "sklstm")
METRICS = ["MAE", "RMSE", "MASE", "sMAPE", "neg %"]


def one_step(model, series: pd.Series, n_train: int, fill: bool) -> np.ndarray:
    """One-step forecasts of rows ``n_train..``, each from the rows before it only.

    Each forecast is a separate ``predict`` on the history up to its origin, so
    no later value reaches it (through gap filling or a centred outlier
    window); ``fill`` interpolates that history first, for the models that do
    not handle gaps.
    """
    out = []
    for t in range(n_train, len(series)):
        history = series.iloc[:t].to_frame()
        if fill:
            history = history.interpolate(limit_direction="both")
        out.append(np.asarray(model.predict(history), dtype=float).reshape(-1)[-1])
    return np.array(out)


def fit_predict(key, problem, series, n_train, seed, quick) -> np.ndarray:
    """One model's one-step forecasts of the held-out tail."""
    from sklstm.pipeline import make_ridge_baseline

    target = str(series.name)
    train = series.iloc[:n_train]
    values = series.to_numpy()
    if key == "naive":
        return values[n_train - 1:-1]
    if key == "snaive":
        m = problem.season
        return values[n_train - m:len(values) - m]
    frame = train.to_frame()
    X, y = _supervised(frame, target, 1)
    filled = frame.interpolate(limit_direction="both")
    observed = train.dropna()
    positive = bool((observed > 0).all())
    non_negative = bool((observed >= 0).all())
    if key == "ridge":
        model = make_ridge_baseline(max(problem.season, problem.lookback))
    elif key == "naive_lstm":
        model = _naive_lstm(problem, seed, quick, non_negative)
    else:
        model = _pipeline(problem, positive, non_negative, seed, quick)
        model.fit(frame.iloc[: len(X)], y)  # the pipeline fills gaps itself
        return one_step(model, series, n_train, fill=False)
    model.fit(filled.iloc[: len(X)], y)
    return one_step(model, series, n_train, fill=True)


def score(actual, pred, train, season) -> dict:
    """The command's metrics plus the share of negative predictions (%)."""
    out = _scores(actual, pd.Series(pred, index=actual.index), train, season)
    out["neg %"] = 100.0 * float(np.mean(pred < 0))
    return out


def run_dataset(name: str, seeds, quick: bool) -> pd.DataFrame:
    """Per-seed scores: one row per (model, seed)."""
    args = argparse.Namespace(
        dataset=name, csv=None, target=None, time=None,
        horizon=None, lookback=None, season=None,
    )
    problem = load_problem(args)
    series = problem.series.rename(str(problem.series.name))
    h = problem.horizon
    n_train = len(series) - h
    train, holdout = series.iloc[:n_train], series.iloc[n_train:]
    print(f"{problem.name}: {len(series)} rows, one-step forecasts of the last {h}"
          f" (season {problem.season}, lookback {problem.lookback})", flush=True)
    rows = []
    for key, label in MODELS.items():
        for seed in (seeds if key in NEURAL else [None]):
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                pred = fit_predict(key, problem, series, n_train, seed or 0, quick)
            row = score(holdout, pred, train, problem.season)
            secs = time.perf_counter() - started
            print(f"  {label:26s} seed {seed if seed is not None else '-':>2}"
                  f"  MASE {row['MASE']:6.3f}  ({secs:.0f} s)", flush=True)
            rows.append({"model": label, "seed": seed, **row, "seconds": secs})
    return pd.DataFrame(rows)


def summarise(raw: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max over seeds per model, in MODELS order."""
    stats = raw.groupby("model", sort=False)[METRICS + ["seconds"]]
    table = stats.mean()
    table.columns = [f"{c}" for c in table.columns]
    lo, hi = stats.min(), stats.max()
    for c in METRICS:
        table[f"{c} min"], table[f"{c} max"] = lo[c], hi[c]
    table["seeds"] = raw.groupby("model", sort=False)["seed"].count().clip(lower=1)
    return table


def _cell(row, c: str) -> str:
    fmt = {"MASE": "{:.3f}", "sMAPE": "{:.3f}", "neg %": "{:.1f}"}.get(c, "{:.4g}")
    text = fmt.format(row[c])
    if row["seeds"] > 1 and row[f"{c} max"] > row[f"{c} min"]:
        text += f" ({fmt.format(row[f'{c} min'])}-{fmt.format(row[f'{c} max'])})"
    return text


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: mean (min-max over seeds)."""
    head = ["model", *METRICS, "seeds", "s per seed"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for name, row in table.iterrows():
        cells = [name, *(_cell(row, c) for c in METRICS),
                 str(int(row["seeds"])), f"{row['seconds']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ranks(tables: dict) -> pd.DataFrame:
    """Each model's MASE rank per data set (1 = best) and the mean rank."""
    frame = pd.DataFrame({k: t["MASE"].rank() for k, t in tables.items()})
    frame["mean rank"] = frame.mean(axis=1)
    return frame.sort_values("mean rank")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=(
            "One-step held-out accuracy on the bundled series (airline, "
            "electricity, co2), with the sklstm command's presets.\n"
            "Models: seasonal naive, naive, Ridge on lag features, the naive "
            "LSTM recipe, and sklstm's default pipeline (untuned).\n"
            "Not included: the Keras recipe, statsforecast models, the tuned "
            "pipeline, multi-step forecasts."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="seeds of the two LSTM models (default: 0 1 2)")
    parser.add_argument("--datasets", nargs="+", choices=sorted(PRESETS),
                        default=None, help="data sets (default: all)")
    parser.add_argument("--out", default="benchmarks/results/accuracy.md",
                        help="Markdown file for the tables "
                        "(default: benchmarks/results/accuracy.md)")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (default: 2)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: airline only, one seed, 2 epochs")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from sklstm.datasets import DATASETS

    names = args.datasets or [k for k in DATASETS if k in PRESETS]
    seeds = args.seeds
    if args.quick:
        names, seeds = ["airline"], seeds[:1]
    started = time.perf_counter()
    tables, parts = {}, []
    for name in names:
        tables[name] = summarise(run_dataset(name, seeds, args.quick))
        text = markdown(tables[name])
        print(f"\n{name}\n{text}\n", flush=True)
        parts.append(f"## {name}\n\n{text}\n")
    rank = ranks(tables)
    rank_md = "\n".join(
        ["| model | " + " | ".join(rank.columns) + " |",
         "|---" + "|---:" * len(rank.columns) + "|"]
        + [f"| {name} | " + " | ".join(f"{v:.2f}" for v in row) + " |"
           for name, row in rank.iterrows()]
    )
    print(f"mean MASE rank (1 = best)\n{rank.round(2).to_string()}")
    total = time.perf_counter() - started
    header = (
        "# One-step held-out accuracy\n\n"
        f"Produced by `python benchmarks/accuracy.py"
        f"{' --quick' if args.quick else ''}` in {total / 60:.1f} min "
        f"(seeds {', '.join(map(str, seeds))}; torch threads {args.threads}). "
        "Each model is fitted once on the rows before the held-out tail (the "
        "`sklstm` command's presets) and forecasts each tail step one step "
        "ahead from the history up to it. "
        "Neural models: mean over seeds (min-max). MASE is scaled by the "
        "in-sample seasonal-naive MAE; 'neg %' is the share of negative "
        "predictions.\n"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        header + "\n" + "\n".join(parts)
        + f"\n## Mean MASE rank (1 = best)\n\n{rank_md}\n"
    )
    print(f"wrote {out} ({total:.0f} s)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.exit(main())
