"""Settings and data the tests share: networks small enough to train in a blink.

Tests import them (``from conftest import TINY_LSTM``) and change what their
case needs: ``{**TINY_LSTM, "hidden_size": 4}``.
"""

import contextlib
import importlib.util
import sys
from pathlib import Path

#: An LSTMRegressor that trains on a few hundred rows in a fraction of a
#: second, on one torch thread, the same way every time.
TINY_LSTM = {"lookback": 6, "hidden_size": 8, "max_epochs": 4, "lr": 1e-2,
             "n_threads": 1, "random_state": 0}

#: An LSTMForecaster of two tiny networks trained for two epochs.
TINY_FORECASTER = {"n_members": 2, "hidden_size": 4, "max_epochs": 2,
                   "random_state": 0}


def weighted_sine_series():
    """160 rows of a noisy monthly sine and its cosine, the next sine value as
    y, and row weights in [0, 3) with every seventh weight 0."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    t = np.arange(160)
    noise = 0.1 * rng.standard_normal(160)
    X = pd.DataFrame({"sin": np.sin(2 * np.pi * t / 12) + noise,
                      "cos": np.cos(2 * np.pi * t / 12)})
    y = pd.Series(np.roll(X["sin"].to_numpy(), -1), name="y")
    w = rng.uniform(0.0, 3.0, size=160)
    w[::7] = 0.0
    return X, y, w


@contextlib.contextmanager
def benchmark_modules(*names):
    """The scripts ``benchmarks/<name>.py`` loaded as modules, in order (a
    benchmark imports its helpers, such as ``series``, by name), removed
    again afterwards."""
    bench = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(bench))
    try:
        modules = []
        for name in names:
            spec = importlib.util.spec_from_file_location(name, bench / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # dataclasses look themselves up there
            spec.loader.exec_module(module)
            modules.append(module)
        yield modules
    finally:
        sys.path.remove(str(bench))
        for name in names:
            sys.modules.pop(name, None)
