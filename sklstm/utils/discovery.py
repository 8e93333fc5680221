"""The registry of public estimators that drives sklearn's checks and ours.

Every public estimator class defines a ``_test_params`` classmethod returning a
list of fast parameter sets; ``test_instances`` builds one instance per set.
An estimator may define ``_expected_failed_checks`` (instance method returning
``{check_name: reason}``) for checks that cannot hold for time-ordered data.
"""

from __future__ import annotations

import inspect

from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin

__all__ = [
    "TIME_ORDER_XFAILS",
    "all_estimators",
    "expected_failed_checks",
    "test_instances",
]

#: The sklearn checks that assume rows are exchangeable. Estimators whose output
#: depends on row order (lags, windows, differences, the LSTM lookback) cannot
#: pass them. These, and for a model that takes sample weights the check that
#: a repeated row equals a weight of two (a repeated time step is another
#: series, not a heavier one), are the only expected failures the project
#: accepts.
TIME_ORDER_XFAILS = {
    "check_methods_sample_order_invariance": (
        "rows are time steps: shuffling them changes which row is whose past"
    ),
    "check_methods_subset_invariance": (
        "rows are time steps: a batch lacks the history that the full series has"
    ),
}

_TYPES = {"transformer": TransformerMixin, "regressor": RegressorMixin}


def all_estimators(type_filter: str | None = None) -> list[tuple[str, type]]:
    """Public sklstm estimator classes as ``(name, class)``, sorted by name.

    The registry holds the scikit-learn estimators, the ones fitted on
    ``X, y`` (transformers and regressors): sklearn's checks and sklstm's run
    over them. Forecasters, fitted on a series alone
    (:class:`~sklstm.LSTMForecaster`), are listed with
    ``type_filter="forecaster"``; they have their own tests.

    Parameters
    ----------
    type_filter : {"transformer", "regressor", "forecaster"} or None
        Only estimators of that kind; None: transformers and regressors.

    Examples
    --------
    >>> from sklstm.utils import all_estimators
    >>> "LagFeatures" in dict(all_estimators("transformer"))
    True
    >>> [name for name, _ in all_estimators("forecaster")]
    ['LSTMForecaster']
    """
    import sklstm

    found = []
    for name in sklstm.__all__:
        obj = getattr(sklstm, name)
        if not (inspect.isclass(obj) and issubclass(obj, BaseEstimator)):
            continue
        sklearn_kind = issubclass(obj, tuple(_TYPES.values()))
        if type_filter == "forecaster":
            keep = not sklearn_kind
        elif type_filter is None:
            keep = sklearn_kind
        else:
            keep = issubclass(obj, _TYPES[type_filter])
        if keep:
            found.append((name, obj))
    return sorted(found)


def test_instances(type_filter: str | None = None) -> list[BaseEstimator]:
    """One instance of every public estimator per fast parameter set."""
    return [
        cls(**params)
        for _, cls in all_estimators(type_filter)
        for params in cls._test_params()
    ]


test_instances.__test__ = False  # not a pytest test


def expected_failed_checks(estimator) -> dict[str, str]:
    """The sklearn checks ``estimator`` cannot pass, each with its reason."""
    method = getattr(estimator, "_expected_failed_checks", None)
    return {} if method is None else dict(method())
