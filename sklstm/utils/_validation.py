"""Input checks shared by every sklstm estimator.

scikit-learn's ``validate_data`` checks shapes, feature names and feature
counts; before it runs, :func:`check_numeric_input` checks what scikit-learn
reports without naming the culprit: non-numeric columns, infinite values and
(where not allowed) missing values. Its messages say who complains, which
column and row, and how to fix it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sklstm._compat import validate_data

__all__ = [
    "check_numeric_input",
    "check_target",
    "check_values",
    "column_labels",
    "container_name",
    "first_bad_rows",
    "to_float",
    "who",
]


def who(estimator, method: str) -> str:
    """``"LagFeatures.fit"``: the prefix of every error message."""
    return f"{type(estimator).__name__}.{method}"


def container_name(X) -> str:
    """How messages call X's container: ``"a numpy array"``, ``"a polars DataFrame"``.

    >>> container_name(np.zeros((2, 1))), container_name(pd.DataFrame({"a": [1]}))
    ('a numpy array', 'a pandas DataFrame')
    """
    module = type(X).__module__.split(".")[0]
    if isinstance(X, pd.DataFrame):
        return "a pandas DataFrame"
    if module == "polars":
        return f"a polars {type(X).__name__}"
    if isinstance(X, np.ndarray):
        return "a numpy array"
    return f"a {type(X).__name__}"


def column_labels(X, n_columns: int) -> list[str]:
    """Printable column names: the DataFrame's, else ``column 0``, ``column 1``..."""
    if isinstance(X, pd.DataFrame):
        return [repr(c) for c in X.columns]
    return [f"column {j}" for j in range(n_columns)]


def first_bad_rows(mask: np.ndarray, index) -> str:
    """The labels of the first three rows where ``mask`` holds, for messages.

    >>> first_bad_rows(np.array([False, True, True, True, True]), None)
    '1, 2, 3, ...'
    """
    rows = np.flatnonzero(mask)
    labels = rows if index is None else index[rows]
    shown = ", ".join(str(v) for v in labels[:3])
    return shown + (", ..." if len(rows) > 3 else "")


def _reject_non_numeric(X: pd.DataFrame, owner: str) -> None:
    bad = [
        f"{col!r} ({dtype})"
        for col, dtype in X.dtypes.items()
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        )
    ]
    if bad:
        raise TypeError(
            f"{owner}: expected numeric columns, but got non-numeric column(s) "
            f"{', '.join(bad)}. Convert them with pd.to_numeric, encode them, or "
            "drop them before this step."
        )


def to_float(X, owner: str):
    """Reject non-numeric DataFrame columns; convert numpy object/str arrays.

    A DataFrame comes back unchanged; so does any other array-like that is
    not of object or string dtype.

    >>> to_float(np.array(["1.5", "2"], dtype=object), "f").tolist()
    [1.5, 2.0]
    """
    if isinstance(X, pd.DataFrame):
        _reject_non_numeric(X, owner)
        return X
    dtype = getattr(X, "dtype", None)
    if dtype is not None and dtype.kind in "OUS":
        try:
            return np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{owner}: X has dtype {dtype} and could not be converted to "
                f"float ({exc}). Pass numeric data, or convert the columns first."
            ) from exc
    return X


# Row blocks of about this many values keep the temporary masks small.
_BLOCK_VALUES = 1 << 18


def _anywhere(values: np.ndarray, test) -> bool:
    """Whether ``test`` (``np.isinf``, ``np.isnan``) holds for any value.

    Works through blocks of rows into one small boolean buffer laid out like
    ``values``, whatever its size, and stops at the first block where it holds.
    """
    n = len(values)
    step = max(1, _BLOCK_VALUES // max(1, values.size // max(1, n)))
    mask = np.empty_like(values[:step], dtype=bool)
    for start in range(0, n, step):
        block = values[start : start + step]
        if test(block, out=mask[: len(block)]).any():
            return True
    return False


#: What a message about bad values advises, by what holds them:
#: ``(for infinite values, for NaN)``. An Interpolator fills X only, so y
#: gets advice of its own.
_ADVICE = {
    "X": (
        "expected finite numbers. Replace them, e.g. X.replace([np.inf, -np.inf], "
        "np.nan), then interpolate.",
        "this step needs complete data. Put an Interpolator before it in the "
        "pipeline.",
    ),
    "y": (
        "the target must be finite. Replace them with NaN, e.g. "
        "y.replace([np.inf, -np.inf], np.nan), then fill or drop those rows.",
        "the target must be finite. Fill them (e.g. y.interpolate() for a "
        "series) or drop those rows of X and y before fitting.",
    ),
}


def check_values(values: np.ndarray, labels, index, owner, allow_nan, name="X"):
    """Raise ``ValueError`` naming the first column and rows of bad values.

    Infinite values are always bad, NaN unless ``allow_nan``. ``labels`` name
    the columns of the 2-D ``values``, ``index`` its rows (positions when
    None); ``name`` is ``"X"`` or ``"y"`` and decides the advice.

    >>> check_values(np.array([[1.0], [np.nan]]), ["'a'"], None, "f",
    ...              allow_nan=False)
    Traceback (most recent call last):
    ...
    ValueError: f: X 'a' contains 1 NaN value(s), at row(s) 1; this step needs \
complete data. Put an Interpolator before it in the pipeline.
    """
    inf_advice, nan_advice = _ADVICE[name]
    # Without NaN allowed, a finite sum proves every value finite in one pass
    # with no temporary; otherwise (inf, NaN, or a sum that overflows) look closer.
    if allow_nan:
        finite = False
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            finite = bool(np.isfinite(values.sum()))
    if not finite and _anywhere(values, np.isinf):
        inf = np.isinf(values)
        j = int(np.flatnonzero(inf.any(axis=0))[0])
        raise ValueError(
            f"{owner}: {name} {labels[j]} contains {int(inf[:, j].sum())} infinite "
            f"value(s), at row(s) {first_bad_rows(inf[:, j], index)}; {inf_advice}"
        )
    if not (allow_nan or finite) and _anywhere(values, np.isnan):
        nan = np.isnan(values)
        j = int(np.flatnonzero(nan.any(axis=0))[0])
        raise ValueError(
            f"{owner}: {name} {labels[j]} contains {int(nan[:, j].sum())} NaN "
            f"value(s), at row(s) {first_bad_rows(nan[:, j], index)}; {nan_advice}"
        )


def check_numeric_input(
    estimator,
    X,
    *,
    reset: bool,
    method: str,
    allow_nan: bool = True,
    y=None,
    min_rows: int = 1,
    **validate_kw,
):
    """Validate X (and y) and return them as float64 arrays plus X's index.

    Parameters
    ----------
    estimator : estimator instance
        Who checks; it gets ``n_features_in_`` / ``feature_names_in_`` when
        ``reset`` is true and is compared against them otherwise.
    X : array-like of shape (n_samples, n_features)
        Numpy array or DataFrame.
    reset : bool
        True in ``fit``, False in ``transform``/``predict``.
    method : str
        Name of the calling method, for messages.
    allow_nan : bool, default=True
        Whether NaN may appear in X (infinite values never may).
    y : array-like, optional
        Target; checked for finiteness and returned as float64 when given.
    min_rows : int, default=1
        Fewest rows accepted.
    **validate_kw
        Passed on to scikit-learn's ``validate_data``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    index : pandas.Index or None
        ``X.index`` when X is a DataFrame.
    y : ndarray, only when ``y`` was given
    """
    owner = who(estimator, method)
    index = X.index if isinstance(X, pd.DataFrame) else None
    converted = to_float(X, owner)
    shape = getattr(converted, "shape", ())
    if len(shape) == 2 and shape[1] == 0:
        raise ValueError(
            f"{owner}: X has 0 feature(s) (shape={tuple(shape)}) while a minimum "
            "of 1 is required. Pass at least one feature column."
        )
    if y is not None:
        # Before validate_data, whose own check of y names no row.
        check_target(y, index, owner)
    kw = dict(
        reset=reset,
        dtype=np.float64,
        ensure_all_finite=False,
        ensure_min_samples=min_rows,
    )
    kw.update(validate_kw)
    try:
        if y is None:
            values = validate_data(estimator, converted, **kw)
        else:
            values, y = validate_data(estimator, converted, y, **kw)
    except (ValueError, TypeError) as exc:
        # scikit-learn's messages say what is wrong but not always who complains.
        if type(exc) in (ValueError, TypeError) and not str(exc).startswith(owner):
            raise type(exc)(f"{owner}: {exc}") from None
        raise
    check_values(values, column_labels(X, values.shape[1]), index, owner, allow_nan)
    if y is None:
        return values, index
    return values, index, np.asarray(y, dtype=np.float64)


def check_target(y, index, owner) -> None:
    """Raise ``ValueError`` naming the output and rows of NaN or infinite y.

    The rows are labelled by y's own index when it is a Series or DataFrame,
    else by ``index`` (X's) when the lengths match, else by position. What
    is not a 1-D or 2-D array of real numbers passes: ``validate_data`` says
    what is wrong with it.

    >>> check_target(np.array([1.0, np.inf]), None, "f")
    Traceback (most recent call last):
    ...
    ValueError: f: y output 0 contains 1 infinite value(s), at row(s) 1; the \
target must be finite. Replace them with NaN, e.g. y.replace([np.inf, -np.inf], \
np.nan), then fill or drop those rows.
    """
    try:
        values = np.asarray(y)  # not iscomplexobj: it rejects array-likes
        if values.dtype.kind == "c":
            return  # validate_data rejects complex data with its own message
        values = values.astype(np.float64)
    except (TypeError, ValueError):
        return  # not numbers: validate_data says so
    if values.ndim not in (1, 2) or values.size == 0:
        return  # validate_data says what is wrong with its shape
    if isinstance(y, (pd.Series, pd.DataFrame)):
        index = y.index
    if index is not None and len(index) != len(values):
        index = None
    y2 = values.reshape(len(values), -1)
    labels = (column_labels(y, y2.shape[1]) if isinstance(y, pd.DataFrame)
              else [f"output {j}" for j in range(y2.shape[1])])
    check_values(y2, labels, index, owner, allow_nan=False, name="y")
