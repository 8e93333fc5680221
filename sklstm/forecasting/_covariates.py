"""Covariates of the forecaster: known in advance, or known only up to now.

*Future-known* covariates (the calendar, holidays, planned promotions, a law
that takes effect) have values at the forecast steps. The forecaster models
their effect as a regression: the deseasonalised, transformed target on the
standardised covariates, a constant and a linear trend (the trend keeps a
drifting series from being explained by a covariate that happens to drift
too). The effect is removed before the networks and added back to their
forecast, so a step change (a law) moves the forecast at the step it takes
effect, which no window of the past could tell.

*Past-only* covariates (a measurement that arrives with the target) are
unknown after the last row. They reach the networks as extra input
channels, standardised, beside the target's window; when a forecast rolls
past the first chunk, they are held at their last value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CovariateModel", "align_covariates", "fit_covariates", "split_columns"]


def split_columns(columns: Sequence, future, owner: str) -> tuple[list, list]:
    """The future-known and the past-only columns: ``future="all"`` makes
    every column future-known, None none, a list those.

    >>> split_columns(["promo", "temp"], ["promo"], "f")
    (['promo'], ['temp'])
    """
    columns = list(columns)
    if future == "all":
        return columns, []
    if future is None:
        return [], columns
    known = [future] if isinstance(future, str) else list(future)
    missing = [c for c in known if c not in columns]
    if missing:
        raise ValueError(
            f"{owner}: future={known!r} names column(s) {missing!r} that X does not "
            f"have; X's columns are {columns}."
        )
    return [c for c in columns if c in known], [c for c in columns if c not in known]


def _labels(labels) -> str:
    shown = ", ".join(str(v) for v in labels[:3])
    return shown + (f", ... ({len(labels)} in all)" if len(labels) > 3 else "")


def align_covariates(X, index: pd.Index, owner: str, what: str,
                     columns: Sequence | None = None, fill: bool = True
                     ) -> pd.DataFrame:
    """The rows ``index`` of the covariate frame ``X``, as floats.

    ``X`` must hold every label of ``index`` (more rows are ignored) and,
    given ``columns``, those columns. ``fill``: gaps (NaN) are filled
    linearly within each column; otherwise a NaN is an error.
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"{owner}: {what} must be a DataFrame of covariates with named "
            f"columns, indexed like the series; got {type(X).__name__}."
        )
    if isinstance(X.index, pd.PeriodIndex):
        X = X.set_axis(X.index.to_timestamp(how="start"))
    if columns is not None:
        absent = [c for c in columns if c not in X.columns]
        if absent:
            raise ValueError(
                f"{owner}: {what} lacks the covariate column(s) {absent!r} the "
                f"model was fitted with; its columns are {list(X.columns)}."
            )
        X = X.loc[:, list(columns)]
    if X.columns.duplicated().any():
        raise ValueError(
            f"{owner}: {what} has duplicated column names "
            f"{list(X.columns[X.columns.duplicated()])}; name each covariate once."
        )
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
    if bad:
        raise TypeError(
            f"{owner}: covariate column(s) {bad!r} of {what} are not numeric "
            f"(dtypes {[str(X[c].dtype) for c in bad]}); encode them as numbers "
            "(0/1 for a flag, pd.get_dummies for categories)."
        )
    if X.index.has_duplicates:
        raise ValueError(f"{owner}: {what}'s index has duplicated labels.")
    where = X.index.get_indexer(index)
    if (where < 0).any():
        missing = index[where < 0]
        raise ValueError(
            f"{owner}: {what} has no row for {len(missing)} time step(s) it needs: "
            f"{_labels(missing)} (columns {list(X.columns)}). Pass covariate "
            "values for every step of the series" + (
                " and of the forecast." if not fill else ".")
        )
    values = X.iloc[where].astype("float64")
    values.index = index
    array = values.to_numpy()
    if np.isinf(array).any():
        col = values.columns[np.isinf(array).any(axis=0)][0]
        raise ValueError(f"{owner}: {what} column {col!r} holds infinite values.")
    nan = np.isnan(array)
    if nan.any():
        if not fill:
            cols = list(values.columns[nan.any(axis=0)])
            raise ValueError(
                f"{owner}: {what} has no value (NaN) for the future-known "
                f"column(s) {cols!r} at {_labels(index[nan.any(axis=1)])}; give "
                "their values at every forecast step."
            )
        empty = list(values.columns[nan.all(axis=0)])
        if empty:
            raise ValueError(
                f"{owner}: covariate column(s) {empty!r} of {what} have no value "
                "at all (all NaN)."
            )
        values = values.interpolate(limit_direction="both")
    return values


@dataclass
class CovariateModel:
    """What the forecaster learned about its covariates."""

    future: list  # future-known columns
    past: list  # past-only columns
    future_mean: np.ndarray
    future_scale: np.ndarray
    coef: np.ndarray  # effect per standardised future-known column
    past_mean: np.ndarray
    past_scale: np.ndarray

    @property
    def columns(self) -> list:
        return [*self.future, *self.past]

    def effect(self, F: pd.DataFrame) -> np.ndarray:
        """The future-known covariates' effect at ``F``'s rows."""
        if not self.future:
            return np.zeros(len(F))
        z = (F[self.future].to_numpy() - self.future_mean) / self.future_scale
        return z @ self.coef

    def channels(self, P: pd.DataFrame) -> np.ndarray | None:
        """The past-only covariates as network channels (standardised)."""
        if not self.past:
            return None
        return (P[self.past].to_numpy() - self.past_mean) / self.past_scale


def _standardise(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = values.mean(axis=0) if len(values) else np.zeros(values.shape[1])
    scale = values.std(axis=0) if len(values) else np.ones(values.shape[1])
    return mean, np.where(scale > 0, scale, 1.0)


def fit_covariates(d: np.ndarray, X: pd.DataFrame, future: list, past: list
                   ) -> CovariateModel:
    """The regression of ``d`` on the future-known columns (with a constant
    and a linear trend), and the scaling of the past-only ones.

    A column that never changes over the fit rows has no effect (0).

    >>> t = np.arange(40.0)
    >>> law = (t >= 25).astype(float)
    >>> d = 0.1 * t - 3.0 * law
    >>> model = fit_covariates(d, pd.DataFrame({"law": law}), ["law"], [])
    >>> round(float(model.effect(pd.DataFrame({"law": [1.0]}))[0]
    ...             - model.effect(pd.DataFrame({"law": [0.0]}))[0]), 6)
    -3.0
    """
    F = X[future].to_numpy(dtype=np.float64) if future else np.zeros((len(d), 0))
    f_mean, f_scale = _standardise(F)
    coef = np.zeros(F.shape[1])
    if future:
        z = (F - f_mean) / f_scale
        varies = F.std(axis=0) > 0
        t = np.linspace(-1.0, 1.0, len(d))
        design = np.column_stack([np.ones(len(d)), t, z[:, varies]])
        solution, *_ = np.linalg.lstsq(design, d, rcond=None)
        coef[varies] = solution[2:]
    P = X[past].to_numpy(dtype=np.float64) if past else np.zeros((len(d), 0))
    p_mean, p_scale = _standardise(P)
    return CovariateModel(future=list(future), past=list(past), future_mean=f_mean,
                          future_scale=f_scale, coef=coef, past_mean=p_mean,
                          past_scale=p_scale)
