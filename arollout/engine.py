"""The engine: one object that owns a run's resources and drives its episodes.

``Engine`` is an async context manager (UNOPENED -> OPENED -> CLOSED, never
reopened) owning the LLM client, the sandbox pool, the suite and the metrics.
Everything it starts lives in one anyio task group, so leaving the ``async
with`` block cancels and awaits every episode: no stray tasks, no leaked
sandboxes.

Two ways to drive it:

* ``async for group in engine.rollout(tasks, n=8)`` for RL loops: groups come
  out as soon as all their samples are done;
* ``await engine.sample()`` for ``arollout sample``: the whole configured run,
  streamed to a run directory, resumable.
"""

from __future__ import annotations

import asyncio
import enum
import gc
import hashlib
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, Final, final

import anyio

from arollout.config import RunConfig
from arollout.episode import EpisodeContext, run_episode
from arollout.errors import EngineStateError
from arollout.llm.base import SamplingParams
from arollout.metrics import Metrics, monitor_loop_lag
from arollout.records import Group, Trajectory
from arollout.scheduler import Admission, Scheduler
from sandboxes.api import Limits

if TYPE_CHECKING:
    from types import TracebackType

    from anyio.abc import TaskGroup

    from arollout.episode import ChatRenderer
    from arollout.llm.base import LLMClient
    from arollout.tasks.base import Suite, Task
    from sandboxes import DockerPool, SandboxPool
    from sandboxes.api import Mount, Sandbox

__all__ = ("Engine", "episode_seed")

OnTrajectory = Callable[[Trajectory], Awaitable[object]]


class _State(enum.Enum):
    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


def _order_key(task: Task) -> bytes:
    return hashlib.blake2b(task.id.encode(), digest_size=8).digest()


def episode_seed(run_seed: int, task_id: str, sample_index: int) -> int:
    """Stable per-episode seed: the same (run seed, task, sample) always samples alike.

    Samples of one group share a base and differ by their index (slime's
    base + index schedule), so a group's diversity comes from the index only.
    """
    digest = hashlib.blake2b(f"{run_seed}:{task_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little") * 64 + sample_index * 8


#: Episodes created per loop iteration at start-up: creating thousands at once
#: (each opening a connection) would stall the loop for tens of milliseconds.
_SPAWN_BATCH: Final = 64


#: Young-generation collection threshold while an engine is open. A turn
#: allocates a few dozen tracked objects (futures, handles, frames, records),
#: and CPython's default (700 allocations) then collects every few turns.
#: Fewer, larger young collections cost about the same in total; what made
#: each one slow was traversing token lists item by item, which the packed
#: arrays of :mod:`arollout.tokens` removed (75-160 ms stalls at 2048
#: episodes before, 6-20 ms after).
_GC_GEN0_THRESHOLD: Final = 20_000


def _raise_gc_threshold() -> Callable[[], None]:
    """Raise the young-generation GC threshold; return the undo (see above)."""
    before = gc.get_threshold()
    if before[0] == 0 or before[0] >= _GC_GEN0_THRESHOLD:
        return lambda: None  # GC disabled or already tuned by the host application
    gc.set_threshold(_GC_GEN0_THRESHOLD, *before[1:])

    def restore() -> None:
        if gc.get_threshold()[0] == _GC_GEN0_THRESHOLD:  # nobody changed it since
            gc.set_threshold(*before)

    return restore


@final
class Engine:
    """Owns the resources of a run; see the module docstring.

    Args:
        config: the run configuration (defaults: the embedded demo suite
            against the in-process emulator).
        suite: a suite object to use instead of ``config.suite``.
        client / template: an LLM client (and, for token-in/token-out
            clients, its chat template) instead of ``config.server``.
        sandbox: a sandbox to use instead of a new ``SandboxPool``; the caller
            keeps ownership of objects it passes in.
        run_id: identifies the run in episode ids and rids.
    """

    def __init__(
        self,
        config: RunConfig | None = None,
        *,
        suite: Suite | None = None,
        client: LLMClient | None = None,
        template: ChatRenderer | None = None,
        sandbox: Sandbox | None = None,
        run_id: str = "run",
    ) -> None:
        self.config = config or RunConfig()
        self.run_id = run_id
        self.metrics = Metrics()
        self._suite = suite
        self._client = client
        self._template = template
        self._sandbox = sandbox
        self._state = _State.UNOPENED
        self._stack = AsyncExitStack()
        self._tg: TaskGroup | None = None
        self._context_len = self.config.server.context_len  # lowered to what the server has
        self._ctx: EpisodeContext | None = None
        self.server_info: dict[str, Any] = {}

    # -- lifecycle -----------------------------------------------------------------

    async def __aenter__(self) -> Engine:
        if self._state is not _State.UNOPENED:
            raise EngineStateError(
                "an Engine can be opened once; create a new Engine for another run"
                if self._state is _State.CLOSED
                else "this Engine is already open"
            )
        self._state = _State.OPENED
        self._stack.callback(_raise_gc_threshold())
        try:
            await self._open()
        except BaseException:
            self._state = _State.CLOSED
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if self._state is _State.CLOSED:
            return None
        self._state = _State.CLOSED
        try:
            if self._tg is not None:
                # Leaving the engine ends every episode it still runs.
                self._tg.cancel_scope.cancel()
                return await self._tg.__aexit__(exc_type, exc, tb)
            return None
        finally:
            # Not under a shield of ours: resources with their own task groups
            # (the sandbox pool) must be exited in the scope they were entered
            # in, and each shields its own teardown.
            await self._stack.aclose()

    async def aclose(self) -> None:
        """Cancel every episode and release every resource (idempotent)."""
        await self.__aexit__(None, None, None)

    async def _open(self) -> None:
        config = self.config
        if self._suite is None:
            from arollout.tasks.registry import get_suite

            self._suite = await anyio.to_thread.run_sync(
                lambda: get_suite(config.suite, **config.suite_options)
            )
        if self._sandbox is None:
            self._sandbox = await self._stack.enter_async_context(
                _sandbox_pool(config, self._suite.mounts())
            )
        if self._client is None:
            from arollout.servers import open_server  # optional servers stay lazy

            server = await self._stack.enter_async_context(
                open_server(config.server, suite=self._suite, concurrency=config.concurrency)
            )
            self._client, self._template = server.client, server.template
            self.server_info = server.info
            if server.context_len is not None:
                self._context_len = min(self._context_len, server.context_len)
        tg = anyio.create_task_group()
        await tg.__aenter__()
        self._tg = tg
        tg.start_soon(monitor_loop_lag, self.metrics)
        assert self._sandbox is not None and self._suite is not None
        self._ctx = EpisodeContext(
            client=self._client,
            template=self._template,
            sandbox=self._sandbox,
            suite=self._suite,
            sampling=SamplingParams(
                max_new_tokens=config.sampling.max_new_tokens,
                temperature=config.sampling.temperature,
                top_p=config.sampling.top_p,
                top_k=config.sampling.top_k,
            ),
            budgets=config.budgets,
            context_len=self._context_len,
            metrics=self.metrics,
            run_id=self.run_id,
            exec_limits=Limits(wall_s=config.sandbox.wall_s, memory_mb=config.sandbox.memory_mb),
        )

    def _require_open(self) -> tuple[EpisodeContext, TaskGroup]:
        if self._state is not _State.OPENED or self._ctx is None or self._tg is None:
            raise EngineStateError("use the Engine inside 'async with Engine(...) as engine:'")
        return self._ctx, self._tg

    @property
    def suite(self) -> Suite:
        if self._suite is None:
            raise EngineStateError("the suite is loaded when the Engine is opened")
        return self._suite

    def tasks(self) -> list[Task]:
        """The configured tasks: ``config.split``, first ``config.limit``.

        Tasks are put in a stable pseudo-random order (by a hash of their id)
        so that ``limit`` takes a sample across categories, not the first
        category of the suite, and the same ``limit`` always takes the same tasks.
        """
        tasks = sorted(self.suite.tasks(self.config.split), key=_order_key)
        return tasks[: self.config.limit] if self.config.limit else tasks

    # -- driving ---------------------------------------------------------------------

    async def rollout(
        self,
        tasks: Sequence[Task],
        n: int = 1,
        *,
        concurrency: int | None = None,
    ) -> AsyncIterator[Group]:
        """Run ``n`` samples of every task and yield each group once complete.

        Leaving the loop early (``break``) cancels the episodes still running.
        """
        _, tg = self._require_open()
        send, receive = anyio.create_memory_object_stream[Group](math.inf)
        scope = anyio.CancelScope()

        async def drive() -> None:
            with scope:
                async with send:
                    await self.run_episodes(tasks, n, on_group=send.send, concurrency=concurrency)

        tg.start_soon(drive)
        try:
            async with receive:
                async for group in receive:
                    yield group
        finally:
            scope.cancel()

    async def run_episodes(
        self,
        tasks: Sequence[Task],
        n: int,
        *,
        on_trajectory: OnTrajectory | None = None,
        on_group: Callable[[Group], Awaitable[None]] | None = None,
        done: Iterable[tuple[int, int]] = (),
        concurrency: int | None = None,
    ) -> None:
        """The driver: admit, run, collect; callbacks see every result in order.

        ``done`` holds (task index, sample index) pairs finished by an earlier
        run; they are skipped. Decisions come from :class:`Scheduler`; this
        coroutine only awaits.
        """
        ctx, _ = self._require_open()
        scheduler = Scheduler(tasks, n, concurrency or self.config.concurrency, done)
        self.metrics.total += scheduler.total
        pending: dict[int, list[Trajectory]] = {}
        seed = self.config.seed
        run_id = self.run_id
        metrics = self.metrics
        # Episodes are plain asyncio tasks, not task-group children: spawning
        # through anyio costs ~30 us per episode, a plain task ~5 us. This
        # coroutine is their nursery: finished ones queue their result in
        # ``results``; on any exit every unfinished one is cancelled and awaited.
        loop = asyncio.get_running_loop()
        running: set[asyncio.Task[Trajectory]] = set()
        results: deque[tuple[Admission[Task], asyncio.Task[Trajectory]]] = deque()
        wakeup: list[asyncio.Future[None]] = []

        def spawn(admission: Admission[Task]) -> None:
            task = admission.task
            episode = loop.create_task(
                run_episode(
                    ctx,
                    task,
                    admission.sample_index,
                    group_id=f"{run_id}:{task.id}",
                    seed=episode_seed(seed, task.id, admission.sample_index),
                )
            )
            running.add(episode)
            episode.add_done_callback(lambda t: finished(admission, t))

        def finished(admission: Admission[Task], episode: asyncio.Task[Trajectory]) -> None:
            running.discard(episode)
            results.append((admission, episode))
            if wakeup and not wakeup[0].done():
                wakeup[0].set_result(None)

        try:
            for started, admission in enumerate(scheduler.admit(), 1):
                spawn(admission)
                metrics.in_flight += 1
                if started % _SPAWN_BATCH == 0:
                    await asyncio.sleep(0)  # let a batch start before the next one is created
            while not scheduler.idle:
                while not results:
                    wakeup[:] = [loop.create_future()]
                    await wakeup[0]
                admission, episode = results.popleft()
                trajectory = episode.result()  # run_episode raises only on a bug or cancellation
                metrics.in_flight -= 1
                group_done = scheduler.complete(admission)
                if on_trajectory is not None:
                    await on_trajectory(trajectory)
                members = pending.setdefault(admission.group_index, [])
                members.append(trajectory)
                if group_done:
                    del pending[admission.group_index]
                    members.sort(key=lambda t: t.sample_index)
                    if on_group is not None:
                        await on_group(
                            Group(
                                task_id=admission.task.id,
                                group_id=trajectory.group_id,
                                trajectories=members,
                            )
                        )
                for nxt in scheduler.admit():
                    metrics.in_flight += 1
                    spawn(nxt)
        finally:
            metrics.in_flight -= len(running) + len(results)  # started, never collected
            if running:
                for episode in running:
                    episode.cancel()
                with anyio.CancelScope(shield=True):
                    await asyncio.wait(list(running))


def _sandbox_pool(config: RunConfig, mounts: tuple[Mount, ...]) -> SandboxPool | DockerPool:
    """The sandbox backend ``config.sandbox`` asks for (not yet entered)."""
    box = config.sandbox
    if box.backend == "docker":
        from sandboxes import DEFAULT_IMAGE, DockerPool

        # Containers are created once: every mount a run may ask for is bound now.
        return DockerPool(
            slots=box.slots,
            image=box.image or DEFAULT_IMAGE,
            mounts=mounts,
            mode=box.mode,
            strict=box.strict,
            memory_mb=box.memory_mb,
        )
    from sandboxes import SandboxPool

    return SandboxPool(
        slots=box.slots,
        python=box.python or None,
        mode=box.mode,
        strict=box.strict,
        lean=None if box.lean else (),
    )
