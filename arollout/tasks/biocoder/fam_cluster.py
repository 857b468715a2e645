"""Distance-based trees: hierarchical clustering (UPGMA and kin) and neighbour joining.

UPGMA and WPGMA (Sokal & Michener 1958), single and complete linkage;
neighbour joining (Saitou & Nei 1987, Mol Biol Evol 4:406) with the branch
length and distance updates of Studier & Keppler 1988 (Mol Biol Evol 5:729).
Test matrices are real-valued (no ties) except for cases built to tie
exactly, so every implementation that follows the rules agrees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.fam_phylo import random_tree_matrix
from arollout.tasks.biocoder.family import Case, Family, bullets

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES",)

_LINKAGES: Final = {
    "upgma": "the size-weighted mean d(k, i) * n_i / (n_i + n_j) + d(k, j) * n_j / (n_i + n_j) (UPGMA; n_i is the number of labels in cluster i)",
    "wpgma": "the plain mean (d(k, i) + d(k, j)) / 2 (WPGMA)",
    "single": "the minimum of d(k, i) and d(k, j) (single linkage)",
    "complete": "the maximum of d(k, i) and d(k, j) (complete linkage)",
}


def _cluster_describe(p: Params) -> str:
    height = "half the distance of the merged pair (d / 2)" if p["height"] == "half" else "the distance of the merged pair"
    return bullets(
        "Cluster the items `labels` hierarchically from the symmetric distance matrix `matrix`.",
        [
            "`matrix` is a list of n lists of n floats (matrix[i][j] is the distance between "
            "labels[i] and labels[j]); a shape that does not match `labels` raises ValueError.",
            "Start with one cluster per label. Repeatedly merge the two clusters at the smallest "
            "distance; on ties, merge the pair whose (smaller sorted-label tuple, larger sorted-label "
            "tuple) is lexicographically smallest.",
            f"The distance from any other cluster k to the merged cluster is {_LINKAGES[p['linkage']]}.",
            f"Record each merge as (sorted list of the merged cluster's labels, height), where the "
            f"height is {height}.",
            "Return the list of the n - 1 merges in order (empty for n <= 1).",
        ],
    )


_CLUSTER_BODY = """
def cluster(matrix: list, labels: list) -> list:
    n = len(labels)
    if len(matrix) != n or any(len(row) != n for row in matrix):
        raise ValueError("matrix shape does not match labels")
    clusters = {i: (tuple(sorted([labels[i]])), 1) for i in range(n)}
    dist = {(i, j): float(matrix[i][j]) for i in range(n) for j in range(n) if i != j}
    merges = []
    next_id = n
    while len(clusters) > 1:
        best = None
        for i in clusters:
            for j in clusters:
                if i >= j:
                    continue
                a, b = sorted((clusters[i][0], clusters[j][0]))
                key = (dist[(i, j)], a, b)
                if best is None or key < best[0]:
                    best = (key, i, j)
        (d, _, _), i, j = best
        (li, ni), (lj, nj) = clusters.pop(i), clusters.pop(j)
        new = next_id
        next_id += 1
        for k in clusters:
            dik, djk = dist[(k, i)], dist[(k, j)]
            if LINKAGE == "upgma":
                value = dik * ni / (ni + nj) + djk * nj / (ni + nj)
            elif LINKAGE == "wpgma":
                value = (dik + djk) / 2
            elif LINKAGE == "single":
                value = min(dik, djk)
            else:
                value = max(dik, djk)
            dist[(k, new)] = dist[(new, k)] = value
        labels_new = tuple(sorted(li + lj))
        clusters[new] = (labels_new, ni + nj)
        merges.append((list(labels_new), d / 2 if HEIGHT == "half" else d))
    return merges
"""


def _tie_matrix() -> tuple[list[list[float]], list[str]]:
    labels = ["D", "B", "A", "C"]
    m = [[0.0, 2.0, 2.0, 4.0], [2.0, 0.0, 2.0, 4.0], [2.0, 2.0, 0.0, 4.0], [4.0, 4.0, 4.0, 0.0]]
    return m, labels


def _cluster_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("no labels", ([], [])),
        Case("one label", ([[0.0]], ["X"])),
        Case("two labels", ([[0.0, 3.0], [3.0, 0.0]], ["b", "a"])),
        Case("shape mismatch", ([[0.0, 1.0]], ["a", "b"])),
        Case("exact ties", _tie_matrix()),
        Case(
            "tie between disjoint pairs",
            ([[0.0, 5.0, 5.0, 1.0], [5.0, 0.0, 1.0, 5.0], [5.0, 1.0, 0.0, 5.0], [1.0, 5.0, 5.0, 0.0]], ["A", "B", "C", "D"]),
        ),
    ]
    cases.extend(Case(f"random matrix #{i + 1}", random_tree_matrix(rng, rng.randint(3, 8))) for i in range(7))
    return cases


CLUSTER = Family(
    name="upgma_clustering",
    topic="phylogenetics",
    func="cluster",
    signature="(matrix: list[list[float]], labels: list[str]) -> list[tuple[list[str], float]]",
    dims={"linkage": tuple(_LINKAGES), "height": ("half", "full")},
    describe=_cluster_describe,
    body=_CLUSTER_BODY,
    cases=_cluster_cases,
    examples=lambda p: [([[0.0, 2.0, 6.0], [2.0, 0.0, 5.0], [6.0, 5.0, 0.0]], ["A", "B", "C"])],
    mutants=(("key = (dist[(i, j)], a, b)", "key = (dist[(i, j)], b, a)"),),
    cite="Sokal & Michener 1958",
)


def _nj_describe(p: Params) -> str:
    out = (
        "Return the patristic distance matrix of the tree: entry [i][j] is the sum of the branch "
        "lengths on the path between labels[i] and labels[j] (a list of lists of floats, 0.0 on "
        "the diagonal)."
        if p["output"] == "patristic"
        else "Return the total tree length: the sum of all branch lengths (a float)."
    )
    neg = (
        "Negative branch lengths are kept as computed."
        if p["negative"] == "keep"
        else "A negative branch length is replaced by 0.0 when it is computed (the distance update still uses the unclamped formula)."
    )
    return bullets(
        "Build the neighbour-joining tree of the distance matrix `matrix` over `labels`.",
        [
            "`matrix` is a symmetric n x n list of lists of floats matching `labels` (otherwise raise ValueError); n >= 2.",
            "While r > 2 nodes remain: with R_i the sum of row i over the remaining nodes, join "
            "the pair (i, j) minimising Q(i, j) = (r - 2) * d(i, j) - R_i - R_j into a new node u "
            "with branch lengths d(i, u) = d(i, j) / 2 + (R_i - R_j) / (2 * (r - 2)) and "
            "d(j, u) = d(i, j) - d(i, u); then d(u, k) = (d(i, k) + d(j, k) - d(i, j)) / 2.",
            "Ties in Q go to the pair that comes first in node order (i before j), where the "
            "nodes are ordered as `labels`, each new node is appended at the end and joined nodes "
            "are removed.",
            "When two nodes remain, they are joined by one branch of length d(i, j).",
            neg,
            out,
        ],
    )


_NJ_BODY = """
def neighbor_joining(matrix: list, labels: list):
    n = len(labels)
    if n < 2 or len(matrix) != n or any(len(row) != n for row in matrix):
        raise ValueError("need a matching n x n matrix with n >= 2")
    d = {(i, j): float(matrix[i][j]) for i in range(n) for j in range(n)}
    nodes = list(range(n))
    edges = []
    nxt = n
    while len(nodes) > 2:
        r = len(nodes)
        R = {i: sum(d[(i, k)] for k in nodes if k != i) for i in nodes}
        best = None
        for x in range(r):
            for y in range(x + 1, r):
                i, j = nodes[x], nodes[y]
                q = (r - 2) * d[(i, j)] - R[i] - R[j]
                if best is None or q < best[0]:
                    best = (q, i, j)
        _, i, j = best
        di = d[(i, j)] / 2 + (R[i] - R[j]) / (2 * (r - 2))
        dj = d[(i, j)] - di
        u = nxt
        nxt += 1
        for k in nodes:
            if k not in (i, j):
                d[(u, k)] = d[(k, u)] = (d[(i, k)] + d[(j, k)] - d[(i, j)]) / 2
        d[(u, u)] = 0.0
        clamp = (lambda x: max(x, 0.0)) if NEGATIVE == "clamp" else (lambda x: x)
        edges += [(i, u, clamp(di)), (j, u, clamp(dj))]
        nodes = [k for k in nodes if k not in (i, j)] + [u]
    a, b = nodes
    edges.append((a, b, max(d[(a, b)], 0.0) if NEGATIVE == "clamp" else d[(a, b)]))
    if OUTPUT == "total":
        return sum(w for _, _, w in edges)
    adj = {}
    for x, y, w in edges:
        adj.setdefault(x, []).append((y, w))
        adj.setdefault(y, []).append((x, w))
    out = []
    for s in range(n):
        far = {s: 0.0}
        stack = [s]
        while stack:
            x = stack.pop()
            for y, w in adj[x]:
                if y not in far:
                    far[y] = far[x] + w
                    stack.append(y)
        out.append([0.0 if t == s else far[t] for t in range(n)])
    return out
"""


def _additive(rng: random.Random) -> tuple[list[list[float]], list[str]]:
    # ((A:2,B:3):1,C:4,D:5): the matrix of an unrooted tree, which NJ must recover exactly
    m = [[0.0, 5.0, 7.0, 8.0], [5.0, 0.0, 8.0, 9.0], [7.0, 8.0, 0.0, 9.0], [8.0, 9.0, 9.0, 0.0]]
    return m, ["A", "B", "C", "D"]


NEIGHBOR_JOINING = Family(
    name="neighbor_joining",
    topic="phylogenetics",
    func="neighbor_joining",
    signature=lambda p: "(matrix: list[list[float]], labels: list[str]) -> "
    + ("list[list[float]]" if p["output"] == "patristic" else "float"),
    dims={"output": ("patristic", "total"), "negative": ("keep", "clamp")},
    describe=_nj_describe,
    body=_NJ_BODY,
    cases=lambda p, rng: [
        Case("one label", ([[0.0]], ["X"])),
        Case("two labels", ([[0.0, 3.5], [3.5, 0.0]], ["a", "b"])),
        Case("shape mismatch", ([[0.0, 1.0], [1.0, 0.0]], ["a", "b", "c"])),
        Case("additive tree", _additive(rng)),
        Case("negative branch", ([[0.0, 1.0, 9.0, 9.0], [1.0, 0.0, 2.0, 9.0], [9.0, 2.0, 0.0, 1.0], [9.0, 9.0, 1.0, 0.0]], ["a", "b", "c", "d"])),
        *[Case(f"random matrix #{i + 1}", random_tree_matrix(rng, rng.randint(3, 8))) for i in range(7)],
    ],
    examples=lambda p: [([[0.0, 5.0, 9.0], [5.0, 0.0, 10.0], [9.0, 10.0, 0.0]], ["A", "B", "C"])],
    mutants=(("(R[i] - R[j]) / (2 * (r - 2))", "(R[j] - R[i]) / (2 * (r - 2))"),),
    cite="Saitou & Nei 1987; Studier & Keppler 1988",
)

FAMILIES: Final = (CLUSTER, NEIGHBOR_JOINING)
