"""The verdict on one run of an ``mlpred`` task, from the file it left behind.

The agent's code runs as it is (no wrapper: nothing it prints is trusted),
and the run's working-directory file named by the task comes back through
``ExecRequest.collect``. :func:`grade` scores it with :mod:`.scoring`:

* prediction: the metric over every held-out stay; ``correct`` when the file
  is complete and valid and the metric reaches the task's threshold; the
  reward (``Verdict.score``) is the metric itself, complete file or not;
* hourly features and labels: ``correct`` when every row matches; the reward
  is the share of rows that match.

A reason tells the model what was wrong with the file and whether the
threshold was reached, never the score on the hidden labels (a score shown
after every run would let repeated submissions probe the held-out labels).

:func:`trivial_codes` lists the data-free submissions every task must fail
(``arollout tasks check``), beyond the framework's own: constant, all-zero and
seeded random predictions, the id's own rank, the training prevalence, one
row only, the training stays instead of the held-out ones, a printed fake
score, the majority class; header-only and all-zero feature files; constant
labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from arollout.tasks.base import Program, Verdict
from arollout.tasks.grading import Trivial
from arollout.tasks.mlpred import scoring
from sandboxes.api import ExecStatus

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from sandboxes.api import ExecResult

__all__ = ("CLASSES", "OUTPUT", "grade", "program", "trivial_codes")

OUTPUT: Final = {"predict": "predictions.csv", "hourly": "features.csv", "labels": "labels.csv"}
"""The file each kind of task must write."""

CLASSES: Final = ("died", "facility", "home")


def program(task: Task, code: str) -> Program:
    """The run of a submission: the code itself, with the task's output file collected."""
    return Program(code=code, collect=(OUTPUT[task.meta["kind"]],))


def _class(text: str) -> str | None:
    value = text.strip().strip("'\"").lower()
    return value if value in CLASSES else None


def _binary(text: str) -> int | None:
    value = text.strip().lower()
    if value in ("1", "1.0", "true"):
        return 1
    if value in ("0", "0.0", "false"):
        return 0
    return None


def _status_note(result: ExecResult) -> str:
    if result.status is ExecStatus.OK:
        return ""
    return f" (the run ended with {result.status.value})"


def _incomplete(problems: list[str], result: ExecResult) -> str:
    return "; ".join(problems[: scoring.MAX_LISTED]) + _status_note(result)


def grade(task: Task, result: ExecResult) -> Verdict:
    """The verdict on a finished run (any status) of ``task``."""
    if result.status is ExecStatus.SANDBOX_ERROR:
        return Verdict(correct=False, reason=f"the sandbox failed: {result.error}", score=0.0)
    meta: dict[str, Any] = task.meta
    kind = meta["kind"]
    data = result.files.get(OUTPUT[kind])
    if kind == "predict":
        return _grade_prediction(meta, data, result)
    if kind == "hourly":
        score, problems = scoring.compare_features(data, meta["gold"], 1e-6, 1e-4)
        if problems:
            return Verdict(correct=False, reason=_incomplete(problems, result), score=score)
        return Verdict(correct=True, reason="every feature row matches", score=1.0)
    parse = _binary if all(isinstance(g, int) for g in meta["gold"]) else _class
    parsed = scoring.read_values(data, "labels.csv", "label", meta["ids"], parse)
    score = scoring.accuracy(meta["ids"], meta["gold"], parsed.values)
    if parsed.problems:
        return Verdict(correct=False, reason=_incomplete(parsed.problems, result), score=score)
    if score < 1.0:
        return Verdict(
            correct=False, reason="the file is complete but some labels are wrong", score=score
        )
    return Verdict(correct=True, reason="every label is right", score=1.0)


def _grade_prediction(meta: dict[str, Any], data: bytes | None, result: ExecResult) -> Verdict:
    ids, labels, mark = meta["heldout"], meta["labels"], float(meta["threshold"])
    if meta["metric"] == "auroc":
        parsed = scoring.read_values(
            data, "predictions.csv", "probability", ids, scoring.probability
        )
        score = scoring.worst_case_auroc(ids, labels, parsed.values)
        metric = "AUROC"
    else:
        parsed = scoring.read_values(data, "predictions.csv", "label", ids, _class)
        score = scoring.accuracy(ids, labels, parsed.values)
        metric = "accuracy"
    if parsed.problems:
        why = _incomplete(parsed.problems, result)
        return Verdict(
            correct=False, reason=f"{why}; every held-out stay needs one valid row", score=score
        )
    if score < mark:
        return Verdict(
            correct=False,
            reason=f"the predictions are complete, but the held-out {metric} is below {mark:.2f}",
            score=score,
        )
    return Verdict(correct=True, reason=f"the held-out {metric} reaches {mark:.2f}", score=score)


# -- data-free submissions ---------------------------------------------------------------

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
