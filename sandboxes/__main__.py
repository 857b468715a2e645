"""``python -m sandboxes check|gc``: the isolation self-test, and removal of orphaned containers.

* ``check [--backend host|docker] [--json]``: the protection table and the
  adversarial cases (exit status 1 when anything is off or escapes);
* ``gc [--json]``: remove Docker sandbox containers whose owning process is
  gone (after an engine crash); prints the ids it removed.
"""

from __future__ import annotations

import argparse
import json
import sys

import anyio
import msgspec

from .check import run_check
from .docker import remove_orphans
from .errors import SandboxError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandboxes", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="protection table and adversarial cases")
    check.add_argument("--backend", choices=["host", "docker"], default="host")
    check.add_argument("--json", action="store_true")
    gc = sub.add_parser("gc", help="remove orphaned Docker sandbox containers")
    gc.add_argument("--json", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.action == "gc":
            removed = anyio.run(remove_orphans)
            print(json.dumps({"removed": removed}) if args.json else f"removed {len(removed)}")
            return 0
        report = anyio.run(lambda: run_check(backend=args.backend))
    except SandboxError as exc:
        print(f"sandboxes: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(msgspec.to_builtins(report)) if args.json else report.table())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
