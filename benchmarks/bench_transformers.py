"""Time and peak memory of each sklstm transformer against its pandas equivalent.

Run: ``python benchmarks/bench_transformers.py [--rows N] [--repeat R]``.

Every case is measured in this one run, on the same frame (1,000,000 rows x 8
float64 columns by default, with 1% gaps for the interpolators), so the ratios
compare like with like. Time is the best of ``--repeat`` runs (perf_counter);
peak memory is the tracemalloc peak of one run (numpy and pandas report their
buffers to tracemalloc), both for the whole ``fit_transform``/pandas call,
input validation and output conversion included.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from sklstm import (
    Differencer,
    Interpolator,
    LagFeatures,
    MedianOutlierFilter,
    SeasonalSine,
)


def make_frame(n_rows: int, n_cols: int = 8, gaps: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    index = pd.date_range("2000-01-01", periods=n_rows, freq="min")
    t = np.arange(n_rows)[:, None]
    noise = 0.1 * rng.standard_normal((n_rows, n_cols))
    values = np.sin(2 * np.pi * t / 1440 + np.arange(n_cols)) + noise
    if gaps:
        values[rng.random(values.shape) < gaps] = np.nan
        values[0] = values[-1] = 0.0  # no edge gaps: pandas leaves those NaN
    return pd.DataFrame(values, index=index, columns=[f"c{j}" for j in range(n_cols)])


def hampel_pandas(df: pd.DataFrame, window: int, n_sigmas: float) -> pd.DataFrame:
    """A Hampel filter written the obvious way: rolling median, rolling MAD."""
    med = df.rolling(window, center=True, min_periods=1).median()
    mad = (df - med).abs().rolling(window, center=True, min_periods=1).median()
    outlier = (df - med).abs() > n_sigmas * 1.4826 * mad
    return df.mask(outlier, med)


def lags_pandas(df: pd.DataFrame, lags) -> pd.DataFrame:
    shifted = [df.shift(k).add_suffix(f"_lag{k}") for k in lags]
    return pd.concat([df, *shifted], axis=1)


def sine_numpy(df: pd.DataFrame, period: int) -> pd.DataFrame:
    t = (df.index.asi8 // 60_000_000_000).astype(np.float64)
    w = 2 * np.pi * t / period
    extra = pd.DataFrame({"sin": np.sin(w), "cos": np.cos(w)}, index=df.index)
    return pd.concat([df, extra], axis=1)


def feature_engine_cases(df: pd.DataFrame):
    try:
        from feature_engine.creation import CyclicalFeatures
        from feature_engine.timeseries.forecasting import LagFeatures as FELag
    except ImportError:
        return {}

    def fe_cyclical(d):
        minute = pd.DataFrame(
            {"minute": (d.index.asi8 // 60_000_000_000) % 1440}, index=d.index
        )
        return CyclicalFeatures(max_values={"minute": 1440}).fit_transform(minute)

    return {
        "LagFeatures": ("feature-engine LagFeatures",
                        lambda d: FELag(periods=[1, 2, 3]).fit_transform(d)),
        "SeasonalSine": ("feature-engine CyclicalFeatures", fe_cyclical),
    }


def cases(df: pd.DataFrame, gappy: pd.DataFrame):
    """name -> (ours, pandas label, pandas callable, data)."""
    pandas_out = {"transform": "pandas"}
    return {
        "Interpolator": (
            lambda d: Interpolator(method="linear").set_output(**pandas_out)
            .fit_transform(d),
            "DataFrame.interpolate",
            lambda d: d.interpolate(method="linear"),
            gappy,
        ),
        "MedianOutlierFilter": (
            lambda d: MedianOutlierFilter(window=7, n_sigmas=3.0)
            .set_output(**pandas_out).fit_transform(d),
            "Hampel: rolling median + rolling MAD",
            lambda d: hampel_pandas(d, 7, 3.0),
            df,
        ),
        "LagFeatures": (
            lambda d: LagFeatures(lags=[1, 2, 3]).set_output(**pandas_out)
            .fit_transform(d),
            "DataFrame.shift x3 + concat",
            lambda d: lags_pandas(d, [1, 2, 3]),
            df,
        ),
        "Differencer": (
            lambda d: Differencer().set_output(**pandas_out).fit_transform(d),
            "DataFrame.diff",
            lambda d: d.diff(),
            df,
        ),
        "SeasonalSine": (
            lambda d: SeasonalSine(periods=[1440]).set_output(**pandas_out)
            .fit_transform(d),
            "numpy sin/cos of the index + concat",
            lambda d: sine_numpy(d, 1440),
            df,
        ),
    }


def best_time(fn, data, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn(data)
        best = min(best, time.perf_counter() - start)
    return best


def peak_memory(fn, data) -> float:
    tracemalloc.start()
    fn(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    df = make_frame(args.rows)
    gappy = make_frame(args.rows, gaps=0.01)
    fe = feature_engine_cases(df)
    print(f"{args.rows:,} rows x {df.shape[1]} columns; time = best of "
          f"{args.repeat}, memory = tracemalloc peak\n")
    header = (f"{'transformer':<20} {'reference':<38} {'ours s':>8} {'ref s':>8} "
              f"{'time x':>7} {'ours MiB':>9} {'ref MiB':>8} {'mem x':>6}")
    print(header)
    print("-" * len(header))
    for name, (ours, ref_label, ref, data) in cases(df, gappy).items():
        refs = [(ref_label, ref)]
        if name in fe:
            refs.append(fe[name])
        t_ours = best_time(ours, data, args.repeat)
        m_ours = peak_memory(ours, data)
        for label, fn in refs:
            t_ref = best_time(fn, data, args.repeat)
            m_ref = peak_memory(fn, data)
            print(f"{name:<20} {label:<38} {t_ours:8.3f} {t_ref:8.3f} "
                  f"{t_ours / t_ref:7.2f} {m_ours:9.1f} {m_ref:8.1f} "
                  f"{m_ours / m_ref:6.2f}")
    print("\ntime x / mem x: ours divided by the reference (below 1 = ours better)")


if __name__ == "__main__":
    main()
