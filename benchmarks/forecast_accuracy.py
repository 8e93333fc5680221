"""Accuracy on many real series: sklstm's forecaster against the statistical bar.

Run ``python benchmarks/forecast_accuracy.py`` (about 30 minutes on two
cores) or ``--smoke`` (four short series, one seed, a minute). It prints one
table per series and a summary, and writes them as Markdown
(``benchmarks/results/forecast_accuracy.md``), as reStructuredText for the
documentation (``docs/forecast_accuracy_results.rst``) and every score as CSV
(``benchmarks/results/forecast_accuracy.csv``).

Protocol (M4-style, see ``benchmarks/series.py``): for each of the 21
development series, hold out the last ``H`` points, fit every model once on
the rest and forecast ``H`` steps from the end of training. Metrics: MASE
(scaled by the in-sample seasonal-naive MAE), sMAPE, and the share of
negative forecasts on series with no negative value.

Models, in the same run:

- ``naive`` (the last value) and ``seasonal naive`` (the value one season
  before);
- ``AutoETS``, ``AutoARIMA``, ``AutoTheta`` from statsforecast, with the
  series' natural season (``season_length`` 12 monthly, 4 quarterly, 52
  weekly, 48 half-hourly, 1 otherwise). AutoARIMA with a season longer than
  24 steps is fitted on the last ten seasons with its approximate search and
  seasonal orders at most 1 (the full search takes many minutes there);
- ``Ridge on lag features``: ``make_ridge_baseline(max(season, 12))``, one
  output per step ahead;
- ``naive LSTM recipe``: ``make_naive_lstm`` (standardised raw values, 200
  epochs, clipped at 0), one output per step ahead, as the ``sklstm``
  command fits it;
- ``sklstm``: ``LSTMForecaster(horizon=H)`` with its self-configured
  defaults, exactly as the ``sklstm`` command and the documented API build it;
- ``sklstm tuned`` (only when asked for with ``--models``): the same, with
  the number of epochs (10, 25 or 50) chosen on the last ``H`` points of the
  training part, then refitted on all of it: the search the command used to
  run, which did not beat the defaults and was dropped.

Variants of the forecaster are compared in the same run with ``--variant
'label:param=value,param=value'`` (any ``LSTMForecaster`` parameter, or
``config.NAME`` for a constant of ``sklstm.forecasting._config``, the rules
of the self-configuration), which is how each default was chosen. Neural
models run once per seed of ``--seeds``;
tables show the mean over seeds and the range. The summary ranks the models
by MASE on every series (seed means) and reports the mean rank, the median
MASE, each model's wins against every baseline, and failures (an exception:
the model's forecast is then the naive one, and the failure is counted).
"""

from __future__ import annotations

import argparse
import ast
import json
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

BASELINES = ["naive", "seasonal naive", "AutoETS", "AutoARIMA", "AutoTheta",
             "Ridge on lag features"]
NAIVE_LSTM = "naive LSTM recipe"
SKLSTM = "sklstm"
SKLSTM_TUNED = "sklstm tuned"
#: statsforecast's settings for long seasons start above this
LONG_SEASON = 24


# ------------------------------------------------------------------ models
def _filled(series: pd.Series) -> pd.Series:
    return series.interpolate(limit_direction="both")


def f_naive(case: S.Case, seed: int, params: dict) -> np.ndarray:
    return np.repeat(_filled(case.train).to_numpy()[-1], case.horizon)


def f_snaive(case: S.Case, seed: int, params: dict) -> np.ndarray:
    values = _filled(case.train).to_numpy()
    m = case.season if len(values) >= case.season else 1
    return np.resize(values[-m:], case.horizon)


def _statsforecast(name):
    def fit(case: S.Case, seed: int, params: dict) -> np.ndarray:
        from statsforecast import models

        values = _filled(case.train).to_numpy()
        m = case.season
        kw = {"season_length": m}
        if name == "AutoARIMA" and m > LONG_SEASON:
            kw.update(approximation=True, max_P=1, max_Q=1)
            values = values[-10 * m:]
        model = getattr(models, name)(**kw).fit(values)
        return np.asarray(model.predict(case.horizon)["mean"], dtype=float)
    return fit


def _direct(case: S.Case, model, lags_needed: int):
    from sklstm import forecast, make_supervised

    frame = _filled(case.train).to_frame()
    target = str(case.train.name)
    X, Y = make_supervised(frame, target, horizon=list(range(1, case.horizon + 1)))
    model.fit(frame.iloc[: len(X)], Y)
    return forecast(model, frame, horizon=case.horizon, target=target).to_numpy()


def f_ridge(case: S.Case, seed: int, params: dict) -> np.ndarray:
    from sklstm.pipeline import make_ridge_baseline

    lags = max(case.season, 12)
    return _direct(case, make_ridge_baseline(lags), lags)


def f_naive_lstm(case: S.Case, seed: int, params: dict) -> np.ndarray:
    from sklstm.pipeline import make_naive_lstm

    lookback = max(min(case.season, 48), 6)
    model = make_naive_lstm(lookback, random_state=seed, n_threads=1, **params)
    if not case.non_negative:
        model.set_params(non_negative=None)
    return _direct(case, model, lookback)


def rolling_covariates(train: pd.Series, season: int) -> pd.DataFrame:
    """Causal window statistics and indicators of the target (the ``rolling``
    variant): its mean and std over a season (at least 4 steps), RSI and the
    MACD histogram. Past-only covariates: known up to the last row."""
    from sklstm.preprocessing import RollingFeatures

    window = max(int(season), 4)
    frame = _filled(train).to_frame()
    features = RollingFeatures(window, stats=("mean", "std"),
                               indicators=("rsi", "macd")).set_output(
                                   transform="pandas")
    out = features.fit_transform(frame)
    # the MACD line and its signal drift with the level; their difference
    # (the histogram) does not
    keep = [c for c in out.columns if c != frame.columns[0]
            and not c.endswith(("_macd", "_macd_signal"))]
    return out[keep]


def f_sklstm(case: S.Case, seed: int, params: dict) -> np.ndarray:
    from sklstm import LSTMForecaster
    from sklstm.forecasting import _config

    rolling = bool(params.pop("rolling", False))
    knobs = {k.split(".", 1)[1]: params.pop(k)
             for k in [k for k in params if k.startswith("config.")]}
    saved = {k: getattr(_config, k) for k in knobs}
    try:  # a development knob: a constant of the configuration rules
        for key, value in knobs.items():
            setattr(_config, key, value)
        model = LSTMForecaster(horizon=case.horizon, random_state=seed, n_jobs=1,
                               **params)
        if rolling:  # technical indicators as past-only covariates
            X = rolling_covariates(case.train, case.season)
            return model.set_params(future=None).fit(case.train, X=X).predict(
                ).to_numpy()
        return model.fit(case.train).predict().to_numpy()
    finally:  # workers are reused: leave the rules as they were
        for key, value in saved.items():
            setattr(_config, key, value)


#: The search the ``sklstm`` command used to run, on the forecaster: the
#: number of epochs, chosen on the last H points of the training part.
TUNING_GRID = [{"config.EPOCHS": e} for e in (10, 25, 50)]


def f_sklstm_tuned(case: S.Case, seed: int, params: dict) -> np.ndarray:
    """Pick the candidate with the lowest MASE on the training part's own last
    ``H`` points (fitted on the rest), then refit it on the whole training part."""
    from sklstm.metrics import mase

    inner = S.Case(case.name, case.kind, case.train)
    best, best_score = None, np.inf
    for candidate in TUNING_GRID:
        pred = f_sklstm(inner, seed, {**params, **candidate})
        actual = inner.test.to_numpy()
        ok = np.isfinite(actual)
        score = mase(actual[ok], pred[ok], inner.train.to_numpy(), m=case.mase_m)
        if score < best_score:
            best, best_score = candidate, score
    return f_sklstm(case, seed, {**params, **best})


MODELS = {
    "naive": (f_naive, False),
    "seasonal naive": (f_snaive, False),
    "AutoETS": (_statsforecast("AutoETS"), False),
    "AutoARIMA": (_statsforecast("AutoARIMA"), False),
    "AutoTheta": (_statsforecast("AutoTheta"), False),
    "Ridge on lag features": (f_ridge, False),
    NAIVE_LSTM: (f_naive_lstm, True),
    SKLSTM: (f_sklstm, True),
    SKLSTM_TUNED: (f_sklstm_tuned, True),
}


def _split_top(text: str) -> list[str]:
    """Split at the commas outside brackets and braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [p for p in [*parts, text[start:]] if p.strip()]


def parse_variant(text: str) -> tuple[str, dict]:
    """``'label:a=1,b=x,c={"k": 1, "j": 2}'`` -> ``('label', {...})``."""
    label, _, rest = text.partition(":")
    params = {}
    for item in _split_top(rest):
        key, _, value = item.partition("=")
        try:
            params[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            params[key.strip()] = value.strip()
    return label.strip(), params


# ------------------------------------------------------------------ scoring
def score(case: S.Case, pred: np.ndarray) -> dict:
    from sklstm.metrics import mase, smape

    actual = case.test.to_numpy()
    ok = np.isfinite(actual)
    pred = np.asarray(pred, dtype=float)
    if pred.shape != actual.shape or not np.isfinite(pred).all():
        raise ValueError(f"forecast of shape {pred.shape} with non-finite values")
    train = case.train.to_numpy()
    return {
        "MASE": mase(actual[ok], pred[ok], train, m=case.mase_m),
        "sMAPE": smape(actual[ok], pred[ok]),
        "neg %": 100.0 * float(np.mean(pred < 0)) if case.non_negative else 0.0,
    }


def run_one(name: str, label: str, key: str, seed, params: dict, threads: int):
    """Fit one model on one series; one row of scores."""
    import torch

    torch.set_num_threads(threads)
    case = S.load(name)
    fit, _ = MODELS[key]
    started = time.perf_counter()
    error = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = fit(case, 0 if seed is None else seed, dict(params))
        row = score(case, pred)
    except Exception as exc:  # a failure is a result: counted, naive forecast
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        if os.environ.get("SKLSTM_BENCH_DEBUG"):
            traceback.print_exc()
        row = score(case, f_naive(case, 0, {}))
    secs = time.perf_counter() - started
    return {"series": name, "kind": case.kind, "model": label, "seed": seed,
            **row, "seconds": secs, "error": error}


# ------------------------------------------------------------------ summary
def _count_errors(errors: pd.Series) -> int:
    """Rows with an error message (empty or missing: none)."""
    text = errors.astype(object).where(errors.notna(), "").astype(str)
    return int((text != "").sum())


def seed_means(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.groupby(["series", "model"], sort=False).agg(
        MASE=("MASE", "mean"), MASE_min=("MASE", "min"), MASE_max=("MASE", "max"),
        sMAPE=("sMAPE", "mean"), neg=("neg %", "max"),
        seconds=("seconds", "mean"), seeds=("seed", "count"),
        failures=("error", _count_errors),
    ).reset_index()


def summary(raw: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """Mean MASE rank, median MASE, the geometric mean of the MASE ratio to
    sklstm's, wins against each baseline, failures."""
    means = seed_means(raw)
    mase = means.pivot(index="series", columns="model", values="MASE")[models]
    ranks = mase.rank(axis=1)
    out = pd.DataFrame({
        "mean rank": ranks.mean(),
        "median MASE": mase.median(),
        "mean MASE": mase.mean(),
    })
    if SKLSTM in mase.columns:
        # geometric mean over series of MASE / sklstm's MASE: above 1, worse
        ratio = np.log(mase.div(mase[SKLSTM], axis=0))
        out["MASE vs sklstm"] = np.exp(ratio.mean())
    for base in [b for b in BASELINES + [NAIVE_LSTM] if b in mase.columns]:
        out[f"beats {base}"] = [
            f"{int((mase[m] < mase[base]).sum())}/{len(mase)}" if m != base else "-"
            for m in out.index
        ]
    fails = means.groupby("model")["failures"].sum()
    negs = means.assign(has=means["neg"] > 0).groupby("model")["has"].sum()
    out["failures"] = fails.reindex(out.index).fillna(0).astype(int)
    out["series with negatives"] = negs.reindex(out.index).fillna(0).astype(int)
    return out.sort_values("mean rank")


def series_table(means: pd.DataFrame, name: str) -> list[list[str]]:
    part = means[means["series"] == name].sort_values("MASE")
    rows = [["model", "MASE", "sMAPE %", "neg %", "seeds", "s/fit"]]
    for _, r in part.iterrows():
        cell = f"{r['MASE']:.3f}"
        if r["seeds"] > 1 and r["MASE_max"] > r["MASE_min"]:
            cell += f" ({r['MASE_min']:.3f}-{r['MASE_max']:.3f})"
        if r["failures"]:
            cell += f" [{r['failures']} failed]"
        rows.append([r["model"], cell, f"{r['sMAPE']:.2f}", f"{r['neg']:.0f}",
                     str(int(r["seeds"])), f"{r['seconds']:.1f}"])
    return rows


def summary_rows(table: pd.DataFrame) -> list[list[str]]:
    head = ["model", *table.columns]
    rows = [head]
    for name, r in table.iterrows():
        cells = []
        for c in table.columns:
            v = r[c]
            cells.append(f"{v:.2f}" if c == "mean rank" else
                         f"{v:.3f}" if isinstance(v, float) else str(v))
        rows.append([str(name), *cells])
    return rows


def markdown(rows) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def rst(rows) -> str:
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for r in rows:
        lines.append(f"   * - {r[0]}")
        lines += [f"     - {c}" for c in r[1:]]
    return "\n".join(lines)


def plain(rows) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in rows)


def report(raw: pd.DataFrame, models: list[str], render, heading, intro) -> str:
    means = seed_means(raw)
    parts = [intro, heading("Summary", 2), render(summary_rows(summary(raw, models)))]
    parts.append(heading("Per series (MASE: mean over seeds, range in brackets)", 2))
    for name in dict.fromkeys(raw["series"]):
        kind = raw.loc[raw["series"] == name, "kind"].iloc[0]
        case = S.load(name)
        parts.append(heading(f"{name} ({kind}, n={len(case.series)}, "
                             f"H={case.horizon})", 3))
        parts.append(render(series_table(means, name)))
    return "\n\n".join(parts) + "\n"


def _md_heading(text, level):
    return "#" * level + " " + text


def _rst_heading(text, level):
    return f"{text}\n{'~^'[level - 2] * len(text)}"


# ------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--series", nargs="+", choices=S.names(), default=None,
                        help="series (default: all 21)")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=None,
                        help="models (default: all)")
    parser.add_argument("--variant", action="append", default=[], metavar="SPEC",
                        help="an extra LSTMForecaster: 'label:param=value,...'")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2,
                        help="parallel fits, one torch thread each (default: 2)")
    parser.add_argument("--smoke", action="store_true",
                        help="four short series, seed 0, fast settings")
    parser.add_argument("--reuse", metavar="CSV", default=None,
                        help="take the rows of models already scored in this CSV")
    parser.add_argument("--render", metavar="CSV", default=None,
                        help="fit nothing: write the tables of this CSV (and its "
                        ".json of run facts) again")
    parser.add_argument("--out", default="benchmarks/results/forecast_accuracy.md")
    parser.add_argument("--csv", default="benchmarks/results/forecast_accuracy.csv")
    parser.add_argument("--rst", default="docs/forecast_accuracy_results.rst",
                        help="reStructuredText for the docs ('' for none)")
    return parser


def plan(args) -> tuple[list, list[str]]:
    """The (series, label, model key, seed, params) jobs, and the labels."""
    names = args.series or (S.SMOKE if args.smoke else S.names())
    seeds = args.seeds[:1] if args.smoke else args.seeds
    keys = args.models or [k for k in MODELS if k != SKLSTM_TUNED]
    entries = [(k, k, {}) for k in keys]
    for spec in args.variant:
        label, params = parse_variant(spec)
        key = SKLSTM_TUNED if label.startswith(SKLSTM_TUNED) else SKLSTM
        entries.append((label, key, params))
    if args.smoke:
        fast = {"max_epochs": 3, "n_members": 2}
        entries = [(lbl, key, {**fast, **p} if key in (SKLSTM, SKLSTM_TUNED) else
                    ({"max_epochs": 3} if key == NAIVE_LSTM else p))
                   for lbl, key, p in entries]
    jobs = []
    for name in names:
        for label, key, params in entries:
            neural = MODELS[key][1]
            for seed in (seeds if neural else [None]):
                jobs.append((name, label, key, seed, params))
    return jobs, [e[0] for e in entries]


def _run(args, labels, jobs) -> tuple[pd.DataFrame, dict]:
    """Fit the jobs (reusing rows of ``--reuse``); the raw scores and run facts."""
    from joblib import Parallel, delayed

    reused = pd.DataFrame()
    facts = {"command": "python benchmarks/forecast_accuracy.py "
             + shlex.join(args.argv), "jobs": args.jobs, "reused": []}
    if args.reuse and Path(args.reuse).exists():
        old = pd.read_csv(args.reuse, keep_default_na=False,
                          na_values={"seed": [""]})
        keep = [lbl for lbl in labels if lbl in set(old["model"])]
        reused = old[old["model"].isin(keep)
                     & old["series"].isin({j[0] for j in jobs})]
        jobs = [j for j in jobs if j[1] not in keep]
        facts["reused"] = keep
        print(f"reusing {len(reused)} rows of {', '.join(keep)} from {args.reuse}")
    started = time.perf_counter()
    # the long series first, so the two workers finish together
    jobs.sort(key=lambda j: -len(S.load(j[0]).series) * (2 if MODELS[j[2]][1] else 1))
    print(f"{len(jobs)} fits on {args.jobs} worker(s)", flush=True)
    rows = Parallel(n_jobs=args.jobs, verbose=0, return_as="generator_unordered")(
        delayed(run_one)(*job, threads=1) for job in jobs
    )
    done = []
    for row in rows:
        done.append(row)
        note = f"  FAILED {row['error']}" if row["error"] else ""
        print(f"  {row['series']:15s} {row['model']:24s} seed "
              f"{'-' if row['seed'] is None else row['seed']:>2}  MASE "
              f"{row['MASE']:7.3f}  ({row['seconds']:.1f} s){note}", flush=True)
    facts["minutes"] = round((time.perf_counter() - started) / 60, 1)
    return pd.concat([reused, pd.DataFrame(done)], ignore_index=True), facts


def intro_text(raw: pd.DataFrame, facts: dict) -> str:
    seeds_run = sorted(raw["seed"].dropna().astype(int).unique())
    reused = (f" The rows of {', '.join(facts['reused'])} were taken from an "
              "earlier run of the same protocol." if facts.get("reused") else "")
    return (
        f"Produced by `{facts['command'].strip()}` in {facts['minutes']:.1f} min "
        f"on {facts['jobs']} worker(s) (seeds {', '.join(map(str, seeds_run))})."
        f"{reused} MASE is scaled by the in-sample seasonal-naive MAE (m = 12 "
        "monthly, 4 quarterly, 52 weekly, 7 daily, 1 otherwise); ranks are over "
        "the seed means; 'beats X' counts the series where the model's MASE is "
        "below X's; 'MASE vs sklstm' is the geometric mean over series of the "
        "ratio to sklstm's MASE (above 1: worse)."
    )


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    jobs, labels = plan(args)
    facts_path = Path(args.csv).with_suffix(".json") if args.csv else None
    if args.render:
        raw = pd.read_csv(args.render)
        # the planned models it holds, then its variants
        scored = list(dict.fromkeys(raw["model"]))
        labels = ([lbl for lbl in labels if lbl in scored]
                  + [lbl for lbl in scored if lbl not in labels])
        raw = raw[raw["model"].isin(labels)]
        facts = json.loads(Path(args.render).with_suffix(".json").read_text())
    else:
        raw, facts = _run(args, labels, jobs)
    order = {n: i for i, n in enumerate(S.names())}
    raw = raw.sort_values(["series", "model"], key=lambda c: c.map(order)
                          if c.name == "series" else c.map(labels.index))
    table = summary(raw, labels)
    print("\n" + plain(summary_rows(table)))
    intro = intro_text(raw, facts)
    for path, render, heading, fix in (
        (args.out, markdown, _md_heading, str),
        (args.rst, rst, _rst_heading, lambda t: t.replace("`", "``")),
    ):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            title = ("# Forecast accuracy on the development series\n\n"
                     if render is markdown else "")
            Path(path).write_text(title + report(raw, labels, render, heading,
                                                 fix(intro)))
    if args.csv and not args.render:
        raw.to_csv(args.csv, index=False)
        facts_path.write_text(json.dumps(facts, indent=1) + "\n")
    written = [args.out, args.rst] + ([] if args.render else [args.csv])
    print(f"wrote {', '.join(p for p in written if p)} "
          f"(the fits took {facts['minutes']:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
