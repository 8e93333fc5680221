"""Forecast accuracy: MAE, RMSE, MASE and sMAPE.

All four take ``y_true`` and ``y_pred`` of the same shape (1-D, or 2-D with
one column per horizon or output) and average over every value. MASE also
needs the training series, whose in-sample seasonal-naive error is the scale:
a MASE below 1 beats "same value as one season ago" on the training data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike

__all__ = ["mae", "mase", "naive_scale", "rmse", "smape"]


def _pair(y_true, y_pred, name: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if t.shape != p.shape:
        t, p = t.squeeze(), p.squeeze()
    if t.shape != p.shape:
        raise ValueError(
            f"{name}: y_true has shape {np.shape(y_true)} but y_pred has shape "
            f"{np.shape(y_pred)}; pass one prediction per true value."
        )
    if t.size == 0:
        raise ValueError(f"{name}: y_true is empty; pass at least one value.")
    for label, arr in (("y_true", t), ("y_pred", p)):
        if not np.isfinite(arr).all():
            raise ValueError(
                f"{name}: {label} contains {int((~np.isfinite(arr)).sum())} NaN or "
                "infinite value(s); drop those rows before scoring."
            )
    return t, p


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape

    Returns
    -------
    float

    Examples
    --------
    >>> mae([1.0, 2.0, 4.0], [2.0, 2.0, 1.0])
    1.3333333333333333
    """
    t, p = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(t - p)))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape

    Returns
    -------
    float

    Examples
    --------
    >>> rmse([1.0, 2.0, 4.0], [2.0, 2.0, 1.0])
    1.8257418583505538
    """
    t, p = _pair(y_true, y_pred, "rmse")
    return float(np.sqrt(np.mean((t - p) ** 2)))


def naive_scale(y_train: ArrayLike, m: int = 1) -> float:
    """In-sample MAE of the seasonal-naive forecast ``y[t] = y[t - m]``.

    NaN values in ``y_train`` (gaps) are skipped: only pairs where both ends
    are observed count.

    Parameters
    ----------
    y_train : array-like of shape (n_samples,)
    m : int, default=1
        Season length; 1 is the plain naive forecast.

    Returns
    -------
    float

    Examples
    --------
    >>> naive_scale([1.0, 3.0, 2.0, 6.0], m=1)
    2.3333333333333335
    >>> naive_scale([1.0, 3.0, 2.0, 6.0], m=2)
    2.0
    """
    y = np.asarray(y_train, dtype=np.float64).ravel()
    if int(m) < 1:
        raise ValueError(f"mase: m={m} must be a positive int (the season length).")
    diffs = np.abs(y[m:] - y[:-m])
    diffs = diffs[np.isfinite(diffs)]
    if diffs.size == 0:
        raise ValueError(
            f"mase: y_train needs more than m={m} observed values to compute the "
            f"seasonal-naive scale; it has {int(np.isfinite(y).sum())}."
        )
    return float(np.mean(diffs))


def mase(y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, m: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler, 2006).

    The MAE of the forecast divided by the in-sample MAE of the seasonal-naive
    forecast (``y[t] = y[t - m]``) on ``y_train``. Below 1: better than the
    seasonal-naive method was on the training data.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape
    y_train : array-like of shape (n_train,)
        The training series, oldest first; NaN gaps are skipped.
    m : int, default=1
        Season length (12 for monthly data with a yearly cycle).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When the training series is constant at lag ``m`` (the scale is 0).

    Examples
    --------
    >>> mase([5.0, 7.0], [6.0, 6.0], y_train=[1.0, 3.0, 2.0, 6.0], m=2)
    0.5
    """
    scale = naive_scale(y_train, m)
    if scale == 0:
        raise ValueError(
            f"mase: y_train repeats itself exactly at lag m={m}, so the "
            "seasonal-naive scale is 0; use mae instead."
        )
    return mae(y_true, y_pred) / scale


def smape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric mean absolute percentage error, in percent (0 to 200).

    ``100 * mean(2 * |y - p| / (|y| + |p|))``; a pair where both are 0 counts
    as 0 error.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape

    Returns
    -------
    float

    Examples
    --------
    >>> smape([100.0, 0.0, 50.0], [110.0, 0.0, 25.0])
    25.396825396825395
    """
    t, p = _pair(y_true, y_pred, "smape")
    denom = np.abs(t) + np.abs(p)
    ratio = np.divide(2.0 * np.abs(t - p), denom, out=np.zeros_like(denom),
                      where=denom > 0)
    return float(100.0 * np.mean(ratio))
