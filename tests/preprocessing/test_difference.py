import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.pipeline import make_pipeline

from sklstm import Differencer
from sklstm.preprocessing._difference import (
    difference,
    difference_coefficients,
    undifference,
)


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    index = pd.date_range("2022-01-01", periods=40, freq="D")
    values = 100 + rng.normal(size=(40, 3)).cumsum(axis=0)
    return pd.DataFrame(values, index=index, columns=["price", "volume", "temp"])


# -- the pure functions -------------------------------------------------------


def test_coefficients_compose_regular_and_seasonal():
    assert difference_coefficients(0).tolist() == [1.0]
    assert difference_coefficients(3).tolist() == [1.0, -3.0, 3.0, -1.0]
    # (1 - B)**2 (1 - B**2) has a zero at lag 2
    assert difference_coefficients(2, 2).tolist() == [1.0, -2.0, 0.0, 2.0, -1.0]


def test_difference_removes_trend_and_season():
    t = np.arange(30.0)
    season = np.tile([3.0, -1.0, 0.0, -2.0], 8)[:30]
    x = 5.0 + 2.0 * t + season
    d = difference(x, order=1, seasonal_lag=4)
    np.testing.assert_allclose(d[5:], 0.0, atol=1e-12)
    assert np.all(d[:5] == 0.0)
    quad = difference(t**2, order=2, fill_value=np.nan)
    assert np.isnan(quad[:2]).all()
    np.testing.assert_allclose(quad[2:], 2.0)


def test_difference_shorter_than_span_is_all_fill():
    out = difference(np.array([1.0, 2.0, 3.0]), order=1, seasonal_lag=4, fill_value=-9)
    assert out.tolist() == [-9.0, -9.0, -9.0]


def test_undifference_inverts_difference():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 2)).cumsum(axis=0)
    for order, lag in [(0, 3), (1, None), (2, None), (1, 5), (2, 12)]:
        span = order + (lag or 0)
        d = difference(x, order, lag)
        back = undifference(d[span:], x[:span], order, lag)
        np.testing.assert_allclose(back, x[span:], atol=1e-9)


def test_undifference_needs_span_levels():
    with pytest.raises(ValueError, match=r"before has 1 rows; .* need 3"):
        undifference(np.zeros((4, 1)), np.zeros((1, 1)), order=1, seasonal_lag=2)


# -- the transformer -----------------------------------------------------------


def test_replaces_columns_in_place_with_names(frame):
    diff = Differencer(order=1, seasonal_lag=7).set_output(transform="pandas")
    out = diff.fit_transform(frame)
    assert list(out.columns) == [
        "price_diff1_sdiff7",
        "volume_diff1_sdiff7",
        "temp_diff1_sdiff7",
    ]
    assert out.index.equals(frame.index)
    x = frame["price"].to_numpy()
    expected = (x[8:] - x[7:-1]) - (x[1:-7] - x[:-8])
    np.testing.assert_allclose(out["price_diff1_sdiff7"].to_numpy()[8:], expected)
    assert (out.iloc[:8] == 0.0).all().all()


def test_column_subset_passes_others_through(frame):
    diff = Differencer(columns=["volume"]).set_output(transform="pandas")
    out = diff.fit_transform(frame)
    assert list(out.columns) == ["price", "volume_diff1", "temp"]
    pd.testing.assert_series_equal(out["price"], frame["price"])
    np.testing.assert_allclose(
        out["volume_diff1"].to_numpy()[1:], np.diff(frame["volume"].to_numpy())
    )
    assert Differencer(columns=[-1]).fit(frame).columns_.tolist() == [2]


def test_keep_originals_appends_differences(frame):
    diff = Differencer(order=2, columns=["price"], drop_original=False)
    diff.set_output(transform="pandas")
    out = diff.fit_transform(frame)
    assert list(out.columns) == ["price", "volume", "temp", "price_diff2"]
    pd.testing.assert_frame_equal(out.iloc[:, :3], frame)
    restored = diff.inverse_transform(out)
    pd.testing.assert_frame_equal(restored, frame, check_exact=True)


def test_seasonal_only_and_identity_names(frame):
    names = Differencer(order=0, seasonal_lag=12).fit(frame).get_feature_names_out()
    assert names.tolist() == ["price_sdiff12", "volume_sdiff12", "temp_sdiff12"]
    ident = Differencer(order=0).fit(frame)
    assert ident.get_feature_names_out()[0] == "price_diff0"
    np.testing.assert_array_equal(ident.transform(frame).to_numpy(), frame.to_numpy())
    pd.testing.assert_frame_equal(
        ident.inverse_transform(frame), frame, check_exact=True
    )


def test_numpy_input_gets_x_names():
    diff = Differencer(seasonal_lag=4).fit(np.zeros((10, 2)))
    names = diff.get_feature_names_out().tolist()
    assert names == ["x0_diff1_sdiff4", "x1_diff1_sdiff4"]


def test_pandas_in_pandas_out_numpy_in_numpy_out(frame):
    diff = Differencer(order=1, columns=["price"], drop_original=False)
    diff.fit(frame.iloc[:5])
    part = frame.iloc[5:12]  # continues the fit index
    out = diff.transform(part)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(part.index)
    assert list(out.columns) == diff.get_feature_names_out().tolist()
    assert list(out.columns) == ["price", "volume", "temp", "price_diff1"]
    np.testing.assert_allclose(
        out["price_diff1"].to_numpy(), frame["price"].diff().to_numpy()[5:12]
    )
    back = diff.inverse_transform(out)
    pd.testing.assert_frame_equal(back, part, check_exact=True)
    # numpy in, numpy out, with the same numbers
    arr = Differencer(order=1, columns=[0], drop_original=False)
    out_np = arr.fit(frame.iloc[:5].to_numpy()).transform(part.to_numpy())
    assert type(out_np) is np.ndarray
    np.testing.assert_array_equal(out_np[1:], out.to_numpy()[1:])
    assert out_np[0, 3] == 0.0  # numpy carries no index: no history to continue
    assert type(arr.inverse_transform(out_np)) is np.ndarray
    # the default container setting keeps this; "pandas" gives the same frame
    diff.set_output(transform="default")
    pd.testing.assert_frame_equal(diff.transform(part), out)
    diff.set_output(transform="pandas")
    pd.testing.assert_frame_equal(diff.transform(part), out)


def test_fill_value_marks_rows_without_history(frame):
    out = Differencer(order=1, seasonal_lag=3, fill_value=np.nan).fit_transform(frame)
    assert out.index.equals(frame.index)
    assert np.isnan(out.iloc[:4].to_numpy()).all()
    assert np.isfinite(out.iloc[4:].to_numpy()).all()


def test_history_continues_for_a_test_fold(frame):
    diff = Differencer(order=1, seasonal_lag=7).fit(frame.iloc[:30])
    fold = diff.transform(frame.iloc[30:])
    whole = diff.transform(frame)
    assert fold.index.equals(frame.index[30:])
    np.testing.assert_allclose(fold.to_numpy(), whole.iloc[30:].to_numpy())
    assert np.all(fold.iloc[:8].to_numpy() != 0.0)


def test_index_that_does_not_continue_is_filled(frame):
    diff = Differencer(order=1).fit(frame.iloc[:30])
    gap = diff.transform(frame.iloc[31:]).to_numpy()  # one day skipped
    assert np.all(gap[0] == 0.0)
    np.testing.assert_allclose(gap[1:], np.diff(frame.iloc[31:].to_numpy(), axis=0))
    again = diff.transform(frame.iloc[30:].reset_index(drop=True))  # a fresh index
    assert again.index.equals(pd.RangeIndex(10))
    assert np.all(again.iloc[0].to_numpy() == 0.0)


def test_integer_index_continues():
    X = pd.DataFrame({"y": [1.0, 4.0, 9.0, 16.0, 25.0]})
    diff = Differencer(order=2).fit(X.iloc[:3])
    out = diff.transform(X.iloc[3:])
    assert out.index.tolist() == [3, 4]
    np.testing.assert_allclose(out["y_diff2"].to_numpy(), [2.0, 2.0])


def test_nan_only_inside_the_stencil():
    x = np.arange(30.0) ** 2
    x[10] = np.nan
    diff = Differencer(order=2, seasonal_lag=2).fit(x[:, None])
    out = diff.transform(x[:, None]).ravel()
    # non-zero coefficients at lags 0, 1, 3, 4 (lag 2 cancels)
    assert np.flatnonzero(np.isnan(out)).tolist() == [10, 11, 13, 14]
    assert diff.__sklearn_tags__().input_tags.allow_nan


# -- inverse_transform ---------------------------------------------------------


def test_inverse_of_fit_output_uses_first_fit_rows(frame):
    diff = Differencer(order=2, seasonal_lag=7).set_output(transform="pandas")
    out = diff.fit_transform(frame)
    np.testing.assert_allclose(diff.inverse_transform(out), frame.to_numpy())
    np.testing.assert_allclose(diff.head_, frame.to_numpy()[:9])
    # numpy input has no index: same rule
    np.testing.assert_allclose(
        diff.inverse_transform(out.to_numpy()), frame.to_numpy(), rtol=1e-12
    )
    # fewer rows than the span: the remembered levels themselves
    np.testing.assert_allclose(diff.inverse_transform(out.iloc[:3]), frame.iloc[:3])


def test_inverse_of_continuing_rows_uses_fit_tail(frame):
    diff = Differencer(order=1, seasonal_lag=7).set_output(transform="pandas")
    diff.fit(frame.iloc[:25])
    fold = diff.transform(frame.iloc[25:])
    back = diff.inverse_transform(fold)
    np.testing.assert_allclose(back, frame.iloc[25:], rtol=1e-12)
    # predicted differences for the next rows are turned into levels
    change = pd.DataFrame(
        np.ones((3, 3)), index=frame.index[25:28], columns=fold.columns
    )
    levels = diff.inverse_transform(change)
    assert levels.index.equals(change.index)
    assert list(levels.columns) == ["price", "volume", "temp"]
    last = frame.to_numpy()[17:25]
    step1 = last[-1] + last[-7] - last[-8] + 1.0
    np.testing.assert_allclose(levels.iloc[0].to_numpy(), step1)


def test_inverse_with_explicit_anchors(frame):
    X = frame.to_numpy()
    diff = Differencer(order=1, seasonal_lag=3, columns=[0]).fit(X[:20])
    block = frame.iloc[25:35].to_numpy()
    before = frame[["price"]].to_numpy()[21:25]
    full = diff.transform(X[21:35])[4:]
    levels = diff.inverse_transform(full, anchors=before)
    np.testing.assert_allclose(levels, block, rtol=1e-12)
    levels_1d = diff.inverse_transform(full, anchors=before.ravel())
    np.testing.assert_allclose(levels_1d, block, rtol=1e-12)


def test_inverse_leaves_passthrough_columns(frame):
    diff = Differencer(columns=["temp"]).fit(frame)
    out = diff.transform(frame)
    assert list(out.columns) == ["price", "volume", "temp_diff1"]
    out["price"] += 1.0
    back = diff.inverse_transform(out)
    pd.testing.assert_series_equal(
        back["price"], frame["price"] + 1.0, check_exact=True
    )
    np.testing.assert_allclose(back["temp"], frame["temp"])


def test_pipeline_inverse_transform_chains_two_differencers(frame):
    pipe = make_pipeline(Differencer(order=1), Differencer(order=0, seasonal_lag=7))
    out = pipe.fit_transform(frame)
    np.testing.assert_allclose(pipe.inverse_transform(out), frame.to_numpy())


series = arrays(
    np.float64,
    st.tuples(st.integers(1, 60), st.integers(1, 3)),
    elements=st.floats(-1e3, 1e3, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(x=series, order=st.integers(0, 2), lag=st.one_of(st.none(), st.integers(2, 8)))
def test_inverse_restores_levels_property(x, order, lag):
    diff = Differencer(order=order, seasonal_lag=lag, fill_value=np.nan)
    back = diff.fit(x).inverse_transform(diff.transform(x))
    np.testing.assert_allclose(back, x, rtol=1e-9, atol=1e-7)


@settings(max_examples=60, deadline=None)
@given(
    x=series.filter(lambda a: len(a) >= 12),
    order=st.integers(0, 2),
    lag=st.one_of(st.none(), st.integers(2, 4)),
    cut=st.floats(0.5, 0.9),
)
def test_inverse_restores_continuing_levels_property(x, order, lag, cut):
    frame = pd.DataFrame(x, index=pd.RangeIndex(100, 100 + len(x)))
    n_fit = int(cut * len(x))
    diff = Differencer(order=order, seasonal_lag=lag).fit(frame.iloc[:n_fit])
    rest = frame.iloc[n_fit:]
    diffs = diff.transform(rest)
    assert diffs.index.equals(rest.index)
    np.testing.assert_allclose(
        diff.inverse_transform(diffs).to_numpy(), rest.to_numpy(), rtol=1e-9, atol=1e-7
    )


# -- bad input ---------------------------------------------------------------


def test_object_column_is_named(frame):
    bad = frame.assign(volume=frame["volume"].astype(str))
    with pytest.raises(TypeError, match=r"Differencer.fit: .*'volume' \((object|str)"):
        Differencer().fit(bad)


def test_infinite_value_is_named(frame):
    bad = frame.copy()
    bad.iloc[4, 2] = np.inf
    with pytest.raises(ValueError, match="Differencer.fit: X 'temp' contains 1 infin"):
        Differencer().fit(bad)
    diff = Differencer().fit(frame)
    with pytest.raises(ValueError, match="Differencer.transform: X 'temp'"):
        diff.transform(bad)
    with pytest.raises(ValueError, match="Differencer.inverse_transform: X 'temp'"):
        diff.inverse_transform(bad)


def test_empty_frame(frame):
    with pytest.raises(ValueError, match=r"0 sample\(s\).*Differencer"):
        Differencer().fit(frame.iloc[:0])
    diff = Differencer().fit(frame)
    with pytest.raises(ValueError, match="Differencer.inverse_transform: X has 0 rows"):
        diff.inverse_transform(frame.iloc[:0])


def test_wrong_column_count(frame):
    diff = Differencer().fit(frame.to_numpy())
    with pytest.raises(ValueError, match="2 features, but Differencer is expecting 3"):
        diff.transform(frame.iloc[:, :2].to_numpy())
    with pytest.raises(
        ValueError, match=r"Differencer.inverse_transform: X has shape \(40, 2\).* 3 "
    ):
        diff.inverse_transform(frame.iloc[:, :2])
    keep = Differencer(columns=[0], drop_original=False).fit(frame)
    with pytest.raises(ValueError, match="output of transform has 4 features"):
        keep.inverse_transform(frame)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"order": -1}, "'order' parameter of Differencer must be an int"),
        ({"seasonal_lag": 1}, "'seasonal_lag' parameter of Differencer"),
        ({"fill_value": "edge"}, "'fill_value' parameter of Differencer"),
        ({"drop_original": "yes"}, "'drop_original' parameter of Differencer"),
        ({"columns": ["nope"]}, "Differencer.fit: column 'nope' is not in X"),
        ({"columns": [7]}, r"column 7 is neither a column name nor a position in 0..2"),
        ({"columns": []}, "Differencer.fit: columns is empty"),
        ({"columns": [0, "price"]}, "names a column twice"),
    ],
)
def test_invalid_parameters(frame, params, message):
    with pytest.raises(ValueError, match=message):
        Differencer(**params).fit(frame)


def test_bad_anchors_and_too_short_fit(frame):
    diff = Differencer(order=1, seasonal_lag=3).fit(frame)
    with pytest.raises(ValueError, match=r"anchors has shape \(2, 3\); expected \(4,"):
        diff.inverse_transform(diff.transform(frame), anchors=np.zeros((2, 3)))
    short = Differencer(order=1, seasonal_lag=3).fit(frame.iloc[:2])
    assert np.all(short.transform(frame.iloc[:2]).to_numpy() == 0.0)
    with pytest.raises(
        ValueError,
        match=r"4 earlier rows \(order=1 \+ seasonal_lag=3\), but fit saw only 2",
    ):
        short.inverse_transform(short.transform(frame))


def test_functions_on_arrays_are_exported_and_validate_their_parameters():
    import sklstm.preprocessing as pre

    for name in ["difference", "undifference", "interpolate_frame", "hampel_mask",
                 "hampel_filter", "rolling_median_mad", "lag_matrix", "seasonal_terms"]:
        assert name in pre.__all__ and callable(getattr(pre, name))
    x = np.array([1.0, 4.0, 9.0, 16.0])
    with pytest.raises(ValueError, match="'order' parameter of difference must be"):
        pre.difference(x, order=-1)
    with pytest.raises(ValueError, match="'window' parameter of hampel_mask must be"):
        pre.hampel_mask(x, window=0)
    with pytest.raises(ValueError, match="'method' parameter of interpolate_frame"):
        pre.interpolate_frame(x[:, None], method="cubic")
    np.testing.assert_allclose(pre.difference(x, order=1), [0.0, 3.0, 5.0, 7.0])
