"""The parts under LSTMRegressor: windows, batches, the torch module, threads."""

import numpy as np
import pytest
import torch
from joblib import Parallel, delayed

from sklstm.neural import LSTMNet, _threads
from sklstm.neural._data import (
    BatchIterator,
    WindowDataset,
    edge_pad,
    row_windows,
    sliding_windows,
)
from sklstm.neural._threads import (
    allowed_cpus,
    in_parallel_worker,
    resolve_n_threads,
    torch_threads,
)


@pytest.fixture
def rows():
    return np.arange(40, dtype=np.float32).reshape(20, 2)


# ----------------------------------------------------------------- windows
def test_sliding_windows_are_a_view_of_consecutive_rows(rows):
    w = sliding_windows(rows, 4)
    assert w.shape == (17, 4, 2)
    assert np.shares_memory(w, rows), "windows must not copy the rows"
    for i in (0, 7, 16):
        np.testing.assert_array_equal(w[i], rows[i : i + 4])


def test_row_windows_edge_pad_rows_without_history(rows):
    w = row_windows(rows, lookback=3)
    assert w.shape == (20, 3, 2)
    np.testing.assert_array_equal(w[0], rows[[0, 0, 0]])
    np.testing.assert_array_equal(w[1], rows[[0, 0, 1]])
    np.testing.assert_array_equal(w[5], rows[3:6])


def test_row_windows_use_known_history_before_padding(rows):
    # two rows of history, then the rows to window
    w = row_windows(rows, lookback=4, n_history=2)
    assert w.shape == (18, 4, 2)
    np.testing.assert_array_equal(w[0], rows[[0, 0, 1, 2]])
    np.testing.assert_array_equal(w[1], rows[0:4])
    # enough history: no padding at all
    w = row_windows(rows, lookback=3, n_history=2)
    np.testing.assert_array_equal(w[0], rows[0:3])


def test_edge_pad_repeats_first_row(rows):
    padded = edge_pad(rows, 3)
    np.testing.assert_array_equal(padded[:4], rows[[0, 0, 0, 0]])
    assert edge_pad(rows, 0) is rows


def test_dataset_returns_a_whole_batch_in_one_lookup(rows):
    w = sliding_windows(rows, 4)
    y = np.arange(17, dtype=np.float32)[:, None]
    ds = WindowDataset(w, y, positions=np.arange(5, 17))
    X_b, y_b = ds[np.array([3, 0, 11])]
    assert X_b.dtype == torch.float32 and X_b.is_contiguous()
    np.testing.assert_array_equal(X_b.numpy(), w[[8, 5, 16]])
    np.testing.assert_array_equal(y_b.numpy().ravel(), [8, 5, 16])
    assert len(ds) == 12
    X_b, y_b = WindowDataset(w)[0:2]
    assert y_b is None and tuple(X_b.shape) == (2, 4, 2)


def test_batch_iterator_shuffles_every_epoch_and_covers_all(rows):
    ds = WindowDataset(sliding_windows(rows, 2), np.arange(19.0)[:, None])
    it = BatchIterator(ds, batch_size=4, shuffle=True, random_state=0)
    epochs = [np.concatenate([y.numpy().ravel() for _, y in it]) for _ in range(2)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(19.0))
    assert not np.array_equal(epochs[0], epochs[1]), "a new order every epoch"
    again = BatchIterator(ds, batch_size=4, shuffle=True, random_state=0)
    np.testing.assert_array_equal(
        np.concatenate([y.numpy().ravel() for _, y in again]), epochs[0]
    )
    assert len(it) == 5
    plain = np.concatenate([y.numpy().ravel() for _, y in BatchIterator(ds, 4)])
    np.testing.assert_array_equal(plain, np.arange(19.0))


# ------------------------------------------------------------------ module
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_module_maps_windows_to_outputs(bidirectional, num_layers):
    torch.manual_seed(0)
    net = LSTMNet(3, n_outputs=2, hidden_size=5, num_layers=num_layers,
                  bidirectional=bidirectional, dropout=0.2)
    assert isinstance(net.lstm, torch.nn.LSTM), "the fused nn.LSTM kernel"
    out = net.eval()(torch.randn(7, 6, 3))
    assert out.shape == (7, 2)
    assert torch.isfinite(out).all()


def test_module_reads_the_last_steps_of_each_window():
    torch.manual_seed(0)
    net = LSTMNet(1, hidden_size=4).eval()
    x = torch.randn(1, 8, 1)
    changed = x.clone()
    changed[0, -1, 0] += 1.0
    assert not torch.allclose(net(x), net(changed))


@pytest.mark.parametrize("activation", ["relu", "softplus"])
def test_output_activation_bounds_output_below_by_zero(activation):
    torch.manual_seed(0)
    net = LSTMNet(2, hidden_size=4, output_activation=activation)
    with torch.no_grad():
        net.head.bias.fill_(-5.0)  # push the raw output negative
        out = net(torch.randn(50, 3, 2))
    assert (out >= 0).all()


# ----------------------------------------------------------------- threads
def test_torch_threads_sets_then_restores():
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    with torch_threads(target):
        assert torch.get_num_threads() == target
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with torch_threads(target):
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before, "restored after an exception too"
    with torch_threads(None):
        assert torch.get_num_threads() == before


def test_resolve_n_threads_explicit_worker_and_cpu_share(monkeypatch):
    assert resolve_n_threads(3) == 3
    monkeypatch.setattr(_threads, "in_parallel_worker", lambda: True)
    assert resolve_n_threads(None) == 1
    monkeypatch.setattr(_threads, "in_parallel_worker", lambda: False)
    monkeypatch.setattr(_threads, "allowed_cpus", lambda: 1)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 8)
    assert resolve_n_threads(None) == 1, "capped at the allowed CPUs"
    monkeypatch.setattr(_threads, "allowed_cpus", lambda: 16)
    assert resolve_n_threads(None) is None, "torch's own count kept"


def test_allowed_cpus_follows_the_cgroup_quota(monkeypatch):
    monkeypatch.setattr(_threads, "_cgroup_cpu_limit", lambda: 1.5)
    assert allowed_cpus() == 1
    monkeypatch.setattr(_threads, "_cgroup_cpu_limit", lambda: None)
    assert allowed_cpus() >= 1


def _worker_view():
    return in_parallel_worker(), resolve_n_threads(None)


def test_a_loky_worker_is_recognised_and_gets_one_thread():
    assert not in_parallel_worker()
    seen = Parallel(n_jobs=2, backend="loky")(delayed(_worker_view)() for _ in range(2))
    assert seen == [(True, 1), (True, 1)]


def test_numpy_integers_reach_torch_as_ints():
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from sklstm import LSTMRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=120)
    model = LSTMRegressor(lookback=np.int64(4), hidden_size=np.int64(4),
                          num_layers=np.int32(1), max_epochs=np.int64(2),
                          batch_size=np.int64(32), n_threads=1).fit(X, y)
    assert model.net_.module_.lstm.hidden_size == 4
    search = GridSearchCV(model, {"hidden_size": np.arange(4, 7, 2)},
                          cv=TimeSeriesSplit(2), error_score="raise").fit(X, y)
    assert search.best_params_["hidden_size"] in (4, 6)
