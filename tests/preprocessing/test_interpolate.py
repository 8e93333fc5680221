import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklstm import Interpolator
from sklstm.preprocessing._interpolate import METHODS, interpolate_frame

nan = np.nan


def _series_with_gaps(draw, n_rows, n_cols, min_observed):
    values = draw(
        arrays(np.float64, (n_rows, n_cols), elements=st.floats(-1e3, 1e3))
    )
    gaps = draw(arrays(np.bool_, (n_rows, n_cols)))
    for j in range(n_cols):
        keep = draw(st.permutations(range(n_rows)))[:min_observed]
        gaps[keep, j] = False
    values[gaps] = nan
    return values


@st.composite
def gappy_frames(draw, methods=METHODS):
    method = draw(st.sampled_from(methods))
    order = draw(st.integers(1, 3))
    needed = order + 1 if method == "spline" else 2
    n_rows = draw(st.integers(needed, 30))
    values = _series_with_gaps(draw, n_rows, draw(st.integers(1, 3)), needed)
    if method == "time":
        # irregular but increasing timestamps
        steps = draw(arrays(np.int64, n_rows, elements=st.integers(1, 5)))
        index = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.cumsum(steps), "h")
    else:
        index = pd.RangeIndex(n_rows)
    limit = draw(st.one_of(st.none(), st.integers(1, 4)))
    edges = draw(st.sampled_from(["nearest", "keep", -7.5]))
    frame = pd.DataFrame(values, index=index)
    return frame, dict(method=method, order=order, limit=limit, edges=edges)


@settings(max_examples=150, deadline=None)
@given(case=gappy_frames())
def test_observed_values_never_change(case):
    frame, params = case
    out = Interpolator(**params).fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and out.index.equals(frame.index)
    out = out.to_numpy()
    observed = frame.notna().to_numpy()
    np.testing.assert_array_equal(out[observed], frame.to_numpy()[observed])
    assert out.shape == frame.shape
    if params["limit"] is None and params["edges"] != "keep":
        assert not np.isnan(out).any(), "unlimited fill with edges left a NaN"


def test_linear_and_edges_nearest_fill_everything():
    X = np.array([[nan, 0.0], [2.0, nan], [nan, nan], [nan, 3.0], [8.0, nan]])
    out = Interpolator().fit_transform(X)
    np.testing.assert_allclose(
        out, [[2.0, 0.0], [2.0, 1.0], [4.0, 2.0], [6.0, 3.0], [8.0, 3.0]]
    )


def test_time_spaces_the_fill_by_timestamps():
    idx = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05", "2024-01-11"])
    X = pd.DataFrame({"t": [0.0, nan, nan, 10.0]}, index=idx)
    out = Interpolator(method="time").fit_transform(X)
    np.testing.assert_allclose(out["t"], [0.0, 1.0, 4.0, 10.0])
    # linear ignores the timestamps: equal steps per row
    np.testing.assert_allclose(
        Interpolator().fit_transform(X)["t"], [0.0, 10 / 3, 20 / 3, 10.0]
    )


def test_nearest_spline_pchip_on_known_curves():
    x = np.arange(9.0)
    quad = x**2
    gappy = quad.copy()
    gappy[[2, 3, 6]] = nan
    nearest = Interpolator(method="nearest").fit_transform(gappy[:, None]).ravel()
    np.testing.assert_allclose(nearest[[2, 3, 6]], [1.0, 16.0, 25.0])
    # an interpolating spline of degree 2 reproduces a parabola
    spline = Interpolator(method="spline", order=2).fit_transform(gappy[:, None])
    np.testing.assert_allclose(spline.ravel(), quad, atol=1e-9)
    # pchip stays monotone on monotone data: no overshoot past the next value
    step = np.array([0.0, nan, 0.0, nan, 10.0, nan, 10.0])
    pchip = Interpolator(method="pchip").fit_transform(step[:, None]).ravel()
    assert np.all(np.diff(pchip) >= 0) and pchip.max() == 10.0
    np.testing.assert_allclose(pchip[[1, 5]], [0.0, 10.0])


def test_limit_fills_at_most_limit_rows_of_each_gap():
    X = np.array([[nan], [nan], [nan], [1.0], [nan], [nan], [nan], [5.0], [nan]])
    lin = Interpolator(limit=2, edges="nearest").fit_transform(X).ravel()
    np.testing.assert_allclose(
        lin, [nan, 1.0, 1.0, 1.0, 2.0, 3.0, nan, 5.0, 5.0], equal_nan=True
    )
    ffill = Interpolator(method="ffill", limit=1, edges="keep").fit_transform(X)
    np.testing.assert_allclose(
        ffill.ravel(), [nan, nan, nan, 1.0, 1.0, nan, nan, 5.0, 5.0], equal_nan=True
    )
    bfill = Interpolator(method="bfill", limit=1, edges=-1.0).fit_transform(X)
    np.testing.assert_allclose(
        bfill.ravel(), [nan, nan, 1.0, 1.0, nan, nan, 5.0, 5.0, -1.0], equal_nan=True
    )


@pytest.mark.parametrize(
    "method, edges, expected",
    [
        ("linear", "keep", [nan, 1.0, 2.0, 3.0, nan]),
        ("linear", 0.0, [0.0, 1.0, 2.0, 3.0, 0.0]),
        ("ffill", "keep", [nan, 1.0, 1.0, 3.0, 3.0]),
        ("ffill", 0.0, [0.0, 1.0, 1.0, 3.0, 3.0]),
        ("ffill", "nearest", [1.0, 1.0, 1.0, 3.0, 3.0]),
        ("bfill", "keep", [1.0, 1.0, 3.0, 3.0, nan]),
        ("bfill", "nearest", [1.0, 1.0, 3.0, 3.0, 3.0]),
        ("nearest", 9.0, [9.0, 1.0, 1.0, 3.0, 9.0]),
    ],
)
def test_edge_policy_per_method(method, edges, expected):
    X = np.array([[nan], [1.0], [nan], [3.0], [nan]])
    out = Interpolator(method=method, edges=edges).fit_transform(X).ravel()
    np.testing.assert_allclose(out, expected, equal_nan=True)


def test_ffill_is_causal_but_linear_peeks_ahead():
    base = np.array([1.0, nan, nan, 4.0])
    later = np.array([1.0, nan, nan, 40.0])
    ffill = Interpolator(method="ffill")
    np.testing.assert_array_equal(
        ffill.fit_transform(base[:, None])[:3], ffill.fit_transform(later[:, None])[:3]
    )
    lin = Interpolator()
    assert lin.fit_transform(base[:, None])[1] != lin.fit_transform(later[:, None])[1]


@pytest.mark.parametrize("method", ["linear", "time", "nearest", "ffill", "pchip"])
def test_fold_starting_in_a_gap_is_filled_from_the_fit_rows(method):
    idx = pd.date_range("2023-03-01", periods=12, freq="D")
    values = np.array([0.0, 1.0, 4.0, 9.0, nan, nan, 36.0, nan, nan, nan, 100.0, 121.0])
    X = pd.DataFrame({"v": values, "w": values[::-1]}, index=idx)
    whole = Interpolator(method=method).fit_transform(X)
    est = Interpolator(method=method).fit(X.iloc[:8])
    continued = est.transform(X.iloc[8:])
    pd.testing.assert_frame_equal(continued, whole.iloc[8:])
    # the rows alone, with an index that does not continue, get the edge policy
    moved = X.iloc[8:].set_axis(idx[8:] + pd.Timedelta("100D"))
    alone = est.transform(moved)
    np.testing.assert_allclose(alone["v"], [100.0, 100.0, 100.0, 121.0])


def test_history_tail_size_is_documented_size():
    idx = pd.RangeIndex(10)
    X = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0)}, index=idx)
    X.loc[7:, "b"] = nan
    assert len(Interpolator().fit(X).history_.tail) == 4  # back to b's last value
    assert len(Interpolator(method="pchip").fit(X).history_.tail) == 5
    spline = Interpolator(method="spline", order=3).fit(X)
    assert len(spline.history_.tail) == 7
    assert Interpolator().fit(X.to_numpy()).history_ is None


def test_all_nan_column_is_an_error_at_fit_and_transform():
    X = pd.DataFrame({"ok": [1.0, 2.0, 3.0], "empty": [nan, nan, nan]})
    with pytest.raises(ValueError, match=r"Interpolator.fit: X 'empty' has no obs"):
        Interpolator().fit(X)
    est = Interpolator().fit(X.assign(empty=1.0))
    with pytest.raises(
        ValueError, match=r"Interpolator.transform: X 'empty' has no observed value"
    ):
        est.transform(X.set_axis([10, 11, 12]))
    # a column that is all NaN in a continuing fold is filled from the fit rows
    cont = est.transform(X.set_axis([3, 4, 5]))
    np.testing.assert_array_equal(cont["empty"], [1.0, 1.0, 1.0])


def test_time_without_datetime_index_is_a_clear_error():
    X = pd.DataFrame({"a": [1.0, nan, 3.0]})
    with pytest.raises(ValueError, match=r"Interpolator.fit: method='time' needs X as "
                       r"a DataFrame with a DatetimeIndex, but got RangeIndex"):
        Interpolator(method="time").fit(X)
    with pytest.raises(ValueError, match="but got ndarray"):
        Interpolator(method="time").fit(X.to_numpy())
    shuffled = X.set_axis(pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02"]))
    with pytest.raises(ValueError, match="increasing DatetimeIndex"):
        Interpolator(method="time").fit(shuffled)


def test_spline_with_too_few_points_names_the_column():
    X = pd.DataFrame({"few": [1.0, nan, 2.0, 3.0], "many": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(
        ValueError,
        match=r"Interpolator.transform: 'few' has 3 observed value\(s\).*"
        r"method='spline' with order=3 needs at least 4",
    ):
        Interpolator(method="spline", order=3).fit_transform(X)


def test_pandas_in_pandas_out_numpy_in_numpy_out():
    idx = pd.RangeIndex(3, 6)
    X = pd.DataFrame({"a": [1.0, nan, 3.0]}, index=idx)
    out = Interpolator().fit_transform(X)
    assert isinstance(out, pd.DataFrame) and out.index.equals(idx)
    assert list(out.columns) == ["a"]
    arr = Interpolator().fit_transform(X.to_numpy())
    assert isinstance(arr, np.ndarray)
    np.testing.assert_array_equal(arr, out.to_numpy())


def test_pandas_output_keeps_index_and_names():
    idx = pd.date_range("2022-01-01", periods=4, freq="h")
    X = pd.DataFrame({"a": [1.0, nan, 3.0, nan], "b": [nan, 2.0, 2.0, 2.0]}, index=idx)
    out = Interpolator().set_output(transform="pandas").fit_transform(X)
    assert out.index.equals(idx) and list(out.columns) == ["a", "b"]
    np.testing.assert_array_equal(out.to_numpy(), [[1, 2], [2, 2], [3, 2], [3, 2]])


def test_pure_function_matches_the_estimator():
    X = np.array([[nan, 1.0], [2.0, nan], [nan, nan], [5.0, 4.0]])
    for method in ("linear", "nearest", "ffill", "bfill"):
        np.testing.assert_array_equal(
            interpolate_frame(X, method, limit=1, edges=0.0),
            Interpolator(method=method, limit=1, edges=0.0).fit_transform(X),
        )


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]}), TypeError,
         r"Interpolator.fit: expected numeric columns.*'s'"),
        (pd.DataFrame({"a": [1.0, np.inf]}), ValueError,
         r"Interpolator.fit: X 'a' contains 1 infinite"),
        (pd.DataFrame({"a": []}, dtype=float), ValueError,
         r"Interpolator.fit: Found array with 0 sample"),
    ],
)
def test_bad_input_at_fit(bad, error, message):
    with pytest.raises(error, match=message):
        Interpolator().fit(bad)


def test_wrong_column_count_at_transform():
    est = Interpolator().fit(np.array([[1.0, nan], [2.0, 3.0]]))
    with pytest.raises(
        ValueError, match=r"Interpolator.transform: X has 1 features, but "
        r"Interpolator is expecting 2"
    ):
        est.transform(np.array([[1.0], [2.0]]))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"method": "cubic"}, r"'method' parameter of Interpolator must be a str"),
        ({"limit": 0}, r"'limit' parameter of Interpolator must be an int in the "
         r"range \[1, inf\)"),
        ({"order": 7}, r"'order' parameter of Interpolator"),
        ({"edges": "zero"}, r"'edges' parameter of Interpolator"),
        ({"edges": np.inf}, r"'edges' parameter of Interpolator"),
    ],
)
def test_invalid_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        Interpolator(**params).fit(np.array([[1.0], [nan], [2.0]]))


@settings(max_examples=150, deadline=None)
@given(case=gappy_frames(methods=("linear", "time", "nearest", "ffill", "bfill")))
def test_numpy_fill_matches_pandas(case):
    frame, params = case
    method, limit = params["method"], params["limit"]
    out = interpolate_frame(
        frame.to_numpy(), method, index=frame.index, limit=limit, edges="keep"
    )
    if method == "ffill":
        ref = frame.ffill(limit=limit)
    elif method == "bfill":
        ref = frame.bfill(limit=limit)
    else:
        ref = frame.interpolate(method=method, limit=limit, limit_area="inside")
    np.testing.assert_allclose(out, ref.to_numpy(), rtol=1e-9, atol=1e-9)
