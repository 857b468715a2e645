"""What a zygote runs once after its preload, before it freezes its heap.

Importing a module does not finish its initialisation: pandas and numpy
build caches, import submodules and intern strings the first time a
DataFrame is made, grouped, printed or parsed. Without a warm-up every run
does that work again in its own forked copy, and each page it writes is a
copy-on-write fault (a run is a fork of the zygote). Doing it once in the
zygote makes it shared and read-only for every run: on a 2-core VM with the
default preload, the pandas benchmark snippet's copy-on-write faults fell
from ~1,550 to ~1,350 per run and its process' CPU from ~15.8 to ~14.0 ms
(fork loop of a preloaded interpreter, side by side).

The cost: what the warm-up imports on first use stays in the zygote. With
the default preload, the default warm-up takes the zygote's anonymous memory
from ~123 to ~134 MB (most of it ``sklearn.linear_model``, ``scipy.optimize``
and what they import) and its boot from ~2.4 to ~3.0 s; each fork copies the
page tables of that memory too. ``warmup=""`` opts out.

The warm-up is the pool owner's code, not a run's: it runs in the zygote
(as the zygote's user, before any run exists), its objects are freed before
the freeze, and it changes no option a run could observe. A failing warm-up
is reported in the ``ready`` frame (``warmup_error``) and does not stop the
zygote. ``DEFAULT_WARMUP`` only exercises the modules the zygote preloaded.
"""

from __future__ import annotations

from typing import Final

__all__ = ("DEFAULT_WARMUP",)

#: Common DataFrame work (construction, groupby and named aggregation, merge,
#: sorting, ranking, CSV round trip, datetimes, printing), numpy reductions,
#: an in-memory SQLite query read by pandas, the usual scipy.stats tests, a
#: statsmodels OLS fit and a scikit-learn logistic regression: each part only
#: where the zygote preloaded its module, so that a lean zygote (numpy and
#: pandas only) does not import the rest on first use. A run that fits that regression took 183-215 ms without a
#: warm-up and 80-85 ms with this one (``sklearn.linear_model`` and what it
#: imports on first use; 2-core VM, medians of 12, alternated).
DEFAULT_WARMUP: Final = """\
import sys

if "numpy" in sys.modules and "pandas" in sys.modules:
    import io

    import numpy as np
    import pandas as pd

    df = pd.DataFrame(
        {"k": np.arange(300) % 7, "v": np.linspace(0.0, 1.0, 300), "s": ["a", "b", "c"] * 100}
    )
    g = df.groupby("k").agg(v_mean=("v", "mean"), n=("s", "size"))
    df.groupby("s").v.sum()
    df.groupby("k").v.mean().sum()
    m = df.merge(g, left_on="k", right_index=True).sort_values("v")
    m["r"] = m.v.rank()
    text = m.head().to_string() + repr(df.describe()) + str(df.v.mean())
    back = pd.read_csv(io.StringIO(df.to_csv(index=False)))
    back.loc[back.v > 0.5, "s"].value_counts()
    pd.to_datetime(pd.Series(["2020-01-01", "2021-06-30"])).dt.year
    np.percentile(df.v.to_numpy(), [5, 50, 95])
    np.sort(df.v.to_numpy())
    if "sqlite3" in sys.modules:
        import sqlite3

        con = sqlite3.connect(":memory:")
        con.execute("create table t (a int, b real, c text)")
        con.executemany("insert into t values (?, ?, ?)", [(i, i * 0.5, "x") for i in range(50)])
        pd.read_sql_query("select a % 5 as k, avg(b) as m, count(*) as n from t group by k", con)
        con.close()
    x = np.arange(30.0)
    if "scipy.stats" in sys.modules:
        from scipy import stats

        stats.ttest_ind(x, x + 1)
        stats.mannwhitneyu(x, x + 1)
        stats.pearsonr(x, x * 2 + 1)
        stats.chi2_contingency([[10, 20], [30, 40]])
        stats.fisher_exact([[1, 2], [3, 4]])
    if "statsmodels.api" in sys.modules:
        import statsmodels.api as sm

        sm.OLS(x * 2 + np.sin(x), sm.add_constant(x)).fit().params
    if "sklearn" in sys.modules:
        from sklearn.linear_model import LogisticRegression

        X = np.arange(40.0).reshape(20, 2)
        LogisticRegression().fit(X, (X[:, 0] > 20).astype(int)).predict_proba(X)
"""
