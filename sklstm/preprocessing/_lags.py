"""Lag features: past values of chosen columns as new columns."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
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
    from typing import Literal

    from sklstm._typing import ArrayLike

__all__ = ["LagFeatures", "lag_matrix", "resolve_lags"]


def resolve_lags(lags, owner: str = "LagFeatures", n_rows: int | None = None
                 ) -> list[int]:
    """Turn ``lags`` (int n, list, or range) into a sorted list of positive ints.

    An int ``n`` means lags ``1..n``; with ``n_rows`` given, ``n`` may not
    exceed it (lags beyond the data hold only the fill value, and ``n``
    columns of them would be built for nothing).

    >>> resolve_lags(3), resolve_lags([7, 1]), resolve_lags(range(2, 6, 2))
    ([1, 2, 3], [1, 7], [2, 4])
    """
    if isinstance(lags, Integral) and not isinstance(lags, bool):
        if lags < 1:
            raise ValueError(f"{owner}: lags={lags} must be >= 1.")
        if n_rows is not None and lags > n_rows:
            raise ValueError(
                f"{owner}: lags={lags} asks for lags 1..{lags}, but X has only "
                f"{n_rows} sample(s) (rows); a lag of {n_rows} or more holds only "
                f"the fill value. Use lags <= {max(n_rows - 1, 1)}, or a list of "
                "the lags you need."
            )
        return list(range(1, int(lags) + 1))
    values = list(lags)
    if not values or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(
            f"{owner}: lags must be a positive int, or a non-empty list/range of "
            f"positive ints; got {lags!r}."
        )
    if len(set(values)) != len(values):
        raise ValueError(f"{owner}: lags {lags!r} contains duplicates.")
    return sorted(int(v) for v in values)


@validate_params(
    {
        "values": [np.ndarray],
        "lags": ["array-like"],
        "fill_value": [StrOptions({"edge"}), Real],
    },
    prefer_skip_nested_validation=True,
)
def lag_matrix(
    values: np.ndarray, lags: list[int], fill_value: float | Literal["edge"]
) -> np.ndarray:
    """Lagged copies of each column of ``values``, column-major (col, then lag).

    Row ``i`` of lag ``k`` holds ``values[i - k]``. Rows with ``i < k`` hold
    ``fill_value``; ``"edge"`` repeats the first row (edge padding).

    >>> lag_matrix(np.array([[1.0], [2.0], [3.0]]), [1, 2], "edge")
    array([[1., 1.],
           [1., 1.],
           [2., 1.]])
    """
    n, m = values.shape
    out = np.empty((n, m * len(lags)), dtype=values.dtype, order="F")
    _write_lags(out, values, lags, fill_value)
    return out


def _write_lags(out, values, lags, fill_value, skip=0) -> None:
    """Write the lags of ``values`` from row ``skip`` on into ``out``.

    Column ``i * len(lags) + j`` of ``out`` gets column ``i`` of ``values``
    lagged by ``lags[j]``: row ``t`` holds ``values[t + skip - lags[j]]``, or the
    fill (see :func:`lag_matrix`) where that row is before the first.
    ``out`` has ``len(values) - skip`` rows; one copy per lag, any layout.
    """
    n_out = len(values) - skip
    edge = isinstance(fill_value, str) and fill_value == "edge"
    for j, k in enumerate(lags):
        dst = out[:, j :: len(lags)]
        n_fill = min(max(k - skip, 0), n_out)
        if n_fill < n_out:
            dst[n_fill:] = values[skip + n_fill - k : len(values) - k]
        dst[:n_fill] = values[:1] if edge else fill_value


class LagFeatures(SeriesTransformerMixin, BaseEstimator):
    """Add past values of chosen columns as new columns, without dropping rows.

    Row ``i`` of ``price_lag3`` holds ``price`` at row ``i - 3``. Rows are taken
    to be consecutive, equally spaced time steps, oldest first.

    **The first rows.** Row ``i < k`` has no value ``k`` steps back;
    ``fill_value`` says what it gets: ``"edge"`` (default) repeats the first
    row's value, which keeps every downstream model NaN-free; a number (e.g.
    ``np.nan`` for models that handle missing values) fills it instead.
    **History that continues.** When the rows given to ``transform`` carry an
    index that continues the index seen in ``fit`` (a DataFrame from the same
    series, as in a ``TimeSeriesSplit`` test fold), their first lags are taken
    from the last rows of the fit data, not filled.

    **Panels.** A panel (a DataFrame indexed by ``(series id, time)``, see
    :func:`~sklstm.to_panel`) is transformed series by series, each as if it were
    alone: no lag reads another series' rows, and the rows that continue a series'
    fit rows (a test fold of the panel) take their first lags from that series' own
    tail.

    Parameters
    ----------
    lags : int, list of int or range, default=1
        ``n`` means lags ``1..n``; a list or range gives the lags themselves.
    columns : list of str or int, or None, default=None
        Columns to lag, by name (DataFrame input) or position; None lags all.
    drop_original : bool, default=False
        Drop the original columns from the output, keeping only the lags.
    fill_value : "edge" or float, default="edge"
        Value for rows with too little history; see above.

    Attributes
    ----------
    lags_ : list of int
        The lags, sorted.
    columns_ : ndarray of int
        Positions of the lagged columns.
    history_ : History or None
        Last ``max(lags_)`` fit rows, used when transform continues the fit index.
    series_ids_ : list or None
        The ids of the panel's series seen in fit, in order; None when fit saw a
        single series. After a panel fit ``history_`` is a dict keyed by these ids.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    Differencer : differences instead of lagged levels.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import LagFeatures
    >>> X = pd.DataFrame({"price": [10.0, 11.0, 13.0, 12.0]})
    >>> lf = LagFeatures(lags=[1, 2]).set_output(transform="pandas")
    >>> lf.fit_transform(X)
       price  price_lag1  price_lag2
    0   10.0        10.0        10.0
    1   11.0        10.0        10.0
    2   13.0        11.0        10.0
    3   12.0        13.0        11.0

    Rows that continue the fit index get their lags from the fit rows:

    >>> lf.transform(pd.DataFrame({"price": [14.0]}, index=[4]))
       price  price_lag1  price_lag2
    4   14.0        12.0        13.0

    A panel is lagged series by series: the first row of series "b" gets
    nothing of series "a".

    >>> from sklstm import to_panel
    >>> long = pd.DataFrame({"id": ["a", "a", "b", "b"], "t": [0, 1, 0, 1],
    ...                      "price": [1.0, 2.0, 50.0, 60.0]})
    >>> LagFeatures().fit_transform(to_panel(long, "id", "t"))
          price  price_lag1
    id t
    a  0    1.0         1.0
       1    2.0         1.0
    b  0   50.0        50.0
       1   60.0        50.0
    """

    _parameter_constraints: dict = {
        "lags": [Interval(Integral, 1, None, closed="left"), "array-like", range],
        "columns": ["array-like", None],
        "drop_original": ["boolean"],
        "fill_value": [StrOptions({"edge"}), Real],
    }
    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("history_",)

    def __init__(
        self,
        lags: int | ArrayLike | range = 1,
        *,
        columns: ArrayLike | None = None,
        drop_original: bool = False,
        fill_value: float | Literal["edge"] = "edge",
    ) -> None:
        self.lags = lags
        self.columns = columns
        self.drop_original = drop_original
        self.fill_value = fill_value

    def _fit(self, X, values, index):
        self.lags_ = resolve_lags(self.lags, who(self, "fit"), n_rows=len(values))
        self.columns_ = resolve_columns(
            self.columns, values.shape[1], getattr(self, "feature_names_in_", None),
            owner=who(self, "fit"),
        )
        self.history_ = record_history(values, index, max(self.lags_))

    def _transform(self, X, values, index):
        extended, skip = extend_with_history(self.history_, values, index)
        if not np.array_equal(self.columns_, np.arange(values.shape[1])):
            extended = extended[:, self.columns_]

        def write(new):
            _write_lags(new, extended, self.lags_, self.fill_value, skip)

        n_new = len(self.columns_) * len(self.lags_)
        return append_columns(
            self, X, values, n_new, write, keep_input=not self.drop_original
        )

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Names of the output columns: originals, then ``{col}_lag{k}``.

        Parameters
        ----------
        input_features : array-like of str or None

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        lagged = [f"{names[c]}_lag{k}" for c in self.columns_ for k in self.lags_]
        kept = [] if self.drop_original else list(names)
        return np.asarray(kept + lagged, dtype=object)

    @classmethod
    def _test_params(cls):
        return [{"lags": 2}, {"lags": [1, 3], "drop_original": True, "fill_value": 0.0}]
