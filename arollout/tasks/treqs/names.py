"""Invented patient names for the TREQS ``demographic.name`` column.

TREQS gives every MIMIC-III patient a fake name from its ``id2name.csv``; this
project writes its own: a first and a last name drawn from the short lists
below by a hash of the subject id and the seed, so the same patient always
has the same name and no name list is shipped from elsewhere. Names are not
unique (questions that look a patient up by name drop names held by two
patients). Lower-cased like every other string of the database.
"""

from __future__ import annotations

import hashlib
from typing import Final

__all__ = ("FIRST_NAMES", "LAST_NAMES", "patient_name")

FIRST_NAMES: Final = (
    "james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david",
    "elizabeth", "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah",
    "charles", "karen", "daniel", "lisa", "matthew", "nancy", "anthony", "betty", "mark", "sandra",
    "donald", "margaret", "steven", "ashley", "paul", "kimberly", "andrew", "emily", "joshua",
    "donna", "kenneth", "michelle", "kevin", "carol", "brian", "amanda", "george", "melissa",
    "timothy", "deborah", "ronald", "stephanie", "edward", "rebecca", "jason", "sharon", "jeffrey",
    "laura", "ryan", "cynthia", "jacob", "dorothy", "gary", "amy", "nicholas", "kathleen", "eric",
    "angela", "jonathan", "shirley", "stephen", "brenda", "larry", "emma", "justin", "anna",
    "scott", "pamela", "brandon", "nicole", "benjamin", "samantha", "samuel", "katherine",
)  # fmt: skip

LAST_NAMES: Final = (
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
    "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott",
    "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall", "rivera",
    "campbell", "mitchell", "carter", "roberts", "gomez", "phillips", "evans", "turner", "diaz",
    "parker", "cruz", "edwards", "collins", "reyes", "stewart", "morris", "morales", "murphy",
    "cook", "rogers", "gutierrez", "ortiz", "morgan", "cooper", "peterson", "bailey", "reed",
    "kelly", "howard", "ramos", "kim", "cox", "ward", "richardson", "watson", "brooks", "chavez",
    "wood", "james", "bennett", "gray", "mendoza", "ruiz", "hughes", "price", "alvarez", "castillo",
    "sanders", "patel", "myers", "long", "ross", "foster", "jimenez",
)  # fmt: skip


def patient_name(subject_id: int, seed: int = 0) -> str:
    """``"first last"`` for ``subject_id`` (stable for a seed)."""
    digest = hashlib.sha256(f"treqs-name/{seed}/{subject_id}".encode()).digest()
    first = FIRST_NAMES[int.from_bytes(digest[:4], "big") % len(FIRST_NAMES)]
    last = LAST_NAMES[int.from_bytes(digest[4:8], "big") % len(LAST_NAMES)]
    return f"{first} {last}"
