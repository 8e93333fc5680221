"""LSTMRegressor(loss="quantile", quantiles=[...]): one network, several quantiles.

The loss is the mean pinball loss over outputs and levels of the scaled target;
``predict_quantiles`` maps the levels back to the scale of y, orders them
(isotonic projection across the levels) and clips them at ``lower_bound``;
``predict`` is the median read off them.
"""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY_LSTM, weighted_sine_series
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklstm import ConstrainedRegressor, LSTMRegressor
from sklstm.neural._data import WindowDataset, sliding_windows
from sklstm.neural._module import PinballLoss
from sklstm.neural._quantiles import (
    check_quantiles,
    median_of_quantiles,
    ordered_quantiles,
)

LOOKBACK = TINY_LSTM["lookback"]
LEVELS = [0.1, 0.5, 0.9]
QUANTILE = {**TINY_LSTM, "loss": "quantile", "quantiles": LEVELS}
PROPERTIES = settings(max_examples=40, deadline=None, derandomize=True)


@pytest.fixture(scope="module")
def series():
    return weighted_sine_series()


@pytest.fixture(scope="module")
def untrained(series):
    """One epoch at a learning rate that does not move the net: its levels are
    still the random initial ones, and they cross."""
    X, y, _ = series
    return LSTMRegressor(**{**QUANTILE, "max_epochs": 1, "patience": None,
                            "optimizer": "sgd", "lr": 1e-12}).fit(X, y)


@pytest.fixture(scope="module")
def fitted(series):
    X, y, _ = series
    return LSTMRegressor(**QUANTILE).fit(X, y)


def raw_outputs(est, X):
    """The net's unordered, scaled outputs for the full windows of X (rows
    ``lookback - 1 ..``), as ``(n_windows, n_outputs, n_quantiles)``."""
    windows = sliding_windows(np.asarray(X, dtype=np.float32), est.lookback)
    out = est.net_.predict(WindowDataset(windows)).astype(np.float64)
    return out.reshape(len(out), est.n_outputs_, len(est.quantiles_))


def hand_pinball(raw, y_scaled, levels):
    """Per-window mean over outputs and levels of max(q e, (q - 1) e)."""
    e = y_scaled[:, :, None] - raw
    q = np.asarray(levels)
    return np.maximum(q * e, (q - 1) * e).mean(axis=(1, 2))


# ------------------------------------------------------------ the loss
def test_pinball_loss_module_by_hand():
    loss = PinballLoss([0.25, 0.75], reduction="none")
    # two outputs, output-major: [out0 q.25, out0 q.75, out1 q.25, out1 q.75]
    y_pred = torch.tensor([[0.0, 2.0, 5.0, 5.0]])
    y_true = torch.tensor([[1.0, 3.0]])
    # out0: e = 1, -1 -> 0.25 * 1, (0.75 - 1) * -1; out1: e = -2 -> 0.75 * 2, 0.25 * 2
    expected = torch.tensor([[0.25, 0.25, 1.5, 0.5]])
    torch.testing.assert_close(loss(y_pred, y_true), expected)
    torch.testing.assert_close(PinballLoss([0.25, 0.75])(y_pred, y_true),
                               expected.mean())
    torch.testing.assert_close(PinballLoss([0.25, 0.75], "sum")(y_pred, y_true),
                               expected.sum())


def test_pinball_loss_refuses_an_unknown_reduction():
    with pytest.raises(ValueError, match=re.escape(
            "PinballLoss: reduction='max'; use 'mean', 'sum' or 'none'.")):
        PinballLoss([0.5], reduction="max")


@pytest.mark.parametrize("weighted", [False, True])
def test_train_and_valid_loss_are_the_mean_pinball_loss(series, weighted):
    """A learning rate so small that the net does not move during its one epoch:
    the recorded losses are the final net's (weighted) mean pinball losses of
    its raw outputs on the scaled target, over the windows of each part."""
    X, y, w = series
    est = LSTMRegressor(**{**QUANTILE, "max_epochs": 1, "patience": None,
                           "optimizer": "sgd", "lr": 1e-12})
    est.fit(X, y, sample_weight=w if weighted else None)
    raw = raw_outputs(est, X)
    y_scaled = ((y.to_numpy()[LOOKBACK - 1:, None] - est.target_offset_)
                / est.target_scale_)
    per_window = hand_pinball(raw, y_scaled, LEVELS)
    weights = w[LOOKBACK - 1:] if weighted else np.ones(len(per_window))
    n_valid = int(0.15 * len(per_window))
    train, valid = slice(None, -n_valid), slice(-n_valid, None)
    row = est.loss_history_.iloc[-1]
    np.testing.assert_allclose(
        row["train_loss"], np.average(per_window[train], weights=weights[train]),
        rtol=1e-4)
    np.testing.assert_allclose(
        row["valid_loss"], np.average(per_window[valid], weights=weights[valid]),
        rtol=1e-4)


def test_levels_map_back_linearly_and_are_ordered(series, untrained):
    X, _, _ = series
    raw = raw_outputs(untrained, X)
    assert (np.diff(raw, axis=-1) < 0).any(), "the untrained levels should cross"
    scale, offset = untrained.target_scale_[:, None], untrained.target_offset_[:, None]
    on_y_scale = raw * scale + offset
    expected = ordered_quantiles(on_y_scale)[:, 0, :]
    np.testing.assert_allclose(untrained.predict_quantiles(X)[LOOKBACK - 1:],
                               expected, rtol=1e-6)


def test_equal_weights_train_exactly_as_no_weights(series):
    X, y, _ = series
    plain = LSTMRegressor(**QUANTILE).fit(X, y)
    equal = LSTMRegressor(**QUANTILE).fit(X, y, sample_weight=np.full(len(X), 2.0))
    np.testing.assert_array_equal(equal.predict_quantiles(X),
                                  plain.predict_quantiles(X))


def test_unequal_weights_change_the_fit(series, fitted):
    X, y, w = series
    weighted = LSTMRegressor(**QUANTILE).fit(X, y, sample_weight=w)
    assert not np.array_equal(weighted.predict_quantiles(X),
                              fitted.predict_quantiles(X))


# ------------------------------------------------------------ coverage
def test_the_10_90_band_covers_80_percent_of_gaussian_noise():
    """y = signal + N(0, sigma): the true 0.1 and 0.9 quantiles are the signal
    -+ 1.28 sigma, so the band should hold ~80% of new rows (500 held out:
    about 2 points of sampling error) and be ~2.56 sigma wide."""
    rng = np.random.default_rng(5)
    n_train, n_test, sigma = 1500, 500, 0.3
    t = np.arange(n_train + n_test)
    X = np.column_stack([np.sin(2 * np.pi * t / 20), np.cos(2 * np.pi * t / 20)])
    y = np.sin(2 * np.pi * (t + 1) / 20) + sigma * rng.standard_normal(len(t))
    est = LSTMRegressor(lookback=6, hidden_size=16, max_epochs=30, patience=None,
                        lr=1e-2, batch_size=64, lr_scheduler="cosine",
                        validation_fraction=0.0, loss="quantile",
                        quantiles=[0.1, 0.5, 0.9], n_threads=1, random_state=5)
    est.fit(X[:n_train], y[:n_train])
    band = est.predict_quantiles(X)[n_train:]
    held_out = y[n_train:]
    coverage = np.mean((held_out >= band[:, 0]) & (held_out <= band[:, 2]))
    assert abs(coverage - 0.80) <= 0.07, coverage
    width = np.mean(band[:, 2] - band[:, 0]) / (2 * 1.2816 * sigma)
    assert 0.85 <= width <= 1.15, width
    np.testing.assert_allclose(est.predict(X)[n_train:], band[:, 1])


# ------------------------------------------------------------ median, shapes
def test_predict_is_the_05_level(series, fitted):
    X, _, _ = series
    np.testing.assert_array_equal(fitted.predict(X), fitted.predict_quantiles(X)[:, 1])


def test_without_05_predict_interpolates_between_the_levels_either_side(series):
    X, y, _ = series
    est = LSTMRegressor(**{**QUANTILE, "quantiles": [0.6, 0.2]}).fit(X, y)
    np.testing.assert_array_equal(est.quantiles_, [0.2, 0.6])
    bands = est.predict_quantiles(X)
    # 0.5 is three quarters of the way from 0.2 to 0.6
    np.testing.assert_allclose(est.predict(X), 0.25 * bands[:, 0] + 0.75 * bands[:, 1])


def test_one_level_all_on_one_side_predicts_that_level(series):
    X, y, _ = series
    est = LSTMRegressor(**{**QUANTILE, "quantiles": [0.9]}).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), est.predict_quantiles(X)[:, 0])


def test_shapes_follow_y(series):
    X, y, _ = series
    Y = np.column_stack([y, 2 * y + 1])
    two = LSTMRegressor(**QUANTILE).fit(X, Y)
    assert two.predict(X).shape == (len(X), 2)
    assert two.predict_quantiles(X).shape == (len(X), 2, 3)
    assert two.net_.module_.head.out_features == 6
    np.testing.assert_array_equal(two.predict(X), two.predict_quantiles(X)[:, :, 1])
    one_column = LSTMRegressor(**QUANTILE).fit(X, Y[:, :1])
    assert one_column.predict(X).shape == (len(X), 1)
    assert one_column.predict_quantiles(X).shape == (len(X), 1, 3)


def test_ready_windows_predict_quantiles(series, fitted):
    X, y, _ = series
    windows = sliding_windows(X.to_numpy(np.float32), LOOKBACK)
    est = LSTMRegressor(**QUANTILE).fit(windows, y.to_numpy()[LOOKBACK - 1:])
    assert est.predict_quantiles(windows).shape == (len(windows), 3)


def test_constrained_regressor_keeps_the_median_non_negative(series):
    X, y, _ = series
    model = ConstrainedRegressor(LSTMRegressor(**QUANTILE)).fit(X, y)
    assert (model.predict(X) >= 0).all()
    inner = model.regressor_
    assert (inner.predict(X) < 0).any(), "the bound should have had work to do"
    assert (inner.predict_quantiles(X, lower_bound=0) >= 0).all()


def test_softplus_output_keeps_every_level_non_negative(series):
    X, y, _ = series
    est = LSTMRegressor(**{**QUANTILE, "output_activation": "softplus"}).fit(X, y + 2)
    assert (est.predict_quantiles(X) >= 0).all()


# ------------------------------------------------------------ properties
@PROPERTIES
@given(
    pred=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, max_side=6),
                    elements=st.floats(-1e6, 1e6)),
    lower=st.one_of(st.none(), st.floats(-1e6, 1e6)),
)
def test_ordered_quantiles_never_cross_and_respect_the_bound(pred, lower):
    out = ordered_quantiles(pred, lower)
    assert out.shape == pred.shape
    assert (np.diff(out, axis=-1) >= 0).all()
    if lower is not None:
        assert (out >= lower).all()
    else:  # an L2 projection onto ascending rows keeps each row's mean
        np.testing.assert_allclose(out.mean(axis=-1), pred.mean(axis=-1),
                                   rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(ordered_quantiles(out, lower), out)  # idempotent


@PROPERTIES
@given(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=5).map(sorted))
def test_rows_already_in_order_are_left_alone(row):
    pred = np.array([row])
    np.testing.assert_array_equal(ordered_quantiles(pred), pred)


@PROPERTIES
@given(
    levels=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=6, unique=True),
    pred=hnp.arrays(np.float64, (4, 6), elements=st.floats(-1e3, 1e3)),
)
def test_median_lies_between_the_levels(levels, pred):
    levels = check_quantiles(levels)
    ordered = ordered_quantiles(pred[:, : len(levels)])
    median = median_of_quantiles(ordered, levels)
    assert (median >= ordered[:, 0] - 1e-9).all()
    assert (median <= ordered[:, -1] + 1e-9).all()


@PROPERTIES
@given(
    X=hnp.arrays(np.float64, st.tuples(st.integers(1, 20), st.just(2)),
                 elements=st.floats(-5.0, 5.0)),
    lower=st.one_of(st.none(), st.floats(-3.0, 3.0)),
)
def test_predict_quantiles_never_cross_and_respect_the_bound(untrained, X, lower):
    X = pd.DataFrame(X, columns=["sin", "cos"])
    bands = untrained.predict_quantiles(X, lower_bound=lower)
    assert bands.shape == (len(X), 3)
    assert (np.diff(bands, axis=1) >= 0).all()
    if lower is not None:
        assert (bands >= lower).all()


# ------------------------------------------------------------ persistence
def test_pickle_round_trip_predicts_the_same(series, fitted):
    X, _, _ = series
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(back.predict_quantiles(X, lower_bound=0.0),
                                  fitted.predict_quantiles(X, lower_bound=0.0))
    np.testing.assert_array_equal(back.quantiles_, fitted.quantiles_)


# ------------------------------------------------------------ errors
def fit_error(series, **params):
    X, y, _ = series
    return LSTMRegressor(**{**TINY_LSTM, **params}).fit(X, y)


def test_quantile_loss_needs_quantiles(series):
    with pytest.raises(ValueError, match=re.escape(
            "LSTMRegressor.fit: loss='quantile' needs quantiles, the levels to "
            "predict, but quantiles=None; pass e.g. quantiles=[0.1, 0.5, 0.9], or "
            "choose another loss.")):
        fit_error(series, loss="quantile")


def test_quantiles_need_the_quantile_loss(series):
    with pytest.raises(ValueError, match=re.escape(
            "LSTMRegressor.fit: quantiles=[0.1, 0.9] are trained only with "
            "loss='quantile', but loss='mae'; set loss='quantile', or "
            "quantiles=None.")):
        fit_error(series, loss="mae", quantiles=[0.1, 0.9])


@pytest.mark.parametrize("levels, message", [
    ([0.0, 0.5], "LSTMRegressor.fit: every quantile level must lie strictly between "
                 "0 and 1, but quantiles holds [0.0]; use levels such as 0.05 or "
                 "0.95 (0 and 1 are the unbounded extremes)."),
    ([0.5, 1.0, 1.5], "but quantiles holds [1.0, 1.5];"),
    ([np.nan, 0.5], "but quantiles holds [nan];"),
    ([0.9, 0.1, 0.9], "LSTMRegressor.fit: quantiles holds [0.9] more than once; "
                      "each level must appear once (the levels are sorted, so "
                      "they must be strictly increasing). Remove the duplicates."),
    ([], "LSTMRegressor.fit: quantiles must be a non-empty flat list of levels, "
         "got [] (shape (0,)); pass e.g. quantiles=[0.1, 0.5, 0.9]."),
    ([[0.1, 0.5]], "quantiles must be a non-empty flat list of levels, got "
                   "[[0.1, 0.5]] (shape (1, 2))"),
])
def test_bad_levels_are_refused(series, levels, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fit_error(series, loss="quantile", quantiles=levels)


@pytest.mark.parametrize("levels", [["0.1", "0.9"], [True, False], [0.1, None]])
def test_levels_that_are_not_numbers_are_refused(series, levels):
    with pytest.raises(TypeError, match=re.escape(
            f"LSTMRegressor.fit: quantiles must be numbers in (0, 1), got {levels!r}")):
        fit_error(series, loss="quantile", quantiles=levels)


def test_a_scalar_quantiles_is_refused_by_the_parameter_check(series):
    with pytest.raises(InvalidParameterError, match=re.escape(
            "The 'quantiles' parameter of LSTMRegressor must be an array-like or "
            "None. Got 0.5 instead.")):
        fit_error(series, loss="quantile", quantiles=0.5)


def test_the_loss_options_name_quantile(series):
    with pytest.raises(InvalidParameterError, match="'quantile'"):
        fit_error(series, loss="pinball")


def test_predict_quantiles_needs_the_quantile_loss(series):
    est = LSTMRegressor(**TINY_LSTM)
    assert not hasattr(est, "predict_quantiles")
    with pytest.raises(AttributeError, match=re.escape(
            "LSTMRegressor.predict_quantiles: only a model trained with "
            "loss='quantile' predicts quantiles, but loss='mse'; set "
            "loss='quantile' and quantiles=[...], and fit again.")):
        est.predict_quantiles  # noqa: B018


def test_predict_quantiles_before_fit(series):
    with pytest.raises(NotFittedError):
        LSTMRegressor(**QUANTILE).predict_quantiles(series[0])


def test_predict_quantiles_after_switching_the_loss_without_refit(series):
    X, y, _ = series
    est = LSTMRegressor(**TINY_LSTM).fit(X, y)
    est.set_params(loss="quantile", quantiles=LEVELS)
    with pytest.raises(NotFittedError, match=re.escape(
            "LSTMRegressor.predict_quantiles: the model was last fitted without "
            "quantiles, and loss='quantile' was set afterwards; fit it again.")):
        est.predict_quantiles(X)


def test_refit_without_quantiles_drops_them(series):
    X, y, _ = series
    est = LSTMRegressor(**QUANTILE).fit(X, y)
    est.set_params(loss="mse", quantiles=None).fit(X, y)
    assert not hasattr(est, "quantiles_")
    assert est.predict(X).shape == (len(X),)


@pytest.mark.parametrize("bound, error, message", [
    ("0", TypeError, "LSTMRegressor.predict_quantiles: lower_bound must be a real "
                     "number or None, got '0' of type str; pass e.g. lower_bound=0 "
                     "for a non-negative series."),
    (True, TypeError, "got True of type bool"),
    (np.inf, ValueError, "LSTMRegressor.predict_quantiles: lower_bound must be "
                         "finite, got inf; pass a finite number, or None for no "
                         "bound."),
])
def test_bad_lower_bound(series, fitted, bound, error, message):
    with pytest.raises(error, match=re.escape(message)):
        fitted.predict_quantiles(series[0], lower_bound=bound)


def test_predict_quantiles_names_itself_in_data_errors(series, fitted):
    with pytest.raises(ValueError, match=r"^LSTMRegressor\.predict_quantiles: "):
        fitted.predict_quantiles(pd.DataFrame(np.zeros((5, 3)), columns=list("abc")))
