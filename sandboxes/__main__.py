"""``python -m sandboxes check|gc|bench``: the isolation self-test, orphan removal, the benchmark.

* ``check [--backend host|docker] [--json]``: the protection table and the
  adversarial cases (exit status 1 when anything is off or escapes);
* ``bench [--backend host|docker] [--allocator malloc|pymalloc] [--json]``:
  what ``arollout bench sandbox`` measures, with a choice of the host pool's
  allocator (see ``SandboxPool``) for A/B comparisons;
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
    bench = sub.add_parser("bench", help="latency and execs/s against a fresh interpreter")
    bench.add_argument("--backend", choices=["host", "docker"], default="host")
    bench.add_argument("--allocator", choices=["malloc", "pymalloc"])
    bench.add_argument("--json", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.action == "gc":
            removed = anyio.run(remove_orphans)
            print(json.dumps({"removed": removed}) if args.json else f"removed {len(removed)}")
            return 0
        if args.action == "bench":
            from .bench import run_bench

            result = anyio.run(lambda: run_bench(backend=args.backend, allocator=args.allocator))
            print(json.dumps(result, indent=None if args.json else 2))
            return 0
        report = anyio.run(lambda: run_check(backend=args.backend))
    except SandboxError as exc:
        print(f"sandboxes: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(msgspec.to_builtins(report)) if args.json else report.table())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
