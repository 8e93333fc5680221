"""Saving and loading fitted models: pickle and joblib, CPU and GPU.

A fitted pipeline ending in an LSTMRegressor must predict exactly the same
after a round trip through ``pickle`` or ``joblib``, in this process and in a
fresh one. A model trained on a GPU must load and predict on a machine
without one: skorch saves the weights with their device, and loading maps
CUDA storages to the CPU when no CUDA device is visible. That path is tested
here without a GPU by tagging the saved storages as CUDA ones, which a
loader that does not map them refuses to read; the ``gpu``-marked test does
the same with a real GPU-trained model.
"""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY_LSTM
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.exceptions import DeviceWarning

from sklstm import (
    ConstrainedRegressor,
    Interpolator,
    LagFeatures,
    LSTMRegressor,
    MedianOutlierFilter,
    SeasonalSine,
)

TINY = {**TINY_LSTM, "batch_size": 16}


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=n, freq="D")
    t = np.arange(n)
    load = 50 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, n)
    load[[15, 16, 70]] = np.nan
    load[40] = 500.0  # an outlier
    X = pd.DataFrame({"load": load, "temp": 20 + rng.normal(0, 2, n)}, index=index)
    y = pd.Series(np.nan_to_num(np.roll(load, -1), nan=50.0), index=index)
    return X, y


def _model():
    return Pipeline([
        ("fill", Interpolator(method="time")),
        ("clean", MedianOutlierFilter(window=7)),
        ("lags", LagFeatures(lags=[1, 7])),
        ("season", SeasonalSine(periods=[7])),
        ("scale", StandardScaler()),
        ("model", ConstrainedRegressor(LSTMRegressor(**TINY), non_negative="clip")),
    ]).set_output(transform="pandas")


@pytest.fixture(scope="module")
def fitted():
    X, y = _data()
    model = _model().fit(X.iloc[:100], y.iloc[:100])
    return model, X


def _lstm(model):
    return model.named_steps["model"].regressor_


def _predictions(model, X):
    # the whole series, and a fold that continues the fit rows (history used)
    return np.concatenate([model.predict(X), model.predict(X.iloc[100:])])


def test_pickle_round_trip_predicts_the_same(fitted):
    model, X = fitted
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(_predictions(loaded, X), _predictions(model, X))
    assert _lstm(loaded).device_ == "cpu"
    pd.testing.assert_frame_equal(_lstm(loaded).loss_history_,
                                  _lstm(model).loss_history_)


def test_joblib_round_trip_predicts_the_same(fitted, tmp_path):
    model, X = fitted
    path = tmp_path / "model.joblib"
    joblib.dump(model, path, compress=3)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(_predictions(loaded, X), _predictions(model, X))


def test_loaded_model_predicts_the_same_in_a_fresh_process(fitted, tmp_path):
    model, X = fitted
    joblib.dump(model, tmp_path / "model.joblib")
    X.to_pickle(tmp_path / "X.pkl")
    script = (
        "import sys, joblib, numpy as np, pandas as pd\n"
        "d = sys.argv[1]\n"
        "model = joblib.load(d + '/model.joblib')\n"
        "X = pd.read_pickle(d + '/X.pkl')\n"
        "np.save(d + '/pred.npy', model.predict(X))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True,
                   timeout=120)
    np.testing.assert_array_equal(np.load(tmp_path / "pred.npy"), model.predict(X))


def test_loaded_model_refits_like_the_original(fitted):
    model, X = fitted
    X, y = _data()
    loaded = pickle.loads(pickle.dumps(model))
    again = clone(loaded).fit(X.iloc[:100], y.iloc[:100])
    np.testing.assert_allclose(again.predict(X), model.predict(X), rtol=1e-6)


#: What a fitted sklstm pipeline asks skops to trust (docs: "Saving and loading").
SKOPS_TRUSTED = {
    "builtins.print", "functools.partial",
    "skorch.callbacks.logging.EpochTimer",
    "skorch.callbacks.scoring.PassthroughScoring", "skorch.dataset.Dataset",
    "skorch.history.History", "skorch.setter.optimizer_setter",
    "torch.nn.modules.loss.MSELoss", "torch.optim.adam.Adam",
}


def test_skops_round_trip_predicts_the_same(fitted, tmp_path):
    sio = pytest.importorskip("skops.io")
    model, X = fitted
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = set(sio.get_untrusted_types(file=path))
    # sklstm's own classes, and the pandas offset of a SeasonalSine's time step
    own = {t for t in untrusted
           if t.startswith(("sklstm.", "pandas._libs.tslibs.offsets."))}
    assert untrusted - own <= SKOPS_TRUSTED, untrusted - own - SKOPS_TRUSTED
    assert "sklstm.neural._regressor.LSTMRegressor" in own
    loaded = sio.load(path, trusted=sorted(untrusted))
    np.testing.assert_array_equal(_predictions(loaded, X), _predictions(model, X))
    lstm = _lstm(loaded)
    assert list(lstm.loss_history_.columns) == list(_lstm(model).loss_history_.columns)
    np.testing.assert_array_equal(lstm.loss_history_, _lstm(model).loss_history_)


def test_unfitted_model_round_trips_with_its_parameters():
    model = _model()
    loaded = pickle.loads(pickle.dumps(model))
    assert repr(loaded.get_params()) == repr(model.get_params())


def test_saved_model_does_not_carry_the_training_rows():
    """Only the last ``lookback - 1`` rows (for history) travel with the model."""
    X, y = _data(300)
    X = X.fillna(50.0)
    model = LSTMRegressor(**TINY).fit(X, y)
    blob = pickle.dumps(model)
    # y[i] is the load of row i + 1: row 300 - lookback - 1 is the last one
    # whose values are in no remembered row
    for row in (0, 150, 300 - TINY["lookback"] - 1):
        for value in (X["temp"].iloc[row], y.iloc[row]):
            for dtype in (np.float64, np.float32):
                assert np.asarray(value, dtype=dtype).tobytes() not in blob, row
    last = np.asarray(X["temp"].iloc[-1], dtype=np.float64).tobytes()
    assert last in blob, "the remembered tail is part of the model"


# --------------------------------------------------------------------------
# Trained on a GPU, loaded on a CPU-only machine
# --------------------------------------------------------------------------


def _as_if_trained_on_cuda(model):
    """Make ``model`` claim it was trained on ``cuda`` (its tensors stay here)."""
    gpu = pickle.loads(pickle.dumps(model))
    gpu.device = "cuda"
    gpu.device_ = "cuda"
    gpu.net_.device = "cuda"
    return gpu


def _dumps_with_cuda_storages(obj, monkeypatch) -> bytes:
    """Pickle ``obj`` with every torch storage tagged as living on ``cuda:0``.

    This is what ``torch.save`` writes for a model on a GPU. Reading such a
    file without a ``map_location`` on a machine without CUDA fails, so a
    successful load below proves the loader mapped the weights to the CPU.
    """
    registry = list(torch.serialization._package_registry)
    with monkeypatch.context() as m:
        m.setattr(torch.serialization, "_package_registry",
                  [(0, lambda storage: "cuda:0", lambda obj, loc: None), *registry])
        return pickle.dumps(obj)


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_the_cuda_tag_alone_breaks_a_load_without_mapping(monkeypatch, no_cuda):
    """The fake is faithful: CUDA-tagged weights need mapping to load here."""
    buffer = io.BytesIO()
    registry = list(torch.serialization._package_registry)
    with monkeypatch.context() as m:
        m.setattr(torch.serialization, "_package_registry",
                  [(0, lambda storage: "cuda:0", lambda obj, loc: None), *registry])
        torch.save({"w": torch.ones(3)}, buffer)
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(buffer, weights_only=True)
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True, map_location="cpu")["w"].sum() == 3


def test_model_trained_on_cuda_loads_and_predicts_on_cpu(fitted, monkeypatch, no_cuda):
    model, X = fitted
    gpu_model = pickle.loads(pickle.dumps(model))
    gpu_model.named_steps["model"].regressor_ = _as_if_trained_on_cuda(_lstm(model))
    blob = _dumps_with_cuda_storages(gpu_model, monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = pickle.loads(blob)
    assert any(issubclass(w.category, DeviceWarning) for w in caught), (
        "loading CUDA weights without a GPU should say they went to the CPU"
    )
    loaded_lstm = _lstm(loaded)
    assert loaded_lstm.device_ == "cpu"
    assert str(loaded_lstm.net_.device) == "cpu"
    assert all(p.device.type == "cpu" for p in loaded_lstm.net_.module_.parameters())
    np.testing.assert_array_equal(_predictions(loaded, X), _predictions(model, X))


@pytest.mark.filterwarnings("ignore::skorch.exceptions.DeviceWarning")
def test_refitting_a_cuda_model_without_a_gpu_says_so(fitted, monkeypatch, no_cuda):
    model, X = fitted
    loaded = pickle.loads(_dumps_with_cuda_storages(
        _as_if_trained_on_cuda(_lstm(model)), monkeypatch))
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: device='cuda'"):
        loaded.fit(X.fillna(50.0), X["temp"])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_real_gpu_model_loads_and_predicts_on_cpu(monkeypatch):
    X, y = _data()
    model = LSTMRegressor(**{**TINY, "device": "cuda"}).fit(X.fillna(50.0), y)
    blob = pickle.dumps(model)
    expected = model.predict(X.fillna(50.0))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning):
        loaded = pickle.loads(blob)
    assert loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.predict(X.fillna(50.0)), expected,
                               rtol=1e-4, atol=1e-4)
