"""Meta-estimators pass NaN in X on to an inner pipeline that fills it."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from sklstm import (
    ConstrainedRegressor,
    Interpolator,
    LevelDifferenceRegressor,
    MedianOutlierFilter,
    SeasonalSine,
)
from sklstm.compose._base import accepts_nan

GAP_ROWS = [3, 4, 5, 40, 41, 77]


def _demand():
    """Monthly demand that touches zero every year, with gaps and one spike."""
    index = pd.date_range("2010-01-01", periods=120, freq="MS")
    t = np.arange(120)
    rng = np.random.default_rng(0)
    level = np.maximum(0.0, 4.0 + 6.0 * np.sin(2 * np.pi * t / 12))
    demand = level + rng.normal(0.0, 0.3, 120).clip(-0.3, None)
    X = pd.DataFrame({"demand": demand, "price": 10.0 + 0.01 * t}, index=index)
    y = pd.Series(np.roll(demand, -1)[:-1], index=index[:-1], name="demand_h1")
    X = X.iloc[:-1].copy()
    X.iloc[GAP_ROWS, 0] = np.nan
    X.iloc[60, 0] = 500.0  # a recording error
    return X, y.clip(lower=0.0)


def _headline_pipeline():
    return Pipeline([
        ("fill", Interpolator(method="time")),
        ("clean", MedianOutlierFilter(window=7, n_sigmas=3.0)),
        ("season", SeasonalSine(periods=[12])),
        ("scale", StandardScaler()),
        ("ridge", Ridge(alpha=1.0)),
    ])


def test_headline_pipeline_with_gaps_fits_and_predicts_non_negative():
    X, y = _demand()
    assert X["demand"].isna().sum() == len(GAP_ROWS)
    plain = _headline_pipeline().fit(X, y).predict(X)
    model = ConstrainedRegressor(_headline_pipeline(), non_negative=True).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (len(X),) and np.isfinite(pred).all()
    assert plain.min() < -0.5  # the inner pipeline alone goes below zero
    assert pred.min() == 0.0
    np.testing.assert_allclose(pred, np.maximum(plain, 0.0))
    # The fit learned the season: well under the spread of y.
    assert np.mean(np.abs(pred - y.to_numpy())) < 0.2 * y.std()
    # Rows after the fit continue its history, gaps included.
    future = X.iloc[-12:].copy()
    future.iloc[2, 0] = np.nan
    later = model.predict(future)
    assert np.isfinite(later).all() and (later >= 0.0).all()


def test_headline_pipeline_with_gaps_in_grid_search():
    X, y = _demand()
    search = GridSearchCV(
        ConstrainedRegressor(_headline_pipeline(), non_negative="clip"),
        {"regressor__ridge__alpha": [0.1, 1e4]},
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["regressor__ridge__alpha"] == 0.1
    assert (search.predict(X) >= 0.0).all()


def test_level_difference_with_gaps_in_another_column():
    X, y = _demand()
    X = X.assign(demand=X["demand"].interpolate(), price=X["price"])
    X.iloc[[7, 8, 50], 1] = np.nan  # gaps in price, for the inner pipeline
    inner = make_pipeline(Interpolator(), StandardScaler(), Ridge(alpha=0.1))
    model = LevelDifferenceRegressor(inner, level="demand").fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (len(X),) and np.isfinite(pred).all()
    np.testing.assert_allclose(
        pred - X["demand"].to_numpy(), model.regressor_.predict(X)
    )


def test_level_difference_needs_the_level_complete():
    X, y = _demand()  # NaN in demand, the level column
    model = LevelDifferenceRegressor(
        make_pipeline(Interpolator(), Ridge()), level="demand"
    )
    with pytest.raises(
        ValueError,
        match=r"LevelDifferenceRegressor.fit: the level column 'demand' is missing "
        r"\(NaN or infinite\) in 6 row\(s\) \(first: 2010-04-01 00:00:00\); the "
        r"target is taken relative to it, so it must be complete. It is read from "
        r"X as given, before any step inside the model: fill that column before "
        r"the model",
    ):
        model.fit(X, y)


@pytest.mark.parametrize("cls", [ConstrainedRegressor, LevelDifferenceRegressor])
def test_inner_that_cannot_take_nan_gets_the_column_and_rows_named(cls):
    X, y = _demand()
    X = X.assign(demand=X["demand"].interpolate())
    X.iloc[[9, 10], 1] = np.nan
    name = cls.__name__
    with pytest.raises(
        ValueError,
        match=rf"{name}.fit: X 'price' contains 2 NaN value\(s\), at row\(s\) "
        r"2010-10-01 00:00:00, 2010-11-01 00:00:00; they are passed on to the inner "
        r"regressor Ridge, which failed: Input X contains NaN. Fill them inside "
        r"the model \(an Interpolator as the first step of a pipeline\)",
    ) as info:
        cls(Ridge()).fit(X, y)
    assert "Ridge does not accept missing values" in str(info.value.__cause__)
    fitted = cls(Ridge()).fit(X.interpolate(), y)
    with pytest.raises(ValueError, match=rf"{name}.predict: X 'price' contains 2 NaN"):
        fitted.predict(X)


@pytest.mark.parametrize("cls", [ConstrainedRegressor, LevelDifferenceRegressor])
def test_infinite_values_are_still_rejected_by_the_wrapper(cls):
    X, y = _demand()
    X = X.interpolate()
    X.iloc[12, 1] = -np.inf
    with pytest.raises(ValueError, match=rf"{cls.__name__}.fit: X 'price' contains 1 "
                       r"infinite value\(s\), at row\(s\) 2011-01-01"):
        cls(make_pipeline(Interpolator(), Ridge())).fit(X, y)


def test_allow_nan_tag_follows_the_first_step_of_a_pipeline():
    fills = make_pipeline(Interpolator(), Ridge())
    assert accepts_nan(fills) and not accepts_nan(make_pipeline(Ridge()))
    assert accepts_nan(Pipeline([("skip", "passthrough"), ("fill", Interpolator()),
                                 ("ridge", Ridge())]))
    assert accepts_nan(DecisionTreeRegressor()) and not accepts_nan(Ridge())
    for cls in (ConstrainedRegressor, LevelDifferenceRegressor):
        assert cls(fills).__sklearn_tags__().input_tags.allow_nan
        assert not cls(Ridge()).__sklearn_tags__().input_tags.allow_nan
    nested = ConstrainedRegressor(LevelDifferenceRegressor(fills))
    assert nested.__sklearn_tags__().input_tags.allow_nan
