"""Pandas in, pandas out: the output container of sklstm transformers.

scikit-learn's own transformers return numpy unless ``set_output`` asks for
a DataFrame. sklstm transformers also return a DataFrame, with the input's
index and ``get_feature_names_out()`` as columns, when they are given one and
no output container was configured. The index is what carries time through a
pipeline (seasonal phase, history that continues), so it should not be lost
by default. ``set_output(transform="default")`` leaves this behaviour on;
``set_output(transform="pandas")`` / ``"polars"`` are honoured as in scikit-learn.
"""

from __future__ import annotations

import pandas as pd

from sklstm._compat import _get_output_config

__all__ = ["like_input"]


def like_input(estimator, out, X, method: str = "transform"):
    """``out`` as a DataFrame indexed like ``X`` when X is one and no container is set.

    >>> import numpy as np
    >>> from sklstm import LagFeatures
    >>> X = pd.DataFrame({"a": [1.0, 2.0]}, index=[10, 11])
    >>> lf = LagFeatures().fit(X)
    >>> like_input(lf, np.array([[1.0, 1.0], [2.0, 1.0]]), X)
        a  a_lag1
    10  1.0     1.0
    11  2.0     1.0
    """
    if not isinstance(X, pd.DataFrame):
        return out
    if _get_output_config(method, estimator)["dense"] != "default":
        return out  # scikit-learn wraps it in the configured container
    return pd.DataFrame(
        out, index=X.index, columns=estimator.get_feature_names_out(), copy=False
    )
