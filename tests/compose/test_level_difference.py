"""LevelDifferenceRegressor: fit on changes from a level, predict levels."""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from sklstm import ConstrainedRegressor, LagFeatures, LevelDifferenceRegressor
from sklstm.datasets import load_airline
from sklstm.forecasting import make_supervised


@pytest.fixture(scope="module")
def air():
    return load_airline()


def _frame():
    X = pd.DataFrame({"other": [5.0, 1.0, 7.0, 2.0], "level": [10.0, 20.0, 40.0, 50.0]})
    y = pd.Series([12.0, 21.0, 44.0, 55.0])
    return X, y


def test_inner_learns_the_difference_and_level_is_added_back():
    X, y = _frame()
    model = LevelDifferenceRegressor(DummyRegressor(), level="level").fit(X, y)
    mean_change = np.mean(y - X["level"])  # (2 + 1 + 4 + 5) / 4 = 3
    assert model.regressor_.constant_[0, 0] == pytest.approx(mean_change)
    np.testing.assert_allclose(model.predict(X), X["level"] + 3.0)
    assert model.level_index_ == 1


def test_relative_change():
    X, y = _frame()
    model = LevelDifferenceRegressor(DummyRegressor(), level=1, relative=True)
    model.fit(X, y)
    rel = np.mean(y / X["level"] - 1)  # (0.2 + 0.05 + 0.1 + 0.1) / 4
    np.testing.assert_allclose(model.predict(X), X["level"] * (1 + rel))


def test_level_by_negative_position_and_numpy_input():
    X, y = _frame()
    model = LevelDifferenceRegressor(DummyRegressor(), level=-1).fit(X.to_numpy(), y)
    np.testing.assert_allclose(model.predict(X.to_numpy()), X["level"] + 3.0)


def test_multi_horizon_subtracts_level_from_every_column(air):
    X, Y = make_supervised(air, "passengers", horizon=[1, 2, 3])
    model = LevelDifferenceRegressor(DummyRegressor(), level="passengers").fit(X, Y)
    changes = Y.to_numpy() - X[["passengers"]].to_numpy()
    np.testing.assert_allclose(model.regressor_.constant_.ravel(), changes.mean(axis=0))
    pred = model.predict(X)
    assert pred.shape == Y.shape
    expected = X[["passengers"]].to_numpy() + changes.mean(axis=0)
    np.testing.assert_allclose(pred, expected)


def test_exact_for_a_linear_inner_model(air):
    # Ridge on the change and Ridge on the level differ only by the penalty:
    # with LinearRegression they are the same model.
    X, y = make_supervised(air, "passengers", horizon=1)
    inner = make_pipeline(LagFeatures(lags=3), LinearRegression())
    plain = inner.fit(X, y).predict(X)
    diffed = LevelDifferenceRegressor(inner, level="passengers").fit(X, y).predict(X)
    np.testing.assert_allclose(diffed, plain, rtol=1e-8)


def test_grid_search_tunes_inner_params_on_the_original_scale(air):
    X, y = make_supervised(air, "passengers", horizon=1)
    model = LevelDifferenceRegressor(
        make_pipeline(LagFeatures(lags=12), Ridge()), level="passengers"
    )
    search = GridSearchCV(
        model,
        {"regressor__ridge__alpha": [1e-3, 1e9]},
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert search.best_params_ == {"regressor__ridge__alpha": 1e-3}
    # Scores are on passengers (thousands), not on changes: a huge penalty
    # gives a constant change, a few tens of thousands off.
    scores = search.cv_results_["mean_test_score"]
    assert -scores[1] > 20 and -scores[0] < -scores[1]


def test_composes_inside_constrained_regressor(air):
    X, Y = make_supervised(air.loc[:"1950"], "passengers", horizon=list(range(1, 13)))
    X_all, _ = make_supervised(air, "passengers", horizon=list(range(1, 13)))
    inner = LevelDifferenceRegressor(
        make_pipeline(LagFeatures(lags=6), LinearRegression()), level="passengers"
    )
    raw = inner.fit(X, Y).predict(X_all)
    model = ConstrainedRegressor(inner, non_negative="clip").fit(X, Y)
    out = model.predict(X_all)
    np.testing.assert_allclose(out, np.maximum(raw, 0.0))
    assert (raw < 0).any() and (out >= 0).all()
    params = model.get_params()
    assert params["regressor__level"] == "passengers"
    assert "regressor__regressor__linearregression__fit_intercept" in params


def test_constrained_regressor_inside_orders_the_changes(air):
    # Ascending changes over horizons plus one level per row: ascending levels.
    X, Y = make_supervised(air, "passengers", horizon=[1, 2, 3])
    model = LevelDifferenceRegressor(
        ConstrainedRegressor(Ridge(), non_negative=None, order="ascending"),
        level="passengers",
    ).fit(X, Y)
    pred = model.predict(X)
    assert (np.diff(pred, axis=1) >= -1e-9).all()
    raw = LevelDifferenceRegressor(Ridge(), level="passengers").fit(X, Y).predict(X)
    assert (np.diff(raw, axis=1) < 0).any()  # the seasonal dips really are there


# --- bad input -------------------------------------------------------------


def test_unknown_level_column_is_named():
    X, y = _frame()
    with pytest.raises(
        ValueError,
        match=r"LevelDifferenceRegressor.fit: level column 'sales' is not in X; X has "
        r"columns \['other', 'level'\]",
    ):
        LevelDifferenceRegressor(Ridge(), level="sales").fit(X, y)


def test_level_position_out_of_range():
    X, y = _frame()
    with pytest.raises(ValueError, match="LevelDifferenceRegressor.fit: level=5 is not "
                       "a column position of X, which has 2 column"):
        LevelDifferenceRegressor(Ridge(), level=5).fit(X, y)


def test_relative_needs_non_zero_level():
    X, y = _frame()
    X.loc[2, "level"] = 0.0
    with pytest.raises(
        ValueError,
        match=r"LevelDifferenceRegressor.fit: the level column 'level' is missing "
        r"\(NaN or infinite\) or zero in 1 row\(s\) \(first: 2\)",
    ):
        LevelDifferenceRegressor(Ridge(), level="level", relative=True).fit(X, y)


def test_missing_level_at_predict_is_an_error_not_nan():
    X, y = _frame()
    # The inner tree takes NaN in X; the level still cannot be missing.
    model = LevelDifferenceRegressor(
        DecisionTreeRegressor(max_depth=1), level="level"
    ).fit(X, y)
    X.loc[3, "level"] = np.nan
    with pytest.raises(ValueError, match=r"LevelDifferenceRegressor.predict: the level "
                       r"column 'level' is missing \(NaN or infinite\) in 1 "
                       r"row\(s\) \(first: 3\)"):
        model.predict(X)


def test_bad_parameter_is_named():
    X, y = _frame()
    with pytest.raises(ValueError, match="The 'level' parameter of "
                       "LevelDifferenceRegressor must be"):
        LevelDifferenceRegressor(Ridge(), level=1.5).fit(X, y)


def test_text_columns_go_to_an_inner_pipeline_that_encodes_them():
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    X = pd.DataFrame({"day": list("abab"), "level": [10.0, 20.0, 30.0, 40.0]})
    y = np.array([11.0, 23.0, 31.0, 43.0])  # +1 on "a" days, +3 on "b" days
    encode = make_column_transformer((OneHotEncoder(), ["day"]))
    model = LevelDifferenceRegressor(make_pipeline(encode, LinearRegression()),
                                     level="level").fit(X, y)
    np.testing.assert_allclose(model.predict(X), y)
    with pytest.raises(TypeError, match="LevelDifferenceRegressor.fit: the level "
                       "column 'day' has dtype"):
        LevelDifferenceRegressor(make_pipeline(encode, LinearRegression()),
                                 level="day").fit(X, y)
