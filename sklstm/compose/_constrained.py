"""Non-negative and ordered predictions for any regressor."""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.isotonic import isotonic_regression
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import HasMethods, Interval, StrOptions, _fit_context
from sklstm.compose._base import MetaRegressor, check_meta_input
from sklstm.utils._validation import who

if TYPE_CHECKING:
    from typing import Literal

    from sklstm._typing import ArrayLike, Self

__all__ = [
    "ConstrainedRegressor",
    "ORDERS",
    "order_over_outputs",
    "order_over_rows",
    "sort_rows_unaligned",
]

#: Orders across the outputs of one row (multi-horizon, quantiles).
_OUTPUT_ORDERS = {"ascending": True, "descending": False}
#: Orders across rows taken in time order, by isotonic projection.
_ROW_ORDERS = {"increasing-over-rows": True, "decreasing-over-rows": False}
_LOG_MAX = float(np.log(np.finfo(np.float64).max))
#: Every accepted ``order``.
ORDERS = (*_OUTPUT_ORDERS, *_ROW_ORDERS, "sort-rows-unaligned")


#: Sequences up to this long are projected by the pure-Python pool adjacent
#: violators below (a row of quantile levels or of steps ahead); longer ones
#: by scikit-learn's, whose per-call checks cost more than short rows do.
_SHORT = 64


def _pav(values: np.ndarray, increasing: bool) -> np.ndarray:
    """Pool adjacent violators: the closest monotone sequence in squared error.

    >>> _pav(np.array([1.0, 3.0, 2.0, 0.0]), True).tolist()
    [1.0, 1.6666666666666667, 1.6666666666666667, 1.6666666666666667]
    """
    sign = 1.0 if increasing else -1.0
    sums: list[float] = []
    counts: list[int] = []
    for v in (sign * values).tolist():
        sums.append(v)
        counts.append(1)
        while len(sums) > 1 and sums[-2] * counts[-1] > sums[-1] * counts[-2]:
            total, n = sums.pop(), counts.pop()
            sums[-1] += total
            counts[-1] += n
    return sign * np.repeat(np.array(sums) / np.array(counts), counts)


def _project(values: np.ndarray, increasing: bool, lower) -> np.ndarray:
    """The closest monotone sequence to ``values`` that stays ``>= lower``."""
    if len(values) <= _SHORT:
        out = _pav(np.asarray(values, dtype=np.float64), increasing)
        return out if lower is None else np.maximum(out, lower)
    return isotonic_regression(values, y_min=lower, increasing=increasing)


def order_over_outputs(pred: np.ndarray, increasing: bool, lower=None) -> np.ndarray:
    """Make the outputs of each row monotone, as one L2 projection per row.

    Row by row, the result is the closest sequence (in squared error) that is
    ascending (``increasing=True``) or descending across the columns and, where
    ``lower`` is given, ``>= lower``. Rows already in order only get the bound;
    neighbours that cross are pooled to their mean (pool adjacent violators).
    A 1-D ``pred`` (one output per row) has nothing to order.

    >>> order_over_outputs(np.array([[1.0, 3.0, 2.0], [-2.0, 0.0, 5.0]]), True, 0.0)
    array([[1. , 2.5, 2.5],
           [0. , 0. , 5. ]])
    """
    pred = np.array(pred, dtype=np.float64)
    if pred.ndim == 1 or pred.shape[1] < 2:
        return pred if lower is None else np.maximum(pred, lower)
    steps = np.diff(pred, axis=1)
    bad = np.flatnonzero(((steps < 0) if increasing else (steps > 0)).any(axis=1))
    for i in bad:
        pred[i] = _project(pred[i], increasing, lower)
    return pred if lower is None else np.maximum(pred, lower)


def order_over_rows(pred: np.ndarray, increasing: bool, lower=None) -> np.ndarray:
    """Make each output monotone over the rows, which are taken in time order.

    Column by column, the result is the closest sequence (in squared error)
    that never decreases (``increasing=True``) or never increases from one row
    to the next and, where ``lower`` is given, stays ``>= lower``: isotonic
    regression followed by clipping, which together are the L2 projection onto
    "monotone and bounded". Clipping first and then ordering is not: it moves
    the predictions further than needed. Row ``i`` of the result still belongs
    to row ``i`` of X.

    >>> order_over_rows(np.array([-1.0, 3.0, 2.0, 4.0]), True, lower=0.0)
    array([0. , 2.5, 2.5, 4. ])
    """
    pred = np.asarray(pred, dtype=np.float64)
    if pred.ndim == 1:
        return _project(pred, increasing, lower)
    return np.column_stack([_project(col, increasing, lower) for col in pred.T])


def sort_rows_unaligned(pred: np.ndarray, lower=None) -> np.ndarray:
    """Clip, then sort each output ascending over the rows: the common recipe.

    ``np.maximum(pred, 0)`` then ``np.sort`` gives a monotone, non-negative
    column, but row ``i`` of the result is no longer the prediction for row
    ``i`` of X: the values are reshuffled across time steps. Kept for
    reproducing that recipe; :func:`order_over_rows` is the aligned choice.

    >>> sort_rows_unaligned(np.array([5.0, 3.0, 7.0, -1.0]), 0.0)
    array([0., 3., 5., 7.])
    """
    pred = np.asarray(pred, dtype=np.float64)
    if lower is not None:
        pred = np.maximum(pred, lower)
    return np.sort(pred, axis=0)


def _reject_unordered_index(est, index, order: str) -> None:
    if index is None or not (
        isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
        or pd.api.types.is_numeric_dtype(index.dtype)
    ):
        return
    if not index.is_monotonic_increasing:
        raise ValueError(
            f"{who(est, 'predict')}: order={order!r} orders predictions over rows "
            "taken in time order, but the index of X is not increasing. Sort the "
            "rows by time first (X.sort_index())."
        )


class ConstrainedRegressor(MetaRegressor):
    """Wrap any regressor so that its predictions are non-negative and ordered.

    The inner regressor (a linear model, a gradient-boosting model, a
    ``Pipeline``, an ``LSTMRegressor``) is cloned and fitted as
    ``regressor_``; its parameters tune as ``regressor__<name>`` in
    ``GridSearchCV``. Every prediction satisfies the constraints, whatever the
    inner regressor returns.

    **Non-negative.** ``"clip"`` takes the maximum with ``lower_bound`` after
    prediction (the common recipe). ``"log"`` fits the inner regressor on
    ``log1p(y - lower_bound)`` and predicts ``lower_bound + expm1(p)``; since
    ``expm1`` of a negative ``p`` lies in (-1, 0), the result is still clipped
    at the bound. What "log" adds is a model fitted in relative terms
    (errors as ratios), which suits series whose swings grow with their level;
    positivity alone "clip" gives as well.

    **Order.** Across the outputs of each row (a 2-D y: several horizons,
    several quantiles), ``"ascending"`` or ``"descending"``. Across rows in time
    order, ``"increasing-over-rows"`` or ``"decreasing-over-rows"``: each
    output column is replaced by the closest monotone sequence (isotonic
    regression), row ``i`` staying the prediction for row ``i`` of X. The
    bound and the order are met together by one L2 projection, not by clipping
    and then ordering. ``"sort-rows-unaligned"`` reproduces the common recipe
    ``np.sort(np.maximum(pred, 0), axis=0)``: monotone and non-negative, but
    the sorted values no longer line up with the rows of X they were predicted
    for; use it only to reproduce that recipe.

    Parameters
    ----------
    regressor : estimator object
        Any regressor with ``fit`` and ``predict``.
    non_negative : {"clip", "log"}, bool or None, default="clip"
        How predictions are kept ``>= lower_bound``. True means "clip";
        False or None turns the bound off.
    lower_bound : float, default=0.0
        The bound. Ignored when ``non_negative`` is off.
    order : str or None, default=None
        One of "ascending", "descending" (across outputs of each row),
        "increasing-over-rows", "decreasing-over-rows" (across rows, isotonic),
        "sort-rows-unaligned" (across rows, sorted; breaks alignment with X),
        or None (no order). A single output per row is trivially in order for
        "ascending" and "descending". The "over-rows" orders depend on every
        row given to ``predict`` at once, so predict the rows of one series
        together, oldest first.

    Attributes
    ----------
    regressor_ : estimator object
        The fitted clone of ``regressor``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    LevelDifferenceRegressor : fit on differences to a level column, predict levels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklstm import ConstrainedRegressor
    >>> X = np.arange(6.0).reshape(-1, 1)
    >>> y = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.0])
    >>> LinearRegression().fit(X, y).predict([[7.0]])
    array([-2.])
    >>> ConstrainedRegressor(LinearRegression()).fit(X, y).predict([[7.0]])
    array([0.])

    Two outputs per row (say a low and a high quantile) kept from crossing; the
    first row crosses and is pooled to its mean, the second is left alone:

    >>> Y = np.column_stack([y, y[::-1]])
    >>> LinearRegression().fit(X, Y).predict([[1.0], [4.0]])
    array([[4., 1.],
           [1., 4.]])
    >>> model = ConstrainedRegressor(LinearRegression(), order="ascending").fit(X, Y)
    >>> model.predict([[1.0], [4.0]])
    array([[2.5, 2.5],
           [1. , 4. ]])
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"])],
        "non_negative": [StrOptions({"clip", "log"}), "boolean", None],
        "lower_bound": [Interval(Real, None, None, closed="neither")],
        "order": [StrOptions(set(ORDERS)), None],
    }

    def __init__(
        self,
        regressor: Any,
        *,
        non_negative: Literal["clip", "log"] | bool | None = "clip",
        lower_bound: float = 0.0,
        order: str | None = None,
    ) -> None:
        self.regressor = regressor
        self.non_negative = non_negative
        self.lower_bound = lower_bound
        self.order = order

    def _mode(self):
        """The bound mode: "clip", "log" or None."""
        if isinstance(self.non_negative, (bool, np.bool_)):
            return "clip" if self.non_negative else None
        return self.non_negative

    def _bound(self):
        return None if self._mode() is None else float(self.lower_bound)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: ArrayLike, y: ArrayLike, **fit_params: Any) -> Self:
        """Fit a clone of the inner regressor (on log1p(y) for "log").

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Passed to the inner regressor unchanged (a DataFrame stays one).
            Missing values (NaN) are left to the inner regressor, e.g. a
            pipeline whose first step is an ``Interpolator``; if it cannot
            take them, the error names the column and rows. Infinite values
            are rejected. Non-numeric columns are left to the inner regressor
            too (a pipeline that encodes them); if it cannot take them, the
            error names them.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Finite values.
        **fit_params : dict
            Passed to the inner regressor's ``fit``, e.g. ``sample_weight``
            (one weight per row of X). By default they are passed on as they
            are. With ``sklearn.set_config(enable_metadata_routing=True)``
            they are routed, as by ``TransformedTargetRegressor``: the inner
            regressor gets what it requested
            (``LSTMRegressor().set_fit_request(sample_weight=True)``), and
            metadata it was not asked about raises sklearn's
            ``UnsetMetadataPassedError``.

        Returns
        -------
        self : ConstrainedRegressor

        Examples
        --------
        Weights for the inner regressor, routed (a search passes them on the
        same way: ``GridSearchCV(model, ...).fit(X, y, sample_weight=w)``):

        >>> import numpy as np
        >>> from sklearn import config_context
        >>> from sklearn.linear_model import LinearRegression
        >>> from sklstm import ConstrainedRegressor
        >>> X, y = np.arange(4.0).reshape(-1, 1), np.array([0.0, 1.0, 2.0, 9.0])
        >>> w = np.array([1.0, 1.0, 1.0, 0.0])
        >>> with config_context(enable_metadata_routing=True):
        ...     inner = LinearRegression().set_fit_request(sample_weight=True)
        ...     model = ConstrainedRegressor(inner).fit(X, y, sample_weight=w)
        >>> model.predict([[3.0]]).round(6)
        array([3.])
        """
        checked = check_meta_input(self, X, reset=True, method="fit", y=y)
        y_values = target = checked.y
        if self._mode() == "log":
            below = y_values < self.lower_bound
            if below.any():
                raise ValueError(
                    f"{who(self, 'fit')}: non_negative='log' fits on "
                    f"log1p(y - lower_bound), but {int(below.sum())} value(s) of y "
                    f"are below lower_bound={self.lower_bound} (smallest "
                    f"{y_values.min():g}). Use non_negative='clip', or lower "
                    "lower_bound."
                )
            target = np.log1p(y_values - self.lower_bound)
        self._fit_inner(checked, X, target, fit_params)
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict with the inner regressor, then apply the constraints.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Passed to the inner regressor unchanged, missing values included.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Every value ``>= lower_bound`` (unless ``non_negative`` is off), and
            in the requested order.
        """
        check_is_fitted(self)
        checked = check_meta_input(self, X, reset=False, method="predict")
        pred = self._predict_inner(checked, X)
        if self._mode() == "log":
            # Cap at log(largest float) so a wild inner prediction stays finite.
            pred = self.lower_bound + np.expm1(np.minimum(pred, _LOG_MAX))
        if self.order in _ROW_ORDERS or self.order == "sort-rows-unaligned":
            _reject_unordered_index(self, checked.index, self.order)
        return constrain(pred, self.order, self._bound())

    @classmethod
    def _test_params(cls):
        from sklearn.linear_model import Ridge

        return [
            {"regressor": Ridge()},
            {
                "regressor": Ridge(),
                "non_negative": "log",
                "lower_bound": -1000.0,
                "order": "ascending",
            },
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Predictions never go below the bound, so targets should not either.
        tags.target_tags.positive_only = self._mode() is not None
        return tags


def constrain(pred: np.ndarray, order: str | None, lower=None) -> np.ndarray:
    """Apply a lower bound and an ``order`` (see :class:`ConstrainedRegressor`).

    >>> constrain(np.array([[3.0, 1.0], [-1.0, 2.0]]), "ascending", 0.0)
    array([[2., 2.],
           [0., 2.]])
    """
    pred = np.asarray(pred, dtype=np.float64)
    if order in _OUTPUT_ORDERS:
        return order_over_outputs(pred, _OUTPUT_ORDERS[order], lower)
    if order in _ROW_ORDERS:
        return order_over_rows(pred, _ROW_ORDERS[order], lower)
    if order == "sort-rows-unaligned":
        return sort_rows_unaligned(pred, lower)
    return pred if lower is None else np.maximum(pred, lower)
