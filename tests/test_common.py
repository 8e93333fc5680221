"""sklearn's estimator checks and sklstm's own, over the registry of every estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklstm.utils.discovery import (
    all_estimators,
    expected_failed_checks,
    test_instances,
)
from sklstm.utils.estimator_checks import check_sklstm_estimator, sklstm_checks

ESTIMATORS = test_instances()


def test_registry_lists_every_public_estimator():
    import sklstm

    names = {name for name, _ in all_estimators()}
    assert names, "the registry is empty"
    for name in names:
        assert getattr(sklstm, name)._test_params(), f"{name} has no test params"


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator, check",
    [(est, chk) for est in ESTIMATORS for chk in sklstm_checks(est)],
    ids=lambda v: getattr(v, "__name__", None) or repr(v)[:60],
)
def test_sklstm_checks(estimator, check):
    check_sklstm_estimator(estimator, check)
