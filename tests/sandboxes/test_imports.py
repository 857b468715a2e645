"""The import scan that chooses between a slot's lean and full zygote."""

from __future__ import annotations

import keyword

from hypothesis import given, strategies as st

from sandboxes.imports import imported_roots, lean_enough

_IDENT = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s not in ("import", "from", "as")
)
_DOTTED = st.lists(_IDENT, min_size=1, max_size=3).map(".".join)


def test_plain_and_from_imports():
    code = (
        "import numpy as np, pandas\n"
        "from scipy.stats import ttest_ind\n"
        "import os.path\n"
        "x = 1; import json\n"
        "def f():\n"
        "    from collections import (\n"
        "        Counter,\n"
        "    )\n"
    )
    assert imported_roots(code) == {"numpy", "pandas", "scipy", "os", "json", "collections"}


def test_no_import_at_all():
    assert imported_roots("print(1 + 1)") == frozenset()
    assert imported_roots("important = 3\nprint(important)") == frozenset()


def test_dynamic_and_relative_imports_are_unknown():
    assert imported_roots("m = __import__('scipy')") is None
    assert imported_roots("import importlib\nimportlib.import_module('sklearn')") is None
    assert imported_roots("from . import sibling") is None
    assert imported_roots("from .pkg import x") is None


def test_text_in_strings_and_comments_counts():
    # An over-approximation: it can only send a run to the bigger zygote.
    assert "sklearn" in (imported_roots("# later: import sklearn\nprint(1)") or ())
    assert "statsmodels" in (imported_roots("s = 'import statsmodels'") or ())


@given(st.lists(st.tuples(_DOTTED, st.booleans(), st.booleans()), min_size=1, max_size=6))
def test_generated_import_statements(stmts):
    lines, want = [], set()
    for name, use_from, alias in stmts:
        want.add(name.split(".")[0])
        if use_from:
            lines.append(f"from {name} import thing")
        else:
            lines.append(f"import {name}" + (" as alias_" if alias else ""))
    assert imported_roots("\n".join(lines) + "\n") == want


def test_lean_enough():
    have = frozenset({"numpy", "pandas", "dateutil"})
    assert lean_enough("import pandas as pd\nimport json, re", "python", have)
    assert not lean_enough("import pandas\nfrom scipy import stats", "python", have)
    assert not lean_enough("import lifelines", "python", have)  # may pull in scipy
    assert not lean_enough("__import__('numpy')", "python", have)
    assert lean_enough("python3 -c 'import scipy'", "shell", have)
