"""Rolling-window statistics, exponential averages and technical indicators.

The maths is a set of small functions on 2-D float arrays (rows are time steps,
oldest first; each column is a series): :func:`rolling_stat`,
:func:`ewm_mean`, :func:`rsi`, :func:`macd`, :func:`bollinger_bands`,
:func:`rate_of_change` and :func:`momentum`. They are causal (row ``t`` uses
rows ``<= t`` only), keep every row, skip NaN inside a window the way pandas
does, and are vectorised (pandas' rolling and ewm kernels, numpy slicing): no
Python loop runs per row. :class:`RollingFeatures` is the thin estimator over
them.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import (
    Interval,
    StrOptions,
    _check_feature_names_in,
    validate_params,
)
from sklstm.utils._base import SeriesTransformerMixin, append_columns
from sklstm.utils._columns import resolve_columns
from sklstm.utils._history import extend_with_history, record_history
from sklstm.utils._validation import who

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Literal

    from sklstm._typing import ArrayLike

__all__ = [
    "EWM_MEMORY",
    "INDICATORS",
    "STATS",
    "RollingFeatures",
    "bollinger_bands",
    "ewm_mean",
    "macd",
    "momentum",
    "rate_of_change",
    "rolling_stat",
    "rsi",
]

#: The window statistics :class:`RollingFeatures` computes.
STATS = ("mean", "std", "min", "max", "median", "sum", "quantile")

#: Its named indicators.
INDICATORS = ("rsi", "macd", "bollinger", "roc", "momentum")

#: An exponential average with smoothing ``alpha`` gives the row ``k`` steps
#: back the weight ``(1 - alpha) ** k <= exp(-alpha * k)``. Past
#: ``EWM_MEMORY / alpha`` rows that weight is below ``exp(-40)`` (4e-18) of the
#: newest row's, under float64 rounding: remembering that many fit rows makes
#: a continued transform equal to one over the whole series.
EWM_MEMORY = 40.0


# --------------------------------------------------------------------------
# The maths: kernels on one series (1-D), and the public functions, which run
# them over each column of a (n_rows, n_columns) array
# --------------------------------------------------------------------------


def _series(x: np.ndarray) -> pd.Series:
    """``x`` as a Series that shares it (pandas' window kernels run on it)."""
    return pd.Series(x, dtype=np.float64, copy=False)


def _by_column(values: np.ndarray, kernel):
    """``kernel`` (1-D in, an array or a tuple of arrays out) over each column."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape[1] == 0:
        empty = np.empty(values.shape)
        probe = kernel(np.zeros(0))
        return tuple(empty for _ in probe) if isinstance(probe, tuple) else empty
    columns = [kernel(values[:, i]) for i in range(values.shape[1])]
    if isinstance(columns[0], tuple):
        return tuple(np.column_stack(parts) for parts in zip(*columns, strict=True))
    return np.column_stack(columns)


def _rolling_1d(x: np.ndarray, window: int, min_periods: int | None):
    min_periods = window if min_periods is None else min(min_periods, window)
    return _series(x).rolling(window, min_periods=min_periods)


#: Above this size squares overflow float64: a rolling std of such values is
#: taken of the values divided by a power of two (exact), then scaled back.
_HUGE = 2.0**500

#: pandas' rolling variance updates a running sum row by row, whose rounding
#: drifts over a long series (1e-7 relative after 1e5 rows of a random walk
#: at a level of 100). It is restarted every ``_restart_every(window)`` rows,
#: counted from the first row of the series, so that rows that continue the
#: fit rows repeat the arithmetic of the whole series exactly.
_RESTART = 2**16


def _restart_every(window: int) -> int:
    return max(_RESTART, 4 * window)


def _scale(x: np.ndarray) -> float:
    """1, or a power of two that brings ``x`` below ``_HUGE``."""
    biggest = max(np.fmax.reduce(x, initial=-np.inf),
                  -np.fmin.reduce(x, initial=np.inf))  # NaN skipped, no copy
    return 2.0 ** math.ceil(math.log2(biggest)) if biggest > _HUGE else 1.0


def _std_1d(x: np.ndarray, rolling, partial: bool = False, origin: int = 0,
            scale: float | None = None) -> np.ndarray:
    """Rolling std (``ddof=1``) of ``rolling`` (over ``x``, whose first row is
    row ``origin`` of the series); with ``partial``, 0 for a window of one value.
    ``scale`` is ``_scale(x)``, when the caller has it already.
    """
    scale = _scale(x) if scale is None else scale
    window, min_periods = rolling.window, rolling.min_periods
    every = _restart_every(window)
    starts = range(-origin % every, len(x), every)
    if scale == 1.0 and (len(starts) == 0 or (len(starts) == 1 and starts[0] == 0)):
        out = rolling.std().to_numpy()  # one run: pandas' own result
    else:
        out = np.empty(len(x))
        bounds = [0, *(p for p in starts if p > 0), len(x)]
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            # each run starts afresh, ``window - 1`` rows before its first row
            first = max(lo - (window - 1), 0)
            run = x[first:hi] if scale == 1.0 else x[first:hi] / scale
            part = _series(run).rolling(window, min_periods=min_periods).std()
            out[lo:hi] = part.to_numpy()[lo - first:]
            if scale != 1.0:
                out[lo:hi] *= scale
    if partial and min_periods == 1:
        if not out.flags.writeable:  # pandas' own result
            out = out.copy()
        if window == 1:
            out[~np.isnan(x)] = 0.0
        elif not np.isnan(x).any():
            out[:1] = 0.0  # only the first window holds a single value
        else:
            out[rolling.count().to_numpy() == 1] = 0.0
    return out


def _stat_1d(x: np.ndarray, rolling, stat: str, quantile: float,
             partial: bool = False, origin: int = 0, scale: float | None = None
             ) -> np.ndarray:
    if stat == "std":
        return _std_1d(x, rolling, partial, origin, scale)
    if stat == "quantile":
        return rolling.quantile(quantile).to_numpy()
    return getattr(rolling, stat)().to_numpy()


@validate_params(
    {
        "values": [np.ndarray],
        "window": [Interval(Integral, 1, None, closed="left")],
        "stat": [StrOptions(set(STATS))],
        "min_periods": [Interval(Integral, 1, None, closed="left"), None],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def rolling_stat(
    values: np.ndarray,
    window: int,
    stat: str = "mean",
    *,
    min_periods: int | None = 1,
    quantile: float = 0.5,
) -> np.ndarray:
    """A statistic of each trailing window of ``window`` rows, per column.

    Row ``t`` summarises rows ``t - window + 1 .. t`` (the current row
    included), skipping NaN. It is NaN where fewer than ``min_periods`` values
    (capped at ``window``; None: the whole window) are there, and for ``"std"``
    (``ddof=1``) where only one is. The same as pandas'
    ``Series.rolling(window, min_periods=...).<stat>()`` on each column, except
    that a std restarts pandas' running variance every 65536 rows (or 4
    windows), which keeps its rounding from drifting over a long series.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    window : int
    stat : {"mean", "std", "min", "max", "median", "sum", "quantile"}
    min_periods : int or None, default=1
    quantile : float in (0, 1), default=0.5
        The quantile for ``stat="quantile"`` (linear interpolation).

    Returns
    -------
    out : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> rolling_stat(np.array([[1.0], [2.0], [np.nan], [6.0]]), 2, "mean").ravel()
    array([1. , 1.5, 2. , 6. ])
    """
    return _by_column(values, lambda x: _stat_1d(
        x, _rolling_1d(x, window, min_periods), stat, quantile))


def _alpha(span=None, halflife=None, alpha=None) -> float:
    if span is not None:
        return 2.0 / (span + 1.0)
    if halflife is not None:
        return 1.0 - math.exp(-math.log(2.0) / halflife)
    return float(alpha)


def _ewm_1d(x: np.ndarray, alpha: float) -> np.ndarray:
    return _series(x).ewm(alpha=alpha).mean().to_numpy()


@validate_params(
    {
        "values": [np.ndarray],
        "span": [Interval(Real, 1, None, closed="left"), None],
        "halflife": [Interval(Real, 0, None, closed="neither"), None],
        "alpha": [Interval(Real, 0, 1, closed="right"), None],
    },
    prefer_skip_nested_validation=True,
)
def ewm_mean(
    values: np.ndarray,
    *,
    span: float | None = None,
    halflife: float | None = None,
    alpha: float | None = None,
) -> np.ndarray:
    """Exponentially weighted mean of each column, over all the rows so far.

    Give exactly one of ``span`` (``alpha = 2 / (span + 1)``), ``halflife``
    (``alpha = 1 - 2 ** (-1 / halflife)``) or ``alpha``. Row ``t`` is
    ``sum_k w**k x[t-k] / sum_k w**k`` over the non-NaN rows ``t-k``, with
    ``w = 1 - alpha``: pandas' ``ewm(...).mean()`` (``adjust=True``,
    ``ignore_na=False``). It is NaN before the first value, and a NaN row
    repeats the mean so far.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    span, halflife, alpha : float or None

    Returns
    -------
    out : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> ewm_mean(np.array([[0.0], [3.0], [np.nan]]), alpha=0.5).ravel()
    array([0., 2., 2.])
    """
    given = [v is not None for v in (span, halflife, alpha)]
    if sum(given) != 1:
        raise ValueError(
            "ewm_mean: pass exactly one of span, halflife or alpha; got "
            f"span={span!r}, halflife={halflife!r}, alpha={alpha!r}."
        )
    a = _alpha(span, halflife, alpha)
    return _by_column(values, lambda x: _ewm_1d(x, a))


def _rsi_1d(x: np.ndarray, window: int, partial: bool = False) -> np.ndarray:
    delta = np.empty_like(x)
    delta[:1] = np.nan
    np.subtract(x[1:], x[:-1], out=delta[1:])
    alpha = 1.0 / window
    gain = _ewm_1d(np.maximum(delta, 0.0), alpha)
    loss = _ewm_1d(np.maximum(-delta, 0.0), alpha)
    total = gain + loss
    with np.errstate(divide="ignore", invalid="ignore"):
        out = gain / total  # the ratio first: 100 * it is never above 100
    out *= 100.0
    out[total == 0.0] = 50.0
    if partial:
        out[np.isnan(total)] = 50.0  # no change seen yet: neither side leads
    return out


@validate_params(
    {"values": [np.ndarray], "window": [Interval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def rsi(values: np.ndarray, window: int = 14) -> np.ndarray:
    """Relative strength index of each column, from 0 to 100.

    ``100 * G / (G + L)``, where ``G`` and ``L`` are the averages of the
    rises and of the falls from one row to the next, smoothed the way Wilder
    smoothed them: an exponential average with ``alpha = 1 / window``. The
    average is taken over the rises seen so far (pandas'
    ``ewm(alpha=1/window).mean()``), so the first rows are defined too;
    Wilder's recursion, which starts from the mean of the first ``window``
    rises, gives the same values once ``(1 - 1/window) ** t`` is negligible.
    Row 0 (no change yet) is NaN; a window with neither rise nor fall gives
    50. A NaN value makes the changes into and out of it NaN, and those are
    skipped.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    window : int, default=14

    Returns
    -------
    out : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> rsi(np.array([[2.0], [2.0], [3.0], [2.0]]), window=2).round(1).ravel()
    array([  nan,  50. , 100. ,  33.3])
    """
    return _by_column(values, lambda x: _rsi_1d(x, window))


def _macd_1d(x: np.ndarray, spans) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fast, slow, sig = spans
    line = _ewm_1d(x, _alpha(span=fast)) - _ewm_1d(x, _alpha(span=slow))
    signal = _ewm_1d(line, _alpha(span=sig))
    return line, signal, line - signal


@validate_params(
    {"values": [np.ndarray], "spans": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def macd(values: np.ndarray, spans: ArrayLike = (12, 26, 9)
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Moving average convergence divergence: the line, its signal, their gap.

    With ``spans = (fast, slow, signal)``: ``line = ewm(fast) - ewm(slow)``,
    ``signal = ewm(line, signal)`` and ``hist = line - signal``, each
    exponential mean as in :func:`ewm_mean` (pandas ``ewm(span=...).mean()``).

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    spans : (float, float, float), default=(12, 26, 9)

    Returns
    -------
    line, signal, hist : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> line, signal, hist = macd(np.array([[1.0], [2.0], [4.0]]), spans=(2, 4, 2))
    >>> np.allclose(hist, line - signal), float(line[0, 0])
    (True, 0.0)
    """
    spans = _macd_spans(spans, "macd")
    return _by_column(values, lambda x: _macd_1d(x, spans))


def _bands_1d(x: np.ndarray, window: int, n_std: float, min_periods: int | None,
              partial: bool = False, origin: int = 0
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rolling = _rolling_1d(x, window, min_periods)
    mean = rolling.mean().to_numpy()
    spread = n_std * _std_1d(x, rolling, partial, origin)
    upper, lower = mean + spread, mean - spread
    with np.errstate(divide="ignore", invalid="ignore"):
        pctb = (x - lower) / (2.0 * spread)
    pctb[spread == 0.0] = 0.5
    pctb[np.isnan(x)] = np.nan
    return upper, lower, pctb


@validate_params(
    {
        "values": [np.ndarray],
        "window": [Interval(Integral, 2, None, closed="left")],
        "n_std": [Interval(Real, 0, None, closed="neither")],
        "min_periods": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def bollinger_bands(
    values: np.ndarray, window: int = 20, n_std: float = 2.0, *,
    min_periods: int | None = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bollinger bands: rolling mean plus and minus ``n_std`` rolling stds, and %b.

    ``upper = mean + n_std * std``, ``lower = mean - n_std * std`` over the
    trailing ``window`` rows (as :func:`rolling_stat`; ``std`` with
    ``ddof=1``, so NaN for a window of one value), and
    ``pctb = (x - lower) / (upper - lower)``: where the current value sits
    between the bands (0 on the lower band, 1 on the upper, 0.5 when the bands
    meet because the window is flat).

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    window : int, default=20
    n_std : float, default=2.0
    min_periods : int or None, default=1

    Returns
    -------
    upper, lower, pctb : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> upper, lower, pctb = bollinger_bands(np.array([[1.0], [3.0]]), 2, 1.0)
    >>> upper.ravel(), pctb.ravel()
    (array([       nan, 3.41421356]), array([       nan, 0.85355339]))
    """
    return _by_column(values, lambda x: _bands_1d(x, window, n_std, min_periods))


def _versus_past_1d(x: np.ndarray, window: int, combine, partial: bool = False
                    ) -> np.ndarray:
    """``combine(x[t], x[t - window])``; before that row exists, NaN, or with
    ``partial`` ``combine(x[t], x[0])`` (as ``LagFeatures``' "edge")."""
    out = np.full_like(x, np.nan, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if window < len(x):
            out[window:] = combine(x[window:], x[:-window])
        if partial:
            out[:window] = combine(x[:window], x[:1])
    out[~np.isfinite(out)] = np.nan
    return out


def _roc_1d(x: np.ndarray, window: int, partial: bool = False) -> np.ndarray:
    return _versus_past_1d(x, window, lambda now, then: 100.0 * (now / then - 1.0),
                           partial)


def _momentum_1d(x: np.ndarray, window: int, partial: bool = False) -> np.ndarray:
    return _versus_past_1d(x, window, np.subtract, partial)


@validate_params(
    {"values": [np.ndarray], "window": [Interval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def rate_of_change(values: np.ndarray, window: int = 10) -> np.ndarray:
    """Percentage change from ``window`` rows back: ``100 * (x[t] / x[t-w] - 1)``.

    NaN for the first ``window`` rows, where either value is NaN, and where
    the value ``window`` rows back is 0.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    window : int, default=10

    Returns
    -------
    out : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> rate_of_change(np.array([[2.0], [3.0], [1.0]]), 1).ravel()
    array([ nan,  50. , -66.66666667])
    """
    return _by_column(values, lambda x: _roc_1d(x, window))


@validate_params(
    {"values": [np.ndarray], "window": [Interval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def momentum(values: np.ndarray, window: int = 10) -> np.ndarray:
    """Change from ``window`` rows back: ``x[t] - x[t-window]``.

    NaN for the first ``window`` rows and where either value is NaN.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    window : int, default=10

    Returns
    -------
    out : ndarray of shape (n_rows, n_columns)

    Examples
    --------
    >>> momentum(np.array([[2.0], [3.0], [1.0]]), 1).ravel()
    array([nan,  1., -2.])
    """
    return _by_column(values, lambda x: _momentum_1d(x, window))


# --------------------------------------------------------------------------
# Parameters: from what the user passed to what the maths needs
# --------------------------------------------------------------------------


def _is_int(v) -> bool:
    return isinstance(v, (Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_real(v) -> bool:
    return isinstance(v, (Real, np.floating, np.integer)) and not isinstance(
        v, (bool, np.bool_)) and math.isfinite(v)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (str, Real, np.number)):
        return [value]
    return list(value)


def resolve_windows(windows, owner: str = "RollingFeatures") -> list[int]:
    """``windows`` (an int or a list of ints) as a sorted list of positive ints.

    >>> resolve_windows(7), resolve_windows([30, 7])
    ([7], [7, 30])
    """
    values = _as_list(windows)
    if not values or not all(_is_int(v) and v >= 1 for v in values):
        raise ValueError(
            f"{owner}: windows must be a positive int, or a non-empty list of "
            f"positive ints (rows per window); got {windows!r}."
        )
    if len(set(values)) != len(values):
        raise ValueError(f"{owner}: windows {windows!r} contains duplicates.")
    return sorted(int(v) for v in values)


def _resolve_options(value, options, param: str, owner: str) -> list[str]:
    """``value`` (None, a name or a list of names) as a list of known names."""
    names = _as_list(value)
    for name in names:
        if not isinstance(name, str) or name not in options:
            raise ValueError(
                f"{owner}: unknown {param} entry {name!r} in {param}={value!r}; "
                f"choose from {', '.join(map(repr, options))}."
            )
    if len(set(names)) != len(names):
        raise ValueError(f"{owner}: {param}={value!r} contains duplicates.")
    return names


def _resolve_reals(value, param: str, owner: str, *, lower: float,
                   closed: bool) -> list[float]:
    """``value`` (None, a number or a list of numbers) as a list of floats."""
    numbers = _as_list(value)
    ok = [_is_real(v) and (v >= lower if closed else v > lower) for v in numbers]
    if not all(ok):
        bound = f">= {lower:g}" if closed else f"> {lower:g}"
        raise ValueError(
            f"{owner}: {param} must be a number {bound} or a list of them; got "
            f"{value!r}."
        )
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{owner}: {param}={value!r} contains duplicates.")
    return [float(v) for v in numbers]


def _macd_spans(spans, owner: str) -> tuple[float, float, float]:
    values = _as_list(spans)
    if len(values) != 3 or not all(_is_real(v) and v >= 1 for v in values):
        raise ValueError(
            f"{owner}: macd_spans must be three spans >= 1, (fast, slow, signal) "
            f"such as (12, 26, 9); got {spans!r}."
        )
    return tuple(float(v) for v in values)


def _bollinger(value, owner: str) -> tuple[int, float]:
    values = _as_list(value)
    if (len(values) != 2 or not (_is_int(values[0]) and values[0] >= 2)
            or not (_is_real(values[1]) and values[1] > 0)):
        raise ValueError(
            f"{owner}: bollinger must be (window, n_std) with an int window >= 2 "
            f"and n_std > 0, such as (20, 2.0); got {value!r}."
        )
    return int(values[0]), float(values[1])


def _label(x: float) -> str:
    """``12`` for 12.0, ``2.5`` for 2.5: numbers in column names."""
    return f"{x:g}"


# --------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------


class RollingFeatures(SeriesTransformerMixin, BaseEstimator):
    """Add rolling-window statistics and technical indicators as new columns.

    For each chosen column (``price``) it adds, in this order: each statistic
    of ``stats`` over each window of ``windows`` (``price_rollmean7``,
    ``price_rollstd7``, ``price_rollq90_7`` for the 0.9 quantile), an
    exponentially weighted mean per span (``price_ewm12``) and per half-life
    (``price_ewmhl5``), then the ``indicators``:

    - ``"rsi"``: relative strength index, 0..100, Wilder-smoothed over
      ``rsi_window`` (``price_rsi14``), see :func:`rsi`;
    - ``"macd"``: ``price_macd`` (fast EWM minus slow EWM), ``price_macd_signal``
      (its EWM) and ``price_macd_hist`` (their difference), see :func:`macd`;
    - ``"bollinger"``: ``price_bb_upper20``, ``price_bb_lower20`` and
      ``price_bb_pctb20``, the position of the value between the bands
      (0 = lower band, 1 = upper), see :func:`bollinger_bands`;
    - ``"roc"``: percentage change over ``roc_window`` rows (``price_roc10``);
    - ``"momentum"``: difference over ``momentum_window`` rows
      (``price_momentum10``).

    Rows are consecutive, equally spaced time steps, oldest first. Everything is
    causal: row ``t`` uses rows up to and including ``t``, so a feature of row
    ``t`` can be used to predict row ``t + 1``. Every row is kept.

    **The first rows.** A window at the start holds fewer rows than
    ``window``. ``min_periods`` (default 1) is how many non-NaN values a
    window needs, as in pandas: 1 computes partial windows (the mean of row 0
    is its value), None asks for whole windows; a window with fewer values is
    NaN. What a partial start cannot give follows ``fill_value``:

    - ``"partial"`` (default): computed from the rows there are. The std of a
      single value is 0 (so the Bollinger bands meet there and %b is 0.5), RSI
      before the first change is 50 (neither side leads), and ROC and momentum
      reach back to the first row at most (as ``LagFeatures``' "edge"). With
      ``min_periods=1``, input without NaN gives output without NaN, except
      ROC where the value it divides by is 0.
    - a number: pandas' values (std of one value, RSI of row 0, ROC and
      momentum of the first ``window`` rows are NaN), with every NaN of the
      added columns replaced by the number; ``np.nan`` keeps them.

    The exponential means and MACD average everything seen so far and are
    defined from the first value on. NaN in the input is skipped inside
    windows and averages (pandas' rule: an exponential mean carries its value
    over a NaN row), and makes ROC and momentum NaN where it is one of the two
    values compared.

    **History that continues.** As in :class:`LagFeatures`, when the rows given
    to ``transform`` carry an index that continues the one seen in ``fit`` (a
    ``TimeSeriesSplit`` test fold of a DataFrame), their windows reach back into
    the last fit rows. ``fit`` remembers ``memory_`` rows: ``max(windows) - 1``
    for the windows, the ROC/momentum lag, and for the exponential features
    (EWM, RSI, MACD), which depend on the whole past, ``40 / alpha`` rows of
    the slowest average (``alpha = 2 / (span + 1)``; ``1 / rsi_window`` for RSI;
    the slow and signal spans added up for MACD); rows further back weigh less
    than ``exp(-40)`` (4e-18) of the newest. A rolling std (and the Bollinger
    bands) comes from pandas' running variance, whose rounding drifts over a
    long series; it starts afresh every 65536 rows (or 4 windows, if more)
    counted from the first fit row, and ``fit`` remembers the rows back to the
    last such start: at most 65536 + ``window`` rows of the chosen columns.
    A continued transform then equals transforming the whole series: window
    statistics exactly or to rounding (1e-9 is tested), exponential ones to
    rounding (1e-9 relative is tested; the weights left out are below
    float64's precision), as long as the remembered rows hold at least one
    value of each column.

    **Panels.** A panel (a DataFrame indexed by ``(series id, time)``, see
    :func:`~sklstm.to_panel`) is transformed series by series, each as if it were
    alone: no window, average or indicator reaches into another series, and a test
    fold continues each series from its own fit rows.

    Parameters
    ----------
    windows : int or list of int, default=7
        Rows per window (the current row included).
    stats : str, list of str, or None, default=("mean",)
        Window statistics, from "mean", "std", "min", "max", "median", "sum",
        "quantile"; None or ``[]`` for none.
    quantile : float in (0, 1), default=0.9
        The quantile of the "quantile" statistic (linear interpolation).
    ewm_spans : float, list of float, or None, default=None
        Spans (>= 1) of exponentially weighted means, ``alpha = 2 / (span + 1)``.
    ewm_halflives : float, list of float, or None, default=None
        Half-lives (> 0, in rows) of exponentially weighted means.
    indicators : str, list of str, or None, default=None
        Named indicators, from "rsi", "macd", "bollinger", "roc", "momentum".
    rsi_window : int, default=14
        RSI period; its averages use ``alpha = 1 / rsi_window`` (Wilder).
    macd_spans : (float, float, float), default=(12, 26, 9)
        MACD's fast, slow and signal spans.
    bollinger : (int, float), default=(20, 2.0)
        Bollinger window and band width in standard deviations.
    roc_window : int, default=10
        Rows back for the rate of change, in percent.
    momentum_window : int, default=10
        Rows back for the momentum (a difference).
    min_periods : int or None, default=1
        Non-NaN values a window needs (capped at the window); None means the
        whole window. Applies to ``stats`` and the Bollinger bands.
    fill_value : "partial" or float, default="partial"
        What entries that lack rows get; see above.
    columns : list of str or int, or None, default=None
        Columns to summarise, by name (DataFrame input) or position; None: all.
    drop_original : bool, default=False
        Drop the original columns from the output, keeping only the new ones.

    Attributes
    ----------
    windows_ : list of int
        The windows, sorted.
    stats_ : list of str
    indicators_ : list of str
    columns_ : ndarray of int
        Positions of the summarised columns.
    ewms_ : list of (str, float)
        Name suffix and smoothing ``alpha`` of each exponential mean.
    macd_spans_ : tuple of float
    bollinger_ : (int, float)
    n_fit_rows_ : int
        Rows seen in ``fit``: where continuing rows start in the series.
    memory_ : int
        How many fit rows continuing rows may reach back to (see above).
    history_ : History or None
        The last ``memory_`` fit rows of the chosen columns, used when
        transform continues the fit index; None for numpy input or an
        irregular index.
    series_ids_ : list or None
        The ids of the panel's series seen in fit, in order; None when fit saw a
        single series. After a panel fit ``n_fit_rows_``, ``memory_`` and
        ``history_`` are dicts keyed by these ids.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    LagFeatures : past values themselves as columns.
    MedianOutlierFilter : a centred or trailing rolling median to clean values.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import RollingFeatures
    >>> X = pd.DataFrame({"price": [10.0, 11.0, 13.0, 12.0, 15.0]})
    >>> rf = RollingFeatures(windows=3, stats=["mean", "std"], indicators=["momentum"],
    ...                      momentum_window=2)
    >>> rf.fit_transform(X.iloc[:4])
       price  price_rollmean3  price_rollstd3  price_momentum2
    0   10.0        10.000000        0.000000              0.0
    1   11.0        10.500000        0.707107              1.0
    2   13.0        11.333333        1.527525              3.0
    3   12.0        12.000000        1.000000              1.0

    Rows that continue the fit index reach back into the fit rows:

    >>> rf.transform(X.iloc[4:])
       price  price_rollmean3  price_rollstd3  price_momentum2
    4   15.0        13.333333        1.527525              2.0

    ``fill_value=np.nan`` gives pandas' values, NaN where rows are lacking:

    >>> import numpy as np
    >>> rf.set_params(fill_value=np.nan).fit_transform(X.iloc[:2])
       price  price_rollmean3  price_rollstd3  price_momentum2
    0   10.0             10.0             NaN              NaN
    1   11.0             10.5        0.707107              NaN

    Indicators:

    >>> rf = RollingFeatures(stats=None, indicators=["rsi", "macd"])
    >>> rf.fit_transform(X).round(2).iloc[:3]
       price  price_rsi14  price_macd  price_macd_signal  price_macd_hist
    0   10.0         50.0        0.00               0.00             0.00
    1   11.0        100.0        0.02               0.01             0.01
    2   13.0        100.0        0.09               0.04             0.05
    """

    _parameter_constraints: dict = {
        "windows": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "stats": [StrOptions(set(STATS)), "array-like", None],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "ewm_spans": [Interval(Real, 1, None, closed="left"), "array-like", None],
        "ewm_halflives": [Interval(Real, 0, None, closed="neither"), "array-like",
                          None],
        "indicators": [StrOptions(set(INDICATORS)), "array-like", None],
        "rsi_window": [Interval(Integral, 1, None, closed="left")],
        "macd_spans": ["array-like"],
        "bollinger": ["array-like"],
        "roc_window": [Interval(Integral, 1, None, closed="left")],
        "momentum_window": [Interval(Integral, 1, None, closed="left")],
        "min_periods": [Interval(Integral, 1, None, closed="left"), None],
        "fill_value": [StrOptions({"partial"}), Real],
        "columns": ["array-like", None],
        "drop_original": ["boolean"],
    }
    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("n_fit_rows_", "memory_", "history_")

    def __init__(
        self,
        windows: int | ArrayLike = 7,
        *,
        stats: str | ArrayLike | None = ("mean",),
        quantile: float = 0.9,
        ewm_spans: float | ArrayLike | None = None,
        ewm_halflives: float | ArrayLike | None = None,
        indicators: str | ArrayLike | None = None,
        rsi_window: int = 14,
        macd_spans: ArrayLike = (12, 26, 9),
        bollinger: ArrayLike = (20, 2.0),
        roc_window: int = 10,
        momentum_window: int = 10,
        min_periods: int | None = 1,
        fill_value: float | Literal["partial"] = "partial",
        columns: ArrayLike | None = None,
        drop_original: bool = False,
    ) -> None:
        self.windows = windows
        self.stats = stats
        self.quantile = quantile
        self.ewm_spans = ewm_spans
        self.ewm_halflives = ewm_halflives
        self.indicators = indicators
        self.rsi_window = rsi_window
        self.macd_spans = macd_spans
        self.bollinger = bollinger
        self.roc_window = roc_window
        self.momentum_window = momentum_window
        self.min_periods = min_periods
        self.fill_value = fill_value
        self.columns = columns
        self.drop_original = drop_original

    # ------------------------------------------------------------ fitting
    def _fit(self, X, values, index):
        owner = who(self, "fit")
        self.windows_ = resolve_windows(self.windows, owner)
        self.stats_ = _resolve_options(self.stats, STATS, "stats", owner)
        self.indicators_ = _resolve_options(
            self.indicators, INDICATORS, "indicators", owner)
        spans = _resolve_reals(self.ewm_spans, "ewm_spans", owner, lower=1.0,
                               closed=True)
        halflives = _resolve_reals(self.ewm_halflives, "ewm_halflives", owner,
                                   lower=0.0, closed=False)
        self.ewms_ = [(f"ewm{_label(s)}", _alpha(span=s)) for s in spans] + [
            (f"ewmhl{_label(h)}", _alpha(halflife=h)) for h in halflives]
        self.macd_spans_ = _macd_spans(self.macd_spans, owner)
        self.bollinger_ = _bollinger(self.bollinger, owner)
        if not (self.stats_ or self.ewms_ or self.indicators_):
            raise ValueError(
                f"{owner}: nothing to compute: stats, ewm_spans, ewm_halflives and "
                "indicators are all empty. Pass e.g. stats=['mean'] or "
                "indicators=['rsi']."
            )
        self.columns_ = resolve_columns(
            self.columns, values.shape[1], getattr(self, "feature_names_in_", None),
            owner=owner,
        )
        self.n_fit_rows_ = len(values)
        self.memory_ = self._memory()
        self.history_ = record_history(values[:, self.columns_], index, self.memory_)

    def _memory(self) -> int:
        """Rows back that the last feature of a row can reach (at least 1)."""
        rows = [1]
        if self.stats_:
            rows.append(max(self.windows_) - 1)
        rows += [math.ceil(EWM_MEMORY / alpha) for _, alpha in self.ewms_]
        fast, slow, sig = self.macd_spans_
        reach = {
            "rsi": 1 + math.ceil(EWM_MEMORY * self.rsi_window),
            "macd": math.ceil(EWM_MEMORY / _alpha(span=max(fast, slow)))
            + math.ceil(EWM_MEMORY / _alpha(span=sig)),
            "bollinger": self.bollinger_[0] - 1,
            "roc": self.roc_window,
            "momentum": self.momentum_window,
        }
        rows += [reach[name] for name in self.indicators_]
        # a rolling std starts afresh at fixed rows (see _RESTART): reach back
        # to the last restart before the end of the fit rows, and its window
        var_windows = self.windows_ if "std" in self.stats_ else []
        if "bollinger" in self.indicators_:
            var_windows = [*var_windows, self.bollinger_[0]]
        rows += [self.n_fit_rows_ % _restart_every(w) + w - 1 for w in var_windows]
        return max(rows)

    # ------------------------------------------------------------ features
    def _suffixes(self) -> list[str]:
        """The name of each added column after ``{col}_``, in output order."""
        out = []
        for w in self.windows_ if self.stats_ else []:
            for s in self.stats_:
                out.append(f"rollq{_label(100 * self.quantile)}_{w}"
                           if s == "quantile" else f"roll{s}{w}")
        out += [label for label, _ in self.ewms_]
        for name in self.indicators_:
            if name == "rsi":
                out.append(f"rsi{self.rsi_window}")
            elif name == "macd":
                out += ["macd", "macd_signal", "macd_hist"]
            elif name == "bollinger":
                w = self.bollinger_[0]
                out += [f"bb_upper{w}", f"bb_lower{w}", f"bb_pctb{w}"]
            elif name == "roc":
                out.append(f"roc{self.roc_window}")
            else:
                out.append(f"momentum{self.momentum_window}")
        return out

    def _features(self, x: np.ndarray, origin: int) -> Iterator[np.ndarray]:
        """Each added feature of one series ``x``, in the order of the names.

        ``x[0]`` is row ``origin`` of the series that started with the fit rows
        (0 for rows that do not continue them).
        """
        partial = isinstance(self.fill_value, str)  # "partial"
        scale = _scale(x) if "std" in self.stats_ else None
        for w in self.windows_ if self.stats_ else []:
            rolling = _rolling_1d(x, w, self.min_periods)
            for s in self.stats_:
                yield _stat_1d(x, rolling, s, self.quantile, partial, origin, scale)
        for _, alpha in self.ewms_:
            yield _ewm_1d(x, alpha)
        for name in self.indicators_:
            if name == "rsi":
                yield _rsi_1d(x, self.rsi_window, partial)
            elif name == "macd":
                yield from _macd_1d(x, self.macd_spans_)
            elif name == "bollinger":
                yield from _bands_1d(x, *self.bollinger_, self.min_periods, partial,
                                     origin)
            elif name == "roc":
                yield _roc_1d(x, self.roc_window, partial)
            else:
                yield _momentum_1d(x, self.momentum_window, partial)

    def _transform(self, X, values, index):
        chosen = values
        if not np.array_equal(self.columns_, np.arange(values.shape[1])):
            chosen = values[:, self.columns_]
        extended, skip = extend_with_history(self.history_, chosen, index)
        # column-major: each series is contiguous, as pandas' kernels want it
        extended = np.asfortranarray(extended)
        n_per_column = len(self._suffixes())
        origin = self.n_fit_rows_ - skip if skip else 0

        def write(new):
            # one pass per column and feature, each straight into its column
            for i in range(extended.shape[1] if len(extended) else 0):
                for j, feature in enumerate(self._features(extended[:, i], origin)):
                    new[:, i * n_per_column + j] = feature[skip:]
            fill = self.fill_value
            if not isinstance(fill, str) and not np.isnan(fill):
                np.copyto(new, fill, where=np.isnan(new))

        n_new = len(self.columns_) * n_per_column
        return append_columns(
            self, X, values, n_new, write, keep_input=not self.drop_original
        )

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Names of the output columns: originals, then ``{col}_{feature}``.

        Parameters
        ----------
        input_features : array-like of str or None

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        added = [f"{names[c]}_{s}" for c in self.columns_ for s in self._suffixes()]
        kept = [] if self.drop_original else list(names)
        return np.asarray(kept + added, dtype=object)

    @classmethod
    def _test_params(cls):
        return [
            {"windows": [2, 5], "stats": ["mean", "std", "quantile"]},
            {"windows": 3, "stats": ["max"], "ewm_spans": [4],
             "indicators": ["rsi", "macd", "bollinger", "roc", "momentum"],
             "macd_spans": (3, 6, 2), "bollinger": (4, 2.0), "rsi_window": 5,
             "roc_window": 2, "momentum_window": 3, "fill_value": 0.0,
             "drop_original": True},
        ]
