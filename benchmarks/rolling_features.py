"""Time of RollingFeatures against the same features written as direct pandas calls.

Run: ``python benchmarks/rolling_features.py [--rows N] [--repeat R] [--out FILE]``.

Every case runs in this one process on the same frame (1,000,000 rows x 8
float64 columns by default, a random walk per column), ours and pandas' one
after the other, so the ratios compare like with like. Ours is
``RollingFeatures(..., fill_value=np.nan).fit_transform(df)`` (input checks
and the DataFrame output included), which gives pandas' values; pandas' is
``df.rolling(w, min_periods=1).<stat>()`` (or ``ewm``) per feature, joined to
``df`` with ``pd.concat``. The last row times the default
``fill_value="partial"`` (no NaN at the start) against the same pandas calls.
Time is the best of ``--repeat`` runs, ours and pandas' taking turns, as wall
time (perf_counter) and as the process's CPU time (process_time), which other
jobs on shared cores disturb less. Both outputs are
compared before timing (where pandas gives a number, for "partial"; to 1e-6,
as ours restarts the running variance of a rolling std every 65536
rows where a single pandas run drifts).
With ``--out`` the table is also written as Markdown.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

from sklstm import RollingFeatures


def make_frame(n_rows: int, n_cols: int = 8, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2000-01-01", periods=n_rows, freq="min")
    values = 100 + np.cumsum(rng.standard_normal((n_rows, n_cols)), axis=0)
    return pd.DataFrame(values, index=index, columns=[f"c{j}" for j in range(n_cols)])


def stats_pandas(df, windows, stats, quantile=0.9):
    parts = [df]
    for w in windows:
        r = df.rolling(w, min_periods=1)
        for s in stats:
            out = r.quantile(quantile) if s == "quantile" else getattr(r, s)()
            parts.append(out.add_suffix(f"_roll{s}{w}"))
    return pd.concat(parts, axis=1)


def ewm_pandas(df, spans):
    return pd.concat([df, *(df.ewm(span=s).mean().add_suffix(f"_ewm{s}")
                            for s in spans)], axis=1)


def indicators_pandas(df, rsi_window=14, spans=(12, 26, 9)):
    delta = df.diff()
    alpha = 1.0 / rsi_window
    gain = delta.clip(lower=0).ewm(alpha=alpha).mean()
    loss = (-delta).clip(lower=0).ewm(alpha=alpha).mean()
    rsi = (100 * gain / (gain + loss)).fillna(50.0)
    rsi.iloc[0] = np.nan
    line = df.ewm(span=spans[0]).mean() - df.ewm(span=spans[1]).mean()
    signal = line.ewm(span=spans[2]).mean()
    return pd.concat([df, rsi.add_suffix("_rsi"), line.add_suffix("_macd"),
                      signal.add_suffix("_macd_signal"),
                      (line - signal).add_suffix("_macd_hist")], axis=1)


def cases():
    """label -> (our transformer, the pandas callable)."""
    nan = {"fill_value": np.nan}
    return {
        "mean, std; windows 7, 30": (
            RollingFeatures(windows=[7, 30], stats=["mean", "std"], **nan),
            lambda d: stats_pandas(d, [7, 30], ["mean", "std"]),
        ),
        "mean, std, min, max; window 24": (
            RollingFeatures(windows=24, stats=["mean", "std", "min", "max"], **nan),
            lambda d: stats_pandas(d, [24], ["mean", "std", "min", "max"]),
        ),
        "sum, median, q0.9; window 30": (
            RollingFeatures(windows=30, stats=["sum", "median", "quantile"], **nan),
            lambda d: stats_pandas(d, [30], ["sum", "median", "quantile"]),
        ),
        "ewm; spans 12, 26": (
            RollingFeatures(stats=None, ewm_spans=[12, 26], **nan),
            lambda d: ewm_pandas(d, [12, 26]),
        ),
        "rsi 14 + macd 12/26/9": (
            RollingFeatures(stats=None, indicators=["rsi", "macd"], **nan),
            indicators_pandas,
        ),
        "mean, std; windows 7, 30 (partial)": (
            RollingFeatures(windows=[7, 30], stats=["mean", "std"]),
            lambda d: stats_pandas(d, [7, 30], ["mean", "std"]),
        ),
    }


def same_values(ours: pd.DataFrame, ref: pd.DataFrame) -> bool:
    """Equal up to column order (ours: per column; pandas: per feature)."""
    ref = ref.set_axis([str(c) for c in ref.columns], axis=1)
    ours = ours.set_axis([str(c).replace("rollq90_", "rollquantile") for c in
                          ours.columns], axis=1)
    ref = ref.set_axis([c.replace("_rsi", "_rsi14") for c in ref.columns], axis=1)
    if set(ours.columns) != set(ref.columns):
        return False
    ours, ref = ours.to_numpy(), ref[ours.columns].to_numpy()
    numbers = ~np.isnan(ref)  # "partial" fills pandas' NaN at the start
    # ours restarts pandas' running variance every 65536 rows; one pandas run
    # over the whole million drifts, by up to ~1e-6 here
    return np.allclose(ours[numbers], ref[numbers], rtol=1e-6, atol=1e-6)


def best_times(fns, data, repeat: int) -> list[tuple[float, float]]:
    """Best (wall, CPU) time of each of ``fns``, run in turns so that both see
    the same load on a shared machine."""
    best = [(np.inf, np.inf)] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            wall, cpu = time.perf_counter(), time.process_time()
            fn(data)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=None, help="also write the table here")
    args = parser.parse_args(argv)
    df = make_frame(args.rows)
    title = (f"{args.rows:,} rows x {df.shape[1]} columns, best of {args.repeat}; "
             f"pandas {pd.__version__}, numpy {np.__version__}, "
             f"Python {platform.python_version()}")
    header = (f"| {'features':<36} | {'out cols':>8} | {'ours wall s':>11} "
              f"| {'pandas wall s':>13} | {'ratio':>5} | {'ours CPU s':>10} "
              f"| {'pandas CPU s':>12} | {'CPU ratio':>9} |")
    rows = []
    for label, (est, ref) in cases().items():
        ours = lambda d, est=est: est.fit_transform(d)  # noqa: E731
        check_ours, check_ref = ours(df), ref(df)
        assert same_values(check_ours, check_ref), f"{label}: outputs differ"
        n_out = check_ours.shape[1]
        del check_ours, check_ref
        (w_ours, c_ours), (w_ref, c_ref) = best_times([ours, ref], df, args.repeat)
        rows.append(f"| {label:<36} | {n_out:>8} | {w_ours:>11.3f} | {w_ref:>13.3f} "
                    f"| {w_ours / w_ref:>5.2f} | {c_ours:>10.3f} | {c_ref:>12.3f} "
                    f"| {c_ours / c_ref:>9.2f} |")
    sep = "|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|"
    lines = [title, "", header, sep, *rows, "",
             "ratio: RollingFeatures time / pandas time (below 1: ours faster). "
             "Wall time (perf_counter) and the process's CPU time (process_time),",
             "each the best of the runs; the CPU time is steadier where other "
             "jobs share the cores (all of it is single-threaded)."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write("# RollingFeatures against direct pandas calls\n\n"
                     "Produced by `python benchmarks/rolling_features.py "
                     f"--rows {args.rows} --repeat {args.repeat} --out {args.out}`"
                     f".\n\n{text}\n")


if __name__ == "__main__":
    main()
