"""forecast on a panel: every series from its own last row, by (id, time)."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_LSTM
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from sklstm import LagFeatures, LSTMRegressor, forecast, make_supervised, to_panel


def long_sales(lengths=(48, 40, 36)):
    rng = np.random.default_rng(0)
    parts = []
    for k, n in enumerate(lengths):
        t = np.arange(n)
        parts.append(pd.DataFrame({
            "shop": f"s{k}",
            "month": pd.date_range(f"201{k}-01-01", periods=n, freq="MS"),
            "sales": 100 * (k + 1) + 2 * t + 5 * np.sin(t) + rng.normal(0, 1, n)}))
    return pd.concat(parts, ignore_index=True)


def ridge():
    return make_pipeline(LagFeatures(4), Ridge(alpha=1e-3)).set_output(
        transform="pandas")


def test_a_panel_forecast_equals_each_series_forecast_alone():
    panel = to_panel(long_sales(), "shop", "month")
    X, Y = make_supervised(panel, "sales", horizon=[1, 2, 3])
    model = ridge().fit(X, Y)
    fc = forecast(model, panel, 3, target="sales")
    assert fc.index.names == ["shop", "month"] and len(fc) == 9
    for shop in ["s0", "s1", "s2"]:
        one = forecast(model, panel.loc[[shop]], 3, target="sales")
        pd.testing.assert_series_equal(fc.loc[[shop]], one, check_freq=False)
        last = panel.loc[shop].index[-1]
        assert fc.loc[shop].index[0] == last + pd.DateOffset(months=1)
    # the lags of each series' last row are its own: the forecasts follow
    # each series' level (100, 200, 300 plus the trend)
    assert fc.loc["s0"].iloc[0] < fc.loc["s1"].iloc[0] < fc.loc["s2"].iloc[0]


def test_a_global_lstm_forecasts_every_series():
    panel = to_panel(long_sales(), "shop", "month")
    X, Y = make_supervised(panel, "sales", horizon=[1, 2])
    net = LSTMRegressor(id_embedding=2, **TINY_LSTM).fit(X, Y)
    fc = forecast(net, panel, 2, target="sales")
    assert fc.index.get_level_values("shop").unique().tolist() == ["s0", "s1", "s2"]
    assert np.isfinite(fc).all()
    # per-series target scaling: each series is forecast near its own level
    levels = panel.groupby(level="shop")["sales"].last()
    for shop in levels.index:
        assert abs(fc.loc[shop].mean() - levels[shop]) < 0.5 * levels[shop]


def test_what_a_panel_forecast_does_not_take_is_refused():
    panel = to_panel(long_sales(), "shop", "month")
    X, Y = make_supervised(panel, "sales", horizon=[1, 2])
    model = ridge().fit(X, Y)
    with pytest.raises(ValueError, match=r"a panel is forecast directly"):
        forecast(model, panel, 2, target="sales", strategy="recursive")
    with pytest.raises(ValueError, match=r"needs one row per history row and 3 "
                                         r"outputs"):
        forecast(model, panel, 3, target="sales")


def test_a_panel_backtest_is_each_series_backtest():
    from sklstm.forecasting import backtest, backtest_metrics

    panel = to_panel(long_sales(), "shop", "month")
    frame = backtest(ridge(), panel, 3, n_windows=2, target="sales",
                     levels=0.8, n_calibration=4)
    assert frame.columns[0] == "shop" and len(frame) == 3 * 2 * 3
    for shop in ("s0", "s1", "s2"):
        series = panel.loc[shop].asfreq("MS")
        alone = backtest(ridge(), series, 3, n_windows=2, target="sales",
                         levels=0.8, n_calibration=4)
        got = frame[frame["shop"] == shop].drop(columns="shop").reset_index(
            drop=True)
        pd.testing.assert_frame_equal(got, alone)
        metrics = backtest_metrics(got, series, m=12, target="sales")
        assert np.isfinite(metrics.loc["all", "MASE"])
    short = pd.concat([long_sales(), pd.DataFrame({
        "shop": "s9", "month": pd.date_range("2015-01-01", periods=6, freq="MS"),
        "sales": np.arange(6.0)})])
    with pytest.raises(ValueError, match=r"^backtest: series 's9': 3 window\(s\).* "
                                         r"History has 6 rows and needs 13"):
        backtest(ridge(), to_panel(short, "shop", "month"), 3, target="sales")
