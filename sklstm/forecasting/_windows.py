"""Windows measured from their level, and forecasts that roll them forward.

The forecaster's networks never see a series' level: each window is the
deseasonalised series minus its level at the window's last row, divided by
the series' mean absolute one-step change (:func:`normalised_windows`), and
each network predicts the next ``chunk`` values in the same units.
:func:`roll_forecast` turns those predictions back into values, feeding them
back as history when the horizon is longer than a chunk.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "change_scale",
    "normalised_windows",
    "pad_start",
    "roll_forecast",
    "roll_forecasts",
]


def change_scale(d) -> float:
    """Mean absolute one-step change of ``d``.

    A series that never changes has no scale of change: a tiny one is
    returned (a billionth of its size), so that whatever an untrained network
    outputs, the forecast of a constant stays that constant.

    >>> change_scale(np.array([1.0, 3.0, 2.0]))
    1.5
    >>> change_scale(np.full(5, 7.0)) < 1e-8
    True
    """
    d = np.asarray(d, dtype=np.float64)
    diffs = np.abs(np.diff(d))
    scale = float(diffs.mean()) if diffs.size else 0.0
    size = float(np.max(np.abs(d))) if d.size else 0.0
    if not np.isfinite(scale) or scale <= 1e-12 * max(size, 1.0):
        scale = 1e-9 * max(size, 1.0)
    return scale


def normalised_windows(d, lookback: int, chunk: int, scale: float, levels=None,
                       extra=None):
    """Training windows of ``d`` relative to their level, and the changes from
    that level that follow them.

    Window ``i`` holds ``d[i : i + lookback]``; both it and its target
    ``d[i + lookback : i + lookback + chunk]`` have the level at the window's
    last row subtracted (``levels``, by default ``d`` itself: the last value)
    and are divided by ``scale``. ``extra`` (shape ``(len(d), k)``, already
    scaled: past covariates) adds ``k`` channels, the same rows' values as
    they are. Built on a strided view: one copy of the windows, none per
    window.

    Returns
    -------
    X : ndarray of shape (n_windows, lookback, 1 + k), float32
    Y : ndarray of shape (n_windows, chunk), float32

    Examples
    --------
    >>> X, Y = normalised_windows(np.arange(6.0), lookback=2, chunk=2, scale=1.0)
    >>> X[..., 0].tolist(), Y.tolist()
    ([[-1.0, 0.0], [-1.0, 0.0], [-1.0, 0.0]], [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    >>> X, _ = normalised_windows(np.arange(6.0), 2, 2, 1.0,
    ...                           extra=np.arange(6.0)[:, None] * 10)
    >>> X[0].tolist()
    [[-1.0, 0.0], [0.0, 10.0]]
    """
    d = np.asarray(d, dtype=np.float64)
    levels = d if levels is None else np.asarray(levels, dtype=np.float64)
    view = np.lib.stride_tricks.sliding_window_view(d, lookback + chunk)
    anchor = levels[lookback - 1: lookback - 1 + len(view), None]
    rel = (view - anchor) / scale
    X = rel[:, :lookback, None]
    if extra is not None:
        extra = np.asarray(extra, dtype=np.float64)
        past = np.lib.stride_tricks.sliding_window_view(
            extra[: len(d) - chunk], lookback, axis=0)  # (n_windows, k, lookback)
        X = np.concatenate([X, past.transpose(0, 2, 1)], axis=2)
    return (np.ascontiguousarray(X, dtype=np.float32),
            np.ascontiguousarray(rel[:, lookback:], dtype=np.float32))


def pad_start(d, need: int) -> np.ndarray:
    """The last ``need`` rows of ``d``, its first row repeated in front when
    ``d`` is shorter (a global model's short series).

    >>> pad_start(np.array([1.0, 2.0]), 4).tolist()
    [1.0, 1.0, 1.0, 2.0]
    >>> pad_start(np.arange(5.0), 2).tolist()
    [3.0, 4.0]
    """
    tail = np.asarray(d)[-need:]
    if len(tail) < need:
        pad = [(need - len(tail), 0)] + [(0, 0)] * (tail.ndim - 1)
        tail = np.pad(tail, pad, mode="edge")
    return tail


def roll_forecast(predict, d, lookback: int, chunk: int, scale: float,
                  horizon: int, alpha: float = 1.0, level: float | None = None,
                  extra=None) -> np.ndarray:
    """``horizon`` values after the end of ``d``, ``chunk`` per call of
    ``predict`` (normalised windows in, normalised changes out).

    Each chunk is appended to the history, and the smoothed level (weight
    ``alpha``; ``level`` is its value at the end of ``d``, by default the
    last value) carried through it, before the next window is cut. ``extra``
    (shape ``(len(d), k)``: past covariates, scaled as in training) adds its
    channels; past the end of ``d`` they are unknown and held at their last
    row. One series of :func:`roll_forecasts`.

    >>> last_change = lambda X: np.repeat(X[:, -1:, 0] - X[:, -2:-1, 0], 2, axis=1)
    >>> roll_forecast(last_change, np.array([0.0, 1.0, 2.0]), 2, 1, 1.0, 3).tolist()
    [3.0, 4.0, 5.0]
    """
    d = np.asarray(d, dtype=np.float64)[-lookback:]
    level = d[-1] if level is None else float(level)
    rows = None if extra is None else np.asarray(extra, dtype=np.float64)[None]
    return roll_forecasts(predict, d[None], lookback, chunk, [scale], horizon,
                          [alpha], [level], rows)[0]


def roll_forecasts(predict, d, lookback: int, chunk: int, scales, horizon: int,
                   alphas, levels, extra=None) -> np.ndarray:
    """:func:`roll_forecast` of many series at once: one ``predict`` call per
    chunk for all of them.

    Parameters
    ----------
    predict : callable
        Normalised windows of shape ``(n_series, lookback, channels)`` in,
        normalised changes of shape ``(n_series, >= chunk)`` out.
    d : array-like of shape (n_series, n)
        The series' last ``n >= lookback`` values, one row each.
    lookback, chunk, horizon : int
    scales, alphas, levels : array-like of shape (n_series,)
        Each series' scale of change, smoothing weight, and smoothed level at
        its end.
    extra : array-like of shape (n_series, n, k) or None
        Past covariates' channels (held at their last row ahead).

    Returns
    -------
    ndarray of shape (n_series, horizon)

    >>> last_change = lambda X: np.repeat(X[:, -1:, 0] - X[:, -2:-1, 0], 2, axis=1)
    >>> roll_forecasts(last_change, np.array([[0.0, 1.0], [5.0, 3.0]]), 2, 2,
    ...                [1.0, 1.0], 3, [1.0, 1.0], [1.0, 3.0]).tolist()
    [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]]
    """
    history = np.asarray(d, dtype=np.float64)[:, -lookback:]
    scale = np.asarray(scales, dtype=np.float64)[:, None]
    alpha = np.asarray(alphas, dtype=np.float64)
    level = np.array(levels, dtype=np.float64)
    channels = None
    if extra is not None:
        channels = np.asarray(extra, dtype=np.float64)[:, -lookback:]
    out = []
    done = 0
    while done < horizon:
        X = ((history[:, -lookback:] - level[:, None]) / scale)[..., None]
        if channels is not None:
            X = np.concatenate([X, channels[:, -lookback:]], axis=2)
        step = np.asarray(predict(X.astype(np.float32)), dtype=np.float64)
        values = level[:, None] + scale * step.reshape(len(X), -1)[:, :chunk]
        for v in values.T:
            level = alpha * v + (1 - alpha) * level
        out.append(values)
        done += values.shape[1]
        history = np.concatenate([history, values], axis=1)
        if channels is not None:
            held = np.repeat(channels[:, -1:], values.shape[1], axis=1)
            channels = np.concatenate([channels, held], axis=1)
    return np.concatenate(out, axis=1)[:, :horizon]
