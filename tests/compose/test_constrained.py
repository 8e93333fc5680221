"""ConstrainedRegressor: bounds and orders hold for any inner prediction."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.isotonic import isotonic_regression
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from sklstm import ConstrainedRegressor, LagFeatures
from sklstm.compose._constrained import (
    order_over_outputs,
    order_over_rows,
    sort_rows_unaligned,
)
from sklstm.datasets import load_airline
from sklstm.forecasting import make_supervised


class PresetRegressor(RegressorMixin, BaseEstimator):
    """Predicts a preset array, whatever X is: any inner prediction, on demand."""

    def __init__(self, predictions=None):
        self.predictions = predictions

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.asarray(self.predictions, dtype=float)[: len(X)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


TOL = 1e-9
finite = st.floats(-1e3, 1e3, allow_nan=False, width=64)
bounds = st.sampled_from([0.0, -5.0, 2.5])
matrices = st.integers(1, 12).flatmap(
    lambda n: st.integers(1, 5).flatmap(
        lambda k: arrays(np.float64, (n, k), elements=finite)
    )
)


def _fit_preset(pred, **params):
    X = np.zeros((len(pred), 1))
    y = np.ones(pred.shape) * 10.0
    return ConstrainedRegressor(PresetRegressor(pred), **params).fit(X, y), X


def _dist(a, b):
    return float(np.sum((a - b) ** 2))


@settings(max_examples=60, deadline=None)
@given(pred=matrices, lower=bounds)
def test_clip_is_maximum_with_bound(pred, lower):
    model, X = _fit_preset(pred, non_negative="clip", lower_bound=lower)
    out = model.predict(X)
    assert out.shape == pred.shape
    np.testing.assert_array_equal(out, np.maximum(pred, lower))


@settings(max_examples=60, deadline=None)
@given(pred=matrices, lower=bounds, order=st.sampled_from(["ascending", "descending"]))
def test_outputs_ordered_bounded_and_closest(pred, lower, order):
    model, X = _fit_preset(pred, non_negative="clip", lower_bound=lower, order=order)
    out = model.predict(X)
    assert out.shape == pred.shape
    assert (out >= lower).all()
    steps = np.diff(out, axis=1)
    assert (steps >= -TOL).all() if order == "ascending" else (steps <= TOL).all()
    # One L2 projection per row: no feasible candidate is closer to the raw row,
    # in particular not the clip-then-order or sort-based recipes.
    sign = 1 if order == "ascending" else -1
    clip_then_sort = sign * np.sort(sign * np.maximum(pred, lower), axis=1)
    clip_then_iso = np.array(
        [isotonic_regression(r, increasing=order == "ascending")
         for r in np.maximum(pred, lower)]
    )
    for row, raw, a, b in zip(out, pred, clip_then_sort, clip_then_iso, strict=True):
        assert _dist(row, raw) <= _dist(a, raw) + 1e-6
        assert _dist(row, raw) <= _dist(b, raw) + 1e-6
    # Already constrained predictions are left as they are.
    again, _ = _fit_preset(out, non_negative="clip", lower_bound=lower, order=order)
    np.testing.assert_allclose(again.predict(X), out, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    pred=matrices,
    lower=bounds,
    order=st.sampled_from(["increasing-over-rows", "decreasing-over-rows"]),
)
def test_rows_monotone_bounded_and_closest(pred, lower, order):
    model, X = _fit_preset(pred, non_negative=True, lower_bound=lower, order=order)
    out = model.predict(X)
    assert out.shape == pred.shape
    assert (out >= lower).all()
    steps = np.diff(out, axis=0)
    increasing = order == "increasing-over-rows"
    assert (steps >= -TOL).all() if increasing else (steps <= TOL).all()
    clipped = np.maximum(pred, lower)
    clip_then_iso = np.column_stack(
        [isotonic_regression(c, increasing=increasing) for c in clipped.T]
    )
    sign = 1 if increasing else -1
    sorted_ = sign * np.sort(sign * clipped, axis=0)
    assert _dist(out, pred) <= _dist(clip_then_iso, pred) + 1e-6
    assert _dist(out, pred) <= _dist(sorted_, pred) + 1e-6


@settings(max_examples=60, deadline=None)
@given(pred=matrices, lower=bounds, order=st.sampled_from([None, "ascending"]))
def test_log_predictions_respect_bound(pred, lower, order):
    log_pred = pred / 20.0  # inner predictions live on the log1p scale
    model, X = _fit_preset(log_pred, non_negative="log", lower_bound=lower, order=order)
    out = model.predict(X)
    assert np.isfinite(out).all()
    assert (out >= lower).all()
    if order is None:
        np.testing.assert_allclose(out, np.maximum(lower + np.expm1(log_pred), lower))


@settings(max_examples=40, deadline=None)
@given(pred=arrays(np.float64, st.integers(1, 30), elements=finite))
def test_no_constraint_leaves_predictions_alone(pred):
    model, X = _fit_preset(pred, non_negative=None)
    np.testing.assert_array_equal(model.predict(X), pred)


def test_log_overflow_stays_finite():
    model, X = _fit_preset(np.array([[1e6], [-1e6]]), non_negative="log")
    out = model.predict(X)
    assert np.isfinite(out).all() and out[1, 0] == 0.0


def test_bound_then_order_is_one_projection_not_clip_then_order():
    raw = np.array([3.0, -5.0])
    joint = order_over_rows(raw, True, lower=0.0)
    np.testing.assert_allclose(joint, [0.0, 0.0])
    clip_first = isotonic_regression(np.maximum(raw, 0.0))
    np.testing.assert_allclose(clip_first, [1.5, 1.5])
    assert _dist(joint, raw) < _dist(clip_first, raw)


def test_sort_rows_unaligned_reshuffles_rows():
    raw = np.array([5.0, 3.0, 7.0, -1.0])
    np.testing.assert_allclose(sort_rows_unaligned(raw, 0.0), [0.0, 3.0, 5.0, 7.0])
    np.testing.assert_allclose(order_over_rows(raw, True, 0.0), [3.5] * 4)
    np.testing.assert_allclose(order_over_outputs(raw, True, 0.0), [5.0, 3.0, 7.0, 0.0])


def test_single_output_is_trivially_ordered():
    X = np.arange(5.0).reshape(-1, 1)
    y = np.array([4.0, 3.0, 2.0, 1.0, 0.5])
    plain = LinearRegression().fit(X, y).predict(X)
    ordered = ConstrainedRegressor(LinearRegression(), order="ascending").fit(X, y)
    np.testing.assert_allclose(ordered.predict(X), np.maximum(plain, 0))


def test_inner_params_tune_in_grid_search():
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = X @ np.array([1.0, 2.0, 0.5]) + 5.0
    inner = make_pipeline(StandardScaler(), Ridge())
    search = GridSearchCV(
        ConstrainedRegressor(inner, non_negative="clip"),
        {"regressor__ridge__alpha": [0.01, 100.0], "non_negative": ["clip", None]},
        cv=TimeSeriesSplit(3),
    ).fit(X, y)
    assert search.best_params_["regressor__ridge__alpha"] == 0.01
    assert search.best_estimator_.regressor_.named_steps["ridge"].alpha == 0.01
    assert search.best_estimator_.regressor is not inner  # cloned, not refitted
    assert not hasattr(inner, "n_features_in_")


def test_inner_regressor_is_cloned_and_tags_follow_it():
    inner = DecisionTreeRegressor(max_depth=3)
    X = np.random.default_rng(1).normal(size=(80, 2))
    y = 3 + X[:, 0]
    X[3, 1] = np.nan
    model = ConstrainedRegressor(inner).fit(X, y)  # NaN allowed: the inner takes it
    assert model.regressor_ is not inner and (model.predict(X) >= 0).all()
    assert model.__sklearn_tags__().input_tags.allow_nan
    assert not ConstrainedRegressor(Ridge()).__sklearn_tags__().input_tags.allow_nan
    assert not ConstrainedRegressor(
        GradientBoostingRegressor()
    ).__sklearn_tags__().target_tags.multi_output


def test_dataframe_goes_to_inner_regressor_unchanged():
    air = load_airline()
    X, y = make_supervised(air, "passengers", horizon=1)
    model = ConstrainedRegressor(
        make_pipeline(LagFeatures(lags=2, columns=["passengers"]), LinearRegression())
    ).fit(X, y)
    assert list(model.feature_names_in_) == ["passengers"]
    assert list(model.regressor_[0].get_feature_names_out()) == [
        "passengers", "passengers_lag1", "passengers_lag2"
    ]


# --- bad input -------------------------------------------------------------


def test_log_rejects_values_below_bound_and_counts_them():
    X = np.arange(6.0).reshape(-1, 1)
    y = np.array([1.0, -2.0, 3.0, -4.0, 5.0, -0.5])
    with pytest.raises(
        ValueError,
        match=r"ConstrainedRegressor.fit: non_negative='log' fits on "
        r"log1p\(y - lower_bound\), but 3 value\(s\) of y are below "
        r"lower_bound=0.0 \(smallest -4\)",
    ):
        ConstrainedRegressor(Ridge(), non_negative="log").fit(X, y)
    fitted = ConstrainedRegressor(Ridge(), non_negative="log", lower_bound=-5).fit(X, y)
    assert (fitted.predict(X) >= -5).all()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"non_negative": "square"}, "The 'non_negative' parameter of "
         "ConstrainedRegressor must be"),
        ({"order": "sorted"}, "The 'order' parameter of ConstrainedRegressor must be"),
        ({"lower_bound": "0"}, "The 'lower_bound' parameter of ConstrainedRegressor"),
    ],
)
def test_bad_parameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        ConstrainedRegressor(Ridge(), **params).fit([[1.0], [2.0]], [1.0, 2.0])


def test_regressor_without_predict_is_rejected():
    with pytest.raises(ValueError, match="The 'regressor' parameter of "
                       "ConstrainedRegressor must be an object implementing 'fit' "
                       "and 'predict'"):
        ConstrainedRegressor(StandardScaler()).fit([[1.0], [2.0]], [1.0, 2.0])


def test_y_none_and_unfitted_are_clear():
    with pytest.raises(ValueError, match="ConstrainedRegressor.fit: requires y to be "
                       "passed, but the target y is None"):
        ConstrainedRegressor(Ridge()).fit([[1.0], [2.0]], None)
    with pytest.raises(NotFittedError, match="ConstrainedRegressor"):
        ConstrainedRegressor(Ridge()).predict([[1.0]])


def test_two_outputs_for_a_single_output_regressor_says_who():
    X = np.arange(10.0).reshape(-1, 1)
    with pytest.raises(ValueError, match="ConstrainedRegressor.fit: y should be a 1d "
                       "array"):
        ConstrainedRegressor(GradientBoostingRegressor()).fit(X, np.ones((10, 2)))


def test_order_over_rows_needs_rows_in_time_order():
    index = pd.date_range("2020-01-01", periods=4, freq="D")
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}, index=index)
    model = ConstrainedRegressor(LinearRegression(), order="increasing-over-rows")
    model.fit(X, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(
        ValueError,
        match=r"ConstrainedRegressor.predict: order='increasing-over-rows' orders "
        r"predictions over rows taken in time order, but the index of X is not "
        r"increasing. Sort the rows by time first \(X.sort_index\(\)\)",
    ):
        model.predict(X.iloc[::-1])


def test_infinite_value_names_column():
    X = pd.DataFrame({"a": [1.0, 2.0, np.inf], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="ConstrainedRegressor.fit: X 'a' contains 1 "
                       "infinite value"):
        ConstrainedRegressor(Ridge()).fit(X, [1.0, 2.0, 3.0])


def test_text_columns_go_to_an_inner_pipeline_that_encodes_them():
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    X = pd.DataFrame({"day": list("abcabcabc"), "x": np.arange(9.0)})
    y = np.array([1.0, 5.0, 2.0, 1.5, 5.5, 2.5, 2.0, 6.0, -3.0])
    encode = make_column_transformer(
        (OneHotEncoder(), ["day"]), remainder="passthrough"
    )
    inner = make_pipeline(encode, LinearRegression())
    raw = inner.fit(X, y).predict(X)
    model = ConstrainedRegressor(inner).fit(X, y)
    np.testing.assert_allclose(model.predict(X), np.maximum(raw, 0.0))
    assert list(model.feature_names_in_) == ["day", "x"]
    with pytest.raises(ValueError, match="ConstrainedRegressor.predict: The feature "
                       "names should match those that were passed during fit"):
        model.predict(X[["x"]])
    # An inner regressor that cannot take text: the error names the column.
    with pytest.raises(TypeError, match="ConstrainedRegressor.fit: expected numeric "
                       "columns, but got non-numeric column.s. 'day'"):
        ConstrainedRegressor(LinearRegression()).fit(X, y)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 70),
              elements=st.floats(-1e6, 1e6, allow_nan=False)),
       st.booleans(), st.sampled_from([None, 0.0, -5.0]))
def test_the_short_projection_equals_scikit_learns(values, increasing, lower):
    from sklstm.compose._constrained import _project

    expected = isotonic_regression(values, y_min=lower, increasing=increasing)
    np.testing.assert_allclose(_project(values, increasing, lower), expected,
                               rtol=1e-9, atol=1e-6)
