"""One rule for the columns a parameter names, across every estimator."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from sklstm import Differencer, LagFeatures, LevelDifferenceRegressor
from sklstm.utils._columns import resolve_column, resolve_columns

X = pd.DataFrame({"price": [1.0, 2.0, 4.0, 3.0], "volume": [5.0, 6.0, 7.0, 9.0]})
Y = np.array([2.0, 4.0, 3.0, 5.0])


@pytest.mark.parametrize("cls", [LagFeatures, Differencer])
@pytest.mark.parametrize("columns, message", [
    ([0, 0], r"names a column twice \(position 0\)"),
    (["price", 0], r"names a column twice \(position 0\)"),
    ([-1, "volume"], r"names a column twice \(position 1\)"),
    ([True], "True and False are not positions"),
    ([2], r"column 2 is neither a column name nor a position in 0\.\.1"),
    (["prices"], r"column 'prices' is not in X; X has columns \['price', 'volume'\]"),
    ([], "columns is empty"),
])
def test_transformers_share_the_column_rule(cls, columns, message):
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.fit: .*{message}"):
        cls(columns=columns).fit(X)


@pytest.mark.parametrize("cls", [LagFeatures, Differencer])
def test_names_and_positions_mean_the_same_columns(cls):
    by_name = cls(columns=["volume"]).fit(X)
    by_position = cls(columns=[-1]).fit(X)
    assert by_name.columns_.tolist() == by_position.columns_.tolist() == [1]
    np.testing.assert_array_equal(by_name.transform(X), by_position.transform(X))


def test_level_column_follows_the_rule():
    with pytest.raises(ValueError, match="level=True is not a column position.*"
                       "True and False are not positions"):
        LevelDifferenceRegressor(Ridge(), level=True).fit(X, Y)
    fitted = LevelDifferenceRegressor(Ridge(), level=np.int64(-1)).fit(X, Y)
    assert fitted.level_index_ == 1


def test_one_name_is_not_a_list():
    with pytest.raises(ValueError, match="The 'columns' parameter of LagFeatures"):
        LagFeatures(columns="price").fit(X)
    with pytest.raises(ValueError, match=r"t: columns='price' must be a list of "
                       r"names or positions; pass \['price'\]"):
        resolve_columns("price", 2, ["price", "volume"], owner="t")


def test_resolvers_on_arrays_take_positions_only():
    assert resolve_columns([np.int64(1), -2], 2, owner="t").tolist() == [1, 0]
    assert resolve_column(0, 1, owner="t") == 0
    with pytest.raises(ValueError, match="t: column 'a' is not in X; X has columns"
                       r" \[0, 1\]"):
        resolve_columns(["a"], 2, owner="t")
