"""A seccomp deny-list compiled to classic BPF in pure Python (stdlib only).

Why not libseccomp: the runner must work from a bare interpreter (on the host
and inside containers) with nothing compiled, and the filter is tiny. The
program is built once in the zygote (:func:`build_filter`) and each child loads
the same bytes with ``prctl(PR_SET_NO_NEW_PRIVS)`` and
``prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)`` (:func:`load_filter`), so no
policy compilation sits on the per-run path.

Policy (a deny-list: the code is ordinary Python/pandas, which needs most of
the syscall table):

* a foreign architecture (``AUDIT_ARCH`` mismatch) kills the process, and on
  x86-64 the x32 ABI numbers (bit 30) are denied, so numbers cannot be aliased;
* namespace, mount, module, kexec, keyring, BPF, perf, ptrace/process_vm,
  userfaultfd, io_uring, handle-based open, clock and syslog syscalls fail
  with ``EPERM``;
* ``socket``/``socketpair`` succeed only for ``AF_UNIX``;
* ``clone`` with any ``CLONE_NEW*`` flag fails with ``EPERM``; ``clone3``
  returns ``ENOSYS`` (its flags live in memory BPF cannot read; libc then
  falls back to ``clone``);
* with ``protect`` (runs that share the runner's uid, as inside a container):
  signals to a protected pid, to its process group or to every process
  (``kill(-1)``) fail with ``EPERM``, ``pidfd_send_signal`` is refused (a
  ``/proc/<pid>`` directory fd is a pidfd too, and BPF cannot see which), and
  the calls that change another process's limits or scheduling
  (``prlimit64``, ``setpriority``, ``sched_set*``, ``ioprio_set``) may only
  name the caller itself (pid 0).

Syscall numbers: the kernel's ``arch/x86/entry/syscalls/syscall_64.tbl`` and
``include/uapi/asm-generic/unistd.h`` (arm64). Opcodes and ``seccomp_data``
layout: ``include/uapi/linux/filter.h`` and ``include/uapi/linux/seccomp.h``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct

__all__ = (
    "DENIED",
    "SeccompUnavailable",
    "build_filter",
    "load_filter",
    "supported",
)

# BPF opcodes (linux/filter.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

# Offsets in struct seccomp_data (nr, arch, ip, args[6]); little-endian low words.
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0 = 16

_AF_UNIX = 1
_X32_BIT = 0x40000000
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME (0x80).
_CLONE_NS_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000
_CLONE_NS_FLAGS |= 0x20000000 | 0x40000000 | 0x00000080

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

#: Syscalls denied with EPERM, by name (the same policy on every architecture).
DENIED: tuple[str, ...] = (
    "acct", "add_key", "bpf", "chroot", "clock_settime", "delete_module",
    "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "init_module",
    "io_uring_enter", "io_uring_register", "io_uring_setup", "kcmp",
    "kexec_file_load", "kexec_load", "keyctl", "mount", "mount_setattr",
    "move_mount", "name_to_handle_at", "open_by_handle_at", "open_tree",
    "perf_event_open", "personality", "pivot_root", "process_vm_readv",
    "process_vm_writev", "ptrace", "reboot", "request_key", "setns",
    "settimeofday", "swapoff", "swapon", "syslog", "umount2", "unshare",
    "userfaultfd",
)  # fmt: skip

_X86_64 = {
    "acct": 163, "add_key": 248, "bpf": 321, "chroot": 161, "clock_settime": 227,
    "delete_module": 176, "finit_module": 313, "fsconfig": 431, "fsmount": 432,
    "fsopen": 430, "fspick": 433, "init_module": 175, "io_uring_enter": 426,
    "io_uring_register": 427, "io_uring_setup": 425, "kcmp": 312, "kexec_file_load": 320,
    "kexec_load": 246, "keyctl": 250, "mount": 165, "mount_setattr": 442, "move_mount": 429,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "open_tree": 428,
    "perf_event_open": 298, "personality": 135, "pivot_root": 155, "process_vm_readv": 310,
    "process_vm_writev": 311, "ptrace": 101, "reboot": 169, "request_key": 249, "setns": 308,
    "settimeofday": 164, "swapoff": 168, "swapon": 167, "syslog": 103, "umount2": 166,
    "unshare": 272, "userfaultfd": 323,
    "socket": 41, "socketpair": 53, "clone": 56, "clone3": 435,
    "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "pidfd_send_signal": 424, "prlimit64": 302, "sched_setaffinity": 203,
    "sched_setscheduler": 144, "sched_setparam": 142, "sched_setattr": 314,
    "setpriority": 141, "ioprio_set": 251,
}  # fmt: skip

_AARCH64 = {
    "acct": 89, "add_key": 217, "bpf": 280, "chroot": 51, "clock_settime": 112,
    "delete_module": 106, "finit_module": 273, "fsconfig": 431, "fsmount": 432,
    "fsopen": 430, "fspick": 433, "init_module": 105, "io_uring_enter": 426,
    "io_uring_register": 427, "io_uring_setup": 425, "kcmp": 272, "kexec_file_load": 294,
    "kexec_load": 104, "keyctl": 219, "mount": 40, "mount_setattr": 442, "move_mount": 429,
    "name_to_handle_at": 264, "open_by_handle_at": 265, "open_tree": 428,
    "perf_event_open": 241, "personality": 92, "pivot_root": 41, "process_vm_readv": 270,
    "process_vm_writev": 271, "ptrace": 117, "reboot": 142, "request_key": 218, "setns": 268,
    "settimeofday": 170, "swapoff": 225, "swapon": 224, "syslog": 116, "umount2": 39,
    "unshare": 97, "userfaultfd": 282,
    "socket": 198, "socketpair": 199, "clone": 220, "clone3": 435,
    "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
    "pidfd_send_signal": 424, "prlimit64": 261, "sched_setaffinity": 122,
    "sched_setscheduler": 119, "sched_setparam": 118, "sched_setattr": 274,
    "setpriority": 140, "ioprio_set": 30,
}  # fmt: skip

#: Signal senders whose first argument is the target pid (or tgid).
_SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
#: Calls that may act on another process: only ``pid 0`` (the caller) is allowed.
_SELF_ARG0 = (
    "prlimit64",
    "sched_setaffinity",
    "sched_setscheduler",
    "sched_setparam",
    "sched_setattr",
)
_SELF_ARG1 = ("setpriority", "ioprio_set")  # (which, who, ...): ``who`` must be 0
_WORD = 0xFFFFFFFF

# machine -> (AUDIT_ARCH value, syscall table, has x32 aliases)
_ARCHES: dict[str, tuple[int, dict[str, int], bool]] = {
    "x86_64": (0xC000003E, _X86_64, True),
    "aarch64": (0xC00000B7, _AARCH64, False),
}

_INSN = struct.Struct("=HBBI")


class SeccompUnavailable(Exception):
    """This machine's architecture or kernel cannot run the filter."""


def supported(machine: str | None = None) -> bool:
    """Whether a filter can be built for ``machine`` (default: this one)."""
    return (machine or os.uname().machine) in _ARCHES


def build_filter(machine: str | None = None, *, protect: tuple[int, ...] = ()) -> bytes:
    """Compile the deny-list into a packed ``struct sock_filter`` array.

    Args:
        machine: ``os.uname().machine`` of the target (default: this one).
        protect: pids the code must not signal or re-limit because they share
            its uid (the zygote, its nursery, the run's init). Each one's
            process group is protected too, and so is ``kill(-1)``.

    Raises:
        SeccompUnavailable: the architecture has no syscall table here.
    """
    machine = machine or os.uname().machine
    if machine not in _ARCHES:
        raise SeccompUnavailable(f"no seccomp syscall table for {machine!r}")
    audit_arch, table, x32 = _ARCHES[machine]
    # (label, opcode, k, jump-if-true label, jump-if-false label)
    prog: list[_Insn] = [
        (None, _LD_W_ABS, _OFF_ARCH, None, None),
        (None, _JEQ_K, audit_arch, "load_nr", "kill"),
        ("kill", _RET_K, _RET_KILL_PROCESS, None, None),
        ("load_nr", _LD_W_ABS, _OFF_NR, None, None),
    ]
    if x32:
        prog.append((None, _JGE_K, _X32_BIT, "deny", None))
    prog.extend((None, _JEQ_K, table[name], "deny", None) for name in DENIED)
    if protect:
        prog += _protect_rules(table, protect)
    prog += [
        (None, _JEQ_K, table["socket"], "socket", None),
        (None, _JEQ_K, table["socketpair"], "socket", None),
        (None, _JEQ_K, table["clone"], "clone", None),
        (None, _JEQ_K, table["clone3"], "enosys", "allow"),
        ("socket", _LD_W_ABS, _OFF_ARG0, None, None),
        (None, _JEQ_K, _AF_UNIX, "allow", "deny"),
        ("clone", _LD_W_ABS, _OFF_ARG0, None, None),
        (None, _JSET_K, _CLONE_NS_FLAGS, "deny", "allow"),
        ("allow", _RET_K, _RET_ALLOW, None, None),
        ("deny", _RET_K, _RET_ERRNO | errno.EPERM, None, None),
        ("enosys", _RET_K, _RET_ERRNO | errno.ENOSYS, None, None),
    ]
    return _assemble(prog)


_Insn = tuple[str | None, int, int, str | None, str | None]


def _protect_rules(table: dict[str, int], protect: tuple[int, ...]) -> list[_Insn]:
    """The ``protect`` part of the policy; every branch ends in ``allow`` or ``deny``.

    Only the low 32 bits of each argument are compared: the kernel reads
    ``pid_t`` as a 32-bit int, so that is exactly what it acts on.
    """
    pids = sorted({p & _WORD for p in protect})
    groups = sorted({-p & _WORD for p in protect} | {_WORD})  # -pgid, and -1: everyone
    rules: list[_Insn] = [(None, _JEQ_K, table["kill"], "kill", None)]
    rules += [(None, _JEQ_K, table[n], "signal", None) for n in _SIGNALS[1:]]
    rules.append((None, _JEQ_K, table["pidfd_send_signal"], "deny", None))
    rules += [(None, _JEQ_K, table[n], "self_arg0", None) for n in _SELF_ARG0]
    rules += [(None, _JEQ_K, table[n], "self_arg1", None) for n in _SELF_ARG1]
    rules.append((None, _JEQ_K, 0, "unprotected", "unprotected"))  # = jump
    rules.append(("kill", _LD_W_ABS, _OFF_ARG0, None, None))
    rules += [(None, _JEQ_K, g, "deny", None) for g in groups]
    rules.append(("signal", _LD_W_ABS, _OFF_ARG0, None, None))
    rules += [(None, _JEQ_K, p, "deny", None) for p in pids[:-1]]
    rules.append((None, _JEQ_K, pids[-1], "deny", "allow"))
    rules.append(("self_arg0", _LD_W_ABS, _OFF_ARG0, None, None))
    rules.append((None, _JEQ_K, 0, "allow", "deny"))
    rules.append(("self_arg1", _LD_W_ABS, _OFF_ARG0 + 8, None, None))
    rules.append((None, _JEQ_K, 0, "allow", "deny"))
    # The checks below compare the syscall number again: reload it.
    rules.append(("unprotected", _LD_W_ABS, _OFF_NR, None, None))
    return rules


def _assemble(prog: list[_Insn]) -> bytes:
    """Resolve labels into forward jump offsets and pack the instructions."""
    labels = {insn[0]: i for i, insn in enumerate(prog) if insn[0] is not None}
    out = bytearray()
    for i, (_label, op, k, jt, jf) in enumerate(prog):
        offsets = []
        for target in (jt, jf):
            off = 0 if target is None else labels[target] - i - 1
            if not 0 <= off <= 255:
                raise AssertionError(f"BPF jump to {target} out of range ({off})")
            offsets.append(off)
        out += _INSN.pack(op, offsets[0], offsets[1], k)
    return bytes(out)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_filter(program: bytes) -> None:
    """Set NO_NEW_PRIVS and install ``program`` on the calling thread (irreversible).

    Raises:
        OSError: the kernel refused either prctl.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(err)}")
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // _INSN.size, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_SECCOMP): {os.strerror(err)}")
