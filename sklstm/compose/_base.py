"""Input checks for meta-estimators that hand X on to an inner regressor."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.utils import get_tags

from sklstm._compat import validate_data
from sklstm.utils._validation import check_numeric_input, who

__all__ = ["MetaInput", "check_meta_input", "inner_may_take"]


class MetaInput:
    """What :func:`check_meta_input` found.

    Attributes
    ----------
    values : ndarray or None
        X as float64; None when X has non-numeric columns left to the inner
        regressor.
    index : pandas.Index or None
    y : ndarray or None
    deferred : TypeError or None
        The error about non-numeric columns, raised if the inner regressor
        cannot take them either (see :func:`inner_may_take`).
    """

    def __init__(self, values, index, y, deferred):
        self.values = values
        self.index = index
        self.y = y
        self.deferred = deferred


def _has_text_columns(X) -> bool:
    return isinstance(X, pd.DataFrame) and not all(
        pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d)
        for d in X.dtypes
    )


def _float_y(est, y, method: str) -> np.ndarray:
    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{who(est, method)}: y could not be converted to float ({exc}); "
            "expected numbers."
        ) from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"{who(est, method)}: y contains {int(bad.sum())} NaN or infinite "
            "value(s); expected finite numbers. Fill or drop them first."
        )
    return values


def check_meta_input(est, X, *, reset: bool, method: str, y=None) -> MetaInput:
    """Check X (and y) for ``est``, whose inner regressor gets X unchanged.

    Numeric X is checked here, with messages that name ``est`` and the
    column; NaN is allowed where the inner regressor allows it. A DataFrame
    with non-numeric columns may still suit the inner regressor (a pipeline
    that encodes them): then only the feature names and count are recorded
    and the numeric-column error is kept in ``deferred``.
    """
    tags = get_tags(est.regressor)
    kw = {} if y is None else {"multi_output": tags.target_tags.multi_output}
    try:
        out = check_numeric_input(
            est, X, reset=reset, method=method,
            allow_nan=tags.input_tags.allow_nan, y=y, **kw,
        )
    except TypeError as exc:
        if not _has_text_columns(X):
            raise
        validate_data(est, X, reset=reset, skip_check_array=True)
        y_values = None if y is None else _float_y(est, y, method)
        return MetaInput(None, X.index, y_values, exc)
    if y is None:
        return MetaInput(out[0], out[1], None, None)
    return MetaInput(*out, None)


@contextmanager
def inner_may_take(checked: MetaInput):
    """Run the inner regressor on X; if X had text columns it cannot take, say so.

    The error then is the one naming the non-numeric columns, chained to the
    inner regressor's own.
    """
    if checked.deferred is None:
        yield
        return
    try:
        yield
    except (TypeError, ValueError) as exc:
        raise checked.deferred from exc
