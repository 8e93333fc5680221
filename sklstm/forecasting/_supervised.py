"""From a series to a supervised problem: X now, y ``h`` steps ahead."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sklstm.utils._time import first_gap

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sklstm._typing import Horizon, SeriesOrFrame

__all__ = [
    "as_frame",
    "check_regular_index",
    "check_time_index",
    "make_supervised",
    "resolve_horizons",
]


def resolve_horizons(horizon, owner: str = "make_supervised") -> list[int]:
    """Turn ``horizon`` (int, list or range) into a sorted list of positive ints.

    An int ``h`` means the single horizon ``h`` (not ``1..h``).

    >>> resolve_horizons(3), resolve_horizons([12, 1, 6]), resolve_horizons(range(1, 4))
    ([3], [1, 6, 12], [1, 2, 3])
    """
    if isinstance(horizon, Integral) and not isinstance(horizon, bool):
        values = [horizon]
    elif isinstance(horizon, (list, tuple, range, np.ndarray)):
        values = list(horizon)
    else:
        raise TypeError(
            f"{owner}: horizon must be an int or a list of ints, got {horizon!r}."
        )
    if not values or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(
            f"{owner}: horizon must be >= 1 (steps ahead), or a non-empty list of "
            f"such ints; got {horizon!r}."
        )
    if len(set(values)) != len(values):
        raise ValueError(f"{owner}: horizon {horizon!r} contains duplicates.")
    return sorted(int(v) for v in values)


def as_frame(data, target, owner: str, what: str = "data") -> tuple[pd.DataFrame, str]:
    """``data`` as a DataFrame and the name of its target column.

    ``what`` is how messages call ``data``.
    """
    if isinstance(data, pd.Series):
        name = data.name if data.name is not None else (target or "y")
        if target is not None and target != name:
            raise ValueError(
                f"{owner}: target={target!r} but the Series is named {name!r}; "
                "pass target=None or rename the Series."
            )
        return data.to_frame(name), name
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{owner}: {what} must be a pandas DataFrame or Series with a time index, "
            f"got {type(data).__name__}. Wrap arrays with pd.DataFrame(...)."
        )
    if data.columns.has_duplicates:
        twice = list(dict.fromkeys(data.columns[data.columns.duplicated()]))
        raise ValueError(
            f"{owner}: {what} has duplicated column names {twice}; every column "
            "needs its own name. Rename them, e.g. data.columns = [...], or drop "
            "the copies with data.loc[:, ~data.columns.duplicated()]."
        )
    if target is None:
        if data.shape[1] != 1:
            raise ValueError(
                f"{owner}: {what} has {data.shape[1]} columns "
                f"{list(data.columns)}; say which is the target with target=..."
            )
        target = data.columns[0]
    if target not in data.columns:
        raise ValueError(
            f"{owner}: target {target!r} is not a column of {what}; the columns are "
            f"{list(data.columns)}."
        )
    return data, target


def check_time_index(index: pd.Index, owner: str) -> None:
    """Reject a time-like index that is unsorted or has duplicates.

    Other indexes (strings, objects) are taken to be in time order as given.
    """
    if not (
        isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
        or pd.api.types.is_numeric_dtype(index.dtype)
    ):
        return
    duplicated = index.duplicated()
    if duplicated.any():
        raise ValueError(
            f"{owner}: the index has {int(duplicated.sum())} duplicated label(s) "
            f"(first: {index[duplicated][0]}); rows must be distinct time steps. "
            "Aggregate them first, e.g. data.groupby(level=0).mean()."
        )
    if not index.is_monotonic_increasing:
        i = int(np.flatnonzero(~np.asarray(index[1:] >= index[:-1]))[0])
        raise ValueError(
            f"{owner}: the index is not sorted: {index[i + 1]} comes after "
            f"{index[i]}; rows must be in time order, oldest first. Use "
            "data.sort_index()."
        )


def check_regular_index(index: pd.Index, owner: str) -> None:
    """Reject a time index with gaps: the rows must be equally spaced steps.

    See :func:`sklstm.utils._time.first_gap` for which indexes are checked.
    """
    found = first_gap(index)
    if found is None:
        return
    i, step = found
    if isinstance(index, pd.DatetimeIndex):
        regular = f"the frequency {step!r}"
        fix = (f"data.asfreq({step!r}) inserts the missing steps as NaN; then fill "
               "them")
    elif isinstance(index, pd.PeriodIndex):
        regular = f"a step of {step} period(s)"
        fix = ("data.reindex(pd.period_range(data.index[0], data.index[-1], "
               f"freq={index.freqstr!r})) inserts the missing periods as NaN; then "
               "fill them")
    else:
        regular = f"a step of {step}"
        fix = ("data.reindex(range(data.index[0], data.index[-1] + 1, "
               f"{step})) inserts the missing steps as NaN; then fill them")
    raise ValueError(
        f"{owner}: the index is not equally spaced: its first gap, from "
        f"{index[i]} to {index[i + 1]}, breaks {regular} of the index, so a row "
        "would be paired with a target further ahead than its horizon. "
        f"{fix} with sklstm's Interpolator or data.interpolate(). If the rows are "
        "consecutive steps whatever their labels (trading days), pass "
        "allow_gaps=True."
    )


def _rows(labels) -> str:
    shown = ", ".join(str(v) for v in labels[:3])
    return shown + (", ..." if len(labels) > 3 else "")


def make_supervised(
    data: SeriesOrFrame,
    target: str | None = None,
    horizon: Horizon = 1,
    *,
    features: Sequence[str] | None = None,
    allow_gaps: bool = False,
) -> tuple[pd.DataFrame, pd.Series | pd.DataFrame]:
    """Turn a series into ``X`` (now) and ``y`` (``horizon`` steps ahead).

    Row ``i`` of ``y`` holds the target at row ``i + h``: what is known after
    row ``i`` is paired with what happens ``h`` steps later. Rows must be
    consecutive, equally spaced time steps, oldest first: an index with gaps
    (a DatetimeIndex with no frequency, set or inferable; an integer index
    with uneven steps) is an error, as row ``i + h`` would then lie further
    than ``h`` steps ahead. Only the last
    ``max(horizon)`` rows, which have no future target, are dropped; the index
    is kept, so X and y stay aligned with the dates and a ``TimeSeriesSplit``
    test fold continues its training fold.

    Parameters
    ----------
    data : DataFrame or Series
        The series, indexed by time (a DatetimeIndex or an integer index,
        sorted, no duplicates).
    target : str or None, default=None
        The column to forecast. None takes a Series itself, or the only column
        of a one-column DataFrame.
    horizon : int or list of int, default=1
        Steps ahead. An int gives a 1-D ``y`` (a Series named
        ``{target}_h{h}``); a list gives a 2-D ``y``, one column per horizon
        (``{target}_h1``, ``{target}_h2``, ...), for direct multi-horizon
        models.
    features : list of str or None, default=None
        Columns of ``data`` kept in X. None keeps all, the target included
        (its current value is known at row ``i``).
    allow_gaps : bool, default=False
        Take the rows as consecutive steps even where the index jumps, e.g.
        trading days around holidays. Off, an index with gaps is an error that
        names the first one; ``data.asfreq(freq)`` then inserts the missing
        steps as NaN for an ``Interpolator`` to fill.

    Returns
    -------
    X : DataFrame of shape (n_rows - max(horizon), n_features)
    y : Series or DataFrame of shape (n_rows - max(horizon),) or (..., n_horizons)

    Raises
    ------
    ValueError
        The target is not a column, a horizon is < 1 or leaves no rows, the
        index is unsorted, has duplicates or has gaps, the target has an
        infinite value, or a kept row's future target is missing (NaN): y
        must be complete. Missing values of the target that only reach X (the
        first ``min(horizon)`` rows) are kept, for the model to fill.
    TypeError
        The target column is not numeric.

    See Also
    --------
    sklstm.forecasting.forecast : predict the steps after the end of the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm.forecasting import make_supervised
    >>> s = pd.Series([1.0, 2.0, 4.0, 7.0], name="sales",
    ...               index=pd.date_range("2024-01-01", periods=4, freq="D"))
    >>> X, y = make_supervised(s, horizon=1)
    >>> pd.concat([X, y], axis=1)
                sales  sales_h1
    2024-01-01    1.0       2.0
    2024-01-02    2.0       4.0
    2024-01-03    4.0       7.0
    >>> X, Y = make_supervised(s, horizon=[1, 2])
    >>> Y
                sales_h1  sales_h2
    2024-01-01       2.0       4.0
    2024-01-02       4.0       7.0
    """
    owner = "make_supervised"
    frame, target = as_frame(data, target, owner)
    if not pd.api.types.is_numeric_dtype(frame[target].dtype) or (
        pd.api.types.is_bool_dtype(frame[target].dtype)
    ):
        raise TypeError(
            f"{owner}: the target column {target!r} has dtype "
            f"{frame[target].dtype}; expected numbers. Convert it with "
            "pd.to_numeric."
        )
    horizons = resolve_horizons(horizon, owner)
    n = len(frame)
    if horizons[-1] >= n:
        raise ValueError(
            f"{owner}: horizon {horizons[-1]} leaves no rows: data has {n} rows, "
            f"so the largest horizon can be {n - 1}."
        )
    check_time_index(frame.index, owner)
    if not allow_gaps:
        check_regular_index(frame.index, owner)
    if features is None:
        columns = list(frame.columns)
    else:
        columns = [features] if isinstance(features, str) else list(features)
        missing = [c for c in columns if c not in frame.columns]
        if missing or not columns:
            raise ValueError(
                f"{owner}: features {missing or columns!r} are not columns of data; "
                f"the columns are {list(frame.columns)}."
            )
    n_kept = n - horizons[-1]
    values = frame[target].to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise ValueError(
            f"{owner}: the target {target!r} contains {int(infinite.sum())} "
            f"infinite value(s), at row(s) {_rows(frame.index[infinite])}; expected "
            "finite numbers. Replace them with NaN (data.replace([np.inf, -np.inf], "
            "np.nan)) and fill them with sklstm's Interpolator or "
            "data.interpolate() before make_supervised."
        )
    index = frame.index[:n_kept]
    y = pd.DataFrame(
        {f"{target}_h{h}": values[h : h + n_kept] for h in horizons}, index=index
    )
    missing_y = y.isna().to_numpy()
    if missing_y.any():
        rows = index[missing_y.any(axis=1)]
        # Rows of data whose NaN target becomes part of y.
        missing = np.zeros(n, dtype=bool)
        missing[horizons[0] :] = np.isnan(values[horizons[0] :])
        raise ValueError(
            f"{owner}: the target {target!r} is missing {int(missing_y.sum())} "
            f"future value(s) (first for row {rows[0]}): it is NaN at row(s) "
            f"{_rows(frame.index[missing])}; y must be complete. Fill the target "
            "first, e.g. with sklstm's Interpolator or data.interpolate()."
        )
    X = frame.loc[:, columns].iloc[:n_kept].copy()
    if isinstance(horizon, Integral):
        return X, y.iloc[:, 0]
    return X, y
