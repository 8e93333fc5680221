"""Fit on the change from a level column of X, predict back on the original scale."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import HasMethods, _fit_context
from sklstm.compose._base import MetaRegressor, check_meta_input
from sklstm.utils._columns import resolve_column
from sklstm.utils._validation import column_labels, who

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike, Self

__all__ = ["LevelDifferenceRegressor", "from_level", "to_level"]


def _as_columns(level: np.ndarray, y: np.ndarray) -> np.ndarray:
    return level if y.ndim == 1 else level[:, None]


def from_level(y: np.ndarray, level: np.ndarray, relative: bool) -> np.ndarray:
    """The target relative to ``level``: ``y - level`` or ``y / level - 1``.

    A 2-D ``y`` (several horizons) has ``level`` taken from each column.

    >>> from_level(np.array([[12.0, 15.0]]), np.array([10.0]), relative=False)
    array([[2., 5.]])
    >>> from_level(np.array([12.0]), np.array([10.0]), relative=True)
    array([0.2])
    """
    level = _as_columns(level, y)
    return y / level - 1.0 if relative else y - level


def to_level(delta: np.ndarray, level: np.ndarray, relative: bool) -> np.ndarray:
    """Undo :func:`from_level`: ``delta + level`` or ``level * (1 + delta)``.

    >>> to_level(np.array([[2.0, 5.0]]), np.array([10.0]), relative=False)
    array([[12., 15.]])
    """
    level = _as_columns(level, delta)
    return level * (1.0 + delta) if relative else delta + level


class LevelDifferenceRegressor(MetaRegressor):
    """Fit on the change from a level column of X; predict on the original scale.

    Trending series are easier to learn as changes: instead of the value ``h``
    steps ahead, the inner regressor learns how far it will be from the current
    level, ``y - X[level]`` (or the relative change ``y / X[level] - 1`` with
    ``relative=True``), and ``predict`` adds the level back. Because the
    differencing lives inside the estimator, predictions, scores and
    ``GridSearchCV`` all work on the original scale; the inner regressor's
    parameters tune as ``regressor__<name>``.

    With several outputs (a 2-D y from several horizons) the level is
    subtracted from every column. The level column stays a feature of the
    inner regressor.

    Parameters
    ----------
    regressor : estimator object
        Any regressor with ``fit`` and ``predict``.
    level : str or int, default=0
        The level column: a column name of a DataFrame X, or a position.
        Usually the current value of the target (as kept in X by
        :func:`~sklstm.forecasting.make_supervised`). It is read from X as
        given, before any step of the inner regressor, so it must be complete
        and finite in every row: fill it before the model (an ``Interpolator``
        on that column), not inside it. Other columns may have missing values
        for the inner regressor to fill.
    relative : bool, default=False
        Learn relative changes; the level must then be non-zero in every row.

    Attributes
    ----------
    regressor_ : estimator object
        The fitted clone of ``regressor``.
    level_index_ : int
        Position of the level column in X.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    ConstrainedRegressor : non-negative and ordered predictions.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklstm import LevelDifferenceRegressor
    >>> X = pd.DataFrame({"sales": [10.0, 12.0, 14.0, 16.0]})
    >>> y = X["sales"] + 2.0
    >>> model = LevelDifferenceRegressor(LinearRegression(), level="sales").fit(X, y)
    >>> model.predict(pd.DataFrame({"sales": [100.0]}))
    array([102.])
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"])],
        "level": [str, Integral],
        "relative": ["boolean"],
    }

    def __init__(
        self, regressor: Any, *, level: str | int = 0, relative: bool = False
    ) -> None:
        self.regressor = regressor
        self.level = level
        self.relative = relative

    def _level(self, checked, X, method: str) -> np.ndarray:
        name = column_labels(X, self.n_features_in_)[self.level_index_]
        if checked.values is not None:
            level = checked.values[:, self.level_index_]
        else:  # X has text columns for the inner regressor; the level is numeric
            column = X.iloc[:, self.level_index_]
            try:
                level = column.to_numpy(dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{who(self, method)}: the level column {name} has dtype "
                    f"{column.dtype} and holds values that are not numbers; "
                    "expected numbers."
                ) from None
        index = checked.index
        bad = ~np.isfinite(level)
        if self.relative:
            bad |= level == 0
        if bad.any():
            rows = np.flatnonzero(bad)
            shown = rows if index is None else index[rows]
            what = "missing (NaN or infinite)" + (" or zero" if self.relative else "")
            raise ValueError(
                f"{who(self, method)}: the level column {name} is {what} in "
                f"{len(rows)} row(s) (first: {shown[0]}); the target is taken "
                "relative to it, so it must be "
                + ("complete and non-zero. " if self.relative else "complete. ")
                + "It is read from X as given, before any step inside the model: "
                "fill that column before the model, e.g. with an Interpolator on it"
                + (", or use relative=False." if self.relative else ".")
            )
        return level

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: ArrayLike, y: ArrayLike, **fit_params: Any) -> Self:
        """Fit a clone of the inner regressor on the change from the level.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Passed to the inner regressor unchanged. Missing values (NaN) in
            columns other than the level, and non-numeric columns other than
            the level, are left to the inner regressor (a pipeline that fills
            or encodes them); if it cannot take them, the error names them.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
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
        self : LevelDifferenceRegressor
        """
        checked = check_meta_input(self, X, reset=True, method="fit", y=y)
        self.level_index_ = resolve_column(
            self.level, self.n_features_in_, getattr(self, "feature_names_in_", None),
            owner=who(self, "fit"), param="level",
        )
        level = self._level(checked, X, "fit")
        target = from_level(checked.y, level, self.relative)
        self._fit_inner(checked, X, target, fit_params)
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict the change with the inner regressor and add the level back.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The level column complete; other columns as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self)
        checked = check_meta_input(self, X, reset=False, method="predict")
        level = self._level(checked, X, "predict")
        return to_level(self._predict_inner(checked, X), level, self.relative)

    @classmethod
    def _test_params(cls):
        from sklearn.linear_model import Ridge

        return [{"regressor": Ridge()}, {"regressor": Ridge(alpha=0.1), "level": -1}]
