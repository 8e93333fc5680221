"""sklstm: LSTM time-series regression as a first-class scikit-learn citizen."""

from sklstm.compose import ConstrainedRegressor, LevelDifferenceRegressor
from sklstm.forecasting import LSTMForecaster, configure, forecast, make_supervised
from sklstm.neural import LSTMRegressor
from sklstm.preprocessing import (
    Differencer,
    Interpolator,
    LagFeatures,
    MedianOutlierFilter,
    SeasonalSine,
)

__version__ = "0.1.0"

__all__ = [
    "ConstrainedRegressor",
    "LevelDifferenceRegressor",
    "Differencer",
    "Interpolator",
    "LagFeatures",
    "LSTMForecaster",
    "LSTMRegressor",
    "MedianOutlierFilter",
    "SeasonalSine",
    "configure",
    "forecast",
    "make_supervised",
]
