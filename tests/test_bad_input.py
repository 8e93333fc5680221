"""A catalogue of bad input, run over every public estimator and helper.

One table drives one test. Each row is an estimator (every instance in the
registry, so a new estimator joins without editing this file) or a public
helper, and one bad input: missing or infinite values, text and other
non-numeric columns, no rows, no columns, one row, a wrong number of features,
a time index that is unsorted, duplicated or irregular where time matters,
negative targets for a log fit, a horizon or lookback longer than the series,
and every invalid parameter value.

What a row expects is the project's rule for errors: the exception is exactly
``ValueError``, ``TypeError`` or scikit-learn's ``InvalidParameterError`` (a
``ValueError`` naming the parameter), it is raised by sklstm or scikit-learn
code and not from inside numpy, pandas, torch or skorch, and its message names
who complains and the culprit (the column, row, parameter or feature count).
A few rows (one row of data, numbers stored as objects, no rows at
transform time) may also succeed; then the output must keep one row per input
row.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone, is_regressor
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

import sklstm
from sklstm.utils.discovery import all_estimators, test_instances
from sklstm.utils.estimator_checks import make_check_data

CLEAR_TYPES = (ValueError, TypeError, InvalidParameterError)
_OWN_CODE = (Path(sklstm.__file__).parent, Path(sklearn.__file__).parent)

# The data every row starts from: 80 daily rows, columns x0, x1, x2.
X0, Y0 = make_check_data(n_rows=80, n_features=3)
Y2 = pd.DataFrame({"h1": Y0, "h2": Y0 + 1.0})  # two outputs
BAD_ROW = 5  # the row a bad value is put in
BAD_LABEL = re.escape(str(X0.index[BAD_ROW].date()))  # "2021-01-06"


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------


def _raised(call: Callable[[], object]):
    try:
        result = call()
    except Exception as exc:  # the type is what the test inspects
        return exc, None
    return None, result


def _origin(exc: BaseException) -> str:
    """File of the frame that raised ``exc``."""
    frames = traceback.extract_tb(exc.__traceback__)
    return frames[-1].filename if frames else "<unknown>"


def assert_clear_error(exc: BaseException, owner: str, culprits) -> None:
    """The project's rule for bad input, applied to one raised exception."""
    what = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
    assert type(exc) in CLEAR_TYPES, f"not a plain ValueError/TypeError: {what}"
    origin = Path(_origin(exc)).resolve()
    assert any(origin.is_relative_to(p) for p in _OWN_CODE), (
        f"raised from inside {origin}, not by sklstm or scikit-learn: {what}"
    )
    message = str(exc)
    assert owner in message, f"the message does not name {owner}: {what}"
    for pattern in culprits:
        assert re.search(pattern, message, flags=re.IGNORECASE), (
            f"the message does not name the culprit /{pattern}/: {what}"
        )


def _n_rows(out) -> int:
    return len(out) if not hasattr(out, "shape") else out.shape[0]


# --------------------------------------------------------------------------
# Calling an estimator
# --------------------------------------------------------------------------


def _name(est) -> str:
    return type(est).__name__


def _out_method(est) -> str:
    return "transform" if hasattr(est, "transform") else "predict"


def _fit(est, X, y=None):
    return est.fit(X, Y0.iloc[: len(X)] if y is None else y)


_FITTED: dict = {}


def _fitted(est, as_numpy: bool):
    """``est`` fitted on the clean data, fitted once per parameter set."""
    key = (repr(est), as_numpy)
    if key not in _FITTED:
        data = (X0.to_numpy(), Y0.to_numpy()) if as_numpy else (X0, Y0)
        _FITTED[key] = est.fit(*data)
    return _FITTED[key]


def _fit_then(est, X):
    """Fit on the clean data, then transform/predict ``X``."""
    return getattr(_fitted(est, False), _out_method(est))(X)


def _fit_numpy_then(est, X):
    """Fit on the clean data as numpy, then transform/predict ``X`` as numpy."""
    return getattr(_fitted(est, True), _out_method(est))(X.to_numpy())


def one_thread(est):
    """Give torch one thread: tests share few cores with other processes, and
    torch threads spin-waiting on busy cores make a tiny fit 40 times slower."""
    threads = {k: 1 for k in est.get_params(deep=True) if k.endswith("n_threads")}
    return est.set_params(**threads)


def _allows_nan(est) -> bool:
    return get_tags(est).input_tags.allow_nan


def _with(value, row=BAD_ROW, col="x1", frame=X0):
    bad = frame.copy()
    bad.loc[bad.index[row], col] = value
    return bad


def _text_column():
    bad = X0.astype({"x2": object})
    bad["x2"] = "a"
    return bad


def _datetime_column():
    bad = X0.copy()
    bad["x2"] = X0.index
    return bad


def _category_column():
    bad = X0.copy()
    bad["x2"] = pd.Categorical(np.where(np.arange(len(X0)) % 2, "lo", "hi"))
    return bad


def _numpy_text():
    bad = X0.to_numpy().astype(object)
    bad[BAD_ROW, 1] = "a"
    return bad


def _unsorted():
    return X0.iloc[np.r_[1, 0, 2 : len(X0)]]


def _duplicated():
    return X0.set_axis(X0.index[np.r_[0, 0, 1 : len(X0) - 1]])


def _irregular():
    keep = np.ones(len(X0), dtype=bool)
    keep[[10, 11, 30]] = False
    return X0[keep]


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input.

    ``call(est)`` feeds it to (a fresh clone of) ``est``; ``culprits`` are
    regular expressions the message must match (besides the owner's name).
    ``may_succeed`` marks inputs that a method may accept; its output must then
    have ``rows_out`` rows and pass ``expect(output)``.
    """

    name: str
    call: Callable
    culprits: tuple = ()
    applies: Callable = field(default=lambda est: True)
    may_succeed: bool | Callable = False
    rows_out: int | None = None
    expect: Callable | None = None


_regressor = is_regressor
# Estimators documented to accept 3-D input (ready windows, n x lookback x features).
TAKES_WINDOWS = {"LSTMRegressor"}
_no_nan = lambda est: not _allows_nan(est)  # noqa: E731

GENERIC = [
    Case("nan-in-X-at-fit", lambda e: _fit(e, _with(np.nan)),
         ("'x1'", "NaN", BAD_LABEL), applies=_no_nan),
    Case("nan-in-X-after-fit", lambda e: _fit_then(e, _with(np.nan)),
         ("'x1'", "NaN", BAD_LABEL), applies=_no_nan),
    Case("inf-in-X-at-fit", lambda e: _fit(e, _with(np.inf)),
         ("'x1'", "infinite", BAD_LABEL)),
    Case("-inf-in-X-after-fit", lambda e: _fit_then(e, _with(-np.inf)),
         ("'x1'", "infinite", BAD_LABEL)),
    Case("nan-in-y", lambda e: _fit(e, X0, _with(np.nan, col="y",
                                                  frame=Y0.to_frame())["y"]),
         (r"\by\b", "NaN", BAD_LABEL), applies=_regressor),
    Case("inf-in-y", lambda e: _fit(e, X0, _with(np.inf, col="y",
                                                  frame=Y0.to_frame())["y"]),
         (r"\by\b", "infinite", BAD_LABEL), applies=_regressor),
    Case("pd.NA-in-nullable-column", lambda e: _fit(e, _with(pd.NA, frame=X0.astype(
        "Float64"))), ("'x1'", BAD_LABEL), may_succeed=_allows_nan),
    Case("nan-in-2-D-y", lambda e: _fit(e, X0, _with(np.nan, col="h2", frame=Y2)),
         ("'h2'", "NaN", BAD_LABEL), applies=_regressor),
    Case("text-column-at-fit", lambda e: _fit(e, _text_column()), ("'x2'",)),
    Case("text-column-after-fit", lambda e: _fit_then(e, _text_column()), ("'x2'",)),
    Case("datetime-column", lambda e: _fit(e, _datetime_column()), ("'x2'",)),
    Case("category-column", lambda e: _fit(e, _category_column()), ("'x2'",)),
    Case("numpy-object-with-text", lambda e: _fit(e, _numpy_text()),
         ("object", "'a'")),
    Case("numbers-as-object", lambda e: _fit(e, X0.astype(object)), ("'x0'",),
         may_succeed=True),
    Case("no-rows-at-fit", lambda e: _fit(e, X0.iloc[:0]), (r"\b0 (sample|row)",)),
    Case("no-rows-after-fit", lambda e: _fit_then(e, X0.iloc[:0]),
         (r"\b0 (sample|row)",), may_succeed=True, rows_out=0),
    Case("no-columns", lambda e: _fit(e, X0.iloc[:, :0]), (r"\b0 (feature|column)",)),
    Case("one-row-at-fit", lambda e: getattr(_fit(e, X0.iloc[:1]), _out_method(e))(
        X0.iloc[:1]), (r"\b1 (sample|row)|row",), may_succeed=True, rows_out=1),
    Case("one-row-after-fit", lambda e: _fit_then(e, X0.iloc[40:41]),
         (r"row",), may_succeed=True, rows_out=1),
    Case("1-D-X", lambda e: _fit(e, X0["x0"].to_numpy()), ("2D", "reshape")),
    Case("3-D-X", lambda e: _fit(e, np.zeros((10, 2, 2))),
         ("dim 3|3-D|3D|lookback",), may_succeed=lambda e: _name(e) in TAKES_WINDOWS),
    Case("fewer-features-after-fit", lambda e: _fit_then(e, X0.iloc[:, :2]),
         ("x2",)),
    Case("more-features-after-fit",
         lambda e: _fit_then(e, X0.assign(x3=X0["x0"])), ("x3",)),
    Case("fewer-features-numpy", lambda e: _fit_numpy_then(e, X0.iloc[:, :2]),
         ("2 features", "3 features")),
    Case("more-features-numpy",
         lambda e: _fit_numpy_then(e, X0.assign(x3=X0["x0"])),
         ("4 features", "3 features")),
    Case("renamed-column-after-fit",
         lambda e: _fit_then(e, X0.rename(columns={"x1": "z1"})), ("z1|x1",)),
    Case("y-shorter-than-X", lambda e: _fit(e, X0, Y0.iloc[:-3]),
         ("77", "80"), applies=_regressor),
]


class _Bad:
    """A value no parameter constraint accepts."""

    def __repr__(self):
        return "<not a valid value>"


def _set_and_fit(cls, params, **bad):
    def call(_):
        return _fit(cls(**{**params, **bad}), X0)

    return call


def _invalid_param_cases(cls) -> list[tuple[type, Case]]:
    params = cls._test_params()[0]
    rows = []
    for pname, constraints in getattr(cls, "_parameter_constraints", {}).items():
        if constraints == "no_validation" or object in constraints:
            continue
        bad = _set_and_fit(cls, params, **{pname: _Bad()})
        rows.append(Case(f"invalid-{pname}", bad,
                         (f"'{pname}'", "not a valid value")))
    return rows


# Rows for one estimator with its own failure modes; a class joins the table
# when it is public. Each entry: class name -> function(cls) -> list of Case.
SPECIFIC: dict[str, Callable] = {}


def specific(name):
    def register(fn):
        SPECIFIC[name] = fn
        return fn

    return register


@specific("ConstrainedRegressor")
def _constrained_cases(cls):
    from sklearn.linear_model import Ridge

    negative = Y0 - Y0.mean()
    increasing = cls(Ridge(), order="increasing-over-rows")
    return [
        Case("log-with-negative-y",
             lambda _: cls(Ridge(), non_negative="log").fit(X0, negative),
             ("non_negative='log'", "lower_bound", r"\by\b")),
        Case("log-with-y-below-lower_bound",
             lambda _: cls(Ridge(), non_negative="log", lower_bound=100.0).fit(X0, Y0),
             ("lower_bound",)),
        Case("row-order-with-unsorted-index",
             lambda _: clone(increasing).fit(X0, Y0).predict(_unsorted()),
             ("order=", "index", "sort")),
        Case("y-is-None", lambda _: cls(Ridge()).fit(X0, None), (r"\by\b",)),
        Case("lower-bound-nan",
             lambda _: cls(Ridge(), lower_bound=np.nan).fit(X0, Y0),
             ("lower_bound", "nan")),
        Case("lower-bound-infinite",
             lambda _: cls(Ridge(), lower_bound=-np.inf).fit(X0, Y0),
             ("lower_bound", "inf")),
    ]


@specific("LevelDifferenceRegressor")
def _level_cases(cls):
    from sklearn.linear_model import Ridge

    zero = _with(0.0, col="x0")
    return [
        Case("level-column-missing",
             lambda _: cls(Ridge(), level="price").fit(X0, Y0), ("'price'", "level")),
        Case("level-position-out-of-range",
             lambda _: cls(Ridge(), level=7).fit(X0, Y0), ("level=7", "3 column")),
        Case("relative-with-zero-level",
             lambda _: cls(Ridge(), relative=True).fit(zero, Y0),
             ("'x0'", "zero", BAD_LABEL)),
        Case("nan-in-level-at-predict",
             lambda _: cls(Ridge()).fit(X0, Y0).predict(_with(np.nan, col="x0")),
             ("'x0'", BAD_LABEL)),
    ]


@specific("LagFeatures")
def _lag_cases(cls):
    return [
        Case("lags-with-duplicates", lambda _: cls(lags=[1, 1]).fit(X0), ("duplicates",
             r"\[1, 1\]")),
        Case("lags-zero-in-list", lambda _: cls(lags=[0, 1]).fit(X0), ("lags",)),
        Case("column-not-in-X", lambda _: cls(columns=["price"]).fit(X0), ("'price'",)),
        Case("column-position-out-of-range", lambda _: cls(columns=[5]).fit(X0),
             ("column 5", "0..2")),
        Case("lag-longer-than-the-series",
             lambda _: cls(lags=[50]).fit_transform(X0.iloc[:10]), ("lags",),
             may_succeed=True, rows_out=10),
        Case("lags-true", lambda _: cls(lags=True).fit(X0), ("'lags'", "True")),
        Case("lags-a-billion", lambda _: cls(lags=10**9).fit(X0),
             ("lags=1000000000", "80 sample")),
        Case("lags-more-than-the-rows", lambda _: cls(lags=81).fit(X0),
             ("lags=81", "80 sample", "lags <= 79")),
        Case("columns-true", lambda _: cls(columns=[True]).fit(X0),
             ("column True", "not positions")),
        Case("columns-twice-by-position", lambda _: cls(columns=[0, -3]).fit(X0),
             ("twice", "position 0")),
    ]


@specific("RollingFeatures")
def _rolling_cases(cls):
    return [
        Case("window-zero", lambda _: cls(windows=0).fit(X0),
             ("'windows'", "range", "Got 0")),
        Case("window-true", lambda _: cls(windows=True).fit(X0),
             ("'windows'", "Got True")),
        Case("window-zero-in-list", lambda _: cls(windows=[7, 0]).fit(X0),
             ("windows must be a positive int", r"\[7, 0\]")),
        Case("window-true-in-list", lambda _: cls(windows=[True]).fit(X0),
             ("windows", r"\[True\]")),
        Case("unknown-stat", lambda _: cls(stats=["mean", "mode"]).fit(X0),
             ("unknown stats entry 'mode'", "'median'")),
        Case("unknown-stat-alone", lambda _: cls(stats="mode").fit(X0),
             ("'stats'", "'mode'")),
        Case("unknown-indicator", lambda _: cls(indicators=["stoch"]).fit(X0),
             ("unknown indicators entry 'stoch'", "'rsi'")),
        Case("quantile-one", lambda _: cls(quantile=1.0).fit(X0),
             ("'quantile'", r"\(0.0, 1.0\)", "Got 1.0")),
        Case("quantile-negative", lambda _: cls(quantile=-0.1).fit(X0),
             ("'quantile'", "Got -0.1")),
        Case("column-not-in-X", lambda _: cls(columns=["price"]).fit(X0),
             ("column 'price' is not in X", "'x0'")),
        Case("macd-two-spans", lambda _: cls(indicators=["macd"],
                                             macd_spans=(12, 26)).fit(X0),
             ("macd_spans", r"\(12, 26\)")),
        Case("bollinger-window-one", lambda _: cls(indicators=["bollinger"],
                                                   bollinger=(1, 2.0)).fit(X0),
             ("bollinger", r"window >= 2", r"\(1, 2.0\)")),
        Case("ewm-span-below-one", lambda _: cls(ewm_spans=[12, 0.5]).fit(X0),
             ("ewm_spans", ">= 1", r"\[12, 0.5\]")),
        Case("nothing-to-compute", lambda _: cls(stats=[]).fit(X0),
             ("nothing to compute",)),
        Case("window-longer-than-the-series",
             lambda _: cls(windows=99).fit_transform(X0.iloc[:10]), ("window",),
             may_succeed=True, rows_out=10),
    ]


@specific("SeasonalSine")
def _seasonal_cases(cls):
    def same_terms_as_sorted(out):
        # each row keeps the phase of its own time, whatever the row order
        order = np.argsort(_unsorted().index.to_numpy(), kind="stable")
        expected = cls(periods="7D").fit_transform(X0)
        np.testing.assert_allclose(np.asarray(out)[order], expected, atol=1e-12)

    return [
        Case("steps-period-on-unsorted-index",
             lambda _: cls(periods=7).fit(_unsorted()), ("frequency",)),
        Case("period-digits-without-unit", lambda _: cls(periods="12").fit(X0),
             ("'12'", "unit", "'12h'")),
        Case("period-digits-in-a-list", lambda _: cls(periods=[7, "365"]).fit(X0),
             ("'365'", "unit")),
        Case("harmonics-true", lambda _: cls(periods=7, harmonics=True).fit(X0),
             ("harmonics",)),
        Case("steps-period-on-duplicated-index",
             lambda _: cls(periods=7).fit(_duplicated()), ("frequency",)),
        Case("steps-period-on-irregular-index",
             lambda _: cls(periods=7).fit(_irregular()), ("frequency",)),
        Case("span-period-on-unsorted-index",
             lambda _: cls(periods="7D").fit_transform(_unsorted()), ("index",),
             may_succeed=True, rows_out=len(X0), expect=same_terms_as_sorted),
        Case("span-period-on-duplicated-index",
             lambda _: cls(periods="7D").fit_transform(_duplicated()), ("index",),
             may_succeed=True, rows_out=len(X0)),
        Case("numpy-without-time", lambda _: cls(periods=7).fit(X0.to_numpy()),
             ("numpy", "time")),
        Case("text-index", lambda _: cls(periods=7).fit(X0.set_axis(
            [f"r{i}" for i in range(len(X0))])), ("index",)),
        Case("nat-in-index", lambda _: cls(periods="7D").fit(X0.set_axis(
            X0.index.where(np.arange(len(X0)) != BAD_ROW))), ("NaT",)),
        Case("span-period-on-integer-index",
             lambda _: cls(periods="7D").fit(X0.reset_index(drop=True)), ("'7D'",)),
        Case("too-many-harmonics", lambda _: cls(periods=7, harmonics=5).fit(X0),
             ("harmonic",)),
        Case("harmonics-per-period-mismatch",
             lambda _: cls(periods=[7, 3.5], harmonics=[1, 1, 1]).fit(X0),
             ("harmonics",)),
        Case("negative-period-in-list", lambda _: cls(periods=[7, -2]).fit(X0),
             ("-2",)),
        Case("duplicated-periods", lambda _: cls(periods=[7, 7]).fit(X0),
             ("duplicates",)),
        Case("unparsable-span", lambda _: cls(periods="weekly").fit(X0),
             ("'weekly'",)),
        Case("time-column-missing", lambda _: cls(time_column="when").fit(X0),
             ("'when'",)),
        Case("time-column-of-text",
             lambda _: cls(time_column="x2").fit(_text_column()), ("'x2'",)),
        Case("position-and-time-column",
             lambda _: cls(time="position", time_column="x0").fit(X0),
             ("time_column",)),
        Case("other-kind-of-time-after-fit",
             lambda _: cls(periods=7).fit(X0).transform(X0.reset_index(drop=True)),
             ("datetime",)),
    ]


@specific("Differencer")
def _differencer_cases(cls):
    def fitted(**kw):
        return cls(**kw).fit(X0)

    return [
        Case("column-not-in-X", lambda _: cls(columns=["price"]).fit(X0), ("'price'",)),
        Case("column-twice", lambda _: cls(columns=["x0", 0]).fit(X0), ("twice",)),
        Case("order-a-billion", lambda _: cls(order=10**9).fit(X0),
             ("'order'", "1000000000")),
        Case("seasonal-lag-huge", lambda _: cls(seasonal_lag=10**12).fit(X0),
             ("'seasonal_lag'",)),
        Case("order-true", lambda _: cls(order=True).fit(X0), ("'order'", "True")),
        Case("inverse-wrong-width",
             lambda _: fitted().inverse_transform(X0.iloc[:, :2]), ("3 features",)),
        Case("inverse-text-column",
             lambda _: fitted().inverse_transform(_text_column()), ("'x2'",)),
        Case("inverse-inf",
             lambda _: fitted().inverse_transform(_with(np.inf)), ("'x1'", BAD_LABEL)),
        Case("inverse-no-rows",
             lambda _: fitted().inverse_transform(X0.iloc[:0]), ("0 rows",)),
        Case("anchors-wrong-shape",
             lambda _: fitted(order=2).inverse_transform(X0, anchors=np.zeros((1, 3))),
             ("anchors", r"\(2, 3\)")),
        Case("seasonal-lag-longer-than-the-fit-rows",
             lambda _: cls(seasonal_lag=12).fit(X0.iloc[:5]).inverse_transform(
                 X0.iloc[20:40].to_numpy()), ("13", "5 row")),
    ]


@specific("Interpolator")
def _interpolator_cases(cls):
    gaps = _with(np.nan, row=[3, 4, BAD_ROW, 20])
    all_nan = X0.assign(x1=np.nan)
    return [
        Case("time-on-unsorted-index",
             lambda _: cls(method="time").fit(gaps.iloc[np.r_[1, 0, 2:len(X0)]]),
             ("method='time'", "sort")),
        Case("time-on-duplicated-index",
             lambda _: cls(method="time").fit(gaps.set_axis(_duplicated().index)),
             ("method='time'", "duplicate")),
        Case("time-on-unsorted-index-after-fit",
             lambda _: cls(method="time").fit(gaps).transform(_unsorted()),
             ("method='time'", "sort")),
        Case("time-on-integer-index",
             lambda _: cls(method="time").fit(gaps.reset_index(drop=True)),
             ("method='time'", "DatetimeIndex")),
        Case("time-on-numpy", lambda _: cls(method="time").fit(gaps.to_numpy()),
             ("method='time'", "DatetimeIndex")),
        Case("all-nan-column-at-fit", lambda _: cls().fit(all_nan), ("'x1'", "NaN")),
        Case("all-nan-column-after-fit",
             lambda _: cls().fit(X0).transform(all_nan.reset_index(drop=True)),
             ("'x1'", "NaN")),
        Case("spline-with-too-few-observations",
             lambda _: cls(method="spline", order=3).fit_transform(
                 X0.iloc[:6].assign(x1=[1.0, np.nan, 2.0, np.nan, np.nan, 3.0])),
             ("'x1'", "order=3")),
    ]


@specific("MedianOutlierFilter")
def _outlier_cases(cls):
    return [
        Case("window-a-billion",
             lambda _: cls(window=10**9 + 1).fit_transform(X0), ("window",),
             may_succeed=True, rows_out=len(X0),
             # a window beyond the data holds what one covering all of it holds
             expect=lambda out: np.testing.assert_allclose(
                 out, cls(window=2 * len(X0) - 1).fit_transform(X0))),
        Case("window-true", lambda _: cls(window=True).fit(X0), ("'window'", "True")),
        Case("even-centred-window", lambda _: cls(window=6, center=True).fit(X0),
             ("window=6", "odd")),
        Case("window-longer-than-the-series",
             lambda _: cls(window=99).fit_transform(X0.iloc[:10]), ("window",),
             may_succeed=True, rows_out=10),
    ]


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@specific("LSTMRegressor")
def _lstm_cases(cls):
    fast = {**cls._test_params()[0], "n_threads": 1}
    windows = np.random.default_rng(0).standard_normal((30, fast["lookback"], 3))
    y_windows = windows[:, -1, 0]
    nan_windows = windows.copy()
    nan_windows[4, 1, 2] = np.nan

    def on_windows():
        return cls(**fast).fit(windows, y_windows)

    return [
        Case("hidden-size-a-million",
             lambda _: cls(**{**fast, "hidden_size": 10**6}).fit(X0, Y0),
             ("'hidden_size'", "4096")),
        Case("lookback-true", lambda _: cls(**{**fast, "lookback": True}).fit(X0, Y0),
             ("'lookback'", "True")),
        Case("hidden-size-true",
             lambda _: cls(**{**fast, "hidden_size": True}).fit(X0, Y0),
             ("'hidden_size'", "True")),
        Case("target-beyond-float64-variance",
             lambda _: cls(**fast).fit(X0, Y0 * 1e300), ("y reaches", "power of ten")),
        Case("target-beyond-float32-unscaled",
             lambda _: cls(**{**fast, "scale_target": False}).fit(X0, Y0 * 1e40),
             ("float32", "scale_target=True")),
        Case("lookback-longer-than-the-series",
             lambda _: cls(**{**fast, "lookback": 50}).fit(X0.iloc[:10], Y0.iloc[:10]),
             ("lookback=50", "10 rows")),
        Case("device-cuda-without-a-gpu",
             lambda _: cls(**{**fast, "device": "cuda"}).fit(X0, Y0),
             ("device='cuda'",), may_succeed=lambda _: _cuda()),
        Case("optimizer-class-that-is-no-optimizer",
             lambda _: cls(**{**fast, "optimizer": dict}).fit(X0, Y0),
             ("optimizer",)),
        Case("lr-so-large-training-diverges",
             lambda _: cls(**{**fast, "lr": 1e12, "scale_target": False}).fit(
                 X0, Y0 * 1e30), ("diverged|lr",), may_succeed=True),
        Case("windows-with-nan", lambda _: cls(**fast).fit(nan_windows, y_windows),
             ("window 4", "step 1", "feature 2")),
        Case("windows-and-y-of-other-length",
             lambda _: cls(**fast).fit(windows, y_windows[:-1]), ("30", "29")),
        Case("windows-of-text",
             lambda _: cls(**fast).fit(windows.astype(str), y_windows), ("dtype",)),
        Case("windows-after-fit-on-rows",
             lambda _: cls(**fast).fit(X0, Y0).predict(windows), ("3-D", "2-D")),
        Case("rows-after-fit-on-windows",
             lambda _: on_windows().predict(X0), ("3-D|windows", "2-D|rows")),
        Case("windows-of-other-width-after-fit",
             lambda _: on_windows().predict(windows[:, :, :2]),
             ("2 features", "3 features")),
        Case("4-D-X", lambda _: cls(**fast).fit(windows[..., None], y_windows),
             ("dim 4|4-D",)),
    ]


def _series(n=40, index=None):
    index = pd.date_range("2021-01-01", periods=n, freq="D") if index is None else index
    return pd.Series(np.arange(n, dtype=float) + 10.0, index=index, name="sales")


def _supervised_rows():
    from sklstm.forecasting import make_supervised

    s = _series()
    unsorted = s.iloc[np.r_[1, 0, 2:len(s)]]
    duplicated = s.set_axis(s.index[np.r_[0, 0, 1:len(s) - 1]])
    irregular = s.drop(s.index[[10, 11, 25]])
    frame = pd.DataFrame({"sales": s, "price": s * 2.0})
    cases = [
        Case("horizon-as-long-as-the-series",
             lambda _: make_supervised(s, horizon=40), ("horizon 40", "40 rows")),
        Case("horizon-list-longer-than-the-series",
             lambda _: make_supervised(s, horizon=[1, 60]), ("horizon 60", "40 rows")),
        Case("horizon-zero", lambda _: make_supervised(s, horizon=0), ("horizon",)),
        Case("horizon-negative-in-list",
             lambda _: make_supervised(s, horizon=[1, -2]), ("horizon", "-2")),
        Case("horizon-not-an-int", lambda _: make_supervised(s, horizon=1.5),
             ("horizon", "1.5")),
        Case("horizon-duplicated", lambda _: make_supervised(s, horizon=[2, 2]),
             ("horizon", "duplicates")),
        Case("unsorted-index", lambda _: make_supervised(unsorted), ("not sorted",)),
        Case("duplicated-index", lambda _: make_supervised(duplicated),
             ("duplicated",)),
        Case("irregular-frequency", lambda _: make_supervised(irregular),
             ("index|frequency|gap|step",)),
        Case("target-not-a-column", lambda _: make_supervised(frame, target="units"),
             ("'units'",)),
        Case("target-not-named", lambda _: make_supervised(frame), ("target",)),
        Case("duplicated-column-names",
             lambda _: make_supervised(frame.set_axis(["sales", "sales"], axis=1),
                                       target="sales"),
             ("duplicated column names", r"\['sales'\]", "Rename")),
        Case("duplicated-feature-names",
             lambda _: make_supervised(frame.assign(x=1.0).set_axis(
                 ["sales", "price", "price"], axis=1), target="sales"),
             ("duplicated column names", r"\['price'\]")),
        Case("target-of-text",
             lambda _: make_supervised(frame.assign(price="a"), target="price"),
             ("'price'",)),
        Case("features-not-columns",
             lambda _: make_supervised(frame, target="sales", features=["units"]),
             ("'units'",)),
        Case("numpy-array", lambda _: make_supervised(s.to_numpy()), ("ndarray",)),
        Case("missing-future-target",
             lambda _: make_supervised(_with(np.nan, col="sales", frame=frame),
                                       target="sales"),
             # the target of row 5 is the future of row 4
             ("'sales'", re.escape(str(X0.index[BAD_ROW - 1].date())))),
        Case("inf-in-target",
             lambda _: make_supervised(_with(np.inf, col="sales", frame=frame),
                                       target="sales"),
             ("'sales'", "infinite|finite", BAD_LABEL)),
    ]
    return [("make_supervised", "make_supervised", c) for c in cases]


def _forecast_rows():
    from sklearn.linear_model import LinearRegression

    from sklstm.forecasting import forecast, make_supervised

    s = _series()
    X, y = make_supervised(s, horizon=1)
    one_step = LinearRegression().fit(X, y)
    X, Y = make_supervised(s, horizon=[1, 2])
    direct = LinearRegression().fit(X, Y)
    frame = pd.DataFrame({"sales": s, "price": s * 2.0})
    with_price = LinearRegression().fit(frame.iloc[:-1], y)
    duplicated_index = s.index[np.r_[0, 0, 1 : len(s) - 1]]
    cases = [
        Case("unsorted-history",
             lambda _: forecast(one_step, s.iloc[np.r_[1, 0, 2:len(s)]]),
             ("not sorted",)),
        Case("duplicated-history",
             lambda _: forecast(one_step, s.set_axis(duplicated_index)),
             ("duplicated",)),
        Case("irregular-history",
             lambda _: forecast(one_step, s.drop(s.index[[10, 11, 25]])),
             ("time step|frequency",)),
        Case("empty-history", lambda _: forecast(one_step, s.iloc[:0]), ("empty",)),
        Case("horizon-zero", lambda _: forecast(one_step, s, horizon=0), ("horizon",)),
        Case("horizon-negative", lambda _: forecast(one_step, s, horizon=[-1]),
             ("horizon",)),
        Case("direct-model-with-other-horizons",
             lambda _: forecast(direct, s, horizon=3), ("2 output", "3 horizon")),
        Case("strategy-unknown",
             lambda _: forecast(one_step, s, strategy="iterated"), ("strategy",)),
        Case("recursive-with-unknown-future-columns",
             lambda _: forecast(with_price, frame, horizon=3, target="sales"),
             ("'price'",)),
        Case("features-not-columns",
             lambda _: forecast(one_step, frame, target="sales", features=["units"]),
             ("'units'",)),
        Case("history-as-numpy", lambda _: forecast(one_step, s.to_numpy()),
             ("ndarray",)),
        Case("feature_builder-not-callable",
             lambda _: forecast(one_step, s, feature_builder="lags"),
             ("feature_builder",)),
    ]
    return [("forecast", "forecast", c) for c in cases]


def _rows():
    rows = []
    counts: dict[str, int] = {}
    for est in test_instances():
        name = _name(est)
        counts[name] = counts.get(name, -1) + 1
        label = f"{name}[{counts[name]}]"
        rows += [(label, name, est, case) for case in GENERIC if case.applies(est)]
    for name, cls in all_estimators():
        label = f"{name}[0]"
        cases = _invalid_param_cases(cls)
        if name in SPECIFIC:
            cases += SPECIFIC[name](cls)
        rows += [(label, name, None, case) for case in cases]
    rows += [(label, owner, None, case) for label, owner, case in FUNCTION_ROWS]
    return rows


# Public helpers (functions) join the table here: (label, owner, Case).
FUNCTION_ROWS: list[tuple[str, str, Case]] = [*_supervised_rows(), *_forecast_rows()]


ROWS = _rows()


@pytest.mark.parametrize(
    "owner, estimator, case",
    [pytest.param(owner, est, case, id=f"{label}-{case.name}")
     for label, owner, est, case in ROWS],
)
def test_bad_input_gets_a_clear_error(owner, estimator, case):
    est = None if estimator is None else one_thread(clone(estimator))
    exc, result = _raised(lambda: case.call(est))
    if exc is None:
        may = case.may_succeed(est) if callable(case.may_succeed) else case.may_succeed
        assert may, f"{owner} accepted the bad input {case.name!r}"
        if case.rows_out is not None:
            assert _n_rows(result) == case.rows_out, "one output row per input row"
        if case.expect is not None:
            case.expect(result)
        return
    assert_clear_error(exc, owner, case.culprits)


def test_every_public_estimator_is_in_the_catalogue():
    covered = {owner for _, owner, _, _ in ROWS}
    assert {name for name, _ in all_estimators()} <= covered


@pytest.mark.parametrize("name", ["ConstrainedRegressor", "LevelDifferenceRegressor"])
def test_meta_estimator_lets_nan_reach_a_pipeline_that_fills_it(name):
    """NaN is bad input only where nothing downstream fills it."""
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    cls = dict(all_estimators())[name]
    gaps = _with(np.nan, row=[3, 4, BAD_ROW], col="x1")
    model = cls(make_pipeline(sklstm.Interpolator(), Ridge())).fit(gaps, Y0)
    pred = model.predict(gaps)
    assert pred.shape == (len(X0),) and np.isfinite(pred).all()
