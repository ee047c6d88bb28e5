"""ladder advise bootstrap: runs the user's program unchanged and records what only the interpreter can see.

Usage: python bootstrap.py REPORT_PATH (-m MODULE | -c CODE | SCRIPT) [ARGS...]

Records peak traced memory and the top allocation sites (tracemalloc), and time spent in the cyclic garbage
collector (gc.callbacks). Standard library only, so it runs on every interpreter ladder finds.
The report is written when the program ends, however it ends (return, sys.exit, exception), so nothing measured
is lost; the program's own exit code and output are left as they were.
"""

import gc
import json
import os
import runpy
import sys
import time

try:
    import tracemalloc
except ImportError:  # pragma: no cover - every CPython has it; PyPy does not trace allocations
    tracemalloc = None

TOP_SITES = 10

_gc_state = {"ns": 0, "collections": 0, "started": 0}
# The allocation sites are read from the largest heap seen, not the one at exit (by then a program has usually
# freed its data). A snapshot is taken after a full collection whenever the heap has doubled since the last one:
# full collections are rare and the growth is geometric, so the cost stays below two snapshots of the largest heap.
# The time the snapshots take is reported, so the caller can leave it out of the program's own time.
_heap = {"snapshot": None, "bytes": 0, "ns": 0}


def _on_gc(phase, info):
    if phase == "start":
        _gc_state["started"] = time.perf_counter_ns()
    elif phase == "stop" and _gc_state["started"]:
        _gc_state["ns"] += time.perf_counter_ns() - _gc_state["started"]
        _gc_state["collections"] += 1
        _gc_state["started"] = 0
        if info.get("generation") == 2 and tracemalloc is not None and tracemalloc.is_tracing():
            current = tracemalloc.get_traced_memory()[0]
            if current > 2 * _heap["bytes"] and current > (1 << 20):
                t0 = time.perf_counter_ns()
                _heap["snapshot"] = None  # the old one is freed before the new one is made
                _heap["snapshot"] = tracemalloc.take_snapshot()
                _heap["bytes"] = current
                _heap["ns"] += time.perf_counter_ns() - t0


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
        "traced_peak_bytes": None,
        "top_sites": [],
        "sites_at": None,
        "snapshot_ns": _heap["ns"],
        "library_paths": [],
    }
    if tracemalloc is not None and tracemalloc.is_tracing():
        report["traced_peak_bytes"] = tracemalloc.get_traced_memory()[1]
        snapshot = tracemalloc.take_snapshot()
        report["sites_at"] = "exit"
        if _heap["snapshot"] is not None and _heap["bytes"] > tracemalloc.get_traced_memory()[0]:
            snapshot = _heap["snapshot"]
            report["sites_at"] = "largest heap seen"
        tracemalloc.stop()
        # The interpreter's own import machinery and this bootstrap are not the program's allocations.
        # runpy and the pkgutil lookups it makes to start the program are this bootstrap's doing too.
        ours = [__file__, tracemalloc.__file__, runpy.__file__]
        if "pkgutil" in sys.modules:
            ours.append(sys.modules["pkgutil"].__file__)
        snapshot = snapshot.filter_traces(
            [tracemalloc.Filter(False, "<frozen *>")] + [tracemalloc.Filter(False, f) for f in ours if f]
        )
        for stat in snapshot.statistics("lineno")[:TOP_SITES]:
            frame = stat.traceback[0]
            report["top_sites"].append(
                {"file": frame.filename, "line": frame.lineno, "size_bytes": stat.size, "count": stat.count}
            )
    # After the snapshot and tracemalloc.stop(): importing sysconfig is not one of the program's allocations.
    report["library_paths"] = _library_paths()
    with open(path, "w") as f:
        json.dump(report, f)


def main():
    report_path = sys.argv[1]
    target = sys.argv[2:]
    if hasattr(gc, "callbacks"):
        gc.callbacks.append(_on_gc)
    if tracemalloc is not None:
        tracemalloc.start()
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
        _write_report(report_path, started, exit_code, error)


main()
