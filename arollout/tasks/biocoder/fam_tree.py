"""Trees in Newick: Robinson-Foulds distance, root-to-tip distances, small parsimony.

Newick as described by J. Felsenstein's PHYLIP documentation ("The Newick
tree format"); Robinson & Foulds 1981 (Math Biosci 53:131); Fitch 1971 (Syst
Zool 20:406) and Sankoff 1975 (SIAM J Appl Math 28:35) small parsimony.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arollout.tasks.biocoder.family import Case, Family, bullets, rand_seq

if TYPE_CHECKING:
    import random

    from arollout.tasks.biocoder.family import Params

__all__ = ("FAMILIES", "random_newick")

NEWICK_PARSER: Final = """
def _parse(text):
    s = text.strip()
    if not s.endswith(";"):
        raise ValueError("a Newick tree ends with ';'")
    s = s[:-1]
    pos = 0

    def node():
        nonlocal pos
        children = []
        if pos < len(s) and s[pos] == "(":
            pos += 1
            children.append(node())
            while pos < len(s) and s[pos] == ",":
                pos += 1
                children.append(node())
            if pos >= len(s) or s[pos] != ")":
                raise ValueError("unbalanced parentheses")
            pos += 1
        start = pos
        while pos < len(s) and s[pos] not in ",():":
            pos += 1
        name = s[start:pos].strip()
        length = None
        if pos < len(s) and s[pos] == ":":
            pos += 1
            start = pos
            while pos < len(s) and s[pos] not in ",()":
                pos += 1
            length = float(s[start:pos])
        return (name, length, children)

    tree = node()
    if pos != len(s):
        raise ValueError("unexpected text after the tree")
    return tree
"""

_NEWICK_RULE: Final = (
    "Trees are Newick strings: nested parentheses, comma-separated children, optional node "
    "names and optional ':length' after a node, ending with ';' (whitespace around names and "
    "lengths is allowed). A string without the final ';' or with unbalanced parentheses raises ValueError."
)


def random_newick(rng: random.Random, labels: list[str], *, lengths: bool = True, internal_names: bool = False) -> str:
    """A random rooted binary tree over ``labels``."""
    nodes = [(lab, lab) for lab in labels]
    k = 0
    while len(nodes) > 1:
        i, j = sorted(rng.sample(range(len(nodes)), 2), reverse=True)
        (a, _), (b, _) = nodes.pop(i), nodes.pop(j)
        la = f":{round(rng.uniform(0.01, 2.0), 2)}" if lengths and rng.random() < 0.9 else ""
        lb = f":{round(rng.uniform(0.01, 2.0), 2)}" if lengths and rng.random() < 0.9 else ""
        name = f"n{k}" if internal_names and rng.random() < 0.5 else ""
        k += 1
        nodes.append((f"({a}{la},{b}{lb}){name}", ""))
    return nodes[0][0] + ";"


def _labels(rng: random.Random, n: int) -> list[str]:
    return rng.sample([f"t{i}" for i in range(1, 20)], n)


def _rf_describe(p: Params) -> str:
    if p["rooted"]:
        what = ("clusters: the label sets below each internal node, leaving out the set of all "
                "labels (the root)")
        norm = "2 * (n - 2)"
    else:
        what = ("splits: for every internal branch, the bipartition of the labels it induces "
                "(as an unordered pair of sets), leaving out trivial splits with one side of "
                "size 0 or 1; a root of degree two contributes one split")
        norm = "2 * (n - 3)"
    value = (
        f"Return the RF distance divided by {norm} (a float; 0.0 when that is <= 0)."
        if p["normalized"]
        else "Return the RF distance as an int."
    )
    return bullets(
        "Compute the Robinson-Foulds distance between the trees `t1` and `t2`.",
        [
            _NEWICK_RULE,
            "Both trees must have the same set of leaf names (otherwise raise ValueError); n is its size.",
            f"Compare the trees' {what}: the RF distance is the number of them found in exactly one of the trees.",
            value,
        ],
    )


_RF_BODY = (
    NEWICK_PARSER
    + """

def _leaves(t):
    name, _, children = t
    return frozenset([name]) if not children else frozenset().union(*(_leaves(c) for c in children))


def _groups(t, out):
    name, _, children = t
    if not children:
        return frozenset([name])
    below = frozenset().union(*(_groups(c, out) for c in children))
    out.append(below)
    return below


def _parts(tree):
    everything = _leaves(tree)
    groups = []
    _groups(tree, groups)
    if ROOTED:
        return {g for g in groups if g != everything}
    out = set()
    for g in groups:
        other = everything - g
        if len(g) > 1 and len(other) > 1:
            out.add(frozenset([g, other]))
    return out


def robinson_foulds(t1: str, t2: str):
    a, b = _parse(t1), _parse(t2)
    if _leaves(a) != _leaves(b):
        raise ValueError("the trees have different leaves")
    d = len(_parts(a) ^ _parts(b))
    if not NORMALIZED:
        return d
    n = len(_leaves(a))
    norm = 2 * (n - 2) if ROOTED else 2 * (n - 3)
    return d / norm if norm > 0 else 0.0
"""
)


def _rf_cases(p: Params, rng: random.Random) -> list[Case]:
    four = "((A,B),(C,D));"
    cases = [
        Case("identical trees", (four, four)),
        Case("same tree, other child order", (four, "((D,C),(B,A));")),
        Case("rooted differently", ("((A,B),(C,D));", "(A,(B,(C,D)));")),
        Case("different topology", ("((A,B),(C,D));", "((A,C),(B,D));")),
        Case("branch lengths and names", ("((A:1,B:2)x:0.5,(C:1,D:1)y:1);", " ( (A , C) , ( B:3 , D ) ) ;")),
        Case("different leaves", ("((A,B),C);", "((A,B),D);")),
        Case("missing semicolon", ("((A,B),C)", "((A,B),C);")),
        Case("multifurcation", ("(A,B,C,D,E);", "((A,B),(C,D),E);")),
    ]
    for i in range(7):
        labels = _labels(rng, rng.randint(4, 9))
        t1 = random_newick(rng, labels, lengths=rng.random() < 0.5)
        t2 = random_newick(rng, labels, lengths=False) if rng.random() < 0.7 else t1
        cases.append(Case(f"random trees #{i + 1}", (t1, t2)))
    return cases


ROBINSON_FOULDS = Family(
    name="robinson_foulds",
    topic="phylogenetics",
    func="robinson_foulds",
    signature=lambda p: "(t1: str, t2: str) -> " + ("float" if p["normalized"] else "int"),
    dims={"rooted": (False, True), "normalized": (False, True)},
    describe=_rf_describe,
    body=_RF_BODY,
    cases=_rf_cases,
    examples=lambda p: [("((A,B),(C,(D,E)));", "((A,C),(B,(D,E)));")],
    mutants=(("if len(g) > 1 and len(other) > 1:", "if len(g) > 1:"),),
    cite="Robinson & Foulds 1981",
)


def _depth_describe(p: Params) -> str:
    measure = (
        f"the sum of the branch lengths on the path from the root (a float; a missing length counts as {p['default']})"
        if p["measure"] == "length"
        else "the number of branches on the path from the root (an int)"
    )
    which = "every named node (leaves and named internal nodes)" if p["internal"] else "every leaf"
    return bullets(
        "Compute the distance from the root to the nodes of the Newick tree `tree`.",
        [
            _NEWICK_RULE,
            "The length written after the root, if any, is ignored.",
            f"Return a dict mapping the name of {which} to {measure}. Unnamed nodes are left out.",
        ],
    )


_DEPTH_BODY = (
    NEWICK_PARSER
    + """

def root_distances(tree: str) -> dict:
    out = {}
    stack = [(_parse(tree), 0.0 if MEASURE == "length" else 0, True)]
    while stack:
        (name, length, children), depth, is_root = stack.pop()
        if name and (not children or INTERNAL):
            out[name] = depth
        for child in children:
            step = (DEFAULT if child[1] is None else child[1]) if MEASURE == "length" else 1
            stack.append((child, depth + step, False))
    return out
"""
)

ROOT_DISTANCES = Family(
    name="newick_root_distances",
    topic="phylogenetics",
    func="root_distances",
    signature=lambda p: "(tree: str) -> dict[str, " + ("float" if p["measure"] == "length" else "int") + "]",
    dims={"measure": ("length", "edges"), "default": (0.0, 1.0), "internal": (False, True)},
    valid=lambda p: p["measure"] == "length" or p["default"] == 0.0,
    describe=_depth_describe,
    body=_DEPTH_BODY,
    cases=lambda p, rng: [
        Case("single leaf", ("A;",)),
        Case("root length ignored", ("(A:1,B:2):5;",)),
        Case("missing lengths", ("((A,B:1)x,C:2)r;",)),
        Case("whitespace", (" ( A : 0.5 , ( B:1 , C ) y : 2 ) ; ",)),
        Case("missing semicolon", ("(A,B)",)),
        *[Case(f"random tree #{i + 1}", (random_newick(rng, _labels(rng, rng.randint(2, 9)), internal_names=True),)) for i in range(7)],
    ],
    examples=lambda p: [("((A:1,B:2)x:0.5,C)r;",)],
    mutants=(("if name and (not children or INTERNAL):", "if name:"),),
    cite="PHYLIP Newick format",
)


def _parsimony_describe(p: Params) -> str:
    gap = (
        "'-' is a fifth state, like a base, while N (and any other character) is missing data "
        "that may take any state at no cost"
        if p["gaps"] == "state"
        else "'-', N and any other character are missing data: they may take any base at no cost"
    )
    cost = (
        "a change between any two different states costs 1 (Fitch)"
        if p["method"] == "fitch"
        else f"a transition (A<->G, C<->T) costs 1 and any other change costs {p['method'][-1]} (Sankoff)"
    )
    return bullets(
        "Compute the small-parsimony score of the rooted tree `tree` for the aligned leaf sequences `seqs`.",
        [
            _NEWICK_RULE + " The tree is binary; its leaf names are the keys of `seqs`.",
            "`seqs` maps each leaf name to a sequence; all have the same length (otherwise raise "
            "ValueError), as does a leaf without a sequence. Letters are read case-insensitively.",
            f"States are the bases A, C, G, T; {gap}.",
            f"Internal nodes may take any state; {cost}. Sites are independent.",
            "Return the minimum total cost over all sites (an int).",
        ],
    )


_PARSIMONY_BODY = (
    NEWICK_PARSER
    + """

def parsimony(tree: str, seqs: dict) -> int:
    root = _parse(tree)
    data = {k: v.upper() for k, v in seqs.items()}
    if len({len(v) for v in data.values()}) > 1:
        raise ValueError("sequences differ in length")
    states = "ACGT-" if GAPS == "state" else "ACGT"
    inf = float("inf")

    def cost(x, y):
        if x == y:
            return 0
        if METHOD == "fitch" or x == "-" or y == "-":
            return 1 if METHOD == "fitch" else TV
        return 1 if {x, y} in ({"A", "G"}, {"C", "T"}) else TV

    def solve(node, site):
        name, _, children = node
        if not children:
            if name not in data:
                raise ValueError(f"no sequence for leaf {name!r}")
            c = data[name][site]
            if c not in states:
                return {s: 0 for s in states}
            return {s: 0 if s == c else inf for s in states}
        tables = [solve(child, site) for child in children]
        return {s: sum(min(t[x] + cost(s, x) for x in states) for t in tables) for s in states}

    length = len(next(iter(data.values()), ""))
    return int(sum(min(solve(root, i).values()) for i in range(length)))
"""
)


def _parsimony_cases(p: Params, rng: random.Random) -> list[Case]:
    cases = [
        Case("single site", ("((A,B),(C,D));", {"A": "A", "B": "A", "C": "G", "D": "T"})),
        Case("gaps and N", ("((A,B),C);", {"A": "A-GN", "B": "ACGT", "C": "--GA"})),
        Case("lower case", ("(A,(B,C));", {"A": "acgt", "B": "ACGA", "C": "tcga"})),
        Case("unequal lengths", ("(A,B);", {"A": "AC", "B": "A"})),
        Case("leaf without a sequence", ("(A,(B,C));", {"A": "AC", "B": "AG"})),
    ]
    for i in range(7):
        labels = _labels(rng, rng.randint(3, 7))
        length = rng.randint(3, 12)
        anc = rand_seq(rng, length)
        seqs = {lab: "".join(c if rng.random() < 0.6 else rng.choice("ACGT-N") for c in anc) for lab in labels}
        cases.append(Case(f"random tree #{i + 1}", (random_newick(rng, labels), seqs)))
    return cases


PARSIMONY = Family(
    name="small_parsimony",
    topic="phylogenetics",
    func="parsimony",
    signature="(tree: str, seqs: dict[str, str]) -> int",
    dims={"method": ("fitch", "sankoff_tv2", "sankoff_tv3"), "gaps": ("state", "missing")},
    describe=_parsimony_describe,
    body=_PARSIMONY_BODY,
    cases=_parsimony_cases,
    constants=lambda p: {"METHOD": p["method"], "GAPS": p["gaps"], "TV": int(p["method"][-1]) if p["method"] != "fitch" else 1},
    examples=lambda p: [("((A,B),(C,D));", {"A": "ACG", "B": "ATG", "C": "GTG", "D": "GTC"})],
    mutants=(("if c not in states:", "if False:"),),
    cite="Fitch 1971; Sankoff 1975",
)

FAMILIES: Final = (ROBINSON_FOULDS, ROOT_DISTANCES, PARSIMONY)
