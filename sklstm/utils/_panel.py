"""Panels: many series in one frame, indexed by ``(series id, time)``.

The one home of sklstm's many-series data model. A *panel* is a DataFrame (or
Series) whose index is a 2-level MultiIndex: the first level names the
series, the second is its time. Rows are sorted by id, then time, so the rows
of a series are contiguous; each series is on its own regular grid, and
series may differ in length and start. This is the layout sktime calls
``pd-multiindex``, and what ``frame.set_index(["store", "date"]).sort_index()``
gives.

- :func:`is_panel` says whether X is one;
- :func:`to_panel` builds one from long format (an id column and a time
  column or the time index);
- :func:`check_panel` rejects what would let one series' rows be read as
  another's (a missing id, series not sorted, time not increasing within a
  series, a duplicated ``(id, time)`` pair), naming the series, and returns
  :func:`panel_groups`, the rows of each series;
- :func:`split_panel` and :func:`split_covariates` give each series of a
  panel (and of its covariate panel) on its own time index, for models fitted
  series by series;
- :func:`index_by_time`, :func:`take_series` and :func:`stack_series` cut the
  inputs of a single-series computation into series and put their outputs
  back in the panel's order; :func:`naming_series` adds the series to the
  messages of the errors raised on the way; :func:`uneven_series` finds the
  series whose steps vary, for a check of their spacing.

The transformers (:class:`~sklstm.utils._base.SeriesTransformerMixin`) and
:func:`~sklstm.forecasting.make_supervised` use them so that nothing (a lag,
a difference, a window, a fill, a target ``h`` steps ahead) crosses from one
series into the next.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sklstm.utils._validation import first_bad_rows

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterator, Sequence

__all__ = [
    "check_panel",
    "index_by_time",
    "is_panel",
    "naming_series",
    "panel_groups",
    "series_name",
    "split_covariates",
    "split_panel",
    "stack_series",
    "take_series",
    "to_panel",
    "uneven_series",
]


def is_panel(X) -> bool:
    """Whether ``X`` is a panel: a DataFrame or Series with a 2-level MultiIndex.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0)])
    >>> is_panel(pd.DataFrame({"y": [1.0, 2.0, 3.0]}, index=idx))
    True
    >>> is_panel(pd.DataFrame({"y": [1.0, 2.0]}))
    False
    """
    return (
        isinstance(X, (pd.DataFrame, pd.Series))
        and isinstance(X.index, pd.MultiIndex)
        and X.index.nlevels == 2
    )


def series_name(series_id) -> str:
    """How messages name a series: ``series 'a'``, ``series 3``.

    >>> series_name("store 1"), series_name(np.int64(3))
    ("series 'store 1'", 'series 3')
    """
    if isinstance(series_id, np.generic):
        series_id = series_id.item()
    return f"series {series_id!r}"


def _starts(index: pd.MultiIndex) -> np.ndarray:
    """Positions where the id changes (the first row of each run of one id)."""
    codes = np.asarray(index.codes[0])
    if len(codes) == 0:
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))


def panel_groups(index: pd.MultiIndex) -> list[tuple[Hashable, slice]]:
    """The rows of each series: ``(id, slice)`` in the order of ``index``.

    The rows of a series are contiguous in a sorted panel (see
    :func:`check_panel`, which returns the same list after checking it).

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 5)])
    >>> panel_groups(idx)
    [('a', slice(0, 2, None)), ('b', slice(2, 3, None))]
    """
    starts = _starts(index)
    stops = np.append(starts[1:], len(index))
    ids = index.get_level_values(0)[starts].tolist()
    return [(sid, slice(int(a), int(b)))
            for sid, a, b in zip(ids, starts, stops, strict=True)]


def check_panel(X, owner: str) -> list[tuple[Hashable, slice]]:
    """Check that ``X`` is a sorted panel; return the rows of each series.

    Raises a ``ValueError`` that names the series (and the rows) for an id
    that is missing (NaN), series whose rows are not together or not sorted
    by id, a missing time, and a time that does not increase within a series
    (a duplicated ``(id, time)`` pair, or rows out of order). Regular spacing
    is not checked here: what needs it (``make_supervised``) checks each
    series as it checks one series alone.

    Parameters
    ----------
    X : DataFrame or Series
        A panel, see :func:`is_panel`.
    owner : str
        Who complains, e.g. ``"LagFeatures.fit"``.

    Returns
    -------
    groups : list of (id, slice)
        :func:`panel_groups` of its index.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([("b", 0), ("b", 1), ("a", 0)])
    >>> check_panel(pd.DataFrame({"y": [1.0, 2.0, 3.0]}, index=idx), "f")
    Traceback (most recent call last):
    ...
    ValueError: f: the series are not sorted by id: series 'a' (from row 2) comes \
after series 'b'; a panel's rows are sorted by series id, then time. Sort them \
with X.sort_index().
    """
    if not is_panel(X):
        raise TypeError(
            f"{owner}: expected a panel, a DataFrame indexed by a 2-level "
            f"MultiIndex (series id, time); got a {type(X).__name__} with a "
            f"{type(getattr(X, 'index', None)).__name__}. Build one with "
            "sklstm.to_panel(frame, id=..., time=...)."
        )
    index = X.index
    ids = index.get_level_values(0)
    time = index.get_level_values(1)
    missing = np.asarray(ids.isna())
    if missing.any():
        at = np.flatnonzero(missing)
        raise ValueError(
            f"{owner}: the series id is missing (NaN) in {len(at)} row(s), at "
            f"row position(s) {first_bad_rows(missing, None)} (time "
            f"{first_bad_rows(missing, time)}); every row needs the id of its "
            "series. Fill the id, or drop those rows: "
            "X = X[X.index.get_level_values(0).notna()]."
        )
    starts = _starts(index)
    run_ids = ids[starts]
    if run_ids.has_duplicates:
        again = int(np.flatnonzero(run_ids.duplicated())[0])
        raise ValueError(
            f"{owner}: the rows of {series_name(run_ids[again])} are not together: "
            f"they start again at row {int(starts[again])}, after "
            f"{series_name(run_ids[again - 1])}; a panel's rows are sorted by "
            "series id, then time. Sort them with X.sort_index()."
        )
    try:
        later = np.asarray(run_ids[1:] > run_ids[:-1], dtype=bool)
    except TypeError as exc:
        raise ValueError(
            f"{owner}: the series ids cannot be sorted ({exc}); use ids of one "
            "type (all strings, or all numbers)."
        ) from None
    if not later.all():
        i = int(np.flatnonzero(~later)[0]) + 1
        raise ValueError(
            f"{owner}: the series are not sorted by id: {series_name(run_ids[i])} "
            f"(from row {int(starts[i])}) comes after {series_name(run_ids[i - 1])}; "
            "a panel's rows are sorted by series id, then time. Sort them with "
            "X.sort_index()."
        )
    groups = panel_groups(index)
    no_time = np.asarray(time.isna())
    if no_time.any():
        row = int(np.flatnonzero(no_time)[0])
        raise ValueError(
            f"{owner}: {series_name(ids[row])} has a missing time (NaN/NaT) at row "
            f"{row}; every row needs a time. Drop or fix those rows."
        )
    if len(time) > 1:
        try:
            increasing = np.asarray(time[1:] > time[:-1], dtype=bool)
        except TypeError as exc:
            raise ValueError(
                f"{owner}: the times cannot be compared ({exc}); use one kind of "
                "time (datetimes, or integer steps) for every series."
            ) from None
        increasing[starts[1:] - 1] = True  # from one series to the next
        if not increasing.all():
            i = int(np.flatnonzero(~increasing)[0])
            name = series_name(ids[i])
            if time[i + 1] == time[i]:
                raise ValueError(
                    f"{owner}: {name} has two rows at time {time[i]} (rows {i} and "
                    f"{i + 1}): a duplicated (id, time) pair; each series has one "
                    "row per time step. Aggregate the duplicates first, e.g. "
                    "X.groupby(level=[0, 1]).mean()."
                )
            raise ValueError(
                f"{owner}: the time of {name} is not increasing: {time[i + 1]} (row "
                f"{i + 1}) comes after {time[i]}; each series' rows are in time "
                "order, oldest first. Sort them with X.sort_index()."
            )
    return groups


def uneven_series(index: pd.MultiIndex, groups: Sequence[tuple[Hashable, slice]]
                  ) -> list[tuple[Hashable, slice]]:
    """The series whose time steps are not all the same, as ``(id, rows)``.

    A series of datetimes or integers with one step throughout is equally
    spaced, which one vectorised pass over the panel finds; the others (a
    gap, or steps of varying length such as months, or another kind of time)
    are returned, for a check of each series alone (``make_supervised``
    reads the gap of a series as its single-series check does).

    Parameters
    ----------
    index : MultiIndex
        A checked panel's index, see :func:`check_panel`.
    groups : list of (id, slice)
        Its :func:`panel_groups`.

    Examples
    --------
    >>> days = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
    ...                        "2024-01-01", "2024-01-03", "2024-01-04"])
    >>> idx = pd.MultiIndex.from_arrays([list("aaabbb"), days])
    >>> uneven_series(idx, panel_groups(idx))
    [('b', slice(3, 6, None))]
    """
    time = index.get_level_values(1)
    if isinstance(time, pd.DatetimeIndex):
        ticks = time.asi8
    elif pd.api.types.is_integer_dtype(time.dtype):
        ticks = time.to_numpy()
    else:
        return list(groups)
    if len(ticks) < 2:
        return []
    starts = np.array([rows.start for _, rows in groups], dtype=np.intp)
    lengths = np.array([rows.stop - rows.start for _, rows in groups], dtype=np.intp)
    steps = np.diff(ticks)  # steps[j]: from row j to row j + 1
    # each step against the first step of its series
    first = np.repeat(steps[np.minimum(starts, len(steps) - 1)], lengths)[1:]
    differs = steps != first
    differs[starts[1:] - 1] = False  # from one series to the next
    rows = np.flatnonzero(differs) + 1
    series = np.unique(np.searchsorted(starts, rows, side="right") - 1)
    return [groups[k] for k in series]


@contextmanager
def naming_series(series_id) -> Iterator[None]:
    """Name the series in the ``ValueError``/``TypeError`` raised inside.

    ``"LagFeatures.fit: lags=5 ..."`` becomes ``"LagFeatures.fit: series 'b':
    lags=5 ..."``: the check was made on that series alone.

    >>> with naming_series("b"):
    ...     raise ValueError("LagFeatures.fit: too few rows.")
    Traceback (most recent call last):
    ...
    ValueError: LagFeatures.fit: series 'b': too few rows.
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        if type(exc) not in (ValueError, TypeError):
            raise
        head, sep, rest = str(exc).partition(": ")
        name = series_name(series_id)
        text = f"{head}: {name}: {rest}" if sep else f"{name}: {head}"
        raise type(exc)(text) from None


def index_by_time(items: Sequence, time: pd.Index) -> list:
    """The items of a panel with its index replaced by its time level ``time``.

    DataFrames and Series get ``time`` as their index, the panel's
    MultiIndex becomes ``time``, anything else is passed as it is. Done once
    for a panel, it makes :func:`take_series` a plain slice per series.
    """
    out = []
    for item in items:
        if isinstance(item, (pd.DataFrame, pd.Series)):
            out.append(item.set_axis(time, axis=0))
        elif isinstance(item, pd.MultiIndex):
            out.append(time)
        else:
            out.append(item)
    return out


def take_series(items: Sequence, rows: slice, time: pd.Index) -> list:
    """The rows ``rows`` of each item, indexed by their time alone.

    DataFrames and Series get the time labels ``time[rows]`` as their index
    (items of :func:`index_by_time` have them already), a MultiIndex (the
    panel's) becomes ``time[rows]``, arrays and indexes are sliced, anything
    else is passed as it is. A series so cut out is what the user would pass
    alone.
    """
    out = []
    for item in items:
        if isinstance(item, (pd.DataFrame, pd.Series)):
            part = item.iloc[rows]
            if isinstance(part.index, pd.MultiIndex):
                part = part.set_axis(time[rows], axis=0)
            out.append(part)
        elif isinstance(item, pd.MultiIndex):
            out.append(time[rows])
        elif isinstance(item, (np.ndarray, pd.Index)):
            out.append(item[rows])
        else:
            out.append(item)
    return out


def stack_series(parts: Sequence, index: pd.MultiIndex):
    """The outputs of the series, one after another, indexed by the panel's index.

    DataFrames and Series are concatenated and take ``index``; arrays are
    stacked by rows.
    """
    if parts and isinstance(parts[0], (pd.DataFrame, pd.Series)):
        return pd.concat(parts).set_axis(index, axis=0)
    return np.concatenate(parts, axis=0)


def to_panel(
    frame: pd.DataFrame, id: Hashable, time: Hashable | None = None
) -> pd.DataFrame:
    """Turn long format (an id column, a time column) into a panel.

    A panel is a DataFrame indexed by a 2-level MultiIndex ``(series id,
    time)``, sorted by id then time, one row per series and time step; series
    may differ in length and start. sklstm's transformers transform each
    series of a panel on its own, and ``make_supervised`` pairs targets within
    each series.

    Parameters
    ----------
    frame : DataFrame
        Long format: one row per series and time step.
    id : column label
        The column that names each row's series. It becomes the first index
        level and leaves the columns.
    time : column label or None, default=None
        The column holding each row's time (datetimes, or integer steps); it
        becomes the second level and leaves the columns. None: the index of
        ``frame`` is the time.

    Returns
    -------
    panel : DataFrame
        The other columns, indexed by ``(id, time)`` and sorted.

    Raises
    ------
    ValueError
        ``id`` or ``time`` is not a column, an id or a time is missing (NaN;
        the rows are named), or a series has two rows at one time.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import to_panel
    >>> long = pd.DataFrame({
    ...     "store": ["b", "a", "b", "a", "a"],
    ...     "date": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-01",
    ...                             "2024-01-03", "2024-01-02"]),
    ...     "sales": [5.0, 1.0, 4.0, 3.0, 2.0]})
    >>> to_panel(long, id="store", time="date")
                      sales
    store date
    a     2024-01-01    1.0
          2024-01-02    2.0
          2024-01-03    3.0
    b     2024-01-01    4.0
          2024-01-02    5.0
    """
    owner = "to_panel"
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{owner}: frame must be a pandas DataFrame in long format (an id "
            f"column, a time column or index); got {type(frame).__name__}."
        )
    if id not in frame.columns:
        raise ValueError(
            f"{owner}: id={id!r} is not a column of frame; the columns are "
            f"{list(frame.columns)}. id names the column that says which series "
            "each row belongs to."
        )
    if time is not None and time not in frame.columns:
        raise ValueError(
            f"{owner}: time={time!r} is not a column of frame; the columns are "
            f"{list(frame.columns)}. Name the column holding each row's time, or "
            "pass time=None when the index of frame is the time."
        )
    if time is not None and time == id:
        raise ValueError(
            f"{owner}: id and time are both {id!r}; the series id and the time "
            "are different columns."
        )
    ids = frame[id]
    times = frame[time] if time is not None else frame.index
    for what, values in (("id", ids), ("time", times)):
        missing = np.asarray(values.isna())
        if missing.any():
            raise ValueError(
                f"{owner}: the {what} is missing (NaN) in {int(missing.sum())} "
                f"row(s) of frame, at {first_bad_rows(missing, frame.index)}; every "
                f"row needs its series id and its time. Fill or drop those rows, "
                f"e.g. frame.dropna(subset=[{(id if what == 'id' else time)!r}])."
            )
    time_name = time if time is not None else (frame.index.name or "time")
    index = pd.MultiIndex.from_arrays(
        [pd.Index(ids), frame.index if time is None else pd.Index(times)],
        names=[id, time_name],
    )
    dropped = [id] if time is None else [id, time]
    panel = frame.drop(columns=dropped).set_axis(index, axis=0)
    try:
        panel = panel.sort_index(kind="stable")
    except TypeError as exc:
        raise ValueError(
            f"{owner}: the rows cannot be sorted by (id, time) ({exc}); use ids of "
            "one type and times of one type."
        ) from None
    twice = panel.index.duplicated()
    if twice.any():
        sid, when = panel.index[np.flatnonzero(twice)[0]]
        by = f"[{id!r}, {time!r}]" if time is not None else f"[{id!r}, frame.index]"
        raise ValueError(
            f"{owner}: {series_name(sid)} has more than one row at time {when} "
            f"({int(twice.sum())} duplicated (id, time) pair(s) in all); a series "
            "has one row per time step. Aggregate them first, e.g. "
            f"frame.groupby({by}).mean()."
        )
    check_panel(panel, owner)
    return panel


def split_panel(y, owner: str) -> list[tuple[Hashable, pd.Series]]:
    """The series of a panel, in order: ``[(id, series indexed by time), ...]``.

    >>> idx = pd.MultiIndex.from_product([["a", "b"], [0, 1, 2]])
    >>> y = pd.Series(np.arange(6.0), index=idx)
    >>> [(k, s.tolist()) for k, s in split_panel(y, "f")]
    [('a', [0.0, 1.0, 2.0]), ('b', [3.0, 4.0, 5.0])]
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"{owner}: y has {y.shape[1]} columns; pass the target column of "
                "the panel (panel['sales'])."
            )
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series) or not is_panel(y):
        raise ValueError(
            f"{owner}: y must be a panel, a Series indexed by a 2-level "
            "MultiIndex (series id, time); got "
            f"{type(y).__name__} with a {type(getattr(y, 'index', None)).__name__}."
            " Build one with sklstm.to_panel(frame, id=..., time=...)['target']."
        )
    time = y.index.get_level_values(1)
    return [(sid, take_series([y], rows, time)[0].rename(y.name))
            for sid, rows in check_panel(y, owner)]


def split_covariates(X, ids: list, owner: str, what: str = "X") -> dict:
    """Each series' rows of the covariate panel ``X`` (indexed by time), for
    the series ``ids``; {} for no ``X``."""
    if X is None:
        return {}
    if not isinstance(X, pd.DataFrame) or not is_panel(X):
        raise TypeError(
            f"{owner}: {what} must be a panel DataFrame of covariates, indexed by "
            "(series id, time) like y; got "
            f"{type(X).__name__} with a {type(getattr(X, 'index', None)).__name__}."
            " Build one with sklstm.to_panel(frame, id=..., time=...)."
        )
    have = set(X.index.unique(level=0))
    missing = [sid for sid in ids if sid not in have]
    if missing:
        shown = ", ".join(repr(k) for k in missing[:3])
        raise ValueError(
            f"{owner}: {what} has no rows for {len(missing)} series ({shown}"
            f"{', ...' if len(missing) > 3 else ''}); give covariates for every "
            "series."
        )
    wanted = set(ids)
    return {sid: rows.droplevel(0) for sid, rows in X.groupby(level=0, sort=False)
            if sid in wanted}
