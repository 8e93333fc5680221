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
