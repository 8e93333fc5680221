"""configure: each rule of the self-configuration, on series built to trigger it."""

import numpy as np
import pandas as pd
import pytest

from sklstm.forecasting import ForecastConfig, configure
from sklstm.forecasting import _config as C

RNG = np.random.default_rng(3)


def series(n, freq="MS", period=12.0, amplitude=10.0, level=100.0, growth=0.0,
           noise=1.0, relative=False):
    t = np.arange(n)
    index = pd.date_range("2001-01-01", periods=n, freq=freq) if freq else None
    base = level * np.exp(growth * t)
    wave = np.sin(2 * np.pi * t / period) if period else np.zeros(n)
    values = base * (1 + 0.1 * wave) if relative else base + amplitude * wave
    values = values + noise * RNG.normal(size=n)
    return pd.Series(values, index=index)


def test_a_monthly_season_is_confirmed_and_a_noise_one_is_not():
    cfg = configure(series(96), 18)
    assert cfg.periods == (12.0,) and cfg.harmonics == (6,)
    noise = configure(series(96, period=None), 18)
    assert noise.periods == ()
    assert noise.rejected == ("12 (autocorrelation not significant)",)


def test_quarterly_and_daily_harmonics_stay_within_nyquist():
    quarterly = configure(series(80, "QS", 4), 8)
    assert quarterly.periods == (4.0,) and quarterly.harmonics == (2,)
    daily = configure(series(200, "D", 7), 14)
    assert daily.periods == (7.0,) and daily.harmonics == (3,)
    # a yearly season of daily data needs three years of rows
    assert daily.rejected == ("365.24 (needs 1096 rows, has 200)",)


def test_long_seasons_get_at_most_ten_harmonics_and_cap_the_lookback():
    half_hours = 48 * 7 * 3
    t = np.arange(half_hours)
    values = (100 + 10 * np.sin(2 * np.pi * t / 48) + 5 * np.sin(2 * np.pi * t / 336)
              + RNG.normal(size=half_hours))
    s = pd.Series(values, index=pd.date_range("2020-01-06", periods=half_hours,
                                               freq="30min"))
    cfg = configure(s, 48)
    assert cfg.periods == (48.0, 336.0) and cfg.harmonics == (10, 10)
    # the window covers the daily season; the weekly one is removed before
    assert cfg.lookbacks[:3] == (48, 72, 96)


def test_a_trend_is_not_a_season():
    cfg = configure(series(89, "QS", None, growth=0.01, noise=0.1), 8)
    assert cfg.periods == ()


def test_log_for_swings_that_grow_with_the_level():
    assert configure(series(120, growth=0.02, relative=True), 18).transform == "log"
    additive = configure(series(120, growth=0.0), 18)
    assert additive.transform == "none" and additive.box_cox_lambda > C.LOG_BELOW_LAMBDA
    signed = configure(series(120, level=0.0), 18)
    assert signed.transform == "none" and signed.box_cox_lambda is None
    assert not signed.non_negative


def test_lookbacks_follow_the_season_and_are_capped_by_the_length():
    cfg = configure(series(200), 18)
    assert cfg.lookbacks == (12, 18, 24, 12, 18)
    assert cfg.strategy == "direct" and cfg.chunk == 18
    short = configure(series(40), 18)
    room = 40 - C.MIN_WINDOWS + 1
    assert max(short.lookbacks) <= room - 1
    assert short.strategy == "recursive" and short.chunk == room - max(short.lookbacks)
    assert short.notes and "too few for 18 outputs" in short.notes[0]
    n_windows = 40 - max(short.lookbacks) - short.chunk + 1
    assert n_windows >= C.MIN_WINDOWS


def test_no_season_means_a_lookback_of_at_least_eight():
    cfg = configure(series(100, "YS", None), 6)
    assert cfg.periods == () and min(cfg.lookbacks) == 8


def test_epochs_and_batches_follow_the_number_of_windows():
    short = configure(series(60), 12)
    n_windows = 60 - max(short.lookbacks) - short.chunk + 1
    assert 8 <= short.batch_size <= 64
    assert short.max_epochs == C.EPOCHS
    assert n_windows // short.batch_size <= 4
    long = configure(series(5000, "h", 24), 48)
    per_epoch = -(-(5000 - max(long.lookbacks) - 48 + 1) // long.batch_size)
    assert long.batch_size == 64
    assert long.max_epochs * per_epoch <= C.MAX_STEPS
    assert long.max_epochs >= C.MIN_EPOCHS


def test_overrides_are_used_as_given():
    cfg = configure(series(96), 6, season=[6, 12], lookback=10, n_members=3,
                    hidden_size=7, max_epochs=4, batch_size=5, strategy="recursive",
                    theta_weight=0.0, level="last", season_half_life=None)
    assert cfg.periods == (6.0, 12.0) and cfg.harmonics == (3, 6)
    assert cfg.lookbacks == (10, 10, 10) and cfg.chunk == 1
    assert (cfg.hidden_size, cfg.max_epochs, cfg.batch_size) == (7, 4, 5)
    assert cfg.theta_weight == 0.0 and cfg.level == "last"
    assert cfg.season_half_life is None
    assert "averaged with Theta" not in str(cfg)
    assert configure(series(96), 6, season=None).periods == ()


def test_a_lookback_too_long_for_the_series_is_lowered_with_a_note():
    cfg = configure(series(60), 6, lookback=50)
    assert cfg.lookbacks[0] == 60 - C.MIN_WINDOWS
    assert cfg.notes[0] == ("note: lookback 50 lowered to 44: 60 rows leave room "
                            "for 16 training windows of that length")


def test_direct_is_refused_when_the_series_is_too_short():
    with pytest.raises(ValueError, match="strategy='direct' needs 18 outputs"):
        configure(series(40), 18, strategy="direct")


def test_too_short_and_bad_seasons_are_clear_errors():
    with pytest.raises(ValueError, match=r"^configure: the series has 19 rows; at "
                       r"least 20 are needed"):
        configure(series(19), 3)
    with pytest.raises(ValueError, match="season must be 'auto', None, or periods"):
        configure(series(40), 3, season=[True])


def test_the_record_is_frozen_and_prints_its_lines():
    cfg = configure(series(96), 18)
    assert isinstance(cfg, ForecastConfig)
    with pytest.raises(AttributeError):
        cfg.horizon = 3
    assert str(cfg) == "\n".join(cfg.lines())
    assert cfg.lines()[0] == "monthly steps, 96 rows; season: 12 (6 harmonics)"
    assert cfg.lines()[3].startswith("forecast: 18 steps, direct; median")
