"""Filling gaps (NaN) in time series: interpolation, carrying values, edges."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import Interval, StrOptions, _fit_context
from sklstm.utils._history import extend_with_history, record_history
from sklstm.utils._validation import check_numeric_input, column_labels, who

__all__ = ["METHODS", "Interpolator", "interpolate_frame"]

#: The gap-filling methods. All but "ffill" use the observation *after* a gap.
METHODS = ("linear", "time", "nearest", "spline", "pchip", "ffill", "bfill")

# Observations a column needs before (and after) a gap for each method.
_MIN_POINTS = {"pchip": 2}


def _min_points(method: str, order: int) -> int:
    return order + 1 if method == "spline" else _MIN_POINTS.get(method, 1)


def _edge_masks(observed: np.ndarray):
    """Rows before the first and after the last observation of each column."""
    n = len(observed)
    first = observed.argmax(axis=0)
    last = n - 1 - observed[::-1].argmax(axis=0)
    rows = np.arange(n)[:, None]
    has_any = observed.any(axis=0)
    return (rows < first) & has_any, (rows > last) & has_any, first, last


def interpolate_frame(
    values,
    method: str = "linear",
    *,
    index=None,
    order: int = 3,
    limit: int | None = None,
    edges="nearest",
    labels=None,
    owner: str = "interpolate_frame",
) -> np.ndarray:
    """Fill the NaN gaps of each column of ``values``; observed values are kept.

    Gaps between two observations are filled by ``method`` (pandas
    ``DataFrame.interpolate``, ``ffill`` or ``bfill``, all vectorised per
    column). Gaps that ``method`` cannot reach (before the first and after
    the last observation for the interpolating methods, before the first for
    "ffill", after the last for "bfill") follow ``edges``.

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
    values = np.array(values, dtype=np.float64, ndmin=2, copy=True)
    n, m = values.shape
    observed = ~np.isnan(values)
    if observed.all() or n == 0:
        return values
    if labels is None:
        labels = [f"column {j}" for j in range(m)]
    leading, trailing, first, last = _edge_masks(observed)
    out = values

    if method in ("ffill", "bfill"):
        frame = pd.DataFrame(values)
        if method == "ffill":
            filled = frame.ffill(limit=limit)
        else:
            filled = frame.bfill(limit=limit)
        out = filled.to_numpy(dtype=np.float64, copy=True)
        # ffill fills the trailing gap itself, bfill the leading one.
        if method == "ffill":
            trailing = np.zeros_like(trailing)
        else:
            leading = np.zeros_like(leading)
    else:
        inner = ~observed & ~leading & ~trailing
        cols = np.flatnonzero(inner.any(axis=0))
        if cols.size:
            needed = _min_points(method, order)
            n_obs = observed[:, cols].sum(axis=0)
            if (n_obs < needed).any():
                j = int(cols[np.flatnonzero(n_obs < needed)[0]])
                raise ValueError(
                    f"{owner}: {labels[j]} has {int(observed[:, j].sum())} observed "
                    f"value(s) around its gaps; method={method!r}"
                    + (f" with order={order}" if method == "spline" else "")
                    + f" needs at least {needed}. Use a lower order, another "
                    "method, or pass more rows."
                )
            if method == "time" and not isinstance(index, pd.DatetimeIndex):
                raise ValueError(
                    f"{owner}: method='time' needs a DatetimeIndex; got "
                    f"{type(index).__name__}."
                )
            frame_index = pd.RangeIndex(n) if method != "time" else index
            frame = pd.DataFrame(values[:, cols], index=frame_index)
            kwargs = {"order": order, "s": 0} if method == "spline" else {}
            filled = frame.interpolate(
                method=method,
                limit=limit,
                limit_direction="forward",
                limit_area="inside",
                **kwargs,
            )
            out[:, cols] = filled.to_numpy(dtype=np.float64)

    if isinstance(edges, str):
        if edges == "nearest":
            rows = np.arange(n)[:, None]
            reach = np.inf if limit is None else limit
            cols_all = np.arange(m)
            lead = leading & (first - rows <= reach)
            trail = trailing & (rows - last <= reach)
            out = np.where(lead, values[first, cols_all], out)
            out = np.where(trail, values[last, cols_all], out)
        elif edges != "keep":
            raise ValueError(
                f"{owner}: edges must be 'nearest', 'keep' or a number; got {edges!r}."
            )
    else:
        out[leading | trailing] = float(edges)
    return out


class Interpolator(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
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

    Parameters
    ----------
    method : {"linear", "time", "nearest", "spline", "pchip", "ffill", \
"bfill"}, default="linear"
        "linear": straight line between the two observations around a gap,
        rows equally spaced. "time": the same, spaced by the DatetimeIndex
        (X must be a DataFrame with an increasing DatetimeIndex). "nearest":
        the nearer observation. "spline": interpolating spline of degree
        ``order``. "pchip": monotone cubic (no overshoot). "ffill"/"bfill":
        the previous/next observation.
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
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    Raises
    ------
    ValueError
        In fit and transform, for a column with no observed value at all, and
        for ``method="time"`` without an increasing DatetimeIndex.

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
    >>> Interpolator().fit_transform(X).ravel()
    array([1., 1., 2., 3., 4., 4.])
    >>> Interpolator(method="ffill", edges="keep").fit_transform(X).ravel()
    array([nan,  1.,  1.,  1.,  4.,  4.])
    >>> Interpolator(limit=1, edges=0.0).fit_transform(X).ravel()
    array([ 0.,  1.,  2., nan,  4.,  0.])

    "time" spaces the fill by the timestamps:

    >>> days = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"])
    >>> Xt = pd.DataFrame({"temp": [0.0, np.nan, 4.0]}, index=days)
    >>> Interpolator(method="time").fit_transform(Xt).ravel()
    array([0., 1., 4.])

    A test fold that starts inside a gap is filled from the fit rows:

    >>> fold = Interpolator().set_output(transform="pandas").fit(X.iloc[:5])
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

    def __init__(self, method="linear", *, order=3, limit=None, edges="nearest"):
        self.method = method
        self.order = order
        self.limit = limit
        self.edges = edges

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check X and remember its last rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : Interpolator
        """
        values, index = check_numeric_input(self, X, reset=True, method="fit")
        self._check_time_index(X, index, "fit")
        self._check_observed(values, X, "fit")
        self.history_ = record_history(values, index, self._tail_size(values))
        return self

    def transform(self, X):
        """Fill the gaps of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features)
            X with its gaps filled; observed values unchanged.
        """
        check_is_fitted(self)
        values, index = check_numeric_input(self, X, reset=False, method="transform")
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
        return filled[k:]

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
        empty = np.isnan(values).all(axis=0)
        if len(values) and empty.any():
            j = int(np.flatnonzero(empty)[0])
            label = column_labels(X, values.shape[1])[j]
            raise ValueError(
                f"{who(self, method)}: X {label} has no observed value (all "
                f"{len(values)} rows are NaN), so there is nothing to fill its gaps "
                "from. Drop the column, or pass rows that include observations."
            )

    def _tail_size(self, values) -> int:
        """Rows back to the k-th last observation of every column (all if fewer)."""
        needed = _min_points(self.method, self.order)
        from_end = np.cumsum(~np.isnan(values[::-1]), axis=0)
        reached = from_end >= needed
        if not reached[-1].all():
            return len(values)
        return int(reached.argmax(axis=0).max()) + 1

    @classmethod
    def _test_params(cls):
        return [{"method": "linear"}, {"method": "ffill", "limit": 2, "edges": 0.0}]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
