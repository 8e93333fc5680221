"""Prediction intervals on many real series: coverage and MSIS of sklstm's
conformal intervals against the statistical bar.

Run ``python benchmarks/interval_accuracy.py`` (20 to 40 minutes on two
cores), ``--smoke`` (two short series, tiny networks, under a minute) or
``--timing`` (only the timing of a refitting backtest, merged into the last
results). It writes ``interval_accuracy.md`` (protocol, summary, per-series
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
ARIMA = "AutoARIMA"
ETS = "AutoETS"
MODELS = [SPLIT, POOLED, ARIMA, ETS]
REFERENCE = ARIMA
#: the jobs a series is split into, and the models each one scores
JOBS = {"sklstm": [SPLIT, POOLED], ARIMA: [ARIMA], ETS: [ETS]}
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


RUNNERS = {"sklstm": f_sklstm, ARIMA: _statsforecast(ARIMA), ETS: _statsforecast(ETS)}


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


SHORT = {SPLIT: "split", POOLED: "pooled", ARIMA: "ARIMA", ETS: "ETS"}


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
def intro_text(facts: dict) -> str:
    return (
        f"Produced by `{facts['command'].strip()}` in {facts['minutes']:.1f} min "
        f"on {facts['jobs']} worker(s). Rolling origins at step 1; the last "
        "`E` (= H) are evaluated, after `C` "
        "calibration origins (H + 18, the split method's need for 95% at every "
        "step, fewer on short series). sklstm: one `backtest(LSTMForecaster(...), "
        "refit=ceil((C + E) / 3))` (three fits, forecasts from new data in "
        "between), its intervals from the point forecasts by split and pooled "
        "conformal calibration, each origin on the residuals observed by then. "
        "AutoARIMA and AutoETS (statsforecast, levels 80 and 95) on the same "
        "evaluated origins, fitted at three of them and `forward` in between. "
        "Every model's intervals are kept >= 0 on series without negative "
        "values. Coverage: the share of actuals inside the interval (mean over "
        "series; 'within ±5 pts': series whose coverage is within 5 points of "
        "the level). MSIS (M4): mean of `(U - L) + (2/a)(L - y)1{y < L} + "
        "(2/a)(y - U)1{y > U}`, a = 0.05 at 95%, divided by the in-sample "
        "seasonal-naive MAE up to the first evaluated origin; lower is better; "
        "'MSIS 95 vs AutoARIMA' is the geometric mean of the ratio (below 1: "
        "better). Failures are left out of the means."
    )


def report(raw: pd.DataFrame, facts: dict, timing: dict | None) -> str:
    parts = ["# Prediction intervals on the development series", intro_text(facts),
             "## Summary", markdown(summary_rows(summary(raw))),
             "## Per series", markdown(series_rows(raw))]
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
    parser.add_argument("--out", default="benchmarks/results",
                        help="folder of interval_accuracy.{md,csv,json}")
    return parser


def _cost(job) -> float:
    """A rough cost, to start the slowest jobs first."""
    case = S.load(job[0])
    n = min(len(case.series), 2000)
    if job[1] == ARIMA and case.season > LONG_SEASON:
        return 50.0 * n
    return n * (3.0 if job[1] == "sklstm" else 1.0)


def run_all(names, smoke: bool, jobs: int) -> pd.DataFrame:
    from joblib import Parallel, delayed

    todo = sorted([(name, key) for name in names for key in JOBS], key=_cost,
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
    order = {n: i for i, n in enumerate(S.names())}
    raw = raw.sort_values(["series", "model"], key=lambda c: c.map(order)
                          if c.name == "series" else c.map(MODELS.index))
    return raw.reset_index(drop=True)


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
    started = time.perf_counter()
    raw = run_all(names, args.smoke, args.jobs)
    facts = {"command": command, "jobs": args.jobs, "smoke": args.smoke,
             "minutes": round((time.perf_counter() - started) / 60, 1)}
    print("\n" + plain(summary_rows(summary(raw))), flush=True)
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
