"""How parallel workers run torch-based models: one torch thread each.

An LSTM fit keeps about one core busy, so parallel fits (of origins, of
series, of ensemble members) pay by running one per core, each pinned to one
torch thread; torch's own threads would only compete. :func:`uses_torch`
says whether a model trains with torch (so that nothing imports torch for a
model that does not), and :func:`worker_threads` is the context a worker
fits in.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["uses_torch", "worker_threads"]

#: Module prefixes of estimators that train with torch.
TORCH_MODULES = ("torch", "skorch", "sklstm.neural", "sklstm.forecasting._forecaster",
                 "sklstm.forecasting._global")


def uses_torch(model: Any) -> bool:
    """Whether ``model`` or an estimator among its parameters trains with torch.

    >>> from sklearn.linear_model import Ridge
    >>> uses_torch(Ridge())
    False
    """
    found = [model]
    if hasattr(model, "get_params"):
        with contextlib.suppress(Exception):
            found += list(model.get_params(deep=True).values())
    return any(type(obj).__module__.startswith(TORCH_MODULES) for obj in found)


def worker_threads(one_thread: bool) -> contextlib.AbstractContextManager:
    """The context a parallel worker fits in: torch pinned to one thread (in
    a worker process that owns a single thread) when ``one_thread``, else
    nothing changes.

    >>> with worker_threads(False):
    ...     pass
    """
    if not one_thread:
        return contextlib.nullcontext()
    from sklstm.neural._threads import resolve_n_threads, torch_threads

    return torch_threads(resolve_n_threads(None))
