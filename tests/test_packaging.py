"""What the installed distribution says about itself, and the typing marker."""

from __future__ import annotations

import configparser
import importlib.metadata
from importlib import resources
from pathlib import Path

import pytest

import sklstm

SETUP_CFG = Path(__file__).resolve().parents[1] / "setup.cfg"


def test_metadata_names_the_authors():
    meta = importlib.metadata.metadata("sklstm")
    assert meta["Name"] == "sklstm"
    assert meta["Version"] == sklstm.__version__
    assert meta["Author"] == "The sklstm developers"
    assert meta["Maintainer"] == "The sklstm developers"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert meta["Keywords"] and "lstm" in meta["Keywords"]


def test_py_typed_ships_in_the_package():
    marker = resources.files("sklstm") / "py.typed"
    assert marker.is_file()


@pytest.mark.skipif(not SETUP_CFG.is_file(), reason="not run from a source tree")
def test_py_typed_is_package_data():
    cfg = configparser.ConfigParser()
    cfg.read(SETUP_CFG)
    assert "py.typed" in cfg["options.package_data"]["sklstm"]


# --------------------------------------------------------------- type hints
#: Signatures another change is rewriting (sample_weight, callbacks); they get
#: their annotations with it.
NOT_YET: set[str] = set()
TYPED_MODULES = ["sklstm.preprocessing", "sklstm.compose", "sklstm.forecasting",
                 "sklstm.metrics", "sklstm.datasets", "sklstm.pipeline", "sklstm"]
METHODS = ("__init__", "fit", "predict", "transform", "fit_transform",
           "inverse_transform")


def _public_signatures():
    import importlib
    import inspect

    seen = {}
    for module_name in TYPED_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                for method in METHODS:
                    func = getattr(obj, method, None)
                    if (inspect.isfunction(func)
                            and func.__module__.startswith("sklstm")):
                        seen[f"{name}.{method}"] = func
            elif inspect.isfunction(obj):
                seen[name] = obj
    return seen


def _hint_namespace(func):
    """The module's names plus what it imports under TYPE_CHECKING."""
    import collections.abc
    import sys
    import typing

    import sklstm._typing

    ns = {**vars(collections.abc), **vars(typing), **vars(sklstm._typing)}
    ns.update(vars(sys.modules[func.__module__]))
    return ns


SIGNATURES = _public_signatures()


@pytest.mark.parametrize(
    "qualname", sorted(q for q in SIGNATURES if q not in NOT_YET)
)
def test_public_signature_is_annotated(qualname):
    import inspect
    import typing

    func = SIGNATURES[qualname]
    sig = inspect.signature(func)
    bare = [p.name for p in sig.parameters.values()
            if p.name not in ("self", "cls") and p.annotation is p.empty]
    if sig.return_annotation is sig.empty:
        bare.append("return")
    assert bare == [], f"{qualname}: annotate {bare} (py.typed promises hints)"
    typing.get_type_hints(func, globalns=_hint_namespace(func))  # names resolve
