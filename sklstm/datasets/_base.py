"""Loaders for the small real series shipped inside the package.

Every loader reads a CSV file from ``sklstm/datasets/data`` through
:mod:`importlib.resources`; none of them touches the network. Each returns a
DataFrame with a :class:`pandas.DatetimeIndex` whose ``freq`` is set, so the
series drops straight into :func:`sklstm.make_supervised`-style helpers and
into transformers that take their phase from time.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads with the first data set, not on import
    import pandas as pd

__all__ = [
    "DATASETS",
    "load_airline",
    "load_co2",
    "load_dataset",
    "load_electricity",
]


def _read(filename: str, *, time_format: str, freq: str) -> pd.DataFrame:
    import pandas as pd

    path = resources.files("sklstm.datasets").joinpath("data", filename)
    with path.open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, index_col=0).astype("float64")
    index = pd.to_datetime(frame.index, format=time_format)
    frame.index = pd.DatetimeIndex(index, freq=freq, name=frame.index.name)
    return frame


def load_airline() -> pd.DataFrame:
    """Monthly international airline passengers, 1949-1960 (Box & Jenkins).

    Monthly totals of international airline passengers, in thousands, from
    January 1949 to December 1960: 144 values, strong upward trend and a
    yearly season whose amplitude grows with the level (multiplicative
    seasonality). No missing values.

    Returns
    -------
    data : pandas.DataFrame of shape (144, 1)
        One float column ``"passengers"``; the index is a monthly
        ``DatetimeIndex`` named ``"month"`` with ``freq="MS"`` (month start).

    Notes
    -----
    **Source.** Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (1976),
    *Time Series Analysis, Forecasting and Control*, third edition,
    Holden-Day, Series G; originally from Brown (1963). The values shipped
    here were taken from the copy in the ``pmdarima`` package (MIT licence,
    ``pmdarima.datasets.load_airpassengers``), which agrees with R's
    ``datasets::AirPassengers``.

    **Licence.** The series is a published table of historical airline
    statistics from a 1976 textbook, redistributed without restriction by R,
    statsmodels, pmdarima and sktime; no licence is attached to the numbers
    themselves.

    Frequency: monthly (seasonal period 12). Length: 144.

    Examples
    --------
    >>> from sklstm.datasets import load_airline
    >>> air = load_airline()
    >>> air.shape, air.index.freqstr
    ((144, 1), 'MS')
    >>> air["passengers"].head(5).tolist()
    [112.0, 118.0, 132.0, 129.0, 121.0]
    >>> air.index[-1].strftime("%Y-%m"), air["passengers"].iloc[-1]
    ('1960-12', np.float64(432.0))
    """
    return _read("airline.csv", time_format="%Y-%m", freq="MS")


def load_electricity() -> pd.DataFrame:
    """Half-hourly electricity demand in England and Wales, June-August 2000.

    Electricity demand in megawatts, every half hour from Monday 5 June 2000
    00:00 to Sunday 27 August 2000 23:30 (local time, British Summer Time
    throughout): 4032 values, twelve full weeks. Two seasonal cycles: daily
    (48 half-hours) and weekly (336 half-hours), with lower demand at
    weekends. No missing values.

    Returns
    -------
    data : pandas.DataFrame of shape (4032, 1)
        One float column ``"demand"`` (MW); the index is a ``DatetimeIndex``
        named ``"time"`` with ``freq="30min"``.

    Notes
    -----
    **Source.** Taylor, J. W. (2003), "Short-term electricity demand
    forecasting using double seasonal exponential smoothing", *Journal of the
    Operational Research Society* 54, 799-805. The data were provided by
    James W. Taylor and are distributed as ``taylor`` in R's ``forecast``
    package; the values shipped here were taken from the copy in the
    ``pmdarima`` package (MIT licence, ``pmdarima.datasets.load_taylor``).
    The time stamps were reconstructed from the documented start (Monday 5
    June 2000) and the half-hourly spacing.

    **Licence.** No licence is attached to the numbers themselves; they are
    redistributed by the R ``forecast`` package (GPL-3) and by ``pmdarima``
    (MIT) as published research data.

    Frequency: half-hourly (seasonal periods 48 and 336). Length: 4032.

    Examples
    --------
    >>> from sklstm.datasets import load_electricity
    >>> elec = load_electricity()
    >>> elec.shape, elec.index.freqstr
    ((4032, 1), '30min')
    >>> elec["demand"].head(3).tolist()
    [22262.0, 21756.0, 22247.0]
    >>> str(elec.index[0]), str(elec.index[-1])
    ('2000-06-05 00:00:00', '2000-08-27 23:30:00')
    """
    return _read("electricity.csv", time_format="%Y-%m-%d %H:%M", freq="30min")


def load_co2() -> pd.DataFrame:
    """Weekly atmospheric CO2 at Mauna Loa, March 1958 - December 2001, with gaps.

    Weekly averages of atmospheric CO2 concentration (ppmv) from continuous
    air samples at Mauna Loa Observatory, Hawaii: 2284 weeks, each labelled by
    its Saturday, from 1958-03-29 to 2001-12-29. **59 weeks are missing**
    (NaN), including runs of several consecutive weeks (e.g. most of 1964):
    weeks without six hours of steady measurements have no value. Upward
    trend with a yearly cycle (about 52.18 weeks).

    Returns
    -------
    data : pandas.DataFrame of shape (2284, 1)
        One float column ``"co2"`` (ppmv, NaN for missing weeks); the index is
        a weekly ``DatetimeIndex`` named ``"week"`` with ``freq="W-SAT"``.

    Notes
    -----
    **Source.** Keeling, C. D. and Whorf, T. P. (2004), "Atmospheric CO2
    concentrations derived from flask air samples at sites in the SIO
    network", in *Trends: A Compendium of Data on Global Change*, Carbon
    Dioxide Information Analysis Center, Oak Ridge National Laboratory, U.S.
    Department of Energy. The values shipped here were taken from the copy in
    the ``statsmodels`` package (``statsmodels.datasets.co2``, BSD-3-Clause).

    **Licence.** Public domain, as stated by statsmodels for this data set
    (U.S. government data).

    Frequency: weekly, Saturdays (seasonal period about 52). Length: 2284,
    of which 59 missing.

    Examples
    --------
    >>> from sklstm.datasets import load_co2
    >>> co2 = load_co2()
    >>> co2.shape, co2.index.freqstr, int(co2["co2"].isna().sum())
    ((2284, 1), 'W-SAT', 59)
    >>> co2["co2"].head(3).tolist()
    [316.1, 317.3, 317.6]
    """
    return _read("co2.csv", time_format="%Y-%m-%d", freq="W-SAT")


#: The bundled data sets by name: ``(loader, target column, seasonal period)``.
DATASETS = {
    "airline": (load_airline, "passengers", 12),
    "electricity": (load_electricity, "demand", 48),
    "co2": (load_co2, "co2", 52),
}


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled data set by name: ``"airline"``, ``"electricity"``, ``"co2"``.

    Parameters
    ----------
    name : str
        One of the keys of :data:`DATASETS`.

    Returns
    -------
    data : pandas.DataFrame
        What the matching ``load_*`` function returns.

    Examples
    --------
    >>> from sklstm.datasets import load_dataset
    >>> load_dataset("airline").columns.tolist()
    ['passengers']
    """
    try:
        loader = DATASETS[name][0]
    except KeyError:
        raise ValueError(
            f"load_dataset: unknown data set {name!r}; expected one of "
            f"{sorted(DATASETS)}."
        ) from None
    return loader()
