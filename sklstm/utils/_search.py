"""Searches that cannot work on time-ordered rows, refused with the fix.

``HalvingGridSearchCV`` and ``HalvingRandomSearchCV`` spend their budget in
rows by default (``resource="n_samples"``): each early round fits on a random
sample of the training rows. Rows here are time steps, so a random sample has
no past to lag, difference or window over: an LSTM trained on it learns from
a shuffled series (numpy input), and a time index comes out of order (pandas
input). The epochs are the resource that fits a network:
``resource="...__max_epochs"``.
"""

from __future__ import annotations

import sys

__all__ = ["refuse_row_sampling_search"]

#: How far up the call stack the search is looked for; a fit inside a
#: pipeline inside a meta-estimator inside the search is about 25 frames deep.
_MAX_DEPTH = 80


def _is_halving_search(obj) -> bool:
    return any(c.__name__ == "BaseSuccessiveHalving" for c in type(obj).__mro__)


def refuse_row_sampling_search(owner: str) -> None:
    """Raise if a successive-halving search that samples rows is fitting us.

    Looks for the search among the callers (the search runs its fits in this
    process when ``n_jobs`` is None or 1, its default). With parallel workers
    the search is not on their stack; the docs' "Tuning" section says why the
    resource must be the epochs.

    Raises
    ------
    ValueError
        Naming ``owner`` and the ``resource`` to use instead.
    """
    frame = sys._getframe(1)
    for _ in range(_MAX_DEPTH):
        if frame is None:
            return
        search = frame.f_locals.get("self")
        if (search is not None and _is_halving_search(search)
                and getattr(search, "resource", None) == "n_samples"):
            name = type(search).__name__
            raise ValueError(
                f"{owner}: {name} with resource='n_samples' (its default) fits on "
                "random samples of the rows, but rows here are time steps, which "
                "a sample puts out of order. Spend the budget in epochs instead: "
                f"{name}(..., resource='<lstm step>__max_epochs', max_resources="
                "<epochs>), e.g. resource='regressor__lstm__max_epochs' for "
                "make_lstm_pipeline, or resource='max_epochs' for an LSTMRegressor."
            )
        frame = frame.f_back
