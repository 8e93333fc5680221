import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sklstm import RollingFeatures
from sklstm.preprocessing import ewm_mean, macd, rsi

finite = st.floats(-1e6, 1e6, allow_nan=False)
with_nan = st.one_of(finite, st.just(np.nan))
# Integers keep pandas' running sums exact enough that two runs starting at
# other rows agree to 1e-9 even on nearly constant windows.
small_ints = st.one_of(st.integers(-100, 100).map(float), st.just(np.nan))
STAT_LIST = ["mean", "std", "min", "max", "median", "sum", "quantile"]


def _frame(values):
    return pd.DataFrame(values, columns=[f"c{j}" for j in range(values.shape[1])])


def _walk(n=3000, n_cols=2, seed=0):
    rng = np.random.default_rng(seed)
    values = 100 + np.cumsum(rng.standard_normal((n, n_cols)), axis=0)
    index = pd.date_range("2020-01-01", periods=n, freq="h")
    return pd.DataFrame(values, index=index, columns=["price", "volume"][:n_cols])


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 3)),
                  elements=with_nan),
    windows=st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True),
    stats=st.lists(st.sampled_from(STAT_LIST), min_size=1, max_size=4, unique=True),
    min_periods=st.one_of(st.none(), st.integers(1, 12)),
    q=st.floats(0.05, 0.95),
)
def test_window_stats_equal_pandas_rolling(values, windows, stats, min_periods, q):
    frame = _frame(values)
    rf = RollingFeatures(windows=windows, stats=stats, quantile=q,
                         min_periods=min_periods, fill_value=np.nan)
    got = rf.fit_transform(frame)
    label = f"q{100 * q:g}_"
    for col in frame.columns:
        for w in sorted(windows):
            mp = w if min_periods is None else min(min_periods, w)
            rolling = frame[col].rolling(w, min_periods=mp)
            for s in stats:
                expected = (rolling.quantile(q) if s == "quantile"
                            else getattr(rolling, s)())
                name = f"{col}_roll{label}{w}" if s == "quantile" else (
                    f"{col}_roll{s}{w}")
                np.testing.assert_allclose(got[name], expected, rtol=1e-12,
                                           atol=1e-9, err_msg=name)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(1, 60), st.integers(1, 2)),
                  elements=with_nan),
    window=st.integers(1, 20),
)
def test_rsi_stays_between_0_and_100(values, window):
    out = RollingFeatures(stats=None, indicators=["rsi"], rsi_window=window,
                          drop_original=True).fit_transform(values)
    seen = out[~np.isnan(out)]
    assert ((seen >= 0.0) & (seen <= 100.0)).all(), seen.tolist()
    assert (out[0] == 50.0).all(), "no change at the first row yet: neutral"


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(1, 60), st.just(1)),
                  elements=with_nan),
    spans=st.tuples(st.integers(1, 15), st.integers(1, 40), st.integers(1, 12)),
)
def test_macd_is_the_difference_of_two_ewms(values, spans):
    fast, slow, sig = spans
    s = pd.Series(values[:, 0])
    out = RollingFeatures(stats=None, indicators=["macd"], macd_spans=spans,
                          drop_original=True).set_output(transform="pandas")
    got = out.fit_transform(_frame(values))
    line = s.ewm(span=fast).mean() - s.ewm(span=slow).mean()
    signal = line.ewm(span=sig).mean()
    np.testing.assert_allclose(got["c0_macd"], line, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(got["c0_macd_signal"], signal, rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(got["c0_macd_hist"],
                                  got["c0_macd"] - got["c0_macd_signal"])


@settings(max_examples=40, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(1, 50), st.just(1)),
                  elements=with_nan),
    span=st.floats(1.0, 30.0),
    halflife=st.floats(0.1, 30.0),
)
def test_ewm_equals_pandas_ewm(values, span, halflife):
    s = pd.Series(values[:, 0])
    got = RollingFeatures(stats=None, ewm_spans=[span], ewm_halflives=[halflife],
                          drop_original=True).fit_transform(values)
    np.testing.assert_allclose(got[:, 0], s.ewm(span=span).mean(), rtol=1e-12,
                               atol=1e-9)
    np.testing.assert_allclose(got[:, 1], s.ewm(halflife=halflife).mean(),
                               rtol=1e-12, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(3, 60), st.integers(1, 2)),
                  elements=small_ints),
    split=st.floats(0.05, 0.95),
    windows=st.lists(st.integers(1, 10), min_size=1, max_size=2, unique=True),
    stats=st.lists(st.sampled_from(STAT_LIST), min_size=1, max_size=3, unique=True),
)
def test_rows_that_continue_the_fit_index_equal_the_whole_series(
        values, split, windows, stats):
    frame = _frame(values).set_axis(pd.RangeIndex(100, 100 + len(values)))
    # two fit rows at least: one row has no step to continue from
    k = min(max(int(split * len(values)), 2), len(values) - 1)
    rf = RollingFeatures(
        windows=windows, stats=stats, ewm_spans=[3], indicators=[
            "rsi", "macd", "bollinger", "roc", "momentum"],
        rsi_window=4, bollinger=(5, 2.0), roc_window=2, momentum_window=3,
    ).fit(frame.iloc[:k])
    whole = rf.transform(frame)
    continued = rf.transform(frame.iloc[k:])
    np.testing.assert_allclose(continued, whole.iloc[k:], rtol=1e-9, atol=1e-9)
    assert continued.index.equals(frame.index[k:])


def test_continuation_after_a_fit_longer_than_the_memory():
    """EWM features remember 40 / alpha rows; the rest weighs below exp(-40)."""
    X = _walk(n=3000)
    rf = RollingFeatures(windows=[5, 50], stats=["mean", "median", "max"],
                         ewm_spans=[12], ewm_halflives=[10],
                         indicators=["rsi", "macd", "roc"]).fit(X.iloc[:2000])
    # MACD reaches furthest: 40 / alpha rows of the slow span 26, then of the
    # signal span 9 (RSI: 1 + 40 * 14, half-life 10: 597, span 12: 260)
    assert rf.memory_ == 540 + 200 < 2000
    assert len(rf.history_.tail) == rf.memory_
    whole = rf.transform(X)
    continued = rf.transform(X.iloc[2000:])
    np.testing.assert_allclose(continued, whole.iloc[2000:], rtol=1e-9, atol=0)
    # an index that does not continue starts afresh: one value, no spread
    detached = rf.transform(X.iloc[2000:].set_axis(X.index[2000:] + pd.Timedelta(
        "100D")))
    assert detached["price_roc10"].iloc[0] == 0.0  # measured from its own first row
    assert continued["price_roc10"].iloc[0] != 0.0


@pytest.mark.parametrize("n_fit", [5, 65536 - 3, 65536 + 7, 140_000])
def test_rolling_std_of_a_long_series_continues_exactly(n_fit):
    """pandas' running variance drifts; it restarts at rows fixed from the first
    fit row, so continuing rows repeat the whole series' arithmetic."""
    X = _walk(n=150_000, n_cols=1) + 1000.0  # a level far above the spread
    rf = RollingFeatures(windows=[7, 30], stats=["std"], indicators=["bollinger"],
                         drop_original=True).fit(X.iloc[:n_fit])
    assert len(rf.history_.tail) == min(n_fit, n_fit % 65536 + 29)
    whole = rf.transform(X).iloc[n_fit:]
    continued = rf.transform(X.iloc[n_fit:])
    stds = ["price_rollstd7", "price_rollstd30"]
    np.testing.assert_array_equal(continued[stds], whole[stds])
    # the bands add pandas' rolling mean, whose compensated sum drifts a little
    np.testing.assert_allclose(continued, whole, rtol=1e-9, atol=1e-9)
    # and it is as close to a two-pass std as pandas' own
    x = X["price"].to_numpy()
    exact = np.lib.stride_tricks.sliding_window_view(x, 7).std(axis=1, ddof=1)
    ours = rf.transform(X)["price_rollstd7"].to_numpy()[6:]
    assert np.max(np.abs(ours - exact) / exact) < 1e-6


def test_history_keeps_only_the_chosen_columns():
    X = _walk(n=200)
    rf = RollingFeatures(windows=[3, 9], stats=["mean", "std"], ewm_spans=[4],
                         columns=["volume"]).fit(X.iloc[:150])
    assert rf.history_.tail.shape == (150, 1)
    pd.testing.assert_frame_equal(rf.transform(X.iloc[150:]),
                                  rf.transform(X).iloc[150:], rtol=1e-12)


def test_memory_covers_every_feature():
    X = _walk(n=100, n_cols=1)
    assert RollingFeatures(windows=[3, 30]).fit(X).memory_ == 29
    # a std reaches back to its last restart (row 0 here: all 100 rows)
    assert RollingFeatures(windows=[3, 30], stats=["std"]).fit(X).memory_ == 129
    assert RollingFeatures(windows=3, ewm_spans=[9]).fit(X).memory_ == 200  # 40 * 5
    only_roc = RollingFeatures(stats=None, indicators=["roc"], roc_window=12)
    assert only_roc.fit(X).memory_ == 12
    macd_only = RollingFeatures(stats=None, indicators=["macd"]).fit(X)
    assert macd_only.memory_ == 540 + 200  # slow span 26, then signal span 9


def test_names_follow_the_documented_pattern():
    X = pd.DataFrame({"price": np.arange(30.0), "volume": np.ones(30)})
    rf = RollingFeatures(
        windows=[7, 3], stats=["mean", "std", "quantile"], quantile=0.9,
        ewm_spans=[12], ewm_halflives=2.5,
        indicators=["rsi", "macd", "bollinger", "roc", "momentum"],
        columns=["price"],
    ).fit(X)
    assert rf.get_feature_names_out().tolist() == [
        "price", "volume",
        "price_rollmean3", "price_rollstd3", "price_rollq90_3",
        "price_rollmean7", "price_rollstd7", "price_rollq90_7",
        "price_ewm12", "price_ewmhl2.5",
        "price_rsi14", "price_macd", "price_macd_signal", "price_macd_hist",
        "price_bb_upper20", "price_bb_lower20", "price_bb_pctb20",
        "price_roc10", "price_momentum10",
    ]
    out = rf.transform(X)
    assert out.columns.tolist() == rf.get_feature_names_out().tolist()
    pd.testing.assert_series_equal(out["volume"], X["volume"])


def test_columns_by_position_and_drop_original():
    X = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0) ** 2})
    by_pos = RollingFeatures(windows=2, columns=[1], drop_original=True).fit(X)
    by_name = RollingFeatures(windows=2, columns=["b"], drop_original=True).fit(X)
    assert by_pos.get_feature_names_out().tolist() == ["b_rollmean2"]
    pd.testing.assert_frame_equal(by_pos.transform(X), by_name.transform(X))
    np.testing.assert_array_equal(by_pos.transform(X)["b_rollmean2"],
                                  [0.0, 0.5, 2.5, 6.5, 12.5])


def test_dataframe_in_dataframe_out_numpy_in_numpy_out():
    X = _walk(n=40)
    rf = RollingFeatures(windows=[3, 5], stats=["mean", "max"], indicators=["rsi"])
    out = rf.fit_transform(X)
    assert isinstance(out, pd.DataFrame) and out.index.equals(X.index)
    arr = RollingFeatures(windows=[3, 5], stats=["mean", "max"],
                          indicators=["rsi"]).fit_transform(X.to_numpy())
    assert isinstance(arr, np.ndarray) and arr.shape == out.shape
    np.testing.assert_array_equal(arr, out.to_numpy())
    names = RollingFeatures(windows=3).fit(X.to_numpy()).get_feature_names_out()
    assert names.tolist() == ["x0", "x1", "x0_rollmean3", "x1_rollmean3"]


def test_nan_is_skipped_in_windows_and_averages():
    X = np.array([[1.0], [np.nan], [3.0], [np.nan], [np.nan], [6.0]])
    rf = RollingFeatures(windows=2, stats=["mean", "sum", "std"], ewm_spans=[1],
                         indicators=["momentum"], momentum_window=2,
                         drop_original=True, fill_value=np.nan)
    out = rf.fit_transform(X)
    np.testing.assert_array_equal(out[:, 0], [1.0, 1.0, 3.0, 3.0, np.nan, 6.0])
    np.testing.assert_array_equal(out[:, 1], [1.0, 1.0, 3.0, 3.0, np.nan, 6.0])
    assert np.isnan(out[:, 2]).all(), "no window holds two values"
    # span 1 is alpha 1: the last value seen, repeated over NaN rows
    np.testing.assert_array_equal(out[:, 3], [1.0, 1.0, 3.0, 3.0, 3.0, 6.0])
    np.testing.assert_array_equal(out[:, 4], [np.nan, np.nan, 2.0, np.nan, np.nan,
                                              np.nan])
    # "partial": one value has no spread, the start compares with the first row;
    # a window without any value stays NaN
    partial = rf.set_params(fill_value="partial").fit_transform(X)
    np.testing.assert_array_equal(partial[:, 2], [0.0, 0.0, 0.0, 0.0, np.nan, 0.0])
    np.testing.assert_array_equal(partial[:, 4], [0.0, np.nan, 2.0, np.nan, np.nan,
                                                  np.nan])


def test_first_rows_policy_min_periods_and_fill_value():
    X = np.arange(1.0, 6.0)[:, None]
    partial = RollingFeatures(windows=3, stats=["mean", "std"],
                              indicators=["rsi", "roc", "momentum"], roc_window=2,
                              momentum_window=2, drop_original=True)
    mean, std, strength, roc, mom = partial.fit_transform(X).T
    np.testing.assert_allclose(mean, [1.0, 1.5, 2.0, 3.0, 4.0])
    assert std[0] == 0.0 and std[1] == np.std([1.0, 2.0], ddof=1)
    assert strength[0] == 50.0 and (strength[1:] == 100.0).all()
    np.testing.assert_allclose(roc, [0.0, 100.0, 200.0, 100.0, 200 / 3])
    np.testing.assert_array_equal(mom, [0.0, 1.0, 2.0, 2.0, 2.0])
    as_pandas = partial.set_params(fill_value=np.nan).fit_transform(X)
    assert np.isnan(as_pandas[0, 1:]).all() and np.isnan(as_pandas[1, 3:]).all()
    full = RollingFeatures(windows=3, stats=["mean"], min_periods=None,
                           drop_original=True)
    np.testing.assert_array_equal(full.fit_transform(X)[:, 0],
                                  [np.nan, np.nan, 2.0, 3.0, 4.0])
    filled = RollingFeatures(windows=3, stats=["mean"], min_periods=None,
                             fill_value=0.0, drop_original=True)
    np.testing.assert_array_equal(filled.fit_transform(X)[:, 0],
                                  [0.0, 0.0, 2.0, 3.0, 4.0])


def test_indicators_by_hand():
    X = np.array([[10.0], [11.0], [12.0], [11.0], [0.0], [12.0]])
    out = RollingFeatures(stats=None, indicators=["roc", "momentum", "bollinger"],
                          roc_window=1, momentum_window=2, bollinger=(2, 1.0),
                          drop_original=True, fill_value=np.nan).fit_transform(X)
    roc, mom, upper, lower, pctb = out.T
    np.testing.assert_allclose(roc[1:4], [10.0, 100 / 11, -100 / 12])
    assert np.isnan(roc[0]) and roc[4] == -100.0 and np.isnan(roc[5]), (
        "ROC from a zero is NaN, not infinite")
    np.testing.assert_array_equal(mom, [np.nan, np.nan, 2.0, 0.0, -12.0, 1.0])
    std = np.std([10.0, 11.0], ddof=1)
    np.testing.assert_allclose([upper[1], lower[1]], [10.5 + std, 10.5 - std])
    assert 0.0 <= pctb[1] <= 1.0 and pctb[2] > 0.5


def test_flat_series_sits_mid_band_with_a_neutral_rsi():
    flat = RollingFeatures(stats=None, indicators=["bollinger", "rsi"],
                           bollinger=(3, 2.0), drop_original=True)
    upper, lower, pctb, strength = flat.fit_transform(np.full((4, 1), 3.0)).T
    np.testing.assert_array_equal(upper[1:], lower[1:])
    np.testing.assert_array_equal(pctb[1:], [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(strength, [50.0, 50.0, 50.0, 50.0])


def test_functions_on_arrays_agree_with_the_estimator():
    X = _walk(n=200, n_cols=1).to_numpy()
    rf = RollingFeatures(stats=None, ewm_spans=[5], indicators=["rsi", "macd"],
                         drop_original=True, fill_value=np.nan)
    out = rf.fit_transform(X)
    np.testing.assert_array_equal(out[:, 0], ewm_mean(X, span=5)[:, 0])
    np.testing.assert_array_equal(out[:, 1], rsi(X)[:, 0])
    np.testing.assert_array_equal(out[:, 2:], np.column_stack(macd(X)))
    with pytest.raises(ValueError, match="ewm_mean: pass exactly one of span"):
        ewm_mean(X, span=5, alpha=0.5)


def test_pipeline_with_ridge_and_time_series_cv():
    X = _walk(n=300)
    y = X["price"].shift(-1).ffill()
    model = make_pipeline(
        RollingFeatures(windows=[3, 12], stats=["mean", "std", "max"],
                        ewm_spans=[6], indicators=["rsi", "macd", "bollinger",
                                                   "momentum"]),
        Ridge(),
    )
    pred = model.fit(X, y).predict(X)
    assert pred.shape == (300,) and np.isfinite(pred).all()
    scores = cross_val_score(model, X, y, cv=TimeSeriesSplit(n_splits=3),
                             scoring="neg_mean_absolute_error")
    assert np.isfinite(scores).all()


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 2)),
                  elements=st.one_of(st.floats(-1e3, 1e3), st.sampled_from(
                      [1e300, -1e300, 3.4e38, 5e-324, 0.0]))),
    windows=st.lists(st.integers(1, 8), min_size=1, max_size=2, unique=True),
)
def test_partial_start_gives_no_nan_for_input_without_nan(values, windows):
    """Huge values too: a std of 1e300s is taken of scaled values."""
    rf = RollingFeatures(windows=windows, stats=STAT_LIST, ewm_spans=[3],
                         indicators=["rsi", "macd", "bollinger", "momentum"],
                         bollinger=(4, 2.0), momentum_window=3)
    out = rf.fit_transform(values)
    assert not np.isnan(out).any()


def test_std_of_huge_values_is_finite_and_exact():
    X = np.array([[1e300], [-1e300], [1e300]])
    std = RollingFeatures(windows=2, stats=["std"], drop_original=True)
    np.testing.assert_allclose(std.fit_transform(X)[1:, 0],
                               [np.sqrt(2.0) * 1e300] * 2, rtol=1e-15)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"windows": [3, 3]}, r"windows \[3, 3\] contains duplicates"),
        ({"windows": []}, "windows must be a positive int"),
        ({"stats": ["mean", "mean"]}, "contains duplicates"),
        ({"stats": ["avg"]}, "unknown stats entry 'avg'"),
        ({"indicators": ["rsi", "adx"]}, "unknown indicators entry 'adx'"),
        ({"ewm_spans": [0.5]}, "ewm_spans must be a number >= 1"),
        ({"macd_spans": (12, 26, 0)}, "macd_spans must be three spans >= 1"),
        ({"bollinger": (20,)}, r"bollinger must be \(window, n_std\)"),
        ({"stats": None}, "nothing to compute"),
        ({"fill_value": "edge"}, "'fill_value' parameter of RollingFeatures"),
        ({"columns": ["price"]}, "RollingFeatures.fit: column 'price' is not in X"),
    ],
)
def test_invalid_parameters_are_named(params, message):
    X = pd.DataFrame({"a": np.arange(6.0)})
    with pytest.raises(ValueError, match=message):
        RollingFeatures(**params).fit(X)


def test_bad_input_names_the_column():
    X = pd.DataFrame({"a": [1.0, np.inf, 2.0], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"RollingFeatures.fit: X 'a' contains 1 inf"):
        RollingFeatures().fit(X)
    rf = RollingFeatures().fit(np.ones((4, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but RollingFeatures is"):
        rf.transform(np.ones((4, 3)))
