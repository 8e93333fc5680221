"""Many series: one global LSTM across a panel against local models, and what
a panel of 1,000 series costs.

Run ``python benchmarks/many_series.py`` (about 20 minutes on two
cores, half of them part B's 1,000 local fits), ``--part A``, ``--part A2``
or ``--part B`` for one part (the other parts' last results in ``--out``
are kept), ``--local-series N`` (part B: fit the local models of only the
first ``N`` series and extrapolate to the panel; default every series, so
measured), ``--part A --models NAME [NAME
...]`` (or ``--part A2 --models ...``) to fit only those models of that part
and merge their rows into its last results in ``--out`` (replacing that
model's rows; the others are kept, and the json facts record which command
produced which model), ``--smoke`` (tiny, under
a minute; write it elsewhere with ``--out``), ``--seeds 0 1 2`` (the seeds
of the neural models) and ``--render`` (fit nothing, write the last results
again, with the ``--note`` texts when given; ``--add-note`` appends to the
last notes instead). It prints the tables and
writes ``many_series.md`` (protocol and tables), ``many_series.csv`` (every
number, long format: part, panel, series, model, seed, metric, value) and
``many_series.json`` (the same, with the run facts) to ``--out``
(``benchmarks/results``).

**Part A, accuracy.** Three panels of the development series of
``benchmarks/series.py``: the 8 monthly series (USAccDeaths, nottem,
ldeaths, mdeaths, fdeaths, UKDriverDeaths, Seatbelts' DriversKilled,
airline), the 4 quarterly ones (UKgas, JohnsonJohnson, austres, presidents)
and the 4 indices of EuStockMarkets (DAX, SMI, CAC, FTSE; trading days). The
split is M4's: each series holds out its last ``H`` points, ``H`` = 18
monthly, 8 quarterly, 10% of the length (186) for EuStockMarkets; MASE is
scaled by the in-sample seasonal-naive MAE with ``m`` = 12, 4, 1. Gaps
(presidents) are filled linearly as ``forecast_accuracy.py`` fills them, for
every model but the two sklstm forecasters, which get the raw series (they
fill them themselves), as there. Models:

- ``global LSTM``: one ``LSTMRegressor`` per panel on ``make_supervised(panel,
  "y", horizon=[1, ..., H])``. Each series is divided by the mean of its
  training part first (X is not scaled per series by the regressor, the
  target is, by ``scale_target=True``), and the forecasts multiplied back.
  ``lookback = max(2 * season, 8)`` (24 monthly, 8 otherwise), capped by the
  rows of the shortest series, ``hidden_size=32``, ``id_embedding=4``,
  ``batch_size=32``, ``lr=3e-3``, ``max_epochs=50`` with the default early
  stopping (patience 15 on the last 15% of each series' windows, best
  weights restored), one torch thread. ``forecast`` on each series' last
  ``lookback`` rows gives the ``H`` steps.
- ``global LSTM (log)``: the same on ``log(y / mean)`` (for series with
  trend and a seasonal swing that grows with the level, such as airline);
  forecasts are ``mean * exp(.)``. A series with a value <= 0 would keep the
  plain ratio (none of these has one).
- ``global LSTM, no id``: as ``global LSTM`` with ``id_embedding=0``: what
  the embedding buys.
- ``global LSTM (relative)``: on ``z = log(y / mean)``, X is the change
  ``z_t - z_{t-1}`` (log returns, 0 on a series' first row) and the target of
  step ``h`` the change ``z_{t+h} - z_t`` from the current row; the forecast
  is ``y_T * exp(predicted change)``. Added after the first run: the three
  variants above forecast trending series (austres, UKgas, the stock indices)
  back towards the middle of their training range, starting well below the
  last training value (the last ``H`` training rows are targets only, never
  inputs, and a saturating network does not extrapolate a level it has not
  seen). Its inputs (changes, not levels or both) were picked on seed 0 of
  this same holdout, so its scores are somewhat optimistic.
- ``global sklstm``: ``GlobalLSTMForecaster(horizon=H, random_state=seed,
  n_jobs=2)`` with its defaults on the panel of the raw training parts
  (a Series indexed (series, time), sorted): one ensemble (5 members, their
  lookbacks the median of what each series would get alone) trained on the
  windows of every series, each series prepared as the local forecaster
  prepares one (its own log, seasons, scale of change, smoothed level,
  Theta forecast); batch size and epochs from ``global_training``; the
  members trained on 2 worker processes. Added after the first run.
- ``local sklstm``: ``PerSeriesForecaster(LSTMForecaster(horizon=H,
  random_state=seed), n_jobs=2)``: the self-configured forecaster with its
  defaults, one per series.
- ``AutoETS``, ``AutoARIMA`` (statsforecast, season 12/4/1) and ``seasonal
  naive``, fitted exactly as in ``forecast_accuracy.py``.

The neural models run once per seed; the tables show seed means. A model
that fails on a panel gets the naive forecast there, and the failure is
counted. Timing: the wall seconds of one panel's fit and forecast (for the
two sklstm forecasters on two workers, which they have to themselves; for
the statistical ones the sum over series).

**Part A2, short histories.** Global models are said to win when each
series has a short history (a retailer with 3 or 4 years of monthly data per
product). Part A2 repeats part A on the same monthly and quarterly series
with the same held-out tails (the last ``H`` points, ``H`` = 18 and 8), but
each training part cut to its last rows: 48 monthly (4 years), 24 quarterly
(6 years); panels ``monthly, 48 rows`` and ``quarterly, 24 rows``
(:func:`truncate_case`). The MASE scale is the in-sample seasonal-naive MAE
(``m`` = 12, 4) of the cut training part, as M4 scales by the training data
the forecaster is given; so part A2's MASE is not on part A's scale, and the
two are compared through ratios (global over local, model over seasonal
naive) of the same series. presidents keeps its 2 gaps among the 24 rows
(22 observed; the sklstm forecasters need 20). EuStockMarkets is left out:
it has no calendar season to count years in, and its ``H`` is 10% of the
length (186 of 1,860), so a cut to a few hundred rows would either change
``H`` or ask for 186 steps from barely more history, neither of them the
short-product-history question. Models: ``global sklstm``, ``local
sklstm``, ``AutoETS``, ``AutoARIMA`` and ``seasonal naive``, exactly as in
part A (the LSTMRegressor ``global LSTM`` variants are not run here). Its
tables are separate from part A's.

**Part B, speed and memory**, on a synthetic panel of 1,000 series x 500
monthly-like steps (seed 0; each series a random level, growth, seasonal
swing of period 12 and phase, and noise; :func:`synthetic_panel`). Each
measurement runs in a fresh process (this script with a hidden flag) that
reports its own time and peak resident memory (``ru_maxrss``), less that of
a baseline process that only imports sklstm and torch and builds the panel:

- ``global fit``: ``LSTMRegressor(lookback=24, hidden_size=32,
  batch_size=256, max_epochs=2, patience=None, validation_fraction=None,
  n_threads=2)`` on ``make_supervised(panel / mean, "y", horizon=[1, ...,
  12])``; seconds in all and per epoch, peak memory, and the bytes of the
  arrays its training set keeps (one float32 copy of the rows, the scaled
  targets, the window positions) against what materialised windows would
  take (``windows x lookback x features x 4``);
- ``1,000 forecasts``: ``forecast(model, panel.groupby(level=0).tail(24),
  12)`` from that model (the target: under 5 s on two cores);
- ``global sklstm``: ``GlobalLSTMForecaster(horizon=12, n_members=1,
  random_state=0)`` with its default training length (batch size and
  epochs from ``global_training``; two torch threads, no worker processes)
  on the raw panel: the seconds of ``fit`` (of which training, from the
  network's epoch times; the rest is preparing each series), its batch
  size, epochs, lookback, chunk and ``n_windows_``, the peak memory, and the
  seconds of ``predict()`` (12 steps of all 1,000 series);
- ``local fits``: ``PerSeriesForecaster(LSTMForecaster(horizon=12,
  n_members=1, max_epochs=5))`` on every series of the panel (1,000; about
  7 minutes serially, 4 on the cluster, on two shared cores), serially (two
  torch threads) and on a Dask ``LocalCluster(n_workers=2,
  threads_per_worker=1, processes=True)`` through
  ``joblib.parallel_config(backend="dask")``
  (cluster start and one warm-up fit on each worker not timed); the seconds
  of each ``fit``, the peak memory of the serial one (every fitted forecaster
  kept), whether both give the same forecasts, and each against the two
  global fits above (``LSTMRegressor`` and ``GlobalLSTMForecaster``, same
  run). These rows are labelled measured. ``--local-series N`` with ``N``
  below the panel's series fits only the first ``N`` series and
  extrapolates their seconds linearly to the panel (``x 1,000 / N``); those
  rows are labelled EXTRAPOLATED. A smoke run fits 4 of its 20 series
  unless given ``--local-series``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import forecast_accuracy as FA
import numpy as np
import pandas as pd
import series as S

RESULTS = "many_series"
EUSTOCK = ["DAX", "SMI", "CAC", "FTSE"]
PANELS = {
    "monthly": ["USAccDeaths", "nottem", "ldeaths", "mdeaths", "fdeaths",
                "UKDriverDeaths", "Seatbelts", "airline"],
    "quarterly": ["UKgas", "JohnsonJohnson", "austres", "presidents"],
    "EuStockMarkets": EUSTOCK,
}
SMOKE_PANELS = {
    "monthly": ["USAccDeaths", "ldeaths"],
    "quarterly": ["austres", "JohnsonJohnson"],
    "EuStockMarkets": ["DAX", "SMI"],
}
#: in a smoke run, EuStockMarkets' indices are cut to their first rows
SMOKE_EUSTOCK_ROWS = 200
#: part A2: each short panel's part A panel and the training rows it keeps
SHORT_PANELS = {"monthly, 48 rows": ("monthly", 48),
                "quarterly, 24 rows": ("quarterly", 24)}

GLOBAL = "global LSTM"
GLOBAL_LOG = "global LSTM (log)"
GLOBAL_NO_ID = "global LSTM, no id"
GLOBAL_REL = "global LSTM (relative)"
#: the scaling of each global model
GLOBALS = {GLOBAL: "mean", GLOBAL_LOG: "log", GLOBAL_NO_ID: "mean",
           GLOBAL_REL: "relative"}
GLOBAL_SKLSTM = "global sklstm"
LOCAL = "local sklstm"
STATISTICAL = ["AutoETS", "AutoARIMA", "seasonal naive"]
MODELS = [GLOBAL, GLOBAL_LOG, GLOBAL_NO_ID, GLOBAL_REL, GLOBAL_SKLSTM, LOCAL,
          *STATISTICAL]
NEURAL = {*GLOBALS, GLOBAL_SKLSTM, LOCAL}
#: the models of part A2
SHORT_MODELS = [GLOBAL_SKLSTM, LOCAL, *STATISTICAL]
#: the models that run one panel at a time on all ``--jobs`` workers
OWN_WORKERS = (GLOBAL_SKLSTM, LOCAL)
#: the reference of the relative MASE (geometric mean of the ratio)
REFERENCE = "seasonal naive"

#: the global LSTM's settings (besides lookback, id_embedding, random_state).
#: batch_size and lr were chosen on the validation loss (the last 15% of
#: each series' training windows, never the held-out tail) of the monthly
#: panel, seed 0, among batch 16/32/64 and lr 1e-3/3e-3: with 64 and 1e-3
#: the net had barely left the mean after 40 epochs.
GLOBAL_PARAMS = {"hidden_size": 32, "batch_size": 32, "lr": 3e-3,
                 "max_epochs": 50, "n_threads": 1}
SMOKE_GLOBAL_PARAMS = {"max_epochs": 1}
SMOKE_LOCAL_PARAMS = {"n_members": 1, "max_epochs": 1}
#: the global sklstm forecaster in a smoke run (else its defaults)
SMOKE_GLOBAL_SKLSTM_PARAMS = {"n_members": 1, "max_epochs": 1}
ID_EMBEDDING = 4

#: part B
B_SERIES, B_STEPS, B_SEASON, B_HORIZON, B_LOOKBACK = 1000, 500, 12, 12, 24
B_GLOBAL = {"hidden_size": 32, "batch_size": 256, "max_epochs": 2,
            "patience": None, "validation_fraction": None, "n_threads": 2,
            "random_state": 0}
#: the local fits of part B: every series of the panel unless
#: ``--local-series`` says fewer (then extrapolated)
B_LOCAL_SERIES = None
B_LOCAL = {"horizon": B_HORIZON, "n_members": 1, "max_epochs": 5,
           "random_state": 0}
#: GlobalLSTMForecaster of part B: its default training length ("auto")
B_GLOBAL_SKLSTM = {"horizon": B_HORIZON, "n_members": 1, "random_state": 0}
SMOKE_B = {"n_series": 20, "n_steps": 100, "epochs": 1, "local_series": 4}
FORECAST_TARGET_S = 5.0
#: the measurements of part B, each in its own process, in this order
B_CASES = ("baseline", "global", "global_sklstm", "local")


# ------------------------------------------------------------------ data
def load_eustock(column: str, rows: int | None = None) -> S.Case:
    """One index of ``EuStockMarkets.csv`` as a case ("other": H = 10%, m = 1)."""
    frame = pd.read_csv(S.DATA / "EuStockMarkets.csv", index_col=0)
    values = frame[column].astype("float64")
    index = pd.Index(frame.index.to_numpy(dtype=np.int64), name=frame.index.name)
    series = pd.Series(values.to_numpy(), index=index, name=column)
    if rows is not None:
        series = series.iloc[:rows]
    return S.Case(column, "other", series)


def truncate_case(case: S.Case, rows: int) -> S.Case:
    """``case`` with its training part cut to its last ``rows`` rows and its
    held-out tail (the last ``H`` points) unchanged. Only for a kind whose
    ``H`` does not depend on the length (not EuStockMarkets' "other")."""
    if case.kind not in S.HORIZONS:
        raise ValueError(f"truncate_case: {case.name} is of kind {case.kind!r}, "
                         "whose horizon is 10% of the length, so cutting it "
                         "would change the held-out tail; pass a series of "
                         f"kind {', '.join(S.HORIZONS)}.")
    if len(case.train) < rows:
        raise ValueError(f"truncate_case: {case.name} has {len(case.train)} "
                         f"training rows, fewer than the {rows} to keep; "
                         "lower rows.")
    start = len(case.series) - case.horizon - rows
    return S.Case(case.name, case.kind, case.series.iloc[start:])


def short_panels(smoke: bool = False) -> dict:
    """Part A2's panels and their series (the smoke subsets with ``smoke``)."""
    base = SMOKE_PANELS if smoke else PANELS
    return {name: base[panel] for name, (panel, _) in SHORT_PANELS.items()}


def load_panel_cases(panel: str, names=None, smoke: bool = False) -> list[S.Case]:
    """The cases of one panel, in its order (a part A2 panel: cut, see
    :func:`truncate_case`)."""
    if panel in SHORT_PANELS:
        base, rows = SHORT_PANELS[panel]
        return [truncate_case(c, rows)
                for c in load_panel_cases(base, names, smoke)]
    names = names or (SMOKE_PANELS if smoke else PANELS)[panel]
    if panel == "EuStockMarkets":
        return [load_eustock(n, SMOKE_EUSTOCK_ROWS if smoke else None)
                for n in names]
    return [S.load(n) for n in names]


def panel_horizon(cases: list[S.Case]) -> int:
    horizons = {c.horizon for c in cases}
    if len(horizons) != 1:
        raise ValueError(f"the series of a panel need one horizon, got {horizons}")
    return horizons.pop()


def scale_series(train: pd.Series, log: bool = False) -> tuple[pd.Series, dict]:
    """A training part (gaps filled) divided by its mean, optionally logged;
    and what :func:`unscale` needs to undo it."""
    filled = FA._filled(train)
    mean = float(filled.mean())
    log = bool(log and (filled > 0).all())
    scaled = filled / mean
    return (np.log(scaled) if log else scaled), {"mean": mean, "log": log}


def unscale(values, how: dict) -> np.ndarray:
    """The inverse of :func:`scale_series`."""
    values = np.asarray(values, dtype=np.float64)
    return (np.exp(values) if how["log"] else values) * how["mean"]


def build_panel(cases: list[S.Case], log: bool = False):
    """The scaled training parts as a panel (column ``y``, index (series,
    time), sorted) and each series' scaling."""
    parts, scaling = {}, {}
    for case in cases:
        parts[case.name], scaling[case.name] = scale_series(case.train, log)
    panel = pd.concat(parts, names=["series", "time"]).rename("y").to_frame()
    return panel.sort_index(), scaling


def global_lookback(cases: list[S.Case]) -> int:
    """``max(2 * season, 8)``, capped by the (X, y) rows of the shortest series."""
    horizon = panel_horizon(cases)
    shortest = min(len(c.train) for c in cases) - horizon
    return int(min(max(2 * cases[0].season, 8), shortest))


# ------------------------------------------------------------------ models
def fit_global(cases, seed: int, id_embedding: int, scaling: str = "mean",
               smoke: bool = False) -> dict:
    """One LSTMRegressor on the panel of ``cases``; each series' forecast.

    ``scaling``: "mean" (each series divided by its training mean), "log"
    (the log of that ratio), or "relative": on ``z = log(y / mean)``, X is
    the step's change ``z_t - z_{t-1}`` (0 on a series' first row) and the
    target of horizon ``h`` is ``z_{t+h} - z_t``, the change from the
    current row; the forecast is ``z_T`` plus the predicted change.
    """
    from sklstm import LSTMRegressor, forecast, make_supervised

    horizon = panel_horizon(cases)
    relative = scaling == "relative"
    panel, how = build_panel(cases, log=scaling in ("log", "relative"))
    lookback = global_lookback(cases)
    features = None
    if relative:
        panel["dz"] = panel["y"].groupby(level=0).diff().fillna(0.0)
        features = ["dz"]
    X, Y = make_supervised(panel, "y", horizon=list(range(1, horizon + 1)),
                           features=features)
    if relative:
        Y = Y.sub(panel["y"].reindex(X.index), axis=0)
    params = {**GLOBAL_PARAMS, **(SMOKE_GLOBAL_PARAMS if smoke else {})}
    model = LSTMRegressor(lookback=lookback, id_embedding=id_embedding,
                          random_state=seed, **params).fit(X, Y)
    tail = panel.groupby(level=0).tail(lookback)
    fc = forecast(model, tail, horizon, target="y", features=features)
    out = {}
    for c in cases:
        z = fc.loc[c.name].to_numpy()
        if relative:
            z = z + panel.loc[c.name, "y"].iloc[-1]
        out[c.name] = unscale(z, how[c.name])
    return out


def fit_local(cases, seed: int, smoke: bool = False, n_jobs: int = 2) -> dict:
    """One LSTMForecaster per series (PerSeriesForecaster, ``n_jobs`` workers)."""
    from sklstm import LSTMForecaster
    from sklstm.forecasting import PerSeriesForecaster

    horizon = panel_horizon(cases)
    y = training_panel(cases)
    params = SMOKE_LOCAL_PARAMS if smoke else {}
    model = PerSeriesForecaster(LSTMForecaster(horizon=horizon, random_state=seed,
                                               **params), n_jobs=n_jobs).fit(y)
    fc = model.predict()
    return {c.name: fc.loc[c.name].to_numpy() for c in cases}


def training_panel(cases) -> pd.Series:
    """The raw training parts as one panel (gaps kept), indexed (series,
    time) and sorted, as the sklstm forecasters take it."""
    return pd.concat({c.name: c.train.rename("y") for c in cases},
                     names=["series", "time"]).sort_index()


def fit_global_sklstm(cases, seed: int, smoke: bool = False,
                      n_jobs: int = 2) -> dict:
    """One GlobalLSTMForecaster on the panel of ``cases`` (its defaults; the
    members on ``n_jobs`` worker processes)."""
    from sklstm.forecasting import GlobalLSTMForecaster

    horizon = panel_horizon(cases)
    params = SMOKE_GLOBAL_SKLSTM_PARAMS if smoke else {}
    model = GlobalLSTMForecaster(horizon=horizon, random_state=seed,
                                 n_jobs=n_jobs, **params).fit(training_panel(cases))
    fc = model.predict()
    return {c.name: fc.loc[c.name].to_numpy() for c in cases}


def fit_statistical(cases, key: str) -> dict:
    fit = FA.MODELS[key][0]
    return {c.name: fit(c, 0, {}) for c in cases}


def run_job(panel: str, names, model: str, seed, smoke: bool = False,
            n_jobs: int = 2) -> list[dict]:
    """Fit one model on one panel; one row per series."""
    import torch

    torch.set_num_threads(1)
    cases = load_panel_cases(panel, names, smoke)
    started = time.perf_counter()
    error = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if model == LOCAL:
                preds = fit_local(cases, seed, smoke, n_jobs)
            elif model == GLOBAL_SKLSTM:
                preds = fit_global_sklstm(cases, seed, smoke, n_jobs)
            elif model in GLOBALS:
                preds = fit_global(cases, seed,
                                   0 if model == GLOBAL_NO_ID else ID_EMBEDDING,
                                   GLOBALS[model], smoke)
            else:
                preds = fit_statistical(cases, model)
        scores = {c.name: FA.score(c, preds[c.name]) for c in cases}
    except Exception as exc:  # a failure is a result: counted, naive forecast
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        if os.environ.get("SKLSTM_BENCH_DEBUG"):
            traceback.print_exc()
        scores = {c.name: FA.score(c, FA.f_naive(c, 0, {})) for c in cases}
    seconds = time.perf_counter() - started
    return [{"panel": panel, "series": c.name, "model": model, "seed": seed,
             "MASE": scores[c.name]["MASE"], "sMAPE": scores[c.name]["sMAPE"],
             "seconds": seconds, "error": error} for c in cases]


def run_part_a(panels: dict | None = None, models=MODELS, seeds=(0,),
               smoke: bool = False, jobs: int = 2, label: str = "part A"
               ) -> pd.DataFrame:
    """Every (panel, model, seed) of part A; one row per series.

    ``panels`` maps a panel to its series (default: all of each, or the
    smoke subsets). The sklstm forecasters (global and local) run last,
    one panel at a time, each on its own ``jobs`` workers; the other fits
    run ``jobs`` at a time.
    """
    from joblib import Parallel, delayed

    panels = panels or (SMOKE_PANELS if smoke else PANELS)
    todo = [(p, tuple(names), m, s if m in NEURAL else None)
            for p, names in panels.items() for m in models
            for s in (seeds if m in NEURAL else [None])]
    pooled = [j for j in todo if j[2] not in OWN_WORKERS]
    local = [j for j in todo if j[2] in OWN_WORKERS]
    # EuStockMarkets' long series first, so the workers finish together
    pooled.sort(key=lambda j: (j[0] != "EuStockMarkets", j[2] not in NEURAL))
    print(f"{label}: {len(todo)} panel fits ({len(local)} of the sklstm "
          f"forecasters on {jobs} workers each, the others {jobs} at a time)",
          flush=True)
    rows = []

    def report(part):
        rows.extend(part)
        r = part[0]
        seed = "-" if r["seed"] is None else r["seed"]
        note = f"  FAILED {r['error']}" if r["error"] else ""
        mase = np.mean([p["MASE"] for p in part])
        print(f"  {r['panel']:18s} {r['model']:22s} seed {seed:>2}  mean MASE "
              f"{mase:7.3f}  ({r['seconds']:.1f} s){note}", flush=True)

    if jobs > 1 and len(pooled) > 1:
        results = Parallel(n_jobs=jobs, return_as="generator_unordered")(
            delayed(run_job)(*job, smoke=smoke) for job in pooled)
    else:
        results = (run_job(*job, smoke=smoke) for job in pooled)
    for part in results:
        report(part)
    for job in local:
        report(run_job(*job, smoke=smoke, n_jobs=jobs))
    return sort_rows(pd.DataFrame(rows), panels)


def sort_rows(raw: pd.DataFrame, panels: dict) -> pd.DataFrame:
    """Part A rows in the order of ``panels``, their series, MODELS, seeds."""
    order = {m: i for i, m in enumerate(MODELS)}
    series_order = {n: i for names in panels.values() for i, n in enumerate(names)}
    panel_order = {p: i for i, p in enumerate(panels)}
    raw = raw.assign(_p=raw["panel"].map(panel_order),
                     _s=raw["series"].map(series_order),
                     _m=raw["model"].map(order), _seed=raw["seed"].fillna(-1))
    return raw.sort_values(["_p", "_s", "_m", "_seed"]).drop(
        columns=["_p", "_s", "_m", "_seed"]).reset_index(drop=True)


def merge_rows(old: pd.DataFrame | None, new: pd.DataFrame, panels: dict
               ) -> pd.DataFrame:
    """``old`` with the rows of ``new``'s models replaced by ``new``'s."""
    if old is None or not len(old):
        return sort_rows(new, panels)
    kept = old[~old["model"].isin(set(new["model"]))]
    return sort_rows(pd.concat([kept, new], ignore_index=True), panels)


# ------------------------------------------------------------------ part A tables
def seed_means(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per (panel, series, model): MASE and sMAPE over seeds."""
    return raw.groupby(["panel", "series", "model"], sort=False).agg(
        MASE=("MASE", "mean"), MASE_min=("MASE", "min"), MASE_max=("MASE", "max"),
        sMAPE=("sMAPE", "mean"), seeds=("MASE", "count"),
        failures=("error", lambda e: int((e.fillna("") != "").sum())),
    ).reset_index()


def summary_a(raw: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean MASE per panel, overall mean and median, the mean rank
    per series, the geometric mean of the MASE ratio to REFERENCE, the fit
    seconds of all panels (one seed), failures."""
    means = seed_means(raw)
    models = [m for m in MODELS if m in set(means["model"])]
    out = pd.DataFrame(index=pd.Index(models, name="model"))
    for panel in dict.fromkeys(means["panel"]):
        part = means[means["panel"] == panel]
        out[f"MASE {panel}"] = part.groupby("model")["MASE"].mean()
    wide = means.pivot_table(index=["panel", "series"], columns="model",
                             values="MASE")[models]
    out["MASE overall"] = wide.mean()
    out["median MASE"] = wide.median()
    out["mean rank"] = wide.rank(axis=1).mean()
    if REFERENCE in wide.columns:
        out[f"rel. MASE vs {REFERENCE}"] = np.exp(
            np.log(wide.div(wide[REFERENCE], axis=0)).mean())
    per_fit = raw.groupby(["panel", "model", raw["seed"].fillna(-1)])[
        "seconds"].first()
    out["seconds (all panels)"] = per_fit.groupby(["panel", "model"]).mean(
        ).groupby("model").sum()
    out["failures"] = means.groupby("model")["failures"].sum()
    return out


def summary_rows(table: pd.DataFrame) -> list[list[str]]:
    """The summary table as cells; "-" where a model has no number (not run
    on that panel)."""
    rows = [["model", *table.columns]]
    for name, r in table.iterrows():
        cells = []
        for c, v in r.items():
            cells.append("-" if pd.isna(v) else
                         str(int(v)) if c == "failures" else
                         f"{v:.2f}" if c in ("mean rank",) or c.startswith("seconds")
                         else f"{v:.3f}")
        rows.append([str(name), *cells])
    return rows


def series_rows(raw: pd.DataFrame) -> list[list[str]]:
    """MASE per series (seed mean; the range over seeds in brackets for the
    neural models when they differ; "-" for a model not run on the series)."""
    means = seed_means(raw)
    models = [m for m in MODELS if m in set(means["model"])]
    rows = [["panel", "series", *models]]
    for (panel, name), part in means.groupby(["panel", "series"], sort=False):
        by = part.set_index("model")
        cells = []
        for m in models:
            if m not in by.index:
                cells.append("-")
                continue
            r = by.loc[m]
            cell = f"{r['MASE']:.3f}"
            if r["seeds"] > 1 and r["MASE_max"] > r["MASE_min"]:
                cell += f" ({r['MASE_min']:.2f}-{r['MASE_max']:.2f})"
            if r["failures"]:
                cell += " [failed]"
            cells.append(cell)
        rows.append([panel, name, *cells])
    return rows


# ------------------------------------------------------------------ part B
def synthetic_panel(n_series: int = B_SERIES, n_steps: int = B_STEPS,
                    season: int = B_SEASON, seed: int = 0) -> pd.DataFrame:
    """A panel of ``n_series`` positive monthly-like series of ``n_steps``.

    Series ``k`` is ``level * exp(growth * t) * (1 + swing * sin(2 pi t /
    season + phase)) * (1 + noise * e_t)`` with a log-normal level (median
    e^4, about 55), a growth of N(0, 0.001) per step, a swing in [0.05,
    0.3], a uniform phase, noise in [0.02, 0.1] and e_t standard normal. The
    index is ``(series, t)``: ids ``s0000, s0001, ...`` and integer steps.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps, dtype=np.float64)
    level = np.exp(rng.normal(4.0, 1.0, n_series))[:, None]
    growth = rng.normal(0.0, 0.001, n_series)[:, None]
    swing = rng.uniform(0.05, 0.3, n_series)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n_series)[:, None]
    noise = rng.uniform(0.02, 0.1, n_series)[:, None]
    e = rng.standard_normal((n_series, n_steps))
    y = (level * np.exp(growth * t) * (1 + swing * np.sin(2 * np.pi * t / season
                                                          + phase))
         * (1 + noise * e))
    ids = np.array([f"s{k:04d}" for k in range(n_series)], dtype=object)
    index = pd.MultiIndex.from_arrays(
        [np.repeat(ids, n_steps), np.tile(np.arange(n_steps), n_series)],
        names=["series", "t"])
    return pd.DataFrame({"y": np.maximum(y, 1e-3).ravel()}, index=index)


def scale_panel(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Each series of ``panel`` divided by its mean; and the means."""
    means = panel["y"].groupby(level=0).transform("mean")
    return panel / means.to_numpy()[:, None], panel["y"].groupby(level=0).mean()


def _peak_mb() -> float:
    """This process's peak RSS so far, MiB (``ru_maxrss``, KiB on Linux).

    Linux carries ``ru_maxrss`` over ``fork`` and ``exec``: a fresh process
    starts at its parent's peak. So the measuring processes are started
    before this process has imported torch (part B runs before part A), and
    :func:`_hwm_mb`, which starts afresh with each ``exec``, checks it.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _hwm_mb() -> float | None:
    """The peak RSS of this process image (``VmHWM`` of /proc/self/status,
    MiB), or None where there is none (not Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _peaks(out: dict, when: str) -> None:
    out[f"peak_mb_{when}"] = _peak_mb()
    hwm = _hwm_mb()
    if hwm is not None:
        out[f"hwm_mb_{when}"] = hwm


def measure(case: str, config: dict) -> dict:
    """One measurement of part B, in this (fresh) process. Every case
    starts by importing what the cases use (sklstm imports lazily), so the
    baseline holds the imports and the panel."""
    import skorch  # noqa: F401
    import torch  # noqa: F401

    from sklstm import (  # noqa: F401
        LSTMForecaster,
        LSTMRegressor,
        forecast,
        make_supervised,
    )
    from sklstm.forecasting import (  # noqa: F401
        GlobalLSTMForecaster,
        PerSeriesForecaster,
    )

    panel = synthetic_panel(config["n_series"], config["n_steps"])
    out = {"case": case}
    _peaks(out, "start")
    if case == "baseline":
        return out
    if case == "global":
        return {**out, **_measure_global(panel, config)}
    if case == "global_sklstm":
        return {**out, **_measure_global_sklstm(panel, config)}
    if case == "local":
        return {**out, **_measure_local(panel, config)}
    raise ValueError(f"unknown case {case!r}")


def _measure_global(panel, config) -> dict:
    from sklstm import LSTMRegressor, forecast, make_supervised

    out = {}
    started = time.perf_counter()
    scaled, means = scale_panel(panel)
    X, Y = make_supervised(scaled, "y", horizon=list(range(1, B_HORIZON + 1)))
    out["supervise_seconds"] = time.perf_counter() - started
    _peaks(out, "supervised")
    params = {**B_GLOBAL, "max_epochs": config["epochs"]}
    model = LSTMRegressor(lookback=B_LOOKBACK, **params)
    started = time.perf_counter()
    model.fit(X, Y)
    out["fit_seconds"] = time.perf_counter() - started
    _peaks(out, "fit")
    out["epochs"] = int(model.n_epochs_)
    out["epoch_seconds"] = float(model.loss_history_["dur"].mean())
    rows, features = X.shape
    lengths = X.groupby(level=0).size().to_numpy()
    n_windows = int((lengths - B_LOOKBACK + 1).sum())
    out.update(rows=int(rows), features=int(features), windows=n_windows,
               outputs=int(Y.shape[1]),
               bytes_rows=int(rows * features * 4),
               bytes_targets=int((rows - B_LOOKBACK + 1) * Y.shape[1] * 4),
               bytes_positions=int(n_windows * 8),
               bytes_materialised=int(n_windows * B_LOOKBACK * features * 4))
    started = time.perf_counter()
    tail = scaled.groupby(level=0).tail(B_LOOKBACK)
    fc = forecast(model, tail, B_HORIZON, target="y")
    values = fc.to_numpy().reshape(-1, B_HORIZON) * means.to_numpy()[:, None]
    out["forecast_seconds"] = time.perf_counter() - started
    out["forecasts"] = int(values.shape[0])
    out["forecast_finite"] = bool(np.isfinite(values).all())
    _peaks(out, "forecast")
    return out


def _measure_global_sklstm(panel, config) -> dict:
    """GlobalLSTMForecaster on the raw panel: fit, then predict every series."""
    from sklstm.forecasting import GlobalLSTMForecaster

    params = {**B_GLOBAL_SKLSTM, **config.get("global_sklstm_params", {})}
    y = panel["y"]
    model = GlobalLSTMForecaster(**params)
    out = {}
    started = time.perf_counter()
    model.fit(y)
    out["fit_seconds"] = time.perf_counter() - started
    _peaks(out, "fit")
    net = model.members_[0]
    durations = net.loss_history_["dur"]
    out.update(
        members=len(model.members_), batch_size=int(net.batch_size),
        max_epochs=int(net.max_epochs), epochs=int(net.n_epochs_),
        lookback=int(max(model.lookbacks_)), chunk=int(model.chunk_),
        n_windows=int(model.n_windows_),
        train_seconds=float(durations.sum()),
        epoch_seconds=float(durations.mean()),
        torch_threads=int(_torch_threads(net)),
    )
    started = time.perf_counter()
    fc = model.predict()
    out["predict_seconds"] = time.perf_counter() - started
    _peaks(out, "predict")
    values = fc.to_numpy()
    out["forecasts"] = int(fc.index.get_level_values(0).nunique())
    out["forecast_steps"] = int(len(values) // max(out["forecasts"], 1))
    out["forecast_finite"] = bool(np.isfinite(values).all())
    return out


def _torch_threads(net) -> int:
    """The torch threads ``net`` trained with (its ``n_threads``, resolved
    as the regressor resolves it)."""
    import torch

    from sklstm.neural._threads import resolve_n_threads

    return resolve_n_threads(net.n_threads) or torch.get_num_threads()


def _warm_worker() -> bool:
    """One tiny local fit on a Dask worker before the timing: its imports and
    torch's first-call set-up are paid here, as the serial run's are paid by
    the fits before it (its own warm-up, :func:`_warm_fit`)."""
    _warm_fit()
    return True


def _warm_fit() -> None:
    from sklstm import LSTMForecaster

    y = pd.Series(np.sin(np.arange(48.0)), index=pd.RangeIndex(48), name="y")
    LSTMForecaster(horizon=2, n_members=1, max_epochs=1).fit(y).predict()


def _measure_local(panel, config) -> dict:
    """The local fits of the first series: serially, then on a Dask cluster."""
    import distributed
    import joblib

    from sklstm import LSTMForecaster
    from sklstm.forecasting import PerSeriesForecaster

    n = config["local_series"]
    ids = panel.index.get_level_values(0).unique()[:n]
    y = panel["y"].loc[list(ids)]
    forecaster = LSTMForecaster(**{**B_LOCAL, **config.get("local_params", {})})
    import torch

    out = {"series": int(n), "serial_torch_threads": torch.get_num_threads()}
    serial = PerSeriesForecaster(forecaster, n_jobs=1)
    _warm_fit()
    started = time.perf_counter()
    serial.fit(y)
    out["serial_fit_seconds"] = time.perf_counter() - started
    _peaks(out, "serial")
    out["serial_finite"] = bool(np.isfinite(serial.predict().to_numpy()).all())
    started = time.perf_counter()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        client.run(_warm_worker)
        out["cluster_start_seconds"] = time.perf_counter() - started
        out["workers"] = len(client.scheduler_info()["workers"])
        on_dask = PerSeriesForecaster(forecaster, n_jobs=-1)
        with joblib.parallel_config(backend="dask"):
            started = time.perf_counter()
            on_dask.fit(y)
            out["dask_fit_seconds"] = time.perf_counter() - started
    pred = on_dask.predict()
    out["dask_finite"] = bool(np.isfinite(pred.to_numpy()).all())
    out["dask_equals_serial"] = bool(np.allclose(pred.to_numpy(),
                                                 serial.predict().to_numpy()))
    return out


def run_measurement(case: str, config: dict) -> dict:
    """:func:`measure` in a fresh Python process running this script."""
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", case,
               "--measure-config", json.dumps(config)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"measurement {case!r} failed (exit {done.returncode}):"
                           f"\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["process_seconds"] = time.perf_counter() - started
    return result


def part_b_config(smoke: bool = False, local_series: int | None = None
                  ) -> dict:
    """Part B's settings: the panel, the global fit's epochs and the local
    fits' series (``local_series``; None: the smoke run's few, else
    :data:`B_LOCAL_SERIES`, and None there means every series)."""
    config = ({"n_series": SMOKE_B["n_series"], "n_steps": SMOKE_B["n_steps"],
               "epochs": SMOKE_B["epochs"], "local_series": SMOKE_B["local_series"],
               "local_params": {"max_epochs": 1},
               "global_sklstm_params": {"max_epochs": 1}}
              if smoke else
              {"n_series": B_SERIES, "n_steps": B_STEPS,
               "epochs": B_GLOBAL["max_epochs"], "local_series": B_LOCAL_SERIES,
               "global_sklstm_params": {}})
    if local_series is not None:
        config["local_series"] = local_series
    if config["local_series"] is None:
        config["local_series"] = config["n_series"]
    k, n = config["local_series"], config["n_series"]
    if not 1 <= k <= n:
        raise ValueError(f"--local-series {k}: the panel has {n} series; pass "
                         f"1 to {n} (or leave it out for all of them).")
    return config


def local_measured(cfg: dict) -> bool:
    """Whether part B's local fits covered every series of the panel (so
    their rows are measured, not extrapolated)."""
    return cfg["local_series"] == cfg["n_series"]


def run_part_b(smoke: bool = False, local_series: int | None = None) -> dict:
    config = part_b_config(smoke, local_series)
    results = {"config": config}
    for case in B_CASES:
        print(f"part B: {case} ...", flush=True)
        results[case] = run_measurement(case, config)
        print(f"  {json.dumps(results[case])}", flush=True)
    return results


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f} MiB"


def part_b_rows(b: dict) -> list[list[str]]:
    """The part B table: measurement, value, note; ratios in the same run."""
    cfg, base, g = b["config"], b["baseline"], b["global"]
    local = b["local"]
    serial_s, dask_s = local["serial_fit_seconds"], local["dask_fit_seconds"]
    n, k = cfg["n_series"], cfg["local_series"]
    factor = n / k
    base_mb = base["peak_mb_start"]

    def grew(when):
        """Peak RSS over the baseline's at ``when``; VmHWM's in brackets."""
        text = f"+{g[f'peak_mb_{when}'] - base_mb:.0f} MiB"
        if f"hwm_mb_{when}" in g and "hwm_mb_start" in base:
            text += f" (VmHWM +{g[f'hwm_mb_{when}'] - base['hwm_mb_start']:.0f})"
        return text
    rows = [["measurement", "value", "note"]]
    rows.append(["panel", f"{n:,} series x {cfg['n_steps']} steps",
                 f"{g['rows']:,} (X, y) rows, {g['windows']:,} windows of "
                 f"{B_LOOKBACK}, {g['outputs']} outputs"])
    rows.append(["baseline process (import sklstm + torch, build panel)",
                 f"{base_mb:.0f} MiB peak RSS", "subtracted below"])
    rows.append(["make_supervised (scaled panel, horizons 1..12)",
                 f"{g['supervise_seconds']:.2f} s",
                 f"peak RSS {grew('supervised')}"])
    rows.append([f"global fit ({g['epochs']} epochs, batch "
                 f"{B_GLOBAL['batch_size']}, {B_GLOBAL['n_threads']} threads)",
                 f"{g['fit_seconds']:.1f} s",
                 f"{g['epoch_seconds']:.1f} s per epoch; peak RSS "
                 f"{grew('fit')} over the baseline"])
    rows.append(["training set keeps: rows (float32 copy of X)",
                 _mb(g["bytes_rows"]),
                 f"+ scaled targets {_mb(g['bytes_targets'])} + window positions "
                 f"{_mb(g['bytes_positions'])}"])
    rows.append(["materialised windows would take",
                 _mb(g["bytes_materialised"]),
                 f"{g['bytes_materialised'] / g['bytes_rows']:.0f}x the rows; the "
                 "windows are a strided view"])
    ok = "meets" if g["forecast_seconds"] < FORECAST_TARGET_S else "misses"
    rows.append([f"{g['forecasts']:,} forecasts of {B_HORIZON} steps (tail trick)",
                 f"{g['forecast_seconds']:.2f} s",
                 f"{ok} the {FORECAST_TARGET_S:.0f} s target; peak RSS "
                 f"{grew('forecast')} (fit included)"])
    gs = b.get("global_sklstm")
    if gs is not None:
        rows += global_sklstm_rows(gs, cfg, base, n)

    def against(seconds):
        """``seconds`` as multiples of the two global fits of this run."""
        text = f"{seconds / g['fit_seconds']:.1f}x the global fit"
        if gs is not None:
            text += f", {seconds / gs['fit_seconds']:.1f}x the global sklstm fit"
        return text
    measured = local_measured(cfg)
    label = " (measured)" if measured else ""
    serial_note = (f"{serial_s / k:.2f} s per series, "
                   f"{local['serial_torch_threads']} torch threads")
    if "peak_mb_serial" in local:
        serial_note += (f"; peak RSS +{local['peak_mb_serial'] - base_mb:.0f} "
                        f"MiB with all {k:,} fitted forecasters kept")
    if measured:
        serial_note += f"; {against(serial_s)}"
    rows.append([f"local fits, {k:,} series, serial{label}", f"{serial_s:.1f} s",
                 serial_note])
    same = "same" if local["dask_equals_serial"] else "NOT the same"
    dask_note = (f"{serial_s / dask_s:.2f}x the serial speed, {same} forecasts; "
                 f"cluster start and a warm-up fit on each worker "
                 f"({local['cluster_start_seconds']:.1f} s) not included")
    if measured:
        dask_note += f"; {against(dask_s)}"
    rows.append([f"local fits, {k:,} series, Dask (2 workers x 1 thread)"
                 f"{label}", f"{dask_s:.1f} s", dask_note])
    if not measured:
        ext_serial = serial_s * factor
        ext_dask = dask_s * factor
        rows.append([f"local fits, {n:,} series, serial (EXTRAPOLATED "
                     f"x{factor:g})", f"{ext_serial:.0f} s", against(ext_serial)])
        rows.append([f"local fits, {n:,} series, Dask (EXTRAPOLATED "
                     f"x{factor:g})", f"{ext_dask:.0f} s", against(ext_dask)])
    return rows


def global_sklstm_rows(gs: dict, cfg: dict, base: dict, n: int) -> list[list[str]]:
    """The part B rows of the GlobalLSTMForecaster measurement."""
    base_mb = base["peak_mb_start"]

    def grew(when):
        text = f"+{gs[f'peak_mb_{when}'] - base_mb:.0f} MiB"
        if f"hwm_mb_{when}" in gs and "hwm_mb_start" in base:
            text += f" (VmHWM +{gs[f'hwm_mb_{when}'] - base['hwm_mb_start']:.0f})"
        return text
    set_epochs = cfg.get("global_sklstm_params", {}).get("max_epochs")
    training = (f"max_epochs={set_epochs} set by hand" if set_epochs is not None
                else "its default training length")
    prepare = gs["fit_seconds"] - gs["train_seconds"]
    return [
        [f"global sklstm fit (GlobalLSTMForecaster(horizon={B_HORIZON}, "
         f"n_members={gs['members']}); {training}: {gs['epochs']} epochs of "
         f"batch {gs['batch_size']}, {gs['torch_threads']} torch threads)",
         f"{gs['fit_seconds']:.1f} s",
         f"n_windows_ {gs['n_windows']:,} (lookback {gs['lookback']}, chunk "
         f"{gs['chunk']}); training {gs['train_seconds']:.1f} s "
         f"({gs['epoch_seconds']:.1f} s per epoch), the rest ({prepare:.1f} s) "
         f"preparing the {n:,} series and windows; peak RSS {grew('fit')} over "
         "the baseline"],
        [f"global sklstm predict(), {gs['forecasts']:,} series x "
         f"{gs['forecast_steps']} steps", f"{gs['predict_seconds']:.2f} s",
         f"peak RSS {grew('predict')} (fit included)"
         + ("" if gs.get("forecast_finite", True) else "; NOT all finite")],
    ]


# ------------------------------------------------------------------ output
def long_rows(raw: pd.DataFrame | None, b: dict | None,
              short: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every number, long format: part, panel, series, model, seed, metric,
    value (``short``: part A2's rows)."""
    parts = []
    for name, rows in (("A", raw), ("A2", short)):
        if rows is not None and len(rows):
            melted = rows.melt(id_vars=["panel", "series", "model", "seed",
                                        "error"],
                               value_vars=["MASE", "sMAPE", "seconds"],
                               var_name="metric", value_name="value")
            parts.append(melted.assign(part=name))
    if b is not None:
        rows = []
        for case in [c for c in B_CASES if c in b]:
            for key, value in b[case].items():
                if key == "case" or isinstance(value, str):
                    continue
                rows.append({"panel": "synthetic", "series": "", "model": case,
                             "seed": 0, "error": "", "metric": key,
                             "value": float(value)})
        parts.append(pd.DataFrame(rows).assign(part="B"))
    if not parts:
        return pd.DataFrame()
    cols = ["part", "panel", "series", "model", "seed", "metric", "value", "error"]
    out = pd.concat(parts, ignore_index=True)[cols]
    return out.astype({"seed": "Int64"})


def failure_lines(raw: pd.DataFrame) -> list[str]:
    """One line per failed (panel, model, seed), or none."""
    failed = raw[raw["error"].fillna("") != ""].drop_duplicates(
        ["panel", "model", "seed"])
    return [f"- {r['panel']}, {r['model']}, seed {r['seed']}: {r['error']}"
            for _, r in failed.iterrows()]


def short_section(short: pd.DataFrame, raw: pd.DataFrame | None,
                  facts: dict) -> list[str]:
    """The markdown of part A2: summary, per series, global against local
    on the full and the short histories, failures."""
    md = FA.markdown
    n = short.drop_duplicates(["panel", "series"]).shape[0]
    parts = ["## Part A2: short histories (M4 holdout, MASE)",
             f"{produced_a(facts.get('A2', {}), short)} The series and "
             "held-out tails of part A's monthly and quarterly panels, each "
             "training part cut to its last 48 monthly (4 years) or 24 quarterly "
             "(6 years) rows; MASE scaled by the seasonal-naive MAE of the cut "
             "training part, so it is not on part A's scale (compare ratios). "
             "EuStockMarkets is left out (no calendar season; its H is 10% of "
             f"its length). MASE per panel is the mean over its series of the "
             f"seed-mean MASE; overall over all {n} series; relative MASE the "
             f"geometric mean of the ratio to {REFERENCE}, below 1 better. "
             "Seconds: one fit and forecast of every panel, one seed.",
             md(summary_rows(summary_a(short))),
             "### Per series (MASE, seed mean; range over seeds in brackets)",
             md(series_rows(short))]
    versus = full_short_rows(raw, short)
    if versus:
        parts += ["### Global against local, full and short histories",
                  f"MASE (seed mean) of {GLOBAL_SKLSTM} and {LOCAL} on each "
                  "series with part A's full training part and with part A2's "
                  "cut one, and their ratio (global / local, below 1: the "
                  "global one better; the two MASE scales differ, the ratios "
                  "compare). Last row: geometric mean of the ratios and the "
                  "series on which the global one is better.",
                  md(versus)]
    failed = failure_lines(short)
    if failed:
        parts += ["### Failures (part A2)", "\n".join(failed)]
    return parts


def full_short_rows(raw: pd.DataFrame | None, short: pd.DataFrame | None
                    ) -> list[list[str]]:
    """Per series of part A2: global and local sklstm's MASE and their ratio
    on the full (part A) and the short (part A2) training parts; none when
    either part lacks one of the two models."""
    if raw is None or short is None or not len(raw) or not len(short):
        return []
    need = {GLOBAL_SKLSTM, LOCAL}
    full_w = seed_means(raw).pivot_table(index=["panel", "series"],
                                         columns="model", values="MASE")
    short_w = seed_means(short).pivot_table(index=["panel", "series"],
                                            columns="model", values="MASE")
    if not (need <= set(full_w.columns) and need <= set(short_w.columns)):
        return []
    rows = [["panel", "series", "global full", "local full", "ratio full",
             "global short", "local short", "ratio short"]]
    ratios = {"full": [], "short": []}
    order = seed_means(short)[["panel", "series"]].drop_duplicates()
    for panel, name in order.itertuples(index=False):
        if (panel, name) not in short_w.index:
            continue
        base = SHORT_PANELS.get(panel, (panel,))[0]
        if (base, name) not in full_w.index:
            continue
        f, sh = full_w.loc[(base, name)], short_w.loc[(panel, name)]
        rf = f[GLOBAL_SKLSTM] / f[LOCAL]
        rs = sh[GLOBAL_SKLSTM] / sh[LOCAL]
        ratios["full"].append(rf)
        ratios["short"].append(rs)
        rows.append([panel, name, f"{f[GLOBAL_SKLSTM]:.3f}", f"{f[LOCAL]:.3f}",
                     f"{rf:.3f}", f"{sh[GLOBAL_SKLSTM]:.3f}", f"{sh[LOCAL]:.3f}",
                     f"{rs:.3f}"])
    if len(rows) == 1:
        return []

    def gmean(values):
        values = np.asarray(values, dtype=float)
        return (f"{float(np.exp(np.log(values).mean())):.3f} "
                f"({int((values < 1).sum())} of {len(values)} below 1)")
    rows.append(["all", "geometric mean", "", "", gmean(ratios["full"]), "", "",
                 gmean(ratios["short"])])
    return rows


def report(raw: pd.DataFrame | None, b: dict | None, facts: dict,
           short: pd.DataFrame | None = None) -> str:
    md = FA.markdown
    parts = ["# Many series: a global LSTM across a panel, and what 1,000 series "
             "cost", intro_text(facts, b)]
    if raw is not None and len(raw):
        parts += ["## Part A: accuracy (M4 holdout, MASE)",
                  f"{produced_a(facts.get('A', {}), raw)} "
                  "MASE per panel is the mean over its series of the seed-mean "
                  "MASE; overall over all 16 series (EuStockMarkets' MASE, on a "
                  "186-step horizon scaled by one-day changes, is in the tens and "
                  "dominates the overall mean: read the median, the rank and "
                  f"the relative MASE, the geometric mean of the ratio to "
                  f"{REFERENCE}, below 1 better). Seconds: one fit and forecast "
                  "of every panel, one seed.",
                  md(summary_rows(summary_a(raw))),
                  "### Per series (MASE, seed mean; range over seeds in brackets)",
                  md(series_rows(raw))]
        failed = failure_lines(raw)
        if failed:
            parts += ["### Failures", "\n".join(failed)]
    if short is not None and len(short):
        parts += short_section(short, raw, facts)
    if b is not None:
        fb = facts.get("B", {})
        parts += ["## Part B: speed and memory (synthetic panel)",
                  f"Produced by `{fb.get('command', '')}` in "
                  f"{fb.get('minutes', float('nan')):.1f} min. Each measurement "
                  "ran in a fresh process; peak RSS is `ru_maxrss` less the "
                  "baseline process's. Times are wall seconds on a machine whose "
                  "two cores were shared with other runs, so they are indicative.",
                  md(part_b_rows(b))]
    notes = [*computed_notes(raw),
             *computed_notes(short, "Part A2 (short histories): "),
             *facts.get("notes", [])]
    if notes:
        parts += ["## Notes", "\n".join(f"- {n}" for n in notes)]
    return "\n\n".join(parts) + "\n"


def a_runs(fa: dict, raw: pd.DataFrame | None = None) -> list[dict]:
    """The commands that produced part A's rows: each with its models,
    seeds, workers and minutes. Results from before ``--models`` existed
    hold one command for every model."""
    if "runs" in fa:
        return fa["runs"]
    if not fa.get("command"):
        return []
    models = ([m for m in MODELS if raw is not None and m in set(raw["model"])]
              if raw is not None else [])
    return [{"command": fa["command"], "models": models,
             "seeds": fa.get("seeds", []), "jobs": fa.get("jobs", 2),
             "minutes": fa.get("minutes")}]


def record_run(fa: dict, raw_before, run: dict) -> dict:
    """Part A's facts after ``run`` (its models replacing theirs in the
    earlier runs); the newest run's command, workers and minutes on top."""
    runs = []
    for old in a_runs(fa, raw_before):
        left = [m for m in old["models"] if m not in run["models"]]
        if left:
            runs.append({**old, "models": left})
    runs.append(run)
    return {"command": run["command"], "jobs": run["jobs"],
            "seeds": run["seeds"], "minutes": run["minutes"], "runs": runs}


def produced_a(fa: dict, raw: pd.DataFrame) -> str:
    """The sentence that says which command produced which rows."""
    runs = a_runs(fa, raw)
    if not runs:
        return ""

    def one(run, every):
        seeds = ", ".join(map(str, run.get("seeds", [])))
        minutes = run.get("minutes")
        took = f" in {minutes:.1f} min" if minutes is not None else ""
        which = "" if every else " (" + ", ".join(
            f"`{m}`" for m in run["models"]) + ")"
        return (f"`{run['command']}`{which}{took} on {run.get('jobs', 2)} "
                f"worker(s) (neural seeds {seeds})")
    if len(runs) == 1:
        return f"Produced by {one(runs[0], True)}."
    return ("Produced by " + "; ".join(one(r, False) for r in runs)
            + " (each command's models; the other rows kept from before).")


def computed_notes(raw: pd.DataFrame | None, label: str = "") -> list[str]:
    """Notes computed from the rows, so they never go stale: the global
    sklstm forecaster against the local one, series by series (``label``
    starts the note)."""
    if raw is None or not len(raw):
        return []
    means = seed_means(raw)
    wide = means.pivot_table(index=["panel", "series"], columns="model",
                             values="MASE")
    if not {GLOBAL_SKLSTM, LOCAL} <= set(wide.columns):
        return []
    g, loc = wide[GLOBAL_SKLSTM], wide[LOCAL]
    ratio = float(np.exp(np.log(g / loc).mean()))
    better = int((g < loc).sum())
    table = summary_a(raw)
    rel = f"rel. MASE vs {REFERENCE}"
    text = (f"{label}{GLOBAL_SKLSTM} against {LOCAL} (computed from the rows): "
            f"geometric mean of the MASE ratio {ratio:.3f} (below 1: the global "
            f"one better), better on {better} of {len(g)} series")
    for panel in dict.fromkeys(means["panel"]):
        part = (g / loc)[g.index.get_level_values(0) == panel]
        text += (f"; {panel} {float(np.exp(np.log(part).mean())):.3f} "
                 f"({int((part < 1).sum())} of {len(part)})")
    if rel in table.columns:
        text += (f". Relative MASE vs {REFERENCE}: "
                 f"{table.loc[GLOBAL_SKLSTM, rel]:.3f} against "
                 f"{table.loc[LOCAL, rel]:.3f}")
    text += (f"; seconds (all panels, one seed) "
             f"{table.loc[GLOBAL_SKLSTM, 'seconds (all panels)']:.1f} against "
             f"{table.loc[LOCAL, 'seconds (all panels)']:.1f}.")
    return [text]


def _b_local_text(b: dict | None) -> str:
    """Part B's local fits in the protocol: measured on every series, or
    measured on a few and extrapolated."""
    cfg = (b or {}).get("config", {})
    n = cfg.get("n_series", B_SERIES)
    k = cfg.get("local_series") or n
    fits = ("(`LSTMForecaster(horizon=12, n_members=1, max_epochs=5)`)")
    if k == n:
        return (f"and local fits {fits} of all {n:,} series, serially and on "
                "a 2-worker Dask LocalCluster, measured, against both global "
                "fits")
    return (f"and local fits {fits} of the first {k:,} series serially and on "
            f"a 2-worker Dask LocalCluster, extrapolated to {n:,}")


def intro_text(facts: dict, b: dict | None = None) -> str:
    smoke = " **Smoke run: tiny settings, not results.**" if facts.get(
        "smoke") else ""
    return (
        "Protocol (details in the docstring of `benchmarks/many_series.py`)."
        f"{smoke}\n\n"
        "- **Part A.** Three panels of the development series: 8 monthly (H = "
        "18, m = 12), 4 quarterly (H = 8, m = 4), the 4 EuStockMarkets indices "
        "(trading days, H = 186 = 10% of 1,860, m = 1); M4 holdout of the last H "
        "points, MASE scaled by the in-sample seasonal-naive MAE. The global "
        "LSTMs fit one `LSTMRegressor` per panel on `make_supervised(panel, "
        "'y', horizon=[1..H])` after dividing each series by its training mean "
        "(`(log)`: the log of that ratio), lookback max(2 x season, 8), hidden "
        f"32, batch 32, lr 3e-3, at most 50 epochs with early stopping, id "
        f"embedding of {ID_EMBEDDING} (`no id`: none); forecast from each "
        "series' last `lookback` rows. `(relative)`: X is the change of "
        "log(y / mean) from the step before, the target its change from the "
        "current step to step t + h (added after the first run showed the "
        "other global models pulling trending series back to their training "
        "range; its input choice was made on seed 0 of this holdout, so it is "
        "somewhat optimistic). `global sklstm` is "
        "`GlobalLSTMForecaster(horizon=H, n_jobs=2)` with its defaults on the "
        "raw panel (it fills gaps itself): one ensemble of 5 LSTMs trained on "
        "the windows of every series, each series normalised as the local "
        "forecaster normalises one (its own log, seasons, scale of change, "
        "smoothed level and Theta forecast), batch size and epochs set from "
        "the pooled window count (added after the first run). `local sklstm` "
        "is `PerSeriesForecaster(LSTMForecaster(horizon=H))` with its "
        "defaults on two workers; AutoETS, AutoARIMA and seasonal naive as in "
        "`forecast_accuracy.py`.\n"
        "- **Part A2.** Short histories: the monthly and quarterly series of "
        "part A with the same held-out tails, each training part cut to its "
        "last 48 monthly (4 years) or 24 quarterly (6 years) rows; MASE scaled "
        "by the in-sample seasonal-naive MAE of the cut training part (M4 "
        "scales by the training data given). EuStockMarkets is left out (no "
        "calendar season; H is 10% of its length). Models: global sklstm, "
        "local sklstm, AutoETS, AutoARIMA, seasonal naive, as in part A.\n"
        "- **Part B.** A synthetic panel of 1,000 monthly-like series x 500 steps "
        "(random level, growth, season-12 swing and noise, seed 0): the global "
        "fit (lookback 24, hidden 32, batch 256, 2 epochs, 2 torch threads, no "
        "validation), 1,000 forecasts of 12 steps from it; "
        "`GlobalLSTMForecaster(horizon=12, n_members=1)` with "
        f"{_b_global_sklstm_training()} (fit, and predict of the 1,000 "
        f"series); {_b_local_text(b)}."
    )


def _b_global_sklstm_training() -> str:
    epochs = B_GLOBAL_SKLSTM.get("max_epochs")
    return ("its default training length" if epochs is None
            else f"max_epochs={epochs} (set by hand)")


def write(out: Path, raw, b, facts, short=None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    long_rows(raw, b, short).to_csv(out / f"{RESULTS}.csv", index=False)

    def records(rows):
        return json.loads(rows.to_json(orient="records")) if rows is not None \
            else None
    payload = {"facts": facts, "part_b": b, "part_a_rows": records(raw),
               "part_a2_rows": records(short)}
    (out / f"{RESULTS}.json").write_text(json.dumps(payload, indent=1) + "\n")
    (out / f"{RESULTS}.md").write_text(report(raw, b, facts, short))


def load_results(out: Path):
    """The last results in ``out``: (part A rows, part B dict, facts, part
    A2 rows)."""
    path = out / f"{RESULTS}.json"
    if not path.exists():
        return None, None, {}, None
    payload = json.loads(path.read_text())

    def frame(rows):
        return pd.DataFrame(rows).fillna({"error": ""}) if rows else None
    return (frame(payload.get("part_a_rows")), payload.get("part_b"),
            payload.get("facts", {}), frame(payload.get("part_a2_rows")))


# ------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["A", "A2", "B", "all"],
                        default="all",
                        help="A: accuracy on full histories; A2: the same "
                        "series with short histories; B: speed and memory; "
                        "all: every part (default)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny: 2 short series per panel, 1 epoch, 20 "
                        "synthetic series x 100 steps")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=None, choices=MODELS,
                        metavar="NAME",
                        help="part A or A2: fit only these models and merge "
                        "their rows into the last results in --out, replacing "
                        "those models' rows (quote names with spaces; one of: "
                        + ", ".join(repr(m) for m in MODELS) + ")")
    parser.add_argument("--local-series", type=int, default=None,
                        metavar="N",
                        help="part B: fit the local models of the first N "
                        "series only and extrapolate their seconds to the "
                        "panel (default: every series, measured; "
                        f"{SMOKE_B['local_series']} with --smoke)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="parallel fits in part A, one torch thread each "
                        "(default: 2; 1 with --smoke)")
    parser.add_argument("--note", action="append", default=[],
                        help="a note for the report (repeatable; replaces the "
                        "notes of the last results)")
    parser.add_argument("--add-note", action="append", default=[],
                        help="a note appended to the notes of the last results "
                        "(repeatable)")
    parser.add_argument("--render", action="store_true",
                        help="fit nothing: write the tables of the last results "
                        "in --out again (with --note: with those notes)")
    parser.add_argument("--out", default="benchmarks/results",
                        help=f"folder of {RESULTS}.{{md,csv,json}}")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure-config", default="{}", help=argparse.SUPPRESS)
    return parser


def set_notes(facts: dict, args) -> None:
    """``--note`` replaces the notes of the last results; ``--add-note``
    appends to them."""
    if args.note:
        facts["notes"] = list(args.note)
    if args.add_note:
        facts["notes"] = [*facts.get("notes", []), *args.add_note]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if args.measure:  # a part B measurement, in this fresh process
        result = measure(args.measure, json.loads(args.measure_config))
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    out = Path(args.out)
    command = ("python benchmarks/many_series.py " + shlex.join(argv)).strip()
    if args.models and args.part not in ("A", "A2"):
        raise SystemExit("many_series.py: --models selects models of part A or "
                         "A2; pass --part A with it (or --part A2; part B has "
                         "no models to pick).")
    if args.models and args.part == "A2" and not set(args.models) <= set(
            SHORT_MODELS):
        raise SystemExit("many_series.py: part A2 runs only "
                         + ", ".join(repr(m) for m in SHORT_MODELS) + "; got "
                         + ", ".join(repr(m) for m in args.models
                                     if m not in SHORT_MODELS) + ".")
    if args.local_series is not None and args.part not in ("B", "all"):
        raise SystemExit("many_series.py: --local-series sizes part B's local "
                         "fits; pass --part B with it (or run every part).")
    if args.local_series is not None:
        try:
            part_b_config(args.smoke, args.local_series)
        except ValueError as error:
            raise SystemExit(f"many_series.py: {error}") from None
    if args.render:
        raw, b, facts, short = load_results(out)
        if not facts:
            raise SystemExit(f"{out}/{RESULTS}.json: no results to render")
        set_notes(facts, args)
        write(out, raw, b, facts, short)
        print(f"rendered {out}/{RESULTS}.md, .csv, .json again")
        return 0
    raw, b, facts, short = (load_results(out) if args.part != "all"
                            else (None, None, {}, None))
    if bool(facts.get("smoke")) != args.smoke:  # never mix smoke and real runs
        raw, b, facts, short = None, None, {}, None
    facts = {**facts, "smoke": args.smoke}
    set_notes(facts, args)
    seeds = args.seeds[:1] if args.smoke else args.seeds
    if args.jobs is None:
        args.jobs = 1 if args.smoke else 2
    # part B first: its measuring processes must start from a parent that
    # has not imported torch yet (see _peak_mb)
    if args.part in ("B", "all"):
        started = time.perf_counter()
        b = run_part_b(args.smoke, args.local_series)
        facts["B"] = {"command": command,
                      "minutes": round((time.perf_counter() - started) / 60, 1)}
        print("\n" + FA.plain(part_b_rows(b)), flush=True)
        write(out, raw, b, facts, short)  # kept even if part A fails
    if args.part in ("A", "all"):
        started = time.perf_counter()
        models = [m for m in MODELS if m in (args.models or MODELS)]
        new = run_part_a(models=models, seeds=seeds, smoke=args.smoke,
                         jobs=args.jobs)
        run = {"command": command, "models": models, "seeds": seeds,
               "jobs": args.jobs,
               "minutes": round((time.perf_counter() - started) / 60, 1)}
        if args.models:  # merge into the last results
            before = raw
            raw = merge_rows(raw, new, SMOKE_PANELS if args.smoke else PANELS)
            facts["A"] = record_run(facts.get("A", {}), before, run)
        else:
            raw = new
            facts["A"] = record_run({}, None, run)
        print("\n" + FA.plain(summary_rows(summary_a(raw))), flush=True)
        write(out, raw, b, facts, short)  # kept even if part A2 fails
    if args.part in ("A2", "all"):
        started = time.perf_counter()
        models = [m for m in SHORT_MODELS if m in (args.models or SHORT_MODELS)]
        panels = short_panels(args.smoke)
        new = run_part_a(panels=panels, models=models, seeds=seeds,
                         smoke=args.smoke, jobs=args.jobs, label="part A2")
        run = {"command": command, "models": models, "seeds": seeds,
               "jobs": args.jobs,
               "minutes": round((time.perf_counter() - started) / 60, 1)}
        if args.models:  # merge into the last results
            before = short
            short = merge_rows(short, new, panels)
            facts["A2"] = record_run(facts.get("A2", {}), before, run)
        else:
            short = new
            facts["A2"] = record_run({}, None, run)
        print("\n" + FA.plain(summary_rows(summary_a(short))), flush=True)
    write(out, raw, b, facts, short)
    print(f"wrote {out}/{RESULTS}.md, .csv, .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
