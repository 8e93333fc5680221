"""The documentation: its examples run, and the API page lists every public name."""

import doctest
import importlib.util
from pathlib import Path

import pytest

import sklstm

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.rst") if ">>>" in p.read_text())


def test_pages_with_examples_are_found():
    assert {"quickstart.rst", "why_inaccurate.rst", "datasets.rst"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_examples_in_page_run(page):
    result = doctest.testfile(
        str(DOCS / page), module_relative=False, report=True, verbose=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) of {page} failed"


def _conf():
    spec = importlib.util.spec_from_file_location("sklstm_docs_conf", DOCS / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_page_lists_every_public_name():
    listing = _conf()._api_listing()
    entries = {line.strip() for line in listing.splitlines()
               if line.startswith("   ") and not line.strip().startswith(":")}
    public = {name for name in sklstm.__all__ if not name.startswith("_")}
    assert public <= entries, f"missing from the API page: {public - entries}"
    for name in ("load_airline", "mase", "make_lstm_pipeline"):
        assert name in entries


def test_user_guide_covers_every_cause():
    text = (DOCS / "why_inaccurate.rst").read_text()
    for cause in ("Gaps", "Outliers", "Scale", "Missing lags", "Trend", "Seasonality",
                  "Overfitting", "Learning rate", "No early stopping",
                  "Negative outputs"):
        assert f"\n{cause}\n" in text, cause
