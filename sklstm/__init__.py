"""sklstm: LSTM time-series regression as a first-class scikit-learn citizen."""

from sklstm.preprocessing import LagFeatures

__version__ = "0.1.0"

__all__ = [
    "LagFeatures",
]
