from __future__ import annotations

import importlib

import msgspec
import pytest

import arollout


def test_all_is_sorted_tuple_and_complete() -> None:
    assert isinstance(arollout.__all__, tuple)
    assert list(arollout.__all__) == sorted(arollout.__all__)
    public = {
        name
        for name, value in vars(arollout).items()
        if not name.startswith("_") and not isinstance(value, type(arollout))
    }
    assert public - {"annotations"} == set(arollout.__all__)


@pytest.mark.parametrize("name", arollout.__all__)
def test_exported_classes_report_the_package(name: str) -> None:
    obj = getattr(arollout, name)
    if isinstance(obj, type) and not issubclass(obj, msgspec.Struct):
        assert obj.__module__ == "arollout"
    elif isinstance(obj, type):
        # msgspec resolves Struct annotations in the module named by __module__.
        msgspec.json.Decoder(obj)


@pytest.mark.parametrize("package", ["arollout.llm", "arollout.store", "arollout.testing", "sandboxes"])
def test_subpackage_all_matches(package: str) -> None:
    module = importlib.import_module(package)
    exported = set(module.__all__)
    assert all(hasattr(module, name) for name in exported)
    assert list(module.__all__) == sorted(module.__all__)
