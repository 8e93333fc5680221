"""make_supervised: X now, y h steps ahead, aligned by the index."""

import numpy as np
import pandas as pd
import pytest

from sklstm.datasets import load_airline
from sklstm.forecasting import make_supervised


@pytest.fixture(scope="module")
def air():
    return load_airline()


def test_one_horizon_pairs_row_with_value_h_steps_later(air):
    X, y = make_supervised(air, "passengers", horizon=3)
    assert len(X) == len(y) == 141
    assert X.index.equals(air.index[:141]) and y.index.equals(X.index)
    assert y.name == "passengers_h3" and isinstance(y, pd.Series)
    np.testing.assert_array_equal(y.to_numpy(), air["passengers"].to_numpy()[3:])
    # 1949-01 (112) is paired with 1949-04 (129).
    assert X.iloc[0, 0] == 112.0 and y.iloc[0] == 129.0
    assert y.loc["1960-09-01"] == 432.0  # December 1960


def test_several_horizons_give_a_column_each(air):
    X, Y = make_supervised(air, "passengers", horizon=[12, 1, 6])
    assert list(Y.columns) == ["passengers_h1", "passengers_h6", "passengers_h12"]
    assert len(X) == len(Y) == 144 - 12
    values = air["passengers"].to_numpy()
    for h in (1, 6, 12):
        np.testing.assert_array_equal(Y[f"passengers_h{h}"], values[h : h + 132])


def test_range_horizon_and_series_input(air):
    X, Y = make_supervised(air["passengers"], horizon=range(1, 4))
    assert list(X.columns) == ["passengers"]
    assert Y.shape == (141, 3)


def test_features_select_columns_and_data_is_not_modified():
    data = pd.DataFrame(
        {"sales": [1.0, 2.0, 3.0, 4.0], "price": [9.0, 8.0, 7.0, 6.0]},
        index=pd.RangeIndex(10, 14),
    )
    before = data.copy()
    X, y = make_supervised(data, "sales", 1, features=["price"])
    assert list(X.columns) == ["price"] and list(X.index) == [10, 11, 12]
    assert y.tolist() == [2.0, 3.0, 4.0]
    X.iloc[0, 0] = -1.0
    pd.testing.assert_frame_equal(data, before)


# --- bad input -------------------------------------------------------------


def _small():
    return pd.DataFrame(
        {"sales": [1.0, 2.0, 3.0, 4.0], "note": list("abcd")},
        index=pd.date_range("2024-01-01", periods=4, freq="D"),
    )


def test_missing_target_lists_columns():
    with pytest.raises(ValueError, match=r"make_supervised: target 'revenue' is not a "
                       r"column of data; the columns are \['sales', 'note'\]"):
        make_supervised(_small(), "revenue")


def test_target_needed_for_several_columns():
    with pytest.raises(ValueError, match="make_supervised: data has 2 columns"):
        make_supervised(_small())


@pytest.mark.parametrize("horizon", [0, -2, [1, 0], []])
def test_horizon_below_one(horizon):
    with pytest.raises(ValueError, match="make_supervised: horizon must be >= 1"):
        make_supervised(_small(), "sales", horizon)


def test_horizon_duplicates_and_type():
    with pytest.raises(ValueError, match=r"horizon \[1, 1\] contains duplicates"):
        make_supervised(_small(), "sales", [1, 1])
    with pytest.raises(TypeError, match="make_supervised: horizon must be an int or a "
                       "list of ints, got 1.5"):
        make_supervised(_small(), "sales", 1.5)


def test_horizon_too_long():
    with pytest.raises(ValueError, match="make_supervised: horizon 4 leaves no rows: "
                       "data has 4 rows, so the largest horizon can be 3"):
        make_supervised(_small(), "sales", [1, 4])


def test_non_numeric_target():
    with pytest.raises(TypeError, match="make_supervised: the target column 'note' has "
                       "dtype .*; expected numbers"):
        make_supervised(_small(), "note")


def test_unsorted_index():
    data = _small().iloc[[0, 2, 1, 3]]
    with pytest.raises(ValueError, match="make_supervised: the index is not sorted: "
                       "2024-01-02 00:00:00 comes after 2024-01-03 00:00:00"):
        make_supervised(data, "sales")


def test_duplicated_index():
    data = _small()
    data.index = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02",
                                   "2024-01-03"])
    with pytest.raises(ValueError, match=r"make_supervised: the index has 1 "
                       r"duplicated label\(s\) \(first: 2024-01-02 00:00:00\)"):
        make_supervised(data, "sales")


def test_missing_future_target():
    data = _small()
    data.iloc[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"make_supervised: the target 'sales' is "
                       r"missing 1 future value\(s\) \(first for row 2024-01-02"):
        make_supervised(data, "sales", 1)


def test_unknown_feature_and_wrong_type():
    with pytest.raises(ValueError, match=r"make_supervised: features \['size'\] are "
                       r"not columns of data"):
        make_supervised(_small(), "sales", features=["sales", "size"])
    with pytest.raises(TypeError, match="make_supervised: data must be a pandas "
                       "DataFrame or Series with a time index, got ndarray"):
        make_supervised(np.arange(5.0), "sales")
    with pytest.raises(ValueError, match="make_supervised: target='x' but the Series "
                       "is named 'sales'"):
        make_supervised(_small()["sales"], "x")


# --- gaps in the index -----------------------------------------------------


def _daily(n=40):
    index = pd.date_range("2021-01-01", periods=n, freq="D")
    return pd.Series(np.arange(n, dtype=float) + 10.0, index=index, name="sales")


def test_missing_days_are_an_error_naming_the_first_gap():
    s = _daily().drop(pd.to_datetime(["2021-01-11", "2021-01-12", "2021-01-26"]))
    with pytest.raises(
        ValueError,
        match=r"make_supervised: the index is not equally spaced: its first gap, "
        r"from 2021-01-10 00:00:00 to 2021-01-13 00:00:00, breaks the frequency 'D' "
        r"of the index, so a row would be paired with a target further ahead than "
        r"its horizon. data.asfreq\('D'\) inserts the missing steps as NaN; then "
        r"fill them with sklstm's Interpolator",
    ):
        make_supervised(s)


def test_the_suggested_fix_works():
    from sklstm import Interpolator

    s = _daily().drop(pd.to_datetime(["2021-01-11", "2021-01-12"]))
    full = s.asfreq("D")
    filled = Interpolator(method="time").set_output(transform="pandas")
    X, y = make_supervised(filled.fit_transform(full.to_frame()), "sales")
    assert len(X) == 39 and y.loc["2021-01-10"] == 20.0  # the filled 11 January
    np.testing.assert_allclose(y.to_numpy(), np.arange(11.0, 50.0))


def test_gap_in_the_first_rows_and_a_missing_month():
    s = _daily().drop(pd.to_datetime(["2021-01-02"]))
    with pytest.raises(ValueError, match="from 2021-01-01 00:00:00 to 2021-01-03 "
                       "00:00:00, breaks the frequency 'D'"):
        make_supervised(s)
    months = pd.Series(np.arange(24.0), name="sales",
                       index=pd.date_range("2020-01-01", periods=24, freq="MS"))
    with pytest.raises(ValueError, match="from 2020-05-01 00:00:00 to 2020-07-01 "
                       r"00:00:00, breaks the frequency 'MS'.* data.asfreq\('MS'\)"):
        make_supervised(months.drop(pd.Timestamp("2020-06-01")))


def test_regular_indexes_pass_without_a_set_frequency():
    # Months of 28 to 31 days, month ends, hours: a frequency pandas can infer.
    for freq in ("MS", "ME", "h", "W-WED"):
        index = pd.DatetimeIndex(list(pd.date_range("2020-01-31", periods=30,
                                                    freq=freq)))
        assert index.freq is None
        X, y = make_supervised(pd.Series(np.arange(30.0), index=index, name="v"))
        assert len(X) == 29
    X, y = make_supervised(pd.Series(np.arange(5.0), name="v",
                                     index=pd.Index([10, 20, 30, 40, 50])))
    assert y.tolist() == [1.0, 2.0, 3.0, 4.0]
    X, y = make_supervised(pd.Series(np.arange(5.0), name="v",
                                     index=pd.RangeIndex(0, 10, 2)))
    assert len(X) == 4


def test_integer_and_period_index_with_gaps():
    s = pd.Series(np.arange(6.0), name="v", index=pd.Index([0, 1, 2, 3, 5, 6]))
    with pytest.raises(ValueError, match=r"first gap, from 3 to 5, breaks a step of 1 "
                       r"of the index.*data.reindex\(range\(data.index\[0\], "
                       r"data.index\[-1\] \+ 1, 1\)\)"):
        make_supervised(s)
    periods = pd.PeriodIndex(["2020-01", "2020-02", "2020-03", "2020-05"], freq="M")
    with pytest.raises(ValueError, match="first gap, from 2020-03 to 2020-05, breaks a "
                       r"step of 1 period.*pd.period_range"):
        make_supervised(pd.Series(np.arange(4.0), name="v", index=periods))


def test_allow_gaps_takes_rows_as_consecutive_steps():
    trading = pd.bdate_range("2024-01-01", periods=30)
    trading = trading.drop(pd.Timestamp("2024-01-15"))  # a holiday
    s = pd.Series(np.arange(29.0), index=trading, name="close")
    with pytest.raises(ValueError, match="from 2024-01-12 00:00:00 to 2024-01-16 "
                       "00:00:00, breaks the frequency 'B'.*allow_gaps=True"):
        make_supervised(s)
    X, y = make_supervised(s, allow_gaps=True)
    assert y.loc["2024-01-12"] == s.loc["2024-01-16"]  # the next trading day
    assert len(X) == 28


# --- bad target values -------------------------------------------------------


def test_infinite_target_names_the_rows():
    s = _daily()
    s.iloc[[5, 30]] = [np.inf, -np.inf]
    with pytest.raises(
        ValueError,
        match=r"make_supervised: the target 'sales' contains 2 infinite value\(s\), "
        r"at row\(s\) 2021-01-06 00:00:00, 2021-01-31 00:00:00; expected finite "
        r"numbers. Replace them with NaN",
    ):
        make_supervised(s, horizon=[1, 2])
    s.iloc[[5, 30]] = np.nan  # the suggested fix, then filled
    X, y = make_supervised(s.interpolate(), horizon=1)
    assert np.isfinite(y).all() and y.iloc[4] == 15.0


def test_missing_target_names_the_rows_of_y_it_reaches():
    s = _daily()
    s.iloc[[0, 8, 9]] = np.nan
    with pytest.raises(
        ValueError,
        match=r"make_supervised: the target 'sales' is missing 2 future value\(s\) "
        r"\(first for row 2021-01-08 00:00:00\): it is NaN at row\(s\) 2021-01-09 "
        r"00:00:00, 2021-01-10 00:00:00; y must be complete. Fill the target first",
    ):
        make_supervised(s)
    # NaN in the first row only reaches X, for the model to fill.
    s.iloc[[8, 9]] = 18.0
    X, y = make_supervised(s)
    assert np.isnan(X.iloc[0, 0]) and np.isfinite(y).all()


def test_nullable_target_with_pd_na_is_named_not_a_crash():
    s = _daily().astype("Float64")
    s.iloc[6] = pd.NA
    with pytest.raises(ValueError, match=r"the target 'sales' is missing 1 future "
                       r"value\(s\) \(first for row 2021-01-06 00:00:00\)"):
        make_supervised(s)
