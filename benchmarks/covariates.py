"""Held-out accuracy with covariates known in advance, and without them.

Two real examples:

- **Seatbelts** (R's ``datasets``): monthly car drivers killed in Great
  Britain, 1969-1984. The seat-belt law took effect in February 1983;
  ``law`` (0/1) and ``PetrolPrice`` are known in advance (a law is passed
  before it takes effect; the petrol price stands for a price plan).
- **electricity** (bundled): half-hourly demand over 12 weeks, with calendar
  terms (day of week, as one-hot columns) generated from the index.

Each is forecast by :class:`~sklstm.LSTMForecaster` from several origins
(the last ``--windows`` ones, ``ceil(H / windows)`` rows apart, each a fresh
fit, as the command does), with the M4 horizon of its time step (18 months;
a day of half-hours), for seeds 0-2 (electricity: seed 0), with each set of
covariates. A Ridge on
lag features with the same covariates' leads (one per step ahead, through
``make_supervised(..., future=...)``) is the linear reference. MASE is
scaled by the in-sample seasonal-naive MAE (lag 12 monthly, 48 half-hourly)
before the first origin.

Run ``python benchmarks/covariates.py`` (about 10 minutes on 2 cores);
``--smoke`` runs tiny networks on Seatbelts only. Results go to
``benchmarks/results/covariates.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def seatbelts() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "Seatbelts.csv", parse_dates=["time"],
                        index_col="time")
    return frame.asfreq("MS")[["DriversKilled", "law", "PetrolPrice"]]


def electricity() -> pd.DataFrame:
    from sklstm.datasets import load_electricity

    frame = load_electricity()
    days = pd.get_dummies(frame.index.day_of_week, prefix="dow", dtype=float)
    days.index = frame.index
    return pd.concat([frame, days], axis=1)


EXAMPLES = {
    # name: (loader, target, horizon, MASE lag, {variant: covariate columns})
    "Seatbelts": (seatbelts, "DriversKilled", 18, 12, {
        "none": [], "law": ["law"], "law + PetrolPrice": ["law", "PetrolPrice"],
    }),
    "electricity": (electricity, "demand", 48, 48, {
        "none": [], "day of week": [f"dow_{d}" for d in range(7)],
    }),
}


def origins(n: int, horizon: int, windows: int) -> list[int]:
    step = max(1, -(-horizon // windows))
    last = n - 1 - horizon
    return [last - step * k for k in range(windows - 1, -1, -1)]


def lstm_forecast(frame, target, columns, origin, horizon, seed, smoke):
    from sklstm import LSTMForecaster

    kw = dict(n_members=1, max_epochs=2, hidden_size=4) if smoke else {}
    train = frame.iloc[: origin + 1]
    model = LSTMForecaster(horizon=horizon, random_state=seed, n_jobs=1, **kw)
    if not columns:
        return model.fit(train[target]).predict().to_numpy()
    model.fit(train[target], X=train[columns])
    # the covariates of the forecast steps: known in advance
    return model.predict(X=frame[columns].iloc[origin + 1: origin + 1 + horizon]
                         ).to_numpy()


def ridge_forecast(frame, target, columns, origin, horizon, season):
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    from sklstm import LagFeatures, forecast, make_supervised

    data = frame[[target, *columns]].iloc[: origin + 1]
    X, Y = make_supervised(data, target, horizon=list(range(1, horizon + 1)),
                           features=[target], future=columns or None)
    # lags of the target; the covariates' leads pass through as they are
    lags = LagFeatures(max(season, 12), columns=[target])
    model = make_pipeline(lags, Ridge(alpha=1.0)).fit(X, Y)
    future = frame[columns].iloc[origin + 1: origin + 1 + horizon] if columns \
        else None
    return forecast(model, data, horizon, target=target, features=[target],
                    future=future).to_numpy()


def mase(actual, predicted, scale):
    return float(np.mean(np.abs(actual - predicted)) / scale)


def run(smoke: bool, windows: int, seeds: list[int]) -> pd.DataFrame:
    from sklstm.metrics import naive_scale

    rows = []
    for name, (load, target, horizon, m, variants) in EXAMPLES.items():
        if smoke and name != "Seatbelts":
            continue
        frame = load()
        y = frame[target].to_numpy(dtype=float)
        at = origins(len(frame), horizon, windows)
        scale = naive_scale(y[: at[0] + 1], m)
        for variant, columns in variants.items():
            for model in ("sklstm", "Ridge on lags"):
                # one seed on the 4032 half-hours (a fit takes a minute or more)
                runs = seeds if name == "Seatbelts" else seeds[:1]
                for seed in (runs if model == "sklstm" else [0]):
                    started = time.perf_counter()
                    errors = []
                    for origin in at:
                        actual = y[origin + 1: origin + 1 + horizon]
                        if model == "sklstm":
                            pred = lstm_forecast(frame, target, columns, origin,
                                                 horizon, seed, smoke)
                        else:
                            pred = ridge_forecast(frame, target, columns, origin,
                                                  horizon, m)
                        errors.append(mase(actual, pred, scale))
                    rows.append(dict(example=name, covariates=variant, model=model,
                                     seed=seed, MASE=float(np.mean(errors)),
                                     seconds=time.perf_counter() - started))
                    print(f"  {name:12s} {variant:18s} {model:14s} seed {seed}: "
                          f"MASE {rows[-1]['MASE']:.3f}", flush=True)
    return pd.DataFrame(rows)


def table(raw: pd.DataFrame) -> str:
    summary = (raw.groupby(["example", "covariates", "model"], sort=False)["MASE"]
               .agg(["mean", "min", "max"]).reset_index())
    lines = ["| example | covariates | model | MASE (mean over seeds) | range |",
             "|---|---|---|---:|---|"]
    for _, r in summary.iterrows():
        spread = (f"{r['min']:.3f} – {r['max']:.3f}" if r["max"] > r["min"]
                  else "–")
        lines.append(f"| {r['example']} | {r['covariates']} | {r['model']} | "
                     f"{r['mean']:.3f} | {spread} |")
    return "\n".join(lines)


def rst_table(raw: pd.DataFrame) -> str:
    """The summary as an RST list-table, for docs/covariates_results.rst."""
    summary = (raw.groupby(["example", "covariates", "model"], sort=False)["MASE"]
               .agg(["mean", "min", "max", "count"]).reset_index())
    lines = [".. list-table::", "   :header-rows: 1", "",
             "   * - example", "     - covariates", "     - model",
             "     - MASE", "     - range over seeds"]
    for _, r in summary.iterrows():
        spread = f"{r['min']:.3f} - {r['max']:.3f}" if r["count"] > 1 else "one run"
        lines += [f"   * - {r['example']}", f"     - {r['covariates']}",
                  f"     - {r['model']}", f"     - {r['mean']:.3f}",
                  f"     - {spread}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--render", metavar="CSV", default=None,
                        help="fit nothing: write the docs table of this CSV")
    parser.add_argument("--rst", default=str(HERE.parent / "docs"
                                             / "covariates_results.rst"))
    args = parser.parse_args(argv)
    if args.render:
        Path(args.rst).write_text(rst_table(pd.read_csv(args.render)))
        return 0
    warnings.simplefilter("ignore", UserWarning)
    raw = run(args.smoke, args.windows, [0] if args.smoke else args.seeds)
    text = table(raw)
    print(text)
    if not args.smoke:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        intro = (
            "# Covariates known in advance: held-out accuracy\n\n"
            f"`python benchmarks/covariates.py`: {args.windows} origins per "
            "example (the last ones, ceil(H / windows) rows apart, a fresh fit "
            "at each), M4 horizon (18 months; 48 half-hours), MASE scaled by "
            "the in-sample seasonal-naive MAE before the first origin; sklstm "
            f"over seeds {args.seeds} (electricity: seed {args.seeds[0]}).\n\n"
        )
        (out / "covariates.md").write_text(intro + text + "\n")
        raw.to_csv(out / "covariates.csv", index=False)
        Path(args.rst).write_text(rst_table(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
