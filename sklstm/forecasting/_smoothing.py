"""Exponential smoothing and the Theta method, on a deseasonalised series.

Pure numpy: :func:`smoothed_levels` (simple exponential smoothing),
:func:`fit_smoothing` (its weight, by least one-step error), and
:func:`theta_forecast` (smoothing plus half the trend's slope, the Theta
method that won the M3 competition), which :class:`~sklstm.LSTMForecaster`
averages with its networks.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_smoothing", "smoothed_levels", "theta_forecast"]


def smoothed_levels(d, alpha: float) -> np.ndarray:
    """Simple exponential smoothing: ``l[t] = alpha d[t] + (1 - alpha) l[t-1]``,
    starting at ``l[0] = d[0]``.

    >>> smoothed_levels(np.array([0.0, 1.0, 1.0]), 0.5).tolist()
    [0.0, 0.5, 0.75]
    """
    from scipy.signal import lfilter

    d = np.asarray(d, dtype=np.float64)
    if alpha >= 1.0 or len(d) < 2:
        return d.copy()
    rest, _ = lfilter([alpha], [1.0, alpha - 1.0], d[1:], zi=[(1 - alpha) * d[0]])
    return np.r_[d[0], rest]


def fit_smoothing(d, grid=None) -> float:
    """The smoothing weight whose level best predicts the next value: least
    squared one-step error over a grid from 0.05 to 1 (1 is the last value).

    >>> rng = np.random.default_rng(0)
    >>> fit_smoothing(np.cumsum(rng.normal(size=300)))  # a random walk
    1.0
    >>> fit_smoothing(rng.normal(size=300)) < 0.2  # noise around a level
    True
    """
    d = np.asarray(d, dtype=np.float64)
    grid = np.linspace(0.05, 1.0, 20) if grid is None else np.asarray(grid)
    errors = [np.mean((d[1:] - smoothed_levels(d, a)[:-1]) ** 2) for a in grid]
    return float(grid[int(np.argmin(errors))])


def theta_forecast(d, horizon: int, alpha: float | None = None) -> np.ndarray:
    """The standard Theta method's forecast of ``d`` (Assimakopoulos &
    Nikolopoulos, 2000, in Hyndman & Billah's 2003 form): simple exponential
    smoothing plus half the slope of the least-squares line through ``d``,
    ``l_n + b / 2 * (h - 1 + 1 / alpha - (1 - alpha) ** n / alpha)``.

    Parameters
    ----------
    d : array-like of shape (n,)
        A deseasonalised series.
    horizon : int
    alpha : float or None
        Smoothing weight; None fits it (:func:`fit_smoothing`).

    Examples
    --------
    >>> theta_forecast(np.arange(10.0), 2).round(2).tolist()
    [9.5, 10.0]
    """
    d = np.asarray(d, dtype=np.float64)
    n = len(d)
    alpha = max(fit_smoothing(d) if alpha is None else float(alpha), 0.05)
    level = smoothed_levels(d, alpha)[-1]
    slope = np.polyfit(np.arange(n), d, 1)[0] if n > 1 else 0.0
    h = np.arange(1, horizon + 1)
    return level + 0.5 * slope * (h - 1 + 1 / alpha - (1 - alpha) ** n / alpha)
