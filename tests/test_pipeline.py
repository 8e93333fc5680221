"""The default pipeline factory and the baselines of the sklstm command."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklstm import forecast, make_supervised
from sklstm.datasets import load_airline
from sklstm.pipeline import (
    LSTM_PARAMS,
    log_column,
    make_lstm_pipeline,
    make_naive_lstm,
    make_ridge_baseline,
    seasonal_naive_forecast,
)

FAST = dict(hidden_size=4, max_epochs=2, batch_size=64)


@pytest.fixture(scope="module")
def airline_xy():
    air = load_airline()
    train = air.iloc[:-12]
    X, Y = make_supervised(train, "passengers", horizon=[1, 2, 3])
    return train, X, Y


def test_every_remedy_is_a_step():
    model = make_lstm_pipeline("passengers")
    assert [name for name, _ in model.steps] == ["fill", "clean", "model"]
    inner = model.named_steps["model"].regressor.regressor
    assert [name for name, _ in inner.steps] == [
        "log", "sdiff", "season", "scale", "lstm",
    ]
    params = model.get_params()
    assert params["model__non_negative"] == "clip"
    assert params["model__regressor__relative"] is True
    assert params["model__regressor__level"] == "passengers"
    assert params[LSTM_PARAMS + "lookback"] == 12
    assert params[LSTM_PARAMS + "max_epochs"] == 75
    assert params[LSTM_PARAMS + "random_state"] == 0
    assert params["model__regressor__regressor__sdiff__seasonal_lag"] == 12


def test_outlier_filter_is_off_by_default_and_can_be_swapped_in(airline_xy):
    from sklstm.preprocessing import MedianOutlierFilter

    assert make_lstm_pipeline("passengers").named_steps["clean"] == "passthrough"
    on = make_lstm_pipeline("passengers", outlier_window=7).named_steps["clean"]
    assert isinstance(on, MedianOutlierFilter) and on.window == 7
    # the sklstm command's grid swaps it in through the step name
    _, X, Y = airline_xy
    spiky = X.copy()
    spiky.iloc[40, 0] = 5000.0
    model = make_lstm_pipeline("passengers", **FAST)
    model.set_params(clean=MedianOutlierFilter(window=7)).fit(spiky, Y)
    cleaned = model.named_steps["clean"].transform(spiky)
    assert cleaned.iloc[40, 0] < 400
    changed = int((cleaned.iloc[:, 0] != spiky.iloc[:, 0]).sum())
    # the spike, and the few true peaks that a 3-sigma window of 7 also flags
    # (the reason the filter is off by default)
    assert 1 <= changed <= len(spiky) // 10


def test_lstm_params_reach_the_network():
    model = make_lstm_pipeline("y", dropout=0.1)
    model.set_params(**{LSTM_PARAMS + "hidden_size": 7})
    lstm = model.named_steps["model"].regressor.regressor.named_steps["lstm"]
    assert lstm.hidden_size == 7 and lstm.dropout == 0.1
    assert clone(model).get_params()[LSTM_PARAMS + "hidden_size"] == 7


def test_options_remove_steps():
    model = make_lstm_pipeline(
        0, target_change=None, seasonal_periods=None, outlier_window=0,
        non_negative=False,
    )
    assert model.named_steps["clean"] == "passthrough"
    constrained = model.named_steps["model"]
    assert constrained.non_negative is None
    assert [n for n, _ in constrained.regressor.steps] == ["scale", "lstm"]
    absolute = make_lstm_pipeline(0, target_change="absolute")
    steps = absolute.named_steps["model"].regressor.regressor.named_steps
    assert "log" not in steps and absolute.get_params()[
        "model__regressor__relative"] is False


def test_contradictory_options_are_rejected():
    with pytest.raises(ValueError, match="target_change must be 'relative'"):
        make_lstm_pipeline(0, target_change="log")
    with pytest.raises(ValueError, match="non_negative='log' fits on log1p"):
        make_lstm_pipeline(0, non_negative="log")


def test_fit_forecast_with_gaps_is_non_negative(airline_xy):
    train, X, Y = airline_xy
    holey = train.copy()
    holey.iloc[[20, 21, 50], 0] = np.nan
    Xh = holey.iloc[: len(X)]
    model = make_lstm_pipeline("passengers", random_state=0, **FAST).fit(Xh, Y)
    fc = forecast(model, holey, horizon=3, target="passengers")
    assert fc.index.strftime("%Y-%m").tolist() == ["1960-01", "1960-02", "1960-03"]
    assert np.isfinite(fc).all() and (fc >= 0).all()
    # relative changes from the last level: a 2-epoch network stays near it
    assert 0.5 * train.iloc[-1, 0] < fc.iloc[0] < 1.5 * train.iloc[-1, 0]


def test_fit_is_reproducible(airline_xy):
    _, X, Y = airline_xy
    first = make_lstm_pipeline("passengers", random_state=3, **FAST).fit(X, Y)
    second = make_lstm_pipeline("passengers", random_state=3, **FAST).fit(X, Y)
    np.testing.assert_allclose(first.predict(X), second.predict(X))


def test_relative_change_needs_positive_levels(airline_xy):
    _, X, Y = airline_xy
    X0 = X.copy()
    X0.iloc[5, 0] = -5.0
    model = make_lstm_pipeline("passengers", outlier_window=0, **FAST)
    with pytest.raises(ValueError, match="use target_change='absolute'"):
        model.fit(X0, Y)


def test_log_column_by_name_and_position():
    frame = pd.DataFrame({"a": [1.0, np.e], "b": [4.0, 5.0]})
    np.testing.assert_allclose(log_column(frame, "a")["a"], [0.0, 1.0])
    np.testing.assert_allclose(log_column(frame, 1)["b"], np.log([4.0, 5.0]))
    assert frame["a"].tolist() == [1.0, np.e], "the input is not changed"
    np.testing.assert_allclose(log_column(frame.to_numpy(), 0)[:, 0], [0.0, 1.0])
    with pytest.raises(ValueError, match="column 'b' has values <= 0"):
        log_column(frame.assign(b=[0.0, 1.0]), "b")


def test_baselines():
    naive = make_naive_lstm(24)
    lstm = naive.regressor.named_steps["lstm"]
    assert naive.non_negative == "clip"
    assert lstm.lookback == 24 and lstm.patience is None
    assert lstm.validation_fraction is None and lstm.output_activation is None
    ridge = make_ridge_baseline([1, 12], alpha=2.0)
    assert ridge.named_steps["lags"].lags == [1, 12]
    assert ridge.named_steps["ridge"].alpha == 2.0


def test_seasonal_naive_repeats_the_last_season():
    index = pd.date_range("2020-01-01", periods=7, freq="D")
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, np.nan, 7.0], index=index, name="y")
    fc = seasonal_naive_forecast(s, 5, season=3)
    assert fc.tolist() == [5.0, 6.0, 7.0, 5.0, 6.0]
    assert fc.index[0] == pd.Timestamp("2020-01-08") and fc.name == "y"
    assert seasonal_naive_forecast(s, 2).tolist() == [7.0, 7.0]
    with pytest.raises(ValueError, match="fewer than one season"):
        seasonal_naive_forecast(s, 2, season=10)
