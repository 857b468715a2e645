"""Checks what arollout sends and reads against SGLang's own source.

The pinned wheel is downloaded once with pip (``--no-deps``) into a cache
directory and read as a zip: nothing of SGLang is imported or installed.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from arollout.llm.sglang import GENERATE_FIELDS, META_FIELDS, SAMPLING_FIELDS

SGLANG_VERSION = "0.5.23"
CACHE = Path(
    os.environ.get("AROLLOUT_CONTRACT_CACHE", Path.home() / ".cache" / "arollout-contract")
)


@pytest.fixture(scope="module")
def wheel() -> zipfile.ZipFile:
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob(f"sglang-{SGLANG_VERSION}-*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-q",
                f"sglang=={SGLANG_VERSION}",
                "-d",
                str(CACHE),
            ],
            check=True,
            timeout=600,
        )
        found = sorted(CACHE.glob(f"sglang-{SGLANG_VERSION}-*.whl"))
    assert found, f"pip did not produce an sglang {SGLANG_VERSION} wheel in {CACHE}"
    return zipfile.ZipFile(found[0])


def source(wheel: zipfile.ZipFile, path: str) -> str:
    return wheel.read(f"sglang/srt/{path}").decode()


def class_fields(tree: ast.Module, name: str) -> set[str]:
    """Annotated fields plus ``__init__`` arguments of a top-level class."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            fields = {
                s.target.id
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            }
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    fields |= {a.arg for a in item.args.args + item.args.kwonlyargs} - {"self"}
            return fields
    raise AssertionError(f"class {name} not found")


def test_generate_request_fields_exist(wheel: zipfile.ZipFile) -> None:
    tree = ast.parse(source(wheel, "managers/io_struct.py"))
    fields = class_fields(tree, "GenerateReqInput") | class_fields(tree, "BaseReq")
    assert set(GENERATE_FIELDS) <= fields, set(GENERATE_FIELDS) - fields


def test_sampling_params_keys_exist(wheel: zipfile.ZipFile) -> None:
    fields = class_fields(ast.parse(source(wheel, "sampling/sampling_params.py")), "SamplingParams")
    assert set(SAMPLING_FIELDS) <= fields, set(SAMPLING_FIELDS) - fields


def test_control_request_fields_exist(wheel: zipfile.ZipFile) -> None:
    tree = ast.parse(source(wheel, "managers/io_struct.py"))
    assert {"rid", "abort_all"} <= class_fields(tree, "AbortReq") | class_fields(tree, "BaseReq")
    assert "mode" in class_fields(tree, "PauseGenerationReqInput")
    assert {"model_path", "weight_version"} <= class_fields(tree, "UpdateWeightFromDiskReqInput")


def test_meta_info_keys_are_produced(wheel: zipfile.ZipFile) -> None:
    text = source(wheel, "managers/tokenizer_manager.py")
    missing = [key for key in META_FIELDS if f'"{key}"' not in text]
    assert not missing, missing


def test_routes_exist(wheel: zipfile.ZipFile) -> None:
    text = source(wheel, "entrypoints/http_server.py")
    for route in (
        "/generate",
        "/health_generate",
        "/abort_request",
        "/pause_generation",
        "/continue_generation",
        "/update_weights_from_disk",
        "/flush_cache",
        "/server_info",
        "/get_server_info",
        "/model_info",
        "/get_model_info",
    ):
        assert f'"{route}"' in text, route
