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

The warm-up is the pool owner's code, not a run's: it runs in the zygote
(as the zygote's user, before any run exists), its objects are freed before
the freeze, and it changes no option a run could observe. A failing warm-up
is reported in the ``ready`` frame (``warmup_error``) and does not stop the
zygote. ``DEFAULT_WARMUP`` only uses what is installed.
"""

from __future__ import annotations

from typing import Final

__all__ = ("DEFAULT_WARMUP",)

#: Common DataFrame work: construction, groupby and named aggregation, merge,
#: sorting, ranking, CSV round trip, datetimes, printing; numpy reductions.
DEFAULT_WARMUP: Final = """\
try:
    import numpy as np
    import pandas as pd
except ImportError:
    pass
else:
    import io

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
"""
