"""Panels: many series in one DataFrame indexed by ``(series id, time)``.

A panel's rows are grouped by series and in time order inside each; series may
differ in length and start. :class:`~sklstm.neural.LSTMRegressor` trains one
network across them (a global model) without a window ever spanning two
series: the windows stay one strided view over all rows, and only the
positions of the windows that lie inside one series are used.

What a panel is, and how a series is named in messages, come from
:mod:`sklstm.utils._panel`. The layout here is the regressor's own: the
series' blocks may come in any order (each block together and in time
order), and the row ranges feed the window positions. Pure numpy and
pandas, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sklstm.neural._data import edge_pad, sliding_windows
from sklstm.utils._history import extend_with_history, record_history
from sklstm.utils._panel import is_panel as is_panel_index
from sklstm.utils._panel import series_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sklstm.utils._history import History

__all__ = [
    "PanelLayout",
    "input_scale_parameters",
    "is_panel",
    "panel_layout",
    "panel_row_windows",
    "panel_scale_parameters",
    "panel_window_starts",
    "record_panel_history",
    "scale_rows",
    "short_series",
]


@dataclass(frozen=True)
class PanelLayout:
    """Where each series of a panel lies: rows ``starts[s]:stops[s]``.

    Attributes
    ----------
    ids : ndarray of shape (n_series,), object
        The series ids, in the order of the rows.
    starts, stops : ndarray of shape (n_series,), int64
        Each series' first row and one past its last.
    times : pandas.Index
        The time level of the index, one label per row.
    """

    ids: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    times: pd.Index

    @property
    def lengths(self) -> np.ndarray:
        """Rows per series."""
        return self.stops - self.starts

    @property
    def codes(self) -> np.ndarray:
        """Each row's series, as the position of its id in ``ids`` (int64)."""
        return np.repeat(np.arange(len(self.ids), dtype=np.int64), self.lengths)


def is_panel(X) -> bool:
    """Whether X is a panel the regressor takes: a DataFrame whose index is
    ``(series id, time)`` (:func:`sklstm.utils.is_panel`).

    >>> index = pd.MultiIndex.from_product([["a", "b"], [0, 1]])
    >>> is_panel(pd.DataFrame({"x": range(4)}, index=index)), is_panel([[1.0]])
    (True, False)
    """
    return isinstance(X, pd.DataFrame) and is_panel_index(X)


def panel_layout(index: pd.MultiIndex, owner: str) -> PanelLayout:
    """The row range of each series, after checking the index is a panel's.

    Every series' rows must be together (one contiguous block, as
    ``X.sort_index()`` leaves them) and in strictly increasing time order;
    no id may be missing. The blocks may come in any order.

    Parameters
    ----------
    index : pandas.MultiIndex with 2 levels
        ``(series id, time)``.
    owner : str
        Prefix of the error messages.

    Returns
    -------
    layout : PanelLayout

    Examples
    --------
    >>> index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 5)])
    >>> layout = panel_layout(index, "f")
    >>> layout.ids.tolist(), layout.starts.tolist(), layout.stops.tolist()
    (['a', 'b'], [0, 2], [2, 3])
    >>> panel_layout(index[[0, 2, 1]], "f")
    Traceback (most recent call last):
    ...
    ValueError: f: the rows of series 'a' are not together: they are at rows 0 and \
2, with other series between them. Sort the panel by series id, then time \
(X = X.sort_index(), and y the same).
    """
    ids = index.get_level_values(0)
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        rows = np.flatnonzero(missing)
        raise ValueError(
            f"{owner}: the series id (first index level) is missing (NaN) at "
            f"{len(rows)} row(s), the first at row {int(rows[0])}; every row needs "
            "the id of its series. Fill or drop those rows."
        )
    n = len(codes)
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    stops = np.concatenate([change, [n]]).astype(np.int64)
    run_codes = codes[starts]
    if len(run_codes) != len(uniques):
        # factorize numbers the ids as they first appear: a repeated run breaks
        # the sequence 0, 1, 2, ... at the first id seen again
        k = int(np.flatnonzero(run_codes != np.arange(len(run_codes)))[0])
        first = int(np.flatnonzero(codes == run_codes[k])[0])
        name = series_name(uniques[run_codes[k]])
        raise ValueError(
            f"{owner}: the rows of {name} are not "
            f"together: they are at rows {first} and {int(starts[k])}, with other "
            "series between them. Sort the panel by series id, then time "
            "(X = X.sort_index(), and y the same)."
        )
    times = index.get_level_values(1)
    _check_time_order(times, codes, uniques, owner)
    return PanelLayout(ids=np.asarray(uniques, dtype=object), starts=starts,
                       stops=stops, times=times)


def _check_time_order(times, codes, uniques, owner):
    """Strictly increasing times inside each series, or an error naming it."""
    try:
        values = times.to_numpy()
        with np.errstate(invalid="ignore"):
            backwards = ~(values[1:] > values[:-1])
    except TypeError:  # labels that do not compare: nothing to check
        return
    backwards &= codes[1:] == codes[:-1]
    if backwards.any():
        i = int(np.flatnonzero(backwards)[0])
        name = series_name(uniques[codes[i]])
        raise ValueError(
            f"{owner}: the rows of {name} are not in "
            f"increasing time order: time {times[i + 1]!r} (row {i + 1}) follows "
            f"{times[i]!r} (row {i}). Sort the panel by series id, then time "
            "(X = X.sort_index()), and drop repeated time stamps."
        )


def short_series(layout: PanelLayout, lookback: int, owner: str) -> None:
    """Refuse a panel with a series of fewer than ``lookback`` rows.

    The message names the first such series and its length, and counts the
    others.

    >>> index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0)])
    >>> short_series(panel_layout(index, "f"), 2, "f")
    Traceback (most recent call last):
    ...
    ValueError: f: series 'b' has 1 row(s) but lookback=2 needs at least 2 in \
every series; lower lookback or drop the short series.
    """
    short = np.flatnonzero(layout.lengths < lookback)
    if not short.size:
        return
    s = int(short[0])
    others = (f" ({short.size - 1} other series are too short as well)"
              if short.size > 1 else "")
    raise ValueError(
        f"{owner}: {series_name(layout.ids[s])} has {int(layout.lengths[s])} "
        f"row(s) but lookback={lookback} needs at least {lookback} in every "
        f"series{others}; lower lookback or drop the short series."
    )


def panel_window_starts(layout: PanelLayout, lookback: int) -> np.ndarray:
    """The windows of :func:`sliding_windows` over all rows that lie inside one
    series, as positions into that view, series after series, oldest first.

    Window ``p`` of the view holds rows ``p .. p + lookback - 1``; it belongs
    to a series when all of them do. Every series must have at least
    ``lookback`` rows (:func:`short_series`).

    >>> index = pd.MultiIndex.from_tuples([("a", t) for t in range(4)]
    ...                                   + [("b", t) for t in range(3)])
    >>> panel_window_starts(panel_layout(index, "f"), 3).tolist()
    [0, 1, 4]
    """
    counts = layout.lengths - lookback + 1
    first = np.cumsum(counts) - counts
    return np.repeat(layout.starts - first, counts) + np.arange(counts.sum())


def panel_scale_parameters(y: np.ndarray, layout: PanelLayout, first: int,
                           scale_parameters) -> tuple[np.ndarray, np.ndarray]:
    """Per-series, per-output ``(offset, scale)``, each ``(n_series, n_outputs)``.

    Series ``s`` gets ``scale_parameters`` of its rows from its ``first``-th
    on (those that end a full window), as a single series gets it of all its
    window-ending rows: a local scaler.

    >>> from functools import partial
    >>> from sklstm.neural._regressor import scale_parameters
    >>> index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0), ("b", 1)])
    >>> y = np.array([[1.0], [3.0], [100.0], [300.0]])
    >>> offset, scale = panel_scale_parameters(
    ...     y, panel_layout(index, "f"), 0, partial(scale_parameters, center=True))
    >>> offset.ravel().tolist(), scale.ravel().tolist()
    ([2.0, 200.0], [1.0, 100.0])
    """
    parts = [scale_parameters(y[a + first : b])
             for a, b in zip(layout.starts, layout.stops, strict=True)]
    offset = np.stack([p[0] for p in parts])
    scale = np.stack([p[1] for p in parts])
    return offset, scale


def input_scale_parameters(values: np.ndarray, starts: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Each series' column means and standard deviations, ``(n_series, n_features)``.

    Series ``k`` is rows ``starts[k]:starts[k + 1]`` (the last runs to the
    end): contiguous, in row order, none empty. One pass of
    ``np.add.reduceat`` for the means and one over the centred rows for the
    variances (two passes, so a series far from 0 keeps its precision). A
    column constant in a series gets offset its value and scale 1 (its
    scaled rows are exactly 0), as does a scale that is not finite and
    positive; the caller checks that the scaled rows are finite.

    >>> values = np.array([[1.0, 5.0], [3.0, 5.0], [100.0, 0.0], [300.0, 2.0]])
    >>> offset, scale = input_scale_parameters(values, np.array([0, 2]))
    >>> offset.tolist(), scale.tolist()
    ([[2.0, 5.0], [200.0, 1.0]], [[1.0, 1.0], [100.0, 1.0]])
    """
    starts = np.asarray(starts, dtype=np.intp)
    lengths = np.diff(np.append(starts, len(values)))[:, None]
    codes = np.repeat(np.arange(len(starts)), lengths[:, 0])
    with np.errstate(over="ignore", invalid="ignore"):
        offset = np.add.reduceat(values, starts, axis=0) / lengths
        squares = values - offset[codes]
        np.square(squares, out=squares)
        scale = np.sqrt(np.add.reduceat(squares, starts, axis=0) / lengths)
    low = np.minimum.reduceat(values, starts, axis=0)
    constant = low == np.maximum.reduceat(values, starts, axis=0)
    offset = np.where(constant, low, offset)
    scale = np.where(~constant & np.isfinite(scale) & (scale > 0), scale, 1.0)
    return offset, scale


def scale_rows(values: np.ndarray, codes: np.ndarray | None, offset: np.ndarray,
               scale: np.ndarray) -> np.ndarray:
    """Row ``i`` as ``(values[i] - offset[codes[i]]) / scale[codes[i]]``, float32.

    ``codes=None`` is one series: ``offset`` and ``scale`` of shape
    ``(n_features,)`` for every row. Computed in float64 and cast once: the
    one float32 copy of the rows that the windows view. Non-finite results
    (an overflow) are left for the caller to refuse.

    >>> scale_rows(np.array([[3.0], [300.0]]), np.array([0, 1]),
    ...            np.array([[2.0], [200.0]]), np.array([[1.0], [100.0]])).ravel()
    array([1., 1.], dtype=float32)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if codes is None:
            rows = values - offset
            rows /= scale
        else:
            rows = values - offset[codes]
            rows /= scale[codes]
        return rows.astype(np.float32)


def record_panel_history(values: np.ndarray, layout: PanelLayout,
                         n_tail: int) -> tuple[History | None, ...]:
    """Each series' last ``n_tail`` rows and where its time index ended
    (:func:`record_history`), in the order of ``layout.ids``."""
    return tuple(
        record_history(values[a:b], layout.times[a:b], n_tail)
        for a, b in zip(layout.starts, layout.stops, strict=True)
    )


def panel_row_windows(values: np.ndarray, layout: PanelLayout, lookback: int,
                      histories: Sequence[History | None] | None = None,
                      known: np.ndarray | None = None,
                      scaling: tuple[np.ndarray, np.ndarray] | None = None):
    """One window per row, each inside its own series, as a view and positions.

    Like :func:`~sklstm.neural._data.row_windows` for each series: a series
    whose time index continues the one remembered at fit (``histories[k]``,
    ``k = known[s]``, -1 for a series unseen at fit) gets that tail in front,
    and the rows that still lack ``lookback - 1`` earlier ones get edge
    padding (the series' first available row repeated). The padded series are
    stacked into one array, ``lookback - 1`` rows longer per series than
    ``values``, and viewed as windows; no window is copied. With ``scaling``,
    ``(offset, scale)`` of shape ``(n_series, n_features)`` in the order of
    ``layout.ids``, each series' rows, remembered tail and padding included,
    are :func:`scale_rows` by its own row.

    Returns
    -------
    windows : ndarray of shape (n_windows, lookback, n_features)
        A strided view (:func:`sliding_windows`).
    positions : ndarray of shape (n_rows,), int64
        Row ``i``'s window is ``windows[positions[i]]``.

    Examples
    --------
    >>> index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0)])
    >>> w, pos = panel_row_windows(np.array([[1.0], [2.0], [5.0]]),
    ...                            panel_layout(index, "f"), lookback=2)
    >>> w[pos][..., 0].tolist()
    [[1.0, 1.0], [1.0, 2.0], [5.0, 5.0]]
    """
    blocks, positions, offset = [], [], 0
    for s, (a, b) in enumerate(zip(layout.starts, layout.stops, strict=True)):
        rows, k = values[a:b], 0
        if histories is not None and known is not None and known[s] >= 0:
            rows, k = extend_with_history(histories[known[s]], rows, layout.times[a:b])
        block = edge_pad(rows, lookback - 1 - k)
        blocks.append(block)
        positions.append(offset + np.arange(b - a))
        offset += len(block)
    padded = np.concatenate(blocks)
    if scaling is not None:
        codes = np.repeat(np.arange(len(blocks)), [len(b) for b in blocks])
        padded = scale_rows(padded, codes, *scaling)
    padded = padded.astype(np.float32, copy=False)
    return sliding_windows(padded, lookback), np.concatenate(positions)
