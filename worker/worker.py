"""ladder's timing worker: runs one cell (one implementation, one size) and reports JSON lines.

Runs on CPython 3.10+ and PyPy 3.9 with the standard library only. The parent passes one JSON argument:

    {"module_dir", "module", "n", "data_path", "min_samples", "max_samples",
     "min_time_ns", "max_time_ns", "target_sample_ns", "warmup_ns", "samples_floor",
     "spot_n", "spot_data_path"}    (spot_n may be null: no spot check in this process)

Protocol (one JSON object per line, on a private copy of the original stdout):
    hello      interpreter facts
    imported   the file that was imported, and how long the import took
    first_call wall and CPU time of the first call (JIT compilation and import-time work show up here)
    output     the first call's result, for the parent to verify
    sample     one timed sample: wall and CPU ns for `loops` calls (CPU of this process and of every process it
               started: a multi-process rung's pool counts too)
    info       what the implementation's optional `ladder_info()` says of how it ran (e.g. the SIMD path)
    spot_output  when `spot_n` is given: one untimed call at that n, its output or the error it raised
    done       counts, peak thread count, peak count of live child processes seen, GC state, outputs that
               differed from the first one
    error      an exception, with the phase it happened in
The implementation's own stdout is redirected to a temporary file: anything it prints cannot corrupt the
protocol, and is reported as a failure (a benchmark must not do I/O while it is timed).
"""

import gc
import hashlib
import importlib
import json
import os
import platform
import sys
import tempfile
import time
import traceback

PROTO = None


def emit(event, **fields):
    fields["event"] = event
    PROTO.write(json.dumps(fields, default=_plain) + "\n")
    PROTO.flush()


def _plain(value):
    # Bytes (a bitmap, an encoded file) are reported by length and SHA-256, which a `digest` check compares.
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    # numpy scalars and similar: anything with .item() or .tolist() becomes a plain Python value.
    for attr in ("tolist", "item"):
        if hasattr(value, attr):
            return getattr(value, attr)()
    raise TypeError("run() returned a %s, which is not JSON-serialisable" % type(value).__name__)


def imported_file(module):
    """The file the module was loaded from. Nuitka keeps `__file__` pointing at the .py it compiled (for
    compatibility) and says where its extension really is in `__compiled__.extension_filename`."""
    compiled = getattr(module, "__compiled__", None)
    extension = getattr(compiled, "extension_filename", None)
    if isinstance(extension, str) and extension:
        return extension
    return getattr(module, "__file__", None)


def thread_count():
    """Threads of this process, native ones included (BLAS, rayon), where /proc tells."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import threading

    return threading.active_count()


def _tree_cpu_ticks(pid, seen):
    """utime + stime of a live process, plus what it has reaped, plus the same for its live children."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    except (OSError, IndexError, ValueError):
        return 0
    seen.append(pid)
    for child in _children(pid):
        ticks += _tree_cpu_ticks(child, seen)
    return ticks


def _children(pid):
    """Live children of `pid`: from /proc/<pid>/task/*/children where the kernel has it, else by scanning /proc
    for processes whose parent is `pid`."""
    found = []
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                found.extend(int(c) for c in f.read().split())
        return found
    except (OSError, ValueError):
        pass
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return found
    for entry in entries:
        try:
            with open("/proc/%s/stat" % entry) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def children_cpu():
    """(CPU ns used by every process this worker started, live ones counted) so far, and how many are alive.

    process_time() covers this process only. A rung that fans out to processes (a ProcessPoolExecutor) does its
    work in children: the ones already reaped are in RUSAGE_CHILDREN, the live ones (a pool kept across calls)
    are read from /proc. Clock-tick resolution (10 ms), so it matters for multi-process rungs only.
    """
    ns = 0
    try:
        import resource

        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        ns = int((ru.ru_utime + ru.ru_stime) * 1e9)
    except (ImportError, OSError, ValueError):
        pass
    live = []
    ticks = sum(_tree_cpu_ticks(c, live) for c in _children(os.getpid()))
    if ticks:
        ns += ticks * 1000000000 // os.sysconf("SC_CLK_TCK")
    return ns, len(live)


def finite(value):
    """NaN and infinities as strings: JSON has no literal for them, and the parent must see them to call the
    output wrong (rather than failing to read the line)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def canonical(value):
    return json.dumps(finite(value), sort_keys=True, default=_plain)


def flush_c_stdio():
    """Flush C's stdio buffers, so a printf from a C extension shows up in the captured stdout now."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except Exception:
        pass


def main():
    global PROTO
    cfg = json.loads(sys.argv[1])
    PROTO = os.fdopen(os.dup(1), "w")
    captured = tempfile.TemporaryFile()
    sys.stdout.flush()
    os.dup2(captured.fileno(), 1)

    emit(
        "hello",
        implementation=sys.implementation.name,
        python=platform.python_version(),
        executable=sys.executable,
        pid=os.getpid(),
    )
    phase = "import"
    try:
        sys.path.insert(0, cfg["module_dir"])
        t0 = time.perf_counter_ns()
        module = importlib.import_module(cfg["module"])
        emit("imported", file=imported_file(module), import_ns=time.perf_counter_ns() - t0)

        n, data_path = cfg["n"], cfg["data_path"]
        phase = "setup"
        state = module.setup(n, data_path)
        phase = "run"
        k0, _ = children_cpu()
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        output = module.run(state)
        t1, c1 = time.perf_counter_ns(), time.process_time_ns()
        k1, children = children_cpu()
        del state
        first_ns = t1 - t0
        emit("first_call", ns=first_ns, cpu_ns=c1 - c0 + k1 - k0)
        phase = "output"
        reference = canonical(output)
        emit("output", value=finite(output))

        # Warm up (JITs compile hot loops while this runs) for at least warmup_ns, unless calls are so slow
        # that the first call already served as the warm-up.
        phase = "run"
        warm_ns = first_ns
        if first_ns < cfg["warmup_ns"]:
            deadline = time.perf_counter_ns() + cfg["warmup_ns"]
            while True:
                state = module.setup(n, data_path)
                t0 = time.perf_counter_ns()
                module.run(state)
                warm_ns = time.perf_counter_ns() - t0
                if time.perf_counter_ns() >= deadline:
                    break
        # Fast calls are looped so one sample is never below target_sample_ns of work.
        loops = 1
        if warm_ns < cfg["target_sample_ns"]:
            loops = -(-cfg["target_sample_ns"] // max(warm_ns, 1))

        samples = 0
        mismatches = 0
        threads = thread_count()
        # A first call as long as the process's whole time cap is its one sample when one is all the policy asks
        # for: the other worker processes supply the rest, and a second call would double the cell's time
        # (CPython's spectral-norm at the study's size takes half a minute a call here).
        first_served = (
            cfg["min_samples"] <= 1 and cfg.get("samples_floor", 3) <= 1 and first_ns >= cfg["max_time_ns"] > 0
        )
        if first_served:
            emit("sample", ns=first_ns, cpu_ns=c1 - c0 + k1 - k0, loops=1, first_call=True)
            samples = 1
        started = time.perf_counter_ns()
        while not first_served:
            phase = "setup"
            states = [module.setup(n, data_path) for _ in range(loops)]
            phase = "run"
            run = module.run
            k0, _ = children_cpu()
            c0, t0 = time.process_time_ns(), time.perf_counter_ns()
            outputs = [run(s) for s in states]
            t1, c1 = time.perf_counter_ns(), time.process_time_ns()
            k1, live = children_cpu()
            del states
            samples += 1
            threads = max(threads, thread_count())
            children = max(children, live)
            emit("sample", ns=t1 - t0, cpu_ns=c1 - c0 + k1 - k0, loops=loops)
            phase = "output"
            # Every call's output, not only the last of a looped sample, must equal the verified first one.
            if any(canonical(o) != reference for o in outputs):
                mismatches += 1
            del outputs
            elapsed = time.perf_counter_ns() - started
            if samples >= cfg["max_samples"]:
                break
            if samples >= cfg["min_samples"] and elapsed >= cfg["min_time_ns"]:
                break
            # A hard cap on time, but never fewer than `samples_floor` samples: a median needs a few, which the
            # other worker processes of the cell supply when there are several.
            if elapsed >= cfg["max_time_ns"] and samples >= cfg.get("samples_floor", 3):
                break

        # An implementation may describe how it ran (which SIMD path, how many threads): `ladder_info()`.
        info = getattr(module, "ladder_info", None)
        if callable(info):
            phase = "info"
            emit("info", value=info())

        # The spot check: one untimed call at a small n the parent drew for the run, after the timed samples so
        # it cannot disturb them. Its failure is reported as its own, not as the cell's run's.
        spot_n = cfg.get("spot_n")
        if spot_n is not None:
            phase = "spot"
            try:
                spot_state = module.setup(spot_n, cfg.get("spot_data_path", ""))
                emit("spot_output", n=spot_n, value=finite(module.run(spot_state)), error=None)
                del spot_state
            except Exception as exc:
                emit("spot_output", n=spot_n, value=None, error="%s: %s" % (type(exc).__name__, str(exc)[:500]))

        sys.stdout.flush()
        flush_c_stdio()
        stray = captured.tell()
        if stray:
            captured.seek(0)
            head = captured.read(200).decode("utf-8", "replace")
            emit(
                "error",
                phase="stdout",
                type="StrayOutput",
                message="the implementation wrote %d bytes to stdout while it ran: %r" % (stray, head),
                traceback="",
            )
            return 1
        emit(
            "done",
            samples=samples,
            threads=threads,
            children=children,
            gc_enabled=gc.isenabled(),
            # A free-threaded CPython re-enables the GIL when it imports an extension without free-threading
            # support (unless PYTHON_GIL=0): the parent refuses such a run for a rung that asked for it off.
            gil_enabled=getattr(sys, "_is_gil_enabled", lambda: True)(),
            mismatched_outputs=mismatches,
        )
        return 0
    except BaseException as exc:  # report everything, KeyboardInterrupt and SystemExit included
        emit(
            "error",
            phase=phase,
            type=type(exc).__name__,
            message=str(exc)[:2000],
            traceback=traceback.format_exc()[-4000:],
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
