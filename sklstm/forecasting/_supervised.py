"""From a series to a supervised problem: X now, y ``h`` steps ahead."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sklstm.utils._panel import (
    check_panel,
    is_panel,
    naming_series,
    series_name,
    take_series,
    uneven_series,
)
from sklstm.utils._time import first_gap

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sklstm._typing import Horizon, SeriesOrFrame

__all__ = [
    "as_frame",
    "check_future_columns",
    "check_regular_index",
    "check_time_index",
    "lead_columns",
    "lead_name",
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


def lead_name(column, h: int) -> str:
    """The name of the lead column that holds ``column`` ``h`` steps ahead.

    >>> lead_name("promo", 3)
    'promo_h3'
    """
    return f"{column}_h{h}"


def lead_columns(frame: pd.DataFrame, columns: Sequence, horizons: Sequence[int],
                 n_rows: int | None = None) -> pd.DataFrame:
    """The *leads* of ``columns``: column ``c`` at row ``i + h`` on row ``i``.

    One column ``f"{c}_h{h}"`` per column ``c`` and horizon ``h``, column by
    column, horizon by horizon (``promo_h1, promo_h2, price_h1, ...``). Rows
    are shifted by position, so the index must be consecutive time steps;
    the last ``h`` rows of a lead have no row ``i + h`` and are NaN. Both
    :func:`make_supervised` (on the data) and
    :func:`~sklstm.forecasting.forecast` (on the history followed by the
    forecast steps' known values) build the leads of the future-known
    columns with it.

    Parameters
    ----------
    frame : DataFrame
        Rows are consecutive time steps, oldest first.
    columns : list of column labels
        Columns of ``frame``.
    horizons : list of int
        Steps ahead, each >= 1.
    n_rows : int or None, default=None
        Only the leads of the first ``n_rows`` rows; None: of every row.

    Returns
    -------
    leads : DataFrame of shape (n_rows, len(columns) * len(horizons))
        Indexed like the first ``n_rows`` rows of ``frame``. A lead keeps its
        column's dtype unless it reaches past the end of ``frame`` (NaN then
        turns an int column into floats, a bool one into objects).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"promo": [0, 1, 0, 1]}, index=[10, 11, 12, 13])
    >>> lead_columns(frame, ["promo"], [1, 2])
        promo_h1  promo_h2
    10       1.0       0.0
    11       0.0       1.0
    12       1.0       NaN
    13       NaN       NaN
    """
    n = len(frame) if n_rows is None else int(n_rows)
    index = frame.index[:n]
    out = {}
    for c in columns:
        col = frame[c]
        for h in horizons:
            part = col.iloc[h : h + n]
            if len(part) < n:  # past the end of frame: unknown
                part = col.shift(-h).iloc[:n]
            out[lead_name(c, h)] = part.set_axis(index)
    return pd.DataFrame(out, index=index)


def check_future_columns(future, frame: pd.DataFrame, target, owner: str,
                         what: str = "data") -> list:
    """``future`` as a list of columns of ``frame`` known in advance.

    None is no column; a single label is one column. Each must be a column
    of ``frame`` other than ``target`` (whose future is what is forecast),
    named once.

    >>> frame = pd.DataFrame({"y": [1.0], "promo": [0]})
    >>> check_future_columns("promo", frame, "y", "f")
    ['promo']
    >>> check_future_columns(None, frame, "y", "f")
    []
    """
    if future is None:
        return []
    columns = [future] if isinstance(future, (str, bytes)) or not np.iterable(
        future) else list(future)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{owner}: future {missing!r} are not columns of {what}; the columns "
            f"are {list(frame.columns)}. future names the columns of {what} whose "
            "values are known in advance (calendar, holidays, planned promotions)."
        )
    if target in columns:
        raise ValueError(
            f"{owner}: the target {target!r} is in future={columns!r}, but its "
            "future is what is forecast, not known in advance. Leave it out of "
            "future (its current value is in X anyway when features include it)."
        )
    if len(set(columns)) != len(columns):
        twice = list(dict.fromkeys(c for c in columns if columns.count(c) > 1))
        raise ValueError(f"{owner}: future names {twice!r} more than once.")
    return columns


def _rows(labels) -> str:
    shown = ", ".join(str(v) for v in labels[:3])
    return shown + (", ..." if len(labels) > 3 else "")


def make_supervised(
    data: SeriesOrFrame,
    target: str | None = None,
    horizon: Horizon = 1,
    *,
    features: Sequence[str] | None = None,
    future: Sequence[str] | None = None,
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

    **Many series.** When ``data`` is a panel, indexed by ``(series id,
    time)`` (see :func:`~sklstm.to_panel`), each series is turned into X/y on
    its own, as if it were passed alone: targets and the leads of
    ``future`` columns come from ``h`` steps ahead *in the same series*, each
    series drops its own last ``max(horizon)`` rows, and X and y keep the
    panel's index. Errors about one series (one too short for the horizon,
    a gap, a missing target) name it.

    **Past-only and future-known columns.** A column is *past-only* by
    default: row ``i`` of X holds its value at row ``i``, nothing later, as
    for a price or the weather, whose future is unknown when the forecast
    is made. A column listed in ``future`` is *known in advance* (calendar
    terms, holidays, planned promotions, a law that takes effect on a known
    date): for each horizon ``h`` X gets its *lead* ``f"{c}_h{h}"``, the
    value at row ``i + h``, the step whose target is forecast. Its current
    value stays in X only when ``features`` keeps it (as ``features=None``
    does). :func:`~sklstm.forecasting.forecast` then takes the future values
    as ``future=DataFrame``.

    Parameters
    ----------
    data : DataFrame or Series
        The series, indexed by time (a DatetimeIndex or an integer index,
        sorted, no duplicates); or a panel of series, indexed by ``(series
        id, time)``, sorted by id then time.
    target : str or None, default=None
        The column to forecast. None takes a Series itself, or the only column
        of a one-column DataFrame.
    horizon : int or list of int, default=1
        Steps ahead. An int gives a 1-D ``y`` (a Series named
        ``{target}_h{h}``); a list gives a 2-D ``y``, one column per horizon
        (``{target}_h1``, ``{target}_h2``, ...), for direct multi-horizon
        models.
    features : list of str or None, default=None
        Columns of ``data`` whose current value is kept in X. None keeps all,
        the target included (its current value is known at row ``i``). An
        empty list keeps none, for an X of leads alone (with ``future``).
    future : list of str or None, default=None
        Columns of ``data`` known in advance; X gets their leads
        ``{c}_h{h}`` for every horizon ``h``, after the ``features``
        columns, column by column. They must be known (not NaN) at every
        row a kept row's lead reads. None: every column is past-only.
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
        first ``min(horizon)`` rows) are kept, for the model to fill. A
        ``future`` column is not a column of ``data``, is the target, or is
        NaN where a kept row's lead reads it.
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

    A promotion planned in advance is future-known: row ``i`` gets its value
    at the forecast step, ``promo_h1``. The price is past-only.

    >>> data = pd.DataFrame({"sales": [1.0, 2.0, 9.0, 3.0],
    ...                      "price": [5.0, 5.0, 4.0, 5.0],
    ...                      "promo": [0, 0, 1, 0]}, index=s.index)
    >>> X, y = make_supervised(data, "sales", future=["promo"],
    ...                        features=["sales", "price"])
    >>> pd.concat([X, y], axis=1)
                sales  price  promo_h1  sales_h1
    2024-01-01    1.0    5.0         0       2.0
    2024-01-02    2.0    5.0         1       9.0
    2024-01-03    9.0    4.0         0       3.0

    A panel: each series is paired with its own next values, and drops its
    own last row.

    >>> from sklstm import to_panel
    >>> long = pd.DataFrame({"store": ["a", "a", "a", "b", "b"],
    ...                      "week": [1, 2, 3, 2, 3],
    ...                      "sales": [1.0, 2.0, 3.0, 50.0, 60.0]})
    >>> X, y = make_supervised(to_panel(long, "store", "week"), "sales")
    >>> pd.concat([X, y], axis=1)
                sales  sales_h1
    store week
    a     1       1.0       2.0
          2       2.0       3.0
    b     2      50.0      60.0
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
    if is_panel(frame):
        X, y = _supervise_panel(frame, target, horizons, features, future,
                                allow_gaps, owner)
    else:
        _check_rows(frame, horizons, allow_gaps, owner)
        known = check_future_columns(future, frame, target, owner)
        columns = _x_columns(frame, features, known, owner)
        X, y = _supervise(frame, target, horizons, columns, known, owner)
    if isinstance(horizon, Integral):
        return X, y.iloc[:, 0]
    return X, y


def _check_rows(frame: pd.DataFrame, horizons: list[int], allow_gaps: bool,
                owner: str) -> None:
    """Enough rows for the horizons, and a sorted (and regular) time index."""
    n = len(frame)
    if horizons[-1] >= n:
        raise ValueError(
            f"{owner}: horizon {horizons[-1]} leaves no rows: data has {n} rows, "
            f"so the largest horizon can be {n - 1}."
        )
    check_time_index(frame.index, owner)
    if not allow_gaps:
        check_regular_index(frame.index, owner)


def _x_columns(frame: pd.DataFrame, features, known: list, owner: str) -> list:
    """The columns of ``frame`` whose current value X keeps."""
    if features is None:
        return list(frame.columns)
    columns = [features] if isinstance(features, str) else list(features)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{owner}: features {missing!r} are not columns of data; "
            f"the columns are {list(frame.columns)}."
        )
    if not columns and not known:
        raise ValueError(
            f"{owner}: features=[] leaves X without a column; keep some "
            f"columns of data ({list(frame.columns)}), or pass future=[...] "
            "for an X of future-known leads alone."
        )
    return columns


def _supervise(frame: pd.DataFrame, target, horizons: list[int], columns: list,
               known: list, owner: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """X and the 2-D y of one series whose rows :func:`_check_rows` accepted."""
    n = len(frame)
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
    if known:
        leads = lead_columns(frame, known, horizons, n_rows=n_kept)
        _check_leads(frame, known, horizons, n_kept, owner)
        _check_clash(leads.columns, X.columns, known, owner)
        X = pd.concat([X, leads], axis=1)
    return X, y


def _check_clash(lead_names, columns, known: list, owner: str) -> None:
    """Raise where a lead column would take the name of a column of X."""
    clash = [c for c in lead_names if c in columns]
    if clash:
        raise ValueError(
            f"{owner}: the lead column(s) {clash!r} of future={known!r} would "
            "replace columns of data with the same names; rename those "
            "columns of data."
        )


def _supervise_panel(frame: pd.DataFrame, target, horizons: list[int], features,
                     future, allow_gaps: bool, owner: str
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """X and the 2-D y of a panel: each series on its own, the panel index kept.

    The same as :func:`_supervise` on each series alone, at once: row ``i``
    of a series that keeps it (``i`` before its last ``max(horizon)`` rows)
    reads rows ``i + h`` of the panel, which are rows of the same series.
    Where a series has bad data, :func:`_supervise` runs on that series alone
    and raises what it raises for it, the series named.
    """
    groups = check_panel(frame, owner)
    longest = horizons[-1]
    starts = np.array([rows.start for _, rows in groups], dtype=np.intp)
    lengths = np.array([rows.stop - rows.start for _, rows in groups], dtype=np.intp)
    short = np.flatnonzero(lengths <= longest)
    if len(short):
        listed = ", ".join(f"{series_name(groups[k][0])} ({lengths[k]} rows)"
                           for k in short[:5])
        more = f" and {len(short) - 5} more" if len(short) > 5 else ""
        verb = "is" if len(short) == 1 else "are"
        raise ValueError(
            f"{owner}: {listed}{more} {verb} too short for horizon {longest}: each "
            f"series needs at least {longest + 1} rows (one to keep, {longest} "
            "ahead), as targets are paired within a series. Drop the short "
            f"series, e.g. data.groupby(level=0).filter(lambda s: len(s) > "
            f"{longest}), or lower the horizon."
        )
    known = check_future_columns(future, frame, target, owner)
    columns = _x_columns(frame, features, known, owner)
    time = frame.index.get_level_values(1)
    if not allow_gaps:
        for sid, rows in uneven_series(frame.index, groups):
            with naming_series(sid):
                check_regular_index(time[rows], owner)
    _check_clash([lead_name(c, h) for c in known for h in horizons], columns,
                 known, owner)
    # the rows each series keeps, and the rows h ahead of them
    n_kept = lengths - longest
    offset = np.repeat(np.cumsum(n_kept) - n_kept, n_kept)
    kept = np.repeat(starts, n_kept) + np.arange(int(n_kept.sum())) - offset
    values = frame[target].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(values)
    for h in horizons:
        bad[kept + h] |= np.isnan(values[kept + h])
        for c in known:
            bad[kept + h] |= frame[c].isna().to_numpy()[kept + h]
    if bad.any():
        k = int(np.searchsorted(starts, np.flatnonzero(bad)[0], side="right")) - 1
        sid, rows = groups[k]
        (part,) = take_series([frame], rows, time)
        with naming_series(sid):
            _supervise(part, target, horizons, columns, known, owner)
    index = frame.index[kept]
    y = pd.DataFrame(
        {f"{target}_h{h}": values[kept + h] for h in horizons}, index=index
    )
    X = frame.loc[:, columns].iloc[kept].set_axis(index, axis=0)
    if known:
        leads = {lead_name(c, h): frame[c].iloc[kept + h].set_axis(index)
                 for c in known for h in horizons}
        X = pd.concat([X, pd.DataFrame(leads, index=index)], axis=1)
    return X, y


def _check_leads(frame: pd.DataFrame, known: list, horizons: list[int], n_kept: int,
                 owner: str) -> None:
    """Raise where a kept row's lead of a future-known column reads a NaN."""
    # Row i < n_kept reads rows i + h: rows min(h) .. n_kept - 1 + max(h).
    read = np.zeros(len(frame), dtype=bool)
    for h in horizons:
        read[h : h + n_kept] = True
    for c in known:
        bad = frame[c].isna().to_numpy() & read
        if bad.any():
            raise ValueError(
                f"{owner}: the future-known column {c!r} is missing (NaN) at "
                f"{int(bad.sum())} row(s) that leads of kept rows read, first at "
                f"{_rows(frame.index[bad])}; a value known in advance must be "
                "known at every step. Fill it (a holiday flag is 0 or 1, a "
                "planned promotion 0 when there is none), or drop it from "
                "future=."
            )
