"""The base of sklstm's meta-estimators, and their input checks.

:class:`MetaRegressor` is the base of the regressors that fit a clone of an
inner regressor on a changed target (:class:`~sklstm.ConstrainedRegressor`,
:class:`~sklstm.LevelDifferenceRegressor`): it clones and fits, predicts
through the inner regressor, and takes its tags from it.

A meta-estimator passes X on unchanged and lets the inner regressor validate
it, as scikit-learn's ``TransformedTargetRegressor`` does: missing values in X
may be what the inner regressor's first step fills (an ``Interpolator`` at the
head of a ``Pipeline``). The wrapper checks only what it needs itself (shape,
feature names, finite y, no infinite X), and when the inner regressor fails on
an X with NaN, the error names the column and rows.

Keyword arguments of ``fit`` (``sample_weight``) go to the inner regressor's
``fit``: as they are by default, and, with
``sklearn.set_config(enable_metadata_routing=True)``, routed as
``TransformedTargetRegressor`` routes them (the inner regressor gets what it
requested with ``set_fit_request``; metadata it did not request is an error).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)

from sklstm._compat import validate_data
from sklstm.utils._validation import (
    check_numeric_input,
    column_labels,
    first_bad_rows,
    who,
)

__all__ = [
    "MetaInput",
    "MetaRegressor",
    "accepts_nan",
    "check_meta_input",
    "inner_may_take",
]


def accepts_nan(estimator) -> bool:
    """Whether ``estimator`` takes NaN in X: its ``allow_nan`` tag.

    A ``Pipeline`` takes what its first step takes (scikit-learn leaves the
    pipeline's own tag at False). That is a best guess: a first step that lets
    NaN through without filling it (``StandardScaler``) leaves them to the
    next step.

    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklstm import Interpolator
    >>> accepts_nan(Ridge()), accepts_nan(make_pipeline(Interpolator(), Ridge()))
    (False, True)
    """
    if isinstance(estimator, Pipeline):
        try:
            steps = [s for _, s in estimator.steps if s is not None and (
                not isinstance(s, str) or s != "passthrough")]
        except (TypeError, ValueError):  # malformed steps: Pipeline.fit says so
            steps = []
        if steps:
            return accepts_nan(steps[0])
    return get_tags(estimator).input_tags.allow_nan


class MetaInput:
    """What :func:`check_meta_input` found.

    Attributes
    ----------
    values : ndarray or None
        X as float64; None when X has non-numeric columns left to the inner
        regressor.
    index : pandas.Index or None
    y : ndarray or None
    deferred : TypeError or None
        The error about non-numeric columns, raised if the inner regressor
        cannot take them either (see :func:`inner_may_take`).
    """

    def __init__(self, values, index, y, deferred, *, owner=None, labels=None):
        self.values = values
        self.index = index
        self.y = y
        self.deferred = deferred
        self.owner = owner
        self.labels = labels


def _has_text_columns(X) -> bool:
    return isinstance(X, pd.DataFrame) and not all(
        pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d)
        for d in X.dtypes
    )


def _float_y(est, y, method: str) -> np.ndarray:
    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{who(est, method)}: y could not be converted to float ({exc}); "
            "expected numbers."
        ) from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"{who(est, method)}: y contains {int(bad.sum())} NaN or infinite "
            "value(s); expected finite numbers. Fill or drop them first."
        )
    return values


def check_meta_input(est, X, *, reset: bool, method: str, y=None) -> MetaInput:
    """Check X (and y) for ``est``, whose inner regressor gets X unchanged.

    Numeric X is checked here, with messages that name ``est`` and the
    column: infinite values are rejected, NaN is passed on to the inner
    regressor (which may fill it; if it fails instead, :func:`inner_may_take`
    names the NaN). y must be finite. A DataFrame with non-numeric columns may
    still suit the inner regressor (a pipeline that encodes them): then only
    the feature names and count are recorded and the numeric-column error is
    kept in ``deferred``.
    """
    if method == "fit" and y is None:
        raise ValueError(
            f"{who(est, 'fit')}: requires y to be passed, but the target y is None."
        )
    tags = get_tags(est.regressor)
    kw = {} if y is None else {"multi_output": tags.target_tags.multi_output}
    try:
        out = check_numeric_input(
            est, X, reset=reset, method=method, allow_nan=True, y=y, **kw,
        )
    except TypeError as exc:
        if not _has_text_columns(X):
            raise
        validate_data(est, X, reset=reset, skip_check_array=True)
        y_values = None if y is None else _float_y(est, y, method)
        return MetaInput(None, X.index, y_values, exc)
    values, index = out[0], out[1]
    return MetaInput(
        values, index, None if y is None else out[2], None,
        owner=who(est, method), labels=column_labels(X, values.shape[1]),
    )


def _nan_error(checked: MetaInput, inner, exc: ValueError) -> ValueError | None:
    """The error naming the NaN in X that the inner regressor failed on, if any."""
    if checked.values is None:
        return None
    nan = np.isnan(checked.values)
    if not nan.any():
        return None
    j = int(np.flatnonzero(nan.any(axis=0))[0])
    # The first line of the inner error; the whole of it is the __cause__.
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip()
    reason += "" if reason.endswith(".") else "."
    return ValueError(
        f"{checked.owner}: X {checked.labels[j]} contains {int(nan[:, j].sum())} NaN "
        f"value(s), at row(s) {first_bad_rows(nan[:, j], checked.index)}; they are "
        f"passed on to the inner regressor {type(inner).__name__}, which failed: "
        f"{reason} Fill them inside the model (an Interpolator as the first step "
        "of a pipeline) or before it."
    )


@contextmanager
def inner_may_take(checked: MetaInput, inner=None):
    """Run the inner regressor ``inner`` on X; if it fails, name what it got.

    If X had text columns the inner regressor cannot take, the error is the
    one naming the non-numeric columns; if X had NaN and the inner regressor
    raised a ValueError, the error names the column and rows of the NaN and
    quotes the first line of the inner error. Either is chained to the inner
    regressor's own.
    """
    try:
        yield
    except (TypeError, ValueError) as exc:
        if checked.deferred is not None:
            raise checked.deferred from exc
        if type(exc) is ValueError:
            named = _nan_error(checked, inner, exc)
            if named is not None:
                raise named from exc
        raise


class MetaRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Base of the regressors that fit a clone of ``regressor`` on a changed y.

    A subclass checks X and y with :func:`check_meta_input`, changes the
    target, and calls :meth:`_fit_inner`, which passes ``fit``'s keyword
    arguments on to the inner regressor (routed, under metadata routing, see
    :meth:`get_metadata_routing`); ``predict`` calls
    :meth:`_predict_inner` and changes the predictions back. Its tags are the
    inner regressor's where they describe the data: missing values in X,
    single or multiple outputs, poor scores, non-determinism.
    """

    def _fit_inner(self, checked: MetaInput, X, target, fit_params) -> None:
        """Fit ``regressor_``, a clone of ``regressor``, on ``(X, target)``.

        ``fit_params`` (``sample_weight``, one value per row of X) go to its
        ``fit``: unchanged, or, with metadata routing enabled, those it
        requested (sklearn raises ``UnsetMetadataPassedError`` for metadata it
        has not been asked about).
        """
        if get_config()["enable_metadata_routing"]:
            fit_params = process_routing(self, "fit", **fit_params).regressor.fit
        with inner_may_take(checked, self.regressor):
            self.regressor_ = clone(self.regressor).fit(X, target, **fit_params)

    def get_metadata_routing(self):
        """How metadata reach the inner regressor: ``fit`` to its ``fit``.

        Used when metadata routing is enabled
        (``sklearn.set_config(enable_metadata_routing=True)``), as in
        ``TransformedTargetRegressor``: the wrapper consumes nothing itself.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter

        Examples
        --------
        >>> from sklearn import config_context
        >>> from sklearn.linear_model import Ridge
        >>> from sklstm import ConstrainedRegressor
        >>> with config_context(enable_metadata_routing=True):
        ...     inner = Ridge().set_fit_request(sample_weight=True)
        ...     routing = ConstrainedRegressor(inner).get_metadata_routing()
        ...     routing.consumes("fit", ["sample_weight"])
        {'sample_weight'}
        """
        return MetadataRouter(owner=self).add(
            regressor=self.regressor,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def _predict_inner(self, checked: MetaInput, X) -> np.ndarray:
        """``regressor_``'s predictions for X, as float64."""
        with inner_may_take(checked, self.regressor_):
            return np.asarray(self.regressor_.predict(X), dtype=np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.regressor)
        tags.input_tags.allow_nan = accepts_nan(self.regressor)
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.target_tags.single_output = inner.target_tags.single_output
        tags.regressor_tags.poor_score = inner.regressor_tags is not None and (
            inner.regressor_tags.poor_score
        )
        tags.non_deterministic = inner.non_deterministic
        return tags
