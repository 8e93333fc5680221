"""Differences: regular and seasonal differencing with an exact inverse."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import Interval, _check_feature_names_in, validate_params
from sklstm.utils._base import SeriesTransformerMixin, append_columns
from sklstm.utils._columns import resolve_columns
from sklstm.utils._history import continues, extend_with_history, record_history
from sklstm.utils._output import like_input
from sklstm.utils._validation import check_values, column_labels, to_float, who

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike, ArrayOrFrame

__all__ = [
    "Differencer",
    "difference",
    "difference_coefficients",
    "undifference",
]


#: The most regular differences: a series needing more than two is rare, and
#: each one costs a row and amplifies noise; ten leaves room and stops
#: ``order=10**9`` from running for ever.
MAX_ORDER = 10
#: The longest seasonal lag: a year of minutes is about 5e5 steps. A lag costs
#: memory in proportion to it, so ``seasonal_lag=10**12`` is refused at once.
MAX_SEASONAL_LAG = 1_000_000


def difference_coefficients(
    order: int = 1, seasonal_lag: int | None = None
) -> np.ndarray:
    """Coefficients of ``(1 - B)**order * (1 - B**seasonal_lag)``, lag 0 first.

    ``B`` is the backshift operator: the difference at row ``i`` is
    ``sum(c[k] * x[i - k])``. The length minus one is the *span*, the number of
    earlier rows a difference reads.

    >>> difference_coefficients(1).tolist()
    [1.0, -1.0]
    >>> difference_coefficients(2).tolist()
    [1.0, -2.0, 1.0]
    >>> difference_coefficients(1, seasonal_lag=4).tolist()
    [1.0, -1.0, 0.0, 0.0, -1.0, 1.0]
    """
    coefs = np.array([1.0])
    for _ in range(order):
        coefs = np.convolve(coefs, [1.0, -1.0])
    if seasonal_lag:
        seasonal = np.zeros(seasonal_lag + 1)
        seasonal[[0, -1]] = 1.0, -1.0
        coefs = np.convolve(coefs, seasonal)
    return coefs


@validate_params(
    {
        "values": ["array-like"],
        "order": [Interval(Integral, 0, MAX_ORDER, closed="both")],
        "seasonal_lag": [Interval(Integral, 1, MAX_SEASONAL_LAG, closed="both"), None],
        "fill_value": [Real],
    },
    prefer_skip_nested_validation=True,
)
def difference(
    values: np.ndarray,
    order: int = 1,
    seasonal_lag: int | None = None,
    fill_value: float = 0.0,
) -> np.ndarray:
    """Regular and seasonal differences of each column, rows kept.

    Row ``i`` of the result is ``((1 - B)**order (1 - B**s) x)[i]``, a weighted
    sum of the rows ``i - k`` whose coefficient is non-zero (see
    :func:`difference_coefficients`). The first ``span = order + s`` rows have
    too little history and hold ``fill_value``. A NaN in ``values`` makes NaN
    exactly the results whose sum reads it.

    Parameters
    ----------
    values : ndarray of shape (n_samples,) or (n_samples, n_features)
    order : int, default=1
        Number of regular (lag-1) differences.
    seasonal_lag : int or None, default=None
        Lag of one seasonal difference; None for none.
    fill_value : float, default=0.0
        Value of the first ``span`` rows.

    Returns
    -------
    diffs : ndarray of the same shape, float64

    Examples
    --------
    >>> difference(np.array([1.0, 4.0, 9.0, 16.0]))
    array([0., 3., 5., 7.])
    >>> difference(np.array([1.0, 4.0, 9.0, 16.0]), order=2, fill_value=np.nan)
    array([nan, nan,  2.,  2.])
    """
    values = np.asarray(values, dtype=np.float64)
    out = np.empty_like(values)
    coefs = difference_coefficients(order, seasonal_lag)
    _difference_into(out, values, coefs, fill_value)
    return out


# Row blocks of about this many values keep the terms of a difference in cache.
_BLOCK_VALUES = 1 << 16


def _difference_into(out, values, coefs, fill_value, skip=0) -> None:
    """Write the differences of ``values`` from row ``skip`` on into ``out``.

    ``out[t] = sum(coefs[k] * values[t + skip - k])`` where ``t + skip`` is at
    least the span, ``fill_value`` before. Terms are added in order of ``k``
    (``values[i] + c1 * values[i - k1] + ...``, as :func:`difference`
    documents), with a coefficient of 1 or -1 as a plain addition or
    subtraction; other coefficients go through a small buffer, block by block.
    ``out`` has ``len(values) - skip`` rows; any layout.
    """
    span = len(coefs) - 1
    n = len(values)
    n_fill = min(max(span - skip, 0), len(out))
    out[:n_fill] = fill_value
    start = skip + n_fill
    if start >= n:
        return
    terms = [(int(k), float(coefs[k])) for k in np.flatnonzero(coefs[1:]) + 1]
    if not terms:
        out[n_fill:] = values[start:]
        return
    plain = all(c in (1.0, -1.0) for _, c in terms)
    width = max(1, values.size // n)
    step = n if plain else max(1, _BLOCK_VALUES // width)
    buf = None if plain else np.empty_like(values[:step])
    for a in range(start, n, step):
        b = min(a + step, n)
        acc = out[a - skip : b - skip]
        for i, (k, c) in enumerate(terms):
            lagged = values[a - k : b - k]
            first = values[a:b] if i == 0 else acc
            if c == 1.0:
                np.add(first, lagged, out=acc)
            elif c == -1.0:
                np.subtract(first, lagged, out=acc)
            else:
                scaled = np.multiply(lagged, c, out=buf[: b - a])
                np.add(first, scaled, out=acc)


def _seasonal_cumsum(diffs: np.ndarray, seed: np.ndarray, lag: int) -> np.ndarray:
    """Undo ``w[i] - w[i - lag]``: ``seed`` holds the ``lag`` values of w before."""
    n, m = diffs.shape
    full = np.concatenate([seed, diffs])
    pad = -len(full) % lag
    if pad:
        full = np.concatenate([full, np.zeros((pad, m))])
    full = np.cumsum(full.reshape(-1, lag, m), axis=0).reshape(-1, m)
    return full[lag : lag + n]


@validate_params(
    {
        "diffs": ["array-like"],
        "before": ["array-like"],
        "order": [Interval(Integral, 0, MAX_ORDER, closed="both")],
        "seasonal_lag": [Interval(Integral, 1, MAX_SEASONAL_LAG, closed="both"), None],
    },
    prefer_skip_nested_validation=True,
)
def undifference(
    diffs: np.ndarray,
    before: np.ndarray,
    order: int = 1,
    seasonal_lag: int | None = None,
) -> np.ndarray:
    """Levels from their differences, given the levels of the rows just before.

    The exact inverse of :func:`difference` on rows that all have history:
    ``undifference(difference(x)[span:], x[:span]) == x[span:]`` up to
    rounding. Seasonal differences are undone by a cumulative sum per phase,
    regular ones by a cumulative sum, so the cost is linear in the rows. A NaN
    difference makes every later level it feeds NaN.

    Parameters
    ----------
    diffs : ndarray of shape (n_samples, n_features)
        Differences; every row is a true difference (none is a fill value).
    before : ndarray of shape (span, n_features)
        Levels of the ``span = order + seasonal_lag`` rows before ``diffs``.
    order : int, default=1
    seasonal_lag : int or None, default=None

    Returns
    -------
    levels : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> x = np.array([[3.0], [5.0], [4.0], [8.0], [9.0]])
    >>> d = difference(x, order=2)
    >>> undifference(d[2:], x[:2], order=2).ravel()
    array([4., 8., 9.])
    """
    diffs = np.asarray(diffs, dtype=np.float64)
    before = np.asarray(before, dtype=np.float64)
    squeeze = diffs.ndim == 1
    if squeeze:
        diffs, before = diffs[:, None], before.reshape(-1, 1)
    lag = seasonal_lag or 0
    if len(before) != order + lag:
        raise ValueError(
            f"undifference: before has {len(before)} rows; order={order} and "
            f"seasonal_lag={seasonal_lag} need {order + lag}."
        )
    # partial[j] = (1 - B)**j applied to the rows before (length span - j).
    partial = [before]
    for _ in range(order):
        partial.append(np.diff(partial[-1], axis=0))
    levels = diffs
    if lag:
        levels = _seasonal_cumsum(levels, partial[order][-lag:], lag)
    for j in reversed(range(order)):
        levels = partial[j][-1] + np.cumsum(levels, axis=0)
    return levels[:, 0] if squeeze else levels


class Differencer(SeriesTransformerMixin, BaseEstimator):
    """Replace columns by their regular and seasonal differences, rows kept.

    With ``order=d`` and ``seasonal_lag=s`` the output is
    ``(1 - B)**d (1 - B**s) x``: ``d`` differences between consecutive rows, then
    one difference between rows ``s`` apart (``B`` shifts one row back). This
    removes a trend (``d=1``: linear, ``d=2``: quadratic) and a seasonal pattern
    of ``s`` steps. One seasonal difference is almost always enough; for
    more, chain two Differencers (``Pipeline.inverse_transform`` undoes both).
    Rows are taken to be consecutive, equally spaced time steps, oldest first.

    **The first rows.** A difference at row ``i`` reads rows ``i - k`` for
    ``k`` up to ``span = d + s``; the first ``span`` rows have no such history
    and hold ``fill_value`` (default ``0.0``, "no change"; ``np.nan`` marks them
    missing instead). No row is dropped.

    **History that continues.** When the rows given to ``transform`` carry an
    index that continues the index seen in ``fit`` (the next rows of the same
    series, as in a ``TimeSeriesSplit`` test fold), their first differences read
    the last ``span`` rows of the fit data, so nothing is filled.

    **Missing values.** NaN is allowed. A difference is NaN exactly when one of
    the rows it reads (those with a non-zero coefficient in
    :func:`difference_coefficients`) is NaN; other rows stay finite.

    **Restoring levels.** ``inverse_transform`` undoes the differences exactly
    (up to float rounding). It needs the levels of the ``span`` rows before the
    first true difference; it takes them

    1. from ``anchors=`` when given: the levels of the ``span`` rows just
       before the first row passed, every row passed being a true difference;
    2. else, when the rows passed are a DataFrame whose index continues the
       fit index, from the last ``span`` rows of the fit data (``history_``),
       matching what ``transform`` did for such rows;
    3. else from the first ``span`` rows of the fit data (``head_``): the rows
       passed are taken to start where the fit data started (as the output of
       ``fit_transform``), so their first ``span`` rows, fill values, are
       replaced by those levels.

    A NaN difference makes every later level it feeds NaN. With
    ``drop_original=False`` the originals are part of the output and
    ``inverse_transform`` returns them.

    **Panels.** A panel (a DataFrame indexed by ``(series id, time)``, see
    :func:`~sklstm.to_panel`) is transformed series by series, each as if it were
    alone: no difference reads another series' rows, a test fold continues each
    series from its own tail, and ``inverse_transform`` restores each series from
    its own levels (``anchors`` is then a dict keyed by series id).

    Parameters
    ----------
    order : int, default=1
        Number of regular (lag-1) differences, ``d``; 0 for none.
    seasonal_lag : int or None, default=None
        Seasonal period in steps, ``s``; applies one difference between rows
        ``s`` apart. None for no seasonal difference.
    columns : list of str or int, or None, default=None
        Columns to difference, by name (DataFrame input) or position; None
        differences all. Other columns pass through unchanged.
    drop_original : bool, default=True
        True replaces each chosen column by its differences, in place; False
        keeps all originals and appends the differences after them.
    fill_value : float, default=0.0
        Value of the first ``span`` rows, which lack history; see above.

    Attributes
    ----------
    columns_ : ndarray of int
        Positions of the differenced columns.
    span_ : int
        ``order + seasonal_lag``: rows of history one difference needs.
    head_ : ndarray of shape (min(span_, n_fit_rows), len(columns_))
        Levels of the first rows of the fit data, anchors for
        ``inverse_transform`` (case 3 above).
    history_ : History or None
        Last ``span_`` fit rows and where they ended; None for numpy input or
        an irregular index.
    series_ids_ : list or None
        The ids of the panel's series seen in fit, in order; None when fit saw a
        single series. After a panel fit ``head_`` and ``history_`` are dicts keyed
        by these ids.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    difference, undifference : the functions behind this transformer.
    LagFeatures : past levels as extra columns instead of differences.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import Differencer

    A DataFrame in gives a DataFrame out, with the same index:

    >>> X = pd.DataFrame({"price": [10.0, 11.0, 13.0, 12.0, 15.0]})
    >>> diff = Differencer(order=1)
    >>> Xd = diff.fit_transform(X)
    >>> Xd
       price_diff1
    0          0.0
    1          1.0
    2          2.0
    3         -1.0
    4          3.0
    >>> diff.inverse_transform(Xd)
       price
    0   10.0
    1   11.0
    2   13.0
    3   12.0
    4   15.0

    Rows that continue the fit index take their first difference from the fit
    rows, and are restored from them:

    >>> nxt = pd.DataFrame({"price": [14.0, 16.0]}, index=[5, 6])
    >>> diff.transform(nxt)
       price_diff1
    5         -1.0
    6          2.0
    >>> diff.inverse_transform(diff.transform(nxt))
       price
    5   14.0
    6   16.0

    A seasonal difference, with NaN for the rows that lack history (numpy in,
    numpy out):

    >>> x = np.array([[5.0], [1.0], [6.0], [2.0], [7.0], [3.0]])
    >>> Differencer(order=0, seasonal_lag=2, fill_value=np.nan).fit_transform(x)
    array([[nan],
           [nan],
           [ 1.],
           [ 1.],
           [ 1.],
           [ 1.]])
    """

    _parameter_constraints: dict = {
        "order": [Interval(Integral, 0, MAX_ORDER, closed="both")],
        "seasonal_lag": [Interval(Integral, 2, MAX_SEASONAL_LAG, closed="both"), None],
        "columns": ["array-like", None],
        "drop_original": ["boolean"],
        "fill_value": [Real],
    }
    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("head_", "history_")

    def __init__(
        self,
        order: int = 1,
        *,
        seasonal_lag: int | None = None,
        columns: ArrayLike | None = None,
        drop_original: bool = True,
        fill_value: float = 0.0,
    ) -> None:
        self.order = order
        self.seasonal_lag = seasonal_lag
        self.columns = columns
        self.drop_original = drop_original
        self.fill_value = fill_value

    def _fit(self, X, values, index):
        self.columns_ = resolve_columns(
            self.columns, values.shape[1], getattr(self, "feature_names_in_", None),
            owner=who(self, "fit"),
        )
        self.span_ = int(self.order) + int(self.seasonal_lag or 0)
        self.head_ = values[: self.span_, self.columns_].copy()
        self.history_ = record_history(values, index, self.span_)

    def _transform(self, X, values, index):
        extended, skip = extend_with_history(self.history_, values, index)
        coefs = difference_coefficients(self.order, self.seasonal_lag)
        cols = self.columns_
        every = np.array_equal(cols, np.arange(values.shape[1]))

        def write(new, at=None):
            """Differences of column ``cols[i]`` into ``new[:, at[i]]`` (at: 0..)."""
            if every:
                _difference_into(new, extended, coefs, self.fill_value, skip)
                return
            for i, c in enumerate(cols):
                j = i if at is None else at[i]
                _difference_into(
                    new[:, j], extended[:, c], coefs, self.fill_value, skip
                )

        if not self.drop_original:
            return append_columns(self, X, values, len(cols), write)
        out = np.empty(values.shape, order="F")
        if not every:
            others = np.setdiff1d(np.arange(values.shape[1]), cols)
            out[:, others] = values[:, others]
        write(out, at=cols)
        return like_input(self, out, X)

    def inverse_transform(
        self, X: ArrayLike, *, anchors: ArrayLike | Mapping | None = None
    ) -> ArrayOrFrame:
        """Restore the levels from the output of :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Differenced rows, as ``transform`` returns them.
        anchors : array-like of shape (span_, len(columns_)), dict or None
            Levels of the ``span_`` rows just before the first row of X; every
            row of X is then a true difference. None: take them from the fit
            data, see the class docstring. For a panel, a dict ``{series id:
            anchors}``; a series without an entry is restored from its own fit
            rows.

        Returns
        -------
        X_levels : ndarray of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        groups = self._series_groups(X, "inverse_transform", reset=False)
        if groups is not None:
            return self._inverse_series(X, groups, anchors)
        owner = who(self, "inverse_transform")
        values, index = self._check_differenced(X, owner)
        n_in = self.n_features_in_
        if not self.drop_original:
            return self._levels_like_input(values[:, :n_in].copy(), X)
        out = values.copy()
        diffs = values[:, self.columns_]
        span, n = self.span_, len(values)
        if anchors is not None:
            before = np.asarray(anchors, dtype=np.float64)
            if before.ndim == 1:
                before = before.reshape(-1, 1)
            if before.shape != (span, len(self.columns_)):
                raise ValueError(
                    f"{owner}: anchors has shape {before.shape}; expected "
                    f"({span}, {len(self.columns_)}): the levels of the {span} "
                    "rows just before X, one column per differenced column."
                )
            levels = undifference(diffs, before, self.order, self.seasonal_lag)
        elif continues(self.history_, index):
            before = self.history_.tail[:, self.columns_]
            self._need_rows(len(before), owner)
            levels = undifference(diffs, before, self.order, self.seasonal_lag)
        elif n <= len(self.head_):
            levels = self.head_[:n]
        else:
            self._need_rows(len(self.head_), owner)
            rest = undifference(diffs[span:], self.head_, self.order, self.seasonal_lag)
            levels = np.concatenate([self.head_, rest])
        out[:, self.columns_] = levels
        return self._levels_like_input(out, X)

    def _inverse_series(self, X, groups, anchors):
        """``inverse_transform`` of a panel: each series from its own levels."""
        if anchors is not None and not isinstance(anchors, Mapping):
            raise TypeError(
                f"{who(self, 'inverse_transform')}: X is a panel, so anchors must be "
                "a dict {series id: levels of the span_ rows before that series' "
                f"first row}}; got {type(anchors).__name__}."
            )
        anchors = anchors or {}

        def restore(part, series_id, rows):
            return part.inverse_transform(rows, anchors=anchors.get(series_id))

        return self._each_series(X, (X,), groups, restore)

    def _fresh_series_state(self, series_id) -> dict:
        # no fit rows: levels are restored from anchors= only
        return {"head_": np.empty((0, len(self.columns_))), "history_": None}

    def _levels_like_input(self, levels, X):
        if not isinstance(X, pd.DataFrame):
            return levels
        names = getattr(self, "feature_names_in_", None)
        columns = names if names is not None else [
            f"x{j}" for j in range(levels.shape[1])
        ]
        return pd.DataFrame(levels, index=X.index, columns=columns, copy=False)

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Names of the output columns, e.g. ``price_diff1``, ``price_sdiff12``.

        The suffix is ``_diff{order}`` when ``order > 0``, then
        ``_sdiff{seasonal_lag}`` when a seasonal lag is set (``_diff0`` when
        neither).

        Parameters
        ----------
        input_features : array-like of str or None

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        names = list(_check_feature_names_in(self, input_features))
        suffix = f"_diff{self.order}" if self.order else ""
        if self.seasonal_lag:
            suffix += f"_sdiff{self.seasonal_lag}"
        suffix = suffix or "_diff0"
        if self.drop_original:
            out = list(names)
            for c in self.columns_:
                out[c] = names[c] + suffix
        else:
            out = names + [names[c] + suffix for c in self.columns_]
        return np.asarray(out, dtype=object)

    def _check_differenced(self, X, owner):
        """Validate the input of inverse_transform: numeric, finite or NaN, wide."""
        index = X.index if isinstance(X, pd.DataFrame) else None
        converted = to_float(X, owner)
        try:
            values = np.asarray(converted, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{owner}: X could not be converted to float ({exc}); pass the "
                "numeric output of transform."
            ) from exc
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        n_out = self.n_features_in_ + (0 if self.drop_original else len(self.columns_))
        if values.ndim != 2 or values.shape[1] != n_out:
            raise ValueError(
                f"{owner}: X has shape {values.shape}, but the output of transform "
                f"has {n_out} features; pass the differenced rows as transform "
                "returns them."
            )
        if len(values) == 0:
            raise ValueError(f"{owner}: X has 0 rows; pass at least one row.")
        check_values(values, column_labels(X, n_out), index, owner, allow_nan=True)
        return values, index

    def _need_rows(self, available: int, owner: str) -> None:
        span = self.span_
        if available < span:
            raise ValueError(
                f"{owner}: restoring levels needs the levels of {span} earlier "
                f"rows (order={self.order} + seasonal_lag={self.seasonal_lag or 0}), "
                f"but fit saw only {available} row(s). Fit on at least {span} rows, "
                "or pass anchors=."
            )

    @classmethod
    def _test_params(cls):
        return [
            {"order": 1},
            {"order": 1, "seasonal_lag": 7, "drop_original": False, "fill_value": -1.0},
        ]
