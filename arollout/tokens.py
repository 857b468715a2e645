"""Packed token arrays: how token ids and logprobs live in memory and on disk.

An agent episode carries thousands of token ids and logprobs. As Python
lists each one is a separate heap object behind an 8-byte pointer, and that
costs three times over:

* memory: ~36 bytes per id instead of 4;
* the garbage collector: every young-generation collection visits each item
  of every young list; at 2048 episodes in flight that is over a million
  items per collection, and the collections alone stalled the event loop
  for 75-160 ms at a time and cost ~40 us of CPU per turn;
* encoding: msgpack writes each int and float on its own (~50 us for one
  8-turn trajectory) where a packed array is one ``memcpy``.

:class:`TokenIds` (int32) and :class:`Logprobs` (float64) are
:class:`array.array` subclasses: sequences with ``len``, indexing, iteration
and ``extend``, invisible to the collector's item traversal, and readable by
NumPy or PyTorch without a copy (``numpy.frombuffer(ids, numpy.int32)``).
Both compare equal to lists and tuples with the same items, ``ids + list``
gives a list and ``list += ids`` extends the list, so most code written for
lists keeps working; slices and ``ids + ids`` stay packed. ``list + ids``
raises ``TypeError`` (write ``[*prompt, *ids]`` or ``prompt + list(ids)``).

On disk (msgpack) both are ``bin`` fields holding little-endian items; a
record written with plain lists (schema 1) decodes to the same types.
"""

from __future__ import annotations

import array
import struct
import sys
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    from collections.abc import Iterable

    _IntArray = array.array[int]
    _FloatArray = array.array[float]
else:
    _IntArray = _FloatArray = array.array

__all__ = ("Logprobs", "TokenIds", "dec_hook", "json_enc_hook", "msgpack_enc_hook")

_LITTLE: Final = sys.byteorder == "little"


def _tolist(values: Any) -> list[Any]:
    return array.array.tolist(values)


def _packed_new(cls: type, typecode: str, values: Iterable[Any]) -> Any:
    """``array(typecode, values)`` for a subclass, packing lists and tuples with
    :mod:`struct`: array's own loop parses each item with ``PyArg_Parse``
    and takes ~1.6x as long (4.1 vs 2.5 us for 300 ids)."""
    new: Any = array.array.__new__
    if type(values) is list or type(values) is tuple:
        out = new(cls, typecode)
        if values:
            try:
                out.frombytes(struct.pack(f"={len(values)}{typecode}", *values))
            except struct.error:
                return new(cls, typecode, values)  # array's own error: OverflowError, TypeError
        return out
    return new(cls, typecode, values)


class _ListLike:
    """What makes a packed array stand in for a list: equality and ``+`` with lists.

    ``ids + list`` gives a list and ``ids + ids`` stays packed. There is no
    ``__radd__``: Python would prefer it to the list's own ``+=`` and make
    ``row += ids`` rebind ``row`` instead of extending it in place, so
    ``list + ids`` raises ``TypeError`` (``list += ids`` extends as usual).
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        me: Any = self
        if isinstance(other, list | tuple):
            return len(me) == len(other) and _tolist(me) == list(other)
        return bool(array.array.__eq__(me, other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> Any:
        if isinstance(other, list | tuple):
            return _tolist(self) + list(other)
        out = self._plain()
        out.extend(self)
        out.extend(other)
        return out

    def __getitem__(self, index: Any) -> Any:
        me: Any = self
        item = array.array.__getitem__(me, index)
        if isinstance(index, slice):
            out = self._plain()
            out.extend(item)
            return out
        return item

    def _plain(self) -> Any:
        """An empty array of this kind without subclass state (``PromptIds`` -> ``TokenIds``)."""
        raise NotImplementedError

    def __copy__(self) -> Any:
        return type(self)(self)  # type: ignore[call-arg]

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return type(self)(self)  # type: ignore[call-arg]

    def __reduce_ex__(self, protocol: object) -> Any:
        return (type(self), (_tolist(self),))  # array's own bypasses a subclass's __init__


class TokenIds(_ListLike, _IntArray):
    """Token ids as packed int32 (every tokenizer's vocabulary fits)."""

    __slots__ = ()

    def __new__(cls, ids: Iterable[int] = ()) -> TokenIds:
        return cast("TokenIds", _packed_new(cls, "i", ids))

    def _plain(self) -> TokenIds:
        return TokenIds()


class Logprobs(_ListLike, _FloatArray):
    """Per-token logprobs as packed float64 (no rounding of what a server sent)."""

    __slots__ = ()

    def __new__(cls, values: Iterable[float] = ()) -> Logprobs:
        return cast("Logprobs", _packed_new(cls, "d", values))

    def _plain(self) -> Logprobs:
        return Logprobs()


def _packed(values: array.array[Any]) -> bytes:
    if _LITTLE:
        return values.tobytes()
    swapped = array.array(values.typecode, values)
    swapped.byteswap()
    return swapped.tobytes()


def msgpack_enc_hook(obj: object) -> Any:
    """msgpack: a packed array becomes one ``bin`` of little-endian items."""
    if isinstance(obj, array.array):
        return _packed(obj)
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


def json_enc_hook(obj: object) -> Any:
    """JSON (exports, stats): a packed array becomes a list."""
    if isinstance(obj, array.array):
        return obj.tolist()
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


_ITEM_SIZE: Final = {TokenIds: 4, Logprobs: 8}


def dec_hook(kind: type, obj: Any) -> Any:
    """Rebuild a :class:`TokenIds` / :class:`Logprobs` from ``bin`` (or a schema-1 list)."""
    if kind is TokenIds or kind is Logprobs:
        if isinstance(obj, bytes | bytearray | memoryview):
            if len(obj) % _ITEM_SIZE[kind]:
                raise ValueError(
                    f"{len(obj)} bytes is not a whole number of {_ITEM_SIZE[kind]}-byte items"
                )
            out = kind()
            out.frombytes(obj)
            if not _LITTLE:
                out.byteswap()
            return out
        if isinstance(obj, list):
            return kind(obj)
        raise TypeError(f"expected bytes or a list, got {type(obj).__name__}")
    raise NotImplementedError(f"cannot decode {kind.__name__}")
