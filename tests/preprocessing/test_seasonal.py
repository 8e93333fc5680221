import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import TimeSeriesSplit

from sklstm import SeasonalSine
from sklstm.preprocessing._seasonal import resolve_periods, seasonal_terms


def monthly(n=36, start="2020-01-01"):
    index = pd.date_range(start, periods=n, freq="MS")
    return pd.DataFrame({"sales": np.arange(n, dtype=float)}, index=index)


# -- the pure function -------------------------------------------------------


def test_seasonal_terms_values():
    t = np.arange(12)
    out = seasonal_terms(t, [12, 4], [2, 1])
    assert out.shape == (12, 6)
    np.testing.assert_allclose(out[:, 0], np.sin(2 * np.pi * t / 12), atol=1e-12)
    np.testing.assert_allclose(out[:, 3], np.cos(4 * np.pi * t / 12), atol=1e-12)
    np.testing.assert_allclose(out[:, 4], np.sin(2 * np.pi * t / 4), atol=1e-12)
    np.testing.assert_allclose(out[:, 0] ** 2 + out[:, 1] ** 2, 1.0)


def test_seasonal_terms_float_time_and_period():
    out = seasonal_terms(np.array([0.0, 1.75, 3.5]), [3.5], [1])
    np.testing.assert_allclose(out, [[0, 1], [0, -1], [0, 1]], atol=1e-12)


def test_seasonal_terms_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="2 period.* but 1 harmonics"):
        seasonal_terms(np.arange(3), [12, 7], [1])


@settings(max_examples=100, deadline=None)
@given(
    t=st.lists(st.integers(-(10**17), 10**17), min_size=1, max_size=20),
    period=st.integers(3, 10**15),
    harmonics=st.integers(1, 3),
    cycles=st.integers(-5, 5),
)
def test_terms_are_periodic_property(t, period, harmonics, cycles):
    t = np.asarray(t, dtype=np.int64)
    a = seasonal_terms(t, [period], [harmonics])
    b = seasonal_terms(t + cycles * period, [period], [harmonics])
    np.testing.assert_array_equal(a, b)


@settings(max_examples=50, deadline=None)
@given(
    start=st.integers(-1000, 1000),
    period=st.integers(2, 40),
    n=st.integers(1, 30),
)
def test_transformer_rows_one_period_apart_are_equal_property(start, period, n):
    X = pd.DataFrame(
        {"v": np.zeros(n + period)}, index=pd.RangeIndex(start, start + n + period)
    )
    out = SeasonalSine(periods=period, drop_original=True).fit(X).transform(X)
    np.testing.assert_array_equal(out.iloc[:n].to_numpy(), out.iloc[period:].to_numpy())


# -- where the time comes from ------------------------------------------------


def test_monthly_datetime_index_has_january_phase_zero():
    X = monthly()
    ss = SeasonalSine(periods=12).set_output(transform="pandas")
    out = ss.fit_transform(X)
    assert list(out.columns) == ["sales", "sin_12_1", "cos_12_1"]
    pd.testing.assert_series_equal(out["sales"], X["sales"])
    january = out.index.month == 1
    np.testing.assert_allclose(out.loc[january, "sin_12_1"], 0.0, atol=1e-12)
    np.testing.assert_allclose(out.loc[january, "cos_12_1"], 1.0)
    april = out.index.month == 4
    np.testing.assert_allclose(out.loc[april, "sin_12_1"], 1.0)
    assert str(ss.freq_) == "<MonthBegin>"


def test_phase_is_absolute_for_test_folds_and_single_rows():
    X = monthly(50)
    ss = SeasonalSine(periods=[12, 6], harmonics=[3, 1])
    whole = ss.fit(X).transform(X)
    for train, test in TimeSeriesSplit(n_splits=4).split(X):
        fold = SeasonalSine(periods=[12, 6], harmonics=[3, 1]).fit(X.iloc[train])
        pd.testing.assert_frame_equal(
            fold.transform(X.iloc[test]), whole.iloc[test], check_exact=True
        )
    for i in [0, 17, 49]:
        pd.testing.assert_frame_equal(
            ss.transform(X.iloc[[i]]), whole.iloc[[i]], check_exact=True
        )
    # a shuffled order gives the same rows, shuffled
    perm = np.random.default_rng(0).permutation(len(X))
    pd.testing.assert_frame_equal(
        ss.transform(X.iloc[perm]), whole.iloc[perm], check_exact=True
    )


def test_phase_does_not_depend_on_the_fit_start():
    X = monthly(48, start="2019-07-01")
    late = SeasonalSine(periods=12).fit(X.iloc[30:]).transform(X)
    early = SeasonalSine(periods=12).fit(X.iloc[:5]).transform(X)
    np.testing.assert_array_equal(late, early)


def test_steps_on_a_fixed_frequency_equal_the_matching_span():
    index = pd.date_range("2023-03-01 05:00", periods=100, freq="h")
    X = pd.DataFrame({"load": np.ones(100)}, index=index)
    steps = SeasonalSine(periods=[24, 168], drop_original=True).fit(X).transform(X)
    spans = SeasonalSine(periods=["24h", "7D"], drop_original=True).fit(X).transform(X)
    np.testing.assert_array_equal(steps.to_numpy(), spans.to_numpy())
    midnight = index.hour == 0
    np.testing.assert_allclose(spans.loc[midnight, "sin_24h_1"], 0.0, atol=1e-12)
    np.testing.assert_allclose(spans.loc[midnight, "cos_24h_1"], 1.0)


def test_timedelta_periods_get_compact_names():
    X = pd.DataFrame(
        {"v": np.ones(10)}, index=pd.date_range("2021", periods=10, freq="h")
    )
    ss = SeasonalSine(
        periods=[pd.Timedelta(hours=12), pd.Timedelta(days=7)], drop_original=True
    )
    names = ss.fit(X).get_feature_names_out().tolist()
    assert names == ["sin_12h_1", "cos_12h_1", "sin_7D_1", "cos_7D_1"]


def test_span_periods_need_no_frequency():
    index = pd.DatetimeIndex(
        ["2021-01-01 00:00", "2021-01-01 06:00", "2021-01-03 12:00"]
    )
    X = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=index)
    out = SeasonalSine(periods="1D", drop_original=True).fit(X).transform(X)
    np.testing.assert_allclose(out, [[0, 1], [1, 0], [0, -1]], atol=1e-12)


def test_business_days_count_trading_days():
    index = pd.bdate_range("2024-01-01", periods=30)
    X = pd.DataFrame({"price": np.arange(30.0)}, index=index)
    ss = SeasonalSine(periods=5, drop_original=True).fit(X)
    out = ss.transform(X)
    assert out.index.equals(index)
    values = out.to_numpy()
    np.testing.assert_allclose(values[:-5], values[5:], atol=1e-12)  # a trading week
    mondays = values[index.day_of_week == 0]
    np.testing.assert_allclose(mondays, np.repeat(mondays[:1], len(mondays), axis=0))
    pd.testing.assert_frame_equal(
        ss.transform(X.iloc[[12]]), out.iloc[[12]], check_exact=True
    )
    off_grid = pd.DataFrame({"price": [1.0]}, index=pd.DatetimeIndex(["2024-01-06"]))
    with pytest.raises(
        ValueError, match=r"SeasonalSine.transform: time 2024-01-06 .*grid"
    ):
        ss.transform(off_grid)


def test_timezone_aware_index_follows_the_wall_clock():
    index = pd.date_range("2021-03-27", periods=72, freq="h", tz="Europe/Berlin")
    X = pd.DataFrame({"load": np.ones(72)}, index=index)
    out = SeasonalSine(periods="24h", drop_original=True).fit(X).transform(X)
    midnight = index.hour == 0  # 4 midnights, before and after the DST switch
    assert midnight.sum() == 4
    assert out.index.equals(index)
    np.testing.assert_allclose(out.loc[midnight, "cos_24h_1"], 1.0)
    np.testing.assert_allclose(out.loc[index.hour == 6, "sin_24h_1"], 1.0)


def test_period_index_is_taken_at_period_starts():
    X = pd.DataFrame(
        {"v": np.ones(24)}, index=pd.period_range("2020-01", periods=24, freq="M")
    )
    ref = monthly(24)
    a = SeasonalSine(periods=12, drop_original=True).fit(X).transform(X)
    b = SeasonalSine(periods=12, drop_original=True).fit(ref).transform(ref)
    assert a.index.equals(X.index)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_integer_index_labels_are_time():
    X = pd.DataFrame({"v": np.arange(40.0)}, index=pd.RangeIndex(100, 140))
    ss = SeasonalSine(periods=[10, 2.5], drop_original=True).fit(X)
    out = ss.transform(X)
    np.testing.assert_allclose(  # label 100 = 10 cycles
        out.loc[100, ["sin_10_1", "cos_10_1"]], [0.0, 1.0], atol=1e-12
    )
    np.testing.assert_allclose(
        out.loc[101, ["sin_2.5_1", "cos_2.5_1"]],
        [np.sin(2 * np.pi / 2.5), np.cos(2 * np.pi / 2.5)],
    )
    pd.testing.assert_frame_equal(
        ss.transform(X.iloc[[7, 3]]), out.loc[[107, 103]], check_exact=True
    )


def test_datetime_time_column_is_time_not_a_feature():
    when = pd.date_range("2021-06-01", periods=48, freq="h")
    X = pd.DataFrame({"when": when, "temp": np.linspace(10, 20, 48), "rain": 0.5})
    ss = SeasonalSine(periods=24, time_column="when").set_output(transform="pandas")
    out = ss.fit_transform(X)
    assert ss.n_features_in_ == 2
    assert ss.feature_names_in_.tolist() == ["temp", "rain"]
    assert list(out.columns) == ["temp", "rain", "sin_24_1", "cos_24_1"]
    assert out.index.equals(X.index)
    np.testing.assert_allclose(out.loc[when.hour == 6, "sin_24_1"], 1.0)
    names = ss.get_feature_names_out(["when", "temp", "rain"]).tolist()
    assert names == ["temp", "rain", "sin_24_1", "cos_24_1"]
    # shuffled rows keep their own time
    np.testing.assert_array_equal(ss.transform(X.iloc[::-1]), out.to_numpy()[::-1])


def test_time_column_alone_gives_only_the_terms():
    X = pd.DataFrame({"when": pd.date_range("2021-01-01", periods=8, freq="D")})
    ss = SeasonalSine(periods=7, time_column="when").fit(X)
    assert ss.n_features_in_ == 0
    out = ss.transform(X)
    assert out.shape == (8, 2)
    assert list(out.columns) == ["sin_7_1", "cos_7_1"]
    np.testing.assert_allclose(out.iloc[0].to_numpy(), out.iloc[7].to_numpy())


def test_numeric_time_column_in_steps():
    X = pd.DataFrame({"step": [0, 3, 6, 9], "v": [1.0, 2.0, 3.0, 4.0]})
    out = SeasonalSine(
        periods=12, time_column="step", drop_original=True
    ).fit_transform(X)
    np.testing.assert_allclose(out, [[0, 1], [1, 0], [0, -1], [-1, 0]], atol=1e-12)


def test_position_mode_counts_rows_and_continues_the_fit_index():
    X = monthly(30).reset_index(drop=True)
    ss = SeasonalSine(periods=12, time="position", drop_original=True).fit(X.iloc[:20])
    whole = ss.transform(X)
    np.testing.assert_allclose(
        whole["sin_12_1"], np.sin(2 * np.pi * np.arange(30) / 12), atol=1e-12
    )
    pd.testing.assert_frame_equal(
        ss.transform(X.iloc[20:]), whole.iloc[20:], check_exact=True
    )
    arr = ss.fit(X.to_numpy()).transform(X.to_numpy()[20:])
    np.testing.assert_array_equal(arr, whole.iloc[:10].to_numpy())  # restarts at 0


def test_numpy_input_needs_an_explicit_choice():
    X = np.ones((10, 2))
    with pytest.raises(
        ValueError,
        match=r"SeasonalSine.fit: X is a numpy array and carries no time.*position",
    ):
        SeasonalSine(periods=4).fit(X)
    out = SeasonalSine(periods=4, time="position").fit_transform(X)
    assert out.shape == (10, 4)


def test_pandas_in_pandas_out_numpy_in_numpy_out():
    X = monthly(24)
    ss = SeasonalSine(periods=[12, 4]).fit(X)
    part = X.iloc[[14, 3, 20]]
    out = ss.transform(part)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(part.index)
    assert list(out.columns) == ss.get_feature_names_out().tolist()
    assert list(out.columns) == ["sales", "sin_12_1", "cos_12_1", "sin_4_1", "cos_4_1"]
    pd.testing.assert_series_equal(out["sales"], part["sales"])
    march = out.index == "2021-03-01"  # 2 months into the year, phase pi/3
    np.testing.assert_allclose(out.loc[march, "sin_12_1"], np.sin(np.pi / 3))
    # numpy in, numpy out, with the same numbers (position = month since 2020-01)
    arr = SeasonalSine(periods=[12, 4], time="position").fit(X.to_numpy())
    out_np = arr.transform(X.to_numpy())
    assert type(out_np) is np.ndarray
    np.testing.assert_allclose(
        out_np[[14, 3, 20]], out.to_numpy(), rtol=1e-12, atol=1e-12
    )
    # the default container setting keeps this; "pandas" gives the same frame
    ss.set_output(transform="default")
    pd.testing.assert_frame_equal(ss.transform(part), out)
    ss.set_output(transform="pandas")
    pd.testing.assert_frame_equal(ss.transform(part), out)


# -- bad input ---------------------------------------------------------------


def test_object_column_is_named():
    X = monthly().assign(city="Oslo")
    with pytest.raises(TypeError, match="SeasonalSine.fit: .*'city'"):
        SeasonalSine().fit(X)


def test_infinite_value_is_named():
    X = monthly()
    X.iloc[3, 0] = np.inf
    with pytest.raises(
        ValueError, match="SeasonalSine.fit: X 'sales' contains 1 infinite"
    ):
        SeasonalSine().fit(X)


def test_nan_features_pass_through():
    X = monthly()
    X.iloc[3, 0] = np.nan
    out = SeasonalSine().fit_transform(X)
    assert np.isnan(out["sales"].iloc[3])
    assert np.isfinite(out[["sin_12_1", "cos_12_1"]].to_numpy()).all()


def test_empty_frame():
    with pytest.raises(ValueError, match=r"0 sample\(s\).*SeasonalSine"):
        SeasonalSine().fit(monthly().iloc[:0])


def test_wrong_column_count():
    X = monthly().assign(extra=1.0)
    ss = SeasonalSine(time="position").fit(X.to_numpy())
    with pytest.raises(ValueError, match="1 features, but SeasonalSine is expecting 2"):
        ss.transform(X.to_numpy()[:, :1])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"periods": 0}, "'periods' parameter of SeasonalSine"),
        ({"periods": [12, -1]}, r"SeasonalSine.fit: period -1 must be a positive"),
        ({"periods": []}, "SeasonalSine.fit: periods is empty"),
        ({"periods": [12, 12.0]}, "contains duplicates"),
        ({"periods": ["7D", "168h"]}, "contains duplicates"),
        ({"periods": "1Y"}, r"period '1Y' is not a time span .*'365.25D'"),
        ({"periods": "weekly"}, "period 'weekly' is not a time span"),
        (
            {"periods": 12, "harmonics": 7},
            r"7 harmonics of period 12 exceed the Nyquist .*at most 6",
        ),
        (
            {"periods": [12, 7], "harmonics": [1]},
            "harmonics has 1 entries but there are 2",
        ),
        ({"harmonics": 0}, "'harmonics' parameter of SeasonalSine"),
        ({"harmonics": [1.5]}, "harmonics must be positive ints"),
        ({"time": "index"}, "'time' parameter of SeasonalSine"),
        ({"time_column": 1.5}, "'time_column' parameter of SeasonalSine"),
        ({"drop_original": None}, "'drop_original' parameter of SeasonalSine"),
    ],
)
def test_invalid_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        SeasonalSine(**params).fit(monthly())


def test_span_periods_need_datetime_time():
    X = pd.DataFrame({"v": np.ones(5)})
    with pytest.raises(
        ValueError,
        match=r"period '7D' is a time span, but the time here is time in steps",
    ):
        SeasonalSine(periods="7D").fit(X)
    with pytest.raises(ValueError, match=r"period '7D' is a time span.*row positions"):
        SeasonalSine(periods="7D", time="position").fit(X)


def test_steps_on_irregular_datetimes_need_spans():
    index = pd.DatetimeIndex(["2021-01-01", "2021-01-02", "2021-01-05", "2021-01-06"])
    X = pd.DataFrame({"v": np.ones(4)}, index=index)
    with pytest.raises(ValueError, match="periods in steps need the length of a step"):
        SeasonalSine(periods=7).fit(X)
    assert SeasonalSine(periods="7D").fit(X).freq_ is None


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_time_kind_must_match_between_fit_and_transform():
    ss = SeasonalSine(periods=12).fit(monthly())
    with pytest.raises(
        ValueError,
        match="SeasonalSine.transform: fit saw datetime time but X has time in steps",
    ):
        ss.transform(monthly().reset_index(drop=True))
    with pytest.raises(ValueError, match="X is a numpy array and carries no time"):
        ss.transform(np.ones((3, 1)))


def test_index_without_time():
    X = pd.DataFrame({"v": [1.0, 2.0]}, index=["a", "b"])
    with pytest.raises(ValueError, match="the index of X has dtype .* carries no time"):
        SeasonalSine(periods=4).fit(X)


def test_bad_time_column():
    X = pd.DataFrame({"when": ["mon", "tue", "wed"], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(
        TypeError, match=r"time column 'when' has dtype .*pd.to_datetime"
    ):
        SeasonalSine(periods=4, time_column="when").fit(X)
    with pytest.raises(ValueError, match="time column 'day' is not in X"):
        SeasonalSine(periods=4, time_column="day").fit(X)
    with pytest.raises(ValueError, match="time_column='when' needs a pandas DataFrame"):
        SeasonalSine(periods=4, time_column="when").fit(X[["v"]].to_numpy())
    nat = pd.DataFrame(
        {"when": pd.to_datetime(["2021-01-01", None, "2021-01-03"]), "v": 1.0}
    )
    with pytest.raises(ValueError, match="time column 'when' contains NaT"):
        SeasonalSine(periods="1D", time_column="when").fit(nat)
    with pytest.raises(
        ValueError, match="time='position' counts rows and ignores time_column"
    ):
        SeasonalSine(periods=4, time="position", time_column="when").fit(X)


def test_resolve_periods_labels():
    periods, harmonics = resolve_periods([24, 365.25, "30min", pd.Timedelta("90s")], 1)
    assert [label for _, _, label in periods] == ["24", "365.25", "30min", "90s"]
    assert harmonics == [1, 1, 1, 1]


def test_polars_output_is_refused_with_the_fix():
    from sklearn.pipeline import make_pipeline

    from sklstm import Interpolator, LagFeatures

    with pytest.raises(ValueError, match=r"SeasonalSine.set_output: transform='polars' "
                       r"would drop the time index.*polars\.from_pandas"):
        SeasonalSine(periods=7).set_output(transform="polars")
    with pytest.raises(ValueError, match="Interpolator.set_output: transform='polars'"):
        make_pipeline(Interpolator(), LagFeatures()).set_output(transform="polars")
    assert SeasonalSine(periods=7).set_output(transform="pandas").get_params()


def test_a_frame_without_an_index_is_named_in_the_message():
    class DataFrame:  # what a polars frame looks like to the checks: no index
        __module__ = "polars.dataframe.frame"

        def __init__(self, values):
            self._values = values

        def __array__(self, dtype=None, copy=None):
            return self._values if dtype is None else self._values.astype(dtype)

        @property
        def shape(self):
            return self._values.shape

    from sklstm.utils._validation import container_name

    assert container_name(DataFrame(np.zeros((3, 1)))) == "a polars DataFrame"
    with pytest.raises(ValueError, match="X is a numpy array and carries no time"):
        SeasonalSine(periods=7).fit(np.zeros((20, 1)))
