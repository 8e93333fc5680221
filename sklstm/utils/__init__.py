"""Shared helpers: input checks, remembered history, panels, the estimator registry."""

from sklstm.utils._history import History, extend_with_history, record_history
from sklstm.utils._panel import is_panel, to_panel
from sklstm.utils._validation import check_numeric_input
from sklstm.utils.discovery import all_estimators

__all__ = [
    "History",
    "all_estimators",
    "check_numeric_input",
    "extend_with_history",
    "is_panel",
    "record_history",
    "to_panel",
]
