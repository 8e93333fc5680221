"""make_supervised on a panel: X/y per series, targets within the same series."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklstm import to_panel
from sklstm.forecasting import make_supervised


def make_series(rng, n, start, level=0.0, freq="D"):
    index = pd.date_range(start, periods=n, freq=freq)
    return pd.DataFrame({
        "sales": level + np.cumsum(rng.standard_normal(n)),
        "price": rng.uniform(1.0, 2.0, n),
        "promo": rng.integers(0, 2, n),
    }, index=index)


def make_panel(series: dict) -> pd.DataFrame:
    return pd.concat(series, names=["store", "date"])


horizons = st.one_of(st.integers(1, 3),
                     st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True))


@settings(max_examples=40, deadline=None)
@given(
    spec=st.lists(st.tuples(st.integers(5, 30), st.integers(0, 20),
                            st.floats(-1e3, 1e3)), min_size=1, max_size=4),
    horizon=horizons,
    future=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_each_series_is_supervised_as_if_alone(spec, horizon, future, seed):
    rng = np.random.default_rng(seed)
    series = {
        f"s{k}": make_series(rng, n, pd.Timestamp("2024-01-01")
                             + pd.Timedelta(days=start), level)
        for k, (n, start, level) in enumerate(spec)
    }
    panel = make_panel(series)
    kw = {"future": ["promo"], "features": ["sales", "price"]} if future else {}
    X, y = make_supervised(panel, "sales", horizon, **kw)
    longest = horizon if isinstance(horizon, int) else max(horizon)
    assert len(X) == sum(len(s) - longest for s in series.values())
    assert X.index.equals(y.index)
    assert X.index.names == ["store", "date"]
    assert isinstance(y, pd.Series) == isinstance(horizon, int)
    for sid, frame in series.items():
        X1, y1 = make_supervised(frame, "sales", horizon, **kw)
        pd.testing.assert_frame_equal(X.loc[sid], X1, check_freq=False,
                                      check_index_type=False, check_names=False)
        if isinstance(y1, pd.Series):
            pd.testing.assert_series_equal(y.loc[sid], y1, check_freq=False,
                                           check_index_type=False, check_names=False)
        else:
            pd.testing.assert_frame_equal(y.loc[sid], y1, check_freq=False,
                                          check_index_type=False, check_names=False)
    assert X.index.equals(panel.index[panel.index.isin(X.index)])  # panel order


def test_targets_and_leads_never_come_from_the_next_series():
    # constant levels far apart: a target read across a boundary would show
    series = {
        "a": pd.DataFrame({"sales": np.full(5, 1.0), "promo": [0, 0, 0, 0, 0]},
                          index=pd.RangeIndex(0, 5)),
        "b": pd.DataFrame({"sales": np.full(4, 100.0), "promo": [1, 1, 1, 1]},
                          index=pd.RangeIndex(3, 7)),
    }
    X, Y = make_supervised(make_panel(series), "sales", [1, 2], future="promo")
    assert X.index.tolist() == [("a", 0), ("a", 1), ("a", 2), ("b", 3), ("b", 4)]
    assert (Y.loc["a"].to_numpy() == 1.0).all()
    assert (Y.loc["b"].to_numpy() == 100.0).all()
    assert (X.loc["a", ["promo_h1", "promo_h2"]].to_numpy() == 0).all()
    assert (X.loc["b", ["promo_h1", "promo_h2"]].to_numpy() == 1).all()


def test_a_panel_series_and_a_long_frame_give_the_same_problem():
    long = pd.DataFrame({"store": ["a", "a", "a", "b", "b", "b", "b"],
                         "week": [1, 2, 3, 5, 6, 7, 8],
                         "sales": [1.0, 2.0, 4.0, 10.0, 20.0, 40.0, 80.0]})
    panel = to_panel(long, "store", "week")
    X, y = make_supervised(panel["sales"], horizon=2)
    assert y.name == "sales_h2"
    assert y.tolist() == [4.0, 40.0, 80.0]
    assert X.index.tolist() == [("a", 1), ("b", 5), ("b", 6)]
    assert X["sales"].tolist() == [1.0, 10.0, 20.0]


def test_errors_name_the_series():
    rng = np.random.default_rng(0)
    series = {"a": make_series(rng, 8, "2024-01-01"),
              "b": make_series(rng, 3, "2024-01-05"),
              "c": make_series(rng, 2, "2024-01-01")}
    panel = make_panel(series)
    with pytest.raises(ValueError, match=(
            r"^make_supervised: series 'b' \(3 rows\), series 'c' \(2 rows\) are too "
            r"short for horizon 3: each series needs at least 4 rows \(one to keep, "
            r"3 ahead\).*data.groupby\(level=0\).filter\(lambda s: len\(s\) > 3\)")):
        make_supervised(panel, "sales", 3)
    with pytest.raises(ValueError, match=(
            r"^make_supervised: series 'c' \(2 rows\) is too short for horizon 2")):
        make_supervised(panel, "sales", [1, 2])
    gappy = make_panel({"a": series["a"],
                        "b": make_series(rng, 6, "2024-01-01").iloc[[0, 1, 2, 4, 5]]})
    with pytest.raises(ValueError, match=(
            r"^make_supervised: series 'b': the index is not equally spaced: its "
            r"first gap, from 2024-01-03 00:00:00 to 2024-01-05")):
        make_supervised(gappy, "sales")
    X, _ = make_supervised(gappy, "sales", allow_gaps=True)
    assert len(X.loc["b"]) == 4
    holed = panel.copy()
    holed.loc[("b", "2024-01-06"), "sales"] = np.nan
    with pytest.raises(ValueError, match=(
            r"^make_supervised: series 'b': the target 'sales' is missing 1 future "
            r"value\(s\) \(first for row 2024-01-05 00:00:00\)")):
        make_supervised(holed, "sales")
    unsorted = panel.iloc[::-1]
    with pytest.raises(ValueError, match=(
            r"^make_supervised: the series are not sorted by id: .*X.sort_index")):
        make_supervised(unsorted, "sales")
    twice = panel.iloc[[0, 0, *range(1, len(panel))]]
    with pytest.raises(ValueError, match=(
            r"^make_supervised: series 'a' has two rows at time 2024-01-01 00:00:00 "
            r"\(rows 0 and 1\): a duplicated \(id, time\) pair")):
        make_supervised(twice, "sales")
    no_id = panel.copy()
    no_id.index = pd.MultiIndex.from_arrays(
        [["a"] * 8 + [None] * 3 + ["c"] * 2, panel.index.get_level_values(1)])
    with pytest.raises(ValueError, match=(
            r"^make_supervised: the series id is missing \(NaN\) in 3 row\(s\), at "
            r"row position\(s\) 8, 9, 10")):
        make_supervised(no_id, "sales")
    with pytest.raises(ValueError, match=(
            r"^make_supervised: features \['nope'\] are not columns of data")):
        make_supervised(panel.loc[["a"]], "sales", features=["nope"])


def test_calendar_steps_and_integer_steps_are_checked_per_series():
    monthly = {
        "a": pd.Series(np.arange(6.0), name="y",
                       index=pd.date_range("2023-01-01", periods=6, freq="MS")),
        "b": pd.Series(np.arange(4.0), name="y",
                       index=pd.date_range("2023-11-01", periods=4, freq="MS")),
    }
    X, y = make_supervised(pd.concat(monthly, names=["id", "month"]), horizon=1)
    assert y.loc["b"].tolist() == [1.0, 2.0, 3.0]  # months of 28 to 31 days
    steps = pd.concat({
        "a": pd.Series([1.0, 2.0, 3.0], name="y", index=[0, 2, 4]),
        "b": pd.Series([1.0, 2.0, 3.0, 4.0], name="y", index=[10, 11, 12, 14]),
    }, names=["id", "t"])
    with pytest.raises(ValueError, match=(
            r"^make_supervised: series 'b': the index is not equally spaced: its "
            r"first gap, from 12 to 14, breaks a step of 1")):
        make_supervised(steps)
