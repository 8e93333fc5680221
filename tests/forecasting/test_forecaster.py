"""LSTMForecaster end to end: every time step, short series, bad input,
reproducibility, persistence."""

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FORECASTER
from sklearn.base import clone

from sklstm import LSTMForecaster
from sklstm.datasets import load_airline
from sklstm.forecasting import configure

#: tiny networks: these tests check behaviour, not accuracy
TINY = TINY_FORECASTER


def seasonal_series(n, freq, period, *, start="2000-01-01", level=100.0,
                    noise=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level + 0.05 * t + 10 * np.sin(2 * np.pi * t / period)
    values = values + noise * rng.normal(size=n)
    index = (pd.date_range(start, periods=n, freq=freq) if freq is not None
             else pd.RangeIndex(n))
    return pd.Series(values, index=index, name="y")


FREQUENCIES = [
    # freq, rows, period in the data, periods the forecaster should keep
    ("YS", 60, 9, ()),  # yearly: a cycle, no calendar season
    ("QS", 80, 4, (4.0,)),
    ("MS", 96, 12, (12.0,)),
    ("W-SAT", 200, 365.2425 / 7, (365.2425 / 7,)),
    ("D", 120, 7, (7.0,)),  # a year's season needs three years of rows
    ("h", 24 * 14, 24, (24.0,)),  # two weeks: too few for the weekly season
    ("30min", 48 * 7, 48, (48.0,)),
    (None, 150, 10, ()),  # integer steps
]


@pytest.mark.parametrize("freq, n, period, kept", FREQUENCIES,
                         ids=[str(f[0]) for f in FREQUENCIES])
def test_every_time_step_runs_end_to_end(freq, n, period, kept):
    series = seasonal_series(n, freq, period)
    model = LSTMForecaster(horizon=7, **TINY).fit(series)
    assert model.config_.periods == pytest.approx(kept)
    for p, h in zip(model.config_.periods, model.config_.harmonics, strict=True):
        assert 1 <= h <= p // 2  # within Nyquist
    fc = model.predict()
    assert len(fc) == 7 and fc.name == "y"
    assert np.isfinite(fc.to_numpy()).all()
    if freq is None:
        assert fc.index.tolist() == list(range(n, n + 7))
    else:
        expected = pd.date_range(series.index[-1], periods=8, freq=freq)[1:]
        assert fc.index.equals(expected)
    # the forecast stays near the series' level, not at an init artefact
    assert abs(fc.mean() - series.iloc[-int(period):].mean()) < 40


def test_a_yearly_cycle_sets_the_lookback():
    t = np.arange(80)
    series = pd.Series(50 + 10 * np.sin(2 * np.pi * t / 10.5),
                       index=pd.date_range("1900", periods=80, freq="YS"))
    cfg = LSTMForecaster(horizon=6, **TINY).fit(series).config_
    assert cfg.periods == () and cfg.cycle in (10, 11)
    assert min(cfg.lookbacks) >= cfg.cycle


def test_a_36_point_monthly_series_runs_with_a_recursive_forecast():
    series = seasonal_series(36, "MS", 12)
    model = LSTMForecaster(horizon=18, **TINY).fit(series)
    assert model.config_.strategy == "recursive"
    assert model.config_.chunk < 18
    fc = model.predict()
    assert len(fc) == 18 and np.isfinite(fc.to_numpy()).all()


def test_too_short_is_a_clear_error():
    series = seasonal_series(19, "MS", 12)
    with pytest.raises(ValueError, match=r"^LSTMForecaster.fit: the series has 19 "
                       r"rows; at least 20 are needed"):
        LSTMForecaster(horizon=3, **TINY).fit(series)


def test_predict_another_horizon_continues_the_index():
    model = LSTMForecaster(horizon=4, **TINY).fit(seasonal_series(60, "MS", 12))
    short, long = model.predict(2), model.predict(10)
    assert len(long) == 10
    np.testing.assert_allclose(long.iloc[:2], short)
    with pytest.raises(ValueError, match="horizon must be a positive int"):
        model.predict(0)


def test_same_seed_same_forecast_and_parallel_members_agree():
    series = seasonal_series(72, "MS", 12)
    a = LSTMForecaster(horizon=6, **TINY).fit(series).predict()
    b = LSTMForecaster(horizon=6, **TINY).fit(series).predict()
    pd.testing.assert_series_equal(a, b)
    c = LSTMForecaster(horizon=6, **{**TINY, "random_state": 1}).fit(series)
    assert not np.allclose(a, c.predict())
    d = LSTMForecaster(horizon=6, n_jobs=2, **TINY).fit(series).predict()
    pd.testing.assert_series_equal(a, d)


def test_pickle_and_clone():
    series = seasonal_series(60, "QS", 4)
    model = LSTMForecaster(horizon=4, **TINY).fit(series)
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_series_equal(model.predict(), again.predict())
    fresh = clone(model)
    assert fresh.get_params() == model.get_params()
    assert not hasattr(fresh, "config_")


def test_gaps_are_filled_and_leading_gaps_dropped():
    series = seasonal_series(72, "MS", 12)
    holed = series.copy()
    holed.iloc[[0, 1, 20, 21, 50]] = np.nan
    model = LSTMForecaster(horizon=3, **TINY).fit(holed)
    assert model.config_.n_rows == 70  # the two leading gaps hold nothing
    assert np.isfinite(model.predict().to_numpy()).all()
    assert holed.isna().sum() == 5  # the input is not changed


def test_outputs_are_kept_non_negative_only_when_the_history_is():
    t = np.arange(60)
    counts = pd.Series(np.where(t % 12 < 6, 0.0, 1.0) * (t % 3),
                       index=pd.date_range("2000", periods=60, freq="MS"))
    model = LSTMForecaster(horizon=12, **TINY).fit(counts)
    assert model.config_.non_negative and model.config_.transform == "none"
    assert (model.predict() >= 0).all()
    signed = counts - 5.0
    assert not LSTMForecaster(horizon=3, **TINY).fit(signed).config_.non_negative


def test_the_log_for_growing_swings():
    model = LSTMForecaster(horizon=12, **TINY).fit(load_airline()["passengers"])
    assert model.config_.transform == "log"
    assert (model.predict() > 0).all()
    with pytest.raises(ValueError, match="transform='log' needs a positive series"):
        LSTMForecaster(transform="log", **TINY).fit(
            seasonal_series(60, "MS", 12, level=0.0))


@pytest.mark.parametrize("y, error, message", [
    (pd.Series(["a"] * 30), TypeError, "y must be numeric"),
    (pd.Series(np.full(30, np.nan)), ValueError, "no observed value"),
    (pd.Series(np.r_[np.ones(29), np.inf]), ValueError, "infinite"),
    (pd.DataFrame({"a": np.ones(30), "b": np.ones(30)}), ValueError,
     "y has 2 columns"),
    (np.ones((30, 2)), ValueError, "1-D array"),
    (pd.Series(np.ones(30), index=list(range(29, -1, -1))), ValueError,
     "not sorted"),
    (pd.Series(np.ones(30), index=[0, 1, 2] + list(range(4, 31))), ValueError,
     "not equally spaced"),
])
def test_bad_series_are_clear_errors(y, error, message):
    with pytest.raises(error, match=message) as info:
        LSTMForecaster(**TINY).fit(y)
    assert str(info.value).startswith("LSTMForecaster.fit: ")


def test_a_period_index_comes_back_as_periods():
    t = np.arange(60)
    series = pd.Series(10 + np.sin(2 * np.pi * t / 4) + 0.1 * t,
                       index=pd.period_range("2000Q1", periods=60, freq="Q"))
    model = LSTMForecaster(horizon=4, **TINY).fit(series)
    assert model.config_.periods == (4.0,)
    fc = model.predict()
    assert fc.index.equals(pd.period_range("2015Q1", periods=4, freq="Q"))
    assert model.member_forecasts().index.equals(fc.index)


def test_an_index_without_a_step_says_how_to_get_one():
    dates = pd.Series(np.ones(30), index=[f"2020-01-{d:02d}" for d in range(1, 31)])
    with pytest.raises(ValueError, match=r"cannot tell the time step of y's index "
                       r"\(Index, dtype (object|str)\).*such as '2020-01-01': parse "
                       r"dates with y.index = pd.to_datetime\(y.index\)"):
        LSTMForecaster(**TINY).fit(dates)


@pytest.mark.parametrize("value", [0.0, 5.0, -3.0])
def test_a_constant_series_is_forecast_as_that_constant(value):
    series = pd.Series(value, index=pd.date_range("2000", periods=40, freq="MS"))
    fc = LSTMForecaster(horizon=5, **TINY).fit(series).predict()
    np.testing.assert_allclose(fc, value, atol=1e-6)


# ------------------------------------------------------------ covariates
def law_series(n=96, start_law=72, effect=-30.0, seed=0):
    """A monthly series that drops by ``effect`` when a law takes effect."""
    y = seasonal_series(n, "MS", 12, seed=seed)
    law = pd.Series((np.arange(n) >= start_law).astype(float), index=y.index,
                    name="law")
    return y + effect * law, law.to_frame()


def test_a_future_known_step_moves_the_forecast_by_its_effect():
    y, X = law_series()
    train, cov = y.iloc[:84], X
    model = LSTMForecaster(horizon=6, transform="none", **TINY).fit(train, X=cov)
    assert model.covariates_.future == ["law"] and model.covariates_.past == []
    steps = y.index[84:90]
    with_law = model.predict(X=X)  # rows after the fit end: law = 1
    without = model.predict(X=pd.DataFrame({"law": 0.0}, index=steps))
    # the networks never see the law: the forecasts differ by its effect
    np.testing.assert_allclose(with_law - without, (with_law - without).iloc[0])
    assert abs((with_law - without).iloc[0] + 30.0) < 3.0
    # from the fit series as history, the same forecast
    pd.testing.assert_series_equal(model.predict(history=train, X=cov), with_law)


def test_past_only_covariates_are_network_channels():
    y, X = law_series()
    temp = pd.DataFrame({"temp": np.sin(np.arange(96) / 5.0)}, index=y.index)
    model = LSTMForecaster(horizon=4, future=None, **TINY).fit(y.iloc[:84], X=temp)
    assert model.covariates_.past == ["temp"]
    assert all(m.n_features_in_ == 2 for m in model.members_)
    fc = model.predict()  # nothing about the future is needed
    assert len(fc) == 4 and np.isfinite(fc).all()
    later = model.predict(history=y.iloc[:90], X=temp)
    assert later.index[0] == y.index[90]
    with pytest.raises(ValueError, match=r"fitted with covariates \['temp'\]; a "
                                         r"forecast from new history needs X"):
        model.predict(history=y.iloc[:90])


def test_covariate_errors_name_what_is_missing():
    y, X = law_series()
    model = LSTMForecaster(horizon=3, **TINY).fit(y.iloc[:84], X=X.iloc[:84])
    with pytest.raises(ValueError, match=r"future-known covariate\(s\) \['law'\]; "
                                         r"pass X=... with their values at the 3 "
                                         r"forecast step\(s\) 2007-01-01"):
        model.predict()
    with pytest.raises(ValueError, match=r"no row for 3 time step\(s\) it needs: "
                                         r"2007-01-01 .*columns \['law'\]"):
        model.predict(X=X.iloc[:84])
    gap = X.copy()
    gap.iloc[85] = np.nan
    with pytest.raises(ValueError, match=r"no value \(NaN\) for the future-known "
                                         r"column\(s\) \['law'\] at 2007-02-01"):
        model.predict(X=gap)
    plain = LSTMForecaster(horizon=3, **TINY).fit(y.iloc[:84])
    with pytest.raises(ValueError, match="fitted without any"):
        plain.predict(X=X)
    with pytest.raises(ValueError, match=r"future=\['price'\] names column\(s\)"):
        LSTMForecaster(future=["price"], **TINY).fit(y, X=X)
    with pytest.raises(TypeError, match=r"\['kind'\] of X are not numeric"):
        LSTMForecaster(**TINY).fit(y, X=X.assign(kind="a"))
    with pytest.raises(ValueError, match=r"X has no row for 12 time step"):
        LSTMForecaster(**TINY).fit(y, X=X.iloc[12:])


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="'n_members' parameter"):
        LSTMForecaster(n_members=0).fit(seasonal_series(40, "MS", 12))
    with pytest.raises(ValueError, match="season must be 'auto', None, or periods"):
        LSTMForecaster(season=[1.5], **TINY).fit(seasonal_series(40, "MS", 12))


def test_season_given_by_hand_is_used_without_a_test():
    series = seasonal_series(80, None, 8)
    assert LSTMForecaster(**TINY).fit(series).config_.periods == ()
    cfg = LSTMForecaster(season=8, **TINY).fit(series).config_
    assert cfg.periods == (8.0,) and cfg.harmonics == (4,)
    assert LSTMForecaster(season=None, **TINY).fit(
        seasonal_series(96, "MS", 12)).config_.periods == ()


def test_configure_prints_its_decisions():
    cfg = configure(load_airline()["passengers"], horizon=12)
    text = str(cfg)
    assert text.splitlines()[0] == "monthly steps, 144 rows; season: 12 (6 harmonics)"
    assert "relative (log; Box-Cox lambda" in text
    assert "forecast: 12 steps, direct; median of the networks, averaged with " \
        "Theta (weight 0.5)" in text


# ------------------------------------------------- forecasts from new data
def test_predict_from_the_fit_series_is_predict():
    series = seasonal_series(72, "MS", 12)
    model = LSTMForecaster(horizon=4, **TINY).fit(series)
    pd.testing.assert_series_equal(model.predict(history=series), model.predict())
    pd.testing.assert_frame_equal(model.member_forecasts(history=series),
                                  model.member_forecasts())


@pytest.mark.parametrize("freq", ["MS", "period", None])
def test_history_that_starts_later_keeps_the_season_in_phase(freq):
    # with the last value as the level and no Theta, a forecast depends on the
    # last window alone: where history starts must not shift the season
    series = seasonal_series(84, None if freq in (None, "period") else freq, 12)
    if freq == "period":
        series.index = pd.period_range("2001-01", periods=84, freq="M")
    model = LSTMForecaster(horizon=5, level="last", theta_weight=0.0,
                           **TINY).fit(series.iloc[:72])
    full = model.predict(history=series)
    later = model.predict(history=series.iloc[30:])
    pd.testing.assert_series_equal(full, later)
    assert full.index[0] == (series.index[-1] + 1 if freq is None
                             else series.index[-1] + (1 if freq == "period"
                                                      else series.index.freq))
    # the new level is used: history that continues differently, a different
    # forecast
    assert not np.allclose(full, model.predict())


def test_history_on_another_grid_or_too_short_is_refused():
    series = seasonal_series(72, "MS", 12)
    model = LSTMForecaster(horizon=4, **TINY).fit(series)
    with pytest.raises(ValueError, match=r"continue the fit series' time grid .*"
                                         r"its step is 2MS"):
        model.predict(history=series.iloc[::2])
    with pytest.raises(ValueError, match="got a RangeIndex"):
        model.predict(history=series.reset_index(drop=True))
    daily = seasonal_series(60, "D", 7)
    at_noon = daily.set_axis(daily.index + pd.Timedelta(hours=12))
    with pytest.raises(ValueError, match="2000-01-01 12:00:00 is not on it"):
        LSTMForecaster(horizon=2, **TINY).fit(daily).predict(history=at_noon)
    with pytest.raises(ValueError, match=r"history has 3 rows .* Pass at least"):
        model.predict(history=series.iloc[-3:])


def test_history_with_a_zero_under_a_log_model_is_refused():
    air = load_airline()["passengers"]
    model = LSTMForecaster(horizon=3, **TINY).fit(air.iloc[:100])
    assert model.config_.transform == "log"
    bad = air.copy()
    bad.iloc[-2] = 0.0
    with pytest.raises(ValueError, match=r"log of the series, but history holds a "
                                         r"value <= 0 \(at 1960-11-01"):
        model.predict(history=bad)
