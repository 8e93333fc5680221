"""LSTMRegressor on real numbers: learning, early stopping, reproducibility,
persistence, devices, bad input."""

import io
import pickle
import re
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback

import sklstm.neural._regressor as regressor_module
from sklstm import LSTMRegressor
from sklstm.neural._data import sliding_windows

LOOKBACK = 12
FAST = {"hidden_size": 16, "n_threads": 1, "random_state": 0}


def sine_frame(n=360, start=0, seed=0):
    """Sine and cosine of period 24 with a little noise; y is the next sine."""
    rng = np.random.default_rng(seed)
    t = np.arange(start, start + n)
    X = pd.DataFrame(
        {
            "sin": np.sin(2 * np.pi * t / 24) + 0.05 * rng.standard_normal(n),
            "cos": np.cos(2 * np.pi * t / 24),
        },
        index=pd.RangeIndex(start, start + n),
    )
    y = pd.Series(np.sin(2 * np.pi * (t + 1) / 24), index=X.index, name="y")
    return X, y


@pytest.fixture(scope="module")
def data():
    X, y = sine_frame(420)
    return X.iloc[:360], y.iloc[:360], X.iloc[360:], y.iloc[360:]


@pytest.fixture(scope="module")
def fitted(data):
    X, y, _, _ = data
    return LSTMRegressor(LOOKBACK, lr=1e-2, max_epochs=40, patience=8, **FAST).fit(X, y)


class Probe(Callback):
    """Records what a fit looked like from inside skorch."""

    def initialize(self):
        self.threads = None
        self.valid_positions = None
        self.n_train = None
        return self

    def on_train_begin(self, net, **kwargs):
        self.threads = torch.get_num_threads()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.n_train = len(dataset_train)
        if dataset_valid is not None:
            self.valid_positions = np.asarray(dataset_valid.positions)


def probe_of(est):
    return dict(est.net_.callbacks_)["probe"]


# ---------------------------------------------------------------- learning
def test_learns_a_sine_one_step_ahead_far_better_than_the_mean(fitted, data):
    _, _, X_test, y_test = data
    pred = fitted.predict(X_test)
    rmse = np.sqrt(np.mean((pred - y_test.to_numpy()) ** 2))
    rmse_mean = np.sqrt(np.mean((y_test - y_test.mean()) ** 2))
    assert rmse < 0.2 * rmse_mean, (rmse, rmse_mean)


def test_one_prediction_per_row_with_edge_padded_first_rows(fitted, data):
    X, _, _, _ = data
    pred = fitted.predict(X)
    assert pred.shape == (len(X),) and pred.dtype == np.float64
    assert np.isfinite(pred).all()
    # row 0 sees a window made of copies of row 0
    padded = pd.DataFrame(np.repeat(X.to_numpy()[:1], LOOKBACK, axis=0),
                          columns=X.columns)
    np.testing.assert_allclose(pred[0], fitted.predict(padded)[-1], rtol=1e-5)
    # fewer rows than lookback still gives one prediction per row
    assert fitted.predict(X.iloc[:3]).shape == (3,)


def test_history_continues_from_the_fit_tail(fitted, data):
    X, _, X_test, _ = data
    whole = fitted.predict(pd.concat([X, X_test]))
    continued = fitted.predict(X_test)
    np.testing.assert_allclose(continued, whole[len(X):], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fitted.history_.tail, X.to_numpy()[-(LOOKBACK - 1):])
    # an index that does not continue the fit rows: the first rows are padded
    alone = fitted.predict(X_test.set_axis(X_test.index + 1000))
    assert not np.allclose(alone[:3], continued[:3])
    np.testing.assert_allclose(alone[LOOKBACK:], continued[LOOKBACK:], rtol=1e-5)


def test_training_summary(fitted):
    hist = fitted.loss_history_
    assert list(hist.columns) == ["train_loss", "valid_loss", "lr", "dur"]
    assert len(hist) == fitted.n_epochs_ and hist.index[0] == 1
    assert np.isfinite(hist[["train_loss", "valid_loss"]].to_numpy()).all()
    assert hist["train_loss"].iloc[-1] < 0.2 * hist["train_loss"].iloc[0]
    assert fitted.best_epoch_ == hist["valid_loss"].idxmin()
    assert isinstance(fitted.stop_reason_, str) and fitted.stop_reason_
    assert fitted.device_ == "cpu"


def test_two_outputs_come_back_two_dimensional(data):
    X, y, X_test, _ = data
    Y = np.column_stack([y, 10.0 + 3.0 * y.shift(-1).ffill()])
    est = LSTMRegressor(6, lr=1e-2, max_epochs=15, **FAST).fit(X, Y)
    pred = est.predict(X_test)
    assert pred.shape == (len(X_test), 2)
    # target scaling per output is undone: the second output lives near 10
    assert abs(pred[:, 1].mean() - 10.0) < 1.0
    col = LSTMRegressor(6, max_epochs=2, **FAST).fit(X, y.to_numpy()[:, None])
    assert col.predict(X_test).shape == (len(X_test), 1)


def test_ready_windows_give_the_same_model_as_rows(data):
    X, y, _, _ = data
    params = dict(lr=1e-2, max_epochs=5, **FAST)
    from_rows = LSTMRegressor(LOOKBACK, **params).fit(X, y)
    windows = sliding_windows(X.to_numpy(), LOOKBACK)
    from_windows = LSTMRegressor(LOOKBACK, **params).fit(
        np.ascontiguousarray(windows), y.to_numpy()[LOOKBACK - 1 :]
    )
    assert from_windows.n_features_in_ == 2 and from_windows.history_ is None
    np.testing.assert_allclose(
        from_windows.predict(np.ascontiguousarray(windows)),
        from_rows.predict(X)[LOOKBACK - 1 :],
        rtol=1e-5,
    )
    with pytest.raises(ValueError, match=r"windows of 5 steps but lookback=12"):
        from_windows.predict(np.zeros((3, 5, 2)))
    with pytest.raises(ValueError, match=r"X has 3 features, but LSTMRegressor is "
                       r"expecting 2 features"):
        from_windows.predict(np.zeros((3, LOOKBACK, 3)))


# ----------------------------------------------------------- early stopping
def test_early_stopping_restores_the_best_epoch():
    # pure noise: the validation loss can only get worse once the net overfits
    rng = np.random.default_rng(1)
    X = rng.standard_normal((240, 3))
    y = rng.standard_normal(240)
    est = LSTMRegressor(8, hidden_size=32, lr=3e-2, batch_size=16, max_epochs=60,
                        patience=4, validation_fraction=0.25, n_threads=1,
                        random_state=0).fit(X, y)
    assert est.n_epochs_ < 60
    assert est.n_epochs_ == est.best_epoch_ + 4
    assert "early stopping" in est.stop_reason_
    # the validation loss of the final model is the loss at the best epoch
    n_windows = len(X) - 8 + 1
    n_valid = int(0.25 * n_windows)
    pred = est.predict(X)[-n_valid:]
    scaled = (pred - y[-n_valid:]) / est.target_scale_[0]
    valid_loss = np.mean(scaled**2)
    best = est.loss_history_.loc[est.best_epoch_, "valid_loss"]
    last = est.loss_history_["valid_loss"].iloc[-1]
    np.testing.assert_allclose(valid_loss, best, rtol=1e-4)
    assert not np.isclose(valid_loss, last, rtol=1e-4)


def test_validation_part_is_the_last_windows_in_time(data):
    X, y, _, _ = data
    est = LSTMRegressor(LOOKBACK, max_epochs=1, validation_fraction=0.2,
                        callbacks=[("probe", Probe())], **FAST).fit(X, y)
    n_windows = len(X) - LOOKBACK + 1
    n_valid = int(0.2 * n_windows)
    probe = probe_of(est)
    np.testing.assert_array_equal(
        probe.valid_positions, np.arange(n_windows - n_valid, n_windows)
    )
    assert probe.n_train == n_windows - n_valid
    no_valid = LSTMRegressor(LOOKBACK, max_epochs=2, validation_fraction=0.0,
                             **FAST).fit(X, y)
    assert "valid_loss" not in no_valid.loss_history_


# ---------------------------------------------------- parameters that matter
def test_reproducible_and_leaves_torch_global_rng_alone(data):
    X, y, X_test, _ = data
    params = dict(max_epochs=3, dropout=0.2, num_layers=2, **FAST)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = LSTMRegressor(6, **params).fit(X, y)
    assert torch.equal(torch.rand(3), expected), "global torch RNG untouched"
    b = LSTMRegressor(6, **params).fit(X, y)
    np.testing.assert_array_equal(a.predict(X_test), b.predict(X_test))
    c = LSTMRegressor(6, **{**params, "random_state": 1}).fit(X, y)
    assert not np.allclose(a.predict(X_test), c.predict(X_test))


def test_cosine_schedule_and_plateau_schedule(data):
    X, y, _, _ = data
    est = LSTMRegressor(6, max_epochs=4, lr=1e-2, lr_scheduler="cosine",
                        patience=None, **FAST).fit(X, y)
    lr = est.loss_history_["lr"].to_numpy()
    expected = 1e-2 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2
    np.testing.assert_allclose(lr, expected, rtol=1e-6)
    assert est.stop_reason_ == "max_epochs=4 reached"
    flat = LSTMRegressor(6, max_epochs=3, lr_scheduler="plateau", **FAST).fit(X, y)
    assert (flat.loss_history_["lr"] <= 1e-3).all()


@pytest.mark.parametrize("optimizer", ["adamw", "rmsprop", "sgd", torch.optim.Adagrad])
def test_optimizers(data, optimizer):
    X, y, _, _ = data
    est = LSTMRegressor(4, optimizer=optimizer, max_epochs=2, weight_decay=1e-4,
                        gradient_clip=1.0, **FAST).fit(X, y)
    expected = optimizer if isinstance(optimizer, type) else None
    if expected is not None:
        assert isinstance(est.net_.optimizer_, expected)
    assert est.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-4
    assert np.isfinite(est.predict(X)).all()


def test_l1_shrinks_the_weights(data):
    X, y, _, _ = data

    def mean_abs_weight(l1):
        est = LSTMRegressor(4, l1=l1, lr=1e-2, max_epochs=6, patience=None,
                            **FAST).fit(X, y)
        return np.mean([p.abs().mean().item()
                        for n, p in est.net_.module_.named_parameters()
                        if "weight" in n])

    assert mean_abs_weight(1e-2) < 0.8 * mean_abs_weight(0.0)


def test_non_negative_output_stays_non_negative_on_the_original_scale(data):
    X, y, _, _ = data
    target = y - 0.5  # mostly negative
    est = LSTMRegressor(4, output_activation="softplus", max_epochs=3, **FAST)
    pred = est.fit(X, target).predict(X)
    assert (pred >= 0).all()
    assert est.target_offset_[0] == 0.0, "no centering with an output bound"


def test_target_scaling_is_undone_at_predict(data):
    X, y, X_test, y_test = data
    big = 1000.0 + 500.0 * y
    est = LSTMRegressor(LOOKBACK, lr=1e-2, max_epochs=20, **FAST).fit(X, big)
    np.testing.assert_allclose(est.target_offset_, [big.iloc[LOOKBACK - 1 :].mean()])
    pred = est.predict(X_test)
    assert np.sqrt(np.mean((pred - (1000.0 + 500.0 * y_test)) ** 2)) < 0.3 * 500


def test_verbose_prints_one_line_per_epoch(data, capsys):
    X, y, _, _ = data
    LSTMRegressor(4, max_epochs=3, verbose=1, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "valid_loss" in out
    lines = [ln for ln in out.splitlines() if re.match(r"^\s+\d+\s", ln)]
    assert len(lines) == 3


def test_extra_callbacks_run_on_the_given_instance(data):
    X, y, _, _ = data
    probe = Probe()
    est = LSTMRegressor(4, max_epochs=1, n_threads=1, callbacks=[("probe", probe)],
                        random_state=0).fit(X, y)
    assert probe_of(est) is probe, "the given callback is used, as skorch does"
    assert probe.threads == 1, "torch ran with n_threads during fit"


def test_thread_count_is_set_during_fit_and_restored(data):
    X, y, _, _ = data
    before = torch.get_num_threads()
    target = 2 if before == 1 else 1
    est = LSTMRegressor(4, max_epochs=1, n_threads=target, random_state=0,
                        callbacks=[("probe", Probe())]).fit(X, y)
    assert probe_of(est).threads == target
    assert torch.get_num_threads() == before


# ------------------------------------------------------------- persistence
def test_pickle_and_joblib_round_trips_predict_the_same(fitted, data):
    _, _, X_test, _ = data
    expected = fitted.predict(X_test)
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.predict(X_test), expected)
    buf = io.BytesIO()
    joblib.dump(fitted, buf)
    buf.seek(0)
    np.testing.assert_array_equal(joblib.load(buf).predict(X_test), expected)
    assert len(pickle.dumps(fitted)) < 200_000, "no training data in the pickle"


def test_a_model_saved_on_cuda_loads_on_a_cpu_only_machine(fitted, data, monkeypatch):
    _, _, X_test, _ = data
    expected = fitted.predict(X_test)
    payload = pickle.loads(pickle.dumps(fitted))
    # what a GPU-trained model records about itself
    payload.device_ = "cuda"
    payload.net_.device = "cuda"
    blob = pickle.dumps(payload)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = pickle.loads(blob)
    assert any("CUDA" in str(w.message) for w in caught)
    assert loaded.device_ == "cpu" and str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict(X_test), expected)


def test_device_resolution(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert regressor_module.resolve_device("auto") == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert regressor_module.resolve_device("auto") == "cpu"
    X, y = sine_frame(40)
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: device='cuda' but "
                       r"torch sees no CUDA device.*device='auto'"):
        LSTMRegressor(4, device="cuda").fit(X, y)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_trains_on_cuda_and_predicts_on_cpu_after_loading(data, monkeypatch):
    X, y, X_test, _ = data
    est = LSTMRegressor(LOOKBACK, device="cuda", max_epochs=5, **FAST).fit(X, y)
    assert est.device_ == "cuda"
    assert next(est.net_.module_.parameters()).is_cuda
    expected = est.predict(X_test)
    blob = pickle.dumps(est)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = pickle.loads(blob)
    assert loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.predict(X_test), expected, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------- bad input
def test_nan_in_X_names_column_and_row(data):
    X, y, _, _ = data
    bad = X.copy()
    bad.iloc[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: X 'cos' contains 1 "
                       r"NaN value\(s\), at row\(s\) 7"):
        LSTMRegressor(4).fit(bad, y)


def test_non_finite_y_names_output_and_rows(data):
    X, y, _, _ = data
    bad = y.to_numpy().copy()
    bad[[5, 9]] = np.inf
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: y output 0 contains 2 "
                       r"infinite value\(s\), at row\(s\) 5, 9; the target must be "
                       r"finite"):
        LSTMRegressor(4).fit(X, bad)
    Y = np.column_stack([y, y])
    Y[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"y output 1 contains 1 NaN value\(s\), "
                       r"at row\(s\) 3"):
        LSTMRegressor(4).fit(X.to_numpy(), Y)


def test_too_few_rows_says_how_many_are_needed(data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: X has 5 rows .* but "
                       r"lookback=12 needs at least 12; lower lookback"):
        LSTMRegressor(12).fit(X.iloc[:5], y.iloc[:5])


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_wrong_feature_count_at_predict(fitted, data):
    _, _, X_test, _ = data
    with pytest.raises(ValueError, match=r"X has 1 features, but LSTMRegressor is "
                       r"expecting 2 features"):
        fitted.predict(X_test.to_numpy()[:, :1])
    with pytest.raises(ValueError, match=r"(?s)LSTMRegressor.predict: The feature "
                       r"names should match.*missing:\n- cos"):
        fitted.predict(X_test[["sin"]])
    with pytest.raises(ValueError, match=r"LSTMRegressor.predict: X 'sin' contains "
                       r"1 infinite value"):
        fitted.predict(X_test.assign(sin=np.r_[np.inf, X_test["sin"].iloc[1:]]))


def test_diverging_loss_stops_with_epoch_and_hint():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = 1e6 * X[:, 0]
    est = LSTMRegressor(4, hidden_size=8, optimizer="sgd", lr=10.0,
                        scale_target=False, max_epochs=20, n_threads=1,
                        random_state=0)
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: the (train|valid) loss "
                       r"became (nan|inf) at epoch \d+; training diverged. Lower lr "
                       r"\(now 10\), scale the inputs"):
        est.fit(X, y)


def test_y_missing_and_invalid_parameters(data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="requires y to be passed"):
        LSTMRegressor(4).fit(X)
    with pytest.raises(ValueError, match="'optimizer' parameter"):
        LSTMRegressor(4, optimizer="adadelta").fit(X, y)
    with pytest.raises(ValueError, match="'validation_fraction' parameter"):
        LSTMRegressor(4, validation_fraction=1.0).fit(X, y)
