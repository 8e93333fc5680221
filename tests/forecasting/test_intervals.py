"""Conformal intervals: the split-conformal quantile per step, bounds that
never cross, calibration on earlier origins only, and coverage on series
with known noise."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from sklstm.forecasting import (
    CalibrationWarning,
    backtest,
    backtest_metrics,
    conformal_intervals,
)
from sklstm.forecasting._backtest import pooled_calibration
from sklstm.forecasting._intervals import (
    conformal_half_widths,
    conformal_rank,
    interval_columns,
    min_calibration,
)


class MeanForecaster(BaseEstimator):
    """The training mean at every step."""

    def fit(self, y):
        self.mean_ = float(y.mean())
        return self

    def predict(self, horizon):
        return pd.Series(np.full(horizon, self.mean_))


class NaiveForecaster(BaseEstimator):
    """The last value at every step."""

    def fit(self, y):
        self.last_ = float(y.iloc[-1])
        return self

    def predict(self, horizon):
        return pd.Series(np.full(horizon, self.last_))


def white_noise(n, seed=0, level=10.0):
    rng = np.random.default_rng(seed)
    return pd.Series(level + rng.normal(size=n), name="y")


# --------------------------------------------------------- the quantile
def test_the_rank_is_ceil_n_plus_one_times_the_level():
    assert [conformal_rank(n, 0.8) for n in (4, 5, 9, 10)] == [4, 5, 8, 9]
    assert conformal_rank(19, 0.95) == 19 and conformal_rank(18, 0.95) == 19
    assert [min_calibration(a) for a in (0.5, 0.8, 0.9, 0.95, 0.99)] == [
        1, 4, 9, 19, 99]


def test_half_widths_by_hand():
    r = np.array([[0.5, 1.5], [-1.0, -2.0], [0.2, 0.1], [-0.4, 1.0], [0.8, -0.9]])
    widths, counts, short = conformal_half_widths(r, [0.5, 0.8])
    # |r| sorted: [0.2, 0.4, 0.5, 0.8, 1.0] and [0.1, 0.9, 1.0, 1.5, 2.0];
    # ranks ceil(6 * 0.5) = 3 and ceil(6 * 0.8) = 5
    np.testing.assert_array_equal(widths, [[0.5, 1.0], [1.0, 2.0]])
    assert counts.tolist() == [5, 5] and not short.any()


def test_intervals_of_a_series_forecast_keep_its_index():
    fc = pd.Series([10.0, 10.5], index=pd.date_range("2024-01-01", periods=2),
                   name="y")
    residuals = pd.DataFrame({"h1": [0.5, -1.0, 0.2, -0.4, 0.8],
                              "h2": [1.5, -2.0, 0.1, 1.0, -0.9]})
    with pytest.warns(CalibrationWarning, match="too few for level 0.95"):
        out = conformal_intervals(residuals, fc)
    assert out.columns.tolist() == ["forecast", "lower_80", "upper_80",
                                    "lower_95", "upper_95"]
    pd.testing.assert_index_equal(out.index, fc.index)
    np.testing.assert_allclose(out["lower_80"], [9.0, 8.5])
    np.testing.assert_allclose(out["upper_80"], [11.0, 12.5])


def test_arrays_and_dicts_of_residuals():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        out = conformal_intervals(np.array([[1.0], [2.0], [3.0]]), [5.0], 0.5)
        by_dict = conformal_intervals({1: [1.0, 2.0, 3.0], 2: [4.0]}, [5.0, 5.0], 0.5)
    assert out.index.tolist() == [1] and out.index.name == "h"
    assert out.loc[1, "upper_50"] == 7.0  # rank ceil(4 * 0.5) = 2
    assert by_dict["upper_50"].tolist() == [7.0, 9.0]


def test_too_few_residuals_warn_and_take_the_largest():
    msg = ("conformal_intervals: step(s) [1] have 5 residual(s), too few for level "
           "0.95, which needs at least 19; their half-width is the largest residual")
    with pytest.warns(CalibrationWarning, match=re.escape(msg)):
        out = conformal_intervals(np.arange(1.0, 6.0)[:, None], [0.0], 0.95)
    assert out["upper_95"].tolist() == [5.0]


def test_bad_residuals_or_levels_are_refused():
    with pytest.raises(ValueError, match=r"step\(s\) \[2\] have no residual"):
        conformal_intervals(np.array([[1.0, np.nan]]), [1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="has 2 step column"):
        conformal_intervals(np.ones((4, 2)), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        conformal_intervals(np.ones((4, 1)), [1.0], levels=[0.8, 1.2])
    with pytest.raises(ValueError, match="contain duplicates"):
        conformal_intervals(np.ones((4, 1)), [1.0], levels=[0.8, 0.8])
    with pytest.raises(InvalidParameterError, match="'levels' parameter"):
        conformal_intervals(np.ones((4, 1)), [1.0], levels=1.0)
    with pytest.raises(ValueError, match="forecast must hold finite numbers"):
        conformal_intervals(np.ones((4, 1)), [np.nan])


def test_a_lower_bound_raises_the_bounds_and_the_forecast():
    out = conformal_intervals(np.full((20, 2), 3.0), [1.0, -0.5], lower_bound=0.0)
    assert out["forecast"].tolist() == [1.0, 0.0]
    assert out["lower_95"].tolist() == [0.0, 0.0]
    assert out["upper_95"].tolist() == [4.0, 2.5]


levels_strategy = st.sets(st.integers(1, 99), min_size=1, max_size=4).map(
    lambda s: [v / 100 for v in sorted(s)])


@settings(max_examples=80, deadline=None)
@given(
    residuals=arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 4)),
                     elements=st.floats(-1e3, 1e3) | st.just(np.nan)),
    levels=levels_strategy,
    lower=st.none() | st.floats(-50, 50),
    data=st.data(),
)
def test_bounds_never_cross_are_nested_and_respect_the_lower_bound(
    residuals, levels, lower, data
):
    assume(np.isfinite(residuals).any(axis=0).all())
    point = data.draw(arrays(np.float64, residuals.shape[1],
                             elements=st.floats(-100, 100)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        out = conformal_intervals(residuals, point, levels, lower_bound=lower)
    assert out.columns.tolist() == ["forecast", *interval_columns(levels)]
    fc = out["forecast"].to_numpy()
    np.testing.assert_array_equal(fc, point if lower is None
                                  else np.maximum(point, lower))
    inner_low, inner_up = fc, fc
    for name in [c[len("lower_"):] for c in out.columns if c.startswith("lower_")]:
        low, up = out[f"lower_{name}"].to_numpy(), out[f"upper_{name}"].to_numpy()
        assert (low <= inner_low).all() and (inner_up <= up).all()  # nested
        inner_low, inner_up = low, up
        if lower is not None:
            assert (low >= lower).all()


# --------------------------------------------------- inside the backtest
def test_the_first_origins_are_calibrated_on_added_origins():
    s = white_noise(120)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = backtest(NaiveForecaster(), s, horizon=3, n_windows=5,
                         levels=(0.8, 0.95))
    # 19 calibration origins, 3 rows apart, before the 5 evaluated ones
    assert frame.shape == (15, 9)
    assert frame["origin"].tolist()[0] == 119 - 3 - 4 * 3
    assert frame.notna().all().all()
    # step=1: the 3-step residual of an origin is known 3 rows later, so 2 more
    SEEN = []

    class Counting(NaiveForecaster):
        def fit(self, y):
            SEEN.append(len(y))
            return super().fit(y)

    frame = backtest(Counting(), s, horizon=3, n_windows=4, step=1, levels=0.95)
    assert len(SEEN) == 19 + 2 + 4 and frame.notna().all().all()


def test_without_calibration_origins_the_first_intervals_are_nan():
    with pytest.warns(CalibrationWarning, match="the first 2 evaluated origin"):
        frame = backtest(NaiveForecaster(), white_noise(60), horizon=2, step=1,
                         n_windows=6, levels=0.5, n_calibration=0)
    bounded = frame.groupby("origin")["upper_50"].apply(lambda u: u.notna().all())
    # origin 0 has no residual; origin 1 has the 1-step and the 2-step of origin 0
    assert bounded.tolist() == [False, False, True, True, True, True]
    assert frame["upper_50"].notna().sum() == 4 * 2 + 1


def test_intervals_see_no_residual_from_after_their_origin():
    a = white_noise(150, seed=1)
    b = a.copy()
    b.iloc[100:] += np.random.default_rng(2).normal(scale=20, size=50)
    kwargs = dict(horizon=4, step=1, start=60, n_windows=None, levels=(0.8, 0.95))
    fa = backtest(NaiveForecaster(), a, **kwargs)
    fb = backtest(NaiveForecaster(), b, **kwargs)
    cols = ["forecast", *interval_columns([0.8, 0.95])]
    before = fa["origin"] <= 99
    pd.testing.assert_frame_equal(fa.loc[before, cols], fb.loc[before, cols])
    assert not fa.loc[~before, cols].equals(fb.loc[~before, cols])


def test_auto_lower_bound_is_zero_for_a_non_negative_history():
    s = pd.Series(np.abs(np.random.default_rng(3).normal(scale=2, size=80)))
    frame = backtest(MeanForecaster(), s, horizon=2, n_windows=10, step=1,
                     levels=0.95)
    assert (frame["lower_95"] >= 0).all() and (frame["lower_95"] == 0).any()
    free = backtest(MeanForecaster(), s, horizon=2, n_windows=10, step=1,
                    levels=0.95, lower_bound=None)
    assert (free["lower_95"] < 0).any()


# ------------------------------------------------------------ coverage
def test_coverage_of_white_noise_around_a_constant():
    s = white_noise(700, seed=4)
    frame = backtest(MeanForecaster(), s, horizon=3, step=1, start=100,
                     n_windows=None, levels=(0.8, 0.95))
    assert frame["origin"].nunique() == 597
    metrics = backtest_metrics(frame, s)
    assert abs(metrics.loc["all", "coverage_80"] - 0.80) < 0.05
    assert abs(metrics.loc["all", "coverage_95"] - 0.95) < 0.05
    # half-widths near the normal quantiles 1.28 and 1.96
    assert 1.1 < metrics.loc["all", "width_80"] / 2 < 1.5
    assert 1.7 < metrics.loc["all", "width_95"] / 2 < 2.3


def test_coverage_of_a_random_walk_step_by_step():
    rng = np.random.default_rng(5)
    s = pd.Series(100 + np.cumsum(rng.normal(size=700)), name="walk")
    frame = backtest(NaiveForecaster(), s, horizon=3, step=1, start=100,
                     n_windows=None, levels=(0.8, 0.95))
    metrics = backtest_metrics(frame, s)
    for level in (80, 95):
        assert (abs(metrics[f"coverage_{level}"] - level / 100) < 0.05).all()
    # the h-step error of the naive forecast has variance h: widths grow
    ratio = metrics.loc[3, "width_95"] / metrics.loc[1, "width_95"]
    assert 1.4 < ratio < 2.1  # sqrt(3) = 1.73


# ------------------------------------------------------ the pooled method
def test_pooled_half_widths_by_hand():
    r = np.array([[1.0, 2.0], [3.0, np.nan], [2.0, 4.0], [4.0, 1.0]])
    widths, counts, short = conformal_half_widths(r, [0.5, 0.8], "pooled")
    # step scales: mean |r| 2.5 and 7/3, made non-decreasing: 2.5 and 2.5;
    # pooled |r| / 2.5 = .4 .4 .8 .8 1.2 1.6 1.6; ranks ceil(8 * a): 4 and 7
    np.testing.assert_allclose(widths, [[2.0, 4.0], [2.0, 4.0]])
    assert counts.tolist() == [7, 7] and not short.any()
    # a step with no residual takes the scale of the step before it
    widths, counts, _ = conformal_half_widths(np.c_[r[:, :1], np.full(4, np.nan)],
                                              [0.5], "pooled")
    # pool .4 .8 1.2 1.6 (scale 2.5), rank ceil(5 * 0.5) = 3
    np.testing.assert_allclose(widths[:, 0], [3.0, 3.0])
    assert counts.tolist() == [4, 4]


def test_pooled_reaches_95_percent_with_few_origins():
    rng = np.random.default_rng(0)
    residuals = rng.normal(size=(6, 12)) * np.sqrt(np.arange(1, 13))
    with pytest.warns(CalibrationWarning, match="too few for level 0.95"):
        conformal_intervals(residuals, np.zeros(12), 0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalibrationWarning)
        pooled = conformal_intervals(residuals, np.zeros(12), 0.95,
                                     method="pooled")
    widths = pooled["upper_95"].to_numpy()
    assert (np.diff(widths) >= 0).all()  # scales never shrink with the step
    with pytest.raises(InvalidParameterError, match="method"):
        conformal_intervals(residuals, np.zeros(12), 0.95, method="scaled")


def test_pooled_coverage_of_a_random_walk():
    rng = np.random.default_rng(6)
    s = pd.Series(100 + np.cumsum(rng.normal(size=700)), name="walk")
    frame = backtest(NaiveForecaster(), s, horizon=6, step=1, start=100,
                     n_windows=None, levels=(0.8, 0.95), method="pooled")
    metrics = backtest_metrics(frame, s)
    for level in (80, 95):
        assert abs(metrics.loc["all", f"coverage_{level}"] - level / 100) < 0.05
    # the origins added for calibration: a residual at each of the 6 steps
    # and 19 in all take 6 origins one step apart (1 + 2 + ... + 6 = 21)
    assert pooled_calibration(19, 6, 1) == 6
    short = backtest(NaiveForecaster(), s.iloc[:40], horizon=6, step=1,
                     n_windows=10, levels=0.95, method="pooled")
    assert short["lower_95"].notna().all()
