"""Time-series transformers: gaps, outliers, lags, differences, seasonality,
calendar terms.

Each transformer has its computation as a function on arrays too, with the
same rules and validated parameters, for code outside a pipeline:
:func:`interpolate_frame`, :func:`hampel_mask` / :func:`hampel_filter`,
:func:`lag_matrix`, :func:`difference` / :func:`undifference`,
:func:`seasonal_terms`, :func:`calendar_features` (on a time index), and
:func:`rolling_stat`, :func:`ewm_mean`, :func:`rsi`, :func:`macd`,
:func:`bollinger_bands`, :func:`rate_of_change` and :func:`momentum` for
:class:`RollingFeatures`.
"""

from sklstm.preprocessing._calendar import CalendarFeatures, calendar_features
from sklstm.preprocessing._difference import Differencer, difference, undifference
from sklstm.preprocessing._interpolate import Interpolator, interpolate_frame
from sklstm.preprocessing._lags import LagFeatures, lag_matrix
from sklstm.preprocessing._outliers import (
    MedianOutlierFilter,
    hampel_filter,
    hampel_mask,
    rolling_median_mad,
)
from sklstm.preprocessing._rolling import (
    RollingFeatures,
    bollinger_bands,
    ewm_mean,
    macd,
    momentum,
    rate_of_change,
    rolling_stat,
    rsi,
)
from sklstm.preprocessing._seasonal import SeasonalSine, seasonal_terms

__all__ = [
    "CalendarFeatures",
    "Differencer",
    "Interpolator",
    "LagFeatures",
    "MedianOutlierFilter",
    "RollingFeatures",
    "SeasonalSine",
    "bollinger_bands",
    "calendar_features",
    "difference",
    "ewm_mean",
    "hampel_filter",
    "hampel_mask",
    "interpolate_frame",
    "lag_matrix",
    "macd",
    "momentum",
    "rate_of_change",
    "rolling_median_mad",
    "rolling_stat",
    "rsi",
    "seasonal_terms",
    "undifference",
]
