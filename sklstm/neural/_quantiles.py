"""Quantile levels and quantile predictions: pure numpy, no torch.

:class:`~sklstm.neural.LSTMRegressor` with ``loss="quantile"`` checks its
levels with :func:`check_quantiles`, orders the network's quantile outputs
with :func:`ordered_quantiles` and reads its point prediction off them with
:func:`median_of_quantiles`.
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from sklstm.compose._constrained import order_over_outputs

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike

__all__ = [
    "check_lower_bound",
    "check_quantiles",
    "median_of_quantiles",
    "ordered_quantiles",
]


def check_quantiles(quantiles: ArrayLike,
                    owner: str = "LSTMRegressor.fit") -> np.ndarray:
    """The levels as a sorted float64 array; each in (0, 1), no duplicates.

    >>> check_quantiles([0.9, 0.1, 0.5])
    array([0.1, 0.5, 0.9])
    """
    try:
        raw = np.asarray(quantiles)
    except ValueError:  # ragged nesting
        raw = np.asarray(quantiles, dtype=object)
    if raw.dtype.kind not in "iuf":
        raise TypeError(
            f"{owner}: quantiles must be numbers in (0, 1), got {quantiles!r} "
            f"(dtype {raw.dtype}); pass e.g. quantiles=[0.1, 0.5, 0.9]."
        )
    levels = raw.astype(np.float64)
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError(
            f"{owner}: quantiles must be a non-empty flat list of levels, got "
            f"{quantiles!r} (shape {levels.shape}); pass e.g. "
            "quantiles=[0.1, 0.5, 0.9]."
        )
    outside = levels[~((levels > 0) & (levels < 1))]
    if outside.size:
        raise ValueError(
            f"{owner}: every quantile level must lie strictly between 0 and 1, "
            f"but quantiles holds {outside.tolist()}; use levels such as 0.05 "
            "or 0.95 (0 and 1 are the unbounded extremes)."
        )
    levels = np.sort(levels)
    repeated = np.unique(levels[1:][np.diff(levels) == 0])
    if repeated.size:
        raise ValueError(
            f"{owner}: quantiles holds {repeated.tolist()} more than once; each "
            "level must appear once (the levels are sorted, so they must be "
            "strictly increasing). Remove the duplicates."
        )
    return levels


def ordered_quantiles(pred: np.ndarray, lower_bound: float | None = None) -> np.ndarray:
    """Make the last axis of ``pred`` ascending, then clip it at ``lower_bound``.

    Each row of levels is replaced by the closest ascending sequence in
    squared error (isotonic regression, pool adjacent violators: crossing
    neighbours are pooled to their mean), via
    :func:`sklstm.compose.order_over_outputs`. Clipping an ascending sequence
    from below keeps it ascending, so the result is ordered and bounded.

    >>> ordered_quantiles(np.array([[1.0, 3.0, 2.0], [-2.0, 0.0, 5.0]]), 0.0)
    array([[1. , 2.5, 2.5],
           [0. , 0. , 5. ]])
    """
    pred = np.asarray(pred, dtype=np.float64)
    shape = pred.shape
    flat = order_over_outputs(pred.reshape(-1, shape[-1]), True)
    if lower_bound is not None:
        flat = np.maximum(flat, lower_bound)
    return flat.reshape(shape)


def median_of_quantiles(pred: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """The 0.5 level read off ascending quantile predictions (last axis).

    The 0.5 column when ``quantiles`` holds 0.5; otherwise linear
    interpolation in the level between the two levels either side of 0.5;
    when every level lies on one side of 0.5, the nearest level (no
    extrapolation).

    >>> pred = np.array([[1.0, 2.0, 6.0]])
    >>> median_of_quantiles(pred, np.array([0.1, 0.4, 0.9]))  # 0.2 of the way
    array([2.8])
    >>> median_of_quantiles(pred, np.array([0.1, 0.5, 0.9]))
    array([2.])
    >>> median_of_quantiles(pred[:, :1], np.array([0.9]))
    array([1.])
    """
    pred = np.asarray(pred, dtype=np.float64)
    quantiles = np.asarray(quantiles, dtype=np.float64)
    j = int(np.searchsorted(quantiles, 0.5))
    if j < len(quantiles) and quantiles[j] == 0.5:
        return pred[..., j].copy()
    if j == 0:
        return pred[..., 0].copy()
    if j == len(quantiles):
        return pred[..., -1].copy()
    low, high = quantiles[j - 1], quantiles[j]
    w = (0.5 - low) / (high - low)
    return (1 - w) * pred[..., j - 1] + w * pred[..., j]


def check_lower_bound(lower_bound: float | None, owner: str) -> float | None:
    """``lower_bound`` as a float, or None; it must be a finite real number.

    >>> check_lower_bound(0, "f"), check_lower_bound(None, "f")
    (0.0, None)
    """
    if lower_bound is None:
        return None
    if isinstance(lower_bound, (bool, np.bool_)) or not isinstance(lower_bound, Real):
        raise TypeError(
            f"{owner}: lower_bound must be a real number or None, got "
            f"{lower_bound!r} of type {type(lower_bound).__name__}; pass e.g. "
            "lower_bound=0 for a non-negative series."
        )
    if not np.isfinite(lower_bound):
        raise ValueError(
            f"{owner}: lower_bound must be finite, got {lower_bound!r}; pass a "
            "finite number, or None for no bound."
        )
    return float(lower_bound)
