"""Importing sklstm's light parts, or asking the command for help, does not
load torch or skorch: they load when the neural part is first used."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "skorch")


def _loaded_after(code: str, heavy=HEAVY) -> list[str]:
    """The modules of ``heavy`` in ``sys.modules`` after running ``code`` afresh."""
    probe = (f"{code}\nimport sys\n"
             f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        timeout=300,
    )
    return eval(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module",
    ["sklstm", "sklstm.preprocessing", "sklstm.metrics", "sklstm.datasets",
     "sklstm.compose", "sklstm.utils", "sklstm.forecasting", "sklstm.cli",
     "sklstm.pipeline"],
)
def test_light_import_leaves_torch_out(module):
    assert _loaded_after(f"import {module}") == []


def test_light_parts_together_leave_torch_out():
    code = ("import sklstm.preprocessing, sklstm.metrics, sklstm.datasets, "
            "sklstm.compose\nimport sklstm\n"
            "sklstm.Differencer, sklstm.ConstrainedRegressor, sklstm.LSTMForecaster")
    assert _loaded_after(code) == []


def test_help_does_not_import_torch():
    # nor what the command needs only once it runs: the options come first
    code = (
        "import runpy, sys, contextlib, io\n"
        "sys.argv = ['sklstm', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()) as text:\n"
        "    try:\n"
        "        runpy.run_module('sklstm', run_name='__main__', alter_sys=True)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "assert 'usage: sklstm' in text.getvalue(), text.getvalue()"
    )
    assert _loaded_after(code, (*HEAVY, "sklearn", "pandas")) == []


def test_neural_names_load_on_first_use():
    code = ("import sklstm\nassert 'torch' not in __import__('sys').modules\n"
            "from sklstm import LSTMRegressor\n"
            "assert LSTMRegressor.__module__ == 'sklstm.neural._regressor'")
    assert _loaded_after(code) == ["skorch", "torch"]


def test_namespace_is_complete():
    import sklstm

    assert set(sklstm.__all__) <= set(dir(sklstm))
    for name in sklstm.__all__:
        assert getattr(sklstm, name) is not None
    with pytest.raises(AttributeError, match="module 'sklstm' has no attribute 'nope'"):
        sklstm.nope  # noqa: B018
