"""Random input for every public transformer: it transforms, or says clearly why not.

Hypothesis draws tables of 0-30 rows and 0-4 columns, as numpy arrays or
DataFrames (range, daily or hourly index), with columns of float32, float64,
int, bool, numbers stored as objects, or strings, holding ordinary numbers,
NaN, infinities, huge and tiny values. Every transformer in the registry
gets them, in ``fit_transform`` and in ``fit`` on the first rows followed by
``transform`` of the rest (the path where history continues). Each call
either

- transforms: one output row per input row, the index kept for a DataFrame
  output, and no NaN in the output when the input had none (unless the
  transformer's parameters ask for NaN, e.g. ``fill_value=np.nan``); a
  one-to-one transformer (one output column per input column) also keeps
  every observed value observed, or
- raises exactly ``ValueError`` or ``TypeError`` from sklstm or scikit-learn
  code, with a message naming the transformer.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.base import OneToOneFeatureMixin, clone
from sklearn.utils._param_validation import InvalidParameterError

import sklstm
from sklstm.utils.discovery import test_instances

TRANSFORMERS = test_instances("transformer")
_OWN_CODE = (Path(sklstm.__file__).parent, Path(sklearn.__file__).parent)

FUZZ = settings(
    max_examples=int(os.environ.get("SKLSTM_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=os.environ.get("SKLSTM_FUZZ_RANDOM") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SPECIAL = [np.nan, np.inf, -np.inf, 1e300, -1e300, 3.4e38, 5e-324, -1e-300, 0.0, -0.0]
DTYPES = ["float64", "float32", "int", "bool", "object-numbers", "strings"]

ordinary = st.floats(-1e3, 1e3, allow_nan=False)
# a column is clean or dirty (special values among ordinary ones), half and half
numbers = {False: ordinary, True: st.one_of(ordinary, st.sampled_from(SPECIAL))}


def _column(draw, n: int, dtype: str):
    if dtype == "int":
        return np.array(draw(st.lists(st.integers(-(2**40), 2**40), min_size=n,
                                      max_size=n)), dtype=np.int64)
    if dtype == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if dtype == "strings":
        words = st.one_of(st.text(max_size=3), st.sampled_from(["1.5", "nan", "-2"]))
        return np.array(draw(st.lists(words, min_size=n, max_size=n)), dtype=object)
    values = draw(st.lists(numbers[draw(st.booleans())], min_size=n, max_size=n))
    if dtype == "object-numbers":
        return np.array(values, dtype=object)
    with np.errstate(over="ignore"):
        return np.array(values, dtype=np.float64).astype(dtype)


@st.composite
def tables(draw):
    n = draw(st.integers(0, 30))
    m = draw(st.integers(0, 4))
    as_frame = draw(st.booleans())
    if not as_frame:
        dtype = draw(st.sampled_from(DTYPES))
        columns = [_column(draw, n, dtype) for _ in range(m)]
        kind = object if dtype in ("object-numbers", "strings") else None
        X = np.column_stack(columns) if m else np.empty((n, 0), dtype=kind or float)
        return X.astype(columns[0].dtype) if m else X
    index = draw(st.sampled_from(["range", "daily", "hourly"]))
    index = {
        "range": pd.RangeIndex(n),
        "daily": pd.date_range("2022-01-01", periods=n, freq="D"),
        "hourly": pd.date_range("2022-01-01", periods=n, freq="h"),
    }[index]
    return pd.DataFrame(
        {f"c{j}": _column(draw, n, draw(st.sampled_from(DTYPES))) for j in range(m)},
        index=index,
    )


def _as_float(X):
    """X as float64, or None when it has non-numeric values."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _asks_for_nan(est) -> bool:
    """Whether ``est``'s parameters document NaN in the output."""
    params = est.get_params()
    fill = params.get("fill_value")
    return (
        (isinstance(fill, float) and np.isnan(fill))
        or params.get("replace") == "nan"
        or params.get("edges") == "keep"
    )


def _check_clear_error(exc: BaseException, name: str) -> None:
    what = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
    assert type(exc) in (ValueError, TypeError, InvalidParameterError), what
    frames = traceback.extract_tb(exc.__traceback__)
    origin = Path(frames[-1].filename).resolve()
    assert any(origin.is_relative_to(p) for p in _OWN_CODE), (
        f"raised from inside {origin}: {what}"
    )
    assert name in str(exc), f"the message does not name {name}: {what}"


def _check_output(est, X, out) -> None:
    name = type(est).__name__
    n_in, n_out = X.shape[0], out.shape[0]
    assert n_out == n_in, f"{name}: {n_in} rows in, {n_out} out"
    if isinstance(out, pd.DataFrame) and isinstance(X, pd.DataFrame):
        assert out.index.equals(X.index), f"{name}: the index was not kept"
    x, y = _as_float(X), _as_float(out)
    assert y is not None, f"{name}: non-numeric output"
    if x is None or _asks_for_nan(est):
        return
    if not np.isnan(x).any():
        assert not np.isnan(y).any(), f"{name}: NaN out of input without NaN"
    if isinstance(est, OneToOneFeatureMixin) and x.shape == y.shape:
        observed = ~np.isnan(x)
        assert not np.isnan(y[observed]).any(), f"{name}: an observed value became NaN"


def _call(est, X):
    """Both paths: fit_transform, and fit on the first rows then transform the rest."""
    name = type(est).__name__
    results = []
    k = X.shape[0] // 2
    head, rest = (X.iloc[:k], X.iloc[k:]) if isinstance(X, pd.DataFrame) else (
        X[:k], X[k:]
    )
    for run, data in (
        (lambda: clone(est).fit_transform(X), X),
        (lambda: clone(est).fit(head).transform(rest), rest),
    ):
        try:
            out = run()
        except Exception as exc:  # the type is what is checked
            _check_clear_error(exc, name)
            results.append("error")
            continue
        _check_output(est, data, out)
        results.append("ok")
    return results


@pytest.mark.parametrize("est", TRANSFORMERS, ids=lambda e: repr(e)[:70])
@FUZZ
@given(X=tables())
def test_random_tables_transform_or_fail_clearly(est, X):
    whole, continued = _call(est, X)
    event(f"fit_transform: {whole}")
    event(f"fit, then transform the rest: {continued}")


@pytest.mark.parametrize("est", TRANSFORMERS, ids=lambda e: repr(e)[:70])
def test_clean_numeric_tables_of_every_dtype_transform(est):
    """The fuzzing is not vacuous: plain numbers of each numeric dtype pass."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2022-01-01", periods=30, freq="D")
    base = 10 + rng.standard_normal((30, 3))
    for dtype in ("float64", "float32", "int64", "bool"):
        X = pd.DataFrame(base.astype(dtype), columns=["a", "b", "c"], index=index)
        assert _call(est, X) == ["ok", "ok"], dtype
        assert _call(est, X.to_numpy()) in (["ok", "ok"], ["error", "error"]), dtype
