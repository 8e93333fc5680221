"""The ``sklstm`` command: configure the forecaster from the data, compare it,
write a forecast.

Run ``sklstm --help`` for the options. With no arguments it forecasts the
last 18 months of the bundled airline series. The steps:

1. read the series (a bundled data set or ``--csv``), hold out its last
   ``--horizon`` steps;
2. fit :class:`~sklstm.LSTMForecaster` on the rest and print what it decided
   from the data (its ``config_``);
3. forecast the held-out steps with it and three baselines (seasonal naive,
   ridge on lag features, the naive LSTM recipe) and print MAE, RMSE, MASE
   and sMAPE;
4. refit the forecaster on all the data, forecast the next ``--horizon``
   steps, and write CSV files, the configuration and a plot to ``--out``.

The command is a thin shell over the library: the same forecaster, built the
same way, is what ``LSTMForecaster(horizon=H).fit(series)`` gives. A problem
with the input is one line on stderr and exit status 2.

Modules: ``_args`` (options, presets), ``_problem`` (the series and its
split), ``_experiment`` (fitting and comparing), ``_report`` (table, files,
plot), ``_panel`` (``--id``: one forecast per series of a long file).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from sklstm._errors import InputError
from sklstm.cli._args import build_parser

__all__ = [
    "MODEL_NAMES",
    "Problem",
    "build_parser",
    "format_table",
    "load_problem",
    "main",
    "run",
]

# The options are parsed before numpy, pandas, scikit-learn or torch load
# (``sklstm --help`` answers at once); these names load on first use.
_LAZY = {
    "MODEL_NAMES": "sklstm.cli._report",
    "Problem": "sklstm.cli._problem",
    "format_table": "sklstm.cli._report",
    "load_problem": "sklstm.cli._problem",
    "run": "sklstm.cli._experiment",
}

if TYPE_CHECKING:
    from sklstm.cli._experiment import run
    from sklstm.cli._problem import Problem, load_problem
    from sklstm.cli._report import MODEL_NAMES, format_table


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sklstm`` command and of ``python -m sklstm``."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from sklstm.cli._experiment import run  # the heavy imports start here

        return run(args)
    except InputError as exc:
        print(f"sklstm: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        # a configuration the data cannot support (too short, ...): the
        # library's messages already say what is wrong and how to fix it
        print(f"sklstm: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sklstm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
