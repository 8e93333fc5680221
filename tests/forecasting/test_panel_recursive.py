"""forecast on a panel, recursively: one predict per step for every series.

Every series is forecast from its own last row, its predictions fed back into
its own rows only; the result is what forecasting each series alone gives.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline

from sklstm import LagFeatures, forecast, make_supervised, to_panel

H = 5


def monthly_panel():
    """Three series of different lengths and starts, at different levels."""
    rng = np.random.default_rng(0)
    parts = []
    shapes = [("a", 30, "2015-01-01"), ("b", 24, "2016-06-01"),
              ("c", 18, "2017-03-01")]
    for k, (sid, n, start) in enumerate(shapes):
        t = np.arange(n)
        parts.append(pd.DataFrame({
            "shop": sid, "month": pd.date_range(start, periods=n, freq="MS"),
            "y": 50.0 * (k + 1) + 1.5 * t + 4 * np.sin(t) + rng.normal(0, 1, n)}))
    return to_panel(pd.concat(parts, ignore_index=True), "shop", "month")


def step_panel():
    """Integer ids and times; series 3 steps by 2."""
    rng = np.random.default_rng(1)
    parts = []
    for sid, times in [(1, np.arange(0, 30)), (2, np.arange(10, 34)),
                       (3, np.arange(100, 136, 2))]:
        n = len(times)
        parts.append(pd.DataFrame({
            "id": sid, "t": times,
            "y": 10.0 * sid + np.cumsum(rng.normal(0.5, 1, n))}))
    return to_panel(pd.concat(parts, ignore_index=True), "id", "t")


PANELS = {"monthly": monthly_panel, "steps": step_panel}


def lag_ridge():
    return make_pipeline(LagFeatures(3), Ridge(alpha=1e-3)).set_output(
        transform="pandas")


@pytest.fixture(scope="module", params=list(PANELS))
def fitted(request):
    panel = PANELS[request.param]()
    X, y = make_supervised(panel, "y", horizon=1)
    return panel, lag_ridge().fit(X, y)


def alone(model, series):
    """The panel model's regressor behind lags of ``series`` alone (lags are
    learnt from no data, so the same model, for a single series)."""
    lags = LagFeatures(3).set_output(transform="pandas").fit(series)
    return Pipeline([("lagfeatures", lags), ("ridge", model[-1])])


def test_each_series_is_forecast_as_if_alone(fitted):
    panel, model = fitted
    fc = forecast(model, panel, H, target="y")  # auto: one output, H steps
    ids = panel.index.get_level_values(0).unique()
    assert fc.name == "y" and len(fc) == H * len(ids)
    for sid in ids:
        series = panel.xs(sid)
        one = forecast(alone(model, series), series, H, strategy="recursive")
        np.testing.assert_allclose(fc.xs(sid).to_numpy(), one.to_numpy(),
                                   rtol=1e-10, atol=1e-8)
        assert fc.xs(sid).index.tolist() == one.index.tolist()
        # and a one-series panel: nothing of the others' rows comes in
        pd.testing.assert_series_equal(
            forecast(model, panel.loc[[sid]], H, target="y"), fc.loc[[sid]],
            check_index_type=False)


def test_the_index_is_each_series_own_next_steps():
    panel = monthly_panel()
    X, y = make_supervised(panel, "y", horizon=1)
    fc = forecast(lag_ridge().fit(X, y), panel, [1, 3], target="y",
                  strategy="recursive")
    assert fc.index.names == ["shop", "month"]
    assert fc.index.get_level_values("shop").tolist() == ["a", "a", "b", "b",
                                                          "c", "c"]
    for sid in ["a", "b", "c"]:
        last = panel.xs(sid).index[-1]
        assert fc.xs(sid).index.tolist() == [last + pd.DateOffset(months=1),
                                             last + pd.DateOffset(months=3)]
    steps = step_panel()
    X, y = make_supervised(steps, "y", horizon=1)
    fc = forecast(lag_ridge().fit(X, y), steps, 3, target="y")
    assert fc.index.tolist() == [(1, 30), (1, 31), (1, 32), (2, 34), (2, 35),
                                 (2, 36), (3, 136), (3, 138), (3, 140)]


class CountingModel(RegressorMixin, BaseEstimator):
    """A regressor that records how many rows each predict call gets."""

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        self.model_ = clone(self.model).fit(X, y)
        self.calls_ = []
        return self

    def predict(self, X):
        self.calls_.append(len(X))
        return self.model_.predict(X)


def test_one_predict_per_step_for_all_series():
    panel = monthly_panel()
    X, y = make_supervised(panel, "y", horizon=1)
    model = make_pipeline(LagFeatures(3), CountingModel(LinearRegression()))
    model.set_output(transform="pandas").fit(X, y)
    forecast(model, panel, H, target="y")
    # step k reads every series' history and its first k forecasts
    assert model[-1].calls_ == [len(panel) + 3 * k for k in range(H)]


def test_auto_is_recursive_for_a_one_output_model(fitted):
    panel, model = fitted
    auto = forecast(model, panel, H, target="y")
    recursive = forecast(model, panel, H, target="y", strategy="recursive")
    pd.testing.assert_series_equal(auto, recursive)
    # one step asked: the one-step model forecasts it directly, the same value
    one = forecast(model, panel, 1, target="y")
    pd.testing.assert_series_equal(one, recursive.groupby(level=0).head(1))


def test_a_multi_output_model_is_not_fed_back():
    panel = monthly_panel()
    X, Y = make_supervised(panel, "y", horizon=[1, 2])
    model = lag_ridge().fit(X, Y)
    with pytest.raises(ValueError, match=r"^forecast \(panel\): a recursive "
                       r"forecast needs a one-step model with one output, but "
                       r"the model predicts 2 per row; use strategy='direct'"):
        forecast(model, panel, 4, target="y", strategy="recursive")


def lags_of(frame):
    """y and its last two values, per series on a panel; rows without them
    dropped."""
    y = frame["y"]
    past = y.groupby(level=0) if isinstance(frame.index, pd.MultiIndex) else y
    return pd.DataFrame({"y": y, "lag1": past.shift(1),
                         "lag2": past.shift(2)}).dropna()


@pytest.fixture(scope="module")
def built():
    panel = monthly_panel()
    X = lags_of(panel)
    y = panel["y"].groupby(level=0).shift(-1).reindex(X.index)
    keep = y.notna().to_numpy()
    return panel, Ridge(alpha=1e-3).fit(X[keep], y[keep])


def test_a_feature_builder_builds_each_series_from_its_own_rows(built):
    panel, model = built
    fc = forecast(model, panel, H, target="y", feature_builder=lags_of)
    for sid in ["a", "b", "c"]:
        series = panel.xs(sid)
        one = forecast(model, series, H, feature_builder=lags_of)
        np.testing.assert_allclose(fc.xs(sid).to_numpy(), one.to_numpy(),
                                   rtol=1e-10, atol=1e-8)
        assert fc.xs(sid).index.tolist() == one.index.tolist()


def test_a_series_too_short_for_the_features_is_named(built):
    panel, model = built
    short = pd.concat([panel, monthly_panel().loc[["c"]].iloc[:2].rename(
        index={"c": "d"}, level=0)])
    with pytest.raises(ValueError, match=r"^forecast: series 'd': feature_builder "
                       r"returned no row of it, from its 2 row\(s\): the series "
                       r"is too short for the features"):
        forecast(model, short, H, target="y", feature_builder=lags_of)


def test_a_series_too_short_for_its_time_step_is_named():
    steps = step_panel()
    X, y = make_supervised(steps, "y", horizon=1)
    model = lag_ridge().fit(X, y)
    lone = pd.DataFrame({"y": [1.0]}, index=pd.MultiIndex.from_tuples(
        [(4, 7)], names=["id", "t"]))
    with pytest.raises(ValueError, match=r"^forecast: series 4: cannot tell the "
                       r"time step of the history's index"):
        forecast(model, pd.concat([steps, lone]), H, target="y")


def promo_panel():
    panel = monthly_panel()
    t = panel.groupby(level=0).cumcount().to_numpy()
    promo = (t % 4 == 1).astype(int)
    return panel.assign(y=panel["y"] + 8 * promo, promo=promo)


def plan_for(panel, h):
    rows = []
    for sid in panel.index.get_level_values(0).unique():
        last = panel.xs(sid).index[-1]
        for k in range(1, h + 1):
            rows.append((sid, last + pd.DateOffset(months=k), int(k % 2)))
    return to_panel(pd.DataFrame(rows, columns=["shop", "month", "promo"]),
                    "shop", "month")


@pytest.mark.parametrize("horizon", [1, [1, 2, 3]])
def test_future_known_columns_on_a_panel(horizon):
    panel = promo_panel()
    X, y = make_supervised(panel, "y", horizon=horizon, future=["promo"])
    model = make_pipeline(LagFeatures(3, columns=["y"]), Ridge(alpha=1e-3))
    model = model.set_output(transform="pandas").fit(X, y)
    plan = plan_for(panel, 3)
    fc = forecast(model, panel, 3, target="y", future=plan)
    for sid in ["a", "b", "c"]:
        series = panel.xs(sid)
        lags = LagFeatures(3, columns=["y"]).set_output(transform="pandas")
        Xs, _ = make_supervised(series, "y", horizon=horizon, future=["promo"])
        single = Pipeline([("lagfeatures", lags.fit(Xs)), ("ridge", model[-1])])
        one = forecast(single, series, 3, target="y", future=plan.xs(sid))
        np.testing.assert_allclose(fc.xs(sid).to_numpy(), one.to_numpy(),
                                   rtol=1e-10, atol=1e-8)
    # the first step's forecast moves by what the model learnt of the leads
    # promo_h{j} at the planned promotions (the last history row is the same)
    no_promo = forecast(model, panel, 3, target="y", future=plan.assign(promo=0))
    ridge = model[-1]
    names = list(ridge.feature_names_in_)
    coef = ridge.coef_.reshape(-1, len(names))[0]
    planned = plan.xs("a")["promo"].to_numpy()
    effect = sum(coef[names.index(f"promo_h{j}")] * planned[j - 1]
                 for j in range(1, 4) if f"promo_h{j}" in names)
    assert effect > 1
    np.testing.assert_allclose(fc.xs("a").iloc[0] - no_promo.xs("a").iloc[0],
                               effect)


def test_future_must_be_a_panel_that_covers_every_series():
    panel = promo_panel()
    X, y = make_supervised(panel, "y", horizon=1, future=["promo"])
    model = make_pipeline(LagFeatures(3, columns=["y"]), Ridge(alpha=1e-3))
    model = model.set_output(transform="pandas").fit(X, y)
    plan = plan_for(panel, 3)
    with pytest.raises(ValueError, match=r"^forecast: series 'b': future lacks "
                       r"rows for the forecast step\(s\) 2018-06-01"):
        forecast(model, panel, 3, target="y", future=plan.drop(index="b", level=0))
    with pytest.raises(ValueError, match=r"history is a panel, so future must be "
                       r"one too"):
        forecast(model, panel, 3, target="y", future=plan.xs("a"))
    with pytest.raises(ValueError, match=r"^forecast: the model was fitted with "
                       r"future-known column\(s\) \['promo'\]"):
        forecast(model, panel, 3, target="y")
