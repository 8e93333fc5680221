import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklstm import LagFeatures
from sklstm.preprocessing._lags import resolve_lags

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 3)),
                  elements=finite),
    lags=st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True),
)
def test_lags_equal_pandas_shift_after_the_first_rows(values, lags):
    frame = pd.DataFrame(values, columns=[f"c{j}" for j in range(values.shape[1])])
    out = LagFeatures(lags=lags, fill_value=np.nan).set_output(transform="pandas")
    got = out.fit_transform(frame)
    for col in frame.columns:
        pd.testing.assert_series_equal(got[col], frame[col])
        for k in lags:
            expected = frame[col].shift(k).rename(f"{col}_lag{k}")
            pd.testing.assert_series_equal(got[f"{col}_lag{k}"], expected)


def test_edge_fill_repeats_the_first_value_and_keeps_rows():
    X = np.array([[3.0], [5.0], [8.0]])
    out = LagFeatures(lags=[1, 2, 5], drop_original=True).fit_transform(X)
    np.testing.assert_array_equal(
        out, [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0], [5.0, 3.0, 3.0]]
    )


def test_column_subset_by_name_and_position_and_names():
    X = pd.DataFrame({"price": [1.0, 2.0, 3.0], "volume": [10.0, 20.0, 30.0]})
    by_name = LagFeatures(lags=2, columns=["volume"]).fit(X)
    by_pos = LagFeatures(lags=2, columns=[1]).fit(X)
    assert list(by_name.get_feature_names_out()) == [
        "price", "volume", "volume_lag1", "volume_lag2"
    ]
    out = by_name.transform(X)
    pd.testing.assert_frame_equal(out, by_pos.transform(X))
    np.testing.assert_array_equal(out["volume_lag1"], [10.0, 10.0, 20.0])


def test_pandas_in_pandas_out_numpy_in_numpy_out():
    X = pd.DataFrame({"a": [1.0, 2.0, 4.0]}, index=[7, 8, 9])
    out = LagFeatures(lags=1).fit_transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.index) == [7, 8, 9]
    assert list(out.columns) == ["a", "a_lag1"]
    arr = LagFeatures(lags=1).fit_transform(X.to_numpy())
    assert isinstance(arr, np.ndarray)
    np.testing.assert_array_equal(arr, out.to_numpy())


def test_continuing_index_takes_lags_from_fit_rows():
    idx = pd.date_range("2020-01-01", periods=6, freq="D")
    X = pd.DataFrame({"v": np.arange(6.0)}, index=idx)
    lf = LagFeatures(lags=[1, 3], drop_original=True).fit(X.iloc[:4])
    continued = lf.transform(X.iloc[4:])
    np.testing.assert_array_equal(continued, [[3.0, 1.0], [4.0, 2.0]])
    assert continued.index.equals(idx[4:])
    # the same rows with an index that does not continue only see themselves
    detached = lf.transform(X.iloc[4:].set_axis(idx[4:] + pd.Timedelta("30D")))
    np.testing.assert_array_equal(detached, [[4.0, 4.0], [4.0, 4.0]])


@pytest.mark.parametrize(
    "lags, message",
    [
        (0, "lags"),
        ([], "non-empty list"),
        ([1, 1], "duplicates"),
        ([2, -1], "positive ints"),
    ],
)
def test_invalid_lags_are_named(lags, message):
    X = np.ones((5, 1))
    with pytest.raises(ValueError, match=message):
        LagFeatures(lags=lags).fit(X)


def test_unknown_column_is_named():
    X = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="LagFeatures.fit: column 'b' is not in X"):
        LagFeatures(columns=["b"]).fit(X)


def test_bad_input_names_the_column():
    X = pd.DataFrame({"a": [1.0, np.inf, 2.0], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"LagFeatures.fit: X 'a' contains 1 infinite"):
        LagFeatures().fit(X)
    X = pd.DataFrame({"a": [1.0, 2.0], "when": ["x", "y"]})
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) 'when'"):
        LagFeatures().fit(X)
    with pytest.raises(ValueError, match="LagFeatures.fit: Found array with 0 sample"):
        LagFeatures().fit(pd.DataFrame({"a": []}, dtype=float))
    lf = LagFeatures().fit(np.ones((4, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but LagFeatures is expect"):
        lf.transform(np.ones((4, 3)))


def test_resolve_lags_forms():
    assert resolve_lags(3) == [1, 2, 3]
    assert resolve_lags(range(12, 0, -6)) == [6, 12]
