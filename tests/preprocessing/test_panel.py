"""Panels (series id, time) in the transformers, and the panel data model.

Every transformer transforms each series of a panel exactly as if it were
passed alone: nothing crosses a series boundary, the fitted history is kept
per series, and the output keeps the panel's index and row order.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from sklstm import (
    CalendarFeatures,
    Differencer,
    Interpolator,
    LagFeatures,
    MedianOutlierFilter,
    RollingFeatures,
    SeasonalSine,
    to_panel,
)
from sklstm.utils import is_panel
from sklstm.utils._panel import check_panel, panel_groups

#: One or two settings of each transformer, together covering lags, fills,
#: differences and their inverse, seasonal terms on time and on positions,
#: every fill family, centred and causal windows, statistics and indicators.
ESTIMATORS = [
    LagFeatures(lags=[1, 3]),
    LagFeatures(lags=[2], columns=["x"], fill_value=np.nan, drop_original=True),
    Differencer(order=1, seasonal_lag=3),
    Differencer(order=2, drop_original=False, fill_value=np.nan),
    SeasonalSine(periods=[7, "3D"], harmonics=[2, 1]),
    SeasonalSine(periods=5, time="position", drop_original=True),
    Interpolator(),
    Interpolator(method="time"),
    Interpolator(method="ffill", edges="keep", limit=2),
    MedianOutlierFilter(window=5),
    MedianOutlierFilter(window=4, center=False, replace="clip", n_sigmas=1.0),
    RollingFeatures(windows=[2, 4], stats=["mean", "std", "max"], ewm_spans=[3],
                    indicators=["rsi", "momentum"], rsi_window=3,
                    momentum_window=2),
]
IDS = [f"{type(e).__name__}-{i}" for i, e in enumerate(ESTIMATORS)]


def make_series(rng, n, start, level=0.0, freq="D", nan_share=0.0):
    """Two columns of a random walk around ``level``, on a daily grid."""
    index = pd.date_range(start, periods=n, freq=freq)
    values = level + np.cumsum(rng.standard_normal((n, 2)), axis=0)
    if nan_share:
        holes = rng.random((n, 2)) < nan_share
        holes[rng.integers(n), :] = False  # each column keeps an observation
        values[holes] = np.nan
    return pd.DataFrame(values, index=index, columns=["x", "z"])


def make_panel(series: dict) -> pd.DataFrame:
    return pd.concat(series, names=["id", "time"])


def assert_same(got, expected):
    np.testing.assert_allclose(np.asarray(got, dtype=float),
                               np.asarray(expected, dtype=float),
                               rtol=1e-9, atol=1e-9, equal_nan=True)


panels = st.lists(
    st.tuples(st.integers(3, 25), st.integers(0, 15), st.floats(-1e3, 1e3)),
    min_size=1, max_size=4,
)


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=panels, seed=st.integers(0, 2**16))
def test_each_series_is_transformed_as_if_alone(est, spec, seed):
    rng = np.random.default_rng(seed)
    nan_share = 0.2 if isinstance(est, Interpolator) else 0.0
    series = {
        f"s{k}": make_series(rng, n, pd.Timestamp("2024-01-01") + pd.Timedelta(
            days=start), level, nan_share=nan_share)
        for k, (n, start, level) in enumerate(spec)
    }
    panel = make_panel(series)
    fitted = clone(est)
    out = fitted.fit_transform(panel)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(panel.index)
    assert list(out.columns) == list(fitted.get_feature_names_out())
    again = fitted.transform(panel)
    for sid, frame in series.items():
        alone = clone(est).fit_transform(frame)
        assert_same(out.loc[sid], alone)
        assert_same(again.loc[sid], clone(est).fit(frame).transform(frame))
    assert fitted.series_ids_ == list(series)
    assert set(fitted.history_) == set(series)


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_history_continues_per_series(est):
    rng = np.random.default_rng(1)
    nan_share = 0.2 if isinstance(est, Interpolator) else 0.0
    series = {
        "a": make_series(rng, 40, "2024-01-01", 0.0, nan_share=nan_share),
        "b": make_series(rng, 30, "2024-01-11", 500.0, nan_share=nan_share),
        "c": make_series(rng, 25, "2023-12-20", -80.0, nan_share=nan_share),
    }
    cut = {"a": 25, "b": 12, "c": 20}
    if nan_share:  # each test fold opens inside a gap
        for k, frame in series.items():
            frame.iloc[cut[k] : cut[k] + 2, 0] = np.nan
    train = make_panel({k: v.iloc[: cut[k]] for k, v in series.items()})
    test = make_panel({k: v.iloc[cut[k]:] for k, v in series.items()})
    fitted = clone(est).fit(train)
    got = fitted.transform(test)
    assert got.index.equals(test.index)
    for sid, frame in series.items():
        whole = clone(est).fit(frame.iloc[: cut[sid]]).transform(frame)
        assert_same(got.loc[sid], whole.iloc[cut[sid]:])


def test_the_first_rows_of_a_series_hold_nothing_of_the_one_before():
    # constant levels far apart: any row read across a boundary would show
    levels = {"a": 0.0, "b": 1000.0, "c": -500.0}
    series = {
        k: pd.DataFrame({"x": np.full(12, v)},
                        index=pd.date_range("2024-01-01", periods=12, freq="D"))
        for k, v in levels.items()
    }
    panel = make_panel(series)
    checks = {
        "lags": LagFeatures(lags=[1, 5], fill_value=np.nan, drop_original=True),
        "diff": Differencer(order=1, seasonal_lag=4, fill_value=np.nan),
        "roll": RollingFeatures(windows=[3, 10], stats=["mean", "min", "max", "std"],
                                ewm_spans=[4], drop_original=True),
        "hampel": MedianOutlierFilter(window=7),
    }
    lags = checks["lags"].fit_transform(panel)
    for sid, level in levels.items():
        first = lags.loc[sid]
        assert first.iloc[0].isna().all()  # no row before: NaN, not a's tail
        assert np.isnan(first.iloc[:5, 1]).all()
        assert (first.iloc[5:] == level).all().all()
    diff = checks["diff"].fit_transform(panel)
    for sid in levels:
        d = diff.loc[sid].to_numpy().ravel()
        assert np.isnan(d[:5]).all() and (d[5:] == 0.0).all()
    roll = checks["roll"].fit_transform(panel)
    for sid, level in levels.items():
        r = roll.loc[sid]
        means = r.filter(like="mean").to_numpy()
        assert (means == level).all()
        assert (r.filter(like="min").to_numpy() == level).all()
        assert (r.filter(like="max").to_numpy() == level).all()
        assert (r.filter(like="ewm").to_numpy() == level).all()
        assert (r.filter(like="std").to_numpy() == 0.0).all()
    hampel = checks["hampel"].fit_transform(panel)
    assert_same(hampel, panel)
    assert {k: int(v[0]) for k, v in checks["hampel"].n_outliers_.items()} == {
        "a": 0, "b": 0, "c": 0}


def test_a_gap_at_the_start_of_a_series_is_filled_from_that_series_alone():
    series = {
        "a": pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[0, 1, 2]),
        "b": pd.DataFrame({"x": [np.nan, np.nan, 90.0, 100.0]}, index=[0, 1, 2, 3]),
    }
    panel = make_panel(series)
    filled = Interpolator().fit_transform(panel)
    assert filled.loc["b", "x"].tolist() == [90.0, 90.0, 90.0, 100.0]
    ffill = Interpolator(method="ffill", edges="keep").fit_transform(panel)
    assert np.isnan(ffill.loc["b", "x"].iloc[:2]).all()


def test_seasonal_phase_counts_each_series_own_rows():
    series = {k: pd.DataFrame({"x": np.arange(n, dtype=float)}, index=range(10, 10 + n))
              for k, n in {"a": 5, "b": 3}.items()}
    out = SeasonalSine(periods=4, time="position").fit_transform(make_panel(series))
    # every series starts at phase 0: sin 0, cos 1
    assert out.loc[("a", 10), "cos_4_1"] == 1.0
    assert out.loc[("b", 10), "cos_4_1"] == 1.0
    assert_same(out.loc["b", "sin_4_1"], np.sin(2 * np.pi * np.arange(3) / 4))


def test_a_series_fit_did_not_see_is_a_fresh_series():
    rng = np.random.default_rng(2)
    seen = {"a": make_series(rng, 20, "2024-01-01"),
            "b": make_series(rng, 15, "2024-01-05")}
    new = make_series(rng, 10, "2024-01-21")  # would continue "a", but is "z"
    panel = make_panel({"a": seen["a"].iloc[:10], "z": new})
    for est in [LagFeatures(lags=[1, 2]), Differencer(order=1),
                RollingFeatures(windows=3, stats=["mean", "std"]),
                MedianOutlierFilter(window=5), Interpolator(),
                SeasonalSine(periods=7), SeasonalSine(periods=3, time="position")]:
        fitted = clone(est).fit(make_panel(seen))
        out = fitted.transform(panel)
        assert_same(out.loc["z"], clone(est).fit_transform(new))
        assert_same(out.loc["a"], clone(est).fit(seen["a"]).transform(
            seen["a"].iloc[:10]))
        assert "z" not in fitted.history_


def test_seasonal_steps_for_an_unseen_series_need_one_shared_step():
    rng = np.random.default_rng(3)
    daily = make_series(rng, 10, "2024-01-01")
    hourly = make_series(rng, 10, "2024-01-01", freq="h")
    fitted = SeasonalSine(periods=7).fit(make_panel({"d": daily, "h": hourly}))
    assert fitted.freq_ == {"d": pd.offsets.Day(), "h": pd.offsets.Hour()}
    # a seen series keeps its own step
    out = fitted.transform(make_panel({"h": hourly}))
    assert_same(out, SeasonalSine(periods=7).fit_transform(hourly))
    with pytest.raises(ValueError, match=(
            r"^SeasonalSine.transform: series 'new': this series was not seen at "
            r"fit, and periods in steps need the length of its step, but the fitted "
            r"series have different steps \(<Day>, <Hour>\)")):
        fitted.transform(make_panel({"new": daily}))
    # spans need no step
    spans = SeasonalSine(periods="7D").fit(make_panel({"d": daily, "h": hourly}))
    assert_same(spans.transform(make_panel({"new": daily})),
                SeasonalSine(periods="7D").fit_transform(daily))


def test_differencer_restores_each_series_levels():
    rng = np.random.default_rng(4)
    series = {"a": make_series(rng, 20, "2024-01-01", 10.0),
              "b": make_series(rng, 14, "2024-02-01", 900.0)}
    diff = Differencer(order=1, seasonal_lag=3)
    panel = make_panel(series)
    assert_same(diff.inverse_transform(diff.fit_transform(panel)), panel)
    # a test fold: each series restored from its own tail
    train = make_panel({k: v.iloc[:8] for k, v in series.items()})
    test = make_panel({k: v.iloc[8:] for k, v in series.items()})
    diff.fit(train)
    restored = diff.inverse_transform(diff.transform(test))
    assert restored.index.equals(test.index)
    assert_same(restored, test)
    # a series fit did not see has no levels of its own: anchors= gives them
    new = make_series(rng, 9, "2024-03-01", -5.0)
    unseen = make_panel({"z": new.iloc[4:]})
    d_new = diff.transform(make_panel({"z": new})).iloc[4:]
    with pytest.raises(ValueError, match=(
            r"^Differencer.inverse_transform: series 'z': restoring levels needs the "
            r"levels of 4 earlier rows.*or pass anchors=")):
        diff.inverse_transform(d_new.set_axis(unseen.index))
    back = diff.inverse_transform(d_new.set_axis(unseen.index),
                                  anchors={"z": new.iloc[:4].to_numpy()})
    assert_same(back, unseen)
    with pytest.raises(TypeError, match="anchors must be a dict"):
        diff.inverse_transform(d_new.set_axis(unseen.index),
                               anchors=new.iloc[:4].to_numpy())


def test_outlier_mask_and_counts_are_per_series():
    values = {"a": [10.0, 11.0, 12.0, 95.0, 12.0, 11.0, 10.0],
              "b": [95.0, 96.0, 94.0, 95.0, 96.0, 95.0, 94.0]}
    panel = make_panel({k: pd.DataFrame({"load": v}) for k, v in values.items()})
    hampel = MedianOutlierFilter(window=5).fit(panel)
    mask = hampel.outlier_mask(panel)
    assert mask.index.equals(panel.index)
    assert mask["load"].tolist() == [False] * 3 + [True] + [False] * 10
    assert {k: v.tolist() for k, v in hampel.n_outliers_.items()} == {
        "a": [1], "b": [0]}


def test_panel_output_containers_and_pipelines():
    rng = np.random.default_rng(5)
    series = {"a": make_series(rng, 15, "2024-01-01", nan_share=0.2),
              "b": make_series(rng, 12, "2024-01-04", 100.0, nan_share=0.2)}
    panel = make_panel(series)

    def pipe():
        return make_pipeline(Interpolator(), LagFeatures(lags=[1, 2]),
                             RollingFeatures(windows=3)).set_output(transform="pandas")

    out = pipe().fit_transform(panel)
    assert out.index.equals(panel.index)
    for sid, frame in series.items():
        assert_same(out.loc[sid], pipe().fit_transform(frame))
    lags = LagFeatures(lags=[1]).set_output(transform="pandas").fit(panel)
    got = lags.transform(panel)
    assert isinstance(got, pd.DataFrame) and got.index.equals(panel.index)
    assert list(got.columns) == ["x", "z", "x_lag1", "z_lag1"]


def test_panel_errors_name_the_series():
    rng = np.random.default_rng(6)
    series = {"a": make_series(rng, 6, "2024-01-01"),
              "b": make_series(rng, 5, "2024-01-01")}
    panel = make_panel(series)
    lags = LagFeatures(lags=[1])
    unsorted = panel.iloc[[6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5]]
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.fit: the series are not sorted by id: series 'a' \(from "
            r"row 5\) comes after series 'b'.*X.sort_index\(\)")):
        lags.fit(unsorted)
    shuffled = panel.iloc[[0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10]]
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.fit: the time of series 'a' is not increasing: "
            r"2024-01-02 00:00:00 \(row 2\) comes after 2024-01-03")):
        lags.fit(shuffled)
    split = panel.iloc[[0, 1, 6, 7, 2, 3, 4, 5, 8, 9, 10]]
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.fit: the rows of series 'a' are not together: they "
            r"start again at row 4, after series 'b'")):
        lags.fit(split)
    twice = panel.iloc[[0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.fit: series 'a' has two rows at time 2024-01-02 00:00:00 "
            r"\(rows 1 and 2\): a duplicated \(id, time\) pair")):
        lags.fit(twice)
    no_id = panel.copy()
    no_id.index = pd.MultiIndex.from_arrays(
        [["a"] * 6 + [np.nan] + ["b"] * 4, panel.index.get_level_values(1)])
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.fit: the series id is missing \(NaN\) in 1 row\(s\), at "
            r"row position\(s\) 6 \(time 2024-01-01 00:00:00\)")):
        lags.fit(no_id)
    # a check of one series alone names it
    hollow = panel.copy()
    hollow.loc["b", "z"] = np.nan
    with pytest.raises(ValueError, match=(
            r"^Interpolator.fit: series 'b': X 'z' has no observed value")):
        Interpolator().fit(hollow)
    # panels and single series do not mix between fit and transform
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.transform: fit saw a panel of 2 series, but X is a "
            r"single series")):
        lags.fit(panel).transform(series["a"])
    with pytest.raises(ValueError, match=(
            r"^LagFeatures.transform: X is a panel .* but fit saw a single series")):
        clone(lags).fit(series["a"]).transform(panel)


def test_calendar_terms_of_a_panel_are_each_series_own():
    long = pd.DataFrame({
        "shop": ["a"] * 10 + ["b"] * 6,
        "day": list(pd.date_range("2024-12-20", periods=10, freq="D"))
        + list(pd.date_range("2025-01-03", periods=6, freq="D")),
        "visits": np.arange(16.0)})
    panel = to_panel(long, "shop", "day")
    terms = CalendarFeatures("dayofweek", encoding="cyclic").set_output(
        transform="pandas")
    out = terms.fit_transform(panel)
    assert out.index.equals(panel.index)
    for shop in ("a", "b"):
        alone = clone(terms).fit_transform(panel.loc[shop].asfreq("D"))
        np.testing.assert_allclose(out.loc[shop].to_numpy(), alone.to_numpy())
    # 2025-01-03 was a Friday: day 4, whatever series a holds
    friday = np.sin(2 * np.pi * 4 / 7)
    assert out.loc[("b", pd.Timestamp("2025-01-03")), "dayofweek_sin"] == \
        pytest.approx(friday)


# ----------------------------------------------------------- the data model


def test_to_panel_from_long_format_with_ragged_series():
    long = pd.DataFrame({
        "store": ["b", "a", "b", "a", "a", "c", "b"],
        "date": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02",
                                "2024-01-03", "2024-01-02", "2024-02-10",
                                "2024-01-04"]),
        "sales": [3.0, 10.0, 2.0, 30.0, 20.0, 7.0, 4.0],
        "promo": [0, 1, 0, 0, 1, 1, 0],
    })
    panel = to_panel(long, id="store", time="date")
    assert is_panel(panel)
    assert panel.index.names == ["store", "date"]
    assert list(panel.columns) == ["sales", "promo"]
    assert panel.index.get_level_values(0).tolist() == ["a"] * 3 + ["b"] * 3 + ["c"]
    assert panel.loc["a", "sales"].tolist() == [10.0, 20.0, 30.0]
    assert panel.loc["b"].index[0] == pd.Timestamp("2024-01-02")
    assert panel.loc["c"].index.tolist() == [pd.Timestamp("2024-02-10")]
    assert [(sid, rows.stop - rows.start) for sid, rows in
            panel_groups(panel.index)] == [("a", 3), ("b", 3), ("c", 1)]
    assert check_panel(panel, "f") == panel_groups(panel.index)
    # the time from the index
    by_index = to_panel(long.set_index("date"), id="store")
    assert by_index.index.names == ["store", "date"]
    pd.testing.assert_frame_equal(by_index, panel)
    unnamed = to_panel(long.set_index("date").rename_axis(None), id="store")
    assert unnamed.index.names == ["store", "time"]
    # it feeds the transformers straight away
    out = LagFeatures(lags=[1], columns=["sales"]).fit_transform(panel)
    assert out.loc["b", "sales_lag1"].tolist() == [2.0, 2.0, 3.0]


def test_to_panel_errors():
    long = pd.DataFrame({"id": ["a", "a", "b", np.nan], "t": [0, 1, 0, 1],
                         "y": [1.0, 2.0, 3.0, 4.0]}, index=[10, 11, 12, 13])
    with pytest.raises(ValueError, match=(
            r"^to_panel: the id is missing \(NaN\) in 1 row\(s\) of frame, at 13; "
            r"every row needs its series id and its time.*dropna\(subset=\['id'\]\)")):
        to_panel(long, "id", "t")
    ok = long.iloc[:3]
    with pytest.raises(ValueError, match=(
            r"^to_panel: time='date' is not a column of frame; the columns are "
            r"\['id', 't', 'y'\]\. .*pass time=None when the index")):
        to_panel(ok, "id", "date")
    with pytest.raises(ValueError, match=r"^to_panel: id='store' is not a column"):
        to_panel(ok, "store", "t")
    twice = pd.concat([ok, ok.iloc[[1]]])
    with pytest.raises(ValueError, match=(
            r"^to_panel: series 'a' has more than one row at time 1 \(1 duplicated "
            r"\(id, time\) pair\(s\) in all\).*frame.groupby\(\['id', 't'\]\)")):
        to_panel(twice, "id", "t")
    no_time = ok.assign(t=[0, np.nan, 1])
    with pytest.raises(ValueError, match=r"^to_panel: the time is missing \(NaN\)"):
        to_panel(no_time, "id", "t")
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        to_panel(ok.to_numpy(), "id", "t")


def test_is_panel():
    idx = pd.MultiIndex.from_tuples([("a", 0), ("b", 0)])
    assert is_panel(pd.Series([1.0, 2.0], index=idx))
    assert not is_panel(pd.DataFrame({"y": [1.0, 2.0]}, index=[0, 1]))
    assert not is_panel(np.zeros((2, 1)))
    three = pd.MultiIndex.from_tuples([("a", 0, 1), ("b", 0, 1)])
    assert not is_panel(pd.DataFrame({"y": [1.0, 2.0]}, index=three))
