"""NCBI genetic code tables (translation tables) used by the codon families.

Data from NCBI's ``gc.prt`` (the "Genetic Codes" list of the NCBI Taxonomy
browser, https://www.ncbi.nlm.nih.gov/Taxonomy/Utils/wprintgc.cgi): for every
table the ``ncbieaa`` string gives the amino acid of the 64 codons in TCAG
order (TTT, TTC, TTA, TTG, TCT, ..., GGG) and ``sncbieaa`` marks initiation
codons with ``M``. Tables 27, 28 and 31 are left out: there TAA/TAG/TGA are
stop or sense codons depending on context, which no codon-by-codon rule can
express.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping

__all__ = (
    "CODE_SOURCE",
    "CODONS",
    "GeneticCode",
    "TABLES",
    "TABLE_IDS",
    "code",
    "random_codons",
    "special_codons",
    "table_constants",
    "table_text",
)

_BASES: Final = "TCAG"

CODONS: Final[tuple[str, ...]] = tuple(a + b + c for a in _BASES for b in _BASES for c in _BASES)
"""The 64 codons in NCBI (TCAG) order."""


class GeneticCode(NamedTuple):
    """One translation table: id, name, amino acids (TCAG order) and start marks."""

    id: int
    name: str
    amino_acids: str
    starts: str

    @property
    def table(self) -> dict[str, str]:
        """Codon -> one-letter amino acid (``*`` for stop)."""
        return dict(zip(CODONS, self.amino_acids, strict=True))

    @property
    def start_codons(self) -> tuple[str, ...]:
        return tuple(c for c, mark in zip(CODONS, self.starts, strict=True) if mark == "M")

    @property
    def stop_codons(self) -> tuple[str, ...]:
        return tuple(c for c, aa in zip(CODONS, self.amino_acids, strict=True) if aa == "*")


_STD = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"

_RAW: Final = (
    (1, "Standard", _STD, "---M------**--*----M---------------M----------------------------"),
    (
        2,
        "Vertebrate Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG",
        "----------**--------------------MMMM----------**---M------------",
    ),
    (
        3,
        "Yeast Mitochondrial",
        "FFLLSSSSYY**CCWWTTTTPPPPHHQQRRRRIIMMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "----------**----------------------MM---------------M------------",
    ),
    (
        4,
        "Mold, Protozoan and Coelenterate Mitochondrial; Mycoplasma; Spiroplasma",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "--MM------**-------M------------MMMM---------------M------------",
    ),
    (
        5,
        "Invertebrate Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSSSSVVVVAAAADDEEGGGG",
        "---M------**--------------------MMMM---------------M------------",
    ),
    (
        6,
        "Ciliate, Dasycladacean and Hexamita Nuclear",
        "FFLLSSSSYYQQCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "--------------*--------------------M----------------------------",
    ),
    (
        9,
        "Echinoderm and Flatworm Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNNKSSSSVVVVAAAADDEEGGGG",
        "----------**-----------------------M---------------M------------",
    ),
    (
        10,
        "Euplotid Nuclear",
        "FFLLSSSSYY**CCCWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "----------**-----------------------M----------------------------",
    ),
    (
        11,
        "Bacterial, Archaeal and Plant Plastid",
        _STD,
        "---M------**--*----M------------MMMM---------------M------------",
    ),
    (
        12,
        "Alternative Yeast Nuclear",
        "FFLLSSSSYY**CC*WLLLSPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "----------**--*----M---------------M----------------------------",
    ),
    (
        13,
        "Ascidian Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSSGGVVVVAAAADDEEGGGG",
        "---M------**----------------------MM---------------M------------",
    ),
    (
        14,
        "Alternative Flatworm Mitochondrial",
        "FFLLSSSSYYY*CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNNKSSSSVVVVAAAADDEEGGGG",
        "-----------*-----------------------M----------------------------",
    ),
    (
        15,
        "Blepharisma Macronuclear",
        "FFLLSSSSYY*QCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "----------*---*--------------------M----------------------------",
    ),
    (
        16,
        "Chlorophycean Mitochondrial",
        "FFLLSSSSYY*LCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "----------*---*--------------------M----------------------------",
    ),
    (
        21,
        "Trematode Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNNKSSSSVVVVAAAADDEEGGGG",
        "----------**-----------------------M---------------M------------",
    ),
    (
        22,
        "Scenedesmus obliquus Mitochondrial",
        "FFLLSS*SYY*LCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "------*---*---*--------------------M----------------------------",
    ),
    (
        23,
        "Thraustochytrium Mitochondrial",
        "FF*LSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "--*-------**--*-----------------M--M---------------M------------",
    ),
    (
        24,
        "Rhabdopleuridae Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSSKVVVVAAAADDEEGGGG",
        "---M------**-------M---------------M---------------M------------",
    ),
    (
        25,
        "Candidate Division SR1 and Gracilibacteria",
        "FFLLSSSSYY**CCGWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "---M------**-----------------------M---------------M------------",
    ),
    (
        26,
        "Pachysolen tannophilus Nuclear",
        "FFLLSSSSYY**CC*WLLLAPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "----------**--*----M---------------M----------------------------",
    ),
    (
        29,
        "Mesodinium Nuclear",
        "FFLLSSSSYYYYCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "--------------*--------------------M----------------------------",
    ),
    (
        30,
        "Peritrich Nuclear",
        "FFLLSSSSYYEECC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "--------------*--------------------M----------------------------",
    ),
    (
        32,
        "Balanophoraceae Plastid",
        "FFLLSSSSYY*WCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        "---M------*---*----M------------MMMM---------------M------------",
    ),
    (
        33,
        "Cephalodiscidae Mitochondrial",
        "FFLLSSSSYYY*CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSSKVVVVAAAADDEEGGGG",
        "---M-------*-------M---------------M---------------M------------",
    ),
)

TABLES: Final[dict[int, GeneticCode]] = {row[0]: GeneticCode(*row) for row in _RAW}
TABLE_IDS: Final[tuple[int, ...]] = tuple(TABLES)


def code(table_id: int) -> GeneticCode:
    """The table with NCBI id ``table_id``."""
    return TABLES[table_id]


CODE_SOURCE: Final = """
CODE = {a + b + c: AMINO_ACIDS[16 * i + 4 * j + k]
        for i, a in enumerate("TCAG") for j, b in enumerate("TCAG") for k, c in enumerate("TCAG")}
"""
"""Reference-solution source that builds ``CODE`` (codon -> amino acid) from ``AMINO_ACIDS``."""


def table_constants(params: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The constants of a reference that translates with table ``params["table"]``."""
    gc = code(params["table"])
    return {"AMINO_ACIDS": gc.amino_acids, "START_CODONS": gc.start_codons, **extra}


def table_text(table_id: int) -> str:
    """How a specification names the table."""
    gc = code(table_id)
    return f"NCBI translation table {gc.id} ({gc.name})"


def special_codons(table_id: int) -> list[str]:
    """Codons where the table departs from the standard code, then its starts and stops."""
    gc, std = code(table_id).table, code(1).table
    special = [c for c in CODONS if gc[c] != std[c]]
    marked = (*code(table_id).start_codons, *code(table_id).stop_codons)
    return special + [c for c in marked if c not in special]


def random_codons(rng: random.Random, n: int, table_id: int, *, stops: bool = True) -> str:
    """``n`` uniform random codons (only sense codons of the table when ``stops`` is false)."""
    table = code(table_id).table
    pool = [c for c in CODONS if stops or table[c] != "*"]
    return "".join(rng.choice(pool) for _ in range(n))
