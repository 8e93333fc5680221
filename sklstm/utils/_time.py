"""The time index: its frequency, its step, its gaps and its regular grid.

The one home for reading the time step off a pandas index, used by the
remembered history (:mod:`sklstm.utils._history`), ``make_supervised``'s gap
check, the CSV reader, ``SeasonalSine`` and the seasonality heuristics.

One rule for how short an index may be
--------------------------------------
A frequency is *inferred* (:func:`infer_freq`) only from three or more
timestamps; fewer give None. Two timestamps have a single step, which cannot
tell a calendar frequency from a fixed span (31 days from "month end", 7 days
from "weekly on Sunday"), and ``pd.infer_freq`` itself refuses them. A step
that is merely *measured* needs two labels: :func:`index_step` returns the one
difference of a two-row DatetimeIndex without a set frequency, and the step of
a two-row integer index; a single label has no step. :func:`first_gap` needs
three labels, as two rows cannot break a step they define.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = [
    "MIN_INFER_LENGTH",
    "first_gap",
    "index_step",
    "infer_freq",
    "modal_step",
    "regular_grid",
    "step_span",
]

#: The fewest timestamps a frequency is inferred from (pandas' own minimum).
MIN_INFER_LENGTH = 3

#: Calendar frequencies the CSV reader tries when no fixed step fits.
_CALENDAR_FREQS = ("YS", "YE", "QS", "QE", "MS", "ME", "SMS", "SME")
#: A regular grid may hold at most this many times the rows it is built for.
_MAX_GRID_GROWTH = 4


def infer_freq(index: pd.DatetimeIndex):
    """The frequency pandas infers from the timestamps, as an offset, or None.

    ``pd.infer_freq`` across pandas versions: pandas 3 warns that it will
    return an offset instead of a string; either form goes through
    ``to_offset``. A frequency set on ``index`` is not consulted (see
    :func:`index_step`).

    Parameters
    ----------
    index : DatetimeIndex
        Sorted, duplicate-free timestamps.

    Returns
    -------
    freq : pandas offset or None
        None where no frequency fits every step, or where ``index`` has fewer
        than :data:`MIN_INFER_LENGTH` (3) timestamps: one step cannot tell a
        calendar frequency from a fixed span.

    Examples
    --------
    >>> infer_freq(pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"]))
    <MonthEnd>
    >>> infer_freq(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04"])) is None
    True
    >>> infer_freq(pd.DatetimeIndex(["2024-01-01", "2024-01-02"])) is None
    True
    """
    if len(index) < MIN_INFER_LENGTH:
        return None
    with warnings.catch_warnings():
        # pandas 3 warns that infer_freq will return an offset; either form
        # goes through to_offset below.
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(index)
    return None if freq is None else pd.tseries.frequencies.to_offset(freq)


def index_step(index) -> object | None:
    """The regular step of an index, or None where it has none.

    Parameters
    ----------
    index : pandas Index or None

    Returns
    -------
    step : pandas offset, Timedelta, int or None
        For a DatetimeIndex, its set frequency, else the one :func:`infer_freq`
        finds (None if none fits), else, for exactly two timestamps, their
        difference (a Timedelta). For a RangeIndex, its step; for another
        integer index, its step when every step is the same non-zero int.
        None for fewer than two labels and for every other index.

    Examples
    --------
    >>> index_step(pd.date_range("2020-01-01", periods=4, freq="D"))
    <Day>
    >>> index_step(pd.DatetimeIndex(["2020-01-01", "2020-01-03"]))
    Timedelta('2 days 00:00:00')
    >>> index_step(pd.Index([10, 12, 14]))
    2
    >>> index_step(pd.Index([1, 2, 4])) is None
    True
    """
    if index is None or len(index) < 2:
        return None
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is not None:
            return index.freq
        if len(index) >= MIN_INFER_LENGTH:
            return infer_freq(index)
        return index[1] - index[0]
    if isinstance(index, pd.RangeIndex):
        return int(index.step)
    if pd.api.types.is_integer_dtype(index.dtype):
        steps = np.diff(index.to_numpy())
        if steps[0] != 0 and np.all(steps == steps[0]):
            return int(steps[0])
    return None


def step_span(step) -> pd.Timedelta | None:
    """The fixed length of a time step, or None for a calendar step.

    Parameters
    ----------
    step : pandas offset, Timedelta, str or None
        A step as :func:`index_step` returns it for a DatetimeIndex.

    Returns
    -------
    span : Timedelta or None
        None for None and for steps of varying length (months, weeks anchored
        on a weekday, business days).

    Examples
    --------
    >>> step_span(pd.offsets.Hour(6))
    Timedelta('0 days 06:00:00')
    >>> step_span(pd.offsets.MonthBegin()) is None
    True
    """
    if step is None:
        return None
    try:
        return pd.Timedelta(step)
    except (TypeError, ValueError):
        return None


def modal_step(steps):
    """The most common step, the smallest among ties.

    Parameters
    ----------
    steps : array-like of int
        Differences between consecutive labels.

    Examples
    --------
    >>> int(modal_step(np.array([2, 2, 4, 2, 6])))
    2
    >>> int(modal_step(np.array([3, 1, 3, 1])))
    1
    """
    values, counts = np.unique(steps, return_counts=True)
    return values[np.argmax(counts)]


def _regular_freq(index: pd.DatetimeIndex):
    """The frequency of the longest prefix, else suffix, of ``index`` with one.

    Failing both (no :data:`MIN_INFER_LENGTH` rows in a row are regular), the
    most common step.
    """
    n = len(index)
    short = MIN_INFER_LENGTH - 1
    lo, hi = short, n  # the prefix of lo rows is too short to say; hi has no freq
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if infer_freq(index[:mid]) is not None else (lo, mid)
    if lo >= MIN_INFER_LENGTH:
        return infer_freq(index[:lo])
    bad, good = 0, n - short  # index[bad:] has no freq; index[good:] is too short
    while good - bad > 1:
        mid = (bad + good) // 2
        bad, good = (bad, mid) if infer_freq(index[mid:]) is not None else (mid, good)
    if n - good >= MIN_INFER_LENGTH:
        return infer_freq(index[good:])
    step = modal_step(np.diff(index.asi8))
    return pd.tseries.frequencies.to_offset(pd.Timedelta(int(step), unit=index.unit))


def first_gap(index: pd.Index) -> tuple[int, str] | None:
    """Where a sorted, duplicate-free time index stops being equally spaced.

    Parameters
    ----------
    index : pandas Index
        Sorted, without duplicates.

    Returns
    -------
    gap : (int, str) or None
        ``(i, step)``: the step from ``index[i]`` to ``index[i + 1]`` is not
        the index's regular ``step`` (a frequency string such as ``"D"`` or
        ``"MS"`` for a DatetimeIndex, the integer step of an integer index,
        the number of periods of a PeriodIndex). None where the index is
        equally spaced, has fewer than three labels, or is not a time index
        (strings, floats), whose rows are taken as consecutive steps.

    Notes
    -----
    A DatetimeIndex is equally spaced when it has a frequency, set or
    inferable (months of 28 to 31 days are); otherwise its regular step is
    the frequency of its longest prefix (else suffix) that has one, and else
    its most common step. An integer or period index's regular step is its
    most common one.

    Examples
    --------
    >>> idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03",
    ...                         "2024-01-05", "2024-01-06"])
    >>> first_gap(idx)
    (2, 'D')
    >>> first_gap(pd.date_range("2024-01-31", periods=4, freq="ME")) is None
    True
    >>> first_gap(pd.Index([0, 2, 4, 8, 10]))
    (2, '2')
    """
    if len(index) < 3 or isinstance(index, pd.RangeIndex):
        return None
    if isinstance(index, pd.DatetimeIndex):
        if index_step(index) is not None:
            return None
        freq = _regular_freq(index)
        with warnings.catch_warnings():
            # Some calendar offsets are added row by row, with a warning.
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            expected = index[:-1] + freq
        off = np.flatnonzero(np.asarray(expected != index[1:]))
        return (int(off[0]), freq.freqstr) if len(off) else None
    if isinstance(index, pd.PeriodIndex):
        steps = np.diff(index.asi8)
    elif pd.api.types.is_integer_dtype(index.dtype):
        steps = np.diff(index.to_numpy())
    else:
        return None
    step = modal_step(steps)
    off = np.flatnonzero(steps != step)
    return (int(off[0]), str(step)) if len(off) else None


def _datetime_grid(index: pd.DatetimeIndex) -> pd.DatetimeIndex | None:
    diffs = np.diff(index.to_numpy())
    step = diffs.min()
    limit = _MAX_GRID_GROWTH * len(index)
    if step > np.timedelta64(0) and not np.any(diffs % step):
        step = pd.Timedelta(step)
        day = pd.Timedelta(days=1)
        offset = f"{step // day}D" if step % day == pd.Timedelta(0) else step
        grid = pd.date_range(index[0], index[-1], freq=offset, name=index.name)
        if len(grid) <= limit:
            return grid
    for freq in _CALENDAR_FREQS:
        try:
            grid = pd.date_range(index[0], index[-1], freq=freq, name=index.name)
        except ValueError:
            continue
        if len(grid) and index.isin(grid).all() and len(grid) <= limit:
            return grid
    return None


def regular_grid(index: pd.Index) -> pd.Index | None:
    """The regular grid that holds every label of a sorted, duplicate-free index.

    Parameters
    ----------
    index : DatetimeIndex or integer Index
        Sorted, without duplicates.

    Returns
    -------
    grid : DatetimeIndex, RangeIndex or None
        For a DatetimeIndex: ``index`` itself with its frequency set when
        :func:`infer_freq` finds one; else the grid of its smallest step when
        every step is a multiple of it; else the first calendar frequency
        (years, quarters, months, half months) whose grid holds every
        timestamp; a grid from the last two must be at most four times as
        long as ``index``. For an integer index: the RangeIndex of its
        smallest step when every step is a multiple of it. None where no grid
        fits, for other indexes and for fewer than two labels.

    Examples
    --------
    >>> idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04"])
    >>> regular_grid(idx).strftime("%m-%d").tolist()
    ['01-01', '01-02', '01-03', '01-04']
    >>> regular_grid(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"])).freq
    <Day>
    >>> regular_grid(pd.Index([1990, 1992, 1996]))
    RangeIndex(start=1990, stop=1998, step=2)
    >>> regular_grid(pd.Index([0, 2, 5])) is None
    True
    """
    if len(index) < 2:
        return None
    if isinstance(index, pd.DatetimeIndex):
        freq = infer_freq(index)
        if freq is not None:
            return pd.DatetimeIndex(index, freq=freq, name=index.name)
        return _datetime_grid(index)
    if not pd.api.types.is_integer_dtype(index.dtype):
        return None
    steps = np.diff(index.to_numpy())
    step = int(np.min(steps))
    if step <= 0 or np.any(steps % step):
        return None
    return pd.RangeIndex(int(index[0]), int(index[-1]) + step, step, name=index.name)
