"""ladder advise bootstrap: runs the user's program unchanged and records what only the interpreter can see.

Usage: python bootstrap.py REPORT_PATH (-m MODULE | -c CODE | SCRIPT) [ARGS...]

Records the peak number of live small-object blocks, the top allocation sites (tracemalloc, sampled in short
windows of CPU time), and time spent in the cyclic garbage collector (gc.callbacks). Standard library only, so it runs on every interpreter ladder finds.
The report is written when the program ends, however it ends (return, sys.exit, exception), so nothing measured
is lost; the program's own exit code and output are left as they were.
"""

import gc
import json
import os
import runpy
import signal
import sys
import time

try:
    import tracemalloc
except ImportError:  # pragma: no cover - every CPython has it; PyPy does not trace allocations
    tracemalloc = None

TOP_SITES = 10

_gc_state = {"ns": 0, "collections": 0, "started": 0}

# Allocation sites are sampled, not traced throughout: tracemalloc on every allocation can cost several times the
# program's own time (a program holding millions of small objects ran 9x slower). A CPU-time timer (SIGPROF)
# ticks every TICK_S of the process's CPU time; at a tick, tracing is turned on if it has been on for less than
# DUTY of the CPU time so far, and a window that has been open for a tick is closed: the sites of what it
# allocated and still holds are added up and tracing stops, which frees its traces. The number of live
# small-object blocks (sys.getallocatedblocks, no tracing needed) is read at every tick, for the peak. Ladder's
# own work in the handler runs with the collector off, so its snapshots neither trigger collections of the
# program's heap nor count as the program's GC time. A program that takes SIGPROF for itself keeps it: the
# sampling then stops.
TICK_S = 0.01
DUTY = 0.05
_alloc = {
    "window_cpu_ns": None,
    "traced_cpu_ns": 0,
    "windows": 0,
    "sites": {},
    "peak_blocks": 0,
    "ns": 0,
    "busy": False,
}


def _read_blocks():
    try:
        blocks = sys.getallocatedblocks()
    except Exception:
        return
    if blocks > _alloc["peak_blocks"]:
        _alloc["peak_blocks"] = blocks


def _close_window():
    # The raw traces, grouped here in one loop: Snapshot.statistics makes an object per trace and costs ten times
    # as much, which a window of a program that allocates fast would pay for every tick it traced.
    try:
        traces = tracemalloc._get_traces()
    except AttributeError:
        traces = [(0, t.size, tuple((f.filename, f.lineno) for f in t.traceback)) for t in tracemalloc.take_snapshot().traces]
    tracemalloc.stop()
    ours = _ladder_files()
    sites = _alloc["sites"]
    for trace in traces:
        frames = trace[2]
        if not frames:
            continue
        key = frames[0]
        filename = key[0]
        if filename in ours or filename.startswith("<frozen"):
            continue
        site = sites.get(key)
        if site is None:
            sites[key] = [trace[1], 1]
        else:
            site[0] += trace[1]
            site[1] += 1
    _alloc["windows"] += 1
    _alloc["window_cpu_ns"] = None


def _on_tick(signum, frame):
    if _alloc["busy"]:
        return
    _alloc["busy"] = True
    t0 = time.perf_counter_ns()
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        cpu = time.process_time_ns()
        _read_blocks()
        if _alloc["window_cpu_ns"] is not None:
            _alloc["traced_cpu_ns"] += cpu - _alloc["window_cpu_ns"]
            _close_window()
        elif _alloc["traced_cpu_ns"] <= DUTY * cpu:
            _alloc["window_cpu_ns"] = cpu
            tracemalloc.start()
    except Exception:
        pass
    finally:
        if gc_was_on:
            gc.enable()
        _alloc["ns"] += time.perf_counter_ns() - t0
        _alloc["busy"] = False


def _ladder_files():
    """The interpreter's import machinery, runpy and this bootstrap: their allocations are not the program's."""
    ours = {__file__, tracemalloc.__file__, runpy.__file__}
    if "pkgutil" in sys.modules:
        ours.add(sys.modules["pkgutil"].__file__)
    return ours


def _on_gc(phase, info):
    if phase == "start":
        _gc_state["started"] = time.perf_counter_ns()
    elif phase == "stop" and _gc_state["started"]:
        _gc_state["ns"] += time.perf_counter_ns() - _gc_state["started"]
        _gc_state["collections"] += 1
        _gc_state["started"] = 0


def _library_paths():
    """The folders of the standard library and installed packages: frames there are not the program's code."""
    paths = set()
    try:
        import sysconfig

        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            p = sysconfig.get_paths().get(key)
            if p:
                paths.add(os.path.realpath(p))
                paths.add(p)
    except Exception:
        pass
    for p in sys.path:
        if p and ("site-packages" in p or "dist-packages" in p):
            paths.add(p)
    return sorted(paths)


def _write_report(path, started_ns, exit_code, error):
    report = {
        "wall_ns": time.perf_counter_ns() - started_ns,
        "exit_code": exit_code,
        "error": error,
        "gc_ns": _gc_state["ns"],
        "gc_collections": _gc_state["collections"],
        "gc_measured": hasattr(gc, "callbacks"),
        "implementation": sys.implementation.name,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "peak_blocks": None,
        "sampled_windows": 0,
        "sampled_cpu_ns": 0,
        "top_sites": [],
        "snapshot_ns": 0,
        "library_paths": [],
    }
    if tracemalloc is not None:
        if tracemalloc.is_tracing():
            t0 = time.perf_counter_ns()
            _alloc["traced_cpu_ns"] += time.process_time_ns() - _alloc["window_cpu_ns"]
            gc.disable()
            _close_window()
            _alloc["ns"] += time.perf_counter_ns() - t0
        _read_blocks()
        report["peak_blocks"] = _alloc["peak_blocks"]
        report["sampled_windows"] = _alloc["windows"]
        report["sampled_cpu_ns"] = _alloc["traced_cpu_ns"]
        top = sorted(_alloc["sites"].items(), key=lambda kv: -kv[1][0])[:TOP_SITES]
        for (filename, lineno), (size, count) in top:
            report["top_sites"].append({"file": filename, "line": lineno, "size_bytes": size, "count": count})
    report["snapshot_ns"] = _alloc["ns"]
    # After the snapshot and tracemalloc.stop(): importing sysconfig is not one of the program's allocations.
    report["library_paths"] = _library_paths()
    with open(path, "w") as f:
        json.dump(report, f)


def main():
    report_path = sys.argv[1]
    target = sys.argv[2:]
    if hasattr(gc, "callbacks"):
        gc.callbacks.append(_on_gc)
    if tracemalloc is not None and hasattr(signal, "setitimer"):
        signal.signal(signal.SIGPROF, _on_tick)
        signal.setitimer(signal.ITIMER_PROF, TICK_S, TICK_S)
    started = time.perf_counter_ns()
    exit_code = 0
    error = None
    try:
        if target[0] == "-m":
            # As `python -m`: the current folder, not this bootstrap's, is where imports start.
            sys.path[0] = os.getcwd()
            sys.argv = [target[1]] + target[2:]
            runpy.run_module(target[1], run_name="__main__", alter_sys=True)
        elif target[0] == "-c":
            sys.path[0] = ""
            sys.argv = ["-c"] + target[2:]
            exec(compile(target[1], "<string>", "exec"), {"__name__": "__main__"})
        else:
            sys.argv = target
            sys.path[0] = os.path.dirname(os.path.abspath(target[0]))
            runpy.run_path(target[0], run_name="__main__")
    except SystemExit as e:
        if e.code is None:
            exit_code = 0
        elif isinstance(e.code, int):
            exit_code = e.code
        else:
            exit_code = 1
        raise
    except BaseException as e:
        exit_code = 1
        error = "%s: %s" % (type(e).__name__, e)
        raise
    finally:
        try:
            sys.stdout.flush()
        except Exception:
            pass
        if tracemalloc is not None and hasattr(signal, "setitimer"):
            try:
                signal.setitimer(signal.ITIMER_PROF, 0, 0)
            except Exception:
                pass
        _write_report(report_path, started, exit_code, error)


main()
