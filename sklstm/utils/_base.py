"""The shared shell of sklstm's transformers, and the output they build.

:class:`SeriesTransformerMixin` is the base of every sklstm transformer: its
rows are consecutive time steps of one or more series. It owns ``fit``,
``transform`` and ``fit_transform`` (check X once with
:meth:`~SeriesTransformerMixin._check_input`, then run the estimator's own
hooks, ``_fit`` and ``_transform``, on what the check returned), the tags
that say missing values may come in, and the scikit-learn checks that cannot
hold when rows are time steps. ``fit_transform`` checks X once for both hooks
instead of once in ``fit`` and again in ``transform``. It also runs the hooks
series by series on a panel (many series indexed by ``(series id, time)``),
so that each transformer is written for one series only.

:func:`append_columns` builds the output of a transformer that adds columns to
its input. The new columns are written once into a column-major array; when
the output is a DataFrame built from a DataFrame, the input's columns are
taken as they are (pandas shares them copy-on-write, as ``pd.concat`` does)
instead of being copied next to the new ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import _fit_context, _get_output_config
from sklstm.utils._output import like_input
from sklstm.utils._panel import (
    check_panel,
    index_by_time,
    is_panel,
    naming_series,
    stack_series,
    take_series,
)
from sklstm.utils._search import refuse_row_sampling_search
from sklstm.utils._validation import check_numeric_input, who
from sklstm.utils.discovery import TIME_ORDER_XFAILS

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike, ArrayOrFrame, Self

__all__ = ["SeriesTransformerMixin", "append_columns", "frame_output"]


class SeriesTransformerMixin(TransformerMixin):
    """Base of the transformers whose rows are consecutive time steps.

    A subclass defines

    - ``_fit(X, values, index)``: learn from the checked input; return None, or
      the output of ``_transform`` for the same input where it computed that
      anyway (``fit_transform`` then returns it instead of transforming again);
    - ``_transform(X, values, index)``: return the output for the checked input.

    The arguments of both hooks are what :meth:`_check_input` returns; a
    subclass that reads more from X (a time column) overrides it and its hooks
    take the extra items, as sktime's ``BaseTransformer.fit`` hands its
    checked input to ``_fit``.

    **Panels.** When X is a panel (a DataFrame indexed by ``(series id,
    time)``, see :mod:`sklstm.utils._panel`), X is checked once, as a whole,
    and then the hooks run on each series alone, its rows indexed by their
    time: no lag, difference, window or fill reads another series' rows, and
    the output, put back together, keeps the panel's index and row order. A
    subclass opts in by listing in ``_series_attributes`` the fitted
    attributes it learns from a series' own rows (its remembered tail,
    ``history_``, its row count); after a panel fit each of them is a dict
    keyed by series id, while the others (lags, columns) are shared. In
    transform each series gets its own; a series fit did not see gets
    :meth:`_fresh_series_state` (no history: it is transformed as rows that
    do not continue the fit rows). Without ``_series_attributes`` a panel is
    refused.

    Its tags let missing values in (a transformer fills them, or passes them
    on), and the scikit-learn checks that shuffle or split rows are expected
    to fail (:data:`~sklstm.utils.discovery.TIME_ORDER_XFAILS`).
    """

    #: The fitted attributes learnt from one series' own rows: one per series
    #: (a dict keyed by series id) after a panel fit. None: no panels.
    _series_attributes: tuple[str, ...] | None = None

    def _check_input(self, X, *, reset, method):
        """``(X, values, index)``: X, its float64 values and its index."""
        values, index = check_numeric_input(self, X, reset=reset, method=method)
        return X, values, index

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Learn from X what ``transform`` needs, and remember its last rows.

        What is learnt is listed under the class's Attributes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows are consecutive time steps, oldest first; or a panel, a
            DataFrame indexed by ``(series id, time)``, each series learnt
            on its own.
        y : ignored

        Returns
        -------
        self : object
            The fitted transformer.
        """
        refuse_row_sampling_search(f"{type(self).__name__}.fit")
        groups = self._series_groups(X, "fit", reset=True)
        checked = self._check_input(X, reset=True, method="fit")
        if groups is None:
            self.series_ids_ = None
            self._fit(*checked)
        else:
            self._fit_series(X, checked, groups, output=False)
        return self

    def transform(self, X: ArrayLike) -> ArrayOrFrame:
        """Transform X, as the class docstring describes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows are consecutive time steps; rows whose index continues the
            one seen in ``fit`` take their past from the fit rows. A panel
            (after a panel fit) is transformed series by series, each
            continuing its own fit rows.

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
            A DataFrame, indexed like X, when X is one (unless ``set_output``
            asks for another container).
        """
        check_is_fitted(self)
        groups = self._series_groups(X, "transform", reset=False)
        checked = self._check_input(X, reset=False, method="transform")
        if groups is None:
            return self._transform(*checked)
        out = self._each_series(
            X, checked, groups, lambda part, _, *items: part._transform(*items)
        )
        return self._panel_output(out, X)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X: ArrayLike, y: ArrayLike | None = None) -> ArrayOrFrame:
        """Fit to X, then transform it; X is checked once.

        The same as ``fit(X).transform(X)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        X_out : ndarray or DataFrame of shape (n_samples, n_features_out)
        """
        refuse_row_sampling_search(f"{type(self).__name__}.fit_transform")
        groups = self._series_groups(X, "fit", reset=True)
        checked = self._check_input(X, reset=True, method="fit")
        if groups is not None:
            return self._fit_series(X, checked, groups, output=True)
        self.series_ids_ = None
        out = self._fit(*checked)
        return self._transform(*checked) if out is None else out

    # -- panels ----------------------------------------------------------------

    def _series_groups(self, X, method: str, *, reset: bool):
        """The ``(id, rows)`` of each series of a panel X; None for one series.

        Refuses a panel where the transformer takes none, and (``reset``
        false) a panel after a single-series fit or one series after a panel
        fit: the fitted state is per series in one case and not in the other.
        """
        owner = who(self, method)
        fitted = None if reset else getattr(self, "series_ids_", None)
        if not is_panel(X):
            if fitted is not None:
                raise ValueError(
                    f"{owner}: fit saw a panel of {len(fitted)} series, but X is a "
                    "single series (its index is not a 2-level MultiIndex (series "
                    "id, time)); the fitted state is kept per series. Pass the rows "
                    "with their (series id, time) index, e.g. panel.loc[[id]], or "
                    "fit on a single series."
                )
            return None
        if self._series_attributes is None:
            raise ValueError(
                f"{owner}: X is a panel (indexed by (series id, time)), but "
                f"{type(self).__name__} does not transform panels series by "
                "series; transform each series on its own (panel.xs(id)), or "
                "leave this step out for panels."
            )
        if not reset and fitted is None:
            raise ValueError(
                f"{owner}: X is a panel (indexed by (series id, time)), but fit "
                "saw a single series, so there is no fitted state per series. "
                "Fit on a panel, or pass a single series."
            )
        return check_panel(X, owner)

    def _series_part(self, state: dict):
        """A copy of self (no copy of its attributes) that holds ``state``:
        the fitted estimator of one series, as if it had been fitted alone.

        Its hooks return arrays: a part is configured for a container other
        than pandas, for which they leave the container to their caller (see
        :func:`frame_output`), and :meth:`_panel_output` builds the panel's
        once, around all the series, instead of one DataFrame per series.
        """
        part = object.__new__(type(self))
        part.__dict__.update(self.__dict__)
        part.__dict__.update(state)
        part.series_ids_ = None
        part._sklearn_output_config = {
            **getattr(self, "_sklearn_output_config", {}), "transform": "polars"}
        return part

    def _panel_output(self, out, X):
        """The stacked outputs of the series in the container of ``transform``:
        a DataFrame with the panel's index, unless one is configured (which
        scikit-learn then builds from the array, with that index too)."""
        if isinstance(out, np.ndarray) and (
            _get_output_config("transform", self)["dense"] == "default"
        ):
            return pd.DataFrame(
                out, index=X.index, columns=self.get_feature_names_out(), copy=False
            )
        return out

    def _series_state(self, series_id) -> dict:
        """The per-series attributes of ``series_id``, fresh if fit did not see it."""
        attributes = self._series_attributes
        first = getattr(self, attributes[0])
        if series_id in first:
            return {a: getattr(self, a)[series_id] for a in attributes}
        return self._fresh_series_state(series_id)

    def _fresh_series_state(self, series_id) -> dict:
        """The per-series attributes of a series that fit did not see.

        None for each: no remembered rows, so it is transformed as rows that
        do not continue the fit rows. A subclass that needs more (a step
        length) overrides this.
        """
        return dict.fromkeys(self._series_attributes)

    def _fit_series(self, X, checked, groups, *, output: bool):
        """Fit each series of the panel alone; keep the per-series attributes
        as dicts keyed by id, the others as they are. With ``output``, return
        the transformed panel (the hooks' own, or ``_transform``'s)."""
        time = X.index.get_level_values(1)
        flat = index_by_time(checked, time)
        attributes = self._series_attributes
        states, outs, part = {}, [], self
        for series_id, rows in groups:
            part = self._series_part({})
            items = take_series(flat, rows, time)
            with naming_series(series_id):
                out = part._fit(*items)
                if output and out is None:
                    out = part._transform(*items)
            states[series_id] = {a: part.__dict__.get(a) for a in attributes}
            outs.append(out)
        own = {*attributes, "_sklearn_output_config"}  # the part's, not shared
        self.__dict__.update(
            {k: v for k, v in part.__dict__.items() if k not in own}
        )
        for a in attributes:
            setattr(self, a, {sid: state[a] for sid, state in states.items()})
        self.series_ids_ = [series_id for series_id, _ in groups]
        return self._panel_output(stack_series(outs, X.index), X) if output else None

    def _each_series(self, X, checked, groups, hook):
        """``hook(part, id, *items)`` on each series, the outputs stacked.

        ``part`` is the fitted estimator of that series and ``items`` are the
        series' rows of each item of ``checked``, indexed by their time.
        """
        time = X.index.get_level_values(1)
        flat = index_by_time(checked, time)
        outs = []
        for series_id, rows in groups:
            with naming_series(series_id):
                part = self._series_part(self._series_state(series_id))
                outs.append(hook(part, series_id, *take_series(flat, rows, time)))
        return stack_series(outs, X.index)

    def set_output(self, *, transform: str | None = None) -> Self:
        """Set the output container of ``transform`` and ``fit_transform``.

        Parameters
        ----------
        transform : {"default", "pandas"} or None
            "pandas" returns DataFrames indexed like X (what DataFrame input
            gets anyway). "polars" is refused: a polars DataFrame has no
            index, and the time index is what lets rows continue the fit
            history and gives seasonal terms their phase.

        Returns
        -------
        self : object
        """
        if transform == "polars":
            raise ValueError(
                f"{type(self).__name__}.set_output: transform='polars' would drop "
                "the time index, which this transformer keeps (history that "
                "continues, seasonal phase). Use transform='pandas' and convert "
                "the result at the end: polars.from_pandas(out.reset_index())."
            )
        return super().set_output(transform=transform)

    def _expected_failed_checks(self):
        return TIME_ORDER_XFAILS

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def frame_output(estimator, X) -> bool:
    """Whether ``transform`` returns a DataFrame indexed like ``X``.

    True for DataFrame input, unless ``set_output`` asked for a container
    other than pandas (``"polars"``), which scikit-learn builds from an array.
    """
    if not isinstance(X, pd.DataFrame):
        return False
    return _get_output_config("transform", estimator)["dense"] in ("default", "pandas")


def append_columns(estimator, X, values, n_new: int, write, *, keep_input=True):
    """The output of a transformer that adds ``n_new`` columns to its input.

    Parameters
    ----------
    estimator : fitted transformer
        Names the output columns (``get_feature_names_out``).
    X : ndarray or DataFrame
        The input as given; a DataFrame's index is kept.
    values : ndarray of shape (n_samples, n_features)
        X's checked float64 values.
    n_new : int
        Number of added columns.
    write : callable
        ``write(new)`` fills ``new``, an uninitialised column-major float64
        array of shape (n_samples, n_new).
    keep_input : bool, default=True
        Put X's columns before the new ones; False returns the new ones alone.

    Returns
    -------
    X_out : ndarray or DataFrame of shape (n_samples, n_features + n_new)
        A DataFrame when X is one (see :func:`frame_output`); its first
        columns are X's own, shared copy-on-write, when X holds float64 columns
        only.

    Examples
    --------
    >>> from sklstm import LagFeatures
    >>> X = pd.DataFrame({"a": [1.0, 2.0]}, index=[10, 11])
    >>> lf = LagFeatures().fit(X)
    >>> def write(new):
    ...     new[:] = [[0.0], [1.0]]
    >>> append_columns(lf, X, X.to_numpy(), 1, write)
          a  a_lag1
    10  1.0     0.0
    11  2.0     1.0
    """
    n, m = values.shape
    share = keep_input and frame_output(estimator, X)
    if keep_input and not share:
        out = np.empty((n, m + n_new), order="F")
        out[:, :m] = values
        new = out[:, m:]
    else:
        out = new = np.empty((n, n_new), order="F")
    write(new)
    if not share:
        return like_input(estimator, out, X)
    if all(isinstance(dt, np.dtype) and dt == np.float64 for dt in X.dtypes):
        kept = X
    else:
        # values were converted, hence our own; copy them only if read-only.
        kept = pd.DataFrame(values, index=X.index, copy=not values.flags.writeable)
    added = pd.DataFrame(new, index=X.index, copy=False)
    frame = pd.concat([kept, added], axis=1)
    frame.columns = estimator.get_feature_names_out()
    return frame
