"""ConstrainedRegressor on a real non-negative series: airline passengers 1949-1960."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import ConstrainedRegressor, LagFeatures
from sklstm.datasets import load_airline
from sklstm.forecasting import make_supervised

HORIZONS = list(range(1, 13))


@pytest.fixture(scope="module")
def air():
    return load_airline()


@pytest.fixture(scope="module")
def overfit(air):
    """A direct 12-step model fitted on 1949-1950 only (12 complete rows).

    Seven inputs (the month and 6 lags) for 12 outputs from 12 rows: the fit is
    near exact and extrapolates wildly on the later, larger values.
    """
    X_fit, Y_fit = make_supervised(air.loc[:"1950"], "passengers", HORIZONS)
    X, _ = make_supervised(air, "passengers", HORIZONS)
    inner = make_pipeline(LagFeatures(lags=6), LinearRegression())
    return inner, X_fit, Y_fit, X


def test_plain_model_goes_negative_wrapped_does_not(overfit):
    inner, X_fit, Y_fit, X = overfit
    raw = inner.fit(X_fit, Y_fit).predict(X)
    negative_rows = (raw < 0).any(axis=1)
    assert (raw < 0).sum() > 100 and negative_rows.sum() > 30
    clipped = ConstrainedRegressor(inner).fit(X_fit, Y_fit).predict(X)
    assert clipped.min() == 0.0
    np.testing.assert_array_equal(clipped, np.maximum(raw, 0.0))
    # Rows whose raw predictions were all valid are untouched.
    np.testing.assert_array_equal(clipped[~negative_rows], raw[~negative_rows])


def test_log_keeps_predictions_positive(overfit):
    inner, X_fit, Y_fit, X = overfit
    raw = inner.fit(X_fit, Y_fit).predict(X)
    model = ConstrainedRegressor(inner, non_negative="log").fit(X_fit, Y_fit)
    out = model.predict(X)
    assert (raw < 0).any()
    assert np.isfinite(out).all() and (out > 0).all()
    # Fitted on log1p(passengers), the same model stays above log1p(0) on
    # these rows, so no value needed clipping: positive by construction.
    np.testing.assert_allclose(out, np.expm1(model.regressor_.predict(X)))


def test_isotonic_order_keeps_rows_aligned(air):
    X, y = make_supervised(air, "passengers", horizon=1)
    train = X.index < "1958-12-01"

    def fitted(order):
        inner = make_pipeline(LagFeatures(lags=11), LinearRegression())
        return ConstrainedRegressor(inner, order=order).fit(X[train], y[train])

    raw = fitted(None).predict(X[~train])
    iso = fitted("increasing-over-rows").predict(X[~train])
    srt = fitted("sort-rows-unaligned").predict(X[~train])
    truth = y[~train].to_numpy()
    for out in (iso, srt):
        assert (np.diff(out) >= 0).all() and (out >= 0).all()
    # Every run of equal values is the mean of the raw predictions of exactly
    # those rows: each row's value comes from its own time steps.
    starts = np.flatnonzero(np.r_[True, np.diff(iso) > 1e-9])
    for a, b in zip(starts, np.r_[starts[1:], len(iso)], strict=True):
        np.testing.assert_allclose(iso[a:b], raw[a:b].mean())
    # Sorting puts the predictions on other rows: further from the model's own
    # predictions and from the truth.
    assert np.sum((iso - raw) ** 2) < np.sum((srt - raw) ** 2)
    assert np.abs(iso - truth).mean() < np.abs(srt - truth).mean()
    # The row of the 1960 low (Nov 1960) gets a sorted value from elsewhere.
    assert srt[-2] != raw[-2]


@pytest.fixture(scope="module")
def one_step_maes(air):
    """Test MAE, targets 1959-01..1960-12, of a one-step model on 12 lags.

    X holds the current value and 11 lags (12 values); trained on targets up
    to 1958-12.
    """
    X, y = make_supervised(air, "passengers", horizon=1)
    train = X.index < "1958-12-01"
    log_x = FunctionTransformer(np.log1p, feature_names_out="one-to-one")
    results = {}
    for mode in (None, "clip", "log"):
        for logged in (False, True):
            steps = [LagFeatures(lags=11)] + ([log_x] if logged else [])
            model = ConstrainedRegressor(
                make_pipeline(*steps, LinearRegression()), non_negative=mode
            ).fit(X[train], y[train])
            pred = model.predict(X[~train])
            results[mode, logged] = np.abs(pred - y[~train].to_numpy()).mean()
    assert (~train).sum() == 24
    return results


def test_airline_one_step_mae(one_step_maes):
    mae = one_step_maes
    # The linear model never predicts below 0 here: clipping changes nothing.
    assert mae["clip", False] == mae[None, False]
    assert mae["clip", False] == pytest.approx(14.21, abs=0.01)
    # A log target on level inputs mixes scales and extrapolates badly ...
    assert mae["log", False] == pytest.approx(87.12, abs=0.01)
    # ... a log target on log inputs models the growth multiplicatively.
    assert mae["log", True] == pytest.approx(14.75, abs=0.01)


def test_wraps_an_lstm(air):
    from sklearn.preprocessing import StandardScaler

    from sklstm import LSTMRegressor
    from sklstm.forecasting import forecast

    X, Y = make_supervised(air, "passengers", [1, 2, 3])
    lstm = LSTMRegressor(lookback=12, hidden_size=4, max_epochs=3, batch_size=32,
                         random_state=0, n_threads=1)
    model = ConstrainedRegressor(
        make_pipeline(StandardScaler(), lstm), non_negative="log", order="ascending"
    )
    assert model.get_params()["regressor__lstmregressor__hidden_size"] == 4
    model.fit(X, Y)
    pred = model.predict(X)
    assert pred.shape == (len(X), 3) and np.isfinite(pred).all()
    assert (pred >= 0).all() and (np.diff(pred, axis=1) >= -1e-9).all()
    fc = forecast(model, air, horizon=3)
    assert fc.index.strftime("%Y-%m").tolist() == ["1961-01", "1961-02", "1961-03"]
    assert (np.diff(fc.to_numpy()) >= -1e-9).all()
