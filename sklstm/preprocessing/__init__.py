"""Time-series transformers: gaps, outliers, lags, differences, seasonality.

Each transformer has its computation as a function on arrays too, with the
same rules and validated parameters, for code outside a pipeline:
:func:`interpolate_frame`, :func:`hampel_mask` / :func:`hampel_filter`,
:func:`lag_matrix`, :func:`difference` / :func:`undifference` and
:func:`seasonal_terms`.
"""

from sklstm.preprocessing._difference import Differencer, difference, undifference
from sklstm.preprocessing._interpolate import Interpolator, interpolate_frame
from sklstm.preprocessing._lags import LagFeatures, lag_matrix
from sklstm.preprocessing._outliers import (
    MedianOutlierFilter,
    hampel_filter,
    hampel_mask,
    rolling_median_mad,
)
from sklstm.preprocessing._seasonal import SeasonalSine, seasonal_terms

__all__ = [
    "Differencer",
    "Interpolator",
    "LagFeatures",
    "MedianOutlierFilter",
    "SeasonalSine",
    "difference",
    "hampel_filter",
    "hampel_mask",
    "interpolate_frame",
    "lag_matrix",
    "rolling_median_mad",
    "seasonal_terms",
    "undifference",
]
