"""Sphinx configuration for the sklstm documentation.

The API reference is generated from ``sklstm.__all__`` (and the public names of
``sklstm.datasets``, ``sklstm.metrics`` and ``sklstm.pipeline``) every build,
so a new estimator appears without editing any page: the page
``api/generated/index.rst`` is written here from
``_templates/api_index.rst.in`` before Sphinx reads the sources.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from pathlib import Path

from sklearn.base import RegressorMixin, TransformerMixin

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import sklstm  # noqa: E402

project = "sklstm"
author = "the sklstm developers"
copyright = "the sklstm developers"
release = sklstm.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store",
                    # included by accuracy.rst
                    "forecast_accuracy_results.rst", "forecast_accuracy_ablation.rst",
                    "forecast_accuracy_loss.rst"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"

html_theme = "alabaster"
html_static_path = []
html_theme_options = {
    "description": "LSTM time-series regression as a scikit-learn citizen",
    "fixed_sidebar": True,
}

autosummary_generate = True
# Members that sklstm's own bases give (fit and transform of every
# transformer) are documented; scikit-learn's (get_params, set_output) are not.
autodoc_default_options = {
    "members": True,
    "inherited-members": ",".join(
        ["TransformerMixin", "RegressorMixin", "MetaEstimatorMixin", "BaseEstimator"]
    ),
}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False


def _public(module, names):
    """``(name, object)`` for every name that ``module`` really provides."""
    return [(n, getattr(module, n)) for n in names if hasattr(module, n)]


def _section(title, module_name, entries, template=None):
    if not entries:
        return ""
    lines = [title, "-" * len(title), "", f".. currentmodule:: {module_name}", "",
             ".. autosummary::", "   :toctree: .", "   :nosignatures:"]
    if template:
        lines.append(f"   :template: {template}")
    lines.append("")
    lines += [f"   {name}" for name in sorted(entries)]
    return "\n".join(lines) + "\n\n"


def _api_listing() -> str:
    top = [(n, o) for n, o in _public(sklstm, sklstm.__all__) if not n.startswith("_")]
    classes = [(n, o) for n, o in top if inspect.isclass(o)]
    transformers = [n for n, o in classes if issubclass(o, TransformerMixin)]
    regressors = [n for n, o in classes
                  if issubclass(o, RegressorMixin) and n not in transformers]
    other_classes = [n for n, o in classes if n not in transformers + regressors]
    functions = [n for n, o in top if callable(o) and not inspect.isclass(o)]

    extra_modules = []
    for title, name in [("Functions on arrays", "sklstm.preprocessing"),
                        ("Forecasting", "sklstm.forecasting"),
                        ("Default pipeline", "sklstm.pipeline"),
                        ("Data sets", "sklstm.datasets"),
                        ("Metrics", "sklstm.metrics")]:
        try:
            extra_modules.append((title, importlib.import_module(name)))
        except ImportError:
            continue

    text = _section("Transformers", "sklstm", transformers, "class.rst")
    text += _section("Regressors and meta-regressors", "sklstm", regressors,
                     "class.rst")
    text += _section("Other classes", "sklstm", other_classes, "class.rst")
    text += _section("Functions", "sklstm", functions)
    for title, module in extra_modules:
        names = [n for n, _ in _public(module, getattr(module, "__all__", []))
                 if n not in dict(top)]
        text += _section(f"{title} (``{module.__name__}``)", module.__name__, names)
    return text


def _write_api_page() -> None:
    template = (HERE / "_templates" / "api_index.rst.in").read_text(encoding="utf-8")
    page = template.replace("@API_LISTING@", _api_listing())
    out = HERE / "api" / "generated" / "index.rst"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_text(encoding="utf-8") != page:
        out.write_text(page, encoding="utf-8")


_write_api_page()


def _skip_request_methods(app, what, name, obj, skip, options):
    """Hide metadata routing: ``set_*_request`` and ``get_metadata_routing``."""
    if (name.startswith("set_") and name.endswith("_request")) or (
            name == "get_metadata_routing"):
        return True
    return skip


#: ``name_`` followed by a comma, bracket or space: reST reads it as a link.
_TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?=[,)\]\s]|$)")
_TYPE_LINE = re.compile(r"^(\s*\*\*[^*]+\*\* : )(.*)$")


def _escape_attribute_names_in_types(app, what, name, obj, options, lines):
    """Escape fitted-attribute names (``span_``) in numpydoc type descriptions.

    numpydoc writes ``head_ : ndarray of shape (span_, n)`` as
    ``**head_** : ndarray of shape (span_, n)``, where reST takes ``span_`` for
    a hyperlink reference to a target that does not exist.
    """
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            lines[i] = match[1] + _TRAILING_UNDERSCORE.sub(r"\\_", match[2])


def setup(app):
    app.connect("autodoc-skip-member", _skip_request_methods)
    # after numpydoc (priority 500) has turned the sections into reST
    app.connect("autodoc-process-docstring", _escape_attribute_names_in_types,
                priority=900)
