"""Which columns of X a parameter means: the one rule for names and positions.

Every sklstm estimator that takes columns (``LagFeatures(columns=...)``,
``Differencer(columns=...)``, ``LevelDifferenceRegressor(level=...)``, the
target of ``make_lstm_pipeline``) resolves them here, by one rule:

- a column is a name (a ``str`` in the DataFrame's columns) or a position (an
  int from ``-n_features`` to ``n_features - 1``; negative counts from the end);
- ``True``/``False`` are neither, though Python counts them as ints;
- a list names each column once.

Errors name the estimator, the bad entry and the columns X has.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = ["resolve_column", "resolve_columns"]


def _position(col, n_features: int, names: list, owner: str, param=None) -> int:
    """The position of ``col``; ``param`` names a one-column parameter."""
    if isinstance(col, str):
        what = "column" if param is None else f"{param} column"
        if col not in names:
            raise ValueError(
                f"{owner}: {what} {col!r} is not in X; X has columns "
                f"{names or list(range(n_features))}."
            )
        return names.index(col)
    flag = isinstance(col, (bool, np.bool_))
    if isinstance(col, (Integral, np.integer)) and not flag:
        if -n_features <= col < n_features:
            return int(col) % n_features
    why = ": True and False are not positions." if flag else "."
    if param is None:
        raise ValueError(
            f"{owner}: column {col!r} is neither a column name nor a position in "
            f"0..{n_features - 1} (or negative, from the end){why}"
        )
    raise ValueError(
        f"{owner}: {param}={col!r} is not a column position of X, which has "
        f"{n_features} column(s) (0..{n_features - 1}, or negative from the end), "
        f"nor a column name{why}"
    )


def resolve_column(column, n_features: int, names=None, *, owner: str,
                   param: str | None = None) -> int:
    """The position of one column, given by name or position.

    Parameters
    ----------
    column : str or int
        A name in ``names``, or a position (negative counts from the end).
    n_features : int
        The number of columns of X.
    names : sequence of str or None
        X's column names (``feature_names_in_``); None for an array.
    owner : str
        Who asks, for the error message (``"LagFeatures.fit"``).
    param : str or None, default=None
        The parameter that holds the column, for the error message
        (``"level"``: "level=7 is not a column position...").

    Returns
    -------
    position : int
        From 0 to ``n_features - 1``.

    Examples
    --------
    >>> resolve_column("b", 2, ["a", "b"], owner="example")
    1
    >>> resolve_column(-1, 3, owner="example")
    2
    """
    names = [] if names is None else list(names)
    return _position(column, n_features, names, owner, param)


def resolve_columns(columns, n_features: int, names=None, *, owner: str) -> np.ndarray:
    """The positions of ``columns``: names or positions, each once; None is all.

    Parameters
    ----------
    columns : sequence of str or int, or None
        Each a name in ``names`` or a position; None means every column.
    n_features : int
        The number of columns of X.
    names : sequence of str or None
        X's column names (``feature_names_in_``); None for an array.
    owner : str
        Who asks, for the error message (``"Differencer.fit"``).

    Returns
    -------
    positions : ndarray of int
        In the order given.

    Raises
    ------
    ValueError
        For an entry that is neither a name of X nor a position, a column named
        twice (by name and position alike), or an empty list.

    Examples
    --------
    >>> resolve_columns(["b", 0], 3, ["a", "b", "c"], owner="example")
    array([1, 0])
    >>> resolve_columns(None, 2, owner="example")
    array([0, 1])
    >>> resolve_columns([0, "a"], 2, ["a", "b"], owner="example")
    Traceback (most recent call last):
    ...
    ValueError: example: columns [0, 'a'] names a column twice (position 0).
    """
    if columns is None:
        return np.arange(n_features)
    if isinstance(columns, (str, Integral)):
        raise ValueError(
            f"{owner}: columns={columns!r} must be a list of names or positions; "
            f"pass [{columns!r}]."
        )
    names = [] if names is None else list(names)
    positions = [_position(c, n_features, names, owner) for c in columns]
    if not positions:
        raise ValueError(f"{owner}: columns is empty; pass None to use all columns.")
    seen = set()
    for p in positions:
        if p in seen:
            raise ValueError(
                f"{owner}: columns {list(columns)!r} names a column twice "
                f"(position {p})."
            )
        seen.add(p)
    return np.asarray(positions, dtype=np.intp)
