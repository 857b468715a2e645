"""``python -m sandboxes check``: print the protection table and adversarial results."""

from __future__ import annotations

import sys

import anyio

from .check import run_check


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["check"]:
        print("usage: python -m sandboxes check", file=sys.stderr)
        return 2
    report = anyio.run(run_check)
    print(report.table())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
