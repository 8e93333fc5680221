"""Forecast metrics on hand-computed numbers."""

import numpy as np
import pytest

from sklstm.metrics import mae, mase, naive_scale, rmse, smape

Y = np.array([10.0, 12.0, 8.0, 10.0])
P = np.array([11.0, 12.0, 5.0, 14.0])  # errors 1, 0, -3, 4


def test_mae_and_rmse_by_hand():
    assert mae(Y, P) == pytest.approx((1 + 0 + 3 + 4) / 4)
    assert rmse(Y, P) == pytest.approx(np.sqrt((1 + 0 + 9 + 16) / 4))
    assert mae(Y, Y) == 0.0 and rmse(Y, Y) == 0.0


def test_rmse_weighs_large_errors_more_than_mae():
    assert rmse(Y, P) > mae(Y, P)


def test_two_dimensional_inputs_average_every_value():
    t = np.array([[1.0, 2.0], [3.0, 4.0]])
    p = np.array([[2.0, 2.0], [3.0, 8.0]])
    assert mae(t, p) == pytest.approx(5 / 4)
    # a column vector against a flat vector is accepted
    assert mae(t[:, :1], p[:, 0]) == pytest.approx(0.5)


def test_mase_scale_is_the_in_sample_seasonal_naive_mae():
    train = np.array([1.0, 5.0, 2.0, 7.0, 4.0, 8.0])
    # m=1: |4|, |3|, |5|, |3|, |4| -> 19 / 5
    assert naive_scale(train, m=1) == pytest.approx(19 / 5)
    # m=2: |1|, |2|, |2|, |1| -> 6 / 4
    assert naive_scale(train, m=2) == pytest.approx(1.5)
    assert mase(Y, P, train, m=2) == pytest.approx(2.0 / 1.5)
    assert mase(Y, P, train) == pytest.approx(2.0 / 3.8)


def test_mase_of_the_seasonal_naive_forecast_itself():
    season = np.array([1.0, 2.0, 3.0, 4.0])
    train = np.concatenate([season, season + 1, season + 2])
    # seasonal-naive in sample is off by exactly 1 every time; repeating the last
    # season out of sample is off by 1 too, so MASE is 1
    future = season + 3
    assert mase(future, train[-4:], train, m=4) == pytest.approx(1.0)


def test_mase_skips_gaps_in_the_training_series():
    train = np.array([1.0, np.nan, 3.0, 6.0, 10.0])
    # only pairs with both ends observed: |3|, |4| -> 3.5
    assert naive_scale(train, m=1) == pytest.approx(3.5)


def test_smape_by_hand_and_zero_pairs():
    t = np.array([100.0, 0.0, 50.0])
    p = np.array([110.0, 0.0, 25.0])
    expected = 100 * (20 / 210 + 0 + 50 / 75) / 3
    assert smape(t, p) == pytest.approx(expected)
    assert smape([0.0], [5.0]) == pytest.approx(200.0)
    assert smape(Y, Y) == 0.0


def test_smape_is_symmetric():
    assert smape(Y, P) == pytest.approx(smape(P, Y))


def test_errors_are_clear():
    with pytest.raises(ValueError, match=r"mae: y_true has shape \(4,\) but y_pred"):
        mae(Y, P[:3])
    with pytest.raises(ValueError, match="rmse: y_pred contains 1 NaN"):
        rmse(Y, [1.0, np.nan, 2.0, 3.0])
    with pytest.raises(ValueError, match="smape: y_true is empty"):
        smape([], [])
    with pytest.raises(ValueError, match="seasonal-naive scale is 0"):
        mase(Y, P, [2.0, 2.0, 2.0], m=1)
    with pytest.raises(ValueError, match="more than m=12 observed values"):
        mase(Y, P, np.arange(10.0), m=12)
    with pytest.raises(ValueError, match="m=0 must be a positive int"):
        mase(Y, P, np.arange(10.0), m=0)
