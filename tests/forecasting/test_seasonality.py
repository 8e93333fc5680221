"""Seasons from the time step, confirmed by autocorrelation; cycles; Box-Cox."""

import numpy as np
import pandas as pd
import pytest

from sklstm.forecasting._seasonality import (
    acf,
    calendar_periods,
    default_horizon,
    find_cycle,
    fourier_seasonality,
    guerrero_lambda,
    mase_season,
    moving_average_trend,
    season_length,
    seasonality_test,
    step_kind,
)

RNG = np.random.default_rng(7)

STEPS = [
    # freq, kind, candidate periods, main season, M4 horizon, MASE lag
    ("YS", "yearly", [], 1, 6, 1),
    ("QS", "quarterly", [4.0], 4, 8, 4),
    ("MS", "monthly", [12.0], 12, 18, 12),
    ("W-SUN", "weekly", [365.2425 / 7], 52, 13, 52),
    ("D", "daily", [7.0, 365.2425], 7, 14, 7),
    ("B", "business daily", [5.0], 5, 14, 1),
    ("h", "hourly", [24.0, 168.0], 24, 48, 1),
    ("30min", "30 min", [48.0, 336.0], 48, 48, 1),
    ("15min", "15 min", [96.0, 672.0], 96, 96, 1),
]


@pytest.mark.parametrize("freq, kind, periods, season, horizon, m", STEPS)
def test_each_time_step_has_its_seasons(freq, kind, periods, season, horizon, m):
    index = pd.date_range("2020-01-06", periods=50, freq=freq)
    assert step_kind(index) == kind
    assert calendar_periods(index) == pytest.approx(periods)
    assert season_length(index) == season
    if kind != "business daily":  # M4 has no business-day horizon
        assert default_horizon(index) == horizon
    assert mase_season(index) == m
    # the same without a set frequency, inferred from the stamps
    assert calendar_periods(pd.DatetimeIndex(list(index))) == pytest.approx(periods)


def test_integer_steps_have_no_calendar():
    index = pd.RangeIndex(0, 200, 5)
    assert step_kind(index) == "integer"
    assert calendar_periods(index) == [] and season_length(index) == 1
    assert default_horizon(pd.RangeIndex(150)) == 15
    assert default_horizon(pd.RangeIndex(30)) == 6  # at least 6


def test_acf_matches_the_direct_formula():
    x = RNG.normal(size=60)
    r = acf(x, 5)
    d = x - x.mean()
    direct = [np.sum(d[k:] * d[: len(d) - k]) / np.sum(d * d) for k in range(6)]
    np.testing.assert_allclose(r, direct, atol=1e-12)
    assert acf(np.ones(10), 3).tolist() == [1.0, 0.0, 0.0, 0.0]  # constant


def test_moving_average_removes_the_season_and_keeps_the_trend():
    t = np.arange(120.0)
    x = 0.5 * t + 3 * np.sin(2 * np.pi * t / 12)
    trend = moving_average_trend(x, 12)
    np.testing.assert_allclose(trend[6:-6], 0.5 * t[6:-6], atol=1e-9)


@pytest.mark.parametrize("x, expected", [
    (np.sin(2 * np.pi * np.arange(96) / 12) + 0.3 * RNG.normal(size=96), True),
    (np.cumsum(RNG.normal(size=96)) + 0.2 * np.arange(96), False),  # trend only
    (RNG.normal(size=96), False),  # noise
])
def test_seasonality_test_confirms_only_real_seasons(x, expected):
    assert seasonality_test(x, 12) is expected


def test_seasonality_test_needs_three_periods():
    x = np.sin(2 * np.pi * np.arange(60) / 12)
    assert not seasonality_test(x[:30], 12)
    assert seasonality_test(x, 12)


def test_a_cycle_is_found_by_its_autocorrelation_peak():
    t = np.arange(150)
    x = 580 + np.sin(2 * np.pi * t / 11) + 0.2 * RNG.normal(size=150)
    assert find_cycle(x) in (10, 11, 12)
    assert find_cycle(np.cumsum(RNG.normal(size=150))) is None
    assert find_cycle(np.arange(8.0)) is None  # too short to say


def test_guerrero_lambda_tells_growing_swings_from_constant_ones():
    t = np.arange(144)
    level = 100 * np.exp(0.02 * t)
    season = np.sin(2 * np.pi * t / 12)
    assert guerrero_lambda(level * (1 + 0.2 * season), 12) < 0.3
    assert guerrero_lambda(level + 20 * season, 12) > 0.7
    assert guerrero_lambda(np.r_[-1.0, level[1:]], 12) == 1.0  # not positive


def test_fourier_season_recovers_the_shape_and_continues_it():
    t = np.arange(120)
    shape = np.array([3, 1, -2, -4, -1, 0, 2, 5, 1, -1, -2, -2], float)
    shape -= shape.mean()
    x = 0.1 * t + shape[t % 12]
    season = fourier_seasonality(x, [12], [6])
    np.testing.assert_allclose(season.at(t)[12:-12], shape[t % 12][12:-12],
                               atol=1e-6)
    future = season.at(np.arange(120, 132))
    np.testing.assert_allclose(future, shape, atol=1e-6)


def test_fourier_season_with_a_non_integer_period():
    t = np.arange(52 * 6)
    period = 365.2425 / 7
    x = np.cos(2 * np.pi * t / period)
    season = fourier_seasonality(x, [period], [3])
    np.testing.assert_allclose(season.at(np.arange(312, 320)),
                               np.cos(2 * np.pi * np.arange(312, 320) / period),
                               atol=0.05)


def test_a_half_life_follows_a_season_that_grows():
    t = np.arange(240)
    amplitude = np.where(t < 180, 1.0, 3.0)
    x = amplitude * np.sin(2 * np.pi * t / 12)
    flat = fourier_seasonality(x, [12], [6])
    recent = fourier_seasonality(x, [12], [6], half_life=1)
    peak = 243  # sin peaks at t % 12 == 3
    assert abs(recent.at([peak])[0] - 3.0) < abs(flat.at([peak])[0] - 3.0)
    assert recent.at([peak])[0] > 2.5


def test_no_period_means_no_season():
    season = fourier_seasonality(np.arange(10.0), [], [])
    assert season.at(np.arange(3)).tolist() == [0.0, 0.0, 0.0]
