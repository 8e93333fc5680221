"""The command's options, and the settings of the bundled data sets."""

from __future__ import annotations

import argparse

from sklstm._errors import InputError

__all__ = ["UsageError", "build_parser", "check_options"]


class UsageError(InputError):
    """A bad combination of options."""


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    from sklstm.datasets import DATASETS

    parser = argparse.ArgumentParser(
        prog="sklstm",
        description=(
            "Forecast a time series with sklstm's LSTM forecaster, which\n"
            "configures itself from the data (seasons, log or not, lookback,\n"
            "network size): compare it on a held-out tail with a seasonal-naive\n"
            "forecast, a ridge regression on lags and the naive LSTM recipe,\n"
            "then write the forecast (CSV, PNG). With no arguments, runs on the\n"
            "bundled airline-passengers series."
        ),
        epilog=(
            "examples:\n"
            "  sklstm\n"
            "  sklstm --dataset co2 --out co2-run\n"
            "  sklstm --csv sales.csv --target units --time date --horizon 12\n"
            "  sklstm --csv long.csv --target sales --time date --id store\n"
            "  sklstm --csv long.csv --target sales --time date --id store --global\n"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset", choices=sorted(DATASETS), default=None,
        help="a bundled series (default: airline, unless --csv is given)",
    )
    data.add_argument("--csv", metavar="PATH", help="read the series from a CSV file")
    data.add_argument("--target", metavar="COL", help="the CSV column to forecast")
    data.add_argument(
        "--time", metavar="COL",
        help="the CSV column of time stamps (default: the first column if it holds "
        "dates, else row numbers)",
    )
    data.add_argument(
        "--id", metavar="COL",
        help="the CSV column naming the series of a long file (one row per "
        "series and time step): one forecaster per series, each evaluated on "
        "its last --horizon rows and forecast from its own end; needs --time",
    )
    data.add_argument(
        "--date-format", metavar="FMT",
        help="the strftime format of the time stamps, e.g. %%d.%%m.%%Y (default: "
        "inferred; where day and month could swap, the reading with a regular "
        "step, else day first for dotted dates and month first for the rest)",
    )
    data.add_argument(
        "--features", nargs="+", metavar="COL", default=[],
        help="CSV columns known only up to now (past covariates): the networks "
        "read their recent values beside the target's",
    )
    data.add_argument(
        "--future", nargs="+", metavar="COL", default=[],
        help="CSV columns known in advance (a price plan, a law, promotions): "
        "their values for the forecast are read from the rows after the last "
        "target value, one per step of --horizon",
    )
    data.add_argument(
        "--calendar", action="store_true",
        help="add calendar terms generated from the time stamps (month, day of "
        "week, hour, as the time step allows), known in advance",
    )
    model = parser.add_argument_group("forecast")
    model.add_argument(
        "--horizon", type=int, metavar="H",
        help="steps to forecast; also the length of the held-out tail (default: "
        "by the time step, as in the M4 competition: 6 yearly, 8 quarterly, 18 "
        "monthly, 13 weekly, 14 daily, 48 hourly; a day of sub-hourly steps; "
        "else a tenth of the rows)",
    )
    model.add_argument(
        "--season", type=float, nargs="+", metavar="M",
        help="seasonal period(s) in steps, used as given (default: from the time "
        "step, kept where the autocorrelation confirms them)",
    )
    model.add_argument(
        "--no-season", action="store_true",
        help="remove no seasonal component",
    )
    model.add_argument(
        "--lookback", type=int, metavar="L",
        help="rows per LSTM window (default: a season or cycle, varied across the "
        "ensemble)",
    )
    model.add_argument(
        "--members", type=int, metavar="N", default=5,
        help="LSTMs in the ensemble (default: 5)",
    )
    model.add_argument(
        "--global", dest="global_model", action="store_true",
        help="with --id: one ensemble trained on all series together (each "
        "series still gets its own season, log and scale) instead of one "
        "forecaster per series",
    )
    model.add_argument(
        "--windows", type=int, metavar="N", default=None,
        help="held-out forecast origins, about H/N rows apart, each model "
        "refitted at each (default: 3, fewer when the series is short; with "
        "--id, 1 per series)",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "--out", metavar="DIR", default="sklstm-output",
        help="where to write forecast.csv, holdout.csv, metrics.csv, config.txt "
        "and forecast.png (default: ./sklstm-output)",
    )
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run.add_argument(
        "--n-jobs", type=int, default=None, metavar="N",
        help="networks trained in parallel processes (default: up to 2)",
    )
    run.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    # small and fast settings, for tests and smoke runs
    run.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    return parser


def check_options(args) -> None:
    """Reject bad values and combinations with a one-line UsageError."""
    for option in ("horizon", "lookback", "members", "n_jobs", "windows"):
        value = getattr(args, option, None)
        if value is not None and value < 1:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} must be a positive integer, got {value}.")
    if args.season is not None:
        if args.no_season:
            raise UsageError("pass either --season or --no-season, not both.")
        bad = [m for m in args.season if not m >= 2]
        if bad:
            raise UsageError(
                f"--season periods must be at least 2 steps, got {bad[0]:g}."
            )
    if args.csv is not None:
        if args.dataset is not None:
            raise UsageError("pass either --dataset or --csv, not both.")
        if not args.target:
            raise UsageError("--csv needs --target COL, the column to forecast.")
    elif args.target or args.time or getattr(args, "date_format", None):
        raise UsageError("--target and --time go with --csv, as does --date-format.")
    features = list(getattr(args, "features", []) or [])
    future = list(getattr(args, "future", []) or [])
    if getattr(args, "id", None) is not None:
        if args.csv is None:
            raise UsageError("--id names the series column of a long --csv file.")
        if not args.time:
            raise UsageError("--id needs --time COL, the time-stamp column.")
    elif getattr(args, "global_model", False):
        raise UsageError("--global trains one model across the series of a long "
                         "file: it needs --id COL.")
    if (features or future) and args.csv is None:
        raise UsageError("--features and --future name columns of a --csv file.")
    both = sorted(set(features) & set(future))
    if both:
        raise UsageError(
            f"column(s) {both} are in both --features and --future; a covariate "
            "is either known in advance (--future) or not (--features)."
        )
    for option, names in (("--features", features), ("--future", future)):
        repeated = sorted({c for c in names if names.count(c) > 1})
        if repeated:
            raise UsageError(f"{option} names {repeated} more than once.")
