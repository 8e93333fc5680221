"""sklstm's own estimator checks, run over the same registry as sklearn's.

sklearn's ``parametrize_with_checks`` tests the API contract. These check the
promises every sklstm transformer makes about time-ordered rows: n rows in,
n rows out, the index kept, feature names that match the output, history that
continues, and error messages that name the estimator and the culprit column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone, is_regressor

__all__ = ["check_sklstm_estimator", "make_check_data", "sklstm_checks"]


def make_check_data(n_rows: int = 80, n_features: int = 3, seed: int = 0):
    """A daily, seasonal, positive frame and a target aligned with it."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-01", periods=n_rows, freq="D")
    t = np.arange(n_rows)
    cols = {
        f"x{j}": 10 + np.sin(2 * np.pi * t / 7 + j) + 0.1 * rng.standard_normal(n_rows)
        for j in range(n_features)
    }
    X = pd.DataFrame(cols, index=index)
    y = pd.Series(X.sum(axis=1).shift(-1).ffill().to_numpy(), index=index, name="y")
    return X, y


def _output(est, X):
    return est.transform(X) if hasattr(est, "transform") else est.predict(X)


def _fitted(est, X, y):
    return est.fit(X, y)


def check_docstring_has_runnable_example(est):
    doc = type(est).__doc__ or ""
    assert "Examples\n" in doc and ">>>" in doc, (
        f"{type(est).__name__}: the class docstring needs an Examples section with "
        "a doctest."
    )


def check_rows_index_and_names(est):
    X, y = make_check_data()
    est = _fitted(clone(est), X, y)
    if hasattr(est, "set_output") and hasattr(est, "transform"):
        est.set_output(transform="pandas")
        out = est.transform(X)
        assert isinstance(out, pd.DataFrame)
        assert out.index.equals(X.index), "the index must be kept"
        names = est.get_feature_names_out()
        assert list(out.columns) == list(names)
        assert out.shape[1] == len(names)
    else:
        out = np.asarray(est.predict(X))
        assert out.shape[0] == len(X), "one prediction per row"
        assert np.isfinite(out).all(), "no NaN prediction for finite input"


def check_pandas_in_pandas_out(est):
    """A DataFrame in gives a DataFrame out, indexed like it; numpy gives numpy."""
    X, y = make_check_data()
    est = _fitted(clone(est), X, y)
    out = est.transform(X)
    assert isinstance(out, pd.DataFrame), type(out)
    assert out.index.equals(X.index), "the index must be kept"
    assert list(out.columns) == list(est.get_feature_names_out())
    if _accepts_numpy(est):
        arr = _fitted(clone(est), X.to_numpy(), y).transform(X.to_numpy())
        assert isinstance(arr, np.ndarray), type(arr)


def _accepts_numpy(est) -> bool:
    try:
        clone(est).fit(np.ones((10, 3)))
    except ValueError:
        return False  # e.g. SeasonalSine needs time: it says so at fit
    return True


def check_history_continues(est):
    """Transforming the rows that follow the fit rows equals transforming all.

    Fit on the first rows; then the continuation alone must give the same
    output as the tail of the output of the whole series, because the
    estimator takes the missing history from what it remembered at fit.
    """
    X, y = make_check_data()
    n_fit = 50
    est = _fitted(clone(est), X.iloc[:n_fit], y.iloc[:n_fit])
    whole = np.asarray(_output(est, X))
    continued = np.asarray(_output(est, X.iloc[n_fit:]))
    np.testing.assert_allclose(continued, whole[n_fit:], rtol=1e-5, atol=1e-6)


def check_error_names_estimator_and_column(est):
    X, y = make_check_data()
    name = type(est).__name__
    bad = X.copy()
    bad.iloc[5, 1] = np.inf
    try:
        _fitted(clone(est), bad, y)
    except ValueError as exc:
        assert name in str(exc) and "'x1'" in str(exc), str(exc)
    else:
        raise AssertionError(f"{name}.fit accepted an infinite value")
    text = X.astype(object)
    text["x2"] = "a"
    try:
        _fitted(clone(est), text, y)
    except TypeError as exc:
        assert name in str(exc) and "'x2'" in str(exc), str(exc)
    else:
        raise AssertionError(f"{name}.fit accepted a text column")


def check_wrong_feature_count_is_clear(est):
    X, y = make_check_data()
    est = _fitted(clone(est), X, y)
    try:
        _output(est, X.iloc[:, :2])
    except ValueError as exc:
        assert "feature" in str(exc) and type(est).__name__ in str(exc), str(exc)
    else:
        raise AssertionError("a wrong number of features was accepted")


def check_regressor_output_shape_follows_y(est):
    X, y = make_check_data()
    Y = np.column_stack([y, y + 1.0])
    fitted = _fitted(clone(est), X, Y)
    assert np.asarray(fitted.predict(X)).shape == (len(X), 2)
    fitted = _fitted(clone(est), X, y)
    assert np.asarray(fitted.predict(X)).shape == (len(X),)


def sklstm_checks(est):
    """The checks that apply to ``est``."""
    checks = [
        check_docstring_has_runnable_example,
        check_rows_index_and_names,
        check_history_continues,
        check_error_names_estimator_and_column,
        check_wrong_feature_count_is_clear,
    ]
    if is_regressor(est):
        checks.append(check_regressor_output_shape_follows_y)
    if hasattr(est, "transform"):
        checks.append(check_pandas_in_pandas_out)
    return checks


def check_sklstm_estimator(est, check) -> None:
    """Run one check on a fresh clone of ``est``."""
    check(clone(est))
