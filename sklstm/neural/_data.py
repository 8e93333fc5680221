"""Windows over consecutive rows, and whole-batch access to them.

The windows are a strided view of one float32 array: ``lookback`` rows per
window, no copy per window. A batch is one fancy index into that view, so each
batch costs a single gather instead of ``batch_size`` item lookups and a
collation, which is what a ``torch.utils.data.DataLoader`` over single items
does.
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

    Examples
    --------
    >>> w = sliding_windows(np.arange(12, dtype=np.float32).reshape(6, 2), 2)
    >>> ds = WindowDataset(w, np.zeros((5, 1), np.float32), positions=np.arange(3))
    >>> X, y = ds[np.array([2, 0])]
    >>> len(ds), tuple(X.shape), tuple(y.shape)
    (3, (2, 2, 2), (2, 1))
    """

    def __init__(self, windows, y=None, positions=None):
        self.windows = windows
        self.y = y
        self.positions = np.arange(len(windows)) if positions is None else positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, idx):
        pos = self.positions[idx]
        X = torch.from_numpy(np.ascontiguousarray(self.windows[pos]))
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
