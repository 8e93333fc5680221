"""The one place that imports scikit-learn privates.

A scikit-learn release that moves one of these breaks this file, not twenty.
"""

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Options,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils._param_validation import Interval as _Interval
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in, validate_data


class Interval(_Interval):
    """scikit-learn's ``Interval`` constraint, without bools.

    Python counts ``True`` as the integer 1; a parameter such as
    ``lookback=True`` or ``lags=True`` is a mistake, not a window of one step,
    so no sklstm interval takes a bool. Parameters that take bools say so
    with the ``"boolean"`` constraint.
    """

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)):
            return False
        return super().is_satisfied_by(val)

__all__ = [
    "HasMethods",
    "Hidden",
    "Interval",
    "Options",
    "RealNotInt",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "_get_output_config",
    "validate_data",
    "validate_params",
]
