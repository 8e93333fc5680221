"""The bundled data sets: shape, dates, frequency, known values and gaps."""

import numpy as np
import pandas as pd
import pytest

from sklstm.datasets import (
    DATASETS,
    load_airline,
    load_co2,
    load_dataset,
    load_electricity,
)


def test_airline_is_box_jenkins_series_g():
    air = load_airline()
    assert air.shape == (144, 1)
    assert list(air.columns) == ["passengers"]
    assert air.index.name == "month"
    assert air.index.freqstr == "MS"
    assert air.index[0] == pd.Timestamp("1949-01-01")
    assert air.index[-1] == pd.Timestamp("1960-12-01")
    values = air["passengers"]
    assert values.dtype == np.float64
    assert values.iloc[:12].tolist() == [
        112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
    ]
    assert values.iloc[-1] == 432.0
    assert values.max() == 622.0  # July 1960
    assert values.sum() == 40363.0
    assert not values.isna().any()


def test_electricity_has_twelve_weeks_of_half_hours():
    elec = load_electricity()
    assert elec.shape == (4032, 1)
    assert list(elec.columns) == ["demand"]
    assert elec.index.freqstr == "30min"
    assert elec.index[0] == pd.Timestamp("2000-06-05 00:00")
    assert elec.index[0].day_name() == "Monday"
    assert elec.index[-1] == pd.Timestamp("2000-08-27 23:30")
    demand = elec["demand"]
    assert demand.iloc[:4].tolist() == [22262.0, 21756.0, 22247.0, 22759.0]
    assert demand.iloc[-1] == 23132.0
    assert not demand.isna().any()
    # the daily cycle: night demand well below the working-day peak
    by_hour = demand.groupby(demand.index.hour).mean()
    assert by_hour.loc[4] < 0.75 * by_hour.loc[12]
    # the weekly cycle: weekends lower than weekdays
    weekend = demand.index.day_of_week >= 5
    assert demand[weekend].mean() < 0.9 * demand[~weekend].mean()


def test_co2_has_real_gaps():
    co2 = load_co2()
    assert co2.shape == (2284, 1)
    assert co2.index.freqstr == "W-SAT"
    assert co2.index[0] == pd.Timestamp("1958-03-29")
    assert co2.index[-1] == pd.Timestamp("2001-12-29")
    values = co2["co2"]
    assert values.iloc[:3].tolist() == [316.1, 317.3, 317.6]
    assert values.isna().sum() == 59
    # the longest gap is several consecutive weeks
    runs = values.isna().astype(int).groupby(values.notna().cumsum()).sum()
    assert runs.max() >= 4
    observed = values.dropna()
    assert observed.between(310, 380).all()
    assert observed.iloc[-52:].mean() > observed.iloc[:52].mean() + 50


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_data_set_has_a_regular_index(name):
    data = load_dataset(name)
    loader, target, period = DATASETS[name]
    assert target in data.columns
    assert period >= 2
    assert isinstance(data.index, pd.DatetimeIndex)
    assert data.index.freq is not None
    assert data.index.is_monotonic_increasing and data.index.is_unique
    regular = pd.date_range(data.index[0], periods=len(data), freq=data.index.freq)
    pd.testing.assert_index_equal(data.index, regular, check_names=False)
    pd.testing.assert_frame_equal(data, loader())


def test_loaders_return_fresh_frames():
    first = load_airline()
    first.iloc[0, 0] = -1.0
    assert load_airline().iloc[0, 0] == 112.0


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown data set 'air'.*'airline'"):
        load_dataset("air")
