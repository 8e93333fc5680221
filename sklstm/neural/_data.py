"""Windows over consecutive rows, and whole-batch access to them.

The windows are a strided view of one float32 array: ``lookback`` rows per
window, no copy per window. A batch is one fancy index into that view, so each
batch costs a single gather instead of ``batch_size`` item lookups and a
collation, which is what a ``torch.utils.data.DataLoader`` over single items
does. A panel (many series) keeps the same one view over all its rows and
uses only the positions of the windows that lie inside one series, so its
memory grows with rows times features, not with windows times ``lookback``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = [
    "BatchIterator",
    "WindowDataset",
    "edge_pad",
    "row_windows",
    "sliding_windows",
    "window_weights",
]


def sliding_windows(values: np.ndarray, lookback: int) -> np.ndarray:
    """A read-only view of shape ``(n - lookback + 1, lookback, n_features)``.

    Window ``i`` holds rows ``i .. i + lookback - 1``, oldest first.

    >>> w = sliding_windows(np.arange(10.0).reshape(5, 2), 3)
    >>> w.shape, w[0].tolist(), np.shares_memory(w, w.base)
    ((3, 3, 2), [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], True)
    """
    view = np.lib.stride_tricks.sliding_window_view(values, lookback, axis=0)
    return view.transpose(0, 2, 1)


def edge_pad(values: np.ndarray, n_pad: int) -> np.ndarray:
    """``values`` with its first row repeated ``n_pad`` times in front.

    >>> edge_pad(np.array([[1.0], [2.0]]), 2).ravel().tolist()
    [1.0, 1.0, 1.0, 2.0]
    """
    if n_pad <= 0:
        return values
    return np.concatenate([np.repeat(values[:1], n_pad, axis=0), values])


def row_windows(values: np.ndarray, lookback: int, n_history: int = 0) -> np.ndarray:
    """One window per row after the first ``n_history`` rows, ending at that row.

    ``values`` holds ``n_history`` rows of known history followed by the rows
    to window. Rows that lack ``lookback - 1`` earlier rows get edge padding:
    the first available row is repeated in front.

    >>> w = row_windows(np.array([[1.0], [2.0], [3.0]]), lookback=3, n_history=1)
    >>> w[..., 0].tolist()
    [[1.0, 1.0, 2.0], [1.0, 2.0, 3.0]]
    """
    n_pad = max(lookback - 1 - n_history, 0)
    padded = edge_pad(values, n_pad)
    start = n_history + n_pad - (lookback - 1)
    return sliding_windows(padded[start:], lookback)


def window_weights(sample_weight, n_rows: int, first: int, owner: str = "fit",
                   unit: str = "row", lookback: int | None = None,
                   positions: np.ndarray | None = None):
    """Each window's weight: the weight of the row it ends at.

    ``sample_weight`` holds one weight per input row (``n_rows`` of them); the
    window ending at row ``first + j`` (window ``j``: ``first = lookback - 1``
    for rows, 0 for ready windows) gets ``sample_weight[first + j]``. Rows
    before ``first`` end no full window, so their weights are unused. The
    weights must be finite, non-negative and not all zero.

    With ``positions`` (a panel: the windows that lie inside one series, see
    :func:`~sklstm.neural._panel.panel_window_starts`) only those windows
    count, so the weights of each series' first ``lookback - 1`` rows are
    unused.

    Returns None when there are no weights or when every window has the same
    weight: the fit is then exactly the unweighted one.

    Parameters
    ----------
    sample_weight : array-like of shape (n_rows,) or None
    n_rows : int
        Rows (or ready windows, ``unit="window"``) the weights belong to.
    first : int
        The first row that ends a window.
    owner : str, default="fit"
        Prefix of the error messages.
    unit : {"row", "window"}, default="row"
        What one weight belongs to, for the messages.
    lookback : int or None
        For the message when only rows that end no window have weight.
    positions : ndarray of int or None
        The windows that exist, when not all do (a panel).

    Returns
    -------
    weights : ndarray of shape (n_rows - first,), float64, or None

    Examples
    --------
    >>> window_weights([5.0, 5.0, 1.0, 2.0], 4, first=2).tolist()
    [1.0, 2.0]
    >>> window_weights([0.0, 3.0, 3.0], 3, first=1) is None
    True
    """
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.dtype.kind not in "biuf":
        try:
            w = w.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{owner}: sample_weight has dtype {w.dtype}; expected numbers."
            ) from None
    w = w.astype(np.float64, copy=False)
    if w.ndim != 1:
        raise ValueError(
            f"{owner}: sample_weight has shape {w.shape}; expected one weight per "
            f"{unit}, shape ({n_rows},)."
        )
    if len(w) != n_rows:
        raise ValueError(
            f"{owner}: sample_weight has {len(w)} weights but X has {n_rows} "
            f"{unit}s; pass one weight per {unit}."
        )
    bad = ~np.isfinite(w)
    if bad.any():
        raise ValueError(
            f"{owner}: sample_weight has {int(bad.sum())} NaN or infinite "
            f"value(s), the first at position {int(np.flatnonzero(bad)[0])}; "
            "weights must be finite."
        )
    negative = w < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"{owner}: sample_weight has {int(negative.sum())} negative value(s), "
            f"the first {w[i]:g} at position {i}; weights must be >= 0."
        )
    if not w.any():
        raise ValueError(
            f"{owner}: sample_weight is zero everywhere; at least one weight must "
            "be positive."
        )
    weights = w[first:]
    used = weights if positions is None else weights[positions]
    if not used.any():
        rows = (f"rows {first} on" if positions is None
                else f"each series' rows from its {first + 1}-th on")
        raise ValueError(
            f"{owner}: sample_weight is zero at every row that ends a window "
            f"({rows}, with lookback={lookback}); at least one of them "
            "must be positive."
        )
    if (used == used[0]).all():
        return None
    return weights


class WindowDataset(torch.utils.data.Dataset):
    """Windows and targets addressed by position, a whole batch per lookup.

    ``dataset[idx]`` with an integer array or a slice returns ``(X, y)``: a
    float32 tensor of shape ``(len(idx), lookback, n_features)`` gathered by one
    fancy index, and the matching targets (``None`` when there are none).

    Parameters
    ----------
    windows : ndarray of shape (n_windows, lookback, n_features), float32
        Usually the view returned by :func:`sliding_windows`.
    y : ndarray of shape (n_windows, n_outputs), float32, or None
    positions : ndarray of int or None
        The windows that belong to this dataset (e.g. a training part); all
        windows when None.
    weights : ndarray of shape (n_windows,), float32, or None
        One weight per window, used as given (the caller scales them). With
        weights, the X of a batch is the dict ``{"X": windows,
        "sample_weight": weights}``, as skorch's FAQ passes sample weights.
    series : ndarray of shape (n_windows,), int64, or None
        Each window's series (a panel with an id embedding), as the position
        of its id among the fit ids. With it, the X of a batch is a dict with
        the key ``"series"`` too, passed on to the module's ``forward``.

    Examples
    --------
    >>> w = sliding_windows(np.arange(12, dtype=np.float32).reshape(6, 2), 2)
    >>> ds = WindowDataset(w, np.zeros((5, 1), np.float32), positions=np.arange(3))
    >>> X, y = ds[np.array([2, 0])]
    >>> len(ds), tuple(X.shape), tuple(y.shape)
    (3, (2, 2, 2), (2, 1))

    Windows of a panel with the series they belong to:

    >>> ds = WindowDataset(w, series=np.array([0, 0, 0, 1, 1]))
    >>> sorted(ds[np.array([4])][0]), ds[np.array([4])][0]["series"].tolist()
    (['X', 'series'], [1])
    """

    def __init__(self, windows, y=None, positions=None, weights=None, series=None):
        self.windows = windows
        self.y = y
        self.positions = np.arange(len(windows)) if positions is None else positions
        self.weights = weights
        self.series = series

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, idx):
        pos = self.positions[idx]
        X = torch.from_numpy(np.ascontiguousarray(self.windows[pos]))
        if self.series is not None:
            X = {"X": X, "series": torch.from_numpy(self.series[pos])}
        if self.weights is not None:
            weights = torch.from_numpy(self.weights[pos])
            X = ({**X, "sample_weight": weights} if isinstance(X, dict)
                 else {"X": X, "sample_weight": weights})
        if self.y is None:
            return X, None
        return X, torch.from_numpy(np.ascontiguousarray(self.y[pos]))


class BatchIterator:
    """Yields whole batches of a :class:`WindowDataset`, shuffled if asked.

    Takes the place of skorch's ``DataLoader`` (``iterator_train`` /
    ``iterator_valid``): one index array per batch, no per-item collation.

    Parameters
    ----------
    dataset : WindowDataset
    batch_size : int, default=64
    shuffle : bool, default=False
        Draw a new order every pass (every epoch).
    random_state : int, RandomState or None, default=None
        Source of the shuffling order. A ``RandomState`` instance is kept and
        advanced, so consecutive epochs get different orders while the whole
        fit stays reproducible.

    Examples
    --------
    >>> ds = WindowDataset(np.zeros((10, 2, 1), np.float32))
    >>> [len(X) for X, _ in BatchIterator(ds, batch_size=4)]
    [4, 4, 2]
    """

    def __init__(self, dataset, batch_size=64, shuffle=False, random_state=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = check_random_state(random_state)

    def __len__(self) -> int:
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n, size = len(self.dataset), self.batch_size
        if self.shuffle:
            order = self.random_state.permutation(n)
            for start in range(0, n, size):
                yield self.dataset[order[start : start + size]]
        else:
            for start in range(0, n, size):
                yield self.dataset[start : start + size]
