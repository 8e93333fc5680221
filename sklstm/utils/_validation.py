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

__all__ = ["check_numeric_input", "column_labels", "who"]


def who(estimator, method: str) -> str:
    """``"LagFeatures.fit"``: the prefix of every error message."""
    return f"{type(estimator).__name__}.{method}"


def column_labels(X, n_columns: int) -> list[str]:
    """Printable column names: the DataFrame's, else ``column 0``, ``column 1``..."""
    if isinstance(X, pd.DataFrame):
        return [repr(c) for c in X.columns]
    return [f"column {j}" for j in range(n_columns)]


def _first_bad_rows(mask: np.ndarray, index) -> str:
    rows = np.flatnonzero(mask)
    labels = rows if index is None else index[rows]
    shown = ", ".join(str(v) for v in labels[:3])
    return shown + (", ..." if len(rows) > 3 else "")


def _reject_non_numeric(X: pd.DataFrame, prefix: str) -> None:
    bad = [
        f"{col!r} ({dtype})"
        for col, dtype in X.dtypes.items()
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        )
    ]
    if bad:
        raise TypeError(
            f"{prefix}: expected numeric columns, but got non-numeric column(s) "
            f"{', '.join(bad)}. Convert them with pd.to_numeric, encode them, or "
            "drop them before this step."
        )


def _to_float(X, prefix: str):
    """Reject non-numeric DataFrame columns; convert numpy object/str arrays."""
    if isinstance(X, pd.DataFrame):
        _reject_non_numeric(X, prefix)
        return X
    dtype = getattr(X, "dtype", None)
    if dtype is not None and dtype.kind in "OUS":
        try:
            return np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{prefix}: X has dtype {dtype} and could not be converted to "
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


def _check_values(values: np.ndarray, labels, index, prefix, allow_nan, name="X"):
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
            f"{prefix}: {name} {labels[j]} contains {int(inf[:, j].sum())} infinite "
            f"value(s), at row(s) {_first_bad_rows(inf[:, j], index)}; expected "
            "finite numbers. Replace them, e.g. X.replace([np.inf, -np.inf], np.nan), "
            "then interpolate."
        )
    if not (allow_nan or finite) and _anywhere(values, np.isnan):
        nan = np.isnan(values)
        j = int(np.flatnonzero(nan.any(axis=0))[0])
        raise ValueError(
            f"{prefix}: {name} {labels[j]} contains {int(nan[:, j].sum())} NaN "
            f"value(s), at row(s) {_first_bad_rows(nan[:, j], index)}; this step "
            "needs complete data. Put an Interpolator before it in the pipeline."
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
    prefix = who(estimator, method)
    index = X.index if isinstance(X, pd.DataFrame) else None
    converted = _to_float(X, prefix)
    shape = getattr(converted, "shape", ())
    if len(shape) == 2 and shape[1] == 0:
        raise ValueError(
            f"{prefix}: X has 0 feature(s) (shape={tuple(shape)}) while a minimum "
            "of 1 is required. Pass at least one feature column."
        )
    if y is not None:
        # Before validate_data, whose own check of y names no row.
        _check_target(y, index, prefix)
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
        if type(exc) in (ValueError, TypeError) and not str(exc).startswith(prefix):
            raise type(exc)(f"{prefix}: {exc}") from None
        raise
    _check_values(values, column_labels(X, values.shape[1]), index, prefix, allow_nan)
    if y is None:
        return values, index
    return values, index, np.asarray(y, dtype=np.float64)


def _check_target(y, index, prefix) -> None:
    """Name the output and rows of missing or infinite values of y."""
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
    _check_values(y2, labels, index, prefix, allow_nan=False, name="y")
