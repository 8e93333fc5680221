import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklstm import Interpolator, MedianOutlierFilter
from sklstm.preprocessing._outliers import (
    MAD_SCALE,
    hampel_filter,
    hampel_mask,
    rolling_median_mad,
)

nan = np.nan


def _reference_median_mad(x, window, center):
    """One window at a time, the definition written out."""
    n = len(x)
    before = window // 2 if center else window - 1
    med = np.full(n, nan)
    mad = np.full(n, nan)
    for i in range(n):
        w = x[max(0, i - before) : min(n, i - before + window)]
        w = w[~np.isnan(w)]
        if len(w):
            med[i] = np.median(w)
            mad[i] = np.median(np.abs(w - med[i]))
    return med, mad


@st.composite
def series(draw, max_rows=40, nan_ok=True):
    n = draw(st.integers(1, max_rows))
    # a few distinct levels make ties and flat windows (MAD = 0) common
    elements = st.one_of(st.floats(-100, 100), st.sampled_from([0.0, 1.0, 5.0]))
    x = draw(arrays(np.float64, n, elements=elements))
    if nan_ok:
        x[draw(arrays(np.bool_, n))] = nan
    return x


@settings(max_examples=200, deadline=None)
@given(x=series(), window=st.integers(1, 9), center=st.booleans())
def test_rolling_median_mad_is_the_exact_windowed_definition(x, window, center):
    med, mad = rolling_median_mad(x, window, center)
    ref_med, ref_mad = _reference_median_mad(x, window, center)
    np.testing.assert_allclose(med, ref_med, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mad, ref_mad, rtol=1e-12, atol=1e-12)


@settings(max_examples=120, deadline=None)
@given(
    x=series(),
    window=st.sampled_from([3, 5, 7]),
    center=st.booleans(),
    replace=st.sampled_from(["median", "nan", "clip"]),
    n_sigmas=st.floats(0.5, 4.0),
)
@example(x=np.array([1.0, 5e-324, 0.0]), window=3, center=False,
         replace="median", n_sigmas=0.5)  # a subnormal MAD: rounding order counts
def test_unflagged_points_and_nan_pass_through_unchanged(
    x, window, center, replace, n_sigmas
):
    out, mask = hampel_filter(x, window, n_sigmas, center, replace)
    np.testing.assert_array_equal(out[~mask], x[~mask])
    assert not mask[np.isnan(x)].any(), "a NaN was flagged"
    med, mad = rolling_median_mad(x, window, center)
    band = mad * MAD_SCALE * n_sigmas  # in the order the filter computes it
    # the rule itself: flagged exactly where the point leaves the band
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(mask, np.abs(x - med) > band)
    if replace == "median":
        np.testing.assert_array_equal(out[mask], med[mask])
    elif replace == "clip":
        np.testing.assert_allclose(np.abs(out[mask] - med[mask]), band[mask])
    else:
        assert np.isnan(out[mask]).all()


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(30, 120),
    period=st.floats(12.0, 60.0),
    amplitude=st.floats(0.5, 50.0),
    trend=st.floats(-1.0, 1.0),
    where=st.floats(0.0, 1.0),
    size=st.floats(10.0, 1000.0),
    sign=st.sampled_from([-1.0, 1.0]),
    center=st.booleans(),
)
def test_an_injected_spike_is_caught_and_replaced(
    n, period, amplitude, trend, where, size, sign, center
):
    t = np.arange(n, dtype=float)
    smooth = amplitude * np.sin(2 * np.pi * t / period) + trend * t
    i = 3 + int(where * (n - 4))  # rows 0 and 1 have windows too short to judge
    # the clean values of any window around i span at most `local` (sine + trend
    # over 7 rows); a spike beyond 5.45 * local leaves the band of 4.45 MADs
    local = 2 * amplitude + 6 * abs(trend)
    spiked = smooth.copy()
    spiked[i] += sign * size * local
    est = MedianOutlierFilter(window=7, center=center)
    out = est.fit_transform(spiked[:, None]).ravel()
    assert est.outlier_mask(spiked[:, None])[i, 0]
    lo, hi = smooth[max(0, i - 6) : i + 7].min(), smooth[max(0, i - 6) : i + 7].max()
    assert lo <= out[i] <= hi, "the spike was not replaced by a local value"
    assert est.n_outliers_[0] >= 1


def test_replace_modes_on_known_numbers():
    x = np.array([[1.0], [2.0], [3.0], [40.0], [5.0], [6.0], [7.0]])
    # window of row 3: [2, 3, 40, 5, 6] -> median 5, MAD 2, band 5 +/- 3*1.4826*2
    med = MedianOutlierFilter(window=5).fit_transform(x).ravel()
    np.testing.assert_array_equal(med, [1, 2, 3, 5, 5, 6, 7])
    clip = MedianOutlierFilter(window=5, replace="clip").fit_transform(x).ravel()
    assert clip[3] == pytest.approx(5 + 3 * MAD_SCALE * 2)
    gap = MedianOutlierFilter(window=5, replace="nan").fit_transform(x).ravel()
    np.testing.assert_array_equal(np.isnan(gap), [0, 0, 0, 1, 0, 0, 0])


def test_nan_then_interpolator_pipeline():
    from sklearn.pipeline import make_pipeline

    x = np.array([[1.0], [2.0], [3.0], [40.0], [5.0], [6.0], [7.0]])
    pipe = make_pipeline(MedianOutlierFilter(window=5, replace="nan"), Interpolator())
    np.testing.assert_allclose(pipe.fit_transform(x).ravel(), [1, 2, 3, 4, 5, 6, 7])


def test_causal_mode_ignores_later_rows_centred_mode_does_not():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 2))
    later = x.copy()
    later[25:] += 100.0 * rng.standard_normal((15, 2))
    causal = MedianOutlierFilter(window=6, center=False, n_sigmas=1.0)
    np.testing.assert_array_equal(
        causal.fit_transform(x)[:25], causal.fit_transform(later)[:25]
    )
    centred = MedianOutlierFilter(window=7, n_sigmas=1.0)
    a, b = centred.fit_transform(x)[:25], centred.fit_transform(later)[:25]
    np.testing.assert_array_equal(a[:22], b[:22])
    assert not np.array_equal(a[22:], b[22:]), "row 22+ should see rows 25+"


def test_flat_window_min_scale_decides():
    x = np.array([5.0, 5.0, 5.0, 5.0, 6.0, 5.0, 5.0, 5.0])[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division or invalid-value warning
        strict = MedianOutlierFilter(window=5).fit(x)
        tolerant = MedianOutlierFilter(window=5, min_scale=0.5).fit(x)
        tight = MedianOutlierFilter(window=5, min_scale=0.2).fit(x)
    assert strict.n_outliers_.tolist() == [1]
    np.testing.assert_array_equal(strict.transform(x).ravel(), np.full(8, 5.0))
    assert tolerant.n_outliers_.tolist() == [0]  # 1 <= 3 * 0.5
    assert tight.n_outliers_.tolist() == [1]  # 1 > 3 * 0.2
    flat = np.full((6, 1), 2.0)
    assert MedianOutlierFilter().fit(flat).n_outliers_.tolist() == [0]


def test_short_windows_at_the_ends():
    x = np.array([100.0, 1.0, 1.1, 0.9, 1.0, 1.05, 0.95])[:, None]
    # causal: row 0 has only itself in its window, it cannot be judged
    causal = MedianOutlierFilter(window=5, center=False).fit(x)
    assert not causal.outlier_mask(x)[0, 0]
    # centred: row 0's window is rows 0..2, in which 100 is far off
    centred = MedianOutlierFilter(window=5).fit(x)
    assert centred.outlier_mask(x)[0, 0]
    assert centred.transform(x)[0, 0] == pytest.approx(1.1)


def test_nan_is_ignored_in_the_statistics():
    x = np.array([1.0, nan, 1.2, 50.0, nan, 0.9, 1.1])[:, None]
    out = MedianOutlierFilter(window=5).fit_transform(x).ravel()
    assert np.isnan(out[[1, 4]]).all()
    # window of row 3 without NaN: [1.2, 50, 0.9] -> median 1.2
    assert out[3] == pytest.approx(1.2)
    np.testing.assert_array_equal(out[[0, 2, 5, 6]], x[[0, 2, 5, 6], 0])


def test_mask_frame_counts_and_names():
    idx = pd.date_range("2021-06-01", periods=9, freq="D")
    X = pd.DataFrame(
        {
            "a": [1.0, 2, 1, 2, 30, 2, 1, 2, 1],
            "b": [5.0, 5.5, 6.0, 5.2, 6.1, 5.3, 5.9, -40.0, 5.6],
        },
        index=idx,
    )
    est = MedianOutlierFilter(window=5).fit(X)
    assert est.n_outliers_.tolist() == [1, 1]
    mask = est.outlier_mask(X)
    assert isinstance(mask, pd.DataFrame)
    assert mask.index.equals(idx) and list(mask.columns) == ["a", "b"]
    assert mask.dtypes.eq(bool).all()
    rows, cols = mask.to_numpy().nonzero()
    assert rows.tolist() == [4, 7] and cols.tolist() == [0, 1]
    out = est.set_output(transform="pandas").transform(X)
    assert out.index.equals(idx) and list(out.columns) == ["a", "b"]
    assert list(est.get_feature_names_out()) == ["a", "b"]


def test_pandas_in_pandas_out_numpy_in_numpy_out():
    idx = pd.date_range("2024-02-01", periods=5, freq="D")
    X = pd.DataFrame({"v": [1.0, 1.2, 90.0, 0.9, 1.1]}, index=idx)
    for out in (MedianOutlierFilter(window=5).fit_transform(X),
                MedianOutlierFilter(window=5).fit(X).transform(X)):
        assert isinstance(out, pd.DataFrame) and out.index.equals(idx)
        np.testing.assert_allclose(out["v"], [1.0, 1.2, 1.1, 0.9, 1.1])
    arr = MedianOutlierFilter(window=5).fit_transform(X.to_numpy())
    assert isinstance(arr, np.ndarray)
    np.testing.assert_allclose(arr.ravel(), [1.0, 1.2, 1.1, 0.9, 1.1])


def test_fit_transform_equals_fit_then_transform():
    rng = np.random.default_rng(0)
    X = rng.standard_t(2, size=(60, 3))
    for params in ({"window": 5}, {"window": 4, "center": False, "replace": "clip"}):
        a = MedianOutlierFilter(**params).fit_transform(X)
        b = MedianOutlierFilter(**params).fit(X).transform(X)
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("params", [{"window": 7}, {"window": 6, "center": False}])
def test_fold_continuing_the_fit_rows_is_judged_like_the_whole(params):
    rng = np.random.default_rng(1)
    idx = pd.date_range("2020-01-01", periods=80, freq="h")
    X = pd.DataFrame(rng.standard_t(2, size=(80, 2)), index=idx, columns=["p", "q"])
    X.iloc[52, 0] = 25.0  # an outlier among the first rows of the fold
    whole = MedianOutlierFilter(**params).fit_transform(X)
    est = MedianOutlierFilter(**params).fit(X.iloc[:50])
    assert len(est.history_.tail) == (3 if params.get("center", True) else 5)
    pd.testing.assert_frame_equal(est.transform(X.iloc[50:]), whole.iloc[50:])
    np.testing.assert_array_equal(
        est.outlier_mask(X.iloc[50:]).to_numpy(),
        MedianOutlierFilter(**params).fit(X).outlier_mask(X).to_numpy()[50:],
    )


def test_pure_mask_function():
    mask = hampel_mask(np.array([0.0, 0.1, -0.1, 9.0, 0.0, 0.1, -0.1]), 5, 3.0, True)
    np.testing.assert_array_equal(mask, [0, 0, 0, 1, 0, 0, 0])
    assert hampel_mask(np.empty((0, 2)), 5).shape == (0, 2)


def test_large_input_is_processed_in_blocks_and_matches_pandas_median():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(300_000)
    x[rng.random(x.size) < 0.01] = nan
    med, _ = rolling_median_mad(x, 9, center=True)
    ref = pd.Series(x).rolling(9, center=True, min_periods=1).median().to_numpy()
    np.testing.assert_allclose(med, ref, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]}), TypeError,
         r"MedianOutlierFilter.fit: expected numeric columns.*'s'"),
        (pd.DataFrame({"a": [1.0, -np.inf]}), ValueError,
         r"MedianOutlierFilter.fit: X 'a' contains 1 infinite"),
        (pd.DataFrame({"a": []}, dtype=float), ValueError,
         r"MedianOutlierFilter.fit: Found array with 0 sample"),
    ],
)
def test_bad_input_at_fit(bad, error, message):
    with pytest.raises(error, match=message):
        MedianOutlierFilter().fit(bad)


def test_wrong_column_count_and_unfitted():
    est = MedianOutlierFilter(window=3).fit(np.ones((5, 2)))
    with pytest.raises(
        ValueError, match=r"MedianOutlierFilter.transform: X has 3 features, but "
        r"MedianOutlierFilter is expecting 2"
    ):
        est.transform(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"MedianOutlierFilter.outlier_mask: X has 1"):
        est.outlier_mask(np.ones((5, 1)))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="MedianOutlierFilter"):
        MedianOutlierFilter().outlier_mask(np.ones((5, 1)))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"window": 2}, r"'window' parameter of MedianOutlierFilter must be an int "
         r"in the range \[3, inf\)"),
        ({"window": 6}, r"MedianOutlierFilter.fit: window=6 must be odd when "
         r"center=True"),
        ({"n_sigmas": 0.0}, r"'n_sigmas' parameter of MedianOutlierFilter"),
        ({"replace": "mean"}, r"'replace' parameter of MedianOutlierFilter must be "
         r"a str among"),
        ({"min_scale": -1.0}, r"'min_scale' parameter of MedianOutlierFilter"),
    ],
)
def test_invalid_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        MedianOutlierFilter(**params).fit(np.ones((8, 1)))
