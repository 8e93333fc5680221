"""LSTMRegressor on a panel: one network across many series (a global model).

A panel is a DataFrame indexed by ``(series id, time)``. Windows stay inside
their series, batches mix series, the target is scaled per series, an
optional embedding of the id is learned, and a single series behaves exactly
as before.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback

from sklstm import LSTMRegressor
from sklstm.neural._panel import (
    input_scale_parameters,
    panel_layout,
    panel_row_windows,
    panel_scale_parameters,
    panel_window_starts,
)
from sklstm.neural._regressor import scale_parameters

TINY = {"lookback": 5, "hidden_size": 4, "max_epochs": 3, "lr": 1e-2,
        "n_threads": 1, "random_state": 0}


def make_panel(lengths, levels, *, seed=0, ids=None, start="2020-01-01"):
    """Daily series of a seasonal wave around ``levels``; X is each series'
    standardised value, y its next value."""
    rng = np.random.default_rng(seed)
    ids = ids if ids is not None else [f"s{i}" for i in range(len(lengths))]
    frames, targets = [], []
    for sid, n, level in zip(ids, lengths, levels, strict=True):
        t = np.arange(n)
        value = level * (1 + 0.05 * np.sin(2 * np.pi * t / 12)
                         + 0.01 * rng.standard_normal(n))
        index = pd.MultiIndex.from_arrays(
            [[sid] * n, pd.date_range(start, periods=n, freq="D")],
            names=["id", "time"])
        frames.append(pd.DataFrame({"x": (value - value.mean()) / value.std()},
                                   index=index))
        targets.append(pd.Series(np.append(value[1:], value[-1]), index=index,
                                 name="y"))
    return pd.concat(frames), pd.concat(targets)


class Recorder(Callback):
    """Keeps the datasets of the fit, every training batch's windows, and the
    embedding's weights before training."""

    def initialize(self):
        self.train = self.valid = self.embedding_before = None
        self.batches = []
        return self

    def on_train_begin(self, net, **kwargs):
        embedding = getattr(net.module_, "embedding", None)
        if embedding is not None:
            self.embedding_before = embedding.weight.detach().clone()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.train, self.valid = dataset_train, dataset_valid

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            X = batch[0]
            self.batches.append((X["X"] if isinstance(X, dict) else X).numpy().copy())


def recorder_of(est):
    return dict(est.net_.callbacks_)["recorder"]


@pytest.fixture(scope="module")
def panel():
    return make_panel([60, 45, 30], [10.0, 1_000.0, 10_000.0])


@pytest.fixture(scope="module")
def fitted(panel):
    X, y = panel
    return LSTMRegressor(**TINY, id_embedding=2).fit(X, y)


# ------------------------------------------------------------------ windows
def test_windows_never_cross_series_and_batches_mix_them():
    # x encodes (series, time) as 1000 * series + time: a window that spans
    # two series would hold two thousands-digits, or a jump in time
    lengths = [30, 12, 21]
    X, y = make_panel(lengths, [1.0, 2.0, 3.0])
    codes = np.repeat(np.arange(3), lengths)
    X["x"] = 1000.0 * codes + np.concatenate([np.arange(n) for n in lengths])
    est = LSTMRegressor(**{**TINY, "max_epochs": 2, "batch_size": 8},
                        callbacks=[("recorder", Recorder())]).fit(X, y)
    rec = recorder_of(est)
    windows = np.concatenate(rec.batches)[..., 0]  # both epochs
    assert windows.shape[1] == TINY["lookback"]
    series = windows // 1000
    assert (series == series[:, :1]).all(), "a window spans two series"
    assert (np.diff(windows % 1000, axis=1) == 1).all(), "a window skips rows"
    # every batch but perhaps the last mixes series
    mixed = [len(np.unique(b[:, 0, 0] // 1000)) > 1 for b in rec.batches]
    assert sum(mixed) >= len(mixed) - 2
    # the training and validation windows are all the windows inside a series
    lookback = TINY["lookback"]
    ends = np.concatenate([rec.train.positions, rec.valid.positions]) + lookback - 1
    expected = np.concatenate([start + np.arange(lookback - 1, n) for start, n in
                               zip(np.cumsum(lengths) - lengths, lengths,
                                   strict=True)])
    np.testing.assert_array_equal(np.sort(ends), expected)


def test_validation_holds_out_the_last_windows_of_each_series():
    X, y = make_panel([40, 25], [1.0, 1.0])
    est = LSTMRegressor(**{**TINY, "max_epochs": 1}, validation_fraction=0.2,
                        callbacks=[("recorder", Recorder())]).fit(X, y)
    rec = recorder_of(est)
    lookback = TINY["lookback"]
    ends = rec.valid.positions + lookback - 1
    # 36 windows -> last 7; 21 windows -> last 4 (int(0.2 * n), at least one)
    np.testing.assert_array_equal(ends, np.r_[33:40, 61:65])
    assert len(rec.train) == 36 + 21 - 11


def test_window_starts_and_row_windows_by_hand():
    index = pd.MultiIndex.from_tuples(
        [("a", 0), ("a", 1), ("a", 2), ("b", 7), ("b", 8)])
    layout = panel_layout(index, "f")
    np.testing.assert_array_equal(panel_window_starts(layout, 2), [0, 1, 3])
    values = np.array([[1.0], [2.0], [3.0], [10.0], [20.0]])
    windows, positions = panel_row_windows(values, layout, lookback=3)
    # the first rows of each series are edge padded with that series' first row
    assert windows[positions][..., 0].tolist() == [
        [1, 1, 1], [1, 1, 2], [1, 2, 3], [10, 10, 10], [10, 10, 20]]


# ------------------------------------------------------------------ memory
def test_the_training_data_grow_with_rows_not_with_windows():
    n_series, n_rows, lookback = 200, 300, 50
    X, y = make_panel([n_rows] * n_series, np.linspace(1, 100, n_series))
    X["x2"] = -X["x"]
    est = LSTMRegressor(lookback, hidden_size=4, max_epochs=1, batch_size=8192,
                        id_embedding=2, n_threads=1, random_state=0,
                        callbacks=[("recorder", Recorder())]).fit(X, y)
    rec = recorder_of(est)
    total_rows, n_windows = n_series * n_rows, n_series * (n_rows - lookback + 1)
    assert len(rec.train) + len(rec.valid) == n_windows

    def owner(a):  # the array whose memory ``a`` views
        while isinstance(getattr(a, "base", None), np.ndarray) or hasattr(
                getattr(a, "base", None), "__array_interface__"):
            a = a.base
        return a

    kept = {}
    for ds in (rec.train, rec.valid):
        assert np.shares_memory(ds.windows, rec.train.windows)
        for name in ("windows", "y", "positions", "weights", "series"):
            a = getattr(ds, name)
            if a is not None:
                kept[id(owner(a))] = np.asarray(owner(a)).nbytes
    # the rows (2 features), the scaled targets, each window's series and the
    # positions: a few numbers per row, nowhere near a copy per window
    assert sum(kept.values()) <= total_rows * (2 * 4 + 4 + 8 + 8)
    assert sum(kept.values()) < n_windows * lookback * 2 * 4 / 10


# ------------------------------------------------------------------ scaling
def test_per_series_scale_parameters_by_hand():
    index = pd.MultiIndex.from_product([["a", "b"], range(4)])
    y = np.array([[0.0], [1.0], [3.0], [5.0], [100.0], [200.0], [300.0], [500.0]])
    layout = panel_layout(index, "f")
    offset, scale = panel_scale_parameters(
        y, layout, 1, lambda part: scale_parameters(part, center=True))
    # each series' own rows from the second on (those that end a window)
    np.testing.assert_allclose(offset.ravel(), [3.0, 333.3333333])
    np.testing.assert_allclose(scale.ravel(), [np.std([1, 3, 5]),
                                               np.std([200, 300, 500])])


def test_fitted_scales_are_per_series_and_predictions_unscale_per_series(
        fitted, panel):
    X, y = panel
    lookback = TINY["lookback"]
    assert fitted.target_offset_.shape == (3, 1)
    for k, sid in enumerate(fitted.series_ids_):
        ends = y.loc[sid].to_numpy()[lookback - 1 :]
        np.testing.assert_allclose(fitted.target_offset_[k, 0], ends.mean())
        np.testing.assert_allclose(fitted.target_scale_[k, 0], ends.std())
    # after three epochs of a tiny net, each series is predicted near its own
    # level: a global scaler would pull all three towards their common mean
    pred = pd.Series(fitted.predict(X), index=X.index)
    for sid, level in zip(["s0", "s1", "s2"], [10.0, 1_000.0, 10_000.0],
                          strict=True):
        assert abs(pred.loc[sid].mean() - level) < 0.1 * level, sid


def test_unscaling_uses_each_rows_series(fitted, panel):
    X, _ = panel
    scaled, codes = fitted._net_output(X, "predict")
    expected = (scaled[:, 0].astype(np.float64) * fitted.target_scale_[codes, 0]
                + fitted.target_offset_[codes, 0])
    np.testing.assert_array_equal(fitted.predict(X), expected)


# ------------------------------------------------------------ input scaling
def two_levels(n=60, levels=(1.0, 1_000.0)):
    """Two series of one shape, ``levels[k]`` times it: X (the raw values and
    their squares) and y (the next value)."""
    rng = np.random.default_rng(0)
    shape = (1 + 0.05 * np.sin(2 * np.pi * np.arange(n) / 12)
             + 0.01 * rng.standard_normal(n))
    index = pd.MultiIndex.from_product(
        [["small", "big"], pd.date_range("2020-01-01", periods=n, freq="D")],
        names=["id", "time"])
    value = np.concatenate([level * shape for level in levels])
    X = pd.DataFrame({"x": value, "x2": value**2}, index=index)
    following = np.concatenate([level * np.append(shape[1:], shape[-1])
                                for level in levels])
    return X, pd.Series(following, index=index, name="y")


def fit_rows(est):
    """The rows the training windows view (every row of the fit, scaled)."""
    w = recorder_of(est).train.windows
    return np.concatenate([w[:, 0], w[-1, 1:]])


def test_series_on_two_levels_reach_the_net_alike_and_predict_in_proportion():
    X, y = two_levels()
    n = len(X) // 2
    est = LSTMRegressor(**TINY, scale_inputs="series",
                        callbacks=[("recorder", Recorder())]).fit(X, y)
    rows = fit_rows(est)
    assert rows.dtype == np.float32 and rows.shape == X.shape
    # the big series is the small one times 1000 (x) and 1e6 (x2): after
    # scaling, the network sees the same numbers for both, each standardised
    np.testing.assert_allclose(rows[n:], rows[:n], atol=1e-6)
    np.testing.assert_allclose(rows[:n].mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(rows[:n].std(axis=0), 1.0, rtol=1e-5)
    # with the target scaled per series as well, big is 1000 times small
    pred = est.predict(X)
    np.testing.assert_allclose(pred[n:], 1_000 * pred[:n], rtol=1e-5)
    # as given, the inputs on two levels are two different series to the net
    plain = LSTMRegressor(**TINY).fit(X, y).predict(X)
    assert not np.allclose(plain[n:], 1_000 * plain[:n], rtol=1e-3)


def test_fitted_input_scales_are_each_series_mean_and_std(panel):
    X, y = panel
    X = X.assign(x2=X["x"] ** 3 + np.arange(len(X)), const=7.0,
                 step=np.where(X.index.get_level_values("id") == "s1", 3.0,
                               np.arange(len(X), dtype=float)))
    est = LSTMRegressor(**TINY, scale_inputs="series",
                        callbacks=[("recorder", Recorder())]).fit(X, y)
    assert est.input_offset_.shape == est.input_scale_.shape == (3, 4)
    for k, sid in enumerate(est.series_ids_):
        rows = X.loc[sid].to_numpy()
        mean, std = rows.mean(axis=0), rows.std(axis=0)
        constant = np.ptp(rows, axis=0) == 0
        np.testing.assert_allclose(est.input_offset_[k], mean, rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(est.input_scale_[k],
                                   np.where(constant, 1.0, std), rtol=1e-12)
    # const everywhere and step within s1: scale 1, scaled rows exactly 0
    assert (est.input_scale_[:, 2] == 1.0).all() and est.input_scale_[1, 3] == 1.0
    codes = np.repeat([0, 1, 2], [60, 45, 30])
    expected = ((X.to_numpy() - est.input_offset_[codes])
                / est.input_scale_[codes]).astype(np.float32)
    rows = fit_rows(est)
    np.testing.assert_array_equal(rows, expected)
    assert (rows[:, 2] == 0).all() and (rows[60:105, 3] == 0).all()


def test_input_scales_are_by_hand():
    values = np.array([[1.0, 4.0], [3.0, 4.0], [5.0, 4.0],
                       [1_000.0, 0.0], [3_000.0, 1.0]])
    offset, scale = input_scale_parameters(values, np.array([0, 3]))
    np.testing.assert_allclose(offset, [[3.0, 4.0], [2_000.0, 0.5]])
    np.testing.assert_allclose(scale, [[np.sqrt(8 / 3), 1.0], [1_000.0, 0.5]])


def test_each_series_is_predicted_with_its_own_input_scales(panel):
    X, y = panel
    X = X.assign(x=X["x"] * np.repeat([1.0, 50.0, 1e4], [60, 45, 30]) + 3)
    head = X.groupby(level="id").head(25)
    tail = X.drop(head.index)
    est = LSTMRegressor(**TINY, scale_inputs="series").fit(head, y.loc[head.index])
    full = pd.Series(est.predict(X), index=X.index)
    # alone, in another order, or continuing the fit rows (whose remembered,
    # unscaled tail is scaled with its series): the same predictions
    np.testing.assert_allclose(est.predict(X.loc[["s2"]]), full.loc["s2"],
                               rtol=1e-6)
    reordered = pd.concat([X.loc[["s2"]], X.loc[["s0"]]])
    np.testing.assert_allclose(est.predict(reordered),
                               full.loc[reordered.index], rtol=1e-6)
    np.testing.assert_allclose(est.predict(tail), full.loc[tail.index], rtol=1e-6)


def test_series_unseen_at_fit_are_refused_by_a_model_with_input_scales(panel):
    X, y = panel
    est = LSTMRegressor(**TINY, scale_target=False, scale_inputs="series").fit(X, y)
    new = X.loc[["s0", "s1"]].rename(index={"s1": "new"}, level="id")
    with pytest.raises(ValueError, match=r"LSTMRegressor.predict: series 'new' did "
                       r"not appear in the panel at fit; the model keeps per-series "
                       r"input scales learned per fitted series, so it predicts "
                       r"those series only\. .*scale_target=False, "
                       r"scale_inputs='none' and id_embedding=0"):
        est.predict(new)


def test_default_feeds_x_as_given_and_predicts_as_before(panel):
    X, y = panel
    preds = []
    for data in ((X, y), (X.loc["s0"], y.loc["s0"])):  # a panel, one series
        before = LSTMRegressor(**TINY, callbacks=[("recorder", Recorder())]).fit(*data)
        explicit = LSTMRegressor(**TINY, scale_inputs="none").fit(*data)
        preds.append(before.predict(data[0]))
        np.testing.assert_array_equal(explicit.predict(data[0]), preds[-1])
        np.testing.assert_array_equal(fit_rows(before),
                                      data[0].to_numpy(dtype=np.float32))
        assert "input_offset_" not in explicit.__dict__
    # a refit without scaling forgets the scales of the previous fit
    est = LSTMRegressor(**TINY, scale_inputs="series").fit(X, y)
    assert est.input_offset_.shape == (3, 1)
    est.set_params(scale_inputs="none").fit(X, y)
    assert "input_offset_" not in est.__dict__ and "input_scale_" not in est.__dict__
    np.testing.assert_array_equal(est.predict(X), preds[0])


def test_one_series_is_one_group_like_a_standard_scaler_before():
    X, y = two_levels(levels=(100.0, 1.0))
    X, y = X.loc["small"], y.loc["small"]
    est = LSTMRegressor(**TINY, scale_inputs="series").fit(X, y)
    rows = X.to_numpy()
    np.testing.assert_allclose(est.input_offset_, rows.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(est.input_scale_, rows.std(axis=0), rtol=1e-12)
    scaled = (X - rows.mean(axis=0)) / rows.std(axis=0)
    before = LSTMRegressor(**TINY).fit(scaled, y)
    # predict continues the fit rows: the remembered tail is scaled too
    later = X.iloc[40:]
    np.testing.assert_allclose(est.predict(later), before.predict(scaled.iloc[40:]),
                               rtol=1e-5)
    np.testing.assert_allclose(est.predict(X), before.predict(scaled), rtol=1e-5)


def test_input_scaling_refuses_windows_and_unknown_options(panel):
    X, y = panel
    windows = np.lib.stride_tricks.sliding_window_view(
        X.to_numpy()[:40], 5, axis=0).transpose(0, 2, 1)
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: scale_inputs='series' "
                       r"scales the rows of each series, but X is 3-D \(ready "
                       r"windows\), which carry no series"):
        LSTMRegressor(**TINY, scale_inputs="series").fit(windows, y.to_numpy()[4:40])
    with pytest.raises(ValueError, match=r"The 'scale_inputs' parameter of "
                       r"LSTMRegressor must be a str among"):
        LSTMRegressor(**TINY, scale_inputs="global").fit(X, y)


def test_input_scaling_refuses_rows_too_large_to_scale(panel):
    X, y = panel
    huge = X.assign(x=X["x"] * 1e200)
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: X reaches .*e\+200, "
                       r"too large to scale \(scale_inputs='series'\)"):
        LSTMRegressor(**TINY, scale_inputs="series").fit(huge, y)


# ---------------------------------------------------------------- embedding
def test_the_embedding_adds_its_parameters(panel):
    X, y = panel
    d, hidden = 3, TINY["hidden_size"]

    def n_params(est):
        return sum(p.numel() for p in est.net_.module_.parameters())

    plain = LSTMRegressor(**{**TINY, "max_epochs": 1}).fit(X, y)
    embedded = LSTMRegressor(**{**TINY, "max_epochs": 1}, id_embedding=d).fit(X, y)
    # the table (3 series x d) and the LSTM's input weights for d more inputs
    assert n_params(embedded) - n_params(plain) == 3 * d + 4 * hidden * d
    assert embedded.net_.module_.embedding.weight.shape == (3, d)


def test_the_embedding_trains_and_tells_series_apart():
    # two series with the same inputs but opposite targets: only the id says
    # which is which
    X, y = make_panel([80, 80], [1.0, 1.0])
    wave = np.sin(np.arange(80) * 2 * np.pi / 12)
    X["x"] = np.tile(wave, 2)
    y[:] = np.r_[wave, -wave]
    kw = {**TINY, "max_epochs": 40, "hidden_size": 8, "lr": 3e-2,
          "scale_target": False, "patience": None, "validation_fraction": 0}
    blind = LSTMRegressor(**kw).fit(X, y)
    embedded = LSTMRegressor(**kw, id_embedding=2,
                             callbacks=[("recorder", Recorder())]).fit(X, y)
    before = recorder_of(embedded).embedding_before
    after = embedded.net_.module_.embedding.weight.detach()
    assert not torch.equal(before, after), "the embedding did not train"

    def mse(est):
        return float(np.mean((est.predict(X) - y.to_numpy()) ** 2))

    assert mse(blind) > 0.3  # it can only predict about 0
    assert mse(embedded) < 0.5 * mse(blind), (mse(embedded), mse(blind))


# -------------------------------------------------------------- predicting
def test_predict_one_row_each_and_series_alone_equal_series_in_panel(fitted, panel):
    X, _ = panel
    pred = fitted.predict(X)
    assert pred.shape == (len(X),) and np.isfinite(pred).all()
    alone = fitted.predict(X.loc[["s1"]])
    np.testing.assert_allclose(alone, pred[60:105], rtol=1e-6)


def test_history_continues_per_series(panel):
    X, y = panel
    head = X.groupby(level="id").head(25)
    tail = X.drop(head.index)
    est = LSTMRegressor(**TINY).fit(head, y.loc[head.index])
    full = pd.Series(est.predict(X), index=X.index)
    # the tail's first rows get each series' last fit rows, not padding
    np.testing.assert_allclose(est.predict(tail), full.loc[tail.index], rtol=1e-6)
    # a series whose time does not continue is edge padded instead
    shifted = tail.rename(index=lambda t: t + pd.Timedelta(days=1000), level="time")
    assert not np.allclose(est.predict(shifted), full.loc[tail.index], rtol=1e-6)


def test_a_global_model_predicts_new_series(panel):
    X, y = panel
    est = LSTMRegressor(**TINY, scale_target=False).fit(X, y)
    new = X.loc[["s1"]].rename(index={"s1": "new"}, level="id")
    np.testing.assert_allclose(est.predict(new), est.predict(X.loc[["s1"]]),
                               rtol=1e-6)


def test_quantiles_and_several_outputs_on_a_panel(panel):
    X, y = panel
    Y = pd.DataFrame({"h1": y, "h2": 2 * y}, index=y.index)
    est = LSTMRegressor(**{**TINY, "max_epochs": 2}, loss="quantile",
                        quantiles=[0.1, 0.5, 0.9]).fit(X, Y)
    bands = est.predict_quantiles(X)
    assert bands.shape == (len(X), 2, 3)
    assert (np.diff(bands, axis=2) >= 0).all()
    assert est.predict(X).shape == (len(X), 2)
    assert est.target_offset_.shape == (3, 2)


def test_pickle_round_trip(fitted, panel):
    X, _ = panel
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    assert again.series_ids_.tolist() == ["s0", "s1", "s2"]


# -------------------------------------------------------- a single series
def test_a_panel_of_one_series_is_bit_identical_to_the_plain_series():
    X, y = make_panel([90], [5.0])
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    plain_X, plain_y = X.droplevel("id"), y.droplevel("id")
    for kwargs in ({}, {"sample_weight": w}):
        as_panel = LSTMRegressor(**TINY).fit(X, y, **kwargs)
        plain = LSTMRegressor(**TINY).fit(plain_X, plain_y, **kwargs)
        np.testing.assert_array_equal(as_panel.predict(X), plain.predict(plain_X))
        pd.testing.assert_frame_equal(as_panel.loss_history_.drop(columns="dur"),
                                      plain.loss_history_.drop(columns="dur"))
    assert "series_ids_" not in plain.__dict__
    assert plain.target_offset_.shape == (1,)


# ---------------------------------------------------------- sample weights
def test_sample_weights_are_per_window_and_skip_each_series_first_rows(panel):
    X, y = panel
    lookback = TINY["lookback"]
    first_rows = X.groupby(level="id").cumcount().to_numpy() < lookback - 1
    heavy_start = np.where(first_rows, 50.0, 1.0)
    # weights only on rows that end no window: exactly the unweighted fit
    plain = LSTMRegressor(**TINY).fit(X, y)
    same = LSTMRegressor(**TINY).fit(X, y, sample_weight=heavy_start)
    np.testing.assert_array_equal(same.predict(X), plain.predict(X))
    # otherwise each window carries the weight of the row it ends at
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    est = LSTMRegressor(**{**TINY, "max_epochs": 1},
                        callbacks=[("recorder", Recorder())]).fit(X, y,
                                                                  sample_weight=w)
    train = recorder_of(est).train
    ends = train.positions + lookback - 1
    np.testing.assert_allclose(train.weights[train.positions],
                               w[ends] / w[ends].mean(), rtol=1e-6)


# ------------------------------------------------------------------ errors
def test_a_series_shorter_than_lookback_is_named():
    X, y = make_panel([20, 3, 2], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: series 's1' has 3 "
                       r"row\(s\) but lookback=5 needs at least 5 in every series "
                       r"\(1 other series are too short as well\); lower lookback"):
        LSTMRegressor(**TINY).fit(X, y)


def test_missing_ids_are_refused(panel):
    X, y = panel
    ids = X.index.get_level_values("id").to_numpy(dtype=object).copy()
    ids[7] = np.nan
    index = pd.MultiIndex.from_arrays([ids, X.index.get_level_values("time")])
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: the series id \(first "
                       r"index level\) is missing \(NaN\) at 1 row\(s\), the first "
                       r"at row 7"):
        LSTMRegressor(**TINY).fit(X.set_axis(index), y.set_axis(index))


def test_series_whose_rows_are_not_together_are_named(panel):
    X, y = panel
    order = np.r_[0:30, 60:105, 30:60, 105:135]  # s0, s1, s0 again, s2
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: the rows of series "
                       r"'s0' are not together: they are at rows 0 and 75.*"
                       r"X.sort_index\(\)"):
        LSTMRegressor(**TINY).fit(X.iloc[order], y.iloc[order])


def test_series_out_of_time_order_are_named(panel):
    X, y = panel
    order = np.r_[0:60, 61, 60, 62:135]
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: the rows of series "
                       r"'s1' are not in increasing time order"):
        LSTMRegressor(**TINY).fit(X.iloc[order], y.iloc[order])


def test_y_on_another_index_is_refused(panel):
    X, y = panel
    with pytest.raises(ValueError, match=r"y's index is not X's.*y.reindex"):
        LSTMRegressor(**TINY).fit(X, y.iloc[::-1])


def test_an_embedding_needs_a_panel(panel):
    X, y = panel
    with pytest.raises(ValueError, match=r"id_embedding=2 embeds the series ids of "
                       r"a panel, but X is not a panel"):
        LSTMRegressor(**TINY, id_embedding=2).fit(X.to_numpy(), y.to_numpy())


def test_series_unseen_at_fit_are_refused_by_a_model_with_per_series_state(
        fitted, panel):
    X, _ = panel
    new = X.loc[["s1", "s2"]].rename(index={"s1": "new", "s2": "other"}, level="id")
    with pytest.raises(ValueError, match=r"LSTMRegressor.predict: series 'new' \(and "
                       r"1 more\) did not appear in the panel at fit; the model "
                       r"keeps per-series target scales and an id embedding"):
        fitted.predict(new)


def test_panel_and_single_series_do_not_mix_at_predict(fitted, panel):
    X, y = panel
    with pytest.raises(ValueError, match=r"fitted on a panel of 3 series.*X is not "
                       r"a panel"):
        fitted.predict(X.to_numpy())
    single = LSTMRegressor(**{**TINY, "max_epochs": 1}).fit(
        X.loc["s0"], y.loc["s0"])
    with pytest.raises(ValueError, match=r"X is a panel .* but the model was fitted "
                       r"on a single series"):
        single.predict(X)


@pytest.mark.parametrize("value", [-1, 1.5, True, 5000])
def test_id_embedding_is_a_declared_constraint(panel, value):
    X, y = panel
    with pytest.raises(ValueError, match=r"The 'id_embedding' parameter of "
                       r"LSTMRegressor must be an int in the range \[0, 4096\]"):
        LSTMRegressor(**TINY, id_embedding=value).fit(X, y)
