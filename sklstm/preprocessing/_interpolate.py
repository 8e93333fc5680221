"""Filling gaps (NaN) in time series: interpolation, carrying values, edges."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin

from sklstm._compat import Interval, StrOptions, validate_params
from sklstm.utils._base import SeriesTransformerMixin
from sklstm.utils._history import extend_with_history, record_history
from sklstm.utils._output import like_input
from sklstm.utils._validation import column_labels, who

if TYPE_CHECKING:
    from typing import Literal

    from sklstm._typing import ArrayLike

__all__ = ["METHODS", "Interpolator", "interpolate_frame"]

#: The gap-filling methods. All but "ffill" use the observation *after* a gap.
METHODS = ("linear", "time", "nearest", "spline", "pchip", "ffill", "bfill")

def _min_points(method: str, order: int) -> int:
    """Observations a column needs for ``method`` (before a gap, for history)."""
    return {"spline": order + 1, "pchip": 2}.get(method, 1)


def _gap_neighbours(values: np.ndarray):
    """Every missing entry with the rows of its previous and next observation.

    Returns flat arrays ``rows, cols, prev, next`` (``prev = -1`` / ``next =
    n_rows`` where there is none). Columns without any observation are left
    out. Per column, the missing rows form runs of consecutive rows; every
    entry of a run has the same neighbours, the rows just outside it. Memory
    is one column's mask plus a few ints per missing entry: no loop over rows.
    """
    n = len(values)
    parts = []
    for j in range(values.shape[1]):
        gaps = np.flatnonzero(np.isnan(values[:, j]))
        if gaps.size == 0 or gaps.size == n:
            continue
        opens = np.diff(gaps, prepend=-2) != 1  # where a run of gaps starts
        first = np.flatnonzero(opens)
        last = np.append(first[1:] - 1, gaps.size - 1)
        run = np.cumsum(opens) - 1
        prev, nxt = gaps[first][run] - 1, gaps[last][run] + 1
        parts.append((gaps, np.full(gaps.size, j), prev, nxt))
    if not parts:
        return (np.empty(0, dtype=np.intp),) * 4
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))


def _empty_columns(values: np.ndarray) -> np.ndarray:
    """Which columns are all NaN, reading blocks of rows until each has a value."""
    empty = np.ones(values.shape[1], dtype=bool)
    step = max(1, (1 << 16) // max(1, values.shape[1]))
    for start in range(0, len(values), step):
        empty &= np.isnan(values[start : start + step]).all(axis=0)
        if not empty.any():
            break
    return empty


def _positions(method: str, index, n: int, owner: str) -> np.ndarray:
    """Where the rows lie: their times for "time", else 0, 1, 2, ..."""
    if method != "time":
        return np.arange(n, dtype=np.float64)
    if not isinstance(index, pd.DatetimeIndex) or len(index) != n:
        raise ValueError(
            f"{owner}: method='time' needs a DatetimeIndex with one entry per row; "
            f"got {type(index).__name__}."
        )
    ticks = index.asi8
    return (ticks - ticks[0]).astype(np.float64)


def _scipy_fill(values, cols, method, order, labels, owner):
    """"spline"/"pchip" through pandas (scipy), on the columns with inner gaps."""
    needed = _min_points(method, order)
    n_obs = (~np.isnan(values[:, cols])).sum(axis=0)
    if (n_obs < needed).any():
        bad = np.flatnonzero(n_obs < needed)[0]
        raise ValueError(
            f"{owner}: {labels[cols[bad]]} has {n_obs[bad]} observed value(s) around "
            f"its gaps; method={method!r}"
            + (f" with order={order}" if method == "spline" else "")
            + f" needs at least {needed}. Use a lower order, another method, or "
            "pass more rows."
        )
    kwargs = {"order": order, "s": 0} if method == "spline" else {}
    frame = pd.DataFrame(values[:, cols])
    filled = frame.interpolate(method=method, limit_area="inside", **kwargs)
    out = np.full_like(values, np.nan)
    out[:, cols] = filled.to_numpy(dtype=np.float64)
    return out


@validate_params(
    {
        "values": ["array-like"],
        "method": [StrOptions(set(METHODS))],
        "index": "no_validation",
        "order": [Interval(Integral, 1, 5, closed="both")],
        "limit": [Interval(Integral, 1, None, closed="left"), None],
        "edges": [
            StrOptions({"nearest", "keep"}),
            Interval(Real, None, None, closed="neither"),
        ],
        "labels": ["array-like", None],
        "owner": [str],
    },
    prefer_skip_nested_validation=True,
)
def interpolate_frame(
    values: ArrayLike,
    method: str = "linear",
    *,
    index: pd.Index | None = None,
    order: int = 3,
    limit: int | None = None,
    edges: Literal["nearest", "keep"] | float = "nearest",
    labels: ArrayLike | None = None,
    owner: str = "interpolate_frame",
) -> np.ndarray:
    """Fill the NaN gaps of each column of ``values``; observed values are kept.

    Gaps between two observations are filled by ``method``. Gaps that
    ``method`` cannot reach (before the first and after the last observation
    for the interpolating methods, before the first for "ffill", after the
    last for "bfill") follow ``edges``.

    "linear", "time", "nearest", "ffill" and "bfill" are computed in numpy:
    the missing entries of each column find their previous and next
    observation with one ``searchsorted`` and are filled from them, all at
    once. "spline" and "pchip" call scipy through pandas'
    ``DataFrame.interpolate`` on the columns that have inner gaps.

    Parameters
    ----------
    values : array-like of shape (n_samples, n_features)
    method : {"linear", "time", "nearest", "spline", "pchip", "ffill", "bfill"}
        See :class:`Interpolator`.
    index : pandas.DatetimeIndex or None
        Row times; required by ``method="time"``, ignored otherwise (rows are
        taken to be equally spaced).
    order : int, default=3
        Degree of the interpolating spline (``method="spline"`` only).
    limit : int or None, default=None
        Fill at most this many consecutive NaN of each gap, counted from the
        observation the fill comes from; the rest stay NaN. None: no limit.
    edges : "nearest", "keep" or float, default="nearest"
        Unreachable gaps: the nearest observed value (within ``limit`` rows),
        left NaN, or this value (every row of the gap).
    labels : list of str or None
        Column names for error messages.
    owner : str
        Who complains in error messages.

    Returns
    -------
    filled : ndarray of float64, shape (n_samples, n_features)
        Columns with no observed value come back unchanged (all NaN).

    Examples
    --------
    >>> nan = float("nan")
    >>> x = [[nan], [1.0], [nan], [3.0], [nan]]
    >>> interpolate_frame(x).ravel()
    array([1., 1., 2., 3., 3.])
    >>> interpolate_frame(x, "ffill", edges="keep").ravel()
    array([nan,  1.,  1.,  3.,  3.])
    >>> interpolate_frame(x, edges=0.0).ravel()
    array([0., 1., 2., 3., 0.])
    """
    values = np.array(values, dtype=np.float64, ndmin=2, order="K", copy=True)
    if method not in METHODS:
        raise ValueError(f"{owner}: method must be one of {METHODS}; got {method!r}.")
    if isinstance(edges, str) and edges not in ("nearest", "keep"):
        raise ValueError(
            f"{owner}: edges must be 'nearest', 'keep' or a number; got {edges!r}."
        )
    n, m = values.shape
    r, c, p, q = _gap_neighbours(values)
    if r.size == 0:
        return values
    if labels is None:
        labels = [f"column {j}" for j in range(m)]
    x = _positions(method, index, n, owner)
    lead, trail = p < 0, q >= n
    inner = ~lead & ~trail
    reach = n if limit is None else int(limit)
    near_prev = r - p <= reach  # within limit, counting from the previous obs
    near_next = q - r <= reach  # ... from the next one
    # A flat view in memory order: gathers by flat index are the fastest.
    if values.flags.c_contiguous:
        flat, row_step, col_step = values.reshape(-1), m, 1
    else:  # column-major, as the values of a DataFrame
        flat, row_step, col_step = values.T.reshape(-1), 1, n
    at_r, at_p, at_q = (i * row_step + c * col_step for i in (r, p, q))

    fill = np.full(r.shape, np.nan)
    from_prev = np.zeros(r.shape, dtype=bool)  # entries that copy values[p]
    from_next = np.zeros(r.shape, dtype=bool)  # entries that copy values[q]
    if method == "ffill":
        from_prev |= ~lead & near_prev
        edge_lead, edge_trail = lead, np.zeros_like(trail)
    elif method == "bfill":
        from_next |= ~trail & near_next
        edge_lead, edge_trail = np.zeros_like(lead), trail
    else:
        edge_lead, edge_trail = lead, trail
        sel = inner & near_prev
        rs, ps, qs, cs = r[sel], p[sel], q[sel], c[sel]
        if method in ("linear", "time"):
            lo, hi = flat.take(at_p[sel]), flat.take(at_q[sel])
            # np.interp's formula, so the result matches pandas/numpy
            fill[sel] = (hi - lo) / (x[qs] - x[ps]) * (x[rs] - x[ps]) + lo
        elif method == "nearest":
            take_prev = x[rs] - x[ps] <= x[qs] - x[rs]  # a tie goes to the earlier
            from_prev[sel] = take_prev
            from_next[sel] = ~take_prev
        else:
            curve = _scipy_fill(values, np.unique(cs), method, order, labels, owner)
            fill[sel] = curve[rs, cs]
    if edges == "nearest":
        from_next |= edge_lead & near_next
        from_prev |= edge_trail & near_prev
    elif not isinstance(edges, str):
        fill[edge_lead | edge_trail] = float(edges)
    fill[from_prev] = flat.take(at_p[from_prev])
    fill[from_next] = flat.take(at_q[from_next])
    flat[at_r] = fill
    return values


class Interpolator(SeriesTransformerMixin, OneToOneFeatureMixin, BaseEstimator):
    """Fill the gaps (NaN) in each column, keeping every observed value.

    Rows are taken to be consecutive time steps, oldest first. Gaps between
    two observations of a column are filled by ``method``; the gaps before a
    column's first observation and after its last (which interpolation cannot
    reach) follow ``edges``. Observed values are never changed.

    **Look-ahead.** Every method except "ffill" uses the observation *after*
    a gap to fill it: "linear", "time", "nearest", "spline" and "pchip" draw a
    curve to it, "bfill" copies it. In a forecasting pipeline that lets a
    later value leak into earlier rows. "ffill" carries the last observation
    forward and is the causal mode; with ``edges="nearest"`` it still fills a
    leading gap (before the first observation) from the first observation, so
    use ``edges="keep"`` or a number for a strictly causal fill.

    **Edges** (``edges``): ``"nearest"`` (default) extends the first
    observation backwards and the last forwards, so the output has no NaN
    (unless ``limit`` stops it); ``"keep"`` leaves them NaN; a number fills
    every row of those gaps with that number. For "ffill" only the leading gap
    is an edge (it fills the trailing one itself), for "bfill" only the
    trailing one.

    **History that continues.** When the rows given to ``transform`` carry an
    index that continues the index seen in ``fit`` (a DataFrame from the same
    series, as in a ``TimeSeriesSplit`` test fold), a gap at their start is
    filled from the last observations of the fit rows, exactly as in the
    whole series, instead of by ``edges``. ``fit`` remembers the last rows back
    to the last observation of every column (with no gap at the end of the
    fit rows: one row), or back to the 2nd-last observation for "pchip" and
    the ``(order + 1)``-th last for "spline" (these get the same fill as the
    whole series for "pchip", a close one for the global "spline").

    **Panels.** A panel (a DataFrame indexed by ``(series id, time)``, see
    :func:`~sklstm.to_panel`) is transformed series by series, each as if it were
    alone: no gap is filled from another series' observations, and a gap at the
    start of a test fold is filled from that series' own fit rows.

    Parameters
    ----------
    method : {"linear", "time", "nearest", "spline", "pchip", "ffill", \
"bfill"}, default="linear"
        "linear": straight line between the two observations around a gap,
        rows equally spaced. "time": the same, spaced by the DatetimeIndex
        (X must be a DataFrame with an increasing DatetimeIndex). "nearest":
        the nearer observation (a tie goes to the earlier). "spline":
        interpolating spline of degree ``order``. "pchip": monotone cubic (no
        overshoot). "ffill"/"bfill": the previous/next observation. All but
        "time" take the rows as equally spaced.
    order : int, default=3
        Degree of the spline, 1 to 5; used by "spline" only.
    limit : int or None, default=None
        Fill at most this many consecutive NaN of each gap, counted from the
        observation the fill comes from (for the edges: from the nearest
        observation); the rest of a longer gap stays NaN. None: no limit.
    edges : "nearest", "keep" or float, default="nearest"
        What fills the gaps ``method`` cannot reach; see above.

    Attributes
    ----------
    history_ : History or None
        The last fit rows (see above); None for numpy input or an irregular
        index.
    series_ids_ : list or None
        The ids of the panel's series seen in fit, in order; None when fit saw a
        single series. After a panel fit ``history_`` is a dict keyed by these ids.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    Raises
    ------
    ValueError
        In fit and transform, for a column with no observed value at all (in
        transform: in the rows given plus, when their index continues the fit
        index, the remembered fit rows), and for ``method="time"`` without an
        increasing DatetimeIndex.

    See Also
    --------
    MedianOutlierFilter : ``replace="nan"`` turns outliers into gaps to fill.
    interpolate_frame : the same on arrays.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklstm import Interpolator
    >>> X = pd.DataFrame({"temp": [np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]})
    >>> Interpolator().fit_transform(X)
       temp
    0   1.0
    1   1.0
    2   2.0
    3   3.0
    4   4.0
    5   4.0
    >>> Interpolator(method="ffill", edges="keep").fit_transform(X)["temp"].tolist()
    [nan, 1.0, 1.0, 1.0, 4.0, 4.0]
    >>> Interpolator(limit=1, edges=0.0).fit_transform(X.to_numpy()).ravel()
    array([ 0.,  1.,  2., nan,  4.,  0.])

    "time" spaces the fill by the timestamps:

    >>> days = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"])
    >>> Xt = pd.DataFrame({"temp": [0.0, np.nan, 4.0]}, index=days)
    >>> Interpolator(method="time").fit_transform(Xt)
                temp
    2024-01-01   0.0
    2024-01-02   1.0
    2024-01-05   4.0

    A test fold that starts inside a gap is filled from the fit rows:

    >>> fold = Interpolator().fit(X.iloc[:5])
    >>> fold.transform(pd.DataFrame({"temp": [np.nan, 8.0]}, index=[5, 6]))
       temp
    5   6.0
    6   8.0
    """

    _parameter_constraints: dict = {
        "method": [StrOptions(set(METHODS))],
        "order": [Interval(Integral, 1, 5, closed="both")],
        "limit": [Interval(Integral, 1, None, closed="left"), None],
        "edges": [
            StrOptions({"nearest", "keep"}),
            Interval(Real, None, None, closed="neither"),
        ],
    }
    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("history_",)

    def __init__(
        self,
        method: str = "linear",
        *,
        order: int = 3,
        limit: int | None = None,
        edges: Literal["nearest", "keep"] | float = "nearest",
    ) -> None:
        self.method = method
        self.order = order
        self.limit = limit
        self.edges = edges

    def _fit(self, X, values, index):
        self._check_time_index(X, index, "fit")
        self._check_observed(values, X, "fit")
        self.history_ = record_history(values, index, self._tail_size(values))

    def _transform(self, X, values, index):
        self._check_time_index(X, index, "transform")
        extended, k = extend_with_history(self.history_, values, index)
        self._check_observed(extended, X, "transform")
        if self.method == "time" and k:
            before = pd.date_range(
                end=self.history_.last_label, periods=k, freq=self.history_.step
            )
            index = before.append(index)
        filled = interpolate_frame(
            extended,
            self.method,
            index=index,
            order=self.order,
            limit=self.limit,
            edges=self.edges,
            labels=column_labels(X, values.shape[1]),
            owner=who(self, "transform"),
        )
        return like_input(self, filled[k:], X)

    def _check_time_index(self, X, index, method):
        if self.method != "time":
            return
        if not isinstance(index, pd.DatetimeIndex):
            got = type(X).__name__ if index is None else type(index).__name__
            raise ValueError(
                f"{who(self, method)}: method='time' needs X as a DataFrame with a "
                f"DatetimeIndex, but got {got}. Index X by its timestamps "
                "(X.set_index(...)), or use method='linear' for equally spaced rows."
            )
        if not (index.is_monotonic_increasing and index.is_unique):
            raise ValueError(
                f"{who(self, method)}: method='time' needs an increasing DatetimeIndex "
                "without duplicates; sort X by time (X.sort_index()) and drop "
                "duplicated timestamps first."
            )

    def _check_observed(self, values, X, method):
        empty = _empty_columns(values)
        if len(values) and empty.any():
            j = int(np.flatnonzero(empty)[0])
            label = column_labels(X, values.shape[1])[j]
            raise ValueError(
                f"{who(self, method)}: X {label} has no observed value (all "
                f"{len(values)} rows are NaN), so there is nothing to fill its gaps "
                "from. Drop the column, or pass rows that include observations."
            )

    def _tail_size(self, values) -> int:
        """Rows back to the k-th last observation of every column (all if fewer).

        Reads blocks of rows backwards from the end, doubling in size, until
        every column has its k observations: usually a few rows.
        """
        needed = _min_points(self.method, self.order)
        n = len(values)
        seen = np.zeros(values.shape[1], dtype=np.intp)  # observations after stop
        stop, size = n, 64
        while stop > 0:
            start = max(0, stop - size)
            # observations from row stop - 1 back to row start, per column
            from_end = seen + np.cumsum(~np.isnan(values[start:stop][::-1]), axis=0)
            reached = from_end >= needed
            if reached[-1].all():
                return n - stop + int(reached.argmax(axis=0).max()) + 1
            seen = from_end[-1]
            stop, size = start, 2 * size
        return n

    @classmethod
    def _test_params(cls):
        return [{"method": "linear"}, {"method": "ffill", "limit": 2, "edges": 0.0}]

    def _expected_failed_checks(self):
        # the checks' data have no gaps, which pass through whatever the order
        return {}
