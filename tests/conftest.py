"""Settings the tests share: networks small enough to train in a blink.

Tests import them (``from conftest import TINY_LSTM``) and change what their
case needs: ``{**TINY_LSTM, "hidden_size": 4}``.
"""

#: An LSTMRegressor that trains on a few hundred rows in a fraction of a
#: second, on one torch thread, the same way every time.
TINY_LSTM = {"lookback": 6, "hidden_size": 8, "max_epochs": 4, "lr": 1e-2,
             "n_threads": 1, "random_state": 0}

#: An LSTMForecaster of two tiny networks trained for two epochs.
TINY_FORECASTER = {"n_members": 2, "hidden_size": 4, "max_epochs": 2,
                   "random_state": 0}
