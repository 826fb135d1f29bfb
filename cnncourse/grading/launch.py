"""The kernel command of a graded notebook. Standard library only, run by path (it starts fast
and imports nothing of the course).

``python launch.py LAUNCH.json CONNECTION_FILE`` -- what jupyter_client (nbval) starts as the
"kernel", outside the sandbox. It hands the connection file to the sandbox's user, sets the
limits it is told to set, and replaces itself (exec) with the command in LAUNCH.json -- ``bwrap
... -- python -m ipykernel_launcher -f CONNECTION_FILE``, or, when the run is not isolated, the
kernel itself -- with the environment given there and nothing else of the grader's. Because it
execs, the process nbval watches and kills is bwrap itself, and bwrap's ``--die-with-parent``
and PID namespace take every process of the sandbox with it.

``python launch.py --inside UID LIMITS_JSON -- COMMAND...`` -- the first process inside the
sandbox when the grader is root (bwrap then builds the sandbox with root's rights, without a
user namespace): it sets the limits, becomes the unprivileged UID for good (no way back to root:
``no_new_privs``, no capabilities) and execs the kernel.

Limits (hard, so the kernel cannot raise them): address space, file size, CPU time, open files,
no core files, and the number of processes+threads of the sandbox's user.
"""
import ctypes
import json
import os
import sys

try:
    import resource
except ImportError:                     # Windows: no resource limits
    resource = None

RLIMITS = {"memory": "RLIMIT_AS", "file_size": "RLIMIT_FSIZE", "cpu_seconds": "RLIMIT_CPU",
           "open_files": "RLIMIT_NOFILE"}
PR_SET_NO_NEW_PRIVS = 38


LINUX = sys.platform.startswith("linux")


def tasks_of(uid):
    """Processes + threads that uid runs now (what RLIMIT_NPROC counts on Linux)."""
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return count


def set_limits(limits, uid):
    """The hard limits; on Linux every one must hold, elsewhere (macOS: no /proc, no RLIMIT_AS
    of its own) those the system refuses are skipped."""
    if resource is None:
        return
    wanted = [(getattr(resource, RLIMITS[name]), value) for name, value in limits.items()
              if name in RLIMITS]
    if "processes" in limits and LINUX:
        wanted.append((resource.RLIMIT_NPROC, tasks_of(uid) + limits["processes"]))
    wanted.append((resource.RLIMIT_CORE, 0))
    for which, value in wanted:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            if LINUX:
                raise


def become(uid):
    """Drop root for good: no groups, uid/gid, no new privileges (setuid binaries stay inert)."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if LINUX:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("cnncourse launch: could not drop privileges")


def outside(config_path, connection_file):
    with open(config_path, encoding="utf-8") as fh:
        config = json.load(fh)
    uid = config.get("uid")
    if uid is not None and os.geteuid() == 0:
        os.chown(connection_file, uid, uid)
    if config.get("limits_outside"):
        set_limits(config["limits"], uid if uid is not None else os.getuid())
    if config.get("drop_outside") and uid is not None:
        become(uid)
    os.umask(0o077)
    os.chdir(config["cwd"])
    argv = [arg.replace("{connection_file}", connection_file) for arg in config["argv"]]
    os.execve(argv[0], argv, config["env"])


def inside(uid, limits, argv):
    set_limits(limits, uid)
    become(uid)
    os.umask(0o077)
    os.execve(argv[0], argv, dict(os.environ))


if __name__ == "__main__":
    if sys.argv[1] == "--inside":
        inside(int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[sys.argv.index("--") + 1:])
    else:
        outside(sys.argv[1], sys.argv[2])
