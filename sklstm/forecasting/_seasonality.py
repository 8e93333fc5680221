"""What a series' time step and autocorrelation say about its seasons.

Pure functions on numpy arrays and pandas indexes, used by
:func:`~sklstm.forecasting.configure`:

- :func:`calendar_periods`: the seasons a time step suggests (12 for monthly
  data, 7 and 365.25 for daily data, 48 and 336 for half-hourly data...);
- :func:`acf` and :func:`seasonality_test`: whether the autocorrelation at one
  season's lag is real, on the series with its trend removed;
- :func:`find_cycle`: the length of a non-calendar cycle (sunspots' 11 years);
- :func:`guerrero_lambda`: the Box-Cox exponent that makes the spread of
  each season independent of its level (0 is the log);
- :func:`fourier_seasonality`: the seasonal component as sine/cosine terms,
  on the history and continued over the forecast steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sklstm.preprocessing._seasonal import seasonal_terms
from sklstm.utils._time import index_step, step_span

__all__ = [
    "FourierSeason",
    "acf",
    "default_horizon",
    "mase_season",
    "season_length",
    "calendar_periods",
    "find_cycle",
    "fourier_seasonality",
    "guerrero_lambda",
    "kpss_stationary",
    "moving_average_trend",
    "seasonal_strength",
    "seasonality_test",
    "step_kind",
]

_DAY = pd.Timedelta(days=1)
_WEEK = pd.Timedelta(days=7)
#: days in the mean Gregorian year, for yearly seasons of daily or weekly data
_YEAR_DAYS = 365.2425


def step_kind(index) -> str:
    """A name for the index's time step: ``"yearly"``, ``"quarterly"``,
    ``"monthly"``, ``"weekly"``, ``"daily"``, ``"business daily"``,
    ``"hourly"``, ``"<k> min"``..., ``"integer"`` or ``"irregular"``.

    >>> step_kind(pd.date_range("2020-01-01", periods=4, freq="QS"))
    'quarterly'
    >>> step_kind(pd.RangeIndex(10))
    'integer'
    """
    step = index_step(index)
    if step is None:
        return "irregular"
    if not isinstance(index, pd.DatetimeIndex):
        return "integer"
    if not isinstance(step, pd.offsets.BaseOffset):
        step = pd.tseries.frequencies.to_offset(step)
    code = step.rule_code.split("-")[0]
    n = getattr(step, "n", 1)
    names = {"YS": "yearly", "YE": "yearly", "Y": "yearly", "BYS": "yearly",
             "BYE": "yearly", "QS": "quarterly", "QE": "quarterly", "Q": "quarterly",
             "BQS": "quarterly", "BQE": "quarterly", "MS": "monthly", "ME": "monthly",
             "M": "monthly", "BMS": "monthly", "BME": "monthly", "SMS": "semi-monthly",
             "SME": "semi-monthly", "W": "weekly", "B": "business daily",
             "C": "business daily"}
    if code in names and n == 1:
        return names[code]
    span = step_span(step)
    if span is None:
        return f"{n} x {code}"
    if span == _DAY:
        return "daily"
    if span == _WEEK:
        return "weekly"
    if span == pd.Timedelta(hours=1):
        return "hourly"
    if span < _DAY:
        minutes = span / pd.Timedelta(minutes=1)
        return f"{minutes:g} min" if minutes >= 1 else f"{span.total_seconds():g} s"
    return f"{span.days} days" if span % _DAY == pd.Timedelta(0) else str(span)


#: The main season of each kind of step, in steps.
_MAIN_SEASON = {"quarterly": 4, "monthly": 12, "semi-monthly": 24, "weekly": 52,
                "daily": 7, "business daily": 5, "hourly": 24}
#: The M4 competition's horizons, and its seasons for MASE.
_M4_HORIZON = {"yearly": 6, "quarterly": 8, "monthly": 18, "weekly": 13, "daily": 14,
               "hourly": 48}
_M4_MASE = {"quarterly": 4, "monthly": 12, "weekly": 52, "daily": 7}


def season_length(index) -> int:
    """The main seasonal period of the index's time step, in steps (1: none).

    Monthly data: 12; quarterly: 4; weekly: 52; daily: 7; business days: 5;
    hourly: 24; a step under a day: the steps in a day; yearly data, other
    steps and integer indexes: 1.

    >>> season_length(pd.date_range("2020-01-01", periods=3, freq="MS"))
    12
    >>> season_length(pd.date_range("2020-01-01", periods=3, freq="30min"))
    48
    """
    kind = step_kind(index)
    if kind in _MAIN_SEASON:
        return _MAIN_SEASON[kind]
    periods = calendar_periods(index)
    return int(round(periods[0])) if periods else 1


def mase_season(index) -> int:
    """The seasonal-naive lag that scales MASE, as in the M4 competition:
    12 monthly, 4 quarterly, 52 weekly, 7 daily, 1 for every other step.

    >>> mase_season(pd.date_range("2020-01-01", periods=3, freq="QS"))
    4
    >>> mase_season(pd.date_range("2020-01-01", periods=3, freq="h"))
    1
    """
    return _M4_MASE.get(step_kind(index), 1)


def default_horizon(index) -> int:
    """How far to forecast when nobody says: the M4 competition's horizon for
    the step (6 yearly, 8 quarterly, 18 monthly, 13 weekly, 14 daily, 48
    hourly), a day of steps under an hour, else a tenth of the rows (at
    least 6).

    >>> default_horizon(pd.date_range("2020-01-01", periods=40, freq="MS"))
    18
    >>> default_horizon(pd.RangeIndex(150))
    15
    """
    kind = step_kind(index)
    if kind in _M4_HORIZON:
        return _M4_HORIZON[kind]
    periods = calendar_periods(index)
    if periods:
        return int(round(periods[0]))
    return max(6, int(round(0.1 * len(index))))


def calendar_periods(index) -> list[float]:
    """The seasonal periods, in steps, that the index's time step suggests.

    Monthly data: ``[12]``; quarterly: ``[4]``; semi-monthly: ``[24]``;
    weekly: ``[52.18]`` (weeks per year); daily: ``[7, 365.24]``; business
    daily: ``[5]``; a step ``s`` under a day: a day and a week in steps
    (``[48, 336]`` for half-hours); yearly, other steps and integer indexes:
    none (the data may still have a cycle, see :func:`find_cycle`).
    Periods are candidates: :func:`seasonality_test` confirms them.

    >>> calendar_periods(pd.date_range("2020-01-01", periods=5, freq="MS"))
    [12.0]
    >>> calendar_periods(pd.date_range("2020-01-01", periods=5, freq="30min"))
    [48.0, 336.0]
    >>> calendar_periods(pd.RangeIndex(5))
    []
    """
    kind = step_kind(index)
    fixed = {"quarterly": [4.0], "monthly": [12.0], "semi-monthly": [24.0],
             "weekly": [_YEAR_DAYS / 7], "daily": [7.0, _YEAR_DAYS],
             "business daily": [5.0]}
    if kind in fixed:
        return fixed[kind]
    if not isinstance(index, pd.DatetimeIndex) or kind == "irregular":
        return []
    span = step_span(index_step(index))
    if span is None:
        return []
    if pd.Timedelta(0) < span < _DAY and (_DAY % span) == pd.Timedelta(0):
        per_day = float(_DAY / span)
        return [per_day, 7 * per_day]
    return []


def acf(x, nlags: int) -> np.ndarray:
    """Sample autocorrelations ``r_0 .. r_nlags`` (``r_0 = 1``), by FFT.

    >>> acf([1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 2).round(3).tolist()
    [1.0, -0.833, 0.667]
    """
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean()
    n = len(x)
    nlags = int(min(nlags, n - 1))
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(x, size)
    cov = np.fft.irfft(spec * np.conj(spec), size)[: nlags + 1]
    if cov[0] <= 0:
        return np.r_[1.0, np.zeros(nlags)]
    return cov / cov[0]


def moving_average_trend(x, period: float) -> np.ndarray:
    """The centred moving average over one period (``2 x m`` for even ``m``):
    a trend without the season. The half period at each end, where the
    average is not defined, continues the nearest full period's slope.

    >>> moving_average_trend(np.tile([1.0, 3.0], 4), 2).tolist()
    [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    >>> moving_average_trend(np.arange(8.0) + np.tile([1.0, -1.0], 4), 2).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    """
    x = np.asarray(x, dtype=np.float64)
    m = max(int(round(period)), 1)
    if m < 2 or len(x) <= m + 1:
        return np.full_like(x, x.mean())
    if m % 2:
        weights = np.full(m, 1.0 / m)
    else:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    half = len(weights) // 2
    inner = np.convolve(x, weights, mode="valid")
    out = np.empty_like(x)
    out[half: half + len(inner)] = inner
    span = min(m, len(inner) - 1)
    if span >= 1:
        head = (inner[span] - inner[0]) / span
        tail = (inner[-1] - inner[-1 - span]) / span
    else:
        head = tail = 0.0
    out[:half] = inner[0] - head * np.arange(half, 0, -1)
    out[half + len(inner):] = inner[-1] + tail * np.arange(1, len(x) - half
                                                           - len(inner) + 1)
    return out


def seasonality_test(x, period: float, *, level: float = 0.9) -> bool:
    """Whether the autocorrelation at lag ``period`` is significant.

    The test the M4 competition's benchmarks use to decide whether to
    deseasonalise (after Assimakopoulos & Nikolopoulos' Theta method):
    ``|r_m| > z * sqrt((1 + 2 * sum_{k<m} r_k^2) / n)``, with ``z`` the
    one-sided normal quantile of ``level`` (1.645 at 90%). It is run on the
    series minus its :func:`moving_average_trend`, so that a trend, whose
    autocorrelation is high at every lag, does not pass for a season. A
    non-integer period is tested at the nearest lag. Needs three periods of
    data; fewer is "not seasonal".

    >>> t = np.arange(120)
    >>> seasonality_test(np.sin(2 * np.pi * t / 12) + 0.01 * t, 12)
    True
    >>> seasonality_test(0.5 * t, 12)
    False
    """
    x = np.asarray(x, dtype=np.float64)
    m = int(round(period))
    if m < 2 or len(x) < 3 * m:
        return False
    detrended = x - moving_average_trend(x, period)
    if detrended.var() <= 1e-12 * max(x.var(), 1e-300):
        return False  # nothing but trend (rounding noise has no season)
    r = acf(detrended, m)
    if not np.all(np.isfinite(r)):
        return False
    from statistics import NormalDist

    z = NormalDist().inv_cdf(level)
    limit = z * math.sqrt((1.0 + 2.0 * float(np.sum(r[1:m] ** 2))) / len(x))
    return bool(r[m] > limit)


def seasonal_strength(x, period: float, harmonics: int | None = None) -> float:
    """Share of the detrended variance that a Fourier season explains (0 to 1).

    ``x`` minus its :func:`moving_average_trend` is compared with what
    :func:`fourier_seasonality` (``harmonics`` pairs, by default
    ``period // 2``) leaves of it: ``1 - var(rest) / var(detrended)``.

    >>> t = np.arange(96)
    >>> round(seasonal_strength(np.sin(2 * np.pi * t / 12) + 0.1 * t, 12), 2)
    1.0
    """
    x = np.asarray(x, dtype=np.float64)
    detrended = x - moving_average_trend(x, period)
    var = detrended.var()
    if var <= 0:
        return 0.0
    harmonics = max(1, int(period // 2)) if harmonics is None else int(harmonics)
    season = fourier_seasonality(x, [period], [harmonics])
    rest = detrended - season.at(np.arange(len(x)))
    return float(max(0.0, 1.0 - rest.var() / var))


def find_cycle(x, *, max_lag: int | None = None, min_lag: int = 3) -> int | None:
    """The lag of the strongest autocorrelation peak, when it is significant.

    On the series minus a linear trend, the highest local maximum of the
    autocorrelation between ``min_lag`` and ``max_lag`` (a third of the
    length by default) that exceeds ``2 / sqrt(n)`` and its neighbours; None
    when there is none. A yearly series with a 9 to 11 year cycle (sunspots,
    Canadian lynx) has one; a random walk has none.

    >>> t = np.arange(200)
    >>> find_cycle(np.sin(2 * np.pi * t / 10.5))
    10
    >>> find_cycle(np.random.default_rng(0).normal(size=200)) is None
    True
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    max_lag = int(max_lag or n // 3)
    if n < 4 * min_lag or max_lag <= min_lag:
        return None
    t = np.arange(n)
    slope, intercept = np.polyfit(t, x, 1)
    r = acf(x - (slope * t + intercept), max_lag + 1)
    bound = 2.0 / math.sqrt(n)
    best, best_r = None, bound
    for k in range(min_lag, min(max_lag, len(r) - 2) + 1):
        if r[k] > r[k - 1] and r[k] >= r[k + 1] and r[k] > best_r:
            # a peak must also rise above the trough before it
            if r[k] - r[1:k].min() > bound:
                best, best_r = k, r[k]
    return best


def kpss_stationary(x, *, critical: float = 0.463) -> bool:
    """Whether the KPSS test (Kwiatkowski et al., 1992) keeps level
    stationarity at 5%: the series wanders around a fixed mean rather than
    drifting away from it (which a random walk or a trend does).

    The statistic is ``sum(S_t^2) / (n^2 s^2)``, with ``S_t`` the partial
    sums of the deviations from the mean and ``s^2`` their long-run variance
    (Bartlett weights over ``4 (n / 100)^(1/4)`` lags, as in R's ``ndiffs``),
    compared with the 5% critical value 0.463.

    >>> rng = np.random.default_rng(0)
    >>> kpss_stationary(rng.normal(size=200))
    True
    >>> kpss_stationary(np.cumsum(rng.normal(size=200)))
    False
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n < 8:
        return False
    e = x - x.mean()
    partial = np.cumsum(e)
    lags = int(4 * (n / 100) ** 0.25)
    s2 = float(e @ e) / n
    for k in range(1, min(lags, n - 1) + 1):
        s2 += 2 * (1 - k / (lags + 1)) * float(e[k:] @ e[:-k]) / n
    if s2 <= 0:
        return False
    return bool(float(partial @ partial) / (n * n * s2) < critical)


def guerrero_lambda(x, period: float = 2, *, lower: float = -1.0,
                    upper: float = 2.0) -> float:
    """Guerrero's (1993) Box-Cox exponent for a positive series.

    Split the series into blocks of one period (two points at least), and
    choose the ``lambda`` that makes ``sd_i / mean_i ** (1 - lambda)`` most
    constant across blocks (least coefficient of variation): swings that
    grow in proportion to the level give ``lambda`` near 0 (the log), swings
    independent of the level near 1 (no transform). The spread ``sd_i`` is
    that of the series minus its :func:`moving_average_trend`, so that a
    trend inside a block does not count as a swing.

    >>> rng = np.random.default_rng(0)
    >>> level = np.exp(np.linspace(0, 3, 240))
    >>> round(guerrero_lambda(level * (1 + 0.1 * rng.normal(size=240)), 12), 1)
    0.0
    >>> round(guerrero_lambda(level + rng.normal(size=240), 12), 1) > 0.5
    True
    """
    x = np.asarray(x, dtype=np.float64)
    m = max(int(round(period)), 2)
    n_blocks = len(x) // m
    if n_blocks < 2 or np.any(x <= 0):
        return 1.0
    start = len(x) - n_blocks * m
    mu = x[start:].reshape(n_blocks, m).mean(axis=1)
    swings = (x - moving_average_trend(x, m))[start:].reshape(n_blocks, m)
    sd = swings.std(axis=1, ddof=1)
    keep = sd > 0
    if keep.sum() < 2:
        return 1.0
    mu, sd = mu[keep], sd[keep]
    grid = np.linspace(lower, upper, 301)
    ratios = sd[None, :] / mu[None, :] ** (1.0 - grid[:, None])
    cv = ratios.std(axis=1, ddof=1) / ratios.mean(axis=1)
    return float(grid[int(np.argmin(cv))])


@dataclass(frozen=True)
class FourierSeason:
    """A seasonal component fitted as sine/cosine terms of the row position.

    Made by :func:`fourier_seasonality`; ``season.at(positions)`` evaluates it
    at any rows, the history's (``0 .. n - 1``) or later ones.
    """

    periods: tuple
    harmonics: tuple
    keep: np.ndarray
    coef: np.ndarray

    def at(self, positions) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.int64)
        if not self.periods:
            return np.zeros(len(positions))
        terms = seasonal_terms(positions, list(self.periods), list(self.harmonics))
        return terms[:, self.keep] @ self.coef


def fourier_seasonality(x, periods, harmonics, half_life=None) -> FourierSeason:
    """The seasonal component of ``x`` as sine/cosine terms of its position.

    ``x`` minus its :func:`moving_average_trend` (over the longest period) is
    regressed by least squares on the terms of :func:`seasonal_terms`
    (``harmonics[i]`` pairs for ``periods[i]``, positions ``0 .. n - 1``).
    The result evaluates the fit at the history's positions and continues it
    at later ones. With ``m / 2`` harmonics of an integer period ``m`` this
    is the classical decomposition's seasonal index; fewer harmonics give a
    smoother shape, and a non-integer period (52.18 weeks a year) needs no
    rounding. ``half_life`` (in periods of the longest season) weights the
    rows by ``0.5 ** (age / (half_life * period))``, so a season whose shape
    changes is described as it is now; None weights all rows alike.

    Examples
    --------
    >>> t = np.arange(48)
    >>> x = 10 + np.where(t % 4 == 0, 2.0, -2.0 / 3)
    >>> season = fourier_seasonality(x, [4], [2])
    >>> np.round(season.at(np.arange(48, 52)), 3).tolist()
    [2.0, -0.667, -0.667, -0.667]
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    periods = tuple(float(p) for p in periods)
    harmonics = tuple(int(h) for h in harmonics)
    if not periods:
        return FourierSeason((), (), np.zeros(0, bool), np.zeros(0))
    detrended = x - moving_average_trend(x, max(periods))
    terms = seasonal_terms(np.arange(n, dtype=np.int64), list(periods),
                           list(harmonics))
    # a sine at the Nyquist frequency is identically 0: drop empty columns
    keep = np.abs(terms).max(axis=0) > 1e-9
    design, target = terms[:, keep], detrended
    if half_life is not None:
        age = np.arange(n)[::-1]
        w = np.sqrt(0.5 ** (age / (float(half_life) * max(periods))))
        design, target = design * w[:, None], target * w
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    return FourierSeason(periods, harmonics, keep, coef)
