"""Prediction intervals on many real series: coverage and MSIS of sklstm's
conformal intervals and of an LSTM's own quantiles against the statistical
bar.

Run ``python benchmarks/interval_accuracy.py`` (20 to 40 minutes on two
cores), ``--smoke`` (two short series, tiny networks, under a minute) or
``--timing`` (only the timing of a refitting backtest, merged into the last
results). ``--models M ...`` runs only those models, and ``--merge`` puts
their rows into the last results in ``--out`` in place of the old ones,
keeping the other models' rows and the timing: ``--models "LSTM quantile
outputs" --merge`` adds the quantile LSTM without running the others. It
writes ``interval_accuracy.md`` (protocol, summary, per-series
and timing tables), ``interval_accuracy.csv`` (one row per series and model)
and ``interval_accuracy.json`` (everything, raw) to ``--out``
(``benchmarks/results``).

Protocol, for each of the 21 development series of ``benchmarks/series.py``
(the full series ``y``, its M4 horizon ``H``):

- **Origins.** Rolling origins at step 1 (the last training row of each
  forecast), the last one ``H`` rows before the end of ``y``. The last
  ``E = H`` of them are *evaluated*; before them come ``C`` *calibration*
  origins, as many as split conformal needs for 95% at every step
  (``min_calibration(0.95) + H - 1 = H + 18``). The first origin must leave
  20 training rows (what ``LSTMForecaster`` needs); a series too short for
  ``C + E`` origins gets fewer calibration origins, but never fewer than
  ``H`` (with fewer, the first evaluated origin has no residual yet at step
  ``H`` and no interval), and then fewer evaluated origins (``MAX_EVAL``
  can cap a series' ``E`` to save time; it caps none). Each series' ``C``
  and ``E`` are in the tables.
- **sklstm.** One ``backtest(LSTMForecaster(horizon=H, n_jobs=1,
  random_state=0), y, H, n_windows=C + E, step=1, refit=k)`` with
  ``k = ceil((C + E) / 3)``: three fits, the origins in between forecast from
  the new data without refitting (``predict(H, history=...)``). The point
  forecasts are computed once; the intervals of the evaluated origins then
  come from them by both conformal methods
  (``rolling_intervals(..., first=C, method="split" | "pooled")``), each
  origin calibrated only on the residuals already observed at it (origin
  ``j``'s ``h``-step residual once ``h`` rows have passed), kept above 0 on
  series without negative values, as ``backtest(levels=...)`` does.
- **AutoARIMA, AutoETS** (statsforecast, ``level=[80, 95]``), on the same
  ``E`` evaluated origins: fitted at every ``ceil(E / 3)``-th origin (three
  fits), and in between their ``forward`` (the fitted model applied to the
  new data), as statsforecast's ``cross_validation(refit=k)`` does. Season
  length as in ``forecast_accuracy.py``; AutoARIMA with a season over 24
  steps sees the last ten seasons, with its approximate search and seasonal
  orders at most 1. Gaps (``presidents``, ``co2``) are filled at each origin
  from the data up to it as the forecaster fills them (linearly, the end
  holding the last value). Their intervals get the same lower bound 0 on
  non-negative series as sklstm's.
- **LSTM quantile outputs**: the network's own quantiles, no conformal
  step. ``ConstrainedRegressor(Pipeline([StandardScaler(),
  LSTMRegressor(loss="quantile", quantiles=[0.025, 0.1, 0.5, 0.9,
  0.975])]))`` (``make_naive_lstm``'s recipe with the pinball loss; settings
  in ``QUANTILE_PARAMS``, lookback ``max(min(season, 48), 6)`` rows), a
  direct model of steps ``1..H`` fitted on ``make_supervised(y, horizon=[1,
  ..., H])`` of the data up to the origin, gap-filled as above (X holds the
  current value; the LSTM windows its rows). On the same ``E`` evaluated
  origins as the statistical models, fitted at every ``ceil(E / 3)``-th one
  on at most its last ``QUANTILE_MAX_ROWS`` (X, y) rows; at every origin
  the fitted model forecasts from the data up to it (the last row's outputs,
  as ``forecast`` reads a direct model), through ``predict_quantiles``
  (ordered across levels, clipped at the origin's lower bound). The 80%
  interval is ``[q0.1, q0.9]``, the 95% one ``[q0.025, q0.975]``.

Metrics, per series and model, over the evaluated origins and steps whose
actual is observed:

- ``coverage_80``, ``coverage_95``: the fraction of actuals inside
  ``[lower, upper]``;
- ``MSIS`` at level ``1 - a`` (M4's mean scaled interval score):
  ``mean[(U - L) + (2/a)(L - y) 1{y < L} + (2/a)(y - U) 1{y > U}] / scale``,
  ``a = 0.05`` for 95% and 0.2 for 80%, where ``scale`` is the in-sample
  MAE of the seasonal-naive forecast (lag ``m`` = 12 monthly, 4 quarterly,
  52 weekly, 1 otherwise) on the data up to the first evaluated origin. It
  rewards narrow intervals and charges ``2/a`` per unit an actual falls
  outside; lower is better.

The summary averages coverage over series, counts the series within 5
points of the nominal level, and gives the mean and median MSIS at 95%, its
geometric mean relative to AutoARIMA's (below 1: better), the series where
each model has the lowest MSIS 95 and the failures (an exception: the model
is left out of that series' scores).

A last section times the refitting backtest: a 3-origin ``backtest`` with
``refit=True`` on airline (``horizon=18``), with ``n_jobs=1`` and 2, against
three separate fit-and-predicts on the same training slices (the target: the
backtest takes under twice as long as the separate fits).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import time
import traceback
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
import series as S

LEVELS = (0.8, 0.95)
SPLIT = "sklstm (split conformal)"
POOLED = "sklstm (pooled conformal)"
QUANTILE = "LSTM quantile outputs"
ARIMA = "AutoARIMA"
ETS = "AutoETS"
MODELS = [SPLIT, POOLED, QUANTILE, ARIMA, ETS]
REFERENCE = ARIMA
#: the jobs a series is split into, and the models each one scores
JOBS = {"sklstm": [SPLIT, POOLED], QUANTILE: [QUANTILE], ARIMA: [ARIMA],
        ETS: [ETS]}
#: fewest training rows at the first origin (LSTMForecaster's minimum)
MIN_TRAIN = 20
#: fits per series and model over its origins
FITS = 3
#: statsforecast's settings for long seasons start above this
LONG_SEASON = 24
#: evaluated origins per series, where fewer than ``H`` (to save time)
MAX_EVAL: dict[str, int] = {}
#: within this many points of the nominal level counts as calibrated
TOLERANCE = 0.05

SMOKE_SERIES = ["nhtemp", "austres"]
SMOKE_EVAL = 2
SMOKE_PARAMS = {"n_members": 1, "max_epochs": 2, "hidden_size": 4}

#: the quantile LSTM's levels: the 80% interval is [0.1, 0.9], the 95% one
#: [0.025, 0.975]; 0.5 is its point forecast (``predict``)
QUANTILE_LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)
#: the quantile LSTM's settings (besides lookback, loss and quantiles)
QUANTILE_PARAMS = {"hidden_size": 32, "batch_size": 16, "max_epochs": 100,
                   "patience": 10, "validation_fraction": 0.15, "n_threads": 1,
                   "random_state": 0}
SMOKE_QUANTILE_PARAMS = {"max_epochs": 2, "hidden_size": 4, "patience": None}
#: the quantile LSTM is fitted on the last this many (X, y) rows at most
QUANTILE_MAX_ROWS = 2000

RESULTS = "interval_accuracy"


# ------------------------------------------------------------------ metrics
def _scored(actual, lower, upper):
    """The rows with an observed actual, flattened; their bounds must exist."""
    actual, lower, upper = (np.asarray(a, dtype=np.float64).ravel()
                            for a in (actual, lower, upper))
    ok = np.isfinite(actual)
    if not ok.any():
        raise ValueError("no observed actual to score")
    if not (np.isfinite(lower[ok]).all() and np.isfinite(upper[ok]).all()):
        bad = int((~(np.isfinite(lower[ok]) & np.isfinite(upper[ok]))).sum())
        raise ValueError(f"{bad} interval(s) with a non-finite bound")
    return actual[ok], lower[ok], upper[ok]


def coverage(actual, lower, upper) -> float:
    """The fraction of observed actuals inside ``[lower, upper]``."""
    y, lo, up = _scored(actual, lower, upper)
    return float(np.mean((lo <= y) & (y <= up)))


def msis(actual, lower, upper, alpha: float, scale: float) -> float:
    """M4's mean scaled interval score of ``1 - alpha`` intervals.

    ``mean[(U - L) + (2/alpha)(L - y)1{y < L} + (2/alpha)(y - U)1{y > U}]``
    over the observed actuals, divided by ``scale`` (the in-sample
    seasonal-naive MAE).
    """
    y, lo, up = _scored(actual, lower, upper)
    penalty = (2.0 / alpha) * (np.maximum(lo - y, 0.0) + np.maximum(y - up, 0.0))
    return float(np.mean(up - lo + penalty) / scale)


def level_key(level: float) -> str:
    return f"{round(100 * level)}"


def interval_scores(actual, bounds: dict, scale: float) -> dict:
    """Coverage, MSIS and mean width of each level's ``(lower, upper)``."""
    out = {}
    for level, (lower, upper) in bounds.items():
        key = level_key(level)
        out[f"coverage_{key}"] = coverage(actual, lower, upper)
        alpha = round(1.0 - level, 10)  # 0.05, not 0.050000000000000044
        out[f"msis_{key}"] = msis(actual, lower, upper, alpha, scale)
        y, lo, up = _scored(actual, lower, upper)
        out[f"width_{key}"] = float(np.mean(up - lo) / scale)
    return out


# ------------------------------------------------------------------ origins
def plan_origins(n_rows: int, horizon: int, max_eval: int | None = None,
                 min_train: int = MIN_TRAIN) -> tuple[int, int]:
    """``(n_calibration, n_eval)``: the calibration and evaluated origins at
    step 1 that fit in ``n_rows`` rows (see the module docstring).

    >>> plan_origins(144, 18), plan_origins(72, 18), plan_origins(60, 6, 2)
    ((36, 18), (18, 17), (24, 2))
    """
    from sklstm.forecasting._intervals import min_calibration

    # origins at step 1 whose first leaves min_train rows and whose
    # forecast ends within the data
    feasible = n_rows - horizon - min_train + 1
    if feasible < 2:
        raise ValueError(f"{n_rows} rows: too few for horizon {horizon} and "
                         f"{min_train} training rows before the first origin")
    n_eval = min(horizon, max_eval or horizon)
    if feasible - n_eval < horizon:  # keep a residual at every step
        n_eval = max(1, feasible - horizon)
    full = min_calibration(max(LEVELS)) + horizon - 1
    return min(full, feasible - n_eval), n_eval


class Context:
    """One series' origins, actuals, lower bounds and MSIS scale."""

    def __init__(self, case: S.Case, smoke: bool = False):
        from sklstm.forecasting._backtest import _lower_bounds, origin_positions
        from sklstm.metrics import naive_scale

        self.case = case
        self.y = case.series.to_numpy(dtype=np.float64, na_value=np.nan)
        self.h = case.horizon
        cap = SMOKE_EVAL if smoke else MAX_EVAL.get(case.name)
        self.n_cal, self.n_eval = plan_origins(len(self.y), self.h, cap)
        self.positions = origin_positions(
            len(self.y), self.h, n_windows=self.n_eval, step=1,
            n_before=self.n_cal, min_train=MIN_TRAIN)
        self.eval_positions = self.positions[self.n_cal:]
        steps = np.arange(1, self.h + 1)
        self.actuals = self.y[self.eval_positions[:, None] + steps[None, :]]
        self.lower_bounds = _lower_bounds(self.y, self.positions, "auto")
        self.scale = naive_scale(self.y[: self.eval_positions[0] + 1], case.mase_m)


def _bounded(bounds: dict, lower_bounds) -> dict:
    """Each origin's bounds kept ``>=`` its lower bound (None: unbounded)."""
    floor = np.array([-np.inf if b is None else b for b in lower_bounds])[:, None]
    return {lvl: (np.maximum(lo, floor), np.maximum(up, floor))
            for lvl, (lo, up) in bounds.items()}


# ------------------------------------------------------------------ models
def f_sklstm(ctx: Context, smoke: bool) -> dict:
    """One refitting backtest for the point forecasts; both conformal methods'
    intervals of the evaluated origins from them."""
    from sklstm import LSTMForecaster
    from sklstm.forecasting import backtest
    from sklstm.forecasting._backtest import rolling_intervals

    h, n_all = ctx.h, ctx.n_cal + ctx.n_eval
    model = LSTMForecaster(horizon=h, n_jobs=1, random_state=0,
                           **(SMOKE_PARAMS if smoke else {}))
    frame = backtest(model, ctx.case.series, h, n_windows=n_all, step=1,
                     refit=math.ceil(n_all / FITS))
    positions = ctx.case.series.index.get_indexer(frame["origin"].iloc[::h])
    if not np.array_equal(positions, ctx.positions):
        raise RuntimeError("the backtest's origins differ from the planned ones")
    forecasts = frame["forecast"].to_numpy(dtype=np.float64).reshape(n_all, h)
    actuals = frame["actual"].to_numpy(dtype=np.float64).reshape(n_all, h)
    out = {}
    for method, label in (("split", SPLIT), ("pooled", POOLED)):
        values, counts, short = rolling_intervals(
            positions, forecasts, actuals, list(LEVELS), ctx.lower_bounds,
            first=ctx.n_cal, method=method)
        ev = values[ctx.n_cal:]
        out[label] = (
            {lvl: (ev[:, :, 1 + 2 * j], ev[:, :, 2 + 2 * j])
             for j, lvl in enumerate(LEVELS)},
            # origins with too few residuals for 95% at some step
            {"short_origins": int(short[ctx.n_cal:].sum()),
             "min_residuals": int(counts[ctx.n_cal:].min())},
        )
    return out


def _statsforecast(name: str):
    def run(ctx: Context, smoke: bool) -> dict:
        from statsforecast import models

        from sklstm.forecasting._forecaster import fill_gaps

        m, h = ctx.case.season, ctx.h
        kw, window = {"season_length": m}, None
        if name == ARIMA and m > LONG_SEASON:
            kw.update(approximation=True, max_P=1, max_Q=1)
            window = 10 * m
        percents = [round(100 * lvl) for lvl in LEVELS]
        bounds = {lvl: (np.full((ctx.n_eval, h), np.nan),
                        np.full((ctx.n_eval, h), np.nan)) for lvl in LEVELS}
        every = math.ceil(ctx.n_eval / FITS)
        model = None
        for i, pos in enumerate(ctx.eval_positions):
            train = fill_gaps(ctx.y[: pos + 1])  # causal: the data up to the origin
            if window is not None:
                train = train[-window:]
            if i % every == 0:
                model = getattr(models, name)(**kw).fit(train)
                res = model.predict(h, level=percents)
            else:
                res = model.forward(h=h, y=train, level=percents)
            for lvl, p in zip(LEVELS, percents, strict=True):
                bounds[lvl][0][i] = res[f"lo-{p}"]
                bounds[lvl][1][i] = res[f"hi-{p}"]
        return {name: (_bounded(bounds, ctx.lower_bounds[ctx.n_cal:]), {})}
    return run


def quantile_lookback(season: int) -> int:
    """The quantile LSTM's window: the season, between 6 and 48 rows.

    >>> quantile_lookback(1), quantile_lookback(12), quantile_lookback(52)
    (6, 12, 48)
    """
    return max(min(int(season), 48), 6)


def make_quantile_lstm(lookback: int, non_negative: bool, smoke: bool = False):
    """``ConstrainedRegressor(Pipeline([StandardScaler, LSTMRegressor]))``
    with the pinball loss of :data:`QUANTILE_LEVELS`: make_naive_lstm's
    recipe with quantile outputs (its median clipped at 0 when
    ``non_negative``)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from sklstm.compose import ConstrainedRegressor
    from sklstm.neural import LSTMRegressor

    params = {**QUANTILE_PARAMS, **(SMOKE_QUANTILE_PARAMS if smoke else {})}
    lstm = LSTMRegressor(lookback=lookback, loss="quantile",
                         quantiles=list(QUANTILE_LEVELS), **params)
    pipe = Pipeline([("scale", StandardScaler()), ("lstm", lstm)])
    return ConstrainedRegressor(pipe, non_negative="clip" if non_negative else None)


def last_row_quantiles(model, history: pd.Series, lower_bound) -> np.ndarray:
    """``(H, n_levels)``: every step's quantiles at the last row of
    ``history`` (the data up to the origin, gap-filled), ascending in the
    level and ``>= lower_bound`` (None: unbounded).

    A direct model's forecast, as ``sklstm.forecasting.forecast`` makes it
    (the last row's outputs, output ``h - 1`` for step ``h``), read through
    ``predict_quantiles``: the fitted scaler on the last ``lookback`` rows of
    X (the LSTM windows the rows it gets, so the last one has its full
    window), then the LSTM's quantiles of each output.
    """
    from sklearn import config_context

    pipe = model.regressor_
    lstm = pipe[-1]
    X = history.to_frame().iloc[-lstm.lookback:]
    # the same values, faster: the ordering runs sklearn's isotonic_regression
    # once per crossing (row, output), each call checked by sklearn
    with config_context(skip_parameter_validation=True, assume_finite=True):
        q = lstm.predict_quantiles(pipe[:-1].transform(X), lower_bound=lower_bound)
    return q[-1]  # (n_rows, n_outputs, n_levels) -> the last row's


def f_quantile(ctx: Context, smoke: bool) -> dict:
    """The LSTM's own quantiles, no conformal step: a direct model of steps
    ``1..H`` fitted at every ``ceil(E / 3)``-th evaluated origin on
    ``make_supervised`` of the gap-filled data up to it (its last
    :data:`QUANTILE_MAX_ROWS` rows of X, y), forecasting from the data up to
    each origin in between."""
    from sklstm.forecasting import make_supervised
    from sklstm.forecasting._forecaster import fill_gaps

    h, series = ctx.h, ctx.case.series
    steps = list(range(1, h + 1))
    lookback = quantile_lookback(ctx.case.season)
    levels = np.array(QUANTILE_LEVELS)
    cols = {}
    for lvl in LEVELS:
        tail = (1.0 - lvl) / 2.0
        lo, up = (int(np.flatnonzero(np.isclose(levels, q))[0])
                  for q in (tail, 1.0 - tail))
        cols[lvl] = (lo, up)
    quantiles = np.full((ctx.n_eval, h, len(levels)), np.nan)
    every = math.ceil(ctx.n_eval / FITS)
    eval_bounds = ctx.lower_bounds[ctx.n_cal:]
    model, epochs, train_rows = None, [], []
    for i, pos in enumerate(ctx.eval_positions):
        # causal: the data up to the origin, filled as the forecaster fills it
        history = pd.Series(fill_gaps(ctx.y[: pos + 1]), index=series.index[: pos + 1],
                            name=series.name)
        if i % every == 0:
            X, Y = make_supervised(history, horizon=steps)
            X, Y = X.iloc[-QUANTILE_MAX_ROWS:], Y.iloc[-QUANTILE_MAX_ROWS:]
            model = make_quantile_lstm(lookback, eval_bounds[i] is not None,
                                       smoke).fit(X, Y)
            fitted = model.regressor_[-1]
            if not np.allclose(fitted.quantiles_, levels):
                raise RuntimeError(f"levels {fitted.quantiles_} != {levels}")
            epochs.append(fitted.n_epochs_)
            train_rows.append(len(X))
        quantiles[i] = last_row_quantiles(model, history, eval_bounds[i])
    if not np.isfinite(quantiles).all():
        raise ValueError("a non-finite quantile")
    if (np.diff(quantiles, axis=-1) < 0).any():
        raise ValueError("crossing quantiles")
    bounds = {lvl: (quantiles[:, :, lo], quantiles[:, :, up])
              for lvl, (lo, up) in cols.items()}
    extra = {"lookback": lookback, "fits": len(epochs),
             "train_rows": int(max(train_rows)),
             "mean_epochs": float(np.mean(epochs))}
    return {QUANTILE: (_bounded(bounds, eval_bounds), extra)}


RUNNERS = {"sklstm": f_sklstm, QUANTILE: f_quantile, ARIMA: _statsforecast(ARIMA),
           ETS: _statsforecast(ETS)}


def run_job(name: str, key: str, smoke: bool = False) -> list[dict]:
    """Run one model family on one series: one row of scores per model."""
    import torch

    torch.set_num_threads(1)
    case = S.load(name)
    ctx = Context(case, smoke)
    base = {"series": name, "kind": case.kind, "n": len(case.series),
            "H": ctx.h, "n_cal": ctx.n_cal, "n_eval": ctx.n_eval,
            "first_eval": int(ctx.eval_positions[0]), "scale": ctx.scale}
    started = time.perf_counter()
    rows = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = RUNNERS[key](ctx, smoke)
        secs = time.perf_counter() - started
        for label in JOBS[key]:
            bounds, extra = results[label]
            rows.append({**base, "model": label,
                         **interval_scores(ctx.actuals, bounds, ctx.scale),
                         **extra, "seconds": secs, "error": ""})
    except Exception as exc:  # a failure is a result: counted, not scored
        secs = time.perf_counter() - started
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        if os.environ.get("SKLSTM_BENCH_DEBUG"):
            traceback.print_exc()
        rows = [{**base, "model": label, "seconds": secs, "error": error}
                for label in JOBS[key]]
    return rows


# ------------------------------------------------------------------ summary
def summary(raw: pd.DataFrame, models=MODELS, reference=REFERENCE) -> pd.DataFrame:
    """One row per model: calibration, MSIS, wins and failures over series."""
    ok = raw[raw["error"].fillna("") == ""]

    def wide(col):
        return ok.pivot(index="series", columns="model", values=col).reindex(
            index=list(dict.fromkeys(raw["series"])), columns=models)

    n = raw["series"].nunique()
    out = pd.DataFrame(index=pd.Index(models, name="model"))
    for level in LEVELS:
        cov = wide(f"coverage_{level_key(level)}")
        out[f"mean coverage {level_key(level)}"] = cov.mean()
        within = ((cov - level).abs().round(9) <= TOLERANCE).sum()
        out[f"within ±5 pts ({level_key(level)})"] = [f"{int(within[m])}/{n}"
                                                      for m in models]
    score = wide("msis_95")
    out["mean MSIS 95"] = score.mean()
    out["median MSIS 95"] = score.median()
    if reference in score.columns:
        ratio = np.log(score.div(score[reference], axis=0))
        out[f"MSIS 95 vs {reference}"] = np.exp(ratio.mean())
    best = score.min(axis=1)
    wins = score.eq(best, axis=0) & score.notna()
    out["lowest MSIS 95"] = [f"{int(wins[m].sum())}/{n}" for m in models]
    errors = raw[raw["error"].fillna("") != ""].groupby("model").size()
    out["failures"] = errors.reindex(models).fillna(0).astype(int)
    return out


def _fmt(value, digits=3) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{value:.{digits}f}"


def summary_rows(table: pd.DataFrame) -> list[list[str]]:
    rows = [["model", *table.columns]]
    for name, r in table.iterrows():
        rows.append([str(name)] + [_fmt(r[c], 2 if "MSIS" in c and "vs" not in c
                                        else 3) for c in table.columns])
    return rows


SHORT = {SPLIT: "split", POOLED: "pooled", QUANTILE: "quantile", ARIMA: "ARIMA",
         ETS: "ETS"}


def series_rows(raw: pd.DataFrame, models=MODELS) -> list[list[str]]:
    """One row per series: its origins, then per model cov 80, cov 95, MSIS 95."""
    head = ["series", "kind", "n", "H", "n_cal", "n_eval"]
    for m in models:
        head += [f"{SHORT.get(m, m)} cov80", f"{SHORT.get(m, m)} cov95",
                 f"{SHORT.get(m, m)} MSIS95"]
    rows = [head]
    for name in dict.fromkeys(raw["series"]):
        part = raw[raw["series"] == name].set_index("model")
        first = part.iloc[0]
        row = [name, first["kind"], *(str(int(first[c]))
                                      for c in ("n", "H", "n_cal", "n_eval"))]
        for m in models:
            if m not in part.index or part.loc[m, "error"]:
                row += ["failed" if m in part.index else "-", "", ""]
                continue
            r = part.loc[m]
            row += [_fmt(r["coverage_80"]), _fmt(r["coverage_95"]),
                    _fmt(r["msis_95"], 2)]
        rows.append(row)
    return rows


def markdown(rows) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def plain(rows) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in rows)


# ------------------------------------------------------------------ timing
def measure_timing() -> dict:
    """Seconds of (a) a 3-origin refitting backtest on airline, n_jobs=1,
    (b) the same with n_jobs=2, (c) three separate fit-and-predicts on the
    same training slices, in sequence."""
    import torch

    from sklstm import LSTMForecaster
    from sklstm.datasets import load_airline
    from sklstm.forecasting import backtest
    from sklstm.forecasting._backtest import origin_positions

    air = load_airline()["passengers"]
    h = 18
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # warm-up: torch's first fit in a process pays for its set-up
        LSTMForecaster(horizon=3, n_members=1, max_epochs=1).fit(air.iloc[:60])
        seconds = {}
        for jobs in (1, 2):
            started = time.perf_counter()
            backtest(LSTMForecaster(horizon=h, n_jobs=1), air, h, n_windows=3,
                     refit=True, n_jobs=jobs)
            seconds[f"backtest n_jobs={jobs}"] = time.perf_counter() - started
        started = time.perf_counter()
        for pos in origin_positions(len(air), h, n_windows=3):
            LSTMForecaster(horizon=h, n_jobs=1).fit(air.iloc[: pos + 1]).predict()
        seconds["3 separate fits"] = time.perf_counter() - started
    return {"seconds": seconds, "torch_threads": torch.get_num_threads(),
            "cpus": os.cpu_count()}


def timing_rows(timing: dict) -> list[list[str]]:
    secs = timing["seconds"]
    base = secs["3 separate fits"]
    labels = {"backtest n_jobs=1": "(a) backtest, refit=True, n_jobs=1",
              "backtest n_jobs=2": "(b) backtest, refit=True, n_jobs=2",
              "3 separate fits": "(c) 3 separate fit + predict"}
    rows = [["run", "seconds", "ratio to (c)"]]
    for key, label in labels.items():
        rows.append([label, f"{secs[key]:.1f}", f"{secs[key] / base:.2f}"])
    return rows


def timing_text(timing: dict) -> str:
    secs = timing["seconds"]
    ratio = secs["backtest n_jobs=1"] / secs["3 separate fits"]
    verdict = "met" if ratio < 2 else "not met"
    by = f"Measured by `{timing['command']}`. " if timing.get("command") else ""
    return by + (
        "A 3-origin `backtest(LSTMForecaster(horizon=18, n_jobs=1), air, 18, "
        "n_windows=3, refit=True)` on airline against three separate "
        "`LSTMForecaster(horizon=18, n_jobs=1).fit(train_i).predict()` on the "
        f"same training slices, in one process ({timing['torch_threads']} torch "
        f"thread(s), {timing['cpus']} CPUs, after a warm-up fit). Target: (a) "
        f"under 2x (c): **{verdict}** ({ratio:.2f}x). Timings are noisy on a "
        "shared machine.\n\n" + markdown(timing_rows(timing))
    )


# ------------------------------------------------------------------ report
def _run_text(facts: dict) -> str:
    return (f"`{facts['command'].strip()}` in {facts['minutes']:.1f} min on "
            f"{facts['jobs']} worker(s)")


def quantile_text(capped=()) -> str:
    p = QUANTILE_PARAMS
    return (
        f"{QUANTILE}: the network's own quantiles, no conformal step: "
        "`ConstrainedRegressor(Pipeline([StandardScaler(), LSTMRegressor("
        f"loss='quantile', quantiles={list(QUANTILE_LEVELS)}, ...)]))` "
        "(make_naive_lstm's recipe: no trend or seasonal treatment, the median "
        "clipped at 0), a direct model of steps 1..H fitted on "
        "`make_supervised(y, horizon=[1, ..., H])` of the gap-filled data up to "
        "the origin (X: the current value; lookback max(min(season, 48), 6) "
        f"rows; hidden size {p['hidden_size']}, batch {p['batch_size']}, at most "
        f"{p['max_epochs']} epochs, early stopping after {p['patience']} without "
        f"a lower loss on the last {p['validation_fraction']:.0%} of the windows, "
        "1 thread, seed 0). On the same evaluated origins as AutoARIMA, fitted "
        "at three of them; in between, the fitted model forecasts from the data "
        "up to the origin (the last row's outputs). Its 80% interval is "
        "[q10, q90], its 95% one [q2.5, q97.5], read off `predict_quantiles` "
        "(ordered across levels). Each fit sees at most the last "
        f"{QUANTILE_MAX_ROWS} (X, y) rows"
        + (f", which caps {', '.join(capped)}. " if capped else ". ")
    )


def intro_text(facts: dict, models=MODELS, capped=()) -> str:
    """The protocol in a paragraph; ``capped``: the series whose quantile
    LSTM saw only its last :data:`QUANTILE_MAX_ROWS` rows."""
    added = facts.get("added", [])
    later = "; ".join(
        f"{', '.join(a['models'])} added by {_run_text(a)}" for a in added)
    produced = f"Produced by {_run_text(facts)}" + (f"; {later}." if added else ".")
    return (
        f"{produced} Rolling origins at step 1; the last "
        "`E` (= H) are evaluated, after `C` "
        "calibration origins (H + 18, the split method's need for 95% at every "
        "step, fewer on short series). sklstm: one `backtest(LSTMForecaster(...), "
        "refit=ceil((C + E) / 3))` (three fits, forecasts from new data in "
        "between), its intervals from the point forecasts by split and pooled "
        "conformal calibration, each origin on the residuals observed by then. "
        "AutoARIMA and AutoETS (statsforecast, levels 80 and 95) on the same "
        "evaluated origins, fitted at three of them and `forward` in between. "
        + (quantile_text(capped) if QUANTILE in models else "") +
        "Every model's intervals are kept >= 0 on series without negative "
        "values. Coverage: the share of actuals inside the interval (mean over "
        "series; 'within ±5 pts': series whose coverage is within 5 points of "
        "the level). MSIS (M4): mean of `(U - L) + (2/a)(L - y)1{y < L} + "
        "(2/a)(y - U)1{y > U}`, a = 0.05 at 95%, divided by the in-sample "
        "seasonal-naive MAE up to the first evaluated origin; lower is better; "
        "'MSIS 95 vs AutoARIMA' is the geometric mean of the ratio (below 1: "
        "better). Failures are left out of the means."
    )


def present(raw: pd.DataFrame) -> list[str]:
    """The models of :data:`MODELS` that ``raw`` has rows of, in that order."""
    have = set(raw["model"])
    return [m for m in MODELS if m in have]


def report(raw: pd.DataFrame, facts: dict, timing: dict | None) -> str:
    models = present(raw)
    capped = []
    if "train_rows" in raw.columns:
        full = raw["train_rows"] >= QUANTILE_MAX_ROWS
        capped = list(raw.loc[(raw["model"] == QUANTILE) & full, "series"])
    parts = ["# Prediction intervals on the development series",
             intro_text(facts, models, capped),
             "## Summary", markdown(summary_rows(summary(raw, models))),
             "## Per series", markdown(series_rows(raw, models))]
    failed = raw[raw["error"].fillna("") != ""]
    if len(failed):
        parts += ["### Failures", "\n".join(
            f"- {r['series']}, {r['model']}: {r['error']}"
            for _, r in failed.iterrows())]
    if timing is not None:
        parts += ["## Timing of a refitting backtest", timing_text(timing)]
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--series", nargs="+", choices=S.names(), default=None,
                        help="series (default: all 21; with --smoke: two short ones)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"tiny networks, {SMOKE_EVAL} evaluated origins, "
                        "no timing")
    parser.add_argument("--jobs", type=int, default=2,
                        help="parallel jobs across series, one torch thread each")
    parser.add_argument("--timing", action="store_true",
                        help="only the timing section, merged into the results "
                        "in --out")
    parser.add_argument("--no-timing", action="store_true",
                        help="skip the timing section")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=None,
                        metavar="MODEL",
                        help="models to run (default: all): "
                        + ", ".join(repr(m) for m in MODELS))
    parser.add_argument("--merge", action="store_true",
                        help="merge into the results in --out: replace their rows "
                        "of the models and series run, keep the others and the "
                        "timing (measured only by a run without --merge)")
    parser.add_argument("--out", default="benchmarks/results",
                        help="folder of interval_accuracy.{md,csv,json}")
    return parser


def _cost(job) -> float:
    """A rough cost, to start the slowest jobs first."""
    case = S.load(job[0])
    n = min(len(case.series), 2000)
    if job[1] == ARIMA and case.season > LONG_SEASON:
        return 50.0 * n
    if job[1] == QUANTILE:  # the cost grows with the window
        return n * quantile_lookback(case.season) / 4.0
    return n * (3.0 if job[1] == "sklstm" else 1.0)


def in_order(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows by series (as in ``series.py``), then model (as in MODELS)."""
    order = {n: i for i, n in enumerate(S.names())}
    raw = raw.sort_values(["series", "model"], key=lambda c: c.map(order)
                          if c.name == "series" else c.map(MODELS.index))
    return raw.reset_index(drop=True)


def run_all(names, smoke: bool, jobs: int, models=MODELS) -> pd.DataFrame:
    """Every job of ``names`` that scores one of ``models``; their rows."""
    from joblib import Parallel, delayed

    keys = [k for k, labels in JOBS.items() if set(labels) & set(models)]
    todo = sorted([(name, key) for name in names for key in keys], key=_cost,
                  reverse=True)
    print(f"{len(todo)} jobs on {jobs} worker(s)", flush=True)
    results = Parallel(n_jobs=jobs, return_as="generator_unordered")(
        delayed(run_job)(name, key, smoke) for name, key in todo)
    rows = []
    for part in results:
        rows += part
        for r in part:
            note = (f"FAILED {r['error']}" if r["error"] else
                    f"cov80 {r['coverage_80']:.3f} cov95 {r['coverage_95']:.3f} "
                    f"MSIS95 {r['msis_95']:.2f}")
            print(f"  {r['series']:15s} {r['model']:26s} {note}  "
                  f"({r['seconds']:.1f} s)", flush=True)
    raw = pd.DataFrame(rows)
    return in_order(raw[raw["model"].isin(models)])


def load_results(out: Path) -> dict:
    """The payload of the last results in ``out`` (facts, timing, raw rows)."""
    path = out / f"{RESULTS}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no results to merge into; run without "
                                "--merge first")
    payload = json.loads(path.read_text())
    payload["raw"] = pd.DataFrame(payload["rows"]).fillna({"error": ""})
    return payload


def merge_results(payload: dict, raw: pd.DataFrame, facts: dict):
    """``(raw, facts)``: the saved rows with those of ``raw``'s (series, model)
    pairs replaced by ``raw``'s, and the saved facts with this run in
    ``added`` (replacing an earlier addition of the same models)."""
    old = payload["raw"]
    new = set(zip(raw["series"], raw["model"], strict=True))
    keep = [(s, m) not in new for s, m in zip(old["series"], old["model"],
                                              strict=True)]
    merged = in_order(pd.concat([old[keep], raw], ignore_index=True))
    base = dict(payload["facts"])
    added = [a for a in base.get("added", [])
             if set(a["models"]) != set(facts["models"])]
    base["added"] = [*added, facts]
    return merged, base


def write(out: Path, raw: pd.DataFrame, facts: dict, timing: dict | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    raw.to_csv(out / f"{RESULTS}.csv", index=False)
    payload = {"facts": facts, "timing": timing,
               "rows": json.loads(raw.to_json(orient="records"))}
    (out / f"{RESULTS}.json").write_text(json.dumps(payload, indent=1) + "\n")
    (out / f"{RESULTS}.md").write_text(report(raw, facts, timing))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    out = Path(args.out)
    command = "python benchmarks/interval_accuracy.py " + shlex.join(argv)
    if args.timing:  # the timing alone, into the last results
        timing = {**measure_timing(), "command": command.strip()}
        print(plain(timing_rows(timing)))
        path = out / f"{RESULTS}.json"
        if path.exists():
            payload = json.loads(path.read_text())
            raw = pd.DataFrame(payload["rows"]).fillna({"error": ""})
            write(out, raw, payload["facts"], timing)
            print(f"wrote the timing into {out}/{RESULTS}.*")
        return 0
    names = args.series or (SMOKE_SERIES if args.smoke else S.names())
    models = [m for m in MODELS if m in (args.models or MODELS)]
    payload = load_results(out) if args.merge else None  # fail before the run
    started = time.perf_counter()
    raw = run_all(names, args.smoke, args.jobs, models)
    facts = {"command": command, "jobs": args.jobs, "smoke": args.smoke,
             "models": models,
             "minutes": round((time.perf_counter() - started) / 60, 1)}
    print("\n" + plain(summary_rows(summary(raw, present(raw)))), flush=True)
    if payload is not None:
        merged, merged_facts = merge_results(payload, raw, facts)
        write(out, merged, merged_facts, payload.get("timing"))
        print(f"merged {len(raw)} row(s) into {out}/{RESULTS}.md, .csv, .json "
              f"(the series took {facts['minutes']:.1f} min)")
        return 0
    write(out, raw, facts, None)  # kept even if the timing fails
    if not (args.smoke or args.no_timing):
        timing = {**measure_timing(), "command": command.strip()}
        print("\n" + plain(timing_rows(timing)))
        write(out, raw, facts, timing)
    print(f"wrote {out}/{RESULTS}.md, .csv, .json "
          f"(the series took {facts['minutes']:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
