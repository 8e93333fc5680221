"""Small real time series shipped with sklstm; loading never uses the network."""

from sklstm.datasets._base import (
    DATASETS,
    load_airline,
    load_co2,
    load_dataset,
    load_electricity,
)

__all__ = [
    "DATASETS",
    "load_airline",
    "load_co2",
    "load_dataset",
    "load_electricity",
]
