"""Data-free submissions every ``mlpred`` task must fail (``arollout tasks check``).

Beyond the framework's own (constants printed, empty code, early exits,
every answer of a category), these write the task's file in ways that use
no signal: constant, all-zero and seeded random predictions, the id's own
rank, the training prevalence, one row only, predictions for the training
stays instead of the held-out ones, a printed fake score, the majority
class; empty and header-only feature files; constant labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from arollout.tasks.grading import Trivial

if TYPE_CHECKING:
    from arollout.tasks.base import Task

__all__ = ("trivial_codes",)

_WRITE = (
    "import csv, random\n"
    "ids = [int(r['icustay_id']) for r in csv.DictReader(open({heldout!r}))]\n"
    "with open('predictions.csv', 'w', newline='') as fh:\n"
    "    out = csv.writer(fh)\n"
    "    out.writerow(['icustay_id', {column!r}])\n"
    "    for n, i in enumerate(ids):\n"
    "        out.writerow([i, {value}])\n"
)


def _predictions(task: Task) -> list[Trivial]:
    heldout, train = task.meta["heldout_path"], task.meta["train_path"]
    if task.meta["metric"] == "auroc":
        values = {
            "constant 0.5": "0.5",
            "all zero": "0.0",
            "seeded random": "random.Random(n).random()",
            "the id's rank": "n / len(ids)",
            "the id itself, scaled": "(i % 1000) / 1000",
        }
        column = "probability"
    else:
        values = {
            "majority class 'home'": "'home'",
            "always 'died'": "'died'",
            "seeded random class": "random.Random(n).choice(['died', 'facility', 'home'])",
        }
        column = "label"
    out = [
        Trivial(f"predictions: {label}", _WRITE.format(heldout=heldout, column=column, value=v))
        for label, v in values.items()
    ]
    first = "0.9" if column == "probability" else "'home'"
    out += [
        Trivial(
            "a single row",
            f"import csv\nids = [r['icustay_id'] for r in csv.DictReader(open({heldout!r}))]\n"
            f"open('predictions.csv', 'w').write('icustay_id,{column}\\n' + ids[0] + ',' + str({first}) + '\\n')\n",
        ),
        Trivial(
            "the training labels instead of held-out predictions",
            f"import csv\nrows = list(csv.DictReader(open({train!r})))\n"
            f"with open('predictions.csv', 'w', newline='') as fh:\n"
            f"    out = csv.writer(fh)\n    out.writerow(['icustay_id', {column!r}])\n"
            f"    out.writerows([r['icustay_id'], r['label']] for r in rows)\n",
        ),
        Trivial("printing a perfect score", "print('AUROC: 1.0')\nprint('accuracy 1.0')", None),
    ]
    if column == "probability":
        out.append(
            Trivial(
                "the training prevalence for everyone",
                f"import csv\nlabels = [int(r['label']) for r in csv.DictReader(open({train!r}))]\n"
                f"p = sum(labels) / len(labels)\n"
                + _WRITE.format(heldout=heldout, column=column, value="p").replace(
                    "import csv, random\n", ""
                ),
            )
        )
    return out


def _labels(task: Task) -> list[Trivial]:
    ids: list[int] = task.meta["ids"]
    gold: list[Any] = task.meta["gold"]
    constants = ("home", "died", "facility") if isinstance(gold[0], str) else (0, 1)
    return [
        Trivial(
            f"every label {value!r}",
            "rows = ['icustay_id,label'] + [f'{i},{v}' for i in "
            + repr(ids)
            + f" for v in [{value!r}]]\nopen('labels.csv', 'w').write('\\n'.join(rows) + '\\n')\n",
        )
        for value in constants
    ]


def _features(task: Task) -> list[Trivial]:
    ids: list[int] = task.meta["ids"]
    hours: int = task.meta["hours"]
    variable: str = task.meta["variables"][0]
    return [
        Trivial(
            "header-only features.csv",
            "open('features.csv', 'w').write('icustay_id,hour,variable,value\\n')\n",
        ),
        Trivial(
            "a zero for every stay and hour",
            "rows = ['icustay_id,hour,variable,value'] + [f'{i},{h},"
            + variable
            + ",0' for i in "
            + repr(ids)
            + f" for h in range({hours})]\nopen('features.csv', 'w').write('\\n'.join(rows) + '\\n')\n",
        ),
    ]


def trivial_codes(task: Task) -> list[Trivial]:
    """The suite's own data-free submissions for ``task``."""
    kind = task.meta["kind"]
    if kind == "predict":
        return _predictions(task)
    if kind == "labels":
        return _labels(task)
    return _features(task)
