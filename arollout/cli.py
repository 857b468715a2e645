"""The ``arollout`` command.

Every sub-command is a thin layer over the library: it parses flags into the
same config objects a library user builds, runs one coroutine under uvloop,
and turns :class:`arollout.errors.ArolloutError` into a one-line message and
exit status 2 (bad input never prints a traceback, and never loses data).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import orjson

from arollout.errors import ArolloutError, ConfigError
from sandboxes.errors import SandboxError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

__all__ = ("main",)

T = TypeVar("T")


def _run(fn: Callable[[], Awaitable[int]]) -> int:
    return anyio.run(fn, backend="asyncio", backend_options={"use_uvloop": True})


def _print_json(obj: Any) -> None:
    sys.stdout.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode() + "\n")


# -- sample ----------------------------------------------------------------------------


def _add_sample(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sample", help="sample trajectories into a run directory (resumable)")
    p.add_argument("--config", help="TOML run configuration (flags override it)")
    p.add_argument("--suite", help="task suite (see 'arollout tasks list'); default ehr-demo")
    p.add_argument(
        "--suite-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="suite option, e.g. per_category=60 or seed=1 (repeatable)",
    )
    p.add_argument("--split", help="train, valid or test (default: all)")
    p.add_argument("--limit", type=int, help="use only the first N tasks")
    p.add_argument("--n", type=int, help="samples per task (a group)")
    p.add_argument("--concurrency", type=int, help="episodes in flight (default 256)")
    p.add_argument("--server", help="emulator (default), local, or a server base URL")
    p.add_argument("--server-kind", choices=["sglang", "openai", "llamacpp"], help="protocol at --server URL")
    p.add_argument("--model", help="model name for OpenAI-compatible servers")
    p.add_argument("--tokenizer", help="local tokenizer directory (token-in/token-out servers)")
    p.add_argument("--policy", choices=["oracle", "noisy", "replay"], help="emulator policy")
    p.add_argument("--noise-rate", type=float, help="share of faulty turns of the noisy policy")
    p.add_argument("--replay", help="run directory whose trajectories the replay policy repeats")
    p.add_argument("--emulator-latency", help="emulator latency model: instant, gpu-7b, cpu-small")
    p.add_argument("--max-turns", type=int, help="turn budget per episode")
    p.add_argument("--max-new-tokens", type=int, help="generation budget per turn")
    p.add_argument("--temperature", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--sandbox-slots", type=int, help="sandbox runners (default: two per CPU)")
    p.add_argument(
        "--sandbox-backend", choices=["host", "docker"], help="host jail (default) or Docker containers"
    )
    p.add_argument("--out", help="run directory (default runs/latest); rerun to resume")
    p.add_argument("--no-progress", action="store_true", help="no live progress line")
    p.set_defaults(func=_cmd_sample)


def _cmd_sample(args: argparse.Namespace) -> int:
    from arollout.config import load_config
    from arollout.run import sample

    options = _suite_options(args.suite_option)
    config = load_config(
        args.config,
        suite=args.suite,
        split=args.split,
        limit=args.limit,
        n=args.n,
        concurrency=args.concurrency,
        seed=args.seed,
        out=args.out,
        progress=False if args.no_progress else None,
        **{
            "server.url": args.server,
            "server.kind": args.server_kind,
            "server.model": args.model,
            "server.tokenizer": args.tokenizer,
            "server.policy": args.policy,
            "server.noise_rate": args.noise_rate,
            "server.replay": args.replay,
            "server.latency": args.emulator_latency,
            "budgets.max_turns": args.max_turns,
            "sampling.max_new_tokens": args.max_new_tokens,
            "sampling.temperature": args.temperature,
            "sandbox.slots": args.sandbox_slots,
            "sandbox.backend": args.sandbox_backend,
            **{f"suite_options.{key}": value for key, value in options.items()},
        },
    )

    async def go() -> int:
        summary = await sample(config)
        _print_json(summary)
        return 0

    return _run(go)


def _suite_options(pairs: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings to a dict; values are read as JSON when they parse."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--suite-option expects KEY=VALUE, got {pair!r}")
        try:
            options[key] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            options[key] = raw
    return options


# -- stats / export --------------------------------------------------------------------


def _add_stats(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stats", help="summarize a run directory")
    p.add_argument("run_dir")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_stats)


def _cmd_stats(args: argparse.Namespace) -> int:
    import msgspec

    from arollout.store.stats import run_stats

    stats = run_stats(args.run_dir)
    if args.json:
        _print_json(msgspec.to_builtins(stats))
    else:
        sys.stdout.write(stats.table() + "\n")
    return 0


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="export a run for training (sft, dpo, rl)")
    p.add_argument("format", choices=["sft", "dpo", "rl"])
    p.add_argument("run_dir")
    p.add_argument("out")
    p.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from arollout.store import export

    fn = {"sft": export.export_sft, "dpo": export.export_dpo, "rl": export.export_rl}[args.format]
    report = fn(args.run_dir, args.out)
    sys.stdout.write(f"wrote {report.written} records to {report.path} (skipped {report.skipped})\n")
    return 0


# -- serve -----------------------------------------------------------------------------


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run an inference server (emulator, local model, SGLang)")
    p.add_argument(
        "what",
        choices=["emulator", "local", "sglang"],
        help="emulator: the SGLang-protocol emulator; local: SmolLM2-135M on llama.cpp (CPU); "
        "sglang: SGLang's launch_server on a GPU node",
    )
    p.add_argument("--model", help="sglang: model directory or hub id")
    p.add_argument("--tp", type=int, default=1, help="sglang: tensor-parallel size")
    p.add_argument("--dp", type=int, default=1, help="sglang: data-parallel size")
    p.add_argument(
        "--sglang-arg",
        action="append",
        default=[],
        metavar="FLAG",
        help="sglang: one more launch_server flag, e.g. --sglang-arg=--mem-fraction-static=0.85 (repeatable)",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=30000, help="0 picks a free port")
    p.add_argument("--suite", default="ehr-demo", help="suite whose reference solutions the oracle uses")
    p.add_argument("--policy", choices=["oracle", "noisy"], default="oracle")
    p.add_argument("--noise-rate", type=float, default=0.3)
    p.add_argument("--latency", choices=["instant", "gpu"], default="instant")
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    if args.what == "sglang":
        from arollout.llm.launch import serve_sglang

        serve_sglang(
            args.model or "", host=args.host, port=args.port, tp=args.tp, dp=args.dp, extra=args.sglang_arg
        )
        return 0
    if args.what == "local":
        from arollout.llm.local import serve_local_forever

        serve_local_forever(host=args.host, port=args.port or None)
        return 0
    from arollout.servers import serve_emulator_forever

    serve_emulator_forever(
        host=args.host,
        port=args.port,
        suite=args.suite,
        policy=args.policy,
        noise_rate=args.noise_rate,
        latency=args.latency,
    )
    return 0


# -- tasks / sandbox -------------------------------------------------------------------


def _add_tasks(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tasks", help="list, show or check task suites")
    verbs = p.add_subparsers(dest="verb", required=True)
    ls = verbs.add_parser("list", help="suites with their categories and instance counts")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--suite", action="append", help="only this suite (repeatable)")
    ls.set_defaults(func=_cmd_tasks_list)
    show = verbs.add_parser("show", help="one task (or a suite's categories without ID)")
    show.add_argument("suite")
    show.add_argument("task_id", nargs="?")
    show.set_defaults(func=_cmd_tasks_show)
    check = verbs.add_parser(
        "check", help="reference solutions must pass, trivial answers must fail (in the sandbox)"
    )
    check.add_argument("suite")
    check.add_argument("--sample", type=int, help="check N tasks spread over categories")
    check.add_argument("--split", help="train, valid or test (default: all)")
    check.add_argument("--no-trivial", action="store_true", help="only the reference solutions")
    check.add_argument("--concurrency", type=int, default=8, help="runs in flight")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=_cmd_tasks_check)
    for q in (show, check):
        q.add_argument(
            "--suite-option", action="append", default=[], metavar="KEY=VALUE", help="suite option"
        )


def _cmd_tasks_list(args: argparse.Namespace) -> int:
    import time

    from arollout.data import DataMissingError
    from arollout.tasks.registry import get_suite, list_suites, suite_summary

    names = args.suite or list_suites()
    rows: list[dict[str, Any]] = []
    for name in names:
        row: dict[str, Any] = {"suite": name, "summary": suite_summary(name), "available": True}
        t0 = time.perf_counter()
        try:
            tasks = get_suite(name).tasks()
        except DataMissingError as exc:  # a demo-backed suite whose data is not installed
            row.update(available=False, reason=str(exc), categories=0, instances=0, splits={}, per_category={})
            rows.append(row)
            continue
        if time.perf_counter() - t0 > 2.0:  # the first use builds and caches the suite
            sys.stderr.write(f"arollout: built {name} in {time.perf_counter() - t0:.0f} s (cached now)\n")
        categories: dict[str, int] = {}
        splits: dict[str, int] = {}
        for t in tasks:
            categories[t.category] = categories.get(t.category, 0) + 1
            splits[t.split] = splits.get(t.split, 0) + 1
        row.update(categories=len(categories), instances=len(tasks), splits=splits, per_category=categories)
        rows.append(row)
    if args.json:
        _print_json(
            {
                "suites": rows,
                "categories": sum(r["categories"] for r in rows),
                "instances": sum(r["instances"] for r in rows),
            }
        )
        return 0
    width = max((len(r["suite"]) for r in rows), default=5)
    for r in rows:
        if not r["available"]:
            sys.stdout.write(f"{r['suite']:<{width}}  (not installed: {r['reason']})\n")
            continue
        sys.stdout.write(
            f"{r['suite']:<{width}}  {r['categories']:>4} categories  {r['instances']:>7} tasks  {r['summary']}\n"
        )
    total_c = sum(r["categories"] for r in rows)
    total_i = sum(r["instances"] for r in rows)
    sys.stdout.write(f"{'total':<{width}}  {total_c:>4} categories  {total_i:>7} tasks\n")
    return 0


def _cmd_tasks_show(args: argparse.Namespace) -> int:
    import msgspec

    from arollout.tasks.registry import get_suite

    suite = get_suite(args.suite, **_suite_options(args.suite_option))
    tasks = suite.tasks()
    if args.task_id is None:
        counts: dict[str, int] = {}
        for t in tasks:
            counts[t.category] = counts.get(t.category, 0) + 1
        _print_json({"suite": suite.name, "tasks": len(tasks), "categories": counts})
        return 0
    match = [t for t in tasks if t.id == args.task_id]
    if not match:
        raise ArolloutError(
            f"no task {args.task_id!r} in suite {suite.name!r}; 'arollout tasks show {args.suite}' lists its categories"
        )
    _print_json(msgspec.to_builtins(match[0]))
    return 0


def _cmd_tasks_check(args: argparse.Namespace) -> int:
    import msgspec

    from arollout.tasks.check import run_checks
    from arollout.tasks.registry import get_suite

    suite = get_suite(args.suite, **_suite_options(args.suite_option))
    tasks = list(suite.tasks(args.split))

    async def check() -> int:
        from sandboxes import SandboxPool

        async with SandboxPool() as pool:
            report = await run_checks(
                suite,
                pool,
                tasks,
                sample=args.sample,
                trivial=not args.no_trivial,
                concurrency=args.concurrency,
            )
        if args.json:
            _print_json(msgspec.to_builtins(report))
        else:
            sys.stdout.write(
                f"{report.suite}: {report.checked} checked, oracle pass rate {report.oracle_pass_rate:.4f}, "
                f"trivial pass rate {report.trivial_pass_rate:.4f} ({report.trivial_checked} trivial runs) "
                f"in {report.elapsed_s:.1f} s\n"
            )
            for f in [*report.failures, *report.trivial_passes]:
                sys.stdout.write(f"  {f.task_id}  {f.label}: {f.reason}\n")
        return 0 if report.ok else 1

    return _run(check)


def _add_sandbox(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sandbox", help="sandbox self-test; remove orphaned Docker sandboxes")
    p.add_argument(
        "action",
        choices=["check", "gc"],
        help="check: protections and adversarial cases; gc: remove containers of dead owners",
    )
    p.add_argument("--backend", choices=["host", "docker"], default="host", help="check: which pool")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_sandbox)


def _cmd_sandbox(args: argparse.Namespace) -> int:
    import msgspec

    from sandboxes.check import run_check

    if args.action == "gc":
        from sandboxes import remove_orphans

        removed = _run_value(remove_orphans)
        if args.json:
            _print_json({"removed": removed})
        else:
            sys.stdout.write(f"removed {len(removed)} orphaned sandbox containers\n")
        return 0
    report = _run_value(lambda: run_check(backend=args.backend))
    if args.json:
        _print_json(msgspec.to_builtins(report))
    else:
        sys.stdout.write(report.table() + "\n")
    return 0 if report.ok else 1


# -- bench -----------------------------------------------------------------------------


def _add_bench(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="throughput benchmarks (see bench/README.md)")
    p.add_argument("what", choices=["sandbox", "store", "engine", "e2e", "server"])
    p.add_argument("--url", help="server: an SGLang base URL (default: an emulator started here)")
    p.add_argument("--requests", type=int, default=2000, help="server: requests to send")
    p.add_argument("--prompt-len", type=int, default=512, help="server: prompt ids per request")
    p.add_argument("--output-len", type=int, default=128, help="server: max_new_tokens per request")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--backend", choices=["host", "docker"], default="host", help="sandbox: which pool")
    p.add_argument(
        "--concurrency", type=int, help="engine, e2e, server: in flight (default 2048, 512, 256)"
    )
    p.add_argument("--turns", type=int, default=40000, help="engine: LLM turns to measure per run")
    p.add_argument(
        "--levels",
        default="64,256,2048,8192",
        help="engine: comma-separated concurrency levels measured once each ('' for none)",
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="engine: runs at --concurrency; sandbox: throughput rounds, pool then baseline (medians)",
    )
    p.add_argument(
        "--allocator", choices=["malloc", "pymalloc"], help="sandbox (host): the zygotes' allocator"
    )
    p.add_argument(
        "--no-lean", action="store_true", help="sandbox (host): no lean zygotes (every run forks the full preload)"
    )
    p.add_argument("--episodes", type=int, default=1600, help="e2e: arollout episodes")
    p.add_argument("--tasks", type=int, default=200, help="e2e: tasks in the run (the suite's stable order)")
    p.add_argument("--baseline-episodes", type=int, default=80, help="e2e: about how many baseline episodes")
    p.add_argument("--baseline-workers", type=int, help="e2e: baseline processes (default 5, as MedAgentGym)")
    p.add_argument("--latency", choices=["gpu-7b", "instant"], default="gpu-7b", help="e2e: emulator latency model")
    p.add_argument("--policy", choices=["oracle", "noisy"], default="oracle", help="e2e: emulator policy")
    p.add_argument("--noise-rate", type=float, default=0.3, help="e2e: share of faulty turns of the noisy policy")
    p.add_argument("--max-turns", type=int, default=10, help="e2e: turn budget per episode, both sides")
    p.add_argument("--samples", action="store_true", help="e2e: with --json, include per-episode wall times")
    p.set_defaults(func=_cmd_bench)


def _cmd_bench(args: argparse.Namespace) -> int:
    result: dict[str, Any]
    if args.what == "sandbox":
        from sandboxes.bench import run_bench

        result = _run_value(
            lambda: run_bench(
                backend=args.backend,
                allocator=args.allocator,
                lean=not args.no_lean,
                repeats=args.repeats,
            )
        )
    elif args.what == "store":
        from arollout.store.bench import run_store_bench

        result = _run_value(run_store_bench)
    elif args.what == "server":
        from arollout.bench_server import run_server_bench

        result = run_server_bench(
            args.url,
            requests=args.requests,
            concurrency=256 if args.concurrency is None else args.concurrency,
            prompt_len=args.prompt_len,
            output_len=args.output_len,
        )
    elif args.what == "engine":
        from arollout.bench_engine import run_engine_bench

        concurrency = 2048 if args.concurrency is None else args.concurrency
        try:
            levels = [int(x) for x in args.levels.split(",") if x.strip()]
        except ValueError:
            raise ConfigError(f"--levels must be comma-separated integers, not {args.levels!r}") from None
        result = run_engine_bench(
            concurrency=concurrency, turns=args.turns, levels=levels or None, repeats=args.repeats
        )
    else:
        from arollout.bench_e2e import run_e2e_bench

        result = run_e2e_bench(
            episodes=args.episodes,
            tasks_limit=args.tasks,
            latency=args.latency,
            concurrency=512 if args.concurrency is None else args.concurrency,
            baseline_workers=args.baseline_workers,
            baseline_episodes=args.baseline_episodes,
            policy=args.policy,
            noise_rate=args.noise_rate,
            max_turns=args.max_turns,
            include_samples=args.json and args.samples,
        )
        if not args.json:
            sys.stdout.write(_e2e_summary(result))
            return 0
    if args.json:
        _print_json(result)
    else:
        for key, value in result.items():
            sys.stdout.write(f"{key:>28}: {value}\n")
    return 0


def _e2e_summary(result: dict[str, Any]) -> str:
    """A few lines for a person: both sides' episodes/s and success rates, and the ratio."""
    lines = []
    for name, prefix in (("arollout", ""), ("baseline", "baseline_")):
        lines.append(
            f"{name:>9}: {result[prefix + 'episodes_per_s']:>9.3f} episodes/s"
            f"  ({result[prefix + 'episodes']} episodes in {result[prefix + 'elapsed_s']} s,"
            f" success {result[prefix + 'success_rate']:.1%})\n"
        )
    settings = result["settings"]
    lines.append(
        f"{'ratio':>9}: {result['ratio']:>9.2f}x"
        f"  (latency {settings['latency']}, policy {settings['policy']}, n={settings['n']})\n"
    )
    return "".join(lines)


def _run_value(fn: Callable[[], Awaitable[T]]) -> T:
    return anyio.run(fn, backend="asyncio", backend_options={"use_uvloop": True})


# -- data ------------------------------------------------------------------------------


def _add_data(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("data", help="install the open datasets some suites read (MIMIC-III, eICU demos)")
    verbs = p.add_subparsers(dest="verb", required=True)
    fetch = verbs.add_parser(
        "fetch", help="download from PhysioNet (checksum-verified), or copy a local folder with --from"
    )
    fetch.add_argument("dataset", choices=["mimic-iii-demo", "eicu-demo"])
    fetch.add_argument("--from", dest="source", metavar="DIR", help="copy this local folder (offline)")
    fetch.add_argument("--dest", metavar="DIR", help="data root (default $AROLLOUT_DATA or ~/.cache/arollout/data)")
    fetch.set_defaults(func=_cmd_data)


def _cmd_data(args: argparse.Namespace) -> int:
    import msgspec

    from arollout.data import fetch

    report = fetch(args.dataset, source=args.source, dest=args.dest)
    for warning in report.warnings:
        sys.stderr.write(f"arollout: warning: {warning}\n")
    _print_json(msgspec.to_builtins(report))
    return 0


# -- entry point -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arollout",
        description="High-throughput trajectory sampling for LLM coding agents on biomedical data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_sample, _add_stats, _add_export, _add_serve, _add_tasks, _add_sandbox, _add_bench, _add_data):
        add(sub)
    return parser


def _sigterm_as_interrupt(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a job scheduler's stop) shuts down like Ctrl-C: the
    event loop cancels the run, cleanup runs shielded (sandboxes, servers,
    the writer's last records), and the same command resumes it later."""
    os.kill(os.getpid(), signal.SIGINT)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            # Started as `arollout ... &` by a non-interactive shell, which
            # ignores SIGINT for its jobs: Python then installs no handler,
            # and the SIGTERM below, turned into SIGINT, would do nothing.
            signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        code: int = args.func(args)
    except (ArolloutError, SandboxError) as exc:
        sys.stderr.write(f"arollout: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("arollout: interrupted; rerun the same command to resume\n")
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
