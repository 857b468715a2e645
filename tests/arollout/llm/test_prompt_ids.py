from __future__ import annotations

import pickle

import msgspec
import pytest
from hypothesis import given, strategies as st

from arollout.llm.base import GenerateRequest, PromptIds, SamplingParams
from arollout.llm.sglang import SGLangClient
from arollout.tokens import TokenIds

_IDS = st.lists(st.integers(min_value=0, max_value=2**31 - 1), max_size=20)


@given(st.lists(_IDS, max_size=8), st.lists(st.booleans(), max_size=8))
def test_incremental_json_equals_a_fresh_encoding(
    chunks: list[list[int]], reads: list[bool]
) -> None:
    ids = PromptIds()
    for index, chunk in enumerate(chunks):
        ids.extend(chunk)
        if index < len(reads) and reads[index]:  # read at arbitrary points in between
            assert ids.json() == msgspec.json.encode(list(ids))
    assert ids.json() == msgspec.json.encode(list(ids))
    assert b"".join(ids.json_parts()) == ids.json()
    assert msgspec.json.decode(ids.json()) == [i for chunk in chunks for i in chunk]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.__setitem__(0, 9),
        lambda p: p.__delitem__(0),
        lambda p: p.insert(0, 9),
        lambda p: p.pop(),
        lambda p: p.remove(1),
        lambda p: p.reverse(),
        lambda p: p.byteswap(),
        lambda p: p.__imul__(2),
    ],
)
def test_every_mutation_but_growth_is_refused(mutate: object) -> None:
    ids = PromptIds([1, 2, 3])
    ids.json()
    with pytest.raises(TypeError, match="only grows"):
        mutate(ids)  # type: ignore[operator]
    ids += [4]
    ids.append(5)
    ids.fromlist([6])  # growth by any of array's own appenders keeps the cache valid
    assert ids.json() == b"[1,2,3,4,5,6]"


def test_pickles_as_itself() -> None:
    ids = PromptIds([7, 8])
    copy = pickle.loads(pickle.dumps(ids))
    assert type(copy) is PromptIds and copy == ids and copy.json() == b"[7,8]"


def test_sglang_body_is_the_same_for_a_list_and_prompt_ids() -> None:
    client = SGLangClient("http://127.0.0.1:9", concurrency=1)
    sampling = SamplingParams(max_new_tokens=8, seed=1)
    ids = PromptIds([5, 6])
    ids.json()  # a cached prefix, then growth
    ids.extend([7, 8])
    fast = client._body(GenerateRequest(rid="r", sampling=sampling, input_ids=ids), "r")
    plain = client._body(GenerateRequest(rid="r", sampling=sampling, input_ids=[5, 6, 7, 8]), "r")
    assert b"".join(fast) == b"".join(plain)
    assert msgspec.json.decode(b"".join(fast))["input_ids"] == [5, 6, 7, 8]
    # The cached context goes out as its pieces: no joined copy of the ids.
    assert ids.json_parts()[1] in fast and len(fast) > len(plain)


@given(st.lists(st.tuples(_IDS, st.booleans()), max_size=8))
def test_extend_encoded_keeps_the_cache_exact(chunks: list[tuple[list[int], bool]]) -> None:
    """Growth with known JSON (a reply's ``ids_json``) and plain growth, mixed."""
    ids = PromptIds()
    for chunk, encoded in chunks:
        if encoded:
            ids.extend_encoded(TokenIds(chunk), msgspec.json.encode(chunk))
        else:
            ids.extend(chunk)
    assert ids.json() == msgspec.json.encode(list(ids))
    assert list(ids) == [i for chunk, _ in chunks for i in chunk]
