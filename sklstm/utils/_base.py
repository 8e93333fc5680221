"""The shared shell of sklstm's transformers, and the output they build.

:class:`SeriesTransformerMixin` is the base of every sklstm transformer: its
rows are consecutive time steps of one or more series. It owns ``fit``,
``transform`` and ``fit_transform`` (check X once with
:meth:`~SeriesTransformerMixin._check_input`, then run the estimator's own
hooks, ``_fit`` and ``_transform``, on what the check returned), the tags
that say missing values may come in, and the scikit-learn checks that cannot
hold when rows are time steps. ``fit_transform`` checks X once for both hooks
instead of once in ``fit`` and again in ``transform``.

:func:`append_columns` builds the output of a transformer that adds columns to
its input. The new columns are written once into a column-major array; when
the output is a DataFrame built from a DataFrame, the input's columns are
taken as they are (pandas shares them copy-on-write, as ``pd.concat`` does)
instead of being copied next to the new ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import _fit_context, _get_output_config
from sklstm.utils._output import like_input
from sklstm.utils._search import refuse_row_sampling_search
from sklstm.utils._validation import check_numeric_input
from sklstm.utils.discovery import TIME_ORDER_XFAILS

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike, ArrayOrFrame, Self

__all__ = ["SeriesTransformerMixin", "append_columns", "frame_output"]


class SeriesTransformerMixin(TransformerMixin):
    """Base of the transformers whose rows are consecutive time steps.

    A subclass defines

    - ``_fit(X, values, index)``: learn from the checked input; return None, or
      the output of ``_transform`` for the same input where it computed that
      anyway (``fit_transform`` then returns it instead of transforming again);
    - ``_transform(X, values, index)``: return the output for the checked input.

    The arguments of both hooks are what :meth:`_check_input` returns; a
    subclass that reads more from X (a time column) overrides it and its hooks
    take the extra items, as sktime's ``BaseTransformer.fit`` hands its
    checked input to ``_fit``.

    Its tags let missing values in (a transformer fills them, or passes them
    on), and the scikit-learn checks that shuffle or split rows are expected
    to fail (:data:`~sklstm.utils.discovery.TIME_ORDER_XFAILS`).
    """

    def _check_input(self, X, *, reset, method):
        """``(X, values, index)``: X, its float64 values and its index."""
        values, index = check_numeric_input(self, X, reset=reset, method=method)
        return X, values, index

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Learn from X what ``transform`` needs, and remember its last rows.

        What is learnt is listed under the class's Attributes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows are consecutive time steps, oldest first.
        y : ignored

        Returns
        -------
        self : object
            The fitted transformer.
        """
        refuse_row_sampling_search(f"{type(self).__name__}.fit")
        self._fit(*self._check_input(X, reset=True, method="fit"))
        return self

    def transform(self, X: ArrayLike) -> ArrayOrFrame:
        """Transform X, as the class docstring describes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows are consecutive time steps; rows whose index continues the
            one seen in ``fit`` take their past from the fit rows.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
            A DataFrame, indexed like X, when X is one (unless ``set_output``
            asks for another container).
        """
        check_is_fitted(self)
        return self._transform(*self._check_input(X, reset=False, method="transform"))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X: ArrayLike, y: ArrayLike | None = None) -> ArrayOrFrame:
        """Fit to X, then transform it; X is checked once.

        The same as ``fit(X).transform(X)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
        """
        refuse_row_sampling_search(f"{type(self).__name__}.fit_transform")
        checked = self._check_input(X, reset=True, method="fit")
        out = self._fit(*checked)
        return self._transform(*checked) if out is None else out

    def set_output(self, *, transform: str | None = None) -> Self:
        """Set the output container of ``transform`` and ``fit_transform``.

        Parameters
        ----------
        transform : {"default", "pandas"} or None
            "pandas" returns DataFrames indexed like X (what DataFrame input
            gets anyway). "polars" is refused: a polars DataFrame has no
            index, and the time index is what lets rows continue the fit
            history and gives seasonal terms their phase.

        Returns
        -------
        self : object
        """
        if transform == "polars":
            raise ValueError(
                f"{type(self).__name__}.set_output: transform='polars' would drop "
                "the time index, which this transformer keeps (history that "
                "continues, seasonal phase). Use transform='pandas' and convert "
                "the result at the end: polars.from_pandas(out.reset_index())."
            )
        return super().set_output(transform=transform)

    def _expected_failed_checks(self):
        return TIME_ORDER_XFAILS

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def frame_output(estimator, X) -> bool:
    """Whether ``transform`` returns a DataFrame indexed like ``X``.

    True for DataFrame input, unless ``set_output`` asked for a container
    other than pandas (``"polars"``), which scikit-learn builds from an array.
    """
    if not isinstance(X, pd.DataFrame):
        return False
    return _get_output_config("transform", estimator)["dense"] in ("default", "pandas")


def append_columns(estimator, X, values, n_new: int, write, *, keep_input=True):
    """The output of a transformer that adds ``n_new`` columns to its input.

    Parameters
    ----------
    estimator : fitted transformer
        Names the output columns (``get_feature_names_out``).
    X : ndarray or DataFrame
        The input as given; a DataFrame's index is kept.
    values : ndarray of shape (n_samples, n_features)
        X's checked float64 values.
    n_new : int
        Number of added columns.
    write : callable
        ``write(new)`` fills ``new``, an uninitialised column-major float64
        array of shape (n_samples, n_new).
    keep_input : bool, default=True
        Put X's columns before the new ones; False returns the new ones alone.

    Returns
    -------
    X_out : ndarray or DataFrame of shape (n_samples, n_features + n_new)
        A DataFrame when X is one (see :func:`frame_output`); its first
        columns are X's own, shared copy-on-write, when X holds float64 columns
        only.

    Examples
    --------
    >>> from sklstm import LagFeatures
    >>> X = pd.DataFrame({"a": [1.0, 2.0]}, index=[10, 11])
    >>> lf = LagFeatures().fit(X)
    >>> def write(new):
    ...     new[:] = [[0.0], [1.0]]
    >>> append_columns(lf, X, X.to_numpy(), 1, write)
          a  a_lag1
    10  1.0     0.0
    11  2.0     1.0
    """
    n, m = values.shape
    share = keep_input and frame_output(estimator, X)
    if keep_input and not share:
        out = np.empty((n, m + n_new), order="F")
        out[:, :m] = values
        new = out[:, m:]
    else:
        out = new = np.empty((n, n_new), order="F")
    write(new)
    if not share:
        return like_input(estimator, out, X)
    if all(isinstance(dt, np.dtype) and dt == np.float64 for dt in X.dtypes):
        kept = X
    else:
        # values were converted, hence our own; copy them only if read-only.
        kept = pd.DataFrame(values, index=X.index, copy=not values.flags.writeable)
    added = pd.DataFrame(new, index=X.index, copy=False)
    frame = pd.concat([kept, added], axis=1)
    frame.columns = estimator.get_feature_names_out()
    return frame
