"""Accuracy on real series: does sklstm fix the inaccurate LSTM?

Run: ``python benchmarks/accuracy.py [--quick] [--seeds 0 1 2] [--datasets ...]
[--models ...]``. It prints one table per data set and protocol, then the mean
MASE ranks, and writes them as Markdown (``--out``) and as reStructuredText
for the documentation (``--rst``).

Protocol, for every bundled data set (``sklstm.datasets``), with the series,
held-out tail, lookback and seasonal periods of the ``sklstm`` command's
presets (``sklstm.cli.PRESETS``): airline holds out its last 24 months,
electricity the last 48 half-hours of its last six weeks, co2 the last 52
weeks of its last twenty years. Every model is fitted once, on the rows before
the tail only, and then forecasts the tail in two ways:

- **one step, rolling origin**: each tail value from the actual values before
  it (a separate forecast per origin, from the history up to that origin, so
  no later value leaks in through gap filling or a centred window);
- **H steps, direct**: all ``H`` tail values from the last training row, the
  forecast a user gets (``H`` = 24, 48, 52). Models that predict one step
  only (the Keras recipe) feed their own predictions back (recursive).

Models:

- ``seasonal naive`` (the value one season before) and ``naive`` (the last
  value);
- ``AutoETS`` and ``AutoARIMA`` from statsforecast, with the data set's
  season, when statsforecast is installed (``pip install sklstm[bench]``).
  For seasons longer than 24 steps AutoETS fits no seasonal component (its
  own rule) and AutoARIMA is fitted on the last ten seasons with its
  approximate search and seasonal orders at most 1: its full search takes
  many minutes there;
- ``Ridge on lag features``: ``make_ridge_baseline(max(season, lookback))``,
  direct (one output per step ahead);
- the **Keras recipe** people write first: Keras 3 on its torch backend,
  ``LSTM(50, activation="relu")`` + ``Dense(1)``, adam, mse, batch 32, at
  most 200 epochs with early stopping (patience 10, best weights restored) on
  the last 10% of the windows, inputs and target standard-scaled raw values;
  recursive for H steps; reported as is and clipped at 0;
- ``sklstm default``: ``make_lstm_pipeline`` with its defaults and the
  preset's lookback and seasonal periods, direct;
- ``sklstm tuned``: the same pipeline tuned by ``GridSearchCV`` over a
  ``TimeSeriesSplit`` of the training part only, with the ``sklstm``
  command's grid and folds (``sklstm.cli._grid``, ``_cv_plan``).

The neural models are trained once per seed of ``--seeds``; their rows show
the mean and, in brackets, the min-max range over seeds. Metrics: MAE, RMSE,
MASE (scaled by the in-sample seasonal-naive MAE), sMAPE (%), and the share of
negative predictions (``neg %``). ``s/seed`` is the time to fit and forecast
with one seed. The summary ranks the models by mean MASE on each data set
and protocol and averages the ranks.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

from sklstm.cli import PRESETS, _scores, _supervised, load_problem
from sklstm.cli import build_parser as build_cli_parser

METRICS = ["MAE", "RMSE", "MASE", "sMAPE", "neg %"]
PROTOCOLS = {"one": "one step ahead, rolling origin", "multi": "H steps ahead, direct"}


# ------------------------------------------------------------------ the data
@dataclass
class Setting:
    """One data set's series, split and settings."""

    name: str
    series: pd.Series  # the whole series, named
    horizon: int  # H: the length of the held-out tail
    lookback: int
    season: int
    periods: list
    lstm: dict

    @property
    def n_train(self) -> int:
        return len(self.series) - self.horizon

    @property
    def train(self) -> pd.Series:
        return self.series.iloc[: self.n_train]

    @property
    def holdout(self) -> pd.Series:
        return self.series.iloc[self.n_train:]

    @property
    def target(self) -> str:
        return str(self.series.name)

    @property
    def positive(self) -> bool:
        return bool((self.train.dropna() > 0).all())

    @property
    def non_negative(self) -> bool:
        return bool((self.train.dropna() >= 0).all())

    def supervised(self):
        """``X, Y`` of the training part: X its target column (gaps kept),
        Y the values 1..H steps ahead."""
        frame = self.train.to_frame()
        X, Y = _supervised(frame, self.target, self.horizon)
        return frame.iloc[: len(X)], Y


def load_setting(name: str) -> Setting:
    """The data set as the ``sklstm`` command's preset defines it."""
    p = load_problem(build_cli_parser().parse_args(["--dataset", name]))
    return Setting(name=name, series=p.series.rename(str(p.series.name)),
                   horizon=p.horizon, lookback=p.lookback, season=p.season,
                   periods=p.periods, lstm=dict(p.lstm))


def _filled(values: pd.Series) -> pd.Series:
    return values.interpolate(limit_direction="both")


# ------------------------------------------------------------ the protocols
def sklearn_forecasts(model, s: Setting, fill: bool):
    """One-step (rolling origin) and H-step (direct) forecasts of a model fitted
    on ``make_supervised`` with horizons 1..H: each from its history only."""
    one = []
    for t in range(s.n_train, len(s.series)):
        history = s.series.iloc[:t].to_frame()
        if fill:
            history = _filled(history)
        one.append(np.asarray(model.predict(history), dtype=float)[-1, 0])
    history = s.train.to_frame()
    if fill:
        history = _filled(history)
    multi = np.asarray(model.predict(history), dtype=float)[-1]
    return np.array(one), multi


def m_naive(s: Setting, seed, quick):
    values = s.series.to_numpy()
    one = values[s.n_train - 1:-1]
    multi = np.repeat(_filled(s.train).to_numpy()[-1], s.horizon)
    return {"naive": (one, multi)}


def m_snaive(s: Setting, seed, quick):
    from sklstm.pipeline import seasonal_naive_forecast

    values = _filled(s.series).to_numpy()
    m = s.season
    one = values[s.n_train - m: len(values) - m]
    multi = seasonal_naive_forecast(s.train, s.horizon, m).to_numpy()
    return {"seasonal naive": (one, multi)}


def _statsforecast(label, factory):
    def fit(s: Setting, seed, quick):
        values = _filled(s.series).to_numpy()
        model, first = factory(s)
        model.fit(values[first: s.n_train])
        multi = np.asarray(model.predict(s.horizon)["mean"], dtype=float)
        one = [float(model.forward(y=values[first:t], h=1)["mean"][0])
               for t in range(s.n_train, len(values))]
        return {label: (np.array(one), multi)}
    return fit


#: Seasons longer than this get statsforecast's settings for long seasons.
LONG_SEASON = 24


def _auto_ets(s: Setting):
    """AutoETS on the whole training part (like R's ets, it fits no seasonal
    component when the season is longer than 24)."""
    from statsforecast.models import AutoETS

    return AutoETS(season_length=s.season), 0


def _auto_arima(s: Setting):
    """AutoARIMA; for seasons longer than 24 (electricity 48, co2 52) on the
    last ten seasons with the approximate search and seasonal orders P, Q <= 1,
    which keeps it to seconds instead of many minutes."""
    from statsforecast.models import AutoARIMA

    if s.season <= LONG_SEASON:
        return AutoARIMA(season_length=s.season), 0
    model = AutoARIMA(season_length=s.season, approximation=True, max_P=1, max_Q=1)
    return model, max(0, s.n_train - 10 * s.season)


def m_ridge(s: Setting, seed, quick):
    from sklstm.pipeline import make_ridge_baseline

    X, Y = s.supervised()
    model = make_ridge_baseline(max(s.season, s.lookback)).fit(_filled(X), Y)
    return {"Ridge on lag features": sklearn_forecasts(model, s, fill=True)}


def m_keras(s: Setting, seed, quick):
    """The Keras recipe: one model, reported as is and clipped at 0."""
    import keras
    from numpy.lib.stride_tricks import sliding_window_view

    keras.utils.set_random_seed(seed)
    values = _filled(s.series).to_numpy()
    train = values[: s.n_train]
    mu, sd = train.mean(), train.std()
    z = (values - mu) / sd
    L = s.lookback
    X = sliding_window_view(z[: s.n_train], L)[:-1][..., None]
    y = z[L: s.n_train]
    model = keras.Sequential([
        keras.Input((L, 1)),
        keras.layers.LSTM(2 if quick else 50, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    model.fit(X, y, epochs=2 if quick else 200, batch_size=32, validation_split=0.1,
              callbacks=[stop], verbose=0)
    # one step: the window ending just before each tail row, actual values
    windows = sliding_window_view(z, L)[s.n_train - L: len(z) - L][..., None]
    one = model.predict(windows, verbose=0).reshape(-1) * sd + mu
    # H steps: recursive, each prediction fed back as the newest input
    window = list(z[s.n_train - L: s.n_train])
    multi = []
    for _ in range(s.horizon):
        nxt = float(model.predict(np.array(window[-L:])[None, :, None],
                                  verbose=0)[0, 0])
        multi.append(nxt)
        window.append(nxt)
    multi = np.array(multi) * sd + mu
    return {"Keras recipe": (one, multi),
            "Keras recipe, clipped at 0": (np.maximum(one, 0), np.maximum(multi, 0))}


def _problem(s: Setting):
    from sklstm.cli import Problem

    return Problem(series=s.series, name=s.name, horizon=s.horizon,
                   lookback=s.lookback, season=s.season, periods=s.periods,
                   lstm=s.lstm)


def _sklstm_pipeline(s: Setting, seed, quick):
    from sklstm.cli import _pipeline

    return _pipeline(_problem(s), s.positive, s.non_negative, seed, quick)


def m_sklstm(s: Setting, seed, quick):
    X, Y = s.supervised()
    model = _sklstm_pipeline(s, seed, quick).fit(X, Y)
    return {"sklstm default": sklearn_forecasts(model, s, fill=False)}


def m_sklstm_tuned(s: Setting, seed, quick):
    """The ``sklstm`` command's search: its grid, folds and MAE scoring."""
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from sklstm.cli import N_SPLITS, _cv_plan, _grid
    from sklstm.metrics import mae

    X, Y = s.supervised()
    test_size, gap = _cv_plan(len(X), s.horizon, s.lookback)
    cv = TimeSeriesSplit(n_splits=2 if quick else N_SPLITS, test_size=test_size,
                         gap=gap)
    search = GridSearchCV(
        _sklstm_pipeline(s, seed, quick), _grid(_problem(s), quick), cv=cv,
        scoring=make_scorer(mae, greater_is_better=False),
        n_jobs=1 if quick else 2, error_score="raise",
    ).fit(X, Y)
    return {"sklstm tuned": sklearn_forecasts(search.best_estimator_, s, fill=False)}


@dataclass
class Model:
    labels: tuple  # the rows it reports
    fit: object  # (setting, seed, quick) -> {label: (one-step, H-step)}
    neural: bool = False


MODELS = {
    "snaive": Model(("seasonal naive",), m_snaive),
    "naive": Model(("naive",), m_naive),
    "ets": Model(("AutoETS",), _statsforecast("AutoETS", _auto_ets)),
    "arima": Model(("AutoARIMA",), _statsforecast("AutoARIMA", _auto_arima)),
    "ridge": Model(("Ridge on lag features",), m_ridge),
    "keras": Model(("Keras recipe", "Keras recipe, clipped at 0"), m_keras, True),
    "sklstm": Model(("sklstm default",), m_sklstm, True),
    "tuned": Model(("sklstm tuned",), m_sklstm_tuned, True),
}


def available(keys) -> list:
    """``keys`` without the statsforecast models when it is not installed."""
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        dropped = [k for k in keys if k in ("ets", "arima")]
        if dropped:
            print(f"statsforecast is not installed: skipping {', '.join(dropped)} "
                  "(pip install 'sklstm[bench]')", flush=True)
        return [k for k in keys if k not in ("ets", "arima")]
    return list(keys)


# ------------------------------------------------------------------ scoring
def score(actual: pd.Series, pred, s: Setting) -> dict:
    """MAE, RMSE, MASE, sMAPE and the share of negative predictions (%)."""
    pred = np.asarray(pred, dtype=float)
    out = _scores(actual, pd.Series(pred, index=actual.index), s.train, s.season)
    out["neg %"] = 100.0 * float(np.mean(pred < 0))
    return out


def run_dataset(s: Setting, keys, seeds, quick) -> pd.DataFrame:
    """Per-seed scores: one row per (model, seed, protocol)."""
    print(f"{s.name}: {len(s.series)} rows, forecasting the last {s.horizon} "
          f"(season {s.season}, lookback {s.lookback})", flush=True)
    rows = []
    for key in keys:
        model = MODELS[key]
        for seed in (seeds if model.neural else [None]):
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results = model.fit(s, seed or 0, quick)
            secs = time.perf_counter() - started
            for label, (one, multi) in results.items():
                for proto, pred in (("one", one), ("multi", multi)):
                    rows.append({"model": label, "seed": seed, "protocol": proto,
                                 **score(s.holdout, pred, s), "seconds": secs})
                print(f"  {label:28s} seed {seed if seed is not None else '-':>2}  "
                      f"MASE one step {rows[-2]['MASE']:6.3f}  H steps "
                      f"{rows[-1]['MASE']:6.3f}  ({secs:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def summarise(raw: pd.DataFrame) -> dict:
    """``{protocol: table}``: mean, min and max over seeds per model."""
    tables = {}
    for proto, part in raw.groupby("protocol", sort=False):
        stats = part.groupby("model", sort=False)[METRICS + ["seconds"]]
        table = stats.mean()
        lo, hi = stats.min(), stats.max()
        for c in METRICS:
            table[f"{c} min"], table[f"{c} max"] = lo[c], hi[c]
        table["seeds"] = part.groupby("model", sort=False)["seed"].count().clip(lower=1)
        tables[proto] = table
    return tables


def ranks(tables: dict) -> pd.DataFrame:
    """MASE rank (1 = best) per data set and protocol, and the mean rank."""
    frame = pd.DataFrame({
        f"{name} {'1-step' if proto == 'one' else 'H-step'}": t["MASE"].rank()
        for name, per in tables.items() for proto, t in per.items()
    })
    frame["mean rank"] = frame.mean(axis=1)
    return frame.sort_values("mean rank")


# ------------------------------------------------------------------ output
def _cell(row, c: str) -> str:
    fmt = {"MASE": "{:.3f}", "sMAPE": "{:.2f}", "neg %": "{:.1f}"}.get(c, "{:.4g}")
    text = fmt.format(row[c])
    if row["seeds"] > 1 and row[f"{c} max"] > row[f"{c} min"]:
        text += f" ({fmt.format(row[f'{c} min'])}-{fmt.format(row[f'{c} max'])})"
    return text


def table_rows(table: pd.DataFrame) -> list:
    """Header and rows of one result table, as text cells."""
    head = ["model", *METRICS, "seeds", "s/seed"]
    rows = [[str(name), *(_cell(row, c) for c in METRICS), str(int(row["seeds"])),
             f"{row['seconds']:.0f}"] for name, row in table.iterrows()]
    return [head, *rows]


def rank_rows(rank: pd.DataFrame) -> list:
    return [["model", *rank.columns],
            *([str(n), *(f"{v:.2f}" for v in row)] for n, row in rank.iterrows())]


def markdown(rows: list) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def rst(rows: list) -> str:
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for r in rows:
        lines.append(f"   * - {r[0]}")
        lines += [f"     - {c}" for c in r[1:]]
    return "\n".join(lines)


def plain(rows: list) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                  for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows
    )


def report(tables: dict, render, heading) -> str:
    """All tables and the rank summary, as one document in a format."""
    parts = []
    for name, per in tables.items():
        parts.append(heading(name, 2))
        for proto, table in per.items():
            parts.append(heading(PROTOCOLS[proto], 3))
            parts.append(render(table_rows(table)))
    parts.append(heading("Mean MASE rank (1 = best)", 2))
    parts.append(render(rank_rows(ranks(tables))))
    return "\n\n".join(parts) + "\n"


def _md_heading(text, level):
    return "#" * level + " " + text


def _rst_heading(text, level):
    return f"{text}\n{'~^'[level - 2] * len(text)}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] + "\n\nModels: " + ", ".join(MODELS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="seeds of the neural models (default: 0 1 2)")
    parser.add_argument("--datasets", nargs="+", choices=sorted(PRESETS),
                        default=None, help="data sets (default: all)")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=None,
                        help="models (default: all)")
    parser.add_argument("--out", default="benchmarks/results/accuracy.md",
                        help="Markdown file (default: benchmarks/results/accuracy.md)")
    parser.add_argument("--rst", default="docs/accuracy_results.rst",
                        help="reStructuredText file for the docs "
                        "(default: docs/accuracy_results.rst; '' for none)")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (default: 2)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: airline only, one seed, tiny models")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from sklstm.datasets import DATASETS

    names = args.datasets or [k for k in DATASETS if k in PRESETS]
    seeds, keys = args.seeds, available(args.models or list(MODELS))
    if args.quick:
        names, seeds = ["airline"], seeds[:1]
    started = time.perf_counter()
    tables = {}
    for name in names:
        tables[name] = summarise(run_dataset(load_setting(name), keys, seeds,
                                             args.quick))
        for proto, table in tables[name].items():
            print(f"\n{name}: {PROTOCOLS[proto]}\n{plain(table_rows(table))}",
                  flush=True)
    rank = ranks(tables)
    print(f"\nmean MASE rank (1 = best)\n{plain(rank_rows(rank))}")
    total = time.perf_counter() - started
    command = "python benchmarks/accuracy.py" + (" --quick" if args.quick else "")
    intro = (
        f"Produced by `{command}` in {total / 60:.1f} min (seeds "
        f"{', '.join(map(str, seeds))}; torch threads {args.threads}). Neural "
        "models: mean over seeds (min-max). MASE is scaled by the in-sample "
        "seasonal-naive MAE; 'neg %' is the share of negative predictions."
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("# Accuracy on the bundled series\n\n" + intro + "\n\n"
                   + report(tables, markdown, _md_heading))
    written = [str(out)]
    if args.rst:
        path = Path(args.rst)
        path.write_text(intro.replace("`", "``") + "\n\n"
                        + report(tables, rst, _rst_heading))
        written.append(str(path))
    print(f"wrote {', '.join(written)} ({total:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
