"""``arollout tasks list``: every suite with its size; demo suites without data are reported, not fatal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from arollout.cli import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_list_json_counts_and_reports_missing_demo_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AROLLOUT_DATA", str(tmp_path / "no-data"))
    monkeypatch.setenv("AROLLOUT_CACHE", str(tmp_path / "cache"))
    code = main(["tasks", "list", "--json", "--suite", "ehr-demo", "--suite", "mimic-iii-demo"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["suite"]: r for r in out["suites"]}
    demo = rows["ehr-demo"]
    assert demo["available"] and demo["instances"] == sum(demo["per_category"].values()) > 0
    assert demo["categories"] == len(demo["per_category"])
    missing = rows["mimic-iii-demo"]
    assert not missing["available"] and missing["instances"] == 0
    assert "arollout data fetch mimic-iii-demo" in missing["reason"]
    assert out["instances"] == demo["instances"]
