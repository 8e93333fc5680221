"""LSTMRegressor.fit(sample_weight=...): one weight per row, used per window.

The window that ends at row ``i`` gets row ``i``'s weight; the loss of a batch
is the weighted mean of the per-window losses (weights scaled to mean 1 over
the training windows and, apart, over the validation windows), so the epoch's
``train_loss`` and ``valid_loss`` are weighted means.
"""

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY_LSTM, weighted_sine_series
from sklearn import config_context

from sklstm import LSTMRegressor
from sklstm.neural._data import WindowDataset, sliding_windows, window_weights

LOOKBACK = TINY_LSTM["lookback"]


@pytest.fixture(scope="module")
def series():
    return weighted_sine_series()


def summary(est):
    return est.loss_history_.drop(columns="dur")


# ------------------------------------------------------------ equal weights
@pytest.mark.parametrize("value", [1.0, 2.5])
def test_equal_weights_are_bit_identical_to_no_weights(series, value):
    X, y, _ = series
    plain = LSTMRegressor(**TINY_LSTM).fit(X, y)
    equal = np.full(len(X), value)
    weighted = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=equal)
    np.testing.assert_array_equal(weighted.predict(X), plain.predict(X))
    pd.testing.assert_frame_equal(summary(weighted), summary(plain))


def test_unequal_weights_change_the_fit(series):
    X, y, w = series
    plain = LSTMRegressor(**TINY_LSTM).fit(X, y)
    weighted = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=w)
    assert not np.array_equal(weighted.predict(X), plain.predict(X))


def test_weights_of_rows_that_end_no_window_are_unused(series):
    """Rows before ``lookback - 1`` end no full window; their weights are unused."""
    X, y, w = series
    changed = w.copy()
    changed[: LOOKBACK - 1] = 100.0
    a = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=w)
    b = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=changed)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


# ----------------------------------------------------- the loss is weighted
def scaled_losses(est, X, y, loss):
    """Per-window loss of the fitted model on the scaled target, row-aligned."""
    pred = (est.predict(X) - est.target_offset_[0]) / est.target_scale_[0]
    true = (np.asarray(y) - est.target_offset_[0]) / est.target_scale_[0]
    fn = {"mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss,
          "huber": torch.nn.HuberLoss}[loss](reduction="none")
    return fn(torch.tensor(pred), torch.tensor(true)).numpy()


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_train_and_valid_loss_are_the_weighted_means(series, loss):
    """A learning rate so small that the net does not move during its one epoch:
    both recorded losses are then the final model's weighted mean losses over
    the windows of each part, the window ending at row i weighted by w[i]."""
    X, y, w = series
    est = LSTMRegressor(**{**TINY_LSTM, "max_epochs": 1, "patience": None,
                           "optimizer": "sgd", "lr": 1e-12, "loss": loss})
    est.fit(X, y, sample_weight=w)
    per_row = scaled_losses(est, X, y, loss)
    n_windows = len(X) - LOOKBACK + 1
    n_valid = int(0.15 * n_windows)
    ends = np.arange(LOOKBACK - 1, len(X))  # the row each window ends at
    train, valid = ends[:-n_valid], ends[-n_valid:]
    row = est.loss_history_.iloc[-1]
    np.testing.assert_allclose(row["train_loss"],
                               np.average(per_row[train], weights=w[train]), rtol=1e-4)
    np.testing.assert_allclose(row["valid_loss"],
                               np.average(per_row[valid], weights=w[valid]), rtol=1e-4)
    assert not np.isclose(row["valid_loss"], per_row[valid].mean(), rtol=1e-3)


def test_ready_windows_take_one_weight_per_window(series):
    X, y, w = series
    windows = sliding_windows(X.to_numpy(np.float32), LOOKBACK)
    targets = y.to_numpy()[LOOKBACK - 1:]
    from_rows = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=w)
    from_windows = LSTMRegressor(**TINY_LSTM).fit(
        windows, targets, sample_weight=w[LOOKBACK - 1:])
    np.testing.assert_allclose(from_windows.predict(windows),
                               from_rows.predict(X)[LOOKBACK - 1:], rtol=1e-5)


def test_weights_may_be_a_list_or_series(series):
    X, y, w = series
    a = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=w)
    b = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=list(w))
    c = LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=pd.Series(w))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(a.predict(X), c.predict(X))


def test_the_weights_given_are_not_changed(series):
    X, y, w = series
    before = w.copy()
    LSTMRegressor(**TINY_LSTM).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(w, before)


def test_set_fit_request_exists_for_metadata_routing():
    with config_context(enable_metadata_routing=True):
        est = LSTMRegressor().set_fit_request(sample_weight=True)
        routing = est.get_metadata_routing()
        assert routing.fit.requests == {"sample_weight": True}


# ----------------------------------------------------------------- mapping
def test_window_weights_maps_each_window_to_the_row_it_ends_at():
    np.testing.assert_array_equal(
        window_weights([9.0, 9.0, 1.0, 2.0, 3.0], 5, first=2), [1.0, 2.0, 3.0])
    assert window_weights(np.full(5, 0.5), 5, first=2) is None
    assert window_weights(None, 5, first=2) is None


def test_weighted_dataset_returns_the_weights_with_the_windows():
    w = sliding_windows(np.arange(12, dtype=np.float32).reshape(6, 2), 2)
    ds = WindowDataset(w, np.zeros((5, 1), np.float32), np.arange(3),
                       weights=np.arange(5, dtype=np.float32))
    X, y = ds[np.array([2, 0])]
    assert set(X) == {"X", "sample_weight"}
    assert X["sample_weight"].tolist() == [2.0, 0.0]
    assert tuple(X["X"].shape) == (2, 2, 2)


# ------------------------------------------------------------------- errors
def check(est, X, y, sample_weight, exc, message):
    with pytest.raises(exc) as info:
        est.fit(X, y, sample_weight=sample_weight)
    assert str(info.value) == message


def test_wrong_length_is_named(series):
    X, y, _ = series
    check(LSTMRegressor(**TINY_LSTM), X, y, np.ones(10), ValueError,
          "LSTMRegressor.fit: sample_weight has 10 weights but X has 160 rows; "
          "pass one weight per row.")


def test_wrong_length_for_windows_is_named(series):
    X, y, _ = series
    windows = sliding_windows(X.to_numpy(np.float32), LOOKBACK)
    check(LSTMRegressor(**TINY_LSTM), windows, y.to_numpy()[LOOKBACK - 1:],
          np.ones(len(X)), ValueError,
          f"LSTMRegressor.fit: sample_weight has 160 weights but X has "
          f"{len(windows)} windows; pass one weight per window.")


def test_two_dimensional_weights_are_refused(series):
    X, y, _ = series
    check(LSTMRegressor(**TINY_LSTM), X, y, np.ones((160, 2)), ValueError,
          "LSTMRegressor.fit: sample_weight has shape (160, 2); expected one "
          "weight per row, shape (160,).")


def test_non_finite_weights_are_named(series):
    X, y, w = series
    w = w.copy()
    w[[3, 50]] = [np.nan, np.inf]
    check(LSTMRegressor(**TINY_LSTM), X, y, w, ValueError,
          "LSTMRegressor.fit: sample_weight has 2 NaN or infinite value(s), the "
          "first at position 3; weights must be finite.")


def test_negative_weights_are_named(series):
    X, y, w = series
    w = w.copy()
    w[[8, 9]] = -1.0
    check(LSTMRegressor(**TINY_LSTM), X, y, w, ValueError,
          "LSTMRegressor.fit: sample_weight has 2 negative value(s), the first "
          "-1 at position 8; weights must be >= 0.")


def test_text_weights_are_refused(series):
    X, y, _ = series
    check(LSTMRegressor(**TINY_LSTM), X, y, ["a"] * 160, TypeError,
          "LSTMRegressor.fit: sample_weight has dtype <U1; expected numbers.")


def test_all_zero_weights_are_refused(series):
    X, y, _ = series
    check(LSTMRegressor(**TINY_LSTM), X, y, np.zeros(160), ValueError,
          "LSTMRegressor.fit: sample_weight is zero everywhere; at least one "
          "weight must be positive.")


def test_weights_zero_on_every_window_are_refused(series):
    X, y, _ = series
    w = np.zeros(160)
    w[: LOOKBACK - 1] = 1.0
    check(LSTMRegressor(**TINY_LSTM), X, y, w, ValueError,
          f"LSTMRegressor.fit: sample_weight is zero at every row that ends a "
          f"window (rows {LOOKBACK - 1} on, with lookback={LOOKBACK}); at least "
          "one of them must be positive.")


def test_a_validation_part_of_zero_weights_is_refused(series):
    X, y, _ = series
    w = np.ones(160)
    w[-30:] = 0.0
    n_valid = int(0.15 * (160 - LOOKBACK + 1))
    check(LSTMRegressor(**TINY_LSTM), X, y, w, ValueError,
          f"LSTMRegressor.fit: the last {n_valid} windows, held out for "
          "validation (validation_fraction=0.15), all have sample_weight 0, so "
          "their loss is undefined; give some of them weight, or set "
          "validation_fraction=0.")


def test_a_training_part_of_zero_weights_is_refused(series):
    X, y, _ = series
    w = np.zeros(160)
    w[-5:] = 1.0
    n_valid = int(0.15 * (160 - LOOKBACK + 1))
    check(LSTMRegressor(**TINY_LSTM), X, y, w, ValueError,
          f"LSTMRegressor.fit: the training windows (all but the last {n_valid}, "
          "which are held out for validation) all have sample_weight 0, so there "
          "is nothing to learn from; give some of them weight, or lower "
          "validation_fraction.")
